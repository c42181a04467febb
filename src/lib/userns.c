/* userns.c: id mappings of the sandbox's user namespace and of the idmapped-volume namespaces.
 * Root never maps host root into a sandbox unless its caller decides the mapping (airlock-runtime, for
 * a config's uid/gidMappings or the host's ids under a layer that cannot be idmapped); rootless maps
 * only the caller's own ids. */
#include "userns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

/* "airlock:BASE:COUNT" in /etc/subuid or /etc/subgid; returns 0 and fills base when found. */
static int subid_lookup(const char *file, unsigned *base, unsigned *count)
{
	char buf[8192];
	if (al_read_file_at(AT_FDCWD, file, buf, sizeof buf) < 0)
		return -1;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned b, c;
		if (sscanf(line, "airlock:%u:%u", &b, &c) == 2 && c >= 1) {
			*base = b;
			*count = c;
			return 0;
		}
	}
	return -1;
}

int al_idmap_plan(const struct al_spec *spec, struct al_idmap *map, struct al_err *err)
{
	memset(map, 0, sizeof *map);
	if (geteuid() != 0) {
		/* Without newuidmap an unprivileged caller may map exactly its own ids: the sandbox user
		 * (default 0) is the caller on the host. */
		map->rootless = true;
		map->inside_uid = spec->uid;
		map->inside_gid = spec->gid;
		map->host_uid = geteuid();
		map->host_gid = getegid();
		map->count = 1;
		return 0;
	}
	if (spec->ids.count) {
		const uint32_t lo = spec->ids.inside, hi = spec->ids.inside + spec->ids.count;
		if (spec->uid < lo || spec->uid >= hi || spec->gid < lo || spec->gid >= hi)
			return al_err_set(err, EINVAL, "user %u:%u: outside the mapped ids %u-%u",
					  (unsigned)spec->uid, (unsigned)spec->gid, lo, hi - 1);
		map->inside_uid = map->inside_gid = lo;
		map->host_uid = spec->ids.host_uid;
		map->host_gid = spec->ids.host_gid;
		map->count = spec->ids.count;
		map->gid_count = spec->ids.gid_count;
		return 0;
	}
	unsigned ubase = AL_DEFAULT_HOST_BASE, ucount = AL_ROOT_RANGE;
	unsigned gbase = AL_DEFAULT_HOST_BASE, gcount = AL_ROOT_RANGE;
	subid_lookup("/etc/subuid", &ubase, &ucount);
	subid_lookup("/etc/subgid", &gbase, &gcount);
	unsigned count = ucount < gcount ? ucount : gcount;
	if (count > AL_ROOT_RANGE)
		count = AL_ROOT_RANGE;
	if (ubase == 0 || gbase == 0)
		return al_err_set(err, EINVAL, "/etc/subuid: the airlock range must not start at host id 0");
	if (spec->uid >= count || spec->gid >= count)
		return al_err_set(err, EINVAL, "--user %u:%u: outside the sandbox's %u mapped ids",
				  (unsigned)spec->uid, (unsigned)spec->gid, count);
	map->inside_uid = 0;
	map->inside_gid = 0;
	map->host_uid = ubase;
	map->host_gid = gbase;
	map->count = count;
	return 0;
}

static int write_map(pid_t pid, const char *file, unsigned inside, unsigned outside, unsigned count,
		     struct al_err *err)
{
	char path[64], line[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int n = snprintf(line, sizeof line, "%u %u %u\n", inside, outside, count);
	int r = al_write_file_at(AT_FDCWD, path, line, (size_t)n);
	if (r < 0)
		return al_err_sys(err, -r, "writing %s", path);
	return 0;
}

int al_idmap_write(pid_t pid, const struct al_idmap *map, struct al_err *err)
{
	if (map->rootless) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
		int r = al_write_file_at(AT_FDCWD, path, "deny", 4);
		if (r < 0)
			return al_err_sys(err, -r, "writing %s", path);
	}
	if (write_map(pid, "uid_map", map->inside_uid, map->host_uid, map->count, err) < 0)
		return -1;
	return write_map(pid, "gid_map", map->inside_gid, map->host_gid,
			 map->gid_count ? map->gid_count : map->count, err);
}

int al_idmap_volume_userns(uid_t owner_uid, gid_t owner_gid, uid_t sandbox_host_uid, gid_t sandbox_host_gid,
			   int *out_fd, struct al_err *err)
{
	int ready[2], hold[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return al_err_sys(err, errno, "pipe");
	if (pipe2(hold, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return al_err_sys(err, errno, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		char c = 0;
		close(ready[0]);
		close(hold[1]);
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		(void)!write(ready[1], &c, 1);
		(void)!read(hold[0], &c, 1); /* until the parent has opened our namespace */
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	int r = -1;
	char c;
	if (pid < 0) {
		al_err_sys(err, errno, "fork for the volume id mapping");
		goto out;
	}
	if (read(ready[0], &c, 1) != 1) {
		al_err_set(err, EPERM, "volume id mapping: cannot create a user namespace");
		goto reap;
	}
	struct al_idmap m = {.host_uid = sandbox_host_uid,
			     .host_gid = sandbox_host_gid,
			     .inside_uid = owner_uid,
			     .inside_gid = owner_gid,
			     .count = 1};
	if (al_idmap_write(pid, &m, err) < 0)
		goto reap;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
	*out_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*out_fd < 0)
		al_err_sys(err, errno, "open %s", path);
	else
		r = 0;
reap:
	close(hold[1]);
	hold[1] = -1;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
out:
	close(ready[0]);
	if (hold[1] >= 0)
		close(hold[1]);
	return r;
}
