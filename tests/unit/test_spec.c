/* test_spec.c: unit tests of spec.c: defaults, environment and rlimit replacement, mount copies, and
 * every rule of al_spec_validate with the message that names the offending value. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "check.h"
#include "spec.h"

static struct al_err err;

/* A spec that validates: one command, nothing else. */
static void init_with_command(struct al_spec *spec, const char *cmd)
{
	al_spec_init(spec);
	spec->argv = calloc(2, sizeof(char *));
	spec->argv[0] = strdup(cmd);
	spec->argc = 1;
}

static void add_bind(struct al_spec *spec, const char *target)
{
	struct al_mount m = {.kind = AL_MOUNT_BIND, .source = (char *)"/srv", .target = (char *)target};
	al_spec_add_mount(spec, &m);
}

static void test_defaults(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	CHECK(spec.read_only);
	CHECK(spec.landlock);
	CHECK_INT(spec.network, AL_NET_NONE);
	CHECK_INT(spec.caps_keep, 0);
	CHECK(!spec.seccomp_unconfined && !spec.allow_weakening && !spec.seccomp_profile);
	CHECK_INT(spec.n_env, 0);
	CHECK(spec.env != NULL && spec.env[0] == NULL);
	CHECK_INT(spec.uid, 0);
	CHECK_INT(spec.timeout_ms, 0);
	CHECK(!spec.interactive && !spec.tty && !spec.json);
	al_spec_free(&spec);
	CHECK(spec.env == NULL && spec.argv == NULL);
}

static void test_validate_command(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "no command given");
	al_spec_free(&spec);

	init_with_command(&spec, "");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "no command given");
	al_spec_free(&spec);

	init_with_command(&spec, "/bin/true");
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);
}

static void test_validate_mounts(void)
{
	struct al_spec spec;
	init_with_command(&spec, "/bin/true");
	add_bind(&spec, "/workspace");
	add_bind(&spec, "/output");
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	CHECK_INT(spec.n_mounts, 2);
	CHECK_STR(spec.mounts[0].target, "/workspace");
	CHECK_STR(spec.mounts[1].source, "/srv");

	add_bind(&spec, "/workspace");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "mount target /workspace: given twice");
	al_spec_free(&spec);

	init_with_command(&spec, "/bin/true");
	add_bind(&spec, "relative/dir");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "mount target relative/dir: not an absolute path");
	al_spec_free(&spec);

	static const char *const reserved[] = {"/", "/proc", "/dev", "/sys"};
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
		char want[64];
		init_with_command(&spec, "/bin/true");
		add_bind(&spec, reserved[i]);
		snprintf(want, sizeof want, "mount target %s: reserved by airlock", reserved[i]);
		CHECK(al_spec_validate(&spec, &err) == -1 && strstr(err.msg, want));
		al_spec_free(&spec);
	}

	/* a tmpfs and a bind on the same target clash just the same */
	init_with_command(&spec, "/bin/true");
	struct al_mount t = {.kind = AL_MOUNT_TMPFS, .target = (char *)"/tmp", .size = 1 << 20};
	al_spec_add_mount(&spec, &t);
	CHECK(spec.mounts[0].source == NULL);
	CHECK_INT(spec.mounts[0].size, 1 << 20);
	add_bind(&spec, "/tmp");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "mount target /tmp: given twice");
	al_spec_free(&spec);

	/* a mount over part of /proc or /sys would reshape what the kernel shows the sandbox */
	init_with_command(&spec, "/bin/true");
	add_bind(&spec, "/proc/sys");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err,
		    "mount target /proc/sys: inside a kernel filesystem");
	al_spec_free(&spec);
	init_with_command(&spec, "/bin/true");
	add_bind(&spec, "/sys/fs/cgroup");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err,
		    "mount target /sys/fs/cgroup: inside a kernel filesystem");
	al_spec_free(&spec);

	/* /dev sub-paths and look-alike names are the user's to use */
	init_with_command(&spec, "/bin/true");
	add_bind(&spec, "/dev/shm");
	add_bind(&spec, "/proc2");
	add_bind(&spec, "/system");
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);
}

static void test_validate_seccomp(void)
{
	struct al_spec spec;
	init_with_command(&spec, "/bin/true");
	spec.seccomp_unconfined = true;
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "--allow-unconfined");
	CHECK_INT(err.errnum, EPERM);
	spec.allow_weakening = true;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	spec.seccomp_profile = strdup("/etc/profile.json");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err,
		    "seccomp=unconfined conflicts with a seccomp profile");
	spec.seccomp_unconfined = false;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);

	/* --allow-unconfined alone weakens nothing and is fine */
	init_with_command(&spec, "/bin/true");
	spec.allow_weakening = true;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);
}

static void test_validate_memory_swap(void)
{
	struct al_spec spec;
	init_with_command(&spec, "/bin/true");
	spec.limits.memory_swap = 1 << 30;
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "--memory-swap needs --memory");
	spec.limits.memory = 512 << 20;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	spec.limits.memory_swap = 256 << 20;
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "--memory-swap must be at least --memory");
	spec.limits.memory_swap = 512 << 20;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	spec.limits.memory_swap = -1; /* unlimited swap */
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	spec.limits.memory = 0;
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);
}

static void test_validate_workdir_hostname(void)
{
	struct al_spec spec;
	init_with_command(&spec, "/bin/true");
	spec.workdir = strdup("rel");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "workdir rel: not an absolute path");
	free(spec.workdir);
	spec.workdir = strdup("/work");
	CHECK_OK(al_spec_validate(&spec, &err), &err);

	spec.hostname = strdup("");
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "hostname \"\": must be 1 to 64 characters");
	free(spec.hostname);
	spec.hostname = malloc(66);
	memset(spec.hostname, 'h', 65);
	spec.hostname[65] = '\0';
	CHECK_FAILS(al_spec_validate(&spec, &err), &err, "hhhhhhhh\": must be 1 to 64 characters");
	spec.hostname[64] = '\0';
	CHECK_OK(al_spec_validate(&spec, &err), &err);
	al_spec_free(&spec);
}

static void test_env(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	CHECK(al_spec_getenv(&spec, "A") == NULL);
	al_spec_setenv(&spec, "A", "1");
	al_spec_setenv(&spec, "AB", "2");
	CHECK_STR(al_spec_getenv(&spec, "A"), "1");
	CHECK_STR(al_spec_getenv(&spec, "AB"), "2");
	CHECK(al_spec_getenv(&spec, "ABC") == NULL);
	CHECK_INT(spec.n_env, 2);

	/* replace in place: same slot, no duplicate entry */
	al_spec_setenv(&spec, "A", "new");
	CHECK_INT(spec.n_env, 2);
	CHECK_STR(spec.env[0], "A=new");
	CHECK_STR(spec.env[1], "AB=2");
	CHECK(spec.env[2] == NULL);
	al_spec_setenv(&spec, "AB", "");
	CHECK_STR(al_spec_getenv(&spec, "AB"), "");
	CHECK_STR(spec.env[1], "AB=");
	al_spec_setenv(&spec, "V", "x=y");
	CHECK_STR(al_spec_getenv(&spec, "V"), "x=y");
	CHECK_INT(spec.n_env, 3);
	CHECK(spec.env[3] == NULL);
	al_spec_free(&spec);
}

static void test_rlimit(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	al_spec_set_rlimit(&spec, RLIMIT_NOFILE, 1024, 2048);
	al_spec_set_rlimit(&spec, RLIMIT_NPROC, 64, 64);
	CHECK_INT(spec.n_rlimits, 2);
	al_spec_set_rlimit(&spec, RLIMIT_NOFILE, 10, 20);
	CHECK_INT(spec.n_rlimits, 2);
	CHECK_INT(spec.rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT(spec.rlimits[0].soft, 10);
	CHECK_INT(spec.rlimits[0].hard, 20);
	CHECK_INT(spec.rlimits[1].resource, RLIMIT_NPROC);
	CHECK_INT(spec.rlimits[1].soft, 64);
	al_spec_set_rlimit(&spec, RLIMIT_CORE, 0, RLIM_INFINITY);
	CHECK_INT(spec.n_rlimits, 3);
	CHECK(spec.rlimits[2].hard == RLIM_INFINITY);
	al_spec_free(&spec);
}

int main(void)
{
	test_defaults();
	test_validate_command();
	test_validate_mounts();
	test_validate_seccomp();
	test_validate_memory_swap();
	test_validate_workdir_hostname();
	test_env();
	test_rlimit();
	CHECK_DONE();
}
