/* spec_json.h: struct al_spec as JSON and back, losslessly: the "Spec" object of a sandbox's config.json,
 * written by `airlock create` and read by whichever process later starts the sandbox. */
#pragma once

#include <jansson.h>

#include "error.h"
#include "spec.h"

/* The spec as the "Spec" object of a sandbox's config.json. Never fails (aborts on OOM like al_x*).
 * Strings are taken as they are: one that is not UTF-8 makes json_dumps fail, so it is refused when the
 * config is written rather than altered. The CLI-call fields json and json_path are not stored, nor the
 * limits' *_defaulted flags. */
json_t *al_spec_to_json(const struct al_spec *spec);
/* Fill *spec (set up by al_spec_init by the caller) from such an object. Every key is optional and
 * takes al_spec_init's default when absent or null (a NULL or null obj is all defaults); a key of the
 * wrong type is an error naming it ("config: Spec.Mounts[2].Target: expected a string"). Inside a mount
 * Type and Target (and Source for a bind) are required, inside an ulimit Name, Soft and Hard. Returns 0
 * or -1 with *err; on error *spec may be partly filled and is still the caller's to al_spec_free. */
int al_spec_from_json(const json_t *obj, struct al_spec *spec, struct al_err *err);
