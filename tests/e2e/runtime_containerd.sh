#!/bin/bash
# runtime_containerd.sh: containerd's runc shim (containerd-shim-runc-v2) drives airlock-runtime as its
# runc: `ctr run --runc-binary airlock-runtime --rootfs DIR` with bind mounts, a read-only root, a
# terminal; run -d, task exec, pause and resume, ps, kill, delete; the escape probe inside. A private
# containerd (root, state, socket, runtime --root and cgroup parent of its own), nothing pulled, and
# nothing left behind. AL_TEST_OCI_RUNTIME=/usr/sbin/runc runs the same checks against another runtime.
# modes: root
. "$(dirname "$0")/../lib.sh"

RT=${AL_TEST_OCI_RUNTIME:-${AIRLOCK_RUNTIME:-$(dirname "$AIRLOCK")/airlock-runtime}}
NS=altest

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null || ! command -v containerd-shim-runc-v2 >/dev/null; then
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q containerd >/dev/null 2>&1
fi
if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null || ! command -v containerd-shim-runc-v2 >/dev/null; then
	t_begin "containerd"
	t_skip "containerd, ctr or containerd-shim-runc-v2 is not installed and apt-get could not install them"
	exit 0
fi
is_airlock() { "$RT" --version 2>/dev/null | grep -q '^airlock-runtime'; }

# Everything containerd keeps goes under $D (short: the socket path must fit in sun_path); the
# containers' cgroups under /$CGP. Only the shims' sockets live in /run/containerd/s whatever the config.
D=$(mktemp -d /var/tmp/al-cd.XXXX)
CGP=$(basename "$D")
had_run=""
[ -e /run/containerd ] && had_run=1
mkdir -p "$D/tmp" "$D/o" "$D/ro" "$D/fifo"
cp -a "$T_ROOTFS" "$D/rootfs"
cat >"$D/config.toml" <<EOF
version = 2
root = "$D/root"
state = "$D/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$D/c.sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
EOF
CTR=(ctr --address "$D/c.sock" -n "$NS")
RUNARGS=(--runc-binary "$RT" --runc-root "$D/rt" --fifo-dir "$D/fifo")
CONTAINERD_PID=""

# Processes whose command line names $D (containerd, its shims, a container's leftovers).
d_pids() { procs_naming "$D"; }
d_mounts() { mounts_under "$D"; }
cgroup_procs() { cgroup_procs_in "$CGP"; } # processes in the containers' cgroups

stop_containerd() {
	local i p
	if [ -n "$CONTAINERD_PID" ]; then
		kill -TERM "$CONTAINERD_PID" 2>/dev/null
		for ((i = 0; i < 100; i++)); do kill -0 "$CONTAINERD_PID" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$CONTAINERD_PID" 2>/dev/null
		wait "$CONTAINERD_PID" 2>/dev/null
		CONTAINERD_PID=""
	fi
}

cleanup() {
	[ -d "$D" ] || return 0
	local p m h c i
	if [ -n "$CONTAINERD_PID" ]; then
		for c in $(timeout 10 "${CTR[@]}" task ls -q 2>/dev/null); do
			timeout 10 "${CTR[@]}" task kill -s SIGKILL "$c" >/dev/null 2>&1
			timeout 10 "${CTR[@]}" task delete -f "$c" >/dev/null 2>&1
		done
		for c in $(timeout 10 "${CTR[@]}" container ls -q 2>/dev/null); do
			timeout 10 "${CTR[@]}" container rm "$c" >/dev/null 2>&1
		done
	fi
	stop_containerd
	for i in 1 2; do
		for p in $(d_pids) $(cgroup_procs); do kill -KILL "$p" 2>/dev/null; done
		sleep 0.2
	done
	# what the runtime still knows of (its cgroups, say) goes through the runtime
	for c in "$D/rt/$NS"/*; do
		[ -e "$c" ] && timeout 10 "$RT" --root "$D/rt/$NS" delete --force "${c##*/}" >/dev/null 2>&1
	done
	for m in $(d_mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	sleep 0.2
	for h in /sys/fs/cgroup/*/"$CGP" /sys/fs/cgroup/"$CGP"; do
		[ -d "$h" ] && find "$h" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -rf "$D"
	[ -z "$had_run" ] && rmdir /run/containerd/s /run/containerd/fifo /run/containerd/runc /run/containerd 2>/dev/null
	return 0
}
trap 'cleanup; _t_finish' EXIT
trap 'exit 143' TERM INT

# ctr against the private containerd; sets AL_OUT, AL_ERR, AL_RC (so assert_status and assert_probe_ok apply).
cr() { # ARGS...
	timeout -k 5 "${CR_TIMEOUT:-60}" "${CTR[@]}" "$@" </dev/null >"$D/out" 2>"$D/err"
	AL_RC=$?
	AL_OUT=$(cat "$D/out")
	AL_ERR=$(cat "$D/err")
	[ -n "${T_VERBOSE:-}" ] && printf '  $ ctr %s\n  -> %s\n%s\n%s\n' "$*" "$AL_RC" "$AL_OUT" "$AL_ERR" >&2
	return 0
}

# `ctr run` with the runtime under test, the test rootfs and a cgroup under /$CGP.
cr_run() { # [--OPTION[=VALUE]...] ID CMD...
	local -a opts=()
	while [ $# -gt 0 ] && [ "${1:0:1}" = - ]; do
		opts+=("$1")
		shift
	done
	local id=$1
	shift
	cr run "${RUNARGS[@]}" --cgroup "/$CGP/$id" "${opts[@]}" --rootfs "$D/rootfs" "$id" "$@"
}

task_status() { "${CTR[@]}" task ls 2>/dev/null | awk -v id="$1" '$1 == id {print $3}'; }
task_is() { [ "$(task_status "$1")" = "$2" ]; } # ID STATUS

oneline() { printf '%s' "$1" | tr '\n' '|'; }

# Every capability of ctr's default spec, dropped (ctr has no "ALL").
DROP=()
for c in CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE; do
	DROP+=("--cap-drop=CAP_$c")
done

t_begin "a private containerd starts"
snapshot_host
TMPDIR="$D/tmp" containerd --config "$D/config.toml" --log-level warn </dev/null >"$D/containerd.log" 2>&1 &
CONTAINERD_PID=$!
wait_for 20 sh -c "kill -0 $CONTAINERD_PID 2>/dev/null || exit 0; ${CTR[*]} version >/dev/null 2>&1" ||
	t_fail "containerd did not answer"
kill -0 "$CONTAINERD_PID" 2>/dev/null || t_fail "containerd exited: $(_short "$(tail -n 5 "$D/containerd.log")")"
[ -x "$RT" ] || t_fail "no runtime at $RT"
t_failed && exit 1
t_end

t_begin "run --rm (ctr's default spec): output, stderr, the exit status, a rw bind mount"
cr_run --rm "--mount=type=bind,src=$D/o,dst=/out,options=rbind:rw" c-one /bin/sh -c '
	echo hello; echo to-err >&2
	echo out >/out/file && echo "rw bind: written"
	grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "
	exit 6'
assert_status 6
assert_contains "$AL_OUT" "hello"
assert_not_contains "$AL_OUT" "to-err" "stdout"
assert_contains "$AL_ERR" "to-err" "stderr"
assert_contains "$AL_OUT" "rw bind: written"
assert_contains "$AL_OUT" "NoNewPrivs: 1"
# ctr's default spec has no seccomp section (Seccomp: 0 under runc); airlock adds its own filter
is_airlock && assert_contains "$AL_OUT" "Seccomp: 2" "airlock's own seccomp filter"
assert_eq "out" "$(cat "$D/o/file" 2>/dev/null)" "the bind mount's file on the host"
cr_run --rm c-two /no/such/binary
assert_ne 0 "$AL_RC" "a missing binary"
# runc refuses a missing binary at create; when only start fails, ctr run --rm can leave the
# container (its stopped task, its shim) behind
assert_contains "$AL_ERR" "OCI runtime create failed" "a missing binary refused at create"
if "${CTR[@]}" container ls -q 2>/dev/null | grep -qx c-two; then
	t_fail "a missing binary: the container stayed"
	"${CTR[@]}" task delete -f c-two >/dev/null 2>&1
	"${CTR[@]}" container rm c-two >/dev/null 2>&1
fi
t_end

t_begin "run --rm --read-only, a read-only bind, every capability dropped, --seccomp"
echo "from the host" >"$D/ro/in"
cr_run --rm --read-only --seccomp "${DROP[@]}" "--mount=type=bind,src=$D/ro,dst=/ro,options=rbind:ro" c-three /bin/sh -c '
	cat /ro/in
	echo x >/ro/new 2>/dev/null && echo "ro bind: written" || echo "ro bind: refused"
	touch /rootfile 2>/dev/null && echo "root: written" || echo "root: refused"
	grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "'
assert_status 0
assert_contains "$AL_OUT" "from the host" "the ro bind's content"
assert_contains "$AL_OUT" "ro bind: refused"
assert_contains "$AL_OUT" "root: refused"
assert_contains "$AL_OUT" "CapEff: 0000000000000000"
assert_contains "$AL_OUT" "NoNewPrivs: 1"
assert_contains "$AL_OUT" "Seccomp: 2"
assert_file_absent "$D/ro/new"
assert_file_absent "$D/rootfs/rootfile"
t_end

t_begin "run --rm: the escape probe passes inside (no --seccomp given)"
probe_listeners
cr_run --rm --read-only "${DROP[@]}" "${PROBE_ENV[@]/#/--env=}" \
	c-probe /probe all
if is_airlock; then
	assert_probe_ok
elif [ "$AL_RC" = 2 ] && [ -z "$AL_OUT" ]; then
	t_skip "$(basename "$RT") is not airlock-runtime: $(_short "$AL_ERR")"
else
	assert_probe_ok
fi
t_end

t_begin "run -d, task exec, pause and resume, ps, kill, delete, container rm"
lifecycle() {
	local pid
	cr_run -d c-bg /bin/sh -c 'trap "exit 0" TERM; trap "echo usr1 >/tmp/usr1" USR1; while :; do sleep 0.1; done'
	assert_status 0 "run -d" || return
	assert_eq "RUNNING" "$(task_status c-bg)" "status after run -d"
	pid=$("${CTR[@]}" task ls 2>/dev/null | awk '$1 == "c-bg" {print $2}')
	assert_contains "$(cat "/proc/$pid/cgroup" 2>/dev/null)" ":/$CGP/c-bg" "pid 1's cgroup is --cgroup's (pid $pid)"
	cr task exec --fifo-dir "$D/fifo" --exec-id e1 c-bg /bin/sh -c 'echo in-exec; echo shared >/tmp/mark; exit 3'
	assert_status 3 "exec's exit status"
	assert_eq "in-exec" "$AL_OUT" "exec's output"
	cr task exec --fifo-dir "$D/fifo" --exec-id e2 --cwd /tmp c-bg /bin/sh -c 'cat mark; ps -o pid,args | grep -c "[w]hile"'
	assert_status 0 "a second exec"
	assert_eq "shared|1" "$(oneline "$AL_OUT")" "a second exec sees the first one's file and pid 1"
	cr task pause c-bg
	if assert_status 0 "pause"; then
		assert_eq "PAUSED" "$(task_status c-bg)" "status after pause"
		cr task resume c-bg
		assert_status 0 "resume"
		assert_eq "RUNNING" "$(task_status c-bg)" "status after resume"
	fi
	cr task ps c-bg
	assert_status 0 "task ps"
	[ -n "$pid" ] && assert_match "$AL_OUT" "(^|[^0-9])$pid([^0-9]|$)" "task ps lists pid 1 ($pid)"
	cr task kill -s SIGUSR1 c-bg
	assert_status 0 "kill -s SIGUSR1"
	wait_for 5 "${CTR[@]}" task exec --fifo-dir "$D/fifo" --exec-id e3 c-bg /bin/cat /tmp/usr1 >/dev/null 2>&1 ||
		t_fail "SIGUSR1 did not reach pid 1"
	cr task kill c-bg
	assert_status 0 "kill (SIGTERM)"
	wait_for 5 task_is c-bg STOPPED ||
		t_fail "not STOPPED 5 s after SIGTERM: $(task_status c-bg)"
	cr task delete c-bg
	assert_status 0 "task delete"
	assert_not_contains "$AL_ERR" "exit code" "task delete: the exit status after SIGTERM"
	cr container rm c-bg
	assert_status 0 "container rm"

	cr_run -d c-kill /bin/sleep 100
	assert_status 0 "run -d sleep" || return
	cr task kill -s SIGKILL c-kill
	assert_status 0 "kill -s SIGKILL"
	wait_for 5 task_is c-kill STOPPED ||
		t_fail "not STOPPED 5 s after SIGKILL: $(task_status c-kill)"
	# the shim asks the runtime again; runc's "container not running" reads as "already finished"
	cr task kill -s SIGKILL c-kill
	assert_contains "$AL_ERR" "process already finished" "kill of a stopped task"
	cr task delete c-kill
	assert_status 0 "task delete"
	assert_contains "$AL_ERR" "exit code 137" "task delete: the exit status after SIGKILL"
	cr container rm c-kill

	cr_run -d c-force /bin/sleep 100
	assert_status 0 "run -d sleep" || return
	cr task delete -f c-force
	assert_status 0 "task delete -f of a running task"
	assert_contains "$AL_ERR" "exit code 137" "task delete -f: the exit status"
	cr container rm c-force
}
lifecycle
for c in c-bg c-kill c-force; do # what a failure above left
	"${CTR[@]}" task delete -f "$c" >/dev/null 2>&1
	"${CTR[@]}" container rm "$c" >/dev/null 2>&1
done
assert_eq "" "$(ls -A "$D/rt/$NS" 2>/dev/null)" "the runtime's --root after delete"
t_end

t_begin "run --tty and task exec --tty: a terminal"
# ctr wants a terminal of its own for --tty: script(1) gives it one
tty_run() { # CTR-ARGS (one string)
	timeout -k 5 15 script -qec "${CTR[*]} $1" /dev/null </dev/null >"$D/out" 2>&1
	AL_RC=$?
	AL_OUT=$(tr -d '\r' <"$D/out")
}
tty_run "run ${RUNARGS[*]} --cgroup /$CGP/c-tty --rm --tty --rootfs $D/rootfs c-tty /bin/sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo is-a-tty; exit 4'"
if [ "$AL_RC" = 124 ]; then
	t_fail "run --tty hung (15 s): $(_short "$AL_OUT")"
	# a hung create: its shim and init go, so that the last test sees only what delete leaves
	"${CTR[@]}" task delete -f c-tty >/dev/null 2>&1
	for p in $(d_pids); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qE -- "-id c-tty |/c-tty/" && kill -KILL "$p"
	done
	sleep 0.5
	rm -rf "$D"/tmp/pty*
	timeout 10 "$RT" --root "$D/rt/$NS" delete --force c-tty >/dev/null 2>&1
	"${CTR[@]}" task delete -f c-tty >/dev/null 2>&1
	"${CTR[@]}" container rm c-tty >/dev/null 2>&1
else
	assert_eq 4 "$AL_RC" "exit status: $(_short "$AL_OUT")"
	assert_match "$AL_OUT" '/dev/pts/[0-9]+' "tty"
	assert_contains "$AL_OUT" "is-a-tty"
fi
cr_run -d c-tty2 /bin/sleep 100
if assert_status 0 "run -d"; then
	tty_run "task exec --fifo-dir $D/fifo --tty --exec-id t1 c-tty2 /bin/sh -c 'tty; [ -t 1 ] && echo is-a-tty; exit 2'"
	assert_eq 2 "$AL_RC" "exec --tty's exit status: $(_short "$AL_OUT")"
	assert_contains "$AL_OUT" "is-a-tty" "exec --tty"
	cr task delete -f c-tty2
fi
"${CTR[@]}" task delete -f c-tty2 >/dev/null 2>&1
"${CTR[@]}" container rm c-tty2 >/dev/null 2>&1
t_end

t_begin "containerd stops: nothing left behind"
cr container ls -q
assert_eq "" "$AL_OUT" "containers left"
assert_eq "" "$(ls -A "$D/rt/$NS" 2>/dev/null)" "the runtime's --root"
stop_containerd
assert_eq "" "$(for p in $(d_pids); do { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null; echo; done)" "processes naming $D"
assert_eq "" "$(cgroup_procs)" "processes in the containers' cgroups"
assert_eq "" "$(d_mounts)" "mounts under $D"
assert_eq "" "$(ls -A "$D/tmp")" "the shims' temporary files"
assert_no_leaks
t_end
