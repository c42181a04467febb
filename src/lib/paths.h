/* paths.h: where airlock keeps its state: /run/airlock and /var/lib/airlock as root,
 * $XDG_RUNTIME_DIR/airlock and ~/.local/share/airlock rootless. Overridable for tests. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* True when airlock runs as host root (euid 0 in the initial user namespace). */
bool al_is_root(void);
/* Persistent data directory (named volumes, images); created on demand. Caller frees. */
char *al_data_dir(void);
/* Runtime state directory (running sandboxes); created on demand. Caller frees. */
char *al_runtime_dir(void);
/* Cache directory (compiled seccomp programs). Caller frees. */
char *al_cache_dir(void);
/* The host directory of named volume `name`, created (0755, owned by the caller) on first use. */
int al_named_volume_path(const char *name, char **out, struct al_err *err);
