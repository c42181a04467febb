/* image_spec.c: an image as a sandbox's root: its layers, and its config (Entrypoint, Cmd, Env,
 * WorkingDir, User) filling what the command line left unset, as docker does. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image.h"
#include "image_internal.h"
#include "spec.h"
#include "userns.h"
#include "util.h"

#define AL_ETC_FILE_MAX (1u << 20)

static void push_json_strings(char ***argv, size_t *n, const json_t *arr)
{
	size_t i;
	json_t *v;
	if (!json_is_array(arr))
		return;
	json_array_foreach (arr, i, v)
		if (json_is_string(v))
			al_strv_push(argv, n, json_string_value(v));
}

static void apply_command(struct al_spec *spec, const char *entrypoint, const json_t *config)
{
	char **argv = NULL;
	size_t n = 0;
	if (entrypoint) {
		if (*entrypoint)
			al_strv_push(&argv, &n, entrypoint);
	} else {
		push_json_strings(&argv, &n, json_object_get(config, "Entrypoint"));
	}
	if (spec->argc) {
		for (size_t i = 0; i < spec->argc; i++)
			al_strv_push(&argv, &n, spec->argv[i]);
	} else {
		push_json_strings(&argv, &n, json_object_get(config, "Cmd"));
	}
	for (size_t i = 0; i < spec->argc; i++)
		free(spec->argv[i]);
	free(spec->argv);
	spec->argv = argv ? argv : al_xcalloc(1, sizeof(char *));
	spec->argc = n;
}

static void apply_env(struct al_spec *spec, const json_t *config)
{
	size_t i;
	json_t *v;
	json_array_foreach (json_object_get(config, "Env"), i, v) {
		const char *kv = json_string_value(v);
		const char *eq = kv ? strchr(kv, '=') : NULL;
		if (!eq)
			continue;
		_cleanup_free_ char *key = al_xstrndup(kv, (size_t)(eq - kv));
		if (!al_spec_getenv(spec, key))
			al_spec_setenv(spec, key, eq + 1);
	}
}

/* ---- User: names looked up in the image's /etc/passwd and /etc/group ---- */

/* An overlayfs whiteout as the store keeps them: a 0:0 character device (unpacked as root) or an empty
 * file marked user.overlay.whiteout (unpacked rootless). */
static bool is_whiteout(int dirfd, const char *name, const struct stat *st)
{
	if (S_ISCHR(st->st_mode))
		return st->st_rdev == makedev(0, 0);
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	return fd >= 0 && fgetxattr(fd, "user.overlay.whiteout", NULL, 0) >= 0;
}

static bool is_opaque(int dirfd)
{
	char v[2];
	return fgetxattr(dirfd, "user.overlay.opaque", v, sizeof v) == 1 && v[0] == 'y';
}

enum layer_says { LAYER_HAS_FILE, LAYER_HIDES_FILE, LAYER_SAYS_NOTHING };

/* What one layer says of etc/NAME: it has the file (read into *text), it hides the layers below (a
 * whiteout, an opaque or replaced /etc), or nothing. Symlinks are not followed: such a file is hidden. */
static int layer_etc_file(const char *layer, const char *name, char **text, enum layer_says *says,
			  struct al_err *err)
{
	struct stat st;
	*says = LAYER_HIDES_FILE;
	_cleanup_close_ int root = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return al_err_sys(err, errno, "image layer %s", layer);
	if (fstatat(root, "etc", &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*says = LAYER_SAYS_NOTHING;
		return 0;
	}
	_cleanup_close_ int etc =
	    S_ISDIR(st.st_mode) ? openat(root, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	if (etc < 0)
		return 0;
	if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		*says = is_opaque(etc) ? LAYER_HIDES_FILE : LAYER_SAYS_NOTHING;
		return 0;
	}
	if (!S_ISREG(st.st_mode) || is_whiteout(etc, name, &st))
		return 0;
	size_t len;
	if (image_read_file_at(etc, name, AL_ETC_FILE_MAX, text, &len, err) < 0)
		return al_err_prefix(err, "/etc");
	*says = LAYER_HAS_FILE;
	return 0;
}

/* The image's /etc/NAME as the sandbox sees it: the layers top first, whiteouts honoured. *text is
 * NULL when the image has none. */
static int image_etc_file(const struct al_spec *spec, const char *name, char **text, struct al_err *err)
{
	*text = NULL;
	for (size_t i = 0; i < spec->n_layers; i++) {
		enum layer_says says;
		if (layer_etc_file(spec->layers[i], name, text, &says, err) < 0)
			return -1;
		if (says != LAYER_SAYS_NOTHING)
			return 0;
	}
	return 0;
}

/* A decimal id the sandbox maps. */
static bool parse_id(const char *s, unsigned *id)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v >= AL_ROOT_RANGE)
		return false;
	*id = (unsigned)v;
	return true;
}

/* The entry `name` of passwd or group text: its id (third field) and, for passwd, its group (fourth). */
static int find_entry(char *text, const char *name, const char *kind, unsigned *id, unsigned *gid,
		      struct al_err *err)
{
	char *save = NULL;
	for (char *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {NULL};
		for (size_t k = 0; k < 4 && line; k++)
			f[k] = strsep(&line, ":");
		if (!f[2] || strcmp(f[0], name) != 0)
			continue;
		if (!parse_id(f[2], id) || (gid && (!f[3] || !parse_id(f[3], gid))))
			return al_err_set(err, EINVAL, "the image's %s entry has ids outside 0-%u", kind,
					  AL_ROOT_RANGE - 1);
		return 0;
	}
	return al_err_set(err, ENOENT, "no such %s in the image", kind);
}

static int lookup_name(const struct al_spec *spec, const char *file, const char *kind, const char *name,
		       unsigned *id, unsigned *gid, struct al_err *err)
{
	_cleanup_free_ char *text = NULL;
	if (image_etc_file(spec, file, &text, err) < 0)
		return -1;
	return find_entry(text, name, kind, id, gid, err);
}

/* docker's USER: NAME or UID, optionally :GROUP or :GID. A name gives its primary group; a UID alone
 * is UID:UID, as -u. */
static int resolve_user(struct al_spec *spec, const char *user, struct al_err *err)
{
	_cleanup_free_ char *name = al_xstrdup(user);
	char *group = strchr(name, ':');
	if (group)
		*group++ = '\0';
	unsigned uid, gid;
	if (parse_id(name, &uid))
		gid = uid;
	else if (lookup_name(spec, "passwd", "user", name, &uid, &gid, err) < 0)
		return -1;
	if (group && !parse_id(group, &gid) &&
	    lookup_name(spec, "group", "group", group, &gid, NULL, err) < 0)
		return -1;
	spec->uid = uid;
	spec->gid = gid;
	return 0;
}

static int apply_user(struct al_spec *spec, const json_t *config, struct al_err *err)
{
	const char *user = json_string_value(json_object_get(config, "User"));
	if (spec->user_given || !user || !*user)
		return 0;
	if (resolve_user(spec, user, err) < 0)
		return al_err_prefix(err, "image %s: User %s", spec->image, user);
	return 0;
}

int al_spec_apply_image(struct al_spec *spec, const char *entrypoint, struct al_err *err)
{
	json_t *config = NULL;
	char **layers = NULL;
	if (al_image_resolve(spec->image, &spec->image_id, err) < 0 ||
	    al_image_lowerdirs(spec->image, &layers, &config, err) < 0)
		return -1;
	al_strv_free(spec->layers);
	spec->layers = layers;
	for (spec->n_layers = 0; layers[spec->n_layers]; spec->n_layers++)
		;
	apply_command(spec, entrypoint, config);
	apply_env(spec, config);
	const char *wd = json_string_value(json_object_get(config, "WorkingDir"));
	if (!spec->workdir && wd && wd[0] == '/')
		spec->workdir = al_xstrdup(wd);
	int r = apply_user(spec, config, err);
	json_decref(config);
	return r;
}
