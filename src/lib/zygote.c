/* zygote.c: pid 1 of a named sandbox once its command runs. It reaps every process, forwards the
 * signals of `airlock stop` and `airlock kill` to the command, and starts what `airlock exec` asks for.
 * Those are pid 1's own children, so they inherit exactly its confinement (namespaces, cgroup,
 * capabilities, no_new_privs, seccomp, Landlock) by construction: exec is never a weaker door than
 * the command. Child side: pid 1 is fully hardened before it gets here. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "exec_proto.h"
#include "sandbox.h"
#include "util.h"

/* What `stop` and `kill -s SIG` send to pid 1, passed on to the command as tini does. */
static const int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT};

struct exec_slot {
	pid_t pid;
	int conn; /* -1 once the caller is gone or detached */
	bool detached;
};

struct zygote {
	struct al_sandbox *sb;
	pid_t command;
	int sigfd;
	struct exec_slot *slots;
	size_t n, cap;
};

/* A request as parsed from the wire. */
struct exec_req {
	struct al_exec_hdr h;
	int fds[3];
	int slave;
	char *payload;
	char **argv, **envp;
	const char *workdir;
};

static void noop_handler(int sig)
{
	(void)sig;
}

/* pid 1 of a pid namespace gets no signal from outside it unless it has a handler: install one, then
 * take the signals through a signalfd. */
static void setup_signals(struct zygote *z)
{
	sigset_t set;
	sigemptyset(&set);
	struct sigaction sa = {.sa_handler = noop_handler};
	for (size_t i = 0; i < AL_ARRAY_SIZE(forwarded_signals); i++) {
		sigaction(forwarded_signals[i], &sa, NULL);
		sigaddset(&set, forwarded_signals[i]);
	}
	sigaction(SIGCHLD, &sa, NULL);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	z->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void reply(int conn, uint32_t kind, int32_t value, int fd, const char *msg)
{
	struct al_exec_reply r = {.kind = kind, .value = value};
	if (msg)
		snprintf(r.msg, sizeof r.msg, "%s", msg);
	/* never block pid 1 on a caller that does not read */
	(void)al_send_with_fd(conn, &r, sizeof r, fd, MSG_DONTWAIT);
}

static struct exec_slot *find_slot(struct zygote *z, pid_t pid)
{
	for (size_t i = 0; i < z->n; i++)
		if (z->slots[i].pid == pid)
			return &z->slots[i];
	return NULL;
}

static void drop_slot(struct zygote *z, struct exec_slot *s)
{
	al_closep(&s->conn);
	*s = z->slots[--z->n];
}

/* The kernel kills what is left in the pid namespace, execs included. A detached init (the
 * runtime's) has no launcher to tell: its own exit status is the command's, as a shim reads it. */
__attribute__((noreturn)) static void command_ended(struct zygote *z, int status)
{
	struct al_child_msg msg = {.kind = AL_CHILD_EXITED, .status = status};
	(void)al_child_msg_send(z->sb->status_fd, &msg, -1);
	if (!z->sb->detached_init)
		_exit(0);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static void reap(struct zygote *z)
{
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, WNOHANG);
		if (p < 0 && errno == EINTR)
			continue;
		if (p <= 0)
			return;
		if (p == z->command && p > 0)
			command_ended(z, status);
		struct exec_slot *s = find_slot(z, p);
		if (!s)
			continue; /* an orphan that was reparented to us */
		if (s->conn >= 0)
			reply(s->conn, AL_EXEC_EXITED, status, -1, NULL);
		drop_slot(z, s);
	}
}

static void handle_signals(struct zygote *z)
{
	struct signalfd_siginfo si;
	while (read(z->sigfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (z->command > 0)
			kill(z->command, (int)si.ssi_signo);
		else /* a created container that was never started: the signal ends it */
			_exit(128 + (int)si.ssi_signo);
	}
	reap(z);
}

/* ---- the exec'd process: a vfork child, async-signal-safe calls only ----------------------------- */

static const char *env_get(char **envp, const char *key)
{
	size_t len = strlen(key);
	for (; *envp; envp++)
		if (strncmp(*envp, key, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

/* execvp's search, in the request's own PATH rather than pid 1's. Returns the errno to report. */
static int exec_search(char **argv, char **envp)
{
	const char *file = argv[0];
	if (strchr(file, '/')) {
		execve(file, argv, envp);
		return errno;
	}
	const char *path = env_get(envp, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	bool eacces = false;
	char buf[4096];
	for (const char *p = path;;) {
		const char *end = strchrnul(p, ':');
		size_t dl = (size_t)(end - p), fl = strlen(file);
		if (dl + fl + 3 <= sizeof buf) {
			if (dl == 0)
				buf[dl++] = '.';
			else
				memcpy(buf, p, dl);
			buf[dl] = '/';
			memcpy(buf + dl + 1, file, fl + 1);
			execve(buf, argv, envp);
			if (errno == EACCES)
				eacces = true;
			else if (errno != ENOENT && errno != ENOTDIR)
				return errno;
		}
		if (!*end)
			break;
		p = end + 1;
	}
	return eacces ? EACCES : ENOENT;
}

static int become_user(const struct al_exec_hdr *h)
{
	if ((gid_t)h->gid != getgid() || (gid_t)h->gid != getegid()) {
		(void)setgroups(0, NULL); /* denied in a rootless sandbox: then the groups stay as they are */
		if (syscall(SYS_setresgid, h->gid, h->gid, h->gid) < 0)
			return -1;
	}
	if ((uid_t)h->uid != getuid() || (uid_t)h->uid != geteuid())
		if (syscall(SYS_setresuid, h->uid, h->uid, h->uid) < 0)
			return -1;
	return 0;
}

__attribute__((noreturn)) static void exec_child(const struct exec_req *q)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (q->slave >= 0) {
		ioctl(q->slave, TIOCSCTTY, 0);
		for (int fd = 0; fd < 3; fd++)
			dup2(q->slave, fd);
	} else {
		for (int fd = 0; fd < 3; fd++) {
			int src = q->fds[fd] >= 0 ? q->fds[fd] : open("/dev/null", O_RDWR | O_CLOEXEC);
			if (src >= 0 && src != fd)
				dup2(src, fd);
		}
	}
	if ((q->h.flags & AL_EXEC_USER) && become_user(&q->h) < 0) {
		int e = errno;
		dprintf(2, "airlock: exec -u %u:%u: %s%s\n", q->h.uid, q->h.gid, strerror(e),
			e == EPERM    ? " (the sandbox keeps no CAP_SETUID/CAP_SETGID: create it with "
					"--cap-add SETUID --cap-add SETGID)"
			: e == EINVAL ? " (the sandbox maps no such id: a rootless sandbox has only its user)"
				      : "");
		_exit(AL_EXIT_CANNOT_EXEC);
	}
	if (chdir(q->workdir) < 0) {
		dprintf(2, "airlock: exec: workdir %s: %s\n", q->workdir, strerror(errno));
		_exit(AL_EXIT_CANNOT_EXEC);
	}
	int e = exec_search(q->argv, q->envp);
	dprintf(2, "airlock: exec %s: %s\n", q->argv[0], strerror(e));
	_exit(e == ENOENT ? AL_EXIT_NOT_FOUND : AL_EXIT_CANNOT_EXEC);
}

/* ---- requests --------------------------------------------------------------------------------- */

static void req_release(struct exec_req *q)
{
	for (int i = 0; i < 3; i++)
		al_closep(&q->fds[i]);
	al_closep(&q->slave);
	free(q->payload);
	free(q->argv);
	free(q->envp);
}

static int recv_header(int conn, struct exec_req *q)
{
	struct iovec iov = {&q->h, sizeof q->h};
	char cbuf[CMSG_SPACE(3 * sizeof(int))];
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n = recvmsg(conn, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		int got[3];
		memcpy(got, CMSG_DATA(c), (nfd > 3 ? 3 : nfd) * sizeof(int));
		for (size_t i = 0; i < nfd && i < 3; i++)
			q->fds[i] = got[i];
	}
	return n == (ssize_t)sizeof q->h && q->h.magic == AL_EXEC_MAGIC ? 0 : -1;
}

/* Read and split the payload into argv, envp and workdir; every string must be NUL-terminated. */
static int read_payload(int conn, struct exec_req *q)
{
	const struct al_exec_hdr *h = &q->h;
	if (h->argc == 0 || h->payload_len > AL_EXEC_MAX_PAYLOAD || h->argc + h->envc + 1 > h->payload_len)
		return -1;
	q->payload = malloc(h->payload_len + 1);
	q->argv = calloc(h->argc + 1, sizeof(char *));
	q->envp = calloc(h->envc + 1, sizeof(char *));
	if (!q->payload || !q->argv || !q->envp)
		return -1;
	if (al_read_all(conn, q->payload, h->payload_len) != (ssize_t)h->payload_len)
		return -1;
	q->payload[h->payload_len] = '\0';
	char *p = q->payload, *end = q->payload + h->payload_len;
	for (uint32_t i = 0; i < h->argc + h->envc + 1; i++) {
		char *nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			return -1;
		if (i < h->argc)
			q->argv[i] = p;
		else if (i < h->argc + h->envc)
			q->envp[i - h->argc] = p;
		else
			q->workdir = p;
		p = nul + 1;
	}
	return q->workdir[0] == '/' ? 0 : -1;
}

/* -t: a pty of the sandbox's own devpts; the master goes back to the caller. */
static int make_pty(int conn, struct exec_req *q)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int unlock = 0;
	if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return -1;
	q->slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (q->slave < 0)
		return -1;
	if (q->h.rows && q->h.cols) {
		struct winsize ws = {.ws_row = q->h.rows, .ws_col = q->h.cols};
		ioctl(master, TIOCSWINSZ, &ws);
	}
	reply(conn, AL_EXEC_PTY, 0, master, NULL);
	return 0;
}

static void add_slot(struct zygote *z, pid_t pid, int conn, bool detached)
{
	if (z->n == z->cap) {
		z->cap = z->cap ? 2 * z->cap : 8;
		z->slots = al_xrealloc(z->slots, z->cap * sizeof *z->slots);
	}
	z->slots[z->n++] = (struct exec_slot){pid, detached ? -1 : conn, detached};
	if (detached)
		close(conn);
}

/* airlock-runtime's start: the command runs now, with the pty made at create if there is one; pid 1
 * lets go of the caller's stdio, which is the command's alone from here. */
static void start_command(struct zygote *z, int conn)
{
	struct al_sandbox *sb = z->sb;
	if (!sb->detached_init || z->command > 0) {
		reply(conn, AL_EXEC_FAILED, AL_EXIT_ERROR, -1, "the container was already started");
		return;
	}
	pid_t pid = al_child_start_command(sb);
	if (pid < 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "cannot start the command: %s", strerror(-pid));
		reply(conn, AL_EXEC_FAILED, AL_EXIT_ERROR, -1, msg);
		return;
	}
	z->command = pid;
	al_closep(&sb->tty_slave);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; null >= 0 && fd < 3; fd++)
		dup2(null, fd);
	if (null > 2)
		close(null);
	if (sb->exec_errno) {
		char msg[128];
		snprintf(msg, sizeof msg, "exec %s: %s", sb->spec->argv[0], strerror(sb->exec_errno));
		reply(conn, AL_EXEC_FAILED,
		      sb->exec_errno == ENOENT ? AL_EXIT_NOT_FOUND : AL_EXIT_CANNOT_EXEC, -1, msg);
		return;
	}
	reply(conn, AL_EXEC_STARTED, pid, -1, NULL);
}

static void serve(struct zygote *z, int conn)
{
	struct exec_req q = {.fds = {-1, -1, -1}, .slave = -1};
	/* only the sandbox's owner can connect; still, a caller that stalls must not wedge pid 1 */
	struct timeval tv = {.tv_sec = 2};
	setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int hr = recv_header(conn, &q);
	if (hr == 0 && (q.h.flags & AL_EXEC_START)) {
		start_command(z, conn);
		goto fail;
	}
	if (hr == 0 && (q.h.flags & AL_EXEC_ROOT)) {
		/* an O_PATH fd: lookups from it walk the sandbox's own mounts, whoever holds it */
		int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		reply(conn, root >= 0 ? AL_EXEC_ROOTFD : AL_EXEC_FAILED, AL_EXIT_ERROR, root, "open /");
		if (root >= 0)
			close(root);
		goto fail;
	}
	if (hr < 0 || read_payload(conn, &q) < 0) {
		reply(conn, AL_EXEC_FAILED, AL_EXIT_ERROR, -1, "malformed exec request");
		goto fail;
	}
	if ((q.h.flags & AL_EXEC_TTY) && make_pty(conn, &q) < 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "-t: cannot make a pty: %s", strerror(errno));
		reply(conn, AL_EXEC_FAILED, AL_EXIT_ERROR, -1, msg);
		goto fail;
	}
	pid_t pid = vfork();
	if (pid == 0)
		exec_child(&q);
	if (pid < 0) {
		char msg[128];
		snprintf(msg, sizeof msg, "cannot start the process: %s", strerror(errno));
		reply(conn, AL_EXEC_FAILED, AL_EXIT_ERROR, -1, msg);
		goto fail;
	}
	reply(conn, AL_EXEC_STARTED, pid, -1, NULL);
	add_slot(z, pid, conn, q.h.flags & AL_EXEC_DETACH);
	req_release(&q);
	return;
fail:
	close(conn);
	req_release(&q);
}

/* A message from a waiting caller: a signal to forward; a hang-up kills what it started (an exec
 * dies with its client unless detached: nothing is left running behind a killed tool call). */
static void caller_event(struct exec_slot *s)
{
	struct al_exec_reply m;
	ssize_t n = recv(s->conn, &m, sizeof m, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == (ssize_t)sizeof m && m.kind == AL_EXEC_SIGNAL) {
		if (m.value > 0 && m.value < NSIG)
			kill(s->pid, m.value);
		return;
	}
	al_closep(&s->conn);
	kill(-s->pid, SIGKILL);
	kill(s->pid, SIGKILL);
}

void al_zygote_main(struct al_sandbox *sb, pid_t command)
{
	struct zygote z = {.sb = sb, .command = command};
	if (command > 0)
		al_closep(&sb->tty_slave);
	setup_signals(&z);
	reap(&z); /* the command may be gone already */
	for (;;) {
		size_t n = 2 + z.n;
		struct pollfd p[n];
		p[0] = (struct pollfd){z.sigfd, POLLIN, 0};
		p[1] = (struct pollfd){sb->exec_listen_fd, POLLIN, 0};
		for (size_t i = 0; i < z.n; i++)
			p[2 + i] = (struct pollfd){z.slots[i].conn, POLLIN, 0};
		if (poll(p, n, -1) < 0)
			continue;
		/* callers first: slots move when the reaper drops them */
		for (size_t i = z.n; i-- > 0;)
			if (p[2 + i].revents && z.slots[i].conn == p[2 + i].fd)
				caller_event(&z.slots[i]);
		if (p[0].revents)
			handle_signals(&z);
		if (p[1].revents) {
			int c = accept4(sb->exec_listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				serve(&z, c);
		}
	}
}
