/* template.h: docker's `--format` templates, the subset of Go's text/template that agent platforms pass to
 * `inspect -f` and `ps --format`, executed over a JSON value; anything outside the subset is an error.
 *
 * The subset: text; actions {{ PIPELINE }} with trim markers {{- and -}}; operands . .Field.Path "str"
 * `raw` 42 true false nil; functions json, index, join, lower, upper, printf (%s %d %v %q, optional - and
 * width); pipelines a | f b (the value is f's last argument); {{if}} {{else if}} {{else}} {{end}};
 * {{range}} {{else}} {{end}} with dot bound to each element (map values in key order).
 * Printing follows docker: strings raw, integers as integers, maps as map[k:v ...] with sorted keys, arrays
 * as [a b], a missing field as <no value>, a JSON null as <nil>; `json` is docker's (no HTML escaping). */
#pragma once

#include <jansson.h>

#include "error.h"

/* Render tmpl with root as dot. On success *out is a malloc'd NUL-terminated string; on failure -1 and a
 * one-line err in Go's words ("template: :1: function \"foo\" not defined"), *out untouched. */
int al_template_render(const char *tmpl, json_t *root, char **out, struct al_err *err);
