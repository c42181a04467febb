/* main.c: the airlock command: dispatch to one verb per file.
 * No logic lives here beyond the verb table and the top-level help. */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "verbs.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} verbs[] = {
    {"run", al_verb_run, "Run a command in a new hardened sandbox"},
    {"create", al_verb_create, "Create a named sandbox"},
    {"start", al_verb_start, "Start created sandboxes"},
    {"exec", al_verb_exec, "Run a command in a running sandbox"},
    {"ps", al_verb_ps, "List sandboxes"},
    {"ls", al_verb_ps, "List sandboxes (as ps)"},
    {"inspect", al_verb_inspect, "Show sandboxes or images as docker's JSON"},
    {"logs", al_verb_logs, "Print what a sandbox's command wrote"},
    {"stop", al_verb_stop, "Stop running sandboxes"},
    {"kill", al_verb_kill, "Send a signal to running sandboxes"},
    {"rm", al_verb_rm, "Remove sandboxes"},
    {"cp", al_verb_cp, "Copy files into or out of a running sandbox"},
    {"prune", al_verb_prune, "Remove stopped or idle sandboxes"},
    {"network", al_verb_network, "Change or show a sandbox's egress policy"},
    {"pull", al_verb_pull, "Fetch an image with skopeo into the store"},
    {"image", al_verb_image, "Manage images: import, load, ls, inspect, rm, tag"},
    {"version", al_verb_version, "Show the version (--format as docker)"},
    {"proxy", al_verb_proxy, "Run an egress proxy on a host port (for tests and benchmarks)"},
};

static void usage(FILE *out)
{
	fprintf(out, "Usage: airlock [--version] [--help] VERB [OPTIONS]\n\n"
		     "A fast, hardened sandbox for the commands of AI agents.\n\nVerbs:\n");
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(out, "\nRun 'airlock VERB --help' for the options of a verb.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return AL_EXIT_ERROR;
	}
	const char *verb = argv[1];
	if (strcmp(verb, "--help") == 0 || strcmp(verb, "-h") == 0 || strcmp(verb, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(verb, "--version") == 0) {
		printf("airlock version %s\n", AIRLOCK_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verb, verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "airlock: unknown verb: %s (see 'airlock --help')\n", verb);
	return AL_EXIT_ERROR;
}
