/* monitor.c: the per-sandbox monitor (see monitor.h): start in the background, record state. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

struct monitor {
	struct al_box *b;
	int ready_fd; /* to the starter: "ok" or the error, then closed; -1 in the foreground */
	bool started;
};

/* The exec and proxy-control sockets live in the sandbox's directory. */
static int open_socket(const struct al_box *b, const char *name, int type, int *out, struct al_err *err)
{
	_cleanup_close_ int dir = open(b->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return al_err_sys(err, errno, "%s", name);
	int s = al_unix_listen_at(dir, name, type);
	if (s < 0)
		return al_err_sys(err, -s, "%s/%s", b->dir, name);
	*out = s;
	return 0;
}

static void tell_starter(struct monitor *m, const char *msg)
{
	if (m->ready_fd < 0)
		return;
	(void)al_write_all(m->ready_fd, msg, strlen(msg));
	al_closep(&m->ready_fd);
}

static void on_started(void *ctx, pid_t pid1, const struct al_err *exec_err)
{
	struct monitor *m = ctx;
	struct al_err err;
	_cleanup_free_ char *now = al_time_now_rfc3339();
	json_t *st = json_object();
	json_object_set_new(st, "Status", json_string(AL_STATUS_RUNNING));
	json_object_set_new(st, "Pid", json_integer(pid1));
	json_object_set_new(st, "PidStart", json_integer((json_int_t)al_proc_start_time(pid1)));
	json_object_set_new(st, "ExitCode", json_integer(0));
	json_object_set_new(st, "StartedAt", json_string(now));
	json_decref(m->b->state);
	m->b->state = st;
	m->started = true;
	if (al_box_save_state(m->b, &err) < 0)
		fprintf(stderr, "airlock: %s\n", err.msg);
	if (exec_err) {
		_cleanup_free_ char *msg =
		    al_xasprintf("E%d %s", exec_err->errnum == ENOENT ? 127 : 126, exec_err->msg);
		tell_starter(m, msg);
	} else {
		tell_starter(m, "ok");
	}
}

static void record_end(struct monitor *m, int r, const struct al_result *res, const struct al_err *err)
{
	struct al_box *b = m->b;
	_cleanup_free_ char *now = al_time_now_rfc3339();
	json_t *st = b->state;
	json_object_set_new(st, "Status", json_string(AL_STATUS_EXITED));
	json_object_set_new(st, "Pid", json_integer(0));
	json_object_set_new(st, "FinishedAt", json_string(now));
	if (r < 0) {
		json_object_set_new(st, "ExitCode", json_integer(AL_EXIT_ERROR));
		json_object_set_new(st, "Error", json_string(err->msg));
	} else {
		json_object_set_new(st, "ExitCode", json_integer(al_result_exit_status(res)));
		json_object_set_new(st, "Signal", json_integer(res->signal));
		json_object_set_new(st, "Reason", json_string(al_reason_name(res->reason)));
		json_object_set_new(st, "OOMKilled", json_boolean(res->reason == AL_REASON_OOM));
	}
	struct al_err e;
	if (al_box_save_state(b, &e) < 0)
		fprintf(stderr, "airlock: %s\n", e.msg);
	if (json_is_true(json_object_get(b->config, "AutoRemove")) && al_box_remove(b, &e) < 0)
		fprintf(stderr, "airlock: %s\n", e.msg);
}

static int monitor_run(struct monitor *m, struct al_spec *spec, struct al_result *res, struct al_err *err)
{
	int listen_fd = -1, control_fd = -1;
	if (open_socket(m->b, "exec.sock", SOCK_STREAM, &listen_fd, err) < 0)
		return -1;
	if (al_spec_egress(spec) && open_socket(m->b, "proxy.sock", SOCK_SEQPACKET, &control_fd, err) < 0) {
		close(listen_fd);
		return -1;
	}
	struct al_run_hooks hooks = {.id = m->b->id,
				     .exec_listen_fd = listen_fd,
				     .egress_control_fd = control_fd,
				     .started = on_started,
				     .ctx = m};
	int r = al_run_hooked(spec, &hooks, res, err);
	close(listen_fd);
	al_closep(&control_fd);
	static const char *const sockets[] = {"exec.sock", "proxy.sock"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(sockets); i++) {
		_cleanup_free_ char *path = al_box_path(m->b, sockets[i]);
		unlink(path);
	}
	return r;
}

static int lock_record(const struct al_box *b, struct al_err *err)
{
	_cleanup_free_ char *path = al_box_path(b, "monitor.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return al_err_sys(err, errno, "%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return al_err_set(err, EBUSY, "sandbox %s is already running", al_box_name(b));
	}
	return fd;
}

int al_monitor_run_here(struct al_box *b, struct al_spec *spec, struct al_result *res, struct al_err *err)
{
	int lock = lock_record(b, err);
	if (lock < 0)
		return -1;
	struct monitor m = {.b = b, .ready_fd = -1};
	int r = monitor_run(&m, spec, res, err);
	record_end(&m, r, res, err);
	close(lock);
	return r;
}

/* The monitor's own process: its output (and the command's) goes to the sandbox's log. */
__attribute__((noreturn)) static void monitor_main(struct al_box *b, int ready_fd, int lock_fd)
{
	/* nothing of the caller's stays open here (a pipe the caller reads would never see EOF) */
	int r_hi = fcntl(ready_fd, F_DUPFD_CLOEXEC, 100), l_hi = fcntl(lock_fd, F_DUPFD_CLOEXEC, 100);
	if (r_hi < 0 || l_hi < 0 || dup3(r_hi, 3, O_CLOEXEC) < 0 || dup3(l_hi, 4, O_CLOEXEC) < 0)
		_exit(AL_EXIT_ERROR);
	ready_fd = 3;
	close_range(5, ~0U, 0);
	struct al_err err = {0};
	struct al_spec spec;
	struct al_result res;
	struct monitor m = {.b = b, .ready_fd = ready_fd};
	_cleanup_free_ char *log = al_box_path(b, "log");
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
		_cleanup_free_ char *msg =
		    al_xasprintf("E%d log %s: %s", AL_EXIT_ERROR, log, strerror(errno));
		tell_starter(&m, msg);
		_exit(AL_EXIT_ERROR);
	}
	close(in);
	close(out);
	if (chdir("/") < 0)
		_exit(AL_EXIT_ERROR);
	al_spec_init(&spec);
	int r = al_box_load_spec(b, &spec, &err);
	if (r == 0)
		r = monitor_run(&m, &spec, &res, &err);
	if (r < 0) {
		fprintf(stderr, "airlock: %s\n", err.msg);
		_cleanup_free_ char *msg = al_xasprintf("E%d %s", AL_EXIT_ERROR, err.msg);
		tell_starter(&m, msg);
	}
	record_end(&m, r, &res, &err);
	al_spec_free(&spec);
	_exit(r < 0 ? AL_EXIT_ERROR : 0);
}

/* "ok", "E<status> <message>", or nothing (the monitor died before it could say). */
static int read_ready(int fd, struct al_err *err)
{
	char buf[1200];
	ssize_t n = al_read_all(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return al_err_set(err, EIO, "the sandbox's monitor died while starting it");
	buf[n] = '\0';
	if (strcmp(buf, "ok") == 0)
		return 0;
	char *sp = strchr(buf, ' ');
	int status = atoi(buf + 1);
	return al_err_set(err, status == 127 ? ENOENT : status == 126 ? EACCES : 0, "%s", sp ? sp + 1 : buf);
}

int al_monitor_start(struct al_box *b, struct al_err *err)
{
	_cleanup_close_ int lock = lock_record(b, err);
	if (lock < 0)
		return -1;
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return al_err_sys(err, errno, "pipe");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(ready[0]);
		close(ready[1]);
		return al_err_sys(err, errno, "fork the monitor");
	}
	if (pid == 0) {
		close(ready[0]);
		/* its own session, and not our child: the monitor outlives this command */
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		monitor_main(b, ready[1], lock); /* keeps the lock: the fd is inherited */
	}
	close(ready[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	int r = read_ready(ready[0], err);
	close(ready[0]);
	return r;
}
