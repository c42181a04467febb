/* mounts.c: the sandbox's root built from pieces: a private tmpfs scaffold, the rootfs (or an image's
 * overlay) bound into it one top-level entry at a time, volumes and tmpfs at targets resolved inside it. */
#include "mounts.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices.h"
#include "util.h"

#define AL_TMPFS_DEFAULT_SIZE (256ull << 20)
#define AL_HIDDEN_TMPFS_SIZE  (64ull << 20)
#define AL_PIECE_ATTRS	      (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)

const char *const al_hidden_host_dirs[AL_N_HIDDEN_HOST_DIRS] = {"/home", "/root", "/run",   "/var",
								"/tmp",	 "/mnt",  "/media", "/srv"};
/* Secrets hidden with the host's root: masked by /dev/null. */
static const char *const hidden_host_files[] = {"/etc/shadow", "/etc/gshadow", "/etc/shadow-",
						"/etc/gshadow-"};
/* The kernel interface filesystems: never taken from the rootfs, always made by airlock. */
static const char *const kernel_dirs[] = {"proc", "dev", "sys"};

int al_open_in_root(int root_fd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, root_fd, path, &how, sizeof how);
}

int al_tmpfs_detached(const char *mode, uint64_t size, unsigned attr_flags, struct al_err *err)
{
	_cleanup_close_ int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return al_err_sys(err, errno, "tmpfs: fsopen");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0)
		return al_err_sys(err, errno, "tmpfs: mode=%s", mode);
	if (size) {
		char buf[32];
		snprintf(buf, sizeof buf, "%llu", (unsigned long long)size);
		if (fsconfig(fs, FSCONFIG_SET_STRING, "size", buf, 0) < 0)
			return al_err_sys(err, errno, "tmpfs: size=%s", buf);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return al_err_sys(err, errno, "tmpfs: create");
	int mfd = fsmount(fs, FSMOUNT_CLOEXEC, attr_flags);
	if (mfd < 0)
		return al_err_sys(err, errno, "tmpfs: fsmount");
	return mfd;
}

/* A tree cloned from a shared mount of the host (dockerd makes its data root shared) is a peer of it:
 * whatever is mounted on it would propagate back to the host. Once attached here, it is made private,
 * recursively, before anything is mounted on it. */
static int make_private(int tree_fd, const char *what, struct al_err *err)
{
	struct mount_attr attr = {.propagation = MS_PRIVATE};
	if (mount_setattr(tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
		return al_err_sys(err, errno, "make %s private", what);
	return 0;
}

int al_attach(int tree_fd, int target_fd, const char *what, struct al_err *err)
{
	if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return al_err_sys(err, errno, "mount %s", what);
	return make_private(tree_fd, what, err);
}

static int set_attrs(int tree_fd, unsigned set, bool recursive)
{
	struct mount_attr attr = {.attr_set = set};
	return mount_setattr(tree_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr);
}

/* Clone dirfd/name (recursively) as a detached tree with attrs set. */
static int clone_tree(int dirfd, const char *name, unsigned attrs, struct al_err *err)
{
	int flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW;
	if (!name[0])
		flags |= AT_EMPTY_PATH;
	int t = open_tree(dirfd, name, (unsigned)flags);
	if (t < 0)
		return al_err_sys(err, errno, "bind %s", name[0] ? name : "(root)");
	if (attrs && set_attrs(t, attrs, true) < 0) {
		int e = errno;
		close(t);
		return al_err_sys(err, e, "bind %s: set attributes", name);
	}
	return t;
}

static int remember_scaffold(struct al_root_build *b, int mfd, struct al_err *err)
{
	if (b->n_scaffold >= AL_ARRAY_SIZE(b->scaffold_fds)) {
		close(mfd);
		return al_err_set(err, E2BIG,
				  "too many mount targets to create (at most %zu split directories)",
				  AL_ARRAY_SIZE(b->scaffold_fds));
	}
	b->scaffold_fds[b->n_scaffold++] = mfd;
	return 0;
}

/* Pieces of the rootfs are read-only, unless it is an image's overlay with its own throwaway upper
 * layer: then writes go there. */
static unsigned piece_attrs(const struct al_root_build *b)
{
	return b->rootfs_writable ? MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV : AL_PIECE_ATTRS;
}

static void remember_piece(struct al_root_build *b, const char *path)
{
	if (b->n_pieces < AL_ARRAY_SIZE(b->pieces))
		b->pieces[b->n_pieces++] = al_xstrdup(path);
}

/* Recreate one directory entry of src_dir (name, type) in dst_dir, binding it read-only. */
static int mirror_entry(struct al_root_build *b, int src_dir, int dst_dir, const char *name, const char *rel,
			struct al_err *err)
{
	struct stat st;
	if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return al_err_sys(err, errno, "rootfs entry %s", rel);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(src_dir, name, target, sizeof target - 1);
		if (n < 0)
			return al_err_sys(err, errno, "rootfs symlink %s", rel);
		target[n] = '\0';
		if (symlinkat(target, dst_dir, name) < 0)
			return al_err_sys(err, errno, "symlink %s", rel);
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dst_dir, name, st.st_mode & 07777) < 0 && errno != EEXIST)
			return al_err_sys(err, errno, "mkdir %s", rel);
	} else {
		int f = openat(dst_dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
		if (f < 0)
			return al_err_sys(err, errno, "create %s", rel);
		close(f);
	}
	_cleanup_close_ int tree = clone_tree(src_dir, name, piece_attrs(b), err);
	if (tree < 0)
		return -1;
	_cleanup_close_ int target = openat(dst_dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return al_err_sys(err, errno, "open %s", rel);
	if (al_attach(tree, target, rel, err) < 0)
		return -1;
	if (S_ISDIR(st.st_mode))
		remember_piece(b, rel);
	return 0;
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* Mirror every entry of src (a readable directory fd) into dst, except the names in skip. */
static int mirror_dir(struct al_root_build *b, int src, int dst, const char *rel_prefix,
		      const char *const *skip, size_t n_skip, struct al_err *err)
{
	int dup_fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup_fd < 0)
		return al_err_sys(err, errno, "read directory %s", rel_prefix[0] ? rel_prefix : "/");
	DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return al_err_sys(err, errno, "read directory %s", rel_prefix);
	}
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (in_list(de->d_name, skip, n_skip))
			continue;
		_cleanup_free_ char *rel = al_xasprintf("%s/%s", rel_prefix, de->d_name);
		r = mirror_entry(b, src, dst, de->d_name, rel, err);
	}
	closedir(d);
	return r;
}

/* Cover the read-only directory dir_fd with a tmpfs holding a mirror of its entries, so that a new
 * entry can be created there without writing the rootfs. Returns an O_PATH fd of the new tmpfs. */
static int split_dir(struct al_root_build *b, int dir_fd, const char *rel, struct al_err *err)
{
	struct stat st;
	if (fstat(dir_fd, &st) < 0)
		return al_err_sys(err, errno, "stat %s", rel);
	_cleanup_close_ int under = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (under < 0)
		return al_err_sys(err, errno, "open %s", rel);
	char mode[16];
	snprintf(mode, sizeof mode, "%o", (unsigned)(st.st_mode & 07777));
	int mfd = al_tmpfs_detached(mode, 1 << 20, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	if (mfd < 0)
		return -1;
	if (al_attach(mfd, dir_fd, rel, err) < 0 || remember_scaffold(b, mfd, err) < 0) {
		close(mfd);
		return -1;
	}
	if (mirror_dir(b, under, mfd, strcmp(rel, "/") == 0 ? "" : rel, NULL, 0, err) < 0)
		return -1;
	int out = fcntl(mfd, F_DUPFD_CLOEXEC, 3);
	if (out < 0)
		return al_err_sys(err, errno, "dup");
	return out;
}

static int create_entry(int parent_fd, const char *name, bool dir)
{
	if (dir)
		return mkdirat(parent_fd, name, 0755);
	int f = openat(parent_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
	if (f < 0)
		return -1;
	close(f);
	return 0;
}

int al_ensure_target(struct al_root_build *b, const char *path, bool dir, struct al_err *err)
{
	int fd = al_open_in_root(b->root_fd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return al_err_sys(err, errno, "mount target %s", path);

	_cleanup_free_ char *parent = al_xstrdup(path);
	char *slash = strrchr(parent, '/');
	const char *name = path + (slash - parent) + 1;
	if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	_cleanup_close_ int pfd = al_ensure_target(b, parent, true, err);
	if (pfd < 0)
		return -1;
	if (create_entry(pfd, name, dir) < 0) {
		if (errno == EEXIST)
			return al_err_set(err, EEXIST,
					  "mount target %s: a dangling symlink or a file in the way", path);
		if (errno != EROFS)
			return al_err_sys(err, errno, "mount target %s", path);
		int split = split_dir(b, pfd, parent, err);
		if (split < 0)
			return -1;
		close(pfd);
		pfd = split;
		if (create_entry(pfd, name, dir) < 0)
			return al_err_sys(err, errno, "mount target %s", path);
	}
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "mount target %s", path);
	return fd;
}

/* Where the scaffold is attached until pivot_root: a directory of the host root, hidden only
 * inside this private mount namespace. Every host source was opened before, so nothing is lost. */
static int stage(int mfd, const char *what, struct al_err *err)
{
	static const char *const staging[] = {"/tmp", "/mnt", "/"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(staging); i++)
		if (move_mount(mfd, "", AT_FDCWD, staging[i], MOVE_MOUNT_F_EMPTY_PATH) == 0)
			return make_private(mfd, what, err);
	return al_err_sys(err, errno, "attach %s", what);
}

static int attach_scaffold(int mfd, struct al_err *err)
{
	if (stage(mfd, "the new root", err) < 0)
		return -1;
	return fchdir(mfd) < 0 ? al_err_sys(err, errno, "chdir into the new root") : 0;
}

static int hide_host_dirs(struct al_root_build *b, struct al_err *err)
{
	for (size_t i = 0; i < AL_N_HIDDEN_HOST_DIRS; i++) {
		const char *name = al_hidden_host_dirs[i] + 1;
		bool is_tmp = strcmp(name, "tmp") == 0;
		if (mkdirat(b->root_fd, name, is_tmp ? 01777 : 0755) < 0)
			return al_err_sys(err, errno, "mkdir /%s", name);
		_cleanup_close_ int mfd = al_tmpfs_detached(
		    is_tmp ? "1777" : "755", is_tmp ? AL_TMPFS_DEFAULT_SIZE : AL_HIDDEN_TMPFS_SIZE,
		    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
		if (mfd < 0)
			return -1;
		_cleanup_close_ int target = openat(b->root_fd, name, O_PATH | O_CLOEXEC);
		if (target < 0 || al_attach(mfd, target, name, err) < 0)
			return target < 0 ? al_err_sys(err, errno, "open /%s", name) : -1;
	}
	return 0;
}

static int mask_with_null(struct al_root_build *b, int null_fd, const char *path, struct al_err *err)
{
	_cleanup_close_ int target = al_open_in_root(b->root_fd, path, O_PATH | O_NOFOLLOW);
	if (target < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : al_err_sys(err, errno, "hide %s", path);
	_cleanup_close_ int tree =
	    open_tree(null_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0)
		return al_err_sys(err, errno, "hide %s", path);
	return al_attach(tree, target, path, err);
}

static int hide_host_secrets(struct al_root_build *b, int null_fd, struct al_err *err)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(hidden_host_files); i++)
		if (mask_with_null(b, null_fd, hidden_host_files[i], err) < 0)
			return -1;
	_cleanup_close_ int ssh = al_open_in_root(b->root_fd, "/etc/ssh", O_RDONLY | O_DIRECTORY);
	if (ssh < 0)
		return 0;
	DIR *d = fdopendir(ssh);
	if (!d)
		return 0;
	ssh = -1;
	int r = 0;
	struct dirent *de;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "ssh_host_", 9) != 0)
			continue;
		_cleanup_free_ char *p = al_xasprintf("/etc/ssh/%s", de->d_name);
		r = mask_with_null(b, null_fd, p, err);
	}
	closedir(d);
	return r;
}

static size_t depth(const char *path)
{
	size_t n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Mount order: parents before children (docker sorts by depth), ties in command-line order. */
static void sort_by_depth(const struct al_spec *spec, size_t *order)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		order[i] = i;
	for (size_t i = 1; i < spec->n_mounts; i++) {
		size_t v = order[i], j = i;
		for (; j > 0 && depth(spec->mounts[order[j - 1]].target) > depth(spec->mounts[v].target); j--)
			order[j] = order[j - 1];
		order[j] = v;
	}
}

static int tmpfs_mode_text(const struct al_mount *m, char *buf, size_t n)
{
	return snprintf(buf, n, "%o", m->has_mode ? (unsigned)m->mode : 01777u);
}

static int mount_user_entry(struct al_sandbox *sb, struct al_root_build *b, size_t i, struct al_err *err)
{
	const struct al_mount *m = &sb->spec->mounts[i];
	int tree = sb->mount_src_fds[i];
	bool dir = true;
	if (m->kind == AL_MOUNT_TMPFS) {
		char mode[16];
		tmpfs_mode_text(m, mode, sizeof mode);
		tree = al_tmpfs_detached(mode, m->size ? m->size : AL_TMPFS_DEFAULT_SIZE,
					 MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
		if (tree < 0)
			return -1;
	} else {
		struct stat st;
		if (fstat(tree, &st) < 0)
			return al_err_sys(err, errno, "volume %s", m->source);
		dir = S_ISDIR(st.st_mode);
	}
	sb->mount_src_fds[i] = -1;
	_cleanup_close_ int owned_tree = tree;
	_cleanup_close_ int target = al_ensure_target(b, m->target, dir, err);
	if (target < 0)
		return -1;
	return al_attach(tree, target, m->target, err);
}

/* Open every host source while the host root is still in view: volumes (unless the parent already
 * prepared an idmapped tree) and /dev/null for masks. */
static int open_sources(struct al_sandbox *sb, int *null_fd, struct al_err *err)
{
	for (size_t i = 0; i < sb->spec->n_mounts; i++) {
		const struct al_mount *m = &sb->spec->mounts[i];
		if (m->kind != AL_MOUNT_BIND || sb->mount_src_fds[i] >= 0)
			continue;
		unsigned attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (m->readonly ? MOUNT_ATTR_RDONLY : 0);
		int t = clone_tree(AT_FDCWD, m->source, attrs, err);
		if (t < 0)
			return al_err_prefix(err, "volume %s:%s", m->source, m->target);
		sb->mount_src_fds[i] = t;
	}
	*null_fd = open_tree(AT_FDCWD, "/dev/null", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (*null_fd < 0)
		return al_err_sys(err, errno, "bind /dev/null");
	return 0;
}

static bool is_dir_at(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static bool target_exists(int rootfs, const char *path, bool dir)
{
	_cleanup_close_ int fd = al_open_in_root(rootfs, path, O_PATH);
	struct stat st;
	return fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) == dir;
}

/* ---- an image's root: an overlay of its layers ---- */

/* One layer as a readable directory fd of this mount namespace. As root, the launcher's idmapped tree,
 * staged here first: only a mount of our own namespace may be an overlay layer on every kernel.
 * Rootless, the store's directory itself: its files are the caller's, that is the sandbox's root's. */
static int open_layer(struct al_sandbox *sb, size_t i, struct al_err *err)
{
	const char *path = sb->spec->layers[i];
	if (!sb->layer_trees) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? al_err_sys(err, errno, "image layer %s", path) : fd;
	}
	_cleanup_close_ int tree = steal_fd(&sb->layer_trees[i]);
	if (tree < 0)
		return al_err_set(err, EBADF, "image layer %s: not received from the launcher", path);
	if (stage(tree, "an image layer", err) < 0)
		return -1;
	int fd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? al_err_sys(err, errno, "image layer %s", path) : fd;
}

/* The overlay's layers: lower[] top first, upper and work -1 unless the root is writable. */
struct overlay_layers {
	int *lower;
	size_t n;
	int upper, work;
};

static void overlay_layers_release(struct overlay_layers *o)
{
	for (size_t i = 0; i < o->n; i++)
		al_closep(&o->lower[i]);
	free(o->lower);
	al_closep(&o->upper);
	al_closep(&o->work);
}

/* The kernel's own words when a filesystem refuses its configuration (overlayfs names the layer). */
static void fs_log(int fs, char *buf, size_t n)
{
	char line[512];
	ssize_t r;
	buf[0] = '\0';
	while ((r = read(fs, line, sizeof line - 1)) > 0) {
		line[r] = '\0';
		if (line[0] != 'e' || line[1] != ' ')
			continue;
		size_t len = strnlen(line + 2, n - 1);
		memcpy(buf, line + 2, len);
		buf[len] = '\0';
	}
}

static int configure_by_fd(int fs, const struct overlay_layers *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, o->lower[i]) < 0)
			return -1;
	if (o->upper >= 0 && (fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, o->upper) < 0 ||
			      fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, o->work) < 0))
		return -1;
	if (fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0)
		return -1;
	return fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
}

/* Linux 6.13 and later: every layer given by its fd, no path looked up. Returns a detached mount, or
 * -1 with errno and the kernel's reason in why. */
static int overlay_by_fd(const struct overlay_layers *o, char *why, size_t why_n)
{
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	int mfd = -1;
	if (configure_by_fd(fs, o) == 0)
		mfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mfd < 0) {
		int e = errno;
		fs_log(fs, why, why_n);
		errno = e;
	}
	return mfd;
}

/* Older kernels: mount(2) with the layers named by /proc/self/fd paths (short, and free of the ',' and
 * ':' that the options cannot hold), on the scratch tmpfs's "root". Returns an O_PATH fd of it. */
static int overlay_by_path(int scratch, const struct overlay_layers *o, struct al_err *err)
{
	_cleanup_free_ char *opts = al_xstrdup("lowerdir=");
	for (size_t i = 0; i < o->n; i++) {
		char *longer = al_xasprintf("%s%s/proc/self/fd/%d", opts, i ? ":" : "", o->lower[i]);
		free(opts);
		opts = longer;
	}
	char *full = o->upper < 0
			 ? al_xasprintf("%s,userxattr", opts)
			 : al_xasprintf("%s,upperdir=/proc/self/fd/%d,workdir=/proc/self/fd/%d,userxattr",
					opts, o->upper, o->work);
	free(opts);
	opts = full;
	if (strlen(opts) >= 4096) /* mount(2) takes one page of options */
		return al_err_set(err, E2BIG,
				  "overlay of %zu layers: too many for this kernel's mount options", o->n);
	char target[64];
	snprintf(target, sizeof target, "/proc/self/fd/%d/root", scratch);
	if (mount("overlay", target, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
		return al_err_sys(err, errno, "overlay of %zu layers", o->n);
	int fd = openat(scratch, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? al_err_sys(err, errno, "overlay of %zu layers", o->n) : fd;
}

/* A private tmpfs staged here: the writable layer (upper, work) and the fallback's mount point "root".
 * Not size-capped, as the writable layer of --rootfs: the sandbox's memory limit counts its pages. */
static int overlay_scratch(bool writable, struct overlay_layers *o, struct al_err *err)
{
	_cleanup_close_ int scratch = al_tmpfs_detached("700", 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	if (scratch < 0 || stage(scratch, "the image's scratch tmpfs", err) < 0)
		return -1;
	if (mkdirat(scratch, "root", 0755) < 0 ||
	    (writable && (mkdirat(scratch, "upper", 0755) < 0 || mkdirat(scratch, "work", 0700) < 0)))
		return al_err_sys(err, errno, "the image's scratch tmpfs");
	if (writable) {
		o->upper = openat(scratch, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		o->work = openat(scratch, "work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (o->upper < 0 || o->work < 0)
			return al_err_sys(err, errno, "the image's writable layer");
	}
	return steal_fd(&scratch);
}

/* The layers given by fd where the kernel can, by path otherwise. Returns a directory fd of the
 * overlay, staged in this namespace. */
static int mount_overlay(bool writable, struct overlay_layers *o, struct al_err *err)
{
	_cleanup_close_ int scratch = writable ? overlay_scratch(true, o, err) : -1;
	if (writable && scratch < 0)
		return -1;
	char why[256] = "";
	int mfd = overlay_by_fd(o, why, sizeof why);
	if (mfd >= 0) {
		if (stage(mfd, "the image's root", err) < 0)
			al_closep(&mfd);
		return mfd;
	}
	if (scratch < 0 && (scratch = overlay_scratch(false, o, err)) < 0)
		return -1;
	int fd = overlay_by_path(scratch, o, err);
	if (fd < 0 && why[0]) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof err->msg - len, " (%s)", why);
	}
	return fd;
}

/* The image's root as a directory fd of this namespace: one read-only layer as it is, otherwise an
 * overlay of the layers, never a copy. --read-only=false adds an upper layer on a private tmpfs: the
 * sandbox's writes vanish with it, the store is never written. Mounted inside the sandbox's user
 * namespace, the overlay takes whiteouts and opaque directories from user.* xattrs ("userxattr"). */
static int image_root(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err)
{
	const struct al_spec *spec = sb->spec;
	if (spec->n_layers == 1 && spec->read_only)
		return open_layer(sb, 0, err);
	struct overlay_layers o = {.lower = al_xcalloc(spec->n_layers, sizeof(int)), .upper = -1, .work = -1};
	int r = 0;
	for (; o.n < spec->n_layers && r == 0; o.n++)
		if ((o.lower[o.n] = open_layer(sb, o.n, err)) < 0)
			r = -1;
	if (r == 0)
		r = mount_overlay(!spec->read_only, &o, err);
	overlay_layers_release(&o);
	b->rootfs_writable = r >= 0 && !spec->read_only;
	return r;
}

/* The fast path: when the rootfs already has real /proc, /dev and /sys directories and every target,
 * the whole rootfs is bound as the root in one piece: a dozen fewer mounts to make and to tear down.
 * Otherwise (a target to create, a hostile rootfs with symlinked kernel directories) the root is
 * built from pieces. An image's writable overlay takes new targets itself, in its upper layer. */
static bool whole_rootfs_fits(const struct al_sandbox *sb, const struct al_root_build *b, int rootfs)
{
	const struct al_spec *spec = sb->spec;
	if (b->host_root || (!spec->read_only && !b->rootfs_writable))
		return false;
	for (size_t i = 0; i < AL_ARRAY_SIZE(kernel_dirs); i++)
		if (!is_dir_at(rootfs, kernel_dirs[i]))
			return false;
	if (b->rootfs_writable)
		return true;
	for (size_t i = 0; i < spec->n_mounts; i++) {
		bool dir = true;
		struct stat st;
		if (spec->mounts[i].kind == AL_MOUNT_BIND && fstat(sb->mount_src_fds[i], &st) == 0)
			dir = S_ISDIR(st.st_mode);
		if (!target_exists(rootfs, spec->mounts[i].target, dir))
			return false;
	}
	return !spec->workdir || target_exists(rootfs, spec->workdir, true);
}

static int bind_whole_rootfs(struct al_root_build *b, int rootfs, struct al_err *err)
{
	int tree = clone_tree(rootfs, "", piece_attrs(b), err);
	if (tree < 0)
		return al_err_prefix(err, "rootfs");
	if (attach_scaffold(tree, err) < 0) {
		close(tree);
		return -1;
	}
	b->root_fd = tree;
	return 0;
}

/* A tmpfs scaffold holding the rootfs's top-level entries as read-only binds. */
static int build_scaffold(struct al_root_build *b, int rootfs, struct al_err *err)
{
	int mfd = al_tmpfs_detached("755", 1 << 20, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	if (mfd < 0)
		return -1;
	if (attach_scaffold(mfd, err) < 0) {
		close(mfd);
		return -1;
	}
	b->root_fd = mfd;
	int dup_root = fcntl(mfd, F_DUPFD_CLOEXEC, 3);
	if (dup_root < 0 || remember_scaffold(b, dup_root, err) < 0)
		return dup_root < 0 ? al_err_sys(err, errno, "dup") : -1;

	for (size_t i = 0; i < AL_ARRAY_SIZE(kernel_dirs); i++)
		if (mkdirat(b->root_fd, kernel_dirs[i], 0755) < 0)
			return al_err_sys(err, errno, "mkdir /%s", kernel_dirs[i]);

	const char *skip[AL_ARRAY_SIZE(kernel_dirs) + AL_N_HIDDEN_HOST_DIRS];
	size_t n_skip = 0;
	for (size_t i = 0; i < AL_ARRAY_SIZE(kernel_dirs); i++)
		skip[n_skip++] = kernel_dirs[i];
	if (b->host_root)
		for (size_t i = 0; i < AL_N_HIDDEN_HOST_DIRS; i++)
			skip[n_skip++] = al_hidden_host_dirs[i] + 1;
	if (mirror_dir(b, rootfs, b->root_fd, "", skip, n_skip, err) < 0)
		return al_err_prefix(err, "rootfs");
	return 0;
}

int al_root_build(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err)
{
	const struct al_spec *spec = sb->spec;
	memset(b, 0, sizeof *b);
	b->root_fd = -1;
	b->host_root = !spec->rootfs && !spec->layers;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return al_err_sys(err, errno, "make the mount namespace private");
	_cleanup_close_ int null_fd = -1;
	if (open_sources(sb, &null_fd, err) < 0)
		return -1;
	/* As root, the launcher opened the rootfs (idmapped where it could): staged in this namespace, its
	 * fd is the rootfs. Otherwise (rootless, host root) the rootfs is opened here, in this namespace:
	 * a launcher's fd of a path names a mount of the host's namespace, which cannot be cloned here. */
	_cleanup_close_ int rootfs = -1;
	if (spec->layers) {
		rootfs = image_root(sb, b, err);
		if (rootfs < 0)
			return al_err_prefix(err, "image %s", spec->image ? spec->image : "root");
	} else if (sb->rootfs_tree >= 0) {
		if (stage(sb->rootfs_tree, "the rootfs", err) < 0)
			return -1;
		rootfs = steal_fd(&sb->rootfs_tree);
	} else {
		const char *rootfs_path = spec->rootfs ? spec->rootfs : "/";
		rootfs = open(rootfs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfs < 0)
			return al_err_sys(err, errno, "rootfs %s", rootfs_path);
	}

	if (spec->rootfs && !spec->read_only && spec->rootfs_in_place) {
		/* the rootfs is the container's own layer: written in place, mountpoints made in it */
		b->rootfs_writable = true;
		for (size_t i = 0; i < AL_ARRAY_SIZE(kernel_dirs); i++)
			if (mkdirat(rootfs, kernel_dirs[i], 0755) < 0 && errno != EEXIST)
				return al_err_sys(err, errno, "rootfs: mkdir /%s", kernel_dirs[i]);
	}
	int r = whole_rootfs_fits(sb, b, rootfs) ? bind_whole_rootfs(b, rootfs, err)
						 : build_scaffold(b, rootfs, err);
	if (r < 0)
		return -1;
	if (b->host_root && (hide_host_dirs(b, err) < 0 || hide_host_secrets(b, null_fd, err) < 0))
		return -1;
	/* Before the user's mounts, so that a target under /dev lands in the sandbox's /dev. */
	if (al_kernfs_mount(spec, err) < 0)
		return -1;

	size_t order[spec->n_mounts ? spec->n_mounts : 1];
	sort_by_depth(spec, order);
	for (size_t k = 0; k < spec->n_mounts; k++)
		if (mount_user_entry(sb, b, order[k], err) < 0)
			return -1;
	if (spec->workdir) {
		int w = al_ensure_target(b, spec->workdir, true, err);
		if (w < 0)
			return al_err_prefix(err, "workdir");
		close(w);
	}
	return 0;
}

/* --read-only=false: an overlay with a private tmpfs upper layer over every rootfs piece. */
static int writable_layer(struct al_root_build *b, struct al_err *err)
{
	static const char upper_root[] = ".airlock-upper";
	if (mkdirat(b->root_fd, upper_root, 0700) < 0)
		return al_err_sys(err, errno, "writable layer");
	if (mount("tmpfs", upper_root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
		return al_err_sys(err, errno, "writable layer: tmpfs");
	for (size_t i = 0; i < b->n_pieces; i++) {
		const char *piece = b->pieces[i] + 1; /* relative to the scaffold, which is our cwd */
		_cleanup_free_ char *up = al_xasprintf("%s/%zu.u", upper_root, i);
		_cleanup_free_ char *work = al_xasprintf("%s/%zu.w", upper_root, i);
		if (mkdir(up, 0755) < 0 || mkdir(work, 0700) < 0)
			return al_err_sys(err, errno, "writable layer for %s", b->pieces[i]);
		_cleanup_free_ char *opts =
		    al_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr", piece, up, work);
		if (mount("overlay", piece, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
			return al_err_sys(err, errno, "writable layer for %s (overlayfs)", b->pieces[i]);
	}
	if (umount2(upper_root, MNT_DETACH) < 0 || unlinkat(b->root_fd, upper_root, AT_REMOVEDIR) < 0)
		return al_err_sys(err, errno, "writable layer: detach");
	return 0;
}

int al_root_finalize(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err)
{
	if (!sb->spec->read_only)
		return b->rootfs_writable ? 0 : writable_layer(b, err);
	for (size_t i = 0; i < b->n_scaffold; i++)
		if (set_attrs(b->scaffold_fds[i], MOUNT_ATTR_RDONLY, false) < 0)
			return al_err_sys(err, errno, "make the root read-only");
	return 0;
}

int al_root_pivot(struct al_err *err)
{
	/* pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return al_err_sys(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return al_err_sys(err, errno, "detach the host root");
	if (chdir("/") < 0)
		return al_err_sys(err, errno, "chdir /");
	return 0;
}

void al_root_build_release(struct al_root_build *b)
{
	for (size_t i = 0; i < b->n_scaffold; i++)
		close(b->scaffold_fds[i]);
	for (size_t i = 0; i < b->n_pieces; i++)
		free(b->pieces[i]);
	if (b->root_fd >= 0)
		close(b->root_fd);
	memset(b, 0, sizeof *b);
	b->root_fd = -1;
}
