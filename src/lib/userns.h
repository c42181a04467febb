/* userns.h: user namespace id mappings: root maps sandbox ids to an unprivileged host range,
 * rootless maps the caller's own id; and the helper namespaces that idmap rw volumes. */
#pragma once

#include <sys/types.h>

#include "error.h"
#include "sandbox.h"

/* Host range for root-run sandboxes: /etc/subuid and /etc/subgid entries of user "airlock" when
 * present, else AL_DEFAULT_HOST_BASE, 65536 ids. */
#define AL_DEFAULT_HOST_BASE 2147483648u
#define AL_ROOT_RANGE	     65536u

/* Decide the mapping for this caller and spec. */
int al_idmap_plan(const struct al_spec *spec, struct al_idmap *map, struct al_err *err);
/* Parent side: write /proc/pid/{setgroups,uid_map,gid_map}. */
int al_idmap_write(pid_t pid, const struct al_idmap *map, struct al_err *err);
/* Root only: a user namespace fd mapping host owner ids (uid, gid) to the sandbox user's host ids,
 * for mount_setattr(MOUNT_ATTR_IDMAP) on rw volumes. */
int al_idmap_volume_userns(uid_t owner_uid, gid_t owner_gid, uid_t sandbox_host_uid, gid_t sandbox_host_gid,
			   int *out_fd, struct al_err *err);
