/* container.c: airlock-runtime's registry: one directory per container under --root, holding
 * state.json and the unix socket on which the container's pid 1 takes start and exec requests.
 *
 * state.json: {"ociVersion", "id", "pid", "starttime" (pid 1's, from /proc: a recycled pid is not
 * the container), "bundle", "rootfs", "created", "owner", "started", "cgroup" (its name, for
 * al_cgroup_open), "annotations", "hooks" (config.json's, for start and delete), and the process
 * defaults exec falls back on: "env", "cwd", "uid", "gid"}.
 * A directory without state.json is a create in progress, or one that failed and cleans up. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "runtime.h"
#include "util.h"

bool rt_valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '_' || *p == '+' || *p == '-' || *p == '.'))
			return false;
	return true;
}

static int open_dir(const char *id, struct rt_container *c, struct al_err *err)
{
	c->dirfd = open(c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0)
		return errno == ENOENT ? al_err_set(err, ENOENT, "container %s does not exist", id)
				       : al_err_sys(err, errno, "container %s", id);
	return 0;
}

int rt_container_new(const char *id, struct rt_container *c, struct al_err *err)
{
	memset(c, 0, sizeof *c);
	c->dirfd = -1;
	if (!rt_valid_id(id))
		return al_err_set(err, EINVAL, "invalid container id \"%s\" (letters, digits, _ + - . only)",
				  id);
	int r = al_mkdir_p_at(AT_FDCWD, rt_g.root, 0700);
	if (r < 0)
		return al_err_sys(err, -r, "--root %s", rt_g.root);
	c->id = al_xstrdup(id);
	c->dir = al_xasprintf("%s/%s", rt_g.root, id);
	if (mkdir(c->dir, 0700) < 0)
		return errno == EEXIST ? al_err_set(err, EEXIST, "container with id %s already exists", id)
				       : al_err_sys(err, errno, "container %s: %s", id, c->dir);
	c->state = json_object();
	if (open_dir(id, c, err) < 0) {
		rmdir(c->dir);
		return -1;
	}
	return 0;
}

int rt_container_load(const char *id, struct rt_container *c, struct al_err *err)
{
	memset(c, 0, sizeof *c);
	c->dirfd = -1;
	if (!rt_valid_id(id))
		return al_err_set(err, EINVAL, "invalid container id \"%s\"", id);
	c->id = al_xstrdup(id);
	c->dir = al_xasprintf("%s/%s", rt_g.root, id);
	if (open_dir(id, c, err) < 0)
		return -1;
	_cleanup_free_ char *path = al_xasprintf("%s/state.json", c->dir);
	json_error_t jerr;
	c->state = json_load_file(path, 0, &jerr);
	if (!c->state || !json_is_object(c->state))
		return al_err_set(err, ENOENT, "container %s does not exist (no state: %s)", id, jerr.text);
	return 0;
}

int rt_container_save(const struct rt_container *c, struct al_err *err)
{
	_cleanup_free_ char *tmp = al_xasprintf("%s/state.json.tmp", c->dir);
	_cleanup_free_ char *path = al_xasprintf("%s/state.json", c->dir);
	if (json_dump_file(c->state, tmp, JSON_COMPACT) < 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return al_err_sys(err, e, "container %s: write state", c->id);
	}
	return 0;
}

void rt_container_remove(struct rt_container *c)
{
	if (!c->id)
		return;
	_cleanup_close_ int rootfd = open(rt_g.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd >= 0)
		al_rm_tree_at(rootfd, c->id);
}

void rt_container_free(struct rt_container *c)
{
	free(c->id);
	free(c->dir);
	al_closep(&c->dirfd);
	json_decref(c->state);
	memset(c, 0, sizeof *c);
	c->dirfd = -1;
}

/* State (field 3) and start time (field 22) of /proc/PID/stat; the command name may hold anything,
 * so the fields are counted from its closing parenthesis. */
static bool proc_stat(pid_t pid, char *state, unsigned long long *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (al_read_file_at(AT_FDCWD, path, buf, sizeof buf) <= 0)
		return false;
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return false;
	*state = p[2];
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return true;
}

unsigned long long rt_proc_start_time(pid_t pid)
{
	char st;
	unsigned long long start;
	return proc_stat(pid, &st, &start) ? start : 0;
}

pid_t rt_container_pid(const struct rt_container *c)
{
	json_int_t pid = json_integer_value(json_object_get(c->state, "pid"));
	const char *want = json_string_value(json_object_get(c->state, "starttime"));
	char st;
	unsigned long long start;
	if (pid <= 0 || !want || !proc_stat((pid_t)pid, &st, &start))
		return 0;
	if (st == 'Z' || st == 'X' || strtoull(want, NULL, 10) != start)
		return 0;
	return (pid_t)pid;
}

int rt_container_pidfd(const struct rt_container *c)
{
	pid_t pid = rt_container_pid(c);
	if (pid <= 0)
		return -1;
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd >= 0 && rt_container_pid(c) != pid) { /* it ended between the two looks */
		close(fd);
		return -1;
	}
	return fd;
}

struct al_cgroup *rt_container_open_cgroup(const struct rt_container *c)
{
	struct al_cgroup *cg = NULL;
	struct al_err err = {0};
	const char *name = json_string_value(json_object_get(c->state, "cgroup"));
	const char *parent = json_string_value(json_object_get(c->state, "cgroupParent"));
	if (name && al_cgroup_open(RT_CGROUP_ROOT, parent, name, &cg, &err) < 0)
		rt_warn("cgroup %s/%s: %s", parent ? parent : "airlock", name, err.msg);
	return cg;
}

const char *rt_container_status(const struct rt_container *c)
{
	if (rt_container_pid(c) <= 0)
		return RT_STATUS_STOPPED;
	if (!json_is_true(json_object_get(c->state, "started")))
		return RT_STATUS_CREATED;
	struct al_cgroup *cg = rt_container_open_cgroup(c);
	bool frozen = al_cgroup_frozen(cg);
	al_cgroup_release(cg);
	return frozen ? RT_STATUS_PAUSED : RT_STATUS_RUNNING;
}

json_t *rt_container_oci_state(const struct rt_container *c, const char *status)
{
	json_t *s = c->state;
	bool stopped = strcmp(status, RT_STATUS_STOPPED) == 0;
	json_t *annotations = json_object_get(s, "annotations");
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:O}", "ociVersion", "1.2.0", "id", c->id,
			 "status", status, "pid",
			 stopped ? (json_int_t)0 : json_integer_value(json_object_get(s, "pid")), "bundle",
			 json_string_value(json_object_get(s, "bundle")) ?: "", "rootfs",
			 json_string_value(json_object_get(s, "rootfs")) ?: "", "created",
			 json_string_value(json_object_get(s, "created")) ?: "", "owner", "", "annotations",
			 annotations ? annotations : json_object());
}

int rt_connect_unix(const char *path, const char *what, struct al_err *err)
{
	int fd = al_unix_connect_at(AT_FDCWD, path, SOCK_STREAM);
	return fd < 0 ? al_err_sys(err, -fd, "%s %s", what, path) : fd;
}

int rt_container_connect(const struct rt_container *c, struct al_err *err)
{
	int fd = al_unix_connect_at(c->dirfd, "exec.sock", SOCK_STREAM);
	if (fd < 0)
		return al_err_set(err, ESRCH, "container %s is not running (%s)", c->id, strerror(-fd));
	return fd;
}

int rt_write_pid_file(const char *path, pid_t pid, struct al_err *err)
{
	if (!path)
		return 0;
	_cleanup_free_ char *tmp = al_xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return al_err_sys(err, errno, "--pid-file %s", path);
	fprintf(f, "%d", (int)pid);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return al_err_sys(err, e, "--pid-file %s", path);
	}
	return 0;
}
