/* tty.c: raw mode and window size for `-t`, on the caller's side.
 * The pty itself belongs to the sandbox's devpts; airlock holds only its master. */
#include "tty.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

void al_tty_resize(struct al_tty *t)
{
	struct winsize ws;
	if (t->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
}

void al_tty_attach_caller(struct al_tty *t)
{
	al_tty_resize(t);
	if (!isatty(0) || tcgetattr(0, &t->saved) < 0)
		return;
	struct termios raw = t->saved;
	cfmakeraw(&raw);
	if (tcsetattr(0, TCSANOW, &raw) == 0)
		t->raw = true;
}

void al_tty_close(struct al_tty *t)
{
	if (t->raw)
		tcsetattr(0, TCSANOW, &t->saved);
	t->raw = false;
	if (t->master >= 0)
		close(t->master);
	t->master = -1;
}

int al_tty_send_console(int sock, int master, unsigned rows, unsigned cols, struct al_err *err)
{
	if (rows && cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
		ioctl(master, TIOCSWINSZ, &ws);
	}
	static const char name[] = "/dev/ptmx";
	int r = al_send_with_fd(sock, name, sizeof name - 1, master, 0);
	if (r < 0)
		return al_err_sys(err, -r, "send the pty to the console socket");
	return 0;
}
