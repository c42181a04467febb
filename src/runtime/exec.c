/* exec.c: `airlock-runtime exec`: a process in a running container, started by the container's pid 1
 * (zygote.c), so that it inherits exactly pid 1's confinement: namespaces, cgroup, capabilities,
 * no_new_privs, seccomp and Landlock. A shim must be able to reap and signal what it asked for, and
 * pid 1's children are not the shim's: so the runtime stays as the process's stand-in. It holds the
 * connection, passes signals on, and exits with the process's status; with --detach it forks first and
 * the child, reparented to the shim (a subreaper), is the pid in --pid-file. If the stand-in is killed,
 * the connection drops and pid 1 kills the process: nothing runs on that nobody waits for. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "oci_config.h"
#include "parse.h"
#include "runtime.h"
#include "spec.h"
#include "tty.h"
#include "util.h"

struct exec_args {
	const char *process, *pid_file, *console, *cwd, *user;
	bool tty, detach;
	char **env;
	size_t n_env;
};

static void usage(void)
{
	puts("Usage: airlock-runtime exec [OPTIONS] ID [COMMAND [ARG...]]\n\n"
	     "Run a process in a running container, confined as its pid 1.\n\n"
	     "  -p, --process FILE        the process as runtime-spec JSON (args, env, cwd, user, terminal)\n"
	     "  -t, --tty                 a pseudo-terminal\n"
	     "  -d, --detach              return once it runs; --pid-file then holds its stand-in\n"
	     "      --pid-file FILE       write the pid to wait on and signal\n"
	     "      --console-socket S    send the pty master to this unix socket\n"
	     "      --cwd DIR             working directory inside\n"
	     "  -e, --env KEY=VAL         add to the container's environment\n"
	     "  -u, --user UID[:GID]      run as this user (needs CAP_SETUID/CAP_SETGID in the container)");
}

static int parse(int argc, char **argv, struct exec_args *a)
{
	static const struct option longs[] = {{"process", required_argument, NULL, 'p'},
					      {"tty", no_argument, NULL, 't'},
					      {"detach", no_argument, NULL, 'd'},
					      {"pid-file", required_argument, NULL, 'P'},
					      {"console-socket", required_argument, NULL, 'C'},
					      {"cwd", required_argument, NULL, 'w'},
					      {"env", required_argument, NULL, 'e'},
					      {"user", required_argument, NULL, 'u'},
					      {"additional-gids", required_argument, NULL, 'g'},
					      {"cap", required_argument, NULL, 'c'},
					      {"no-new-privs", no_argument, NULL, 'n'},
					      {"process-label", required_argument, NULL, 'l'},
					      {"apparmor", required_argument, NULL, 'a'},
					      {"preserve-fds", required_argument, NULL, 'f'},
					      {"ignore-paused", no_argument, NULL, 'i'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+p:tde:u:g:c:h", longs, NULL)) != -1;) {
		switch (c) {
		case 'p':
			a->process = optarg;
			break;
		case 't':
			a->tty = true;
			break;
		case 'd':
			a->detach = true;
			break;
		case 'P':
			a->pid_file = optarg;
			break;
		case 'C':
			a->console = optarg;
			break;
		case 'w':
			a->cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return rt_fail("exec: --env %s: expected KEY=VALUE", optarg);
			al_strv_push(&a->env, &a->n_env, optarg);
			break;
		case 'u':
			a->user = optarg;
			break;
		case 'c':
			return rt_fail("exec: --cap %s: an exec gets the container's capabilities, no more",
				       optarg);
		case 'g':
		case 'n':
		case 'l':
		case 'a':
		case 'i':
			break; /* no_new_privs is always on; no LSM labels here; the groups are pid 1's */
		case 'f':
			if (strcmp(optarg, "0") != 0)
				return rt_fail(
				    "exec: --preserve-fds %s: not supported (only stdio is passed)", optarg);
			break;
		case 'h':
			usage();
			return -1;
		default:
			return rt_fail("exec: unknown flag %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return rt_fail("exec: requires a container id");
	if (!a->process && optind + 1 >= argc)
		return rt_fail("exec: requires a command or --process FILE");
	return 0;
}

/* The process: --process FILE, or the command line over the container's own defaults. */
static int build_process(const struct exec_args *a, const struct rt_container *c, char **args,
			 struct al_spec *p, bool *terminal, struct al_err *err)
{
	al_spec_init(p);
	*terminal = a->tty;
	if (a->process) {
		struct al_oci_extra x;
		int r = al_oci_load_process(a->process, p, &x, err);
		*terminal = *terminal || x.terminal;
		al_oci_extra_free(&x);
		return r;
	}
	for (char **s = args; *s; s++)
		al_strv_push(&p->argv, &p->argc, *s);
	size_t i;
	json_t *e;
	json_array_foreach (json_object_get(c->state, "env"), i, e) {
		const char *kv = json_string_value(e), *eq = kv ? strchr(kv, '=') : NULL;
		if (eq) {
			_cleanup_free_ char *k = al_xstrndup(kv, (size_t)(eq - kv));
			al_spec_setenv(p, k, eq + 1);
		}
	}
	for (size_t k = 0; k < a->n_env; k++) {
		const char *eq = strchr(a->env[k], '=');
		_cleanup_free_ char *key = al_xstrndup(a->env[k], (size_t)(eq - a->env[k]));
		al_spec_setenv(p, key, eq + 1);
	}
	const char *cwd = a->cwd ? a->cwd : json_string_value(json_object_get(c->state, "cwd"));
	if (!cwd || cwd[0] != '/')
		return al_err_set(err, EINVAL, "--cwd %s: must be absolute", cwd ? cwd : "(none)");
	p->workdir = al_xstrdup(cwd);
	p->uid = (uid_t)json_integer_value(json_object_get(c->state, "uid"));
	p->gid = (gid_t)json_integer_value(json_object_get(c->state, "gid"));
	if (a->user) {
		char *end;
		unsigned long uid = strtoul(a->user, &end, 10), gid = uid;
		if (*end == ':')
			gid = strtoul(end + 1, &end, 10);
		if (end == a->user || *end || uid > UINT32_MAX - 1 || gid > UINT32_MAX - 1)
			return al_err_set(err, EINVAL, "--user %s: expected UID[:GID], numeric", a->user);
		p->uid = (uid_t)uid;
		p->gid = (gid_t)gid;
	}
	return 0;
}

struct stand_in {
	int console;	/* -1 = relay the pty to our own terminal */
	int started_fd; /* --detach: "s" here tells the parent the process runs */
	const char *pid_file;
};

static int on_pty(void *ctx, int master)
{
	struct stand_in *s = ctx;
	struct al_err err = {0};
	int r = al_tty_send_console(s->console, master, 0, 0, &err);
	al_closep(&s->console); /* one pty per console socket */
	return r;
}

static void on_started(void *ctx, int pid)
{
	struct stand_in *s = ctx;
	(void)pid;
	if (s->started_fd >= 0) {
		(void)!write(s->started_fd, "s", 1);
		al_closep(&s->started_fd);
	} else {
		struct al_err err = {0};
		if (rt_write_pid_file(s->pid_file, getpid(), &err) < 0)
			rt_warn("exec: %s", err.msg);
	}
}

/* The stand-in's whole life: returns the process's exit status, or -1 with *err. */
static int stand_in(const struct rt_container *c, const struct al_spec *p, bool terminal, bool detached,
		    struct stand_in *s, struct al_err *err)
{
	struct al_exec_opts o = {
	    .argv = p->argv,
	    .env = p->env,
	    .workdir = p->workdir ? p->workdir : "/",
	    .user_given = true,
	    .uid = p->uid,
	    .gid = p->gid,
	    .interactive = true,
	    .tty = terminal,
	    .on_pty = s->console >= 0 ? on_pty : NULL, /* else relayed to our terminal */
	    .on_started = on_started,
	    .ctx = s,
	    .release_stdio = detached || !terminal || s->console >= 0,
	};
	int conn = rt_container_connect(c, err), status = 0;
	if (conn < 0 || al_exec_conn(conn, &o, &status, err) < 0)
		return -1;
	return status;
}

static int run_exec(const struct exec_args *a, const struct rt_container *c, char **args)
{
	struct al_spec p;
	struct al_err err = {0};
	bool terminal = false;
	struct stand_in s = {.console = -1, .started_fd = -1, .pid_file = a->pid_file};
	int r;
	const char *status = rt_container_status(c);
	if (strcmp(status, RT_STATUS_RUNNING) != 0 && strcmp(status, RT_STATUS_CREATED) != 0) {
		r = rt_fail("exec: cannot exec in a %s container", status);
		goto out_nospec;
	}
	if (build_process(a, c, args, &p, &terminal, &err) < 0) {
		r = rt_fail("exec: %s", err.msg);
		goto out;
	}
	if (a->console && (s.console = rt_connect_unix(a->console, "--console-socket", &err)) < 0) {
		r = rt_fail("exec: %s", err.msg);
		goto out;
	}
	if (!a->detach) {
		r = stand_in(c, &p, terminal, false, &s, &err);
		if (r < 0)
			r = rt_fail("exec: %s", err.msg);
		goto out;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = rt_fail("exec: pipe: %s", strerror(errno));
		goto out;
	}
	pid_t child = fork();
	if (child == 0) {
		close(pipefd[0]);
		s.started_fd = pipefd[1];
		int st = stand_in(c, &p, terminal, true, &s, &err);
		if (st < 0)
			(void)!write(pipefd[1], err.msg, strlen(err.msg));
		_exit(st < 0 ? 1 : st);
	}
	close(pipefd[1]);
	char buf[512];
	ssize_t n = child < 0 ? -1 : al_read_all(pipefd[0], buf, sizeof buf - 1);
	close(pipefd[0]);
	if (n >= 1 && buf[0] == 's') {
		r = rt_write_pid_file(a->pid_file, child, &err) < 0 ? rt_fail("exec: %s", err.msg) : 0;
	} else {
		buf[n > 0 ? n : 0] = '\0';
		if (child > 0)
			waitpid(child, NULL, 0);
		r = rt_fail("exec: %s", n > 0 ? buf : "the process did not start");
	}
out:
	al_closep(&s.console);
	al_spec_free(&p);
out_nospec:
	return r;
}

int rt_cmd_exec(int argc, char **argv)
{
	struct exec_args a = {0};
	int r = parse(argc, argv, &a);
	if (r == 0) {
		struct rt_container c;
		struct al_err err = {0};
		if (rt_container_load(argv[optind], &c, &err) < 0)
			r = rt_fail("exec: %s", err.msg);
		else
			r = run_exec(&a, &c, argv + optind + 1);
		rt_container_free(&c);
	}
	al_strv_free(a.env);
	return r < 0 ? 0 : r;
}
