/* test_parse.c: unit tests of parse.c, one function per parser: exact values for good input, and for bad
 * input a failure whose one-line message names the offending text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "check.h"
#include "parse.h"
#include "spec.h"

static struct al_err err;

static void test_size(void)
{
	uint64_t v = 0;
	CHECK_OK(al_parse_size("1024", &v, &err), &err);
	CHECK_INT(v, 1024);
	CHECK_OK(al_parse_size("0", &v, &err), &err);
	CHECK_INT(v, 0);
	CHECK_OK(al_parse_size("512b", &v, &err), &err);
	CHECK_INT(v, 512);
	CHECK_OK(al_parse_size("64k", &v, &err), &err);
	CHECK_INT(v, 64 * 1024);
	CHECK_OK(al_parse_size("100m", &v, &err), &err);
	CHECK_INT(v, 100ll << 20);
	CHECK_OK(al_parse_size("512M", &v, &err), &err);
	CHECK_INT(v, 512ll << 20);
	CHECK_OK(al_parse_size("1g", &v, &err), &err);
	CHECK_INT(v, 1ll << 30);
	CHECK_OK(al_parse_size("1.5g", &v, &err), &err);
	CHECK_INT(v, 3ll << 29);
	CHECK_OK(al_parse_size("0.5k", &v, &err), &err);
	CHECK_INT(v, 512);
	CHECK_OK(al_parse_size("2kb", &v, &err), &err);
	CHECK_INT(v, 2048);
	CHECK_OK(al_parse_size("2KiB", &v, &err), &err);
	CHECK_INT(v, 2048);
	CHECK_OK(al_parse_size("3MB", &v, &err), &err);
	CHECK_INT(v, 3ll << 20);
	CHECK_OK(al_parse_size("3mib", &v, &err), &err);
	CHECK_INT(v, 3ll << 20);
	CHECK_OK(al_parse_size("2GB", &v, &err), &err);
	CHECK_INT(v, 2ll << 30);
	CHECK_OK(al_parse_size("1gi", &v, &err), &err);
	CHECK_INT(v, 1ll << 30);
	CHECK_OK(al_parse_size("1t", &v, &err), &err);
	CHECK_INT(v, 1ll << 40);
	CHECK_OK(al_parse_size("1.0000000000000000000001k", &v, &err), &err);
	CHECK_INT(v, 1024);
	CHECK_OK(al_parse_size("15p", &v, &err), &err);
	CHECK_INT(v, 15ll << 50);
	CHECK_OK(al_parse_size("18446744073709551615", &v, &err), &err);
	CHECK(v == UINT64_MAX);

	CHECK_FAILS(al_parse_size("", &v, &err), &err, "empty size");
	CHECK_FAILS(al_parse_size("12q", &v, &err), &err, "12q: invalid size");
	CHECK_FAILS(al_parse_size("-1", &v, &err), &err, "-1: size must not be negative");
	CHECK_FAILS(al_parse_size("-5m", &v, &err), &err, "-5m");
	CHECK_FAILS(al_parse_size("m", &v, &err), &err, "m: invalid size");
	CHECK_FAILS(al_parse_size("1.g", &v, &err), &err, "1.g");
	CHECK_FAILS(al_parse_size(".5g", &v, &err), &err, ".5g");
	CHECK_FAILS(al_parse_size("1 g", &v, &err), &err, "1 g");
	CHECK_FAILS(al_parse_size(" 1g", &v, &err), &err, " 1g");
	CHECK_FAILS(al_parse_size("+1g", &v, &err), &err, "+1g");
	CHECK_FAILS(al_parse_size("1gg", &v, &err), &err, "1gg");
	CHECK_FAILS(al_parse_size("1bk", &v, &err), &err, "1bk");
	CHECK_FAILS(al_parse_size("1.2.3", &v, &err), &err, "1.2.3");
	CHECK_FAILS(al_parse_size("0x10", &v, &err), &err, "0x10");
	CHECK_FAILS(al_parse_size("16384p", &v, &err), &err, "16384p: size too large");
	CHECK_OK(al_parse_size("16383p", &v, &err), &err);
	CHECK_INT(v, 16383ull << 50);
	CHECK_FAILS(al_parse_size("18446744073709551616", &v, &err), &err,
		    "18446744073709551616: size too large");
	CHECK_FAILS(al_parse_size("99999999999999999999999g", &v, &err), &err, "too large");
	CHECK_FAILS(al_parse_size("17179869184g", &v, &err), &err, "17179869184g: size too large");
}

static void test_duration(void)
{
	uint64_t ms = 0;
	CHECK_OK(al_parse_duration_ms("10", &ms, &err), &err);
	CHECK_INT(ms, 10000);
	CHECK_OK(al_parse_duration_ms("1.5", &ms, &err), &err);
	CHECK_INT(ms, 1500);
	CHECK_OK(al_parse_duration_ms("10s", &ms, &err), &err);
	CHECK_INT(ms, 10000);
	CHECK_OK(al_parse_duration_ms("500ms", &ms, &err), &err);
	CHECK_INT(ms, 500);
	CHECK_OK(al_parse_duration_ms("2m", &ms, &err), &err);
	CHECK_INT(ms, 120000);
	CHECK_OK(al_parse_duration_ms("1h", &ms, &err), &err);
	CHECK_INT(ms, 3600000);
	CHECK_OK(al_parse_duration_ms("2h", &ms, &err), &err);
	CHECK_INT(ms, 7200000);
	CHECK_OK(al_parse_duration_ms("1m30s", &ms, &err), &err);
	CHECK_INT(ms, 90000);
	CHECK_OK(al_parse_duration_ms("1.5s", &ms, &err), &err);
	CHECK_INT(ms, 1500);
	CHECK_OK(al_parse_duration_ms("1h2m3s4ms", &ms, &err), &err);
	CHECK_INT(ms, 3723004);
	CHECK_OK(al_parse_duration_ms("0.5h", &ms, &err), &err);
	CHECK_INT(ms, 1800000);
	CHECK_OK(al_parse_duration_ms("1500000us", &ms, &err), &err);
	CHECK_INT(ms, 1500);
	CHECK_OK(al_parse_duration_ms("2000000ns", &ms, &err), &err);
	CHECK_INT(ms, 2);
	CHECK_OK(al_parse_duration_ms("1\u00b5s999us1ms", &ms, &err), &err);
	CHECK_INT(ms, 2);
	CHECK_OK(al_parse_duration_ms("0s1ms", &ms, &err), &err);
	CHECK_INT(ms, 1);

	CHECK_FAILS(al_parse_duration_ms("", &ms, &err), &err, "empty duration");
	CHECK_FAILS(al_parse_duration_ms("0", &ms, &err), &err, "0: duration must be greater than 0");
	CHECK_FAILS(al_parse_duration_ms("0s", &ms, &err), &err, "0s: duration must be greater than 0");
	CHECK_FAILS(al_parse_duration_ms("0m0s", &ms, &err), &err, "0m0s");
	CHECK_FAILS(al_parse_duration_ms("-1s", &ms, &err), &err, "-1s: duration must not be negative");
	CHECK_FAILS(al_parse_duration_ms("500us", &ms, &err), &err, "500us: duration must be at least 1ms");
	CHECK_FAILS(al_parse_duration_ms("1m30", &ms, &err), &err, "1m30: invalid duration");
	CHECK_FAILS(al_parse_duration_ms("10x", &ms, &err), &err, "10x: invalid duration");
	CHECK_FAILS(al_parse_duration_ms("s", &ms, &err), &err, "s: invalid duration");
	CHECK_FAILS(al_parse_duration_ms("1d", &ms, &err), &err, "1d");
	CHECK_FAILS(al_parse_duration_ms("1 s", &ms, &err), &err, "1 s");
	CHECK_FAILS(al_parse_duration_ms("1.s", &ms, &err), &err, "1.s");
	CHECK_FAILS(al_parse_duration_ms("5124096h", &ms, &err), &err, "5124096h: duration too large");
	CHECK_FAILS(al_parse_duration_ms("5124095h5124095h", &ms, &err), &err, "too large");
}

static void test_cpus(void)
{
	int64_t m = 0;
	CHECK_OK(al_parse_cpus("1", &m, &err), &err);
	CHECK_INT(m, 1000);
	CHECK_OK(al_parse_cpus("0.5", &m, &err), &err);
	CHECK_INT(m, 500);
	CHECK_OK(al_parse_cpus("1.25", &m, &err), &err);
	CHECK_INT(m, 1250);
	CHECK_OK(al_parse_cpus("16", &m, &err), &err);
	CHECK_INT(m, 16000);
	CHECK_OK(al_parse_cpus("0.001", &m, &err), &err);
	CHECK_INT(m, 1);
	CHECK_OK(al_parse_cpus("2.0009", &m, &err), &err);
	CHECK_INT(m, 2000);

	CHECK_FAILS(al_parse_cpus("", &m, &err), &err, "empty CPU count");
	CHECK_FAILS(al_parse_cpus("0", &m, &err), &err, "0: CPU count must be at least 0.001");
	CHECK_FAILS(al_parse_cpus("0.0004", &m, &err), &err, "0.0004");
	CHECK_FAILS(al_parse_cpus("-1", &m, &err), &err, "-1: CPU count must not be negative");
	CHECK_FAILS(al_parse_cpus("1.5x", &m, &err), &err, "1.5x: invalid CPU count");
	CHECK_FAILS(al_parse_cpus("two", &m, &err), &err, "two: invalid CPU count");
	CHECK_FAILS(al_parse_cpus("1e3", &m, &err), &err, "1e3");
	CHECK_FAILS(al_parse_cpus("99999999999999999999", &m, &err), &err, "too large");
	CHECK_FAILS(al_parse_cpus("9223372036854776", &m, &err), &err,
		    "9223372036854776: CPU count too large");
}

static void test_bool(void)
{
	bool b = false;
	CHECK_OK(al_parse_bool("true", &b, "--read-only", &err), &err);
	CHECK(b);
	CHECK_OK(al_parse_bool("false", &b, "--read-only", &err), &err);
	CHECK(!b);
	CHECK_OK(al_parse_bool("1", &b, "--read-only", &err), &err);
	CHECK(b);
	CHECK_OK(al_parse_bool("0", &b, "--read-only", &err), &err);
	CHECK(!b);
	CHECK_OK(al_parse_bool("TRUE", &b, "--read-only", &err), &err);
	CHECK(b);
	CHECK_OK(al_parse_bool("False", &b, "--read-only", &err), &err);
	CHECK(!b);
	CHECK_FAILS(al_parse_bool("yes", &b, "--read-only", &err), &err,
		    "--read-only=yes: expected true or false");
	CHECK_FAILS(al_parse_bool("", &b, "--tty", &err), &err, "--tty=");
	CHECK_FAILS(al_parse_bool("2", &b, "--x", &err), &err, "--x=2");
}

static void test_ulimit_name(void)
{
	CHECK_STR(al_ulimit_name(RLIMIT_NOFILE), "nofile");
	CHECK_STR(al_ulimit_name(RLIMIT_NPROC), "nproc");
	CHECK_STR(al_ulimit_name(RLIMIT_AS), "as");
	CHECK(al_ulimit_name(-1) == NULL);
}

static void test_ulimit(void)
{
	struct al_rlimit r;
	CHECK_OK(al_parse_ulimit("nofile=1024:2048", &r, &err), &err);
	CHECK_INT(r.resource, RLIMIT_NOFILE);
	CHECK_INT(r.soft, 1024);
	CHECK_INT(r.hard, 2048);
	CHECK_OK(al_parse_ulimit("nproc=256", &r, &err), &err);
	CHECK_INT(r.resource, RLIMIT_NPROC);
	CHECK_INT(r.soft, 256);
	CHECK_INT(r.hard, 256);
	CHECK_OK(al_parse_ulimit("core=0", &r, &err), &err);
	CHECK_INT(r.resource, RLIMIT_CORE);
	CHECK_INT(r.soft, 0);
	CHECK_INT(r.hard, 0);
	CHECK_OK(al_parse_ulimit("stack=-1", &r, &err), &err);
	CHECK_INT(r.resource, RLIMIT_STACK);
	CHECK(r.soft == RLIM_INFINITY && r.hard == RLIM_INFINITY);
	CHECK_OK(al_parse_ulimit("memlock=64:-1", &r, &err), &err);
	CHECK_INT(r.resource, RLIMIT_MEMLOCK);
	CHECK_INT(r.soft, 64);
	CHECK(r.hard == RLIM_INFINITY);

	static const struct {
		const char *name;
		int resource;
	} names[] = {
	    {"core", RLIMIT_CORE},	   {"cpu", RLIMIT_CPU},
	    {"data", RLIMIT_DATA},	   {"fsize", RLIMIT_FSIZE},
	    {"locks", RLIMIT_LOCKS},	   {"memlock", RLIMIT_MEMLOCK},
	    {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},
	    {"nofile", RLIMIT_NOFILE},	   {"nproc", RLIMIT_NPROC},
	    {"rss", RLIMIT_RSS},	   {"rtprio", RLIMIT_RTPRIO},
	    {"rttime", RLIMIT_RTTIME},	   {"sigpending", RLIMIT_SIGPENDING},
	    {"stack", RLIMIT_STACK},	   {"as", RLIMIT_AS},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, "%s=7:9", names[i].name);
		CHECK_OK(al_parse_ulimit(buf, &r, &err), &err);
		CHECK_INT(r.resource, names[i].resource);
		CHECK_INT(r.soft, 7);
		CHECK_INT(r.hard, 9);
	}

	CHECK_FAILS(al_parse_ulimit("nofile=2048:1024", &r, &err), &err,
		    "ulimit nofile=2048:1024: soft limit exceeds");
	CHECK_FAILS(al_parse_ulimit("nofile=-1:1024", &r, &err), &err, "nofile=-1:1024: soft limit exceeds");
	CHECK_FAILS(al_parse_ulimit("bogus=1", &r, &err), &err, "unknown limit bogus");
	CHECK_FAILS(al_parse_ulimit("NOFILE=1", &r, &err), &err, "unknown limit NOFILE");
	CHECK_FAILS(al_parse_ulimit("nofile", &r, &err), &err, "ulimit nofile: expected NAME=SOFT[:HARD]");
	CHECK_FAILS(al_parse_ulimit("=5", &r, &err), &err, "ulimit =5");
	CHECK_FAILS(al_parse_ulimit("nofile=", &r, &err), &err, "ulimit nofile=:");
	CHECK_FAILS(al_parse_ulimit("nofile=abc", &r, &err), &err, "nofile=abc");
	CHECK_FAILS(al_parse_ulimit("nofile=-2", &r, &err), &err, "nofile=-2");
	CHECK_FAILS(al_parse_ulimit("nofile=1:", &r, &err), &err, "nofile=1:");
	CHECK_FAILS(al_parse_ulimit("nofile=1:2:3", &r, &err), &err, "nofile=1:2:3");
	CHECK_FAILS(al_parse_ulimit("nofile=1k", &r, &err), &err, "nofile=1k");
	CHECK_FAILS(al_parse_ulimit("nofile= 1", &r, &err), &err, "nofile= 1");
}

static void test_normalize(void)
{
	char *p = NULL;
	static const char *const cases[][2] = {
	    {"/", "/"},
	    {"//", "/"},
	    {"/.", "/"},
	    {"/a", "/a"},
	    {"/a/", "/a"},
	    {"//a//b//", "/a/b"},
	    {"/a/./b/.", "/a/b"},
	    {"/./a", "/a"},
	    {"/a..b/c", "/a..b/c"},
	    {"/.hidden", "/.hidden"},
	    {"/a/...", "/a/..."},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK_OK(al_normalize_abs_path(cases[i][0], "--workdir", &p, &err), &err);
		CHECK_STR(p, cases[i][1]);
		free(p);
		p = NULL;
	}
	CHECK_FAILS(al_normalize_abs_path("a/b", "--workdir", &p, &err), &err,
		    "--workdir a/b: must be an absolute path");
	CHECK_FAILS(al_normalize_abs_path("", "--workdir", &p, &err), &err, "--workdir \"\": empty path");
	CHECK_FAILS(al_normalize_abs_path("/a/../b", "--workdir", &p, &err), &err,
		    "--workdir /a/../b: must not contain");
	CHECK_FAILS(al_normalize_abs_path("/..", NULL, &p, &err), &err, "path /..:");
	CHECK(p == NULL);
}

static void test_volume(void)
{
	struct al_mount m;
	CHECK_OK(al_parse_volume("/tmp/out:/output:rw", &m, &err), &err);
	CHECK_INT(m.kind, AL_MOUNT_BIND);
	CHECK_STR(m.source, "/tmp/out");
	CHECK_STR(m.target, "/output");
	CHECK(!m.readonly);
	CHECK(!m.is_named);
	al_mount_free(&m);

	CHECK_OK(al_parse_volume("ws:/workspace:ro", &m, &err), &err);
	CHECK_STR(m.source, "ws");
	CHECK_STR(m.target, "/workspace");
	CHECK(m.readonly);
	CHECK(m.is_named);
	al_mount_free(&m);

	CHECK_OK(al_parse_volume("//srv//data/./:/data/:ro,z", &m, &err), &err);
	CHECK_STR(m.source, "/srv/data");
	CHECK_STR(m.target, "/data");
	CHECK(m.readonly);
	CHECK(!m.is_named);
	al_mount_free(&m);

	CHECK_OK(al_parse_volume("my_vol-1.x:/v", &m, &err), &err);
	CHECK_STR(m.source, "my_vol-1.x");
	CHECK(m.is_named);
	CHECK(!m.readonly);
	al_mount_free(&m);

	CHECK_OK(al_parse_volume("/a:/b:Z", &m, &err), &err);
	CHECK(!m.readonly);
	al_mount_free(&m);

	CHECK_FAILS(al_parse_volume("ws:workspace", &m, &err), &err,
		    "volume ws:workspace: destination must be an absolute path");
	CHECK(m.source == NULL && m.target == NULL);
	CHECK_FAILS(al_parse_volume("./x:/x", &m, &err), &err,
		    "volume ./x:/x: source must be an absolute path or a volume name");
	CHECK_FAILS(al_parse_volume("a/b:/x", &m, &err), &err, "volume a/b:/x: source");
	CHECK_FAILS(al_parse_volume("_x:/x", &m, &err), &err, "volume _x:/x: source");
	CHECK_FAILS(al_parse_volume("..:/x", &m, &err), &err, "volume ..:/x: source");
	CHECK_FAILS(al_parse_volume("/a/../b:/x", &m, &err), &err,
		    "volume /a/../b:/x: source must not contain");
	CHECK_FAILS(al_parse_volume("/a:/x/../y", &m, &err), &err,
		    "volume /a:/x/../y: destination must not contain");
	CHECK_FAILS(al_parse_volume("/data", &m, &err), &err, "volume /data: expected SRC:DST[:OPTS]");
	CHECK_FAILS(al_parse_volume(":/x", &m, &err), &err, "volume :/x: empty source");
	CHECK_FAILS(al_parse_volume("/a:", &m, &err), &err, "volume /a:: empty destination");
	CHECK_FAILS(al_parse_volume("/a:/b:ro,rw", &m, &err), &err,
		    "volume /a:/b:ro,rw: options ro and rw conflict");
	CHECK_FAILS(al_parse_volume("/a:/b:rx", &m, &err), &err, "volume /a:/b:rx: unknown option rx");
	CHECK_FAILS(al_parse_volume("/a:/b:ro,shared", &m, &err), &err, "unknown option shared");
	CHECK_FAILS(al_parse_volume("/a:/b:", &m, &err), &err, "volume /a:/b:: empty option list");
	CHECK_FAILS(al_parse_volume("/a:/b:ro:rw", &m, &err), &err, "volume /a:/b:ro:rw: too many");
}

static void test_tmpfs(void)
{
	struct al_mount m;
	CHECK_OK(al_parse_tmpfs("/tmp", &m, &err), &err);
	CHECK_INT(m.kind, AL_MOUNT_TMPFS);
	CHECK_STR(m.target, "/tmp");
	CHECK(m.source == NULL);
	CHECK_INT(m.size, 0);
	CHECK(!m.has_mode);
	CHECK(!m.readonly);
	al_mount_free(&m);

	CHECK_OK(al_parse_tmpfs("/run/x/:size=64m,mode=1777", &m, &err), &err);
	CHECK_STR(m.target, "/run/x");
	CHECK_INT(m.size, 64 << 20);
	CHECK(m.has_mode);
	CHECK_INT(m.mode, 01777);
	al_mount_free(&m);

	CHECK_OK(al_parse_tmpfs("/t:rw,nosuid,nodev,noexec,exec,suid,dev,mode=0700", &m, &err), &err);
	CHECK_INT(m.mode, 0700);
	CHECK_INT(m.size, 0);
	al_mount_free(&m);

	CHECK_FAILS(al_parse_tmpfs("tmp", &m, &err), &err, "tmpfs tmp: destination must be an absolute path");
	CHECK(m.target == NULL);
	CHECK_FAILS(al_parse_tmpfs("", &m, &err), &err, "empty destination");
	CHECK_FAILS(al_parse_tmpfs("/t:ro", &m, &err), &err, "tmpfs /t:ro:");
	CHECK_FAILS(al_parse_tmpfs("/t:size=12q", &m, &err), &err,
		    "tmpfs /t:size=12q: size=12q: invalid size");
	CHECK_FAILS(al_parse_tmpfs("/t:size=0", &m, &err), &err,
		    "tmpfs /t:size=0: size must be greater than 0");
	CHECK_FAILS(al_parse_tmpfs("/t:mode=888", &m, &err), &err, "mode=888");
	CHECK_FAILS(al_parse_tmpfs("/t:mode=17777", &m, &err), &err, "mode=17777");
	CHECK_FAILS(al_parse_tmpfs("/t:mode=", &m, &err), &err, "tmpfs /t:mode=: mode=");
	CHECK_FAILS(al_parse_tmpfs("/t:mode=-1", &m, &err), &err, "mode=-1");
	CHECK_FAILS(al_parse_tmpfs("/t:uid=5", &m, &err), &err, "tmpfs /t:uid=5: unknown option uid=5");
	CHECK_FAILS(al_parse_tmpfs("/t:", &m, &err), &err, "tmpfs /t:: empty option list");
	CHECK_FAILS(al_parse_tmpfs("/a/../t", &m, &err), &err, "tmpfs /a/../t: destination must not contain");
}

static void test_caps(void)
{
	int c = -2;
	CHECK_STR(al_cap_name(0), "CHOWN");
	CHECK_STR(al_cap_name(12), "NET_ADMIN");
	CHECK_STR(al_cap_name(21), "SYS_ADMIN");
	CHECK_STR(al_cap_name(38), "PERFMON");
	CHECK_STR(al_cap_name(39), "BPF");
	CHECK_STR(al_cap_name(40), "CHECKPOINT_RESTORE");
	CHECK(al_cap_name(41) == NULL);
	CHECK(al_cap_name(-1) == NULL);
	/* every name parses back to its own number */
	for (int i = 0; al_cap_name(i); i++) {
		CHECK_OK(al_parse_cap(al_cap_name(i), &c, &err), &err);
		CHECK_INT(c, i);
	}
	CHECK_OK(al_parse_cap("NET_ADMIN", &c, &err), &err);
	CHECK_INT(c, 12);
	CHECK_OK(al_parse_cap("CAP_NET_ADMIN", &c, &err), &err);
	CHECK_INT(c, 12);
	CHECK_OK(al_parse_cap("cap_net_bind_service", &c, &err), &err);
	CHECK_INT(c, 10);
	CHECK_OK(al_parse_cap("sys_chroot", &c, &err), &err);
	CHECK_INT(c, 18);
	CHECK_OK(al_parse_cap("ALL", &c, &err), &err);
	CHECK_INT(c, -1);
	CHECK_OK(al_parse_cap("all", &c, &err), &err);
	CHECK_INT(c, -1);
	CHECK_FAILS(al_parse_cap("NET_FOO", &c, &err), &err, "NET_FOO: unknown capability");
	CHECK_FAILS(al_parse_cap("CAP_", &c, &err), &err, "CAP_: unknown capability");
	CHECK_FAILS(al_parse_cap("", &c, &err), &err, "unknown capability");
	CHECK_FAILS(al_parse_cap("CAP_ALL", &c, &err), &err, "CAP_ALL");
	CHECK_FAILS(al_parse_cap("12", &c, &err), &err, "12: unknown capability");
}

static void test_user(void)
{
	uid_t u = 99;
	gid_t g = 99;
	CHECK_OK(al_parse_user("0", &u, &g, &err), &err);
	CHECK_INT(u, 0);
	CHECK_INT(g, 0);
	CHECK_OK(al_parse_user("1000", &u, &g, &err), &err);
	CHECK_INT(u, 1000);
	CHECK_INT(g, 1000);
	CHECK_OK(al_parse_user("1000:100", &u, &g, &err), &err);
	CHECK_INT(u, 1000);
	CHECK_INT(g, 100);
	CHECK_OK(al_parse_user("65535:0", &u, &g, &err), &err);
	CHECK_INT(u, 65535);
	CHECK_INT(g, 0);
	CHECK_FAILS(al_parse_user("nobody", &u, &g, &err), &err, "nobody: expected UID[:GID]");
	CHECK_FAILS(al_parse_user("65536", &u, &g, &err), &err, "65536:");
	CHECK_FAILS(al_parse_user("-1", &u, &g, &err), &err, "-1:");
	CHECK_FAILS(al_parse_user("1:", &u, &g, &err), &err, "1::");
	CHECK_FAILS(al_parse_user(":1", &u, &g, &err), &err, ":1:");
	CHECK_FAILS(al_parse_user("1:2:3", &u, &g, &err), &err, "1:2:3");
	CHECK_FAILS(al_parse_user("1:users", &u, &g, &err), &err, "1:users");
	CHECK_FAILS(al_parse_user("", &u, &g, &err), &err, "expected UID");
	CHECK_FAILS(al_parse_user("+5", &u, &g, &err), &err, "+5");
}

static void test_env_arg(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	CHECK_OK(al_env_apply_arg(&spec, "FOO=bar", &err), &err);
	CHECK_STR(al_spec_getenv(&spec, "FOO"), "bar");
	CHECK_OK(al_env_apply_arg(&spec, "FOO=baz=qux", &err), &err);
	CHECK_STR(al_spec_getenv(&spec, "FOO"), "baz=qux");
	CHECK_INT(spec.n_env, 1);
	CHECK_OK(al_env_apply_arg(&spec, "EMPTY=", &err), &err);
	CHECK_STR(al_spec_getenv(&spec, "EMPTY"), "");

	setenv("AL_TEST_FROM_CALLER", "v1", 1);
	unsetenv("AL_TEST_UNSET");
	CHECK_OK(al_env_apply_arg(&spec, "AL_TEST_FROM_CALLER", &err), &err);
	CHECK_STR(al_spec_getenv(&spec, "AL_TEST_FROM_CALLER"), "v1");
	CHECK_OK(al_env_apply_arg(&spec, "AL_TEST_UNSET", &err), &err);
	CHECK(al_spec_getenv(&spec, "AL_TEST_UNSET") == NULL);
	CHECK_INT(spec.n_env, 3);
	CHECK(spec.env[spec.n_env] == NULL);

	CHECK_FAILS(al_env_apply_arg(&spec, "=x", &err), &err, "env =x: empty variable name");
	CHECK_FAILS(al_env_apply_arg(&spec, "", &err), &err, "empty variable name");
	CHECK_FAILS(al_env_apply_arg(&spec, "A B=1", &err), &err,
		    "env A B=1: variable name \"A B\" contains whitespace");
	CHECK_INT(spec.n_env, 3);
	al_spec_free(&spec);
}

static char *write_temp(const char *content)
{
	char *path = strdup("/tmp/airlock-test-env-XXXXXX");
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, content, strlen(content)) == (ssize_t)strlen(content));
		close(fd);
	}
	return path;
}

static void test_env_file(void)
{
	struct al_spec spec;
	al_spec_init(&spec);
	setenv("AL_TEST_FILE_PASS", "passed", 1);
	unsetenv("AL_TEST_FILE_UNSET");
	char *path = write_temp("\xEF\xBB\xBF# comment\n"
				"A=1\n"
				"\n"
				"   \n"
				"  B=two words  \n"
				"C=x=y\r\n"
				"  # indented comment\n"
				"AL_TEST_FILE_PASS\n"
				"AL_TEST_FILE_UNSET\n"
				"A=3\n"
				"D=\"quoted\"\n"
				"E=");
	CHECK_OK(al_env_apply_file(&spec, path, &err), &err);
	CHECK_STR(al_spec_getenv(&spec, "A"), "3");
	CHECK_STR(al_spec_getenv(&spec, "B"), "two words  ");
	CHECK_STR(al_spec_getenv(&spec, "C"), "x=y");
	CHECK_STR(al_spec_getenv(&spec, "AL_TEST_FILE_PASS"), "passed");
	CHECK(al_spec_getenv(&spec, "AL_TEST_FILE_UNSET") == NULL);
	CHECK_STR(al_spec_getenv(&spec, "D"), "\"quoted\"");
	CHECK_STR(al_spec_getenv(&spec, "E"), "");
	CHECK_INT(spec.n_env, 6);
	unlink(path);
	free(path);

	path = write_temp("OK=1\nBAD KEY=2\n");
	CHECK_FAILS(al_env_apply_file(&spec, path, &err), &err,
		    " line 2: variable name \"BAD KEY\" contains whitespace");
	CHECK(strstr(err.msg, path) != NULL);
	unlink(path);
	free(path);

	path = write_temp("\n=novalue\n");
	CHECK_FAILS(al_env_apply_file(&spec, path, &err), &err, " line 2: empty variable name");
	unlink(path);
	free(path);

	CHECK_FAILS(al_env_apply_file(&spec, "/nonexistent/airlock.env", &err), &err,
		    "env file /nonexistent/airlock.env: No such file or directory");
	CHECK_INT(err.errnum, ENOENT);
	al_spec_free(&spec);
}

int main(void)
{
	test_size();
	test_duration();
	test_cpus();
	test_bool();
	test_ulimit();
	test_ulimit_name();
	test_normalize();
	test_volume();
	test_tmpfs();
	test_caps();
	test_user();
	test_env_arg();
	test_env_file();
	CHECK_DONE();
}
