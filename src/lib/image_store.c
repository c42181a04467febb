/* image_store.c: the image store's records: configs by id, tags in repositories.json, references,
 * and the verbs that only read or re-tag: resolve, list, inspect, tag, remove, lowerdirs. */
#include "image.h"
#include "image_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json_cleanup.h"
#include "paths.h"
#include "util.h"

#define REPOS_FILE	"repositories.json"
#define CONFIG_MAX_SIZE (16u << 20)
#define REPOS_MAX_SIZE	(64u << 20)

void al_image_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void strv_freep(char ***v)
{
	al_image_strv_free(*v);
}
#define _cleanup_strv_ __attribute__((cleanup(strv_freep)))

static void strv_push(char ***v, size_t *n, char *s)
{
	*v = al_xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

void image_new_free(struct image_new *img)
{
	free(img->config);
	al_image_strv_free(img->tags);
	memset(img, 0, sizeof *img);
}

/* ---- the store ---- */

static int open_subdir(int dirfd, const char *path, const char *label, struct al_err *err)
{
	int r = al_mkdir_p_at(dirfd, path, 0755);
	if (r < 0)
		return al_err_sys(err, -r, "image store: %s/%s", label, path);
	int fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return al_err_sys(err, errno, "image store: %s/%s", label, path);
	return fd;
}

int image_store_open(struct image_store *st, int gc_lock_op, struct al_err *err)
{
	_cleanup_free_ char *data = al_data_dir();
	*st = (struct image_store){.root = al_xasprintf("%s/images", data),
				   .root_fd = -1,
				   .layers_fd = -1,
				   .tmp_fd = -1,
				   .gc_lock = -1};
	int r = al_mkdir_p_at(AT_FDCWD, st->root, 0700);
	if (r < 0) {
		al_err_sys(err, -r, "image store %s", st->root);
		goto fail;
	}
	st->root_fd = open(st->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->root_fd < 0) {
		al_err_sys(err, errno, "image store %s", st->root);
		goto fail;
	}
	st->layers_fd = open_subdir(st->root_fd, "layers/sha256", st->root, err);
	st->tmp_fd = st->layers_fd < 0 ? -1 : open_subdir(st->root_fd, "tmp", st->root, err);
	int cfg = st->tmp_fd < 0 ? -1 : open_subdir(st->root_fd, "configs", st->root, err);
	if (cfg < 0)
		goto fail;
	close(cfg);
	st->gc_lock = openat(st->root_fd, "layers.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (st->gc_lock < 0 || (gc_lock_op && flock(st->gc_lock, gc_lock_op) < 0)) {
		al_err_sys(err, errno, "image store %s: layers.lock", st->root);
		goto fail;
	}
	return 0;
fail:
	image_store_close(st);
	return -1;
}

void image_store_close(struct image_store *st)
{
	int *fds[] = {&st->root_fd, &st->layers_fd, &st->tmp_fd, &st->gc_lock};
	for (size_t i = 0; i < AL_ARRAY_SIZE(fds); i++)
		al_closep(fds[i]);
	free(st->root);
	st->root = NULL;
}

static void store_closep(struct image_store *st)
{
	if (st->root)
		image_store_close(st);
}
#define _cleanup_store_ __attribute__((cleanup(store_closep)))

int image_store_lock_meta(struct image_store *st, struct al_err *err)
{
	int fd = openat(st->root_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) < 0) {
		al_err_sys(err, errno, "image store %s: lock", st->root);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* {"name:tag": "sha256:HEX", ...}; an absent file is an empty store. */
static json_t *repos_read(struct image_store *st, struct al_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	struct stat sb;
	if (fstatat(st->root_fd, REPOS_FILE, &sb, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return json_object();
	if (image_read_file_at(st->root_fd, REPOS_FILE, REPOS_MAX_SIZE, &buf, &len, err) < 0) {
		al_err_prefix(err, "image store");
		return NULL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);
	json_t *repos = json_object_get(root, "Repositories");
	if (!json_is_object(repos)) {
		json_decref(root);
		al_err_set(err, 0, "image store %s/%s: corrupt: %s", st->root, REPOS_FILE, jerr.text);
		return NULL;
	}
	json_incref(repos);
	json_decref(root);
	return repos;
}

static int repos_write(struct image_store *st, json_t *repos, struct al_err *err)
{
	_cleanup_json_ json_t *root = json_pack("{sO}", "Repositories", repos);
	_cleanup_free_ char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);
	return image_write_file_atomic(st->root_fd, REPOS_FILE, s, strlen(s), err);
}

static json_t *config_read(struct image_store *st, const char *hex, struct al_err *err)
{
	_cleanup_free_ char *path = al_xasprintf("configs/%s.json", hex);
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (image_read_file_at(st->root_fd, path, CONFIG_MAX_SIZE, &buf, &len, err) < 0)
		return NULL;
	json_t *j = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(j)) {
		json_decref(j);
		al_err_set(err, 0, "image sha256:%s: corrupt config", hex);
	}
	return j;
}

/* ---- references ---- */

static bool valid_tag(const char *t)
{
	size_t n = strlen(t);
	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return false;
	return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* Lower-case path components of [a-z0-9._-]; the first may be a registry host with a port. */
static bool valid_name(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '/' || name[n - 1] == '/' || strstr(name, "//"))
		return false;
	const char *first_end = strchr(name, '/');
	for (const char *c = name; *c; c++) {
		bool host_part = first_end && c < first_end;
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-/", *c) && !(host_part && *c == ':'))
			return false;
	}
	for (const char *c = name; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (*c == '.' || *c == '-' || *c == '_')
			return false;
	}
	return true;
}

char *al_image_normalize_ref(const char *ref, struct al_err *err)
{
	if (!ref || strchr(ref, '@')) {
		al_err_set(err, 0, "invalid reference format: %s (digest references are not supported)",
			   ref ? ref : "(null)");
		return NULL;
	}
	const char *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');
	_cleanup_free_ char *name = colon ? al_xasprintf("%.*s", (int)(colon - ref), ref) : al_xstrdup(ref);
	const char *tag = colon ? colon + 1 : "latest";
	const char *short_name = name;
	static const char *const prefixes[] = {"docker.io/library/", "index.docker.io/library/", "docker.io/",
					       "index.docker.io/"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(prefixes); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
			short_name = name + strlen(prefixes[i]);
			break;
		}
	if (!valid_name(short_name) || !valid_tag(tag)) {
		al_err_set(err, 0, "invalid reference format: %s", ref);
		return NULL;
	}
	return al_xasprintf("%s:%s", short_name, tag);
}

/* Configs whose id starts with prefix: 0 none, 1 one (copied to hex), 2 several. */
static int find_id_prefix(struct image_store *st, const char *prefix, char hex[AL_SHA256_HEX_LEN + 1])
{
	int fd = openat(st->root_fd, "configs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	int found = 0;
	size_t plen = strlen(prefix);
	struct dirent *e;
	while ((e = readdir(d)) && found < 2) {
		if (strlen(e->d_name) != AL_SHA256_HEX_LEN + 5 ||
		    strcmp(e->d_name + AL_SHA256_HEX_LEN, ".json"))
			continue;
		if (strncmp(e->d_name, prefix, plen) == 0 && found++ == 0)
			snprintf(hex, AL_SHA256_HEX_LEN + 1, "%.64s", e->d_name);
	}
	closedir(d);
	return found;
}

/* Resolve to the id's hex; *tag_out (may be NULL) is the normalized tag when ref named one. */
static int resolve_in(struct image_store *st, json_t *repos, const char *ref, char hex[AL_SHA256_HEX_LEN + 1],
		      char **tag_out, struct al_err *err)
{
	struct al_err ignored;
	_cleanup_free_ char *tag = al_image_normalize_ref(ref, &ignored);
	const char *id = tag ? json_string_value(json_object_get(repos, tag)) : NULL;
	if (id && image_digest_hex(id)) {
		snprintf(hex, AL_SHA256_HEX_LEN + 1, "%s", image_digest_hex(id));
		if (tag_out)
			*tag_out = steal_pointer(&tag);
		return 0;
	}
	const char *p = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	if (al_is_hex(p, 1, AL_SHA256_HEX_LEN)) {
		int n = find_id_prefix(st, p, hex);
		if (n == 1)
			return 0;
		if (n > 1)
			return al_err_set(err, 0, "image %s: ambiguous id prefix", ref);
	}
	return al_err_set(err, ENOENT, "No such image: %s", ref);
}

/* Open the store read-only and find REF: its repositories document and id, and (config not NULL) its
 * config. The caller owns what is returned. */
static int open_ref(struct image_store *st, const char *ref, json_t **repos, char hex[AL_SHA256_HEX_LEN + 1],
		    json_t **config, struct al_err *err)
{
	if (image_store_open(st, 0, err) < 0)
		return -1;
	*repos = repos_read(st, err);
	if (!*repos || resolve_in(st, *repos, ref, hex, NULL, err) < 0)
		return -1;
	if (config && !(*config = config_read(st, hex, err)))
		return -1;
	return 0;
}

int al_image_resolve(const char *ref, char **id_out, struct al_err *err)
{
	_cleanup_store_ struct image_store st = {0};
	_cleanup_json_ json_t *repos = NULL;
	char hex[AL_SHA256_HEX_LEN + 1];
	if (open_ref(&st, ref, &repos, hex, NULL, err) < 0)
		return -1;
	*id_out = al_xasprintf("sha256:%s", hex);
	return 0;
}

/* ---- recording images ---- */

int image_config_diff_ids(const char *config, size_t len, char ***hex_out, struct al_err *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *j = json_loadb(config, len, 0, &jerr);
	if (!json_is_object(j))
		return al_err_set(err, 0, "image config: not a JSON object: %s", jerr.text);
	json_t *ids = json_object_get(json_object_get(j, "rootfs"), "diff_ids");
	if (!json_is_array(ids))
		return al_err_set(err, 0, "image config: no rootfs.diff_ids");
	_cleanup_strv_ char **v = al_xcalloc(1, sizeof *v);
	size_t n = 0, i;
	json_t *d;
	json_array_foreach (ids, i, d) {
		const char *hex = image_digest_hex(json_string_value(d));
		if (!hex)
			return al_err_set(err, 0, "image config: bad diff id %s",
					  json_is_string(d) ? json_string_value(d) : "(not a string)");
		strv_push(&v, &n, al_xstrdup(hex));
	}
	*hex_out = steal_pointer(&v);
	return 0;
}

static int check_layers_present(struct image_store *st, const struct image_new *img, struct al_err *err)
{
	_cleanup_strv_ char **ids = NULL;
	if (image_config_diff_ids(img->config, img->config_len, &ids, err) < 0)
		return -1;
	for (size_t i = 0; ids[i]; i++) {
		struct stat sb;
		if (fstatat(st->layers_fd, ids[i], &sb, AT_SYMLINK_NOFOLLOW) < 0)
			return al_err_sys(err, errno, "image sha256:%s: layer sha256:%s", img->id, ids[i]);
	}
	return 0;
}

int image_commit(struct image_store *st, struct image_new *imgs, size_t n, struct al_err *err)
{
	_cleanup_close_ int cfg_fd = openat(st->root_fd, "configs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfg_fd < 0)
		return al_err_sys(err, errno, "image store %s: configs", st->root);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *name = al_xasprintf("%s.json", imgs[i].id);
		if (check_layers_present(st, &imgs[i], err) < 0)
			return -1;
		if (faccessat(cfg_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
		    image_write_file_atomic(cfg_fd, name, imgs[i].config, imgs[i].config_len, err) < 0)
			return -1;
	}
	_cleanup_close_ int lock = image_store_lock_meta(st, err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_t *repos = repos_read(st, err);
	if (!repos)
		return -1;
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; imgs[i].tags && imgs[i].tags[t]; t++)
			json_object_set_new(repos, imgs[i].tags[t], json_sprintf("sha256:%s", imgs[i].id));
	return repos_write(st, repos, err);
}

/* ---- reading ---- */

static json_t *tags_of(json_t *repos, const char *hex)
{
	json_t *tags = json_array();
	const char *k;
	json_t *v;
	json_object_foreach (repos, k, v) {
		const char *h = image_digest_hex(json_string_value(v));
		if (h && strcmp(h, hex) == 0)
			json_array_append_new(tags, json_string(k));
	}
	return tags;
}

static uint64_t image_size(struct image_store *st, json_t *config)
{
	json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	uint64_t total = 0;
	size_t i;
	json_t *d;
	json_array_foreach (ids, i, d) {
		const char *hex = image_digest_hex(json_string_value(d));
		char buf[32];
		_cleanup_free_ char *p = hex ? al_xasprintf("%s/size", hex) : NULL;
		if (p && al_read_file_at(st->layers_fd, p, buf, sizeof buf) > 0)
			total += strtoull(buf, NULL, 10);
	}
	return total;
}

static const char *config_created(json_t *config)
{
	const char *c = json_string_value(json_object_get(config, "created"));
	return c ? c : "0001-01-01T00:00:00Z";
}

/* docker's Config always carries these keys, null or empty when unset. */
static json_t *docker_config(json_t *config)
{
	json_t *c = json_deep_copy(json_object_get(config, "config"));
	if (!json_is_object(c)) {
		json_decref(c);
		c = json_object();
	}
	static const char *const null_keys[] = {"Env", "Cmd", "Entrypoint", "Labels"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(null_keys); i++)
		if (!json_object_get(c, null_keys[i]))
			json_object_set_new(c, null_keys[i], json_null());
	if (!json_object_get(c, "WorkingDir"))
		json_object_set_new(c, "WorkingDir", json_string(""));
	if (!json_object_get(c, "User"))
		json_object_set_new(c, "User", json_string(""));
	return c;
}

static json_t *layers_of(json_t *config)
{
	json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	return json_is_array(ids) ? json_deep_copy(ids) : json_array();
}

static json_t *inspect_object(struct image_store *st, json_t *repos, const char *hex, json_t *config)
{
	_cleanup_free_ char *id = al_xasprintf("sha256:%s", hex);
	const char *arch = json_string_value(json_object_get(config, "architecture"));
	const char *os = json_string_value(json_object_get(config, "os"));
	const char *author = json_string_value(json_object_get(config, "author"));
	return json_pack("{s:s, s:o, s:[], s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:{s:s, s:o}}", "Id",
			 id, "RepoTags", tags_of(repos, hex), "RepoDigests", "Parent", "", "Comment", "",
			 "Created", config_created(config), "DockerVersion", "", "Author",
			 author ? author : "", "Config", docker_config(config), "Architecture",
			 arch ? arch : "", "Os", os ? os : "", "Size", (json_int_t)image_size(st, config),
			 "RootFS", "Type", "layers", "Layers", layers_of(config));
}

int al_image_inspect(const char *ref, json_t **out, struct al_err *err)
{
	_cleanup_store_ struct image_store st = {0};
	_cleanup_json_ json_t *repos = NULL;
	char hex[AL_SHA256_HEX_LEN + 1];
	_cleanup_json_ json_t *config = NULL;
	if (open_ref(&st, ref, &repos, hex, &config, err) < 0)
		return -1;
	*out = inspect_object(&st, repos, hex, config);
	return 0;
}

static int by_created_desc(const void *a, const void *b)
{
	const char *ca = json_string_value(json_object_get(*(json_t *const *)a, "Created"));
	const char *cb = json_string_value(json_object_get(*(json_t *const *)b, "Created"));
	return strcmp(cb ? cb : "", ca ? ca : "");
}

static int for_each_config(struct image_store *st, int (*fn)(struct image_store *, const char *, void *),
			   void *data)
{
	int fd = openat(st->root_fd, "configs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		char hex[AL_SHA256_HEX_LEN + 1];
		if (strlen(e->d_name) != AL_SHA256_HEX_LEN + 5 ||
		    strcmp(e->d_name + AL_SHA256_HEX_LEN, ".json"))
			continue;
		snprintf(hex, sizeof hex, "%.64s", e->d_name);
		if (image_is_hex64(hex))
			r = fn(st, hex, data);
	}
	closedir(d);
	return r;
}

struct list_ctx {
	json_t *repos;
	json_t *out;
};

static int list_one(struct image_store *st, const char *hex, void *data)
{
	struct list_ctx *c = data;
	struct al_err ignored;
	_cleanup_json_ json_t *config = config_read(st, hex, &ignored);
	if (!config)
		return 0; /* a config being written or removed right now */
	_cleanup_free_ char *id = al_xasprintf("sha256:%s", hex);
	json_array_append_new(c->out, json_pack("{s:s, s:o, s:s, s:I}", "Id", id, "RepoTags",
						tags_of(c->repos, hex), "Created", config_created(config),
						"Size", (json_int_t)image_size(st, config)));
	return 0;
}

int al_image_list(json_t **list_out, struct al_err *err)
{
	_cleanup_store_ struct image_store st = {0};
	if (image_store_open(&st, 0, err) < 0)
		return -1;
	_cleanup_json_ json_t *repos = repos_read(&st, err);
	if (!repos)
		return -1;
	struct list_ctx c = {.repos = repos, .out = json_array()};
	for_each_config(&st, list_one, &c);
	size_t n = json_array_size(c.out);
	json_t **items = al_xcalloc(n ? n : 1, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(c.out, i));
	qsort(items, n, sizeof *items, by_created_desc);
	json_array_clear(c.out);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(c.out, items[i]);
	free(items);
	*list_out = c.out;
	return 0;
}

int al_image_lowerdirs(const char *ref, char ***dirs_out, json_t **config_out, struct al_err *err)
{
	_cleanup_store_ struct image_store st = {0};
	_cleanup_json_ json_t *repos = NULL;
	char hex[AL_SHA256_HEX_LEN + 1];
	_cleanup_json_ json_t *config = NULL;
	if (open_ref(&st, ref, &repos, hex, &config, err) < 0)
		return -1;
	_cleanup_free_ char *text = json_dumps(config, JSON_COMPACT);
	_cleanup_strv_ char **ids = NULL;
	if (image_config_diff_ids(text, strlen(text), &ids, err) < 0)
		return al_err_prefix(err, "image %s", ref);
	size_t n = 0;
	while (ids[n])
		n++;
	if (n == 0)
		return al_err_set(err, 0, "image %s: no layers", ref);
	char **dirs = al_xcalloc(n + 1, sizeof *dirs);
	for (size_t i = 0; i < n; i++) {
		dirs[i] = al_xasprintf("%s/layers/sha256/%s/fs", st.root, ids[n - 1 - i]);
		if (access(dirs[i], F_OK) < 0) {
			al_err_sys(err, errno, "image %s: layer sha256:%s", ref, ids[n - 1 - i]);
			al_image_strv_free(dirs);
			return -1;
		}
	}
	*dirs_out = dirs;
	if (config_out) {
		json_t *c = json_object_get(config, "config");
		*config_out = json_is_object(c) ? json_deep_copy(c) : json_object();
	}
	return 0;
}

/* ---- changing tags ---- */

int al_image_tag(const char *src, const char *dst, struct al_err *err)
{
	_cleanup_free_ char *tag = al_image_normalize_ref(dst, err);
	if (!tag)
		return -1;
	_cleanup_store_ struct image_store st = {0};
	if (image_store_open(&st, 0, err) < 0)
		return -1;
	_cleanup_close_ int lock = image_store_lock_meta(&st, err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_t *repos = repos_read(&st, err);
	char hex[AL_SHA256_HEX_LEN + 1];
	if (!repos || resolve_in(&st, repos, src, hex, NULL, err) < 0)
		return -1;
	json_object_set_new(repos, tag, json_sprintf("sha256:%s", hex));
	return repos_write(&st, repos, err);
}

struct layer_refs {
	const char *skip; /* the config being removed */
	char **ids;	  /* candidates; set to "" when another image uses them */
};

static int unmark_used(struct image_store *st, const char *hex, void *data)
{
	struct layer_refs *lr = data;
	struct al_err ignored;
	if (strcmp(hex, lr->skip) == 0)
		return 0;
	_cleanup_json_ json_t *config = config_read(st, hex, &ignored);
	json_t *ids = json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	size_t i;
	json_t *d;
	json_array_foreach (ids, i, d) {
		const char *h = image_digest_hex(json_string_value(d));
		for (size_t k = 0; h && lr->ids[k]; k++)
			if (strcmp(lr->ids[k], h) == 0)
				lr->ids[k][0] = '\0';
	}
	return 0;
}

/* Remove the config and every layer no other image uses; layers leave by a rename into tmp first, so
 * a half-removed layer is never visible under its digest. */
static int delete_image(struct image_store *st, const char *hex, char ***out, size_t *nout,
			struct al_err *err)
{
	_cleanup_json_ json_t *config = config_read(st, hex, err);
	if (!config)
		return -1;
	_cleanup_free_ char *text = json_dumps(config, JSON_COMPACT);
	_cleanup_strv_ char **ids = NULL;
	if (image_config_diff_ids(text, strlen(text), &ids, err) < 0)
		ids = al_xcalloc(1, sizeof *ids);
	struct layer_refs lr = {.skip = hex, .ids = ids};
	for_each_config(st, unmark_used, &lr);
	_cleanup_free_ char *cfg = al_xasprintf("configs/%s.json", hex);
	if (unlinkat(st->root_fd, cfg, 0) < 0)
		return al_err_sys(err, errno, "image sha256:%s: removing config", hex);
	strv_push(out, nout, al_xasprintf("Deleted: sha256:%s", hex));
	for (size_t i = 0; ids[i]; i++) {
		_cleanup_free_ char *tmp = NULL;
		if (!ids[i][0] || image_tmpdir(st, &tmp, err) < 0)
			continue;
		unlinkat(st->tmp_fd, tmp, AT_REMOVEDIR);
		if (renameat(st->layers_fd, ids[i], st->tmp_fd, tmp) == 0) {
			al_rm_tree_at(st->tmp_fd, tmp);
			strv_push(out, nout, al_xasprintf("Deleted: sha256:%s", ids[i]));
		}
	}
	return 0;
}

static int untag(json_t *repos, const char *tag, char ***out, size_t *nout)
{
	strv_push(out, nout, al_xasprintf("Untagged: %s", tag));
	return json_object_del(repos, tag);
}

int al_image_remove(const char *ref, bool force, char ***removed_out, struct al_err *err)
{
	_cleanup_store_ struct image_store st = {0};
	if (image_store_open(&st, LOCK_EX, err) < 0)
		return -1;
	_cleanup_close_ int lock = image_store_lock_meta(&st, err);
	if (lock < 0)
		return -1;
	_cleanup_json_ json_t *repos = repos_read(&st, err);
	char hex[AL_SHA256_HEX_LEN + 1];
	_cleanup_free_ char *tag = NULL;
	if (!repos || resolve_in(&st, repos, ref, hex, &tag, err) < 0)
		return -1;
	_cleanup_strv_ char **out = al_xcalloc(1, sizeof *out);
	size_t nout = 0;
	_cleanup_json_ json_t *tags = tags_of(repos, hex);
	if (tag) {
		untag(repos, tag, &out, &nout);
	} else {
		if (json_array_size(tags) > 1 && !force)
			return al_err_set(
			    err, 0,
			    "conflict: unable to delete %.12s (must be forced) - image is referenced "
			    "in multiple repositories",
			    hex);
		size_t i;
		json_t *t;
		json_array_foreach (tags, i, t)
			untag(repos, json_string_value(t), &out, &nout);
	}
	if (repos_write(&st, repos, err) < 0)
		return -1;
	_cleanup_json_ json_t *left = tags_of(repos, hex);
	if (json_array_size(left) == 0 && delete_image(&st, hex, &out, &nout, err) < 0)
		return -1;
	if (removed_out)
		*removed_out = steal_pointer(&out);
	return 0;
}
