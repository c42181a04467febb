/* image_layer.c: one layer blob (tar; gzip, zstd, xz or bzip2) unpacked into the store, digests verified
 * in the same pass, tar-slip refused, whiteouts turned into overlayfs whiteouts. Also the store's file
 * helpers. */
#include "image_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

#define BLOB_BUF_SIZE (128 * 1024)

/* ---- small helpers shared by the store ---- */

void image_sha256_digest_hex(struct sha256_ctx *ctx, char hex[AL_SHA256_HEX_LEN + 1])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_digest(ctx, sizeof d, d);
	al_hex(d, sizeof d, hex);
}

void image_sha256_hex(const void *data, size_t len, char hex[AL_SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	image_sha256_digest_hex(&ctx, hex);
}

const char *image_digest_hex(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0 || !image_is_hex64(digest + 7))
		return NULL;
	return digest + 7;
}

int image_open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

int image_read_file_at(int dirfd, const char *path, size_t max, char **buf_out, size_t *len_out,
		       struct al_err *err)
{
	_cleanup_close_ int fd = image_open_beneath(dirfd, path, O_RDONLY);
	if (fd < 0)
		return al_err_sys(err, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return al_err_sys(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return al_err_set(err, 0, "%s: not a regular file", path);
	if ((uint64_t)st.st_size > max)
		return al_err_set(err, 0, "%s: larger than %zu bytes", path, max);
	_cleanup_free_ char *buf = al_xmalloc((size_t)st.st_size + 1);
	ssize_t n = al_read_all(fd, buf, (size_t)st.st_size);
	if (n < 0)
		return al_err_sys(err, (int)-n, "%s", path);
	buf[n] = '\0';
	*len_out = (size_t)n;
	*buf_out = steal_pointer(&buf);
	return 0;
}

int image_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, struct al_err *err)
{
	uint32_t rnd = 0;
	al_random_bytes(&rnd, sizeof rnd);
	_cleanup_free_ char *tmp = al_xasprintf(".%s.%08x.tmp", name, rnd);
	_cleanup_close_ int fd =
	    openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return al_err_sys(err, errno, "image store: %s", tmp);
	int r = al_write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return al_err_sys(err, -r, "image store: writing %s", name);
	}
	return 0;
}

int image_tmpdir(struct image_store *st, char **name_out, struct al_err *err)
{
	char hex[2 * 8 + 1];
	int r = al_random_hex(hex, 8);
	if (r < 0)
		return al_err_sys(err, -r, "image store: getrandom");
	if (mkdirat(st->tmp_fd, hex, 0700) < 0)
		return al_err_sys(err, errno, "image store: %s/tmp/%s", st->root, hex);
	*name_out = al_xstrdup(hex);
	return 0;
}

/* ---- reading a blob: compressed bytes hashed as read, decompressed bytes hashed as the tar reader
 * pulls them, so one pass verifies the blob digest and the diff id ---- */

struct blob_feed {
	int fd;
	struct sha256_ctx sha;
	char buf[BLOB_BUF_SIZE];
};

static la_ssize_t blob_read(struct archive *a, void *data, const void **buf)
{
	struct blob_feed *f = data;
	ssize_t n;
	do
		n = read(f->fd, f->buf, sizeof f->buf);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read");
		return -1;
	}
	sha256_update(&f->sha, (size_t)n, (const uint8_t *)f->buf);
	*buf = f->buf;
	return n;
}

struct tar_feed {
	struct archive *raw;
	struct sha256_ctx sha;
};

static la_ssize_t tar_read(struct archive *a, void *data, const void **buf)
{
	struct tar_feed *f = data;
	size_t size;
	la_int64_t off;
	int r = archive_read_data_block(f->raw, buf, &size, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN) {
		archive_set_error(a, archive_errno(f->raw), "%s", archive_error_string(f->raw));
		return -1;
	}
	sha256_update(&f->sha, size, *buf);
	return (la_ssize_t)size;
}

/* ---- whiteouts ---- */

struct whiteout {
	char *dir;  /* "" for the layer's root */
	char *name; /* NULL: the directory itself is opaque */
};

struct unpack {
	struct image_store *st;
	const char *label; /* the blob, for messages */
	int fs_fd;
	bool root;
	struct whiteout *wh;
	size_t n_wh;
	struct layer_result *res;
};

static void unpack_free(struct unpack *u)
{
	for (size_t i = 0; i < u->n_wh; i++) {
		free(u->wh[i].dir);
		free(u->wh[i].name);
	}
	free(u->wh);
	if (u->fs_fd >= 0)
		close(u->fs_fd);
}

/* Open dir (relative, no "..") beneath root_fd, never through a symlink; create missing parts. */
static int open_dir_nofollow(int root_fd, const char *dir, bool create)
{
	int fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
	_cleanup_free_ char *copy = al_xstrdup(dir);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		int next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create && mkdirat(fd, c, 0755) == 0)
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int saved = errno;
		close(fd);
		errno = saved;
		fd = next;
	}
	return fd;
}

static bool is_opaque_dir(const struct unpack *u, const char *dir)
{
	for (size_t i = 0; i < u->n_wh; i++)
		if (!u->wh[i].name && strcmp(u->wh[i].dir, dir) == 0)
			return true;
	return false;
}

static int set_xattr(int fd, const char *name, const char *value, const struct unpack *u, const char *dir,
		     struct al_err *err)
{
	if (fsetxattr(fd, name, value, strlen(value), 0) < 0)
		return al_err_sys(err, errno, "layer %s: whiteout in /%s: setting %s", u->label, dir, name);
	return 0;
}

static int make_opaque(struct unpack *u, const struct whiteout *w, struct al_err *err)
{
	_cleanup_close_ int fd = open_dir_nofollow(u->fs_fd, w->dir, true);
	if (fd < 0)
		return al_err_sys(err, errno, "layer %s: opaque directory /%s", u->label, w->dir);
	if (u->root && set_xattr(fd, "trusted.overlay.opaque", "y", u, w->dir, err) < 0)
		return -1;
	return set_xattr(fd, "user.overlay.opaque", "y", u, w->dir, err);
}

static int make_whiteout(struct unpack *u, const struct whiteout *w, struct al_err *err)
{
	if (is_opaque_dir(u, w->dir))
		return 0; /* nothing below an opaque directory shows through anyway */
	_cleanup_close_ int dfd = open_dir_nofollow(u->fs_fd, w->dir, true);
	if (dfd < 0)
		return al_err_sys(err, errno, "layer %s: whiteout /%s/%s", u->label, w->dir, w->name);
	struct stat st;
	if (fstatat(dfd, w->name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* the layer also adds the name: what it adds wins */
	if (u->root) {
		if (mknodat(dfd, w->name, S_IFCHR | 0, makedev(0, 0)) < 0)
			return al_err_sys(err, errno, "layer %s: whiteout /%s/%s", u->label, w->dir, w->name);
		return 0;
	}
	/* Rootless: an unprivileged process cannot mknod 0:0; overlayfs (6.7+, userxattr) also takes an
	 * empty file marked user.overlay.whiteout inside a directory marked user.overlay.opaque=x. */
	_cleanup_close_ int fd =
	    openat(dfd, w->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return al_err_sys(err, errno, "layer %s: whiteout /%s/%s", u->label, w->dir, w->name);
	if (set_xattr(fd, "user.overlay.whiteout", "y", u, w->dir, err) < 0)
		return -1;
	return set_xattr(dfd, "user.overlay.opaque", "x", u, w->dir, err);
}

static int apply_whiteouts(struct unpack *u, struct al_err *err)
{
	for (size_t i = 0; i < u->n_wh; i++)
		if (!u->wh[i].name && make_opaque(u, &u->wh[i], err) < 0)
			return -1;
	for (size_t i = 0; i < u->n_wh; i++)
		if (u->wh[i].name && make_whiteout(u, &u->wh[i], err) < 0)
			return -1;
	return 0;
}

/* ---- entries ---- */

/* Strip "./" and trailing slashes; NULL when absolute or with a ".." component (tar-slip). */
static char *clean_entry_path(const char *p)
{
	if (!p || p[0] == '/')
		return NULL;
	while (p[0] == '.' && p[1] == '/')
		for (p += 2; *p == '/'; p++)
			;
	char *s = al_xstrdup(p);
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '/')
		s[--n] = '\0';
	if (strcmp(s, ".") == 0)
		s[0] = '\0';
	for (char *c = s; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0')) {
			free(s);
			return NULL;
		}
	}
	return s;
}

static int record_whiteout(struct unpack *u, const char *path, const char *base, struct al_err *err)
{
	const char *victim = base + 4;
	bool opaque = strcmp(victim, ".wh..opq") == 0;
	if (!opaque && (!*victim || strcmp(victim, ".") == 0))
		return al_err_set(err, 0, "layer %s: bad whiteout %s", u->label, path);
	u->wh = al_xrealloc(u->wh, (u->n_wh + 1) * sizeof *u->wh);
	u->wh[u->n_wh].dir = al_xasprintf("%.*s", base > path ? (int)(base - path - 1) : 0, path);
	u->wh[u->n_wh].name = opaque ? NULL : al_xstrdup(victim);
	u->n_wh++;
	return 0;
}

/* Overlay xattrs in a layer would let it forge whiteouts or redirects; rootless can set only user.*. */
static void filter_xattrs(struct archive_entry *e, bool root)
{
	const char *name;
	const void *val;
	size_t size;
	size_t n = 0;
	struct {
		char *name;
		void *val;
		size_t size;
	} keep[64];
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK && n < AL_ARRAY_SIZE(keep)) {
		if (strstr(name, "overlay.") || (!root && strncmp(name, "user.", 5) != 0))
			continue;
		keep[n].name = al_xstrdup(name);
		keep[n].val = al_xmalloc(size ? size : 1);
		memcpy(keep[n].val, val, size);
		keep[n++].size = size;
	}
	archive_entry_xattr_clear(e);
	for (size_t i = 0; i < n; i++) {
		archive_entry_xattr_add_entry(e, keep[i].name, keep[i].val, keep[i].size);
		free(keep[i].name);
		free(keep[i].val);
	}
}

/* Decide what to do with an entry before libarchive writes it: 1 write, 0 skip, -1 error. */
static int prepare_entry(struct unpack *u, struct archive_entry *e, struct al_err *err)
{
	const char *raw = archive_entry_pathname(e);
	if (!raw || !*raw)
		return al_err_set(err, 0, "layer %s: corrupt archive: an entry without a name", u->label);
	_cleanup_free_ char *path = clean_entry_path(raw);
	if (!path)
		return al_err_set(err, 0, "layer %s: entry %s: absolute or \"..\" path refused", u->label,
				  raw);
	if (!*path)
		return 0;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (strncmp(base, ".wh.", 4) == 0)
		return record_whiteout(u, path, base, err) < 0 ? -1 : 0;
	archive_entry_copy_pathname(e, path);
	const char *link = archive_entry_hardlink(e);
	if (link) {
		_cleanup_free_ char *clean = clean_entry_path(link);
		if (!clean || !*clean)
			return al_err_set(err, 0, "layer %s: entry %s: hard link to %s refused", u->label,
					  path, link);
		archive_entry_copy_hardlink(e, clean);
	}
	mode_t type = archive_entry_filetype(e);
	if (type == AE_IFSOCK)
		return 0;
	if ((type == AE_IFCHR || type == AE_IFBLK) && !u->root) {
		u->res->skipped_devices++;
		return 0;
	}
	if (!u->root && type != AE_IFDIR)
		archive_entry_set_perm(e, archive_entry_perm(e) & ~(mode_t)(S_ISUID | S_ISGID));
	filter_xattrs(e, u->root);
	if (type == AE_IFREG && !link)
		u->res->size += (uint64_t)archive_entry_size(e);
	return 1;
}

static int copy_entry_data(struct unpack *u, struct archive *tar, struct archive *disk, const char *path,
			   struct al_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	for (;;) {
		int r = archive_read_data_block(tar, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(tar), "layer %s: %s: %s", u->label, path,
					  archive_error_string(tar));
		if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(disk), "layer %s: %s: %s", u->label, path,
					  archive_error_string(disk));
	}
}

static int extract_entries(struct unpack *u, struct archive *tar, struct archive *disk, struct al_err *err)
{
	struct archive_entry *e;
	for (;;) {
		int r = archive_read_next_header(tar, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(tar), "layer %s: %s", u->label,
					  archive_error_string(tar));
		int what = prepare_entry(u, e, err);
		if (what < 0)
			return -1;
		if (what == 0)
			continue;
		const char *path = archive_entry_pathname(e);
		if (archive_write_header(disk, e) < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(disk), "layer %s: %s: %s", u->label, path,
					  archive_error_string(disk));
		if (archive_entry_size(e) > 0 && copy_entry_data(u, tar, disk, path, err) < 0)
			return -1;
		if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(disk), "layer %s: %s: %s", u->label, path,
					  archive_error_string(disk));
	}
}

static struct archive *open_raw(struct blob_feed *blob)
{
	struct archive *raw = archive_read_new();
	/* Only compressions with a library: the "all" set would run external programs. */
	archive_read_support_filter_gzip(raw);
	archive_read_support_filter_zstd(raw);
	archive_read_support_filter_xz(raw);
	archive_read_support_filter_bzip2(raw);
	archive_read_support_format_raw(raw);
	archive_read_support_format_empty(raw);
	archive_read_open(raw, blob, NULL, blob_read, NULL);
	return raw;
}

static struct archive *open_disk(bool root)
{
	struct archive *disk = archive_write_disk_new();
	int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS;
	if (root)
		flags |= ARCHIVE_EXTRACT_OWNER;
	archive_write_disk_set_options(disk, flags);
	return disk;
}

/* Without ARCHIVE_EXTRACT_UNLINK on purpose: with it libarchive would replace a symlink in a path by a
 * directory instead of refusing the entry. An existing non-directory is still replaced, never written
 * through (so a hard link's other names keep their content). */

/* libarchive writes relative to the working directory: unpack with the layer's fs as cwd. */
static int unpack_stream(struct unpack *u, struct blob_feed *blob, struct tar_feed *feed, struct al_err *err)
{
	struct archive *raw = open_raw(blob);
	struct archive_entry *re;
	int r = archive_read_next_header(raw, &re);
	if (r == ARCHIVE_EOF) {
		archive_read_free(raw);
		return al_err_set(err, 0, "layer %s: empty file", u->label);
	}
	if (r < ARCHIVE_WARN) {
		al_err_set(err, archive_errno(raw), "layer %s: %s", u->label, archive_error_string(raw));
		archive_read_free(raw);
		return -1;
	}
	feed->raw = raw;
	struct archive *tar = archive_read_new();
	archive_read_support_format_tar(tar);
	archive_read_open(tar, feed, NULL, tar_read, NULL);
	struct archive *disk = open_disk(u->root);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = cwd < 0 || fchdir(u->fs_fd) < 0 ? al_err_sys(err, errno, "layer %s: chdir", u->label) : 0;
	if (r == 0)
		r = extract_entries(u, tar, disk, err);
	if (r == 0)
		r = apply_whiteouts(u, err);
	if (archive_write_close(disk) < ARCHIVE_WARN && r == 0)
		r = al_err_set(err, archive_errno(disk), "layer %s: %s", u->label,
			       archive_error_string(disk));
	if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
		r = al_err_sys(err, errno, "layer %s: chdir back", u->label);
	archive_write_free(disk);
	archive_read_free(tar);
	const void *buf;
	size_t size;
	la_int64_t off;
	while (r == 0 && (r = archive_read_data_block(raw, &buf, &size, &off)) == ARCHIVE_OK)
		sha256_update(&feed->sha, size, buf); /* the tar's trailing padding is part of the diff id */
	if (r == ARCHIVE_EOF)
		r = 0;
	else if (r != -1)
		r = al_err_set(err, archive_errno(raw), "layer %s: %s", u->label, archive_error_string(raw));
	archive_read_free(raw);
	/* The blob digest covers the whole file, also what the decompressor did not need. */
	ssize_t n;
	while (r == 0 && (n = read(blob->fd, blob->buf, sizeof blob->buf)) != 0) {
		if (n < 0 && errno != EINTR)
			return al_err_sys(err, errno, "layer %s: read", u->label);
		if (n > 0)
			sha256_update(&blob->sha, (size_t)n, (const uint8_t *)blob->buf);
	}
	return r;
}

static bool layer_present(struct image_store *st, const char *diff_id, struct layer_result *res)
{
	struct stat sb;
	if (fstatat(st->layers_fd, diff_id, &sb, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(sb.st_mode))
		return false;
	char buf[32] = "";
	_cleanup_free_ char *p = al_xasprintf("%s/size", diff_id);
	if (al_read_file_at(st->layers_fd, p, buf, sizeof buf) > 0)
		res->size = strtoull(buf, NULL, 10);
	snprintf(res->diff_id, sizeof res->diff_id, "%s", diff_id);
	res->reused = true;
	return true;
}

static int verify(const struct unpack *u, const char *what, const char *want, const char *got,
		  struct al_err *err)
{
	if (want && strcmp(want, got) != 0)
		return al_err_set(err, 0, "layer %s: %s mismatch: expected sha256:%s, got sha256:%s",
				  u->label, what, want, got);
	return 0;
}

static int unpack_into(struct unpack *u, int tmp_dir_fd, int blob_fd, const struct layer_expect *expect,
		       struct al_err *err)
{
	if (mkdirat(tmp_dir_fd, "fs", 0755) < 0)
		return al_err_sys(err, errno, "layer %s: mkdir", u->label);
	u->fs_fd = openat(tmp_dir_fd, "fs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u->fs_fd < 0)
		return al_err_sys(err, errno, "layer %s: open", u->label);
	struct blob_feed *blob = al_xmalloc(sizeof *blob);
	struct tar_feed feed = {0};
	blob->fd = blob_fd;
	sha256_init(&blob->sha);
	sha256_init(&feed.sha);
	int r = unpack_stream(u, blob, &feed, err);
	char blob_hex[AL_SHA256_HEX_LEN + 1];
	image_sha256_digest_hex(&blob->sha, blob_hex);
	image_sha256_digest_hex(&feed.sha, u->res->diff_id);
	free(blob);
	if (r < 0 || verify(u, "blob digest", expect->blob_digest, blob_hex, err) < 0 ||
	    verify(u, "diff id", expect->diff_id, u->res->diff_id, err) < 0)
		return -1;
	char size[32];
	int n = snprintf(size, sizeof size, "%llu\n", (unsigned long long)u->res->size);
	_cleanup_close_ int sfd = openat(tmp_dir_fd, "size", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (sfd < 0 || al_write_all(sfd, size, (size_t)n) < 0)
		return al_err_sys(err, errno, "layer %s: size", u->label);
	return 0;
}

/* A layer already stored is not unpacked again, but a corrupt archive must still fail: its blob digest,
 * when the format gives one, costs a read and no decompression. */
static int verify_blob_only(int fd, const char *label, const char *want, struct al_err *err)
{
	if (!want)
		return 0;
	struct sha256_ctx sha;
	_cleanup_free_ char *buf = al_xmalloc(BLOB_BUF_SIZE);
	ssize_t n;
	sha256_init(&sha);
	while ((n = read(fd, buf, BLOB_BUF_SIZE)) != 0) {
		if (n < 0 && errno != EINTR)
			return al_err_sys(err, errno, "layer %s: read", label);
		if (n > 0)
			sha256_update(&sha, (size_t)n, (const uint8_t *)buf);
	}
	char got[AL_SHA256_HEX_LEN + 1];
	image_sha256_digest_hex(&sha, got);
	if (strcmp(got, want) != 0)
		return al_err_set(err, 0, "layer %s: blob digest mismatch: expected sha256:%s, got sha256:%s",
				  label, want, got);
	return 0;
}

int image_unpack_layer(struct image_store *st, int blob_fd, const char *blob_path,
		       const struct layer_expect *expect, struct layer_result *res, struct al_err *err)
{
	memset(res, 0, sizeof *res);
	if (expect->diff_id && layer_present(st, expect->diff_id, res))
		return verify_blob_only(blob_fd, blob_path, expect->blob_digest, err);
	_cleanup_free_ char *tmp = NULL;
	if (image_tmpdir(st, &tmp, err) < 0)
		return -1;
	_cleanup_close_ int tmp_dir_fd =
	    openat(st->tmp_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct unpack u = {.st = st, .label = blob_path, .fs_fd = -1, .root = al_is_root(), .res = res};
	int r = tmp_dir_fd < 0 ? al_err_sys(err, errno, "layer %s: tmp", blob_path)
			       : unpack_into(&u, tmp_dir_fd, blob_fd, expect, err);
	unpack_free(&u);
	if (r == 0 && renameat(st->tmp_fd, tmp, st->layers_fd, res->diff_id) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			res->reused = true; /* a concurrent load got there first: its copy is as good */
		else
			r = al_err_sys(err, errno, "layer %s: storing sha256:%s", blob_path, res->diff_id);
	}
	if (r < 0 || res->reused)
		al_rm_tree_at(st->tmp_fd, tmp);
	return r;
}
