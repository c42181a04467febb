/* egress_http.c: the HTTP side of the egress proxy: a request head parsed strictly (absolute-form requests
 * and CONNECT), rewritten to origin-form without hop-by-hop headers, its body framed, and our answers. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "egress_internal.h"
#include "util.h"

#define CONN_TOKENS_MAX 16

/* A line of the head: [p, p+len) without its CRLF or LF. */
struct line {
	const char *p;
	size_t len;
};

size_t al_http_head_end(const char *buf, size_t len, size_t from)
{
	for (size_t i = from > 2 ? from - 2 : 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static bool method_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

bool al_http_start_ok(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == ' ')
			return i > 0;
		if (i >= 15 || !method_char(buf[i]))
			return false;
	}
	return true;
}

static bool tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Next line from *pos (ending at '\n', a preceding '\r' dropped); false at the head's end. */
static bool next_line(const char *buf, size_t end, size_t *pos, struct line *l)
{
	if (*pos >= end)
		return false;
	const char *nl = memchr(buf + *pos, '\n', end - *pos);
	if (!nl)
		return false;
	l->p = buf + *pos;
	l->len = (size_t)(nl - l->p);
	if (l->len && l->p[l->len - 1] == '\r')
		l->len--;
	*pos = (size_t)(nl - buf) + 1;
	return true;
}

static bool is_port(const char *p, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return false;
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

/* "host[:port]" or "[v6][:port]" into req->host/port; the port may be required or default. */
static const char *parse_authority(const char *a, size_t n, struct al_http_request *req, uint16_t dflt)
{
	const char *why, *colon = NULL;
	if (memchr(a, '@', n))
		return "credentials in the URL";
	if (n && a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close)
			return "unclosed '['";
		if (close + 1 < a + n)
			colon = close + 1;
		if (colon && *colon != ':')
			return "text after ']'";
	} else {
		colon = memchr(a, ':', n);
	}
	size_t hlen = colon ? (size_t)(colon - a) : n;
	req->port = dflt;
	if (colon && !(colon + 1 == a + n && dflt) && !is_port(colon + 1, n - hlen - 1, &req->port))
		return "bad port";
	if (!req->port)
		return "no port";
	if (al_egress_host_normalize(a, hlen, req->host, &req->host_is_ip, &why) < 0)
		return why;
	return NULL;
}

/* Request line: METHOD SP TARGET SP HTTP/1.x; fills method, host, port; *path is the origin-form path. */
static const char *parse_request_line(struct line l, struct al_http_request *req, struct line *path,
				      struct line *version)
{
	const char *sp1 = memchr(l.p, ' ', l.len);
	if (!sp1 || sp1 == l.p || sp1 - l.p >= (ptrdiff_t)sizeof req->method)
		return "bad method";
	for (const char *c = l.p; c < sp1; c++)
		if (!method_char(*c))
			return "bad method";
	memcpy(req->method, l.p, (size_t)(sp1 - l.p));
	req->method[sp1 - l.p] = '\0';
	const char *target = sp1 + 1, *end = l.p + l.len;
	const char *sp2 = memchr(target, ' ', (size_t)(end - target));
	if (!sp2 || sp2 == target)
		return "bad request line";
	version->p = sp2 + 1;
	version->len = (size_t)(end - version->p);
	if (!(version->len == 8 &&
	      (memcmp(version->p, "HTTP/1.1", 8) == 0 || memcmp(version->p, "HTTP/1.0", 8) == 0)))
		return "not HTTP/1.0 or HTTP/1.1";
	for (const char *c = target; c < sp2; c++)
		if (*c <= 0x20 || *c >= 0x7f)
			return "bad character in the request target";
	size_t tlen = (size_t)(sp2 - target);
	req->connect = strcmp(req->method, "CONNECT") == 0;
	if (req->connect)
		return parse_authority(target, tlen, req, 0);
	if (tlen >= 8 && strncasecmp(target, "https://", 8) == 0)
		return "an https:// URL (ask for CONNECT host:443 instead)";
	if (tlen < 7 || strncasecmp(target, "http://", 7) != 0)
		return "not a proxy request (absolute http:// URL or CONNECT expected)";
	const char *auth = target + 7;
	size_t alen = strcspn(auth, "/?# ");
	if (auth + alen > sp2)
		alen = (size_t)(sp2 - auth);
	path->p = auth + alen;
	path->len = (size_t)(sp2 - path->p);
	const char *hash = memchr(path->p, '#', path->len);
	if (hash)
		path->len = (size_t)(hash - path->p);
	return parse_authority(auth, alen, req, 80);
}

static bool name_is(struct line name, const char *want)
{
	return name.len == strlen(want) && strncasecmp(name.p, want, name.len) == 0;
}

/* Split a header line into name and trimmed value; NULL or why it is malformed. */
static const char *split_header(struct line l, struct line *name, struct line *value)
{
	if (l.len && (l.p[0] == ' ' || l.p[0] == '\t'))
		return "folded header line";
	const char *colon = memchr(l.p, ':', l.len);
	if (!colon || colon == l.p)
		return "header line without a name";
	for (const char *c = l.p; c < colon; c++)
		if (!tchar(*c))
			return "bad character in a header name";
	name->p = l.p;
	name->len = (size_t)(colon - l.p);
	const char *v = colon + 1, *e = l.p + l.len;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (const char *c = v; c < e; c++)
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
			return "control character in a header value";
	value->p = v;
	value->len = (size_t)(e - v);
	return NULL;
}

/* A header that must not travel past a proxy (RFC 9110 7.6.1), or one the Connection header names. */
static bool hop_by_hop(struct line name, const struct line *tokens, size_t ntokens)
{
	static const char *const hop[] = {"host", "connection", "keep-alive", "te", "trailer", "upgrade"};
	for (size_t i = 0; i < AL_ARRAY_SIZE(hop); i++)
		if (name_is(name, hop[i]))
			return true;
	if (name.len >= 6 && strncasecmp(name.p, "proxy-", 6) == 0)
		return true;
	for (size_t i = 0; i < ntokens; i++)
		if (tokens[i].len == name.len && strncasecmp(tokens[i].p, name.p, name.len) == 0)
			return true;
	return false;
}

/* Collect the Connection header's tokens; framing headers named there are kept all the same. */
static void connection_tokens(struct line value, struct line *tokens, size_t *n)
{
	const char *p = value.p, *end = value.p + value.len;
	while (p < end && *n < CONN_TOKENS_MAX) {
		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		const char *s = p;
		while (p < end && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		struct line t = {s, (size_t)(p - s)};
		if (t.len && !name_is(t, "content-length") && !name_is(t, "transfer-encoding"))
			tokens[(*n)++] = t;
	}
}

static const char *note_framing(struct line name, struct line value, struct al_http_request *req,
				bool *has_length, int *code)
{
	if (name_is(name, "transfer-encoding")) {
		if (!(value.len == 7 && strncasecmp(value.p, "chunked", 7) == 0)) {
			*code = 501;
			return "a transfer coding other than chunked";
		}
		req->body.kind = AL_HTTP_BODY_CHUNKED;
		return NULL;
	}
	if (!name_is(name, "content-length"))
		return NULL;
	uint64_t v = 0;
	if (value.len == 0 || value.len > 18)
		return "bad Content-Length";
	for (size_t i = 0; i < value.len; i++) {
		if (!isdigit((unsigned char)value.p[i]))
			return "bad Content-Length";
		v = v * 10 + (uint64_t)(value.p[i] - '0');
	}
	if (*has_length && v != req->body.remaining)
		return "conflicting Content-Length headers";
	*has_length = true;
	req->body.remaining = v;
	return NULL;
}

/* Pass 1 over the headers: validate, find the framing and the Connection tokens. */
static const char *scan_headers(const char *buf, size_t pos, size_t end, struct al_http_request *req,
				struct line *tokens, size_t *ntokens, int *code)
{
	struct line l, name, value;
	bool has_length = false;
	while (next_line(buf, end, &pos, &l) && l.len) {
		const char *why = split_header(l, &name, &value);
		if (!why)
			why = note_framing(name, value, req, &has_length, code);
		if (why)
			return why;
		if (name_is(name, "connection") || name_is(name, "proxy-connection"))
			connection_tokens(value, tokens, ntokens);
	}
	if (has_length && req->body.kind == AL_HTTP_BODY_CHUNKED)
		return "both Content-Length and Transfer-Encoding";
	if (has_length)
		req->body.kind = AL_HTTP_BODY_LENGTH;
	req->body.done = req->body.kind == AL_HTTP_BODY_NONE ||
			 (req->body.kind == AL_HTTP_BODY_LENGTH && req->body.remaining == 0);
	return NULL;
}

static void append(char **out, size_t *len, const char *p, size_t n)
{
	memcpy(*out + *len, p, n);
	*len += n;
}

/* Pass 2: the head to send upstream. Never longer than twice the client's head (a bare LF becomes CRLF)
 * plus the Host and Connection lines we write. */
static void build_forward(const char *buf, size_t pos, size_t end, struct al_http_request *req,
			  struct line path, struct line version, const struct line *tokens, size_t ntokens)
{
	char host[AL_EGRESS_HOST_MAX + 16], port[8] = "";
	if (req->port != 80)
		snprintf(port, sizeof port, ":%u", req->port);
	snprintf(host, sizeof host, "%s%s%s%s", strchr(req->host, ':') ? "[" : "", req->host,
		 strchr(req->host, ':') ? "]" : "", port);
	size_t cap = 2 * end + strlen(host) + 64, len = 0;
	char *out = al_xmalloc(cap);
	len += (size_t)snprintf(out, cap, "%s %s%.*s %.*s\r\nHost: %s\r\n", req->method,
				path.len && path.p[0] == '/' ? "" : "/", (int)path.len, path.p,
				(int)version.len, version.p, host);
	struct line l, name, value;
	while (next_line(buf, end, &pos, &l) && l.len) {
		split_header(l, &name, &value);
		if (hop_by_hop(name, tokens, ntokens))
			continue;
		append(&out, &len, l.p, l.len);
		append(&out, &len, "\r\n", 2);
	}
	append(&out, &len, "Connection: close\r\n\r\n", 21);
	req->forward = out;
	req->forward_len = len;
}

int al_http_parse_head(const char *buf, size_t head_len, struct al_http_request *req, int *code,
		       const char **why)
{
	struct line first, path = {0}, version, tokens[CONN_TOKENS_MAX];
	size_t pos = 0, ntokens = 0;
	*req = (struct al_http_request){0};
	*code = 400;
	*why = "empty request";
	if (!next_line(buf, head_len, &pos, &first))
		return -1;
	*why = parse_request_line(first, req, &path, &version);
	if (!*why)
		*why = scan_headers(buf, pos, head_len, req, tokens, &ntokens, code);
	if (*why)
		return -1;
	if (req->connect)
		req->body = (struct al_http_body){.kind = AL_HTTP_BODY_NONE, .done = true};
	else
		build_forward(buf, pos, head_len, req, path, version, tokens, ntokens);
	return 0;
}

void al_http_request_free(struct al_http_request *req)
{
	free(req->forward);
	req->forward = NULL;
}

enum {
	CH_SIZE,       /* the first hex digit of a chunk size */
	CH_SIZE_MORE,  /* more digits, an extension, or the line's end */
	CH_EXT,	       /* ";ext" up to the line's end */
	CH_SIZE_LF,    /* '\n' after '\r' */
	CH_DATA,       /* chunk data */
	CH_DATA_CR,    /* the CRLF after chunk data */
	CH_DATA_LF,    /* '\n' after it */
	CH_TRAILER,    /* at the start of a trailer line (or the final empty line) */
	CH_TRAILER_IN, /* inside a trailer line */
	CH_FINAL_LF,   /* '\n' of the final empty line */
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One byte of chunk framing (not data); false when malformed. */
static bool chunk_step(struct al_http_body *b, char c)
{
	switch (b->state) {
	case CH_SIZE:
	case CH_SIZE_MORE:
		if (hexval(c) >= 0) {
			if (++b->count > 15)
				return false;
			b->remaining = b->remaining * 16 + (uint64_t)hexval(c);
			b->state = CH_SIZE_MORE;
			return true;
		}
		if (b->state == CH_SIZE)
			return false;
		b->count = 0;
		if (c == ';' || c == ' ' || c == '\t')
			return b->state = CH_EXT, true;
		if (c == '\r')
			return b->state = CH_SIZE_LF, true;
		if (c != '\n')
			return false;
		break;
	case CH_EXT:
		if (++b->count > 1024 || (c != '\t' && ((unsigned char)c < 0x20 && c != '\r' && c != '\n')))
			return false;
		if (c == '\r')
			return b->state = CH_SIZE_LF, true;
		if (c != '\n')
			return true;
		break;
	case CH_SIZE_LF:
		if (c != '\n')
			return false;
		break;
	case CH_DATA_CR:
		if (c == '\r')
			return b->state = CH_DATA_LF, true;
		return c == '\n' ? (b->state = CH_SIZE, b->count = 0, true) : false;
	case CH_DATA_LF:
		return c == '\n' ? (b->state = CH_SIZE, b->count = 0, true) : false;
	case CH_TRAILER:
		if (c == '\r')
			return b->state = CH_FINAL_LF, true;
		if (c == '\n')
			return b->done = true;
		b->state = CH_TRAILER_IN;
		return ++b->count <= 8192;
	case CH_TRAILER_IN:
		if (c == '\n')
			b->state = CH_TRAILER;
		return ++b->count <= 8192;
	case CH_FINAL_LF:
		return c == '\n' ? (b->done = true) : false;
	default:
		return false;
	}
	/* the end of a size line */
	b->state = b->remaining ? CH_DATA : CH_TRAILER;
	b->count = 0;
	return true;
}

ssize_t al_http_body_feed(struct al_http_body *b, const char *p, size_t n)
{
	size_t i = 0;
	if (b->done || b->kind == AL_HTTP_BODY_NONE) {
		b->done = true;
		return 0;
	}
	if (b->kind == AL_HTTP_BODY_LENGTH) {
		size_t take = n < b->remaining ? n : (size_t)b->remaining;
		b->remaining -= take;
		b->done = b->remaining == 0;
		return (ssize_t)take;
	}
	while (i < n && !b->done) {
		if (b->state == CH_DATA) {
			size_t take = n - i < b->remaining ? n - i : (size_t)b->remaining;
			i += take;
			b->remaining -= take;
			if (b->remaining == 0)
				b->state = CH_DATA_CR;
			continue;
		}
		if (!chunk_step(b, p[i++]))
			return -1;
	}
	return (ssize_t)i;
}

static const char *reason(int code)
{
	switch (code) {
	case 200:
		return "Connection established";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	default:
		return "Error";
	}
}

char *al_http_answer(int code, const char *body, size_t *len)
{
	char *s = al_xasprintf("HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
			       "Connection: close\r\n\r\n%s",
			       code, reason(code), strlen(body), body);
	*len = strlen(s);
	return s;
}
