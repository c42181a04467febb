/* airlock-runtime: airlock as an OCI runtime, with runc's command line, for docker, podman, containerd
 * and Kubernetes. A bundle's config.json is one more way to fill the sandbox spec (oci_config.c); the
 * engine is the same as `airlock run`'s.
 *
 * In this version: --version, spec, features, and run in the foreground. The create/start lifecycle
 * that a containerd shim drives (the container's pid 1 outliving the runtime, exec by joining
 * namespaces) is the next step; verbs not listed here are refused by name. */
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

#include "launch.h"
#include "oci_config.h"
#include "parse.h"
#include "util.h"

struct globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
};

static struct globals g = {.root = "/run/airlock-runtime"};

/* runc's error reporting: a line on stderr, and the same to --log (text or JSON lines). */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "airlock-runtime: %s\n", msg);
	if (g.log) {
		FILE *f = fopen(g.log, "ae");
		if (f) {
			_cleanup_free_ char *now = al_time_now_rfc3339();
			if (g.log_json) {
				json_t *o =
				    json_pack("{s:s, s:s, s:s}", "level", "error", "msg", msg, "time", now);
				char *line = json_dumps(o, JSON_COMPACT);
				fprintf(f, "%s\n", line);
				free(line);
				json_decref(o);
			} else {
				fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", now, msg);
			}
			fclose(f);
		}
	}
	return 1;
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
	static const struct option longs[] = {
	    {"bundle", required_argument, NULL, 'b'}, {"rootless", no_argument, NULL, 'r'}, {0}};
	const char *bundle = ".";
	bool rootless = false;
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+b:", longs, NULL)) != -1;)
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else
			return fail("spec: unknown flag (usage: spec [--bundle DIR] [--rootless])");
	_cleanup_free_ char *path = al_xasprintf("%s/config.json", bundle);
	if (access(path, F_OK) == 0)
		return fail("spec: File %s exists. Remove it first", path);
	json_t *cfg = default_config(rootless);
	int r = json_dump_file(cfg, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(cfg);
	return r < 0 ? fail("spec: write %s: %s", path, strerror(errno)) : 0;
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

/* ---- run (foreground) ---------------------------------------------------------------------------- */

/* What this version cannot honour yet is refused by name, never silently dropped. */
static int check_supported(const struct al_oci_extra *x, const char *console_socket)
{
	for (int p = 0; p < AL_OCI_HOOK_COUNT; p++)
		if (x->hooks[p].n)
			return fail("run: config.json: hooks (%s) are not supported yet",
				    al_oci_hook_phase_name((enum al_oci_hook_phase)p));
	for (int n = 0; n < AL_OCI_NS_COUNT; n++)
		if (x->ns[n].path)
			return fail("run: config.json: joining the %s namespace at %s is not supported yet",
				    al_oci_ns_name((enum al_oci_ns)n), x->ns[n].path);
	if (x->n_sysctl)
		return fail("run: config.json: linux.sysctl is not supported yet");
	if (console_socket)
		return fail("run: --console-socket is not supported yet");
	return 0;
}

struct pidfile_ctx {
	const char *path;
};

static void write_pid_file(void *ctx, pid_t pid1, const struct al_err *exec_err)
{
	struct pidfile_ctx *c = ctx;
	(void)exec_err;
	if (!c->path)
		return;
	_cleanup_free_ char *tmp = al_xasprintf("%s.tmp", c->path);
	FILE *f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "%d", (int)pid1);
		if (fclose(f) == 0)
			rename(tmp, c->path);
	}
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longs[] = {{"bundle", required_argument, NULL, 'b'},
					      {"pid-file", required_argument, NULL, 'p'},
					      {"console-socket", required_argument, NULL, 'c'},
					      {"detach", no_argument, NULL, 'd'},
					      {"no-pivot", no_argument, NULL, 'P'},
					      {"no-new-keyring", no_argument, NULL, 'K'},
					      {"preserve-fds", required_argument, NULL, 'f'},
					      {"keep", no_argument, NULL, 'k'},
					      {0}};
	const char *bundle = ".", *pid_file = NULL, *console = NULL;
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+b:d", longs, NULL)) != -1;) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'c':
			console = optarg;
			break;
		case 'd':
			return fail("run: --detach is not supported yet");
		case 'P':
		case 'K':
		case 'k':
			break; /* accepted: airlock always pivots, never shares a keyring (seccomp), never
				  keeps */
		case 'f':
			if (strcmp(optarg, "0") != 0)
				return fail("run: --preserve-fds %s: not supported yet", optarg);
			break;
		default:
			return fail("run: unknown flag");
		}
	}
	if (argc - optind != 1)
		return fail("run: requires exactly one container id");
	const char *id = argv[optind];
	if (!*id || strchr(id, '/') || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return fail("run: invalid container id %s", id);
	struct al_spec spec;
	struct al_oci_extra x;
	struct al_err err = {0};
	struct al_result res;
	al_spec_init(&spec);
	int status;
	if (al_oci_load(bundle, &spec, &x, &err) < 0) {
		status = fail("run: %s", err.msg);
	} else if ((status = check_supported(&x, console)) == 0) {
		spec.tty = x.terminal;
		spec.interactive = true;
		spec.name = al_xstrdup(id);
		struct pidfile_ctx pctx = {pid_file};
		struct al_run_hooks hooks = {
		    .exec_listen_fd = -1, .egress_control_fd = -1, .started = write_pid_file, .ctx = &pctx};
		if (al_run_hooked(&spec, &hooks, &res, &err) < 0)
			status = fail("run: %s", err.msg);
		else
			status = al_result_exit_status(&res);
		if (pid_file)
			unlink(pid_file);
	}
	al_oci_extra_free(&x);
	al_spec_free(&spec);
	return status;
}

static void usage(FILE *out)
{
	fputs("Usage: airlock-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS]\n\n"
	      "airlock as an OCI runtime (runc's command line).\n\nCommands:\n"
	      "  run [--bundle DIR] [--pid-file FILE] ID   run a container in the foreground\n"
	      "  spec [--bundle DIR] [--rootless]         write a hardened default config.json\n"
	      "  features                                 the runtime-spec features JSON\n\n"
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
			g.root = optarg;
			break;
		case 'l':
			g.log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return fail("--log-format %s: expected text or json", optarg);
			g.log_json = strcmp(optarg, "json") == 0;
			break;
		case 's':
			break;
		case 'D':
			g.debug = true;
			break;
		case 'v':
			printf("airlock-runtime version %s\nspec: 1.2.0\n", AIRLOCK_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return fail("unknown global flag %s", argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	if (strcmp(cmd, "run") == 0)
		return cmd_run(sub_argc, sub_argv);
	if (strcmp(cmd, "spec") == 0)
		return cmd_spec(sub_argc, sub_argv);
	if (strcmp(cmd, "features") == 0)
		return cmd_features();
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	return fail("%s: not supported by this version of airlock-runtime (run, spec, features)", cmd);
}
