/* test_options.c: unit tests of `airlock run` option parsing (src/cli/options.c): the spec each command
 * line produces, docker's flag spellings, and the one-line error each bad command line gets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "options.h"
#include "parse.h"
#include "spec.h"
#include "util.h"

static struct al_err err;
static struct al_spec s;

/* Parse "run ARGS..." into the fresh global spec s. */
static int run_args(const char **args)
{
	int argc = 0;
	while (args[argc])
		argc++;
	al_spec_free(&s);
	al_spec_init(&s);
	return al_cli_parse_run(argc, (char **)args, &s, &err);
}
#define RUN(...) run_args((const char *[]){"run", __VA_ARGS__, NULL})

static uint64_t bit(const char *cap)
{
	int n = -1;
	CHECK_OK(al_parse_cap(cap, &n, &err), &err);
	return n >= 0 ? 1ull << n : 0;
}

static void test_reference_deployment(void)
{
	CHECK_OK(RUN("--cap-drop=ALL", "--read-only", "--tmpfs", "/tmp", "-v", "ws:/workspace:ro", "-v",
		     "/tmp/out:/output:rw", "--memory", "512m", "--pids-limit", "64", "--", "/bin/true"),
		 &err);
	CHECK_INT(s.caps_keep, 0);
	CHECK(s.read_only);
	CHECK_INT(s.n_mounts, 3);
	CHECK_INT(s.mounts[0].kind, AL_MOUNT_TMPFS);
	CHECK_STR(s.mounts[0].target, "/tmp");
	CHECK_INT(s.mounts[1].kind, AL_MOUNT_BIND);
	CHECK_STR(s.mounts[1].source, "ws");
	CHECK(s.mounts[1].is_named);
	CHECK_STR(s.mounts[1].target, "/workspace");
	CHECK(s.mounts[1].readonly);
	CHECK_STR(s.mounts[2].source, "/tmp/out");
	CHECK(!s.mounts[2].is_named);
	CHECK_STR(s.mounts[2].target, "/output");
	CHECK(!s.mounts[2].readonly);
	CHECK_INT(s.limits.memory, 512ll << 20);
	CHECK_INT(s.limits.pids, 64);
	CHECK_INT(s.argc, 1);
	CHECK_STR(s.argv[0], "/bin/true");
	CHECK(s.argv[1] == NULL);
	CHECK_INT(s.network, AL_NET_NONE);
	CHECK(!s.seccomp_unconfined && !s.allow_weakening && s.seccomp_profile == NULL);
	CHECK(s.landlock);
	CHECK(!s.interactive && !s.tty && !s.json);
	CHECK_INT(s.timeout_ms, 0);
}

static void test_defaults(void)
{
	CHECK_OK(RUN("/bin/sh"), &err);
	CHECK(s.read_only);
	CHECK_INT(s.caps_keep, 0);
	CHECK_INT(s.n_mounts, 0);
	CHECK(s.rootfs == NULL && s.workdir == NULL && s.hostname == NULL && s.name == NULL);
	CHECK_INT(s.uid, 0);
	CHECK_INT(s.gid, 0);
	CHECK_INT(s.limits.memory, 0);
	CHECK_INT(s.limits.pids, 0);
}

static void test_command_boundary(void)
{
	/* the first non-option ends the options: the command's own flags are its own */
	CHECK_OK(RUN("-i", "/bin/sh", "-c", "echo hi", "--memory", "1g"), &err);
	CHECK(s.interactive);
	CHECK_INT(s.argc, 5);
	CHECK_STR(s.argv[0], "/bin/sh");
	CHECK_STR(s.argv[1], "-c");
	CHECK_STR(s.argv[2], "echo hi");
	CHECK_STR(s.argv[3], "--memory");
	CHECK_STR(s.argv[4], "1g");
	CHECK(s.argv[5] == NULL);
	CHECK_INT(s.limits.memory, 0);

	CHECK_OK(RUN("--", "-weird-name", "--"), &err);
	CHECK_INT(s.argc, 2);
	CHECK_STR(s.argv[0], "-weird-name");
	CHECK_STR(s.argv[1], "--");

	CHECK_FAILS(RUN("--memory", "1g"), &err, "no command given");
	CHECK_FAILS(RUN("--"), &err, "no command given");
	CHECK_FAILS(RUN(""), &err, "no command given");
}

static void test_unknown_flag(void)
{
	CHECK_FAILS(RUN("--foo", "/bin/true"), &err, "unknown flag: --foo");
	CHECK_STR(err.msg, "unknown flag: --foo");
	CHECK_FAILS(RUN("--foo=bar", "/bin/true"), &err, "unknown flag: --foo");
	CHECK(strstr(err.msg, "bar") == NULL);
	CHECK_FAILS(RUN("-x", "/bin/true"), &err, "unknown flag: -x");
	CHECK_FAILS(RUN("-ix", "/bin/true"), &err, "unknown flag: -x");
	CHECK_FAILS(RUN("-q", "/bin/true"), &err, "unknown flag: -q");
	/* getopt's unique prefixes are refused: "--read" must not quietly mean --read-only */
	CHECK_FAILS(RUN("--read", "/bin/true"), &err, "unknown flag: --read");
	CHECK_FAILS(RUN("--memory-s", "1g", "/bin/true"), &err, "unknown flag: --memory-s");
	CHECK_FAILS(RUN("--mem", "1g", "/bin/true"), &err, "unknown flag: --mem");
	CHECK_FAILS(RUN("--no-landlock", "/bin/true"), &err, "unknown flag: --no-landlock");
	CHECK_FAILS(RUN("--privileged", "/bin/true"), &err, "unknown flag: --privileged");
	CHECK_FAILS(RUN("--help=yes", "/bin/true"), &err, "flag --help does not take a value");
}

static void test_missing_value(void)
{
	CHECK_FAILS(RUN("--memory"), &err, "flag needs an argument: --memory");
	CHECK_STR(err.msg, "flag needs an argument: --memory");
	CHECK_FAILS(RUN("-m"), &err, "flag needs an argument: -m");
	CHECK_FAILS(RUN("-e"), &err, "flag needs an argument: -e");
	CHECK_FAILS(RUN("-ie"), &err, "flag needs an argument: -e");
	CHECK_FAILS(RUN("--cap-drop"), &err, "flag needs an argument: --cap-drop");
	CHECK_FAILS(RUN("--volume"), &err, "flag needs an argument: --volume");
}

static void test_interactive_tty(void)
{
	unsetenv("TERM");
	CHECK_OK(RUN("-it", "/bin/sh"), &err);
	CHECK(s.interactive);
	CHECK(s.tty);
	CHECK_STR(al_spec_getenv(&s, "TERM"), "xterm");
	CHECK_OK(RUN("-ti", "/bin/sh"), &err);
	CHECK(s.interactive && s.tty);
	CHECK_OK(RUN("-t", "/bin/sh"), &err);
	CHECK(!s.interactive && s.tty);
	CHECK_OK(RUN("--interactive", "--tty", "/bin/sh"), &err);
	CHECK(s.interactive && s.tty);
	CHECK_OK(RUN("-it", "--tty=false", "/bin/sh"), &err);
	CHECK(s.interactive && !s.tty);
	CHECK_OK(RUN("-itm", "64m", "/bin/sh"), &err);
	CHECK(s.interactive && s.tty);
	CHECK_INT(s.limits.memory, 64 << 20);
}

static void test_env_defaults(void)
{
	setenv("AL_OPT_SECRET", "token", 1);
	unsetenv("TERM");
	CHECK_OK(RUN("/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	CHECK_STR(al_spec_getenv(&s, "HOME"), "/root");
	CHECK_STR(al_spec_getenv(&s, "TERM"), "dumb");
	CHECK_STR(al_spec_getenv(&s, "LANG"), "C.UTF-8");
	CHECK_INT(s.n_env, 4);
	CHECK(s.env[4] == NULL);
	CHECK(al_spec_getenv(&s, "AL_OPT_SECRET") == NULL);

	setenv("TERM", "screen-256color", 1);
	CHECK_OK(RUN("/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "TERM"), "screen-256color");
	CHECK_OK(RUN("-t", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "TERM"), "xterm");

	CHECK_OK(RUN("-u", "1000", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "HOME"), "/");
	CHECK_OK(RUN("-u", "0:5", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "HOME"), "/root");
}

static void test_env_precedence(void)
{
	CHECK_OK(RUN("-e", "PATH=/opt/bin", "--env", "HOME=/home/x", "-e", "TERM=vt100", "-e",
		     "LANG=de_DE.UTF-8", "-e", "A=1", "/bin/true"),
		 &err);
	CHECK_STR(al_spec_getenv(&s, "PATH"), "/opt/bin");
	CHECK_STR(al_spec_getenv(&s, "HOME"), "/home/x");
	CHECK_STR(al_spec_getenv(&s, "TERM"), "vt100");
	CHECK_STR(al_spec_getenv(&s, "LANG"), "de_DE.UTF-8");
	CHECK_STR(al_spec_getenv(&s, "A"), "1");
	CHECK_INT(s.n_env, 5);

	/* -e before -u still wins over the uid's default HOME */
	CHECK_OK(RUN("-e", "HOME=/h", "-u", "1000", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "HOME"), "/h");

	/* later wins, -e and --env-file in command-line order */
	char path[] = "/tmp/airlock-test-opt-env-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	static const char content[] = "A=file\nB=file\n";
	CHECK(write(fd, content, sizeof content - 1) == (ssize_t)(sizeof content - 1));
	close(fd);
	CHECK_OK(RUN("-e", "A=arg", "--env-file", path, "-e", "B=arg", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "A"), "file");
	CHECK_STR(al_spec_getenv(&s, "B"), "arg");
	unlink(path);
	CHECK_FAILS(RUN("--env-file", path, "/bin/true"), &err, "No such file or directory");
	CHECK(strstr(err.msg, path) != NULL);

	CHECK_FAILS(RUN("-e", "=x", "/bin/true"), &err, "=x: empty variable name");
}

static void test_env_from_caller(void)
{
	setenv("AL_OPT_FROM_CALLER", "from-caller", 1);
	unsetenv("AL_OPT_NOT_SET");
	CHECK_OK(RUN("-e", "AL_OPT_FROM_CALLER", "-e", "AL_OPT_NOT_SET", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "AL_OPT_FROM_CALLER"), "from-caller");
	CHECK(al_spec_getenv(&s, "AL_OPT_NOT_SET") == NULL);
	CHECK_INT(s.n_env, 5);

	/* "-e PATH" with the caller's PATH replaces the default */
	setenv("PATH", "/caller/bin", 1);
	CHECK_OK(RUN("-e", "PATH", "/bin/true"), &err);
	CHECK_STR(al_spec_getenv(&s, "PATH"), "/caller/bin");
}

static void test_read_only(void)
{
	CHECK_OK(RUN("--read-only=false", "/bin/true"), &err);
	CHECK(!s.read_only);
	CHECK_OK(RUN("--read-only=false", "--read-only", "/bin/true"), &err);
	CHECK(s.read_only);
	CHECK_OK(RUN("--read-only=0", "/bin/true"), &err);
	CHECK(!s.read_only);
	CHECK_OK(RUN("--read-only=true", "/bin/true"), &err);
	CHECK(s.read_only);
	/* docker's booleans take their value only with '=': here "false" is the command */
	CHECK_OK(RUN("--read-only", "false"), &err);
	CHECK(s.read_only);
	CHECK_STR(s.argv[0], "false");
	CHECK_FAILS(RUN("--read-only=maybe", "/bin/true"), &err, "--read-only=maybe: expected true or false");
}

static void test_caps(void)
{
	uint64_t all = 0;
	for (int n = 0; al_cap_name(n); n++)
		all |= 1ull << n;
	CHECK_INT(all, (1ull << 41) - 1);

	CHECK_OK(RUN("--cap-add", "NET_BIND_SERVICE", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, bit("NET_BIND_SERVICE"));
	CHECK_OK(RUN("--cap-drop=ALL", "--cap-add=CAP_NET_BIND_SERVICE", "--cap-add", "chown", "/bin/true"),
		 &err);
	CHECK_INT(s.caps_keep, bit("NET_BIND_SERVICE") | bit("CHOWN"));
	/* order does not matter: docker applies the drops, then the adds */
	CHECK_OK(RUN("--cap-add=NET_BIND_SERVICE", "--cap-drop=ALL", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, bit("NET_BIND_SERVICE"));
	/* conflicting add and drop of the same capability: the add wins, as in docker */
	CHECK_OK(RUN("--cap-add", "NET_ADMIN", "--cap-drop", "NET_ADMIN", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, bit("NET_ADMIN"));
	CHECK_OK(RUN("--cap-drop", "NET_ADMIN", "--cap-add", "NET_ADMIN", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, bit("NET_ADMIN"));
	CHECK_OK(RUN("--cap-add=ALL", "--cap-drop=SYS_ADMIN", "--cap-drop=NET_RAW", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, all & ~bit("SYS_ADMIN") & ~bit("NET_RAW"));
	CHECK_OK(RUN("--cap-add=all", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, all);
	CHECK_OK(RUN("--cap-drop", "CHOWN", "/bin/true"), &err);
	CHECK_INT(s.caps_keep, 0);
	CHECK_FAILS(RUN("--cap-add", "NET_FOO", "/bin/true"), &err, "--cap-add NET_FOO: unknown capability");
	CHECK_FAILS(RUN("--cap-drop", "bogus", "/bin/true"), &err, "--cap-drop bogus: unknown capability");
}

static void test_network(void)
{
	CHECK_OK(RUN("--network", "host", "/bin/true"), &err);
	CHECK_INT(s.network, AL_NET_HOST);
	CHECK_OK(RUN("--network=host", "--network=none", "/bin/true"), &err);
	CHECK_INT(s.network, AL_NET_NONE);
	CHECK_FAILS(RUN("--network", "bridge", "/bin/true"), &err,
		    "--network bridge: unsupported network (allowed: none, host)");
	CHECK_FAILS(RUN("--network=", "/bin/true"), &err, "--network : unsupported network");
	CHECK_FAILS(RUN("--network", "Host", "/bin/true"), &err, "--network Host:");
}

static void test_security_opt(void)
{
	CHECK_OK(RUN("--security-opt", "no-new-privileges", "--security-opt", "no-new-privileges=true",
		     "--security-opt", "no-new-privileges:true", "/bin/true"),
		 &err);
	CHECK_FAILS(RUN("--security-opt", "no-new-privileges=false", "/bin/true"), &err,
		    "--security-opt no-new-privileges=false: no-new-privileges is always on and cannot be "
		    "turned off");
	CHECK_FAILS(RUN("--security-opt", "no-new-privileges=bogus", "/bin/true"), &err,
		    "no-new-privileges=bogus");
	CHECK_FAILS(RUN("--security-opt", "apparmor=unconfined", "/bin/true"), &err,
		    "--security-opt apparmor=unconfined: unsupported");
	CHECK_FAILS(RUN("--security-opt", "label=disable", "/bin/true"), &err, "label=disable");

	CHECK_FAILS(RUN("--security-opt", "seccomp=unconfined", "/bin/true"), &err, "add --allow-unconfined");
	CHECK_OK(RUN("--security-opt", "seccomp=unconfined", "--allow-unconfined", "/bin/true"), &err);
	CHECK(s.seccomp_unconfined && s.allow_weakening);
	CHECK_FAILS(RUN("--allow-unconfined=false", "--security-opt", "seccomp=unconfined", "/bin/true"),
		    &err, "--allow-unconfined");

	CHECK_FAILS(RUN("--security-opt", "seccomp=/nonexistent/profile.json", "/bin/true"), &err,
		    "--security-opt seccomp=/nonexistent/profile.json: No such file or directory");
	CHECK_FAILS(RUN("--security-opt", "seccomp=/", "/bin/true"), &err, "seccomp=/: not a regular file");
	CHECK_FAILS(RUN("--security-opt", "seccomp", "/bin/true"), &err, "--security-opt seccomp: expected");

	char path[] = "/tmp/airlock-test-seccomp-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	char *arg = al_xasprintf("seccomp=%s", path);
	CHECK_OK(RUN("--security-opt", arg, "/bin/true"), &err);
	CHECK_STR(s.seccomp_profile, path);
	CHECK(!s.seccomp_unconfined);
	free(arg);
	/* a relative profile path is made absolute: the launcher may read it from elsewhere */
	CHECK(chdir("/tmp") == 0);
	arg = al_xasprintf("seccomp:%s", path + strlen("/tmp/"));
	CHECK_OK(RUN("--security-opt", arg, "/bin/true"), &err);
	CHECK_STR(s.seccomp_profile, path);
	free(arg);
	unlink(path);
}

static void test_limits(void)
{
	CHECK_OK(RUN("-m", "1.5g", "--memory-swap", "2g", "--cpus", "0.5", "--pids-limit", "-1", "--timeout",
		     "1m30s", "/bin/true"),
		 &err);
	CHECK_INT(s.limits.memory, 3ll << 29);
	CHECK_INT(s.limits.memory_swap, 2ll << 30);
	CHECK_INT(s.limits.cpus_milli, 500);
	CHECK_INT(s.limits.pids, -1);
	CHECK_INT(s.timeout_ms, 90000);
	CHECK_OK(RUN("--memory=64m", "--memory-swap=-1", "/bin/true"), &err);
	CHECK_INT(s.limits.memory_swap, -1);

	CHECK_FAILS(RUN("--memory", "12q", "/bin/true"), &err, "--memory 12q: invalid size");
	CHECK_FAILS(RUN("-m", "-5m", "/bin/true"), &err, "--memory -5m: size must not be negative");
	CHECK_FAILS(RUN("-m", "0", "/bin/true"), &err, "--memory 0: must be greater than 0");
	CHECK_FAILS(RUN("-m", "8589934592g", "/bin/true"), &err, "--memory 8589934592g: size too large");
	CHECK_FAILS(RUN("--memory-swap", "1g", "/bin/true"), &err, "--memory-swap needs --memory");
	CHECK_FAILS(RUN("-m", "1g", "--memory-swap", "512m", "/bin/true"), &err,
		    "--memory-swap must be at least");
	CHECK_FAILS(RUN("--memory-swap", "-2", "/bin/true"), &err, "--memory-swap -2:");
	CHECK_FAILS(RUN("--cpus", "abc", "/bin/true"), &err, "--cpus abc: invalid CPU count");
	CHECK_FAILS(RUN("--pids-limit", "0", "/bin/true"), &err,
		    "--pids-limit 0: expected a number greater than 0");
	CHECK_FAILS(RUN("--pids-limit", "-2", "/bin/true"), &err, "--pids-limit -2:");
	CHECK_FAILS(RUN("--pids-limit", "10x", "/bin/true"), &err, "--pids-limit 10x:");
	CHECK_FAILS(RUN("--pids-limit", "+10", "/bin/true"), &err, "--pids-limit +10:");
	CHECK_FAILS(RUN("--pids-limit", "", "/bin/true"), &err, "--pids-limit :");
	CHECK_FAILS(RUN("--pids-limit", "99999999999999999999", "/bin/true"), &err, "--pids-limit 9999");
	CHECK_FAILS(RUN("--timeout", "0", "/bin/true"), &err, "--timeout 0: duration must be greater than 0");
	CHECK_FAILS(RUN("--timeout", "1m30", "/bin/true"), &err, "--timeout 1m30: invalid duration");
}

static void test_ulimits(void)
{
	CHECK_OK(RUN("--ulimit", "nofile=1024:2048", "--ulimit", "nproc=64", "--ulimit", "nofile=10:20",
		     "/bin/true"),
		 &err);
	CHECK_INT(s.n_rlimits, 2);
	CHECK_INT(s.rlimits[0].resource, RLIMIT_NOFILE);
	CHECK_INT(s.rlimits[0].soft, 10);
	CHECK_INT(s.rlimits[0].hard, 20);
	CHECK_INT(s.rlimits[1].resource, RLIMIT_NPROC);
	CHECK_INT(s.rlimits[1].hard, 64);
	CHECK_FAILS(RUN("--ulimit", "nofile=2:1", "/bin/true"), &err,
		    "ulimit nofile=2:1: soft limit exceeds hard limit");
	CHECK_FAILS(RUN("--ulimit", "files=1", "/bin/true"), &err, "unknown limit files");
}

static void test_mounts(void)
{
	CHECK_OK(RUN("--volume", "/srv//data/:/data", "--tmpfs", "/run:size=1m,mode=700", "/bin/true"), &err);
	CHECK_INT(s.n_mounts, 2);
	CHECK_STR(s.mounts[0].source, "/srv/data");
	CHECK_STR(s.mounts[0].target, "/data");
	CHECK_INT(s.mounts[1].size, 1 << 20);
	CHECK_INT(s.mounts[1].mode, 0700);
	CHECK_FAILS(RUN("-v", "ws:workspace", "/bin/true"), &err,
		    "volume ws:workspace: destination must be an absolute path");
	CHECK_FAILS(RUN("-v", "./x:/x", "/bin/true"), &err, "volume ./x:/x: source");
	CHECK_FAILS(RUN("--tmpfs", "/t:ro", "/bin/true"), &err, "tmpfs /t:ro:");
	CHECK_FAILS(RUN("-v", "/a:/data", "--tmpfs", "/data", "/bin/true"), &err,
		    "mount target /data: given twice");
	CHECK_FAILS(RUN("--tmpfs", "/proc", "/bin/true"), &err, "mount target /proc: reserved");
}

static void test_identity(void)
{
	CHECK_OK(RUN("-w", "/work//dir/", "-u", "1000:100", "--hostname", "box-1.local", "--name",
		     "job_1.a-b", "/bin/true"),
		 &err);
	CHECK_STR(s.workdir, "/work/dir");
	CHECK_INT(s.uid, 1000);
	CHECK_INT(s.gid, 100);
	CHECK_STR(s.hostname, "box-1.local");
	CHECK_STR(s.name, "job_1.a-b");
	CHECK_OK(RUN("--workdir=/a", "--workdir=/b", "/bin/true"), &err);
	CHECK_STR(s.workdir, "/b");

	CHECK_FAILS(RUN("-w", "rel/dir", "/bin/true"), &err, "--workdir rel/dir: must be an absolute path");
	CHECK_FAILS(RUN("-w", "/a/../b", "/bin/true"), &err, "--workdir /a/../b: must not contain");
	CHECK_FAILS(RUN("-u", "root", "/bin/true"), &err, "--user root: expected UID[:GID]");
	CHECK_FAILS(RUN("-u", "70000", "/bin/true"), &err, "--user 70000:");
	CHECK_FAILS(RUN("--name", "-bad", "/bin/true"), &err, "--name -bad: invalid name");
	CHECK_FAILS(RUN("--name", "a/b", "/bin/true"), &err, "--name a/b: invalid name");
	CHECK_FAILS(RUN("--name", "", "/bin/true"), &err, "--name : invalid name");
	CHECK_FAILS(RUN("--hostname", "a_b", "/bin/true"), &err, "--hostname a_b: invalid hostname");
	CHECK_FAILS(RUN("--hostname", "", "/bin/true"), &err, "--hostname : invalid hostname");
}

static void test_rootfs(void)
{
	CHECK(chdir("/") == 0);
	CHECK_OK(RUN("--rootfs", "tmp/", "/bin/true"), &err);
	CHECK_STR(s.rootfs, "/tmp");
	CHECK_OK(RUN("--rootfs", "/", "/bin/true"), &err);
	CHECK_STR(s.rootfs, "/");
	CHECK_FAILS(RUN("--rootfs", "/nonexistent/rootfs", "/bin/true"), &err,
		    "--rootfs /nonexistent/rootfs: No such file or directory");
}

static void test_json_rm_help(void)
{
	CHECK_OK(RUN("--json", "/bin/true"), &err);
	CHECK(s.json);
	CHECK(s.json_path == NULL);
	CHECK_OK(RUN("--json=/tmp/result.json", "/bin/true"), &err);
	CHECK(s.json);
	CHECK_STR(s.json_path, "/tmp/result.json");
	CHECK_FAILS(RUN("--json=", "/bin/true"), &err, "--json=: empty file name");

	CHECK_OK(RUN("--rm", "--rm=true", "/bin/true"), &err);
	CHECK_FAILS(RUN("--rm=false", "/bin/true"), &err, "--rm=false: airlock always removes");
	CHECK_OK(RUN("-d", "--rm=false", "/bin/true"), &err);

	CHECK_INT(RUN("--help"), AL_CLI_HELP);
	CHECK_INT(RUN("-h", "/bin/true"), AL_CLI_HELP);
	CHECK_INT(RUN("-m", "1g", "-h"), AL_CLI_HELP);
}

static void test_usage(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	CHECK(f != NULL);
	if (!f)
		return;
	al_cli_run_usage(f);
	fclose(f);
	static const char *const flags[] = {
	    "--rootfs",
	    "--volume",
	    "--tmpfs",
	    "--read-only",
	    "--cap-add",
	    "--cap-drop",
	    "--security-opt",
	    "--allow-unconfined",
	    "--memory",
	    "--memory-swap",
	    "--cpus",
	    "--pids-limit",
	    "--ulimit",
	    "--timeout",
	    "--network",
	    "--env",
	    "--env-file",
	    "--workdir",
	    "--user",
	    "--hostname",
	    "--name",
	    "--interactive",
	    "--tty",
	    "--json",
	    "--rm",
	    "--help",
	    "-v,",
	    "-m,",
	    "-e,",
	    "-w,",
	    "-u,",
	    "-i,",
	    "-t,",
	    "-h,",
	    "Usage: airlock run",
	};
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		check_total++;
		if (!strstr(text, flags[i]))
			check_fail(__FILE__, __LINE__, "usage mentions", flags[i]);
	}
	CHECK(strstr(text, "--no-landlock") == NULL);
	/* one line per option, each within 110 columns */
	for (char *line = text, *nl; (nl = strchr(line, '\n')); line = nl + 1)
		CHECK(nl - line <= 110);
	free(text);
}

int main(void)
{
	test_reference_deployment();
	test_defaults();
	test_command_boundary();
	test_unknown_flag();
	test_missing_value();
	test_interactive_tty();
	test_env_defaults();
	test_env_precedence();
	test_env_from_caller();
	test_read_only();
	test_caps();
	test_network();
	test_security_opt();
	test_limits();
	test_ulimits();
	test_mounts();
	test_identity();
	test_rootfs();
	test_json_rm_help();
	test_usage();
	al_spec_free(&s);
	CHECK_DONE();
}
