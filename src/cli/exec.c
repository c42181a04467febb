/* exec.c: `airlock exec` (a process in a running sandbox, through its pid 1) and `airlock cp`
 * (files in and out of a running sandbox, confined to its view of the filesystem). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"
#include "copy.h"
#include "exec.h"
#include "parse.h"
#include "paths.h"
#include "util.h"
#include "verbs.h"

static const char exec_usage[] =
    "Usage: airlock exec [OPTIONS] SANDBOX COMMAND [ARG...]\n\n"
    "Run COMMAND in a running sandbox, confined exactly as its first process (namespaces, cgroup,\n"
    "capabilities, no_new_privs, seccomp, Landlock). The exit status is COMMAND's. An exec dies\n"
    "with its caller unless detached.\n\nOptions:\n"
    "  -i, --interactive     pass stdin through (otherwise /dev/null)\n"
    "  -t, --tty             allocate a pseudo-terminal\n"
    "  -d, --detach          start COMMAND in the background and return\n"
    "  -u, --user UID[:GID]  run as this user (needs CAP_SETUID/CAP_SETGID in the sandbox to change)\n"
    "  -w, --workdir DIR     working directory (default: the sandbox's)\n"
    "  -e, --env KEY[=VAL]   set KEY, or pass the caller's KEY through; repeatable\n"
    "      --env-file FILE   read KEY=VAL lines from FILE; repeatable\n";

/* Record the use: `prune --idle` measures from the last one. */
static void touch_activity(const struct al_box *b)
{
	_cleanup_free_ char *path = al_box_path(b, "activity");
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		futimens(fd, NULL);
		close(fd);
	}
}

struct exec_args {
	bool interactive, tty, detach, user_given;
	uid_t uid;
	gid_t gid;
	char *workdir;
	char **env_args; /* -e and --env-file in order, "e:..." / "f:..." */
	size_t n_env_args;
};

static int parse_exec(int argc, char **argv, struct exec_args *a, struct al_err *err)
{
	static const struct option longs[] = {{"interactive", no_argument, NULL, 'i'},
					      {"tty", no_argument, NULL, 't'},
					      {"detach", no_argument, NULL, 'd'},
					      {"user", required_argument, NULL, 'u'},
					      {"workdir", required_argument, NULL, 'w'},
					      {"env", required_argument, NULL, 'e'},
					      {"env-file", required_argument, NULL, 'E'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "exec", "+itdu:w:e:h", longs)) != -1;) {
		switch (c) {
		case '?':
			return -2;
		case 'h':
			return 1;
		case 'i':
			a->interactive = true;
			break;
		case 't':
			a->tty = true;
			break;
		case 'd':
			a->detach = true;
			break;
		case 'u':
			a->user_given = true;
			if (al_parse_user(optarg, &a->uid, &a->gid, err) < 0)
				return al_err_prefix(err, "--user");
			break;
		case 'w':
			free(a->workdir);
			if (al_normalize_abs_path(optarg, "--workdir", &a->workdir, err) < 0)
				return -1;
			break;
		case 'e':
		case 'E': {
			_cleanup_free_ char *v = al_xasprintf("%c:%s", c, optarg);
			al_strv_push(&a->env_args, &a->n_env_args, v);
			break;
		}
		}
	}
	if (argc - optind < 2)
		return al_err_set(err, EINVAL,
				  "exec: requires SANDBOX and COMMAND (see 'airlock exec --help')");
	return 0;
}

int al_verb_exec(int argc, char **argv)
{
	struct exec_args a = {0};
	struct al_err err = {0};
	struct al_spec spec;
	struct al_box b = {0};
	int status = 0;
	al_spec_init(&spec);
	int r = parse_exec(argc, argv, &a, &err);
	if (r == 1) {
		fputs(exec_usage, stdout);
		goto out;
	}
	if (r < 0) {
		status = r == -2 ? AL_EXIT_ERROR : al_cli_fail(&err);
		goto out;
	}
	if ((status = al_cli_find(argv[optind], &b)) != 0)
		goto out;
	/* docker's environment: the sandbox's, then -e and --env-file in order; files are read now */
	if (al_box_load_spec(&b, &spec, &err) < 0) {
		status = al_cli_fail(&err);
		goto out;
	}
	for (size_t i = 0; i < a.n_env_args; i++) {
		const char *v = a.env_args[i] + 2;
		if ((a.env_args[i][0] == 'e' ? al_env_apply_arg(&spec, v, &err)
					     : al_env_apply_file(&spec, v, &err)) < 0) {
			status = al_cli_fail(&err);
			goto out;
		}
	}
	touch_activity(&b); /* a sandbox that does not run refuses below: its exec socket is not served */
	struct al_exec_opts o = {
	    .argv = argv + optind + 1,
	    .env = spec.env,
	    .workdir = a.workdir      ? a.workdir
		       : spec.workdir ? spec.workdir
				      : "/",
	    .user_given = a.user_given,
	    .uid = a.uid,
	    .gid = a.gid,
	    .interactive = a.interactive,
	    .tty = a.tty,
	    .detach = a.detach,
	};
	if (al_exec(&b, &o, &status, &err) < 0)
		status = al_cli_fail(&err);
out:
	al_box_free(&b);
	al_spec_free(&spec);
	free(a.workdir);
	al_strv_free(a.env_args);
	return status;
}

/* ---- cp ---------------------------------------------------------------------------------------- */

/* "NAME:PATH" names a sandbox's path; a host path that holds a ':' is written ./a:b or /a:b. */
static bool split_box_path(const char *arg, char **name, const char **path)
{
	const char *colon = strchr(arg, ':');
	if (!colon || colon == arg || arg[0] == '/' || arg[0] == '.')
		return false;
	*name = al_xstrndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return true;
}

/* The host uid:gid of the sandbox's user, from pid 1's id maps. */
static void sandbox_owner(struct al_box *b, uid_t *uid, gid_t *gid)
{
	json_t *user = json_object_get(json_object_get(b->config, "Spec"), "User");
	long long in_ids[2] = {json_integer_value(json_object_get(user, "Uid")),
			       json_integer_value(json_object_get(user, "Gid"))};
	long long out[2] = {-1, -1};
	const char *files[2] = {"uid_map", "gid_map"};
	for (int k = 0; k < 2; k++) {
		char path[64], buf[4096];
		snprintf(path, sizeof path, "/proc/%lld/%s", (long long)al_box_state_int(b, "Pid"), files[k]);
		if (al_read_file_at(AT_FDCWD, path, buf, sizeof buf) <= 0)
			continue;
		long long inside, outside, count;
		for (char *line = buf; line && sscanf(line, "%lld %lld %lld", &inside, &outside, &count) == 3;
		     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
			if (in_ids[k] >= inside && in_ids[k] < inside + count)
				out[k] = outside + (in_ids[k] - inside);
	}
	*uid = (uid_t)out[0];
	*gid = (gid_t)out[1];
}

/* As root, files are created as the sandbox's user: they belong to it, and a filesystem mounted in the
 * sandbox's user namespace (its tmpfs) refuses a creator it cannot map. The capabilities that the
 * fsuid change drops are raised again, so host files stay readable. Rootless: the caller is the
 * sandbox's user already. */
static int act_as_sandbox_user(struct al_box *b, struct al_err *err)
{
	if (!al_is_root())
		return 0;
	uid_t uid;
	gid_t gid;
	sandbox_owner(b, &uid, &gid);
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return al_err_set(err, ESRCH, "sandbox %s: cannot read its id map", al_box_name(b));
	setfsgid(gid);
	setfsuid(uid);
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return al_err_sys(err, errno, "capget");
	for (int i = 0; i < 2; i++)
		d[i].effective = d[i].permitted;
	if (syscall(SYS_capset, &h, d) < 0)
		return al_err_sys(err, errno, "capset");
	return 0;
}

int al_verb_cp(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf(
		    "Usage: airlock cp SRC SANDBOX:DST\n"
		    "       airlock cp SANDBOX:SRC DST\n\n"
		    "Copy files or directories into or out of a running sandbox. Paths inside are resolved\n"
		    "in the sandbox's own view: no symlink or \"..\" leads out of it. A directory is copied\n"
		    "recursively; SRC ending in \"/.\" copies its contents.\n");
		return 0;
	}
	int first = argc >= 2 && strcmp(argv[1], "--") == 0 ? 2 : 1;
	if (argc - first != 2)
		return al_cli_usage_error("cp", "requires SRC and DST, one of them SANDBOX:PATH");
	_cleanup_free_ char *src_box = NULL, *dst_box = NULL;
	const char *src_path = argv[first], *dst_path = argv[first + 1];
	bool from = split_box_path(argv[first], &src_box, &src_path);
	bool to = split_box_path(argv[first + 1], &dst_box, &dst_path);
	if (from == to)
		return al_cli_usage_error("cp", "exactly one of SRC and DST must be SANDBOX:PATH");
	if (!*src_path || !*dst_path)
		return al_cli_usage_error("cp", "empty path");
	struct al_box b;
	struct al_err err = {0};
	int status = al_cli_find(from ? src_box : dst_box, &b);
	if (status)
		return status;
	_cleanup_close_ int root = al_exec_root_fd(&b, &err);
	int r;
	if (root < 0) {
		r = -1;
	} else if (from) {
		r = al_copy_out(root, src_path, dst_path, &err);
	} else {
		r = act_as_sandbox_user(&b, &err);
		if (r == 0)
			r = al_copy_in(root, src_path, dst_path, (uid_t)-1, (gid_t)-1, &err);
	}
	al_box_free(&b);
	return r < 0 ? al_cli_fail(&err) : 0;
}
