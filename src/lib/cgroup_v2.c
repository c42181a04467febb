/* cgroup_v2.c: the cgroup v2 backend: one leaf BASE/airlock/<name> (airlock-runtime: <parent>/<name>), BASE
 * being the root (as root) or a delegated group of the caller (rootless); controllers enabled on the way down
 * as the limits need. */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

struct v2_ctrl {
	unsigned bit;
	const char *name;
};

static const struct v2_ctrl v2_ctrls[] = {
    {AL_CG_MEMORY, "memory"},
    {AL_CG_PIDS, "pids"},
    {AL_CG_CPU, "cpu"},
};

/* Controllers that are not offered by dirfd (its cgroup.controllers): an error when required,
 * dropped from the plan when defaulted. Returns the bits still missing, or -1. */
static int check_available(int dirfd, const char *path, unsigned missing, struct al_cg_plan *plan,
			   struct al_err *err)
{
	char avail[512];
	if (al_cg_read(dirfd, "cgroup.controllers", avail, sizeof avail) < 0)
		avail[0] = '\0';
	for (size_t i = 0; i < AL_ARRAY_SIZE(v2_ctrls); i++) {
		const struct v2_ctrl *c = &v2_ctrls[i];
		if (!(missing & c->bit) || al_cg_has_word(avail, c->name))
			continue;
		if (plan->required & c->bit)
			return al_err_set(err, ENOTSUP,
					  "%s: cannot be enforced: %s controller not available in %s",
					  al_cg_limit_name(c->bit), c->name, path);
		al_cg_plan_drop(plan, c->bit);
		missing &= ~c->bit;
	}
	return (int)missing;
}

/* Make sure dirfd's children get the controllers the plan needs: read cgroup.subtree_control, write
 * only the missing ones (a delegated parent may have them on without letting us write). */
static int enable_controllers(const struct al_cgroup *cg, int dirfd, const char *path, bool check,
			      struct al_cg_plan *plan, struct al_err *err)
{
	char cur[512], add[64] = "";
	ssize_t n = al_cg_read(dirfd, "cgroup.subtree_control", cur, sizeof cur);
	if (n == -ENOENT && cg->fake)
		cur[0] = '\0';
	else if (n < 0)
		return al_err_sys(err, (int)-n, "cgroup %s/cgroup.subtree_control", path);
	unsigned missing = 0;
	for (size_t i = 0; i < AL_ARRAY_SIZE(v2_ctrls); i++)
		if ((plan->want & v2_ctrls[i].bit) && !al_cg_has_word(cur, v2_ctrls[i].name))
			missing |= v2_ctrls[i].bit;
	if (missing && check) {
		int m = check_available(dirfd, path, missing, plan, err);
		if (m < 0)
			return -1;
		missing = (unsigned)m;
	}
	if (!missing)
		return 0;
	for (size_t i = 0; i < AL_ARRAY_SIZE(v2_ctrls); i++)
		if (missing & v2_ctrls[i].bit)
			snprintf(add + strlen(add), sizeof add - strlen(add), "%s+%s", add[0] ? " " : "",
				 v2_ctrls[i].name);
	int r = al_cg_write(cg, dirfd, "cgroup.subtree_control", add);
	if (r < 0) /* EBUSY: the group has processes of its own ("no internal processes") */
		return al_err_sys(err, -r, "cgroup %s: cannot write \"%s\" to cgroup.subtree_control", path,
				  add);
	return 0;
}

static int v2_create(struct al_cgroup *cg, const char *base, struct al_cg_plan *plan, struct al_err *err)
{
	_cleanup_close_ int basefd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (basefd < 0)
		return al_err_sys(err, errno, "cgroup %s", base);
	cg->fake = !al_cg_is_cgroupfs(basefd);
	cg->walk_kill = false;
	if (cg->fake && !al_cg_fake_allowed())
		return al_err_set(err, ENOTSUP, "cgroup %s: not a cgroup filesystem", base);
	if (enable_controllers(cg, basefd, base, true, plan, err) < 0)
		return -1;
	/* down the parent's components, each handing the controllers on to the next */
	_cleanup_free_ char *copy = al_xstrdup(cg->parent);
	char *ppath = al_xstrdup(base), *save = NULL;
	int pfd = -1;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = al_cg_open_child(pfd >= 0 ? pfd : basefd, c);
		char *longer = al_xasprintf("%s/%s", ppath, c);
		free(ppath);
		ppath = longer;
		if (pfd >= 0)
			close(pfd);
		pfd = next;
		if (pfd < 0 || enable_controllers(cg, pfd, ppath, false, plan, err) < 0) {
			if (pfd < 0)
				al_err_sys(err, -pfd, "cgroup %s", ppath);
			else
				close(pfd);
			free(ppath);
			return -1;
		}
	}
	if (pfd < 0 && (pfd = openat(basefd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) { /* parent "" */
		free(ppath);
		return al_err_sys(err, errno, "cgroup %s", base);
	}
	int r = al_cg_make_leaf(cg, pfd, ppath, plan->want, err);
	free(ppath);
	return r;
}

/* memory.swap.max is swap alone: docker's memory+swap minus memory. Without the file the kernel has
 * no swap (CONFIG_SWAP off): "no swap" holds by itself; more than none was asked and cannot be kept
 * to its bound only if swap exists, so it is an error as on v1. */
static int v2_set_memory(const struct al_cgroup *cg, const struct al_cg_dir *d, const struct al_cg_plan *plan,
			 struct al_err *err)
{
	char val[32];
	snprintf(val, sizeof val, "%lld", (long long)plan->memory);
	if (al_cg_write_limit(cg, d, "memory.max", val, "--memory", err) < 0)
		return -1;
	if (plan->memory_swap == -1)
		snprintf(val, sizeof val, "max");
	else
		snprintf(val, sizeof val, "%lld", (long long)(plan->memory_swap - plan->memory));
	int r = al_cg_write(cg, d->fd, "memory.swap.max", val);
	if (r == -ENOENT && !plan->swap_defaulted && plan->memory_swap > plan->memory)
		return al_err_set(err, ENOTSUP, "--memory-swap: cannot be enforced: no swap accounting in %s",
				  d->path);
	if (r < 0 && r != -ENOENT)
		return al_err_sys(err, -r, "--memory-swap: cannot set %s/memory.swap.max to %s", d->path,
				  val);
	/* An OOM kills the whole sandbox, not one process of it (kernels before 4.19 lack the file). */
	r = al_cg_write(cg, d->fd, "memory.oom.group", "1");
	if (r < 0 && r != -ENOENT)
		return al_err_sys(err, -r, "--memory: cannot set %s/memory.oom.group to 1", d->path);
	return 0;
}

static int v2_set_limits(struct al_cgroup *cg, const struct al_cg_plan *plan, struct al_err *err)
{
	const struct al_cg_dir *d = &cg->dirs[0];
	char val[48];
	if (plan->memory > 0 && v2_set_memory(cg, d, plan, err) < 0)
		return -1;
	if (plan->memory_reservation > 0) { /* swappiness and the OOM switch have no v2 file */
		snprintf(val, sizeof val, "%lld", (long long)plan->memory_reservation);
		if (al_cg_write_limit(cg, d, "memory.low", val, "memory.reservation", err) < 0)
			return -1;
	}
	if (plan->pids > 0) {
		snprintf(val, sizeof val, "%lld", (long long)plan->pids);
		if (al_cg_write_limit(cg, d, "pids.max", val, "--pids-limit", err) < 0)
			return -1;
	}
	if (plan->cpu_quota_us > 0) {
		snprintf(val, sizeof val, "%lld %d", (long long)plan->cpu_quota_us, AL_CG_CPU_PERIOD_US);
		if (al_cg_write_limit(cg, d, "cpu.max", val, "--cpus", err) < 0)
			return -1;
	}
	return 0;
}

static int v2_add_pid(struct al_cgroup *cg, pid_t pid, struct al_err *err)
{
	char val[16];
	snprintf(val, sizeof val, "%d", (int)pid);
	int r = al_cg_write(cg, cg->dirs[0].fd, "cgroup.procs", val);
	if (r < 0)
		return al_err_sys(err, -r, "cgroup %s: cannot add pid %d", cg->dirs[0].path, (int)pid);
	return 0;
}

static int v2_stats(struct al_cgroup *cg, struct al_cgroup_stats *st)
{
	int fd = cg->dirs[0].fd;
	char buf[1024];
	if (al_cg_read(fd, "memory.events", buf, sizeof buf) > 0)
		st->oom_killed = al_cg_keyed_u64(buf, "oom_kill") > 0;
	if (al_cg_read(fd, "pids.events", buf, sizeof buf) > 0)
		st->pids_max_hit = al_cg_keyed_u64(buf, "max") > 0;
	if (al_cg_read(fd, "cpu.stat", buf, sizeof buf) > 0)
		st->cpu_usage_ns = al_cg_keyed_u64(buf, "usage_usec") * 1000;
	st->memory_peak = al_cg_read_u64(fd, "memory.peak");
	return 0;
}

/* cgroup.kill (5.14+) kills atomically, forks included; older kernels fall back to the walk. */
static int v2_kill(struct al_cgroup *cg)
{
	int r = al_cg_write(cg, cg->dirs[0].fd, "cgroup.kill", "1");
	if (r == -ENOENT || r == -EINVAL) {
		cg->walk_kill = true;
		r = al_cg_kill_walk(cg, cg->dirs[0].fd);
	}
	return r < 0 ? r : 0;
}

static void v2_sweep(const char *base)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/airlock", base);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		al_cg_sweep_dir(fd, NULL, NULL);
}

static int v2_open(struct al_cgroup *cg, const char *root, struct al_err *err)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", root, cg->parent);
	return al_cg_open_leaf(cg, path, AL_CG_MEMORY | AL_CG_PIDS | AL_CG_CPU, err) < 0 ? -1 : 0;
}

/* cgroup.freeze (5.2+); cgroup.events says "frozen 1" once every process is stopped. */
static int v2_freeze(struct al_cgroup *cg, bool frozen, struct al_err *err)
{
	return al_cg_write_and_wait(cg, &cg->dirs[0], "cgroup.freeze", frozen ? "1" : "0", "cgroup.events",
				    frozen ? "frozen 1" : "frozen 0", err);
}

static bool v2_frozen(struct al_cgroup *cg)
{
	char buf[256];
	return al_cg_read(cg->dirs[0].fd, "cgroup.events", buf, sizeof buf) > 0 && strstr(buf, "frozen 1");
}

const struct al_cgroup_backend al_cg_v2_backend = {
    .name = "cgroup v2",
    .create = v2_create,
    .set_limits = v2_set_limits,
    .add_pid = v2_add_pid,
    .stats = v2_stats,
    .kill = v2_kill,
    .destroy = al_cg_remove_dirs,
    .sweep = v2_sweep,
    .open = v2_open,
    .freeze = v2_freeze,
    .frozen = v2_frozen,
};
