/* store.h: the registry of named sandboxes, daemonless: one directory per sandbox under
 * <runtime dir>/sandboxes/<id> (config.json, state.json, monitor.lock, exec.sock, log) and one symlink
 * per name under <runtime dir>/names. The monitor holds monitor.lock for as long as it lives, so a
 * sandbox whose monitor died (even by SIGKILL) is seen as exited. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* Statuses: docker's words. */
#define AL_STATUS_CREATED "created"
#define AL_STATUS_RUNNING "running"
#define AL_STATUS_EXITED  "exited"

struct al_box {
	char id[65];	 /* 64 lower-case hex characters, as docker's */
	char *dir;	 /* <runtime>/sandboxes/<id> */
	json_t *config;	 /* {"Id","Name","Created","AutoRemove","Spec":{spec_json.h}} */
	json_t *state;	 /* {"Status","Pid","PidStart","ExitCode","Signal","Reason","Error","OOMKilled",
			     "StartedAt","FinishedAt"} */
	bool seen_alive; /* al_box_status found the monitor alive: a "running" state is checked once */
};

/* Register a new sandbox for *spec (spec->name, or a generated one): exactly one of two concurrent
 * creates of one name wins; the other gets docker's "Conflict." error. Status "created". */
int al_box_create(const struct al_spec *spec, bool auto_remove, struct al_box *out, struct al_err *err);
/* Find by name, full id or unique id prefix. Unknown: "No such container: REF" (errnum ENOENT). */
int al_box_find(const char *ref, struct al_box *out, struct al_err *err);
/* Every sandbox, oldest first. Free each with al_box_free, then the array. */
int al_box_list(struct al_box **out, size_t *n, struct al_err *err);
/* The sandboxes made from image `image_id` ("sha256:HEX"): a NULL-terminated list of their names (or
 * NULL when none; free with al_strv_free); *running says whether one of them runs. */
char **al_box_image_users(const char *image_id, bool *running);
/* Connect to the unix socket `name` of the sandbox's directory (exec.sock, proxy.sock). A socket nobody
 * listens on means the sandbox is not running: "sandbox N is not running" (ESRCH). */
int al_box_connect(const struct al_box *b, const char *name, int type, struct al_err *err);
/* The spec stored at create. */
int al_box_load_spec(const struct al_box *b, struct al_spec *spec, struct al_err *err);
/* Write b->config atomically (egress rules changed on a running sandbox are kept there). */
int al_box_save_config(const struct al_box *b, struct al_err *err);
/* Write b->state atomically. */
int al_box_save_state(const struct al_box *b, struct al_err *err);
/* Re-read state.json. */
int al_box_reload_state(struct al_box *b, struct al_err *err);
/* The sandbox's status; a "running" sandbox whose monitor is gone becomes "exited" (137, killed) in
 * b->state too. */
const char *al_box_status(struct al_box *b);
bool al_box_monitor_alive(const struct al_box *b);
/* Remove the record and its name. The caller made sure nothing runs. */
int al_box_remove(const struct al_box *b, struct al_err *err);
void al_box_free(struct al_box *b);

const char *al_box_name(const struct al_box *b);
/* A file of the sandbox's directory. Caller frees. */
char *al_box_path(const struct al_box *b, const char *file);
/* Integer and string fields of the state, with defaults. */
json_int_t al_box_state_int(const struct al_box *b, const char *key);
const char *al_box_state_str(const struct al_box *b, const char *key);
/* Pid 1 of a running sandbox as a pidfd, checked against the start time recorded at start (a pid
 * that was recycled is not ours). -1 with *err when it is not running. */
int al_box_pidfd(struct al_box *b, struct al_err *err);
/* The start time of a process (field 22 of /proc/PID/stat), 0 if unknown. */
unsigned long long al_proc_start_time(pid_t pid);
