/* test_spec_json.c: unit tests of spec_json.c: a spec with every field set survives JSON and back, the
 * text is stable, absent keys give al_spec_init's defaults, and a wrong type names its key path. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "spec.h"
#include "spec_json.h"
#include "util.h"

static struct al_err err;

static void push_all(char ***v, size_t *n, const char *const *items)
{
	for (; *items; items++)
		al_strv_push(v, n, *items);
}

/* Every field away from its default, in every shape the format has. */
static void full_spec(struct al_spec *spec)
{
	al_spec_init(spec);
	push_all(&spec->argv, &spec->argc, (const char *const[]){"/bin/sh", "-c", "echo \"hi\" ü", NULL});
	spec->rootfs = al_xstrdup("/srv/root");
	spec->image = al_xstrdup("alpine:3.19");
	spec->image_id = al_xstrdup("sha256:0123456789abcdef");
	push_all(&spec->layers, &spec->n_layers,
		 (const char *const[]){"/var/lib/l/top", "/var/lib/l/base", NULL});
	spec->read_only = false;

	struct al_mount bind = {.kind = AL_MOUNT_BIND,
				.source = "/home/u/src",
				.target = "/src",
				.readonly = true,
				.options = "ro,z"};
	struct al_mount named = {
	    .kind = AL_MOUNT_BIND, .source = "cache", .target = "/cache", .is_named = true};
	struct al_mount tmp = {
	    .kind = AL_MOUNT_TMPFS, .target = "/tmp", .size = 64 << 20, .mode = 01777, .has_mode = true};
	struct al_mount run = {.kind = AL_MOUNT_TMPFS, .target = "/run"};
	al_spec_add_mount(spec, &bind);
	al_spec_add_mount(spec, &named);
	al_spec_add_mount(spec, &tmp);
	al_spec_add_mount(spec, &run);

	spec->caps_keep = (1ULL << 0) | (1ULL << 10) | (1ULL << 40);
	spec->seccomp_profile = al_xstrdup("/etc/airlock/profile.json");
	spec->seccomp_unconfined = true;
	spec->allow_weakening = true;
	spec->landlock = false;
	spec->limits = (struct al_limits){.memory = 512LL << 20,
					  .memory_swap = -1,
					  .cpus_milli = 1500,
					  .pids = -1,
					  .memory_defaulted = true,
					  .pids_defaulted = true};
	al_spec_set_rlimit(spec, RLIMIT_NOFILE, 1024, 2048);
	al_spec_set_rlimit(spec, RLIMIT_CORE, 0, RLIM_INFINITY);
	al_spec_set_rlimit(spec, RLIMIT_STACK, RLIM_INFINITY, RLIM_INFINITY);
	spec->timeout_ms = 90000;
	spec->network = AL_NET_HOST;

	al_spec_setenv(spec, "PATH", "/usr/bin");
	al_spec_setenv(spec, "Z", "1");
	al_spec_setenv(spec, "A", "x=y");
	al_spec_setenv(spec, "EMPTY", "");
	spec->workdir = al_xstrdup("/src");
	spec->uid = 1000;
	spec->gid = 100;
	spec->hostname = al_xstrdup("box");
	spec->name = al_xstrdup("my-box");
	push_all(&spec->labels, &spec->n_labels,
		 (const char *const[]){"com.example.z=1", "b=x=y", "empty=", NULL});
	push_all(&spec->dns, &spec->n_dns, (const char *const[]){"1.1.1.1", "8.8.8.8", NULL});
	push_all(&spec->extra_hosts, &spec->n_extra_hosts, (const char *const[]){"db:10.0.0.2", NULL});
	spec->init = spec->interactive = spec->tty = true;

	/* the CLI call's, not the sandbox's: not stored */
	spec->json = true;
	spec->json_path = al_xstrdup("/tmp/result.json");
}

#define CHECK_STRV(a, na, b, nb) check_strv(__FILE__, __LINE__, #a, a, na, b, nb)
static void check_strv(const char *file, int line, const char *what, char **a, size_t na, char **b, size_t nb)
{
	check_int(file, line, what, (long long)na, (long long)nb);
	check_str(file, line, what, a ? "vector" : "NULL", b ? "vector" : "NULL");
	if (!a || !b || na != nb)
		return;
	for (size_t i = 0; i < na; i++)
		check_str(file, line, what, a[i], b[i]);
	check_str(file, line, what, a[na], NULL);
}

static void check_mounts_equal(const struct al_spec *a, const struct al_spec *b)
{
	CHECK_INT(a->n_mounts, b->n_mounts);
	for (size_t i = 0; i < a->n_mounts && i < b->n_mounts; i++) {
		const struct al_mount *x = &a->mounts[i], *y = &b->mounts[i];
		CHECK_INT(x->kind, y->kind);
		CHECK_STR(x->source, y->source);
		CHECK_STR(x->target, y->target);
		CHECK_INT(x->readonly, y->readonly);
		CHECK_INT(x->is_named, y->is_named);
		CHECK_INT(x->size, y->size);
		CHECK_INT(x->mode, y->mode);
		CHECK_INT(x->has_mode, y->has_mode);
		CHECK_STR(x->options, y->options);
	}
}

/* Everything al_spec_to_json stores; json, json_path and the *_defaulted flags are checked by callers. */
static void check_specs_equal(const struct al_spec *a, const struct al_spec *b)
{
	CHECK_STRV(a->argv, a->argc, b->argv, b->argc);
	CHECK_STR(a->rootfs, b->rootfs);
	CHECK_STR(a->image, b->image);
	CHECK_STR(a->image_id, b->image_id);
	CHECK_STRV(a->layers, a->n_layers, b->layers, b->n_layers);
	CHECK_INT(a->read_only, b->read_only);
	check_mounts_equal(a, b);
	CHECK(a->caps_keep == b->caps_keep);
	CHECK_STR(a->seccomp_profile, b->seccomp_profile);
	CHECK_INT(a->seccomp_unconfined, b->seccomp_unconfined);
	CHECK_INT(a->allow_weakening, b->allow_weakening);
	CHECK_INT(a->landlock, b->landlock);
	CHECK_INT(a->limits.memory, b->limits.memory);
	CHECK_INT(a->limits.memory_swap, b->limits.memory_swap);
	CHECK_INT(a->limits.cpus_milli, b->limits.cpus_milli);
	CHECK_INT(a->limits.pids, b->limits.pids);
	CHECK_INT(a->n_rlimits, b->n_rlimits);
	for (size_t i = 0; i < a->n_rlimits && i < b->n_rlimits; i++) {
		CHECK_INT(a->rlimits[i].resource, b->rlimits[i].resource);
		CHECK(a->rlimits[i].soft == b->rlimits[i].soft);
		CHECK(a->rlimits[i].hard == b->rlimits[i].hard);
	}
	CHECK(a->timeout_ms == b->timeout_ms);
	CHECK_INT(a->network, b->network);
	CHECK_STRV(a->env, a->n_env, b->env, b->n_env);
	CHECK_STR(a->workdir, b->workdir);
	CHECK_INT(a->uid, b->uid);
	CHECK_INT(a->gid, b->gid);
	CHECK_STR(a->hostname, b->hostname);
	CHECK_STR(a->name, b->name);
	CHECK_STRV(a->labels, a->n_labels, b->labels, b->n_labels);
	CHECK_STRV(a->dns, a->n_dns, b->dns, b->n_dns);
	CHECK_STRV(a->extra_hosts, a->n_extra_hosts, b->extra_hosts, b->n_extra_hosts);
	CHECK_INT(a->init, b->init);
	CHECK_INT(a->interactive, b->interactive);
	CHECK_INT(a->tty, b->tty);
}

/* Through the text, as another process would see it. */
static int reload(const struct al_spec *src, struct al_spec *dst, char **text_out)
{
	json_t *o = al_spec_to_json(src);
	char *text = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	json_t *back = json_loads(text ? text : "", 0, NULL);
	al_spec_init(dst);
	int r = back ? al_spec_from_json(back, dst, &err) : -1;
	json_decref(back);
	*text_out = text;
	return r;
}

static void test_round_trip(void)
{
	struct al_spec a, b;
	_cleanup_free_ char *text = NULL;
	full_spec(&a);
	CHECK_OK(reload(&a, &b, &text), &err);
	check_specs_equal(&a, &b);
	CHECK(!b.json && b.json_path == NULL);
	CHECK(!b.limits.memory_defaulted && !b.limits.pids_defaulted);

	/* spot checks of the order and of the values others read */
	CHECK_STR(b.env[0], "PATH=/usr/bin");
	CHECK_STR(b.env[3], "EMPTY=");
	CHECK_STR(b.labels[1], "b=x=y");
	CHECK(b.rlimits[1].hard == RLIM_INFINITY && b.rlimits[2].soft == RLIM_INFINITY);
	CHECK(b.caps_keep >> 40 == 1);
	CHECK_STR(b.mounts[0].options, "ro,z");
	CHECK(b.mounts[1].is_named && !b.mounts[3].has_mode && b.mounts[2].mode == 01777);
	al_spec_free(&a);
	al_spec_free(&b);
}

static void test_key_names(void)
{
	struct al_spec spec;
	full_spec(&spec);
	json_t *o = al_spec_to_json(&spec);
	json_t *mounts = json_object_get(o, "Mounts");
	CHECK_INT(json_array_size(mounts), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(mounts, 0), "Type")), "bind");
	CHECK_STR(json_string_value(json_object_get(json_array_get(mounts, 0), "Options")), "ro,z");
	CHECK(json_object_get(json_array_get(mounts, 1), "Options") == NULL);
	CHECK(json_object_get(json_array_get(mounts, 2), "Source") == NULL);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(mounts, 2), "Mode")), 01777);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(mounts, 2), "Size")), 64 << 20);
	CHECK(json_object_get(json_array_get(mounts, 3), "Mode") == NULL);
	json_t *core = json_array_get(json_object_get(o, "Ulimits"), 1);
	CHECK_STR(json_string_value(json_object_get(core, "Name")), "core");
	CHECK_INT(json_integer_value(json_object_get(core, "Hard")), -1);
	CHECK_INT(json_integer_value(json_object_get(o, "CapsKeep")), (1LL << 0) | (1LL << 10) | (1LL << 40));
	CHECK_STR(json_string_value(json_object_get(json_object_get(o, "Labels"), "b")), "x=y");
	CHECK_STR(json_string_value(json_object_get(o, "Network")), "host");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(o, "User"), "Uid")), 1000);
	CHECK(json_object_get(o, "Json") == NULL && json_object_get(o, "JsonPath") == NULL);
	CHECK(json_object_get(o, "Layers") != NULL);
	json_decref(o);
	al_spec_free(&spec);

	/* Layers is absent without an image */
	al_spec_init(&spec);
	o = al_spec_to_json(&spec);
	CHECK(json_object_get(o, "Layers") == NULL);
	CHECK(json_is_null(json_object_get(o, "Rootfs")));
	json_decref(o);
	al_spec_free(&spec);
}

static void test_stable_text(void)
{
	struct al_spec a, b;
	_cleanup_free_ char *first = NULL, *again = NULL;
	full_spec(&a);
	CHECK_OK(reload(&a, &b, &first), &err);
	json_t *o = al_spec_to_json(&b);
	again = json_dumps(o, JSON_INDENT(2));
	json_decref(o);
	CHECK(first && again);
	CHECK_STR(again, first);
	al_spec_free(&a);
	al_spec_free(&b);
}

static void check_defaults(const struct al_spec *spec)
{
	struct al_spec def;
	al_spec_init(&def);
	check_specs_equal(spec, &def);
	CHECK(spec->env != NULL && spec->env[0] == NULL);
	CHECK(spec->layers == NULL && spec->labels == NULL && spec->argv == NULL);
	al_spec_free(&def);
}

static void test_defaults(void)
{
	static const char *const texts[] = {
	    "{}",
	    "{\"Argv\": null, \"Rootfs\": null, \"Image\": null, \"ImageId\": null, \"Layers\": null, "
	    "\"ReadOnly\": null, \"Mounts\": null, \"CapsKeep\": null, \"SeccompProfile\": null, "
	    "\"SeccompUnconfined\": null, \"AllowWeakening\": null, \"Landlock\": null, \"Memory\": null, "
	    "\"MemorySwap\": null, \"CpusMilli\": null, \"PidsLimit\": null, \"Ulimits\": null, "
	    "\"TimeoutMs\": null, \"Network\": null, \"Env\": null, \"WorkingDir\": null, \"User\": null, "
	    "\"Hostname\": null, \"Name\": null, \"Labels\": null, \"Dns\": null, \"ExtraHosts\": null, "
	    "\"Init\": null, \"Interactive\": null, \"Tty\": null}",
	    "{\"User\": {}, \"Unknown\": 1}",
	};
	for (size_t i = 0; i < AL_ARRAY_SIZE(texts); i++) {
		struct al_spec spec;
		json_t *o = json_loads(texts[i], 0, NULL);
		CHECK(o != NULL);
		al_spec_init(&spec);
		CHECK_OK(al_spec_from_json(o, &spec, &err), &err);
		check_defaults(&spec);
		json_decref(o);
		al_spec_free(&spec);
	}

	/* a default spec survives as itself; an empty Layers list stays an (empty) image */
	struct al_spec a, b;
	_cleanup_free_ char *text = NULL, *text2 = NULL;
	al_spec_init(&a);
	CHECK_OK(reload(&a, &b, &text), &err);
	check_defaults(&b);
	al_spec_free(&b);
	a.layers = al_xcalloc(1, sizeof(char *));
	CHECK_OK(reload(&a, &b, &text2), &err);
	CHECK(b.layers != NULL && b.layers[0] == NULL && b.n_layers == 0);
	al_spec_free(&a);
	al_spec_free(&b);

	/* no Spec at all is all defaults too */
	al_spec_init(&a);
	CHECK_OK(al_spec_from_json(NULL, &a, &err), &err);
	check_defaults(&a);
	al_spec_free(&a);
}

static void check_rejects(int line, const char *text, const char *want)
{
	struct al_spec spec;
	json_t *o = json_loads(text, JSON_DECODE_ANY, NULL);
	al_spec_init(&spec);
	err.msg[0] = '\0';
	int r = o ? al_spec_from_json(o, &spec, &err) : 0;
	check_total++;
	if (r != -1 || !strstr(err.msg, want) || strchr(err.msg, '\n') || err.errnum != EINVAL)
		check_fail(__FILE__, line, text, err.msg[0] ? err.msg : "no error");
	json_decref(o);
	al_spec_free(&spec); /* a half-filled spec is still freeable */
}
#define CHECK_REJECTS(text, want) check_rejects(__LINE__, text, want)

static void test_wrong_types(void)
{
	CHECK_REJECTS("[]", "config: Spec: expected an object");
	CHECK_REJECTS("{\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/a\", \"Target\": \"/a\"},"
		      " {\"Type\": \"tmpfs\", \"Target\": \"/t\"},"
		      " {\"Type\": \"bind\", \"Source\": \"/c\", \"Target\": 3}]}",
		      "config: Spec.Mounts[2].Target: expected a string");
	CHECK_REJECTS("{\"Argv\": \"ls\"}", "config: Spec.Argv: expected an array of strings");
	CHECK_REJECTS("{\"Argv\": [\"ls\", 1]}", "config: Spec.Argv[1]: expected a string");
	CHECK_REJECTS("{\"Env\": [\"A=1\", null]}", "config: Spec.Env[1]: expected a string");
	CHECK_REJECTS("{\"Rootfs\": false}", "config: Spec.Rootfs: expected a string");
	CHECK_REJECTS("{\"ReadOnly\": \"yes\"}", "config: Spec.ReadOnly: expected a boolean");
	CHECK_REJECTS("{\"Tty\": 1}", "config: Spec.Tty: expected a boolean");
	CHECK_REJECTS("{\"Memory\": \"1g\"}", "config: Spec.Memory: expected an integer");
	CHECK_REJECTS("{\"CpusMilli\": 1.5}", "config: Spec.CpusMilli: expected an integer");
	CHECK_REJECTS("{\"CapsKeep\": -1}", "config: Spec.CapsKeep: expected an integer from 0 to");
	CHECK_REJECTS("{\"TimeoutMs\": -5}", "config: Spec.TimeoutMs: expected an integer from 0 to");
	CHECK_REJECTS("{\"Mounts\": {}}", "config: Spec.Mounts: expected an array");
	CHECK_REJECTS("{\"Mounts\": [5]}", "config: Spec.Mounts[0]: expected an object");
	CHECK_REJECTS("{\"Mounts\": [{\"Target\": \"/x\"}]}", "config: Spec.Mounts[0].Type: missing");
	CHECK_REJECTS("{\"Mounts\": [{\"Type\": \"volume\", \"Target\": \"/x\"}]}",
		      "config: Spec.Mounts[0].Type: expected \"bind\" or \"tmpfs\"");
	CHECK_REJECTS("{\"Mounts\": [{\"Type\": \"bind\", \"Target\": \"/x\"}]}",
		      "config: Spec.Mounts[0].Source: missing");
	CHECK_REJECTS(
	    "{\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/x\", \"Target\": \"/x\", \"Named\": 0}]}",
	    "config: Spec.Mounts[0].Named: expected a boolean");
	CHECK_REJECTS(
	    "{\"Mounts\": [{\"Type\": \"bind\", \"Source\": \"/x\", \"Target\": \"/x\", \"Options\": []}]}",
	    "config: Spec.Mounts[0].Options: expected a string");
	CHECK_REJECTS("{\"Mounts\": [{\"Type\": \"tmpfs\", \"Target\": \"/t\", \"Size\": \"1m\"}]}",
		      "config: Spec.Mounts[0].Size: expected an integer");
	CHECK_REJECTS("{\"Mounts\": [{\"Type\": \"tmpfs\", \"Target\": \"/t\", \"Mode\": 4096}]}",
		      "config: Spec.Mounts[0].Mode: expected an integer from 0 to 4095");
	CHECK_REJECTS("{\"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 1, \"Hard\": \"x\"}]}",
		      "config: Spec.Ulimits[0].Hard: expected an integer");
	CHECK_REJECTS("{\"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": 1}]}",
		      "config: Spec.Ulimits[0].Hard: missing");
	CHECK_REJECTS("{\"Ulimits\": [{\"Name\": \"nofile\", \"Soft\": -2, \"Hard\": 1}]}",
		      "config: Spec.Ulimits[0].Soft: expected an integer from -1 to");
	CHECK_REJECTS("{\"Ulimits\": [{\"Name\": \"bogus\", \"Soft\": 1, \"Hard\": 1}]}",
		      "config: Spec.Ulimits[0].Name: unknown limit \"bogus\"");
	CHECK_REJECTS("{\"Network\": \"bridge\"}", "config: Spec.Network: expected \"none\" or \"host\"");
	CHECK_REJECTS("{\"User\": 0}", "config: Spec.User: expected an object");
	CHECK_REJECTS("{\"User\": {\"Uid\": \"root\"}}", "config: Spec.User.Uid: expected an integer");
	CHECK_REJECTS("{\"User\": {\"Gid\": 4294967295}}",
		      "config: Spec.User.Gid: expected an integer from 0 to");
	CHECK_REJECTS("{\"Labels\": [\"a=b\"]}", "config: Spec.Labels: expected an object");
	CHECK_REJECTS("{\"Labels\": {\"a\": \"1\", \"b\": 2}}", "config: Spec.Labels.b: expected a string");
	CHECK_REJECTS("{\"Layers\": [\"/l\", {}]}", "config: Spec.Layers[1]: expected a string");
	CHECK_REJECTS("{\"ExtraHosts\": \"db:1.2.3.4\"}",
		      "config: Spec.ExtraHosts: expected an array of strings");
}

/* A string that is not UTF-8 is kept as it is, so the text cannot be written rather than being altered. */
static void test_not_utf8(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	al_strv_push(&spec.argv, &spec.argc, "/bin/cat");
	al_strv_push(&spec.argv, &spec.argc, "caf\xe9");
	json_t *o = al_spec_to_json(&spec);
	char *text = json_dumps(o, 0);
	CHECK(text == NULL);
	free(text);
	json_decref(o);
	al_spec_free(&spec);
}

int main(void)
{
	test_round_trip();
	test_key_names();
	test_stable_text();
	test_defaults();
	test_wrong_types();
	test_not_utf8();
	CHECK_DONE();
}
