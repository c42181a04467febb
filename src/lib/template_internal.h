/* template_internal.h: what the template evaluator's two files share: a function call's arguments, its
 * errors, Go's view of JSON values, and the printing in template_fmt.c. Not part of libairlock's API. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define MAX_CALL_ARGS 32 /* operands in one command, the function's name included */

struct exec;
struct operand;

/* A function's arguments, evaluated: new references, NULL for a missing value. */
struct call {
	const struct operand *fn;
	json_t *argv[MAX_CALL_ARGS];
	const struct operand *ops[MAX_CALL_ARGS]; /* where each argument is written; NULL when piped */
	size_t argc;
};

/* ---- template.c: values and errors ------------------------------------------------------------------- */

json_t *tmpl_new_string(const char *s, size_t len);
bool tmpl_is_nil(json_t *v);
bool tmpl_as_integer(json_t *v, long long *out);
const char *tmpl_go_type(json_t *v);
const char **tmpl_sorted_keys(json_t *obj);

int tmpl_arg_error(struct exec *x, const struct call *c, size_t i, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int tmpl_want_string(struct exec *x, const struct call *c, size_t i, const char **s, size_t *len);

/* ---- template_fmt.c: printing ------------------------------------------------------------------------ */

/* A string built with stdio; the caller owns data after tmpl_strbuf_close. */
struct strbuf {
	char *data;
	size_t len;
	FILE *f;
};

FILE *tmpl_strbuf_open(struct strbuf *b);
void tmpl_strbuf_close(struct strbuf *b);
json_t *tmpl_strbuf_to_json(struct strbuf *b);

size_t tmpl_utf8_encode(uint32_t r, char *out);
void tmpl_fmt_value(FILE *f, json_t *v, char verb, bool nested);
void tmpl_print_value(FILE *f, json_t *v);

int tmpl_fn_json(struct exec *x, const struct call *c, json_t **result);
int tmpl_fn_printf(struct exec *x, const struct call *c, json_t **result);
