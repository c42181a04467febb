/* verbs.h: the CLI's verbs, one file each; main.c only dispatches.
 * Each verb takes argv starting at its own name and returns the process exit status. */
#pragma once

int al_verb_run(int argc, char **argv);
int al_verb_image(int argc, char **argv);
