/* devices.c: /dev (bind-mounted host nodes on a private tmpfs, devpts, shm), /proc and /sys.
 * Masks follow the OCI runtime-spec defaults so a sandbox sees what a docker container sees. */
#include "devices.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static const char *const dev_nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};

static const struct {
	const char *link, *target;
} dev_links[] = {
    {"dev/fd", "/proc/self/fd"},       {"dev/stdin", "/proc/self/fd/0"}, {"dev/stdout", "/proc/self/fd/1"},
    {"dev/stderr", "/proc/self/fd/2"}, {"dev/ptmx", "pts/ptmx"},
};

/* OCI defaults: unreadable kernel state. Files are covered by /dev/null, directories by an empty
 * read-only tmpfs. */
static const char *const masked_paths[] = {
    "proc/acpi",	"proc/asound",	      "proc/interrupts", "proc/kcore",
    "proc/keys",	"proc/latency_stats", "proc/timer_list", "proc/timer_stats",
    "proc/sched_debug", "proc/scsi",	      "sys/firmware",	 "sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {"proc/bus", "proc/fs", "proc/irq", "proc/sys",
					     "proc/sysrq-trigger"};

static int mount_dev(struct al_err *err)
{
	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k,nr_inodes=64") < 0)
		return al_err_sys(err, errno, "mount /dev");
	for (size_t i = 0; i < AL_ARRAY_SIZE(dev_nodes); i++) {
		char src[32], dst[32];
		snprintf(src, sizeof src, "/dev/%s", dev_nodes[i]);
		snprintf(dst, sizeof dst, "dev/%s", dev_nodes[i]);
		int f = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			return al_err_sys(err, errno, "create %s", src);
		close(f);
		if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
			return al_err_sys(err, errno, "bind %s", src);
	}
	for (size_t i = 0; i < AL_ARRAY_SIZE(dev_links); i++)
		if (symlink(dev_links[i].target, dev_links[i].link) < 0)
			return al_err_sys(err, errno, "symlink /%s", dev_links[i].link);
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 01777) < 0)
		return al_err_sys(err, errno, "mkdir /dev/pts, /dev/shm");
	if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620") < 0)
		return al_err_sys(err, errno, "mount /dev/pts");
	if (mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=67108864") < 0)
		return al_err_sys(err, errno, "mount /dev/shm");
	return 0;
}

static int mask_path(const char *path, struct al_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : al_err_sys(err, errno, "mask /%s", path);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0,mode=0555") < 0)
			return al_err_sys(err, errno, "mask /%s", path);
		return 0;
	}
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return al_err_sys(err, errno, "mask /%s", path);
	return 0;
}

static int readonly_path(const char *path, struct al_err *err)
{
	if (access(path, F_OK) < 0)
		return 0;
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0)
		return al_err_sys(err, errno, "read-only /%s", path);
	return 0;
}

static int mount_sys(bool host_net, struct al_err *err)
{
	unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (!host_net) {
		if (mount("sysfs", "sys", "sysfs", ro, NULL) < 0)
			return al_err_sys(err, errno, "mount /sys");
		return 0;
	}
	/* Without our own network namespace the kernel refuses a fresh sysfs: bind the host's. */
	if (mount("/sys", "sys", NULL, MS_BIND | MS_REC, NULL) < 0 ||
	    mount(NULL, "sys", NULL, MS_BIND | MS_REMOUNT | ro, NULL) < 0)
		return al_err_sys(err, errno, "bind /sys");
	return 0;
}

/* POSIX message queues of the sandbox's own ipc namespace (mqueue may be mounted in a user namespace). */
static int mount_mqueue(struct al_err *err)
{
	if (mkdir("dev/mqueue", 0755) < 0 ||
	    mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return al_err_sys(err, errno, "mount /dev/mqueue");
	return 0;
}

int al_kernfs_mount(const struct al_spec *spec, struct al_err *err)
{
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return al_err_sys(err, errno, "mount /proc");
	if (mount_dev(err) < 0 || (spec->mqueue && mount_mqueue(err) < 0) ||
	    mount_sys(spec->network == AL_NET_HOST, err) < 0)
		return -1;
	for (size_t i = 0; i < AL_ARRAY_SIZE(masked_paths); i++)
		if (mask_path(masked_paths[i], err) < 0)
			return -1;
	for (size_t i = 0; i < AL_ARRAY_SIZE(readonly_paths); i++)
		if (readonly_path(readonly_paths[i], err) < 0)
			return -1;
	return 0;
}

int al_dev_seal(struct al_err *err)
{
	if (mount(NULL, "dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) < 0)
		return al_err_sys(err, errno, "seal /dev");
	return 0;
}

int al_path_rules_apply(const struct al_spec *spec, struct al_err *err)
{
	/* the built-in helpers take paths relative to the cwd, which is "/" here */
	for (size_t i = 0; i < spec->n_masked_paths; i++)
		if (spec->masked_paths[i][0] == '/' && mask_path(spec->masked_paths[i] + 1, err) < 0)
			return -1;
	for (size_t i = 0; i < spec->n_readonly_paths; i++)
		if (spec->readonly_paths[i][0] == '/' && readonly_path(spec->readonly_paths[i] + 1, err) < 0)
			return -1;
	if (spec->root_propagation && mount(NULL, "/", NULL, spec->root_propagation, NULL) < 0)
		return al_err_sys(err, errno, "root propagation 0x%lx", spec->root_propagation);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct al_mount *m = &spec->mounts[i];
		if (m->propagation && mount(NULL, m->target, NULL, m->propagation, NULL) < 0)
			return al_err_sys(err, errno, "%s: propagation 0x%lx", m->target, m->propagation);
	}
	return 0;
}
