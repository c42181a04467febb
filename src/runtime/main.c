/* airlock-runtime: airlock as an OCI runtime, with runc's command line, for docker, podman, containerd
 * and Kubernetes. A bundle's config.json is one more way to fill the sandbox spec (oci_config.c); the
 * engine is the same as `airlock run`'s. This file: global flags, errors, dispatch, spec, features;
 * the container's life is in lifecycle.c, exec in exec.c. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "runtime.h"
#include "util.h"

struct rt_globals rt_g = {.root = "/run/airlock-runtime"};

__attribute__((format(printf, 2, 0), nonnull(2))) static void report(const char *level, const char *fmt,
								     va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	/* a warning goes to --log when there is one: stderr is the container's own (a shim passes it) */
	if (strcmp(level, "error") == 0 || !rt_g.log)
		fprintf(stderr, "airlock-runtime: %s%s\n", strcmp(level, "error") ? "warning: " : "", msg);
	FILE *f = rt_g.log ? fopen(rt_g.log, "ae") : NULL;
	if (!f)
		return;
	_cleanup_free_ char *now = al_time_now_rfc3339();
	if (rt_g.log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level, "msg", msg, "time", now);
		char *line = json_dumps(o, JSON_COMPACT);
		fprintf(f, "%s\n", line);
		free(line);
		json_decref(o);
	} else {
		fprintf(f, "time=\"%s\" level=%s msg=\"%s\"\n", now, level, msg);
	}
	fclose(f);
}

int rt_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("error", fmt, ap);
	va_end(ap);
	return 1;
}

void rt_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report("warning", fmt, ap);
	va_end(ap);
}

/* ---- spec: a hardened default config.json --------------------------------------------------------- */

static json_t *default_config(bool rootless)
{
	json_t *mounts = json_pack(
	    "[{s:s, s:s, s:s}, {s:s, s:s, s:s, s:[s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s,s,s]},"
	    " {s:s, s:s, s:s, s:[s,s,s,s,s]}, {s:s, s:s, s:s, s:[s,s,s]}, {s:s, s:s, s:s, s:[s,s,s,s]}]",
	    "destination", "/proc", "type", "proc", "source", "proc", "destination", "/dev", "type", "tmpfs",
	    "source", "tmpfs", "options", "nosuid", "strictatime", "mode=755", "size=65536k", "destination",
	    "/dev/pts", "type", "devpts", "source", "devpts", "options", "nosuid", "noexec", "newinstance",
	    "ptmxmode=0666", "mode=0620", "gid=5", "destination", "/dev/shm", "type", "tmpfs", "source",
	    "shm", "options", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", "destination",
	    "/dev/mqueue", "type", "mqueue", "source", "mqueue", "options", "nosuid", "noexec", "nodev",
	    "destination", "/sys", "type", "sysfs", "source", "sysfs", "options", "nosuid", "noexec", "nodev",
	    "ro");
	json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "network",
			       "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup");
	if (rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_t *caps = json_pack("{s:[], s:[], s:[], s:[], s:[]}", "bounding", "effective", "inheritable",
				 "permitted", "ambient");
	json_t *process = json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s,s], s:s, s:o, s:[{s:s, s:i, s:i}], s:b}",
				    "terminal", 0, "user", "uid", 0, "gid", 0, "args", "sh", "env",
				    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				    "TERM=xterm", "cwd", "/", "capabilities", caps, "rlimits", "type",
				    "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
	json_t *lx = json_pack(
	    "{s:o, s:[s,s,s,s,s,s,s,s,s,s], s:[s,s,s,s,s,s]}", "namespaces", ns, "maskedPaths", "/proc/acpi",
	    "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
	    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "readonlyPaths",
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", "/sys/fs/cgroup");
	if (rootless) {
		json_object_set_new(lx, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)getuid(), "size", 1));
		json_object_set_new(lx, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)getgid(), "size", 1));
	}
	return json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.2.0", "process", process,
			 "root", "path", "rootfs", "readonly", 1, "hostname", "airlock", "mounts", mounts,
			 "linux", lx);
}

static int cmd_spec(int argc, char **argv)
{
	static const struct option longs[] = {{"bundle", required_argument, NULL, 'b'},
					      {"rootless", no_argument, NULL, 'r'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	const char *bundle = ".";
	bool rootless = false;
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+b:h", longs, NULL)) != -1;)
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else if (c == 'h')
			return puts("Usage: airlock-runtime spec [--bundle DIR] [--rootless]\nWrite a "
				    "hardened default "
				    "config.json (no capabilities, read-only root) into DIR."),
			       0;
		else
			return rt_fail("spec: unknown flag (usage: spec [--bundle DIR] [--rootless])");
	_cleanup_free_ char *path = al_xasprintf("%s/config.json", bundle);
	if (access(path, F_OK) == 0)
		return rt_fail("spec: File %s exists. Remove it first", path);
	json_t *cfg = default_config(rootless);
	int r = json_dump_file(cfg, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(cfg);
	return r < 0 ? rt_fail("spec: write %s: %s", path, strerror(errno)) : 0;
}

/* ---- features ------------------------------------------------------------------------------------ */

static int cmd_features(void)
{
	json_t *caps = json_array();
	for (int n = 0; al_cap_name(n); n++) {
		_cleanup_free_ char *name = al_xasprintf("CAP_%s", al_cap_name(n));
		json_array_append_new(caps, json_string(name));
	}
	json_t *f = json_pack(
	    "{s:s, s:s, s:[], s:[s,s,s,s,s,s,s,s,s], s:{s:[s,s,s,s,s,s,s], s:o, s:{s:b, s:b, s:b}, "
	    "s:{s:b}, s:{s:b}, s:{s:b}}, s:{s:s, s:s, s:s, s:s}}",
	    "ociVersionMin", "1.0.0", "ociVersionMax", "1.2.0", "hooks", "mountOptions", "ro", "rw", "bind",
	    "rbind", "nosuid", "nodev", "noexec", "size", "mode", "linux", "namespaces", "pid", "network",
	    "ipc", "uts", "mount", "cgroup", "user", "capabilities", caps, "cgroup", "v1", 1, "v2", 1,
	    "systemd", 0, "seccomp", "enabled", 1, "apparmor", "enabled", 0, "selinux", "enabled", 0,
	    "annotations", "run.airlock.version", AIRLOCK_VERSION, "run.airlock.landlock", "true|false",
	    "run.airlock.seccomp-baseline", "true|false", "run.airlock.close-fds", "true|false");
	char *s = json_dumps(f, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	printf("%s\n", s);
	free(s);
	json_decref(f);
	return 0;
}

static void usage(FILE *out)
{
	fputs("Usage: airlock-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
	      "airlock as an OCI runtime (runc's command line).\n\nCommands:\n"
	      "  create [--bundle DIR] [--pid-file F] [--console-socket S] ID\n"
	      "                                 set the container up; its init waits for start\n"
	      "  start ID                       start the container's command\n"
	      "  run [--bundle DIR] [--detach] ID   create + start (+ wait and delete)\n"
	      "  state ID                       the container's state (JSON)\n"
	      "  kill [--all] ID [SIGNAL]       signal the container (default TERM)\n"
	      "  delete [--force] ID            remove a stopped (or any) container\n"
	      "  exec [--process F | ...] ID [CMD...]   run a process in the container\n"
	      "  ps [--format json] ID          the container's processes\n"
	      "  list [--format json] [-q]      the containers\n"
	      "  pause ID / resume ID           freeze / thaw every process\n"
	      "  spec [--bundle DIR] [--rootless]   write a hardened default config.json\n"
	      "  features                       the runtime-spec features JSON\n\n"
	      "Each command takes --help.\n\n"
	      "Global options:\n"
	      "  --root DIR            state directory (default /run/airlock-runtime)\n"
	      "  --log FILE            also write errors to FILE\n"
	      "  --log-format FORMAT   text (default) or json\n"
	      "  --systemd-cgroup      accepted (cgroupfs is used)\n"
	      "  --debug               accepted\n"
	      "  -v, --version         print the version\n",
	      out);
}

int main(int argc, char **argv)
{
	/* A caller that closed stdin, stdout or stderr must not have our sockets land there (and be
	 * handed to the container as its stdio). */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 1;
	static const struct option longs[] = {{"root", required_argument, NULL, 'r'},
					      {"log", required_argument, NULL, 'l'},
					      {"log-format", required_argument, NULL, 'f'},
					      {"systemd-cgroup", no_argument, NULL, 's'},
					      {"debug", no_argument, NULL, 'D'},
					      {"version", no_argument, NULL, 'v'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	opterr = 0;
	for (int c; (c = getopt_long(argc, argv, "+vh", longs, NULL)) != -1;) {
		switch (c) {
		case 'r':
			rt_g.root = optarg;
			break;
		case 'l':
			rt_g.log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return rt_fail("--log-format %s: expected text or json", optarg);
			rt_g.log_json = strcmp(optarg, "json") == 0;
			break;
		case 's':
			break;
		case 'D':
			rt_g.debug = true;
			break;
		case 'v':
			printf("airlock-runtime version %s\nspec: 1.2.0\n", AIRLOCK_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return rt_fail("unknown global flag %s", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
	    {"create", rt_cmd_create}, {"start", rt_cmd_start},	  {"run", rt_cmd_run},
	    {"state", rt_cmd_state},   {"kill", rt_cmd_kill},	  {"delete", rt_cmd_delete},
	    {"exec", rt_cmd_exec},     {"ps", rt_cmd_ps},	  {"list", rt_cmd_list},
	    {"pause", rt_cmd_pause},   {"resume", rt_cmd_resume}, {"spec", cmd_spec},
	};
	for (size_t i = 0; i < AL_ARRAY_SIZE(verbs); i++)
		if (strcmp(cmd, verbs[i].name) == 0)
			return verbs[i].fn(sub_argc, sub_argv);
	if (strcmp(cmd, "features") == 0)
		return cmd_features();
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	return rt_fail("%s: not supported by airlock-runtime (see airlock-runtime --help)", cmd);
}
