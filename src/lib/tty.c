/* tty.c: raw mode and window size for `-t`, on the caller's side.
 * The pty itself belongs to the sandbox's devpts; airlock holds only its master. */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
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
