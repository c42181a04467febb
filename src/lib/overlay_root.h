/* overlay_root.h: a rootfs that is an overlayfs mount (docker's and podman's container root), rebuilt
 * read-only from its layers, each idmapped: the kernel cannot idmap an overlay mount itself. Launcher
 * side, as root. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Whether path is on an overlayfs. */
bool al_overlay_is(const char *path);
/* A detached read-only overlay of the layers of the overlay mounted at path (its upperdir on top of
 * its lowerdirs, relative ones taken from <path>/../..), each idmapped with the user namespace userns.
 * Returns the mount's fd, or -1 with *err (the layers cannot be read from /proc/self/mountinfo, or the
 * kernel cannot take layers by fd: Linux 6.13). */
int al_overlay_relayer(const char *path, int userns, struct al_err *err);
