/* pull.c: `airlock pull REF`: skopeo fetches the image into an OCI layout, the image store loads it.
 * airlock speaks no registry protocol itself: skopeo is the well-kept tool for that (auth, mirrors,
 * signature policy), and a layout is a format the store already verifies digest by digest. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "image.h"
#include "paths.h"
#include "util.h"
#include "verbs.h"

extern char **environ;

static const char *const transports[] = {
    "docker://", "oci:", "oci-archive:", "docker-archive:", "dir:", "docker-daemon:"};

static char *find_skopeo(void)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = al_xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *exe = al_xasprintf("%s/skopeo", dir);
		if (access(exe, X_OK) == 0)
			return exe;
		free(exe);
	}
	return NULL;
}

static bool has_transport(const char *ref)
{
	for (size_t i = 0; i < AL_ARRAY_SIZE(transports); i++)
		if (strncmp(ref, transports[i], strlen(transports[i])) == 0)
			return true;
	return false;
}

static int run_skopeo(const char *skopeo, const char *src, const char *dst, bool quiet)
{
	char *argv[] = {(char *)skopeo, "copy",	     quiet ? "--quiet" : "--retry-times=2",
			(char *)src,	(char *)dst, NULL};
	pid_t pid;
	int r = posix_spawn(&pid, skopeo, NULL, NULL, argv, environ);
	if (r != 0) {
		fprintf(stderr, "airlock: pull: run %s: %s\n", skopeo, strerror(r));
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "airlock: pull: skopeo could not fetch %s\n", src);
		return -1;
	}
	return 0;
}

int al_verb_pull(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf(
		    "Usage: airlock pull [-q] REF [NAME[:TAG]]\n\n"
		    "Fetch an image with skopeo (apt-get install skopeo) and load it into the store.\n"
		    "REF is a registry reference (debian:bookworm-slim, ghcr.io/org/img:tag) or any skopeo\n"
		    "source with its transport (docker-archive:FILE, oci-archive:FILE, oci:DIR[:TAG]); a\n"
		    "source that is not a registry needs NAME[:TAG] to tag the image as.\n\n"
		    "Options:\n  -q, --quiet   no progress output\n");
		return 0;
	}
	int i = 1;
	bool quiet = false;
	if (i < argc && (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0))
		quiet = true, i++;
	if (argc - i < 1 || argc - i > 2)
		return al_cli_usage_error("pull", "requires REF and at most one NAME[:TAG]");
	const char *ref = argv[i], *as = argc - i == 2 ? argv[i + 1] : NULL;
	struct al_err err = {0};
	bool registry = !has_transport(ref) || strncmp(ref, "docker://", 9) == 0;
	if (!registry && !as)
		return al_cli_usage_error(
		    "pull", "%s is not a registry reference: give NAME[:TAG] to tag it as", ref);
	_cleanup_free_ char *tag_ref = al_image_normalize_ref(as				  ? as
							      : strncmp(ref, "docker://", 9) == 0 ? ref + 9
												  : ref,
							      &err);
	if (!tag_ref)
		return al_cli_fail(&err);
	_cleanup_free_ char *skopeo = find_skopeo();
	if (!skopeo) {
		fprintf(stderr,
			"airlock: pull: needs skopeo to fetch images (apt-get install skopeo); an image "
			"saved elsewhere loads with 'airlock image load -i FILE'\n");
		return AL_EXIT_ERROR;
	}
	_cleanup_free_ char *src = has_transport(ref) ? al_xstrdup(ref) : al_xasprintf("docker://%s", ref);
	_cleanup_free_ char *data = al_data_dir();
	int r = al_mkdir_p_at(AT_FDCWD, data, 0755);
	_cleanup_free_ char *tmp = al_xasprintf("%s/pull-XXXXXX", data);
	if (r < 0 || !mkdtemp(tmp)) {
		fprintf(stderr, "airlock: pull: a temporary directory in %s: %s\n", data,
			strerror(r < 0 ? -r : errno));
		return AL_EXIT_ERROR;
	}
	char *colon = strrchr(tag_ref, ':'); /* normalized: NAME:TAG */
	*colon = '\0';
	_cleanup_free_ char *dst = al_xasprintf("oci:%s:%s", tmp, colon + 1);
	int status = 0;
	char **refs = NULL;
	if (run_skopeo(skopeo, src, dst, quiet) < 0)
		status = AL_EXIT_ERROR;
	else if (al_image_load_named(tmp, tag_ref, &refs, &err) < 0)
		status = al_cli_fail(&err);
	for (size_t k = 0; refs && refs[k]; k++)
		printf("%s\n", refs[k]);
	al_image_strv_free(refs);
	_cleanup_close_ int parent = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent >= 0)
		al_rm_tree_at(parent, strrchr(tmp, '/') + 1);
	return status;
}
