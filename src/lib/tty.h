/* tty.h: the caller's side of `-t`: raw mode, window size, and the pty master that the sandbox made in
 * its own devpts and handed over. */
#pragma once

#include <stdbool.h>
#include <termios.h>

#include "error.h"

struct al_tty {
	int master;
	bool raw;	      /* the caller's terminal was put in raw mode */
	struct termios saved; /* to restore it */
};

/* Put the caller's stdin terminal in raw mode (when it is a terminal) and copy its size. */
void al_tty_attach_caller(struct al_tty *t);
/* Follow the caller's window size (on SIGWINCH). */
void al_tty_resize(struct al_tty *t);
void al_tty_close(struct al_tty *t);
/* airlock-runtime's --console-socket: send the pty master over the connected unix socket sock as runc
 * does (the fd, with a name as the payload), after setting its size when rows and cols are given. */
int al_tty_send_console(int sock, int master, unsigned rows, unsigned cols, struct al_err *err);
