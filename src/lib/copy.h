/* copy.h: the library half of `airlock cp`: files and trees copied between the host and a running sandbox
 * with docker cp's rules, every path inside the sandbox resolved beneath the sandbox's root. */
#pragma once

#include <sys/types.h>

#include "error.h"

/* Copy host path `src` into the sandbox whose root directory is `root_fd` (an O_PATH or O_DIRECTORY fd of
 * /proc/PID/root of the sandbox's pid 1), to the path `dst` as seen inside the sandbox. Files and
 * directories created get owner uid:gid (host ids; (uid_t)-1 keeps the caller's). Returns 0 or -1 with *err.
 *
 * docker cp's rules. SRC a file: DST absent becomes that file (its parent must exist); DST ending in "/"
 * must be an existing directory; an existing file is rewritten in place; an existing directory receives
 * DST/basename(SRC). SRC a directory: DST absent is created with SRC's contents; an existing directory
 * receives DST/basename(SRC), or SRC's contents when SRC ends with "/."; an existing file is an error.
 * Trees are copied with mode bits and times; symlinks stay symlinks with their text, hard links become
 * separate files, devices, fifos and sockets are skipped, set-user-ID and set-group-ID bits of files are
 * dropped. A symlink as the last component of DST is followed (inside the root) only when it names a
 * directory; otherwise it is replaced. */
int al_copy_in(int root_fd, const char *src, const char *dst, uid_t uid, gid_t gid, struct al_err *err);
/* Copy `src` (a path inside the sandbox) out to the host path `dst`, with the same rules. Files created
 * belong to the caller; set-user-ID and set-group-ID bits from the sandbox are dropped. */
int al_copy_out(int root_fd, const char *src, const char *dst, struct al_err *err);
