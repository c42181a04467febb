/* devices.h: the kernel interface filesystems inside the sandbox: a minimal /dev, a private /proc
 * with the OCI masked and read-only paths, a read-only /sys. Child side, before pivot_root. */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Mount /proc, /dev (/dev/mqueue too when spec->mqueue) and /sys into the scaffold (the cwd), in the
 * order runtime-spec's default config lists them. With the host's network /sys is bound from the
 * host (a fresh sysfs needs our own network namespace). */
int al_kernfs_mount(const struct al_spec *spec, struct al_err *err);
/* After pivot_root: what the spec adds to the built-in lists (an OCI config's maskedPaths and
 * readonlyPaths, absolute), and the propagation of the root and of each mount. */
int al_path_rules_apply(const struct al_spec *spec, struct al_err *err);
/* After every other mount: /dev read-only (its device nodes stay usable). */
int al_dev_seal(struct al_err *err);
