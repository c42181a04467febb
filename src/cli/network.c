/* network.c: `airlock network allow|deny SANDBOX PATTERN` and `airlock network ls SANDBOX`: a sandbox's
 * egress policy, changed without a restart through its proxy's control socket and kept in its config,
 * so that the next start has it too. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common.h"
#include "egress.h"
#include "util.h"
#include "verbs.h"

static const char usage[] =
    "Usage: airlock network allow SANDBOX PATTERN\n"
    "       airlock network deny SANDBOX PATTERN\n"
    "       airlock network ls SANDBOX\n\n"
    "Change or show the egress policy of a sandbox created with --allow-host or\n"
    "--deny-host. A change applies to new connections at once when the sandbox runs, and\n"
    "is kept for its next start. PATTERN: example.com, *.example.com (subdomains),\n"
    "example.com:8443, or * (everything). Deny rules win over allow rules.\n";

/* One command to the proxy; *reply gets its answer. Returns 0, or -1 with *err. */
static int ask_proxy(const struct al_box *b, const char *cmd, char *reply, size_t cap, struct al_err *err)
{
	_cleanup_close_ int s = al_box_connect(b, "proxy.sock", SOCK_SEQPACKET, err);
	if (s < 0)
		return -1;
	struct timeval tv = {.tv_sec = 5};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (send(s, cmd, strlen(cmd), MSG_NOSIGNAL) < 0)
		return al_err_sys(err, errno, "sandbox %s: its egress proxy", al_box_name(b));
	ssize_t n = recv(s, reply, cap - 1, 0);
	if (n < 0)
		return al_err_sys(err, errno, "sandbox %s: its egress proxy", al_box_name(b));
	reply[n] = '\0';
	return 0;
}

/* Keep the rule in the config: add it to its list, drop it from the other. */
static int remember(struct al_box *b, const char *verb, const char *pattern, struct al_err *err)
{
	json_t *spec = json_object_get(b->config, "Spec");
	const char *keys[2] = {"EgressAllow", "EgressDeny"};
	int mine = strcmp(verb, "allow") == 0 ? 0 : 1;
	for (int k = 0; k < 2; k++) {
		json_t *list = json_object_get(spec, keys[k]);
		if (!json_is_array(list)) {
			list = json_array();
			json_object_set_new(spec, keys[k], list);
		}
		size_t i;
		json_t *v;
		bool present = false;
		json_array_foreach (list, i, v)
			if (json_is_string(v) && strcmp(json_string_value(v), pattern) == 0)
				present = true;
		if (k == mine && !present)
			json_array_append_new(list, json_string(pattern));
		for (size_t j = json_array_size(list); k != mine && j-- > 0;)
			if (strcmp(json_string_value(json_array_get(list, j)), pattern) == 0)
				json_array_remove(list, j);
	}
	return al_box_save_config(b, err);
}

static bool has_egress(const struct al_box *b)
{
	json_t *spec = json_object_get(b->config, "Spec");
	return json_array_size(json_object_get(spec, "EgressAllow")) ||
	       json_array_size(json_object_get(spec, "EgressDeny"));
}

static int list_rules(struct al_box *b)
{
	struct al_err err = {0};
	char reply[65536];
	if (strcmp(al_box_status(b), AL_STATUS_RUNNING) == 0) {
		if (ask_proxy(b, "ls", reply, sizeof reply, &err) < 0)
			return al_cli_fail(&err);
		fputs(reply, stdout);
		if (*reply && reply[strlen(reply) - 1] != '\n')
			putchar('\n');
		return 0;
	}
	json_t *spec = json_object_get(b->config, "Spec");
	const char *keys[2] = {"EgressDeny", "EgressAllow"}, *words[2] = {"deny", "allow"};
	for (int k = 0; k < 2; k++) {
		size_t i;
		json_t *v;
		json_array_foreach (json_object_get(spec, keys[k]), i, v)
			printf("%s %s\n", words[k], json_string_value(v));
	}
	return 0;
}

int al_verb_network(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	bool ls = argc == 3 && strcmp(argv[1], "ls") == 0;
	bool change = argc == 4 && (strcmp(argv[1], "allow") == 0 || strcmp(argv[1], "deny") == 0);
	if (!ls && !change)
		return al_cli_usage_error("network", "expected allow|deny SANDBOX PATTERN, or ls SANDBOX");
	struct al_err err = {0};
	struct al_egress_pattern pat;
	if (change) {
		if (al_egress_pattern_parse(argv[3], &pat, &err) < 0)
			return al_cli_fail(&err);
		al_egress_pattern_free(&pat);
	}
	struct al_box b;
	int status = al_cli_find(argv[2], &b);
	if (status)
		return status;
	if (!has_egress(&b)) {
		fprintf(
		    stderr,
		    "airlock: sandbox %s has no egress proxy: create it with --allow-host or --deny-host\n",
		    argv[2]);
		status = AL_EXIT_ERROR;
	} else if (ls) {
		status = list_rules(&b);
	} else {
		char reply[1024] = "ok";
		_cleanup_free_ char *cmd = al_xasprintf("%s %s", argv[1], argv[3]);
		bool running = strcmp(al_box_status(&b), AL_STATUS_RUNNING) == 0;
		int r = running ? ask_proxy(&b, cmd, reply, sizeof reply, &err) : 0;
		if (r == 0 && strcmp(reply, "ok") != 0)
			r = al_err_set(&err, EINVAL, "%s", reply);
		if (r == 0)
			r = remember(&b, argv[1], argv[3], &err);
		if (r < 0)
			status = al_cli_fail(&err);
	}
	al_box_free(&b);
	return status;
}
