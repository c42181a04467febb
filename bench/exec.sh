#!/bin/bash
# bench/exec.sh: named sandboxes (issue 3), all in one run, printed as a markdown summary.
#
#   sudo bench/exec.sh           # as root (dockerd, podman and airlock's cgroups need it)
#
# Measures, on one rootfs imported as the image bench:latest, in one run:
#   1. `airlock exec NAME /bin/true` into a running sandbox (hyperfine -N medians), next to bare
#      /bin/true and `airlock --version` (the cost of starting the airlock binary at all: a floor);
#   2. `airlock create` + `airlock start` of the image, a fresh name per iteration (hyperfine through
#      sh, which hyperfine subtracts; the previous iteration's sandbox is removed in --prepare, outside
#      the timing), and create alone and start alone without a shell as a cross-check;
#   3. memory (Pss, Rss, private) of airlock's own processes (monitor + pid 1) per idle named sandbox;
#   4. the same exec and create+start with docker (a private dockerd) and podman, on the same rootfs.
#
# Knobs (environment): AIRLOCK ROOTFS OUT RUNS WARMUP CS_RUNS PEER_RUNS PEER_CS_RUNS IDLE PEERS STATE
# KEEP. Raw data (hyperfine JSON, daemon logs, summary.md) goes to OUT, never the repo's tracked files.
# Installs docker.io and podman with apt-get when missing. Everything the script starts (sandboxes,
# containers, dockerd) is removed or stopped at the end, also on error (trap).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
self="$here/$(basename "$0")"

export AIRLOCK=${AIRLOCK:-$repo/build/airlock}
export ROOTFS=${ROOTFS:-/var/tmp/al-rootfs}
export OUT=${OUT:-$repo/build/bench/exec}
export RUNS=${RUNS:-300}                 # hyperfine runs, exec (>= 300 for the record)
export WARMUP=${WARMUP:-20}
export CS_RUNS=${CS_RUNS:-$RUNS}         # hyperfine runs, airlock create+start
export PEER_RUNS=${PEER_RUNS:-$RUNS}     # hyperfine runs, docker/podman exec
export PEER_CS_RUNS=${PEER_CS_RUNS:-30}  # hyperfine runs, docker/podman create+start
export PEER_WARMUP=${PEER_WARMUP:-3}     # warm-up for docker/podman create+start
export IDLE=${IDLE:-20}                  # idle sandboxes for the memory test
export PEERS=${PEERS-docker podman}      # which peers to measure ("" for none)
export STATE=${STATE:-/var/tmp/bench-airlock-state} # private AIRLOCK_STATE_ROOT, removed at the end
export KEEP=${KEEP:-0}                   # 1: keep the private image stores (airlock, docker, podman)

# Peers: fixed private locations (the daemon's flags are the ones documented in docs/benchmarks.md).
export DOCKER_BIN=${DOCKER_BIN:-/usr/bin/docker} # Debian's client, not /usr/local/bin/docker
DOCKER_SOCK=unix:///run/bench-docker.sock
DOCKER_DATA=/var/tmp/bench-docker
DOCKER_EXEC=/run/bench-docker
DOCKER_PIDFILE=/run/bench-docker.pid
PODMAN_ROOT=/var/tmp/bench-podman
PODMAN_RUNROOT=/run/bench-podman
D="$DOCKER_BIN -H $DOCKER_SOCK"
P="podman --root $PODMAN_ROOT --runroot $PODMAN_RUNROOT"
LABEL=airlock-bench # every sandbox and container this script makes carries label airlock-bench=...
IMG=bench:latest

log() { printf '[bench] %s\n' "$*" >&2; }
# Long jobs run in the background and are waited for: bash defers a trap while a foreground child runs,
# so this way a SIGTERM or SIGINT to the script is handled at once, passed on to the job, and the
# EXIT trap cleans up.
CHILD=""
run() { "$@" & CHILD=$!; local rc=0; wait "$CHILD" || rc=$?; CHILD=""; return "$rc"; }
on_signal() {
	if [ -n "$CHILD" ]; then kill -TERM "$CHILD" 2>/dev/null; wait "$CHILD" 2>/dev/null; sleep 0.5; fi
	exit 130
}
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }
fail() { # peer parts: record why the peer could not be measured, then stop that part
	printf '%s\n' "$*" >"$OUT/$PART.status"
	die "$PART: $*"
}

# hyperfine commands for create+start. Run through sh (hyperfine subtracts the time of an empty sh),
# so `$$`, the pid of that sh, gives a fresh name per iteration. --prepare removes every sandbox of the
# previous iterations (by label) before each run; that removal is not timed.
cs_prepare() { # tool -> prepare command
	case $1 in
	airlock) echo "sh -c '$AIRLOCK ps -aq --filter label=$LABEL=cs | xargs -r $AIRLOCK rm -f >/dev/null'" ;;
	docker) echo "sh -c '$D ps -aq --filter label=$LABEL=cs | xargs -r $D rm -f >/dev/null'" ;;
	podman) echo "sh -c '$P ps -aq --filter label=$LABEL=cs | xargs -r $P rm -f -t 0 >/dev/null'" ;;
	esac
}
cs_command() { # tool -> measured command
	case $1 in
	airlock) echo "$AIRLOCK create --name cs\$\$ -l $LABEL=cs $IMG sleep infinity >/dev/null && $AIRLOCK start cs\$\$ >/dev/null" ;;
	docker) echo "$D create --network none --name cs\$\$ -l $LABEL=cs $IMG sleep infinity >/dev/null && $D start cs\$\$ >/dev/null" ;;
	podman) echo "$P create --network none --name cs\$\$ -l $LABEL=cs $IMG sleep infinity >/dev/null && $P start cs\$\$ >/dev/null" ;;
	esac
}

# ---------------------------------------------------------------------------------------------
# docker, run as its own process (`exec.sh __docker`) so that `set -e` holds and a failure stops only
# this part. Starts a private dockerd, measures, removes its containers and stops dockerd by pid.
if [ "${1:-}" = __docker ]; then
	PART=docker
	DOCKERD_PID=""
	docker_down() {
		set +e
		if [ -n "$DOCKERD_PID" ] && [ -d /proc/"$DOCKERD_PID" ]; then
			$D ps -aq --filter label=$LABEL | xargs -r $D rm -f >/dev/null 2>&1
			kill -TERM "$DOCKERD_PID"
			for _ in $(seq 100); do [ -d /proc/"$DOCKERD_PID" ] || break; sleep 0.2; done
			if [ -d /proc/"$DOCKERD_PID" ]; then
				log "docker: dockerd $DOCKERD_PID ignored SIGTERM for 20 s, SIGKILL"
				kill -KILL "$DOCKERD_PID"
			fi
			wait "$DOCKERD_PID" 2>/dev/null
		fi
		DOCKERD_PID=""
	}
	trap docker_down EXIT
	trap on_signal INT TERM
	command -v dockerd >/dev/null || fail "dockerd not installed"
	[ -x "$DOCKER_BIN" ] || fail "$DOCKER_BIN not installed"
	[ ! -S /run/bench-docker.sock ] || ! $D version >/dev/null 2>&1 || fail "a dockerd already answers on $DOCKER_SOCK"
	mkdir -p "$DOCKER_DATA" "$DOCKER_EXEC"
	# --ip-forward=false: dockerd would otherwise set net.ipv4.ip_forward=1 on the host. No bridge, no
	# iptables: the containers run with --network none. dockerd starts its own containerd under
	# --exec-root. cgroups: this machine's hybrid v1 layout works with dockerd's cgroupfs driver as is.
	dockerd --data-root "$DOCKER_DATA" --exec-root "$DOCKER_EXEC" -H "$DOCKER_SOCK" \
		--pidfile "$DOCKER_PIDFILE" --iptables=false --ip-forward=false --bridge=none \
		>"$OUT/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 150); do
		$D version >/dev/null 2>&1 && break
		[ -d /proc/"$DOCKERD_PID" ] || fail "dockerd exited at start: $(grep -E 'level=(error|fatal)' "$OUT/dockerd.log" | tail -n 2)"
		sleep 0.2
	done
	$D version >/dev/null 2>&1 || fail "dockerd did not answer within 30 s (log: $OUT/dockerd.log)"
	log "docker: dockerd $DOCKERD_PID up; importing $ROOTFS as $IMG"
	tar -C "$ROOTFS" -c . | $D import - "$IMG" >/dev/null || fail "docker import failed"
	cid=$($D run -d --network none -l $LABEL=exec "$IMG" sleep infinity) || fail "docker run -d failed"
	$D exec "$cid" /bin/true || fail "docker exec $cid /bin/true failed"
	log "docker: exec, hyperfine $PEER_RUNS runs"
	run hyperfine -N --warmup "$WARMUP" --runs "$PEER_RUNS" --style basic --export-json "$OUT/docker-exec.json" \
		-n docker-version "$D --version" \
		-n docker-exec "$D exec $cid /bin/true" >&2 || fail "hyperfine of docker exec failed"
	log "docker: create+start, hyperfine $PEER_CS_RUNS runs"
	run hyperfine --warmup "$PEER_WARMUP" --runs "$PEER_CS_RUNS" --style basic --export-json "$OUT/docker-cs.json" \
		--prepare "$(cs_prepare docker)" -n docker-create-start "$(cs_command docker)" >&2 \
		|| fail "hyperfine of docker create+start failed"
	$D version --format 'docker {{.Server.Version}} (containerd, runc from Debian)' >"$OUT/docker.version" 2>/dev/null || true
	dp=$DOCKERD_PID
	docker_down
	if [ -d /proc/"$dp" ]; then fail "dockerd $dp still running after stop"; fi
	echo ok >"$OUT/$PART.status"
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# podman, run as its own process in a private mount namespace (`unshare -m ... exec.sh __podman`):
# crun 1.8 (podman's runtime) refuses the hybrid cgroup layout, so /sys/fs/cgroup/unified is unmounted
# in that namespace only (as bench/run.sh does for crun). Every podman command runs in it.
if [ "${1:-}" = __podman ]; then
	PART=podman
	podman_down() {
		set +e
		$P ps -aq --filter label=$LABEL | xargs -r $P rm -f -t 0 >/dev/null 2>&1
	}
	trap podman_down EXIT
	trap on_signal INT TERM
	command -v podman >/dev/null || fail "podman not installed"
	if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
	# This machine lacks CAP_SYS_RESOURCE: podman's default ulimits (nofile 1048576) cannot be set.
	printf '[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=32768:32768"]\n' >"$OUT/containers.conf"
	export CONTAINERS_CONF=$OUT/containers.conf
	mkdir -p "$PODMAN_ROOT" "$PODMAN_RUNROOT"
	log "podman: importing $ROOTFS as $IMG"
	tar -C "$ROOTFS" -c . | $P import - "$IMG" >/dev/null 2>"$OUT/podman-import.log" || fail "podman import failed: $(tail -n 1 "$OUT/podman-import.log")"
	cid=$($P run -d --network none -l $LABEL=exec "$IMG" sleep infinity 2>"$OUT/podman-run.log") || fail "podman run -d failed: $(tail -n 1 "$OUT/podman-run.log")"
	$P exec "$cid" /bin/true || fail "podman exec $cid /bin/true failed"
	log "podman: exec, hyperfine $PEER_RUNS runs"
	run hyperfine -N --warmup "$WARMUP" --runs "$PEER_RUNS" --style basic --export-json "$OUT/podman-exec.json" \
		-n podman-version "$P --version" \
		-n podman-exec "$P exec $cid /bin/true" >&2 || fail "hyperfine of podman exec failed"
	log "podman: create+start, hyperfine $PEER_CS_RUNS runs"
	run hyperfine --warmup "$PEER_WARMUP" --runs "$PEER_CS_RUNS" --style basic --export-json "$OUT/podman-cs.json" \
		--prepare "$(cs_prepare podman)" -n podman-create-start "$(cs_command podman)" >&2 \
		|| fail "hyperfine of podman create+start failed"
	echo "$($P --version), $(crun --version | head -n 1)" >"$OUT/podman.version"
	podman_down
	echo ok >"$OUT/$PART.status"
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# Preconditions.
[ "$(id -u)" = 0 ] || die "run as root (dockerd, podman and airlock's cgroups need it)"
[ -x "$AIRLOCK" ] || die "$AIRLOCK not found: build it first (meson setup build && ninja -C build)"
[ -x "$ROOTFS/bin/true" ] || die "$ROOTFS is not a rootfs (bench/run.sh creates it with debootstrap)"
for t in hyperfine jq awk tar unshare mountpoint findmnt; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
missing=()
for p in $PEERS; do
	case $p in
	docker) { command -v dockerd >/dev/null && [ -x "$DOCKER_BIN" ]; } || missing+=(docker.io) ;;
	podman) command -v podman >/dev/null || missing+=(podman) ;;
	*) die "unknown peer $p (docker, podman)" ;;
	esac
done
mkdir -p "$OUT"
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]} with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >"$OUT/apt.log" 2>&1 \
		|| log "WARNING: apt-get install ${missing[*]} failed (see $OUT/apt.log)"
fi
rm -f "$OUT"/*.json "$OUT"/*.status "$OUT"/*.version
# Benchmark a snapshot of the binary: a rebuild during the run must not swap it under our feet.
cp "$AIRLOCK" "$OUT/airlock.new" && mv -f "$OUT/airlock.new" "$OUT/airlock"
AIRLOCK_SRC=$AIRLOCK
export AIRLOCK=$OUT/airlock
AIRLOCK_ID="$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- src 2>/dev/null || echo '+local changes'), sha256 $(sha256sum "$AIRLOCK" | cut -c1-12)"
export AIRLOCK_STATE_ROOT=$STATE
A=$AIRLOCK

# ---------------------------------------------------------------------------------------------
# Teardown, also on error: every airlock sandbox in the private state root, and any peer left over.
al_down() {
	set +e
	if [ -d "$STATE" ]; then
		ids=$($A ps -aq 2>/dev/null)
		[ -z "$ids" ] || $A rm -f $ids >/dev/null 2>&1
	fi
	if [ -s "$DOCKER_PIDFILE" ]; then # __docker stops dockerd itself; this is the fallback
		dp=$(cat "$DOCKER_PIDFILE")
		if [ "$(cat /proc/"$dp"/comm 2>/dev/null)" = dockerd ]; then
			$D ps -aq --filter label=$LABEL | xargs -r $D rm -f >/dev/null 2>&1
			kill -TERM "$dp"
			for _ in $(seq 100); do [ -d /proc/"$dp" ] || break; sleep 0.2; done
			[ -d /proc/"$dp" ] && kill -KILL "$dp"
		fi
	fi
	set -e
}
leftovers() { # what is still running that this script started
	local l="" p exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		case ${exe% (deleted)} in
		"$AIRLOCK") l+="${l:+, }airlock ${p#/proc/}" ;;
		esac
		if grep -qaE "bench-docker|bench-podman" "$p/cmdline" 2>/dev/null && [ "${p#/proc/}" != $$ ]; then
			case "$(cat "$p/comm" 2>/dev/null)" in
			dockerd | containerd* | conmon | podman) l+="${l:+, }$(cat "$p/comm") ${p#/proc/}" ;;
			esac
		fi
	done
	echo "${l:-none}"
}
TORN=""
teardown() { # once: sandboxes, a leftover dockerd, then the private stores unless KEEP=1
	[ -z "$TORN" ] || return 0
	TORN=1
	al_down
	sleep 0.5
	LEFT=$(leftovers)
	[ "$LEFT" = none ] || log "WARNING: still running after teardown: $LEFT"
	if [ "$KEEP" != 1 ]; then
		for d in "$STATE" "$DOCKER_DATA" "$DOCKER_EXEC" "$PODMAN_ROOT" "$PODMAN_RUNROOT"; do
			[ -e "$d" ] || continue
			if findmnt -rn -o TARGET | grep -q "^$d"; then
				log "WARNING: $d still has mounts; not removed"
			else
				rm -rf "$d"
			fi
		done
	fi
}
trap teardown EXIT
trap on_signal INT TERM

# ---------------------------------------------------------------------------------------------
# Machine state.
load1() { awk '{print $1}' /proc/loadavg; }
state_line() { printf '%s CPUs, load %s, kernel %s' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(uname -r)"; }
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
START_STATE=$(state_line)
log "machine: $START_STATE"
if awk -v l="$(load1)" 'BEGIN { exit !(l > 0.5) }'; then
	log "WARNING: load average $(load1) > 0.5: other jobs are running and will distort the numbers"
fi

# ---------------------------------------------------------------------------------------------
# The image, in the private state root.
log "airlock: importing $ROOTFS as $IMG into $STATE"
mkdir -p "$STATE"
ids=$($A ps -aq)
[ -z "$ids" ] || $A rm -f $ids >/dev/null
$A image import "$ROOTFS" "$IMG" >/dev/null

# ---------------------------------------------------------------------------------------------
# 1. exec into a running sandbox, with bare /bin/true and `airlock --version` as floors.
$A create --name bench-exec -l $LABEL=exec "$IMG" sleep infinity >/dev/null
$A start bench-exec >/dev/null
$A exec bench-exec /bin/true || die "airlock exec bench-exec /bin/true fails"
LOAD_EXEC=$(load1)
log "airlock: exec, hyperfine $RUNS runs + $WARMUP warm-up"
run hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic --export-json "$OUT/airlock-exec.json" \
	-n bare "/bin/true" \
	-n airlock-version "$A --version" \
	-n airlock-exec "$A exec bench-exec /bin/true" >&2

# ---------------------------------------------------------------------------------------------
# 2. create+start, a fresh name per iteration; then create alone and start alone (no shell).
LOAD_CS=$(load1)
log "airlock: create+start, hyperfine $CS_RUNS runs + $WARMUP warm-up"
run hyperfine --warmup "$WARMUP" --runs "$CS_RUNS" --style basic --export-json "$OUT/airlock-cs.json" \
	--prepare "$(cs_prepare airlock)" -n airlock-create-start "$(cs_command airlock)" >&2
log "airlock: create alone and start alone (hyperfine -N), $CS_RUNS runs + $WARMUP warm-up"
run hyperfine -N --warmup "$WARMUP" --runs "$CS_RUNS" --style basic --export-json "$OUT/airlock-cs-split.json" \
	--prepare "$(cs_prepare airlock)" \
	--prepare "sh -c '$A ps -aq --filter label=$LABEL=cs | xargs -r $A rm -f >/dev/null; $A create --name cs-one -l $LABEL=cs $IMG sleep infinity >/dev/null'" \
	-n airlock-create "$A create --name cs-one -l $LABEL=cs $IMG sleep infinity" \
	-n airlock-start "$A start cs-one" >&2
ids=$($A ps -aq --filter label=$LABEL=cs)
[ -z "$ids" ] || $A rm -f $ids >/dev/null

# ---------------------------------------------------------------------------------------------
# 3. Memory per idle named sandbox: IDLE × `run -d ... sleep infinity`. Counted: airlock's own
# processes, i.e. the monitor (parent of the sandbox's pid 1) and every descendant except the
# workload (the sleep). The exec sandbox of part 1 is still running (it shares the binary's pages).
exe_of() { local e; e=$(readlink /proc/"$1"/exe 2>/dev/null) || return 0; echo "${e% (deleted)}"; }
children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
smaps() { awk -v k="$2:" '$1 == k { s += $2 } END { print s + 0 }' /proc/"$1"/smaps_rollup 2>/dev/null || echo 0; }
private() { echo $(($(smaps "$1" Private_Clean) + $(smaps "$1" Private_Dirty))); }
LOAD_MEM=$(load1)
log "memory: $IDLE idle named sandboxes"
for i in $(seq "$IDLE"); do
	$A run -d --name idle$i -l $LABEL=idle "$IMG" sleep infinity >/dev/null
done
sleep 2
PSS=0 RSS=0 PRIV=0 NPROC=0 NWORK=0 MON_PSS=0 INIT_PSS=0 TREE_DESC=""
for i in $(seq "$IDLE"); do
	init=$($A inspect idle$i | jq -r '.[0].State.Pid')
	[ -n "$init" ] && [ "$init" != 0 ] && [ -d /proc/"$init" ] || die "idle$i has no running pid 1"
	mon=$(awk '$1 == "PPid:" { print $2 }' /proc/"$init"/status)
	[ "$(exe_of "$mon")" = "$A" ] || die "idle$i: parent $mon of pid 1 $init is not airlock"
	MON_PSS=$((MON_PSS + $(smaps "$mon" Pss))); INIT_PSS=$((INIT_PSS + $(smaps "$init" Pss)))
	queue=("$mon") desc=""
	while [ ${#queue[@]} -gt 0 ]; do
		q=${queue[0]}; queue=("${queue[@]:1}")
		comm=$(cat /proc/"$q"/comm 2>/dev/null || echo '?')
		if [ "$(exe_of "$q")" != "$A" ]; then
			NWORK=$((NWORK + 1)); desc+="${desc:+ > }[$comm]"
			continue
		fi
		PSS=$((PSS + $(smaps "$q" Pss))); RSS=$((RSS + $(smaps "$q" Rss))); PRIV=$((PRIV + $(private "$q")))
		NPROC=$((NPROC + 1)); desc+="${desc:+ > }$comm"
		for c in $(children "$q"); do queue+=("$c"); done
	done
	[ -n "$TREE_DESC" ] || TREE_DESC=$desc
done
[ "$NWORK" = "$IDLE" ] || log "WARNING: found $NWORK workloads, expected $IDLE"
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
PSS_PER=$(div "$PSS" "$IDLE") RSS_PER=$(div "$RSS" "$IDLE") PRIV_PER=$(div "$PRIV" "$IDLE") PROC_PER=$(div "$NPROC" "$IDLE")
MON_PER=$(div "$MON_PSS" "$IDLE") INIT_PER=$(div "$INIT_PSS" "$IDLE")

# ---------------------------------------------------------------------------------------------
# 4. Peers. airlock's sandboxes keep running meanwhile (idle; they do not compete for CPU).
declare -A PEER_STATUS LOAD_PEER
for p in $PEERS; do
	LOAD_PEER[$p]=$(load1)
	log "$p: start"
	case $p in
	docker) run "$self" __docker || true ;;
	podman) run unshare -m --propagation private "$self" __podman || true ;;
	esac
	PEER_STATUS[$p]=$(cat "$OUT/$p.status" 2>/dev/null || echo "failed before recording a reason (see the log above)")
	log "$p: ${PEER_STATUS[$p]}"
done

# ---------------------------------------------------------------------------------------------
# Teardown (in the EXIT trap instead, should anything above fail).
log "teardown"
teardown
END_STATE=$(state_line)

# ---------------------------------------------------------------------------------------------
# Summary.
has() { [ -s "$OUT/$1.json" ] && jq -e --arg n "$2" '.results[] | select(.command == $n)' "$OUT/$1.json" >/dev/null 2>&1; }
# median, mean, sd, p90, median of first third, median of last third (ms), one line
stats() {
	jq -r --arg n "$2" '.results[] | select(.command == $n)
	| def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	(.times | sort) as $s | (.times | length / 3 | floor) as $k
	| [.median, .mean, .stddev, $s[(($s | length) * 0.9 | floor)], (.times[0:$k] | med), (.times[(.times | length) - $k:] | med)]
	| map(. * 1000) | @tsv' "$OUT/$1.json"
}
fmt() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }
sub_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "**missed**" }'; }
DRIFT_WARN=""
row() { # file name label -> table row; sets MED_<name>
	local med mean sd p90 first last
	if ! has "$1" "$2"; then echo "| $3 | n/a | | | |"; return; fi
	read -r med mean sd p90 first last < <(stats "$1" "$2")
	printf -v "MED_${2//-/_}" '%s' "$med"
	if awk -v a="$first" -v b="$last" 'BEGIN { r = b / a; exit !(r > 1.2 || r < 1 / 1.2) }'; then
		DRIFT_WARN+="${DRIFT_WARN:+, }$2"
	fi
	echo "| $3 | $(fmt "$med") | $(fmt "$mean") ± $(fmt "$sd") | $(fmt "$p90") | $(fmt "$first") → $(fmt "$last") |"
}
{
	echo "## airlock named sandboxes (bench/exec.sh), $START_DATE"
	echo
	echo "Machine at start: $START_STATE. At end: $END_STATE."
	echo "1-minute load when each part started: exec $LOAD_EXEC, create+start $LOAD_CS, memory $LOAD_MEM$(for p in $PEERS; do printf ', %s %s' "$p" "${LOAD_PEER[$p]}"; done)."
	echo "airlock binary: $AIRLOCK_SRC (commit $AIRLOCK_ID). Image: $ROOTFS imported as $IMG."
	echo "Peers: $(cat "$OUT/docker.version" 2>/dev/null || echo 'docker n/a'); $(cat "$OUT/podman.version" 2>/dev/null || echo 'podman n/a'); $(hyperfine --version)."
	echo
	echo "### exec /bin/true into a running sandbox (hyperfine -N; airlock $RUNS runs, $WARMUP warm-up; peers $PEER_RUNS runs)"
	echo
	echo "| command | median ms | mean ± sd ms | p90 ms | first → last third, median ms |"
	echo "|---|---:|---:|---:|---:|"
	row airlock-exec bare "bare \`/bin/true\`"
	row airlock-exec airlock-version "\`airlock --version\`"
	row airlock-exec airlock-exec "**\`airlock exec NAME /bin/true\`**"
	row docker-exec docker-version "\`docker --version\`"
	row docker-exec docker-exec "\`docker exec ID /bin/true\`"
	row podman-exec podman-version "\`podman --version\`"
	row podman-exec podman-exec "\`podman exec ID /bin/true\`"
	echo
	echo "### create + start of $IMG (airlock $CS_RUNS runs, $WARMUP warm-up; peers $PEER_CS_RUNS runs, $PEER_WARMUP warm-up)"
	echo
	echo "| command | median ms | mean ± sd ms | p90 ms | first → last third, median ms |"
	echo "|---|---:|---:|---:|---:|"
	row airlock-cs airlock-create-start "**airlock create + start** (sh, corrected)"
	row airlock-cs-split airlock-create "airlock create alone (-N)"
	row airlock-cs-split airlock-start "airlock start alone (-N)"
	row docker-cs docker-create-start "docker create + start (sh, corrected)"
	row podman-cs podman-create-start "podman create + start (sh, corrected)"
	echo
	echo "create+start: \`$(cs_command airlock)\` run by hyperfine through sh (hyperfine subtracts an empty sh's time),"
	echo "\`\$\$\` a fresh name per iteration; \`--prepare\` (not timed) removes the previous iteration's sandbox by label."
	echo
	if [ -n "$DRIFT_WARN" ]; then
		echo "**Drift over 20% between the first and last third of the series of: $DRIFT_WARN.** Other jobs were likely running; treat those medians with care."
		echo
	fi
	echo "### Memory per idle named sandbox ($IDLE × \`airlock run -d --name idleN $IMG sleep infinity\`, after 2 s)"
	echo
	echo "| figure | KiB per sandbox |"
	echo "|---|---:|"
	echo "| Pss, airlock's processes | $PSS_PER |"
	echo "| of which monitor / pid 1 | $MON_PER / $INIT_PER |"
	echo "| private (Private_Clean + Private_Dirty) | $PRIV_PER |"
	echo "| Rss (shared pages counted in full) | $RSS_PER |"
	echo
	echo "Process tree per sandbox: $TREE_DESC ($PROC_PER airlock processes counted; the workload excluded)."
	echo
	echo "### Targets"
	echo
	echo "| figure | measured | minus \`airlock --version\` | target | |"
	echo "|---|---:|---:|---:|---|"
	# shellcheck disable=SC2154 # MED_* are set by row (printf -v)
	if [ -n "${MED_airlock_exec:-}" ]; then
		echo "| exec median | $(fmt "$MED_airlock_exec") ms | $(sub_ms "$MED_airlock_exec" "$MED_airlock_version") ms | ≤ 1.5 ms | $(verdict "$MED_airlock_exec" 1.5) |"
	fi
	if [ -n "${MED_airlock_create_start:-}" ]; then
		echo "| create+start median | $(fmt "$MED_airlock_create_start") ms | $(sub_ms "$MED_airlock_create_start" "$(awk -v a="$MED_airlock_version" 'BEGIN { print 2 * a }')") ms (2 × floor) | ≤ 5 ms | $(verdict "$MED_airlock_create_start" 5) |"
	fi
	echo "| Pss per idle sandbox | $PSS_PER KiB | | ≤ 1024 KiB | $(verdict "$PSS_PER" 1024) |"
	echo
	echo "### Peers"
	echo
	for p in $PEERS; do echo "- $p: ${PEER_STATUS[$p]}"; done
	[ -n "$PEERS" ] || echo "- none measured (PEERS empty)"
	echo
	echo "Teardown: still running afterwards: $LEFT."
	echo "Raw hyperfine data: $OUT/*.json."
} | tee "$OUT/summary.md"
