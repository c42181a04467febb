/* image_tar.c: a small pax tar writer for `image import DIR`, so the layer has a real diff id.
 * libarchive's own writers pull in every format (xar → libxml2 → ICU), which a static binary cannot carry. */
#include "image_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

#define TAR_BLOCK 512

struct ustar_header {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct ustar_header) == TAR_BLOCK, "ustar header is one block");

static int tar_out(struct tar_writer *w, const void *buf, size_t n)
{
	int r = al_write_all(w->fd, buf, n);
	if (r < 0)
		return r;
	sha256_update(&w->sha, n, buf);
	w->written += n;
	return 0;
}

static int tar_pad(struct tar_writer *w)
{
	static const char zeros[TAR_BLOCK];
	size_t rest = (size_t)(w->written % TAR_BLOCK);
	return rest ? tar_out(w, zeros, TAR_BLOCK - rest) : 0;
}

/* Octal in a field, or false when it does not fit (then a pax record carries the value). */
static bool octal(char *field, size_t len, uint64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%0*llo", (int)len - 1, (unsigned long long)v);
	if (n < 0 || (size_t)n >= len)
		return false;
	memcpy(field, buf, (size_t)n + 1);
	return true;
}

/* "LEN key=value\n", LEN counting itself. */
static void pax_record(char **recs, size_t *len, const char *key, const void *val, size_t vlen)
{
	size_t body = strlen(key) + vlen + 3, total = body + 1;
	while (snprintf(NULL, 0, "%zu", total) + body != total)
		total++;
	*recs = al_xrealloc(*recs, *len + total);
	int n = sprintf(*recs + *len, "%zu %s=", total, key);
	memcpy(*recs + *len + n, val, vlen);
	(*recs)[*len + total - 1] = '\n';
	*len += total;
}

static void finish_header(struct ustar_header *h, char type)
{
	h->typeflag = type;
	memcpy(h->magic, "ustar", 6);
	memcpy(h->version, "00", 2);
	memset(h->chksum, ' ', sizeof h->chksum);
	unsigned sum = 0;
	for (size_t i = 0; i < sizeof *h; i++)
		sum += ((unsigned char *)h)[i];
	snprintf(h->chksum, sizeof h->chksum, "%06o", sum);
}

static char type_of(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return '1';
	switch (archive_entry_filetype(e)) {
	case AE_IFLNK:
		return '2';
	case AE_IFCHR:
		return '3';
	case AE_IFBLK:
		return '4';
	case AE_IFDIR:
		return '5';
	case AE_IFIFO:
		return '6';
	default:
		return '0';
	}
}

static void collect_pax(struct archive_entry *e, struct ustar_header *h, const char *name, char **recs,
			size_t *len)
{
	const char *link = archive_entry_hardlink(e) ? archive_entry_hardlink(e) : archive_entry_symlink(e);
	if (strlen(name) < sizeof h->name)
		memcpy(h->name, name, strlen(name));
	else
		pax_record(recs, len, "path", name, strlen(name));
	if (link && strlen(link) < sizeof h->linkname)
		memcpy(h->linkname, link, strlen(link));
	else if (link)
		pax_record(recs, len, "linkpath", link, strlen(link));
	char num[32];
	uint64_t size = type_of(e) == '0' ? (uint64_t)archive_entry_size(e) : 0;
	const struct {
		char *field;
		size_t flen;
		uint64_t v;
		const char *key;
	} nums[] = {{h->size, sizeof h->size, size, "size"},
		    {h->uid, sizeof h->uid, (uint64_t)archive_entry_uid(e), "uid"},
		    {h->gid, sizeof h->gid, (uint64_t)archive_entry_gid(e), "gid"},
		    {h->mtime, sizeof h->mtime, (uint64_t)archive_entry_mtime(e), "mtime"}};
	for (size_t i = 0; i < AL_ARRAY_SIZE(nums); i++)
		if (!octal(nums[i].field, nums[i].flen, nums[i].v)) {
			int n = snprintf(num, sizeof num, "%llu", (unsigned long long)nums[i].v);
			pax_record(recs, len, nums[i].key, num, (size_t)n);
		}
	const char *xname;
	const void *xval;
	size_t xlen;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &xval, &xlen) == ARCHIVE_OK) {
		_cleanup_free_ char *key = al_xasprintf("SCHILY.xattr.%s", xname);
		pax_record(recs, len, key, xval, xlen);
	}
}

int image_tar_write_header(struct tar_writer *w, struct archive_entry *e)
{
	struct ustar_header h = {0};
	_cleanup_free_ char *recs = NULL;
	size_t len = 0;
	char type = type_of(e);
	_cleanup_free_ char *name = al_xasprintf("%s%s", archive_entry_pathname(e), type == '5' ? "/" : "");
	collect_pax(e, &h, name, &recs, &len);
	octal(h.mode, sizeof h.mode, archive_entry_perm(e) & 07777);
	octal(h.devmajor, sizeof h.devmajor, archive_entry_rdevmajor(e));
	octal(h.devminor, sizeof h.devminor, archive_entry_rdevminor(e));
	if (len) {
		struct ustar_header x = {0};
		snprintf(x.name, sizeof x.name, "PaxHeader/%.80s", name);
		octal(x.mode, sizeof x.mode, 0644);
		octal(x.uid, sizeof x.uid, 0);
		octal(x.gid, sizeof x.gid, 0);
		octal(x.size, sizeof x.size, len);
		octal(x.mtime, sizeof x.mtime, 0);
		finish_header(&x, 'x');
		int r = tar_out(w, &x, sizeof x);
		if (r == 0)
			r = tar_out(w, recs, len);
		if (r == 0)
			r = tar_pad(w);
		if (r < 0)
			return r;
	}
	finish_header(&h, type);
	return tar_out(w, &h, sizeof h);
}

int image_tar_write_data(struct tar_writer *w, const void *buf, size_t n)
{
	return tar_out(w, buf, n);
}

int image_tar_finish_entry(struct tar_writer *w)
{
	return tar_pad(w);
}

int image_tar_close(struct tar_writer *w)
{
	static const char zeros[2 * TAR_BLOCK];
	return tar_out(w, zeros, sizeof zeros);
}
