/* egress_tls.c: the server name a TLS ClientHello carries (RFC 8446 4.1.2, RFC 6066 3), read defensively:
 * every length is checked against what encloses it, and anything that is not exactly right is malformed. */
#include <string.h>

#include "egress_internal.h"

enum {
	RECORD_HANDSHAKE = 22,
	HANDSHAKE_CLIENT_HELLO = 1,
	EXT_SERVER_NAME = 0,
	NAME_TYPE_HOST = 0,
	RECORD_MAX = 16384,
};

/* A read cursor: every take fails once the bytes run out, and stays failed. */
struct cursor {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct cursor *c, size_t n)
{
	if (c->bad || c->left < n) {
		c->bad = true;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

static size_t take_u8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);
	return p ? p[0] : 0;
}

static size_t take_u16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);
	return p ? (size_t)(p[0] << 8 | p[1]) : 0;
}

/* A cursor over the next n bytes of c (a length-prefixed vector). */
static struct cursor sub(struct cursor *c, size_t n)
{
	const uint8_t *p = take(c, n);
	return (struct cursor){.p = p, .left = p ? n : 0, .bad = !p};
}

static bool host_name_ok(const uint8_t *p, size_t n)
{
	if (n == 0 || n >= AL_EGRESS_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '.' || p[i] == '_'))
			return false;
	return true;
}

/* The server_name extension's data: a ServerNameList holding at most one host_name. */
static enum al_tls_hello server_name(struct cursor ext, char sni[AL_EGRESS_HOST_MAX])
{
	struct cursor list = sub(&ext, take_u16(&ext));
	bool found = false;
	if (ext.bad || ext.left || list.left == 0)
		return AL_TLS_MALFORMED;
	while (list.left) {
		size_t type = take_u8(&list);
		struct cursor name = sub(&list, take_u16(&list));
		if (list.bad)
			return AL_TLS_MALFORMED;
		if (type != NAME_TYPE_HOST)
			continue;
		if (found || !host_name_ok(name.p, name.left))
			return AL_TLS_MALFORMED;
		memcpy(sni, name.p, name.left);
		sni[name.left] = '\0';
		found = true;
	}
	return found ? AL_TLS_SNI : AL_TLS_NO_SNI;
}

/* The body of a ClientHello, whose length the handshake header gave. */
static enum al_tls_hello client_hello(struct cursor c, char sni[AL_EGRESS_HOST_MAX])
{
	const uint8_t *version = take(&c, 2);
	take(&c, 32); /* random */
	size_t sid = take_u8(&c);
	take(&c, sid);
	size_t suites = take_u16(&c);
	take(&c, suites);
	size_t compression = take_u8(&c);
	take(&c, compression);
	if (c.bad || version[0] != 3 || sid > 32 || suites < 2 || suites % 2 || compression < 1)
		return AL_TLS_MALFORMED;
	if (c.left == 0)
		return AL_TLS_NO_SNI; /* no extensions at all (TLS 1.2 and older may) */
	struct cursor exts = sub(&c, take_u16(&c));
	if (c.bad || c.left)
		return AL_TLS_MALFORMED;
	enum al_tls_hello r = AL_TLS_NO_SNI;
	bool seen = false;
	while (exts.left) {
		size_t type = take_u16(&exts);
		struct cursor data = sub(&exts, take_u16(&exts));
		if (exts.bad)
			return AL_TLS_MALFORMED;
		if (type != EXT_SERVER_NAME)
			continue;
		if (seen)
			return AL_TLS_MALFORMED; /* a second server_name extension */
		seen = true;
		r = server_name(data, sni);
		if (r == AL_TLS_MALFORMED)
			return r;
	}
	return r;
}

enum al_tls_hello al_tls_client_hello_sni(const uint8_t *buf, size_t len, char sni[AL_EGRESS_HOST_MAX])
{
	uint8_t hs[AL_EGRESS_HEAD_MAX]; /* the handshake bytes of the records seen so far */
	size_t hs_len = 0, off = 0;
	sni[0] = '\0';
	if (len == 0)
		return AL_TLS_MORE;
	if (buf[0] != RECORD_HANDSHAKE)
		return AL_TLS_NOT_TLS;
	for (;;) {
		if (len - off < 5)
			return len >= AL_EGRESS_HEAD_MAX ? AL_TLS_MALFORMED : AL_TLS_MORE;
		const uint8_t *h = buf + off;
		size_t rlen = (size_t)(h[3] << 8 | h[4]);
		if (h[0] != RECORD_HANDSHAKE || h[1] != 3 || h[2] > 4 || rlen == 0 || rlen > RECORD_MAX)
			return AL_TLS_MALFORMED;
		if (len - off - 5 < rlen)
			return off + 5 + rlen > AL_EGRESS_HEAD_MAX ? AL_TLS_MALFORMED : AL_TLS_MORE;
		if (hs_len + rlen > sizeof hs)
			return AL_TLS_MALFORMED;
		memcpy(hs + hs_len, h + 5, rlen);
		hs_len += rlen;
		off += 5 + rlen;
		if (hs_len < 4)
			continue;
		size_t body = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];
		if (hs[0] != HANDSHAKE_CLIENT_HELLO || body + 4 > sizeof hs)
			return AL_TLS_MALFORMED;
		if (hs_len >= 4 + body)
			return client_hello((struct cursor){.p = hs + 4, .left = body}, sni);
	}
}
