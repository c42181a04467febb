/* launch.c: the launcher, parent side of one sandbox's life: prepare sources, cgroup and seccomp,
 * clone into new namespaces, map ids, supervise (timeout, signals, pty), classify the end, tear down. */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "egress_proc.h"
#include "overlay_root.h"
#include "paths.h"
#include "sandbox.h"
#include "tty.h"
#include "userns.h"
#include "util.h"

#define AL_CGROUP_ROOT	"/sys/fs/cgroup"
#define AL_DEFAULT_PIDS 4096

struct launch {
	struct al_sandbox sb;
	const struct al_run_hooks *hooks;
	const struct al_create_opts *create; /* airlock-runtime's create, else NULL */
	int own_ns[3];			     /* create: our network, ipc, uts namespaces while joined */
	struct al_cgroup *cg;
	struct al_tty tty;
	pid_t pid;
	int pidfd, sync_w, status_r, sigfd;
	sigset_t old_mask;
	bool timed_out, killed;
	uint64_t kill_deadline;	 /* when pid 1 gets SIGKILL if it has not exited after its command's kill */
	struct al_child_msg msg; /* how pid 1 said things ended */
	bool have_msg;
	pid_t proxy_pid;     /* the egress proxy, once pid 1 handed over its door */
	int egress_log_fd;   /* --egress-log, opened here, with the caller's rights */
	size_t *new_volumes; /* indexes of named volumes this call created */
	size_t n_new_volumes;
};

static const int handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGWINCH, SIGPIPE};

static void launch_init(struct launch *l, struct al_spec *spec)
{
	memset(l, 0, sizeof *l);
	l->sb.spec = spec;
	l->sb.sync_fd = l->sb.status_fd = l->sb.tty_slave = l->sb.rootfs_tree = l->sb.exec_listen_fd = -1;
	l->pidfd = l->sync_w = l->status_r = l->sigfd = l->egress_log_fd = -1;
	l->tty.master = -1;
	l->own_ns[0] = l->own_ns[1] = l->own_ns[2] = -1;
	l->sb.mount_src_fds = al_xcalloc(spec->n_mounts ? spec->n_mounts : 1, sizeof(int));
	l->new_volumes = al_xcalloc(spec->n_mounts ? spec->n_mounts : 1, sizeof(size_t));
	for (size_t i = 0; i < spec->n_mounts; i++)
		l->sb.mount_src_fds[i] = -1;
}

static void launch_release(struct launch *l)
{
	if (l->proxy_pid > 0) {
		kill(l->proxy_pid, SIGKILL);
		while (waitpid(l->proxy_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	al_closep(&l->egress_log_fd);
	al_cgroup_destroy(l->cg);
	l->cg = NULL;
	for (size_t i = 0; i < l->sb.spec->n_mounts; i++)
		al_closep(&l->sb.mount_src_fds[i]);
	free(l->sb.mount_src_fds);
	free(l->new_volumes);
	al_closep(&l->sb.sync_fd);
	al_closep(&l->sb.status_fd);
	al_closep(&l->pidfd);
	al_closep(&l->sync_w);
	al_closep(&l->status_r);
	al_closep(&l->sigfd);
	for (int i = 0; i < 3; i++)
		al_closep(&l->own_ns[i]);
	al_tty_close(&l->tty);
	al_bpf_free(&l->sb.bpf);
	sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

static int block_signals(struct launch *l, struct al_err *err)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < AL_ARRAY_SIZE(handled_signals); i++)
		sigaddset(&set, handled_signals[i]);
	if (sigprocmask(SIG_BLOCK, &set, &l->old_mask) < 0)
		return al_err_sys(err, errno, "block signals");
	l->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sigfd < 0)
		return al_err_sys(err, errno, "signalfd");
	return 0;
}

static int make_id(struct al_sandbox *sb, const struct al_run_hooks *hooks, struct al_err *err)
{
	if (hooks && hooks->id) {
		snprintf(sb->id, sizeof sb->id, "%.24s", hooks->id);
		return 0;
	}
	int r = al_random_hex(sb->id, 12);
	return r < 0 ? al_err_sys(err, -r, "random id") : 0;
}

/* Named volumes are created on first use, as docker's; those created by a run that then fails to
 * start are removed again, so that a failed call leaves nothing behind. */
static int create_named_volumes(struct launch *l, struct al_err *err)
{
	struct al_spec *spec = l->sb.spec;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		struct al_mount *m = &spec->mounts[i];
		if (m->kind != AL_MOUNT_BIND || !m->is_named)
			continue;
		_cleanup_free_ char *data = al_data_dir();
		_cleanup_free_ char *want = al_xasprintf("%s/volumes/%s", data, m->source);
		bool existed = access(want, F_OK) == 0;
		char *path;
		if (al_named_volume_path(m->source, &path, err) < 0)
			return -1;
		free(m->source);
		m->source = path;
		m->is_named = false;
		if (!existed)
			l->new_volumes[l->n_new_volumes++] = i;
	}
	return 0;
}

static void remove_new_volumes(struct launch *l)
{
	for (size_t k = 0; k < l->n_new_volumes; k++)
		rmdir(l->sb.spec->mounts[l->new_volumes[k]].source);
	l->n_new_volumes = 0;
}

static void apply_default_limits(struct al_spec *spec, enum al_cgroup_version v)
{
	if (!al_is_root() || v == AL_CGROUP_NONE)
		return; /* rootless without a delegated cgroup: only explicit limits, which then fail loudly
			 */
	if (spec->limits.pids == 0) {
		spec->limits.pids = AL_DEFAULT_PIDS;
		spec->limits.pids_defaulted = true;
	}
	if (spec->limits.memory == 0) {
		long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
		if (pages > 0 && size > 0) {
			spec->limits.memory = (int64_t)pages * size / 2;
			spec->limits.memory_defaulted = true;
		}
	}
}

static int check_cpus(const struct al_spec *spec, struct al_err *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (spec->limits.cpus_milli > ncpu * 1000)
		return al_err_set(err, EINVAL, "--cpus %.3f: this host has %ld CPUs",
				  spec->limits.cpus_milli / 1000.0, ncpu);
	return 0;
}

static int prepare_cgroup(struct launch *l, struct al_err *err)
{
	struct al_spec *spec = l->sb.spec;
	enum al_cgroup_version v = al_cgroup_detect(AL_CGROUP_ROOT);
	apply_default_limits(spec, v);
	al_cgroup_sweep(AL_CGROUP_ROOT, !al_is_root());
	if (l->create && l->create->cgroup_parent && al_is_root())
		return al_cgroup_create_in(AL_CGROUP_ROOT, l->create->cgroup_parent, l->create->id,
					   &spec->limits, &l->cg, err);
	return al_cgroup_create(AL_CGROUP_ROOT, l->sb.id, &spec->limits, !al_is_root(), &l->cg, err);
}

/* The id-mapping namespaces of one call, one per distinct volume owner (each costs a fork). */
struct owner_userns {
	uid_t uid;
	gid_t gid;
	int fd;
};

static int owner_userns(struct launch *l, struct owner_userns *cache, size_t *n, const struct stat *st,
			struct al_err *err)
{
	for (size_t k = 0; k < *n; k++)
		if (cache[k].uid == st->st_uid && cache[k].gid == st->st_gid)
			return cache[k].fd;
	int fd;
	uid_t su = l->sb.map.host_uid + (l->sb.spec->uid - l->sb.map.inside_uid);
	gid_t sg = l->sb.map.host_gid + (l->sb.spec->gid - l->sb.map.inside_gid);
	if (al_idmap_volume_userns(st->st_uid, st->st_gid, su, sg, &fd, err) < 0)
		return -1;
	cache[(*n)++] = (struct owner_userns){st->st_uid, st->st_gid, fd};
	return fd;
}

/* As root, the launcher opens every volume (the sandbox's root is an unprivileged host id that may not
 * even reach the source) and idmaps it: the volume's owner is the sandbox's user, so what the sandbox
 * writes to a rw volume belongs on the host to the volume's owner. A read-only volume on a filesystem
 * without idmap support is bound as it is; a read-write one is an error. */
static int prepare_volume_trees(struct launch *l, struct al_err *err)
{
	struct al_spec *spec = l->sb.spec;
	if (l->sb.map.rootless)
		return 0; /* the child opens them: same host id, and only it may clone mounts */
	struct owner_userns cache[spec->n_mounts ? spec->n_mounts : 1];
	size_t n_cache = 0;
	int r = 0;
	for (size_t i = 0; i < spec->n_mounts && r == 0; i++) {
		struct al_mount *m = &spec->mounts[i];
		struct stat st;
		if (m->kind != AL_MOUNT_BIND)
			continue;
		int t = open_tree(AT_FDCWD, m->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (t < 0 || fstat(t, &st) < 0) {
			r = al_err_sys(err, errno, "volume %s", m->source);
			if (t >= 0)
				close(t);
			break;
		}
		l->sb.mount_src_fds[i] = t;
		int userns = owner_userns(l, cache, &n_cache, &st, err);
		if (userns < 0) {
			r = al_err_prefix(err, "volume %s", m->source);
			break;
		}
		unsigned base = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->readonly ? MOUNT_ATTR_RDONLY : 0);
		struct mount_attr attr = {.attr_set = base | MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
		if (mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0)
			continue;
		if (!m->readonly) {
			r = al_err_sys(err, errno,
				       "volume %s: idmapped mount (does its filesystem support idmapping?)",
				       m->source);
			break;
		}
		attr = (struct mount_attr){.attr_set = base};
		if (mount_setattr(t, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
			r = al_err_sys(err, errno, "volume %s", m->source);
	}
	for (size_t k = 0; k < n_cache; k++)
		close(cache[k].fd);
	return r;
}

static int prepare_seccomp(struct launch *l, struct al_err *err)
{
	struct al_spec *spec = l->sb.spec;
	if (spec->seccomp_unconfined)
		return 0;
	_cleanup_free_ char *cache = spec->seccomp_profile ? al_cache_dir() : NULL;
	return al_seccomp_prepare(spec->seccomp_profile, cache, &l->sb.bpf, err);
}

static int make_pipes(struct launch *l, struct al_err *err)
{
	int sync[2], status[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return al_err_sys(err, errno, "pipe");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, status) < 0) {
		close(sync[0]);
		close(sync[1]);
		return al_err_sys(err, errno, "pipe");
	}
	l->sb.sync_fd = sync[0];
	l->sync_w = sync[1];
	l->status_r = status[0];
	l->sb.status_fd = status[1];
	return 0;
}

/* A detached clone of path, idmapped with the sandbox's own user namespace where its filesystem allows
 * (otherwise host ownership stays: files show as nobody), with attrs set. */
static int idmapped_tree(const char *path, int userns, unsigned attrs, const char *what, struct al_err *err)
{
	int tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return al_err_sys(err, errno, "%s %s", what, path);
	struct mount_attr attr = {.attr_set = attrs | MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (userns >= 0 && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) == 0)
		return tree;
	attr = (struct mount_attr){.attr_set = attrs};
	if (attrs && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0) {
		int e = errno;
		close(tree);
		return al_err_sys(err, e, "%s %s", what, path);
	}
	return tree;
}

static int send_tree(struct launch *l, int kind, int index, int tree, const char *what, struct al_err *err)
{
	struct al_child_msg msg = {.kind = kind, .status = index};
	int r = al_child_msg_send(l->status_r, &msg, tree);
	close(tree);
	return r < 0 ? al_err_sys(err, -r, "hand %s to the sandbox", what) : 0;
}

/* As root, the launcher opens the rootfs, or each layer of the image (the sandbox's root is an
 * unprivileged host id that may not reach them), and idmaps them with the sandbox's own user namespace,
 * so that their root-owned files belong to the sandbox's root as in a docker container (and
 * --read-only=false can modify a rootfs). Layers are read-only: the store is never written. The child
 * receives each tree as it comes, so that no socket buffer limits how many layers an image has. */
static int send_trees(struct launch *l, struct al_err *err)
{
	const struct al_spec *spec = l->sb.spec;
	if (l->sb.map.rootless || (!spec->rootfs && !spec->layers))
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)l->pid);
	_cleanup_close_ int userns = open(path, O_RDONLY | O_CLOEXEC);
	if (spec->rootfs) {
		int tree = -1;
		/* an overlay (docker's, podman's) cannot be idmapped: rebuilt from its idmapped layers when
		 * it is read-only; a writable one gets the host's ids from airlock-runtime instead */
		if (spec->read_only && al_overlay_is(spec->rootfs)) {
			struct al_err why = {0};
			tree = al_overlay_relayer(spec->rootfs, userns, &why);
		}
		if (tree < 0)
			tree = idmapped_tree(spec->rootfs, userns, 0, "rootfs", err);
		return tree < 0 ? -1 : send_tree(l, AL_LAUNCHER_ROOTFS, 0, tree, "the rootfs", err);
	}
	for (size_t i = 0; i < spec->n_layers; i++) {
		int tree = idmapped_tree(spec->layers[i], userns, MOUNT_ATTR_RDONLY, "image layer", err);
		if (tree < 0 || send_tree(l, AL_LAUNCHER_LAYER, (int)i, tree, "an image layer", err) < 0)
			return -1;
	}
	return 0;
}

static const int ns_types[3] = {CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS};

/* Back in our own namespaces once pid 1 exists in the joined ones: the runtime's hooks run there. */
static void return_to_own_namespaces(struct launch *l)
{
	for (int i = 0; i < 3; i++)
		if (l->own_ns[i] >= 0) {
			(void)setns(l->own_ns[i], ns_types[i]);
			al_closep(&l->own_ns[i]);
		}
}

static int start_child(struct launch *l, struct al_err *err)
{
	uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_PIDFD;
	if (l->sb.spec->network == AL_NET_NONE)
		flags |= CLONE_NEWNET;
	if (!l->sb.joined_ipc)
		flags |= CLONE_NEWIPC;
	if (!l->sb.joined_uts)
		flags |= CLONE_NEWUTS;
	struct clone_args args = {
	    .flags = flags,
	    .pidfd = (uint64_t)(uintptr_t)&l->pidfd,
	    .exit_signal = SIGCHLD,
	};
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0)
		return al_err_sys(err, errno, "clone3 into new namespaces");
	if (pid == 0)
		al_child_main(&l->sb);
	l->pid = (pid_t)pid;
	return_to_own_namespaces(l);
	al_closep(&l->sb.sync_fd);
	al_closep(&l->sb.status_fd);

	if (al_idmap_write(l->pid, &l->sb.map, err) < 0)
		return -1;
	if (send_trees(l, err) < 0)
		return -1;
	if (l->create && l->create->namespaces_ready &&
	    l->create->namespaces_ready(l->create->ctx, l->pid, err) < 0)
		return -1;
	if (write(l->sync_w, "g", 1) != 1)
		return al_err_sys(err, errno, "start the sandbox");
	return 0;
}

/* While the child builds its root (the other CPU), make the cgroup; the child waits for it before
 * it starts the command. */
static int place_in_cgroup(struct launch *l, struct al_err *err)
{
	if (prepare_cgroup(l, err) < 0)
		return -1;
	if (l->cg && al_cgroup_add_pid(l->cg, l->pid, err) < 0)
		return -1;
	if (write(l->sync_w, "c", 1) != 1)
		return al_err_sys(err, errno, "start the sandbox");
	al_closep(&l->sync_w);
	return 0;
}

#define AL_KILL_GRACE_NS (100 * 1000000ull)

static void kill_pid1(struct launch *l)
{
	syscall(SYS_pidfd_send_signal, l->pidfd, SIGKILL, NULL, 0);
}

/* The command (pid 1's children) dies first, so that pid 1 reaps it and its CPU time counts where no
 * cgroup measures it; pid 1, and with it everything left, follows at once or after a short grace. */
static void kill_sandbox(struct launch *l)
{
	if (l->kill_deadline) {
		kill_pid1(l);
		return;
	}
	char path[64], buf[4096];
	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)l->pid, (int)l->pid);
	ssize_t n = al_read_file_at(AT_FDCWD, path, buf, sizeof buf);
	char *p = buf, *end;
	for (long child; n > 0 && (child = strtol(p, &end, 10)) > 0; p = end)
		kill((pid_t)child, SIGKILL);
	if (n <= 0)
		kill_pid1(l);
	l->kill_deadline = al_now_ns() + AL_KILL_GRACE_NS;
}

static void relay(int from, int to, bool *open_flag)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof buf);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			*open_flag = false;
		return;
	}
	if (al_write_all(to, buf, (size_t)n) < 0)
		*open_flag = false;
}

static void handle_signals(struct launch *l)
{
	struct signalfd_siginfo si;
	while (read(l->sigfd, &si, sizeof si) == sizeof si) {
		int s = (int)si.ssi_signo;
		if (s == SIGWINCH)
			al_tty_resize(&l->tty);
		else if ((s == SIGINT || s == SIGTERM || s == SIGHUP) && !l->killed) {
			l->killed = true;
			kill_sandbox(l);
		}
	}
}

/* Egress: the proxy gets the door pid 1 opened in the sandbox's netns. If it cannot be started, the
 * sandbox does not run without it: set-up fails. */
static void start_proxy(struct launch *l, int door)
{
	const struct al_spec *spec = l->sb.spec;
	struct al_egress_spawn s = {
	    .spec = spec,
	    .sandbox = spec->name ? spec->name : l->sb.id,
	    .door_fd = door,
	    .control_fd = l->hooks ? l->hooks->egress_control_fd : -1,
	    .log_fd = l->egress_log_fd,
	    .uid = l->sb.map.rootless ? (uid_t)-1 : l->sb.map.host_uid,
	    .gid = l->sb.map.rootless ? (gid_t)-1 : l->sb.map.host_gid,
	};
	struct al_err err = {0};
	if (al_egress_spawn(&s, &l->proxy_pid, &err) == 0)
		return;
	l->msg = (struct al_child_msg){.kind = AL_CHILD_SETUP_FAILED, .errnum = err.errnum};
	snprintf(l->msg.msg, sizeof l->msg.msg, "%s", err.msg);
	l->have_msg = true;
	kill_pid1(l);
}

static int open_egress_log(struct launch *l, struct al_err *err)
{
	const char *path = l->sb.spec->egress_log;
	if (!path)
		return 0;
	l->egress_log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (l->egress_log_fd < 0)
		return al_err_sys(err, errno, "--egress-log %s", path);
	return 0;
}

/* One message from pid 1: the pty master, or how things ended (kept for collect). */
static void receive_child_msg(struct launch *l, bool *status_open)
{
	struct al_child_msg msg;
	int fd;
	ssize_t n = al_child_msg_recv(l->status_r, &msg, &fd);
	if (n == -EAGAIN)
		return;
	if (n <= 0) {
		*status_open = false;
		return;
	}
	if (msg.kind == AL_CHILD_PTY && fd >= 0 && l->sb.spec->tty && l->tty.master < 0) {
		l->tty.master = fd;
		al_tty_attach_caller(&l->tty);
		return;
	}
	if (msg.kind == AL_CHILD_EGRESS && fd >= 0 && l->proxy_pid == 0 && al_spec_egress(l->sb.spec)) {
		start_proxy(l, fd);
		close(fd);
		return;
	}
	if (fd >= 0)
		close(fd);
	if (msg.kind == AL_CHILD_STARTED && l->hooks && l->hooks->started) {
		struct al_err e = {0};
		msg.msg[sizeof msg.msg - 1] = '\0';
		if (msg.errnum)
			al_err_sys(&e, msg.errnum, "exec %s", l->sb.spec->argv[0]);
		l->hooks->started(l->hooks->ctx, l->pid, msg.errnum ? &e : NULL);
		return;
	}
	if ((msg.kind == AL_CHILD_EXITED || msg.kind == AL_CHILD_SETUP_FAILED) && !l->have_msg) {
		l->msg = msg;
		l->have_msg = true;
	}
}

/* Wait for pid 1 to end, relaying the pty and enforcing the timeout. */
static void supervise(struct launch *l, uint64_t start_ns)
{
	const struct al_spec *spec = l->sb.spec;
	bool master_open = false, stdin_open = false, status_open = true;
	uint64_t deadline = spec->timeout_ms ? start_ns + spec->timeout_ms * 1000000ull : 0;
	for (;;) {
		struct pollfd p[5] = {{l->pidfd, POLLIN, 0},
				      {l->sigfd, POLLIN, 0},
				      {-1, POLLIN, 0},
				      {-1, POLLIN, 0},
				      {-1, POLLIN, 0}};
		if (!master_open && l->tty.master >= 0)
			master_open = true, stdin_open = spec->interactive;
		if (master_open)
			p[2].fd = l->tty.master;
		if (stdin_open)
			p[3].fd = 0;
		if (status_open)
			p[4].fd = l->status_r;
		uint64_t next = deadline && !l->timed_out ? deadline : 0;
		if (l->kill_deadline && (!next || l->kill_deadline < next))
			next = l->kill_deadline;
		int timeout = -1;
		if (next) {
			uint64_t now = al_now_ns();
			timeout = now >= next ? 0 : (int)((next - now + 999999) / 1000000);
		}
		int n = poll(p, 5, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n == 0) {
			uint64_t now = al_now_ns();
			if (deadline && !l->timed_out && now >= deadline) {
				l->timed_out = true;
				kill_sandbox(l);
			} else if (l->kill_deadline && now >= l->kill_deadline) {
				kill_pid1(l);
			}
			continue;
		}
		if (p[1].revents)
			handle_signals(l);
		if (p[2].revents)
			relay(l->tty.master, 1, &master_open);
		if (p[3].revents)
			relay(0, l->tty.master, &stdin_open);
		if (p[4].revents)
			receive_child_msg(l, &status_open);
		if (p[0].revents)
			break;
	}
	while (status_open) /* pid 1 is gone: what it sent last is queued */
		receive_child_msg(l, &status_open);
	while (master_open) /* what the command wrote last */
		relay(l->tty.master, 1, &master_open);
}

static void classify(struct launch *l, const struct al_child_msg *msg, bool have_msg, int pid1_status,
		     struct al_result *res)
{
	struct al_cgroup_stats st = {0};
	if (l->cg)
		al_cgroup_stats(l->cg, &st);
	int ws = have_msg ? msg->status : pid1_status;
	if (WIFEXITED(ws) && have_msg) {
		res->exit_code = WEXITSTATUS(ws);
	} else {
		res->exit_code = -1;
		res->signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : SIGKILL;
	}
	bool failed = res->signal != 0 || res->exit_code != 0;
	if (l->timed_out)
		res->reason = AL_REASON_TIMEOUT;
	else if (l->killed)
		res->reason = AL_REASON_KILLED;
	else if (st.oom_killed && failed)
		res->reason = AL_REASON_OOM;
	else if (st.pids_max_hit && failed)
		res->reason = AL_REASON_PIDS_LIMIT;
	else if (res->signal)
		res->reason = AL_REASON_SIGNALED;
	else
		res->reason = AL_REASON_EXITED;
	if (st.cpu_usage_ns / 1000000 > res->cpu_ms)
		res->cpu_ms = st.cpu_usage_ns / 1000000;
}

static int collect(struct launch *l, struct al_result *res, uint64_t start_ns, struct al_err *err)
{
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(l->pid, &status, 0, &ru) < 0 && errno == EINTR)
		;
	res->wall_ms = (al_now_ns() - start_ns) / 1000000;
	res->cpu_ms = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
		      (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
	res->max_rss_kb = (uint64_t)ru.ru_maxrss;

	struct al_child_msg *msg = &l->msg;
	if (l->have_msg && msg->kind == AL_CHILD_SETUP_FAILED) {
		msg->msg[sizeof msg->msg - 1] = '\0';
		return al_err_set(err, msg->errnum, "%s", msg->msg);
	}
	classify(l, msg, l->have_msg && msg->kind == AL_CHILD_EXITED, status, res);
	return 0;
}

/* A write to pid 1 failed (EPIPE): it died, and said why on the status socket first. */
static void child_failure(struct launch *l, struct al_err *err)
{
	struct al_child_msg msg;
	int fd;
	ssize_t n;
	while (l->status_r >= 0 && (n = al_child_msg_recv(l->status_r, &msg, &fd)) > 0) {
		if (fd >= 0)
			close(fd);
		if (msg.kind == AL_CHILD_SETUP_FAILED) {
			msg.msg[sizeof msg.msg - 1] = '\0';
			al_err_set(err, msg.errnum, "%s", msg.msg);
			return;
		}
	}
}

/* Until pid 1 says it waits for start: the pty on the way, or why set-up failed. */
static int await_created(struct launch *l, struct al_err *err)
{
	const struct al_create_opts *o = l->create;
	for (;;) {
		struct pollfd p = {.fd = l->status_r, .events = POLLIN};
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return al_err_sys(err, errno, "poll");
		struct al_child_msg msg;
		int fd;
		ssize_t n = al_child_msg_recv(l->status_r, &msg, &fd);
		if (n == -EAGAIN || n == -EINTR)
			continue;
		if (n <= 0)
			return al_err_set(err, ECHILD, "the container's init exited during set-up");
		_cleanup_close_ int owned = fd;
		msg.msg[sizeof msg.msg - 1] = '\0';
		switch (msg.kind) {
		case AL_CHILD_PTY:
			if (fd >= 0 && o->console_fd >= 0 &&
			    al_tty_send_console(o->console_fd, fd, o->console_rows, o->console_cols, err) < 0)
				return -1;
			break;
		case AL_CHILD_SETUP_FAILED:
			return al_err_set(err, msg.errnum, "%s", msg.msg);
		case AL_CHILD_CREATED:
			return 0;
		}
	}
}

static int join_namespace(const char *path, int type, int *own, const char *what, struct al_err *err)
{
	if (!path)
		return 0;
	static const char *const self[] = {"/proc/self/ns/net", "/proc/self/ns/ipc", "/proc/self/ns/uts"};
	for (int i = 0; i < 3; i++)
		if (ns_types[i] == type && (*own = open(self[i], O_RDONLY | O_CLOEXEC)) < 0)
			return al_err_sys(err, errno, "%s", self[i]);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "%s namespace %s", what, path);
	if (setns(fd, type) < 0)
		return al_err_sys(err, errno, "join the %s namespace %s", what, path);
	return 0;
}

static int join_namespaces(struct launch *l, const struct al_create_opts *o, struct al_err *err)
{
	if (o->join_net && l->sb.spec->network != AL_NET_HOST)
		return al_err_set(err, EINVAL, "joining a network namespace needs the host network setting");
	if (join_namespace(o->join_net, CLONE_NEWNET, &l->own_ns[0], "network", err) < 0 ||
	    join_namespace(o->join_ipc, CLONE_NEWIPC, &l->own_ns[1], "ipc", err) < 0 ||
	    join_namespace(o->join_uts, CLONE_NEWUTS, &l->own_ns[2], "uts", err) < 0)
		return -1;
	l->sb.joined_ipc = o->join_ipc != NULL;
	l->sb.joined_uts = o->join_uts != NULL;
	return 0;
}

int al_create(struct al_spec *spec, const struct al_create_opts *o, pid_t *pid1, struct al_err *err)
{
	struct launch l;
	launch_init(&l, spec);
	sigprocmask(SIG_SETMASK, NULL, &l.old_mask);
	struct al_run_hooks hooks = {
	    .id = o->id, .exec_listen_fd = o->exec_listen_fd, .egress_control_fd = -1};
	l.hooks = &hooks;
	l.create = o;
	l.sb.exec_listen_fd = o->exec_listen_fd;
	l.sb.detached_init = true;
	spec->limits.freezer = true;
	int r = -1;
	if (al_spec_egress(spec)) {
		al_err_set(err, ENOTSUP, "egress rules are not available through the OCI runtime");
		goto out;
	}
	if (al_spec_validate(spec, err) < 0 || check_cpus(spec, err) < 0 || make_id(&l.sb, &hooks, err) < 0 ||
	    al_idmap_plan(spec, &l.sb.map, err) < 0 || al_spec_check_sources(spec, err) < 0 ||
	    prepare_seccomp(&l, err) < 0 || create_named_volumes(&l, err) < 0 ||
	    prepare_volume_trees(&l, err) < 0 || make_pipes(&l, err) < 0 || join_namespaces(&l, o, err) < 0)
		goto out;
	if (start_child(&l, err) < 0 || place_in_cgroup(&l, err) < 0 || await_created(&l, err) < 0 ||
	    (o->created && o->created(o->ctx, l.pid, err) < 0)) {
		if (err->errnum == EPIPE)
			child_failure(&l, err);
		if (l.pid > 0) {
			kill_pid1(&l);
			waitpid(l.pid, NULL, 0);
		}
		goto out;
	}
	*pid1 = l.pid;
	al_cgroup_release(l.cg); /* the group lives on with the container: delete removes it */
	l.cg = NULL;
	r = 0;
out:
	if (r < 0)
		remove_new_volumes(&l);
	launch_release(&l);
	return r;
}

int al_run(struct al_spec *spec, struct al_result *res, struct al_err *err)
{
	return al_run_hooked(spec, NULL, res, err);
}

int al_run_hooked(struct al_spec *spec, const struct al_run_hooks *hooks, struct al_result *res,
		  struct al_err *err)
{
	uint64_t start = al_now_ns();
	struct launch l;
	memset(res, 0, sizeof *res);
	launch_init(&l, spec);
	l.hooks = hooks;
	al_spec_apply_egress_env(spec);
	if (hooks) {
		l.sb.exec_listen_fd = hooks->exec_listen_fd;
		l.sb.report_start = hooks->started != NULL;
	}
	int r = -1;
	if (block_signals(&l, err) < 0 || al_spec_validate(spec, err) < 0 || check_cpus(spec, err) < 0 ||
	    make_id(&l.sb, hooks, err) < 0 || al_idmap_plan(spec, &l.sb.map, err) < 0 ||
	    al_spec_check_sources(spec, err) < 0 || open_egress_log(&l, err) < 0 ||
	    prepare_seccomp(&l, err) < 0 || create_named_volumes(&l, err) < 0 ||
	    prepare_volume_trees(&l, err) < 0 || make_pipes(&l, err) < 0)
		goto out;
	if (start_child(&l, err) < 0 || place_in_cgroup(&l, err) < 0) {
		if (l.pid > 0) {
			kill_pid1(&l);
			waitpid(l.pid, NULL, 0);
		}
		goto out;
	}
	supervise(&l, start);
	r = collect(&l, res, start, err);
out:
	if (r < 0)
		remove_new_volumes(&l);
	launch_release(&l);
	return r;
}
