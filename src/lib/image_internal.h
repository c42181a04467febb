/* image_internal.h: what the image store's files share: the store's directories and locks, SHA-256,
 * layer unpacking and tree removal. Not part of libairlock's API. */
#pragma once

#include <jansson.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define AL_SHA256_HEX_LEN 64

/* <data>/images and its fds. Layers live in layers/sha256/<diffid>/{fs,size}, configs in
 * configs/<id>.json (the original bytes, so their sha256 is the image id), tags in repositories.json. */
struct image_store {
	char *root;    /* <data>/images */
	int root_fd;   /* O_DIRECTORY */
	int layers_fd; /* layers/sha256 */
	int tmp_fd;    /* tmp: every unpack happens here, then is renamed into place */
	int gc_lock;   /* layers.lock: shared while loading, exclusive while removing layers */
};

int image_store_open(struct image_store *st, struct al_err *err);
void image_store_close(struct image_store *st);
/* flock the metadata lock (exclusive) for a read-modify-write of repositories.json. Returns the fd. */
int image_store_lock_meta(struct image_store *st, struct al_err *err);

/* A fresh directory tmp/<random> in the store; *name_out is its name under tmp. */
int image_tmpdir(struct image_store *st, char **name_out, struct al_err *err);
/* rm -rf of dirfd/name, restoring write permission on directories the tree made read-only. */
int image_rm_tree_at(int dirfd, const char *name);

void image_sha256_hex(const void *data, size_t len, char hex[AL_SHA256_HEX_LEN + 1]);
void image_sha256_digest_hex(struct sha256_ctx *ctx, char hex[AL_SHA256_HEX_LEN + 1]);
/* "sha256:HEX" with 64 lower-case hex digits: the HEX part, or NULL. */
const char *image_digest_hex(const char *digest);
bool image_is_hex64(const char *s);

/* Read a whole small file (at most max bytes) beneath dirfd (symlinks must stay beneath). */
int image_read_file_at(int dirfd, const char *path, size_t max, char **buf_out, size_t *len_out,
		       struct al_err *err);
/* Write data to dirfd/name atomically (a temporary name, fsync, rename). */
int image_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, struct al_err *err);

/* What to check about a layer blob, and what unpacking it found. */
struct layer_expect {
	const char *diff_id;	/* sha256 hex of the uncompressed tar, or NULL when unknown */
	const char *blob_digest; /* sha256 hex of the blob as stored (compressed), or NULL */
};
struct layer_result {
	char diff_id[AL_SHA256_HEX_LEN + 1];
	uint64_t size;		 /* bytes of regular file content */
	unsigned skipped_devices; /* device nodes not created (rootless) */
	bool reused;		 /* the layer was already in the store */
};
/* Unpack the layer blob at blob_dirfd/blob_path into layers/sha256/<diffid>, verifying what `expect`
 * gives. Whiteouts become overlayfs whiteouts. A layer already present is not unpacked again. */
int image_unpack_layer(struct image_store *st, int blob_dirfd, const char *blob_path,
		       const struct layer_expect *expect, struct layer_result *res, struct al_err *err);

/* Record an image: its config bytes (id = their sha256, verified against want_id when given) and
 * tags; every layer its config names must be in the store. *id_out is "sha256:HEX". */
int image_commit(struct image_store *st, const char *config, size_t config_len, const char *want_id,
		 char *const *tags, char **id_out, struct al_err *err);
