/* cgroup_v1.c: the cgroup v1 backend: one leaf ROOT/<controller>/airlock/<name> (airlock-runtime:
 * <parent>/<name>) per hierarchy joined (memory, pids, cpu as the limits need; freezer on request;
 * cpuacct whenever mounted, for accounting and the kill walk). */
#include "cgroup_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

struct v1_ctrl {
	unsigned bit;
	const char *dir;
};

/* cpuacct first: every group joins it (when mounted) first and leaves it last, which makes it the
 * hierarchy that teardown watches and the only one sweep needs to read. */
static const struct v1_ctrl v1_ctrls[] = {
    {AL_CG_CPUACCT, "cpuacct"}, {AL_CG_MEMORY, "memory"},   {AL_CG_PIDS, "pids"},
    {AL_CG_CPU, "cpu"},		{AL_CG_FREEZER, "freezer"},
};

static int v1_missing(const struct v1_ctrl *c, const char *root, struct al_cg_plan *plan, struct al_err *err)
{
	if (plan->required & c->bit)
		return al_err_set(err, ENOTSUP, "%s: cannot be enforced: no %s cgroup v1 hierarchy at %s/%s",
				  al_cg_limit_name(c->bit), c->dir, root, c->dir);
	al_cg_plan_drop(plan, c->bit); /* a defaulted limit, or cpuacct: optional */
	return 0;
}

/* ROOT/<ctrl>/<parent>, made on demand once the controller is known to be mounted there.
 * Returns an O_PATH fd, or -ENOENT when the hierarchy is absent, or -errno. */
static int v1_open_parent(struct al_cgroup *cg, const char *root, const struct v1_ctrl *c)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/%s", root, c->dir, cg->parent);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		snprintf(path, sizeof path, "%s/%s", root, c->dir);
		_cleanup_close_ int ctrlfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (ctrlfd < 0)
			return -errno;
		/* An empty mount point (controller not mounted) is a missing hierarchy, not a place to
		 * create directories in. */
		if (!al_cg_is_cgroupfs(ctrlfd)) {
			if (!al_cg_fake_allowed())
				return -ENOENT;
			cg->fake = true;
		}
		return al_cg_open_parent(cg, ctrlfd);
	}
	if (fd < 0)
		return -errno;
	if (!al_cg_is_cgroupfs(fd)) {
		if (!al_cg_fake_allowed()) {
			close(fd);
			return -ENOENT;
		}
		cg->fake = true;
	}
	return fd;
}

/* Join one hierarchy: share a leaf with a co-mounted controller (cpu,cpuacct), or make one. */
static int v1_join(struct al_cgroup *cg, const char *root, const struct v1_ctrl *c, struct stat *seen,
		   struct al_cg_plan *plan, struct al_err *err)
{
	int pfd = v1_open_parent(cg, root, c);
	struct stat st = {0};
	if (pfd == -ENOENT)
		return v1_missing(c, root, plan, err);
	if (pfd < 0)
		return al_err_sys(err, -pfd, "cgroup %s/%s/%s", root, c->dir, cg->parent);
	/* Only cpu and cpuacct are co-mounted in practice ("cpu,cpuacct"): compare those alone, and
	 * only when both are joined (cpuacct always is; cpu when --cpus is set). */
	if ((c->bit & (AL_CG_CPU | AL_CG_CPUACCT)) && (plan->want & AL_CG_CPU)) {
		if (fstat(pfd, &st) < 0) {
			int e = errno;
			close(pfd);
			return al_err_sys(err, e, "cgroup %s/%s/%s", root, c->dir, cg->parent);
		}
		for (size_t i = 0; i < cg->n_dirs; i++) {
			if ((cg->dirs[i].ctrls & (AL_CG_CPU | AL_CG_CPUACCT)) &&
			    seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
				cg->dirs[i].ctrls |= c->bit;
				close(pfd);
				return 0;
			}
		}
	}
	char ppath[4096];
	snprintf(ppath, sizeof ppath, "%s/%s/%s", root, c->dir, cg->parent);
	if (al_cg_make_leaf(cg, pfd, ppath, c->bit, err) < 0)
		return -1;
	seen[cg->n_dirs - 1] = st;
	return 0;
}

static int v1_create(struct al_cgroup *cg, const char *root, struct al_cg_plan *plan, struct al_err *err)
{
	struct stat seen[AL_CG_MAX_DIRS];
	cg->fake = false;
	cg->walk_kill = true;
	unsigned want = plan->want | AL_CG_CPUACCT;
	for (size_t i = 0; i < AL_ARRAY_SIZE(v1_ctrls); i++)
		if ((want & v1_ctrls[i].bit) && v1_join(cg, root, &v1_ctrls[i], seen, plan, err) < 0)
			return -1;
	return 0;
}

static const struct al_cg_dir *dir_of(const struct al_cgroup *cg, unsigned bit)
{
	for (size_t i = 0; i < cg->n_dirs; i++)
		if (cg->dirs[i].ctrls & bit)
			return &cg->dirs[i];
	return NULL;
}

/* memory+swap: docker's semantics on memory.memsw.limit_in_bytes. Without swap accounting (no memsw
 * files): the implicit default is skipped as docker does, "no swap" (memory_swap == memory) becomes
 * memory.swappiness=0 (the group's own limit reclaim then never swaps), more swap is an error. */
static int v1_set_swap(const struct al_cgroup *cg, const struct al_cg_dir *d, const struct al_cg_plan *plan,
		       struct al_err *err)
{
	char val[32];
	snprintf(val, sizeof val, "%lld", (long long)plan->memory_swap);
	int r = al_cg_write(cg, d->fd, "memory.memsw.limit_in_bytes", val);
	if (r == 0 || (r == -ENOENT && (plan->swap_defaulted || plan->memory_swap == -1)))
		return 0;
	if (r == -ENOENT && plan->memory_swap == plan->memory)
		return al_cg_write_limit(cg, d, "memory.swappiness", "0", "--memory-swap", err);
	if (r == -ENOENT)
		return al_err_set(err, ENOTSUP,
				  "--memory-swap: cannot be enforced: no swap accounting in %s "
				  "(memory.memsw.limit_in_bytes missing; boot with swapaccount=1)",
				  d->path);
	return al_err_sys(err, -r, "--memory-swap: cannot set %s/memory.memsw.limit_in_bytes to %s", d->path,
			  val);
}

static int v1_set_limits(struct al_cgroup *cg, const struct al_cg_plan *plan, struct al_err *err)
{
	const struct al_cg_dir *d;
	char val[32];
	if (plan->memory > 0 && (d = dir_of(cg, AL_CG_MEMORY))) {
		/* limit first: memsw must never be below it, and a new group's memsw is unlimited. */
		snprintf(val, sizeof val, "%lld", (long long)plan->memory);
		if (al_cg_write_limit(cg, d, "memory.limit_in_bytes", val, "--memory", err) < 0 ||
		    v1_set_swap(cg, d, plan, err) < 0)
			return -1;
	}
	if ((d = dir_of(cg, AL_CG_MEMORY))) {
		if (plan->memory_reservation > 0) {
			snprintf(val, sizeof val, "%lld", (long long)plan->memory_reservation);
			if (al_cg_write_limit(cg, d, "memory.soft_limit_in_bytes", val, "memory.reservation",
					      err) < 0)
				return -1;
		}
		if (plan->swappiness >= 0) {
			snprintf(val, sizeof val, "%d", plan->swappiness);
			if (al_cg_write_limit(cg, d, "memory.swappiness", val, "memory.swappiness", err) < 0)
				return -1;
		}
		if (plan->oom_kill_disable &&
		    al_cg_write_limit(cg, d, "memory.oom_control", "1", "memory.disableOOMKiller", err) < 0)
			return -1;
		if (plan->kernel_tcp > 0) {
			snprintf(val, sizeof val, "%lld", (long long)plan->kernel_tcp);
			if (al_cg_write_limit(cg, d, "memory.kmem.tcp.limit_in_bytes", val,
					      "memory.kernelTCP", err) < 0)
				return -1;
		}
	}
	if (plan->pids > 0 && (d = dir_of(cg, AL_CG_PIDS))) {
		snprintf(val, sizeof val, "%lld", (long long)plan->pids);
		if (al_cg_write_limit(cg, d, "pids.max", val, "--pids-limit", err) < 0)
			return -1;
	}
	/* cpu.cfs_period_us of a new group is always the kernel default, 100000: not rewritten. */
	if (plan->cpu_quota_us > 0 && (d = dir_of(cg, AL_CG_CPU))) {
		snprintf(val, sizeof val, "%lld", (long long)plan->cpu_quota_us);
		if (al_cg_write_limit(cg, d, "cpu.cfs_quota_us", val, "--cpus", err) < 0)
			return -1;
	}
	return 0;
}

static int v1_add_pid(struct al_cgroup *cg, pid_t pid, struct al_err *err)
{
	char val[16];
	snprintf(val, sizeof val, "%d", (int)pid);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		int r = al_cg_write(cg, cg->dirs[i].fd, "cgroup.procs", val);
		if (r < 0)
			return al_err_sys(err, -r, "cgroup %s: cannot add pid %d", cg->dirs[i].path,
					  (int)pid);
	}
	return 0;
}

static int v1_stats(struct al_cgroup *cg, struct al_cgroup_stats *st)
{
	const struct al_cg_dir *d;
	char buf[512];
	if ((d = dir_of(cg, AL_CG_MEMORY))) {
		if (al_cg_read(d->fd, "memory.oom_control", buf, sizeof buf) > 0)
			st->oom_killed = al_cg_keyed_u64(buf, "oom_kill") > 0;
		st->memory_peak = al_cg_read_u64(d->fd, "memory.max_usage_in_bytes");
	}
	if ((d = dir_of(cg, AL_CG_PIDS)) && al_cg_read(d->fd, "pids.events", buf, sizeof buf) > 0)
		st->pids_max_hit = al_cg_keyed_u64(buf, "max") > 0;
	if ((d = dir_of(cg, AL_CG_CPUACCT)))
		st->cpu_usage_ns = al_cg_read_u64(d->fd, "cpuacct.usage");
	return 0;
}

/* Every hierarchy holds every process of the sandbox: walking one is enough. */
static int v1_kill(struct al_cgroup *cg)
{
	int n = al_cg_kill_walk(cg, cg->dirs[0].fd);
	return n < 0 ? n : 0;
}

struct v1_sweep {
	const char *root;
	int fds[AL_ARRAY_SIZE(v1_ctrls)]; /* ROOT/<ctrl>/airlock, opened on the first leftover */
	bool opened;
};

/* A leftover found in cpuacct: remove its leaves in the other hierarchies first. */
static bool v1_sweep_secondaries(const char *name, void *ctx)
{
	struct v1_sweep *sw = ctx;
	if (!sw->opened) {
		sw->opened = true;
		for (size_t i = 1; i < AL_ARRAY_SIZE(v1_ctrls); i++) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%s/airlock", sw->root, v1_ctrls[i].dir);
			sw->fds[i] = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
	}
	for (size_t i = 1; i < AL_ARRAY_SIZE(v1_ctrls); i++)
		if (sw->fds[i] >= 0 && unlinkat(sw->fds[i], name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			return false;
	return true;
}

/* Every group joins cpuacct first and leaves it last, so when cpuacct is mounted one readdir of
 * cpuacct/airlock finds every leftover. Without it, each hierarchy is read. */
static void v1_sweep(const char *root)
{
	struct v1_sweep sw = {.root = root};
	for (size_t i = 0; i < AL_ARRAY_SIZE(sw.fds); i++)
		sw.fds[i] = -1;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s/airlock", root, v1_ctrls[0].dir);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		al_cg_sweep_dir(fd, v1_sweep_secondaries, &sw);
		for (size_t i = 1; i < AL_ARRAY_SIZE(v1_ctrls); i++)
			if (sw.fds[i] >= 0)
				close(sw.fds[i]);
		return;
	}
	for (size_t i = 1; i < AL_ARRAY_SIZE(v1_ctrls); i++) {
		snprintf(path, sizeof path, "%s/%s/airlock", root, v1_ctrls[i].dir);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			al_cg_sweep_dir(fd, NULL, NULL); /* co-mounted cpu,cpuacct is simply seen twice */
	}
}

static int v1_open(struct al_cgroup *cg, const char *root, struct al_err *err)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(v1_ctrls); i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s/%s", root, v1_ctrls[i].dir, cg->parent);
		if (al_cg_open_leaf(cg, path, v1_ctrls[i].bit, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_freeze(struct al_cgroup *cg, bool frozen, struct al_err *err)
{
	const struct al_cg_dir *d = dir_of(cg, AL_CG_FREEZER);
	if (!d)
		return al_err_set(err, ENOTSUP, "%s: the container's cgroup has no freezer",
				  frozen ? "pause" : "resume");
	const char *want = frozen ? "FROZEN" : "THAWED";
	return al_cg_write_and_wait(cg, d, "freezer.state", want, "freezer.state", want, err);
}

static bool v1_frozen(struct al_cgroup *cg)
{
	const struct al_cg_dir *d = dir_of(cg, AL_CG_FREEZER);
	char buf[64];
	return d && al_cg_read(d->fd, "freezer.state", buf, sizeof buf) > 0 && strncmp(buf, "FROZEN", 6) == 0;
}

const struct al_cgroup_backend al_cg_v1_backend = {
    .name = "cgroup v1",
    .create = v1_create,
    .set_limits = v1_set_limits,
    .add_pid = v1_add_pid,
    .stats = v1_stats,
    .kill = v1_kill,
    .destroy = al_cg_remove_dirs,
    .sweep = v1_sweep,
    .open = v1_open,
    .freeze = v1_freeze,
    .frozen = v1_frozen,
};
