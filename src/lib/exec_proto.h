/* exec_proto.h: the wire format between `airlock exec` (exec.c) and pid 1 of a named sandbox
 * (zygote.c), over a unix stream socket in the sandbox's state directory.
 *
 * Request: one struct al_exec_hdr with the caller's stdin, stdout and stderr attached (SCM_RIGHTS; none
 * with AL_EXEC_TTY), then payload_len bytes: argc strings, envc strings, then the working directory,
 * each NUL-terminated. Replies: struct al_exec_reply messages; AL_EXEC_PTY carries the pty master.
 * The caller may send AL_EXEC_SIGNAL replies-shaped messages to forward a signal. */
#pragma once

#include <stdint.h>

#define AL_EXEC_MAGIC	    0x616c7845u /* "alxE" */
#define AL_EXEC_MAX_PAYLOAD (4u << 20)

enum {
	AL_EXEC_TTY = 1 << 0,	 /* a pty made in the sandbox; its master goes back to the caller */
	AL_EXEC_DETACH = 1 << 1, /* the caller does not wait: no hang-up kill, no exit status */
	AL_EXEC_USER = 1 << 2,	 /* uid/gid given (-u) */
	AL_EXEC_ROOT = 1 << 3,	 /* no process: send back an O_PATH fd of the sandbox's root (cp) */
	AL_EXEC_START = 1 << 4,	 /* no process: start the command of a created container (runtime) */
};

struct al_exec_hdr {
	uint32_t magic;
	uint32_t flags;
	uint32_t uid, gid;
	uint16_t rows, cols; /* AL_EXEC_TTY: the caller's window size, 0 = unknown */
	uint32_t argc, envc;
	uint32_t payload_len;
};

enum al_exec_reply_kind {
	AL_EXEC_STARTED = 1, /* value: the process's pid inside the sandbox */
	AL_EXEC_PTY = 2,     /* the pty master rides along */
	AL_EXEC_EXITED = 3,  /* value: its wait status */
	AL_EXEC_FAILED = 4,  /* value: exit status to report (125); msg says why */
	AL_EXEC_SIGNAL = 5,  /* caller to pid 1: value is a signal for the process */
	AL_EXEC_ROOTFD = 6,  /* the sandbox's root directory rides along */
};

struct al_exec_reply {
	uint32_t kind;
	int32_t value;
	char msg[256];
};
