/* image_internal.h: what the image store's files share: the store's directories and locks, SHA-256,
 * layer unpacking and tree removal. Not part of libairlock's API. */
#pragma once

#include <jansson.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

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

/* Open (creating) the store; gc_lock_op is LOCK_SH for adding content, LOCK_EX for removing it. */
int image_store_open(struct image_store *st, int gc_lock_op, struct al_err *err);
void image_store_close(struct image_store *st);
/* flock the metadata lock (exclusive) for a read-modify-write of repositories.json. Returns the fd. */
int image_store_lock_meta(struct image_store *st, struct al_err *err);

/* A fresh directory tmp/<random> in the store; *name_out is its name under tmp. */
int image_tmpdir(struct image_store *st, char **name_out, struct al_err *err);

void image_sha256_hex(const void *data, size_t len, char hex[AL_SHA256_HEX_LEN + 1]);
void image_sha256_digest_hex(struct sha256_ctx *ctx, char hex[AL_SHA256_HEX_LEN + 1]);
/* "sha256:HEX" with 64 lower-case hex digits: the HEX part, or NULL. */
const char *image_digest_hex(const char *digest);
/* Exactly 64 lower-case hex digits. */
static inline bool image_is_hex64(const char *s)
{
	return al_is_hex(s, AL_SHA256_HEX_LEN, AL_SHA256_HEX_LEN);
}

/* Read a whole small file (at most max bytes) beneath dirfd (symlinks must stay beneath). */
int image_read_file_at(int dirfd, const char *path, size_t max, char **buf_out, size_t *len_out,
		       struct al_err *err);
/* Write data to dirfd/name atomically (a temporary name, fsync, rename). */
int image_write_file_atomic(int dirfd, const char *name, const void *data, size_t len, struct al_err *err);

/* What to check about a layer blob, and what unpacking it found. */
struct layer_expect {
	const char *diff_id;	 /* sha256 hex of the uncompressed tar, or NULL when unknown */
	const char *blob_digest; /* sha256 hex of the blob as stored (compressed), or NULL */
};
struct layer_result {
	char diff_id[AL_SHA256_HEX_LEN + 1];
	uint64_t size;		  /* bytes of regular file content */
	unsigned skipped_devices; /* device nodes not created (rootless) */
	bool reused;		  /* the layer was already in the store */
};
/* Unpack the layer blob read from blob_fd (label names it in messages) into layers/sha256/<diffid>,
 * verifying what `expect` gives. Whiteouts become overlayfs whiteouts. A layer already present is not
 * unpacked again (res->reused). */
int image_unpack_layer(struct image_store *st, int blob_fd, const char *label,
		       const struct layer_expect *expect, struct layer_result *res, struct al_err *err);
/* Open a file beneath dirfd (symlinks may not leave it). Returns the fd or -1 with errno. */
int image_open_beneath(int dirfd, const char *path, int flags);

/* A pax tar written to fd and hashed as written (the diff id of what it writes). */
struct archive_entry;
struct tar_writer {
	int fd;
	struct sha256_ctx sha;
	uint64_t written;
};
/* Each returns 0 or -errno. Data follows its header; finish pads it to the block. */
int image_tar_write_header(struct tar_writer *w, struct archive_entry *e);
int image_tar_write_data(struct tar_writer *w, const void *buf, size_t n);
int image_tar_finish_entry(struct tar_writer *w);
int image_tar_close(struct tar_writer *w);

/* An image ready to be recorded: its config's original bytes, their sha256, its tags ("name:tag"). */
struct image_new {
	char *config;
	size_t config_len;
	char id[AL_SHA256_HEX_LEN + 1];
	char **tags; /* NULL-terminated, normalized; may be empty */
};
void image_new_free(struct image_new *img);

/* Parse a config and return its rootfs.diff_ids as hex strings (NULL-terminated, strv). */
int image_config_diff_ids(const char *config, size_t len, char ***hex_out, struct al_err *err);
/* Record images: their configs, then all their tags in one update of repositories.json. Every layer
 * their configs name must be in the store already. */
int image_commit(struct image_store *st, struct image_new *imgs, size_t n, struct al_err *err);
