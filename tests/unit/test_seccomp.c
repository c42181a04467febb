/* test_seccomp.c: the seccomp policy, checked by running filtered children, plus the profile compiler's
 * errors and the cache. Needs the source tree (data/seccomp-default.json): AIRLOCK_SOURCE_ROOT or argv[1]. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "seccomp.h"
#include "seccomp_compile.h"
#include "util.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* Linux 6.6, same number on every architecture */
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static int failures;

#define T_CHECK(cond)                                                                                        \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
			failures++;                                                                          \
		}                                                                                            \
	} while (0)
#define T_CHECK_OK(call, err)                                                                                \
	do {                                                                                                 \
		if ((call) < 0) {                                                                            \
			fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #call, (err)->msg);    \
			failures++;                                                                          \
		}                                                                                            \
	} while (0)

/* In a filtered child: the call must fail with errno e. Counts into the child's own failure count. */
static int child_failures;
#define EXPECT_ERRNO(call, e)                                                                                \
	do {                                                                                                 \
		errno = 0;                                                                                   \
		long r_ = (long)(call);                                                                      \
		if (r_ != -1 || errno != (e)) {                                                              \
			fprintf(stderr, "%s:%d: %s: got %ld (%s), want errno %s\n", __FILE__, __LINE__,      \
				#call, r_, strerror(errno), strerror(e));                                    \
			child_failures++;                                                                    \
		}                                                                                            \
	} while (0)
#define EXPECT_OK(call)                                                                                      \
	do {                                                                                                 \
		errno = 0;                                                                                   \
		long r_ = (long)(call);                                                                      \
		if (r_ < 0) {                                                                                \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, strerror(errno));      \
			child_failures++;                                                                    \
		}                                                                                            \
	} while (0)

static char scratch_dir[] = "/tmp/airlock-test-seccomp-XXXXXX";
static char scratch_file[256];

/* Fork, set no_new_privs, install prog, run checks; the child's exit status is its failure count. */
static void run_filtered(const char *name, const struct al_bpf *prog, void (*checks)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(120);
		uint64_t t0 = al_now_ns();
		int r = al_seccomp_install(prog);
		uint64_t t1 = al_now_ns();
		if (r < 0) {
			fprintf(stderr, "%s: install: %s\n", name, strerror(-r));
			_exit(121);
		}
		fprintf(stderr, "  %s: installed %u instructions in %.1f us\n", name, prog->len,
			(double)(t1 - t0) / 1e3);
		checks();
		_exit(child_failures > 100 ? 100 : child_failures);
	}
	int status;
	T_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	if (pid > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		fprintf(stderr, "%s: child %s %d\n", name,
			WIFEXITED(status) ? "failed, status" : "killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		failures++;
	}
}

/* ---- what every profile must deny ------------------------------------------------------------------ */

static void checks_airlock_denials(void)
{
	char c = 'x';
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_OK(null_fd);
	/* /dev/null rather than a terminal: an unfiltered TIOCSTI would fail with ENOTTY, not type. */
	EXPECT_ERRNO(ioctl(null_fd, TIOCSTI, &c), EPERM);
	EXPECT_ERRNO(syscall(SYS_ioctl, null_fd, (unsigned long)TIOCSTI | 0x100000000UL, &c), EPERM);
	EXPECT_ERRNO(syscall(SYS_ioctl, null_fd, (unsigned long)TIOCLINUX, &c), EPERM);
	EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM);
	EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
	EXPECT_ERRNO(setns(-1, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	EXPECT_ERRNO(syscall(SYS_bpf, -1, NULL, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_keyctl, 0, -1, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_userfaultfd, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM);
	EXPECT_ERRNO(chmod(scratch_file, 04755), EPERM);
	EXPECT_ERRNO(chmod(scratch_file, 02755), EPERM);
	EXPECT_ERRNO(fchmodat(AT_FDCWD, scratch_file, 04755, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_fchmodat2, AT_FDCWD, scratch_file, 04755, 0), EPERM);
	EXPECT_OK(chmod(scratch_file, 0755));
	char created[300];
	snprintf(created, sizeof created, "%s/setuid-new", scratch_dir);
	EXPECT_ERRNO(open(created, O_CREAT | O_WRONLY | O_CLOEXEC, 04755), EPERM);
	EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, created, O_CREAT | O_WRONLY | O_CLOEXEC, 02755), EPERM);
	/* without O_CREAT the mode register is whatever the caller left there: never a reason to deny */
	int stray = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY | O_CLOEXEC, 04755);
	EXPECT_OK(stray);
	if (stray >= 0)
		close(stray);
	EXPECT_ERRNO(syscall(SYS_openat2, AT_FDCWD, created, NULL, 0), ENOSYS);
	EXPECT_OK(getpid());
}

/* ---- the default profile -------------------------------------------------------------------------- */

static void *thread_main(void *arg)
{
	return arg;
}

static void checks_default_profile(void)
{
	pthread_t thread;
	void *ret = NULL;
	checks_airlock_denials();
	EXPECT_ERRNO(mount("none", "/nonexistent-airlock-test", "tmpfs", 0, NULL), EPERM);
	EXPECT_ERRNO(umount2("/nonexistent-airlock-test", 0), EPERM);
	EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM);
	EXPECT_ERRNO(chroot("/"), EPERM);
	/* CLONE_NEWNS|CLONE_FS is invalid, so an unfiltered kernel answers EINVAL instead of forking. */
	EXPECT_ERRNO(syscall(SYS_clone, CLONE_NEWNS | CLONE_FS | SIGCHLD, 0, 0, 0, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_REALTIME, NULL), EPERM);
	EXPECT_ERRNO(syscall(SYS_syslog, 3, NULL, 0), EPERM);
	EXPECT_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0), EPERM);
	EXPECT_ERRNO(personality(ADDR_NO_RANDOMIZE), EPERM);
	EXPECT_OK(personality(0xffffffff));
	/* ptrace is allowed: pid 0 does not exist, so the kernel answers ESRCH. */
	EXPECT_ERRNO(syscall(SYS_ptrace, PTRACE_PEEKDATA, 0, 0, 0), ESRCH);
	/* Sockets: ordinary ones work, raw, packet and vsock ones do not. */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	EXPECT_OK(s);
	close(s);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0 /* NETLINK_ROUTE */);
	EXPECT_OK(s);
	close(s);
	EXPECT_ERRNO(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPERM);
	EXPECT_ERRNO(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6), EPERM);
	EXPECT_ERRNO(socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	EXPECT_ERRNO(socket(AF_INET, SOCK_PACKET, 0), EPERM);
	EXPECT_ERRNO(socket(AF_VSOCK, SOCK_STREAM, 0), EPERM);
	/* glibc tries clone3 first: ENOSYS must make it fall back to clone, for threads and for fork. */
	EXPECT_OK(-pthread_create(&thread, NULL, thread_main, (void *)1));
	EXPECT_OK(-pthread_join(thread, &ret));
	if (ret != (void *)1)
		child_failures++;
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int status = 0;
	EXPECT_OK(waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 7)
		child_failures++;
}

static void test_default_profile(const char *source_root)
{
	struct al_err err = {0};
	struct al_bpf builtin, compiled = {0};
	_cleanup_free_ char *path = al_xasprintf("%s/data/seccomp-default.json", source_root);
	_cleanup_free_ char *text = NULL;
	size_t len;

	T_CHECK(al_seccomp_prepare(NULL, NULL, &builtin, &err) == 0);
	T_CHECK(!builtin.owned && builtin.len > 0 && builtin.insns == al_seccomp_default_insns);

	/* The table built at build time is what the source profile compiles to. */
	T_CHECK_OK(al_seccomp_read_profile(path, &text, &len, &err), &err);
	uint64_t t0 = al_now_ns();
	T_CHECK_OK(al_seccomp_compile_json(text, len, path, &compiled, &err), &err);
	uint64_t t1 = al_now_ns();
	fprintf(stderr, "  default profile: parse + compile + export %.0f us, %u instructions\n",
		(double)(t1 - t0) / 1e3, compiled.len);
	T_CHECK(compiled.owned && compiled.len == builtin.len);
	T_CHECK(compiled.insns &&
		memcmp(compiled.insns, builtin.insns, builtin.len * sizeof *builtin.insns) == 0);
	al_bpf_free(&compiled);

	run_filtered("built-in default", &builtin, checks_default_profile);
	al_bpf_free(&builtin);
	T_CHECK(builtin.insns == NULL && builtin.len == 0);
}

/* ---- custom profiles --------------------------------------------------------------------------------- */

static char *write_profile(const char *name, const char *json)
{
	char *path = al_xasprintf("%s/%s", scratch_dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	T_CHECK(fd >= 0 && al_write_all(fd, json, strlen(json)) == 0);
	if (fd >= 0)
		close(fd);
	return path;
}

static void checks_allow_all(void)
{
	checks_airlock_denials();
	EXPECT_OK(unshare(0)); /* the profile itself allows everything */
}

/* A profile that allows ioctl, unshare, chmod and clone3 unconditionally: libseccomp alone would let
 * these unconditional allows swallow airlock's conditional denials. */
static const char explicit_allows[] =
    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"ioctl\", \"unshare\", \"chmod\","
    " \"fchmodat\", \"fchmodat2\", \"open\", \"openat\", \"openat2\", \"clone3\", \"setns\", "
    "\"io_uring_setup\","
    " \"bpf\", \"keyctl\", \"userfaultfd\", \"perf_event_open\", \"getpid\", \"read\", \"write\", \"close\","
    " \"exit\", \"exit_group\", \"fstat\", \"newfstatat\", \"brk\", \"mmap\", \"munmap\", \"rt_sigprocmask\","
    " \"rt_sigreturn\", \"futex\", \"clock_gettime\", \"sigaltstack\", \"rt_sigaction\", \"mprotect\", "
    "\"madvise\","
    " \"gettid\", \"prctl\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";

static void test_custom_profiles(void)
{
	struct al_err err = {0};
	struct al_bpf bpf = {0};
	_cleanup_free_ char *allow_all =
	    write_profile("allow-all.json", "{\"defaultAction\": \"SCMP_ACT_ALLOW\"}");
	_cleanup_free_ char *explicit = write_profile("explicit.json", explicit_allows);

	T_CHECK_OK(al_seccomp_prepare(allow_all, NULL, &bpf, &err), &err);
	T_CHECK(bpf.owned);
	run_filtered("allow-all profile", &bpf, checks_allow_all);
	al_bpf_free(&bpf);

	T_CHECK_OK(al_seccomp_prepare(explicit, NULL, &bpf, &err), &err);
	run_filtered("explicit-allow profile", &bpf, checks_airlock_denials);
	al_bpf_free(&bpf);
}

/* A profile that must be refused, with an error naming the file and containing want. */
static void expect_error(const char *json, const char *want)
{
	struct al_err err = {0};
	struct al_bpf bpf = {0};
	int r = al_seccomp_compile_json(json, strlen(json), "seccomp profile bad.json", &bpf, &err);
	T_CHECK(r == -1 && bpf.insns == NULL);
	if (!strstr(err.msg, "seccomp profile bad.json") || !strstr(err.msg, want) || strchr(err.msg, '\n')) {
		fprintf(stderr, "error for %s: got \"%s\", want it to contain \"%s\"\n", json, err.msg, want);
		failures++;
	}
}

/* Two profiles that must compile to the same program. */
static void expect_same(const char *a, const char *b)
{
	struct al_err err = {0};
	struct al_bpf pa = {0}, pb = {0};
	T_CHECK_OK(al_seccomp_compile_json(a, strlen(a), "a", &pa, &err), &err);
	T_CHECK_OK(al_seccomp_compile_json(b, strlen(b), "b", &pb, &err), &err);
	T_CHECK(pa.len == pb.len && pa.len > 0 && memcmp(pa.insns, pb.insns, pa.len * sizeof *pa.insns) == 0);
	al_bpf_free(&pa);
	al_bpf_free(&pb);
}

#define RULE(extra) "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [" extra "]}"
#define GETPID	    "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}"

static void test_compiler_errors_and_filters(void)
{
	struct al_err err = {0};
	struct al_bpf bpf = {0};
	expect_error("{\"defaultAction\": ", "line 1");
	expect_error("[1, 2]", "must be a JSON object");
	expect_error("{}", "defaultAction: must be a string");
	expect_error("{\"defaultAction\": \"SCMP_ACT_BOGUS\"}", "unknown action \"SCMP_ACT_BOGUS\"");
	expect_error(RULE("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_BOGUS\"}"),
		     "syscalls[0]: unknown action \"SCMP_ACT_BOGUS\"");
	expect_error(RULE("{\"names\": \"read\", \"action\": \"SCMP_ACT_ALLOW\"}"),
		     "syscalls[0].names: must be an array");
	expect_error(
	    RULE(GETPID ", {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 9, "
			"\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}"),
	    "syscalls[1].args[0].index");
	expect_error(RULE("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, "
			  "\"value\": 1, \"op\": \"SCMP_CMP_SOMETIMES\"}]}"),
		     "unknown operator \"SCMP_CMP_SOMETIMES\"");
	expect_error(RULE("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}"),
		     "takes no errnoRet");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultAction\": \"SCMP_ACT_ALLOW\"}",
		     "duplicate");
	expect_error("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": [\"SCMP_ARCH_PDP11\"]}",
		     "unknown architecture \"SCMP_ARCH_PDP11\"");
	expect_error(
	    RULE("{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": 4}}"),
	    "minKernel");

	/* Unknown syscall names are skipped, as docker does. */
	expect_same(RULE(GETPID),
		    RULE("{\"names\": [\"no_such_syscall\", \"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}"));
	/* A rule needing a capability does not apply: the sandbox holds none. One excluded by a capability
	 * does. */
	expect_same(RULE(GETPID), RULE(GETPID ", {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
					      "\"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}"));
	expect_same(RULE("{\"names\": [\"getpid\", \"mount\"], \"action\": \"SCMP_ACT_ALLOW\"}"),
		    RULE(GETPID ", {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
				"\"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}}"));
	/* Another machine's rules and a far-future kernel's rules do not apply. */
	expect_same(RULE(GETPID), RULE(GETPID ", {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
					      "\"includes\": {\"arches\": [\"s390x\"]}}"));
	expect_same(RULE(GETPID), RULE(GETPID ", {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ALLOW\", "
					      "\"includes\": {\"minKernel\": \"99.0\"}}"));

	T_CHECK(al_seccomp_prepare("/nonexistent/profile.json", NULL, &bpf, &err) == -1);
	T_CHECK(strstr(err.msg, "seccomp profile /nonexistent/profile.json: No such file or directory") !=
		NULL);
}

/* ---- the cache -------------------------------------------------------------------------------------- */

static char *only_cache_entry(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	int n = 0;
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, "seccomp-", 8) == 0 && strlen(e->d_name) > 12 &&
		    strcmp(e->d_name + strlen(e->d_name) - 4, ".bpf") == 0) {
			free(found);
			found = al_xasprintf("%s/%s", dir, e->d_name);
			n++;
		}
	if (d)
		closedir(d);
	T_CHECK(n == 1);
	return found;
}

static ino_t inode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static bool same_program(const struct al_bpf *a, const struct al_bpf *b)
{
	return a->len == b->len && a->len > 0 && memcmp(a->insns, b->insns, a->len * sizeof *a->insns) == 0;
}

static void test_cache(void)
{
	struct al_err err = {0};
	struct al_bpf fresh = {0}, first = {0}, again = {0};
	struct stat st;
	_cleanup_free_ char *cache = al_xasprintf("%s/cache/seccomp", scratch_dir);
	_cleanup_free_ char *profile = write_profile("cached.json", explicit_allows);
	_cleanup_free_ char *other = write_profile("other.json", RULE(GETPID));

	T_CHECK_OK(al_seccomp_prepare(profile, NULL, &fresh, &err), &err);
	uint64_t t0 = al_now_ns();
	T_CHECK_OK(al_seccomp_prepare(profile, cache, &first, &err), &err);
	uint64_t t1 = al_now_ns();
	T_CHECK(same_program(&fresh, &first));
	T_CHECK(stat(cache, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700);
	_cleanup_free_ char *entry = only_cache_entry(cache);
	if (!entry)
		return;
	T_CHECK(stat(entry, &st) == 0 && (st.st_mode & 07777) == 0600);
	ino_t ino = inode_of(entry);

	/* Second prepare: read from the cache, the entry is not rewritten. */
	uint64_t t2 = al_now_ns();
	T_CHECK_OK(al_seccomp_prepare(profile, cache, &again, &err), &err);
	uint64_t t3 = al_now_ns();
	fprintf(stderr, "  custom profile: prepare %.0f us compiling, %.0f us from the cache\n",
		(double)(t1 - t0) / 1e3, (double)(t3 - t2) / 1e3);
	T_CHECK(same_program(&fresh, &again) && inode_of(entry) == ino);
	al_bpf_free(&again);

	/* A damaged instruction: the checksum rejects the entry and it is rebuilt. */
	int fd = open(entry, O_RDWR | O_CLOEXEC);
	T_CHECK(fd >= 0 && fstat(fd, &st) == 0 && pwrite(fd, "\xff", 1, st.st_size - 1) == 1);
	close(fd);
	T_CHECK_OK(al_seccomp_prepare(profile, cache, &again, &err), &err);
	T_CHECK(same_program(&fresh, &again) && inode_of(entry) != ino);
	al_bpf_free(&again);
	ino = inode_of(entry);
	T_CHECK_OK(al_seccomp_prepare(profile, cache, &again, &err), &err);
	T_CHECK(same_program(&fresh, &again) && inode_of(entry) == ino);
	al_bpf_free(&again);

	/* A truncated entry is rebuilt too. */
	T_CHECK(truncate(entry, 10) == 0);
	T_CHECK_OK(al_seccomp_prepare(profile, cache, &again, &err), &err);
	T_CHECK(same_program(&fresh, &again) && inode_of(entry) != ino);
	al_bpf_free(&again);

	/* Another profile's entry under this profile's name (a hash collision): the stored text differs, so
	 * it is not used. */
	struct al_bpf other_bpf = {0};
	T_CHECK_OK(al_seccomp_prepare(other, NULL, &other_bpf, &err), &err);
	_cleanup_free_ char *moved = al_xasprintf("%s.moved", entry);
	T_CHECK(rename(entry, moved) == 0);
	T_CHECK_OK(al_seccomp_prepare(other, cache, &again, &err), &err);
	al_bpf_free(&again);
	_cleanup_free_ char *other_entry = only_cache_entry(cache);
	T_CHECK(other_entry && rename(other_entry, entry) == 0 && rename(moved, other_entry) == 0);
	T_CHECK_OK(al_seccomp_prepare(other, cache, &again, &err), &err);
	T_CHECK(same_program(&other_bpf, &again) && !same_program(&fresh, &again));
	al_bpf_free(&again);
	al_bpf_free(&other_bpf);
	al_bpf_free(&first);
	al_bpf_free(&fresh);
}

static void remove_tree(const char *dir)
{
	_cleanup_free_ char *cmd = al_xasprintf("rm -rf '%s'", dir);
	if (strncmp(dir, "/tmp/airlock-test-seccomp-", 26) == 0 && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	const char *source_root = argc > 1 ? argv[1] : getenv("AIRLOCK_SOURCE_ROOT");
	if (!source_root) {
		fprintf(stderr, "test_seccomp: set AIRLOCK_SOURCE_ROOT or pass the source tree as argv[1]\n");
		return 1;
	}
	if (!mkdtemp(scratch_dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(scratch_file, sizeof scratch_file, "%s/file", scratch_dir);
	int fd = open(scratch_file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	T_CHECK(fd >= 0);
	close(fd);

	test_default_profile(source_root);
	test_custom_profiles();
	test_compiler_errors_and_filters();
	test_cache();

	remove_tree(scratch_dir);
	if (failures)
		fprintf(stderr, "test_seccomp: %d failure(s)\n", failures);
	else
		fprintf(stderr, "test_seccomp: all passed\n");
	return failures ? 1 : 0;
}
