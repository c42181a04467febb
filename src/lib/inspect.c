/* inspect.c: docker's inspect object and ps row for a named sandbox, from config.json and state.json. */
#include "inspect.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "parse.h"
#include "paths.h"
#include "util.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

static json_t *spec_of(const struct al_box *b)
{
	return json_object_get(b->config, "Spec");
}

static json_t *copy_or(json_t *v, json_t *dflt)
{
	if (v && !json_is_null(v)) {
		json_decref(dflt);
		return json_deep_copy(v);
	}
	return dflt;
}

static const char *str_or(json_t *v, const char *dflt)
{
	const char *s = json_string_value(v);
	return s ? s : dflt;
}

static json_t *state_object(struct al_box *b)
{
	const char *status = al_box_status(b);
	bool running = strcmp(status, AL_STATUS_RUNNING) == 0;
	json_t *st = b->state;
	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:I, s:I, s:s, s:s, s:s, s:s}", "Status", status,
			 "Running", running, "Paused", 0, "Restarting", 0, "OOMKilled",
			 json_is_true(json_object_get(st, "OOMKilled")), "Dead", 0, "Pid",
			 running ? al_box_state_int(b, "Pid") : (json_int_t)0, "ExitCode",
			 al_box_state_int(b, "ExitCode"), "Error", al_box_state_str(b, "Error"), "Reason",
			 al_box_state_str(b, "Reason"), "StartedAt",
			 str_or(json_object_get(st, "StartedAt"), ZERO_TIME), "FinishedAt",
			 str_or(json_object_get(st, "FinishedAt"), ZERO_TIME));
}

static char *volume_path(const char *name)
{
	_cleanup_free_ char *data = al_data_dir();
	return al_xasprintf("%s/volumes/%s", data, name);
}

/* Mounts (binds and volumes, as docker lists them), HostConfig.Binds and HostConfig.Tmpfs. */
static void mounts(json_t *spec, json_t **mounts_out, json_t **binds_out, json_t **tmpfs_out)
{
	json_t *mounts = json_array(), *binds = json_array(), *tmpfs = json_object();
	size_t i;
	json_t *m;
	json_array_foreach (json_object_get(spec, "Mounts"), i, m) {
		const char *type = str_or(json_object_get(m, "Type"), "");
		const char *target = str_or(json_object_get(m, "Target"), "");
		if (strcmp(type, "tmpfs") == 0) {
			json_int_t size = json_integer_value(json_object_get(m, "Size"));
			json_t *mode = json_object_get(m, "Mode");
			char opts[96] = "";
			if (size)
				snprintf(opts, sizeof opts, "size=%lld", (long long)size);
			if (mode)
				snprintf(opts + strlen(opts), sizeof opts - strlen(opts), "%smode=%o",
					 size ? "," : "", (unsigned)json_integer_value(mode));
			json_object_set_new(tmpfs, target, json_string(opts));
			continue;
		}
		const char *src = str_or(json_object_get(m, "Source"), "");
		const char *opts = str_or(json_object_get(m, "Options"), "");
		bool ro = json_is_true(json_object_get(m, "ReadOnly"));
		bool named = json_is_true(json_object_get(m, "Named"));
		_cleanup_free_ char *bind = al_xasprintf("%s:%s%s%s", src, target, *opts ? ":" : "", opts);
		json_array_append_new(binds, json_string(bind));
		json_t *o;
		if (named) {
			_cleanup_free_ char *path = volume_path(src);
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "volume", "Name",
				      src, "Source", path, "Destination", target, "Driver", "local", "Mode",
				      opts, "RW", !ro, "Propagation", "");
		} else {
			o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "Type", "bind", "Source", src,
				      "Destination", target, "Mode", opts, "RW", !ro, "Propagation",
				      "rprivate");
		}
		json_array_append_new(mounts, o);
	}
	*mounts_out = mounts;
	*binds_out = binds;
	*tmpfs_out = tmpfs;
}

static json_t *ulimits(json_t *spec)
{
	json_t *out = json_array();
	size_t i;
	json_t *u;
	json_array_foreach (json_object_get(spec, "Ulimits"), i, u)
		json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "Name", json_object_get(u, "Name"),
						     "Soft", json_object_get(u, "Soft"), "Hard",
						     json_object_get(u, "Hard")));
	return out;
}

static json_t *cap_add(json_t *spec)
{
	json_t *out = json_array();
	json_int_t keep = json_integer_value(json_object_get(spec, "CapsKeep"));
	for (int n = 0; n < 63 && al_cap_name(n); n++)
		if (keep & (1ll << n))
			json_array_append_new(out, json_string(al_cap_name(n)));
	return out;
}

static json_t *host_config(const struct al_box *b, json_t *spec, json_t *binds, json_t *tmpfs)
{
	json_int_t pids = json_integer_value(json_object_get(spec, "PidsLimit"));
	json_t *secopt = json_array();
	json_array_append_new(secopt, json_string("no-new-privileges"));
	const char *profile = json_string_value(json_object_get(spec, "SeccompProfile"));
	if (json_is_true(json_object_get(spec, "SeccompUnconfined")))
		json_array_append_new(secopt, json_string("seccomp=unconfined"));
	else if (profile)
		json_array_append_new(secopt, json_string_nocheck(profile));
	json_t *hc = json_object();
	json_object_set_new(hc, "Binds", binds);
	json_object_set_new(hc, "NetworkMode", json_string(str_or(json_object_get(spec, "Network"), "none")));
	json_object_set_new(hc, "AutoRemove",
			    json_boolean(json_is_true(json_object_get(b->config, "AutoRemove"))));
	json_object_set_new(hc, "ReadonlyRootfs",
			    json_boolean(json_is_true(json_object_get(spec, "ReadOnly"))));
	json_object_set_new(hc, "CapAdd", cap_add(spec));
	json_object_set_new(hc, "CapDrop", json_pack("[s]", "ALL"));
	json_object_set_new(hc, "Dns", copy_or(json_object_get(spec, "Dns"), json_array()));
	json_object_set_new(hc, "ExtraHosts", copy_or(json_object_get(spec, "ExtraHosts"), json_array()));
	json_object_set_new(hc, "Init", json_boolean(json_is_true(json_object_get(spec, "Init"))));
	json_object_set_new(hc, "Tmpfs", tmpfs);
	json_object_set_new(hc, "Memory", json_integer(json_integer_value(json_object_get(spec, "Memory"))));
	json_object_set_new(hc, "MemorySwap",
			    json_integer(json_integer_value(json_object_get(spec, "MemorySwap"))));
	json_object_set_new(hc, "NanoCpus",
			    json_integer(json_integer_value(json_object_get(spec, "CpusMilli")) * 1000000));
	json_object_set_new(hc, "PidsLimit", pids ? json_integer(pids) : json_null());
	json_object_set_new(hc, "Ulimits", ulimits(spec));
	json_object_set_new(hc, "SecurityOpt", secopt);
	json_object_set_new(hc, "Runtime", json_string("airlock"));
	return hc;
}

static json_t *config_object(const struct al_box *b, json_t *spec)
{
	json_t *user = json_object_get(spec, "User");
	_cleanup_free_ char *user_s =
	    al_xasprintf("%lld:%lld", (long long)json_integer_value(json_object_get(user, "Uid")),
			 (long long)json_integer_value(json_object_get(user, "Gid")));
	_cleanup_free_ char *host = al_xasprintf("%.12s", b->id);
	json_t *c = json_object();
	json_object_set_new(c, "Hostname", json_string(str_or(json_object_get(spec, "Hostname"), host)));
	json_object_set_new(c, "User", json_string(user_s));
	json_object_set_new(c, "Tty", json_boolean(json_is_true(json_object_get(spec, "Tty"))));
	json_object_set_new(c, "OpenStdin", json_boolean(json_is_true(json_object_get(spec, "Interactive"))));
	json_object_set_new(c, "Env", copy_or(json_object_get(spec, "Env"), json_array()));
	json_object_set_new(c, "Cmd", copy_or(json_object_get(spec, "Argv"), json_array()));
	json_object_set_new(c, "Image", json_string(str_or(json_object_get(spec, "Image"), "")));
	json_object_set_new(c, "WorkingDir", json_string(str_or(json_object_get(spec, "WorkingDir"), "")));
	json_object_set_new(c, "Entrypoint", json_null());
	json_object_set_new(c, "Labels", copy_or(json_object_get(spec, "Labels"), json_object()));
	return c;
}

json_t *al_inspect_box(struct al_box *b)
{
	json_t *spec = spec_of(b);
	json_t *argv = json_object_get(spec, "Argv");
	json_t *args = json_array();
	for (size_t i = 1; i < json_array_size(argv); i++)
		json_array_append(args, json_array_get(argv, i));
	json_t *mnts, *binds, *tmpfs;
	mounts(spec, &mnts, &binds, &tmpfs);
	_cleanup_free_ char *name = al_xasprintf("/%s", al_box_name(b));
	json_t *o = json_object();
	json_object_set_new(o, "Id", json_string(b->id));
	json_object_set_new(o, "Created",
			    json_string(str_or(json_object_get(b->config, "Created"), ZERO_TIME)));
	json_object_set_new(o, "Path", json_string(str_or(json_array_get(argv, 0), "")));
	json_object_set_new(o, "Args", args);
	json_object_set_new(o, "State", state_object(b));
	json_object_set_new(o, "Image", json_string(str_or(json_object_get(spec, "ImageId"), "")));
	_cleanup_free_ char *log = al_box_path(b, "log");
	json_object_set_new(o, "LogPath", json_string(log));
	json_object_set_new(o, "Name", json_string(name));
	json_object_set_new(o, "RestartCount", json_integer(0));
	json_object_set_new(o, "Driver", json_string("overlay"));
	json_object_set_new(o, "Platform", json_string("linux"));
	json_object_set_new(o, "HostConfig", host_config(b, spec, binds, tmpfs));
	json_object_set_new(o, "Mounts", mnts);
	json_object_set_new(o, "Config", config_object(b, spec));
	json_object_set_new(
	    o, "NetworkSettings",
	    json_pack("{s:{s:{}}}", "Networks", str_or(json_object_get(spec, "Network"), "none")));
	return o;
}

char *al_human_duration(long long ns)
{
	long long s = ns / 1000000000LL;
	if (s < 1)
		return al_xstrdup("Less than a second");
	if (s == 1)
		return al_xstrdup("1 second");
	if (s < 60)
		return al_xasprintf("%lld seconds", s);
	long long m = s / 60;
	if (m == 1)
		return al_xstrdup("About a minute");
	if (m < 60)
		return al_xasprintf("%lld minutes", m);
	long long h = (long long)(m / 60.0 + 0.5);
	if (h == 1)
		return al_xstrdup("About an hour");
	if (h < 48)
		return al_xasprintf("%lld hours", h);
	if (h < 24 * 7 * 2)
		return al_xasprintf("%lld days", h / 24);
	if (h < 24 * 30 * 2)
		return al_xasprintf("%lld weeks", h / 24 / 7);
	if (h < 24 * 365 * 2)
		return al_xasprintf("%lld months", h / 24 / 30);
	return al_xasprintf("%lld years", h / 24 / 365);
}

char *al_human_status(struct al_box *b)
{
	const char *status = al_box_status(b);
	if (strcmp(status, AL_STATUS_RUNNING) == 0) {
		_cleanup_free_ char *d = al_human_duration(
		    al_realtime_ns() - al_time_parse_rfc3339(al_box_state_str(b, "StartedAt")));
		return al_xasprintf("Up %s", d);
	}
	if (strcmp(status, AL_STATUS_EXITED) == 0) {
		_cleanup_free_ char *d = al_human_duration(
		    al_realtime_ns() - al_time_parse_rfc3339(al_box_state_str(b, "FinishedAt")));
		return al_xasprintf("Exited (%lld) %s ago", (long long)al_box_state_int(b, "ExitCode"), d);
	}
	return al_xstrdup("Created");
}

static char *command_text(json_t *argv, bool trunc)
{
	size_t len = 0;
	size_t i;
	json_t *v;
	json_array_foreach (argv, i, v)
		len += strlen(str_or(v, "")) + 1;
	char *s = al_xmalloc(len + 3), *p = s;
	*p++ = '"';
	json_array_foreach (argv, i, v) {
		if (i)
			*p++ = ' ';
		p = stpcpy(p, str_or(v, ""));
	}
	*p++ = '"';
	*p = '\0';
	if (trunc && strlen(s) > 22) /* docker: 20 characters and an ellipsis inside the quotes */
		strcpy(s + 20, "…\"");
	return s;
}

static char *labels_text(json_t *labels)
{
	size_t len = 1;
	const char *k;
	json_t *v;
	json_object_foreach (labels, k, v)
		len += strlen(k) + strlen(str_or(v, "")) + 2;
	char *s = al_xmalloc(len), *p = s;
	*p = '\0';
	bool first = true;
	json_object_foreach (labels, k, v) {
		p += sprintf(p, "%s%s=%s", first ? "" : ",", k, str_or(v, ""));
		first = false;
	}
	return s;
}

json_t *al_ps_row(struct al_box *b, bool trunc)
{
	json_t *spec = spec_of(b);
	_cleanup_free_ char *status = al_human_status(b);
	_cleanup_free_ char *cmd = command_text(json_object_get(spec, "Argv"), trunc);
	_cleanup_free_ char *labels = labels_text(json_object_get(spec, "Labels"));
	const char *created = str_or(json_object_get(b->config, "Created"), ZERO_TIME);
	_cleanup_free_ char *ago = al_human_duration(al_realtime_ns() - al_time_parse_rfc3339(created));
	_cleanup_free_ char *running_for = al_xasprintf("%s ago", ago);
	char id[65];
	snprintf(id, sizeof id, "%.*s", trunc ? 12 : 64, b->id);
	const char *image = str_or(json_object_get(spec, "Image"), "");
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id,
			 "Image", *image ? image : str_or(json_object_get(spec, "Rootfs"), "(host)"),
			 "Command", cmd, "CreatedAt", created, "RunningFor", running_for, "Status", status,
			 "State", al_box_status(b), "Names", al_box_name(b), "Labels", labels, "Mounts", "",
			 "Ports", "", "Networks", str_or(json_object_get(spec, "Network"), "none"), "Size",
			 "0B", "LocalVolumes", "0");
}
