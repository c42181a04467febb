/* child.c: the child pipeline, run as pid 1 of the sandbox: one ordered list of steps from bare
 * namespaces to a fully confined command, then the reaper loop that ends everything with the command. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "devices.h"
#include "etc_files.h"
#include "landlock.h"
#include "mounts.h"
#include "netns.h"
#include "rlimits.h"
#include "sandbox.h"
#include "util.h"

extern char **environ;

void al_child_fail(struct al_sandbox *sb, const struct al_err *err)
{
	struct al_child_msg msg = {.kind = AL_CHILD_SETUP_FAILED, .errnum = err->errnum};
	memcpy(msg.msg, err->msg, sizeof msg.msg);
	(void)al_child_msg_send(sb->status_fd, &msg, -1);
	_exit(AL_EXIT_ERROR);
}

/* Die with the launcher. The kernel forgets the parent-death signal at every credential change, so it
 * is armed again after each; a launcher that died in between is seen as a hung-up status socket. */
static int arm_parent_death(struct al_sandbox *sb, struct al_err *err)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return al_err_sys(err, errno, "parent-death signal");
	struct pollfd p = {.fd = sb->status_fd, .events = 0};
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
		_exit(AL_EXIT_ERROR);
	return 0;
}

/* One tree from the launcher: the rootfs, or layer `status` of the image. */
static void take_tree(struct al_sandbox *sb, const struct al_child_msg *msg, int fd)
{
	size_t i = (size_t)msg->status;
	if (msg->kind == AL_LAUNCHER_ROOTFS && sb->rootfs_tree < 0)
		sb->rootfs_tree = fd;
	else if (msg->kind == AL_LAUNCHER_LAYER && sb->layer_trees && msg->status >= 0 &&
		 i < sb->spec->n_layers && sb->layer_trees[i] < 0)
		sb->layer_trees[i] = fd;
	else if (fd >= 0)
		close(fd);
}

/* As root, the launcher sends the rootfs, or every layer of the image, as idmapped trees, one message
 * each, before the go byte: they are taken as they come, so the socket's buffer never fills. */
static void receive_trees(struct al_sandbox *sb)
{
	const struct al_spec *spec = sb->spec;
	size_t want = sb->map.rootless ? 0 : spec->rootfs ? 1 : spec->n_layers;
	if (want && spec->layers) {
		sb->layer_trees = al_xcalloc(spec->n_layers, sizeof(int));
		for (size_t i = 0; i < spec->n_layers; i++)
			sb->layer_trees[i] = -1;
	}
	for (size_t got = 0; got < want; got++) {
		struct pollfd p = {.fd = sb->status_fd, .events = POLLIN};
		struct al_child_msg msg;
		int fd;
		ssize_t n;
		do {
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				_exit(AL_EXIT_ERROR);
			n = al_child_msg_recv(sb->status_fd, &msg, &fd);
		} while (n == -EAGAIN || n == -EINTR);
		if (n <= 0)
			_exit(AL_EXIT_ERROR); /* the launcher is gone: nothing to report to */
		take_tree(sb, &msg, fd);
	}
}

/* Take the launcher's trees and wait for it to write our id maps. */
static int await_launcher(struct al_sandbox *sb, struct al_err *err)
{
	char go;
	if (arm_parent_death(sb, err) < 0)
		return -1;
	receive_trees(sb);
	if (read(sb->sync_fd, &go, 1) != 1)
		_exit(AL_EXIT_ERROR); /* the launcher is gone: nothing to report to */
	return 0;
}

/* The launcher makes the cgroup while we build the root; nothing of the command runs before we are in
 * it. Only then the cgroup namespace, so that the sandbox's cgroup is its root. */
static int await_cgroup(struct al_sandbox *sb, struct al_err *err)
{
	char go;
	if (read(sb->sync_fd, &go, 1) != 1)
		_exit(AL_EXIT_ERROR); /* the launcher failed, reports it and kills us */
	close(sb->sync_fd);
	if (unshare(CLONE_NEWCGROUP) < 0)
		return al_err_sys(err, errno, "cgroup namespace");
	return 0;
}

static int become_namespace_root(struct al_sandbox *sb, struct al_err *err)
{
	if (sb->map.rootless)
		return 0; /* the caller's own ids are already the mapped ones */
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		return al_err_sys(err, errno, "become root of the user namespace");
	return arm_parent_death(sb, err);
}

/* 127.0.0.1:AL_EGRESS_PORT inside: the launcher's egress proxy accepts on this socket from outside, so
 * the sandbox reaches the proxy and nothing else, with no interface but lo. */
static int open_egress_door(struct al_sandbox *sb, struct al_err *err)
{
	_cleanup_close_ int door = al_netns_proxy_listener(AL_EGRESS_PORT, err);
	if (door < 0)
		return -1;
	struct al_child_msg msg = {.kind = AL_CHILD_EGRESS};
	int r = al_child_msg_send(sb->status_fd, &msg, door);
	return r < 0 ? al_err_sys(err, -r, "egress: hand over the door") : 0;
}

static int private_namespaces(struct al_sandbox *sb, struct al_err *err)
{
	/* As docker: the default hostname is the first 12 characters of the id. */
	const char *host = sb->spec->hostname ? sb->spec->hostname : sb->id;
	size_t len = sb->spec->hostname ? strlen(host) : 12;
	if (!sb->joined_uts && sethostname(host, len) < 0)
		return al_err_sys(err, errno, "sethostname %s", host);
	if (sb->spec->network == AL_NET_NONE && al_netns_loopback_up(err) < 0)
		return -1;
	return al_spec_egress(sb->spec) ? open_egress_door(sb, err) : 0;
}

static int build_root(struct al_sandbox *sb, struct al_err *err)
{
	struct al_root_build b;
	int r = al_root_build(sb, &b, err);
	if (r == 0)
		r = al_etc_files(sb, &b, err);
	if (r == 0)
		r = al_dev_seal(err);
	if (r == 0)
		r = al_root_finalize(sb, &b, err);
	al_root_build_release(&b);
	if (r == 0)
		r = al_root_pivot(err);
	if (r == 0)
		r = al_path_rules_apply(sb->spec, err);
	return r;
}

static int enter_workdir(struct al_sandbox *sb, struct al_err *err)
{
	const char *wd = sb->spec->workdir ? sb->spec->workdir : "/";
	if (chdir(wd) < 0)
		return al_err_sys(err, errno, "workdir %s", wd);
	return 0;
}

/* -t: a pty of the sandbox's own devpts, so that ttyname() and /dev/pts/N work inside; the master
 * goes to the launcher, which relays it to the caller's terminal. */
static int make_pty(struct al_sandbox *sb, struct al_err *err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return al_err_sys(err, errno, "-t: open /dev/ptmx");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return al_err_sys(err, errno, "-t: unlock pty");
	sb->tty_slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (sb->tty_slave < 0)
		return al_err_sys(err, errno, "-t: open pty");
	struct al_child_msg msg = {.kind = AL_CHILD_PTY};
	int r = al_child_msg_send(sb->status_fd, &msg, master);
	if (r < 0)
		return al_err_sys(err, -r, "-t: hand over the pty");
	return 0;
}

/* The runtime's pid 1 with a terminal: the command gets the pty, and pid 1 lets go of the runtime's
 * stdio at once (a containerd shim reads the runtime's output until every holder has closed it). */
static int release_stdio(struct al_err *err)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "open /dev/null");
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return al_err_sys(err, errno, "release stdio");
	close(fd);
	return 0;
}

static int setup_stdio(struct al_sandbox *sb, struct al_err *err)
{
	if (sb->spec->tty)
		return make_pty(sb, err) < 0 || (sb->detached_init && release_stdio(err) < 0) ? -1 : 0;
	if (sb->spec->interactive)
		return 0;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "open /dev/null");
	if (dup2(fd, 0) < 0)
		return al_err_sys(err, errno, "stdin");
	close(fd);
	return 0;
}

/* Only stdio, the status pipe, the pty slave and the exec socket survive; all but stdio close at exec. */
static int close_inherited_fds(struct al_sandbox *sb, struct al_err *err)
{
	int keep[3] = {sb->status_fd, sb->tty_slave, sb->exec_listen_fd};
	for (size_t i = 0; i < 3; i++) /* sort: at most three */
		for (size_t j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	unsigned lo = 3;
	for (size_t i = 0; i < 3; i++) {
		if (keep[i] < 0)
			continue;
		if ((unsigned)keep[i] > lo && close_range(lo, (unsigned)keep[i] - 1, 0) < 0)
			return al_err_sys(err, errno, "close inherited fds");
		lo = (unsigned)keep[i] + 1;
	}
	if (close_range(lo, ~0U, 0) < 0)
		return al_err_sys(err, errno, "close inherited fds");
	if (fcntl(sb->status_fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    (sb->exec_listen_fd >= 0 && fcntl(sb->exec_listen_fd, F_SETFD, FD_CLOEXEC) < 0))
		return al_err_sys(err, errno, "status pipe");
	return 0;
}

/* What stays writable under Landlock: rw volumes, every tmpfs, and the host-root defaults. */
static int confine_filesystem(struct al_sandbox *sb, struct al_err *err)
{
	const struct al_spec *spec = sb->spec;
	const char *paths[spec->n_mounts + AL_N_HIDDEN_HOST_DIRS + 1];
	size_t n = 0;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (spec->mounts[i].kind == AL_MOUNT_TMPFS || !spec->mounts[i].readonly)
			paths[n++] = spec->mounts[i].target;
	if (!spec->rootfs && !spec->layers) /* the host's root: its hidden directories are tmpfs */
		for (size_t i = 0; i < AL_N_HIDDEN_HOST_DIRS; i++)
			paths[n++] = al_hidden_host_dirs[i];
	paths[n++] = "/dev/shm";
	if (!spec->landlock)
		return 0;
	return al_landlock_apply(paths, n, !spec->read_only, err) < 0 ? -1 : 0;
}

static int harden(struct al_sandbox *sb, struct al_err *err)
{
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return al_err_sys(err, errno, "non-dumpable");
	const struct al_spec *spec = sb->spec;
	struct al_caps caps = {spec->caps_keep, spec->caps_inheritable, spec->caps_ambient};
	if (al_creds_apply(spec->uid, spec->gid, &caps, spec->groups, spec->n_groups, !sb->map.rootless,
			   err) < 0 ||
	    arm_parent_death(sb, err) < 0)
		return -1;
	if (confine_filesystem(sb, err) < 0)
		return -1;
	if (sb->bpf.len) {
		int r = al_seccomp_install(&sb->bpf);
		if (r < 0)
			return al_err_sys(err, -r, "install seccomp filter");
	}
	return 0;
}

/* Runs in a vfork child: only async-signal-safe calls, then exec or _exit. */
__attribute__((noreturn)) static void exec_command(struct al_sandbox *sb)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	if (sb->tty_slave >= 0) {
		ioctl(sb->tty_slave, TIOCSCTTY, 0);
		for (int fd = 0; fd < 3; fd++)
			dup2(sb->tty_slave, fd);
		if (sb->tty_slave > 2)
			close(sb->tty_slave);
	}
	execvp(sb->spec->argv[0], sb->spec->argv); /* environ is the sandbox's: PATH is searched in it */
	int e = errno;
	sb->exec_errno = e; /* vfork: pid 1 reads it once we are gone */
	dprintf(2, "airlock: exec %s: %s\n", sb->spec->argv[0], strerror(e));
	_exit(e == ENOENT ? AL_EXIT_NOT_FOUND : AL_EXIT_CANNOT_EXEC);
}

/* pid 1: reap everything; when the command ends, report and exit, which makes the kernel kill
 * whatever is left in the pid namespace (daemonized orphans included). */
__attribute__((noreturn)) static void reap_until_command_exits(struct al_sandbox *sb, pid_t command)
{
	if (sb->tty_slave >= 0)
		close(sb->tty_slave);
	for (;;) {
		int status;
		pid_t p = waitpid(-1, &status, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p == command || p < 0) {
			struct al_child_msg msg = {.kind = AL_CHILD_EXITED, .status = p < 0 ? 0 : status};
			(void)al_child_msg_send(sb->status_fd, &msg, -1);
			_exit(0);
		}
	}
}

pid_t al_child_start_command(struct al_sandbox *sb)
{
	/* vfork: pid 1 has nothing to do until the command has exec'd, and sharing its memory spares
	 * copying the page tables, which is costly in a virtual machine. */
	sb->exec_errno = 0;
	pid_t command = vfork();
	if (command == 0)
		exec_command(sb);
	return command < 0 ? -errno : command;
}

/* airlock-runtime: from here pid 1 outlives the launcher. The parent-death signal goes first, then
 * the launcher is told; a launcher that died in between has hung up the status socket. */
/* Whether argv[0] can be exec'd, as execvp would find it in the command's own PATH: a create that
 * cannot start fails at create, in runc's words (podman and containerd read them: 127 vs 126). */
static int check_command(const struct al_sandbox *sb, struct al_err *err)
{
	const char *file = sb->spec->argv[0];
	if (strchr(file, '/')) {
		if (access(file, X_OK) == 0)
			return 0;
		return al_err_set(err, errno, "exec: \"%s\": stat %s: %s", file, file,
				  errno == ENOENT ? "no such file or directory" : strerror(errno));
	}
	const char *path = al_spec_getenv(sb->spec, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	bool denied = false;
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		char buf[4096];
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", file);
		if (access(buf, X_OK) == 0)
			return 0;
		denied = denied || errno == EACCES;
		p += n + (p[n] == ':');
	}
	if (denied)
		return al_err_set(err, EACCES, "exec: \"%s\": permission denied", file);
	return al_err_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", file);
}

__attribute__((noreturn)) static void wait_for_start(struct al_sandbox *sb)
{
	struct al_err err = {0};
	if (check_command(sb, &err) < 0)
		al_child_fail(sb, &err);
	if (prctl(PR_SET_PDEATHSIG, 0) < 0) {
		al_err_sys(&err, errno, "clear the parent-death signal");
		al_child_fail(sb, &err);
	}
	struct pollfd p = {.fd = sb->status_fd, .events = 0};
	if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
		_exit(AL_EXIT_ERROR);
	struct al_child_msg msg = {.kind = AL_CHILD_CREATED};
	if (al_child_msg_send(sb->status_fd, &msg, -1) < 0)
		_exit(AL_EXIT_ERROR);
	al_zygote_main(sb, 0);
}

void al_child_main(struct al_sandbox *sb)
{
	struct al_err err = {0};
	if (await_launcher(sb, &err) < 0 || become_namespace_root(sb, &err) < 0 ||
	    private_namespaces(sb, &err) < 0 || build_root(sb, &err) < 0 || enter_workdir(sb, &err) < 0 ||
	    setup_stdio(sb, &err) < 0 || al_rlimits_apply(sb->spec->rlimits, sb->spec->n_rlimits, &err) < 0 ||
	    await_cgroup(sb, &err) < 0 || close_inherited_fds(sb, &err) < 0 || harden(sb, &err) < 0)
		al_child_fail(sb, &err);

	al_reset_signal_handlers(); /* the command starts clean, whatever airlock's caller ignored */
	environ = sb->spec->env;
	if (sb->detached_init)
		wait_for_start(sb);
	pid_t command = al_child_start_command(sb);
	if (command < 0) {
		al_err_sys(&err, -command, "fork the command");
		al_child_fail(sb, &err);
	}
	if (sb->report_start) {
		struct al_child_msg msg = {
		    .kind = AL_CHILD_STARTED, .status = command, .errnum = sb->exec_errno};
		(void)al_child_msg_send(sb->status_fd, &msg, -1);
	}
	if (sb->exec_listen_fd >= 0)
		al_zygote_main(sb, command);
	reap_until_command_exits(sb, command);
}
