/* landlock.h: the filesystem and IPC scoping layer, applied where the kernel has Landlock.
 * Child side: after pivot_root, so the rules name the sandbox's own paths. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The kernel's Landlock ABI version, 0 when absent or disabled. Cached after the first call. */
int al_landlock_abi(void);

/* Restrict the calling process: every write-type filesystem access is denied except beneath the
 * paths in writable[] (inside the sandbox, e.g. rw volumes and tmpfs targets; a file entry gets the
 * file rights only; a missing entry is an error) and on the existing nodes beneath /dev (write,
 * truncate, device ioctls: null, tty, ptmx, pts/N; nothing may be created or removed there, so list
 * /dev/shm in writable[] if it is to be usable). Reads and execution stay as the mounts allow.
 * With root_writable, "/" is writable (throwaway layer). Where the ABI allows (6), abstract unix
 * sockets and signals are scoped to the sandbox. Requires no_new_privs (checked). Returns 0 when
 * Landlock is absent (nothing to do; the caller reports it), -1 with *err on failure. No malloc. */
int al_landlock_apply(const char *const *writable, size_t n_writable, bool root_writable, struct al_err *err);
