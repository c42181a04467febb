/* devices.h: the kernel interface filesystems inside the sandbox: a minimal /dev, a private /proc
 * with the OCI masked and read-only paths, a read-only /sys. Child side, before pivot_root. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* Mount /proc, /sys and /dev into the scaffold (the cwd). host_net: /sys is bound from the host
 * (a fresh sysfs needs our own network namespace). */
int al_kernfs_mount(bool host_net, struct al_err *err);
/* After every other mount: /dev read-only (its device nodes stay usable). */
int al_dev_seal(struct al_err *err);
