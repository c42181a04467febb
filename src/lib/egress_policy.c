/* egress_policy.c: host patterns, the normal form of a requested host, and the decision of the egress
 * proxy (deny rules, then allow rules, else deny), plus which resolved addresses are internal. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "egress_internal.h"
#include "util.h"

#define RULES_MAX 4096

/* An IP literal (IPv6 without brackets) in canonical text; false when it is none. */
static bool ip_canonical(const char *s, char out[AL_EGRESS_HOST_MAX])
{
	unsigned char bin[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, s, bin) == 1)
		return inet_ntop(AF_INET, bin, out, AL_EGRESS_HOST_MAX) != NULL;
	if (inet_pton(AF_INET6, s, bin) == 1)
		return inet_ntop(AF_INET6, bin, out, AL_EGRESS_HOST_MAX) != NULL;
	return false;
}

/* Check a lower-cased name label by label; NULL when fine, else why not. */
static const char *name_invalid(const char *name, bool underscore_ok)
{
	size_t len = strlen(name);
	if (len == 0)
		return "empty host";
	if (len > 253)
		return "name longer than 253 characters";
	const char *label = name, *last = name;
	for (const char *p = name;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label)
				return "empty label";
			if (p - label > 63)
				return "label longer than 63 characters";
			last = label;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' ||
		      (underscore_ok && *p == '_')))
			return *p == '*' ? "'*' only as the whole first label (*.example.com)"
					 : "characters outside [a-z0-9-] (give IDN names as punycode)";
	}
	if (strspn(last, "0123456789") == strlen(last))
		return "not a host name or IP address (numeric last label)";
	return NULL;
}

static int parse_port(const char *s, uint16_t *port)
{
	size_t n = strlen(s);
	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Split "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 literal; host is copied lower-cased. */
static const char *split_host_port(const char *s, char host[AL_EGRESS_HOST_MAX], uint16_t *port, bool *v6)
{
	const char *colon = NULL;
	size_t hlen;
	*v6 = false;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close)
			return "unclosed '['";
		if (close[1] != '\0' && close[1] != ':')
			return "text after ']'";
		s++, hlen = (size_t)(close - s), *v6 = true;
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if (strchr(s, ':') && strchr(s, ':') != strrchr(s, ':')) {
		hlen = strlen(s), *v6 = true; /* a bare IPv6 literal has no port */
	} else {
		colon = strchr(s, ':');
		hlen = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (hlen >= AL_EGRESS_HOST_MAX)
		return "name longer than 253 characters";
	for (size_t i = 0; i < hlen; i++)
		host[i] = (char)tolower((unsigned char)s[i]);
	host[hlen] = '\0';
	*port = 0;
	if (colon && parse_port(colon + 1, port) < 0)
		return "port must be 1 to 65535";
	return NULL;
}

static const char *pattern_host(char *host, bool v6, struct al_egress_pattern *out)
{
	char canon[AL_EGRESS_HOST_MAX];
	if (strcmp(host, "*") == 0) {
		out->any = true;
		return v6 ? "'*' in brackets" : NULL;
	}
	if (v6) {
		if (!strchr(host, ':') || !ip_canonical(host, canon))
			return "not an IPv6 address";
		out->host = al_xstrdup(canon);
		return NULL;
	}
	if (strncmp(host, "*.", 2) == 0) {
		host += 2;
		out->wildcard = true;
		if (ip_canonical(host, canon))
			return "a wildcard over an IP address";
		if (!strchr(host, '.') && !name_invalid(host, false))
			return "a wildcard must cover at least two labels (*.example.com, not *.com)";
	} else if (host[0] == '*') {
		return "'*' only as the whole first label (*.example.com)";
	} else if (ip_canonical(host, canon)) {
		out->host = al_xstrdup(canon);
		return NULL;
	}
	const char *why = name_invalid(host, false);
	if (why)
		return why;
	out->host = al_xstrdup(host);
	return NULL;
}

int al_egress_pattern_parse(const char *s, struct al_egress_pattern *out, struct al_err *err)
{
	char host[AL_EGRESS_HOST_MAX];
	bool v6;
	*out = (struct al_egress_pattern){0};
	if (!s || !*s)
		return al_err_set(err, EINVAL, "host pattern \"\": empty");
	const char *why = split_host_port(s, host, &out->port, &v6);
	if (!why)
		why = pattern_host(host, v6, out);
	if (why) {
		al_egress_pattern_free(out);
		return al_err_set(err, EINVAL, "host pattern \"%.300s\": %s", s, why);
	}
	return 0;
}

void al_egress_pattern_free(struct al_egress_pattern *p)
{
	free(p->host);
	*p = (struct al_egress_pattern){0};
}

char *al_egress_pattern_format(const struct al_egress_pattern *p)
{
	char port[8] = "";
	if (p->port)
		snprintf(port, sizeof port, ":%u", p->port);
	if (p->any)
		return al_xasprintf("*%s", port);
	if (strchr(p->host, ':'))
		return al_xasprintf("[%s]%s", p->host, port);
	return al_xasprintf("%s%s%s", p->wildcard ? "*." : "", p->host, port);
}

bool al_egress_pattern_match(const struct al_egress_pattern *p, const char *host, uint16_t port)
{
	if (p->port && p->port != port)
		return false;
	if (p->any)
		return true;
	if (!p->wildcard)
		return strcmp(p->host, host) == 0;
	size_t hl = strlen(host), pl = strlen(p->host);
	return hl > pl + 1 && host[hl - pl - 1] == '.' && strcmp(host + hl - pl, p->host) == 0;
}

void al_egress_decide(const struct al_egress_policy *pol, const char *host, uint16_t port,
		      struct al_egress_verdict *v)
{
	*v = (struct al_egress_verdict){.rule = "default-deny"};
	for (size_t i = 0; i < pol->n; i++)
		if (pol->rules[i].deny && al_egress_pattern_match(&pol->rules[i].pat, host, port)) {
			v->by_deny_rule = true;
			v->rule = pol->rules[i].text;
			return;
		}
	for (size_t i = 0; i < pol->n; i++) {
		const struct al_egress_rule *r = &pol->rules[i];
		if (r->deny || !al_egress_pattern_match(&r->pat, host, port))
			continue;
		bool exact = !r->pat.any && !r->pat.wildcard;
		if (!v->allow || exact) {
			v->allow = true;
			v->exact = exact;
			v->rule = r->text;
		}
		if (exact)
			return;
	}
}

int al_egress_policy_add(struct al_egress_policy *pol, bool deny, const char *pattern, struct al_err *err)
{
	struct al_egress_pattern pat;
	if (al_egress_pattern_parse(pattern, &pat, err) < 0)
		return -1;
	char *text = al_egress_pattern_format(&pat);
	for (size_t i = 0; i < pol->n; i++)
		if (pol->rules[i].deny == deny && strcmp(pol->rules[i].text, text) == 0) {
			free(text);
			al_egress_pattern_free(&pat);
			return 0;
		}
	if (pol->n >= RULES_MAX) {
		free(text);
		al_egress_pattern_free(&pat);
		return al_err_set(err, ENOSPC, "host pattern \"%s\": more than %d rules", pattern, RULES_MAX);
	}
	pol->rules = al_xrealloc(pol->rules, (pol->n + 1) * sizeof *pol->rules);
	pol->rules[pol->n++] = (struct al_egress_rule){.deny = deny, .pat = pat, .text = text};
	return 0;
}

char *al_egress_policy_list(const struct al_egress_policy *pol)
{
	size_t cap = 1;
	for (size_t i = 0; i < pol->n; i++)
		cap += strlen(pol->rules[i].text) + 8;
	char *out = al_xmalloc(cap), *p = out;
	*p = '\0';
	for (size_t i = 0; i < pol->n; i++)
		p += sprintf(p, "%s%s %s", i ? "\n" : "", pol->rules[i].deny ? "deny" : "allow",
			     pol->rules[i].text);
	return out;
}

void al_egress_policy_free(struct al_egress_policy *pol)
{
	for (size_t i = 0; i < pol->n; i++) {
		al_egress_pattern_free(&pol->rules[i].pat);
		free(pol->rules[i].text);
	}
	free(pol->rules);
	*pol = (struct al_egress_policy){0};
}

int al_egress_host_normalize(const char *s, size_t len, char out[AL_EGRESS_HOST_MAX], bool *is_ip,
			     const char **why)
{
	char tmp[AL_EGRESS_HOST_MAX];
	*is_ip = false;
	*why = "empty host";
	if (len == 0)
		return -1;
	*why = "name longer than 253 characters";
	if (len >= sizeof tmp)
		return -1;
	if (memchr(s, '\0', len)) {
		*why = "NUL in host";
		return -1;
	}
	bool bracket = s[0] == '[';
	if (bracket && (len < 3 || s[len - 1] != ']')) {
		*why = "unclosed '['";
		return -1;
	}
	memcpy(tmp, s + bracket, len - 2 * bracket);
	tmp[len - 2 * bracket] = '\0';
	if (ip_canonical(tmp, out) && (!bracket || strchr(out, ':'))) {
		*is_ip = true;
		return 0;
	}
	*why = "not an IP address in brackets";
	if (bracket)
		return -1;
	for (char *p = tmp; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	size_t n = strlen(tmp);
	if (n > 1 && tmp[n - 1] == '.')
		tmp[n - 1] =
		    '\0'; /* "example.com." is example.com: a rule must not be dodged by the root dot */
	*why = name_invalid(tmp, true);
	if (*why)
		return -1;
	memcpy(out, tmp, strlen(tmp) + 1);
	return 0;
}

static bool v4_internal(uint32_t a)
{
	return (a >> 24) == 127 || (a >> 24) == 0 || (a & 0xffff0000u) == 0xa9fe0000u || (a >> 28) == 0xe ||
	       a == 0xffffffffu;
}

bool al_egress_addr_internal(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_internal(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family != AF_INET6)
		return true;
	const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a)) {
		uint32_t v4;
		memcpy(&v4, &a->s6_addr[12], 4);
		return v4_internal(ntohl(v4));
	}
	return IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a) ||
	       IN6_IS_ADDR_MULTICAST(a);
}
