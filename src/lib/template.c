/* template.c: the evaluator of docker `--format` templates: a parser for the subset of Go's text/template
 * platforms use, then an executor over jansson values; template_fmt.c prints the values as docker does. */
#include "template.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"
#include "util.h"

#define MAX_NESTING 100 /* {{if}} and {{range}} inside each other, {{else if}} chains included */

/* ---- arena: everything the parser allocates lives until the render returns ------------------------- */

struct arena_chunk {
	struct arena_chunk *next;
	max_align_t data[];
};

struct arena {
	struct arena_chunk *head;
};

static void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *c = al_xcalloc(1, sizeof *c + size);
	c->next = a->head;
	a->head = c;
	return c->data;
}

static void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
}

/* ---- the parsed template ----------------------------------------------------------------------------- */

enum operand_kind {
	OPERAND_DOT,
	OPERAND_FIELD,
	OPERAND_STRING,
	OPERAND_NUMBER,
	OPERAND_BOOL,
	OPERAND_NIL,
	OPERAND_FUNC
};

struct exec;
struct call;
typedef int (*function_impl)(struct exec *x, const struct call *c, json_t **result);

struct function {
	const char *name;
	size_t min_args, max_args; /* max_args SIZE_MAX: variadic */
	function_impl impl;
};

struct operand {
	enum operand_kind kind;
	size_t pos, len;     /* where it is written, for messages */
	const char **fields; /* OPERAND_FIELD: .A.B is {"A", "B"} */
	size_t nfields;
	char *str; /* OPERAND_STRING, decoded */
	size_t str_len;
	long long number;	     /* OPERAND_NUMBER; OPERAND_BOOL as 0 or 1 */
	const struct function *func; /* OPERAND_FUNC */
	struct operand *next;
};

/* A function and its arguments, or a single operand. */
struct command {
	struct operand *args;
	struct command *next;
};

struct pipeline {
	struct command *cmds;
	size_t pos, len;
};

enum node_kind { NODE_TEXT, NODE_ACTION, NODE_IF, NODE_RANGE };

struct node {
	enum node_kind kind;
	const char *text; /* NODE_TEXT: a slice of the template */
	size_t len;
	struct pipeline *pipe;
	struct node *body, *else_body;
	struct node *next;
};

/* ---- small helpers ----------------------------------------------------------------------------------- */

json_t *tmpl_new_string(const char *s, size_t len)
{
	json_t *j = json_stringn_nocheck(s, len);
	if (!j)
		abort(); /* out of memory, as al_xmalloc */
	return j;
}

bool tmpl_is_nil(json_t *v)
{
	return !v || json_is_null(v);
}

/* docker's numbers are Go ints: a JSON number without a fraction is one, whatever jansson parsed it as. */
bool tmpl_as_integer(json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	double d = json_is_real(v) ? json_real_value(v) : 0.5;
	if (d < -9.2e18 || d > 9.2e18 || (double)(long long)d != d)
		return false;
	*out = (long long)d;
	return true;
}

/* The Go type a value has in messages and in printf's %!verb(type=value). */
const char *tmpl_go_type(json_t *v)
{
	long long n;
	if (json_is_string(v))
		return "string";
	if (tmpl_as_integer(v, &n))
		return "int";
	if (json_is_real(v))
		return "float64";
	if (json_is_boolean(v))
		return "bool";
	if (json_is_object(v))
		return "map[string]interface {}";
	if (json_is_array(v))
		return "[]interface {}";
	return "interface {}";
}

/* Go's truth: false, 0, "", nil and empty arrays and maps are false. */
static bool is_true(json_t *v)
{
	if (tmpl_is_nil(v))
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0;
	case JSON_TRUE:
		return true;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	default:
		return false;
	}
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go prints and ranges over maps in key order. The array is malloc'd; the keys are the object's. */
const char **tmpl_sorted_keys(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = al_xcalloc(n ? n : 1, sizeof *keys);
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it))
		keys[i++] = json_object_iter_key(it);
	qsort(keys, n, sizeof *keys, compare_keys);
	return keys;
}

/* ---- execution state and its errors ------------------------------------------------------------------ */

struct exec {
	FILE *out;
	const char *src;
	struct al_err *err;
};

static void line_and_column(const char *src, size_t pos, int *line, int *col)
{
	size_t line_start = 0;
	*line = 1;
	for (size_t i = 0; i < pos; i++)
		if (src[i] == '\n') {
			(*line)++;
			line_start = i + 1;
		}
	*col = (int)(pos - line_start);
}

/* Go's words: template: :1:2: executing "" at <.A.B>: message. */
static int exec_verror(struct exec *x, size_t pos, size_t len, const char *prefix, const char *fmt,
		       va_list ap) __attribute__((format(printf, 5, 0)));
static int exec_verror(struct exec *x, size_t pos, size_t len, const char *prefix, const char *fmt,
		       va_list ap)
{
	char msg[512];
	int line, col;
	vsnprintf(msg, sizeof msg, fmt, ap);
	line_and_column(x->src, pos, &line, &col);
	return al_err_set(x->err, 0, "template: :%d:%d: executing \"\" at <%.*s>: %s%s", line, col, (int)len,
			  x->src + pos, prefix, msg);
}

static int exec_error(struct exec *x, size_t pos, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int exec_error(struct exec *x, size_t pos, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	exec_verror(x, pos, len, "", fmt, ap);
	va_end(ap);
	return -1;
}

/* A bad argument i, reported where it is written as Go does, else at the function (ARG_FN). */
#define ARG_FN SIZE_MAX
int tmpl_arg_error(struct exec *x, const struct call *c, size_t i, const char *fmt, ...)
{
	const struct operand *at = i < c->argc && c->ops[i] ? c->ops[i] : c->fn;
	va_list ap;
	va_start(ap, fmt);
	exec_verror(x, at->pos, at->len, "", fmt, ap);
	va_end(ap);
	return -1;
}

/* A failure inside the function: "error calling index: ...". */
static int call_error(struct exec *x, const struct call *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int call_error(struct exec *x, const struct call *c, const char *fmt, ...)
{
	char prefix[64];
	va_list ap;
	snprintf(prefix, sizeof prefix, "error calling %s: ", c->fn->func->name);
	va_start(ap, fmt);
	exec_verror(x, c->fn->pos, c->fn->len, prefix, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- the functions ----------------------------------------------------------------------------------- */

int tmpl_want_string(struct exec *x, const struct call *c, size_t i, const char **s, size_t *len)
{
	json_t *v = c->argv[i];
	if (!v)
		return tmpl_arg_error(x, c, i, "invalid value; expected string");
	if (!json_is_string(v))
		return tmpl_arg_error(x, c, i, "wrong type for value; expected string; got %s",
				      tmpl_go_type(v));
	*s = json_string_value(v);
	*len = json_string_length(v);
	return 0;
}

/* Go's ToUpper/ToLower; only ASCII letters change here. */
static int change_case(struct exec *x, const struct call *c, bool upper, json_t **result)
{
	const char *s = NULL;
	size_t len = 0;
	if (tmpl_want_string(x, c, 0, &s, &len) < 0)
		return -1;
	_cleanup_free_ char *copy = al_xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (upper && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!upper && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		copy[i] = ch;
	}
	*result = tmpl_new_string(copy, len);
	return 0;
}

static int fn_upper(struct exec *x, const struct call *c, json_t **result)
{
	return change_case(x, c, true, result);
}

static int fn_lower(struct exec *x, const struct call *c, json_t **result)
{
	return change_case(x, c, false, result);
}

static bool all_strings(json_t *container)
{
	size_t i;
	const char *key;
	json_t *e;
	if (json_is_array(container)) {
		json_array_foreach (container, i, e)
			if (!json_is_string(e))
				return false;
		return true;
	}
	json_object_foreach (container, key, e)
		if (!json_is_string(e))
			return false;
	return true;
}

/* strings.Join over a []string; a missing or null list is Go's nil slice. */
static int fn_join(struct exec *x, const struct call *c, json_t **result)
{
	json_t *list = c->argv[0], *e;
	const char *sep = NULL;
	size_t sep_len = 0, i;
	struct strbuf b;
	if (!tmpl_is_nil(list) && (!json_is_array(list) || !all_strings(list)))
		return tmpl_arg_error(x, c, 0, "wrong type for value; expected []string; got %s",
				      tmpl_go_type(list));
	if (tmpl_want_string(x, c, 1, &sep, &sep_len) < 0)
		return -1;
	FILE *f = tmpl_strbuf_open(&b);
	if (!tmpl_is_nil(list))
		json_array_foreach (list, i, e) {
			if (i > 0)
				fwrite(sep, 1, sep_len, f);
			fwrite(json_string_value(e), 1, json_string_length(e), f);
		}
	*result = tmpl_strbuf_to_json(&b);
	return 0;
}

/* index on a map. docker's string maps (Labels, Tmpfs) are map[string]string: a missing key gives Go's
 * zero string ""; other maps have no zero value to give and print <no value>. null is a nil map. */
static int index_map(struct exec *x, const struct call *c, json_t *map, json_t *key, json_t **next)
{
	if (tmpl_is_nil(key))
		return call_error(x, c, "value is nil; should be of type string");
	if (!json_is_string(key))
		return call_error(x, c, "value has type %s; should be string", tmpl_go_type(key));
	*next = json_is_null(map) ? NULL : json_object_get(map, json_string_value(key));
	if (!*next && (json_is_null(map) || all_strings(map)))
		*next = tmpl_new_string("", 0);
	else
		json_incref(*next);
	return 0;
}

/* index on an array, or on a string (a byte, as Go's). */
static int index_sequence(struct exec *x, const struct call *c, json_t *seq, json_t *key, json_t **next)
{
	long long k;
	size_t len = json_is_string(seq) ? json_string_length(seq) : json_array_size(seq);
	if (tmpl_is_nil(key))
		return call_error(x, c, "cannot index slice/array with nil");
	if (!tmpl_as_integer(key, &k))
		return call_error(x, c, "cannot index slice/array with type %s", tmpl_go_type(key));
	if (k < 0 || (unsigned long long)k >= len)
		return call_error(x, c, "index out of range: %lld", k);
	if (json_is_string(seq))
		*next = json_integer((unsigned char)json_string_value(seq)[k]);
	else
		*next = json_incref(json_array_get(seq, (size_t)k));
	return 0;
}

static int fn_index(struct exec *x, const struct call *c, json_t **result)
{
	json_t *item = json_incref(c->argv[0]);
	if (!item)
		return call_error(x, c, "index of untyped nil");
	for (size_t i = 1; i < c->argc; i++) {
		json_t *next = NULL;
		int r;
		if (!item)
			r = call_error(x, c, "index of nil pointer");
		else if (json_is_object(item) || json_is_null(item))
			r = index_map(x, c, item, c->argv[i], &next);
		else if (json_is_array(item) || json_is_string(item))
			r = index_sequence(x, c, item, c->argv[i], &next);
		else
			r = call_error(x, c, "can't index item of type %s", tmpl_go_type(item));
		json_decref(item);
		if (r < 0)
			return -1;
		item = next;
	}
	*result = item;
	return 0;
}

static const struct function functions[] = {
    {"index", 1, SIZE_MAX, fn_index},
    {"join", 2, 2, fn_join},
    {"json", 1, 1, tmpl_fn_json},
    {"lower", 1, 1, fn_lower},
    {"printf", 1, SIZE_MAX, tmpl_fn_printf},
    {"upper", 1, 1, fn_upper},
};

static const struct function *find_function(const char *name)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(functions); i++)
		if (strcmp(functions[i].name, name) == 0)
			return &functions[i];
	return NULL;
}

/* Go's "wrong number of args for json: want 1 got 2", or NULL when got fits. */
static const char *arity_problem(const struct function *fn, size_t got, char *buf, size_t size)
{
	if (got >= fn->min_args && got <= fn->max_args)
		return NULL;
	if (fn->max_args == SIZE_MAX)
		snprintf(buf, size, "wrong number of args for %s: want at least %zu got %zu", fn->name,
			 fn->min_args, got);
	else
		snprintf(buf, size, "wrong number of args for %s: want %zu got %zu", fn->name, fn->min_args,
			 got);
	return buf;
}

/* ---- execution --------------------------------------------------------------------------------------- */

static int eval_pipeline(struct exec *x, const struct pipeline *pipe, json_t *dot, json_t **result);

/* .A.B: a missing key or a null on the way is <no value>; a field of a string or an array is an error. */
static int eval_field(struct exec *x, const struct operand *op, json_t *dot, json_t **result)
{
	json_t *cur = dot;
	for (size_t i = 0; i < op->nfields && cur; i++) {
		if (json_is_null(cur))
			cur = NULL;
		else if (json_is_object(cur))
			cur = json_object_get(cur, op->fields[i]);
		else
			return exec_error(x, op->pos, op->len, "can't evaluate field %s in type %s",
					  op->fields[i], tmpl_go_type(cur));
	}
	*result = json_incref(cur);
	return 0;
}

static int eval_operand(struct exec *x, const struct operand *op, json_t *dot, json_t **result)
{
	switch (op->kind) {
	case OPERAND_DOT:
		*result = json_incref(dot);
		return 0;
	case OPERAND_FIELD:
		return eval_field(x, op, dot, result);
	case OPERAND_STRING:
		*result = tmpl_new_string(op->str, op->str_len);
		return 0;
	case OPERAND_NUMBER:
		*result = json_integer(op->number);
		return 0;
	case OPERAND_BOOL:
		*result = json_boolean(op->number);
		return 0;
	case OPERAND_NIL:
		*result = json_null();
		return 0;
	case OPERAND_FUNC:
		break;
	}
	return exec_error(x, op->pos, op->len, "%.*s needs arguments", (int)op->len, x->src + op->pos);
}

/* A function call; the piped value, if any, is its last argument. */
static int eval_call(struct exec *x, const struct command *cmd, json_t *dot, json_t *piped, bool has_piped,
		     json_t **result)
{
	struct call c = {.fn = cmd->args};
	char problem[128];
	int r = 0;
	for (const struct operand *op = cmd->args->next; op && r == 0; op = op->next) {
		c.ops[c.argc] = op;
		r = eval_operand(x, op, dot, &c.argv[c.argc++]);
	}
	if (r == 0 && has_piped)
		c.argv[c.argc++] = json_incref(piped);
	if (r == 0 && arity_problem(c.fn->func, c.argc, problem, sizeof problem))
		r = tmpl_arg_error(x, &c, ARG_FN, "%s", problem);
	if (r == 0)
		r = c.fn->func->impl(x, &c, result);
	for (size_t i = 0; i < c.argc; i++)
		json_decref(c.argv[i]);
	return r;
}

static int eval_pipeline(struct exec *x, const struct pipeline *pipe, json_t *dot, json_t **result)
{
	json_t *value = NULL;
	bool has_value = false;
	for (const struct command *cmd = pipe->cmds; cmd; cmd = cmd->next) {
		json_t *next = NULL;
		int r = cmd->args->kind == OPERAND_FUNC ? eval_call(x, cmd, dot, value, has_value, &next)
							: eval_operand(x, cmd->args, dot, &next);
		json_decref(value);
		if (r < 0)
			return -1;
		value = next;
		has_value = true;
	}
	*result = value;
	return 0;
}

static int walk(struct exec *x, const struct node *list, json_t *dot);

static int range_error(struct exec *x, const struct pipeline *pipe, json_t *v)
{
	struct strbuf b;
	tmpl_fmt_value(tmpl_strbuf_open(&b), v, 'v', false);
	tmpl_strbuf_close(&b);
	exec_error(x, pipe->pos, pipe->len, "range can't iterate over %s", b.data);
	free(b.data);
	return -1;
}

/* Arrays in order, maps in key order, dot bound to each element; nothing to iterate runs {{else}}. */
static int walk_range(struct exec *x, const struct node *n, json_t *dot)
{
	json_t *v, *e;
	size_t i;
	int r = 0;
	if (eval_pipeline(x, n->pipe, dot, &v) < 0)
		return -1;
	if (!tmpl_is_nil(v) && !json_is_array(v) && !json_is_object(v)) {
		r = range_error(x, n->pipe, v);
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		json_array_foreach (v, i, e)
			if (r == 0)
				r = walk(x, n->body, e);
	} else if (json_is_object(v) && json_object_size(v) > 0) {
		_cleanup_free_ const char **keys = tmpl_sorted_keys(v);
		for (i = 0; i < json_object_size(v) && r == 0; i++)
			r = walk(x, n->body, json_object_get(v, keys[i]));
	} else {
		r = walk(x, n->else_body, dot);
	}
	json_decref(v);
	return r;
}

static int walk_node(struct exec *x, const struct node *n, json_t *dot)
{
	json_t *v;
	bool truth;
	switch (n->kind) {
	case NODE_TEXT:
		fwrite(n->text, 1, n->len, x->out);
		return 0;
	case NODE_ACTION:
		if (eval_pipeline(x, n->pipe, dot, &v) < 0)
			return -1;
		tmpl_print_value(x->out, v);
		json_decref(v);
		return 0;
	case NODE_IF:
		if (eval_pipeline(x, n->pipe, dot, &v) < 0)
			return -1;
		truth = is_true(v);
		json_decref(v);
		return walk(x, truth ? n->body : n->else_body, dot);
	case NODE_RANGE:
		return walk_range(x, n, dot);
	}
	return 0;
}

static int walk(struct exec *x, const struct node *list, json_t *dot)
{
	for (const struct node *n = list; n; n = n->next)
		if (walk_node(x, n, dot) < 0)
			return -1;
	return 0;
}

/* ---- parsing ----------------------------------------------------------------------------------------- */

struct parser {
	const char *src;
	size_t pos;	/* the next byte to read */
	size_t action;	/* where the current action's {{ is, for messages */
	bool trim_next; /* the last action ended with " -}}": the next text loses its leading spaces */
	int depth;
	struct arena *arena;
	struct al_err *err;
};

enum list_end { END_EOF, END_END, END_ELSE, END_ELSE_IF };

enum token_kind {
	TOK_CLOSE,
	TOK_PIPE,
	TOK_DOT,
	TOK_FIELD,
	TOK_STRING,
	TOK_RAW_STRING,
	TOK_NUMBER,
	TOK_IDENT
};

struct token {
	enum token_kind kind;
	size_t pos, len;
	bool trim; /* TOK_CLOSE written " -}}" */
};

static const char *const keywords[] = {"block", "break", "continue", "define",	 "else",
				       "end",	"if",	 "range",    "template", "with"};
/* Go's and docker's other functions: named as unsupported rather than unknown. */
static const char *const unsupported_functions[] = {
    "and", "call", "eq",  "ge",	   "gt",      "html",  "js",	"le",	 "len",	     "lt",	"ne",
    "not", "or",   "pad", "print", "println", "slice", "split", "title", "truncate", "urlquery"};

static int parse_error(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int parse_error(struct parser *p, size_t pos, const char *fmt, ...)
{
	char msg[512];
	int line, col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	line_and_column(p->src, pos, &line, &col);
	return al_err_set(p->err, 0, "template: :%d: %s", line, msg);
}

static bool in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident_start(char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_char(char c)
{
	return is_ident_start(c) || is_digit(c);
}

/* "{{- " trims the text before it; "{{-3}}" is the number -3. */
static bool left_trim_marker(const char *s)
{
	return s[0] == '-' && is_space(s[1]);
}

/* The length of "}}" or " -}}" at s, 0 when neither is there. */
static size_t close_len(const char *s, bool *trim)
{
	*trim = is_space(s[0]) && s[1] == '-' && s[2] == '}' && s[3] == '}';
	if (*trim)
		return 4;
	return s[0] == '}' && s[1] == '}' ? 2 : 0;
}

static bool ends_operand(const char *s)
{
	return is_space(*s) || *s == '|' || *s == '\0' || (s[0] == '}' && s[1] == '}');
}

static size_t scan_ident(const char *s)
{
	size_t n = 0;
	while (is_ident_char(s[n]))
		n++;
	return n;
}

static size_t scan_field(const char *s)
{
	size_t n = 0;
	while (s[n] == '.' && is_ident_start(s[n + 1]))
		n += 1 + scan_ident(s + n + 1);
	return n;
}

/* Everything Go would read as a number, so that 1.5 or 0x10 is named whole in the message. */
static size_t scan_number(const char *s)
{
	size_t n = 1;
	while (is_ident_char(s[n]) || s[n] == '.' ||
	       ((s[n] == '-' || s[n] == '+') && (s[n - 1] == 'e' || s[n - 1] == 'E')))
		n++;
	return n;
}

static int scan_quoted(struct parser *p, const char *s, size_t pos, size_t *len)
{
	size_t n = 1;
	for (; s[n] != '"'; n++) {
		if (s[n] == '\0' || s[n] == '\n')
			return parse_error(p, pos, "unterminated quoted string");
		if (s[n] == '\\' && s[n + 1] != '\0' && s[n + 1] != '\n')
			n++;
	}
	*len = n + 1;
	return 0;
}

static int scan_raw(struct parser *p, const char *s, size_t pos, size_t *len)
{
	const char *end = strchr(s + 1, '`');
	if (!end)
		return parse_error(p, pos, "unterminated raw quoted string");
	*len = (size_t)(end - s) + 1;
	return 0;
}

/* A character that starts no operand: name the Go construct it belongs to. */
static int unexpected(struct parser *p, size_t pos)
{
	char c = p->src[pos];
	if (c == '(' || c == ')')
		return parse_error(p, pos, "parenthesized pipelines are not supported");
	if (c == '$')
		return parse_error(p, pos, "variables are not supported");
	if (c == ':' || c == '=' || c == ',')
		return parse_error(p, pos, "variable declarations are not supported");
	if (c == '\'')
		return parse_error(p, pos, "character constants are not supported");
	if (c > ' ' && c < 0x7f)
		return parse_error(p, pos, "unexpected \"%c\" in operand", c);
	return parse_error(p, pos, "unexpected byte 0x%02x in operand", (unsigned char)c);
}

/* The kind and length of the token at c, strings scanned to their closing quote. */
static int classify_token(struct parser *p, const char *c, struct token *t)
{
	if ((t->len = close_len(c, &t->trim)) > 0) {
		t->kind = TOK_CLOSE;
		return 0;
	}
	t->len = 1;
	if (*c == '\0')
		return parse_error(p, t->pos, "unclosed action");
	if (*c == '|') {
		t->kind = TOK_PIPE;
	} else if (*c == '.') {
		t->kind = scan_field(c) > 0 ? TOK_FIELD : TOK_DOT;
		t->len = t->kind == TOK_FIELD ? scan_field(c) : 1;
	} else if (*c == '"') {
		t->kind = TOK_STRING;
		return scan_quoted(p, c, t->pos, &t->len);
	} else if (*c == '`') {
		t->kind = TOK_RAW_STRING;
		return scan_raw(p, c, t->pos, &t->len);
	} else if (is_digit(*c) || ((*c == '-' || *c == '+') && is_digit(c[1]))) {
		t->kind = TOK_NUMBER;
		t->len = scan_number(c);
	} else if (is_ident_start(*c)) {
		t->kind = TOK_IDENT;
		t->len = scan_ident(c);
	} else {
		return unexpected(p, t->pos);
	}
	return 0;
}

/* The next token of an action; spaces are skipped, " -}}" is one token. */
static int next_token(struct parser *p, struct token *t)
{
	while (!close_len(p->src + p->pos, &t->trim) && is_space(p->src[p->pos]))
		p->pos++;
	t->pos = p->pos;
	if (classify_token(p, p->src + p->pos, t) < 0)
		return -1;
	p->pos += t->len;
	if (t->kind != TOK_CLOSE && t->kind != TOK_PIPE && !ends_operand(p->src + p->pos))
		return unexpected(p, p->pos);
	return 0;
}

static int hex_value(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One escape after a backslash, written to out + *n; returns the bytes it used, 0 when invalid. */
static size_t decode_escape(const char *s, size_t avail, char *out, size_t *n)
{
	static const char from[] = "abfnrtv\\\"", to[] = "\a\b\f\n\r\t\v\\\"";
	const char *e = avail > 0 && s[0] ? strchr(from, s[0]) : NULL;
	size_t digits = s[0] == 'x' ? 2 : s[0] == 'u' ? 4 : s[0] == 'U' ? 8 : 0;
	uint32_t v = 0;
	if (e) {
		out[(*n)++] = to[e - from];
		return 1;
	}
	if (digits == 0 || avail < digits + 1)
		return 0;
	for (size_t i = 1; i <= digits; i++) {
		if (hex_value(s[i]) < 0)
			return 0;
		v = v << 4 | (uint32_t)hex_value(s[i]);
	}
	if (s[0] == 'x')
		out[(*n)++] = (char)v;
	else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	else
		*n += tmpl_utf8_encode(v, out + *n);
	return digits + 1;
}

/* "..." with Go's escapes (octal aside), or `...` as written less carriage returns. */
static int decode_string(struct parser *p, const struct token *t, struct operand *op)
{
	const char *s = p->src + t->pos + 1;
	size_t len = t->len - 2, n = 0;
	char *out = arena_alloc(p->arena, len + 1);
	for (size_t i = 0; i < len; i++) {
		size_t used;
		if (t->kind == TOK_RAW_STRING || s[i] != '\\') {
			if (t->kind == TOK_STRING || s[i] != '\r')
				out[n++] = s[i];
		} else if ((used = decode_escape(s + i + 1, len - i - 1, out, &n)) == 0) {
			return parse_error(p, t->pos + 1 + i, "invalid escape \\%c in quoted string",
					   s[i + 1]);
		} else {
			i += used;
		}
	}
	op->kind = OPERAND_STRING;
	op->str = out;
	op->str_len = n;
	return 0;
}

static int parse_number(struct parser *p, const struct token *t, struct operand *op)
{
	const char *s = p->src + t->pos;
	char *end;
	bool digits = true;
	for (size_t i = 1; i < t->len; i++)
		digits = digits && is_digit(s[i]);
	errno = 0;
	op->number = strtoll(s, &end, 10);
	if (!digits)
		return parse_error(p, t->pos, "number %.*s is not supported: integers only", (int)t->len, s);
	if (errno == ERANGE || end != s + t->len)
		return parse_error(p, t->pos, "%.*s overflows int", (int)t->len, s);
	op->kind = OPERAND_NUMBER;
	return 0;
}

static int parse_field(struct parser *p, const struct token *t, struct operand *op)
{
	const char *s = p->src + t->pos;
	size_t n = 0;
	for (size_t i = 0; i < t->len; i++)
		n += s[i] == '.';
	op->kind = OPERAND_FIELD;
	op->fields = arena_alloc(p->arena, n * sizeof *op->fields);
	for (size_t i = 0, k = 0; i < t->len; k++) {
		size_t len = scan_ident(s + i + 1);
		char *name = arena_alloc(p->arena, len + 1);
		memcpy(name, s + i + 1, len);
		op->fields[k] = name;
		i += 1 + len;
	}
	op->nfields = n;
	return 0;
}

static int parse_ident(struct parser *p, const struct token *t, struct operand *op)
{
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)t->len, p->src + t->pos);
	op->func = find_function(name);
	if (op->func)
		op->kind = OPERAND_FUNC;
	else if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0)
		op->kind = OPERAND_BOOL, op->number = name[0] == 't';
	else if (strcmp(name, "nil") == 0)
		op->kind = OPERAND_NIL;
	else if (in_list(keywords, AL_ARRAY_SIZE(keywords), name))
		return parse_error(p, t->pos, "unexpected {{%s}} inside an action", name);
	else if (in_list(unsupported_functions, AL_ARRAY_SIZE(unsupported_functions), name))
		return parse_error(p, t->pos, "function \"%s\" is not supported", name);
	else
		return parse_error(p, t->pos, "function \"%s\" not defined", name);
	return 0;
}

static int parse_operand(struct parser *p, const struct token *t, struct operand *op)
{
	op->pos = t->pos;
	op->len = t->len;
	switch (t->kind) {
	case TOK_DOT:
		op->kind = OPERAND_DOT;
		return 0;
	case TOK_FIELD:
		return parse_field(p, t, op);
	case TOK_STRING:
	case TOK_RAW_STRING:
		return decode_string(p, t, op);
	case TOK_NUMBER:
		return parse_number(p, t, op);
	case TOK_IDENT:
		return parse_ident(p, t, op);
	default:
		return parse_error(p, t->pos, "internal error: token %d", (int)t->kind);
	}
}

/* A command is a function and its arguments, or one operand. */
static int check_command(struct parser *p, const struct operand *first)
{
	char problem[128];
	if (first->kind == OPERAND_NIL)
		return parse_error(p, first->pos, "nil is not a command");
	if (first->kind != OPERAND_FUNC && first->next)
		return parse_error(p, first->next->pos, "can't give argument to non-function %.*s",
				   (int)first->len, p->src + first->pos);
	for (const struct operand *op = first->next; op; op = op->next)
		if (op->kind == OPERAND_FUNC && arity_problem(op->func, 0, problem, sizeof problem))
			return parse_error(p, op->pos, "%s", problem);
	return 0;
}

/* Operands up to the next | or }}, which *end gets; *cmd is NULL when there are none. */
static int parse_command(struct parser *p, struct command **cmd, struct token *end)
{
	struct operand *first = NULL, **tail = &first;
	size_t n = 0;
	for (;;) {
		struct token t;
		if (next_token(p, &t) < 0)
			return -1;
		if (t.kind == TOK_CLOSE || t.kind == TOK_PIPE) {
			*end = t;
			break;
		}
		if (++n > MAX_CALL_ARGS)
			return parse_error(p, t.pos, "more than %d operands in a command", MAX_CALL_ARGS);
		struct operand *op = arena_alloc(p->arena, sizeof *op);
		if (parse_operand(p, &t, op) < 0)
			return -1;
		*tail = op;
		tail = &op->next;
	}
	*cmd = NULL;
	if (first && check_command(p, first) < 0)
		return -1;
	if (first) {
		*cmd = arena_alloc(p->arena, sizeof **cmd);
		(*cmd)->args = first;
	}
	return 0;
}

/* Commands joined by |, up to and including the }}; what names the action for "missing value for if". */
static int parse_pipeline(struct parser *p, const char *what, struct pipeline **out)
{
	struct pipeline *pipe = arena_alloc(p->arena, sizeof *pipe);
	struct command **tail = &pipe->cmds;
	struct token end = {.kind = TOK_CLOSE};
	int stage = 0;
	do {
		struct command *cmd = NULL;
		if (parse_command(p, &cmd, &end) < 0)
			return -1;
		if (!cmd)
			return parse_error(p, end.pos, "missing value for %s", stage ? "command" : what);
		if (++stage > 1 && cmd->args->kind != OPERAND_FUNC)
			return parse_error(p, cmd->args->pos, "non executable command in pipeline stage %d",
					   stage);
		*tail = cmd;
		tail = &cmd->next;
	} while (end.kind == TOK_PIPE);
	p->trim_next = end.trim;
	pipe->pos = pipe->cmds->args->pos;
	pipe->len = end.pos - pipe->pos;
	while (pipe->len > 0 && is_space(p->src[pipe->pos + pipe->len - 1]))
		pipe->len--;
	*out = pipe;
	return 0;
}

static struct node *new_node(struct parser *p, enum node_kind kind)
{
	struct node *n = arena_alloc(p->arena, sizeof *n);
	n->kind = kind;
	return n;
}

/* Text up to the next {{ or the end, less the spaces a trim marker on either side removes. */
static struct node *parse_text(struct parser *p)
{
	const char *start = p->src + p->pos;
	const char *open = strstr(start, "{{");
	const char *end = open ? open : start + strlen(start);
	if (p->trim_next)
		while (start < end && is_space(*start))
			start++;
	p->trim_next = false;
	if (open && left_trim_marker(open + 2))
		while (end > start && is_space(end[-1]))
			end--;
	p->pos = open ? (size_t)(open - p->src) : strlen(p->src);
	if (end == start)
		return NULL;
	struct node *n = new_node(p, NODE_TEXT);
	n->text = start;
	n->len = (size_t)(end - start);
	return n;
}

static int expect_close(struct parser *p, const char *what)
{
	struct token t;
	if (next_token(p, &t) < 0)
		return -1;
	if (t.kind != TOK_CLOSE)
		return parse_error(p, t.pos, "unexpected \"%.*s\" in %s", (int)t.len, p->src + t.pos, what);
	p->trim_next = t.trim;
	return 0;
}

static int parse_list(struct parser *p, struct node **list, enum list_end *how, struct pipeline **elif);
static int parse_body(struct parser *p, struct node *n);

/* After a body: {{end}}; or {{else}}, a body and {{end}}; or, in an if, {{else if}} and the chain's rest. */
static int parse_else(struct parser *p, struct node *n, enum list_end how, struct pipeline *elif)
{
	if (how == END_ELSE_IF && n->kind == NODE_IF) {
		n->else_body = new_node(p, NODE_IF);
		n->else_body->pipe = elif;
		return parse_body(p, n->else_body);
	}
	if (how == END_ELSE_IF)
		return parse_error(p, p->action, "{{else if}} in {{range}} is not supported");
	if (how == END_ELSE && parse_list(p, &n->else_body, &how, &elif) < 0)
		return -1;
	if (how == END_EOF)
		return parse_error(p, p->pos, "unexpected EOF");
	if (how != END_END)
		return parse_error(p, p->action, "expected end; found {{else}}");
	return 0;
}

static int parse_body(struct parser *p, struct node *n)
{
	enum list_end how;
	struct pipeline *elif = NULL;
	if (++p->depth > MAX_NESTING)
		return parse_error(p, p->action, "{{if}} and {{range}} nested too deeply");
	if (parse_list(p, &n->body, &how, &elif) < 0 || parse_else(p, n, how, elif) < 0)
		return -1;
	p->depth--;
	return 0;
}

/* {{if P}} and {{range P}}: the pipeline, then the body up to the matching {{end}}. */
static int parse_control(struct parser *p, enum node_kind kind, const char *what, struct node **node)
{
	struct node *n = new_node(p, kind);
	if (parse_pipeline(p, what, &n->pipe) < 0)
		return -1;
	*node = n;
	return parse_body(p, n);
}

/* {{else}} or {{else if P}}: ends the list being parsed. */
static int parse_else_action(struct parser *p, enum list_end *how, struct pipeline **elif)
{
	struct token t;
	size_t start = p->pos;
	if (next_token(p, &t) < 0)
		return -1;
	if (t.kind == TOK_IDENT && t.len == 2 && strncmp(p->src + t.pos, "if", 2) == 0) {
		*how = END_ELSE_IF;
		return parse_pipeline(p, "if", elif);
	}
	p->pos = start;
	*how = END_ELSE;
	return expect_close(p, "else");
}

/* One {{...}}. Returns 1 when it ends the list ({{end}}, {{else}}), 0 with *node set, or -1. */
static int parse_action(struct parser *p, struct node **node, enum list_end *how, struct pipeline **elif)
{
	struct token t;
	char word[16];
	p->action = p->pos;
	p->pos += 2 + 2 * left_trim_marker(p->src + p->pos + 2);
	if (strncmp(p->src + p->pos, "/*", 2) == 0)
		return parse_error(p, p->pos, "comments are not supported");
	size_t start = p->pos;
	if (next_token(p, &t) < 0)
		return -1;
	snprintf(word, sizeof word, "%.*s", t.kind == TOK_IDENT ? (int)t.len : 0, p->src + t.pos);
	if (strcmp(word, "if") == 0)
		return parse_control(p, NODE_IF, "if", node);
	if (strcmp(word, "range") == 0)
		return parse_control(p, NODE_RANGE, "range", node);
	if (strcmp(word, "end") == 0) {
		*how = END_END;
		return expect_close(p, "end") < 0 ? -1 : 1;
	}
	if (strcmp(word, "else") == 0)
		return parse_else_action(p, how, elif) < 0 ? -1 : 1;
	if (in_list(keywords, AL_ARRAY_SIZE(keywords), word))
		return parse_error(p, t.pos, "{{%s}} is not supported", word);
	p->pos = start;
	*node = new_node(p, NODE_ACTION);
	return parse_pipeline(p, "command", &(*node)->pipe);
}

/* Text and actions up to the end of the template or an {{end}} or {{else}}, which *how tells. */
static int parse_list(struct parser *p, struct node **list, enum list_end *how, struct pipeline **elif)
{
	struct node **tail = list;
	*list = NULL;
	for (;;) {
		struct node *n = parse_text(p);
		if (n) {
			*tail = n;
			tail = &n->next;
		}
		if (p->src[p->pos] == '\0') {
			*how = END_EOF;
			return 0;
		}
		n = NULL;
		int r = parse_action(p, &n, how, elif);
		if (r != 0)
			return r < 0 ? -1 : 0;
		*tail = n;
		tail = &n->next;
	}
}

static int parse_template(struct parser *p, struct node **root)
{
	enum list_end how;
	struct pipeline *elif = NULL;
	if (parse_list(p, root, &how, &elif) < 0)
		return -1;
	if (how == END_END)
		return parse_error(p, p->action, "unexpected {{end}}");
	if (how != END_EOF)
		return parse_error(p, p->action, "unexpected {{else}}");
	return 0;
}

/* ---- the entry point --------------------------------------------------------------------------------- */

static int execute(const char *src, const struct node *nodes, json_t *root, char **out, struct al_err *err)
{
	struct strbuf b;
	struct exec x = {.out = tmpl_strbuf_open(&b), .src = src, .err = err};
	int r = walk(&x, nodes, root);
	tmpl_strbuf_close(&b);
	if (r < 0) {
		free(b.data);
		return -1;
	}
	*out = b.data;
	return 0;
}

int al_template_render(const char *tmpl, json_t *root, char **out, struct al_err *err)
{
	struct arena arena __attribute__((cleanup(arena_free))) = {NULL};
	struct parser p = {.src = tmpl, .arena = &arena, .err = err};
	struct node *nodes = NULL;
	if (!tmpl)
		return al_err_set(err, 0, "template: no template");
	if (parse_template(&p, &nodes) < 0)
		return -1;
	return execute(tmpl, nodes, root, out, err);
}
