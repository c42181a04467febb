/* test_egress.c: the egress proxy's parsers and policy: host patterns (valid and refused), matching
 * (apex and wildcard, ports, deny wins, "*"), requested hosts, internal addresses, the TLS ClientHello
 * reader on real bytes and on every truncation and corruption of them, rates, HTTP heads and bodies, SOCKS5.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "check.h"
#include "egress_internal.h"

/* A ClientHello of `openssl s_client -connect 127.0.0.1:PORT -servername x.test` (OpenSSL 3.0). */
static const uint8_t real_hello[] = {
    0x16, 0x03, 0x01, 0x01, 0x33, 0x01, 0x00, 0x01, 0x2f, 0x03, 0x03, 0x7d, 0x9e, 0x97, 0x5f, 0xca, 0xb5,
    0x9f, 0x3c, 0x19, 0x29, 0x15, 0x40, 0x93, 0x10, 0x18, 0x98, 0x40, 0x75, 0xb2, 0x86, 0x13, 0xf1, 0xdf,
    0x1b, 0x8a, 0x38, 0x87, 0x68, 0x57, 0x5e, 0x51, 0xe8, 0x20, 0xa6, 0xbb, 0xc3, 0x16, 0x22, 0xef, 0x35,
    0x7a, 0x32, 0x7a, 0x40, 0x9e, 0x7a, 0x5e, 0x1f, 0x19, 0xde, 0x32, 0x0e, 0x65, 0x6d, 0x9c, 0xc4, 0xa4,
    0x21, 0x96, 0x18, 0xf9, 0x1b, 0xdc, 0xf3, 0x01, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0,
    0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e,
    0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00,
    0x39, 0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35,
    0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xa8, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x09, 0x00, 0x00, 0x06,
    0x78, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00,
    0x16, 0x00, 0x14, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01, 0x01,
    0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00,
    0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08,
    0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06,
    0x01, 0x03, 0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00, 0x2b, 0x00, 0x09,
    0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01, 0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33,
    0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x9e, 0x19, 0xc6, 0x89, 0x31, 0x24, 0x08, 0x04, 0x83,
    0xe2, 0x0c, 0x32, 0x4e, 0x95, 0x3d, 0x47, 0x4e, 0xbf, 0x02, 0x58, 0xe2, 0x92, 0x1a, 0xe4, 0x00, 0x08,
    0x1e, 0x69, 0x85, 0x9d, 0xac, 0x14,
};

static void test_pattern_valid(void)
{
	static const struct {
		const char *in, *canon;
		bool wildcard, any;
		unsigned port;
	} cases[] = {
	    {"example.com", "example.com", false, false, 0},
	    {"Example.COM", "example.com", false, false, 0},
	    {"*.example.com", "*.example.com", true, false, 0},
	    {"*.a.b.example.com:8443", "*.a.b.example.com:8443", true, false, 8443},
	    {"example.com:8443", "example.com:8443", false, false, 8443},
	    {"*", "*", false, true, 0},
	    {"*:443", "*:443", false, true, 443},
	    {"127.0.0.1", "127.0.0.1", false, false, 0},
	    {"127.0.0.1:65535", "127.0.0.1:65535", false, false, 65535},
	    {"[::1]:8080", "[::1]:8080", false, false, 8080},
	    {"[0:0::1]", "[::1]", false, false, 0},
	    {"::1", "[::1]", false, false, 0},
	    {"xn--bcher-kva.example", "xn--bcher-kva.example", false, false, 0},
	    {"localhost", "localhost", false, false, 0},
	    {"a-b.c-d", "a-b.c-d", false, false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct al_egress_pattern p;
		struct al_err err = {0};
		CHECK_OK(al_egress_pattern_parse(cases[i].in, &p, &err), &err);
		char *canon = al_egress_pattern_format(&p);
		CHECK_STR(canon, cases[i].canon);
		CHECK_INT(p.wildcard, cases[i].wildcard);
		CHECK_INT(p.any, cases[i].any);
		CHECK_INT(p.port, cases[i].port);
		free(canon);
		al_egress_pattern_free(&p);
	}
}

static void test_pattern_invalid(void)
{
	char long_label[80], long_name[300];
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com");
	for (size_t i = 0; i < 254; i += 2)
		long_name[i] = 'a', long_name[i + 1] = '.';
	strcpy(long_name + 254, "com");
	static const struct {
		const char *in, *needle;
	} cases[] = {
	    {"", "empty"},
	    {"*.com", "at least two labels"},
	    {"*.*", "'*'"},
	    {"a.*", "'*'"},
	    {"*foo.com", "'*'"},
	    {"foo.*.com", "'*'"},
	    {"a..b", "empty label"},
	    {".a", "empty label"},
	    {"a.", "empty label"},
	    {"exa_mple.com", "[a-z0-9-]"},
	    {"b\xc3\xbc"
	     "cher.example",
	     "punycode"},
	    {"example.com:0", "port"},
	    {"example.com:65536", "port"},
	    {"example.com:", "port"},
	    {"example.com:8a", "port"},
	    {"[::1", "'['"},
	    {"[example.com]", "IPv6"},
	    {"*.127.0.0.1", "IP address"},
	    {"127.1", "numeric"},
	    {"1:2:3", "IPv6"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct al_egress_pattern p;
		struct al_err err = {0};
		CHECK_FAILS(al_egress_pattern_parse(cases[i].in, &p, &err), &err, "host pattern");
		if (!strstr(err.msg, cases[i].needle))
			check_fail(__FILE__, __LINE__, cases[i].in, err.msg);
		CHECK(p.host == NULL);
	}
	struct al_egress_pattern p;
	struct al_err err = {0};
	CHECK_FAILS(al_egress_pattern_parse(long_label, &p, &err), &err, "63");
	CHECK_FAILS(al_egress_pattern_parse(long_name, &p, &err), &err, "253");
	CHECK_FAILS(al_egress_pattern_parse("*.com", &p, &err), &err, "\"*.com\"");
}

static bool matches(const char *pattern, const char *host, uint16_t port)
{
	struct al_egress_pattern p;
	struct al_err err = {0};
	if (al_egress_pattern_parse(pattern, &p, &err) < 0) {
		check_fail(__FILE__, __LINE__, pattern, err.msg);
		return false;
	}
	bool r = al_egress_pattern_match(&p, host, port);
	al_egress_pattern_free(&p);
	return r;
}

static void test_match(void)
{
	CHECK(matches("example.com", "example.com", 443));
	CHECK(!matches("example.com", "a.example.com", 443));
	CHECK(!matches("example.com", "badexample.com", 443));
	CHECK(matches("*.example.com", "a.example.com", 80));
	CHECK(matches("*.example.com", "a.b.example.com", 80));
	CHECK(!matches("*.example.com", "example.com", 80));
	CHECK(!matches("*.example.com", "aexample.com", 80));
	CHECK(!matches("*.example.com", "a.example.com.evil", 80));
	CHECK(matches("example.com:8443", "example.com", 8443));
	CHECK(!matches("example.com:8443", "example.com", 443));
	CHECK(matches("*", "anything.test", 1));
	CHECK(matches("*", "10.0.0.1", 22));
	CHECK(matches("*:443", "x.test", 443));
	CHECK(!matches("*:443", "x.test", 80));
	CHECK(matches("[::1]", "::1", 80));
	CHECK(matches("127.0.0.1", "127.0.0.1", 80));
	CHECK(!matches("127.0.0.1", "127.0.0.2", 80));

	struct al_egress_policy pol = {0};
	struct al_egress_verdict v;
	struct al_err err = {0};
	al_egress_decide(&pol, "x.test", 80, &v);
	CHECK(!v.allow);
	CHECK_STR(v.rule, "default-deny");
	CHECK_OK(al_egress_policy_add(&pol, false, "*.example.com", &err), &err);
	CHECK_OK(al_egress_policy_add(&pol, false, "*", &err), &err);
	CHECK_OK(al_egress_policy_add(&pol, false, "127.0.0.1", &err), &err);
	CHECK_OK(al_egress_policy_add(&pol, true, "evil.example.com", &err), &err);
	CHECK_OK(al_egress_policy_add(&pol, true, "*.example.com:22", &err), &err);
	CHECK_OK(al_egress_policy_add(&pol, true, "EVIL.example.com", &err), &err); /* the same rule */
	CHECK_INT(pol.n, 5);
	al_egress_decide(&pol, "a.example.com", 443, &v);
	CHECK(v.allow);
	CHECK_STR(v.rule, "*.example.com");
	CHECK(!v.exact);
	al_egress_decide(&pol, "evil.example.com", 443, &v);
	CHECK(!v.allow && v.by_deny_rule);
	CHECK_STR(v.rule, "evil.example.com");
	al_egress_decide(&pol, "a.example.com", 22, &v);
	CHECK(!v.allow && v.by_deny_rule);
	CHECK_STR(v.rule, "*.example.com:22");
	al_egress_decide(&pol, "127.0.0.1", 80, &v);
	CHECK(v.allow && v.exact); /* named exactly, though "*" matches too */
	CHECK_STR(v.rule, "127.0.0.1");
	al_egress_decide(&pol, "127.0.0.2", 80, &v);
	CHECK(v.allow && !v.exact);
	char *ls = al_egress_policy_list(&pol);
	CHECK_STR(
	    ls,
	    "allow *.example.com\nallow *\nallow 127.0.0.1\ndeny evil.example.com\ndeny *.example.com:22");
	free(ls);
	CHECK_FAILS(al_egress_policy_add(&pol, false, "*.com", &err), &err, "*.com");
	al_egress_policy_free(&pol);
}

static void test_host_normalize(void)
{
	static const struct {
		const char *in, *out;
		bool ip;
	} ok[] = {
	    {"Example.COM.", "example.com", false},	    {"[::1]", "::1", true},
	    {"::FFFF:127.0.0.1", "::ffff:127.0.0.1", true}, {"127.0.0.1", "127.0.0.1", true},
	    {"_dmarc.x.test", "_dmarc.x.test", false},
	};
	static const char *const bad[] = {"",		".",	      "a..b",	   "127.1",
					  "0x7f.0.0.1", "2130706433", "[1.2.3.4]", "ex%61mple.com",
					  "a b",	"[::1",	      "x.test..",  "\xff.test"};
	char out[AL_EGRESS_HOST_MAX];
	bool ip;
	const char *why;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		CHECK_INT(al_egress_host_normalize(ok[i].in, strlen(ok[i].in), out, &ip, &why), 0);
		CHECK_STR(out, ok[i].out);
		CHECK_INT(ip, ok[i].ip);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (al_egress_host_normalize(bad[i], strlen(bad[i]), out, &ip, &why) != -1)
			check_fail(__FILE__, __LINE__, "should be refused", bad[i]);
	CHECK_INT(al_egress_host_normalize("a\0b.test", 8, out, &ip, &why), -1);
}

static bool internal(const char *ip)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, ip, &in4->sin_addr) == 1)
		in4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1)
		in6->sin6_family = AF_INET6;
	return al_egress_addr_internal((struct sockaddr *)&ss);
}

static void test_internal(void)
{
	static const char *const yes[] = {"127.0.0.1",	       "127.255.1.2", "0.0.0.0", "169.254.169.254",
					  "224.0.0.1",	       "239.1.1.1",   "::1",	 "::",
					  "fe80::1",	       "febf::1",     "ff02::1", "::ffff:127.0.0.1",
					  "::ffff:169.254.1.1"};
	static const char *const no[] = {"93.184.216.34", "10.0.0.1", "192.168.1.1",   "8.8.8.8",
					 "2001:db8::1",	  "fec0::1",  "::ffff:8.8.8.8"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!internal(yes[i]))
			check_fail(__FILE__, __LINE__, "should be internal", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (internal(no[i]))
			check_fail(__FILE__, __LINE__, "should not be internal", no[i]);
	check_total += (int)(sizeof yes / sizeof yes[0] + sizeof no / sizeof no[0]);
}

/* A ClientHello made by hand: nsni server_name extensions of `sni`, the handshake cut into records of at
 * most `frag` bytes. */
static size_t build_hello(uint8_t *out, const char *sni, int nsni, size_t frag)
{
	uint8_t body[2048], hs[2048];
	size_t n = 0;
	body[n++] = 3, body[n++] = 3;
	memset(body + n, 0x42, 32), n += 32;
	body[n++] = 0;			    /* session id */
	body[n++] = 0, body[n++] = 2;	    /* suites */
	body[n++] = 0x13, body[n++] = 0x01; /* TLS_AES_128_GCM_SHA256 */
	body[n++] = 1, body[n++] = 0;	    /* null compression */
	size_t ext_at = n;
	n += 2;
	body[n++] = 0x00, body[n++] = 0x0b; /* ec_point_formats */
	body[n++] = 0, body[n++] = 2, body[n++] = 1, body[n++] = 0;
	for (int i = 0; i < nsni; i++) {
		size_t sl = strlen(sni);
		body[n++] = 0, body[n++] = 0;
		body[n++] = (uint8_t)((sl + 5) >> 8), body[n++] = (uint8_t)(sl + 5);
		body[n++] = (uint8_t)((sl + 3) >> 8), body[n++] = (uint8_t)(sl + 3);
		body[n++] = 0;
		body[n++] = (uint8_t)(sl >> 8), body[n++] = (uint8_t)sl;
		memcpy(body + n, sni, sl), n += sl;
	}
	body[ext_at] = (uint8_t)((n - ext_at - 2) >> 8), body[ext_at + 1] = (uint8_t)(n - ext_at - 2);
	hs[0] = 1, hs[1] = 0, hs[2] = (uint8_t)(n >> 8), hs[3] = (uint8_t)n;
	memcpy(hs + 4, body, n);
	size_t hl = n + 4, o = 0;
	for (size_t at = 0; at < hl; at += frag) {
		size_t len = hl - at < frag ? hl - at : frag;
		out[o++] = 22, out[o++] = 3, out[o++] = 1, out[o++] = (uint8_t)(len >> 8),
		out[o++] = (uint8_t)len;
		memcpy(out + o, hs + at, len), o += len;
	}
	return o;
}

static void test_tls(void)
{
	char sni[AL_EGRESS_HOST_MAX];
	uint8_t buf[4096], copy[sizeof real_hello];
	CHECK_INT(al_tls_client_hello_sni(real_hello, sizeof real_hello, sni), AL_TLS_SNI);
	CHECK_STR(sni, "x.test");
	/* every truncation waits for more, never reads past the end */
	for (size_t n = 1; n < sizeof real_hello; n++) {
		uint8_t *cut = malloc(n); /* exact size: ASan sees any overread */
		memcpy(cut, real_hello, n);
		int r = al_tls_client_hello_sni(cut, n, sni);
		if (r != AL_TLS_MORE)
			check_fail(__FILE__, __LINE__, "truncated hello should need more", NULL);
		free(cut);
	}
	check_total++;
	/* every single-byte corruption of the framing is refused or still parses; none crashes */
	for (size_t i = 0; i < sizeof real_hello; i++)
		for (int bit = 0; bit < 8; bit++) {
			memcpy(copy, real_hello, sizeof copy);
			copy[i] ^= (uint8_t)(1 << bit);
			int r = al_tls_client_hello_sni(copy, sizeof copy, sni);
			if (r == AL_TLS_SNI && strlen(sni) != 6)
				check_fail(__FILE__, __LINE__,
					   "corrupted hello gave a name of another length", sni);
		}
	check_total++;
	uint32_t seed = 1;
	for (int round = 0; round < 20000; round++) { /* random garbage after a handshake record header */
		size_t n = 5 + (seed % 600);
		buf[0] = 22, buf[1] = 3, buf[2] = 1, buf[3] = (uint8_t)((n - 5) >> 8),
		buf[4] = (uint8_t)(n - 5);
		for (size_t i = 5; i < n; i++)
			seed = seed * 1103515245 + 12345, buf[i] = (uint8_t)(seed >> 16);
		buf[5] = 1;
		al_tls_client_hello_sni(buf, n, sni);
	}
	/* record and handshake lengths */
	memcpy(copy, real_hello, sizeof copy);
	copy[3] = 0x40, copy[4] = 0x01; /* a record over 16 KiB */
	CHECK_INT(al_tls_client_hello_sni(copy, sizeof copy, sni), AL_TLS_MALFORMED);
	memcpy(copy, real_hello, sizeof copy);
	copy[5] = 2; /* not a ClientHello */
	CHECK_INT(al_tls_client_hello_sni(copy, sizeof copy, sni), AL_TLS_MALFORMED);
	memcpy(copy, real_hello, sizeof copy);
	copy[8]--; /* handshake length one short: the extensions overrun it */
	CHECK_INT(al_tls_client_hello_sni(copy, sizeof copy, sni), AL_TLS_MALFORMED);
	memcpy(copy, real_hello, sizeof copy);
	copy[0] = 21; /* an alert: not TLS handshake, passed through as not-TLS */
	CHECK_INT(al_tls_client_hello_sni(copy, sizeof copy, sni), AL_TLS_NOT_TLS);
	CHECK_INT(al_tls_client_hello_sni((const uint8_t *)"GET / HTTP/1.1\r\n", 16, sni), AL_TLS_NOT_TLS);
	CHECK_INT(al_tls_client_hello_sni((const uint8_t *)"", 0, sni), AL_TLS_MORE);
	/* built by hand: split over records, no SNI, two SNI extensions, a bad name */
	size_t n = build_hello(buf, "b.test", 1, 4096);
	CHECK_INT(al_tls_client_hello_sni(buf, n, sni), AL_TLS_SNI);
	CHECK_STR(sni, "b.test");
	n = build_hello(buf, "split.example.com", 1, 7);
	CHECK_INT(al_tls_client_hello_sni(buf, n, sni), AL_TLS_SNI);
	CHECK_STR(sni, "split.example.com");
	CHECK_INT(al_tls_client_hello_sni(buf, n - 1, sni), AL_TLS_MORE);
	n = build_hello(buf, "x", 0, 4096);
	CHECK_INT(al_tls_client_hello_sni(buf, n, sni), AL_TLS_NO_SNI);
	n = build_hello(buf, "a.test", 2, 4096);
	CHECK_INT(al_tls_client_hello_sni(buf, n, sni), AL_TLS_MALFORMED);
	n = build_hello(buf, "a\x01.test", 1, 4096);
	CHECK_INT(al_tls_client_hello_sni(buf, n, sni), AL_TLS_MALFORMED);
	/* a hello that would grow past 16 KiB is refused, not waited for */
	uint8_t *big = calloc(1, AL_EGRESS_HEAD_MAX + 64);
	for (size_t at = 0; at + 5 + 1000 <= AL_EGRESS_HEAD_MAX + 64; at += 1005)
		big[at] = 22, big[at + 1] = 3, big[at + 2] = 1, big[at + 3] = 1000 >> 8,
		big[at + 4] = 1000 & 255;
	big[5] = 1, big[6] = 0, big[7] = 0x7f, big[8] = 0xff;
	CHECK_INT(al_tls_client_hello_sni(big, AL_EGRESS_HEAD_MAX, sni), AL_TLS_MALFORMED);
	free(big);
}

static void test_rate(void)
{
	static const struct {
		const char *in;
		uint64_t want;
	} ok[] = {
	    {"10mbit", 1250000}, {"1mbit", 125000},	{"500kbit", 62500},  {"1gbit", 125000000},
	    {"2mbyte", 2097152}, {"2mb", 2097152},	{"2m", 2097152},     {"64kb", 65536},
	    {"1000", 1000},	 {"1.5mbit", 187500},	{"10MBit", 1250000}, {"8bit", 1},
	    {"1g", 1073741824},	 {"10mbit/s", 1250000}, {"2b", 2},
	};
	static const char *const bad[] = {"",		"mbit",	  "10 mbit",
					  "10furlongs", "0",	  "0mbit",
					  "1bit",	"-1mbit", "99999999999999999999999mb",
					  "10mbit/h"};
	struct al_err err = {0};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		uint64_t v = 0;
		CHECK_OK(al_parse_rate(ok[i].in, &v, &err), &err);
		CHECK_INT(v, ok[i].want);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v;
		CHECK_FAILS(al_parse_rate(bad[i], &v, &err), &err, "rate");
	}
}

static int parse(const char *head, struct al_http_request *req, int *code, const char **why)
{
	size_t end = al_http_head_end(head, strlen(head), 0);
	if (!end)
		return -2;
	return al_http_parse_head(head, end, req, code, why);
}

static void test_http(void)
{
	struct al_http_request req;
	int code;
	const char *why;
	CHECK_INT(
	    parse("GET http://Example.COM:8080/a/b?c=d#frag HTTP/1.1\r\nHost: evil.test\r\n"
		  "Proxy-Authorization: Basic eA==\r\nProxy-Connection: keep-alive\r\nConnection: x-hop, "
		  "close\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nUpgrade: websocket\r\nAccept: */*\r\n\r\n",
		  &req, &code, &why),
	    0);
	CHECK_STR(req.method, "GET");
	CHECK_STR(req.host, "example.com");
	CHECK_INT(req.port, 8080);
	CHECK(!req.connect);
	CHECK_INT(req.body.kind, AL_HTTP_BODY_NONE);
	CHECK(req.body.done);
	req.forward[req.forward_len - 0] = '\0';
	CHECK_STR(req.forward,
		  "GET /a/b?c=d HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nConnection: "
		  "close\r\n\r\n");
	al_http_request_free(&req);

	CHECK_INT(parse("POST http://x.test HTTP/1.0\nContent-Length: 5\n\n", &req, &code, &why), 0);
	CHECK_INT(req.port, 80);
	CHECK_INT(req.body.kind, AL_HTTP_BODY_LENGTH);
	CHECK_INT(al_http_body_feed(&req.body, "helloGET http://evil/", 21), 5);
	CHECK(req.body.done);
	CHECK(strncmp(req.forward, "POST / HTTP/1.0\r\nHost: x.test\r\nContent-Length: 5\r\n", 50) == 0);
	al_http_request_free(&req);

	CHECK_INT(parse("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n", &req, &code, &why), 0);
	CHECK(req.connect && req.host_is_ip);
	CHECK_STR(req.host, "::1");
	CHECK_INT(req.port, 443);
	CHECK(req.forward == NULL);

	static const struct {
		const char *head;
		int code;
	} bad[] = {
	    {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400},
	    {"GET https://x.test/ HTTP/1.1\r\n\r\n", 400},
	    {"GET http://x.test/ HTTP/2.0\r\n\r\n", 400},
	    {"GET http://x.test/  HTTP/1.1\r\n\r\n", 400},
	    {"get http://x.test/ HTTP/1.1\r\n\r\n", 400},
	    {"GET http://user@x.test/ HTTP/1.1\r\n\r\n", 400},
	    {"GET http://x.test:0/ HTTP/1.1\r\n\r\n", 400},
	    {"GET http://x.test:99999/ HTTP/1.1\r\n\r\n", 400},
	    {"GET http://127.1/ HTTP/1.1\r\n\r\n", 400},
	    {"CONNECT x.test HTTP/1.1\r\n\r\n", 400},
	    {"CONNECT x.test: HTTP/1.1\r\n\r\n", 400},
	    {"GET http://x.test/ HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n", 400},
	    {"GET http://x.test/ HTTP/1.1\r\nBad Name: 1\r\n\r\n", 400},
	    {"GET http://x.test/ HTTP/1.1\r\nNoColon\r\n\r\n", 400},
	    {"GET http://x.test/ HTTP/1.1\r\nA: x\ry\r\n\r\n", 400},
	    {"POST http://x.test/ HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	    {"POST http://x.test/ HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
	    {"POST http://x.test/ HTTP/1.1\r\nContent-Length: -3\r\n\r\n", 400},
	    {"POST http://x.test/ HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int r = parse(bad[i].head, &req, &code, &why);
		if (r != -1 || code != bad[i].code)
			check_fail(__FILE__, __LINE__, "should be refused", bad[i].head);
		al_http_request_free(&req);
	}
	check_total++;
	/* "Connection: content-length" must not strip the framing */
	CHECK_INT(
	    parse("POST http://x.test/ HTTP/1.1\r\nConnection: Content-Length\r\nContent-Length: 2\r\n\r\n",
		  &req, &code, &why),
	    0);
	CHECK(strstr(req.forward, "Content-Length: 2\r\n") != NULL);
	al_http_request_free(&req);

	CHECK(al_http_start_ok("GET ", 4));
	CHECK(al_http_start_ok("CONN", 4));
	CHECK(!al_http_start_ok("\x16\x03\x01", 3));
	CHECK(!al_http_start_ok("get ", 4));
	CHECK(!al_http_start_ok(" GET", 4));
	CHECK(!al_http_start_ok("AAAAAAAAAAAAAAAAAAAA", 20));
	CHECK_INT(al_http_head_end("GET x\r\n\r", 8, 0), 0);
	CHECK_INT(al_http_head_end("GET x\r\n\r\nBODY", 13, 8), 9);
	CHECK_INT(al_http_head_end("GET x\n\nBODY", 11, 0), 7);
}

static void test_chunked(void)
{
	struct al_http_body b = {.kind = AL_HTTP_BODY_CHUNKED};
	const char *body = "5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nGET http://evil/";
	size_t whole = strlen(body) - strlen("GET http://evil/");
	/* byte by byte: the same end */
	size_t taken = 0;
	for (size_t i = 0; i < strlen(body) && !b.done; i++)
		taken += (size_t)al_http_body_feed(&b, body + i, 1);
	CHECK(b.done);
	CHECK_INT(taken, whole);
	b = (struct al_http_body){.kind = AL_HTTP_BODY_CHUNKED};
	CHECK_INT(al_http_body_feed(&b, body, strlen(body)), whole);
	CHECK(b.done);
	static const char *const bad[] = {"x\r\n", "5\r\nhelloX", "\r\n", "5\r\nhello\r\n0\r\n\x01",
					  "1234567890abcdef0\r\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		b = (struct al_http_body){.kind = AL_HTTP_BODY_CHUNKED};
		if (al_http_body_feed(&b, bad[i], strlen(bad[i])) != -1 && !strchr(bad[i], '\x01'))
			check_fail(__FILE__, __LINE__, "chunked body should be refused", bad[i]);
	}
	check_total++;
}

static void test_socks(void)
{
	struct al_socks_request req;
	size_t used;
	uint8_t rep, reply[10];
	CHECK_INT(al_socks_parse_greeting((const uint8_t *)"\x05", 1, &used), AL_SOCKS_MORE);
	CHECK_INT(al_socks_parse_greeting((const uint8_t *)"\x05\x02\x02\x00", 4, &used), AL_SOCKS_DONE);
	CHECK_INT(used, 4);
	CHECK_INT(al_socks_parse_greeting((const uint8_t *)"\x05\x01\x02", 3, &used), AL_SOCKS_BAD);
	CHECK_INT(al_socks_parse_greeting((const uint8_t *)"\x04\x01\x00", 3, &used), AL_SOCKS_BAD);
	static const uint8_t name[] = {5, 1, 0, 3, 6, 'X', '.', 't', 'e', 's', 't', 0x01, 0xbb};
	for (size_t n = 0; n < sizeof name; n++)
		CHECK_INT(al_socks_parse_request(name, n, &req, &used, &rep), AL_SOCKS_MORE);
	CHECK_INT(al_socks_parse_request(name, sizeof name, &req, &used, &rep), AL_SOCKS_DONE);
	CHECK_STR(req.host, "x.test");
	CHECK_INT(req.port, 443);
	CHECK_INT(used, sizeof name);
	static const uint8_t v4[] = {5, 1, 0, 1, 127, 0, 0, 1, 0, 80};
	CHECK_INT(al_socks_parse_request(v4, sizeof v4, &req, &used, &rep), AL_SOCKS_DONE);
	CHECK_STR(req.host, "127.0.0.1");
	CHECK(req.host_is_ip);
	static const uint8_t bind[] = {5, 2, 0, 1, 127, 0, 0, 1, 0, 80};
	CHECK_INT(al_socks_parse_request(bind, sizeof bind, &req, &used, &rep), AL_SOCKS_BAD);
	CHECK_INT(rep, AL_SOCKS_CMD_UNSUPPORTED);
	static const uint8_t atyp[] = {5, 1, 0, 9, 127, 0, 0, 1, 0, 80};
	CHECK_INT(al_socks_parse_request(atyp, sizeof atyp, &req, &used, &rep), AL_SOCKS_BAD);
	CHECK_INT(rep, AL_SOCKS_ATYP_UNSUPPORTED);
	static const uint8_t nul[] = {5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80};
	CHECK_INT(al_socks_parse_request(nul, sizeof nul, &req, &used, &rep), AL_SOCKS_BAD);
	static const uint8_t port0[] = {5, 1, 0, 1, 1, 2, 3, 4, 0, 0};
	CHECK_INT(al_socks_parse_request(port0, sizeof port0, &req, &used, &rep), AL_SOCKS_BAD);
	al_socks_reply(reply, AL_SOCKS_NOT_ALLOWED);
	CHECK(memcmp(reply, "\x05\x02\x00\x01\x00\x00\x00\x00\x00\x00", 10) == 0);
}

int main(void)
{
	test_pattern_valid();
	test_pattern_invalid();
	test_match();
	test_host_normalize();
	test_internal();
	test_tls();
	test_rate();
	test_http();
	test_chunked();
	test_socks();
	CHECK_DONE();
}
