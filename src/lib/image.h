/* image.h: the image store: content-addressed layers unpacked once under <data>/images, images by id
 * (sha256 of their config, as docker) and by NAME:TAG. Sandboxes mount an overlay of an image's layers. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Import a root filesystem: a directory tree or a tarball (plain, gzip, zstd, xz, bzip2) becomes one
 * layer of a new image tagged `ref` (NAME[:TAG], tag "latest" by default). *id_out ("sha256:HEX") may be
 * NULL; the caller frees it. */
int al_image_import(const char *src, const char *ref, char **id_out, struct al_err *err);

/* Load `docker save` archives and OCI image layouts, each as a tar file (optionally compressed) or an
 * unpacked directory. Every digest the format gives is verified. *refs_out (may be NULL) receives a
 * NULL-terminated list of the tags loaded ("sha256:HEX" for an untagged image); free it with
 * al_image_strv_free. A failed load leaves the store as it was. */
int al_image_load(const char *src, char ***refs_out, struct al_err *err);
/* As al_image_load; an OCI ref.name annotation that is a bare tag ("bookworm-slim") is tagged as
 * `name_for_bare_tags`:TAG (the repository a puller asked for); NULL leaves such images untagged. */
int al_image_load_named(const char *src, const char *name_for_bare_tags, char ***refs_out,
			struct al_err *err);

/* The layer directories of an image, top layer first, for overlayfs lowerdir=; NULL-terminated, free
 * with al_image_strv_free. Whiteouts are stored as overlayfs understands them: as root 0:0 character
 * devices and trusted.overlay.opaque (user.overlay.opaque too, so a userxattr mount works as well);
 * rootless user.overlay.whiteout files in user.overlay.opaque=x directories, which needs the "userxattr"
 * mount option (Linux 6.7 or later). *config_out (may be NULL) receives the image's config object
 * (Env, Cmd, Entrypoint, WorkingDir, User, Labels; keys absent when unset). Unknown image: "No such
 * image: REF". */
int al_image_lowerdirs(const char *ref, char ***dirs_out, json_t **config_out, struct al_err *err);

/* Resolve NAME[:TAG], "sha256:HEX" or an unambiguous id prefix to the full id "sha256:HEX". */
int al_image_resolve(const char *ref, char **id_out, struct al_err *err);

/* One JSON object per image: {"Id","RepoTags":[...],"Created","Size"}, newest first. */
int al_image_list(json_t **list_out, struct al_err *err);
/* docker image inspect's object for one image: Id, RepoTags, RepoDigests, Created, Size, Architecture,
 * Os, Config{Env,Cmd,Entrypoint,WorkingDir,User,Labels,...}, RootFS{Type,Layers}. */
int al_image_inspect(const char *ref, json_t **out, struct al_err *err);
/* Remove a tag; the image and its unshared layers go when no tag is left. An id with several tags needs
 * `force`. (Images used by sandboxes are not yet protected: the sandbox registry does not exist yet.)
 * *removed_out (may be NULL) lists "Untagged: REF" and "Deleted: sha256:HEX" lines as docker prints. */
int al_image_remove(const char *ref, bool force, char ***removed_out, struct al_err *err);
/* Tag the image `src` resolves to as `dst` (NAME[:TAG]), replacing an existing tag as docker does. */
int al_image_tag(const char *src, const char *dst, struct al_err *err);

/* Normalize NAME[:TAG] to "name:tag" (docker.io/library/ dropped, tag "latest" by default); NULL and
 * an error naming the reference when it is not valid. Caller frees. */
char *al_image_normalize_ref(const char *ref, struct al_err *err);

void al_image_strv_free(char **v);

/* Make spec->image (a reference) the sandbox's root: spec->image_id and spec->layers, and what the
 * image's config says where the command line left it unset, as docker does: argv = Entrypoint (or
 * `entrypoint`, when not NULL; "" = none) + the given command or else the image's Cmd; Env for keys
 * not already set; WorkingDir when no -w; User when no -u (a name is looked up in the image's
 * /etc/passwd and /etc/group). Unknown image: "No such image: REF". */
int al_spec_apply_image(struct al_spec *spec, const char *entrypoint, struct al_err *err);
