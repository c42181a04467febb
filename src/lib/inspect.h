/* inspect.h: docker's JSON for a named sandbox (`inspect`) and for one `ps` row, built from its record.
 * Field names are docker's, so that the templates agent platforms pass to `inspect -f` and
 * `ps --format` work unchanged. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "store.h"

/* docker container inspect's object: Id, Created, Path, Args, State{...}, Image, Name ("/NAME"),
 * HostConfig{...}, Mounts[...], Config{...}, NetworkSettings{...}. New reference. */
json_t *al_inspect_box(struct al_box *b);
/* docker ps's row: ID, Image, Command, CreatedAt, RunningFor, Status, State, Names, Labels, Mounts,
 * Ports, Networks, Size, LocalVolumes. `trunc` shortens the id and command as docker does. */
json_t *al_ps_row(struct al_box *b, bool trunc);
/* "Up 5 seconds", "Exited (0) 2 minutes ago", "Created": docker's human status. Caller frees. */
char *al_human_status(struct al_box *b);
/* "3 minutes", "About an hour", as docker's units.HumanDuration. Caller frees. */
char *al_human_duration(long long ns);
