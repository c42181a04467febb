/* overlay_root.c: a rootfs that is an overlayfs mount (docker's and podman's container root), rebuilt
 * with idmapped layers. The kernel cannot idmap an overlay mount itself (mount_setattr gives EINVAL),
 * so seen from the sandbox's user namespace every file of such a root would belong to nobody and
 * /root (0700) could not even be entered. Its layers are plain directories, which can be idmapped: the
 * launcher reads them from the mount's options, idmaps each with the sandbox's user namespace and
 * mounts a new, read-only overlay of them, in the host's namespace (so the layers' trusted.overlay.*
 * whiteouts and opaque directories keep their meaning). The upper directory becomes the top lower
 * layer: nothing is written, and docker's own mount of it stays untouched. */
#include "overlay_root.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "util.h"

#define MAX_LAYERS 512

bool al_overlay_is(const char *path)
{
	struct statfs st;
	return statfs(path, &st) == 0 && st.f_type == OVERLAYFS_SUPER_MAGIC;
}

/* mountinfo's octal escapes (\040 for a space...), in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The super options of the overlay mounted at path (the last such mount: the one on top). */
static char *overlay_options(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	char *line = NULL, *found = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - ");
		char mnt[4096], type[64];
		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1 || strcmp(type, "overlay") != 0)
			continue;
		unescape(mnt);
		if (strcmp(mnt, path) != 0)
			continue;
		char *opts = strrchr(sep, ' ');
		if (!opts)
			continue;
		free(found);
		found = al_xstrndup(opts + 1, strcspn(opts + 1, "\n"));
	}
	free(line);
	fclose(f);
	return found;
}

/* One path of a lowerdir list: ':' separates, "\:" is a colon of the path; relative paths are
 * relative to the directory the mounter worked in, which for docker's overlay2 and podman's overlay
 * drivers is the parent of the container's directory (<driver>/<id>/merged). */
static char *layer_path(const char *s, size_t n, const char *base)
{
	char *p = al_xstrndup(s, n), *w = p;
	for (char *r = p; *r; r++) {
		if (r[0] == '\\' && r[1] == ':')
			r++;
		*w++ = *r;
	}
	*w = '\0';
	unescape(p);
	if (p[0] == '/')
		return p;
	char *abs = al_xasprintf("%s/%s", base, p);
	free(p);
	return abs;
}

/* Fill layers (top first) from the options: upperdir, then the lowerdir list. */
static int parse_layers(char *opts, const char *base, char **layers, size_t *n, struct al_err *err)
{
	char *upper = NULL, *lower = NULL, *save = NULL;
	for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (strncmp(o, "upperdir=", 9) == 0)
			upper = o + 9;
		else if (strncmp(o, "lowerdir=", 9) == 0)
			lower = o + 9;
	}
	if (!lower)
		return al_err_set(err, ENOENT, "no lowerdir in the overlay's options");
	*n = 0;
	if (upper)
		layers[(*n)++] = layer_path(upper, strlen(upper), base);
	for (const char *p = lower; *p && *n < MAX_LAYERS;) {
		size_t len = 0;
		while (p[len] && !(p[len] == ':' && (len == 0 || p[len - 1] != '\\')))
			len++;
		if (len) /* "::" (data-only layers) leaves an empty entry */
			layers[(*n)++] = layer_path(p, len, base);
		p += len + (p[len] == ':');
	}
	return 0;
}

static int idmapped_layer(const char *dir, int userns, struct al_err *err)
{
	int t = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (t < 0)
		return al_err_sys(err, errno, "overlay layer %s", dir);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY,
				  .userns_fd = (uint64_t)userns};
	if (mount_setattr(t, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
		int e = errno;
		close(t);
		return al_err_sys(err, e, "overlay layer %s: idmap", dir);
	}
	return t;
}

int al_overlay_relayer(const char *path, int userns, struct al_err *err)
{
	_cleanup_free_ char *real = realpath(path, NULL);
	_cleanup_free_ char *opts = real ? overlay_options(real) : NULL;
	if (!opts)
		return al_err_set(err, ENOENT, "%s: not an overlay mount point", path);
	_cleanup_free_ char *up = al_xasprintf("%s/../..", real);
	_cleanup_free_ char *base = realpath(up, NULL);
	char *layers[MAX_LAYERS];
	size_t n = 0;
	int mfd = -1, fds[MAX_LAYERS];
	size_t n_fds = 0;
	if (!base || parse_layers(opts, base, layers, &n, err) < 0)
		return base ? -1 : al_err_sys(err, errno, "%s", up);
	_cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fs < 0) {
		al_err_sys(err, errno, "fsopen overlay");
		goto out;
	}
	for (; n_fds < n; n_fds++) {
		if ((fds[n_fds] = idmapped_layer(layers[n_fds], userns, err)) < 0)
			goto out;
		if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, fds[n_fds]) < 0) {
			al_err_sys(err, errno, "overlay layer %s", layers[n_fds]);
			n_fds++;
			goto out;
		}
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (mfd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV)) <
		0)
		al_err_sys(err, errno, "overlay of %s's %zu layers", path, n);
out:
	for (size_t i = 0; i < n_fds; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (size_t i = 0; i < n; i++)
		free(layers[i]);
	return mfd;
}
