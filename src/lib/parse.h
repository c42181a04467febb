/* parse.h: parsers for every value a user types: sizes, durations, CPU counts, ulimits, volumes,
 * tmpfs specs, capability names, users, env files. Pure functions: they allocate but touch no system state.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* "1024", "512b", "64k", "100m", "1g", "1.5g" (docker's units, 1024-based, case-insensitive).
 * Rejects empty, negative, trailing junk, overflow. */
int al_parse_size(const char *s, uint64_t *out, struct al_err *err);
/* "10" (seconds), "10s", "500ms", "2m", "1h", "1m30s", "1.5s". Must be > 0. */
int al_parse_duration_ms(const char *s, uint64_t *out_ms, struct al_err *err);
/* "1", "0.5", "1.25" → thousandths of a CPU. Must be > 0 and at most the host's CPUs × 1000 is NOT
 * checked here (the launcher knows the host). */
int al_parse_cpus(const char *s, int64_t *out_milli, struct al_err *err);
/* docker --ulimit: "nofile=1024:2048", "nproc=256", "core=0", "stack=-1"; soft <= hard. */
int al_parse_ulimit(const char *s, struct al_rlimit *out, struct al_err *err);
/* docker -v: "SRC:DST[:OPTS]" with OPTS a comma list of ro, rw, z, Z (z/Z accepted, no-op).
 * SRC absolute → bind; SRC a name ([A-Za-z0-9][A-Za-z0-9_.-]*) → named volume. DST absolute, normalised.
 * Fills *out with malloc'd strings (free with al_mount_free). */
int al_parse_volume(const char *s, struct al_mount *out, struct al_err *err);
/* docker --tmpfs: "DST[:OPTS]" with OPTS size=N, mode=OCTAL, and docker's accepted no-op flags
 * (rw, nosuid, nodev, noexec, exec, suid, dev are accepted; ro is an error). */
int al_parse_tmpfs(const char *s, struct al_mount *out, struct al_err *err);
void al_mount_free(struct al_mount *m);
/* "NET_ADMIN" or "CAP_NET_ADMIN" (any case) → capability number; "ALL" → -1. */
int al_parse_cap(const char *s, int *out, struct al_err *err);
/* The canonical upper-case name without CAP_ ("NET_ADMIN") of capability n, or NULL. */
const char *al_cap_name(int n);
/* docker's --ulimit name of RLIMIT_* resource ("nofile"), or NULL. */
const char *al_ulimit_name(int resource);
/* "UID" or "UID:GID", numeric (0..65535: the sandbox's mapped range). GID defaults to UID. */
/* A signal: "KILL", "SIGKILL" or "9". */
int al_parse_signal(const char *s, int *sig, struct al_err *err);
int al_parse_user(const char *s, uid_t *uid, gid_t *gid, struct al_err *err);
/* An absolute path, normalised: collapses "//" and ".", rejects "..", strips a trailing "/".
 * "/" stays "/". Allocates *out. */
int al_normalize_abs_path(const char *s, const char *what, char **out, struct al_err *err);
/* -e KEY[=VAL]: "KEY=VAL" sets; "KEY" alone copies KEY from the caller's environment if set.
 * KEY must be non-empty and contain no '='. */
int al_env_apply_arg(struct al_spec *spec, const char *arg, struct al_err *err);
/* --env-file FILE: docker's format (KEY=VAL lines, KEY alone = from caller's env, # comments,
 * blank lines ignored). Read at call time. */
int al_env_apply_file(struct al_spec *spec, const char *path, struct al_err *err);
/* "true"/"false"/"1"/"0" for --flag=VALUE booleans. */
int al_parse_bool(const char *s, bool *out, const char *what, struct al_err *err);
