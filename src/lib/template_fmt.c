/* template_fmt.c: how templates print JSON values as docker's Go code does: Go's quoting and float
 * formatting, fmt's verbs, printf and json, and the stdio string buffer they print into. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template_internal.h"
#include "util.h"

/* ---- a stdio string buffer --------------------------------------------------------------------------- */

FILE *tmpl_strbuf_open(struct strbuf *b)
{
	b->data = NULL;
	b->len = 0;
	b->f = open_memstream(&b->data, &b->len);
	if (!b->f)
		abort();
	return b->f;
}

void tmpl_strbuf_close(struct strbuf *b)
{
	fclose(b->f);
	b->f = NULL;
}

json_t *tmpl_strbuf_to_json(struct strbuf *b)
{
	tmpl_strbuf_close(b);
	json_t *j = tmpl_new_string(b->data, b->len);
	free(b->data);
	return j;
}

/* ---- UTF-8 and Go's quoting -------------------------------------------------------------------------- */

/* Decode one UTF-8 sequence; 0 when s does not start with a valid one. */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *rune)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t n = s[0] < 0x80 ? 1 : s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
	if (n == 0 || n > len || s[0] > 0xf4)
		return 0;
	uint32_t r = n == 1 ? s[0] : s[0] & (0x7fu >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (s[i] & 0x3f);
	}
	if (r < min[n] || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return 0;
	*rune = r;
	return n;
}

size_t tmpl_utf8_encode(uint32_t r, char *out)
{
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	size_t n = r < 0x800 ? 2 : r < 0x10000 ? 3 : 4;
	for (size_t i = n - 1; i > 0; i--, r >>= 6)
		out[i] = (char)(0x80 | (r & 0x3f));
	out[0] = (char)((0xf00u >> n) | r);
	return n;
}

static size_t count_runes(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Runes above ASCII that strconv.IsPrint refuses: controls, spaces other than ' ', format characters,
 * line and paragraph separators, private use, noncharacters (the common ones; unassigned runes pass). */
static bool go_unprintable(uint32_t r)
{
	static const uint32_t ranges[][2] = {
	    {0x80, 0xa0},     {0xad, 0xad},	  {0x600, 0x605},      {0x61c, 0x61c},	 {0x6dd, 0x6dd},
	    {0x70f, 0x70f},   {0x1680, 0x1680},	  {0x180e, 0x180e},    {0x2000, 0x200f}, {0x2028, 0x202f},
	    {0x205f, 0x206f}, {0x3000, 0x3000},	  {0xe000, 0xf8ff},    {0xfeff, 0xfeff}, {0xfff9, 0xfffb},
	    {0xfffe, 0xffff}, {0xe0001, 0xe007f}, {0xf0000, 0x10ffff},
	};
	for (size_t i = 0; i < AL_ARRAY_SIZE(ranges); i++)
		if (r >= ranges[i][0] && r <= ranges[i][1])
			return true;
	return false;
}

/* strconv.Quote's form of one rune between quotes q. */
static void quote_rune(FILE *f, uint32_t r, const char *raw, size_t n, char q)
{
	static const char simple[] = "\a\b\f\n\r\t\v", letters[] = "abfnrtv";
	const char *e = r > 0 && r < 0x20 ? strchr(simple, (int)r) : NULL;
	if (r == (uint32_t)q || r == '\\')
		fprintf(f, "\\%c", (char)r);
	else if (r >= 0x20 && r < 0x7f)
		fputc((int)r, f);
	else if (e)
		fprintf(f, "\\%c", letters[e - simple]);
	else if (r < 0x20 || r == 0x7f)
		fprintf(f, "\\x%02x", (unsigned)r);
	else if (go_unprintable(r))
		fprintf(f, r < 0x10000 ? "\\u%04x" : "\\U%08x", (unsigned)r);
	else
		fwrite(raw, 1, n, f);
}

static void quote_go(FILE *f, const char *s, size_t len, char q)
{
	fputc(q, f);
	for (size_t i = 0, n; i < len; i += n) {
		uint32_t r;
		n = utf8_decode((const unsigned char *)s + i, len - i, &r);
		if (n == 0) {
			fprintf(f, "\\x%02x", (unsigned char)s[i]);
			n = 1;
		} else {
			quote_rune(f, r, s + i, n, q);
		}
	}
	fputc(q, f);
}

/* %q of an integer: a Go character literal. */
static void quote_char(FILE *f, long long n)
{
	char buf[4];
	uint32_t r = n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? 0xfffd : (uint32_t)n;
	size_t len = tmpl_utf8_encode(r, buf);
	quote_go(f, buf, len, '\'');
}

/* encoding/json's string, as docker's `json` calls it: HTML escaping off, U+2028/9 escaped. */
static void json_quote(FILE *f, const char *s, size_t len)
{
	static const char simple[] = "\"\\\b\f\n\r\t", letters[] = "\"\\bfnrt";
	fputc('"', f);
	for (size_t i = 0, n; i < len; i += n) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c ? memchr(simple, c, sizeof simple - 1) : NULL;
		uint32_t r = 0;
		n = 1;
		if (e)
			fprintf(f, "\\%c", letters[e - simple]);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, f);
		else if ((n = utf8_decode((const unsigned char *)s + i, len - i, &r)) == 0)
			fputs("\\ufffd", f), n = 1;
		else if (r == 0x2028 || r == 0x2029)
			fprintf(f, "\\u%04x", (unsigned)r);
		else
			fwrite(s + i, 1, n, f);
	}
	fputc('"', f);
}

/* ---- Go's float formatting --------------------------------------------------------------------------- */

/* The shortest digits that read back as d > 0, as strconv finds them, and the decimal point's place:
 * 0.015 is "15" with point -1, 1500 is "15" with point 4. */
static size_t shortest_digits(double d, char digits[24], int *point)
{
	char buf[40];
	for (int prec = 0; prec <= 16; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	size_t n = 0;
	const char *s = buf;
	for (; *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			digits[n++] = *s;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*point = atoi(s + 1) + 1;
	return n;
}

/* d.ddde±XX; json wants one exponent digit where Go's %e writes two (e-07 → e-7). */
static void put_exponent_form(FILE *f, const char *digits, size_t n, int exp, bool json)
{
	fputc(digits[0], f);
	if (n > 1)
		fprintf(f, ".%s", digits + 1);
	if (json && exp < 0)
		fprintf(f, "e-%d", -exp);
	else
		fprintf(f, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

static void put_zeros(FILE *f, int n)
{
	while (n-- > 0)
		fputc('0', f);
}

static void put_fixed_form(FILE *f, const char *digits, size_t n, int point)
{
	if (point <= 0) {
		fputs("0.", f);
		put_zeros(f, -point);
		fputs(digits, f);
	} else if ((size_t)point >= n) {
		fputs(digits, f);
		put_zeros(f, point - (int)n);
	} else {
		fprintf(f, "%.*s.%s", point, digits, digits + point);
	}
}

/* fmt's %v of a float64 (strconv 'g', shortest, exponent form from 1e+06 and below 1e-04), or json's. */
static void put_float(FILE *f, double d, bool json)
{
	char digits[24];
	int point;
	if (d < 0) {
		fputc('-', f);
		d = -d;
	}
	size_t n = shortest_digits(d, digits, &point);
	int exp = point - 1;
	bool exponent_form = json ? d < 1e-6 || d >= 1e21 : exp < -4 || exp >= 6;
	if (exponent_form)
		put_exponent_form(f, digits, n, exp, json);
	else
		put_fixed_form(f, digits, n, point);
}

/* ---- printing: fmt's verbs over JSON values ---------------------------------------------------------- */

/* %!d(string=abc): a verb that does not fit the value, printed as fmt does. */
static void fmt_bad_verb(FILE *f, json_t *v, char verb)
{
	fprintf(f, "%%!%c(%s=", verb, tmpl_go_type(v));
	tmpl_fmt_value(f, v, 'v', true);
	fputc(')', f);
}

static void fmt_text(FILE *f, const char *s, size_t len, char verb)
{
	if (verb == 'q') {
		quote_go(f, s, len, '"');
	} else if (verb == 'd') {
		fputs("%!d(string=", f);
		fwrite(s, 1, len, f);
		fputc(')', f);
	} else {
		fwrite(s, 1, len, f);
	}
}

static void fmt_map(FILE *f, json_t *obj, char verb)
{
	_cleanup_free_ const char **keys = tmpl_sorted_keys(obj);
	fputs("map[", f);
	for (size_t i = 0; i < json_object_size(obj); i++) {
		if (i > 0)
			fputc(' ', f);
		fmt_text(f, keys[i], strlen(keys[i]), verb);
		fputc(':', f);
		tmpl_fmt_value(f, json_object_get(obj, keys[i]), verb, true);
	}
	fputc(']', f);
}

static void fmt_array(FILE *f, json_t *arr, char verb)
{
	size_t i;
	json_t *e;
	fputc('[', f);
	json_array_foreach (arr, i, e) {
		if (i > 0)
			fputc(' ', f);
		tmpl_fmt_value(f, e, verb, true);
	}
	fputc(']', f);
}

/* One value under verb s, d, v or q; nested when inside a map or array, where nil is plain <nil>. */
void tmpl_fmt_value(FILE *f, json_t *v, char verb, bool nested)
{
	long long n;
	if (tmpl_is_nil(v) && (nested || verb == 'v'))
		fputs("<nil>", f);
	else if (tmpl_is_nil(v))
		fprintf(f, "%%!%c(<nil>)", verb);
	else if (json_is_string(v))
		fmt_text(f, json_string_value(v), json_string_length(v), verb);
	else if (tmpl_as_integer(v, &n) && (verb == 'd' || verb == 'v'))
		fprintf(f, "%lld", n);
	else if (tmpl_as_integer(v, &n) && verb == 'q')
		quote_char(f, n);
	else if (json_is_real(v) && verb == 'v')
		put_float(f, json_real_value(v), false);
	else if (json_is_boolean(v) && verb == 'v')
		fputs(json_is_true(v) ? "true" : "false", f);
	else if (json_is_object(v))
		fmt_map(f, v, verb);
	else if (json_is_array(v))
		fmt_array(f, v, verb);
	else
		fmt_bad_verb(f, v, verb);
}

/* What an action prints: a missing value is <no value>, the rest as fmt.Print. */
void tmpl_print_value(FILE *f, json_t *v)
{
	if (!v)
		fputs("<no value>", f);
	else
		tmpl_fmt_value(f, v, 'v', false);
}

static void json_encode(FILE *f, json_t *v);

static void json_encode_object(FILE *f, json_t *obj)
{
	const char *key;
	json_t *e;
	bool first = true;
	fputc('{', f);
	json_object_foreach (obj, key, e) {
		fputs(first ? "" : ",", f);
		first = false;
		json_quote(f, key, strlen(key));
		fputc(':', f);
		json_encode(f, e);
	}
	fputc('}', f);
}

static void json_encode_array(FILE *f, json_t *arr)
{
	size_t i;
	json_t *e;
	fputc('[', f);
	json_array_foreach (arr, i, e) {
		fputs(i ? "," : "", f);
		json_encode(f, e);
	}
	fputc(']', f);
}

/* docker's `json`: encoding/json's compact form; keys in the object's order. */
static void json_encode(FILE *f, json_t *v)
{
	long long n;
	if (tmpl_is_nil(v))
		fputs("null", f);
	else if (json_is_string(v))
		json_quote(f, json_string_value(v), json_string_length(v));
	else if (tmpl_as_integer(v, &n))
		fprintf(f, "%lld", n);
	else if (json_is_real(v))
		put_float(f, json_real_value(v), true);
	else if (json_is_boolean(v))
		fputs(json_is_true(v) ? "true" : "false", f);
	else if (json_is_object(v))
		json_encode_object(f, v);
	else
		json_encode_array(f, v);
}

int tmpl_fn_json(struct exec *x, const struct call *c, json_t **result)
{
	struct strbuf b;
	(void)x;
	json_encode(tmpl_strbuf_open(&b), c->argv[0]);
	*result = tmpl_strbuf_to_json(&b);
	return 0;
}

/* ---- printf ------------------------------------------------------------------------------------------ */

/* One printf operand, padded with spaces to width runes (on the right with -). */
static void printf_operand(FILE *f, json_t *v, char verb, int width, bool left)
{
	struct strbuf b;
	tmpl_fmt_value(tmpl_strbuf_open(&b), v, verb, false);
	tmpl_strbuf_close(&b);
	int pad = width - (int)count_runes(b.data, b.len);
	for (int i = 0; !left && i < pad; i++)
		fputc(' ', f);
	fwrite(b.data, 1, b.len, f);
	for (int i = 0; left && i < pad; i++)
		fputc(' ', f);
	free(b.data);
}

/* The conversion at fmt[*i] == '%': %%, or an optional - and width, then s, d, v or q. */
static int printf_conversion(struct exec *x, const struct call *c, FILE *f, const char *fmt, size_t len,
			     size_t *i, size_t *next_arg)
{
	size_t j = *i + 1;
	bool left = j < len && fmt[j] == '-';
	int width = 0;
	j += left;
	if (j < len && fmt[j] == '%' && !left) {
		fputc('%', f);
		*i = j;
		return 0;
	}
	while (j < len && fmt[j] >= '0' && fmt[j] <= '9' && width < 10000 && !(width == 0 && fmt[j] == '0'))
		width = width * 10 + (fmt[j++] - '0');
	if (j >= len) {
		fputs("%!(NOVERB)", f);
		*i = j;
		return 0;
	}
	if (!fmt[j] || !strchr("sdvq", fmt[j]))
		return tmpl_arg_error(
		    x, c, 0, "printf: %%%.*s is not supported: only %%s, %%d, %%v and %%q with - and a width",
		    (int)(j - *i), fmt + *i + 1);
	*i = j;
	if (*next_arg >= c->argc)
		fprintf(f, "%%!%c(MISSING)", fmt[j]);
	else
		printf_operand(f, c->argv[(*next_arg)++], fmt[j], width, left);
	return 0;
}

/* fmt's %!(EXTRA string=a, int=2) for arguments no conversion used. */
static void printf_extra(FILE *f, const struct call *c, size_t next_arg)
{
	if (next_arg >= c->argc)
		return;
	fputs("%!(EXTRA ", f);
	for (size_t i = next_arg; i < c->argc; i++) {
		fputs(i > next_arg ? ", " : "", f);
		if (tmpl_is_nil(c->argv[i])) {
			fputs("<nil>", f);
			continue;
		}
		fprintf(f, "%s=", tmpl_go_type(c->argv[i]));
		tmpl_fmt_value(f, c->argv[i], 'v', false);
	}
	fputc(')', f);
}

int tmpl_fn_printf(struct exec *x, const struct call *c, json_t **result)
{
	const char *fmt = NULL;
	size_t len = 0, next_arg = 1;
	struct strbuf b;
	if (tmpl_want_string(x, c, 0, &fmt, &len) < 0)
		return -1;
	FILE *f = tmpl_strbuf_open(&b);
	for (size_t i = 0; i < len; i++) {
		if (fmt[i] != '%') {
			fputc(fmt[i], f);
		} else if (printf_conversion(x, c, f, fmt, len, &i, &next_arg) < 0) {
			tmpl_strbuf_close(&b);
			free(b.data);
			return -1;
		}
	}
	printf_extra(f, c, next_arg);
	*result = tmpl_strbuf_to_json(&b);
	return 0;
}
