/* egress_socks.c: the SOCKS5 side of the egress proxy (RFC 1928): the greeting (no authentication only),
 * the CONNECT request with a domain name or an IP literal, and the replies. */
#include <arpa/inet.h>
#include <string.h>

#include "egress_internal.h"

enum { SOCKS_VERSION = 5, METHOD_NO_AUTH = 0, CMD_CONNECT = 1, ATYP_IPV4 = 1, ATYP_NAME = 3, ATYP_IPV6 = 4 };

enum al_socks_status al_socks_parse_greeting(const uint8_t *b, size_t n, size_t *used)
{
	if (n < 2)
		return n && b[0] != SOCKS_VERSION ? AL_SOCKS_BAD : AL_SOCKS_MORE;
	if (b[0] != SOCKS_VERSION || b[1] == 0)
		return AL_SOCKS_BAD;
	if (n < 2 + (size_t)b[1])
		return AL_SOCKS_MORE;
	*used = 2 + (size_t)b[1];
	return memchr(b + 2, METHOD_NO_AUTH, b[1]) ? AL_SOCKS_DONE : AL_SOCKS_BAD;
}

/* The address of a request at b (ATYP first) as text; *len is its size with the port, 0 when more is
 * needed. Returns a reply code on failure, AL_SOCKS_OK otherwise. */
static uint8_t request_address(const uint8_t *b, size_t n, char text[AL_EGRESS_HOST_MAX], size_t *len)
{
	size_t alen;
	*len = 0;
	switch (b[0]) {
	case ATYP_IPV4:
		alen = 4;
		break;
	case ATYP_IPV6:
		alen = 16;
		break;
	case ATYP_NAME:
		if (n < 2)
			return AL_SOCKS_OK;
		if (b[1] == 0)
			return AL_SOCKS_FAILURE;
		alen = 1 + (size_t)b[1];
		break;
	default:
		return AL_SOCKS_ATYP_UNSUPPORTED;
	}
	if (n < 1 + alen + 2)
		return AL_SOCKS_OK;
	if (b[0] == ATYP_NAME) {
		if (memchr(b + 2, '\0', b[1]))
			return AL_SOCKS_FAILURE;
		memcpy(text, b + 2, b[1]);
		text[b[1]] = '\0';
	} else if (!inet_ntop(b[0] == ATYP_IPV4 ? AF_INET : AF_INET6, b + 1, text, AL_EGRESS_HOST_MAX)) {
		return AL_SOCKS_FAILURE;
	}
	*len = 1 + alen + 2;
	return AL_SOCKS_OK;
}

enum al_socks_status al_socks_parse_request(const uint8_t *b, size_t n, struct al_socks_request *req,
					    size_t *used, uint8_t *rep)
{
	char text[AL_EGRESS_HOST_MAX];
	size_t alen;
	const char *why;
	*rep = AL_SOCKS_FAILURE;
	if (n >= 1 && b[0] != SOCKS_VERSION)
		return AL_SOCKS_BAD;
	if (n >= 3 && b[2] != 0)
		return AL_SOCKS_BAD;
	if (n < 4)
		return AL_SOCKS_MORE;
	*rep = request_address(b + 3, n - 3, text, &alen);
	if (*rep != AL_SOCKS_OK)
		return AL_SOCKS_BAD;
	if (alen == 0)
		return AL_SOCKS_MORE;
	if (b[1] != CMD_CONNECT) {
		*rep = AL_SOCKS_CMD_UNSUPPORTED;
		return AL_SOCKS_BAD;
	}
	*rep = AL_SOCKS_FAILURE;
	req->port = (uint16_t)(b[3 + alen - 2] << 8 | b[3 + alen - 1]);
	if (req->port == 0 ||
	    al_egress_host_normalize(text, strlen(text), req->host, &req->host_is_ip, &why) < 0)
		return AL_SOCKS_BAD;
	*used = 3 + alen;
	*rep = AL_SOCKS_OK;
	return AL_SOCKS_DONE;
}

void al_socks_reply(uint8_t out[10], uint8_t rep)
{
	static const uint8_t tail[8] = {0, ATYP_IPV4, 0, 0, 0, 0, 0, 0};
	out[0] = SOCKS_VERSION;
	out[1] = rep;
	memcpy(out + 2, tail, sizeof tail);
}
