/* etc_files.c: the files docker generates for a container's name resolution: /etc/hosts (localhost,
 * the sandbox's hostname, --add-host lines) and /etc/resolv.conf (--dns). Written into a small private
 * tmpfs and bound read-only over their targets, so the root itself is never written. Child side. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "etc_files.h"
#include "util.h"

static int write_file(int dir, const char *name, const char *text, struct al_err *err)
{
	_cleanup_close_ int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || al_write_all(fd, text, strlen(text)) < 0)
		return al_err_sys(err, errno, "write /etc/%s", name);
	return 0;
}

static int bind_file(struct al_root_build *b, int dir, const char *name, struct al_err *err)
{
	_cleanup_free_ char *target = al_xasprintf("/etc/%s", name);
	_cleanup_close_ int tree = open_tree(dir, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return al_err_sys(err, errno, "%s", target);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
					      MOUNT_ATTR_NOEXEC};
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
		return al_err_sys(err, errno, "%s", target);
	int t = al_ensure_target(b, target, false, err);
	if (t < 0)
		return -1;
	int r = al_attach(tree, t, target, err);
	close(t);
	return r;
}

static char *hosts_text(const struct al_sandbox *sb)
{
	const struct al_spec *spec = sb->spec;
	size_t cap = 256 + strlen(sb->id) + (spec->hostname ? strlen(spec->hostname) : 0);
	for (size_t i = 0; i < spec->n_extra_hosts; i++)
		cap += strlen(spec->extra_hosts[i]) + 2;
	char *text = al_xmalloc(cap), *p = text;
	p += sprintf(p, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
	if (spec->hostname)
		p += sprintf(p, "127.0.1.1\t%s\n", spec->hostname);
	else
		p += sprintf(p, "127.0.1.1\t%.12s\n", sb->id);
	for (size_t i = 0; i < spec->n_extra_hosts; i++) {
		const char *e = spec->extra_hosts[i], *colon = strchr(e, ':');
		p += sprintf(p, "%s\t%.*s\n", colon + 1, (int)(colon - e), e);
	}
	return text;
}

int al_etc_files(struct al_sandbox *sb, struct al_root_build *b, struct al_err *err)
{
	const struct al_spec *spec = sb->spec;
	if (!spec->n_dns && !spec->n_extra_hosts)
		return 0;
	_cleanup_close_ int dir =
	    al_tmpfs_detached("755", 64 << 10, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
	if (dir < 0)
		return -1;
	_cleanup_free_ char *hosts = hosts_text(sb);
	if (write_file(dir, "hosts", hosts, err) < 0 || bind_file(b, dir, "hosts", err) < 0)
		return -1;
	if (!spec->n_dns)
		return 0;
	size_t cap = 64;
	for (size_t i = 0; i < spec->n_dns; i++)
		cap += strlen(spec->dns[i]) + 12;
	_cleanup_free_ char *resolv = al_xmalloc(cap);
	char *p = resolv;
	*p = '\0';
	for (size_t i = 0; i < spec->n_dns; i++)
		p += sprintf(p, "nameserver %s\n", spec->dns[i]);
	if (write_file(dir, "resolv.conf", resolv, err) < 0 || bind_file(b, dir, "resolv.conf", err) < 0)
		return -1;
	return 0;
}
