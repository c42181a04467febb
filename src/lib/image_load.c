/* image_load.c: images into the store: a root filesystem imported as one layer, `docker save` archives
 * and OCI image layouts loaded with every digest checked. Nothing is tagged until every layer is in. */
#include "image.h"
#include "image_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json_cleanup.h"
#include "util.h"

#define META_MAX_SIZE (16u << 20)
#define OCI_MAX_DEPTH 4

static void strv_push(char ***v, size_t *n, char *s)
{
	*v = al_xrealloc(*v, (*n + 2) * sizeof **v);
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* What one load or import has done so far, undone when it fails. */
struct load {
	struct image_store st;
	char *src_tmp;	   /* tmp/<name> holding an unpacked archive, or NULL */
	int src_fd;	   /* the directory the format's paths are relative to */
	char **new_layers; /* diff ids this load created */
	size_t n_new_layers;
	struct image_new *imgs;
	size_t n_imgs;
	const char *bare_name;
};

static void load_finish(struct load *l, bool failed)
{
	for (size_t i = 0; failed && i < l->n_new_layers; i++) {
		_cleanup_free_ char *tmp = NULL;
		struct al_err ignored;
		if (image_tmpdir(&l->st, &tmp, &ignored) < 0)
			continue;
		unlinkat(l->st.tmp_fd, tmp, AT_REMOVEDIR);
		if (renameat(l->st.layers_fd, l->new_layers[i], l->st.tmp_fd, tmp) == 0)
			al_rm_tree_at(l->st.tmp_fd, tmp);
	}
	al_image_strv_free(l->new_layers);
	for (size_t i = 0; i < l->n_imgs; i++)
		image_new_free(&l->imgs[i]);
	free(l->imgs);
	if (l->src_fd >= 0)
		close(l->src_fd);
	if (l->src_tmp)
		al_rm_tree_at(l->st.tmp_fd, l->src_tmp);
	free(l->src_tmp);
	image_store_close(&l->st);
}

static int load_start(struct load *l, struct al_err *err)
{
	*l = (struct load){.src_fd = -1};
	return image_store_open(&l->st, LOCK_SH, err);
}

static int unpack_one(struct load *l, int blob_fd, const char *label, const struct layer_expect *expect,
		      char *diff_id_out, struct al_err *err)
{
	struct layer_result res;
	if (image_unpack_layer(&l->st, blob_fd, label, expect, &res, err) < 0)
		return -1;
	if (!res.reused)
		strv_push(&l->new_layers, &l->n_new_layers, al_xstrdup(res.diff_id));
	if (diff_id_out)
		memcpy(diff_id_out, res.diff_id, sizeof res.diff_id);
	return 0;
}

static struct image_new *add_image(struct load *l)
{
	l->imgs = al_xrealloc(l->imgs, (l->n_imgs + 1) * sizeof *l->imgs);
	struct image_new *img = &l->imgs[l->n_imgs++];
	memset(img, 0, sizeof *img);
	img->tags = al_xcalloc(1, sizeof *img->tags);
	return img;
}

static void add_tag(struct image_new *img, char *tag)
{
	size_t n = 0;
	while (img->tags[n])
		n++;
	strv_push(&img->tags, &n, tag);
}

static char **refs_of(struct load *l)
{
	char **v = al_xcalloc(1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < l->n_imgs; i++) {
		for (size_t t = 0; l->imgs[i].tags[t]; t++)
			strv_push(&v, &n, al_xstrdup(l->imgs[i].tags[t]));
		if (!l->imgs[i].tags[0])
			strv_push(&v, &n, al_xasprintf("sha256:%s", l->imgs[i].id));
	}
	return v;
}

/* ---- import ---- */

static const char *host_arch(void)
{
	static const char *const map[][2] = {
	    {"x86_64", "amd64"},    {"aarch64", "arm64"}, {"i686", "386"},	 {"armv7l", "arm"},
	    {"ppc64le", "ppc64le"}, {"s390x", "s390x"},	  {"riscv64", "riscv64"}};
	struct utsname u;
	if (uname(&u) == 0)
		for (size_t i = 0; i < AL_ARRAY_SIZE(map); i++)
			if (strcmp(u.machine, map[i][0]) == 0)
				return map[i][1];
	return "amd64";
}

static int copy_file_data(struct archive *disk, struct tar_writer *w, const char *src, struct al_err *err)
{
	char buf[64 * 1024];
	la_ssize_t n;
	int r = 0;
	while (r == 0 && (n = archive_read_data(disk, buf, sizeof buf)) > 0)
		r = image_tar_write_data(w, buf, (size_t)n);
	if (r < 0)
		return al_err_sys(err, -r, "import %s: writing the layer", src);
	if (n < 0)
		return al_err_set(err, archive_errno(disk), "import %s: %s", src, archive_error_string(disk));
	return 0;
}

static int tar_one(struct archive *disk, struct tar_writer *w, struct archive_entry_linkresolver *lr,
		   struct archive_entry *e, const char *src, size_t prefix, struct al_err *err)
{
	const char *path = archive_entry_pathname(e);
	if (strlen(path) <= prefix || archive_entry_filetype(e) == AE_IFSOCK)
		return 0; /* the root itself: the layer's fs directory stands for it */
	_cleanup_free_ char *rel = al_xstrdup(path + prefix);
	archive_entry_copy_pathname(e, rel);
	archive_entry_set_uname(e, NULL); /* numeric ids only: names mean nothing in another root */
	archive_entry_set_gname(e, NULL);
	struct archive_entry *sparse = NULL, *cur = e;
	archive_entry_linkify(lr, &cur, &sparse);
	if (!cur)
		return 0;
	int r = image_tar_write_header(w, cur);
	if (r < 0)
		return al_err_sys(err, -r, "import %s: writing the layer", src);
	if (cur == e && archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
	    archive_entry_size(e) > 0 && copy_file_data(disk, w, src, err) < 0)
		return -1;
	r = image_tar_finish_entry(w);
	return r < 0 ? al_err_sys(err, -r, "import %s: writing the layer", src) : 0;
}

/* A directory tree becomes a tar in the store's tmp, so an import's layer has a real diff id. */
static int tar_directory(const char *src, int out_fd, char *diff_id, struct al_err *err)
{
	struct archive *disk = archive_read_disk_new();
	struct archive_entry_linkresolver *lr = archive_entry_linkresolver_new();
	struct tar_writer w = {.fd = out_fd};
	sha256_init(&w.sha);
	archive_read_disk_set_symlink_physical(disk);
	archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS);
	archive_entry_linkresolver_set_strategy(lr, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	size_t prefix = strlen(src);
	while (prefix > 1 && src[prefix - 1] == '/')
		prefix--;
	_cleanup_free_ char *root = al_xasprintf("%.*s", (int)prefix, src);
	prefix = strcmp(root, "/") == 0 ? 1 : prefix + 1;
	int r = 0;
	if (archive_read_disk_open(disk, root) != ARCHIVE_OK)
		r = al_err_sys(err, archive_errno(disk), "import %s: %s", src, archive_error_string(disk));
	struct archive_entry *e = archive_entry_new();
	while (r == 0) {
		archive_entry_clear(e);
		int h = archive_read_next_header2(disk, e);
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			r = al_err_sys(err, archive_errno(disk), "import %s: %s", src,
				       archive_error_string(disk));
			break;
		}
		archive_read_disk_descend(disk);
		r = tar_one(disk, &w, lr, e, src, prefix, err);
	}
	archive_entry_free(e);
	if (r == 0 && (r = image_tar_close(&w)) < 0)
		r = al_err_sys(err, -r, "import %s: writing the layer", src);
	archive_entry_linkresolver_free(lr);
	archive_read_free(disk);
	image_sha256_digest_hex(&w.sha, diff_id);
	return r;
}

static int import_layer(struct load *l, const char *src, char *diff_id, struct al_err *err)
{
	struct stat sb;
	if (stat(src, &sb) < 0)
		return al_err_sys(err, errno, "import %s", src);
	const struct layer_expect none = {0};
	if (!S_ISDIR(sb.st_mode)) {
		_cleanup_close_ int fd = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return al_err_sys(err, errno, "import %s", src);
		return unpack_one(l, fd, src, &none, diff_id, err);
	}
	if (image_tmpdir(&l->st, &l->src_tmp, err) < 0)
		return -1;
	_cleanup_free_ char *tar = al_xasprintf("%s/layer.tar", l->src_tmp);
	_cleanup_close_ int fd = openat(l->st.tmp_fd, tar, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return al_err_sys(err, errno, "import %s: %s/tmp/%s", src, l->st.root, tar);
	char written[AL_SHA256_HEX_LEN + 1];
	if (tar_directory(src, fd, written, err) < 0)
		return -1;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return al_err_sys(err, errno, "import %s", src);
	const struct layer_expect expect = {.diff_id = written};
	return unpack_one(l, fd, src, &expect, diff_id, err);
}

static void import_config(struct image_new *img, const char *src, const char *diff_id)
{
	_cleanup_free_ char *now = al_time_now_rfc3339();
	_cleanup_free_ char *comment = al_xasprintf("imported from %s", src);
	_cleanup_json_ json_t *c = json_pack(
	    "{s:s, s:s, s:s, s:{}, s:{s:s, s:[s+]}, s:[{s:s, s:s, s:s}]}", "architecture", host_arch(), "os",
	    "linux", "created", now, "config", "rootfs", "type", "layers", "diff_ids", "sha256:", diff_id,
	    "history", "created", now, "created_by", "airlock image import", "comment", comment);
	img->config = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	img->config_len = strlen(img->config);
	image_sha256_hex(img->config, img->config_len, img->id);
}

int al_image_import(const char *src, const char *ref, char **id_out, struct al_err *err)
{
	char *tag = al_image_normalize_ref(ref, err);
	if (!tag)
		return -1;
	struct load l;
	char diff_id[AL_SHA256_HEX_LEN + 1];
	if (load_start(&l, err) < 0) {
		free(tag);
		return -1;
	}
	struct image_new *img = add_image(&l);
	add_tag(img, tag);
	int r = import_layer(&l, src, diff_id, err);
	if (r == 0) {
		import_config(img, src, diff_id);
		r = image_commit(&l.st, l.imgs, l.n_imgs, err);
	}
	if (r == 0 && id_out)
		*id_out = al_xasprintf("sha256:%s", img->id);
	load_finish(&l, r < 0);
	return r;
}

/* ---- load: the common steps ---- */

/* "blobs/sha256/HEX" (docker save 25+ and OCI) names its digest; older docker save paths do not. */
static const char *digest_in_path(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (strncmp(path, "blobs/sha256/", 13) == 0 && image_is_hex64(path + 13))
		return path + 13;
	return NULL;
}

static int read_meta(struct load *l, const char *path, const char *want_hex, char **buf, size_t *len,
		     struct al_err *err)
{
	if (image_read_file_at(l->src_fd, path, META_MAX_SIZE, buf, len, err) < 0)
		return -1;
	char got[AL_SHA256_HEX_LEN + 1];
	image_sha256_hex(*buf, *len, got);
	if (want_hex && strcmp(got, want_hex) != 0)
		return al_err_set(err, 0, "%s: digest mismatch: expected sha256:%s, got sha256:%s", path,
				  want_hex, got);
	return 0;
}

/* Read and check an image's config, then unpack its layers in order (layer_paths[i] for diff id i). */
static int load_image(struct load *l, struct image_new *img, const char *config_path, const char *config_hex,
		      json_t *layer_paths, struct al_err *err)
{
	if (read_meta(l, config_path, config_hex, &img->config, &img->config_len, err) < 0)
		return -1;
	image_sha256_hex(img->config, img->config_len, img->id);
	char **ids = NULL;
	if (image_config_diff_ids(img->config, img->config_len, &ids, err) < 0)
		return al_err_prefix(err, "%s", config_path);
	size_t n = 0;
	while (ids[n])
		n++;
	int r = n == json_array_size(layer_paths) ? 0
						  : al_err_set(err, 0, "%s: %zu layers but %zu diff ids",
							       config_path, json_array_size(layer_paths), n);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *path = json_string_value(json_array_get(layer_paths, i));
		struct layer_expect expect = {.diff_id = ids[i],
					      .blob_digest = path ? digest_in_path(path) : NULL};
		int fd = path ? image_open_beneath(l->src_fd, path, O_RDONLY) : -1;
		if (fd < 0)
			r = al_err_sys(err, path ? errno : 0, "layer %s", path ? path : "(not a string)");
		else
			r = unpack_one(l, fd, path, &expect, NULL, err);
		if (fd >= 0)
			close(fd);
	}
	al_image_strv_free(ids);
	return r;
}

static int tag_image(struct image_new *img, const char *ref, struct al_err *err)
{
	char *tag = al_image_normalize_ref(ref, err);
	if (!tag)
		return -1;
	add_tag(img, tag);
	return 0;
}

/* ---- docker save: manifest.json [{Config, RepoTags, Layers}] ---- */

static int load_docker(struct load *l, struct al_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_meta(l, "manifest.json", NULL, &buf, &len, err) < 0)
		return -1;
	_cleanup_json_ json_t *m = json_loadb(buf, len, 0, NULL);
	if (!json_is_array(m) || json_array_size(m) == 0)
		return al_err_set(err, 0, "manifest.json: not a list of images");
	size_t i;
	json_t *entry;
	json_array_foreach (m, i, entry) {
		const char *config = json_string_value(json_object_get(entry, "Config"));
		json_t *layers = json_object_get(entry, "Layers");
		if (!config || !json_is_array(layers))
			return al_err_set(err, 0, "manifest.json: image %zu has no Config or Layers", i);
		struct image_new *img = add_image(l);
		const char *hex = digest_in_path(config);
		_cleanup_free_ char *legacy =
		    strlen(config) == AL_SHA256_HEX_LEN + 5 ? al_xstrdup(config) : NULL;
		if (!hex && legacy && strcmp(legacy + AL_SHA256_HEX_LEN, ".json") == 0) {
			legacy[AL_SHA256_HEX_LEN] = '\0';
			hex = image_is_hex64(legacy) ? legacy : NULL; /* older docker save: HEX.json */
		}
		if (load_image(l, img, config, hex, layers, err) < 0)
			return -1;
		size_t t;
		json_t *tag;
		json_array_foreach (json_object_get(entry, "RepoTags"), t, tag)
			if (!json_is_string(tag) || tag_image(img, json_string_value(tag), err) < 0)
				return al_err_prefix(err, "manifest.json");
	}
	return 0;
}

/* ---- OCI image layout: index.json -> (index ->) manifest -> config + layers ---- */

static int oci_blob(struct load *l, json_t *desc, char **buf, size_t *len, struct al_err *err)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	const char *hex = image_digest_hex(digest);
	if (!hex)
		return al_err_set(err, 0, "OCI layout: unsupported digest %s", digest ? digest : "(none)");
	_cleanup_free_ char *path = al_xasprintf("blobs/sha256/%s", hex);
	return read_meta(l, path, hex, buf, len, err);
}

static bool platform_matches(json_t *desc)
{
	json_t *p = json_object_get(desc, "platform");
	const char *arch = json_string_value(json_object_get(p, "architecture"));
	const char *os = json_string_value(json_object_get(p, "os"));
	return (!arch || strcmp(arch, host_arch()) == 0) && (!os || strcmp(os, "linux") == 0);
}

static int oci_tag(struct load *l, struct image_new *img, json_t *desc, struct al_err *err)
{
	json_t *ann = json_object_get(desc, "annotations");
	const char *full = json_string_value(json_object_get(ann, "io.containerd.image.name"));
	const char *name = json_string_value(json_object_get(ann, "org.opencontainers.image.ref.name"));
	if (full)
		return tag_image(img, full, err);
	if (!name)
		return 0;
	if (strchr(name, ':') || strchr(name, '/'))
		return tag_image(img, name, err);
	if (!l->bare_name)
		return 0; /* a bare tag with no repository: loaded untagged, addressed by id */
	_cleanup_free_ char *ref = al_xasprintf("%s:%s", l->bare_name, name);
	return tag_image(img, ref, err);
}

static int oci_manifest(struct load *l, json_t *desc, struct al_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (oci_blob(l, desc, &buf, &len, err) < 0)
		return -1;
	_cleanup_json_ json_t *m = json_loadb(buf, len, 0, NULL);
	json_t *config = json_object_get(m, "config");
	json_t *layers = json_object_get(m, "layers");
	const char *cfg_hex = image_digest_hex(json_string_value(json_object_get(config, "digest")));
	if (!cfg_hex || !json_is_array(layers))
		return al_err_set(err, 0, "OCI manifest %s: no config or layers",
				  json_string_value(json_object_get(desc, "digest")));
	_cleanup_json_ json_t *paths = json_array();
	size_t i;
	json_t *layer;
	json_array_foreach (layers, i, layer) {
		const char *type = json_string_value(json_object_get(layer, "mediaType"));
		const char *hex = image_digest_hex(json_string_value(json_object_get(layer, "digest")));
		if (!hex || (type && strstr(type, "encrypted")))
			return al_err_set(err, 0,
					  "OCI manifest: layer %zu: unsupported digest or media type %s", i,
					  type ? type : "");
		json_array_append_new(paths, json_sprintf("blobs/sha256/%s", hex));
	}
	struct image_new *img = add_image(l);
	_cleanup_free_ char *cfg_path = al_xasprintf("blobs/sha256/%s", cfg_hex);
	if (load_image(l, img, cfg_path, cfg_hex, paths, err) < 0)
		return -1;
	return oci_tag(l, img, desc, err);
}

static int oci_index(struct load *l, json_t *index, json_t *parent_desc, int depth, struct al_err *err)
{
	if (depth > OCI_MAX_DEPTH)
		return al_err_set(err, 0, "OCI layout: indexes nested too deep");
	size_t i, before = l->n_imgs;
	json_t *desc;
	json_array_foreach (json_object_get(index, "manifests"), i, desc) {
		const char *type = json_string_value(json_object_get(desc, "mediaType"));
		if (type && (strstr(type, "image.index") || strstr(type, "manifest.list"))) {
			_cleanup_free_ char *buf = NULL;
			size_t len;
			if (oci_blob(l, desc, &buf, &len, err) < 0)
				return -1;
			_cleanup_json_ json_t *sub = json_loadb(buf, len, 0, NULL);
			if (oci_index(l, sub, desc, depth + 1, err) < 0)
				return -1;
		} else if (platform_matches(desc)) {
			if (oci_manifest(l, desc, err) < 0)
				return -1;
			/* A platform manifest inside a tagged index carries the index's tag. */
			if (parent_desc && oci_tag(l, &l->imgs[l->n_imgs - 1], parent_desc, err) < 0)
				return -1;
		}
	}
	if (l->n_imgs == before && depth == 0)
		return al_err_set(err, 0, "OCI layout: no image for linux/%s", host_arch());
	return 0;
}

static int load_oci(struct load *l, struct al_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_meta(l, "index.json", NULL, &buf, &len, err) < 0)
		return -1;
	_cleanup_json_ json_t *index = json_loadb(buf, len, 0, NULL);
	if (!json_is_array(json_object_get(index, "manifests")))
		return al_err_set(err, 0, "index.json: no manifests");
	return oci_index(l, index, NULL, 0, err);
}

/* ---- load: the source ---- */

static int copy_entry(struct archive *a, struct archive *disk, struct archive_entry *e, const char *src,
		      struct al_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int d;
	if (archive_write_header(disk, e) < ARCHIVE_WARN)
		return al_err_set(err, archive_errno(disk), "load %s: %s: %s", src, archive_entry_pathname(e),
				  archive_error_string(disk));
	while ((d = archive_read_data_block(a, &buf, &size, &off)) != ARCHIVE_EOF) {
		if (d < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(a), "load %s: %s", src, archive_error_string(a));
		if (archive_write_data_block(disk, buf, size, off) < ARCHIVE_WARN)
			return al_err_set(err, archive_errno(disk), "load %s: %s", src,
					  archive_error_string(disk));
	}
	if (archive_write_finish_entry(disk) < ARCHIVE_WARN)
		return al_err_set(err, archive_errno(disk), "load %s: %s", src, archive_error_string(disk));
	return 0;
}

/* A tar file (maybe compressed) is unpacked into the store's tmp first; its paths are then read like a
 * directory's, beneath it. */
static int unpack_source(struct load *l, const char *src, struct al_err *err)
{
	if (image_tmpdir(&l->st, &l->src_tmp, err) < 0)
		return -1;
	_cleanup_close_ int dir = openat(l->st.tmp_fd, l->src_tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct archive *a = archive_read_new();
	struct archive *disk = archive_write_disk_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
						 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						 ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = 0;
	if (dir < 0 || cwd < 0 || fchdir(dir) < 0)
		r = al_err_sys(err, errno, "load %s: tmp", src);
	else if (archive_read_open_filename(a, src, 64 * 1024) != ARCHIVE_OK)
		r = al_err_set(err, archive_errno(a), "load %s: %s", src, archive_error_string(a));
	struct archive_entry *e;
	int h;
	while (r == 0 && (h = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (h < ARCHIVE_WARN)
			r = al_err_set(err, archive_errno(a), "load %s: %s", src, archive_error_string(a));
		else
			r = copy_entry(a, disk, e, src, err);
	}
	if (archive_write_close(disk) < ARCHIVE_WARN && r == 0)
		r = al_err_set(err, 0, "load %s: %s", src, archive_error_string(disk));
	if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
		r = al_err_sys(err, errno, "load %s: chdir back", src);
	archive_write_free(disk);
	archive_read_free(a);
	if (r == 0)
		l->src_fd = steal_fd(&dir);
	return r;
}

static int open_source(struct load *l, const char *src, struct al_err *err)
{
	struct stat sb;
	if (stat(src, &sb) < 0)
		return al_err_sys(err, errno, "load %s", src);
	if (!S_ISDIR(sb.st_mode))
		return unpack_source(l, src, err);
	l->src_fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return l->src_fd < 0 ? al_err_sys(err, errno, "load %s", src) : 0;
}

int al_image_load_named(const char *src, const char *name_for_bare_tags, char ***refs_out, struct al_err *err)
{
	struct load l;
	if (load_start(&l, err) < 0)
		return -1;
	l.bare_name = name_for_bare_tags;
	int r = open_source(&l, src, err);
	if (r == 0) {
		if (faccessat(l.src_fd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			r = load_docker(&l, err);
		else if (faccessat(l.src_fd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			r = load_oci(&l, err);
		else
			r = al_err_set(err, 0,
				       "load %s: neither a docker save archive (manifest.json) nor an OCI "
				       "image layout (index.json)",
				       src);
		if (r < 0 && strncmp(err->msg, "load ", 5) != 0)
			al_err_prefix(err, "load %s", src);
	}
	if (r == 0)
		r = image_commit(&l.st, l.imgs, l.n_imgs, err);
	if (r == 0 && refs_out)
		*refs_out = refs_of(&l);
	load_finish(&l, r < 0);
	return r;
}

int al_image_load(const char *src, char ***refs_out, struct al_err *err)
{
	return al_image_load_named(src, NULL, refs_out, err);
}
