/* probe.c: the static probe that runs INSIDE an airlock sandbox, tries each attack of THREATS.md
 * and reports one line per check ("PASS name", "FAIL name: detail", "SKIP name: why"), plus helpers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sched.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#ifdef __x86_64__
#include <sys/io.h>
#endif

/* Inode numbers the kernel gives the initial namespaces (include/linux/proc_ns.h). */
#define INIT_IPC_INO	0xEFFFFFFFUL
#define INIT_UTS_INO	0xEFFFFFFEUL
#define INIT_USER_INO	0xEFFFFFFDUL
#define INIT_PID_INO	0xEFFFFFFCUL
#define INIT_CGROUP_INO 0xEFFFFFFBUL

#define TMPFS_MAGIC_NR 0x01021994
#define MAX_FDS	       256

/* ---------- result reporting ---------- */

/* A check accumulates problems and skips; one line is printed at the end. */
struct check_ctx {
	char fail[1536];
	char skip[512];
	int nfail, nskip, nok;
};

static int g_out = 1; /* where a check writes its line (a pipe to the parent runner) */

static void out_line(const char *s)
{
	size_t len = strlen(s);
	while (len > 0) {
		ssize_t n = write(g_out, s, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

__attribute__((format(printf, 2, 3))) static void bad(struct check_ctx *c, const char *fmt, ...)
{
	size_t used = strlen(c->fail);
	if (c->nfail++ > 0 && used + 2 < sizeof(c->fail)) {
		strcat(c->fail, "; ");
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	if (used < sizeof(c->fail))
		vsnprintf(c->fail + used, sizeof(c->fail) - used, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void skipped(struct check_ctx *c, const char *fmt, ...)
{
	size_t used = strlen(c->skip);
	if (c->nskip++ > 0 && used + 2 < sizeof(c->skip)) {
		strcat(c->skip, "; ");
		used += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	if (used < sizeof(c->skip))
		vsnprintf(c->skip + used, sizeof(c->skip) - used, fmt, ap);
	va_end(ap);
}

static void ok(struct check_ctx *c)
{
	c->nok++;
}

static void report(const char *name, const struct check_ctx *c)
{
	char line[2300];
	if (c->nfail)
		snprintf(line, sizeof(line), "FAIL %s: %s\n", name, c->fail);
	else if (c->nok == 0 && c->nskip)
		snprintf(line, sizeof(line), "SKIP %s: %s\n", name, c->skip);
	else
		snprintf(line, sizeof(line), "PASS %s\n", name);
	out_line(line);
}

/* `what` must fail: ret < 0. A success is a failure of the check (fd results are closed). */
static void must_fail(struct check_ctx *c, const char *what, long ret, bool is_fd)
{
	if (ret < 0) {
		ok(c);
		return;
	}
	bad(c, "%s succeeded", what);
	if (is_fd)
		close((int)ret);
}

/* ---------- small file helpers ---------- */

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	buf[got] = '\0';
	return (ssize_t)got;
}

/* The value after "Key:" in /proc/self/status (or another status file), trimmed. */
static bool status_field(const char *path, const char *key, char *val, size_t size)
{
	char buf[8192];
	if (read_file(path, buf, sizeof(buf)) < 0)
		return false;
	size_t klen = strlen(key);
	for (char *line = buf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			char *v = line + klen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			size_t n = strcspn(v, "\n");
			if (n >= size)
				n = size - 1;
			memcpy(val, v, n);
			val[n] = '\0';
			return true;
		}
	}
	return false;
}

static unsigned long long status_hex(const char *path, const char *key, bool *found)
{
	char v[64];
	*found = status_field(path, key, v, sizeof(v));
	return *found ? strtoull(v, NULL, 16) : 0;
}

static long status_long(const char *key, bool *found)
{
	char v[64];
	*found = status_field("/proc/self/status", key, v, sizeof(v));
	return *found ? strtol(v, NULL, 10) : -1;
}

static unsigned long ns_inode(const char *ns)
{
	char path[64];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (stat(path, &st) < 0)
		return 0;
	return (unsigned long)st.st_ino;
}

static bool path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Number of entries in a directory (without . and ..), -1 with errno if it cannot be listed. */
static int dir_count(const char *path, char *first, size_t size)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (n++ == 0 && first)
			snprintf(first, size, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

static bool is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* ---------- state captured at start, before the probe opens anything ---------- */

static int g_startup_fds[MAX_FDS];
static char g_startup_fd_targets[MAX_FDS][128];
static int g_n_startup_fds;

static void snapshot_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		g_n_startup_fds = -1;
		return;
	}
	int self = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d)) && g_n_startup_fds < MAX_FDS) {
		if (!is_digits(e->d_name))
			continue;
		int fd = atoi(e->d_name);
		if (fd == self)
			continue;
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(p, g_startup_fd_targets[g_n_startup_fds], 127);
		g_startup_fd_targets[g_n_startup_fds][n > 0 ? n : 0] = '\0';
		g_startup_fds[g_n_startup_fds++] = fd;
	}
	closedir(d);
}

/* ---------- the checks (THREATS.md 1-10) ---------- */

static void check_caps_zero(struct check_ctx *c)
{
	static const char *const sets[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"};
	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
		bool found;
		unsigned long long v = status_hex("/proc/self/status", sets[i], &found);
		if (!found)
			bad(c, "%s missing from /proc/self/status", sets[i]);
		else if (v)
			bad(c, "%s=%016llx", sets[i], v);
		else
			ok(c);
	}
}

static void check_nnp(struct check_ctx *c)
{
	bool found;
	long v = status_long("NoNewPrivs", &found);
	if (!found || v != 1)
		bad(c, "NoNewPrivs=%ld", v);
	else
		ok(c);
	int p = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (p != 1)
		bad(c, "PR_GET_NO_NEW_PRIVS=%d", p);
}

static void check_seccomp_mode(struct check_ctx *c)
{
	bool found;
	long v = status_long("Seccomp", &found);
	if (!found || v != 2)
		bad(c, "Seccomp=%ld (want 2, filter)", v);
	else
		ok(c);
}

static void check_map(struct check_ctx *c, const char *file)
{
	char buf[4096];
	if (read_file(file, buf, sizeof(buf)) < 0) {
		bad(c, "%s: %s", file, strerror(errno));
		return;
	}
	if (!buf[0]) {
		bad(c, "%s is empty", file);
		return;
	}
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long long in, outside, count;
		if (sscanf(line, "%llu %llu %llu", &in, &outside, &count) != 3) {
			bad(c, "%s: unparsable line '%s'", file, line);
			continue;
		}
		if (outside == 0)
			bad(c, "%s maps %llu to host id 0 (count %llu)", file, in, count);
		else
			ok(c);
	}
}

static void check_userns_mapped(struct check_ctx *c)
{
	unsigned long ino = ns_inode("user");
	if (ino == INIT_USER_INO)
		bad(c, "in the initial user namespace");
	check_map(c, "/proc/self/uid_map");
	check_map(c, "/proc/self/gid_map");
}

static void check_ns_private(struct check_ctx *c)
{
	static const struct {
		const char *ns;
		unsigned long init;
	} nss[] = {
	    {"user", INIT_USER_INO}, {"pid", INIT_PID_INO},	  {"uts", INIT_UTS_INO},
	    {"ipc", INIT_IPC_INO},   {"cgroup", INIT_CGROUP_INO},
	};
	for (size_t i = 0; i < sizeof(nss) / sizeof(*nss); i++) {
		unsigned long ino = ns_inode(nss[i].ns);
		if (!ino)
			bad(c, "cannot stat /proc/self/ns/%s: %s", nss[i].ns, strerror(errno));
		else if (ino == nss[i].init)
			bad(c, "%s namespace is the host's", nss[i].ns);
		else
			ok(c);
	}
}

/* Exec `path` (setuid or with file capabilities) and look at the credentials it ran with:
 * nothing may change (euid, saved uid, capabilities). Watched while running and as a zombie. */
static void setuid_try(struct check_ctx *c, const char *path)
{
	int errpipe[2], inpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0 || pipe(inpipe) < 0) {
		bad(c, "pipe: %s", strerror(errno));
		return;
	}
	uid_t ruid, euid, suid;
	getresuid(&ruid, &euid, &suid);
	pid_t pid = fork();
	if (pid < 0) {
		bad(c, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		dup2(inpipe[0], 0);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		char *const argv[] = {(char *)path, NULL};
		char *const envp[] = {(char *)"PATH=/usr/bin:/bin", NULL};
		execve(path, argv, envp);
		int e = errno;
		if (write(errpipe[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(errpipe[1]);
	close(inpipe[0]);
	int e = 0;
	ssize_t n = read(errpipe[0], &e, sizeof(e));
	close(errpipe[0]);
	if (n == sizeof(e)) {
		skipped(c, "exec %s: %s", path, strerror(e));
		close(inpipe[1]);
		waitpid(pid, NULL, 0);
		return;
	}
	char st[64], exe[64];
	snprintf(st, sizeof(st), "/proc/%d/status", pid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	struct stat target;
	if (stat(path, &target) < 0)
		memset(&target, 0, sizeof(target));
	bool gained = false, seen = false;
	int after_exec = 0;
	char detail[256] = "";
	/* Credentials are fixed at exec: a few looks after the exec are enough (a program that drops
	 * them later would have shown them first). */
	for (int i = 0; i < 2000 && !gained && after_exec < 20; i++) {
		struct stat now;
		if (stat(exe, &now) == 0 && now.st_dev == target.st_dev && now.st_ino == target.st_ino)
			after_exec++;
		siginfo_t si = {0};
		bool exited =
		    waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
		char uidline[128];
		bool f1, f2;
		if (status_field(st, "Uid", uidline, sizeof(uidline))) {
			unsigned long long prm = status_hex(st, "CapPrm", &f1);
			unsigned long long eff = status_hex(st, "CapEff", &f2);
			unsigned r, ef, sv, fs;
			if (sscanf(uidline, "%u %u %u %u", &r, &ef, &sv, &fs) == 4) {
				seen = true;
				if (ef != euid || sv != suid || fs != euid || prm || eff) {
					gained = true;
					snprintf(detail, sizeof(detail),
						 "%s ran with Uid '%s' CapPrm=%llx CapEff=%llx (was euid %u)",
						 path, uidline, prm, eff, (unsigned)euid);
				}
			}
		}
		if (exited)
			break;
		usleep(1000);
	}
	close(inpipe[1]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (gained)
		bad(c, "%s", detail);
	else if (seen)
		ok(c);
	else
		skipped(c, "%s: could not observe its credentials", path);
}

static void check_setuid_nogain(struct check_ctx *c)
{
	static const char *const cands[] = {
	    "/usr/bin/passwd",	"/bin/su",	  "/usr/bin/su",   "/usr/bin/newgrp", "/usr/bin/chsh",
	    "/usr/bin/gpasswd", "/usr/bin/mount", "/usr/bin/ping", "/bin/ping",	      "/usr/bin/sudo"};
	for (size_t i = 0; i < sizeof(cands) / sizeof(*cands); i++) {
		struct stat st;
		if (stat(cands[i], &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		bool fcaps = getxattr(cands[i], "security.capability", NULL, 0) > 0;
		if (!(st.st_mode & (S_ISUID | S_ISGID)) && !fcaps)
			continue;
		setuid_try(c, cands[i]);
	}
	if (!c->nok && !c->nfail && !c->nskip)
		skipped(c, "no setuid or file-capability binary found");
}

static void check_mount_denied(struct check_ctx *c)
{
	const char *t = path_exists("/tmp") ? "/tmp" : "/dev";
	long r = mount("airlock-probe", t, "tmpfs", 0, "size=1m");
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "mount tmpfs", r, false);
	r = mount("/", t, NULL, MS_BIND | MS_REC, NULL);
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "bind mount of /", r, false);
	r = mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL);
	if (r == 0)
		mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
	must_fail(c, "remount / read-write", r, false);
	r = mount("proc", t, "proc", 0, NULL);
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "mount proc", r, false);
}

static void check_mount_newapi(struct check_ctx *c)
{
	must_fail(c, "fsopen(tmpfs)", syscall(SYS_fsopen, "tmpfs", 0), true);
	must_fail(c, "open_tree(/, OPEN_TREE_CLONE)",
		  syscall(SYS_open_tree, AT_FDCWD, "/", 1 /* OPEN_TREE_CLONE */), true);
	must_fail(c, "fspick(/)", syscall(SYS_fspick, AT_FDCWD, "/", 0), true);
	struct {
		uint64_t set, clr, prop, userns;
	} attr = {.set = 0x2 /* MOUNT_ATTR_NOSUID */};
	must_fail(c, "mount_setattr(/)", syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &attr, sizeof(attr)),
		  false);
}

static void check_umount_denied(struct check_ctx *c)
{
	must_fail(c, "umount2(/proc)", umount2("/proc", MNT_DETACH), false);
	must_fail(c, "umount2(/)", umount2("/", MNT_DETACH), false);
}

static void check_pivot_root_denied(struct check_ctx *c)
{
	must_fail(c, "pivot_root(/, /)", syscall(SYS_pivot_root, "/", "/"), false);
}

static void check_chroot_denied(struct check_ctx *c)
{
	must_fail(c, "chroot(/)", chroot("/"), false);
}

static void check_swapon_denied(struct check_ctx *c)
{
	must_fail(c, "swapon(/dev/null)", swapon("/dev/null", 0), false);
	must_fail(c, "swapoff(/dev/null)", swapoff("/dev/null"), false);
}

static void check_kexec_denied(struct check_ctx *c)
{
	/* A bogus architecture in flags: even a privileged caller gets EINVAL, never an unload. */
	must_fail(c, "kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0x7fff0000UL), false);
#ifdef SYS_kexec_file_load
	must_fail(c, "kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0UL), false);
#endif
}

static void check_module_denied(struct check_ctx *c)
{
	must_fail(c, "init_module", syscall(SYS_init_module, NULL, 0UL, ""), false);
	must_fail(c, "finit_module", syscall(SYS_finit_module, -1, "", 0), false);
}

static void check_open_by_handle_denied(struct check_ctx *c)
{
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h;
	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = 128;
	int mount_id;
	if (name_to_handle_at(AT_FDCWD, "/", &h.fh, &mount_id, 0) < 0) {
		h.fh.handle_bytes = 8;
		h.fh.handle_type = 1;
	}
	int root = open("/", O_RDONLY | O_DIRECTORY);
	must_fail(c, "open_by_handle_at", open_by_handle_at(root, &h.fh, O_RDONLY), true);
	if (root >= 0)
		close(root);
}

static void check_bpf_denied(struct check_ctx *c)
{
	uint32_t attr[32];
	memset(attr, 0, sizeof(attr));
	attr[0] = 2; /* BPF_MAP_TYPE_ARRAY */
	attr[1] = 4;
	attr[2] = 4;
	attr[3] = 1;
	must_fail(c, "bpf(BPF_MAP_CREATE)", syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof(attr)),
		  true);
}

static void check_perf_denied(struct check_ctx *c)
{
	/* struct perf_event_attr, v8 layout: type, size, config, then flags at offset 40. */
	unsigned char attr[136];
	memset(attr, 0, sizeof(attr));
	uint32_t type = 1 /* PERF_TYPE_SOFTWARE */, size = sizeof(attr);
	uint64_t config = 1 /* PERF_COUNT_SW_TASK_CLOCK */;
	uint64_t flags = (1ULL << 0) | (1ULL << 5) | (1ULL << 6); /* disabled, exclude_kernel, exclude_hv */
	memcpy(attr, &type, 4);
	memcpy(attr + 4, &size, 4);
	memcpy(attr + 8, &config, 8);
	memcpy(attr + 40, &flags, 8);
	must_fail(c, "perf_event_open", syscall(SYS_perf_event_open, attr, 0, -1, -1, 0UL), true);
}

static void check_userfaultfd_denied(struct check_ctx *c)
{
	/* UFFD_USER_MODE_ONLY (1) is allowed to unprivileged users even when the sysctl is 0. */
	must_fail(c, "userfaultfd(USER_MODE_ONLY)", syscall(SYS_userfaultfd, O_CLOEXEC | 1), true);
	must_fail(c, "userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC), true);
}

static void check_io_uring_denied(struct check_ctx *c)
{
	unsigned char params[120];
	memset(params, 0, sizeof(params));
	must_fail(c, "io_uring_setup", syscall(SYS_io_uring_setup, 1, params), true);
}

static void check_keyring_denied(struct check_ctx *c)
{
	must_fail(c, "keyctl(GET_KEYRING_ID, session, create)", syscall(SYS_keyctl, 0, -3, 1), false);
	must_fail(c, "add_key", syscall(SYS_add_key, "user", "airlock-probe", "x", 1UL, -2 /* process */),
		  false);
	long r = syscall(SYS_request_key, "user", "airlock-probe-none", NULL, 0);
	if (r >= 0)
		bad(c, "request_key succeeded");
	else if (errno == ENOKEY || errno == EKEYREVOKED || errno == EKEYEXPIRED)
		bad(c, "request_key reached the keyring (%s)", strerror(errno));
	else
		ok(c);
}

static pid_t raw_clone(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0UL, NULL, NULL, 0UL);
}

static void check_userns_denied(struct check_ctx *c)
{
	must_fail(c, "unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), false);
	pid_t p = raw_clone(CLONE_NEWUSER);
	if (p == 0)
		syscall(SYS_exit_group, 0);
	if (p > 0)
		waitpid(p, NULL, 0);
	must_fail(c, "clone(CLONE_NEWUSER)", p, false);
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} args;
	memset(&args, 0, sizeof(args));
	args.flags = CLONE_NEWUSER;
	args.exit_signal = SIGCHLD;
	p = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	if (p == 0)
		syscall(SYS_exit_group, 0);
	if (p > 0)
		waitpid(p, NULL, 0);
	must_fail(c, "clone3(CLONE_NEWUSER)", p, false);
}

static void check_unshare_denied(struct check_ctx *c)
{
	must_fail(c, "unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS), false);
	must_fail(c, "unshare(CLONE_NEWNET)", unshare(CLONE_NEWNET), false);
	must_fail(c, "unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS), false);
	must_fail(c, "unshare(CLONE_NEWPID)", unshare(CLONE_NEWPID), false);
}

static void check_clock_denied(struct check_ctx *c)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	must_fail(c, "clock_settime(REALTIME)", clock_settime(CLOCK_REALTIME, &ts), false);
}

static void check_ioperm_denied(struct check_ctx *c)
{
#ifdef __x86_64__
	must_fail(c, "iopl(3)", iopl(3), false);
	must_fail(c, "ioperm(0x80)", ioperm(0x80, 1, 1), false);
#else
	skipped(c, "not x86_64");
#endif
}

static void check_syslog_denied(struct check_ctx *c)
{
	char buf[256];
	must_fail(c, "syslog(SIZE_BUFFER)", klogctl(10, NULL, 0), false);
	must_fail(c, "syslog(READ_ALL)", klogctl(3, buf, sizeof(buf)), false);
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	must_fail(c, "open /dev/kmsg", fd, true);
}

static void check_socket_raw_denied(struct check_ctx *c)
{
	must_fail(c, "socket(AF_INET, SOCK_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), true);
	must_fail(c, "socket(AF_INET, SOCK_RAW, IPPROTO_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_RAW), true);
	must_fail(c, "socket(AF_INET6, SOCK_RAW)", socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), true);
	must_fail(c, "socket(AF_PACKET, SOCK_RAW)",
		  socket(17 /* AF_PACKET */, SOCK_RAW, htons(3 /* ETH_P_ALL */)), true);
}

/* Never writes: opening for write is enough to show the file is writable. */
static void must_not_open_write(struct check_ctx *c, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		bad(c, "%s opens for writing", path);
	} else if (errno == ENOENT) {
		skipped(c, "%s absent", path);
	} else {
		ok(c);
	}
}

static void check_procsys_ro(struct check_ctx *c)
{
	static const char *const files[] = {
	    "/proc/sys/kernel/hostname",	"/proc/sys/kernel/domainname",
	    "/proc/sys/kernel/core_pattern",	"/proc/sys/vm/overcommit_memory",
	    "/proc/sys/net/ipv4/ip_forward",	"/proc/sys/user/max_user_namespaces",
	    "/proc/sys/fs/binfmt_misc/register"};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++)
		must_not_open_write(c, files[i]);
	struct statvfs sv;
	if (statvfs("/proc/sys", &sv) == 0 && !(sv.f_flag & ST_RDONLY))
		bad(c, "/proc/sys is not a read-only mount");
}

static void check_proc_ro(struct check_ctx *c)
{
	static const char *const dirs[] = {"/proc/bus", "/proc/fs", "/proc/irq"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		struct statvfs sv;
		if (statvfs(dirs[i], &sv) < 0)
			continue;
		if (!(sv.f_flag & ST_RDONLY))
			bad(c, "%s is not read-only", dirs[i]);
		else
			ok(c);
	}
	must_not_open_write(c, "/proc/irq/default_smp_affinity");
}

static void check_sysrq_denied(struct check_ctx *c)
{
	must_not_open_write(c, "/proc/sysrq-trigger");
}

static void check_sys_ro(struct check_ctx *c)
{
	struct statvfs sv;
	if (statvfs("/sys", &sv) < 0) {
		ok(c); /* no /sys at all */
		return;
	}
	if (!(sv.f_flag & ST_RDONLY))
		bad(c, "/sys is not a read-only mount");
	else
		ok(c);
	must_not_open_write(c, "/sys/kernel/uevent_helper");
	must_not_open_write(c, "/sys/kernel/mm/transparent_hugepage/enabled");
	must_not_open_write(c, "/sys/power/state");
	if (statvfs("/sys/fs/cgroup", &sv) == 0 && !(sv.f_flag & ST_RDONLY))
		bad(c, "/sys/fs/cgroup is not a read-only mount");
}

/* A masked file is absent, unopenable, or reads as empty. */
static void masked_file(struct check_ctx *c, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ok(c);
		return;
	}
	char b[64];
	ssize_t n = read(fd, b, sizeof(b));
	close(fd);
	if (n > 0)
		bad(c, "%s readable (%zd bytes)", path, n);
	else
		ok(c);
}

/* A masked directory is absent, unlistable, or empty. */
static void masked_dir(struct check_ctx *c, const char *path)
{
	char first[256] = "";
	int n = dir_count(path, first, sizeof(first));
	if (n > 0)
		bad(c, "%s lists %d entries (e.g. %s)", path, n, first);
	else
		ok(c);
}

static void check_proc_kcore(struct check_ctx *c)
{
	masked_file(c, "/proc/kcore");
}

static void check_proc_masked(struct check_ctx *c)
{
	static const char *const files[] = {"/proc/keys",	   "/proc/timer_list",	"/proc/sched_debug",
					    "/proc/latency_stats", "/proc/timer_stats", "/proc/kmsg"};
	static const char *const dirs[] = {"/proc/acpi", "/proc/scsi", "/proc/asound"};
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++)
		masked_file(c, files[i]);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		masked_dir(c, dirs[i]);
}

static void check_sys_firmware(struct check_ctx *c)
{
	masked_dir(c, "/sys/firmware");
	masked_dir(c, "/sys/devices/virtual/powercap");
}

static void try_create(struct check_ctx *c, const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		skipped(c, "%s absent", dir);
		return;
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%sairlock-probe-%d", dir, strcmp(dir, "/") ? "/" : "", getpid());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		unlink(path);
		bad(c, "created %s", path);
	} else if (errno == EROFS || errno == EACCES || errno == EPERM) {
		ok(c);
	} else {
		bad(c, "create %s: unexpected %s", path, strerror(errno));
	}
	if (mkdir(path, 0700) == 0) {
		rmdir(path);
		bad(c, "mkdir %s succeeded", path);
	}
}

static void check_rootfs_ro(struct check_ctx *c)
{
	static const char *const dirs[] = {"/", "/etc", "/usr", "/bin", "/usr/bin", "/lib", "/opt", "/sbin"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		try_create(c, dirs[i]);
	int fd = open("/etc/passwd", O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		bad(c, "/etc/passwd opens for writing");
	}
}

static void check_secrets_hidden(struct check_ctx *c)
{
	/* Only the host's secrets are hidden: an image's own /etc/shadow belongs to its root, as in docker.
	 */
	const char *hostroot = getenv("AIRLOCK_PROBE_HOSTROOT");
	if (!hostroot || strcmp(hostroot, "1")) {
		skipped(c, "AIRLOCK_PROBE_HOSTROOT not set (a --rootfs keeps its own files)");
		return;
	}
	const char *files[64] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-"};
	size_t n = 4;
	static char keys[48][300];
	size_t nk = 0;
	DIR *d = opendir("/etc/ssh");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) && nk < 48) {
			size_t len = strlen(e->d_name);
			if (strncmp(e->d_name, "ssh_host_", 9) ||
			    (len > 4 && !strcmp(e->d_name + len - 4, ".pub")))
				continue;
			snprintf(keys[nk], sizeof(keys[nk]), "/etc/ssh/%s", e->d_name);
			files[n++] = keys[nk++];
		}
		closedir(d);
	}
	for (size_t i = 0; i < n; i++) {
		int fd = open(files[i], O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0) {
			ok(c);
			continue;
		}
		char b[16];
		ssize_t got = read(fd, b, sizeof(b));
		close(fd);
		if (got > 0)
			bad(c, "%s is readable", files[i]);
		else
			ok(c);
	}
}

static void check_hostroot_empty(struct check_ctx *c)
{
	const char *e = getenv("AIRLOCK_PROBE_HOSTROOT");
	if (!e || strcmp(e, "1")) {
		skipped(c, "AIRLOCK_PROBE_HOSTROOT not set");
		return;
	}
	static const char *const dirs[] = {"/home", "/root", "/run",   "/var",
					   "/tmp",  "/mnt",  "/media", "/srv"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		char first[256] = "";
		int n = dir_count(dirs[i], first, sizeof(first));
		if (n < 0 && errno == ENOENT)
			ok(c);
		else if (n < 0)
			bad(c, "%s: %s", dirs[i], strerror(errno));
		else if (n > 0)
			bad(c, "%s is not empty (%s)", dirs[i], first);
		else
			ok(c);
	}
}

static void check_fds_none(struct check_ctx *c)
{
	if (g_n_startup_fds < 0) {
		bad(c, "cannot list /proc/self/fd");
		return;
	}
	for (int i = 0; i < g_n_startup_fds; i++) {
		if (g_startup_fds[i] <= 2)
			continue;
		bad(c, "fd %d open (%s)", g_startup_fds[i], g_startup_fd_targets[i]);
	}
	ok(c);
}

static void check_cwd_inside(struct check_ctx *c)
{
	char buf[PATH_MAX];
	long r = syscall(SYS_getcwd, buf, sizeof(buf));
	if (r < 0) {
		bad(c, "getcwd: %s", strerror(errno));
		return;
	}
	if (buf[0] != '/') {
		bad(c, "cwd is '%s'", buf);
		return;
	}
	struct stat a, b;
	if (stat(".", &a) < 0 || stat(buf, &b) < 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
		bad(c, "cwd '%s' does not resolve to the working directory", buf);
	else
		ok(c);
	char root[PATH_MAX];
	ssize_t n = readlink("/proc/self/root", root, sizeof(root) - 1);
	if (n >= 0) {
		root[n] = '\0';
		if (strcmp(root, "/"))
			bad(c, "/proc/self/root is '%s'", root);
	}
	/* ".." from the root must stay the root. */
	if (stat("/", &a) == 0 && stat("/../../..", &b) == 0 &&
	    (a.st_dev != b.st_dev || a.st_ino != b.st_ino))
		bad(c, "/../../.. is not /");
}

static bool pid1_is_probe(void)
{
	if (getpid() == 1)
		return true;
	char a[PATH_MAX], b[PATH_MAX];
	ssize_t na = readlink("/proc/self/exe", a, sizeof(a) - 1);
	ssize_t nb = readlink("/proc/1/exe", b, sizeof(b) - 1);
	if (na < 0 || nb < 0)
		return false;
	a[na] = b[nb] = '\0';
	struct stat sa, sb;
	/* Same file is what matters: stat through the links. */
	return stat("/proc/self/exe", &sa) == 0 && stat("/proc/1/exe", &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

static void check_exe_protected(struct check_ctx *c)
{
	int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
	must_fail(c, "open /proc/self/exe for writing", fd, true);
	fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
	must_fail(c, "open /proc/1/exe for writing", fd, true);
	if (pid1_is_probe())
		return;
	fd = open("/proc/1/exe", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		char t[PATH_MAX];
		ssize_t n = readlink("/proc/1/exe", t, sizeof(t) - 1);
		t[n > 0 ? n : 0] = '\0';
		close(fd);
		bad(c, "/proc/1/exe (pid 1 is not the probe) opens for reading -> '%s'", t);
	} else {
		ok(c);
	}
}

static void check_proc1_fds(struct check_ctx *c)
{
	if (pid1_is_probe()) {
		skipped(c, "pid 1 is the probe");
		return;
	}
	DIR *d = opendir("/proc/1/fd");
	if (!d) {
		ok(c);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_digits(e->d_name))
			continue;
		char p[300], t[PATH_MAX];
		snprintf(p, sizeof(p), "/proc/1/fd/%s", e->d_name);
		ssize_t n = readlink(p, t, sizeof(t) - 1);
		t[n > 0 ? n : 0] = '\0';
		int fd = open(p, O_PATH | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)))
			bad(c, "pid 1 fd %s reachable: %s", e->d_name, t);
		close(fd);
	}
	closedir(d);
	ok(c);
}

static void check_dev_minimal(struct check_ctx *c)
{
	static const struct {
		const char *name;
		char type;
		unsigned maj, min;
	} allowed[] = {
	    {"null", 'c', 1, 3},
	    {"zero", 'c', 1, 5},
	    {"full", 'c', 1, 7},
	    {"random", 'c', 1, 8},
	    {"urandom", 'c', 1, 9},
	    {"tty", 'c', 5, 0},
	    {"ptmx", '*', 5, 2},
	    {"pts", 'd', 0, 0},
	    {"shm", 'd', 0, 0},
	    {"fd", 'l', 0, 0},
	    {"stdin", 'l', 0, 0},
	    {"stdout", 'l', 0, 0},
	    {"stderr", 'l', 0, 0},
	    {"console", 'c', 136, 0 /* any pts */},
	    {"mqueue", 'd', 0, 0 /* an OCI config's: the sandbox's own ipc namespace */},
	};
	DIR *d = opendir("/dev");
	if (!d) {
		bad(c, "cannot list /dev: %s", strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[300];
		snprintf(p, sizeof(p), "/dev/%s", e->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		size_t i;
		for (i = 0; i < sizeof(allowed) / sizeof(*allowed); i++)
			if (!strcmp(allowed[i].name, e->d_name))
				break;
		if (i == sizeof(allowed) / sizeof(*allowed)) {
			bad(c, "unexpected /dev/%s", e->d_name);
			continue;
		}
		char want = allowed[i].type;
		bool type_ok = want == '*'   ? (S_ISCHR(st.st_mode) || S_ISLNK(st.st_mode))
			       : want == 'c' ? S_ISCHR(st.st_mode) ||
						   (!strcmp(e->d_name, "console") && S_ISLNK(st.st_mode))
			       : want == 'd' ? S_ISDIR(st.st_mode)
					     : S_ISLNK(st.st_mode);
		if (!type_ok) {
			bad(c, "/dev/%s has an unexpected type (mode %o)", e->d_name, st.st_mode);
			continue;
		}
		if (S_ISCHR(st.st_mode) && strcmp(e->d_name, "console") &&
		    (major(st.st_rdev) != allowed[i].maj || minor(st.st_rdev) != allowed[i].min))
			bad(c, "/dev/%s is device %u:%u", e->d_name, major(st.st_rdev), minor(st.st_rdev));
		else
			ok(c);
	}
	closedir(d);
	const char *t = path_exists("/dev/shm") ? "/dev/shm/airlock-probe-node" : "/tmp/airlock-probe-node";
	if (mknod(t, S_IFCHR | 0600, makedev(1, 3)) == 0) {
		unlink(t);
		bad(c, "mknod of a character device succeeded");
	}
}

static void check_cgroupfs_denied(struct check_ctx *c)
{
	const char *t = path_exists("/tmp") ? "/tmp" : "/dev";
	long r = mount("cgroup", t, "cgroup", 0, "memory");
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "mount cgroup (v1)", r, false);
	r = mount("cgroup", t, "cgroup", 0, "none,name=airlockprobe");
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "mount cgroup (v1 named)", r, false);
	r = mount("cgroup2", t, "cgroup2", 0, NULL);
	if (r == 0)
		umount2(t, MNT_DETACH);
	must_fail(c, "mount cgroup2", r, false);
}

static void check_pidns_private(struct check_ctx *c)
{
	pid_t me = getpid();
	if (me > 1000)
		bad(c, "getpid() = %d, not a fresh pid namespace", me);
	int n = 0;
	DIR *d = opendir("/proc");
	if (!d) {
		bad(c, "cannot list /proc: %s", strerror(errno));
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (is_digits(e->d_name))
			n++;
	closedir(d);
	if (n >= 20)
		bad(c, "/proc shows %d processes", n);
	else
		ok(c);
	char cmd[256];
	if (read_file("/proc/1/comm", cmd, sizeof(cmd)) > 0 &&
	    (!strncmp(cmd, "systemd", 7) || !strncmp(cmd, "init", 4)))
		bad(c, "pid 1 is %s", strtok(cmd, "\n"));
}

static void check_abstract_unreachable(struct check_ctx *c)
{
	const char *name = getenv("AIRLOCK_PROBE_ABSTRACT");
	if (!name || !*name) {
		skipped(c, "AIRLOCK_PROBE_ABSTRACT not set");
		return;
	}
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ok(c);
		return;
	}
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t len = strlen(name);
	if (len > sizeof(a.sun_path) - 2)
		len = sizeof(a.sun_path) - 2;
	memcpy(a.sun_path + 1, name, len);
	if (connect(s, (struct sockaddr *)&a,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len)) == 0)
		bad(c, "connected to host abstract socket @%s", name);
	else
		ok(c);
	close(s);
}

static void check_loopback_unreachable(struct check_ctx *c)
{
	const char *spec = getenv("AIRLOCK_PROBE_TCP");
	if (!spec || !*spec) {
		skipped(c, "AIRLOCK_PROBE_TCP not set");
		return;
	}
	char host[64];
	snprintf(host, sizeof(host), "%s", spec);
	char *colon = strrchr(host, ':');
	if (!colon) {
		bad(c, "AIRLOCK_PROBE_TCP '%s' is not HOST:PORT", spec);
		return;
	}
	*colon = '\0';
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		bad(c, "bad address '%s'", host);
		return;
	}
	if (a.sin_addr.s_addr != htonl(INADDR_LOOPBACK)) {
		bad(c, "refusing to connect anywhere but 127.0.0.1");
		return;
	}
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ok(c);
		return;
	}
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
		bad(c, "connected to host %s", spec);
	else
		ok(c);
	close(s);
}

static void check_hostname_private(struct check_ctx *c)
{
	/* Either outcome is fine here; the host side checks that its hostname did not change. */
	if (sethostname("airlock-probe-set", 17) == 0) {
		struct utsname u;
		uname(&u);
		if (strcmp(u.nodename, "airlock-probe-set"))
			bad(c, "sethostname succeeded but uname says %s", u.nodename);
	}
	ok(c);
}

static void check_net_lo_only(struct check_ctx *c)
{
	char buf[8192];
	if (read_file("/proc/net/dev", buf, sizeof(buf)) < 0) {
		bad(c, "/proc/net/dev: %s", strerror(errno));
		return;
	}
	int line = 0;
	for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		if (line++ < 2)
			continue;
		while (*l == ' ')
			l++;
		size_t n = strcspn(l, ":");
		l[n] = '\0';
		if (strcmp(l, "lo"))
			bad(c, "interface %s present", l);
		else
			ok(c);
	}
	if (!c->nok && !c->nfail)
		bad(c, "no lo interface");
}

static int tiocsti_try(int fd, const char *text, bool high_bits)
{
	unsigned long req = TIOCSTI;
	if (high_bits)
		req |= 0x100000000UL; /* the kernel ignores the upper half: a filter must too */
	for (const char *p = text; *p; p++)
		if (ioctl(fd, req, p) < 0)
			return -1;
	return 0;
}

/* Returns the number of successful injections, or -1 when there is no terminal at all. */
static int tiocsti_all(struct check_ctx *c, const char *text)
{
	int fds[2], n = 0, injected = 0;
	if (isatty(0))
		fds[n++] = 0;
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0)
		fds[n++] = tty;
	if (n == 0)
		return -1;
	for (int i = 0; i < n; i++) {
		for (int hb = 0; hb < 2; hb++) {
			if (tiocsti_try(fds[i], text, hb) == 0) {
				bad(c, "TIOCSTI%s on %s succeeded", hb ? " (high bits set)" : "",
				    fds[i] == 0 ? "fd 0" : "/dev/tty");
				injected++;
			} else {
				ok(c);
			}
		}
	}
	if (tty >= 0)
		close(tty);
	return injected;
}

static void check_tiocsti_denied(struct check_ctx *c)
{
	if (tiocsti_all(c, " ") < 0)
		skipped(c, "no terminal on fd 0 or /dev/tty");
}

static void check_session_new(struct check_ctx *c)
{
	pid_t sid = getsid(0);
	if (sid == 0)
		bad(c, "session leader is outside the sandbox's pid namespace (caller's session)");
	else if (sid < 0)
		bad(c, "getsid: %s", strerror(errno));
	else
		ok(c);
}

static void check_tmpfs_capped(struct check_ctx *c)
{
	char buf[4096];
	unsigned long long mem_kb = 0;
	if (read_file("/proc/meminfo", buf, sizeof(buf)) > 0)
		sscanf(buf, "MemTotal: %llu kB", &mem_kb);
	static const char *const dirs[] = {"/tmp", "/dev/shm", "/dev"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		struct statfs sf;
		if (statfs(dirs[i], &sf) < 0 || sf.f_type != TMPFS_MAGIC_NR)
			continue;
		unsigned long long size_kb =
		    (unsigned long long)sf.f_blocks * (unsigned long long)sf.f_bsize / 1024;
		if (mem_kb && size_kb >= mem_kb / 2 - 1024 && !(sf.f_flags & ST_RDONLY))
			bad(c, "%s is an uncapped tmpfs (%llu kB, RAM %llu kB)", dirs[i], size_kb, mem_kb);
		else
			ok(c);
	}
	if (!c->nok && !c->nfail)
		skipped(c, "no tmpfs at /tmp, /dev/shm or /dev");
}

struct check {
	const char *name;
	void (*fn)(struct check_ctx *);
	bool sigsys_ok; /* a seccomp kill (SIGSYS) means "denied" */
};

/* Order matters only at the end: the unmount and pivot checks would damage the sandbox if they
 * wrongly succeeded, so they run last. */
static const struct check g_checks[] = {
    {"caps.zero", check_caps_zero, false},
    {"nnp", check_nnp, false},
    {"seccomp.mode", check_seccomp_mode, false},
    {"userns.mapped", check_userns_mapped, false},
    {"ns.private", check_ns_private, false},
    {"setuid.nogain", check_setuid_nogain, false},
    {"rootfs.ro", check_rootfs_ro, false},
    {"secrets.hidden", check_secrets_hidden, false},
    {"hostroot.empty", check_hostroot_empty, false},
    {"tmpfs.capped", check_tmpfs_capped, false},
    {"fds.none", check_fds_none, false},
    {"cwd.inside", check_cwd_inside, false},
    {"exe.protected", check_exe_protected, false},
    {"proc1.fds", check_proc1_fds, false},
    {"dev.minimal", check_dev_minimal, false},
    {"mount.denied", check_mount_denied, true},
    {"mount.newapi", check_mount_newapi, true},
    {"cgroupfs.denied", check_cgroupfs_denied, true},
    {"chroot.denied", check_chroot_denied, true},
    {"swapon.denied", check_swapon_denied, true},
    {"kexec.denied", check_kexec_denied, true},
    {"module.denied", check_module_denied, true},
    {"open_by_handle.denied", check_open_by_handle_denied, true},
    {"bpf.denied", check_bpf_denied, true},
    {"perf.denied", check_perf_denied, true},
    {"userfaultfd.denied", check_userfaultfd_denied, true},
    {"io_uring.denied", check_io_uring_denied, true},
    {"keyring.denied", check_keyring_denied, true},
    {"userns.denied", check_userns_denied, true},
    {"unshare.denied", check_unshare_denied, true},
    {"clock.denied", check_clock_denied, true},
    {"ioperm.denied", check_ioperm_denied, true},
    {"syslog.denied", check_syslog_denied, true},
    {"socket.raw.denied", check_socket_raw_denied, true},
    {"procsys.ro", check_procsys_ro, false},
    {"proc.ro", check_proc_ro, false},
    {"sysrq.denied", check_sysrq_denied, false},
    {"sys.ro", check_sys_ro, false},
    {"proc.kcore", check_proc_kcore, false},
    {"proc.masked", check_proc_masked, false},
    {"sys.firmware", check_sys_firmware, false},
    {"pidns.private", check_pidns_private, false},
    {"abstract.unreachable", check_abstract_unreachable, false},
    {"loopback.unreachable", check_loopback_unreachable, false},
    {"hostname.private", check_hostname_private, true},
    {"net.lo-only", check_net_lo_only, false},
    {"tiocsti.denied", check_tiocsti_denied, true},
    {"session.new", check_session_new, false},
    {"pivot_root.denied", check_pivot_root_denied, true},
    {"umount.denied", check_umount_denied, true},
};
#define N_CHECKS (sizeof(g_checks) / sizeof(*g_checks))

/* Run one check in a child (so a check that wrongly succeeds, e.g. unshare, cannot taint the
 * next); its line comes back over a pipe. Returns 1 on FAIL. */
static int run_check(const struct check *ck)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		printf("FAIL %s: pipe: %s\n", ck->name, strerror(errno));
		return 1;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		printf("FAIL %s: fork: %s\n", ck->name, strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		g_out = p[1];
		alarm(20);
		struct check_ctx c;
		memset(&c, 0, sizeof(c));
		ck->fn(&c);
		report(ck->name, &c);
		_exit(0);
	}
	close(p[1]);
	char buf[4096];
	size_t got = 0;
	for (;;) {
		ssize_t n = read(p[0], buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || (got += (size_t)n) >= sizeof(buf) - 1)
			break;
	}
	buf[got] = '\0';
	close(p[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == 0) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && ck->sigsys_ok)
			printf("PASS %s\n", ck->name);
		else if (WIFSIGNALED(status))
			printf("FAIL %s: check died of signal %d\n", ck->name, WTERMSIG(status));
		else
			printf("FAIL %s: no result (exit %d)\n", ck->name, WEXITSTATUS(status));
		fflush(stdout);
		return got == 0 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS && ck->sigsys_ok ? 0 : 1;
	}
	fputs(buf, stdout);
	fflush(stdout);
	return strncmp(buf, "FAIL", 4) == 0;
}

static bool name_matches(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);
	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, name, n - 1) == 0;
	return strcmp(pattern, name) == 0;
}

static int run_checks(int argc, char **argv)
{
	int fails = 0;
	for (int a = 0; a < argc; a++) {
		bool any = false;
		for (size_t i = 0; i < N_CHECKS; i++)
			if (name_matches(argv[a], g_checks[i].name))
				any = true;
		if (!any) {
			fprintf(stderr, "probe: unknown check '%s'\n", argv[a]);
			return 2;
		}
	}
	for (size_t i = 0; i < N_CHECKS; i++) {
		bool wanted = argc == 0;
		for (int a = 0; a < argc && !wanted; a++)
			wanted = name_matches(argv[a], g_checks[i].name);
		if (wanted)
			fails += run_check(&g_checks[i]);
	}
	return fails ? 1 : 0;
}

/* ---------- safety: the probe never runs where it could change the host ---------- */

static int refuse(const char *why)
{
	fprintf(stderr, "probe: refusing to run: %s (the probe only runs inside a sandbox)\n", why);
	return 2;
}

static int safety_check(void)
{
	bool f1, f2, f3;
	unsigned long long eff = status_hex("/proc/self/status", "CapEff", &f1);
	unsigned long long prm = status_hex("/proc/self/status", "CapPrm", &f2);
	long nnp = status_long("NoNewPrivs", &f3);
	if (!f1 || !f2 || !f3)
		return refuse("cannot read /proc/self/status");
	if (eff || prm)
		return refuse("it holds capabilities");
	if (nnp != 1)
		return refuse("no_new_privs is off");
	unsigned long pidns = ns_inode("pid"), userns = ns_inode("user");
	if (!pidns || !userns)
		return refuse("cannot read /proc/self/ns");
	if (pidns == INIT_PID_INO)
		return refuse("it is in the initial pid namespace");
	if (userns == INIT_USER_INO)
		return refuse("it is in the initial user namespace");
	return 0;
}

/* ---------- helpers used by the e2e tests ---------- */

static int usage(void)
{
	fputs("usage: probe all | probe CHECK... | probe list\n"
	      "       probe writefile PATH CONTENT | forkbomb [MAX] | memhog MB | spin [N] | daemonize "
	      "SECONDS PATH\n"
	      "       probe fds | env | tiocsti | exit N | kill-self SIG | sleep S | diskfill PATH [MAXMB]\n"
	      "       probe id | cwd | hostname | rlimit NAME | stat PATH | cat PATH | ls DIR\n",
	      stderr);
	return 2;
}

static int h_writefile(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "probe: writefile %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t len = strlen(content);
	if (write(fd, content, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "probe: writefile %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Fork until fork fails (the pids limit), keep trying for a second, then exit 3. Bounded (default
 * 3000 processes) so an unlimited sandbox cannot hurt the host; reaching the bound exits 4. */
static int h_forkbomb(const char *max_arg)
{
	long n = 0, fails = 0, max = max_arg ? atol(max_arg) : 3000;
	int last_err = 0;
	struct timespec start = {0}, now;
	for (;;) {
		if (n >= max) {
			printf("forkbomb: %ld processes and no limit hit\n", n);
			fflush(stdout);
			return 4;
		}
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		if (p > 0) {
			n++;
			continue;
		}
		last_err = errno;
		if (fails++ == 0)
			clock_gettime(CLOCK_MONOTONIC, &start);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec >= 1)
			break;
		usleep(1000);
	}
	printf("forkbomb: %ld processes, then fork failed: %s\n", n, strerror(last_err));
	fflush(stdout);
	return 3;
}

static int h_memhog(const char *arg)
{
	long mb = atol(arg);
	for (long i = 0; i < mb; i++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			printf("memhog: mmap failed after %ld MB: %s\n", i, strerror(errno));
			return 1;
		}
		for (size_t off = 0; off < (1 << 20); off += 4096)
			p[off] = (char)(i + 1);
	}
	printf("memhog: touched %ld MB\n", mb);
	return 0;
}

static int h_spin(const char *arg)
{
	int n = arg ? atoi(arg) : 1;
	for (int i = 1; i < n; i++)
		if (fork() == 0)
			break;
	volatile unsigned long x = 0;
	for (;;)
		x = x + 1;
	return 0;
}

static int h_daemonize(const char *secs, const char *path)
{
	pid_t p = fork();
	if (p < 0)
		return 1;
	if (p > 0) {
		waitpid(p, NULL, 0);
		return 0;
	}
	setsid();
	if (fork() != 0)
		_exit(0);
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	sleep((unsigned)atoi(secs));
	_exit(h_writefile(path, "daemon survived\n"));
}

static int h_fds(void)
{
	for (int i = 0; i < g_n_startup_fds; i++)
		printf("%d %s\n", g_startup_fds[i], g_startup_fd_targets[i]);
	return 0;
}

static int h_env(void)
{
	extern char **environ;
	for (char **e = environ; *e; e++)
		puts(*e);
	return 0;
}

static int h_tiocsti(void)
{
	struct check_ctx c;
	memset(&c, 0, sizeof(c));
	/* A whole line, so a shell reading the terminal afterwards would show it. */
	int r = tiocsti_all(&c, "AIRLOCK-INJECTED\n");
	if (r < 0)
		skipped(&c, "no terminal on fd 0 or /dev/tty");
	report("tiocsti", &c);
	return c.nfail ? 1 : 0;
}

static int sig_from_name(const char *s)
{
	static const struct {
		const char *n;
		int v;
	} sigs[] = {
	    {"HUP", SIGHUP},   {"INT", SIGINT},	  {"QUIT", SIGQUIT}, {"ILL", SIGILL},	{"ABRT", SIGABRT},
	    {"FPE", SIGFPE},   {"KILL", SIGKILL}, {"SEGV", SIGSEGV}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
	    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"BUS", SIGBUS},	{"SYS", SIGSYS},
	};
	if (is_digits(s))
		return atoi(s);
	if (!strncmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		if (!strcmp(s, sigs[i].n))
			return sigs[i].v;
	return -1;
}

static int h_kill_self(const char *arg)
{
	int sig = sig_from_name(arg);
	if (sig <= 0 || sig >= 65)
		return usage();
	signal(sig, SIG_DFL);
	sigset_t all;
	sigemptyset(&all);
	sigaddset(&all, sig);
	sigprocmask(SIG_UNBLOCK, &all, NULL);
	fflush(stdout);
	kill(getpid(), sig);
	for (;;)
		pause();
}

static int h_sleep(const char *arg)
{
	double s = atof(arg);
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static int h_diskfill(const char *path, const char *maxmb_arg)
{
	long maxmb = maxmb_arg ? atol(maxmb_arg) : 1024;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("diskfill: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	static char chunk[1 << 16];
	memset(chunk, 'x', sizeof(chunk));
	unsigned long long total = 0;
	for (;;) {
		if (total >= (unsigned long long)maxmb << 20) {
			printf("diskfill: wrote %llu bytes, no limit hit\n", total);
			close(fd);
			return 1;
		}
		ssize_t n = write(fd, chunk, sizeof(chunk));
		if (n < 0) {
			int e = errno;
			printf("diskfill: wrote %llu bytes, then %s\n", total, strerror(e));
			close(fd);
			return (e == ENOSPC || e == EDQUOT || e == EFBIG) ? 0 : 1;
		}
		total += (unsigned long long)n;
	}
}

static int h_id(void)
{
	gid_t groups[64];
	int n = getgroups(64, groups);
	printf("uid=%u gid=%u euid=%u egid=%u groups=", (unsigned)getuid(), (unsigned)getgid(),
	       (unsigned)geteuid(), (unsigned)getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	putchar('\n');
	return 0;
}

static int h_rlimit(const char *name)
{
	static const struct {
		const char *n;
		int r;
	} res[] = {
	    {"nofile", RLIMIT_NOFILE}, {"nproc", RLIMIT_NPROC},	    {"core", RLIMIT_CORE},
	    {"fsize", RLIMIT_FSIZE},   {"stack", RLIMIT_STACK},	    {"cpu", RLIMIT_CPU},
	    {"as", RLIMIT_AS},	       {"memlock", RLIMIT_MEMLOCK},
	};
	for (size_t i = 0; i < sizeof(res) / sizeof(*res); i++) {
		if (strcmp(res[i].n, name))
			continue;
		struct rlimit rl;
		getrlimit(res[i].r, &rl);
		if (rl.rlim_cur == RLIM_INFINITY)
			printf("unlimited ");
		else
			printf("%llu ", (unsigned long long)rl.rlim_cur);
		if (rl.rlim_max == RLIM_INFINITY)
			printf("unlimited\n");
		else
			printf("%llu\n", (unsigned long long)rl.rlim_max);
		return 0;
	}
	return usage();
}

static int h_stat(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		printf("stat %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("uid=%u gid=%u mode=%o size=%lld\n", (unsigned)st.st_uid, (unsigned)st.st_gid, st.st_mode,
	       (long long)st.st_size);
	return 0;
}

static int h_cat(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "probe: cat %s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[8192];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write(1, buf, (size_t)n) != n)
			break;
	close(fd);
	return n < 0 ? 1 : 0;
}

static int h_ls(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "probe: ls %s: %s\n", path, strerror(errno));
		return 1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			puts(e->d_name);
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	snapshot_fds();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (!strcmp(cmd, "list")) {
		for (size_t i = 0; i < N_CHECKS; i++)
			puts(g_checks[i].name);
		return 0;
	}
	int r = safety_check();
	if (r)
		return r;
	if (!strcmp(cmd, "all"))
		return run_checks(0, NULL);
	if (!strcmp(cmd, "writefile") && argc == 4)
		return h_writefile(argv[2], argv[3]);
	if (!strcmp(cmd, "forkbomb"))
		return h_forkbomb(argc > 2 ? argv[2] : NULL);
	if (!strcmp(cmd, "memhog") && argc == 3)
		return h_memhog(argv[2]);
	if (!strcmp(cmd, "spin"))
		return h_spin(argc > 2 ? argv[2] : NULL);
	if (!strcmp(cmd, "daemonize") && argc == 4)
		return h_daemonize(argv[2], argv[3]);
	if (!strcmp(cmd, "fds"))
		return h_fds();
	if (!strcmp(cmd, "env"))
		return h_env();
	if (!strcmp(cmd, "tiocsti"))
		return h_tiocsti();
	if (!strcmp(cmd, "exit") && argc == 3)
		return atoi(argv[2]);
	if (!strcmp(cmd, "kill-self") && argc == 3)
		return h_kill_self(argv[2]);
	if (!strcmp(cmd, "sleep") && argc == 3)
		return h_sleep(argv[2]);
	if (!strcmp(cmd, "diskfill") && (argc == 3 || argc == 4))
		return h_diskfill(argv[2], argc == 4 ? argv[3] : NULL);
	if (!strcmp(cmd, "id"))
		return h_id();
	if (!strcmp(cmd, "cwd")) {
		char b[PATH_MAX];
		if (syscall(SYS_getcwd, b, sizeof(b)) < 0)
			return 1;
		puts(b);
		return 0;
	}
	if (!strcmp(cmd, "hostname")) {
		struct utsname u;
		uname(&u);
		puts(u.nodename);
		return 0;
	}
	if (!strcmp(cmd, "rlimit") && argc == 3)
		return h_rlimit(argv[2]);
	if (!strcmp(cmd, "stat") && argc == 3)
		return h_stat(argv[2]);
	if (!strcmp(cmd, "cat") && argc == 3)
		return h_cat(argv[2]);
	if (!strcmp(cmd, "ls") && argc == 3)
		return h_ls(argv[2]);
	if (cmd[0] == '-')
		return usage();
	return run_checks(argc - 1, argv + 1);
}
