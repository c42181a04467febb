/* image.c: `airlock image import|load|ls|inspect|rm|tag`: docker's spellings and output over the image
 * store of libairlock. "No such image" exits 1 as docker's; other failures 125 with one line. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "image.h"
#include "store.h"
#include "util.h"
#include "template.h"
#include "verbs.h"

#define EXIT_NO_SUCH 1

static const char *const image_usage =
    "Usage: airlock image COMMAND\n\n"
    "Manage images.\n\n"
    "Commands:\n"
    "  import SRC NAME[:TAG]   Import a root filesystem (directory or tarball) as a one-layer image\n"
    "  load -i FILE            Load a `docker save` archive or an OCI image layout (tar or directory)\n"
    "  ls                      List images\n"
    "  inspect IMAGE...        Display detailed information on images\n"
    "  rm [-f] IMAGE...        Remove images\n"
    "  tag SOURCE TARGET       Create a tag TARGET that refers to SOURCE\n\n"
    "Run 'airlock image COMMAND --help' for the options of a command.\n";

static int fail(const struct al_err *err)
{
	if (strncmp(err->msg, "No such image", 13) == 0) {
		fprintf(stderr, "Error: %s\n", err->msg);
		return EXIT_NO_SUCH;
	}
	fprintf(stderr, "airlock: %s\n", err->msg);
	return AL_EXIT_ERROR;
}

static int usage_error(const char *verb, const char *msg)
{
	fprintf(stderr, "airlock: image %s: %s (see 'airlock image %s --help')\n", verb, msg, verb);
	return AL_EXIT_ERROR;
}

/* Options shared by the subcommands; each accepts the ones its usage names. */
struct image_opts {
	const char *input;
	const char *format;
	bool force, quiet, no_trunc, help;
	bool f_is_format; /* inspect: -f is --format, as docker's */
};

static int parse(int argc, char **argv, const char *shortopts, struct image_opts *o)
{
	static const struct option longopts[] = {
	    {"input", required_argument, NULL, 'i'}, {"format", required_argument, NULL, 'F'},
	    {"force", no_argument, NULL, 'f'},	     {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->input = optarg;
			break;
		case 'F':
			o->format = optarg;
			break;
		case 'f':
			if (o->f_is_format)
				o->format = optarg;
			else
				o->force = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'T':
			o->no_trunc = true;
			break;
		case 'a':
			break; /* intermediate images do not exist here: -a lists the same */
		case 'h':
			o->help = true;
			break;
		default:
			fprintf(stderr, "airlock: image %s: unknown flag: %s\n", argv[0], argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

static int cmd_import(int argc, char **argv)
{
	struct image_opts o = {0};
	if (parse(argc, argv, "+h", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf("Usage: airlock image import SRC NAME[:TAG]\n\n"
		       "Import a root filesystem, a directory or a tarball (plain, gzip, zstd, xz, bzip2), "
		       "as an\n"
		       "image of one layer. Modes, owners (as root), symbolic and hard links are kept.\n");
		return 0;
	}
	if (argc - optind != 2)
		return usage_error("import", "requires SRC and NAME[:TAG]");
	struct al_err err = {0};
	char *id = NULL;
	if (al_image_import(argv[optind], argv[optind + 1], &id, &err) < 0)
		return fail(&err);
	printf("%s\n", id);
	free(id);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	struct image_opts o = {0};
	if (parse(argc, argv, "+i:qh", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf(
		    "Usage: airlock image load -i FILE\n\n"
		    "Load images from a `docker save` archive or an OCI image layout, a tar file "
		    "(optionally\n"
		    "compressed) or a directory. Every digest is verified; a failed load changes nothing.\n\n"
		    "Options:\n"
		    "  -i, --input FILE   Read from FILE (required: reading stdin is not supported)\n"
		    "  -q, --quiet        Print nothing on success\n");
		return 0;
	}
	if (!o.input || optind != argc)
		return usage_error("load", "requires -i FILE");
	struct al_err err = {0};
	char **refs = NULL;
	if (al_image_load(o.input, &refs, &err) < 0)
		return fail(&err);
	for (size_t i = 0; refs[i] && !o.quiet; i++)
		printf(strncmp(refs[i], "sha256:", 7) == 0 ? "Loaded image ID: %s\n" : "Loaded image: %s\n",
		       refs[i]);
	al_image_strv_free(refs);
	return 0;
}

/* "3 days ago", as docker's go-units HumanDuration. */
static void human_since(const char *created, char *buf, size_t len)
{
	struct tm tm = {0};
	if (!created || !strptime(created, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "N/A");
		return;
	}
	long s = (long)difftime(time(NULL), timegm(&tm));
	long m = s / 60, h = m / 60;
	if (s < 1)
		snprintf(buf, len, "Less than a second ago");
	else if (s < 60)
		snprintf(buf, len, "%ld second%s ago", s, s == 1 ? "" : "s");
	else if (m == 1)
		snprintf(buf, len, "About a minute ago");
	else if (m < 60)
		snprintf(buf, len, "%ld minutes ago", m);
	else if (h == 1)
		snprintf(buf, len, "About an hour ago");
	else if (h < 48)
		snprintf(buf, len, "%ld hours ago", h);
	else if (h < 24 * 7 * 2)
		snprintf(buf, len, "%ld days ago", h / 24);
	else if (h < 24 * 30 * 2)
		snprintf(buf, len, "%ld weeks ago", h / 24 / 7);
	else if (h < 24 * 365 * 2)
		snprintf(buf, len, "%ld months ago", h / 24 / 30);
	else
		snprintf(buf, len, "%ld years ago", h / 24 / 365);
}

/* Decimal units with three significant digits, as docker's go-units HumanSize: "74.8MB". */
static void human_size(long long bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)bytes;
	size_t u = 0;
	while (v >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.3g%s", v, units[u]);
}

static void split_tag(const char *ref, char *repo, char *tag, size_t len)
{
	const char *colon = strrchr(ref, ':');
	snprintf(repo, len, "%.*s", colon ? (int)(colon - ref) : (int)strlen(ref), ref);
	snprintf(tag, len, "%s", colon ? colon + 1 : "<none>");
}

/* One row per tag (one <none> row for an untagged image), as docker's `images --format json` keys. */
static json_t *ls_row(json_t *img, const char *ref, bool no_trunc)
{
	char repo[512], tag[512], since[64], size[32], id[80];
	const char *full = json_string_value(json_object_get(img, "Id"));
	split_tag(ref ? ref : "<none>:<none>", repo, tag, sizeof repo);
	human_since(json_string_value(json_object_get(img, "Created")), since, sizeof since);
	human_size(json_integer_value(json_object_get(img, "Size")), size, sizeof size);
	snprintf(id, sizeof id, no_trunc ? "%s" : "%.12s", no_trunc ? full : full + 7);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers", "N/A",
			 "CreatedAt", json_string_value(json_object_get(img, "Created")), "CreatedSince",
			 since, "Digest", "<none>", "ID", id, "Repository", repo, "SharedSize", "N/A", "Size",
			 size, "Tag", tag, "UniqueSize", "N/A", "VirtualSize", size);
}

static const char *const table_keys[] = {"Repository", "Tag", "ID", "CreatedSince", "Size"};
static const char *const table_titles[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
#define TABLE_COLUMNS (sizeof table_keys / sizeof table_keys[0])

/* Columns as wide as their widest cell plus three spaces, as docker's tabwriter. */
static void print_table(json_t *rows)
{
	size_t width[TABLE_COLUMNS], i;
	json_t *row;
	for (size_t c = 0; c < TABLE_COLUMNS; c++)
		width[c] = strlen(table_titles[c]);
	json_array_foreach (rows, i, row)
		for (size_t c = 0; c < TABLE_COLUMNS; c++) {
			size_t n = strlen(json_string_value(json_object_get(row, table_keys[c])));
			width[c] = n > width[c] ? n : width[c];
		}
	for (size_t c = 0; c < TABLE_COLUMNS; c++)
		printf("%-*s", c + 1 < TABLE_COLUMNS ? (int)width[c] + 3 : 0, table_titles[c]);
	printf("\n");
	json_array_foreach (rows, i, row) {
		for (size_t c = 0; c < TABLE_COLUMNS; c++)
			printf("%-*s", c + 1 < TABLE_COLUMNS ? (int)width[c] + 3 : 0,
			       json_string_value(json_object_get(row, table_keys[c])));
		printf("\n");
	}
}

static int print_row(json_t *row, const struct image_opts *o, struct al_err *err)
{
	if (o->quiet) {
		printf("%s\n", json_string_value(json_object_get(row, "ID")));
	} else if (strcmp(o->format, "json") == 0) {
		char *s = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
		printf("%s\n", s);
		free(s);
	} else {
		char *s = NULL;
		if (al_template_render(o->format, row, &s, err) < 0)
			return -1;
		printf("%s\n", s);
		free(s);
	}
	return 0;
}

static int cmd_ls(int argc, char **argv)
{
	struct image_opts o = {0};
	if (parse(argc, argv, "+qah", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf("Usage: airlock image ls [OPTIONS]\n\n"
		       "List images, newest first.\n\nOptions:\n"
		       "  -a, --all            Accepted for docker compatibility (there are no intermediate "
		       "images)\n"
		       "      --format FORMAT  table (default), json (one object per line) or a Go template\n"
		       "      --no-trunc       Show full image ids\n"
		       "  -q, --quiet          Only show image ids\n");
		return 0;
	}
	if (optind != argc)
		return usage_error("ls", "takes no arguments");
	struct al_err err = {0};
	json_t *list = NULL;
	if (al_image_list(&list, &err) < 0)
		return fail(&err);
	json_t *rows = json_array();
	size_t i;
	json_t *img;
	json_array_foreach (list, i, img) {
		json_t *tags = json_object_get(img, "RepoTags");
		size_t n = json_array_size(tags);
		for (size_t t = 0; t < (n ? n : 1) && !(o.quiet && t > 0); t++)
			json_array_append_new(
			    rows,
			    ls_row(img, n ? json_string_value(json_array_get(tags, t)) : NULL, o.no_trunc));
	}
	json_decref(list);
	int r = 0;
	if (!o.quiet && (!o.format || strcmp(o.format, "table") == 0))
		print_table(rows);
	else
		json_array_foreach (rows, i, img)
			if (r == 0)
				r = print_row(img, &o, &err);
	json_decref(rows);
	return r < 0 ? fail(&err) : 0;
}

static int cmd_inspect(int argc, char **argv)
{
	struct image_opts o = {.f_is_format = true};
	if (parse(argc, argv, "+f:h", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf("Usage: airlock image inspect [OPTIONS] IMAGE...\n\n"
		       "Display detailed information on images, as a JSON array.\n\nOptions:\n"
		       "  -f, --format FORMAT  Format the output with a Go template ({{.Id}}, {{json "
		       ".Config}})\n");
		return 0;
	}
	if (optind == argc)
		return usage_error("inspect", "requires at least one IMAGE");
	json_t *out = json_array();
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_err err = {0};
		json_t *obj = NULL;
		char *s = NULL;
		if (al_image_inspect(argv[i], &obj, &err) < 0) {
			status = fail(&err) == EXIT_NO_SUCH && status != AL_EXIT_ERROR ? EXIT_NO_SUCH
										       : AL_EXIT_ERROR;
			continue;
		}
		if (!o.format) {
			json_array_append_new(out, obj);
			continue;
		}
		if (al_template_render(o.format, obj, &s, &err) < 0) {
			json_decref(obj);
			json_decref(out);
			return fail(&err);
		}
		printf("%s\n", s);
		free(s);
		json_decref(obj);
	}
	if (!o.format) {
		char *s = json_dumps(out, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	}
	json_decref(out);
	return status;
}

/* An image a sandbox was made from stays: a running one's root is an overlay of its layers; a stopped
 * one would not start again. -f lets the latter go, as docker does. Prints the refusal. */
static bool in_use(const char *ref, bool force)
{
	_cleanup_free_ char *id = NULL;
	struct al_err ignored;
	if (al_image_resolve(ref, &id, &ignored) < 0)
		return false; /* al_image_remove says "No such image" */
	bool running;
	char **users = al_box_image_users(id, &running);
	bool refuse = users && (running || !force);
	if (refuse)
		fprintf(stderr,
			"airlock: conflict: unable to remove image %s: sandbox %s %s it (remove the sandbox "
			"first%s)\n",
			ref, users[0], running ? "runs on" : "was made from", running ? "" : ", or use -f");
	al_strv_free(users);
	return refuse;
}

static int cmd_rm(int argc, char **argv)
{
	struct image_opts o = {0};
	if (parse(argc, argv, "+fh", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf("Usage: airlock image rm [OPTIONS] IMAGE...\n\n"
		       "Remove tags; an image and its unshared layers go with its last tag.\n\nOptions:\n"
		       "  -f, --force   Remove an image id with several tags (all of them)\n");
		return 0;
	}
	if (optind == argc)
		return usage_error("rm", "requires at least one IMAGE");
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_err err = {0};
		char **removed = NULL;
		if (in_use(argv[i], o.force)) {
			status = AL_EXIT_ERROR;
			continue;
		}
		if (al_image_remove(argv[i], o.force, &removed, &err) < 0) {
			status = fail(&err) == EXIT_NO_SUCH && status != AL_EXIT_ERROR ? EXIT_NO_SUCH
										       : AL_EXIT_ERROR;
			continue;
		}
		for (size_t k = 0; removed[k]; k++)
			printf("%s\n", removed[k]);
		al_image_strv_free(removed);
	}
	return status;
}

static int cmd_tag(int argc, char **argv)
{
	struct image_opts o = {0};
	if (parse(argc, argv, "+h", &o) < 0)
		return AL_EXIT_ERROR;
	if (o.help) {
		printf("Usage: airlock image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\n"
		       "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE.\n");
		return 0;
	}
	if (argc - optind != 2)
		return usage_error("tag", "requires SOURCE and TARGET");
	struct al_err err = {0};
	return al_image_tag(argv[optind], argv[optind + 1], &err) < 0 ? fail(&err) : 0;
}

int al_verb_image(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {{"import", cmd_import},   {"load", cmd_load}, {"ls", cmd_ls},     {"list", cmd_ls},
		    {"inspect", cmd_inspect}, {"rm", cmd_rm},	  {"remove", cmd_rm}, {"tag", cmd_tag}};
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(image_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? AL_EXIT_ERROR : 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "airlock: image: unknown command: %s (see 'airlock image --help')\n", argv[1]);
	return AL_EXIT_ERROR;
}
