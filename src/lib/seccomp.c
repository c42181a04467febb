/* seccomp.c: the seccomp step of a sandbox: choosing the BPF program (built-in or a cached custom profile)
 * in the parent, and installing it in the child as the last step before exec.
 *
 * Policy notes (the profile is data/seccomp-default.json, airlock's fixed denials are in seccomp_compile.c):
 * - ptrace, process_vm_readv and process_vm_writev are allowed, as docker does on Linux 4.8+. Since 4.8 the
 *   kernel re-runs seccomp after a tracer rewrites a syscall, so a tracer cannot smuggle a denied call past
 *   the filter; the sandbox has its own pid namespace and no capabilities, so it can only trace its own
 *   processes (and Yama still applies). strace and gdb are ordinary tools for an agent debugging code.
 * - Denied outright: new namespaces (clone flags, clone3, unshare, setns), mounting, module and kexec
 *   calls, clock setting, keyrings, bpf, perf, io_uring, userfaultfd, file handles, raw/packet/vsock
 *   sockets, TIOCSTI/TIOCLINUX, and creating set-id files. Everything not listed fails with EPERM. */
#include "seccomp.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "seccomp_compile.h"
#include "util.h"

/* Cache entry: header, environment key, profile text, BPF. The full text is stored and compared, so the
 * 64-bit FNV-1a in the file name only spreads entries: a collision costs a rebuild, never a wrong filter.
 * The checksum catches torn or damaged files (entries are not fsync'd: a bad one is simply rebuilt). */
#define CACHE_MAGIC "ALSCBPF1"
struct cache_header {
	char magic[8];
	uint64_t checksum; /* FNV-1a 64 of everything after this field */
	uint32_t env_len, profile_len, insn_count, reserved;
};

#define FNV_OFFSET 0xcbf29ce484222325ull
#define FNV_PRIME  0x100000001b3ull

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

struct cache_key {
	char env[512]; /* what besides the text decides the output (seccomp_compile.c) + the built-in table */
	char name[32]; /* seccomp-<hash>.bpf */
};

static void cache_key_init(struct cache_key *key, const char *text, size_t len)
{
	size_t n;
	uint64_t h;
	al_seccomp_compile_env(key->env, sizeof key->env);
	/* The built-in table changes with the compiler even when the version string does not. */
	n = strlen(key->env);
	snprintf(
	    key->env + n, sizeof key->env - n, "; default %016" PRIx64,
	    fnv1a(FNV_OFFSET, al_seccomp_default_insns, al_seccomp_default_len * sizeof(struct sock_filter)));
	h = fnv1a(fnv1a(FNV_OFFSET, key->env, strlen(key->env) + 1), text, len);
	snprintf(key->name, sizeof key->name, "seccomp-%016" PRIx64 ".bpf", h);
}

static uint64_t cache_checksum(const struct cache_header *h, const void *payload, size_t n)
{
	const char *after = (const char *)&h->checksum + sizeof h->checksum;
	return fnv1a(fnv1a(FNV_OFFSET, after, sizeof *h - (size_t)(after - (const char *)h)), payload, n);
}

/* Only a directory of ours that nobody else can write holds filters we would load. */
static int open_cache_dir(const char *cache_dir)
{
	struct stat st;
	if (al_mkdir_p_at(AT_FDCWD, cache_dir, 0700) < 0)
		return -1;
	int fd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns true when a valid entry for exactly this profile was loaded into out. */
static bool cache_load(int dirfd, const struct cache_key *key, const char *text, size_t len,
		       struct al_bpf *out)
{
	struct cache_header h;
	struct stat st;
	size_t env_len = strlen(key->env);
	_cleanup_close_ int fd = openat(dirfd, key->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		return false;
	if (al_read_all(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, CACHE_MAGIC, 8) != 0 ||
	    h.env_len != env_len || h.profile_len != len || h.insn_count == 0 || h.insn_count > BPF_MAXINSNS)
		return false;
	size_t payload = env_len + len + h.insn_count * sizeof(struct sock_filter);
	if ((uint64_t)st.st_size != sizeof h + payload)
		return false;
	_cleanup_free_ char *buf = al_xmalloc(payload);
	if (al_read_all(fd, buf, payload) != (ssize_t)payload ||
	    cache_checksum(&h, buf, payload) != h.checksum || memcmp(buf, key->env, env_len) != 0 ||
	    memcmp(buf + env_len, text, len) != 0)
		return false;
	struct sock_filter *insns = al_xmalloc(h.insn_count * sizeof *insns);
	memcpy(insns, buf + env_len + len, h.insn_count * sizeof *insns);
	*out = (struct al_bpf){.insns = insns, .len = (unsigned short)h.insn_count, .owned = true};
	return true;
}

/* Atomic: a temporary file in the same directory, renamed over the entry. Failure only costs a rebuild
 * next time, so it is not reported. */
static void cache_store(int dirfd, const struct cache_key *key, const char *text, size_t len,
			const struct al_bpf *bpf)
{
	size_t env_len = strlen(key->env), insn_bytes = bpf->len * sizeof(struct sock_filter);
	size_t payload = env_len + len + insn_bytes;
	struct cache_header h = {
	    .env_len = (uint32_t)env_len, .profile_len = (uint32_t)len, .insn_count = bpf->len};
	_cleanup_free_ char *buf = al_xmalloc(sizeof h + payload);
	char tmp[64];
	uint64_t nonce;
	memcpy(h.magic, CACHE_MAGIC, 8);
	memcpy(buf + sizeof h, key->env, env_len);
	memcpy(buf + sizeof h + env_len, text, len);
	memcpy(buf + sizeof h + env_len + len, bpf->insns, insn_bytes);
	h.checksum = cache_checksum(&h, buf + sizeof h, payload);
	memcpy(buf, &h, sizeof h);
	if (al_random_bytes(&nonce, sizeof nonce) < 0)
		return;
	snprintf(tmp, sizeof tmp, ".%s.%016" PRIx64 ".tmp", key->name, nonce);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	bool ok = al_write_all(fd, buf, sizeof h + payload) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || renameat(dirfd, tmp, dirfd, key->name) < 0)
		unlinkat(dirfd, tmp, 0);
}

static int prepare_custom(const char *path, const char *cache_dir, struct al_bpf *out, struct al_err *err)
{
	_cleanup_free_ char *text = NULL, *what = NULL;
	_cleanup_close_ int dirfd = -1;
	struct cache_key key;
	size_t len;
	if (al_seccomp_read_profile(path, &text, &len, err) < 0)
		return -1;
	what = al_xasprintf("seccomp profile %s", path);
	if (!cache_dir)
		return al_seccomp_compile_json(text, len, what, out, err);
	cache_key_init(&key, text, len);
	dirfd = open_cache_dir(cache_dir);
	if (dirfd >= 0 && cache_load(dirfd, &key, text, len, out))
		return 0;
	if (al_seccomp_compile_json(text, len, what, out, err) < 0)
		return -1;
	if (dirfd >= 0)
		cache_store(dirfd, &key, text, len, out);
	return 0;
}

int al_seccomp_prepare(const char *profile_path, const char *cache_dir, struct al_bpf *out,
		       struct al_err *err)
{
	*out = (struct al_bpf){0};
	if (profile_path)
		return prepare_custom(profile_path, cache_dir, out, err);
	/* The table is const and shared; install only reads it. */
	*out = (struct al_bpf){.insns = (struct sock_filter *)al_seccomp_default_insns,
			       .len = al_seccomp_default_len,
			       .owned = false};
	return 0;
}

int al_seccomp_install(const struct al_bpf *prog)
{
	if (!prog || !prog->insns || prog->len == 0)
		return -EINVAL;
	struct sock_fprog fprog = {.len = prog->len, .filter = prog->insns};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	/* Kernels before 3.17 have no seccomp(2); prctl installs the same program. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) == 0)
		return 0;
	return -errno;
}

void al_bpf_free(struct al_bpf *prog)
{
	if (!prog)
		return;
	if (prog->owned)
		free(prog->insns);
	*prog = (struct al_bpf){0};
}
