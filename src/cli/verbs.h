/* verbs.h: the CLI's verbs, one file each; main.c only dispatches.
 * Each verb takes argv starting at its own name and returns the process exit status. */
#pragma once

int al_verb_run(int argc, char **argv);
int al_verb_image(int argc, char **argv);
int al_verb_create(int argc, char **argv);
int al_verb_start(int argc, char **argv);
int al_verb_stop(int argc, char **argv);
int al_verb_kill(int argc, char **argv);
int al_verb_rm(int argc, char **argv);
int al_verb_ps(int argc, char **argv);
int al_verb_inspect(int argc, char **argv);
int al_verb_logs(int argc, char **argv);
int al_verb_prune(int argc, char **argv);
int al_verb_version(int argc, char **argv);
int al_verb_exec(int argc, char **argv);
int al_verb_cp(int argc, char **argv);
int al_verb_pull(int argc, char **argv);
int al_verb_proxy(int, char **);
int al_verb_network(int argc, char **argv);
