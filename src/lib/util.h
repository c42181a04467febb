/* util.h: scope-bound cleanup helpers and small file helpers shared by every module.
 * Everything here is async-signal-safe unless it allocates; see each comment. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"

#define AL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void al_freep(void *p)
{
	free(*(void **)p);
}
static inline void al_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
	*fd = -1;
}
#define _cleanup_free_	__attribute__((cleanup(al_freep)))
#define _cleanup_close_ __attribute__((cleanup(al_closep)))

/* Hand ownership out of a cleanup-scoped variable. */
#define steal_pointer(pp)                                                                                    \
	({                                                                                                   \
		__typeof__(*(pp)) _v = *(pp);                                                                \
		*(pp) = NULL;                                                                                \
		_v;                                                                                          \
	})
#define steal_fd(fdp)                                                                                        \
	({                                                                                                   \
		int _fd = *(fdp);                                                                            \
		*(fdp) = -1;                                                                                 \
		_fd;                                                                                         \
	})

/* Write all of buf to fd, retrying on EINTR and short writes. Returns 0 or -errno. Signal-safe. */
int al_write_all(int fd, const void *buf, size_t len);
/* Send len bytes of buf on a socket with fd attached (SCM_RIGHTS; -1 = none), flags as sendmsg's
 * (MSG_NOSIGNAL is always added), retrying on EINTR. Returns 0 or -errno. */
int al_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags);
/* A unix socket of `type` bound at dirfd/name (mode 0600, a stale name replaced) and listening. The
 * address goes through /proc/self/fd/DIRFD: a directory's absolute path may be longer than a socket
 * address holds. Returns the fd (close-on-exec) or -errno. */
int al_unix_listen_at(int dirfd, const char *name, int type);
/* A unix socket of `type` connected to dirfd/name, addressed the same way (AT_FDCWD: name is the
 * path itself). Returns the fd (close-on-exec) or -errno. */
int al_unix_connect_at(int dirfd, const char *name, int type);
/* Read up to len bytes, retrying on EINTR until len bytes or EOF. Returns bytes read or -errno. */
ssize_t al_read_all(int fd, void *buf, size_t len);
/* Write a string to dirfd/path (O_WRONLY|O_CLOEXEC, no create). Returns 0 or -errno. Signal-safe. */
int al_write_file_at(int dirfd, const char *path, const char *data, size_t len);
/* Read a small file (at most cap-1 bytes) into buf, NUL-terminated. Returns bytes or -errno. */
ssize_t al_read_file_at(int dirfd, const char *path, char *buf, size_t cap);
/* mkdir -p relative to dirfd with mode; existing directories are fine. Returns 0 or -errno. */
int al_mkdir_p_at(int dirfd, const char *path, mode_t mode);
/* rm -r of dirfd/name (no symlink followed; read-only directories made writable first). 0 or -errno;
 * an absent name is not an error. */
int al_rm_tree_at(int dirfd, const char *name);
/* Every signal back to its default action (ignored ones would stay ignored across exec). Signal-safe. */
void al_reset_signal_handlers(void);
/* Monotonic clock in nanoseconds. */
uint64_t al_now_ns(void);
/* Wall-clock time in nanoseconds since the epoch (what RFC 3339 times are compared with). */
long long al_realtime_ns(void);
/* The current time as docker writes it: RFC 3339 with nanoseconds, UTC. Caller frees. */
char *al_time_now_rfc3339(void);
/* Parse such a time back: nanoseconds since the epoch, 0 when it is not one. */
long long al_time_parse_rfc3339(const char *s);
/* Fill buf with n random bytes (getrandom). Returns 0 or -errno. */
int al_random_bytes(void *buf, size_t n);
/* Whether s is min to max lower-case hex characters and nothing else. */
bool al_is_hex(const char *s, size_t min, size_t max);
/* n bytes as 2n lower-case hex characters and a NUL. */
void al_hex(const void *data, size_t n, char *out);
/* 2*nbytes random lower-case hex characters and a NUL into out (ids). Returns 0 or -errno. */
int al_random_hex(char *out, size_t nbytes);
/* Allocation that aborts on failure: out-of-memory in a CLI runtime is not recoverable. */
void *al_xmalloc(size_t n);
void *al_xcalloc(size_t n, size_t size);
void *al_xrealloc(void *p, size_t n);
char *al_xstrdup(const char *s);
char *al_xstrndup(const char *s, size_t n);
/* NULL-terminated string vectors: append a copy of s (keeping the NULL), free all. */
void al_strv_push(char ***v, size_t *n, const char *s);
void al_strv_free(char **v);
char *al_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
