/* paths.c: airlock's state, data and cache directories for root and rootless callers.
 * AIRLOCK_STATE_ROOT overrides all three (tests run against a private tree). */
#include "paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "util.h"

bool al_is_root(void)
{
	return geteuid() == 0;
}

/* $HOME only: the binary is static, and NSS lookups do not work in a static binary. */
static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	return h && h[0] == '/' ? h : "/";
}

static char *with_override(const char *sub)
{
	const char *o = getenv("AIRLOCK_STATE_ROOT");
	return (o && o[0] == '/') ? al_xasprintf("%s/%s", o, sub) : NULL;
}

char *al_data_dir(void)
{
	char *p = with_override("data");
	if (p)
		return p;
	if (al_is_root())
		return al_xstrdup("/var/lib/airlock");
	const char *x = getenv("XDG_DATA_HOME");
	if (x && x[0] == '/')
		return al_xasprintf("%s/airlock", x);
	return al_xasprintf("%s/.local/share/airlock", home_dir());
}

char *al_runtime_dir(void)
{
	char *p = with_override("run");
	if (p)
		return p;
	if (al_is_root())
		return al_xstrdup("/run/airlock");
	const char *x = getenv("XDG_RUNTIME_DIR");
	if (x && x[0] == '/')
		return al_xasprintf("%s/airlock", x);
	return al_xasprintf("/tmp/airlock-%u", (unsigned)geteuid());
}

char *al_cache_dir(void)
{
	char *p = with_override("cache");
	if (p)
		return p;
	if (al_is_root())
		return al_xstrdup("/var/cache/airlock");
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && x[0] == '/')
		return al_xasprintf("%s/airlock", x);
	return al_xasprintf("%s/.cache/airlock", home_dir());
}

int al_named_volume_path(const char *name, char **out, struct al_err *err)
{
	_cleanup_free_ char *data = al_data_dir();
	_cleanup_free_ char *dir = al_xasprintf("%s/volumes/%s", data, name);
	int r = al_mkdir_p_at(AT_FDCWD, dir, 0755);
	if (r < 0)
		return al_err_sys(err, -r, "named volume %s: cannot create %s", name, dir);
	*out = steal_pointer(&dir);
	return 0;
}
