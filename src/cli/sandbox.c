/* sandbox.c: the lifecycle verbs of named sandboxes, docker's spellings: create, start, stop, kill, rm,
 * ps, inspect, logs, prune, version. State lives in the store (store.h); each running sandbox has its
 * own monitor (monitor.h); there is no daemon. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "image.h"
#include "inspect.h"
#include "monitor.h"
#include "options.h"
#include "parse.h"
#include "template.h"
#include "util.h"
#include "verbs.h"

static bool want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

/* ---- create ------------------------------------------------------------------------------------ */

/* Register the sandbox of a parsed command line. Returns 0, or the exit status with the error printed. */
int al_cli_create_box(struct al_spec *spec, const struct al_cli_extra *x, struct al_box *b)
{
	struct al_err err = {0};
	if (al_spec_check_sources(spec, &err) < 0 || al_box_create(spec, x->rm, b, &err) < 0)
		return al_cli_fail(&err);
	return 0;
}

int al_verb_create(int argc, char **argv)
{
	struct al_spec spec;
	struct al_err err = {0};
	struct al_cli_extra x = {.verb = AL_CLI_CREATE};
	struct al_box b = {0};
	al_spec_init(&spec);
	int r = al_cli_parse(argc, argv, &spec, &x, &err);
	int status = 0;
	if (r == AL_CLI_HELP)
		al_cli_usage(stdout, AL_CLI_CREATE);
	else if (r < 0)
		status = al_cli_fail(&err);
	else if ((status = al_cli_create_box(&spec, &x, &b)) == 0)
		printf("%s\n", b.id);
	al_box_free(&b);
	al_cli_extra_free(&x);
	al_spec_free(&spec);
	return status;
}

/* ---- start ------------------------------------------------------------------------------------- */

static int start_status(const struct al_err *err)
{
	fprintf(stderr, "airlock: %s\n", err->msg);
	return err->errnum == ENOENT   ? AL_EXIT_NOT_FOUND
	       : err->errnum == EACCES ? AL_EXIT_CANNOT_EXEC
				       : AL_EXIT_ERROR;
}

int al_verb_start(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf(
		    "Usage: airlock start SANDBOX...\n\n"
		    "Start created (or exited) sandboxes, each under its own small monitor process; print\n"
		    "each name once its command runs. A running one is left as it is.\n");
		return 0;
	}
	static const struct option longs[] = {{"attach", no_argument, NULL, 'a'}, {0}};
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "start", "+a", longs)) != -1;)
		if (c == '?')
			return AL_EXIT_ERROR;
		else if (c == 'a')
			return al_cli_usage_error("start",
						  "--attach is not supported: use 'airlock logs -f'");
	if (optind == argc)
		return al_cli_usage_error("start", "requires at least one SANDBOX");
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_box b;
		struct al_err err = {0};
		int s = al_cli_find(argv[i], &b);
		if (s) {
			status = s;
			continue;
		}
		if (strcmp(al_box_status(&b), AL_STATUS_RUNNING) != 0 && al_monitor_start(&b, &err) < 0)
			status = start_status(&err);
		else
			printf("%s\n", argv[i]);
		al_box_free(&b);
	}
	return status;
}

/* ---- stop, kill, rm ---------------------------------------------------------------------------- */

/* Wait until the monitor has written how the sandbox ended and let go of the record. */
static void wait_monitor(const struct al_box *b)
{
	_cleanup_free_ char *path = al_box_path(b, "monitor.lock");
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		while (flock(fd, LOCK_SH) < 0 && errno == EINTR)
			;
}

static bool wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = {pidfd, POLLIN, 0};
	int r;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

static int send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

/* SIGTERM (or `sig`) to the command through pid 1, SIGKILL to all after `secs`. */
static int stop_box(struct al_box *b, int sig, int secs, struct al_err *err)
{
	int pidfd = al_box_pidfd(b, err);
	if (pidfd < 0)
		return 0; /* not running: nothing to stop, as docker */
	if (send_signal(pidfd, sig) < 0 || !wait_exit(pidfd, secs < 0 ? -1 : secs * 1000))
		send_signal(pidfd, SIGKILL);
	close(pidfd);
	wait_monitor(b);
	return 0;
}

int al_verb_stop(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf(
		    "Usage: airlock stop [OPTIONS] SANDBOX...\n\n"
		    "Stop running sandboxes: SIGTERM to the command, SIGKILL to everything after a grace\n"
		    "period.\n\nOptions:\n"
		    "  -t, --time SECS      seconds to wait before killing (default 10; -1 waits forever)\n"
		    "  -s, --signal SIGNAL  signal to send first (default SIGTERM)\n");
		return 0;
	}
	static const struct option longs[] = {
	    {"time", required_argument, NULL, 't'}, {"signal", required_argument, NULL, 's'}, {0}};
	int secs = 10, sig = SIGTERM;
	struct al_err err = {0};
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "stop", "+t:s:", longs)) != -1;) {
		char *end;
		if (c == '?')
			return AL_EXIT_ERROR;
		if (c == 't') {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v < -1 || v > 86400)
				return al_cli_usage_error("stop", "--time %s: expected seconds (-1 to 86400)",
							  optarg);
			secs = (int)v;
		} else if (al_parse_signal(optarg, &sig, &err) < 0) {
			return al_cli_fail(&err);
		}
	}
	if (optind == argc)
		return al_cli_usage_error("stop", "requires at least one SANDBOX");
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_box b;
		int s = al_cli_find(argv[i], &b);
		if (s) {
			status = s;
			continue;
		}
		stop_box(&b, sig, secs, &err);
		printf("%s\n", argv[i]);
		al_box_free(&b);
	}
	return status;
}

int al_verb_kill(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock kill [OPTIONS] SANDBOX...\n\n"
		       "Kill running sandboxes: SIGKILL ends everything in them; another signal goes to the\n"
		       "command.\n\nOptions:\n"
		       "  -s, --signal SIGNAL  signal to send (default SIGKILL)\n");
		return 0;
	}
	static const struct option longs[] = {{"signal", required_argument, NULL, 's'}, {0}};
	int sig = SIGKILL;
	struct al_err err = {0};
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "kill", "+s:", longs)) != -1;)
		if (c == '?')
			return AL_EXIT_ERROR;
		else if (al_parse_signal(optarg, &sig, &err) < 0)
			return al_cli_fail(&err);
	if (optind == argc)
		return al_cli_usage_error("kill", "requires at least one SANDBOX");
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_box b;
		int s = al_cli_find(argv[i], &b);
		if (s) {
			status = s;
			continue;
		}
		int pidfd = al_box_pidfd(&b, &err);
		if (pidfd < 0) {
			fprintf(stderr, "airlock: cannot kill sandbox %s: it is not running\n", argv[i]);
			status = AL_EXIT_ERROR;
		} else if (send_signal(pidfd, sig) < 0) {
			fprintf(stderr, "airlock: kill %s: %s\n", argv[i], strerror(errno));
			status = AL_EXIT_ERROR;
		} else {
			if (sig == SIGKILL)
				wait_monitor(&b);
			printf("%s\n", argv[i]);
		}
		if (pidfd >= 0)
			close(pidfd);
		al_box_free(&b);
	}
	return status;
}

static int remove_box(struct al_box *b, const char *ref, bool force)
{
	struct al_err err = {0};
	if (strcmp(al_box_status(b), AL_STATUS_RUNNING) == 0) {
		if (!force) {
			fprintf(stderr,
				"airlock: cannot remove sandbox \"/%s\": it is running: stop it first or use "
				"rm -f\n",
				al_box_name(b));
			return AL_EXIT_ERROR;
		}
		stop_box(b, SIGKILL, 0, &err);
	} else if (al_box_monitor_alive(b)) {
		/* being started right now, or ending: let its monitor finish */
		if (!force) {
			fprintf(stderr, "airlock: cannot remove sandbox \"/%s\": it is starting\n",
				al_box_name(b));
			return AL_EXIT_ERROR;
		}
		if (al_box_reload_state(b, &err) == 0)
			stop_box(b, SIGKILL, 0, &err);
	}
	if (al_box_remove(b, &err) < 0)
		return al_cli_fail(&err);
	printf("%s\n", ref);
	return 0;
}

int al_verb_rm(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock rm [OPTIONS] SANDBOX...\n\n"
		       "Remove sandboxes.\n\nOptions:\n"
		       "  -f, --force    kill a running sandbox first\n"
		       "  -v, --volumes  accepted for docker (named volumes are kept)\n");
		return 0;
	}
	static const struct option longs[] = {
	    {"force", no_argument, NULL, 'f'}, {"volumes", no_argument, NULL, 'v'}, {0}};
	bool force = false;
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "rm", "+fv", longs)) != -1;)
		if (c == '?')
			return AL_EXIT_ERROR;
		else if (c == 'f')
			force = true;
	if (optind == argc)
		return al_cli_usage_error("rm", "requires at least one SANDBOX");
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_box b;
		int s = al_cli_find(argv[i], &b);
		if (s == 0) {
			s = remove_box(&b, argv[i], force);
			al_box_free(&b);
		}
		if (s)
			status = s;
	}
	return status;
}

/* ---- ps ---------------------------------------------------------------------------------------- */

struct ps_filter {
	char **labels; /* "k" or "k=v" */
	size_t n_labels;
	char **names, **ids, **statuses;
	size_t n_names, n_ids, n_statuses;
};

static void ps_filter_free(struct ps_filter *f)
{
	al_strv_free(f->labels);
	al_strv_free(f->names);
	al_strv_free(f->ids);
	al_strv_free(f->statuses);
}

static int add_filter(struct ps_filter *f, const char *arg, const char *verb)
{
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || !eq[1])
		return al_cli_usage_error(verb, "--filter %s: expected KEY=VALUE", arg);
	size_t klen = (size_t)(eq - arg);
	if (klen == 5 && strncmp(arg, "label", 5) == 0)
		al_strv_push(&f->labels, &f->n_labels, eq + 1);
	else if (klen == 4 && strncmp(arg, "name", 4) == 0)
		al_strv_push(&f->names, &f->n_names, eq + 1);
	else if (klen == 2 && strncmp(arg, "id", 2) == 0)
		al_strv_push(&f->ids, &f->n_ids, eq + 1);
	else if (klen == 6 && strncmp(arg, "status", 6) == 0)
		al_strv_push(&f->statuses, &f->n_statuses, eq + 1);
	else
		return al_cli_usage_error(verb, "--filter %s: unsupported filter (label, name, id, status)",
					  arg);
	return 0;
}

static bool label_matches(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	_cleanup_free_ char *key = eq ? al_xstrndup(want, (size_t)(eq - want)) : al_xstrdup(want);
	json_t *v = json_object_get(labels, key);
	return v && (!eq || strcmp(json_string_value(v) ? json_string_value(v) : "", eq + 1) == 0);
}

/* docker: filters of one key are alternatives (OR), different keys all apply (AND); labels all apply. */
static bool filter_matches(const struct ps_filter *f, struct al_box *b)
{
	json_t *labels = json_object_get(json_object_get(b->config, "Spec"), "Labels");
	for (size_t i = 0; i < f->n_labels; i++)
		if (!label_matches(labels, f->labels[i]))
			return false;
	bool ok = f->n_names == 0;
	for (size_t i = 0; i < f->n_names && !ok; i++)
		ok = strstr(al_box_name(b), f->names[i]) != NULL;
	if (!ok)
		return false;
	ok = f->n_ids == 0;
	for (size_t i = 0; i < f->n_ids && !ok; i++)
		ok = strncmp(b->id, f->ids[i], strlen(f->ids[i])) == 0;
	if (!ok)
		return false;
	ok = f->n_statuses == 0;
	for (size_t i = 0; i < f->n_statuses && !ok; i++)
		ok = strcmp(al_box_status(b), f->statuses[i]) == 0;
	return ok;
}

static void print_table(json_t *rows)
{
	printf("%-14s %-20s %-24s %-16s %-26s %s\n", "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS",
	       "NAMES");
	size_t i;
	json_t *r;
	json_array_foreach (rows, i, r)
		printf("%-14s %-20s %-24s %-16s %-26s %s\n", json_string_value(json_object_get(r, "ID")),
		       json_string_value(json_object_get(r, "Image")),
		       json_string_value(json_object_get(r, "Command")),
		       json_string_value(json_object_get(r, "RunningFor")),
		       json_string_value(json_object_get(r, "Status")),
		       json_string_value(json_object_get(r, "Names")));
}

static int print_formatted(json_t *rows, const char *format)
{
	size_t i;
	json_t *r;
	json_array_foreach (rows, i, r) {
		char *s = NULL;
		struct al_err err = {0};
		if (strcmp(format, "json") == 0 || strcmp(format, "{{json .}}") == 0) {
			s = json_dumps(r, JSON_COMPACT | JSON_PRESERVE_ORDER);
		} else if (al_template_render(format, r, &s, &err) < 0) {
			return al_cli_fail(&err);
		}
		printf("%s\n", s);
		free(s);
	}
	return 0;
}

int al_verb_ps(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock ps [OPTIONS]\n\n"
		       "List sandboxes (running ones unless -a).\n\nOptions:\n"
		       "  -a, --all            show all sandboxes, not only running ones\n"
		       "  -q, --quiet          only ids\n"
		       "      --no-trunc       do not shorten ids and commands\n"
		       "  -f, --filter K=V     label=KEY[=VAL], name=PART, id=PREFIX, status=STATUS; "
		       "repeatable\n"
		       "      --format FORMAT  table (default), json, or a Go template ({{.Names}} "
		       "{{.Status}})\n");
		return 0;
	}
	static const struct option longs[] = {
	    {"all", no_argument, NULL, 'a'},	      {"quiet", no_argument, NULL, 'q'},
	    {"no-trunc", no_argument, NULL, 'T'},     {"filter", required_argument, NULL, 'f'},
	    {"format", required_argument, NULL, 'F'}, {0}};
	bool all = false, quiet = false, trunc = true;
	const char *format = NULL;
	struct ps_filter f = {0};
	int status = 0;
	optind = 0;
	for (int c; status == 0 && (c = al_cli_getopt(argc, argv, "ps", "+aqf:", longs)) != -1;) {
		if (c == '?')
			status = AL_EXIT_ERROR;
		else if (c == 'a')
			all = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'T')
			trunc = false;
		else if (c == 'f')
			status = add_filter(&f, optarg, "ps");
		else if (c == 'F')
			format = optarg;
	}
	if (status == 0 && optind < argc)
		status = al_cli_usage_error("ps", "unexpected argument %s", argv[optind]);
	struct al_box *boxes = NULL;
	size_t n = 0;
	struct al_err err = {0};
	if (status == 0 && al_box_list(&boxes, &n, &err) < 0)
		status = al_cli_fail(&err);
	json_t *rows = json_array();
	for (size_t i = n; status == 0 && i-- > 0;) { /* newest first, as docker */
		if ((all || strcmp(al_box_status(&boxes[i]), AL_STATUS_RUNNING) == 0) &&
		    filter_matches(&f, &boxes[i]))
			json_array_append_new(rows, al_ps_row(&boxes[i], trunc));
	}
	if (status == 0) {
		if (quiet)
			status = print_formatted(rows, "{{.ID}}");
		else if (!format || strcmp(format, "table") == 0)
			print_table(rows);
		else
			status =
			    print_formatted(rows, strncmp(format, "table ", 6) == 0 ? format + 6 : format);
	}
	json_decref(rows);
	for (size_t i = 0; i < n; i++)
		al_box_free(&boxes[i]);
	free(boxes);
	ps_filter_free(&f);
	return status;
}

/* ---- inspect ----------------------------------------------------------------------------------- */

int al_verb_inspect(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock inspect [OPTIONS] SANDBOX|IMAGE...\n\n"
		       "Show docker's JSON for sandboxes (or images), as an array.\n\nOptions:\n"
		       "  -f, --format FORMAT  a Go template per object, e.g. '{{.State.Running}}',\n"
		       "                       '{{json .Mounts}}', '{{index .Config.Labels \"k\"}}'\n"
		       "      --type TYPE      container or image: look only for that\n");
		return 0;
	}
	static const struct option longs[] = {
	    {"format", required_argument, NULL, 'f'}, {"type", required_argument, NULL, 'T'}, {0}};
	const char *format = NULL, *type = NULL;
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "inspect", "+f:", longs)) != -1;)
		if (c == '?')
			return AL_EXIT_ERROR;
		else if (c == 'f')
			format = optarg;
		else
			type = optarg;
	if (type && strcmp(type, "container") != 0 && strcmp(type, "image") != 0)
		return al_cli_usage_error("inspect", "--type %s: expected container or image", type);
	if (optind == argc)
		return al_cli_usage_error("inspect", "requires at least one SANDBOX");
	json_t *out = json_array();
	int status = 0;
	for (int i = optind; i < argc; i++) {
		struct al_box b;
		struct al_err err = {0};
		json_t *obj = NULL;
		bool box_type = !type || strcmp(type, "container") == 0;
		if (box_type && al_box_find(argv[i], &b, &err) == 0) {
			obj = al_inspect_box(&b);
			al_box_free(&b);
		} else if ((!type || strcmp(type, "image") == 0) &&
			   al_image_inspect(argv[i], &obj, &err) == 0) {
		} else {
			fprintf(stderr, "Error: No such %s: %s\n",
				!type	   ? "object"
				: box_type ? "container"
					   : "image",
				argv[i]);
			status = AL_EXIT_NO_SUCH;
			continue;
		}
		if (!format) {
			json_array_append_new(out, obj);
			continue;
		}
		char *s = NULL;
		int r = al_template_render(format, obj, &s, &err);
		json_decref(obj);
		if (r < 0) {
			json_decref(out);
			return al_cli_fail(&err);
		}
		printf("%s\n", s);
		free(s);
	}
	if (!format) {
		char *s = json_dumps(out, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", s);
		free(s);
	}
	json_decref(out);
	return status;
}

/* ---- logs -------------------------------------------------------------------------------------- */

/* The offset where the last `lines` lines begin. */
static off_t tail_offset(int fd, long lines)
{
	off_t end = lseek(fd, 0, SEEK_END), pos = end;
	char buf[4096];
	long seen = 0;
	while (pos > 0) {
		size_t n = pos > (off_t)sizeof buf ? sizeof buf : (size_t)pos;
		pos -= (off_t)n;
		if (pread(fd, buf, n, pos) != (ssize_t)n)
			return 0;
		for (size_t i = n; i-- > 0;) {
			if (buf[i] != '\n' || pos + (off_t)i == end - 1)
				continue;
			if (++seen == lines)
				return pos + (off_t)i + 1;
		}
	}
	return 0;
}

int al_verb_logs(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock logs [OPTIONS] SANDBOX\n\n"
		       "Print what the sandbox's command wrote (stdout and stderr, in order).\n\nOptions:\n"
		       "  -f, --follow      keep printing until the sandbox stops\n"
		       "  -n, --tail N      only the last N lines\n");
		return 0;
	}
	static const struct option longs[] = {
	    {"follow", no_argument, NULL, 'f'}, {"tail", required_argument, NULL, 'n'}, {0}};
	bool follow = false;
	long tail = -1;
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "logs", "+fn:", longs)) != -1;) {
		char *end;
		if (c == '?')
			return AL_EXIT_ERROR;
		if (c == 'f') {
			follow = true;
		} else if (strcmp(optarg, "all") != 0) {
			tail = strtol(optarg, &end, 10);
			if (!*optarg || *end || tail < 0)
				return al_cli_usage_error("logs", "--tail %s: expected a number of lines",
							  optarg);
		}
	}
	if (argc - optind != 1)
		return al_cli_usage_error("logs", "requires exactly one SANDBOX");
	struct al_box b;
	int s = al_cli_find(argv[optind], &b);
	if (s)
		return s;
	_cleanup_free_ char *path = al_box_path(&b, "log");
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && tail >= 0)
		lseek(fd, tail_offset(fd, tail), SEEK_SET);
	char buf[65536];
	for (bool last = false; fd >= 0;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0) {
			if (al_write_all(1, buf, (size_t)n) < 0)
				break;
			continue;
		}
		if (!follow || last)
			break;
		/* one more read after the monitor let go: what the command wrote last */
		last = !al_box_monitor_alive(&b);
		if (!last)
			usleep(100 * 1000);
	}
	al_box_free(&b);
	return 0;
}

/* ---- prune ------------------------------------------------------------------------------------- */

/* The last time the sandbox was used: its start, or its last exec. */
static long long last_used_ns(struct al_box *b)
{
	long long t = al_time_parse_rfc3339(al_box_state_str(b, "StartedAt"));
	_cleanup_free_ char *path = al_box_path(b, "activity");
	struct stat st;
	if (stat(path, &st) == 0) {
		long long a = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (a > t)
			t = a;
	}
	return t;
}

int al_verb_prune(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock prune [OPTIONS]\n\n"
		       "Remove stopped sandboxes, and with --idle or --max-age running ones as well.\n\n"
		       "Options:\n"
		       "      --idle DURATION     also stop and remove sandboxes unused (no start, no exec)\n"
		       "                          for DURATION, e.g. 30m\n"
		       "      --max-age DURATION  also stop and remove sandboxes created DURATION ago\n"
		       "      --filter label=K[=V]  only sandboxes with this label; repeatable\n"
		       "  -f, --force             accepted for docker (airlock never asks)\n");
		return 0;
	}
	static const struct option longs[] = {{"idle", required_argument, NULL, 'I'},
					      {"max-age", required_argument, NULL, 'M'},
					      {"filter", required_argument, NULL, 'F'},
					      {"force", no_argument, NULL, 'f'},
					      {0}};
	uint64_t idle_ms = 0, age_ms = 0;
	struct ps_filter f = {0};
	struct al_err err = {0};
	int status = 0;
	optind = 0;
	for (int c; status == 0 && (c = al_cli_getopt(argc, argv, "prune", "+f", longs)) != -1;) {
		if (c == '?')
			status = AL_EXIT_ERROR;
		else if (c == 'I' && al_parse_duration_ms(optarg, &idle_ms, &err) < 0)
			status = al_cli_usage_error("prune", "--idle %s", err.msg);
		else if (c == 'M' && al_parse_duration_ms(optarg, &age_ms, &err) < 0)
			status = al_cli_usage_error("prune", "--max-age %s", err.msg);
		else if (c == 'F' && strncmp(optarg, "label=", 6) != 0)
			status = al_cli_usage_error(
			    "prune", "--filter %s: only label=KEY[=VALUE] is supported", optarg);
		else if (c == 'F')
			status = add_filter(&f, optarg, "prune");
	}
	struct al_box *boxes = NULL;
	size_t n = 0;
	if (status == 0 && al_box_list(&boxes, &n, &err) < 0)
		status = al_cli_fail(&err);
	bool header = false;
	long long now = al_realtime_ns();
	for (size_t i = 0; i < n && status == 0; i++) {
		struct al_box *b = &boxes[i];
		if (!filter_matches(&f, b))
			continue;
		bool running = strcmp(al_box_status(b), AL_STATUS_RUNNING) == 0;
		long long created =
		    al_time_parse_rfc3339(json_string_value(json_object_get(b->config, "Created")));
		bool idle = idle_ms && now - last_used_ns(b) >= (long long)idle_ms * 1000000;
		bool old = age_ms && now - created >= (long long)age_ms * 1000000;
		if (running && !idle && !old)
			continue;
		if (!running && al_box_monitor_alive(b))
			continue; /* being started right now */
		if (running)
			stop_box(b, SIGKILL, 0, &err);
		if (al_box_remove(b, &err) < 0) {
			status = al_cli_fail(&err);
			break;
		}
		if (!header)
			printf("Deleted Containers:\n");
		header = true;
		printf("%s\n", b->id);
	}
	if (status == 0)
		printf("%sTotal reclaimed space: 0B\n", header ? "\n" : "");
	for (size_t i = 0; i < n; i++)
		al_box_free(&boxes[i]);
	free(boxes);
	ps_filter_free(&f);
	return status;
}

/* ---- version ----------------------------------------------------------------------------------- */

int al_verb_version(int argc, char **argv)
{
	if (want_help(argc, argv)) {
		printf("Usage: airlock version [--format FORMAT]\n\n"
		       "Show the version; FORMAT is a Go template over docker's version object\n"
		       "({{.Client.Version}}, {{.Server.Version}}).\n");
		return 0;
	}
	static const struct option longs[] = {{"format", required_argument, NULL, 'f'}, {0}};
	const char *format = NULL;
	optind = 0;
	for (int c; (c = al_cli_getopt(argc, argv, "version", "+f:", longs)) != -1;)
		if (c == '?')
			return AL_EXIT_ERROR;
		else
			format = optarg;
	if (!format) {
		printf("airlock version %s\n", AIRLOCK_VERSION);
		return 0;
	}
	json_t *side = json_pack("{s:s, s:s, s:s, s:s}", "Version", AIRLOCK_VERSION, "ApiVersion", "1.43",
				 "Os", "linux", "Arch", "amd64");
	json_t *v = json_pack("{s:O, s:o}", "Client", side, "Server", side);
	char *s = NULL;
	struct al_err err = {0};
	int r = al_template_render(format, v, &s, &err);
	json_decref(v);
	if (r < 0)
		return al_cli_fail(&err);
	printf("%s\n", s);
	free(s);
	return 0;
}
