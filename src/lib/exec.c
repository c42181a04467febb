/* exec.c: the caller's side of the exec protocol (exec_proto.h). Without -t the caller's own stdin,
 * stdout and stderr are handed to the process: nothing is copied on the way. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "exec_proto.h"
#include "tty.h"
#include "util.h"

static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static size_t strv_len(char **v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

static char *build_payload(const struct al_exec_opts *o, struct al_exec_hdr *h)
{
	size_t len = strlen(o->workdir) + 1;
	for (size_t i = 0; o->argv[i]; i++)
		len += strlen(o->argv[i]) + 1;
	for (size_t i = 0; o->env && o->env[i]; i++)
		len += strlen(o->env[i]) + 1;
	char *buf = al_xmalloc(len), *p = buf;
	for (size_t i = 0; o->argv[i]; i++)
		p = stpcpy(p, o->argv[i]) + 1;
	for (size_t i = 0; o->env && o->env[i]; i++)
		p = stpcpy(p, o->env[i]) + 1;
	stpcpy(p, o->workdir);
	h->argc = (uint32_t)strv_len(o->argv);
	h->envc = (uint32_t)strv_len(o->env);
	h->payload_len = (uint32_t)len;
	return buf;
}

/* The caller's stdio, or /dev/null for a closed one (or for stdin without -i). */
static void stdio_fds(const struct al_exec_opts *o, int fds[3], int *null_fd)
{
	for (int i = 0; i < 3; i++) {
		bool usable = fcntl(i, F_GETFD) >= 0 && (i != 0 || o->interactive);
		if (!usable && *null_fd < 0)
			*null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		fds[i] = usable ? i : *null_fd;
	}
}

static int send_request(int conn, const struct al_exec_opts *o, struct al_err *err)
{
	struct al_exec_hdr h = {.magic = AL_EXEC_MAGIC};
	if (o->tty)
		h.flags |= AL_EXEC_TTY;
	if (o->detach)
		h.flags |= AL_EXEC_DETACH;
	if (o->user_given) {
		h.flags |= AL_EXEC_USER;
		h.uid = o->uid;
		h.gid = o->gid;
	}
	struct winsize ws;
	if (o->tty && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		h.rows = ws.ws_row;
		h.cols = ws.ws_col;
	}
	_cleanup_free_ char *payload = build_payload(o, &h);
	if (h.payload_len > AL_EXEC_MAX_PAYLOAD)
		return al_err_set(err, E2BIG, "exec: command and environment exceed %u bytes",
				  AL_EXEC_MAX_PAYLOAD);
	int fds[3], null_fd = -1;
	stdio_fds(o, fds, &null_fd);
	struct iovec iov = {&h, sizeof h};
	char cbuf[CMSG_SPACE(sizeof fds)];
	memset(cbuf, 0, sizeof cbuf);
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (!o->tty) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof fds);
		memcpy(CMSG_DATA(c), fds, sizeof fds);
	}
	ssize_t n = sendmsg(conn, &mh, MSG_NOSIGNAL);
	int e = errno;
	if (n == (ssize_t)sizeof h && o->release_stdio) {
		if (null_fd < 0)
			null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; null_fd >= 0 && fd < 3; fd++)
			dup2(null_fd, fd);
	}
	if (null_fd >= 0)
		close(null_fd);
	if (n != (ssize_t)sizeof h || al_write_all(conn, payload, h.payload_len) < 0)
		return al_err_sys(err, n < 0 ? e : EPIPE, "exec: send the request");
	return 0;
}

/* One reply; *fd gets an attached fd or -1. Returns 1, 0 at EOF, -1 on error. */
static int recv_reply(int conn, struct al_exec_reply *r, int *fd)
{
	*fd = -1;
	struct iovec iov = {r, sizeof *r};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n = recvmsg(conn, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (n > 0 && c && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	if (n == 0)
		return 0;
	if (n != (ssize_t)sizeof *r)
		return n < 0 && errno == EINTR ? 2 : -1;
	r->msg[sizeof r->msg - 1] = '\0';
	return 1;
}

struct session {
	int conn, sigfd;
	struct al_tty tty;
	bool master_open, stdin_open, conn_open;
	bool started, done;
	int status;
};

static void forward_signals(struct session *s)
{
	struct signalfd_siginfo si;
	while (read(s->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGWINCH) {
			al_tty_resize(&s->tty);
			continue;
		}
		struct al_exec_reply m = {.kind = AL_EXEC_SIGNAL, .value = (int32_t)si.ssi_signo};
		(void)send(s->conn, &m, sizeof m, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

static void relay(int from, int to, bool *open_flag)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || al_write_all(to, buf, (size_t)n) < 0)
		*open_flag = false;
}

static int on_reply(struct session *s, const struct al_exec_opts *o, struct al_err *err)
{
	struct al_exec_reply r;
	int fd;
	int k = recv_reply(s->conn, &r, &fd);
	if (k == 2)
		return 0;
	if (k <= 0) {
		s->conn_open = false;
		if (!s->done) { /* pid 1 went away under the process: the sandbox stopped */
			s->status = 137;
			s->done = true;
		}
		return 0;
	}
	switch (r.kind) {
	case AL_EXEC_PTY:
		if (fd >= 0 && o->tty && o->on_pty) {
			int sent = o->on_pty(o->ctx, fd);
			close(fd);
			return sent < 0
				   ? al_err_set(err, EIO, "exec: cannot hand the pty to the console socket")
				   : 0;
		}
		if (fd >= 0 && o->tty && s->tty.master < 0) {
			s->tty.master = fd;
			s->master_open = true;
			s->stdin_open = o->interactive;
			al_tty_attach_caller(&s->tty);
			return 0;
		}
		break;
	case AL_EXEC_STARTED:
		s->started = true;
		if (o->on_started)
			o->on_started(o->ctx, r.value);
		if (o->detach) {
			s->status = 0;
			s->done = true;
		}
		break;
	case AL_EXEC_EXITED:
		s->status = WIFEXITED(r.value) ? WEXITSTATUS(r.value) : 128 + WTERMSIG(r.value);
		s->done = true;
		break;
	case AL_EXEC_FAILED:
		if (fd >= 0)
			close(fd);
		s->done = true;
		return al_err_set(err, EINVAL, "exec: %s", r.msg);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int session_loop(struct session *s, const struct al_exec_opts *o, struct al_err *err)
{
	while (!s->done || s->master_open) {
		struct pollfd p[4] = {{s->conn_open && !s->done ? s->conn : -1, POLLIN, 0},
				      {s->sigfd, POLLIN, 0},
				      {s->master_open ? s->tty.master : -1, POLLIN, 0},
				      {s->stdin_open ? 0 : -1, POLLIN, 0}};
		/* the process is gone: what it wrote last is still in the pty; then stop */
		int timeout = s->done ? 50 : -1;
		int n = poll(p, 4, timeout);
		if (n < 0 && errno != EINTR)
			return al_err_sys(err, errno, "exec: poll");
		if (n == 0 && s->done)
			break;
		if (p[1].revents)
			forward_signals(s);
		if (p[2].revents)
			relay(s->tty.master, 1, &s->master_open);
		if (p[3].revents)
			relay(0, s->tty.master, &s->stdin_open);
		if (p[0].revents && on_reply(s, o, err) < 0)
			return -1;
	}
	return 0;
}

int al_exec(const struct al_box *b, const struct al_exec_opts *o, int *status, struct al_err *err)
{
	*status = 0;
	int conn = al_box_connect(b, "exec.sock", SOCK_STREAM, err);
	return conn < 0 ? -1 : al_exec_conn(conn, o, status, err);
}

int al_exec_conn(int conn, const struct al_exec_opts *o, int *status, struct al_err *err)
{
	struct session s = {.conn = conn, .sigfd = -1, .tty = {.master = -1}, .conn_open = true};
	sigset_t set, old;
	sigemptyset(&set);
	for (size_t i = 0; i < AL_ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	int r = -1;
	s.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s.sigfd >= 0 && send_request(s.conn, o, err) == 0)
		r = session_loop(&s, o, err);
	else if (s.sigfd < 0)
		al_err_sys(err, errno, "signalfd");
	*status = s.status;
	al_tty_close(&s.tty);
	al_closep(&s.conn);
	al_closep(&s.sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

int al_exec_root_fd(const struct al_box *b, struct al_err *err)
{
	_cleanup_close_ int conn = al_box_connect(b, "exec.sock", SOCK_STREAM, err);
	if (conn < 0)
		return -1;
	struct al_exec_hdr h = {.magic = AL_EXEC_MAGIC, .flags = AL_EXEC_ROOT};
	if (send(conn, &h, sizeof h, MSG_NOSIGNAL) != (ssize_t)sizeof h)
		return al_err_sys(err, errno, "sandbox %s: ask for its root", al_box_name(b));
	struct al_exec_reply r;
	int fd;
	if (recv_reply(conn, &r, &fd) != 1 || r.kind != AL_EXEC_ROOTFD || fd < 0) {
		if (fd >= 0)
			close(fd);
		return al_err_set(err, ESRCH, "sandbox %s: no root from its pid 1", al_box_name(b));
	}
	return fd;
}

int al_exec_start(int conn, int *pid, struct al_err *err)
{
	_cleanup_close_ int c = conn;
	struct al_exec_hdr h = {.magic = AL_EXEC_MAGIC, .flags = AL_EXEC_START};
	if (send(c, &h, sizeof h, MSG_NOSIGNAL) != (ssize_t)sizeof h)
		return al_err_sys(err, errno, "start: ask the container's init");
	struct al_exec_reply r;
	int fd, k;
	while ((k = recv_reply(c, &r, &fd)) == 2)
		;
	if (fd >= 0)
		close(fd);
	if (k != 1)
		return al_err_set(err, ESRCH, "start: the container's init went away");
	if (r.kind == AL_EXEC_FAILED)
		return al_err_set(err, EINVAL, "%s", r.msg);
	if (r.kind != AL_EXEC_STARTED)
		return al_err_set(err, EPROTO, "start: unexpected answer %u", r.kind);
	*pid = r.value;
	return 0;
}
