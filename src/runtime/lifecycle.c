/* lifecycle.c: airlock-runtime's container life, as a containerd shim or conmon drives it: create (pid 1
 * confined and waiting), start, state, kill, pause/resume, delete; run = create + start (+ wait); list
 * and ps. Every failure leaves nothing behind: al_create removes what it made, and create removes the
 * container's directory. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <dirent.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "exec.h"
#include "launch.h"
#include "oci_config.h"
#include "parse.h"
#include "runtime.h"
#include "util.h"

/* ---- create ------------------------------------------------------------------------------------ */

struct create_args {
	const char *bundle, *pid_file, *console;
	bool detach; /* run -d */
	const char *id;
};

static int parse_create_args(int argc, char **argv, const char *verb, struct create_args *a)
{
	static const struct option longs[] = {{"bundle", required_argument, NULL, 'b'},
					      {"pid-file", required_argument, NULL, 'p'},
					      {"console-socket", required_argument, NULL, 'c'},
					      {"detach", no_argument, NULL, 'd'},
					      {"no-pivot", no_argument, NULL, 'P'},
					      {"no-new-keyring", no_argument, NULL, 'K'},
					      {"preserve-fds", required_argument, NULL, 'f'},
					      {"keep", no_argument, NULL, 'k'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	*a = (struct create_args){.bundle = "."};
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+b:dh", longs, NULL)) != -1;) {
		switch (c) {
		case 'b':
			a->bundle = optarg;
			break;
		case 'p':
			a->pid_file = optarg;
			break;
		case 'c':
			a->console = optarg;
			break;
		case 'd':
			if (strcmp(verb, "run") != 0)
				return rt_fail("%s: unknown flag --detach", verb);
			a->detach = true;
			break;
		case 'P':
		case 'K':
		case 'k':
			break; /* airlock always pivots and never shares a keyring (seccomp denies keyctl) */
		case 'f':
			if (strcmp(optarg, "0") != 0)
				return rt_fail("%s: --preserve-fds %s: not supported (only stdio is passed)",
					       verb, optarg);
			break;
		case 'h':
			printf("Usage: airlock-runtime %s [--bundle DIR] [--pid-file FILE] [--console-socket "
			       "SOCKET]%s ID\n",
			       verb, strcmp(verb, "run") == 0 ? " [--detach]" : "");
			return -1;
		default:
			return rt_fail("%s: unknown flag %s", verb, argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return rt_fail("%s: requires exactly one container id", verb);
	a->id = argv[optind];
	return 0;
}

/* Namespaced sysctls only: the rest would change the host. */
static bool sysctl_namespaced(const char *kv, bool own_net)
{
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < AL_ARRAY_SIZE(ipc); i++)
		if (strlen(ipc[i]) == klen && strncmp(kv, ipc[i], klen) == 0)
			return true;
	if (strncmp(kv, "fs.mqueue.", 10) == 0)
		return true;
	return own_net && strncmp(kv, "net.", 4) == 0;
}

/* What this version cannot honour is refused by name, never silently dropped. */
static int check_supported(const struct al_oci_extra *x, const struct al_spec *spec,
			   const struct create_args *a, struct al_err *err)
{
	if (!x->ns[AL_OCI_NS_UTS].listed && spec->hostname && *spec->hostname)
		return al_err_set(err, EINVAL, "hostname: needs the container's own uts namespace");
	static const enum al_oci_ns joinable[] = {AL_OCI_NS_NETWORK, AL_OCI_NS_IPC, AL_OCI_NS_UTS};
	for (int n = 0; n < AL_OCI_NS_COUNT; n++) {
		bool ok = false;
		for (size_t k = 0; k < AL_ARRAY_SIZE(joinable); k++)
			ok = ok || joinable[k] == (enum al_oci_ns)n;
		if (x->ns[n].path && !ok)
			return al_err_set(err, ENOTSUP,
					  "linux.namespaces: joining the %s namespace (%s) is not supported",
					  al_oci_ns_name((enum al_oci_ns)n), x->ns[n].path);
	}
	bool own_net = x->ns[AL_OCI_NS_NETWORK].listed;
	for (size_t i = 0; i < x->n_sysctl; i++)
		if (!sysctl_namespaced(x->sysctl[i], own_net))
			return al_err_set(err, ENOTSUP,
					  "linux.sysctl: %s is not namespaced in this container: it would "
					  "change the host",
					  x->sysctl[i]);
	if (!x->airlock.close_fds || !x->airlock.new_session)
		return al_err_set(err, ENOTSUP, "annotations: run.airlock.%s=false: this version always %s",
				  !x->airlock.close_fds ? "close-fds" : "new-session",
				  !x->airlock.close_fds ? "closes inherited descriptors"
							: "starts the command in a new session");
	if (x->n_devices)
		return al_err_set(err, ENOTSUP, "linux.devices: %s: extra device nodes are not supported",
				  x->devices[0].path);
	if (x->terminal && !a->console)
		return al_err_set(err, EINVAL, "process.terminal needs --console-socket");
	if (!x->terminal && a->console)
		return al_err_set(err, EINVAL, "--console-socket without process.terminal");
	return 0;
}

struct create_ctx {
	struct rt_container *c;
	struct al_oci_extra *x;
	const json_t *hooks;
	unsigned long gid_hi; /* the highest gid the container's user namespace maps */
};

static int write_oom_score_adj(const struct al_oci_extra *x, pid_t pid, struct al_err *err)
{
	if (!x->has_oom_score_adj)
		return 0;
	char path[64], val[16];
	snprintf(path, sizeof path, "/proc/%d/oom_score_adj", (int)pid);
	int n = snprintf(val, sizeof val, "%d", x->oom_score_adj);
	int r = al_write_file_at(AT_FDCWD, path, val, (size_t)n);
	return r < 0 ? al_err_sys(err, -r, "process.oomScoreAdj %s", val) : 0;
}

/* Sysctls and the domain name are set from a helper that enters the container's user, network, ipc
 * and uts namespaces: /proc/sys then shows those namespaces' values. */
/* net.ipv4.ping_group_range "0 2147483647" (docker's: everyone may ping) names gids the container's user
 * namespace does not map, which the kernel refuses: the range is clamped to the mapped ones. */
static const char *sysctl_value(const char *kv, unsigned long gid_hi, char *buf, size_t size)
{
	const char *eq = strchr(kv, '=');
	unsigned long lo, hi;
	if (strncmp(kv, "net.ipv4.ping_group_range=", 26) != 0 || sscanf(eq + 1, "%lu %lu", &lo, &hi) != 2)
		return eq + 1;
	snprintf(buf, size, "%lu %lu", lo > gid_hi ? gid_hi : lo, hi > gid_hi ? gid_hi : hi);
	return buf;
}

static int set_sysctls(const struct al_oci_extra *x, pid_t pid, unsigned long gid_hi, struct al_err *err)
{
	if (!x->n_sysctl && !x->domainname)
		return 0;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return al_err_sys(err, errno, "linux.sysctl");
	pid_t child = fork();
	if (child == 0) {
		close(pipefd[0]);
		/* as the root of the container's user namespace: the kernel lets only it write the ipc
		 * namespace's sysctls (and it holds CAP_NET_ADMIN over the container's own network) */
		int nsfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0 ||
		    setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
			dprintf(pipefd[1], "enter the container's namespaces: %s", strerror(errno));
			_exit(1);
		}
		if (x->domainname && setdomainname(x->domainname, strlen(x->domainname)) < 0) {
			dprintf(pipefd[1], "domainname %s: %s", x->domainname, strerror(errno));
			_exit(1);
		}
		for (size_t i = 0; i < x->n_sysctl; i++) {
			const char *kv = x->sysctl[i]; /* "KEY=VALUE": oci_config made sure of the '=' */
			char path[512] = "/proc/sys/";
			size_t klen = strcspn(kv, "=");
			if (klen >= sizeof path - 11)
				_exit(1);
			memcpy(path + 10, kv, klen);
			path[10 + klen] = '\0';
			for (char *p = path + 10; *p; p++)
				if (*p == '.')
					*p = '/';
			char clamped[64];
			const char *v = sysctl_value(kv, gid_hi, clamped, sizeof clamped);
			int r = al_write_file_at(AT_FDCWD, path, v, strlen(v));
			if (r < 0) {
				dprintf(pipefd[1], "%s: %s", kv, strerror(-r));
				_exit(1);
			}
		}
		_exit(0);
	}
	close(pipefd[1]);
	if (child < 0) {
		close(pipefd[0]);
		return al_err_sys(err, errno, "linux.sysctl: fork");
	}
	char msg[512] = "";
	ssize_t n = al_read_all(pipefd[0], msg, sizeof msg - 1);
	close(pipefd[0]);
	msg[n > 0 ? n : 0] = '\0';
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return al_err_set(err, EINVAL, "linux.sysctl: %s", msg[0] ? msg : "the helper failed");
	return 0;
}

static json_t *state_with(struct rt_container *c, const char *status, pid_t pid)
{
	json_object_set_new(c->state, "pid", json_integer(pid));
	return rt_container_oci_state(c, status);
}

/* pid 1 exists, ids mapped, root not built: oom_score_adj, sysctls, then prestart and createRuntime
 * hooks in the runtime's namespaces. */
static int on_namespaces(void *ctx, pid_t pid, struct al_err *err)
{
	struct create_ctx *cc = ctx;
	if (write_oom_score_adj(cc->x, pid, err) < 0 || set_sysctls(cc->x, pid, cc->gid_hi, err) < 0)
		return -1;
	/* prestart (deprecated, run where createRuntime is) sees "created", as crun passes it and
	 * runtime-tools expects; createRuntime sees "creating", as runtime-spec describes the moment */
	_cleanup_json_ json_t *pre = state_with(cc->c, RT_STATUS_CREATED, pid);
	_cleanup_json_ json_t *st = state_with(cc->c, "creating", pid);
	if (rt_hooks_run(cc->hooks, "prestart", pre, 0, err) < 0 ||
	    rt_hooks_run(cc->hooks, "createRuntime", st, 0, err) < 0)
		return -1;
	return 0;
}

/* pid 1 confined and waiting: createContainer hooks, in its namespaces. */
static int on_created(void *ctx, pid_t pid, struct al_err *err)
{
	struct create_ctx *cc = ctx;
	_cleanup_json_ json_t *st = state_with(cc->c, RT_STATUS_CREATED, pid);
	return rt_hooks_run(cc->hooks, "createContainer", st, pid, err);
}

static int listen_exec_socket(struct rt_container *c, struct al_err *err)
{
	int fd = al_unix_listen_at(c->dirfd, "exec.sock", SOCK_STREAM);
	return fd < 0 ? al_err_sys(err, -fd, "container %s: exec socket", c->id) : fd;
}

/* The config's seccomp filter, or airlock's denials alone (run.airlock.seccomp-baseline), compiled by
 * the launcher from a file of the container's directory. */
static int prepare_seccomp(struct rt_container *c, const struct al_oci_extra *x, struct al_spec *spec,
			   struct al_err *err)
{
	if (!x->seccomp && !x->airlock.seccomp_baseline) {
		spec->seccomp_unconfined = spec->allow_weakening = true;
		return 0;
	}
	_cleanup_json_ json_t *allow =
	    x->seccomp ? NULL : json_pack("{s:s}", "defaultAction", "SCMP_ACT_ALLOW");
	const json_t *profile = x->seccomp ? x->seccomp : allow;
	if (json_object_get(profile, "listenerPath"))
		return al_err_set(err, ENOTSUP,
				  "linux.seccomp.listenerPath: seccomp notification is not supported");
	spec->seccomp_profile = al_xasprintf("%s/seccomp.json", c->dir);
	if (json_dump_file(profile, spec->seccomp_profile, JSON_COMPACT) < 0)
		return al_err_sys(err, errno, "container %s: write seccomp.json", c->id);
	return 0;
}

static void record_state(struct rt_container *c, const struct al_spec *spec, const struct al_oci_extra *x,
			 const char *bundle, const char *cg_parent, const char *cgroup, json_t *hooks)
{
	json_t *s = c->state, *ann = json_object(), *env = json_array();
	for (size_t i = 0; i < x->n_annotations; i++) {
		const char *kv = x->annotations[i], *eq = strchr(kv, '=');
		_cleanup_free_ char *k = al_xstrndup(kv, (size_t)(eq - kv));
		json_object_set_new(ann, k, json_string(eq + 1));
	}
	for (size_t i = 0; i < spec->n_env; i++)
		json_array_append_new(env, json_string(spec->env[i]));
	_cleanup_free_ char *now = al_time_now_rfc3339();
	json_object_set_new(s, "ociVersion", json_string(x->oci_version ? x->oci_version : "1.2.0"));
	json_object_set_new(s, "id", json_string(c->id));
	json_object_set_new(s, "bundle", json_string(bundle));
	json_object_set_new(s, "rootfs", json_string(spec->rootfs ? spec->rootfs : "/"));
	json_object_set_new(s, "created", json_string(now));
	json_object_set_new(s, "started", json_false());
	json_object_set_new(s, "cgroupParent", json_string(cg_parent));
	json_object_set_new(s, "cgroup", json_string(cgroup));
	json_object_set_new(s, "annotations", ann);
	if (hooks)
		json_object_set(s, "hooks", hooks);
	json_object_set_new(s, "env", env);
	json_object_set_new(s, "cwd", json_string(spec->workdir ? spec->workdir : "/"));
	json_object_set_new(s, "uid", json_integer(spec->uid));
	json_object_set_new(s, "gid", json_integer(spec->gid));
}

/* config.json's "hooks", as written: kept in state.json for start and delete. */
static json_t *read_hooks(const char *bundle)
{
	_cleanup_free_ char *path = al_xasprintf("%s/config.json", bundle);
	_cleanup_json_ json_t *doc = json_load_file(path, 0, NULL);
	json_t *h = json_object_get(doc, "hooks");
	return json_is_object(h) ? json_incref(h) : NULL;
}

/* "rshared" → MS_SHARED | MS_REC; 0 for anything else. */
static unsigned long propagation_flags(const char *name)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
	    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
	    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < AL_ARRAY_SIZE(table); i++)
		if (strcmp(name, table[i].name) == 0)
			return table[i].flags;
	return 0;
}

/* What the config asks beyond the sandbox spec's defaults that the engine honours as asked. */
static void apply_extras(const struct al_oci_extra *x, struct al_spec *spec)
{
	if (x->capabilities_given) {
		spec->caps_inheritable = x->caps[AL_OCI_CAP_INHERITABLE] & spec->caps_keep;
		spec->caps_ambient = x->caps[AL_OCI_CAP_AMBIENT] & spec->caps_inheritable;
	}
	if (x->n_additional_gids) {
		spec->groups = al_xcalloc(x->n_additional_gids, sizeof(gid_t));
		memcpy(spec->groups, x->additional_gids, x->n_additional_gids * sizeof(gid_t));
		spec->n_groups = x->n_additional_gids;
	}
	/* mqueue belongs to the ipc namespace: mounted only in one of the container's own */
	for (size_t i = 0;
	     x->ns[AL_OCI_NS_IPC].listed && !x->ns[AL_OCI_NS_IPC].path && i < x->n_kernel_mounts; i++)
		spec->mqueue = spec->mqueue || strcmp(x->kernel_mounts[i].type, "mqueue") == 0;
	for (size_t i = 0; i < x->n_masked_paths; i++)
		al_strv_push(&spec->masked_paths, &spec->n_masked_paths, x->masked_paths[i]);
	for (size_t i = 0; i < x->n_readonly_paths; i++)
		al_strv_push(&spec->readonly_paths, &spec->n_readonly_paths, x->readonly_paths[i]);
	if (x->rootfs_propagation)
		spec->root_propagation = propagation_flags(x->rootfs_propagation);
	for (size_t i = 0; i < x->n_mount_options; i++)
		for (size_t k = 0; k < x->mount_options[i].n_options; k++)
			if (propagation_flags(x->mount_options[i].options[k]))
				spec->mounts[x->mount_options[i].mount].propagation =
				    propagation_flags(x->mount_options[i].options[k]);
	/* runc leaves an unnamed container the hostname its new uts namespace starts with: the host's */
	char host[256];
	if (!spec->hostname && x->ns[AL_OCI_NS_UTS].listed && gethostname(host, sizeof host) == 0) {
		host[sizeof host - 1] = '\0';
		spec->hostname = al_xstrdup(host);
	}
}

/* Resources this version does not apply, said on stderr (the container runs without them). Device
 * rules need no cgroup: a user namespace cannot make device nodes, and /dev holds only airlock's. */
static void warn_unapplied(const struct al_oci_extra *x)
{
	const char *key, *sub;
	json_t *v, *w;
	json_object_foreach (x->resources_unmapped, key, v) {
		if (strcmp(key, "devices") == 0)
			continue;
		if (!json_is_object(v))
			rt_warn("linux.resources.%s: not applied by this version", key);
		json_object_foreach (v, sub, w)
			rt_warn("linux.resources.%s.%s: not applied by this version", key, sub);
	}
}

/* The user namespace's ids. A config with a user namespace and mappings: those (one range each). One
 * without a user namespace: airlock's own unprivileged range, as `airlock run` (a container under
 * airlock-runtime always has one), unless its writable rootfs is an overlay (docker's and podman's
 * container layer): the kernel cannot idmap an overlay, and its files would show as nobody, unwritable
 * by the container's root. That container gets the host's ids, as under runc: its root owns what it
 * writes there, its capabilities still end at its user namespace. */
static int plan_ids(const struct al_oci_extra *x, struct al_spec *spec, struct al_err *err)
{
	const struct al_oci_idmaps *u = &x->uid_mappings, *g = &x->gid_mappings;
	if (x->ns[AL_OCI_NS_USER].listed && (u->n || g->n)) {
		if (u->n != 1 || g->n != 1 || u->v[0].container_id != g->v[0].container_id)
			return al_err_set(err, ENOTSUP,
					  "linux.uidMappings/gidMappings: one range each, from the same "
					  "container id, is supported");
		spec->ids.inside = u->v[0].container_id;
		spec->ids.host_uid = u->v[0].host_id;
		spec->ids.host_gid = g->v[0].host_id;
		spec->ids.count = u->v[0].size;
		spec->ids.gid_count = g->v[0].size;
		return 0;
	}
	struct statfs st;
	if (!x->ns[AL_OCI_NS_USER].listed && !spec->read_only && spec->rootfs &&
	    statfs(spec->rootfs, &st) == 0 && st.f_type == OVERLAYFS_SUPER_MAGIC) {
		spec->ids.count = 65536; /* 0..65535 are the host's 0..65535 */
		return 0;
	}
	return 0;
}

/* ipc and uts not listed in linux.namespaces are the runtime's own, as under runc (network: the spec's
 * host setting); listed with a path, that one; listed without, a new one (NULL). */
static const char *ns_to_join(const struct al_oci_extra *x, enum al_oci_ns ns)
{
	if (x->ns[ns].path)
		return x->ns[ns].path;
	if (x->ns[ns].listed)
		return NULL;
	return ns == AL_OCI_NS_IPC ? "/proc/self/ns/ipc" : "/proc/self/ns/uts";
}

/* systemd's "a-b.slice" is the path a.slice/a-b.slice; "-.slice" (or none) the root. */
static char *expand_slice(const char *slice)
{
	if (!*slice || strcmp(slice, "-.slice") == 0)
		return al_xstrdup("");
	size_t n = strlen(slice);
	if (n <= 6 || strcmp(slice + n - 6, ".slice") != 0)
		return NULL;
	char *out = al_xstrdup("");
	for (const char *dash = slice; (dash = strchr(dash, '-')) && dash < slice + n - 6; dash++) {
		char *longer = al_xasprintf("%s%.*s.slice/", out, (int)(dash - slice), slice);
		free(out);
		out = longer;
	}
	char *all = al_xasprintf("%s%s", out, slice);
	free(out);
	return all;
}

/* Where the container's cgroup goes, as PARENT/LEAF. linux.cgroupsPath "/a/b/c" (or "a/b/c") is
 * a/b + c, "/c" is c at the hierarchy's root; systemd's "slice:prefix:name" (what --systemd-cgroup
 * callers pass; cgroupfs is used) is the slice's path + prefix-name.scope; none goes under
 * airlock-runtime/<id>. A leaf that is not a plain name becomes a random one. */
static int cgroup_place(const char *path, const char *id, char **parent, char **leaf, struct al_err *err)
{
	_cleanup_free_ char *dir = NULL, *base = NULL;
	const char *colon = path ? strchr(path, ':') : NULL;
	if (colon) {
		const char *second = strchr(colon + 1, ':');
		if (!second)
			return al_err_set(err, EINVAL, "linux.cgroupsPath %s: expected slice:prefix:name",
					  path);
		_cleanup_free_ char *slice = al_xstrndup(path, (size_t)(colon - path));
		dir = expand_slice(*slice ? slice : "system.slice");
		if (!dir)
			return al_err_set(err, EINVAL, "linux.cgroupsPath %s: %s is not a slice", path,
					  slice);
		base = al_xasprintf("%.*s%s%s.scope", (int)(second - colon - 1), colon + 1,
				    second > colon + 1 ? "-" : "", second + 1);
	} else if (path && path[strspn(path, "/")]) {
		const char *p = path + strspn(path, "/"), *slash = strrchr(p, '/');
		dir = slash ? al_xstrndup(p, (size_t)(slash - p)) : al_xstrdup("");
		base = al_xstrdup(slash ? slash + 1 : p);
	}
	if (dir && (strstr(dir, "..") || strstr(dir, "//")))
		return al_err_set(err, EINVAL, "linux.cgroupsPath %s: invalid", path);
	*parent = al_xstrdup(dir ? dir : "airlock-runtime"); /* "/c": c at the hierarchy's root, as runc */
	const char *name = base && al_cgroup_valid_name(base) ? base : al_cgroup_valid_name(id) ? id : NULL;
	if (name) {
		*leaf = al_xstrdup(name);
		return 0;
	}
	char hex[25];
	if (al_random_hex(hex, 12) < 0)
		return al_err_set(err, EIO, "random cgroup name");
	*leaf = al_xstrdup(hex);
	return 0;
}

/* Everything of create up to a waiting pid 1; *pid1 and the saved state on success. */
static int do_create(const struct create_args *a, struct rt_container *c, pid_t *pid1, struct al_err *err)
{
	struct al_spec spec;
	struct al_oci_extra x;
	al_spec_init(&spec);
	int console = -1, listen_fd = -1, r = -1;
	json_t *hooks = NULL;
	_cleanup_free_ char *bundle = NULL, *cg_parent = NULL, *cgroup = NULL;
	if (al_oci_load(a->bundle, &spec, &x, err) < 0 || check_supported(&x, &spec, a, err) < 0)
		goto out;
	bundle = realpath(a->bundle, NULL);
	if (!bundle) {
		al_err_sys(err, errno, "bundle %s", a->bundle);
		goto out;
	}
	if (rt_container_new(a->id, c, err) < 0)
		goto out;
	hooks = read_hooks(bundle);
	if (cgroup_place(x.cgroups_path, a->id, &cg_parent, &cgroup, err) < 0)
		goto out;
	record_state(c, &spec, &x, bundle, cg_parent, cgroup, hooks);
	spec.tty = x.terminal;
	spec.interactive = true;
	spec.rootfs_in_place = true; /* root.readonly false: the bundle's rootfs is the writable layer */
	if (x.ns[AL_OCI_NS_NETWORK].path)
		spec.network = AL_NET_HOST; /* the joined one: no new network namespace */
	apply_extras(&x, &spec);
	warn_unapplied(&x);
	if (plan_ids(&x, &spec, err) < 0)
		goto out;
	if (prepare_seccomp(c, &x, &spec, err) < 0 || (listen_fd = listen_exec_socket(c, err)) < 0 ||
	    (a->console && (console = rt_connect_unix(a->console, "--console-socket", err)) < 0))
		goto out;
	unsigned long mapped = spec.ids.gid_count ? spec.ids.gid_count
			       : spec.ids.count	  ? spec.ids.count
						  : 65536;
	struct create_ctx cc = {.c = c, .x = &x, .hooks = hooks, .gid_hi = spec.ids.inside + mapped - 1};
	struct al_create_opts o = {
	    .id = cgroup,
	    .cgroup_parent = cg_parent,
	    .exec_listen_fd = listen_fd,
	    .console_fd = console,
	    .console_rows = x.console_height,
	    .console_cols = x.console_width,
	    .join_net = x.ns[AL_OCI_NS_NETWORK].path,
	    .join_ipc = ns_to_join(&x, AL_OCI_NS_IPC),
	    .join_uts = ns_to_join(&x, AL_OCI_NS_UTS),
	    .namespaces_ready = on_namespaces,
	    .created = on_created,
	    .ctx = &cc,
	};
	if (al_create(&spec, &o, pid1, err) < 0)
		goto out;
	char start[32];
	snprintf(start, sizeof start, "%llu", rt_proc_start_time(*pid1));
	json_object_set_new(c->state, "pid", json_integer(*pid1));
	json_object_set_new(c->state, "starttime", json_string(start));
	if (rt_container_save(c, err) < 0 || rt_write_pid_file(a->pid_file, *pid1, err) < 0) {
		kill(*pid1, SIGKILL);
		waitpid(*pid1, NULL, 0);
		struct al_cgroup *cg = NULL;
		struct al_err ignored = {0};
		if (al_cgroup_open(RT_CGROUP_ROOT, cg_parent, cgroup, &cg, &ignored) == 0)
			al_cgroup_destroy(cg);
		goto out;
	}
	r = 0;
out:
	al_closep(&console);
	al_closep(&listen_fd);
	json_decref(hooks);
	al_oci_extra_free(&x);
	al_spec_free(&spec);
	return r;
}

int rt_cmd_create(int argc, char **argv)
{
	struct create_args a;
	int pr = parse_create_args(argc, argv, "create", &a);
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	struct rt_container c = {.dirfd = -1};
	struct al_err err = {0};
	pid_t pid;
	int r = 0;
	if (do_create(&a, &c, &pid, &err) < 0) {
		if (c.dirfd >= 0) /* made by this create */
			rt_container_remove(&c);
		r = rt_fail("create: %s", err.msg);
	}
	rt_container_free(&c);
	return r;
}

/* ---- start ------------------------------------------------------------------------------------- */

static int load(const char *verb, const char *id, struct rt_container *c)
{
	struct al_err err = {0};
	if (rt_container_load(id, c, &err) < 0) {
		rt_container_free(c);
		return rt_fail("%s: %s", verb, err.msg);
	}
	return 0;
}

static int one_id(int argc, char **argv, const char *verb, const char *usage)
{
	static const struct option longs[] = {{"help", no_argument, NULL, 'h'}, {0}};
	optind = 0;
	for (int c; (c = getopt_long(argc, argv, "+h", longs, NULL)) != -1;) {
		if (c == 'h') {
			printf("Usage: airlock-runtime %s ID\n%s\n", verb, usage);
			return -1;
		}
		return rt_fail("%s: unknown flag %s", verb, argv[optind - 1]);
	}
	if (argc - optind != 1)
		return rt_fail("%s: requires exactly one container id", verb);
	return 0;
}

static int do_start(struct rt_container *c, struct al_err *err)
{
	const char *status = rt_container_status(c);
	if (strcmp(status, RT_STATUS_CREATED) != 0)
		return al_err_set(err, EINVAL, "cannot start a container that is %s", status);
	pid_t pid = rt_container_pid(c);
	const json_t *hooks = json_object_get(c->state, "hooks");
	_cleanup_json_ json_t *st = rt_container_oci_state(c, RT_STATUS_CREATED);
	if (rt_hooks_run(hooks, "startContainer", st, pid, err) < 0)
		return -1;
	int conn = rt_container_connect(c, err), inner;
	if (conn < 0 || al_exec_start(conn, &inner, err) < 0)
		return -1;
	json_object_set_new(c->state, "started", json_true());
	if (rt_container_save(c, err) < 0)
		return -1;
	_cleanup_json_ json_t *running = rt_container_oci_state(c, RT_STATUS_RUNNING);
	struct al_err herr = {0};
	(void)rt_hooks_run(hooks, "poststart", running, 0, &herr); /* warned, not fatal */
	return 0;
}

int rt_cmd_start(int argc, char **argv)
{
	int pr = one_id(argc, argv, "start", "Start the command of a created container.");
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	struct rt_container c;
	if (load("start", argv[optind], &c) != 0)
		return 1;
	struct al_err err = {0};
	int r = do_start(&c, &err) < 0 ? rt_fail("start: %s: %s", c.id, err.msg) : 0;
	rt_container_free(&c);
	return r;
}

/* ---- delete ------------------------------------------------------------------------------------ */

static void wait_pidfd(int pidfd, int ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while (poll(&p, 1, ms) < 0 && errno == EINTR)
		;
}

/* SIGKILL pid 1 (its pid namespace, exec'd processes included, dies with it); a paused container is
 * thawed so that the signal can land. Waits up to 5 s. */
/* A frozen process does not die of SIGKILL until it is thawed (cgroup v1's freezer). */
static void thaw_after_kill(const struct rt_container *c)
{
	struct al_cgroup *cg = rt_container_open_cgroup(c);
	struct al_err err = {0};
	if (cg && al_cgroup_frozen(cg))
		(void)al_cgroup_freeze(cg, false, &err);
	al_cgroup_release(cg);
}

static void kill_container(struct rt_container *c)
{
	_cleanup_close_ int pidfd = rt_container_pidfd(c);
	if (pidfd < 0)
		return;
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	thaw_after_kill(c);
	wait_pidfd(pidfd, 5000);
}

static void delete_container(struct rt_container *c)
{
	kill_container(c);
	al_cgroup_destroy(rt_container_open_cgroup(c));
	_cleanup_json_ json_t *st = rt_container_oci_state(c, RT_STATUS_STOPPED);
	struct al_err err = {0};
	(void)rt_hooks_run(json_object_get(c->state, "hooks"), "poststop", st, 0, &err); /* warned */
	rt_container_remove(c);
}

int rt_cmd_delete(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"force", no_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool force = false;
	optind = 0;
	for (int ch; (ch = getopt_long(argc, argv, "+fh", longs, NULL)) != -1;) {
		if (ch == 'f') {
			force = true;
			continue;
		}
		if (ch == 'h') {
			puts("Usage: airlock-runtime delete [--force] ID\nDelete a stopped (or, with "
			     "--force, any) "
			     "container: its init, cgroup and state.");
			return 0;
		}
		return rt_fail("delete: unknown flag %s", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return rt_fail("delete: requires exactly one container id");
	const char *id = argv[optind];
	struct rt_container c;
	struct al_err err = {0};
	if (rt_container_load(id, &c, &err) < 0) {
		/* a create that died half-way leaves a directory without state: --force removes it */
		if (force && err.errnum == ENOENT && rt_valid_id(id)) {
			rt_container_remove(&c);
			rt_container_free(&c);
			return 0;
		}
		rt_container_free(&c);
		return rt_fail("delete: %s", err.msg);
	}
	const char *status = rt_container_status(&c);
	int r = 0;
	if (!force && strcmp(status, RT_STATUS_STOPPED) != 0 && strcmp(status, RT_STATUS_CREATED) != 0)
		r = rt_fail("delete: cannot delete container %s that is not stopped: %s", id, status);
	else
		delete_container(&c);
	rt_container_free(&c);
	return r;
}

/* ---- run --------------------------------------------------------------------------------------- */

/* What a foreground run passes on to pid 1 (which passes them on to the command). */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};

/* Foreground: the runtime is pid 1's parent; signals go to pid 1, which passes them on to the command
 * (SIGKILL ends it all); its exit status is ours. */
static int wait_foreground(pid_t pid)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < AL_ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0); /* our child: even as a zombie */
	int status = 0;
	while (pidfd >= 0) {
		struct pollfd p[2] = {{pidfd, POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		while (sfd >= 0 && read(sfd, &si, sizeof si) == sizeof si)
			kill(pid, (int)si.ssi_signo);
		if (p[0].revents)
			break;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (sfd >= 0)
		close(sfd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rt_cmd_run(int argc, char **argv)
{
	struct create_args a;
	int pr = parse_create_args(argc, argv, "run", &a);
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	sigset_t set, old;
	sigemptyset(&set);
	for (size_t i = 0; i < AL_ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	if (!a.detach)
		sigprocmask(SIG_BLOCK, &set, &old);
	struct rt_container c = {.dirfd = -1};
	struct al_err err = {0};
	pid_t pid;
	int r;
	if (do_create(&a, &c, &pid, &err) < 0) {
		if (c.dirfd >= 0) /* made by this create */
			rt_container_remove(&c);
		r = rt_fail("run: %s", err.msg);
	} else if (do_start(&c, &err) < 0) {
		delete_container(&c);
		r = rt_fail("run: %s", err.msg);
	} else if (a.detach) {
		r = 0;
	} else {
		r = wait_foreground(pid);
		delete_container(&c);
	}
	rt_container_free(&c);
	return r;
}

/* ---- state, kill, pause, resume ---------------------------------------------------------------- */

int rt_cmd_state(int argc, char **argv)
{
	int pr = one_id(argc, argv, "state", "Print the container's state (runtime-spec's JSON).");
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	struct rt_container c;
	if (load("state", argv[optind], &c) != 0)
		return 1;
	_cleanup_json_ json_t *st = rt_container_oci_state(&c, rt_container_status(&c));
	char *text = json_dumps(st, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("%s\n", text);
	free(text);
	rt_container_free(&c);
	return 0;
}

int rt_cmd_kill(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"all", no_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool all = false;
	optind = 0;
	for (int ch; (ch = getopt_long(argc, argv, "+ah", longs, NULL)) != -1;) {
		if (ch == 'a') {
			all = true;
			continue;
		}
		if (ch == 'h') {
			puts("Usage: airlock-runtime kill [--all] ID [SIGNAL]\nSend SIGNAL (default TERM) to "
			     "the "
			     "container's init, which passes it on to the command; --all: to every process.");
			return 0;
		}
		return rt_fail("kill: unknown flag %s", argv[optind - 1]);
	}
	if (argc - optind < 1 || argc - optind > 2)
		return rt_fail("kill: usage: kill [--all] ID [SIGNAL]");
	int sig = SIGTERM;
	struct al_err err = {0};
	if (argc - optind == 2 && al_parse_signal(argv[optind + 1], &sig, &err) < 0)
		return rt_fail("kill: %s", err.msg);
	struct rt_container c;
	if (load("kill", argv[optind], &c) != 0)
		return 1;
	int r = 0;
	_cleanup_close_ int pidfd = rt_container_pidfd(&c);
	if (pidfd < 0) {
		r = rt_fail("kill: %s: container not running", c.id); /* runc's words: shims match them */
	} else if (all) {
		struct al_cgroup *cg = rt_container_open_cgroup(&c);
		pid_t *pids = NULL;
		size_t n = 0;
		if (al_cgroup_pids(cg, &pids, &n, &err) < 0)
			r = rt_fail("kill: %s", err.msg);
		for (size_t i = 0; i < n; i++)
			kill(pids[i], sig);
		free(pids);
		al_cgroup_release(cg);
	} else if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0) {
		r = rt_fail("kill: container %s: %s", c.id, strerror(errno));
	}
	if (pidfd >= 0 && sig == SIGKILL)
		thaw_after_kill(&c);
	rt_container_free(&c);
	return r;
}

static int freeze(int argc, char **argv, const char *verb, bool frozen)
{
	int pr = one_id(argc, argv, verb,
			frozen ? "Freeze every process of the container (cgroup freezer)."
			       : "Thaw a paused container.");
	if (pr != 0)
		return pr < 0 ? 0 : pr;
	struct rt_container c;
	if (load(verb, argv[optind], &c) != 0)
		return 1;
	const char *status = rt_container_status(&c), *need = frozen ? RT_STATUS_RUNNING : RT_STATUS_PAUSED;
	int r = 0;
	struct al_err err = {0};
	struct al_cgroup *cg = NULL;
	if (strcmp(status, need) != 0)
		r = rt_fail("%s: container %s is %s, not %s", verb, c.id, status, need);
	else if (!(cg = rt_container_open_cgroup(&c)))
		r = rt_fail("%s: container %s has no cgroup", verb, c.id);
	else if (al_cgroup_freeze(cg, frozen, &err) < 0)
		r = rt_fail("%s: %s", verb, err.msg);
	al_cgroup_release(cg);
	rt_container_free(&c);
	return r;
}

int rt_cmd_pause(int argc, char **argv)
{
	return freeze(argc, argv, "pause", true);
}

int rt_cmd_resume(int argc, char **argv)
{
	return freeze(argc, argv, "resume", false);
}

/* ---- list, ps ---------------------------------------------------------------------------------- */

static int format_flag(const char *arg, bool *json, const char *verb)
{
	if (strcmp(arg, "json") == 0)
		*json = true;
	else if (strcmp(arg, "table") == 0)
		*json = false;
	else
		return rt_fail("%s: --format %s: expected table or json", verb, arg);
	return 0;
}

int rt_cmd_list(int argc, char **argv)
{
	static const struct option longs[] = {{"format", required_argument, NULL, 'f'},
					      {"quiet", no_argument, NULL, 'q'},
					      {"help", no_argument, NULL, 'h'},
					      {0}};
	bool json = false, quiet = false;
	optind = 0;
	for (int ch; (ch = getopt_long(argc, argv, "+f:qh", longs, NULL)) != -1;) {
		if (ch == 'f' && format_flag(optarg, &json, "list") != 0)
			return 1;
		if (ch == 'q')
			quiet = true;
		if (ch == 'h') {
			puts("Usage: airlock-runtime list [--format table|json] [--quiet]\nList the "
			     "containers.");
			return 0;
		}
		if (ch == '?')
			return rt_fail("list: unknown flag %s", argv[optind - 1]);
	}
	json_t *arr = json_array();
	DIR *d = opendir(rt_g.root);
	for (struct dirent *e; d && (e = readdir(d));) {
		struct rt_container c;
		struct al_err err = {0};
		if (e->d_name[0] == '.' || rt_container_load(e->d_name, &c, &err) < 0) {
			rt_container_free(&c);
			continue;
		}
		json_array_append_new(arr, rt_container_oci_state(&c, rt_container_status(&c)));
		rt_container_free(&c);
	}
	if (d)
		closedir(d);
	size_t i;
	json_t *s;
	if (json) {
		char *text = json_dumps(arr, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	} else {
		if (!quiet)
			printf("%-20s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
			       "CREATED", "OWNER");
		json_array_foreach (arr, i, s) {
			const char *id = json_string_value(json_object_get(s, "id"));
			if (quiet)
				printf("%s\n", id);
			else
				printf("%-20s %-8lld %-10s %-40s %-30s %s\n", id,
				       (long long)json_integer_value(json_object_get(s, "pid")),
				       json_string_value(json_object_get(s, "status")),
				       json_string_value(json_object_get(s, "bundle")),
				       json_string_value(json_object_get(s, "created")), "root");
		}
	}
	json_decref(arr);
	return 0;
}

int rt_cmd_ps(int argc, char **argv)
{
	static const struct option longs[] = {
	    {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0}};
	bool json = false;
	optind = 0;
	for (int ch; (ch = getopt_long(argc, argv, "+f:h", longs, NULL)) != -1;) {
		if (ch == 'f' && format_flag(optarg, &json, "ps") != 0)
			return 1;
		if (ch == 'h') {
			puts("Usage: airlock-runtime ps [--format table|json] ID\nThe container's processes "
			     "(host "
			     "pids).");
			return 0;
		}
		if (ch == '?')
			return rt_fail("ps: unknown flag %s", argv[optind - 1]);
	}
	if (argc - optind < 1)
		return rt_fail("ps: requires a container id");
	struct rt_container c;
	if (load("ps", argv[optind], &c) != 0)
		return 1;
	struct al_cgroup *cg = rt_container_open_cgroup(&c);
	pid_t *pids = NULL;
	size_t n = 0;
	struct al_err err = {0};
	int r = al_cgroup_pids(cg, &pids, &n, &err) < 0 ? rt_fail("ps: %s", err.msg) : 0;
	if (r == 0 && json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
	} else if (r == 0) {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t i = 0; i < n; i++) {
			char path[64], cmd[512];
			snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pids[i]);
			ssize_t len = al_read_file_at(AT_FDCWD, path, cmd, sizeof cmd);
			for (ssize_t k = 0; k < len - 1; k++)
				if (cmd[k] == '\0')
					cmd[k] = ' ';
			printf("%-8d %s\n", (int)pids[i], len > 0 ? cmd : "?");
		}
	}
	free(pids);
	al_cgroup_release(cg);
	rt_container_free(&c);
	return r;
}
