/* oci_config.h: an OCI bundle's config.json (runtime-spec 1.0 to 1.2) read into struct al_spec, and
 * struct al_oci_extra: everything the document asks that the spec does not carry, kept for the runtime. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* linux.namespaces[].type, in runtime-spec's spelling (al_oci_ns_name). */
enum al_oci_ns {
	AL_OCI_NS_PID,
	AL_OCI_NS_NETWORK,
	AL_OCI_NS_MOUNT,
	AL_OCI_NS_IPC,
	AL_OCI_NS_UTS,
	AL_OCI_NS_USER,
	AL_OCI_NS_CGROUP,
	AL_OCI_NS_TIME,
	AL_OCI_NS_COUNT
};

struct al_oci_namespace {
	bool listed; /* the type is in linux.namespaces: a new one, or the one at path */
	char *path;  /* absolute: join this namespace instead of creating one; NULL = create */
};

/* linux.uidMappings / gidMappings. */
struct al_oci_idmap {
	uint32_t container_id, host_id, size;
};
struct al_oci_idmaps {
	struct al_oci_idmap *v;
	size_t n;
};

/* hooks.<phase>, in runtime-spec's order of execution (al_oci_hook_phase_name). */
enum al_oci_hook_phase {
	AL_OCI_HOOK_PRESTART,
	AL_OCI_HOOK_CREATE_RUNTIME,
	AL_OCI_HOOK_CREATE_CONTAINER,
	AL_OCI_HOOK_START_CONTAINER,
	AL_OCI_HOOK_POSTSTART,
	AL_OCI_HOOK_POSTSTOP,
	AL_OCI_HOOK_COUNT
};

struct al_oci_hook {
	char *path;	    /* absolute */
	char **args, **env; /* NULL-terminated, or NULL when absent */
	size_t n_args, n_env;
	int timeout; /* seconds, 0 = none */
};
struct al_oci_hooks {
	struct al_oci_hook *v;
	size_t n;
};

/* process.capabilities.<set> (al_oci_capset_name); bit N = capability N. */
enum al_oci_capset {
	AL_OCI_CAP_BOUNDING,
	AL_OCI_CAP_EFFECTIVE,
	AL_OCI_CAP_INHERITABLE,
	AL_OCI_CAP_PERMITTED,
	AL_OCI_CAP_AMBIENT,
	AL_OCI_CAP_SETS
};

/* A kernel filesystem airlock always mounts itself (proc at /proc, sysfs at /sys, devpts at /dev/pts,
 * mqueue at /dev/mqueue, tmpfs at /dev and /dev/shm, cgroup or cgroup2 at /sys/fs/cgroup, and the
 * rootless spelling of the last two: a bind of the host's /sys or /sys/fs/cgroup onto itself): requested,
 * recognised, not a spec mount. */
struct al_oci_kernel_mount {
	char *type; /* as written ("bind" when absent on a bind) */
	char *source, *destination;
	char **options; /* all of them, NULL-terminated (or NULL) */
	size_t n_options;
};

/* The options of spec->mounts[mount] that airlock does not apply (and that do not hold anyway):
 * "noexec", "rslave", "tmpcopyup", "uid=1000", "z"... The runtime decides whether it can go without. */
struct al_oci_mount_options {
	size_t mount;
	char **options; /* NULL-terminated */
	size_t n_options;
};

/* linux.devices[]: a node to create in the sandbox's /dev. */
struct al_oci_device {
	char type; /* 'c', 'b', 'u' or 'p' */
	char *path;
	int64_t major, minor; /* 0 for 'p' */
	bool has_file_mode, has_uid, has_gid;
	mode_t file_mode;
	uid_t uid;
	gid_t gid;
};

/* Annotations "run.airlock.<name>" = "true" | "false": airlock's own hardening, each on by default.
 *   run.airlock.landlock          Landlock (also sets spec->landlock)
 *   run.airlock.seccomp-baseline  airlock's default seccomp filter under the config's own
 *   run.airlock.close-fds         close every inherited fd but stdio (and the runtime's)
 *   run.airlock.new-session       the command in a new session (setsid)
 * Any other run.airlock.* key, or another value, is an error. */
struct al_oci_switches {
	bool landlock, seccomp_baseline, close_fds, new_session;
};

/* What a runtime-spec 1.2 config.json asks that struct al_spec does not carry (yet): kept so that the
 * runtime can honour it or refuse it explicitly. Absent values are 0/NULL/false unless said otherwise. */
struct al_oci_extra {
	char *oci_version;
	char *root_path; /* root.path as written; spec->rootfs is it made absolute and resolved */
	char *domainname;

	/* process */
	bool terminal;
	bool has_console_size;
	unsigned console_height, console_width;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
	bool capabilities_given; /* process.capabilities present (absent: airlock keeps none) */
	uint64_t caps[AL_OCI_CAP_SETS];
	char **unknown_caps; /* names al_parse_cap does not know (newer kernels'): not granted */
	size_t n_unknown_caps;
	bool no_new_privileges; /* airlock sets no_new_privs regardless */
	char *apparmor_profile, *selinux_label, *mount_label;

	/* linux */
	struct al_oci_namespace ns[AL_OCI_NS_COUNT];
	struct al_oci_idmaps uid_mappings, gid_mappings;
	char **sysctl; /* "KEY=VALUE", in the document's order */
	size_t n_sysctl;
	char **masked_paths, **readonly_paths;
	size_t n_masked_paths, n_readonly_paths;
	struct al_oci_device *devices;
	size_t n_devices;
	char *rootfs_propagation;
	char *cgroups_path;
	/* linux.resources without what went into spec->limits (memory.limit, memory.swap, pids.limit,
	 * cpu.quota with cpu.period); objects left empty are removed, NULL when nothing is left. */
	json_t *resources_unmapped;
	json_t *seccomp; /* linux.seccomp as written (runtime-spec's format, not docker's); NULL = absent */

	struct al_oci_hooks hooks[AL_OCI_HOOK_COUNT];

	struct al_oci_kernel_mount *kernel_mounts;
	size_t n_kernel_mounts;
	struct al_oci_mount_options *mount_options;
	size_t n_mount_options;

	char **annotations; /* "KEY=VALUE", all of them, in the document's order */
	size_t n_annotations;
	struct al_oci_switches airlock; /* default: all true */

	/* Keys this reader does not interpret, as places ("linux.intelRdt", "process.scheduler",
	 * "mounts[3].uidMappings", "windows"): the runtime refuses what it cannot ignore. */
	char **unread_keys;
	size_t n_unread_keys;
};

/* Read BUNDLE_DIR/config.json into *spec (set up by the caller with al_spec_init) and *x (overwritten:
 * no set-up needed). Mapping:
 *   process.args → argv; process.env → env (in order; a repeated KEY keeps its first place, last value);
 *   process.cwd → workdir (absolute); process.user.uid/gid → uid/gid, user_given;
 *   process.rlimits (RLIMIT_NOFILE...) → rlimits; process.capabilities: bounding ∩ permitted → caps_keep;
 *   root.path (relative to the bundle) → rootfs (absolute, resolved, an existing directory);
 *   root.readonly → read_only (runtime-spec's default is false); hostname → hostname;
 *   mounts: bind (type "bind", or a "bind"/"rbind" option) and tmpfs → mounts; airlock's own kernel
 *   filesystems → x->kernel_mounts; any other type is an error;
 *   linux.namespaces: "network" listed (with or without a path) → network none, not listed → host;
 *   linux.resources: memory.limit/swap, pids.limit, cpu.quota/period → limits, the rest kept;
 *   annotations run.airlock.landlock → landlock.
 * The spec must then pass al_spec_validate. Returns 0, or -1 with a one-line message naming the place
 * ("config.json: process.args: expected a non-empty array of strings"); either way *spec stays the
 * caller's to al_spec_free and *x to al_oci_extra_free. */
int al_oci_load(const char *bundle_dir, struct al_spec *spec, struct al_oci_extra *x, struct al_err *err);
void al_oci_extra_free(struct al_oci_extra *x);
/* `exec --process FILE`: one runtime-spec process object, read as config.json's "process" is. */
int al_oci_load_process(const char *path, struct al_spec *spec, struct al_oci_extra *x, struct al_err *err);

/* runtime-spec's names: "network", "createRuntime", "bounding". */
const char *al_oci_ns_name(enum al_oci_ns ns);
const char *al_oci_hook_phase_name(enum al_oci_hook_phase phase);
const char *al_oci_capset_name(enum al_oci_capset set);
