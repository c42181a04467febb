/* test_oci_config.c: unit tests of oci_config.c: the config.json that runc spec, docker and podman write
 * become the spec and extra they ask for, and each malformed document fails with a message naming its place.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "oci_config.h"
#include "parse.h"
#include "spec.h"
#include "util.h"

static struct al_err err;
static char tmp[256];

/* ---- bundles ------------------------------------------------------------------------------------ */

/* The fixtures are written with ' for JSON's " (none has an apostrophe), and ROOTFS stands for
 * an absolute rootfs the test made. */
static char *fixture_text(const char *fixture, const char *rootfs)
{
	size_t extra = rootfs ? strlen(rootfs) : 0;
	char *out = al_xcalloc(1, strlen(fixture) * (extra + 1) + 1), *o = out;
	for (const char *p = fixture; *p; p++) {
		if (rootfs && strncmp(p, "ROOTFS", 6) == 0) {
			o = stpcpy(o, rootfs);
			p += 5;
		} else {
			*o++ = *p == '\'' ? '"' : *p;
		}
	}
	return out;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || al_write_all(fd, text, strlen(text)) < 0) {
		perror(path);
		exit(1);
	}
	close(fd);
}

/* tmp/NAME with rootfs/ (and tmp/NAME-root/ for fixtures that name an absolute ROOTFS) and, when text is
 * not NULL, config.json. Returns the bundle's path (static). */
static const char *bundle(const char *name, const char *text)
{
	static char dir[512];
	char path[600];
	snprintf(dir, sizeof dir, "%s/%s", tmp, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof path, "%s/rootfs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s-root", dir);
	mkdir(path, 0755);
	if (text) {
		_cleanup_free_ char *json = fixture_text(text, path);
		snprintf(path, sizeof path, "%s/config.json", dir);
		write_file(path, json);
	}
	return dir;
}

static int load(const char *dir, struct al_spec *spec, struct al_oci_extra *x)
{
	al_spec_init(spec);
	err.msg[0] = '\0';
	int r = al_oci_load(dir, spec, x, &err);
	if (r < 0)
		fprintf(stderr, "  (load %s: %s)\n", dir, err.msg);
	return r;
}

static void unload(struct al_spec *spec, struct al_oci_extra *x)
{
	al_spec_free(spec);
	al_oci_extra_free(x);
}

static uint64_t caps_of(const char *const *names)
{
	uint64_t bits = 0;
	for (; *names; names++) {
		int cap = -1;
		if (al_parse_cap(*names, &cap, &err) == 0 && cap >= 0)
			bits |= 1ULL << cap;
	}
	return bits;
}

static bool has(char **v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

static const struct al_oci_mount_options *unapplied(const struct al_oci_extra *x, size_t mount)
{
	for (size_t i = 0; i < x->n_mount_options; i++)
		if (x->mount_options[i].mount == mount)
			return &x->mount_options[i];
	return NULL;
}

static const struct al_oci_kernel_mount *kernel_mount(const struct al_oci_extra *x, const char *dest)
{
	for (size_t i = 0; i < x->n_kernel_mounts; i++)
		if (strcmp(x->kernel_mounts[i].destination, dest) == 0)
			return &x->kernel_mounts[i];
	return NULL;
}

static const char *rootfs_of(const char *dir, const char *rel)
{
	static char path[PATH_MAX], joined[PATH_MAX + 600];
	snprintf(joined, sizeof joined, "%s/%s", dir, rel);
	return realpath(joined, path) ? path : "(unresolved)";
}

/* ---- runc spec ---------------------------------------------------------------------------------- */

/* What `runc spec` (1.1) writes. */
static const char runc_spec[] =
    "{'ociVersion': '1.0.2-dev',"
    "'process': {'terminal': true, 'user': {'uid': 0, 'gid': 0}, 'args': ['sh'],"
    " 'env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', "
    "'TERM=xterm'],"
    " 'cwd': '/',"
    " 'capabilities': {"
    "  'bounding': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "  'effective': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "  'permitted': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "  'ambient': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']},"
    " 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}],"
    " 'noNewPrivileges': true},"
    "'root': {'path': 'rootfs', 'readonly': true},"
    "'hostname': 'runc',"
    "'mounts': ["
    " {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    " {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
    "  'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},"
    " {'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',"
    "  'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', "
    "'gid=5']},"
    " {'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm',"
    "  'options': ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},"
    " {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue',"
    "  'options': ['nosuid', 'noexec', 'nodev']},"
    " {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs',"
    "  'options': ['nosuid', 'noexec', 'nodev', 'ro']},"
    " {'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',"
    "  'options': ['nosuid', 'noexec', 'nodev', 'relatime', 'ro']}],"
    "'linux': {"
    " 'resources': {'devices': [{'allow': false, 'access': 'rwm'}]},"
    " 'namespaces': [{'type': 'pid'}, {'type': 'network'}, {'type': 'ipc'}, {'type': "
    "'uts'}, {'type': 'mount'}],"
    " 'maskedPaths': ['/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', "
    "'/proc/latency_stats',"
    "  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', "
    "'/proc/scsi'],"
    " 'readonlyPaths': ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', "
    "'/proc/sysrq-trigger']}}";

static void test_runc_spec(void)
{
	struct al_spec spec;
	struct al_oci_extra x;
	const char *dir = bundle("runc", runc_spec);
	CHECK_OK(load(dir, &spec, &x), &err);

	CHECK_INT(spec.argc, 1);
	CHECK_STR(spec.argv[0], "sh");
	CHECK_INT(spec.n_env, 2);
	CHECK_STR(spec.env[1], "TERM=xterm");
	CHECK_STR(spec.env[2], NULL);
	CHECK_STR(spec.workdir, "/");
	CHECK(spec.user_given && spec.uid == 0 && spec.gid == 0);
	CHECK_INT(spec.n_rlimits, 1);
	CHECK(spec.rlimits[0].resource == RLIMIT_NOFILE && spec.rlimits[0].soft == 1024 &&
	      spec.rlimits[0].hard == 1024);
	CHECK(spec.caps_keep ==
	      caps_of((const char *const[]){"AUDIT_WRITE", "KILL", "NET_BIND_SERVICE", NULL}));
	CHECK(x.capabilities_given && x.caps[AL_OCI_CAP_AMBIENT] == spec.caps_keep);
	CHECK(x.caps[AL_OCI_CAP_INHERITABLE] == 0);
	CHECK_STR(spec.rootfs, rootfs_of(dir, "rootfs"));
	CHECK_STR(x.root_path, "rootfs");
	CHECK(spec.read_only);
	CHECK_STR(spec.hostname, "runc");
	CHECK_INT(spec.network, AL_NET_NONE);
	CHECK(spec.landlock);

	/* every mount is one airlock makes itself */
	CHECK_INT(spec.n_mounts, 0);
	CHECK_INT(x.n_kernel_mounts, 7);
	const struct al_oci_kernel_mount *pts = kernel_mount(&x, "/dev/pts");
	CHECK(pts && strcmp(pts->type, "devpts") == 0 && pts->n_options == 6 &&
	      has(pts->options, "newinstance"));
	const struct al_oci_kernel_mount *shm = kernel_mount(&x, "/dev/shm");
	CHECK(shm && strcmp(shm->type, "tmpfs") == 0 && has(shm->options, "size=65536k"));
	CHECK(kernel_mount(&x, "/proc") && kernel_mount(&x, "/proc")->options == NULL);

	CHECK_STR(x.oci_version, "1.0.2-dev");
	CHECK(x.terminal && x.no_new_privileges);
	CHECK(x.ns[AL_OCI_NS_PID].listed && x.ns[AL_OCI_NS_NETWORK].listed && !x.ns[AL_OCI_NS_NETWORK].path);
	CHECK(!x.ns[AL_OCI_NS_USER].listed && !x.ns[AL_OCI_NS_CGROUP].listed);
	CHECK_INT(x.n_masked_paths, 10);
	CHECK_INT(x.n_readonly_paths, 5);
	CHECK_STR(x.readonly_paths[4], "/proc/sysrq-trigger");
	CHECK(x.resources_unmapped && json_object_size(x.resources_unmapped) == 1 &&
	      json_is_array(json_object_get(x.resources_unmapped, "devices")));
	CHECK(x.seccomp == NULL);
	CHECK_INT(x.n_unread_keys, 0);
	CHECK_INT(x.n_annotations, 0);
	CHECK(x.airlock.landlock && x.airlock.seccomp_baseline && x.airlock.close_fds &&
	      x.airlock.new_session);
	unload(&spec, &x);
}

/* What `runc spec --rootless` changes: no network namespace, a user namespace with one mapping, the
 * host's /sys bound instead of sysfs, no cgroup device rules. */
static void test_runc_spec_rootless(void)
{
	struct al_spec spec;
	struct al_oci_extra x;
	_cleanup_free_ char *base = fixture_text(runc_spec, NULL);
	json_t *doc = json_loads(base, 0, NULL), *lx = json_object_get(doc, "linux");
	json_t *mounts = json_object_get(doc, "mounts");
	json_array_set_new(mounts, 5,
			   json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}", "destination", "/sys", "type", "none",
				     "source", "/sys", "options", "rbind", "nosuid", "noexec", "nodev",
				     "ro"));
	json_object_del(lx, "resources");
	json_object_set_new(lx, "uidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 1000, "size", 1));
	json_object_set_new(lx, "gidMappings",
			    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID", 1000, "size", 1));
	json_object_set_new(lx, "namespaces",
			    json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "ipc",
				      "type", "uts", "type", "mount", "type", "user"));
	_cleanup_free_ char *text = json_dumps(doc, 0);
	json_decref(doc);

	CHECK_OK(load(bundle("rootless", text), &spec, &x), &err);
	CHECK_INT(spec.network, AL_NET_HOST);
	CHECK(x.ns[AL_OCI_NS_USER].listed && !x.ns[AL_OCI_NS_NETWORK].listed);
	CHECK(x.uid_mappings.n == 1 && x.uid_mappings.v[0].host_id == 1000 && x.uid_mappings.v[0].size == 1);
	CHECK(x.gid_mappings.n == 1 && x.gid_mappings.v[0].container_id == 0);
	CHECK_INT(spec.n_mounts, 0);
	CHECK_INT(x.n_kernel_mounts, 7);
	const struct al_oci_kernel_mount *sys = kernel_mount(&x, "/sys");
	CHECK(sys && strcmp(sys->type, "none") == 0 && strcmp(sys->source, "/sys") == 0 &&
	      has(sys->options, "rbind"));
	CHECK(x.resources_unmapped == NULL);
	unload(&spec, &x);
}

/* ---- docker ------------------------------------------------------------------------------------- */

/* As dockerd (moby 28) writes it for
 *   docker run -u 1000:1000 --group-add 27 -w /src -v /home/dev/project:/src:ro -v cache:/cache
 *     --tmpfs /tmp:size=64m,mode=1777 --memory 512m --cpus 1.5 --cpu-shares 512 --pids-limit 100
 *     --cap-drop NET_RAW --cap-add NET_ADMIN --security-opt no-new-privileges --ulimit core=-1
 *     --sysctl ... --blkio-weight 500 --label run.airlock.landlock=false ubuntu make test
 * with its seccomp profile cut to one rule. */
static const char docker_config[] =
    "{'ociVersion': '1.2.0',"
    "'process': {"
    " 'user': {'uid': 1000, 'gid': 1000, 'additionalGids': [1000, 27]},"
    " 'args': ['/bin/sh', '-c', 'make test'],"
    " 'env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=4f1b2c3d4e5f'],"
    " 'cwd': '/src',"
    " 'capabilities': {"
    "  'bounding': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_SETGID',"
    "   'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',"
    "   'CAP_AUDIT_WRITE', 'CAP_NET_ADMIN'],"
    "  'effective': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_SETGID',"
    "   'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',"
    "   'CAP_AUDIT_WRITE', 'CAP_NET_ADMIN'],"
    "  'permitted': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_SETGID',"
    "   'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',"
    "   'CAP_AUDIT_WRITE', 'CAP_NET_ADMIN']},"
    " 'apparmorProfile': 'docker-default',"
    " 'oomScoreAdj': 0,"
    " 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1048576, 'soft': 1048576},"
    "  {'type': 'RLIMIT_CORE', 'hard': 18446744073709551615, 'soft': 18446744073709551615}],"
    " 'noNewPrivileges': true},"
    "'root': {'path': 'ROOTFS'},"
    "'hostname': '4f1b2c3d4e5f',"
    "'mounts': ["
    " {'destination': '/proc', 'type': 'proc', 'source': 'proc', 'options': ['nosuid', 'noexec', 'nodev']},"
    " {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
    "  'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},"
    " {'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',"
    "  'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},"
    " {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'noexec', 'nodev', "
    "'ro']},"
    " {'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',"
    "  'options': ['ro', 'nosuid', 'noexec', 'nodev']},"
    " {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue', 'options': ['nosuid', 'noexec', "
    "'nodev']},"
    " {'destination': '/dev/shm', 'type': 'bind', 'source': '/var/lib/docker/containers/4f1b/mounts/shm',"
    "  'options': ['rbind', 'nosuid', 'noexec', 'nodev']},"
    " {'destination': '/etc/resolv.conf', 'type': 'bind', 'source': "
    "'/var/lib/docker/containers/4f1b/resolv.conf',"
    "  'options': ['rbind', 'rprivate']},"
    " {'destination': '/etc/hostname', 'type': 'bind', 'source': '/var/lib/docker/containers/4f1b/hostname',"
    "  'options': ['rbind', 'rprivate']},"
    " {'destination': '/etc/hosts', 'type': 'bind', 'source': '/var/lib/docker/containers/4f1b/hosts',"
    "  'options': ['rbind', 'rprivate']},"
    " {'destination': '/src', 'type': 'bind', 'source': '/home/dev/project', 'options': ['rbind', 'ro', "
    "'rprivate']},"
    " {'destination': '/cache', 'type': 'bind', 'source': '/var/lib/docker/volumes/cache/_data',"
    "  'options': ['rbind', 'rprivate']},"
    " {'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs',"
    "  'options': ['noexec', 'nosuid', 'nodev', 'size=67108864', 'mode=1777']}],"
    "'hooks': {"
    " 'prestart': [{'path': '/usr/bin/dockerd',"
    "  'args': ['libnetwork-setkey', '-exec-root=/var/run/docker', '4f1b', '7e8d']}],"
    " 'poststop': [{'path': '/usr/local/bin/cleanup', 'env': ['A=1'], 'timeout': 5}]},"
    "'linux': {"
    " 'sysctl': {'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647'},"
    " 'resources': {"
    "  'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, "
    "'access': 'rwm'}],"
    "  'memory': {'limit': 536870912, 'swap': 1073741824},"
    "  'cpu': {'shares': 512, 'quota': 150000, 'period': 100000},"
    "  'pids': {'limit': 100},"
    "  'blockIO': {'weight': 500}},"
    " 'cgroupsPath': 'system.slice:docker:4f1b',"
    " 'namespaces': [{'type': 'mount'}, {'type': 'network', 'path': '/var/run/docker/netns/1a2b3c4d'},"
    "  {'type': 'uts'}, {'type': 'pid'}, {'type': 'ipc'}, {'type': 'cgroup'}],"
    " 'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,"
    "  'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
    "  'syscalls': [{'names': ['accept', 'read', 'write'], 'action': 'SCMP_ACT_ALLOW'}]},"
    " 'maskedPaths': ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats',"
    "  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', "
    "'/sys/devices/virtual/powercap'],"
    " 'readonlyPaths': ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']},"
    "'annotations': {'org.opencontainers.image.ref.name': 'ubuntu', 'run.airlock.landlock': 'false'}}";

static void check_docker_mounts(const struct al_spec *spec, const struct al_oci_extra *x)
{
	CHECK_INT(spec->n_mounts, 7);
	CHECK_INT(x->n_kernel_mounts, 6);
	CHECK(kernel_mount(x, "/sys/fs/cgroup") &&
	      strcmp(kernel_mount(x, "/sys/fs/cgroup")->type, "cgroup") == 0);
	CHECK(!kernel_mount(x, "/dev/shm")); /* docker's own shm, bound: a spec mount */
	const struct al_mount *shm = &spec->mounts[0], *src = &spec->mounts[4], *cache = &spec->mounts[5];
	const struct al_mount *tmpfs = &spec->mounts[6];
	CHECK(shm->kind == AL_MOUNT_BIND && !shm->readonly);
	CHECK_STR(shm->target, "/dev/shm");
	CHECK_STR(shm->source, "/var/lib/docker/containers/4f1b/mounts/shm");
	CHECK_STR(spec->mounts[1].target, "/etc/resolv.conf");
	CHECK(src->readonly && !src->is_named);
	CHECK_STR(src->source, "/home/dev/project");
	CHECK_STR(src->options, "rbind,ro,rprivate");
	CHECK(!cache->readonly);
	CHECK(tmpfs->kind == AL_MOUNT_TMPFS && tmpfs->size == 64 << 20 && tmpfs->has_mode &&
	      tmpfs->mode == 01777);
	CHECK_STR(tmpfs->target, "/tmp");
	/* noexec is the one option airlock does not apply */
	CHECK_INT(x->n_mount_options, 2);
	CHECK(unapplied(x, 0) && unapplied(x, 0)->n_options == 1 && has(unapplied(x, 0)->options, "noexec"));
	CHECK(unapplied(x, 6) && unapplied(x, 6)->n_options == 1 && has(unapplied(x, 6)->options, "noexec"));
}

static void check_docker_limits(const struct al_spec *spec, const struct al_oci_extra *x)
{
	CHECK_INT(spec->limits.memory, 512 << 20);
	CHECK_INT(spec->limits.memory_swap, 1LL << 30);
	CHECK_INT(spec->limits.cpus_milli, 1500);
	CHECK_INT(spec->limits.pids, 100);
	json_t *rest = x->resources_unmapped;
	CHECK(rest && json_object_size(rest) == 3);
	CHECK(json_array_size(json_object_get(rest, "devices")) == 2);
	CHECK(json_object_get(rest, "memory") == NULL && json_object_get(rest, "pids") == NULL);
	json_t *cpu = json_object_get(rest, "cpu");
	CHECK(json_object_size(cpu) == 1 && json_integer_value(json_object_get(cpu, "shares")) == 512);
	CHECK(json_integer_value(json_object_get(json_object_get(rest, "blockIO"), "weight")) == 500);
	CHECK_INT(spec->n_rlimits, 2);
	CHECK(spec->rlimits[1].resource == RLIMIT_CORE && spec->rlimits[1].soft == RLIM_INFINITY &&
	      spec->rlimits[1].hard == RLIM_INFINITY);
}

static void check_docker_extra(const struct al_oci_extra *x)
{
	CHECK(x->n_additional_gids == 2 && x->additional_gids[1] == 27);
	CHECK_STR(x->apparmor_profile, "docker-default");
	CHECK(x->has_oom_score_adj && x->oom_score_adj == 0 && !x->has_umask && !x->terminal);
	CHECK(x->no_new_privileges);
	CHECK(x->ns[AL_OCI_NS_NETWORK].listed && x->ns[AL_OCI_NS_CGROUP].listed &&
	      !x->ns[AL_OCI_NS_USER].listed);
	CHECK_STR(x->ns[AL_OCI_NS_NETWORK].path, "/var/run/docker/netns/1a2b3c4d");
	CHECK_STR(x->cgroups_path, "system.slice:docker:4f1b");
	CHECK_INT(x->n_sysctl, 2);
	CHECK_STR(x->sysctl[0], "net.ipv4.ip_unprivileged_port_start=0");
	CHECK_STR(json_string_value(json_object_get(x->seccomp, "defaultAction")), "SCMP_ACT_ERRNO");
	CHECK_INT(json_array_size(json_object_get(x->seccomp, "syscalls")), 1);
	CHECK_INT(x->n_masked_paths, 11);
	const struct al_oci_hooks *pre = &x->hooks[AL_OCI_HOOK_PRESTART],
				  *post = &x->hooks[AL_OCI_HOOK_POSTSTOP];
	CHECK(pre->n == 1 && pre->v[0].n_args == 4 && pre->v[0].timeout == 0 && !pre->v[0].env);
	CHECK_STR(pre->v[0].path, "/usr/bin/dockerd");
	CHECK_STR(pre->v[0].args[3], "7e8d");
	CHECK(post->n == 1 && post->v[0].timeout == 5 && post->v[0].n_env == 1);
	CHECK(x->hooks[AL_OCI_HOOK_CREATE_RUNTIME].n == 0);
	CHECK_INT(x->n_annotations, 2);
	CHECK_STR(x->annotations[1], "run.airlock.landlock=false");
	CHECK(!x->airlock.landlock && x->airlock.seccomp_baseline && x->airlock.close_fds);
	CHECK_INT(x->n_unread_keys, 0);
	CHECK_INT(x->n_unknown_caps, 0);
}

static void test_docker(void)
{
	struct al_spec spec;
	struct al_oci_extra x;
	const char *dir = bundle("docker", docker_config);
	CHECK_OK(load(dir, &spec, &x), &err);

	CHECK_INT(spec.argc, 3);
	CHECK_STR(spec.argv[2], "make test");
	CHECK_INT(spec.n_env, 2);
	CHECK_STR(spec.env[1], "HOSTNAME=4f1b2c3d4e5f");
	CHECK_STR(spec.workdir, "/src");
	CHECK(spec.user_given && spec.uid == 1000 && spec.gid == 1000);
	CHECK(spec.caps_keep ==
	      caps_of((const char *const[]){"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "SETGID",
					    "SETUID", "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT",
					    "KILL", "AUDIT_WRITE", "NET_ADMIN", NULL}));
	CHECK(!(spec.caps_keep >> CAP_NET_RAW & 1));
	CHECK(x.caps[AL_OCI_CAP_EFFECTIVE] == spec.caps_keep && x.caps[AL_OCI_CAP_AMBIENT] == 0);
	CHECK_STR(spec.rootfs, rootfs_of(tmp, "docker-root"));
	CHECK(!spec.read_only); /* runtime-spec's default */
	CHECK_STR(spec.hostname, "4f1b2c3d4e5f");
	CHECK_INT(spec.network, AL_NET_NONE);
	CHECK(!spec.landlock);
	check_docker_mounts(&spec, &x);
	check_docker_limits(&spec, &x);
	check_docker_extra(&x);
	unload(&spec, &x);
}

/* ---- podman ------------------------------------------------------------------------------------- */

/* As podman 4.3 writes it (with crun) for
 *   podman create --memory 256m --pids-limit 100 --tmpfs /run:size=64m -v /srv/data:/data:ro
 *     --cap-add NET_ADMIN -e FOO=bar -w /data --user 1000:1000 --rootfs ROOTFS /bin/sh -c 'echo hi'
 * with its seccomp profile cut to two rules. */
static const char podman_config[] =
    "{'ociVersion': '1.0.2-dev',"
    "'process': {"
    " 'user': {'uid': 1000, 'gid': 1000, 'umask': 18, 'additionalGids': [1000]},"
    " 'args': ['/bin/sh', '-c', 'echo hi'],"
    " 'env': ['FOO=bar', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm',"
    "  'HOSTNAME=fbbe52eef3e6'],"
    " 'cwd': '/data',"
    " 'capabilities': {"
    "  'bounding': ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_ADMIN',"
    "   'CAP_NET_BIND_SERVICE', 'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT'],"
    "  'effective': ['CAP_NET_ADMIN'], 'inheritable': ['CAP_NET_ADMIN'], 'permitted': ['CAP_NET_ADMIN'],"
    "  'ambient': ['CAP_NET_ADMIN']},"
    " 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1048576, 'soft': 1048576},"
    "  {'type': 'RLIMIT_NPROC', 'hard': 32768, 'soft': 32768}]},"
    "'root': {'path': 'ROOTFS'},"
    "'hostname': 'fbbe52eef3e6',"
    "'mounts': ["
    " {'destination': '/run', 'type': 'tmpfs', 'source': 'tmpfs',"
    "  'options': ['size=64m', 'rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']},"
    " {'destination': '/data', 'type': 'bind', 'source': '/srv/data', 'options': ['ro', 'rprivate', "
    "'rbind']},"
    " {'destination': '/proc', 'type': 'proc', 'source': 'proc', 'options': ['nosuid', 'noexec', 'nodev']},"
    " {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
    "  'options': ['nosuid', 'noexec', 'strictatime', 'mode=755', 'size=65536k']},"
    " {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs', 'options': ['nosuid', 'noexec', 'nodev', "
    "'ro']},"
    " {'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',"
    "  'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},"
    " {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue', 'options': ['nosuid', 'noexec', "
    "'nodev']},"
    " {'destination': '/etc/resolv.conf', 'type': 'bind',"
    "  'source': '/run/containers/storage/overlay-containers/fbbe/userdata/resolv.conf',"
    "  'options': ['bind', 'rprivate']},"
    " {'destination': '/etc/hosts', 'type': 'bind',"
    "  'source': '/run/containers/storage/overlay-containers/fbbe/userdata/hosts', 'options': ['bind', "
    "'rprivate']},"
    " {'destination': '/dev/shm', 'type': 'bind',"
    "  'source': '/var/lib/containers/storage/overlay-containers/fbbe/userdata/shm',"
    "  'options': ['bind', 'rprivate', 'nosuid', 'noexec', 'nodev']},"
    " {'destination': '/etc/hostname', 'type': 'bind',"
    "  'source': '/run/containers/storage/overlay-containers/fbbe/userdata/hostname',"
    "  'options': ['bind', 'rprivate']},"
    " {'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup',"
    "  'options': ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', 'ro']}],"
    "'annotations': {'io.container.manager': 'libpod', 'io.kubernetes.cri-o.Created': "
    "'2026-11-27T06:15:43.092767694Z',"
    " 'io.kubernetes.cri-o.TTY': 'false', 'io.podman.annotations.autoremove': 'FALSE',"
    " 'io.podman.annotations.init': 'FALSE', 'io.podman.annotations.privileged': 'FALSE',"
    " 'io.podman.annotations.publish-all': 'FALSE', 'org.opencontainers.image.stopSignal': '15'},"
    "'linux': {"
    " 'sysctl': {'net.ipv4.ping_group_range': '0 0'},"
    " 'resources': {'devices': [{'allow': false, 'access': 'rwm'}],"
    "  'memory': {'limit': 268435456, 'swap': 536870912}, 'pids': {'limit': 100}},"
    " 'cgroupsPath': '/libpod_parent/libpod-fbbe52eef3e6',"
    " 'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': "
    "'/run/netns/netns-bbd8a733-e803-1521-926a-79b4604ce4bc'},"
    "  {'type': 'ipc'}, {'type': 'uts'}, {'type': 'mount'}],"
    " 'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
    "  'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
    "  'syscalls': [{'names': ['vmsplice'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1},"
    "   {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
    "    'args': [{'index': 0, 'value': 0, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]}]},"
    " 'maskedPaths': ['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',"
    "  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux', "
    "'/sys/dev/block'],"
    " 'readonlyPaths': ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', "
    "'/proc/sysrq-trigger']}}";

static void check_podman_mounts(const struct al_spec *spec, const struct al_oci_extra *x)
{
	CHECK_INT(spec->n_mounts, 6);
	CHECK_INT(x->n_kernel_mounts, 6);
	const struct al_mount *run = &spec->mounts[0], *data = &spec->mounts[1];
	CHECK(run->kind == AL_MOUNT_TMPFS && run->size == 64 << 20 && !run->has_mode);
	CHECK_STR(run->target, "/run");
	CHECK(unapplied(x, 0) && unapplied(x, 0)->n_options == 1 &&
	      has(unapplied(x, 0)->options, "tmpcopyup"));
	CHECK(data->kind == AL_MOUNT_BIND && data->readonly);
	CHECK_STR(data->source, "/srv/data");
	CHECK(unapplied(x, 1) == NULL);
	CHECK_STR(spec->mounts[4].target, "/dev/shm");
	CHECK(unapplied(x, 4) && has(unapplied(x, 4)->options, "noexec"));
	CHECK_STR(spec->mounts[5].target, "/etc/hostname");
	const struct al_oci_kernel_mount *cg = kernel_mount(x, "/sys/fs/cgroup");
	CHECK(cg && cg->n_options == 6 && has(cg->options, "relatime"));
}

static void test_podman(void)
{
	struct al_spec spec;
	struct al_oci_extra x;
	CHECK_OK(load(bundle("podman", podman_config), &spec, &x), &err);

	CHECK_INT(spec.argc, 3);
	CHECK_INT(spec.n_env, 4);
	CHECK_STR(spec.env[0], "FOO=bar");
	CHECK_STR(al_spec_getenv(&spec, "HOSTNAME"), "fbbe52eef3e6");
	CHECK_STR(spec.workdir, "/data");
	CHECK(spec.user_given && spec.uid == 1000 && spec.gid == 1000);
	CHECK(x.has_umask && x.umask == 022);
	CHECK(x.n_additional_gids == 1 && x.additional_gids[0] == 1000);
	/* non-root: only what --cap-add gave, though the bounding set holds the defaults */
	CHECK(spec.caps_keep == 1ULL << CAP_NET_ADMIN);
	CHECK(x.caps[AL_OCI_CAP_BOUNDING] >> CAP_CHOWN & 1);
	CHECK(x.caps[AL_OCI_CAP_INHERITABLE] == spec.caps_keep &&
	      x.caps[AL_OCI_CAP_AMBIENT] == spec.caps_keep);
	CHECK_INT(spec.n_rlimits, 2);
	CHECK(spec.rlimits[1].resource == RLIMIT_NPROC && spec.rlimits[1].hard == 32768);
	CHECK_STR(spec.rootfs, rootfs_of(tmp, "podman-root"));
	CHECK(!spec.read_only && spec.landlock);
	check_podman_mounts(&spec, &x);
	CHECK_INT(spec.limits.memory, 256 << 20);
	CHECK_INT(spec.limits.memory_swap, 512 << 20);
	CHECK_INT(spec.limits.pids, 100);
	CHECK_INT(spec.limits.cpus_milli, 0);
	CHECK(x.resources_unmapped && json_object_size(x.resources_unmapped) == 1);
	CHECK_INT(spec.network, AL_NET_NONE);
	CHECK_STR(x.ns[AL_OCI_NS_NETWORK].path, "/run/netns/netns-bbd8a733-e803-1521-926a-79b4604ce4bc");
	CHECK_INT(x.n_annotations, 8);
	CHECK(has(x.annotations, "io.container.manager=libpod"));
	CHECK_INT(json_array_size(json_object_get(x.seccomp, "syscalls")), 2);
	CHECK(!x.terminal && !x.no_new_privileges && !x.has_oom_score_adj);
	CHECK_INT(x.n_readonly_paths, 6);
	CHECK_INT(x.n_unread_keys, 0);
	unload(&spec, &x);
}

/* ---- the finer points of the mapping ------------------------------------------------------------ */

static const char details_config[] =
    "{'ociVersion': '1.1.0', 'domainname': 'example.org', 'solaris': {},"
    "'root': {'path': 'rootfs'},"
    "'process': {'args': ['sh'], 'cwd': '/home//u/', 'scheduler': {'policy': 'SCHED_OTHER'},"
    " 'env': ['A=1', 'B=2', 'A=3', 'X=18446744073709551615', 'E='],"
    " 'consoleSize': {'height': 24, 'width': 80},"
    " 'capabilities': {'bounding': ['CAP_KILL', 'CAP_FUTURE', 'CAP_CHOWN'],"
    "  'permitted': ['CAP_KILL', 'CAP_FUTURE', 'CAP_SYS_ADMIN']},"
    " 'rlimits': [{'type': 'RLIMIT_STACK', 'soft': 8388608, 'hard':18446744073709551615}]},"
    "'mounts': [{'destination': 'data', 'type': 'none', 'source': 'vol', 'options': ['bind', 'rshared', "
    "'z']},"
    " {'destination': '/w', 'type': 'tmpfs', 'options': ['size=0', 'uid=1000']},"
    " {'destination': '/i', 'type': 'bind', 'source': '/x', 'uidMappings': []}],"
    "'linux': {'intelRdt': {'closID': 'x'},"
    " 'devices': [{'type': 'c', 'path': '/dev/fuse', 'major': 10, 'minor': 229, 'fileMode': 438}, "
    "{'type': 'p', 'path': '/dev/fifo', 'uid': 7}],"
    " 'resources': {'cpu': {'quota': 1, 'period': 1000000}, 'pids': {'limit': -1},"
    "  'memory': {'limit': -1, 'swap': -1, 'reservation': 1, 'swappiness': 30, 'disableOOMKiller': true,"
    "   'kernelTCP': 1, 'kernel': 1}}},"
    "'hooks': {'createRuntime': [{'path': '/h'}], 'poststart': [], 'later': []},"
    "'annotations': {'run.airlock.close-fds': 'false', 'run.airlock.landlock': 'true'}}";

static void test_details(void)
{
	struct al_spec spec;
	struct al_oci_extra x;
	const char *dir = bundle("details", details_config);
	CHECK_OK(load(dir, &spec, &x), &err);

	/* a repeated KEY keeps its first place and its last value; strings are never rewritten */
	CHECK_INT(spec.n_env, 4);
	CHECK_STR(spec.env[0], "A=3");
	CHECK_STR(spec.env[2], "X=18446744073709551615");
	CHECK_STR(spec.env[3], "E=");
	CHECK_STR(spec.workdir, "/home/u");
	CHECK(!spec.user_given);
	CHECK(spec.caps_keep == 1ULL << CAP_KILL);
	CHECK(x.n_unknown_caps == 1 && strcmp(x.unknown_caps[0], "CAP_FUTURE") == 0);
	CHECK(spec.n_rlimits == 1 && spec.rlimits[0].soft == 8 << 20 &&
	      spec.rlimits[0].hard == RLIM_INFINITY);
	CHECK(x.has_console_size && x.console_height == 24 && x.console_width == 80);

	/* a bind by option, source relative to the bundle, destination relative to "/" */
	CHECK_INT(spec.n_mounts, 3);
	char source[PATH_MAX + 8];
	snprintf(source, sizeof source, "%s/vol", rootfs_of(dir, "."));
	CHECK_STR(spec.mounts[0].source, source);
	CHECK_STR(spec.mounts[0].target, "/data");
	CHECK_STR(spec.mounts[0].options, "bind,rshared,z");
	CHECK(unapplied(&x, 0) && unapplied(&x, 0)->n_options == 2 && has(unapplied(&x, 0)->options, "z"));
	/* size=0 (the kernel's unlimited) keeps airlock's default and is reported */
	CHECK(spec.mounts[1].kind == AL_MOUNT_TMPFS && spec.mounts[1].size == 0);
	CHECK(unapplied(&x, 1) && has(unapplied(&x, 1)->options, "size=0") &&
	      has(unapplied(&x, 1)->options, "uid=1000"));

	CHECK_INT(spec.limits.cpus_milli, 1); /* 0.001 CPU rounds up, never to "no limit" */
	CHECK_INT(spec.limits.pids, -1);
	CHECK_INT(spec.limits.memory, 0);
	CHECK_INT(spec.limits.memory_swap, -1);
	CHECK(spec.limits.memory_reservation == 1 && spec.limits.has_swappiness &&
	      spec.limits.memory_swappiness == 30 && spec.limits.oom_kill_disable);
	json_t *mem = json_object_get(x.resources_unmapped, "memory");
	CHECK(spec.limits.kernel_tcp == 1);
	CHECK(json_object_size(x.resources_unmapped) == 1 && json_object_size(mem) == 1 &&
	      json_object_get(mem, "kernel"));

	CHECK_INT(spec.network, AL_NET_HOST); /* no namespaces listed: the host's, as runc */
	CHECK(!spec.read_only && spec.landlock);
	CHECK(!x.airlock.close_fds && x.airlock.landlock);
	CHECK_STR(x.domainname, "example.org");
	CHECK(x.n_devices == 2 && x.devices[0].type == 'c' && x.devices[0].major == 10 &&
	      x.devices[0].has_file_mode && x.devices[0].file_mode == 0666 && !x.devices[0].has_uid);
	CHECK(x.devices[1].type == 'p' && x.devices[1].has_uid && x.devices[1].uid == 7);
	CHECK(x.hooks[AL_OCI_HOOK_CREATE_RUNTIME].n == 1 && x.hooks[AL_OCI_HOOK_POSTSTART].n == 0);
	CHECK_INT(x.n_unread_keys, 5);
	CHECK(has(x.unread_keys, "solaris") && has(x.unread_keys, "process.scheduler") &&
	      has(x.unread_keys, "linux.intelRdt") && has(x.unread_keys, "mounts[2].uidMappings") &&
	      has(x.unread_keys, "hooks.later"));
	unload(&spec, &x);
}

/* ---- malformed documents ------------------------------------------------------------------------ */

static const char minimal[] = "{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
			      " 'process': {'args': ['sh'], 'cwd': '/'}, 'linux': {}}";

/* minimal with the value at a dotted path replaced (NULL: removed). */
static char *patched(const char *path, const char *value)
{
	_cleanup_free_ char *base = fixture_text(minimal, NULL),
			    *val = value ? fixture_text(value, NULL) : NULL;
	_cleanup_free_ char *keys = al_xstrdup(path);
	json_t *doc = json_loads(base, 0, NULL), *obj = doc;
	char *key = keys, *dot;
	while ((dot = strchr(key, '.'))) {
		*dot = '\0';
		json_t *next = json_object_get(obj, key);
		if (!next)
			json_object_set_new(obj, key, next = json_object());
		obj = next;
		key = dot + 1;
	}
	if (val)
		json_object_set_new(obj, key, json_loads(val, JSON_DECODE_ANY, NULL));
	else
		json_object_del(obj, key);
	char *text = json_dumps(doc, 0);
	json_decref(doc);
	return text;
}

struct bad_case {
	const char *path, *value; /* patched into minimal */
	const char *message;	  /* a part of the message */
};

static const struct bad_case bad_cases[] = {
    {"ociVersion", "'0.9'", "config.json: ociVersion \"0.9\": unsupported (1.0.0 to 1.2.x)"},
    {"ociVersion", "'1.3.0'", "config.json: ociVersion \"1.3.0\": unsupported"},
    {"ociVersion", "'1.2'", "config.json: ociVersion \"1.2\": unsupported"},
    {"ociVersion", NULL, "config.json: ociVersion: missing"},
    {"ociVersion", "1", "config.json: ociVersion: expected a string"},
    {"root", NULL, "config.json: root: missing"},
    {"root", "'rootfs'", "config.json: root: expected an object"},
    {"root.path", "'nothere'", "/nothere: No such file or directory"},
    {"root.path", "'config.json'", "/config.json: Not a directory"},
    {"root.readonly", "'true'", "config.json: root.readonly: expected a boolean"},
    {"process", NULL, "config.json: process: missing"},
    {"process.args", "5", "config.json: process.args: expected a non-empty array of strings"},
    {"process.args", "[]", "config.json: process.args: expected a non-empty array of strings"},
    {"process.args", "['sh', 3]", "config.json: process.args[1]: expected a string"},
    {"process.args", "['']", "config.json: no command given"},
    {"process.cwd", "'work'", "config.json: process.cwd work: must be an absolute path"},
    {"process.cwd", NULL, "config.json: process.cwd: missing"},
    {"process.env", "'A=1'", "config.json: process.env: expected an array of strings"},
    {"process.env", "['PATH']", "config.json: process.env[0]: expected KEY=VALUE"},
    {"process.user", "{'uid': '0', 'gid': 0}", "config.json: process.user.uid: expected an integer"},
    {"process.user", "{'gid': 0}", "config.json: process.user.uid: missing"},
    {"process.user", "{'uid': 0, 'gid': 4294967295}",
     "config.json: process.user.gid: expected an integer from 0"},
    {"process.user", "{'uid': 0, 'gid': 0, 'additionalGids': [1, 'x']}",
     "config.json: process.user.additionalGids[1]: expected an integer"},
    {"process.rlimits", "[{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]",
     "config.json: process.rlimits[0].type: unknown limit \"RLIMIT_FOO\""},
    {"process.rlimits", "[{'type': 'nofile', 'soft': 1, 'hard': 1}]", "unknown limit \"nofile\""},
    {"process.rlimits", "[{'type': 'RLIMIT_NOFILE', 'soft': 10, 'hard': 5}]",
     "config.json: process.rlimits[0]: soft limit 10 is above the hard limit 5"},
    {"process.rlimits", "[{'type': 'RLIMIT_NOFILE', 'soft': 1}]",
     "config.json: process.rlimits[0].hard: missing"},
    {"process.rlimits",
     "[{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}, {'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]",
     "config.json: process.rlimits[1].type: RLIMIT_NOFILE given twice"},
    {"process.rlimits", "{}", "config.json: process.rlimits: expected an array"},
    {"process.capabilities", "{'bounding': 'CAP_KILL'}",
     "config.json: process.capabilities.bounding: expected an array of strings"},
    {"process.terminal", "'yes'", "config.json: process.terminal: expected a boolean"},
    {"process.oomScoreAdj", "5000",
     "config.json: process.oomScoreAdj: expected an integer from -1000 to 1000"},
    {"process.consoleSize", "{'height': 1}", "config.json: process.consoleSize.width: missing"},
    {"hostname", "7", "config.json: hostname: expected a string"},
    {"hostname", "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'",
     "config.json: hostname \"aaaa"},
    {"mounts", "{}", "config.json: mounts: expected an array"},
    {"mounts", "[5]", "config.json: mounts[0]: expected an object"},
    {"mounts", "[{'destination': '/x', 'type': 'overlay', 'source': 'overlay'}]",
     "config.json: mounts[0].type: unsupported mount type \"overlay\" at /x"},
    {"mounts", "[{'destination': '/x', 'type': 'proc', 'source': 'proc'}]",
     "config.json: mounts[0].type: unsupported mount type \"proc\" at /x"},
    {"mounts", "[{'destination': '/x'}]", "config.json: mounts[0].type: missing"},
    {"mounts", "[{'type': 'tmpfs'}]", "config.json: mounts[0].destination: missing"},
    {"mounts", "[{'destination': '/x', 'type': 'bind'}]", "config.json: mounts[0].source: missing"},
    {"mounts", "[{'destination': '/x/../y', 'type': 'tmpfs'}]",
     "config.json: mounts[0].destination /x/../y: must not contain \"..\""},
    {"mounts", "[{'destination': '/x', 'type': 'tmpfs', 'options': 'ro'}]",
     "config.json: mounts[0].options: expected an array of strings"},
    {"mounts", "[{'destination': '/x', 'type': 'tmpfs', 'options': ['size=50%']}]",
     "config.json: mounts[0].options: size=50%:"},
    {"mounts", "[{'destination': '/x', 'type': 'tmpfs', 'options': ['mode=rwx']}]",
     "config.json: mounts[0].options: mode=rwx: expected an octal mode"},
    {"mounts", "[{'destination': '/x', 'type': 'tmpfs', 'options': ['ro']}]",
     "config.json: mounts[0].options: \"ro\": a read-only tmpfs"},
    {"mounts", "[{'destination': '/proc/meminfo', 'type': 'bind', 'source': '/var/lib/lxcfs/proc/meminfo'}]",
     "config.json: mount target /proc/meminfo: inside a kernel filesystem"},
    {"mounts", "[{'destination': '/dev', 'type': 'bind', 'source': '/dev'}]",
     "config.json: mount target /dev: reserved by airlock"},
    {"mounts",
     "[{'destination': '/x', 'type': 'tmpfs'}, {'destination': '/x', 'type': 'bind', 'source': '/y'}]",
     "config.json: mount target /x: given twice"},
    {"linux", "[]", "config.json: linux: expected an object"},
    {"linux.namespaces", "[{'type': 'pid'}, {'type': 'network'}, {'type': 'foo'}]",
     "config.json: linux.namespaces[2].type: unknown namespace type \"foo\""},
    {"linux.namespaces", "[{'type': 'pid'}, {'type': 'pid'}]",
     "config.json: linux.namespaces[1].type: namespace \"pid\" listed twice"},
    {"linux.namespaces", "[{'type': 'network', 'path': 'netns/x'}]",
     "config.json: linux.namespaces[0].path netns/x: must be an absolute path"},
    {"linux.namespaces", "[{'path': '/run/netns/x'}]", "config.json: linux.namespaces[0].type: missing"},
    {"linux.namespaces", "'pid'", "config.json: linux.namespaces: expected an array"},
    {"linux.namespaces", "[5]", "config.json: linux.namespaces[0]: expected an object"},
    {"linux.uidMappings", "[{'containerID': 0, 'hostID': 1000}]",
     "config.json: linux.uidMappings[0].size: missing"},
    {"linux.gidMappings", "[{'containerID': 0, 'hostID': -1, 'size': 1}]",
     "config.json: linux.gidMappings[0].hostID: expected an integer from 0 to 4294967295"},
    {"linux.devices", "[{'type': 'x', 'path': '/dev/x'}]",
     "config.json: linux.devices[0].type: expected one of c, b, u, p"},
    {"linux.devices", "[{'type': 'c', 'path': '/dev/x', 'major': 1}]",
     "config.json: linux.devices[0].minor: missing"},
    {"linux.resources", "{'memory': {'limit': '1g'}}",
     "config.json: linux.resources.memory.limit: expected an integer"},
    {"linux.resources", "{'memory': {'swap': 100}}",
     "config.json: linux.resources.memory.swap: needs memory.limit"},
    {"linux.resources", "{'memory': {'limit': 200, 'swap': 100}}",
     "config.json: linux.resources.memory.swap: 100 is below memory.limit 200"},
    {"linux.resources", "{'pids': {}}", "config.json: linux.resources.pids.limit: missing"},
    {"linux.resources", "{'cpu': {'quota': 'half'}}",
     "config.json: linux.resources.cpu.quota: expected an integer"},
    {"linux.resources", "[]", "config.json: linux.resources: expected an object"},
    {"linux.seccomp", "[]", "config.json: linux.seccomp: expected an object"},
    {"linux.sysctl", "{'kernel.shmmax': 1}", "config.json: linux.sysctl.kernel.shmmax: expected a string"},
    {"linux.maskedPaths", "'/proc/kcore'", "config.json: linux.maskedPaths: expected an array of strings"},
    {"linux.cgroupsPath", "5", "config.json: linux.cgroupsPath: expected a string"},
    {"hooks", "{'prestart': [{'path': 'hook'}]}",
     "config.json: hooks.prestart[0].path hook: must be an absolute path"},
    {"hooks", "{'poststop': [{'path': '/x', 'timeout': 0}]}",
     "config.json: hooks.poststop[0].timeout: expected an integer from 1"},
    {"hooks", "{'poststart': [{'args': []}]}", "config.json: hooks.poststart[0].path: missing"},
    {"annotations", "{'run.airlock.landlock': 'no'}",
     "config.json: annotations.run.airlock.landlock: expected \"true\" or \"false\""},
    {"annotations", "{'run.airlock.landlock': 'False'}", "expected \"true\" or \"false\", not \"False\""},
    {"annotations", "{'run.airlock.landlok': 'false'}",
     "config.json: annotations.run.airlock.landlok: unknown airlock switch"},
    {"annotations", "{'a': 1}", "config.json: annotations.a: expected a string"},
};

static void check_fails_with(const char *dir, const char *needle, int line)
{
	struct al_spec spec;
	struct al_oci_extra x;
	al_spec_init(&spec);
	err.msg[0] = '\0';
	int r = al_oci_load(dir, &spec, &x, &err);
	check_total++;
	if (r != -1) {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s should fail with \"%s\"\n", __FILE__, line, dir, needle);
	} else if (!strstr(err.msg, needle) || strchr(err.msg, '\n')) {
		check_failed++;
		fprintf(stderr, "%s:%d: FAILED: %s: message \"%s\" should contain \"%s\"\n", __FILE__, line,
			dir, err.msg, needle);
	}
	unload(&spec, &x); /* both stay the caller's to free, whatever failed */
}

static void test_bad_cases(void)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(bad_cases); i++) {
		char name[32];
		snprintf(name, sizeof name, "bad%zu", i);
		_cleanup_free_ char *text = patched(bad_cases[i].path, bad_cases[i].value);
		/* the fixture quoting does not apply to the patched text: write it as it is */
		const char *dir = bundle(name, NULL);
		char path[600];
		snprintf(path, sizeof path, "%s/config.json", dir);
		write_file(path, text);
		check_fails_with(dir, bad_cases[i].message, __LINE__);
	}
}

/* Documents that are not JSON objects, or not there. */
static void test_bad_files(void)
{
	char path[600], *dir;
	check_fails_with(bundle("nofile", NULL), "config.json: missing", __LINE__);

	dir = al_xstrdup(bundle("badjson", NULL));
	snprintf(path, sizeof path, "%s/config.json", dir);
	write_file(path, "{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {]\n}\n");
	check_fails_with(dir, "config.json: line 3: ", __LINE__);
	write_file(path, "[]");
	check_fails_with(dir, "config.json: expected an object", __LINE__);
	write_file(path, "{\"ociVersion\": \"1.0.0\", \"ociVersion\": \"1.0.0\"}");
	check_fails_with(dir, "config.json: line 1: duplicate object key", __LINE__);
	/* only the all-ones uint64 is understood; any other too-big number is jansson's error */
	write_file(path, "{\"ociVersion\": 18446744073709551616}");
	check_fails_with(dir, "config.json: line 1: too big integer", __LINE__);
	write_file(path, "");
	check_fails_with(dir, "config.json: line 1: ", __LINE__);
	free(dir);

	snprintf(path, sizeof path, "%s/config.json", bundle("dirconfig", NULL));
	mkdir(path, 0755);
	check_fails_with(path, "config.json: missing", __LINE__); /* a bundle with no config.json inside */
	snprintf(path, sizeof path, "%s/dirconfig", tmp);
	check_fails_with(path, "config.json: not a regular file", __LINE__);
	snprintf(path, sizeof path, "%s/nobundle", tmp);
	check_fails_with(path, "/nobundle: No such file or directory", __LINE__);
}

/* ---- main --------------------------------------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)f;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/al-ocitest-XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_runc_spec();
	test_runc_spec_rootless();
	test_docker();
	test_podman();
	test_details();
	test_bad_cases();
	test_bad_files();
	nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	CHECK_DONE();
}
