/* mounts.h: the sandbox's root (a rootfs, an image's layers as an overlay, or the host's), built from
 * pieces on a private tmpfs, and pivot_root into it. Child side, inside the new namespaces. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "sandbox.h"

/* Scratch state while the root is built: mounts that become read-only at the end. */
struct al_root_build {
	int root_fd;	      /* the scaffold tmpfs (the future "/") */
	int scaffold_fds[64]; /* tmpfs mounts made by airlock that are read-only unless --read-only=false */
	size_t n_scaffold;
	char *pieces[256]; /* rootfs pieces bound into the scaffold, paths relative to the root */
	size_t n_pieces;
	bool host_root;	      /* the host's root with the secret-hiding defaults */
	bool rootfs_writable; /* an image's overlay with its own throwaway upper layer (--read-only=false),
			       * or a rootfs written in place (spec->rootfs_in_place) */
};

/* Detached mount fds of host device nodes, taken before the host root disappears. */
struct al_host_nodes {
	int fds[8];
	size_t n;
};

/* With the host's root, these directories are empty private tmpfs (THREATS.md 2), writable inside. */
#define AL_N_HIDDEN_HOST_DIRS 8
extern const char *const al_hidden_host_dirs[AL_N_HIDDEN_HOST_DIRS];

/* Open (O_PATH) a path inside the new root, symlinks resolved inside it (RESOLVE_IN_ROOT). */
int al_open_in_root(int root_fd, const char *path, int flags);
/* A fresh tmpfs as a detached mount. mode as octal text; size 0 = kernel default. */
int al_tmpfs_detached(const char *mode, uint64_t size, unsigned attr_flags, struct al_err *err);
/* Make sure `path` exists inside the root (directory, or empty file when !dir), creating it in a
 * scaffold tmpfs and splitting read-only pieces when needed. The rootfs itself is never written.
 * Returns an O_PATH fd of the target. */
int al_ensure_target(struct al_root_build *b, const char *path, bool dir, struct al_err *err);
/* Attach a detached tree at an O_PATH target fd. */
int al_attach(int tree_fd, int target_fd, const char *what, struct al_err *err);

/* Build the whole root: the image's overlay when spec->layers is set, scaffold, rootfs pieces,
 * host-root defaults, /proc /sys /dev (devices.c), volumes, tmpfs, workdir. Attaches the scaffold at a
 * private staging point and chdirs there. */
int al_root_build(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err);
/* The last step before pivot: the scaffold read-only (or the throwaway writable layer). */
int al_root_finalize(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err);
/* pivot_root into the scaffold (the cwd) and detach the host's root. */
int al_root_pivot(struct al_err *err);
void al_root_build_release(struct al_root_build *b);
