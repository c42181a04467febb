/* spec_json.c: struct al_spec as the "Spec" object of a sandbox's config.json and back. Every value of
 * the sandbox is kept; reading checks each key's type and names the key in its message. */
#include "spec_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "parse.h"
#include "util.h"

/* ---- writing ------------------------------------------------------------------------------------ */

/* jansson returns NULL only when out of memory (the _nocheck variants skip the UTF-8 check, so a string
 * that is not UTF-8 is kept as it is and json_dumps refuses it): abort as al_x* do. */
static json_t *checked(json_t *v)
{
	if (!v)
		abort();
	return v;
}

static void put(json_t *obj, const char *key, json_t *value)
{
	if (json_object_set_new_nocheck(obj, key, checked(value)) < 0)
		abort();
}

static json_t *string_or_null(const char *s)
{
	return s ? checked(json_string_nocheck(s)) : json_null();
}

static json_t *strv_to_json(char *const *v, size_t n)
{
	json_t *arr = checked(json_array());
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, checked(json_string_nocheck(v[i]))) < 0)
			abort();
	return arr;
}

static void append(json_t *arr, json_t *value)
{
	if (json_array_append_new(arr, checked(value)) < 0)
		abort();
}

static json_t *mount_to_json(const struct al_mount *m)
{
	bool bind = m->kind == AL_MOUNT_BIND;
	json_t *o = checked(json_object());
	put(o, "Type", json_string(bind ? "bind" : "tmpfs"));
	if (bind)
		put(o, "Source", string_or_null(m->source));
	put(o, "Target", string_or_null(m->target));
	put(o, "ReadOnly", json_boolean(m->readonly));
	put(o, "Named", json_boolean(m->is_named));
	if (bind && m->options)
		put(o, "Options", json_string_nocheck(m->options));
	if (!bind)
		put(o, "Size", json_integer((json_int_t)m->size));
	if (!bind && m->has_mode)
		put(o, "Mode", json_integer(m->mode));
	return o;
}

/* RLIM_INFINITY is docker's -1. */
static json_t *rlim_to_json(rlim_t v)
{
	return json_integer(v == RLIM_INFINITY ? -1 : (json_int_t)v);
}

static json_t *rlimit_to_json(const struct al_rlimit *r)
{
	json_t *o = checked(json_object());
	/* Every RLIMIT_* has a name; were one missing, a null Name makes the config fail to load rather
	 * than lose the limit. */
	put(o, "Name", string_or_null(al_ulimit_name(r->resource)));
	put(o, "Soft", rlim_to_json(r->soft));
	put(o, "Hard", rlim_to_json(r->hard));
	return o;
}

/* "KEY=VAL" strings become {"KEY": "VAL"}, split at the first '='. */
static json_t *labels_to_json(char *const *labels, size_t n)
{
	json_t *o = checked(json_object());
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(labels[i], '=');
		_cleanup_free_ char *key =
		    eq ? al_xstrndup(labels[i], (size_t)(eq - labels[i])) : al_xstrdup(labels[i]);
		put(o, key, json_string_nocheck(eq ? eq + 1 : ""));
	}
	return o;
}

static void put_root(json_t *o, const struct al_spec *spec)
{
	json_t *mounts = checked(json_array());
	for (size_t i = 0; i < spec->n_mounts; i++)
		append(mounts, mount_to_json(&spec->mounts[i]));

	put(o, "Argv", strv_to_json(spec->argv, spec->argc));
	put(o, "Rootfs", string_or_null(spec->rootfs));
	put(o, "Image", string_or_null(spec->image));
	put(o, "ImageId", string_or_null(spec->image_id));
	if (spec->layers)
		put(o, "Layers", strv_to_json(spec->layers, spec->n_layers));
	put(o, "ReadOnly", json_boolean(spec->read_only));
	put(o, "Mounts", mounts);
}

static void put_security_and_limits(json_t *o, const struct al_spec *spec)
{
	json_t *ulimits = checked(json_array());
	for (size_t i = 0; i < spec->n_rlimits; i++)
		append(ulimits, rlimit_to_json(&spec->rlimits[i]));

	put(o, "CapsKeep", json_integer((json_int_t)spec->caps_keep));
	put(o, "SeccompProfile", string_or_null(spec->seccomp_profile));
	put(o, "SeccompUnconfined", json_boolean(spec->seccomp_unconfined));
	put(o, "AllowWeakening", json_boolean(spec->allow_weakening));
	put(o, "Landlock", json_boolean(spec->landlock));
	put(o, "Memory", json_integer(spec->limits.memory));
	put(o, "MemorySwap", json_integer(spec->limits.memory_swap));
	put(o, "CpusMilli", json_integer(spec->limits.cpus_milli));
	put(o, "PidsLimit", json_integer(spec->limits.pids));
	put(o, "Ulimits", ulimits);
	put(o, "TimeoutMs", json_integer((json_int_t)spec->timeout_ms));
}

static void put_process(json_t *o, const struct al_spec *spec)
{
	json_t *user = checked(json_object());
	put(user, "Uid", json_integer(spec->uid));
	put(user, "Gid", json_integer(spec->gid));

	put(o, "Network", json_string(spec->network == AL_NET_HOST ? "host" : "none"));
	put(o, "Env", strv_to_json(spec->env, spec->n_env));
	put(o, "WorkingDir", string_or_null(spec->workdir));
	put(o, "User", user);
	put(o, "Hostname", string_or_null(spec->hostname));
	put(o, "Name", string_or_null(spec->name));
	put(o, "Labels", labels_to_json(spec->labels, spec->n_labels));
	put(o, "Dns", strv_to_json(spec->dns, spec->n_dns));
	put(o, "ExtraHosts", strv_to_json(spec->extra_hosts, spec->n_extra_hosts));
	put(o, "Init", json_boolean(spec->init));
	put(o, "EgressAllow", strv_to_json(spec->egress_allow, spec->n_egress_allow));
	put(o, "EgressDeny", strv_to_json(spec->egress_deny, spec->n_egress_deny));
	put(o, "EgressLog", string_or_null(spec->egress_log));
	put(o, "EgressRate", json_integer((json_int_t)spec->egress_rate));
	put(o, "EgressMaxConns", json_integer(spec->egress_max_conns));
	put(o, "Interactive", json_boolean(spec->interactive));
	put(o, "Tty", json_boolean(spec->tty));
}

json_t *al_spec_to_json(const struct al_spec *spec)
{
	json_t *o = checked(json_object());
	put_root(o, spec);
	put_security_and_limits(o, spec);
	put_process(o, spec);
	return o;
}

/* ---- reading ------------------------------------------------------------------------------------ */

/* Messages name the value's place in config.json: `where` is "" at the top of Spec or the element
 * ("Mounts[2]") that holds `key`. */
static int bad(struct al_err *err, const char *where, const char *key, const char *problem)
{
	return al_err_set(err, EINVAL, "config: Spec.%s%s%s: %s", where, *where && *key ? "." : "", key,
			  problem);
}

/* A key's value, NULL when absent or null: both mean the default. */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int require(const json_t *obj, const char *where, const char *key, struct al_err *err)
{
	return member(obj, key) ? 0 : bad(err, where, key, "missing");
}

/* The string stays the JSON's: *out is left alone when the key is absent. */
static int read_cstr(const json_t *obj, const char *where, const char *key, const char **out,
		     struct al_err *err)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(err, where, key, "expected a string");
	*out = json_string_value(v);
	return 0;
}

static int read_string(const json_t *obj, const char *key, char **out, struct al_err *err)
{
	const char *s = NULL;
	if (read_cstr(obj, "", key, &s, err) < 0)
		return -1;
	if (s) {
		free(*out);
		*out = al_xstrdup(s);
	}
	return 0;
}

static int read_bool(const json_t *obj, const char *where, const char *key, bool *out, struct al_err *err)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(err, where, key, "expected a boolean");
	*out = json_is_true(v);
	return 0;
}

static int read_int(const json_t *obj, const char *where, const char *key, int64_t min, int64_t max,
		    int64_t *out, struct al_err *err)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bad(err, where, key, "expected an integer");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max) {
		_cleanup_free_ char *msg =
		    al_xasprintf("expected an integer from %" PRId64 " to %" PRId64, min, max);
		return bad(err, where, key, msg);
	}
	*out = (int64_t)n;
	return 0;
}

/* Unsigned values are stored as JSON's signed integers: 0 to INT64_MAX. */
static int read_u64(const json_t *obj, const char *where, const char *key, uint64_t *out, struct al_err *err)
{
	int64_t n = (int64_t)*out;
	if (read_int(obj, where, key, 0, INT64_MAX, &n, err) < 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

static int read_i64(const json_t *obj, const char *key, int64_t *out, struct al_err *err)
{
	return read_int(obj, "", key, INT64_MIN, INT64_MAX, out, err);
}

/* A list of strings appended to the NULL-terminated (or NULL) vector *v. */
static int read_strv(const json_t *obj, const char *key, char ***v, size_t *n, struct al_err *err)
{
	const json_t *arr = member(obj, key), *s;
	size_t i;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(err, "", key, "expected an array of strings");
	json_array_foreach (arr, i, s) {
		if (!json_is_string(s)) {
			char place[64];
			snprintf(place, sizeof place, "%s[%zu]", key, i);
			return bad(err, "", place, "expected a string");
		}
		al_strv_push(v, n, json_string_value(s));
	}
	return 0;
}

typedef int (*element_reader)(const json_t *elem, const char *where, struct al_spec *spec,
			      struct al_err *err);

/* A list of objects, each read by `read` with its place ("Mounts[2]") for messages. */
static int read_list(const json_t *obj, const char *key, element_reader read, struct al_spec *spec,
		     struct al_err *err)
{
	const json_t *arr = member(obj, key), *elem;
	size_t i;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(err, "", key, "expected an array");
	json_array_foreach (arr, i, elem) {
		char where[64];
		snprintf(where, sizeof where, "%s[%zu]", key, i);
		if (!json_is_object(elem))
			return bad(err, where, "", "expected an object");
		if (read(elem, where, spec, err) < 0)
			return -1;
	}
	return 0;
}

static int read_mount(const json_t *o, const char *where, struct al_spec *spec, struct al_err *err)
{
	struct al_mount m = {.kind = AL_MOUNT_BIND};
	const char *type = NULL, *source = NULL, *target = NULL, *options = NULL;
	int64_t mode = -1;

	if (require(o, where, "Type", err) < 0 || read_cstr(o, where, "Type", &type, err) < 0 ||
	    require(o, where, "Target", err) < 0 || read_cstr(o, where, "Target", &target, err) < 0 ||
	    read_bool(o, where, "ReadOnly", &m.readonly, err) < 0 ||
	    read_bool(o, where, "Named", &m.is_named, err) < 0)
		return -1;
	if (strcmp(type, "bind") == 0) {
		if (require(o, where, "Source", err) < 0 || read_cstr(o, where, "Source", &source, err) < 0 ||
		    read_cstr(o, where, "Options", &options, err) < 0)
			return -1;
	} else if (strcmp(type, "tmpfs") == 0) {
		m.kind = AL_MOUNT_TMPFS;
		if (read_u64(o, where, "Size", &m.size, err) < 0 ||
		    read_int(o, where, "Mode", 0, 07777, &mode, err) < 0)
			return -1;
		m.has_mode = mode >= 0;
		m.mode = m.has_mode ? (mode_t)mode : 0;
	} else {
		return bad(err, where, "Type", "expected \"bind\" or \"tmpfs\"");
	}
	m.source = (char *)source;
	m.target = (char *)target;
	m.options = (char *)options;
	al_spec_add_mount(spec, &m);
	return 0;
}

/* The parser's name table read backwards: every RLIMIT_* is below RLIM_NLIMITS. */
static int ulimit_resource(const char *name)
{
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		const char *known = al_ulimit_name(r);
		if (known && strcmp(known, name) == 0)
			return r;
	}
	return -1;
}

static int read_ulimit(const json_t *o, const char *where, struct al_spec *spec, struct al_err *err)
{
	const char *name = NULL;
	int64_t soft = 0, hard = 0;

	if (require(o, where, "Name", err) < 0 || read_cstr(o, where, "Name", &name, err) < 0 ||
	    require(o, where, "Soft", err) < 0 || read_int(o, where, "Soft", -1, INT64_MAX, &soft, err) < 0 ||
	    require(o, where, "Hard", err) < 0 || read_int(o, where, "Hard", -1, INT64_MAX, &hard, err) < 0)
		return -1;
	int resource = ulimit_resource(name);
	if (resource < 0) {
		_cleanup_free_ char *msg = al_xasprintf("unknown limit \"%s\"", name);
		return bad(err, where, "Name", msg);
	}
	al_spec_set_rlimit(spec, resource, soft == -1 ? RLIM_INFINITY : (rlim_t)soft,
			   hard == -1 ? RLIM_INFINITY : (rlim_t)hard);
	return 0;
}

static int read_layers(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	if (read_strv(obj, "Layers", &spec->layers, &spec->n_layers, err) < 0)
		return -1;
	/* Present but empty is not absent: NULL layers means "no image". */
	if (member(obj, "Layers") && !spec->layers)
		spec->layers = al_xcalloc(1, sizeof(char *));
	return 0;
}

static int read_network(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	const char *net = NULL;
	if (read_cstr(obj, "", "Network", &net, err) < 0)
		return -1;
	if (!net)
		return 0;
	if (strcmp(net, "none") == 0)
		spec->network = AL_NET_NONE;
	else if (strcmp(net, "host") == 0)
		spec->network = AL_NET_HOST;
	else
		return bad(err, "", "Network", "expected \"none\" or \"host\"");
	return 0;
}

static int read_user(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	const json_t *user = member(obj, "User");
	int64_t uid = spec->uid, gid = spec->gid;
	if (!user)
		return 0;
	if (!json_is_object(user))
		return bad(err, "", "User", "expected an object");
	/* (uid_t)-1 means "unchanged" to the kernel, never a user. */
	if (read_int(user, "User", "Uid", 0, UINT32_MAX - 1, &uid, err) < 0 ||
	    read_int(user, "User", "Gid", 0, UINT32_MAX - 1, &gid, err) < 0)
		return -1;
	spec->uid = (uid_t)uid;
	spec->gid = (gid_t)gid;
	return 0;
}

static int read_labels(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	json_t *labels = member(obj, "Labels"), *val;
	const char *key;
	if (!labels)
		return 0;
	if (!json_is_object(labels))
		return bad(err, "", "Labels", "expected an object");
	json_object_foreach (labels, key, val) {
		if (!json_is_string(val))
			return bad(err, "Labels", key, "expected a string");
		_cleanup_free_ char *entry = al_xasprintf("%s=%s", key, json_string_value(val));
		al_strv_push(&spec->labels, &spec->n_labels, entry);
	}
	return 0;
}

static int read_root(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	if (read_strv(obj, "Argv", &spec->argv, &spec->argc, err) < 0 ||
	    read_string(obj, "Rootfs", &spec->rootfs, err) < 0 ||
	    read_string(obj, "Image", &spec->image, err) < 0 ||
	    read_string(obj, "ImageId", &spec->image_id, err) < 0 || read_layers(obj, spec, err) < 0 ||
	    read_bool(obj, "", "ReadOnly", &spec->read_only, err) < 0 ||
	    read_list(obj, "Mounts", read_mount, spec, err) < 0)
		return -1;
	return 0;
}

static int read_security_and_limits(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	if (read_u64(obj, "", "CapsKeep", &spec->caps_keep, err) < 0 ||
	    read_string(obj, "SeccompProfile", &spec->seccomp_profile, err) < 0 ||
	    read_bool(obj, "", "SeccompUnconfined", &spec->seccomp_unconfined, err) < 0 ||
	    read_bool(obj, "", "AllowWeakening", &spec->allow_weakening, err) < 0 ||
	    read_bool(obj, "", "Landlock", &spec->landlock, err) < 0 ||
	    read_i64(obj, "Memory", &spec->limits.memory, err) < 0 ||
	    read_i64(obj, "MemorySwap", &spec->limits.memory_swap, err) < 0 ||
	    read_i64(obj, "CpusMilli", &spec->limits.cpus_milli, err) < 0 ||
	    read_i64(obj, "PidsLimit", &spec->limits.pids, err) < 0 ||
	    read_list(obj, "Ulimits", read_ulimit, spec, err) < 0 ||
	    read_u64(obj, "", "TimeoutMs", &spec->timeout_ms, err) < 0)
		return -1;
	return 0;
}

static int read_egress_max_conns(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	int64_t v = spec->egress_max_conns;
	if (read_int(obj, "", "EgressMaxConns", 0, 1 << 20, &v, err) < 0)
		return -1;
	spec->egress_max_conns = (unsigned)v;
	return 0;
}

static int read_process(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	if (read_network(obj, spec, err) < 0 || read_strv(obj, "Env", &spec->env, &spec->n_env, err) < 0 ||
	    read_string(obj, "WorkingDir", &spec->workdir, err) < 0 || read_user(obj, spec, err) < 0 ||
	    read_string(obj, "Hostname", &spec->hostname, err) < 0 ||
	    read_string(obj, "Name", &spec->name, err) < 0 || read_labels(obj, spec, err) < 0 ||
	    read_strv(obj, "Dns", &spec->dns, &spec->n_dns, err) < 0 ||
	    read_strv(obj, "ExtraHosts", &spec->extra_hosts, &spec->n_extra_hosts, err) < 0 ||
	    read_bool(obj, "", "Init", &spec->init, err) < 0 ||
	    read_strv(obj, "EgressAllow", &spec->egress_allow, &spec->n_egress_allow, err) < 0 ||
	    read_strv(obj, "EgressDeny", &spec->egress_deny, &spec->n_egress_deny, err) < 0 ||
	    read_string(obj, "EgressLog", &spec->egress_log, err) < 0 ||
	    read_u64(obj, "", "EgressRate", &spec->egress_rate, err) < 0 ||
	    read_egress_max_conns(obj, spec, err) < 0 ||
	    read_bool(obj, "", "Interactive", &spec->interactive, err) < 0 ||
	    read_bool(obj, "", "Tty", &spec->tty, err) < 0)
		return -1;
	return 0;
}

int al_spec_from_json(const json_t *obj, struct al_spec *spec, struct al_err *err)
{
	if (!obj || json_is_null(obj))
		return 0;
	if (!json_is_object(obj))
		return al_err_set(err, EINVAL, "config: Spec: expected an object");
	if (read_root(obj, spec, err) < 0 || read_security_and_limits(obj, spec, err) < 0 ||
	    read_process(obj, spec, err) < 0)
		return -1;
	return 0;
}
