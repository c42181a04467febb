/* copy.c: `airlock cp`: each end resolved once (the sandbox's with openat2 inside its root, the host's as the
 * caller wrote it), then one recursive copier that walks directory fds with *at calls and never follows. */
#include "copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

/* The sandbox picks the depth of what is copied out; each level holds three fds and a stack frame. */
#define COPY_MAX_DEPTH 256
#define COPY_CHUNK     (128 * 1024)
#define COPY_TEMP_NAME 40

/* One end of a copy: the host, where paths resolve as usual, or a sandbox, where they resolve in its root. */
struct copy_side {
	bool in_root;
	int root_fd;
};

/* A path for messages: the user's text with the names walked below it appended. */
struct copy_label {
	char s[4096];
	size_t len;
};

struct copy_job {
	uid_t uid; /* (uid_t)-1 and (gid_t)-1: owner left as created */
	gid_t gid;
	unsigned depth;
	/* The first directory written to: a source that leads back into it would copy itself forever. */
	bool have_top;
	dev_t top_dev;
	ino_t top_ino;
	struct copy_label from, to;
	struct al_err *err;
};

static int copy_node(struct copy_job *job, int src, const struct stat *st, int dir, const char *name);

/* O_PATH (and O_DIRECTORY, O_NOFOLLOW) only: openat2 refuses other flags with O_PATH. */
static int side_open(const struct copy_side *side, const char *path, int flags)
{
	if (!side->in_root)
		return openat(side->root_fd, path, flags | O_CLOEXEC);
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename inside the root raced the kernel's ".." checks, and it asks for a retry. */
	for (int tries = 0;; tries++) {
		int fd = (int)syscall(SYS_openat2, side->root_fd, path, &how, sizeof how);
		if (fd >= 0 || errno != EAGAIN || tries == 32)
			return fd;
	}
}

static void label_set(struct copy_label *l, const char *text)
{
	snprintf(l->s, sizeof l->s, "%s", text);
	l->len = strlen(l->s);
}

/* Names below the user's path come from the other side (the sandbox, on copy-out): control characters
 * become '?' so that a name cannot send escape sequences to the caller's terminal. */
static size_t label_push(struct copy_label *l, const char *name)
{
	size_t old = l->len;
	if (l->len > 0 && l->s[l->len - 1] != '/' && l->len + 1 < sizeof l->s)
		l->s[l->len++] = '/';
	for (; *name && l->len + 1 < sizeof l->s; name++)
		l->s[l->len++] = (unsigned char)*name < 0x20 || *name == 0x7f ? '?' : *name;
	l->s[l->len] = '\0';
	return old;
}

static void label_pop(struct copy_label *l, size_t len)
{
	l->len = len;
	l->s[len] = '\0';
}

static int fail_from(struct copy_job *job, int errnum)
{
	return al_err_sys(job->err, errnum, "copy from %s", job->from.s);
}

static int fail_to(struct copy_job *job, int errnum)
{
	return al_err_sys(job->err, errnum, "copy to %s", job->to.s);
}

static bool chown_wanted(const struct copy_job *job)
{
	return job->uid != (uid_t)-1 || job->gid != (gid_t)-1;
}

/* Open the very inode an O_PATH fd names, through /proc/self/fd: what was checked is what gets opened, so a
 * fifo or device swapped in at the name meanwhile is never opened. */
static int reopen(int opath_fd, int flags)
{
	char proc[40];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", opath_fd);
	return open(proc, flags | O_CLOEXEC | O_NOCTTY);
}

static int copy_range(struct copy_job *job, int in, int out, char *buf, off_t from, off_t end)
{
	while (from < end) {
		size_t want = end - from < COPY_CHUNK ? (size_t)(end - from) : COPY_CHUNK;
		ssize_t n = pread(in, buf, want, from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_from(job, errno);
		if (n == 0)
			return 0; /* the file shrank while read */
		for (ssize_t done = 0; done < n;) {
			ssize_t w = pwrite(out, buf + done, (size_t)(n - done), from + done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return fail_to(job, w < 0 ? errno : ENOSPC);
			done += w;
		}
		from += n;
	}
	return 0;
}

/* The first `size` bytes of in, written to out at the same offsets with holes skipped: a sparse file stays
 * sparse and one the sandbox keeps growing ends where it ended when opened, so neither fills the disk. */
static int copy_data(struct copy_job *job, int in, int out, off_t size)
{
	_cleanup_free_ char *buf = al_xmalloc(COPY_CHUNK);
	for (off_t off = 0; off < size;) {
		off_t data = lseek(in, off, SEEK_DATA);
		if (data < 0 && errno == ENXIO)
			break; /* only a hole is left */
		if (data < 0)
			data =
			    off; /* no hole support here: everything is data, and pread reports real errors */
		if (data >= size)
			break;
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		if (copy_range(job, in, out, buf, data, hole) < 0)
			return -1;
		off = hole;
	}
	if (ftruncate(out, size) < 0)
		return fail_to(job, errno);
	return 0;
}

/* Owner, then mode, then times: chown clears set-id bits and writes move mtime. Set-id bits of files are
 * never carried across: a sandbox's set-user-ID file copied out by root would be a root shell. */
static int apply_meta(struct copy_job *job, int fd, const struct stat *st)
{
	mode_t mode = st->st_mode & 07777;
	if (!S_ISDIR(st->st_mode))
		mode &= ~(mode_t)(S_ISUID | S_ISGID);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (chown_wanted(job) && fchown(fd, job->uid, job->gid) < 0)
		return fail_to(job, errno);
	if (fchmod(fd, mode) < 0 || futimens(fd, times) < 0)
		return fail_to(job, errno);
	return 0;
}

/* A fresh name in dir for a file (target NULL: returns it open) or a symlink (returns 0) to rename into
 * place. */
static int make_temp(int dir, char name[COPY_TEMP_NAME], const char *target)
{
	for (int tries = 0; tries < 16; tries++) {
		uint64_t r = 0;
		if (al_random_bytes(&r, sizeof r) < 0)
			r = al_now_ns() + (uint64_t)tries;
		snprintf(name, COPY_TEMP_NAME, ".airlock-cp-%016" PRIx64, r);
		int fd = target
			     ? symlinkat(target, dir, name)
			     : openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}

/* An existing file is rewritten in place: its inode and links stay, and a read-only mount refuses. */
static int overwrite_file(struct copy_job *job, int in, const struct stat *st, int old)
{
	_cleanup_close_ int out = reopen(old, O_WRONLY);
	if (out < 0 || ftruncate(out, 0) < 0)
		return fail_to(job, errno);
	if (copy_data(job, in, out, st->st_size) < 0)
		return -1;
	return apply_meta(job, out, st);
}

/* A new file is written under a temporary name and renamed into place: a failure leaves nothing half-written,
 * and the rename replaces whatever was planted at the name (a symlink) instead of following it. */
static int create_file(struct copy_job *job, int in, const struct stat *st, int dir, const char *name)
{
	char tmp[COPY_TEMP_NAME];
	_cleanup_close_ int out = make_temp(dir, tmp, NULL);
	if (out < 0)
		return fail_to(job, errno);
	int r = copy_data(job, in, out, st->st_size);
	if (r == 0)
		r = apply_meta(job, out, st);
	if (r == 0 && renameat(dir, tmp, dir, name) < 0)
		r = fail_to(job, errno);
	if (r < 0)
		unlinkat(dir, tmp, 0);
	return r;
}

static int copy_file(struct copy_job *job, int src, int dir, const char *name)
{
	_cleanup_close_ int in = reopen(src, O_RDONLY);
	struct stat st, old_st;
	if (in < 0 || fstat(in, &st) < 0)
		return fail_from(job, errno);
	_cleanup_close_ int old = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (old < 0 && errno != ENOENT)
		return fail_to(job, errno);
	if (old >= 0 && fstat(old, &old_st) < 0)
		return fail_to(job, errno);
	if (old >= 0 && S_ISDIR(old_st.st_mode))
		return fail_to(job, EISDIR);
	/* Through a volume both ends can be one file, which truncating would empty before it is read. */
	if (old >= 0 && old_st.st_dev == st.st_dev && old_st.st_ino == st.st_ino)
		return al_err_set(job->err, EINVAL, "copy to %s: the same file as the source", job->to.s);
	if (old >= 0 && S_ISREG(old_st.st_mode))
		return overwrite_file(job, in, &st, old);
	return create_file(job, in, &st, dir, name);
}

/* Owner and times go through an O_PATH fd of the link just made, not its name, which the sandbox could
 * swap for a file of its choosing meanwhile; then the link is renamed over whatever holds the name. */
static int finish_symlink(struct copy_job *job, const struct stat *st, int dir, const char *tmp,
			  const char *name)
{
	_cleanup_close_ int fd = openat(dir, tmp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat now;
	if (fd < 0 || fstat(fd, &now) < 0)
		return fail_to(job, errno);
	if (!S_ISLNK(now.st_mode))
		return al_err_set(job->err, EAGAIN, "copy to %s: changed while copied", job->to.s);
	struct timespec times[2] = {st->st_atim, st->st_mtim};
	int at = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW;
	if (chown_wanted(job) && fchownat(fd, "", job->uid, job->gid, at) < 0)
		return fail_to(job, errno);
	if (utimensat(fd, "", times, at) < 0 || renameat(dir, tmp, dir, name) < 0)
		return fail_to(job, errno);
	return 0;
}

static int copy_symlink(struct copy_job *job, int src, const struct stat *st, int dir, const char *name)
{
	char target[4096];
	ssize_t n = readlinkat(src, "", target, sizeof target);
	if (n < 0 || (size_t)n == sizeof target)
		return fail_from(job, n < 0 ? errno : ENAMETOOLONG);
	target[n] = '\0';
	char tmp[COPY_TEMP_NAME];
	if (make_temp(dir, tmp, target) < 0)
		return fail_to(job, errno);
	if (finish_symlink(job, st, dir, tmp, name) < 0) {
		unlinkat(dir, tmp, 0);
		return -1;
	}
	return 0;
}

static int copy_entry(struct copy_job *job, int src_dir, const char *name, int out)
{
	size_t from_len = label_push(&job->from, name), to_len = label_push(&job->to, name);
	_cleanup_close_ int src = openat(src_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r = src < 0 || fstat(src, &st) < 0 ? fail_from(job, errno) : copy_node(job, src, &st, out, name);
	label_pop(&job->from, from_len);
	label_pop(&job->to, to_len);
	return r;
}

static int copy_entries(struct copy_job *job, DIR *d, int out)
{
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e)
			return errno ? fail_from(job, errno) : 0;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (copy_entry(job, dirfd(d), e->d_name, out) < 0)
			return -1;
	}
}

/* Every entry of the directory src (an O_PATH fd) copied into the directory out. */
static int fill_dir(struct copy_job *job, int src, int out)
{
	struct stat in_st, out_st;
	_cleanup_close_ int in = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (in < 0 || fstat(in, &in_st) < 0)
		return fail_from(job, errno);
	if (fstat(out, &out_st) < 0)
		return fail_to(job, errno);
	if (!job->have_top) {
		job->have_top = true;
		job->top_dev = out_st.st_dev;
		job->top_ino = out_st.st_ino;
	}
	if (in_st.st_dev == job->top_dev && in_st.st_ino == job->top_ino)
		return al_err_set(job->err, ELOOP, "copy from %s: cannot copy a directory into itself",
				  job->from.s);
	if (job->depth >= COPY_MAX_DEPTH)
		return al_err_set(job->err, ELOOP, "copy from %s: nested deeper than %d directories",
				  job->from.s, COPY_MAX_DEPTH);
	DIR *d = fdopendir(in);
	if (!d)
		return fail_from(job, errno);
	in = -1; /* closedir closes it */
	job->depth++;
	int r = copy_entries(job, d, out);
	job->depth--;
	closedir(d);
	return r;
}

/* A directory made here is filled while 0700 and gets its mode and times last; one that was there keeps
 * its own. An existing non-directory (a planted symlink included) is an error, never followed. */
static int copy_dir(struct copy_job *job, int src, const struct stat *st, int dir, const char *name)
{
	bool created = mkdirat(dir, name, 0700) == 0;
	if (!created && errno != EEXIST)
		return fail_to(job, errno);
	_cleanup_close_ int out = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (out < 0)
		return fail_to(job, errno == ELOOP ? ENOTDIR : errno);
	if (fill_dir(job, src, out) < 0)
		return -1;
	return created ? apply_meta(job, out, st) : 0;
}

static int copy_node(struct copy_job *job, int src, const struct stat *st, int dir, const char *name)
{
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(job, src, dir, name);
	case S_IFDIR:
		return copy_dir(job, src, st, dir, name);
	case S_IFLNK:
		return copy_symlink(job, src, st, dir, name);
	default:
		return 0; /* devices, fifos and sockets are left out, as docker cp does */
	}
}

static bool ends_with_slash(const char *path)
{
	size_t n = strlen(path);
	return n > 0 && path[n - 1] == '/';
}

static bool is_dot_name(const char *name)
{
	return !*name || !strcmp(name, ".") || !strcmp(name, "..");
}

/* The name a source is copied under, or NULL when it stands for its contents ("dir/.", ".", "/"). */
static char *source_name(const char *src)
{
	size_t end = strlen(src);
	while (end > 1 && src[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && src[start - 1] != '/')
		start--;
	char *name = al_xstrndup(src + start, end - start);
	if (is_dot_name(name)) {
		free(name);
		return NULL;
	}
	return name;
}

/* DST is not an existing directory: the source becomes DST itself, in DST's parent, which must exist. */
static int copy_as(struct copy_job *job, int src, const struct stat *st, const struct copy_side *to,
		   const char *dst)
{
	const char *slash = strrchr(dst, '/');
	const char *last = slash ? slash + 1 : dst;
	if (is_dot_name(last))
		return al_err_set(job->err, ENOENT, "copy to %s: no such directory", dst);
	_cleanup_free_ char *parent =
	    slash ? al_xstrndup(dst, slash == dst ? 1 : (size_t)(slash - dst)) : al_xstrdup(".");
	_cleanup_close_ int dir = side_open(to, parent, O_PATH | O_DIRECTORY);
	if (dir < 0 && (errno == ENOENT || errno == ENOTDIR))
		return al_err_set(job->err, errno, "copy to %s: no such directory", dst);
	if (dir < 0)
		return fail_to(job, errno);
	return copy_node(job, src, st, dir, last);
}

static int copy_top(struct copy_job *job, const struct copy_side *from, const char *src,
		    const struct copy_side *to, const char *dst)
{
	_cleanup_free_ char *name = source_name(src);
	/* A source that is a symlink is copied as one, unless a trailing "/" or "/." asks for what it names.
	 */
	int nofollow = name && !ends_with_slash(src) ? O_NOFOLLOW : 0;
	_cleanup_close_ int sfd = side_open(from, src, O_PATH | nofollow);
	struct stat st, dst_st;
	if (sfd < 0 || fstat(sfd, &st) < 0)
		return fail_from(job, errno);
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode))
		return al_err_set(job->err, EINVAL, "copy from %s: not a file, directory or symlink", src);
	/* DST's own symlink is followed (inside the root) here only to find a directory to copy into. */
	_cleanup_close_ int dfd = side_open(to, dst, O_PATH);
	if (dfd < 0 && errno != ENOENT)
		return fail_to(job, errno);
	if (dfd >= 0 && fstat(dfd, &dst_st) < 0)
		return fail_to(job, errno);
	if (dfd >= 0 && S_ISDIR(dst_st.st_mode)) {
		if (!name)
			return fill_dir(job, sfd, dfd);
		label_push(&job->to, name);
		return copy_node(job, sfd, &st, dfd, name);
	}
	if (dfd >= 0 && S_ISDIR(st.st_mode))
		return al_err_set(job->err, ENOTDIR, "copy to %s: exists and is not a directory", dst);
	return copy_as(job, sfd, &st, to, dst);
}

static void job_init(struct copy_job *job, const char *src, const char *dst, uid_t uid, gid_t gid,
		     struct al_err *err)
{
	*job = (struct copy_job){.uid = uid, .gid = gid, .err = err};
	label_set(&job->from, src);
	label_set(&job->to, dst);
}

int al_copy_in(int root_fd, const char *src, const char *dst, uid_t uid, gid_t gid, struct al_err *err)
{
	if (!src || !dst)
		return al_err_set(err, EINVAL, "copy: no source or destination");
	if (root_fd < 0)
		return al_err_set(err, EBADF, "copy to %s: no sandbox root", dst);
	struct copy_side host = {.in_root = false, .root_fd = AT_FDCWD};
	struct copy_side sandbox = {.in_root = true, .root_fd = root_fd};
	struct copy_job job;
	job_init(&job, src, dst, uid, gid, err);
	return copy_top(&job, &host, src, &sandbox, dst);
}

int al_copy_out(int root_fd, const char *src, const char *dst, struct al_err *err)
{
	if (!src || !dst)
		return al_err_set(err, EINVAL, "copy: no source or destination");
	if (root_fd < 0)
		return al_err_set(err, EBADF, "copy from %s: no sandbox root", src);
	struct copy_side sandbox = {.in_root = true, .root_fd = root_fd};
	struct copy_side host = {.in_root = false, .root_fd = AT_FDCWD};
	struct copy_job job;
	job_init(&job, src, dst, (uid_t)-1, (gid_t)-1, err);
	return copy_top(&job, &sandbox, src, &host, dst);
}
