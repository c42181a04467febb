/* store.c: the registry of named sandboxes (see store.h): records, names, state, liveness. */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "paths.h"
#include "spec_json.h"
#include "util.h"

static char *sub_dir(const char *sub)
{
	_cleanup_free_ char *rt = al_runtime_dir();
	return al_xasprintf("%s/%s", rt, sub);
}

/* The state must be the caller's alone: a /tmp/airlock-UID made by someone else could be used to hand
 * us a fake sandbox or to reach our exec sockets. */
static int check_owner(struct al_err *err)
{
	_cleanup_free_ char *rt = al_runtime_dir();
	struct stat st;
	if (lstat(rt, &st) < 0)
		return al_err_sys(err, errno, "state directory %s", rt);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return al_err_set(err, EPERM,
				  "state directory %s: must be a directory of yours that others cannot write",
				  rt);
	return 0;
}

static int ensure_dirs(struct al_err *err)
{
	static const char *const subs[] = {"sandboxes", "names"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(subs); i++) {
		_cleanup_free_ char *d = sub_dir(subs[i]);
		int r = al_mkdir_p_at(AT_FDCWD, d, 0700);
		if (r < 0)
			return al_err_sys(err, -r, "state directory %s", d);
	}
	return check_owner(err);
}

const char *al_box_name(const struct al_box *b)
{
	const char *n = json_string_value(json_object_get(b->config, "Name"));
	return n ? n : "";
}

char *al_box_path(const struct al_box *b, const char *file)
{
	return al_xasprintf("%s/%s", b->dir, file);
}

void al_box_free(struct al_box *b)
{
	free(b->dir);
	json_decref(b->config);
	json_decref(b->state);
	memset(b, 0, sizeof *b);
}

json_int_t al_box_state_int(const struct al_box *b, const char *key)
{
	return json_integer_value(json_object_get(b->state, key));
}

const char *al_box_state_str(const struct al_box *b, const char *key)
{
	const char *s = json_string_value(json_object_get(b->state, key));
	return s ? s : "";
}

static int write_json_atomic(const char *dir, const char *name, json_t *obj, struct al_err *err)
{
	_cleanup_free_ char *tmp = al_xasprintf("%s/.%s.tmp", dir, name);
	_cleanup_free_ char *dst = al_xasprintf("%s/%s", dir, name);
	if (json_dump_file(obj, tmp, JSON_COMPACT) < 0) {
		unlink(tmp);
		return al_err_sys(err, errno ? errno : EIO, "write %s", dst);
	}
	if (rename(tmp, dst) < 0) {
		int e = errno;
		unlink(tmp);
		return al_err_sys(err, e, "write %s", dst);
	}
	return 0;
}

int al_box_save_config(const struct al_box *b, struct al_err *err)
{
	return write_json_atomic(b->dir, "config.json", b->config, err);
}

int al_box_save_state(const struct al_box *b, struct al_err *err)
{
	return write_json_atomic(b->dir, "state.json", b->state, err);
}

static json_t *load_json(const char *dir, const char *name, struct al_err *err)
{
	_cleanup_free_ char *path = al_xasprintf("%s/%s", dir, name);
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o || !json_is_object(o)) {
		json_decref(o);
		al_err_set(err, errno == ENOENT ? ENOENT : EINVAL, "%s: %s", path, je.text);
		return NULL;
	}
	return o;
}

int al_box_reload_state(struct al_box *b, struct al_err *err)
{
	json_t *st = load_json(b->dir, "state.json", err);
	if (!st)
		return -1;
	json_decref(b->state);
	b->state = st;
	b->seen_alive = false;
	return 0;
}

static int load_box(const char *id, struct al_box *out, struct al_err *err)
{
	memset(out, 0, sizeof *out);
	snprintf(out->id, sizeof out->id, "%s", id);
	out->dir = sub_dir("sandboxes");
	char *d = al_xasprintf("%s/%s", out->dir, id);
	free(out->dir);
	out->dir = d;
	out->config = load_json(d, "config.json", err);
	out->state = out->config ? load_json(d, "state.json", err) : NULL;
	if (!out->state) {
		al_box_free(out);
		return -1;
	}
	return 0;
}

/* The name's link: made once; a link whose sandbox is gone (a create that died half-way) is stale. */
static int reserve_name(const char *name, const char *id, struct al_err *err)
{
	_cleanup_free_ char *names = sub_dir("names");
	_cleanup_free_ char *link = al_xasprintf("%s/%s", names, name);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (symlink(id, link) == 0)
			return 0;
		if (errno != EEXIST)
			return al_err_sys(err, errno, "name %s", name);
		char other[80];
		ssize_t n = readlink(link, other, sizeof other - 1);
		if (n < 0)
			continue;
		other[n] = '\0';
		struct al_box ob;
		struct al_err ignored;
		if (load_box(other, &ob, &ignored) == 0) {
			al_box_free(&ob);
			return al_err_set(
			    err, EEXIST,
			    "Conflict. The container name \"/%s\" is already in use by container "
			    "\"%s\". You have to remove (or rename) that container to be able to "
			    "reuse that name.",
			    name, other);
		}
		/* stale: remove it only if it still names that id, then try once more */
		char again[80];
		ssize_t m = readlink(link, again, sizeof again - 1);
		if (m == n && memcmp(again, other, (size_t)n) == 0)
			unlink(link);
	}
	return al_err_set(err, EEXIST, "name %s: in use", name);
}

int al_box_create(const struct al_spec *spec, bool auto_remove, struct al_box *out, struct al_err *err)
{
	memset(out, 0, sizeof *out);
	if (ensure_dirs(err) < 0)
		return -1;
	int r = al_random_hex(out->id, 32);
	if (r < 0)
		return al_err_sys(err, -r, "random id");
	_cleanup_free_ char *name = spec->name ? al_xstrdup(spec->name) : al_xasprintf("al_%.12s", out->id);
	_cleanup_free_ char *created = al_time_now_rfc3339();
	_cleanup_free_ char *parent = sub_dir("sandboxes");
	out->dir = al_xasprintf("%s/%s", parent, out->id);
	if (mkdir(out->dir, 0700) < 0) {
		int e = errno;
		al_box_free(out);
		return al_err_sys(err, e, "state directory");
	}
	out->config = json_pack("{s:s, s:s, s:s, s:b, s:o}", "Id", out->id, "Name", name, "Created", created,
				"AutoRemove", auto_remove, "Spec", al_spec_to_json(spec));
	out->state = json_pack("{s:s, s:i, s:i}", "Status", AL_STATUS_CREATED, "Pid", 0, "ExitCode", 0);
	json_t *spec_obj = json_object_get(out->config, "Spec");
	json_object_set_new(spec_obj, "Name", json_string(name));
	if (write_json_atomic(out->dir, "config.json", out->config, err) < 0 ||
	    al_box_save_state(out, err) < 0 || reserve_name(name, out->id, err) < 0) {
		_cleanup_close_ int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd >= 0)
			al_rm_tree_at(pfd, out->id);
		al_box_free(out);
		return -1;
	}
	return 0;
}

int al_box_find(const char *ref, struct al_box *out, struct al_err *err)
{
	memset(out, 0, sizeof *out);
	if (!*ref || strchr(ref, '/') || ref[0] == '.')
		return al_err_set(err, ENOENT, "No such container: %s", ref);
	_cleanup_free_ char *names = sub_dir("names");
	_cleanup_free_ char *link = al_xasprintf("%s/%s", names, ref);
	char id[80];
	ssize_t n = readlink(link, id, sizeof id - 1);
	struct al_err ignored;
	if (n > 0) {
		id[n] = '\0';
		if (load_box(id, out, &ignored) == 0)
			return 0;
	}
	if (!al_is_hex(ref, 1, 64))
		return al_err_set(err, ENOENT, "No such container: %s", ref);
	/* an id, or a prefix of exactly one */
	_cleanup_free_ char *dir = sub_dir("sandboxes");
	DIR *d = opendir(dir);
	char found[65] = "";
	int matches = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (al_is_hex(e->d_name, 64, 64) && strncmp(e->d_name, ref, strlen(ref)) == 0) {
			memcpy(found, e->d_name, 65); /* al_is_hex: exactly 64 characters */
			matches++;
		}
	if (d)
		closedir(d);
	if (matches > 1)
		return al_err_set(err, EINVAL, "multiple sandboxes match the id prefix %s: give more of it",
				  ref);
	if (matches == 0 || load_box(found, out, &ignored) < 0)
		return al_err_set(err, ENOENT, "No such container: %s", ref);
	return 0;
}

static int by_created(const void *a, const void *b)
{
	const struct al_box *x = a, *y = b;
	const char *cx = json_string_value(json_object_get(x->config, "Created"));
	const char *cy = json_string_value(json_object_get(y->config, "Created"));
	return strcmp(cx ? cx : "", cy ? cy : "");
}

int al_box_list(struct al_box **out, size_t *n, struct al_err *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_free_ char *dir = sub_dir("sandboxes");
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : al_err_sys(err, errno, "%s", dir);
	struct dirent *e;
	size_t cap = 0;
	while ((e = readdir(d))) {
		struct al_box b;
		struct al_err ignored;
		if (!al_is_hex(e->d_name, 64, 64) || load_box(e->d_name, &b, &ignored) < 0)
			continue; /* one being created or removed right now */
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = al_xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = b;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof **out, by_created);
	return 0;
}

char **al_box_image_users(const char *image_id, bool *running)
{
	struct al_box *boxes;
	size_t n;
	struct al_err ignored;
	char **names = NULL;
	size_t n_names = 0;
	*running = false;
	if (al_box_list(&boxes, &n, &ignored) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *id =
		    json_string_value(json_object_get(json_object_get(boxes[i].config, "Spec"), "ImageId"));
		if (id && strcmp(id, image_id) == 0) {
			al_strv_push(&names, &n_names, al_box_name(&boxes[i]));
			*running |= strcmp(al_box_status(&boxes[i]), AL_STATUS_RUNNING) == 0;
		}
		al_box_free(&boxes[i]);
	}
	free(boxes);
	return names;
}

int al_box_connect(const struct al_box *b, const char *name, int type, struct al_err *err)
{
	_cleanup_close_ int dir = open(b->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return al_err_sys(err, errno, "sandbox %s", al_box_name(b));
	int s = al_unix_connect_at(dir, name, type);
	if (s == -ENOENT || s == -ECONNREFUSED)
		return al_err_set(err, ESRCH, "sandbox %s is not running", al_box_name(b));
	if (s < 0)
		return al_err_sys(err, -s, "sandbox %s: %s", al_box_name(b), name);
	return s;
}

int al_box_load_spec(const struct al_box *b, struct al_spec *spec, struct al_err *err)
{
	if (al_spec_from_json(json_object_get(b->config, "Spec"), spec, err) < 0)
		return al_err_prefix(err, "sandbox %s", al_box_name(b));
	return 0;
}

bool al_box_monitor_alive(const struct al_box *b)
{
	_cleanup_free_ char *path = al_box_path(b, "monitor.lock");
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return false; /* nobody holds it: closing the fd drops our shared lock */
	return errno == EWOULDBLOCK;
}

const char *al_box_status(struct al_box *b)
{
	const char *st = al_box_state_str(b, "Status");
	bool running = strcmp(st, AL_STATUS_RUNNING) == 0;
	if (running && !b->seen_alive)
		b->seen_alive = al_box_monitor_alive(b);
	if (!running || b->seen_alive)
		return *st ? st : AL_STATUS_CREATED;
	/* the monitor died (SIGKILL): its sandbox died with it */
	json_object_set_new(b->state, "Status", json_string(AL_STATUS_EXITED));
	json_object_set_new(b->state, "ExitCode", json_integer(137));
	json_object_set_new(b->state, "Signal", json_integer(9));
	json_object_set_new(b->state, "Reason", json_string("killed"));
	json_object_set_new(b->state, "Error", json_string("the sandbox's monitor was killed"));
	json_object_set_new(b->state, "Pid", json_integer(0));
	if (!json_string_value(json_object_get(b->state, "FinishedAt"))) {
		_cleanup_free_ char *now = al_time_now_rfc3339();
		json_object_set_new(b->state, "FinishedAt", json_string(now));
	}
	return AL_STATUS_EXITED;
}

int al_box_remove(const struct al_box *b, struct al_err *err)
{
	_cleanup_free_ char *names = sub_dir("names");
	_cleanup_free_ char *link = al_xasprintf("%s/%s", names, al_box_name(b));
	char id[80];
	ssize_t n = readlink(link, id, sizeof id - 1);
	if (n == 64 && memcmp(id, b->id, 64) == 0)
		unlink(link);
	_cleanup_free_ char *parent = sub_dir("sandboxes");
	_cleanup_close_ int pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return al_err_sys(err, errno, "%s", parent);
	al_rm_tree_at(pfd, b->id);
	/* a monitor killed by SIGKILL left its cgroup: it goes with the record */
	al_cgroup_sweep("/sys/fs/cgroup", !al_is_root());
	if (faccessat(pfd, b->id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return al_err_set(err, EBUSY, "remove %s: its state directory is still in use", b->dir);
	return 0;
}

unsigned long long al_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (al_read_file_at(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return 0;
	char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p)
		return 0;
	unsigned long long v = 0;
	/* after ") ": state is field 3; starttime is field 22 */
	for (int field = 3; p && field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 22)
			v = strtoull(p + 1, NULL, 10);
	}
	return v;
}

int al_box_pidfd(struct al_box *b, struct al_err *err)
{
	if (strcmp(al_box_status(b), AL_STATUS_RUNNING) != 0)
		return al_err_set(err, ESRCH, "sandbox %s is not running", al_box_name(b));
	pid_t pid = (pid_t)al_box_state_int(b, "Pid");
	int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	unsigned long long want = (unsigned long long)al_box_state_int(b, "PidStart");
	if (fd < 0 || al_proc_start_time(pid) != want) {
		if (fd >= 0)
			close(fd);
		return al_err_set(err, ESRCH, "sandbox %s is not running", al_box_name(b));
	}
	return fd;
}
