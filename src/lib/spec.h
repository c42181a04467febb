/* spec.h: struct al_spec, the one in-memory description of a sandbox that every front door fills.
 * CLI flags, OCI config.json and (later) API JSON all become this struct; one launcher runs it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "error.h"

enum al_mount_kind {
	AL_MOUNT_BIND,	/* host path (or named volume) bound into the sandbox */
	AL_MOUNT_TMPFS, /* private, size-capped tmpfs */
};

struct al_mount {
	enum al_mount_kind kind;
	char *source;  /* BIND: absolute host path, or a volume name when is_named */
	char *target;  /* absolute path inside the sandbox, normalised (no "." "..", no trailing /) */
	bool readonly; /* BIND: ro; TMPFS: never */
	bool is_named; /* BIND: source is a named volume kept under the state directory */
	uint64_t size; /* TMPFS: bytes, 0 = default (see mounts.c) */
	mode_t mode;   /* TMPFS: permission bits; has_mode says whether it was given */
	bool has_mode;
	char *options; /* BIND: the option string as given ("ro,z"), docker's Mode; NULL if none */
	unsigned long propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE (| MS_REC) as an OCI
				    * config asks; 0 = airlock's private mount */
};

struct al_rlimit {
	int resource; /* RLIMIT_* */
	rlim_t soft, hard;
};

enum al_network {
	AL_NET_NONE, /* own network namespace with only lo (default) */
	AL_NET_HOST, /* the host's network namespace: explicit opt-in only */
};

/* Limits: 0 (or -1 where stated) means "not set". */
struct al_limits {
	int64_t memory;	     /* bytes, 0 = none */
	int64_t memory_swap; /* bytes of memory+swap as docker; 0 = not set, -1 = unlimited swap */
	int64_t cpus_milli;  /* 1000 = one CPU; 0 = none */
	int64_t pids;	     /* 0 = none; -1 = unlimited (explicit) */
	bool memory_defaulted, pids_defaulted; /* set by the launcher when it applied a default */
	bool freezer; /* the group can be paused (v1: joins the freezer hierarchy); airlock-runtime's */
	/* An OCI config's softer memory settings (airlock-runtime): 0 / -1 / false = not set. */
	int64_t memory_reservation; /* bytes: v1 memory.soft_limit_in_bytes, v2 memory.low */
	bool has_swappiness;	    /* memory_swappiness is set (v1 only) */
	int memory_swappiness;	    /* 0-100 */
	bool oom_kill_disable;	    /* v1 memory.oom_control */
	int64_t kernel_tcp;	    /* bytes of TCP buffers: v1 memory.kmem.tcp.limit_in_bytes, 0 = none */
};

struct al_spec {
	char **argv; /* NULL-terminated command */
	size_t argc;

	char *rootfs; /* NULL = the host's root with the secret-hiding defaults */
	/* An image's root: an overlay of its layers. image is the reference as the user gave it (docker's
	 * .Config.Image), image_id "sha256:HEX"; layers are directories, top layer first, NULL-terminated. */
	char *image;
	char *image_id;
	char **layers;
	size_t n_layers;
	bool read_only; /* default true; false = throwaway writable layer over the root */
	/* With read_only false and a rootfs: writes go to the rootfs itself, as an OCI runtime's do (the
	 * bundle's rootfs is the container's own layer), not to a throwaway one. airlock-runtime's. */
	bool rootfs_in_place;

	struct al_mount *mounts; /* volumes and tmpfs, in command-line order */
	size_t n_mounts;

	/* Capabilities kept inside the sandbox: bit N = capability N. Default 0 (all dropped). */
	uint64_t caps_keep;
	/* The inheritable and ambient sets (within caps_keep), empty as docker's unless an OCI config
	 * asks (airlock-runtime). */
	uint64_t caps_inheritable, caps_ambient;
	gid_t *groups; /* supplementary groups (process.user.additionalGids); none by default */
	size_t n_groups;

	/* Seccomp: NULL profile = airlock's built-in default allowlist. */
	char *seccomp_profile;	 /* path to a docker-format JSON profile */
	bool seccomp_unconfined; /* requested seccomp=unconfined */
	bool allow_weakening;	 /* --allow-unconfined: the explicit opt-in that lets unconfined through */
	bool landlock;		 /* default true: Landlock where the kernel has it */

	struct al_limits limits;
	struct al_rlimit *rlimits;
	size_t n_rlimits;
	uint64_t timeout_ms; /* 0 = none */

	enum al_network network;
	/* Egress through airlock's proxy (any rule given turns it on; the network stays "none"): host
	 * patterns (see egress.h), deny wins over allow. */
	char **egress_allow;
	size_t n_egress_allow;
	char **egress_deny;
	size_t n_egress_deny;
	char *egress_log;	   /* JSON lines, one per connection; NULL = none */
	uint64_t egress_rate;	   /* bytes per second for the whole sandbox, 0 = unlimited */
	unsigned egress_max_conns; /* concurrent connections, 0 = the proxy's default */

	char **env; /* "KEY=VAL" strings, NULL-terminated, final environment of the command */
	size_t n_env;

	char *workdir; /* absolute; NULL = "/" */
	/* The user namespace's id mapping when the caller decides it (airlock-runtime: a config's
	 * uid/gidMappings): ids inside..inside+count-1 are host_uid.. and host_gid..; count 0 = airlock's
	 * own range (/etc/subuid "airlock", else 2^31). Root only. */
	struct {
		uint32_t inside, host_uid, host_gid, count;
		uint32_t gid_count; /* gids mapped, when not count */
	} ids;
	uid_t uid; /* inside the sandbox; default 0 */
	gid_t gid;
	bool user_given; /* -u was given (an image's User applies only otherwise) */
	char *hostname;	 /* NULL = "airlock" or the name */
	char *name;
	char **labels; /* "KEY=VAL", NULL-terminated (or NULL) */
	size_t n_labels;
	char **dns; /* nameservers written to the sandbox's /etc/resolv.conf */
	size_t n_dns;
	char **extra_hosts; /* "NAME:IP" lines added to the sandbox's /etc/hosts */
	size_t n_extra_hosts;
	bool init; /* --init: accepted for docker; pid 1 is always airlock's own init */

	/* What an OCI config adds (airlock-runtime; the named-sandbox store does not keep these):
	 * /dev/mqueue mounted; paths masked (empty read-only tmpfs or /dev/null) and made read-only on
	 * top of airlock's own lists; the root mount's propagation (MS_SHARED... | MS_REC, 0 = as is). */
	bool mqueue;
	char **masked_paths, **readonly_paths;
	size_t n_masked_paths, n_readonly_paths;
	unsigned long root_propagation;

	bool interactive; /* -i: stdin passed through; otherwise /dev/null */
	bool tty;	  /* -t: a pseudo-terminal */

	bool json;	 /* --json: print the result object */
	char *json_path; /* NULL = stderr */
};

/* The port of the egress proxy inside the sandbox: 127.0.0.1:AL_EGRESS_PORT. */
#define AL_EGRESS_PORT 3128
/* Whether the sandbox's egress goes through the proxy. */
static inline bool al_spec_egress(const struct al_spec *spec)
{
	return spec->n_egress_allow || spec->n_egress_deny;
}

/* With egress on, point HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (and lower case) at the door and set
 * NO_PROXY=localhost,127.0.0.1, for each key the user did not set. Idempotent. */
void al_spec_apply_egress_env(struct al_spec *spec);

/* Initialise with airlock's defaults (read-only, no network, all caps dropped, landlock on). */
void al_spec_init(struct al_spec *spec);
/* Free everything the spec owns; the struct itself is the caller's. */
void al_spec_free(struct al_spec *spec);
/* Append a mount (the strings are copied). */
struct al_mount *al_spec_add_mount(struct al_spec *spec, const struct al_mount *m);
/* Set or replace KEY=VAL in the environment ("KEY" alone removes nothing: see al_spec_setenv). */
void al_spec_setenv(struct al_spec *spec, const char *key, const char *val);
/* The value of KEY in the spec's environment, or NULL. */
const char *al_spec_getenv(const struct al_spec *spec, const char *key);
/* Add or replace an rlimit. */
void al_spec_set_rlimit(struct al_spec *spec, int resource, rlim_t soft, rlim_t hard);
/* Check that the rootfs is a directory and every bind source (not named volumes) exists on the host:
 * a typo is an error at create, not at start. Reads the host, changes nothing. */
int al_spec_check_sources(const struct al_spec *spec, struct al_err *err);
/* Check the spec as a whole: conflicts, relative targets, duplicate targets. Touches nothing. */
int al_spec_validate(const struct al_spec *spec, struct al_err *err);
