/* sandbox.h: the state shared by the launcher (parent side) and the child pipeline (inside).
 * Internal to libairlock: front doors use launch.h. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "seccomp.h"
#include "spec.h"

/* What pid 1 tells the launcher over the status pipe. */
enum al_child_msg_kind {
	AL_CHILD_SETUP_FAILED = 1, /* msg names what failed; errnum is the errno */
	AL_CHILD_EXITED = 2,	   /* the command ended: status is a wait status */
	AL_CHILD_PTY = 3,	   /* -t: the pty master, made in the sandbox's devpts, rides along */
	AL_LAUNCHER_ROOTFS =
	    4, /* launcher to child: the rootfs, idmapped to the sandbox's ids, rides along */
};

struct al_child_msg {
	int kind;
	int errnum;
	int status;
	char msg[1024];
};

/* The sandbox's id mapping. */
struct al_idmap {
	uid_t host_uid; /* host id of sandbox id `inside_uid` */
	gid_t host_gid;
	uid_t inside_uid; /* first mapped id inside */
	gid_t inside_gid;
	unsigned count; /* ids mapped */
	bool rootless;	/* setgroups denied, single id */
};

/* Everything the child pipeline needs, prepared by the parent before clone. */
struct al_sandbox {
	struct al_spec *spec;
	char id[32]; /* random hex, names the cgroup and the default hostname */
	struct al_idmap map;
	int sync_fd;   /* child reads one byte: maps written, cgroup joined */
	int status_fd; /* child sends struct al_child_msg (a SOCK_SEQPACKET socket: fds can ride along) */
	int *mount_src_fds; /* per spec mount: a prepared detached tree (idmapped volume) or -1 */
	int tty_slave;	    /* -t: the slave side of the sandbox's pty once made, else -1 */
	int rootfs_tree;    /* a detached idmapped tree of the rootfs from the launcher, else -1 */
	struct al_bpf bpf;  /* seccomp program, or len 0 when unconfined */
};

/* The child pipeline: runs as the sandbox's pid 1 and never returns. */
__attribute__((noreturn)) void al_child_main(struct al_sandbox *sb);
/* Send one message, with fd (or -1) attached. Returns 0 or -errno. */
int al_child_msg_send(int sock, const struct al_child_msg *msg, int fd);
/* Receive one message; *fd gets an attached fd or -1. Returns bytes (0 at EOF) or -errno. */
ssize_t al_child_msg_recv(int sock, struct al_child_msg *msg, int *fd);
/* Report a setup failure to the launcher and exit. Never returns. */
__attribute__((noreturn)) void al_child_fail(struct al_sandbox *sb, const struct al_err *err);
