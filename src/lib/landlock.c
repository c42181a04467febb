/* landlock.c: the Landlock layer: write-type filesystem rights confined to the writable paths, and
 * abstract unix sockets and signals scoped to the sandbox. Child side, async-signal-safe (no malloc). */
#include "landlock.h"

#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/types.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* Older uapi headers (Debian 12 ships ABI 2 at most) lack the newer constants; the values are ABI. */
#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* ABI 5 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* ABI 6 */
#endif
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule	     445
#define __NR_landlock_restrict_self  446
#endif

/* The ABI 6 layout of struct landlock_ruleset_attr, spelled locally because older headers stop at
 * handled_access_fs. The size passed to the kernel covers only the fields the running ABI knows. */
struct al_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net; /* ABI 4; left 0: the network is the namespaces' and the proxy's job */
	__u64 scoped;		  /* ABI 6 */
};

#define AL_FS_WRITE_ABI1                                                                                     \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |    \
	 LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |          \
	 LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |       \
	 LANDLOCK_ACCESS_FS_MAKE_SYM)
/* Rights that make sense on a non-directory; the kernel rejects a file rule with directory rights. */
#define AL_FS_FILE_RIGHTS                                                                                    \
	(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)
/* Beneath /dev: write to and ioctl the existing nodes (null, tty, pts/N), never create or remove. */
#define AL_FS_DEV_RIGHTS AL_FS_FILE_RIGHTS

static int abi_cached = -1;

int al_landlock_abi(void)
{
	if (abi_cached < 0) {
		long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
		abi_cached = v > 0 ? (int)v : 0; /* ENOSYS, EOPNOTSUPP (disabled at boot): absent */
	}
	return abi_cached;
}

/* Write-type rights the running ABI knows. Reads and execution are not handled: the read-only mounts
 * already decide them, and handling them would need a rule for every readable path. */
static __u64 handled_fs(int abi)
{
	__u64 fs = AL_FS_WRITE_ABI1;
	if (abi >= 2)
		fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
	/* IOCTL_DEV is checked when a device is opened, not per ioctl on fds opened earlier: the stdio the
	 * sandbox inherits (a pty from -t) keeps working. Devices opened inside the sandbox get ioctls only
	 * beneath /dev (the rule below covers /dev/tty, /dev/ptmx, /dev/pts/N for shells and job control);
	 * a device node reached any other way gets none. TIOCSTI/TIOCLINUX are seccomp's job. */
	if (abi >= 5)
		fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return fs;
}

static size_t attr_size(int abi)
{
	if (abi >= 6)
		return sizeof(struct al_ruleset_attr);
	if (abi >= 4)
		return offsetof(struct al_ruleset_attr, scoped);
	return offsetof(struct al_ruleset_attr, handled_access_net);
}

/* Allow `rights` (restricted to file rights when path is not a directory) beneath path. Returns 0,
 * -1 with *err; a missing path is an error unless missing_ok. */
static int allow_beneath(int ruleset, const char *path, __u64 rights, bool missing_ok, struct al_err *err)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		if (missing_ok && errno == ENOENT)
			return 0;
		return al_err_sys(err, errno, "landlock writable path %s", path);
	}
	if (fstat(fd, &st) < 0)
		return al_err_sys(err, errno, "landlock writable path %s", path);
	if (!S_ISDIR(st.st_mode))
		rights &= AL_FS_FILE_RIGHTS;
	struct landlock_path_beneath_attr rule = {.allowed_access = rights, .parent_fd = fd};
	if (syscall(__NR_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
		return al_err_sys(err, errno, "landlock rule for %s", path);
	return 0;
}

static int add_rules(int ruleset, __u64 fs, const char *const *writable, size_t n_writable,
		     bool root_writable, struct al_err *err)
{
	if (root_writable && allow_beneath(ruleset, "/", fs, false, err) < 0)
		return -1;
	for (size_t i = 0; i < n_writable; i++)
		if (allow_beneath(ruleset, writable[i], fs, false, err) < 0)
			return -1;
	/* A sandbox without /dev has no device to allow. */
	return allow_beneath(ruleset, "/dev", fs & AL_FS_DEV_RIGHTS, true, err);
}

int al_landlock_apply(const char *const *writable, size_t n_writable, bool root_writable, struct al_err *err)
{
	int abi = al_landlock_abi();
	if (abi == 0)
		return 0;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return al_err_set(err, EPERM, "landlock: no_new_privs must be set first");
	struct al_ruleset_attr attr = {.handled_access_fs = handled_fs(abi)};
	if (abi >= 6)
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL;
	_cleanup_close_ int ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, attr_size(abi), 0);
	if (ruleset < 0)
		return al_err_sys(err, errno, "landlock ruleset (ABI %d)", abi);
	if (add_rules(ruleset, attr.handled_access_fs, writable, n_writable, root_writable, err) < 0)
		return -1;
	if (syscall(__NR_landlock_restrict_self, ruleset, 0) < 0)
		return al_err_sys(err, errno, "landlock restrict_self (ABI %d)", abi);
	return 0;
}
