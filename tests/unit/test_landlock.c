/* test_landlock.c: the Landlock layer, as any user: writes confined to the writable paths, /dev usable,
 * renames out of the writable tree refused, and (ABI 6) signals and abstract sockets scoped. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "landlock.h"

static int failures;

#define CHECK(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond)) {                                                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed (errno %d %s)\n", __FILE__, __LINE__,       \
				#cond, errno, strerror(errno));                                              \
			failures++;                                                                          \
		}                                                                                            \
	} while (0)

/* errno of a failed call, 0 when it succeeded. */
#define ERRNO_OF(call) ((call) < 0 ? errno : 0)

static char root[64];

static void path_in(char *buf, size_t cap, const char *rel)
{
	snprintf(buf, cap, "%s/%s", root, rel);
}

static int create_file(const char *rel)
{
	char p[128];
	path_in(p, sizeof p, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	int r = write(fd, "x", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

static void make_tree(void)
{
	char p[128];
	strcpy(root, "/tmp/al-landlock-XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(1);
	}
	path_in(p, sizeof p, "w");
	CHECK(mkdir(p, 0755) == 0);
	path_in(p, sizeof p, "ro");
	CHECK(mkdir(p, 0755) == 0);
	CHECK(create_file("w/moveme") == 0);
	CHECK(create_file("ro/existing") == 0);
	CHECK(create_file("ro/rwfile") == 0);
}

static void remove_tree(void)
{
	static const char *const files[] = {"w/new",	 "w/moveme", "w/sub/moved", "w/sub",
					    "ro/new",	 "ro/moved", "ro/dir",	    "ro/existing",
					    "ro/rwfile", "w",	     "ro",	    ""};
	char p[128];
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		path_in(p, sizeof p, files[i]);
		if (unlink(p) < 0)
			rmdir(p);
	}
}

/* A listening abstract socket made before the restriction, outside the child's domain. */
static int listen_abstract(struct sockaddr_un *addr, socklen_t *len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	int n = snprintf(addr->sun_path + 1, sizeof addr->sun_path - 1, "airlock-test-landlock-%d",
			 (int)getpid());
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)addr, *len) == 0 && listen(fd, 1) == 0);
	return fd;
}

static void check_filesystem(int abi)
{
	char p[128], q[128];
	CHECK(create_file("w/new") == 0);
	path_in(p, sizeof p, "w/sub");
	CHECK(mkdir(p, 0755) == 0);

	path_in(p, sizeof p, "ro/new");
	CHECK(ERRNO_OF(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == EACCES);
	path_in(p, sizeof p, "ro/dir");
	CHECK(ERRNO_OF(mkdir(p, 0755)) == EACCES);
	path_in(p, sizeof p, "ro/existing");
	CHECK(ERRNO_OF(open(p, O_WRONLY | O_CLOEXEC)) == EACCES);
	CHECK(ERRNO_OF(unlink(p)) == EACCES);
	if (abi >= 3)
		CHECK(ERRNO_OF(truncate(p, 0)) == EACCES);
	path_in(p, sizeof p, "ro/rwfile");
	int rw = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	CHECK(rw >= 0 && write(rw, "y", 1) == 1);
	if (rw >= 0)
		close(rw);

	/* Without REFER (ABI 1) every cross-directory rename is EXDEV; with it, a denied MAKE_REG is EACCES.
	 */
	path_in(p, sizeof p, "w/moveme");
	path_in(q, sizeof q, "ro/moved");
	int e = ERRNO_OF(rename(p, q));
	CHECK(e == EACCES || e == EXDEV);
	CHECK(access(p, F_OK) == 0);
	/* Moving between directories inside the writable tree needs REFER allowed there (ABI 2); an
	 * unhandled REFER would deny every reparenting with EXDEV. */
	if (abi >= 2) {
		path_in(q, sizeof q, "w/sub/moved");
		CHECK(rename(p, q) == 0);
		CHECK(rename(q, p) == 0);
	}

	int fd = open("/dev/null", O_WRONLY | O_TRUNC | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, "x", 1) == 1);
	if (fd >= 0)
		close(fd);
	CHECK(ERRNO_OF(mknod("/dev/al-test-fifo", S_IFIFO | 0600, 0)) == EACCES);
}

/* A pty opened after the restriction must still take terminal ioctls: interactive shells need them. */
static void check_pty(void)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "note: no /dev/ptmx here (%s); pty check skipped\n", strerror(errno));
		return;
	}
	struct termios t;
	CHECK(grantpt(fd) == 0 && unlockpt(fd) == 0);
	const char *name = ptsname(fd);
	CHECK(name != NULL);
	if (name) {
		int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
		CHECK(slave >= 0 && tcgetattr(slave, &t) == 0 && tcsetattr(slave, TCSANOW, &t) == 0);
		struct winsize ws;
		CHECK(slave >= 0 && ioctl(slave, TIOCGWINSZ, &ws) == 0);
		if (slave >= 0)
			close(slave);
	}
	close(fd);
}

static void check_scoping(const struct sockaddr_un *addr, socklen_t len)
{
	CHECK(ERRNO_OF(kill(getppid(), 0)) == EPERM);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(s >= 0 && ERRNO_OF(connect(s, (const struct sockaddr *)addr, len)) == EPERM);
	if (s >= 0)
		close(s);

	/* Processes the sandbox forked itself stay within reach. */
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	CHECK(pid > 0 && kill(pid, 0) == 0 && kill(pid, SIGKILL) == 0);
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static int run_sandboxed(int abi, const struct sockaddr_un *addr, socklen_t len)
{
	char w[128], rwfile[128];
	struct al_err err = {0};
	path_in(w, sizeof w, "w");
	path_in(rwfile, sizeof rwfile, "ro/rwfile");
	/* A file among the writable paths (a bind-mounted rw file) gets only the file rights. */
	const char *const writable[] = {w, rwfile};

	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
	if (al_landlock_apply(writable, 2, false, &err) < 0) {
		fprintf(stderr, "al_landlock_apply: %s\n", err.msg);
		return 1;
	}
	check_filesystem(abi);
	check_pty();
	if (abi >= 6)
		check_scoping(addr, len);
	return failures ? 1 : 0;
}

static void check_errors(void)
{
	struct al_err err = {0};
	const char *const missing[] = {"/nonexistent/al-test"};
	pid_t pid = fork();
	if (pid == 0) {
		/* Without no_new_privs the restriction is refused, even where CAP_SYS_ADMIN would let it
		 * pass. */
		if (al_landlock_apply(missing, 0, false, &err) == 0)
			_exit(2);
		CHECK(strstr(err.msg, "no_new_privs") != NULL);
		CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
		memset(&err, 0, sizeof err);
		CHECK(al_landlock_apply(missing, 1, false, &err) < 0);
		CHECK(strstr(err.msg, "/nonexistent/al-test") != NULL && err.errnum == ENOENT);
		_exit(failures ? 1 : 0);
	}
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	int abi = al_landlock_abi();
	CHECK(abi == al_landlock_abi());
	printf("landlock ABI %d\n", abi);
	if (abi == 0) {
		printf("SKIP: Landlock unavailable\n");
		return 77;
	}
	make_tree();
	struct sockaddr_un addr;
	socklen_t len;
	int listener = listen_abstract(&addr, &len);

	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_sandboxed(abi, &addr, len));
	int status = 0;
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	check_errors();

	/* The parent, never restricted, still writes where the child could not. */
	CHECK(create_file("ro/new") == 0);
	close(listener);
	remove_tree();
	if (failures) {
		fprintf(stderr, "%d check(s) failed\n", failures);
		return 1;
	}
	printf("ok\n");
	return 0;
}
