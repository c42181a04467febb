/* test_copy.c: unit tests of copy.c (`airlock cp`): docker cp's rules for files and trees both ways, and
 * that nothing inside a fake sandbox root (symlinks, "..", planted names) leads a copy outside it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "copy.h"

#define OLD_TIME 1000000000 /* 2001-09-09: a time no fresh file has */

static struct al_err err;
static char base[64], rootdir[128], hostdir[128];
static char etc_name[64], real_etc_path[128]; /* a name that must never appear in the host's /etc */
static int root_fd = -1;

/* dir/rel in one of several rotating buffers, so a call can take a few of them. */
static const char *under(const char *dir, const char *rel)
{
	static char bufs[16][512];
	static unsigned next;
	char *b = bufs[next++ % 16];
	snprintf(b, sizeof bufs[0], "%s/%s", dir, rel);
	return b;
}
#define R(rel) under(rootdir, rel)
#define H(rel) under(hostdir, rel)

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		exit(1);
	}
	fchmod(fd, mode);
	close(fd);
}

static void make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	chmod(path, mode);
}

static void make_link(const char *target, const char *path)
{
	if (symlink(target, path) < 0) {
		perror(path);
		exit(1);
	}
}

static void set_old_time(const char *path)
{
	struct timespec t[2] = {{OLD_TIME, 0}, {OLD_TIME, 0}};
	utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
}

/* The text of a regular file (not through a symlink), or NULL. */
static const char *text_of(const char *path)
{
	static char bufs[8][256];
	static unsigned next;
	char *b = bufs[next++ % 8];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, b, sizeof bufs[0] - 1);
	close(fd);
	if (n < 0)
		return NULL;
	b[n] = '\0';
	return b;
}

static const char *link_of(const char *path)
{
	static char bufs[4][256];
	static unsigned next;
	char *b = bufs[next++ % 4];
	ssize_t n = readlink(path, b, sizeof bufs[0] - 1);
	if (n < 0)
		return NULL;
	b[n] = '\0';
	return b;
}

static struct stat lstat_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		memset(&st, 0, sizeof st);
	return st;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Temporary names left behind by copy.c in dir. */
static int temps_in(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		n += strncmp(e->d_name, ".airlock-cp-", 12) == 0;
	if (d)
		closedir(d);
	return n;
}

static void setup(void)
{
	snprintf(base, sizeof base, "/tmp/airlock-test-copy-XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(rootdir, sizeof rootdir, "%s/root", base);
	snprintf(hostdir, sizeof hostdir, "%s/host", base);
	make_dir(rootdir, 0755);
	make_dir(hostdir, 0755);
	make_dir(R("etc"), 0755);
	make_dir(R("dir"), 0755);
	snprintf(etc_name, sizeof etc_name, "airlock-copy-test-%d", (int)getpid());
	snprintf(real_etc_path, sizeof real_etc_path, "/etc/%s", etc_name);
	root_fd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		perror(rootdir);
		exit(1);
	}
	write_file(H("f.txt"), "hello\n", 0640);
	set_old_time(H("f.txt"));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void teardown(void)
{
	close(root_fd);
	nftw(base, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_file_in(void)
{
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/f.txt", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("f.txt")), "hello\n");
	CHECK_INT(lstat_of(R("f.txt")).st_mode & 07777, 0640);
	CHECK_INT(lstat_of(R("f.txt")).st_mtim.tv_sec, OLD_TIME);
	CHECK_INT(temps_in(rootdir), 0);

	/* relative paths inside the sandbox are relative to its root */
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "rel.txt", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("rel.txt")), "hello\n");

	/* into an existing directory, with or without the trailing slash */
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/dir", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("dir/f.txt")), "hello\n");
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/etc/", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("etc/f.txt")), "hello\n");

	CHECK_FAILS(al_copy_in(root_fd, H("f.txt"), "/nodir/f.txt", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /nodir/f.txt: no such directory");
	CHECK_FAILS(al_copy_in(root_fd, H("f.txt"), "/absent/", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /absent/: no such directory");
	CHECK(!exists(R("absent")));
	CHECK_FAILS(al_copy_in(root_fd, H("f.txt"), "/f.txt/x", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /f.txt/x: Not a directory");
}

static void test_file_out(void)
{
	write_file(R("g.txt"), "from the sandbox\n", 0604);
	set_old_time(R("g.txt"));
	CHECK_OK(al_copy_out(root_fd, "/g.txt", H("g.txt"), &err), &err);
	CHECK_STR(text_of(H("g.txt")), "from the sandbox\n");
	CHECK_INT(lstat_of(H("g.txt")).st_mode & 07777, 0604);
	CHECK_INT(lstat_of(H("g.txt")).st_mtim.tv_sec, OLD_TIME);

	make_dir(H("outdir"), 0755);
	CHECK_OK(al_copy_out(root_fd, "g.txt", H("outdir"), &err), &err);
	CHECK_STR(text_of(H("outdir/g.txt")), "from the sandbox\n");
	CHECK_INT(temps_in(H("outdir")), 0);

	CHECK_FAILS(al_copy_out(root_fd, "/g.txt", H("nodir/g.txt"), &err), &err,
		    "/nodir/g.txt: no such directory");
}

static void test_overwrite(void)
{
	write_file(R("ow.txt"), "an old and longer content\n", 0600);
	ino_t ino = lstat_of(R("ow.txt")).st_ino;
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/ow.txt", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("ow.txt")), "hello\n");
	CHECK_INT(lstat_of(R("ow.txt")).st_ino, ino); /* in place */
	CHECK_INT(lstat_of(R("ow.txt")).st_mode & 07777, 0640);

	write_file(H("ow-out.txt"), "an old and longer content\n", 0600);
	CHECK_OK(al_copy_out(root_fd, "/g.txt", H("ow-out.txt"), &err), &err);
	CHECK_STR(text_of(H("ow-out.txt")), "from the sandbox\n");

	/* one file seen from both ends (as through a volume) is not emptied by its own copy */
	CHECK_FAILS(al_copy_out(root_fd, "/ow.txt", R("ow.txt"), &err), &err, "the same file as the source");
	CHECK_STR(text_of(R("ow.txt")), "hello\n");

	/* a directory is never overwritten by a file */
	make_dir(R("dir/isdir"), 0755);
	write_file(H("isdir"), "x", 0644);
	CHECK_FAILS(al_copy_in(root_fd, H("isdir"), "/dir", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /dir/isdir: Is a directory");
}

/* host/tree: a.txt, sub/b.txt, link -> a.txt, a fifo (skipped), hard links (become two files). */
static void make_tree(const char *top)
{
	make_dir(top, 0755);
	write_file(under(top, "a.txt"), "a\n", 0644);
	make_dir(under(top, "sub"), 0755);
	write_file(under(top, "sub/b.txt"), "b\n", 0600);
	make_link("a.txt", under(top, "link"));
	set_old_time(under(top, "link"));
	mkfifo(under(top, "fifo"), 0644);
	write_file(under(top, "hard1"), "hard\n", 0644);
	link(under(top, "hard1"), under(top, "hard2"));
	set_old_time(under(top, "sub"));
	chmod(top, 0750);
	set_old_time(top);
}

/* A tree merged into an existing directory keeps that directory's own mode and times. */
static void check_tree(const char *top, bool fresh)
{
	CHECK_STR(text_of(under(top, "a.txt")), "a\n");
	CHECK_STR(text_of(under(top, "sub/b.txt")), "b\n");
	CHECK_INT(lstat_of(under(top, "sub/b.txt")).st_mode & 07777, 0600);
	CHECK_INT(lstat_of(under(top, "sub")).st_mtim.tv_sec, OLD_TIME);
	CHECK(S_ISLNK(lstat_of(under(top, "link")).st_mode));
	CHECK_STR(link_of(under(top, "link")), "a.txt");
	CHECK_INT(lstat_of(under(top, "link")).st_mtim.tv_sec, OLD_TIME);
	CHECK(!exists(under(top, "fifo")));
	CHECK_STR(text_of(under(top, "hard2")), "hard\n");
	CHECK(lstat_of(under(top, "hard1")).st_ino != lstat_of(under(top, "hard2")).st_ino);
	CHECK_INT(lstat_of(under(top, "hard1")).st_nlink, 1);
	if (fresh) {
		CHECK_INT(lstat_of(top).st_mode & 07777, 0750);
		CHECK_INT(lstat_of(top).st_mtim.tv_sec, OLD_TIME);
	}
	CHECK_INT(temps_in(top), 0);
}

static void test_dir_in(void)
{
	make_tree(H("tree"));
	/* DST absent: created with SRC's contents */
	CHECK_OK(al_copy_in(root_fd, H("tree"), "/newtree", (uid_t)-1, (gid_t)-1, &err), &err);
	check_tree(R("newtree"), true);
	/* DST an existing directory: DST/basename(SRC) */
	CHECK_OK(al_copy_in(root_fd, H("tree"), "/dir", (uid_t)-1, (gid_t)-1, &err), &err);
	check_tree(R("dir/tree"), true);
	/* "/.": the contents into DST; DST keeps its own mode */
	make_dir(R("into"), 0711);
	CHECK_OK(al_copy_in(root_fd, under(H("tree"), "."), "/into", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("into/a.txt")), "a\n");
	CHECK_STR(text_of(R("into/sub/b.txt")), "b\n");
	CHECK(!exists(R("into/tree")));
	CHECK_INT(lstat_of(R("into")).st_mode & 07777, 0711);
	/* again onto what is there: files are overwritten, directories merged */
	CHECK_OK(al_copy_in(root_fd, H("tree"), "/dir", (uid_t)-1, (gid_t)-1, &err), &err);
	check_tree(R("dir/tree"), false);
	/* DST an existing file */
	CHECK_FAILS(al_copy_in(root_fd, H("tree"), "/f.txt", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /f.txt: exists and is not a directory");
}

static void test_dir_out(void)
{
	make_tree(R("otree"));
	CHECK_OK(al_copy_out(root_fd, "/otree", H("otree-new"), &err), &err);
	check_tree(H("otree-new"), true);
	make_dir(H("odir"), 0755);
	CHECK_OK(al_copy_out(root_fd, "/otree", H("odir"), &err), &err);
	check_tree(H("odir/otree"), true);
	make_dir(H("ointo"), 0755);
	CHECK_OK(al_copy_out(root_fd, "/otree/.", H("ointo"), &err), &err);
	CHECK_STR(text_of(H("ointo/sub/b.txt")), "b\n");
	CHECK(!exists(H("ointo/otree")));
	CHECK_FAILS(al_copy_out(root_fd, "/otree", H("f.txt"), &err), &err, "exists and is not a directory");

	/* the host destination inside the source: refused, not copied forever */
	make_dir(R("loop"), 0755);
	write_file(R("loop/x"), "x", 0644);
	CHECK_FAILS(al_copy_out(root_fd, "/loop", R("loop/sub"), &err), &err,
		    "cannot copy a directory into itself");
}

static void test_symlinks(void)
{
	make_link("/etc/passwd", R("lnk"));
	CHECK_OK(al_copy_out(root_fd, "/lnk", H("lnk"), &err), &err);
	CHECK_STR(link_of(H("lnk")), "/etc/passwd");
	make_link("../up/x", H("hl"));
	CHECK_OK(al_copy_in(root_fd, H("hl"), "/hl", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(link_of(R("hl")), "../up/x");
	/* "link/" asks for what the link names */
	make_link("dir", R("dirlink"));
	make_dir(H("dl"), 0755);
	CHECK_OK(al_copy_out(root_fd, "/dirlink/", H("dl"), &err), &err);
	CHECK(S_ISDIR(lstat_of(H("dl/dirlink")).st_mode));
	CHECK_STR(text_of(H("dl/dirlink/f.txt")), "hello\n");
}

/* The fake root's symlinks to "/" and "../../.." resolve to the fake root, never to the host's /. */
static void test_escape(void)
{
	CHECK(!exists(real_etc_path));
	make_link("/", R("esc"));
	make_link("../../..", R("esc2"));
	static const char *const dsts[] = {"esc/etc/", "esc2/etc/", "/../../etc/", "esc/esc2/../etc/"};
	for (size_t i = 0; i < sizeof dsts / sizeof dsts[0]; i++) {
		char dst[128];
		snprintf(dst, sizeof dst, "%s%s-%zu", dsts[i], etc_name, i);
		CHECK_OK(al_copy_in(root_fd, H("f.txt"), dst, (uid_t)-1, (gid_t)-1, &err), &err);
		char inside[256];
		snprintf(inside, sizeof inside, "etc/%s-%zu", etc_name, i);
		CHECK_STR(text_of(R(inside)), "hello\n");
		snprintf(inside, sizeof inside, "%s-%zu", real_etc_path, i);
		CHECK(!exists(inside));
		unlink(inside); /* only if the check above failed */
	}
	/* a directory copied through the links lands inside too */
	CHECK_OK(al_copy_in(root_fd, H("tree"), "esc2/etc", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("etc/tree/a.txt")), "a\n");

	CHECK_FAILS(al_copy_out(root_fd, "esc/etc/passwd", H("pw"), &err), &err,
		    "copy from esc/etc/passwd: No such file or directory");
	CHECK_FAILS(al_copy_out(root_fd, "esc2/etc/passwd", H("pw"), &err), &err,
		    "copy from esc2/etc/passwd: No such file or directory");
	CHECK_FAILS(al_copy_out(root_fd, "/../../../../etc/passwd", H("pw"), &err), &err, "No such file");
	CHECK(!exists(H("pw")));
	write_file(R("etc/motd"), "fake root\n", 0644);
	CHECK_OK(al_copy_out(root_fd, "esc2/etc/motd", H("motd"), &err), &err);
	CHECK_STR(text_of(H("motd")), "fake root\n");

	/* a tree holding the links copies them as links, and never what they name */
	make_dir(R("etree"), 0755);
	make_link("/", R("etree/esc"));
	make_link("../../../../..", R("etree/up"));
	CHECK_OK(al_copy_out(root_fd, "/etree", H("etree"), &err), &err);
	CHECK_STR(link_of(H("etree/esc")), "/");
	CHECK_STR(link_of(H("etree/up")), "../../../../..");
	CHECK(!exists(real_etc_path));
}

/* A symlink planted at the destination's name is replaced by the file, not written through. */
static void test_planted(void)
{
	write_file(R("victim.txt"), "precious\n", 0644);
	make_link("victim.txt", R("planted"));
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/planted", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK(S_ISREG(lstat_of(R("planted")).st_mode));
	CHECK_STR(text_of(R("planted")), "hello\n");
	CHECK_STR(text_of(R("victim.txt")), "precious\n");

	char target[128];
	snprintf(target, sizeof target, "/etc/%s", etc_name);
	make_link(target, R("planted2"));
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/planted2", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("planted2")), "hello\n");
	CHECK(!exists(real_etc_path));

	/* a symlink naming a directory is a directory to copy into (inside the root) */
	make_link("/dir", R("todir"));
	write_file(H("viadir.txt"), "via\n", 0644);
	CHECK_OK(al_copy_in(root_fd, H("viadir.txt"), "/todir", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_STR(text_of(R("dir/viadir.txt")), "via\n");

	/* inside a tree being merged: host/merge/ptree/a.txt is a planted link to host/victim */
	write_file(H("victim"), "precious\n", 0644);
	make_dir(R("ptree"), 0755);
	write_file(R("ptree/a.txt"), "new\n", 0644);
	make_dir(H("merge"), 0755);
	make_dir(H("merge/ptree"), 0755);
	make_link(H("victim"), H("merge/ptree/a.txt"));
	CHECK_OK(al_copy_out(root_fd, "/ptree", H("merge"), &err), &err);
	CHECK_STR(text_of(H("merge/ptree/a.txt")), "new\n");
	CHECK_STR(text_of(H("victim")), "precious\n");
	/* and a planted link where a directory goes is refused, not followed */
	make_dir(R("ptree/sub"), 0755);
	write_file(R("ptree/sub/x"), "x\n", 0644);
	make_link(hostdir, H("merge/ptree/sub"));
	CHECK_FAILS(al_copy_out(root_fd, "/ptree", H("merge"), &err), &err, "ptree/sub: Not a directory");
	CHECK(!exists(H("x")));
}

static void test_missing(void)
{
	CHECK_FAILS(al_copy_in(root_fd, H("nope"), "/x", (uid_t)-1, (gid_t)-1, &err), &err,
		    "/host/nope: No such file or directory");
	CHECK(strncmp(err.msg, "copy from ", 10) == 0);
	CHECK_FAILS(al_copy_out(root_fd, "/nope", H("x"), &err), &err,
		    "copy from /nope: No such file or directory");
	CHECK(!exists(R("x")) && !exists(H("x")));
}

static void test_setid_stripped(void)
{
	write_file(H("suid"), "#!/bin/sh\n", 06755);
	CHECK_INT(lstat_of(H("suid")).st_mode & 07777, 06755);
	CHECK_OK(al_copy_in(root_fd, H("suid"), "/suid", (uid_t)-1, (gid_t)-1, &err), &err);
	CHECK_INT(lstat_of(R("suid")).st_mode & 07777, 0755);
	write_file(R("suid-out"), "#!/bin/sh\n", 04755);
	CHECK_OK(al_copy_out(root_fd, "/suid-out", H("suid-out"), &err), &err);
	CHECK_INT(lstat_of(H("suid-out")).st_mode & 07777, 0755);
}

static void test_owner(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_copy: not root, owner checks skipped\n");
		return;
	}
	CHECK_OK(al_copy_in(root_fd, H("tree"), "/owned", 1234, 5678, &err), &err);
	static const char *const paths[] = {"owned", "owned/a.txt", "owned/sub", "owned/sub/b.txt",
					    "owned/link"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		CHECK_INT(lstat_of(R(paths[i])).st_uid, 1234);
		CHECK_INT(lstat_of(R(paths[i])).st_gid, 5678);
	}
	CHECK_OK(al_copy_in(root_fd, H("f.txt"), "/owned-gid", (uid_t)-1, 42, &err), &err);
	CHECK_INT(lstat_of(R("owned-gid")).st_uid, 0);
	CHECK_INT(lstat_of(R("owned-gid")).st_gid, 42);
	/* copy-out leaves the caller's ownership */
	chown(R("g.txt"), 1234, 5678);
	CHECK_OK(al_copy_out(root_fd, "/g.txt", H("g-owned"), &err), &err);
	CHECK_INT(lstat_of(H("g-owned")).st_uid, 0);
}

/* In a private mount namespace (a child, root only): a full file system leaves no half-written file,
 * a read-only one refuses new and existing files alike. Returns the child's failure count. */
static int mount_checks(void)
{
	int failed_before = check_failed;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 77;
	make_dir(R("small"), 0755);
	if (mount("tmpfs", R("small"), "tmpfs", 0, "size=64k") < 0)
		return 77;
	/* the fd opened before unshare still sees the old namespace's mounts */
	close(root_fd);
	root_fd = open(rootdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char big[256 * 1024];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	write_file(H("big"), big, 0644);
	CHECK_FAILS(al_copy_in(root_fd, H("big"), "/small/big", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /small/big: No space left on device");
	CHECK(!exists(R("small/big")));
	CHECK_INT(temps_in(R("small")), 0);

	write_file(R("small/existing"), "old\n", 0644);
	if (mount(NULL, R("small"), NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return 77;
	CHECK_FAILS(al_copy_in(root_fd, H("f.txt"), "/small/existing", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /small/existing: Read-only file system");
	CHECK_STR(text_of(R("small/existing")), "old\n");
	CHECK_FAILS(al_copy_in(root_fd, H("f.txt"), "/small/new", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /small/new: Read-only file system");
	CHECK_FAILS(al_copy_in(root_fd, H("tree"), "/small", (uid_t)-1, (gid_t)-1, &err), &err,
		    "copy to /small/tree: Read-only file system");
	return check_failed - failed_before;
}

static void test_mounts(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_copy: not root, read-only and full file system checks skipped\n");
		return;
	}
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0)
		_exit(mount_checks());
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		fprintf(stderr, "test_copy: no private mount namespace, mount checks skipped\n");
		return;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	setup();
	test_file_in();
	test_file_out();
	test_overwrite();
	test_dir_in();
	test_dir_out();
	test_symlinks();
	test_escape();
	test_planted();
	test_missing();
	test_setid_stripped();
	test_owner();
	test_mounts();
	teardown();
	CHECK_DONE();
}
