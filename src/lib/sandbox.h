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
	    4,		      /* launcher to child: the rootfs, idmapped to the sandbox's ids, rides along */
	AL_CHILD_STARTED = 5, /* the command runs: status is its pid inside; errnum its exec error or 0 */
	/* launcher to child: one image layer, idmapped, rides along; status is its index in spec->layers */
	AL_LAUNCHER_LAYER = 6,
	AL_CHILD_EGRESS =
	    7, /* the listening socket of the egress door, in the sandbox's netns, rides along */
	AL_CHILD_CREATED = 8, /* detached_init: confined and ready, waiting for AL_EXEC_START */
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
	unsigned count;	    /* ids mapped */
	unsigned gid_count; /* gids mapped, when not count (0) */
	bool rootless;	    /* setgroups denied, single id */
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
	int *layer_trees;   /* as root, per image layer: the launcher's idmapped tree; rootless NULL */
	struct al_bpf bpf;  /* seccomp program, or len 0 when unconfined */
	int exec_listen_fd; /* named sandboxes: pid 1 serves `airlock exec` on this socket, else -1 */
	bool report_start;  /* send AL_CHILD_STARTED once the command has exec'd */
	/* airlock-runtime: pid 1 outlives the launcher (no parent-death signal once created), starts the
	 * command when an AL_EXEC_START request comes on exec_listen_fd, and exits with its status. */
	bool detached_init;
	bool joined_ipc, joined_uts; /* the launcher joined an existing namespace: no new one, and (uts)
				      * no sethostname in a namespace that is not ours */
	int exec_errno;		     /* set by the vfork child when exec fails (shared memory), else 0 */
};

/* The child pipeline: runs as the sandbox's pid 1 and never returns. */
__attribute__((noreturn)) void al_child_main(struct al_sandbox *sb);
/* Send one message, with fd (or -1) attached. Returns 0 or -errno. */
int al_child_msg_send(int sock, const struct al_child_msg *msg, int fd);
/* Receive one message; *fd gets an attached fd or -1. Returns bytes (0 at EOF) or -errno. */
ssize_t al_child_msg_recv(int sock, struct al_child_msg *msg, int *fd);
/* pid 1 of a named sandbox once its command runs (command 0: detached_init, not started yet): reap,
 * forward stop signals to the command, serve exec requests (zygote.c). Never returns; exits when the
 * command does. */
__attribute__((noreturn)) void al_zygote_main(struct al_sandbox *sb, pid_t command);
/* pid 1: vfork the command (exec_command); its exec error, if any, is left in sb->exec_errno.
 * Returns its pid, or -errno. */
pid_t al_child_start_command(struct al_sandbox *sb);
/* Report a setup failure to the launcher and exit. Never returns. */
__attribute__((noreturn)) void al_child_fail(struct al_sandbox *sb, const struct al_err *err);
