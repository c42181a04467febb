#!/bin/bash
# runtime_podman.sh: podman (through conmon) drives airlock-runtime as its OCI runtime: `podman run
# --runtime airlock-runtime` with volumes, a read-only root and a tmpfs; run -d, exec, pause, stop, rm;
# a terminal; the escape probe inside. A private podman store and cgroup parent, the test rootfs
# imported as an image (nothing is pulled), and nothing left behind.
# AL_TEST_OCI_RUNTIME=/usr/sbin/runc runs the same checks against another runtime.
# modes: root
. "$(dirname "$0")/../lib.sh"

RT=${AL_TEST_OCI_RUNTIME:-${AIRLOCK_RUNTIME:-$(dirname "$AIRLOCK")/airlock-runtime}}
IMAGE=localhost/airlock-test:1

if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q podman conmon >/dev/null 2>&1
fi
if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
	t_begin "podman"
	t_skip "podman or conmon is not installed and apt-get could not install them"
	exit 0
fi
is_airlock() { "$RT" --version 2>/dev/null | grep -q '^airlock-runtime'; }

# Everything podman keeps goes under $D; its containers' cgroups under /$CGP.
D=$(mktemp -d /var/tmp/al-pm.XXXX)
CGP=$(basename "$D")
had_varlib=""
[ -e /var/lib/containers/cache ] && had_varlib=1
mkdir -p "$D/tmp" "$D/ctmp" "$D/w" "$D/o" "$D/net"
cat >"$D/containers.conf" <<EOF
[containers]
# this host lacks CAP_SYS_RESOURCE: podman's default nofile/nproc would not apply
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
netns = "none"
log_driver = "k8s-file"
[network]
network_config_dir = "$D/net"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$D/events.log"
lock_type = "file"
tmp_dir = "$D/tmp"
static_dir = "$D/root/libpod"
volume_path = "$D/root/volumes"
# conmon's console sockets go to TMPDIR
conmon_env_vars = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=$D/ctmp"]
EOF
cat >"$D/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$D/root"
runroot = "$D/run"
EOF
export CONTAINERS_CONF="$D/containers.conf" CONTAINERS_STORAGE_CONF="$D/storage.conf"
PODMAN=(podman --root "$D/root" --runroot "$D/run")
RUNARGS=(--runtime "$RT" --cgroup-parent "/$CGP" --network none)

# Processes whose command line names $D (conmon, a container's leftovers).
d_pids() { procs_naming "$D"; }
d_mounts() { mounts_under "$D"; }
cgroup_procs() { cgroup_procs_in "$CGP"; } # processes in the containers' cgroups

cleanup() {
	[ -d "$D" ] || return 0
	timeout -k 5 30 "${PODMAN[@]}" rm -af -t 0 >/dev/null 2>&1
	timeout -k 5 30 "${PODMAN[@]}" rmi -af >/dev/null 2>&1
	local p m h
	for p in $(d_pids) $(cgroup_procs); do kill -KILL "$p" 2>/dev/null; done
	for m in $(d_mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	sleep 0.2
	for h in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"; do
		[ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$D"
	# `podman import` keeps a blob-info cache in the system store whatever --root says
	[ -z "$had_varlib" ] && rm -rf /var/lib/containers/cache && rmdir /var/lib/containers 2>/dev/null
	return 0
}
trap 'cleanup; _t_finish' EXIT
trap 'exit 143' TERM INT

# podman with the private store; sets AL_OUT, AL_ERR, AL_RC (so assert_status and assert_probe_ok apply).
pm() { # ARGS...
	timeout -k 5 "${PM_TIMEOUT:-60}" "${PODMAN[@]}" "$@" </dev/null >"$D/out" 2>"$D/err"
	AL_RC=$?
	AL_OUT=$(cat "$D/out")
	AL_ERR=$(cat "$D/err")
	[ -n "${T_VERBOSE:-}" ] && printf '  $ podman %s\n  -> %s\n%s\n%s\n' "$*" "$AL_RC" "$AL_OUT" "$AL_ERR" >&2
	return 0
}

# A container's state as podman sees it.
pm_state() { "${PODMAN[@]}" inspect -f '{{.State.Status}}' "$1" 2>/dev/null; }

# The runtime's own state directories that mention a container id (runc: /run/runc/ID).
rt_state_of() { # ID
	[ -n "$1" ] || return 0
	find /run/airlock-runtime /run/runc /run/crun -maxdepth 2 -name "*$1*" 2>/dev/null
}

t_begin "the test rootfs imports as an image"
snapshot_host
tar -C "$T_ROOTFS" -c . | timeout 60 "${PODMAN[@]}" import - "$IMAGE" >"$D/out" 2>"$D/err" ||
	t_fail "podman import: $(_short "$(cat "$D/err")")"
pm images --format '{{.Repository}}:{{.Tag}}'
assert_contains "$AL_OUT" "$IMAGE" "podman images"
[ -x "$RT" ] || t_fail "no runtime at $RT"
t_failed && exit 1
t_end

t_begin "run --rm: volumes, a read-only root, a tmpfs, no capabilities, seccomp, the exit status"
echo "from the host" >"$D/w/in"
pm run --rm "${RUNARGS[@]}" --cap-drop=ALL --read-only --tmpfs /tmp -v "$D/w:/work:ro" -v "$D/o:/out:rw" \
	"$IMAGE" sh -c '
	cat /work/in
	echo x >/work/new 2>/dev/null && echo "ro volume: written" || echo "ro volume: refused"
	echo "out" >/out/file && echo "rw volume: written"
	echo t >/tmp/t && [ "$(cat /tmp/t)" = t ] && echo "tmp: written"
	touch /rootfile 2>/dev/null && echo "root: written" || echo "root: refused"
	grep -E "^(CapEff|Seccomp):" /proc/self/status | tr -s "\t " " "
	exit 7'
assert_status 7
assert_contains "$AL_OUT" "from the host" "the ro volume's content"
assert_contains "$AL_OUT" "ro volume: refused"
assert_contains "$AL_OUT" "rw volume: written"
assert_contains "$AL_OUT" "tmp: written"
assert_contains "$AL_OUT" "root: refused"
assert_contains "$AL_OUT" "CapEff: 0000000000000000"
assert_contains "$AL_OUT" "Seccomp: 2"
assert_eq "out" "$(cat "$D/o/file" 2>/dev/null)" "the rw volume's file on the host"
assert_file_absent "$D/w/new"
t_end

t_begin "run --rm: stdout and stderr apart, a failing command's status, --user, -w, -e"
pm run --rm "${RUNARGS[@]}" "$IMAGE" sh -c 'echo to-out; echo to-err >&2; exit 3'
assert_status 3
assert_eq "to-out" "$AL_OUT" "stdout"
assert_contains "$AL_ERR" "to-err" "stderr"
# podman's 127 (command not found) needs the runtime to refuse it at create, as runc does
pm run --rm "${RUNARGS[@]}" "$IMAGE" /no/such/binary
assert_status 127 "a missing binary"
pm run --rm "${RUNARGS[@]}" --user 1000:1000 -w /tmp -e FOO=bar "$IMAGE" sh -c 'echo "$(id -u):$(id -g) $(pwd) $FOO"'
assert_status 0 "--user"
assert_eq "1000:1000 /tmp bar" "$AL_OUT" "--user, -w, -e"
t_end

t_begin "run --rm: the escape probe passes inside"
probe_listeners
pm run --rm "${RUNARGS[@]}" --cap-drop=ALL --read-only "${PROBE_ENV[@]/#/--env=}" "$IMAGE" /probe all
if is_airlock; then
	assert_probe_ok
elif [ "$AL_RC" = 2 ] && [ -z "$AL_OUT" ]; then
	t_skip "$(basename "$RT") is not airlock-runtime: $(_short "$AL_ERR")"
else
	assert_probe_ok
fi
t_end

# One line of output, newlines as |.
oneline() { printf '%s' "$1" | tr '\n' '|'; }

t_begin "run -d, exec, pause and unpause, stop, rm"
lifecycle() {
	pm run -d --name pm-bg "${RUNARGS[@]}" --cap-drop=ALL "$IMAGE" sh -c \
		'trap "echo stopping; exit 0" TERM; trap "echo usr1" USR1; echo started; while :; do sleep 0.1; done'
	assert_status 0 "run -d" || return
	local id=$AL_OUT t0 pid
	assert_match "$id" '^[0-9a-f]{64}$' "container id"
	assert_eq "running" "$(pm_state pm-bg)" "state after run -d"
	# the cgroup podman asked for (linux.cgroupsPath, under --cgroup-parent) holds pid 1
	pid=$("${PODMAN[@]}" inspect -f '{{.State.Pid}}' pm-bg 2>/dev/null)
	assert_contains "$(cat "/proc/$pid/cgroup" 2>/dev/null)" ":/$CGP/libpod-$id" "pid 1's cgroup (pid $pid)"
	pm exec pm-bg sh -c 'echo in-exec; echo shared >/tmp/mark; exit 4'
	assert_status 4 "exec's exit status"
	assert_eq "in-exec" "$AL_OUT" "exec's output"
	pm exec -e FOO=bar -w /tmp pm-bg sh -c 'cat mark; echo "$FOO"; ps -o pid,args | grep -c "[w]hile"'
	assert_status 0 "a second exec"
	assert_eq "shared|bar|1" "$(oneline "$AL_OUT")" "a second exec sees the first one's file, its env, pid 1"
	pm pause pm-bg
	if assert_status 0 "pause"; then
		assert_eq "paused" "$(pm_state pm-bg)" "state after pause"
		pm unpause pm-bg
		assert_status 0 "unpause"
		assert_eq "running" "$(pm_state pm-bg)" "state after unpause"
	fi
	pm kill -s USR1 pm-bg
	assert_status 0 "kill -s USR1"
	wait_for 5 sh -c "${PODMAN[*]} logs pm-bg 2>/dev/null | grep -q usr1" || t_fail "USR1 did not reach pid 1"
	t0=$SECONDS
	pm stop -t 10 pm-bg
	assert_status 0 "stop"
	assert_le $((SECONDS - t0)) 5 "seconds to stop on SIGTERM"
	assert_eq "exited" "$(pm_state pm-bg)" "state after stop"
	assert_eq "0" "$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' pm-bg 2>/dev/null)" "exit code after SIGTERM"
	pm logs pm-bg
	assert_eq "started|usr1|stopping" "$(oneline "$AL_OUT")" "logs"
	pm rm pm-bg
	assert_status 0 "rm"
	assert_eq "" "$(rt_state_of "$id")" "the runtime's state after rm"

	pm run -d --name pm-kill "${RUNARGS[@]}" "$IMAGE" sleep 100
	assert_status 0 "run -d sleep" || return
	id=$AL_OUT
	pm rm -f -t 0 pm-kill
	assert_status 0 "rm -f of a running container"
	assert_eq "" "$(rt_state_of "$id")" "the runtime's state after rm -f"
}
lifecycle
pm rm -af -t 0
pm ps -aq
assert_eq "" "$AL_OUT" "containers left"
t_end

t_begin "run -t and exec -t: a terminal"
pm run --rm -t "${RUNARGS[@]}" "$IMAGE" sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo "is a tty"; exit 5'
assert_status 5
assert_match "$AL_OUT" '/dev/pts/[0-9]+' "tty"
assert_contains "$AL_OUT" "is a tty"
pm run -d --name pm-tty "${RUNARGS[@]}" "$IMAGE" sleep 100
if assert_status 0 "run -d"; then
	pm exec -t pm-tty sh -c 'tty; [ -t 1 ] && echo "is a tty"'
	assert_status 0 "exec -t" && assert_contains "$AL_OUT" "is a tty" "exec -t"
fi
pm rm -f -t 0 pm-tty
t_end

t_begin "nothing left behind"
pm ps -aq
assert_eq "" "$AL_OUT" "containers left"
assert_eq "" "$(d_mounts | grep -v "^$D/root/overlay$")" "mounts under $D"
assert_eq "" "$(for p in $(d_pids); do { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null; echo; done)" "processes naming $D"
assert_eq "" "$(cgroup_procs)" "processes in the containers' cgroups"
# every container this file made (podman's event log has them all, --rm ones too)
ids=$(jq -r 'select(.Type == "container") | .ID' "$D/events.log" 2>/dev/null | sort -u)
assert_ne "" "$ids" "container ids in $D/events.log"
assert_eq "" "$(for id in $ids; do rt_state_of "$id"; done)" "the runtime's state of removed containers"
assert_no_leaks
t_end
