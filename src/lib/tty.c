/* tty.c: pty allocation, raw mode and window size for `-t`.
 * The pty lives on the host's devpts; the sandbox gets only the slave fd, never a path to it. */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

int al_tty_open(struct al_tty *t, struct al_err *err)
{
	t->raw = false;
	t->slave = -1;
	t->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master < 0)
		return al_err_sys(err, errno, "-t: open a pseudo-terminal");
	if (grantpt(t->master) < 0 || unlockpt(t->master) < 0)
		goto fail;
	t->slave = ioctl(t->master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (t->slave < 0)
		goto fail;
	return 0;
fail:
	al_err_sys(err, errno, "-t: pseudo-terminal");
	close(t->master);
	t->master = -1;
	return -1;
}

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
	if (t->slave >= 0)
		close(t->slave);
	t->master = t->slave = -1;
}
