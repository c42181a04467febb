/* test_image.c: the image store: import of a directory, docker save and OCI layouts built here with
 * libarchive, whiteouts as overlayfs sees them, and refusal of corrupt, tar-slip and mismatched input. */
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "image.h"
#include "image_internal.h"
#include "util.h"

static char state_root[256];
static char work[300];

/* ---- building archives ---- */

struct tar_item {
	const char *path;
	char type; /* f file, d dir, l symlink, h hardlink */
	unsigned mode;
	const char *data; /* file content or link target */
};

static void add_item(struct tar_writer *w, const struct tar_item *it)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, it->path);
	archive_entry_set_perm(e, it->mode);
	archive_entry_set_mtime(e, 1700000000, 0);
	size_t dlen = it->type == 'f' && it->data ? strlen(it->data) : 0;
	switch (it->type) {
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, it->data);
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, it->data);
		break;
	default:
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)dlen);
	}
	image_tar_write_header(w, e);
	image_tar_write_data(w, it->data, dlen);
	image_tar_finish_entry(w);
	archive_entry_free(e);
}

static char *fd_contents(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf = al_xmalloc((size_t)size + 1);
	*len = (size_t)pread(fd, buf, (size_t)size, 0);
	close(fd);
	return buf;
}

static char *gzip(const char *data, size_t len, size_t *out_len)
{
	z_stream z = {0};
	size_t cap = len + len / 10 + 1024;
	char *out = al_xmalloc(cap);
	deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY); /* +16: gzip */
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	*out_len = z.total_out;
	deflateEnd(&z);
	return out;
}

/* The test writes its archives with the store's own tar writer (libarchive's writers cannot be linked
 * statically without libxml2 and ICU). */
static char *make_tar(const struct tar_item *items, size_t n, bool gz, size_t *len_out)
{
	struct tar_writer w = {.fd = memfd_create("tar", MFD_CLOEXEC)};
	sha256_init(&w.sha);
	for (size_t i = 0; i < n; i++)
		add_item(&w, &items[i]);
	image_tar_close(&w);
	size_t len;
	char *tar = fd_contents(w.fd, &len);
	if (!gz) {
		*len_out = len;
		return tar;
	}
	char *z = gzip(tar, len, len_out);
	free(tar);
	return z;
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = al_xasprintf("%s/%s", dir, name);
	char *slash = strrchr(p, '/');
	*slash = '\0';
	al_mkdir_p_at(AT_FDCWD, p, 0755);
	*slash = '/';
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	al_write_all(fd, data, len);
	close(fd);
	free(p);
}

static char *read_whole(const char *path, size_t *len)
{
	struct al_err err;
	int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	char *data = NULL;
	*len = 0;
	image_read_file_at(dfd, path + 1, 64 << 20, &data, len, &err);
	close(dfd);
	return data;
}

/* A directory tree into a tar file (the outer archive of docker save). */
static void tar_dir_to_file(const char *dir, const char **names, size_t n, const char *out)
{
	struct tar_writer w = {.fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
	sha256_init(&w.sha);
	for (size_t i = 0; i < n; i++) {
		char *p = al_xasprintf("%s/%s", dir, names[i]);
		size_t len;
		char *data = read_whole(p, &len);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		image_tar_write_header(&w, e);
		image_tar_write_data(&w, data, len);
		image_tar_finish_entry(&w);
		archive_entry_free(e);
		free(data);
		free(p);
	}
	image_tar_close(&w);
	close(w.fd);
}

static char *sha_hex(const void *d, size_t n)
{
	char hex[AL_SHA256_HEX_LEN + 1];
	image_sha256_hex(d, n, hex);
	return al_xstrdup(hex);
}

/* Two layers: the second deletes etc/file (.wh.file) and makes opq/ opaque. */
static const struct tar_item layer1_items[] = {
    {"etc/", 'd', 0755, NULL},	       {"etc/file", 'f', 0644, "hello"}, {"keep/", 'd', 0755, NULL},
    {"keep/a", 'f', 0600, "a"},	       {"opq/", 'd', 0755, NULL},	 {"opq/old", 'f', 0644, "old"},
    {"bin/", 'd', 0755, NULL},	       {"bin/sh", 'f', 0755, "#!"},	 {"bin/link", 'l', 0777, "sh"},
    {"bin/hard", 'h', 0755, "bin/sh"},
};
static const struct tar_item layer2_items[] = {
    {"etc/", 'd', 0755, NULL},		 {"etc/.wh.file", 'f', 0644, ""}, {"opq/", 'd', 0755, NULL},
    {"opq/.wh..wh..opq", 'f', 0644, ""}, {"opq/new", 'f', 0644, "new"},
};

/* docker save layout in dir: blobs/sha256/..., manifest.json; returns the config's hex. */
static char *make_docker_save(const char *dir, const char *tag, bool bad_diff_id, bool gzip_second)
{
	size_t l1n, l2n, l2rawn;
	char *l1 = make_tar(layer1_items, AL_ARRAY_SIZE(layer1_items), false, &l1n);
	char *l2raw = make_tar(layer2_items, AL_ARRAY_SIZE(layer2_items), false, &l2rawn);
	char *l2 = make_tar(layer2_items, AL_ARRAY_SIZE(layer2_items), gzip_second, &l2n);
	char *h1 = sha_hex(l1, l1n), *h2raw = sha_hex(l2raw, l2rawn), *h2 = sha_hex(l2, l2n);
	json_t *cfg = json_pack(
	    "{s:s, s:s, s:s, s:{s:[s], s:[s], s:s, s:{s:s}}, s:{s:s, s:[s+, s+]}}", "architecture", "amd64",
	    "os", "linux", "created", "2024-01-02T03:04:05Z", "config", "Env", "PATH=/bin", "Cmd", "/bin/sh",
	    "WorkingDir", "/work", "Labels", "k", "v", "rootfs", "type", "layers", "diff_ids",
	    "sha256:", bad_diff_id ? "0000000000000000000000000000000000000000000000000000000000000000" : h1,
	    "sha256:", h2raw);
	char *cfg_s = json_dumps(cfg, JSON_COMPACT);
	char *hc = sha_hex(cfg_s, strlen(cfg_s));
	char *p1 = al_xasprintf("blobs/sha256/%s", h1), *p2 = al_xasprintf("blobs/sha256/%s", h2);
	char *pc = al_xasprintf("blobs/sha256/%s", hc);
	write_file(dir, p1, l1, l1n);
	write_file(dir, p2, l2, l2n);
	write_file(dir, pc, cfg_s, strlen(cfg_s));
	json_t *m = json_pack("[{s:s, s:[s], s:[s, s]}]", "Config", pc, "RepoTags", tag, "Layers", p1, p2);
	char *ms = json_dumps(m, 0);
	write_file(dir, "manifest.json", ms, strlen(ms));
	json_decref(m);
	json_decref(cfg);
	free(ms), free(l1), free(l2), free(l2raw), free(h1), free(h2), free(h2raw), free(cfg_s);
	free(p1), free(p2), free(pc);
	return hc;
}

/* OCI layout in dir: one image with a gzip layer, tagged by the ref.name annotation. */
static char *make_oci(const char *dir, const char *ref_name, bool corrupt_layer)
{
	size_t rawn, gzn;
	char *raw = make_tar(layer1_items, AL_ARRAY_SIZE(layer1_items), false, &rawn);
	char *gz = make_tar(layer1_items, AL_ARRAY_SIZE(layer1_items), true, &gzn);
	char *hraw = sha_hex(raw, rawn), *hgz = sha_hex(gz, gzn);
	json_t *cfg =
	    json_pack("{s:s, s:s, s:{s:[s]}, s:{s:s, s:[s+]}}", "architecture", "amd64", "os", "linux",
		      "config", "Cmd", "/bin/sh", "rootfs", "type", "layers", "diff_ids", "sha256:", hraw);
	char *cfg_s = json_dumps(cfg, JSON_COMPACT);
	char *hc = sha_hex(cfg_s, strlen(cfg_s));
	json_t *man = json_pack("{s:i, s:s, s:{s:s, s:s+, s:i}, s:[{s:s, s:s+, s:I}]}", "schemaVersion", 2,
				"mediaType", "application/vnd.oci.image.manifest.v1+json", "config",
				"mediaType", "application/vnd.oci.image.config.v1+json", "digest",
				"sha256:", hc, "size", (int)strlen(cfg_s), "layers", "mediaType",
				"application/vnd.oci.image.layer.v1.tar+gzip", "digest", "sha256:", hgz,
				"size", (json_int_t)gzn);
	char *man_s = json_dumps(man, JSON_COMPACT);
	char *hm = sha_hex(man_s, strlen(man_s));
	json_t *idx =
	    json_pack("{s:i, s:[{s:s, s:s+, s:i, s:{s:s}}]}", "schemaVersion", 2, "manifests", "mediaType",
		      "application/vnd.oci.image.manifest.v1+json", "digest", "sha256:", hm, "size",
		      (int)strlen(man_s), "annotations", "org.opencontainers.image.ref.name", ref_name);
	char *idx_s = json_dumps(idx, 0);
	char *p;
	if (corrupt_layer)
		gz[gzn / 2] ^= 0x55;
	write_file(dir, p = al_xasprintf("blobs/sha256/%s", hgz), gz, gzn), free(p);
	write_file(dir, p = al_xasprintf("blobs/sha256/%s", hc), cfg_s, strlen(cfg_s)), free(p);
	write_file(dir, p = al_xasprintf("blobs/sha256/%s", hm), man_s, strlen(man_s)), free(p);
	write_file(dir, "index.json", idx_s, strlen(idx_s));
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	json_decref(cfg), json_decref(man), json_decref(idx);
	free(raw), free(gz), free(hraw), free(hgz), free(cfg_s), free(man_s), free(hm), free(idx_s);
	return hc;
}

/* ---- looking at the store ---- */

/* Every path under the store with its type, sorted, plus repositories.json: equal means unchanged. */
static void listing_walk(const char *dir, const char *rel, char **out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *p = al_xasprintf("%s/%s", dir, e->d_name);
		char *r = al_xasprintf("%s/%s", rel, e->d_name);
		char *n = al_xasprintf("%s%s:%d\n", *out, r, e->d_type);
		free(*out);
		*out = n;
		if (e->d_type == DT_DIR)
			listing_walk(p, r, out);
		free(p), free(r);
	}
	if (d)
		closedir(d);
}

static char *store_listing(void)
{
	char *out = al_xstrdup("");
	char *dir = al_xasprintf("%s/data/images", state_root);
	listing_walk(dir, "", &out);
	size_t len;
	char *rp = al_xasprintf("%s/repositories.json", dir);
	char *repos = read_whole(rp, &len);
	if (repos) {
		char *n = al_xasprintf("%s%s", out, repos);
		free(out);
		out = n;
	}
	free(repos), free(rp), free(dir);
	return out;
}

static bool exists(const char *dir, const char *rel)
{
	struct stat sb;
	char *p = al_xasprintf("%s/%s", dir, rel);
	bool r = lstat(p, &sb) == 0;
	free(p);
	return r;
}

static bool is_whiteout(const char *dir, const char *rel)
{
	struct stat sb;
	char *p = al_xasprintf("%s/%s", dir, rel);
	bool r = lstat(p, &sb) == 0 &&
		 ((S_ISCHR(sb.st_mode) && sb.st_rdev == makedev(0, 0)) ||
		  (S_ISREG(sb.st_mode) && lgetxattr(p, "user.overlay.whiteout", NULL, 0) >= 0));
	free(p);
	return r;
}

static bool is_opaque(const char *dir, const char *rel)
{
	char v[4] = "";
	char *p = al_xasprintf("%s/%s", dir, rel);
	ssize_t n = lgetxattr(p, geteuid() == 0 ? "trusted.overlay.opaque" : "user.overlay.opaque", v, 3);
	free(p);
	return n == 1 && v[0] == 'y';
}

static void write_proc(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		al_write_all(fd, s, strlen(s));
		close(fd);
	}
}

/* Mount the overlay in a private mount namespace (rootless: in a user namespace, with userxattr, as
 * the launcher will) and look at the merged view. */
static int overlay_view_ok(char **dirs)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	pid_t pid = fork();
	if (pid == 0) {
		if (uid != 0) {
			if (unshare(CLONE_NEWUSER) < 0)
				_exit(5);
			char *map = al_xasprintf("0 %u 1", (unsigned)uid);
			write_proc("/proc/self/uid_map", map);
			write_proc("/proc/self/setgroups", "deny");
			free(map);
			map = al_xasprintf("0 %u 1", (unsigned)gid);
			write_proc("/proc/self/gid_map", map);
		}
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		char *mnt = al_xasprintf("%s/mnt", work);
		mkdir(mnt, 0755);
		char *opts = al_xasprintf("lowerdir=%s:%s%s", dirs[0], dirs[1], uid ? ",userxattr" : "");
		if (mount("overlay", mnt, "overlay", MS_RDONLY, opts) < 0)
			_exit(3);
		bool ok = !exists(mnt, "etc/file") && !exists(mnt, "opq/old") && exists(mnt, "opq/new") &&
			  exists(mnt, "keep/a") && exists(mnt, "bin/link");
		_exit(ok ? 0 : 4);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

/* ---- the tests ---- */

static void test_import_dir(void)
{
	struct al_err err;
	char *rootfs = al_xasprintf("%s/rootfs", work);
	write_file(rootfs, "etc/hostname", "box\n", 4);
	write_file(rootfs, "bin/tool", "#!/bin/sh\n", 10);
	char *p = al_xasprintf("%s/bin/tool", rootfs);
	chmod(p, 0755);
	char *hl = al_xasprintf("%s/bin/tool2", rootfs);
	CHECK(link(p, hl) == 0);
	char *sl = al_xasprintf("%s/bin/sh", rootfs);
	CHECK(symlink("tool", sl) == 0);
	char *priv = al_xasprintf("%s/private", rootfs);
	mkdir(priv, 0700);
	chmod(priv, 0700);

	char *id = NULL;
	CHECK_OK(al_image_import(rootfs, "myimg", &id, &err), &err);
	CHECK(id && strncmp(id, "sha256:", 7) == 0 && strlen(id) == 71);

	json_t *ins = NULL;
	CHECK_OK(al_image_inspect("myimg:latest", &ins, &err), &err);
	CHECK_STR(json_string_value(json_object_get(ins, "Id")), id);
	CHECK_STR(json_string_value(json_array_get(json_object_get(ins, "RepoTags"), 0)), "myimg:latest");
	CHECK_STR(json_string_value(json_object_get(json_object_get(ins, "RootFS"), "Type")), "layers");
	CHECK_INT(json_array_size(json_object_get(json_object_get(ins, "RootFS"), "Layers")), 1);
	CHECK(json_integer_value(json_object_get(ins, "Size")) >= 14);
	CHECK(json_is_null(json_object_get(json_object_get(ins, "Config"), "Cmd")));
	json_decref(ins);

	char **dirs = NULL;
	json_t *config = NULL;
	CHECK_OK(al_image_lowerdirs("myimg", &dirs, &config, &err), &err);
	CHECK(dirs && dirs[0] && !dirs[1]);
	if (dirs && dirs[0]) {
		struct stat a, b;
		char *t1 = al_xasprintf("%s/bin/tool", dirs[0]), *t2 = al_xasprintf("%s/bin/tool2", dirs[0]);
		CHECK(stat(t1, &a) == 0 && stat(t2, &b) == 0 && a.st_ino == b.st_ino &&
		      (a.st_mode & 0777) == 0755);
		char target[16] = "";
		char *s = al_xasprintf("%s/bin/sh", dirs[0]);
		CHECK(readlink(s, target, sizeof target - 1) == 4 && strcmp(target, "tool") == 0);
		char *pv = al_xasprintf("%s/private", dirs[0]);
		CHECK(stat(pv, &a) == 0 && S_ISDIR(a.st_mode) && (a.st_mode & 0777) == 0700);
		free(t1), free(t2), free(s), free(pv);
	}
	al_image_strv_free(dirs);
	json_decref(config);

	CHECK_OK(al_image_tag("myimg", "other/name:v1", &err), &err);
	CHECK_OK(al_image_tag(id, "localhost:5000/x:y", &err), &err);
	char *rid = NULL;
	CHECK_OK(al_image_resolve("other/name:v1", &rid, &err), &err);
	CHECK_STR(rid, id);
	free(rid);
	CHECK_OK(al_image_resolve("docker.io/library/myimg", &rid, &err), &err);
	free(rid);
	CHECK_OK(al_image_resolve(id + 7 + 0, &rid, &err), &err);
	free(rid);
	char prefix[13];
	snprintf(prefix, sizeof prefix, "%s", id + 7);
	CHECK_OK(al_image_resolve(prefix, &rid, &err), &err);
	free(rid);
	CHECK_FAILS(al_image_tag("myimg", "Bad:Name", &err), &err, "invalid reference format");
	CHECK_FAILS(al_image_inspect("nosuch:tag", &ins, &err), &err, "No such image: nosuch:tag");

	json_t *list = NULL;
	CHECK_OK(al_image_list(&list, &err), &err);
	CHECK_INT(json_array_size(list), 1);
	CHECK_INT(json_array_size(json_object_get(json_array_get(list, 0), "RepoTags")), 3);
	json_decref(list);

	char **removed = NULL;
	CHECK_FAILS(al_image_remove(prefix, false, &removed, &err), &err, "must be forced");
	CHECK_OK(al_image_remove("other/name:v1", false, &removed, &err), &err);
	CHECK_STR(removed ? removed[0] : NULL, "Untagged: other/name:v1");
	CHECK(removed && !removed[1]);
	al_image_strv_free(removed);
	CHECK_OK(al_image_remove(prefix, true, &removed, &err), &err);
	size_t n = 0;
	while (removed && removed[n])
		n++;
	CHECK_INT(n, 4); /* two untagged, the image and its layer deleted */
	al_image_strv_free(removed);
	CHECK_FAILS(al_image_inspect("myimg", &ins, &err), &err, "No such image: myimg");
	char *layers = al_xasprintf("%s/data/images/layers/sha256", state_root);
	DIR *d = opendir(layers);
	int entries = 0;
	while (d && readdir(d))
		entries++;
	CHECK_INT(entries, 2); /* . and .. */
	if (d)
		closedir(d);
	free(layers), free(id), free(rootfs), free(p), free(hl), free(sl), free(priv);
}

static void check_two_layer_image(const char *ref)
{
	struct al_err err;
	char **dirs = NULL;
	json_t *config = NULL;
	CHECK_OK(al_image_lowerdirs(ref, &dirs, &config, &err), &err);
	CHECK(dirs && dirs[0] && dirs[1] && !dirs[2]);
	if (!dirs || !dirs[0] || !dirs[1])
		return;
	CHECK(exists(dirs[1], "etc/file") && exists(dirs[1], "opq/old") && exists(dirs[1], "bin/link"));
	CHECK(is_whiteout(dirs[0], "etc/file"));
	CHECK(!exists(dirs[0], "etc/.wh.file") && !exists(dirs[0], "opq/.wh..wh..opq"));
	CHECK(is_opaque(dirs[0], "opq"));
	CHECK(exists(dirs[0], "opq/new"));
	CHECK_STR(json_string_value(json_object_get(config, "WorkingDir")), "/work");
	CHECK_STR(json_string_value(json_array_get(json_object_get(config, "Env"), 0)), "PATH=/bin");
	CHECK_INT(overlay_view_ok(dirs), 0);
	al_image_strv_free(dirs);
	json_decref(config);
}

static void test_load_docker_save(void)
{
	struct al_err err;
	char *dir = al_xasprintf("%s/save", work);
	char *cfg = make_docker_save(dir, "test/save:v1", false, true);
	char *tarfile = al_xasprintf("%s/save.tar", work);
	/* The blob names are digests: list them from the directory. */
	char *blobs = al_xasprintf("%s/blobs/sha256", dir);
	DIR *d = opendir(blobs);
	struct dirent *e;
	size_t nb = 0;
	char *bn[3] = {0};
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && nb < 3)
			bn[nb++] = al_xasprintf("blobs/sha256/%s", e->d_name);
	if (d)
		closedir(d);
	CHECK_INT(nb, 3);
	const char *all[4] = {"manifest.json", bn[0], bn[1], bn[2]};
	tar_dir_to_file(dir, all, 4, tarfile);

	char **refs = NULL;
	CHECK_OK(al_image_load(tarfile, &refs, &err), &err);
	CHECK_STR(refs ? refs[0] : NULL, "test/save:v1");
	al_image_strv_free(refs);
	json_t *ins = NULL;
	CHECK_OK(al_image_inspect("test/save:v1", &ins, &err), &err);
	char *want = al_xasprintf("sha256:%s", cfg);
	CHECK_STR(json_string_value(json_object_get(ins, "Id")), want);
	CHECK_STR(json_string_value(json_object_get(ins, "Created")), "2024-01-02T03:04:05Z");
	json_decref(ins);
	check_two_layer_image("test/save:v1");

	/* The same archive as a directory, loaded again: layers are reused, nothing changes. */
	char *before = store_listing();
	CHECK_OK(al_image_load(dir, NULL, &err), &err);
	char *after = store_listing();
	CHECK_STR(after, before);
	free(before), free(after);
	for (size_t i = 0; i < nb; i++)
		free(bn[i]);
	free(blobs), free(dir), free(cfg), free(tarfile), free(want);
}

static void test_load_oci(void)
{
	struct al_err err;
	char *dir = al_xasprintf("%s/oci", work);
	char *cfg = make_oci(dir, "oci/img:v2", false);
	char **refs = NULL;
	CHECK_OK(al_image_load(dir, &refs, &err), &err);
	CHECK_STR(refs ? refs[0] : NULL, "oci/img:v2");
	al_image_strv_free(refs);
	char *want = al_xasprintf("sha256:%s", cfg);
	char *id = NULL;
	CHECK_OK(al_image_resolve("oci/img:v2", &id, &err), &err);
	CHECK_STR(id, want);
	char **dirs = NULL;
	CHECK_OK(al_image_lowerdirs("oci/img:v2", &dirs, NULL, &err), &err);
	CHECK(dirs && dirs[0] && exists(dirs[0], "etc/file") && !dirs[1]);
	al_image_strv_free(dirs);

	/* A bare tag needs a repository name from the caller. */
	char *dir2 = al_xasprintf("%s/oci-bare", work);
	free(make_oci(dir2, "bookworm-slim", false));
	CHECK_OK(al_image_load_named(dir2, "openclaw-sandbox", &refs, &err), &err);
	CHECK_STR(refs ? refs[0] : NULL, "openclaw-sandbox:bookworm-slim");
	al_image_strv_free(refs);
	free(dir), free(dir2), free(cfg), free(want), free(id);
}

static void test_bad_input(void)
{
	struct al_err err;
	char *before = store_listing();

	/* A corrupt layer: its blob digest no longer matches. */
	char *dir = al_xasprintf("%s/oci-corrupt", work);
	free(make_oci(dir, "corrupt:v1", true));
	CHECK_FAILS(al_image_load(dir, NULL, &err), &err, "blob digest mismatch");
	free(dir);
	/* A diff id in the config that is not the layer's. */
	dir = al_xasprintf("%s/save-bad", work);
	free(make_docker_save(dir, "bad/diff:v1", true, false));
	/* The first layer is new to the store, the mismatch is found while unpacking it. */
	char *layers = al_xasprintf("%s/data/images/layers/sha256", state_root);
	CHECK_FAILS(al_image_load(dir, NULL, &err), &err, "diff id mismatch");
	free(dir);
	/* Not an archive at all. */
	char *junk = al_xasprintf("%s/junk.tar", work);
	write_file(work, "junk.tar", "this is not a tar archive at all, not even close.......", 55);
	CHECK_FAILS(al_image_load(junk, NULL, &err), &err, "junk.tar");
	if (getenv("VERBOSE"))
		fprintf(stderr, "junk: %s\n", err.msg);
	/* A truncated docker save archive. */
	char *tarfile = al_xasprintf("%s/save.tar", work);
	size_t len;
	char *data = read_whole(tarfile, &len);
	CHECK(data != NULL);
	if (data) {
		write_file(work, "trunc.tar", data, len / 2 + 100);
		char *trunc = al_xasprintf("%s/trunc.tar", work);
		CHECK(al_image_load(trunc, NULL, &err) == -1);
		if (getenv("VERBOSE"))
			fprintf(stderr, "truncated: %s\n", err.msg);
		free(trunc);
	}
	free(data);

	/* Tar-slip: "../evil", "/abs" and a hard link out of the layer. */
	static const struct tar_item dotdot[] = {{"ok", 'f', 0644, "x"}, {"../evil", 'f', 0644, "evil"}};
	static const struct tar_item absolute[] = {{"/airlock-test-abs", 'f', 0644, "evil"}};
	static const struct tar_item hardlink[] = {{"h", 'h', 0644, "../../../../etc/passwd"}};
	static const struct tar_item via_symlink[] = {{"s", 'l', 0777, "/tmp"},
						      {"s/airlock-test-via-symlink", 'f', 0644, "evil"}};
	const struct {
		const struct tar_item *items;
		size_t n;
	} slips[] = {{dotdot, 2}, {absolute, 1}, {hardlink, 1}, {via_symlink, 2}};
	for (size_t i = 0; i < AL_ARRAY_SIZE(slips); i++) {
		size_t tl;
		char *t = make_tar(slips[i].items, slips[i].n, false, &tl);
		write_file(work, "slip.tar", t, tl);
		free(t);
		char *slip = al_xasprintf("%s/slip.tar", work);
		CHECK_INT(al_image_import(slip, "slip:v1", NULL, &err) == -1 ? (int)i : -1, (int)i);
		if (getenv("VERBOSE"))
			fprintf(stderr, "slip %zu: %s\n", i, err.msg);
		free(slip);
	}
	CHECK(!exists(state_root, "data/images/tmp/evil"));
	CHECK(!exists("/", "airlock-test-abs"));
	CHECK(!exists("/tmp", "airlock-test-via-symlink"));

	char *after = store_listing();
	CHECK_STR(after, before);
	free(before), free(after), free(layers), free(junk), free(tarfile);
}

static void rm_rf(const char *path)
{
	al_rm_tree_at(AT_FDCWD, path);
}

int main(void)
{
	snprintf(state_root, sizeof state_root, "/tmp/airlock-test-image-XXXXXX");
	if (!mkdtemp(state_root))
		return 1;
	snprintf(work, sizeof work, "%s/work", state_root);
	mkdir(work, 0755);
	setenv("AIRLOCK_STATE_ROOT", state_root, 1);

	test_import_dir();
	test_load_docker_save();
	test_load_oci();
	test_bad_input();

	if (!getenv("KEEP"))
		rm_rf(state_root);
	else
		fprintf(stderr, "kept %s\n", state_root);
	CHECK_DONE();
}
