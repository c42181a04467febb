/* tty.h: the pseudo-terminal of `-t`: allocated on the host, its slave handed to the sandbox,
 * its master relayed to the caller's terminal. */
#pragma once

#include <stdbool.h>
#include <termios.h>

#include "error.h"

struct al_tty {
	int master, slave;
	bool raw;              /* the caller's terminal was put in raw mode */
	struct termios saved;  /* to restore it */
};

int al_tty_open(struct al_tty *t, struct al_err *err);
/* Put the caller's stdin terminal in raw mode (when it is a terminal) and copy its size. */
void al_tty_attach_caller(struct al_tty *t);
/* Follow the caller's window size (on SIGWINCH). */
void al_tty_resize(struct al_tty *t);
void al_tty_close(struct al_tty *t);
