/* oci_config.c: the OCI runtime's front door: a bundle's config.json (runtime-spec 1.0 to 1.2) read into
 * struct al_spec, with whatever the spec cannot carry kept in struct al_oci_extra. Nothing is run here. */
#include "oci_config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "json_cleanup.h"
#include "parse.h"
#include "util.h"

static void strv_freep(char ***v)
{
	al_strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))

/* A config.json larger than this is not a config (docker's, with its seccomp profile, is ~30 KiB). */
#define CONFIG_MAX (16 << 20)

static const char *const ns_names[AL_OCI_NS_COUNT] = {
    [AL_OCI_NS_PID] = "pid",	   [AL_OCI_NS_NETWORK] = "network", [AL_OCI_NS_MOUNT] = "mount",
    [AL_OCI_NS_IPC] = "ipc",	   [AL_OCI_NS_UTS] = "uts",	    [AL_OCI_NS_USER] = "user",
    [AL_OCI_NS_CGROUP] = "cgroup", [AL_OCI_NS_TIME] = "time",
};

static const char *const hook_phase_names[AL_OCI_HOOK_COUNT] = {
    [AL_OCI_HOOK_PRESTART] = "prestart",
    [AL_OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [AL_OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [AL_OCI_HOOK_START_CONTAINER] = "startContainer",
    [AL_OCI_HOOK_POSTSTART] = "poststart",
    [AL_OCI_HOOK_POSTSTOP] = "poststop",
};

static const char *const capset_names[AL_OCI_CAP_SETS] = {
    [AL_OCI_CAP_BOUNDING] = "bounding",	      [AL_OCI_CAP_EFFECTIVE] = "effective",
    [AL_OCI_CAP_INHERITABLE] = "inheritable", [AL_OCI_CAP_PERMITTED] = "permitted",
    [AL_OCI_CAP_AMBIENT] = "ambient",
};

const char *al_oci_ns_name(enum al_oci_ns ns)
{
	return ns < AL_OCI_NS_COUNT ? ns_names[ns] : NULL;
}

const char *al_oci_hook_phase_name(enum al_oci_hook_phase phase)
{
	return phase < AL_OCI_HOOK_COUNT ? hook_phase_names[phase] : NULL;
}

const char *al_oci_capset_name(enum al_oci_capset set)
{
	return set < AL_OCI_CAP_SETS ? capset_names[set] : NULL;
}

/* ---- the extra ---------------------------------------------------------------------------------- */

static void extra_init(struct al_oci_extra *x)
{
	memset(x, 0, sizeof *x);
	x->airlock = (struct al_oci_switches){true, true, true, true};
}

static void hook_free(struct al_oci_hook *h)
{
	free(h->path);
	al_strv_free(h->args);
	al_strv_free(h->env);
}

static void free_mounts(struct al_oci_extra *x)
{
	for (size_t i = 0; i < x->n_kernel_mounts; i++) {
		free(x->kernel_mounts[i].type);
		free(x->kernel_mounts[i].source);
		free(x->kernel_mounts[i].destination);
		al_strv_free(x->kernel_mounts[i].options);
	}
	free(x->kernel_mounts);
	for (size_t i = 0; i < x->n_mount_options; i++)
		al_strv_free(x->mount_options[i].options);
	free(x->mount_options);
}

void al_oci_extra_free(struct al_oci_extra *x)
{
	free(x->oci_version);
	free(x->root_path);
	free(x->domainname);
	free(x->additional_gids);
	al_strv_free(x->unknown_caps);
	free(x->apparmor_profile);
	free(x->selinux_label);
	free(x->mount_label);
	for (int t = 0; t < AL_OCI_NS_COUNT; t++)
		free(x->ns[t].path);
	free(x->uid_mappings.v);
	free(x->gid_mappings.v);
	al_strv_free(x->sysctl);
	al_strv_free(x->masked_paths);
	al_strv_free(x->readonly_paths);
	for (size_t i = 0; i < x->n_devices; i++)
		free(x->devices[i].path);
	free(x->devices);
	free(x->rootfs_propagation);
	free(x->cgroups_path);
	json_decref(x->resources_unmapped);
	json_decref(x->seccomp);
	for (int p = 0; p < AL_OCI_HOOK_COUNT; p++) {
		for (size_t i = 0; i < x->hooks[p].n; i++)
			hook_free(&x->hooks[p].v[i]);
		free(x->hooks[p].v);
	}
	free_mounts(x);
	al_strv_free(x->annotations);
	al_strv_free(x->unread_keys);
	memset(x, 0, sizeof *x);
}

/* ---- reading values, each named by its place in the document ------------------------------------ */

struct oci_reader {
	const char *bundle; /* absolute, resolved */
	struct al_spec *spec;
	struct al_oci_extra *x;
	struct al_err *err;
};

/* A place in the document: "process.rlimits[0].type". */
struct place {
	char s[256];
};

static struct place at(const char *where, const char *key)
{
	struct place p;
	snprintf(p.s, sizeof p.s, "%s%s%s", where, *where && *key ? "." : "", key);
	return p;
}

static struct place nth(const char *where, size_t i)
{
	struct place p;
	if (snprintf(p.s, sizeof p.s, "%s[%zu]", where, i) < 0)
		p.s[0] = '\0';
	return p;
}

__attribute__((format(printf, 3, 4))) static int bad(struct oci_reader *r, const char *place, const char *fmt,
						     ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return al_err_set(r->err, EINVAL, "config.json: %s: %s", place, msg);
}

/* A key's value, NULL when absent or null: both mean "not given". obj may be NULL (an absent parent). */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return json_is_null(v) ? NULL : v;
}

/* The getters return 1 when the key is there, 0 when it is not (*out untouched), -1 on a wrong type. */
static int get_str(struct oci_reader *r, const json_t *obj, const char *where, const char *key,
		   const char **out)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return bad(r, at(where, key).s, "expected a string");
	*out = json_string_value(v);
	return 1;
}

static int need(struct oci_reader *r, int got, const char *where, const char *key)
{
	return got == 0 ? bad(r, at(where, key).s, "missing") : got;
}

static int need_str(struct oci_reader *r, const json_t *obj, const char *where, const char *key,
		    const char **out)
{
	return need(r, get_str(r, obj, where, key, out), where, key);
}

/* A copy of the string into *out (replacing what was there). */
static int dup_str(struct oci_reader *r, const json_t *obj, const char *where, const char *key, char **out)
{
	const char *s = NULL;
	int got = get_str(r, obj, where, key, &s);
	if (got > 0) {
		free(*out);
		*out = al_xstrdup(s);
	}
	return got;
}

static int get_bool(struct oci_reader *r, const json_t *obj, const char *where, const char *key, bool *out)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return bad(r, at(where, key).s, "expected a boolean");
	*out = json_is_true(v);
	return 1;
}

static int get_int(struct oci_reader *r, const json_t *obj, const char *where, const char *key, int64_t min,
		   int64_t max, int64_t *out)
{
	const json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return bad(r, at(where, key).s, "expected an integer");
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return bad(r, at(where, key).s, "expected an integer from %" PRId64 " to %" PRId64, min, max);
	*out = (int64_t)n;
	return 1;
}

static int need_int(struct oci_reader *r, const json_t *obj, const char *where, const char *key, int64_t min,
		    int64_t max, int64_t *out)
{
	return need(r, get_int(r, obj, where, key, min, max, out), where, key);
}

static int get_typed(struct oci_reader *r, const json_t *obj, const char *where, const char *key,
		     json_type type, json_t **out)
{
	json_t *v = member(obj, key);
	if (!v)
		return 0;
	if (json_typeof(v) != type)
		return bad(r, at(where, key).s, "expected %s",
			   type == JSON_OBJECT ? "an object" : "an array");
	*out = v;
	return 1;
}

static int get_object(struct oci_reader *r, const json_t *obj, const char *where, const char *key,
		      json_t **out)
{
	return get_typed(r, obj, where, key, JSON_OBJECT, out);
}

/* A list of strings appended to the NULL-terminated (or NULL) vector *v. */
static int get_strv(struct oci_reader *r, const json_t *obj, const char *where, const char *key, char ***v,
		    size_t *n)
{
	const json_t *arr = member(obj, key), *s;
	size_t i;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return bad(r, at(where, key).s, "expected an array of strings");
	json_array_foreach (arr, i, s) {
		if (!json_is_string(s))
			return bad(r, nth(at(where, key).s, i).s, "expected a string");
		al_strv_push(v, n, json_string_value(s));
	}
	return 1;
}

typedef int (*element_reader)(struct oci_reader *r, json_t *elem, const char *where, void *ctx);

/* A list of objects, each read by `read` with its place ("mounts[2]"). */
static int each_object(struct oci_reader *r, const json_t *obj, const char *where, const char *key,
		       element_reader read, void *ctx)
{
	json_t *arr = NULL, *elem;
	size_t i;
	int got = get_typed(r, obj, where, key, JSON_ARRAY, &arr);
	if (got <= 0)
		return got;
	struct place list = at(where, key);
	json_array_foreach (arr, i, elem) {
		struct place p = nth(list.s, i);
		if (!json_is_object(elem))
			return bad(r, p.s, "expected an object");
		if (read(r, elem, p.s, ctx) < 0)
			return -1;
	}
	return 1;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Keys of obj this reader does not interpret go to x->unread_keys: silently dropping a field that
 * asks for isolation is how a runtime gets weaker than its config says. */
static void note_unread(struct oci_reader *r, json_t *obj, const char *where, const char *const *known,
			size_t n_known)
{
	const char *key;
	json_t *v;
	if (!obj)
		return;
	json_object_foreach (obj, key, v)
		if (!in_list(key, known, n_known))
			al_strv_push(&r->x->unread_keys, &r->x->n_unread_keys, at(where, key).s);
}
#define NOTE_UNREAD(r, obj, where, known) note_unread(r, obj, where, known, AL_ARRAY_SIZE(known))

/* An absolute, normalised path, or an error naming the place. */
static int abs_path(struct oci_reader *r, const char *place, const char *s, char **out)
{
	_cleanup_free_ char *what = al_xasprintf("config.json: %s", place);
	free(*out);
	*out = NULL;
	return al_normalize_abs_path(s, what, out, r->err);
}

/* ---- ociVersion and root ------------------------------------------------------------------------ */

/* "1.0.0" to "1.2.x", with any pre-release or build suffix ("1.0.2-dev", runc's own). */
static bool version_supported(const char *v)
{
	unsigned long part[3];
	const char *s = v;
	char *end;
	for (int i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)*s))
			return false;
		part[i] = strtoul(s, &end, 10);
		if (i < 2 && *end != '.')
			return false;
		s = end + 1;
	}
	return (*end == '\0' || *end == '-' || *end == '+') && part[0] == 1 && part[1] <= 2;
}

static int read_version(struct oci_reader *r, json_t *doc)
{
	const char *v = NULL;
	if (need_str(r, doc, "", "ociVersion", &v) < 0)
		return -1;
	if (!version_supported(v))
		return al_err_set(r->err, EINVAL,
				  "config.json: ociVersion \"%s\": unsupported (1.0.0 to 1.2.x)", v);
	r->x->oci_version = al_xstrdup(v);
	return 0;
}

/* runtime-spec's default for root.readonly is false; airlock's false is a throwaway writable layer over
 * the root, so writes never reach the bundle's rootfs (runc writes them there). */
static int read_root(struct oci_reader *r, json_t *doc)
{
	static const char *const known[] = {"path", "readonly"};
	json_t *root = NULL;
	const char *path = NULL;
	struct stat st;

	r->spec->read_only = false;
	if (need(r, get_object(r, doc, "", "root", &root), "", "root") < 0 ||
	    need_str(r, root, "root", "path", &path) < 0 ||
	    get_bool(r, root, "root", "readonly", &r->spec->read_only) < 0)
		return -1;
	NOTE_UNREAD(r, root, "root", known);
	r->x->root_path = al_xstrdup(path);
	_cleanup_free_ char *joined =
	    path[0] == '/' ? al_xstrdup(path) : al_xasprintf("%s/%s", r->bundle, path);
	char *resolved = realpath(joined, NULL);
	if (!resolved)
		return al_err_sys(r->err, errno, "config.json: root.path %s", joined);
	free(r->spec->rootfs);
	r->spec->rootfs = resolved;
	if (stat(resolved, &st) < 0)
		return al_err_sys(r->err, errno, "config.json: root.path %s", joined);
	if (!S_ISDIR(st.st_mode))
		return al_err_sys(r->err, ENOTDIR, "config.json: root.path %s", joined);
	return 0;
}

/* ---- process ------------------------------------------------------------------------------------ */

static int read_args(struct oci_reader *r, json_t *p)
{
	const json_t *args = member(p, "args"), *s;
	size_t i;
	if (!json_is_array(args) || json_array_size(args) == 0)
		return bad(r, "process.args", "expected a non-empty array of strings");
	json_array_foreach (args, i, s) {
		if (!json_is_string(s))
			return bad(r, nth("process.args", i).s, "expected a string");
		al_strv_push(&r->spec->argv, &r->spec->argc, json_string_value(s));
	}
	return 0;
}

static int read_env(struct oci_reader *r, json_t *p)
{
	_cleanup_strv_ char **env = NULL;
	size_t n = 0;
	if (get_strv(r, p, "process", "env", &env, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		if (!eq || eq == env[i])
			return bad(r, nth("process.env", i).s, "expected KEY=VALUE, not \"%s\"", env[i]);
		_cleanup_free_ char *key = al_xstrndup(env[i], (size_t)(eq - env[i]));
		al_spec_setenv(r->spec, key, eq + 1);
	}
	return 0;
}

static int read_cwd(struct oci_reader *r, json_t *p)
{
	const char *cwd = NULL;
	if (need_str(r, p, "process", "cwd", &cwd) < 0)
		return -1;
	return abs_path(r, "process.cwd", cwd, &r->spec->workdir);
}

static int read_additional_gids(struct oci_reader *r, json_t *user)
{
	json_t *gids = NULL, *g;
	size_t i;
	int got = get_typed(r, user, "process.user", "additionalGids", JSON_ARRAY, &gids);
	if (got <= 0)
		return got;
	r->x->additional_gids = al_xcalloc(json_array_size(gids) + 1, sizeof(gid_t));
	json_array_foreach (gids, i, g) {
		json_int_t v = json_is_integer(g) ? json_integer_value(g) : -1;
		if (v < 0 || v > UINT32_MAX - 1)
			return bad(r, nth("process.user.additionalGids", i).s,
				   "expected an integer from 0 to %u", UINT32_MAX - 1);
		r->x->additional_gids[r->x->n_additional_gids++] = (gid_t)v;
	}
	return 0;
}

/* (uid_t)-1 means "unchanged" to the kernel, never a user. */
static int read_user(struct oci_reader *r, json_t *p)
{
	static const char *const known[] = {"uid", "gid", "umask", "additionalGids"};
	json_t *user = NULL;
	int64_t uid, gid, umask;
	int got = get_object(r, p, "process", "user", &user);
	if (got <= 0)
		return got;
	NOTE_UNREAD(r, user, "process.user", known);
	if (need_int(r, user, "process.user", "uid", 0, UINT32_MAX - 1, &uid) < 0 ||
	    need_int(r, user, "process.user", "gid", 0, UINT32_MAX - 1, &gid) < 0 ||
	    (got = get_int(r, user, "process.user", "umask", 0, 0777, &umask)) < 0 ||
	    read_additional_gids(r, user) < 0)
		return -1;
	r->spec->uid = (uid_t)uid;
	r->spec->gid = (gid_t)gid;
	r->spec->user_given = true;
	r->x->has_umask = got > 0;
	r->x->umask = got > 0 ? (mode_t)umask : 0;
	return 0;
}

/* "RLIMIT_NOFILE" → RLIMIT_NOFILE, through the parser's table of docker's names. */
static int rlimit_resource(const char *type)
{
	if (strncmp(type, "RLIMIT_", 7) != 0)
		return -1;
	for (int res = 0; res < RLIM_NLIMITS; res++) {
		const char *name = al_ulimit_name(res);
		if (name && strcasecmp(name, type + 7) == 0)
			return res;
	}
	return -1;
}

static bool rlimit_given(const struct al_spec *spec, int resource)
{
	for (size_t i = 0; i < spec->n_rlimits; i++)
		if (spec->rlimits[i].resource == resource)
			return true;
	return false;
}

/* -1 is what load_document makes of Go's all-ones uint64: unlimited. */
static int read_rlimit(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"type", "soft", "hard"};
	const char *type = NULL;
	int64_t soft, hard;
	if (need_str(r, o, where, "type", &type) < 0 ||
	    need_int(r, o, where, "soft", -1, INT64_MAX, &soft) < 0 ||
	    need_int(r, o, where, "hard", -1, INT64_MAX, &hard) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	int resource = rlimit_resource(type);
	if (resource < 0)
		return bad(r, at(where, "type").s, "unknown limit \"%s\"", type);
	if (rlimit_given(r->spec, resource))
		return bad(r, at(where, "type").s, "%s given twice", type);
	rlim_t s = soft < 0 ? RLIM_INFINITY : (rlim_t)soft, h = hard < 0 ? RLIM_INFINITY : (rlim_t)hard;
	if (s > h)
		return bad(r, where, "soft limit %" PRId64 " is above the hard limit %" PRId64, soft, hard);
	al_spec_set_rlimit(r->spec, resource, s, h);
	return 0;
}

/* A name al_parse_cap does not know (a newer kernel's) is kept aside and not granted, as runc does:
 * an unknown capability can only be one more privilege, never one less. */
static int read_capset(struct oci_reader *r, json_t *caps, enum al_oci_capset set)
{
	_cleanup_strv_ char **names = NULL;
	size_t n = 0;
	if (get_strv(r, caps, "process.capabilities", capset_names[set], &names, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct al_err ignored;
		int cap;
		if (al_parse_cap(names[i], &cap, &ignored) < 0 || cap < 0 || cap > 63) {
			if (!in_list(names[i], (const char *const *)r->x->unknown_caps, r->x->n_unknown_caps))
				al_strv_push(&r->x->unknown_caps, &r->x->n_unknown_caps, names[i]);
			continue;
		}
		r->x->caps[set] |= 1ULL << cap;
	}
	return 0;
}

/* caps_keep is bounding ∩ permitted. airlock gives the command one set (bounding = permitted = effective
 * = caps_keep, root or not). Under runc a process holds at most its permitted set and can gain at exec
 * at most its bounding set: the intersection grants neither more. A non-root podman process (bounding:
 * the defaults, permitted: what --cap-add gave) gets just the added ones, as under runc; a root process
 * whose permitted set is smaller than its bounding set, which runc lets regain the bounding set at exec,
 * gets the smaller. All five sets are kept in the extra. */
static int read_capabilities(struct oci_reader *r, json_t *p)
{
	static const char *const known[] = {"bounding", "effective", "inheritable", "permitted", "ambient"};
	json_t *caps = NULL;
	int got = get_object(r, p, "process", "capabilities", &caps);
	if (got <= 0)
		return got;
	NOTE_UNREAD(r, caps, "process.capabilities", known);
	for (int set = 0; set < AL_OCI_CAP_SETS; set++)
		if (read_capset(r, caps, (enum al_oci_capset)set) < 0)
			return -1;
	r->x->capabilities_given = true;
	r->spec->caps_keep = r->x->caps[AL_OCI_CAP_BOUNDING] & r->x->caps[AL_OCI_CAP_PERMITTED];
	return 0;
}

static int read_console_size(struct oci_reader *r, json_t *p)
{
	static const char *const known[] = {"height", "width"};
	json_t *size = NULL;
	int64_t h, w;
	int got = get_object(r, p, "process", "consoleSize", &size);
	if (got <= 0)
		return got;
	NOTE_UNREAD(r, size, "process.consoleSize", known);
	if (need_int(r, size, "process.consoleSize", "height", 0, UINT16_MAX, &h) < 0 ||
	    need_int(r, size, "process.consoleSize", "width", 0, UINT16_MAX, &w) < 0)
		return -1;
	r->x->has_console_size = true;
	r->x->console_height = (unsigned)h;
	r->x->console_width = (unsigned)w;
	return 0;
}

static int read_process_extras(struct oci_reader *r, json_t *p)
{
	int64_t oom = 0;
	int got;
	if (get_bool(r, p, "process", "terminal", &r->x->terminal) < 0 || read_console_size(r, p) < 0 ||
	    get_bool(r, p, "process", "noNewPrivileges", &r->x->no_new_privileges) < 0 ||
	    (got = get_int(r, p, "process", "oomScoreAdj", -1000, 1000, &oom)) < 0 ||
	    dup_str(r, p, "process", "apparmorProfile", &r->x->apparmor_profile) < 0 ||
	    dup_str(r, p, "process", "selinuxLabel", &r->x->selinux_label) < 0)
		return -1;
	r->x->has_oom_score_adj = got > 0;
	r->x->oom_score_adj = (int)oom;
	return 0;
}

static int read_process(struct oci_reader *r, json_t *doc)
{
	static const char *const known[] = {"terminal",
					    "consoleSize",
					    "cwd",
					    "env",
					    "args",
					    "rlimits",
					    "apparmorProfile",
					    "capabilities",
					    "noNewPrivileges",
					    "oomScoreAdj",
					    "selinuxLabel",
					    "user"};
	json_t *p = NULL;
	if (need(r, get_object(r, doc, "", "process", &p), "", "process") < 0)
		return -1;
	NOTE_UNREAD(r, p, "process", known);
	if (read_args(r, p) < 0 || read_env(r, p) < 0 || read_cwd(r, p) < 0 || read_user(r, p) < 0 ||
	    each_object(r, p, "process", "rlimits", read_rlimit, NULL) < 0 || read_capabilities(r, p) < 0 ||
	    read_process_extras(r, p) < 0)
		return -1;
	return 0;
}

/* ---- mounts ------------------------------------------------------------------------------------- */

static const struct {
	const char *type, *destination;
} kernel_filesystems[] = {
    {"proc", "/proc"}, {"sysfs", "/sys"},     {"devpts", "/dev/pts"},	    {"mqueue", "/dev/mqueue"},
    {"tmpfs", "/dev"}, {"tmpfs", "/dev/shm"}, {"cgroup", "/sys/fs/cgroup"}, {"cgroup2", "/sys/fs/cgroup"},
};

/* Rootless configs (runc spec --rootless, podman) cannot mount sysfs and bind the host's instead. */
static bool is_kernel_fs(const char *type, const char *source, const char *target, bool bind)
{
	if (bind)
		return source && strcmp(source, target) == 0 &&
		       (strcmp(target, "/sys") == 0 || strcmp(target, "/sys/fs/cgroup") == 0);
	for (size_t i = 0; type && i < AL_ARRAY_SIZE(kernel_filesystems); i++)
		if (strcmp(type, kernel_filesystems[i].type) == 0 &&
		    strcmp(target, kernel_filesystems[i].destination) == 0)
			return true;
	return false;
}

static void add_kernel_mount(struct oci_reader *r, const char *type, const char *source, const char *target,
			     char **options, size_t n_options)
{
	struct al_oci_extra *x = r->x;
	x->kernel_mounts = al_xrealloc(x->kernel_mounts, (x->n_kernel_mounts + 1) * sizeof *x->kernel_mounts);
	struct al_oci_kernel_mount *k = &x->kernel_mounts[x->n_kernel_mounts++];
	*k = (struct al_oci_kernel_mount){.type = al_xstrdup(type ? type : "bind"),
					  .source = source ? al_xstrdup(source) : NULL,
					  .destination = al_xstrdup(target)};
	for (size_t i = 0; i < n_options; i++)
		al_strv_push(&k->options, &k->n_options, options[i]);
}

/* The options airlock does not apply, kept with the index of the spec mount they belong to. */
static void keep_unapplied(struct oci_reader *r, char ***options, size_t n)
{
	struct al_oci_extra *x = r->x;
	if (!n)
		return;
	x->mount_options = al_xrealloc(x->mount_options, (x->n_mount_options + 1) * sizeof *x->mount_options);
	x->mount_options[x->n_mount_options++] =
	    (struct al_oci_mount_options){r->spec->n_mounts - 1, steal_pointer(options), n};
}

static char *join_options(char **options, size_t n)
{
	size_t len = 1;
	if (!n)
		return NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(options[i]) + 1;
	char *s = al_xcalloc(1, len);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, options[i]);
	}
	return s;
}

static bool has_option(char **options, size_t n, const char *option)
{
	return in_list(option, (const char *const *)options, n);
}

/* Options that airlock applies or that hold anyway: every bind is recursive (open_tree AT_RECURSIVE),
 * nosuid and nodev, and the sandbox's mount namespace is private. */
static const char *const bind_applied[] = {"bind",   "rbind", "ro",	 "rw",
					   "nosuid", "nodev", "private", "rprivate"};

/* A relative source is relative to the bundle (runtime-spec). Whether it exists is the launcher's check. */
static int add_bind(struct oci_reader *r, const char *where, const char *source, const char *target,
		    char **options, size_t n)
{
	_cleanup_strv_ char **unapplied = NULL;
	size_t n_unapplied = 0;
	if (!source)
		return bad(r, at(where, "source").s, "missing");
	_cleanup_free_ char *src =
	    source[0] == '/' ? al_xstrdup(source) : al_xasprintf("%s/%s", r->bundle, source);
	_cleanup_free_ char *joined = join_options(options, n);
	struct al_mount m = {
	    .kind = AL_MOUNT_BIND, .source = src, .target = (char *)target, .options = joined};
	for (size_t i = 0; i < n; i++) {
		if (strcmp(options[i], "ro") == 0 || strcmp(options[i], "rw") == 0)
			m.readonly = options[i][1] == 'o';
		else if (!in_list(options[i], bind_applied, AL_ARRAY_SIZE(bind_applied)))
			al_strv_push(&unapplied, &n_unapplied, options[i]);
	}
	al_spec_add_mount(r->spec, &m);
	keep_unapplied(r, &unapplied, n_unapplied);
	return 0;
}

static int tmpfs_mode(struct oci_reader *r, const char *place, const char *v, struct al_mount *m)
{
	char *end;
	errno = 0;
	unsigned long mode = isdigit((unsigned char)*v) ? strtoul(v, &end, 8) : ULONG_MAX;
	if (mode == ULONG_MAX || errno || *end || mode > 07777)
		return bad(r, place, "mode=%s: expected an octal mode like 1777", v);
	m->mode = (mode_t)mode;
	m->has_mode = true;
	return 0;
}

/* Kernel sizes ("65536k", "64m") are docker's units; "50%" of RAM has no fixed value and is refused
 * rather than dropped. size=0, the kernel's "unlimited", keeps airlock's default cap and is reported. */
static int tmpfs_size(struct oci_reader *r, const char *place, const char *v, struct al_mount *m)
{
	struct al_err sub;
	if (al_parse_size(v, &m->size, &sub) < 0)
		return bad(r, place, "size=%s", sub.msg);
	return 0;
}

static const char *const tmpfs_applied[] = {"rw", "nosuid", "nodev", "private", "rprivate"};

static int tmpfs_option(struct oci_reader *r, const char *place, const char *o, struct al_mount *m,
			char ***unapplied, size_t *n_unapplied)
{
	if (strncmp(o, "size=", 5) == 0 && strcmp(o, "size=0") != 0)
		return tmpfs_size(r, place, o + 5, m);
	if (strncmp(o, "mode=", 5) == 0)
		return tmpfs_mode(r, place, o + 5, m);
	if (strcmp(o, "ro") == 0)
		return bad(r, place, "\"ro\": a read-only tmpfs is always empty; refused");
	if (!in_list(o, tmpfs_applied, AL_ARRAY_SIZE(tmpfs_applied)))
		al_strv_push(unapplied, n_unapplied, o);
	return 0;
}

static int add_tmpfs(struct oci_reader *r, const char *where, const char *target, char **options, size_t n)
{
	_cleanup_strv_ char **unapplied = NULL;
	size_t n_unapplied = 0;
	struct al_mount m = {.kind = AL_MOUNT_TMPFS, .target = (char *)target};
	struct place place = at(where, "options");
	for (size_t i = 0; i < n; i++)
		if (tmpfs_option(r, place.s, options[i], &m, &unapplied, &n_unapplied) < 0)
			return -1;
	al_spec_add_mount(r->spec, &m);
	keep_unapplied(r, &unapplied, n_unapplied);
	return 0;
}

/* A relative destination is relative to "/" (runtime-spec, for old configs). */
static int mount_target(struct oci_reader *r, const char *where, const char *dest, char **out)
{
	_cleanup_free_ char *abs = dest[0] == '/' ? al_xstrdup(dest) : al_xasprintf("/%s", dest);
	return abs_path(r, at(where, "destination").s, abs, out);
}

static int read_mount(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"destination", "type", "source", "options"};
	const char *dest = NULL, *type = NULL, *source = NULL;
	_cleanup_strv_ char **options = NULL;
	_cleanup_free_ char *target = NULL;
	size_t n = 0;

	if (need_str(r, o, where, "destination", &dest) < 0 || get_str(r, o, where, "type", &type) < 0 ||
	    get_str(r, o, where, "source", &source) < 0 ||
	    get_strv(r, o, where, "options", &options, &n) < 0 || mount_target(r, where, dest, &target) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	bool bind = (type && strcmp(type, "bind") == 0) || has_option(options, n, "bind") ||
		    has_option(options, n, "rbind");
	if (is_kernel_fs(type, source, target, bind)) {
		add_kernel_mount(r, type, source, target, options, n);
		return 0;
	}
	if (bind)
		return add_bind(r, where, source, target, options, n);
	if (type && strcmp(type, "tmpfs") == 0)
		return add_tmpfs(r, where, target, options, n);
	if (!type)
		return bad(r, at(where, "type").s, "missing");
	return bad(
	    r, at(where, "type").s,
	    "unsupported mount type \"%s\" at %s (bind, tmpfs, and the kernel filesystems airlock mounts "
	    "itself at their usual places)",
	    type, target);
}

/* ---- linux -------------------------------------------------------------------------------------- */

static int read_namespace(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"type", "path"};
	const char *type = NULL, *path = NULL;
	int t;
	if (need_str(r, o, where, "type", &type) < 0 || get_str(r, o, where, "path", &path) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	for (t = 0; t < AL_OCI_NS_COUNT; t++)
		if (strcmp(type, ns_names[t]) == 0)
			break;
	if (t == AL_OCI_NS_COUNT)
		return bad(r, at(where, "type").s, "unknown namespace type \"%s\"", type);
	struct al_oci_namespace *ns = &r->x->ns[t];
	if (ns->listed)
		return bad(r, at(where, "type").s, "namespace \"%s\" listed twice", type);
	ns->listed = true;
	return path ? abs_path(r, at(where, "path").s, path, &ns->path) : 0;
}

/* No network namespace listed means the host's network, as under runc; listed, with or without a path,
 * means not the host's: airlock's own (the path to join stays in the extra). */
static int read_namespaces(struct oci_reader *r, json_t *lx)
{
	if (each_object(r, lx, "linux", "namespaces", read_namespace, NULL) < 0)
		return -1;
	r->spec->network = r->x->ns[AL_OCI_NS_NETWORK].listed ? AL_NET_NONE : AL_NET_HOST;
	return 0;
}

static int read_idmap(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"containerID", "hostID", "size"};
	struct al_oci_idmaps *maps = ctx;
	int64_t container_id, host_id, size;
	if (need_int(r, o, where, "containerID", 0, UINT32_MAX, &container_id) < 0 ||
	    need_int(r, o, where, "hostID", 0, UINT32_MAX, &host_id) < 0 ||
	    need_int(r, o, where, "size", 1, UINT32_MAX, &size) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	maps->v = al_xrealloc(maps->v, (maps->n + 1) * sizeof *maps->v);
	maps->v[maps->n++] = (struct al_oci_idmap){(uint32_t)container_id, (uint32_t)host_id, (uint32_t)size};
	return 0;
}

static int device_type(struct oci_reader *r, const char *where, const char *type, char *out)
{
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return bad(r, at(where, "type").s, "expected one of c, b, u, p, not \"%s\"", type);
	*out = type[0];
	return 0;
}

static int read_device(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"type", "path", "major", "minor", "fileMode", "uid", "gid"};
	struct al_oci_extra *x = r->x;
	x->devices = al_xrealloc(x->devices, (x->n_devices + 1) * sizeof *x->devices);
	struct al_oci_device *d = &x->devices[x->n_devices++];
	const char *type = NULL, *path = NULL;
	int64_t mode = 0, uid = 0, gid = 0;
	int got_mode, got_uid, got_gid;
	*d = (struct al_oci_device){0};
	if (need_str(r, o, where, "type", &type) < 0 || device_type(r, where, type, &d->type) < 0 ||
	    need_str(r, o, where, "path", &path) < 0 ||
	    abs_path(r, at(where, "path").s, path, &d->path) < 0 ||
	    need(r, d->type == 'p' ? 1 : get_int(r, o, where, "major", 0, INT64_MAX, &d->major), where,
		 "major") < 0 ||
	    need(r, d->type == 'p' ? 1 : get_int(r, o, where, "minor", 0, INT64_MAX, &d->minor), where,
		 "minor") < 0 ||
	    (got_mode = get_int(r, o, where, "fileMode", 0, 07777, &mode)) < 0 ||
	    (got_uid = get_int(r, o, where, "uid", 0, UINT32_MAX - 1, &uid)) < 0 ||
	    (got_gid = get_int(r, o, where, "gid", 0, UINT32_MAX - 1, &gid)) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	d->has_file_mode = got_mode > 0;
	d->has_uid = got_uid > 0;
	d->has_gid = got_gid > 0;
	d->file_mode = (mode_t)mode;
	d->uid = (uid_t)uid;
	d->gid = (gid_t)gid;
	return 0;
}

static int read_sysctl(struct oci_reader *r, json_t *lx)
{
	json_t *sysctl = NULL, *v;
	const char *key;
	int got = get_object(r, lx, "linux", "sysctl", &sysctl);
	if (got <= 0)
		return got;
	json_object_foreach (sysctl, key, v) {
		if (!json_is_string(v))
			return bad(r, at("linux.sysctl", key).s, "expected a string");
		_cleanup_free_ char *entry = al_xasprintf("%s=%s", key, json_string_value(v));
		al_strv_push(&r->x->sysctl, &r->x->n_sysctl, entry);
	}
	return 0;
}

/* ---- linux.resources: what maps to spec->limits is taken out of a copy, the rest is kept -------- */

/* Remove key from obj, and obj (parent's `name`) from parent once it is empty. */
static void take(json_t *parent, const char *name, json_t *obj, const char *key)
{
	json_object_del(obj, key);
	if (json_object_size(obj) == 0)
		json_object_del(parent, name);
}

/* runtime-spec's swap is memory plus swap, as docker's --memory-swap; -1 is unlimited swap. */
static int read_memory(struct oci_reader *r, json_t *res)
{
	static const char where[] = "linux.resources.memory";
	json_t *mem = NULL;
	int64_t limit = 0, swap = 0, reservation = 0, swappiness = 0, kernel_tcp = 0;
	bool no_oom = false;
	int got = get_object(r, res, "linux.resources", "memory", &mem), has_swappiness;
	if (got <= 0)
		return got;
	if (get_int(r, mem, where, "limit", -1, INT64_MAX, &limit) < 0 ||
	    get_int(r, mem, where, "swap", -1, INT64_MAX, &swap) < 0 ||
	    get_int(r, mem, where, "reservation", -1, INT64_MAX, &reservation) < 0 ||
	    (has_swappiness = get_int(r, mem, where, "swappiness", -1, 100, &swappiness)) < 0 ||
	    get_bool(r, mem, where, "disableOOMKiller", &no_oom) < 0 ||
	    get_int(r, mem, where, "kernelTCP", -1, INT64_MAX, &kernel_tcp) < 0)
		return -1;
	r->spec->limits.kernel_tcp = kernel_tcp > 0 ? kernel_tcp : 0;
	json_object_del(mem, "kernelTCP");
	r->spec->limits.memory_reservation = reservation > 0 ? reservation : 0;
	r->spec->limits.has_swappiness = has_swappiness > 0 && swappiness >= 0; /* -1: Go's unset uint64 */
	r->spec->limits.memory_swappiness = (int)swappiness;
	r->spec->limits.oom_kill_disable = no_oom;
	json_object_del(mem, "reservation");
	json_object_del(mem, "swappiness");
	json_object_del(mem, "disableOOMKiller");
	if (swap > 0 && limit <= 0)
		return bad(r, at(where, "swap").s, "needs memory.limit (swap counts memory plus swap)");
	if (swap > 0 && swap < limit)
		return bad(r, at(where, "swap").s,
			   "%" PRId64 " is below memory.limit %" PRId64 " (swap counts memory plus swap)",
			   swap, limit);
	r->spec->limits.memory = limit > 0 ? limit : 0;
	r->spec->limits.memory_swap = swap;
	json_object_del(mem, "limit");
	take(res, "memory", mem, "swap");
	return 0;
}

/* A limit of 0 or -1 is runtime-spec's "max": airlock's explicit unlimited. */
static int read_pids(struct oci_reader *r, json_t *res)
{
	json_t *pids = NULL;
	int64_t limit;
	int got = get_object(r, res, "linux.resources", "pids", &pids);
	if (got <= 0)
		return got;
	if (need_int(r, pids, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &limit) < 0)
		return -1;
	r->spec->limits.pids = limit > 0 ? limit : -1;
	take(res, "pids", pids, "limit");
	return 0;
}

/* quota/period CPUs, rounded up so that a small quota never becomes "no limit"; without a period the
 * kernel's default of 100 ms. A quota of -1 (or 0) is no limit and maps to nothing; a period alone is
 * kept. */
static int read_cpu(struct oci_reader *r, json_t *res)
{
	static const char where[] = "linux.resources.cpu";
	json_t *cpu = NULL;
	int64_t quota = 0, period = 0;
	int got = get_object(r, res, "linux.resources", "cpu", &cpu);
	if (got <= 0)
		return got;
	if ((got = get_int(r, cpu, where, "quota", -1, INT64_MAX / 1000, &quota)) < 0 ||
	    get_int(r, cpu, where, "period", 0, INT64_MAX, &period) < 0)
		return -1;
	if (!got)
		return 0;
	if (quota > 0) {
		period = period > 0 ? period : 100000;
		r->spec->limits.cpus_milli = quota * 1000 / period + (quota * 1000 % period != 0);
	}
	json_object_del(cpu, "quota");
	take(res, "cpu", cpu, "period");
	return 0;
}

static int read_resources(struct oci_reader *r, json_t *lx)
{
	json_t *res = NULL;
	int got = get_object(r, lx, "linux", "resources", &res);
	if (got <= 0)
		return got;
	_cleanup_json_ json_t *rest = json_deep_copy(res);
	if (!rest)
		abort();
	if (read_memory(r, rest) < 0 || read_pids(r, rest) < 0 || read_cpu(r, rest) < 0)
		return -1;
	if (json_object_size(rest))
		r->x->resources_unmapped = steal_pointer(&rest);
	return 0;
}

/* The runtime compiles it (runtime-spec's field names: defaultAction, syscalls[].names...). */
static int read_seccomp(struct oci_reader *r, json_t *lx)
{
	json_t *seccomp = NULL;
	int got = get_object(r, lx, "linux", "seccomp", &seccomp);
	if (got > 0)
		r->x->seccomp = json_incref(seccomp);
	return got;
}

static int read_linux(struct oci_reader *r, json_t *doc)
{
	static const char *const known[] = {
	    "namespaces", "uidMappings", "gidMappings", "devices",     "cgroupsPath",	"rootfsPropagation",
	    "resources",  "seccomp",	 "sysctl",	"maskedPaths", "readonlyPaths", "mountLabel"};
	struct al_oci_extra *x = r->x;
	json_t *lx = NULL;
	if (get_object(r, doc, "", "linux", &lx) < 0)
		return -1;
	NOTE_UNREAD(r, lx, "linux", known);
	if (read_namespaces(r, lx) < 0 ||
	    each_object(r, lx, "linux", "uidMappings", read_idmap, &x->uid_mappings) < 0 ||
	    each_object(r, lx, "linux", "gidMappings", read_idmap, &x->gid_mappings) < 0 ||
	    each_object(r, lx, "linux", "devices", read_device, NULL) < 0 ||
	    dup_str(r, lx, "linux", "cgroupsPath", &x->cgroups_path) < 0 ||
	    dup_str(r, lx, "linux", "rootfsPropagation", &x->rootfs_propagation) < 0 ||
	    read_resources(r, lx) < 0 || read_seccomp(r, lx) < 0 || read_sysctl(r, lx) < 0 ||
	    get_strv(r, lx, "linux", "maskedPaths", &x->masked_paths, &x->n_masked_paths) < 0 ||
	    get_strv(r, lx, "linux", "readonlyPaths", &x->readonly_paths, &x->n_readonly_paths) < 0 ||
	    dup_str(r, lx, "linux", "mountLabel", &x->mount_label) < 0)
		return -1;
	return 0;
}

/* ---- hooks, annotations, the rest of the top level ---------------------------------------------- */

static int read_hook(struct oci_reader *r, json_t *o, const char *where, void *ctx)
{
	static const char *const known[] = {"path", "args", "env", "timeout"};
	struct al_oci_hooks *list = ctx;
	list->v = al_xrealloc(list->v, (list->n + 1) * sizeof *list->v);
	struct al_oci_hook *h = &list->v[list->n++];
	const char *path = NULL;
	int64_t timeout = 0;
	*h = (struct al_oci_hook){0};
	if (need_str(r, o, where, "path", &path) < 0 ||
	    abs_path(r, at(where, "path").s, path, &h->path) < 0 ||
	    get_strv(r, o, where, "args", &h->args, &h->n_args) < 0 ||
	    get_strv(r, o, where, "env", &h->env, &h->n_env) < 0 ||
	    get_int(r, o, where, "timeout", 1, INT_MAX, &timeout) < 0)
		return -1;
	NOTE_UNREAD(r, o, where, known);
	h->timeout = (int)timeout;
	return 0;
}

static int read_hooks(struct oci_reader *r, json_t *doc)
{
	json_t *hooks = NULL;
	int got = get_object(r, doc, "", "hooks", &hooks);
	if (got <= 0)
		return got;
	NOTE_UNREAD(r, hooks, "hooks", hook_phase_names);
	for (int p = 0; p < AL_OCI_HOOK_COUNT; p++)
		if (each_object(r, hooks, "hooks", hook_phase_names[p], read_hook, &r->x->hooks[p]) < 0)
			return -1;
	return 0;
}

static int read_switch(struct oci_reader *r, const char *place, const char *name, const char *value)
{
	struct al_oci_switches *sw = &r->x->airlock;
	bool *b = strcmp(name, "landlock") == 0		  ? &sw->landlock
		  : strcmp(name, "seccomp-baseline") == 0 ? &sw->seccomp_baseline
		  : strcmp(name, "close-fds") == 0	  ? &sw->close_fds
		  : strcmp(name, "new-session") == 0	  ? &sw->new_session
							  : NULL;
	if (!b)
		return bad(r, place,
			   "unknown airlock switch (run.airlock.landlock, run.airlock.seccomp-baseline, "
			   "run.airlock.close-fds, run.airlock.new-session)");
	if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
		return bad(r, place, "expected \"true\" or \"false\", not \"%s\"", value);
	*b = value[0] == 't';
	return 0;
}

static int read_annotations(struct oci_reader *r, json_t *doc)
{
	json_t *annotations = NULL, *v;
	const char *key;
	int got = get_object(r, doc, "", "annotations", &annotations);
	if (got <= 0)
		return got;
	json_object_foreach (annotations, key, v) {
		struct place place = at("annotations", key);
		if (!json_is_string(v))
			return bad(r, place.s, "expected a string");
		_cleanup_free_ char *entry = al_xasprintf("%s=%s", key, json_string_value(v));
		al_strv_push(&r->x->annotations, &r->x->n_annotations, entry);
		if (strncmp(key, "run.airlock.", 12) == 0 &&
		    read_switch(r, place.s, key + 12, json_string_value(v)) < 0)
			return -1;
	}
	r->spec->landlock = r->x->airlock.landlock;
	return 0;
}

/* An empty hostname is runtime-spec's "not set". */
static int read_names(struct oci_reader *r, json_t *doc)
{
	const char *hostname = NULL;
	if (get_str(r, doc, "", "hostname", &hostname) < 0 ||
	    dup_str(r, doc, "", "domainname", &r->x->domainname) < 0)
		return -1;
	if (hostname && *hostname) {
		free(r->spec->hostname);
		r->spec->hostname = al_xstrdup(hostname);
	}
	return 0;
}

static int read_document(struct oci_reader *r, json_t *doc)
{
	static const char *const known[] = {"ociVersion", "root",  "mounts", "process",	   "hostname",
					    "domainname", "hooks", "linux",  "annotations"};
	NOTE_UNREAD(r, doc, "", known);
	if (read_version(r, doc) < 0 || read_root(r, doc) < 0 || read_process(r, doc) < 0 ||
	    read_names(r, doc) < 0 || each_object(r, doc, "", "mounts", read_mount, NULL) < 0 ||
	    read_linux(r, doc) < 0 || read_hooks(r, doc) < 0 || read_annotations(r, doc) < 0)
		return -1;
	return 0;
}

/* ---- the file ----------------------------------------------------------------------------------- */

/* Go writes a uint64 of all ones (docker's `--ulimit core=-1` becomes an rlimit of 18446744073709551615)
 * that jansson's int64 cannot hold. Outside strings that one literal becomes -1, padded with spaces so
 * that line numbers stay; the rlimit reader takes -1 as unlimited. */
static void uint64_max_to_minus_one(char *text, size_t len)
{
	static const char max[] = "18446744073709551615";
	const size_t n = sizeof max - 1;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		if (in_string) {
			if (text[i] == '\\')
				i++;
			else if (text[i] == '"')
				in_string = false;
		} else if (text[i] == '"') {
			in_string = true;
		} else if (len - i >= n && memcmp(text + i, max, n) == 0 &&
			   (i == 0 || !strchr("0123456789-+.eE", text[i - 1])) &&
			   (i + n == len || !strchr("0123456789.eE", text[i + n]))) {
			memcpy(text + i, "-1", 2);
			memset(text + i + 2, ' ', n - 2);
			i += n - 1;
		}
	}
}

static int read_config_text(int bundle_fd, char **text, size_t *len, struct al_err *err)
{
	_cleanup_close_ int fd = openat(bundle_fd, "config.json", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0)
		return errno == ENOENT ? al_err_set(err, ENOENT, "config.json: missing")
				       : al_err_sys(err, errno, "config.json");
	if (fstat(fd, &st) < 0)
		return al_err_sys(err, errno, "config.json");
	if (!S_ISREG(st.st_mode))
		return al_err_set(err, EINVAL, "config.json: not a regular file");
	if (st.st_size > CONFIG_MAX)
		return al_err_set(err, EFBIG, "config.json: larger than %d MiB", CONFIG_MAX >> 20);
	_cleanup_free_ char *buf = al_xmalloc((size_t)st.st_size + 1);
	ssize_t n = al_read_all(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return al_err_sys(err, (int)-n, "config.json");
	buf[n] = '\0';
	*len = (size_t)n;
	*text = steal_pointer(&buf);
	return 0;
}

/* Duplicate keys are refused: two readers of one document must not see two different configs. */
static int load_document(const char *bundle_dir, json_t **doc, struct al_err *err)
{
	_cleanup_close_ int bundle_fd = open(bundle_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *text = NULL;
	json_error_t jerr;
	size_t len = 0;
	if (bundle_fd < 0)
		return al_err_sys(err, errno, "bundle %s", bundle_dir);
	if (read_config_text(bundle_fd, &text, &len, err) < 0)
		return -1;
	uint64_max_to_minus_one(text, len);
	*doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!*doc)
		return al_err_set(err, EINVAL, "config.json: line %d: %s", jerr.line, jerr.text);
	if (!json_is_object(*doc))
		return al_err_set(err, EINVAL, "config.json: expected an object");
	return 0;
}

int al_oci_load(const char *bundle_dir, struct al_spec *spec, struct al_oci_extra *x, struct al_err *err)
{
	_cleanup_json_ json_t *doc = NULL;
	extra_init(x);
	if (load_document(bundle_dir, &doc, err) < 0)
		return -1;
	_cleanup_free_ char *bundle = realpath(bundle_dir, NULL);
	if (!bundle)
		return al_err_sys(err, errno, "bundle %s", bundle_dir);
	struct oci_reader r = {bundle, spec, x, err};
	if (read_document(&r, doc) < 0)
		return -1;
	if (al_spec_validate(spec, err) < 0)
		return al_err_prefix(err, "config.json");
	return 0;
}

int al_oci_load_process(const char *path, struct al_spec *spec, struct al_oci_extra *x, struct al_err *err)
{
	extra_init(x);
	json_error_t jerr;
	_cleanup_json_ json_t *proc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!proc)
		return al_err_set(err, EINVAL, "--process %s: line %d: %s", path, jerr.line, jerr.text);
	if (!json_is_object(proc))
		return al_err_set(err, EINVAL, "--process %s: expected an object", path);
	_cleanup_json_ json_t *doc = json_pack("{s:O}", "process", proc);
	struct oci_reader r = {"/", spec, x, err};
	if (read_process(&r, doc) < 0)
		return al_err_prefix(err, "--process %s", path);
	return 0;
}
