#!/bin/bash
# bench/runtime.sh: airlock-runtime (the OCI runtime) against runc and crun, and under docker, all in one
# run, printed as a markdown summary.
#
#   sudo bench/runtime.sh        # as root (the runtimes' cgroups and dockerd need it)
#
# Measures, in one run:
#   1. `RT --root R run --bundle B ID` of one OCI bundle (hyperfine -N, RUNS runs, WARMUP warm-up) for
#      airlock-runtime, runc and crun, next to bare /bin/true and `airlock-runtime --version` (the cost
#      of starting the binary at all: a floor). The bundle: ROOTFS copied to OUT/bundle/rootfs, the
#      config from `airlock-runtime spec`, process.args ["/bin/true"], terminal false; the same bundle
#      for all three (the changes every runtime needs are listed in the summary). crun 1.8 refuses this
#      machine's hybrid cgroups, so crun runs in a private mount namespace (`runtime.sh __crun`) where a
#      tmpfs is mounted over /sys/fs/cgroup/unified; airlock-runtime is measured there a second time as
#      a cross-check. `run` returns once the container has exited and been deleted, so one fixed ID per
#      runtime is reused: a container the runtime failed to delete makes the next iteration fail.
#   2. `docker run --rm --runtime=airlock IMAGE /bin/true` against --runtime=runc (hyperfine -N,
#      PEER_RUNS runs, PEER_WARMUP warm-up) on a private dockerd (`runtime.sh __docker`) whose
#      daemon.json registers airlock-runtime; IMAGE is ROOTFS imported with `docker import`.
#
# Knobs (environment): RUNTIME ROOTFS OUT RUNS WARMUP PEER_RUNS PEER_WARMUP DOCKER KEEP. Raw data
# (hyperfine JSON, config.json, daemon logs, version strings, summary.md) goes to OUT, never the repo's
# tracked files. Installs runc, crun, docker.io, hyperfine and jq with apt-get when missing. Everything
# the script makes (containers, cgroups, the bundle, state directories, dockerd and its directories)
# is removed or stopped at the end, also on error (trap), and what is left is reported.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
self="$here/$(basename "$0")"

# The knobs given on the command line, for the summary (before the defaults fill them in).
if [ "${1:-}" != __crun ] && [ "${1:-}" != __docker ]; then
	GIVEN=""
	for v in RUNTIME ROOTFS OUT RUNS WARMUP PEER_RUNS PEER_WARMUP DOCKER KEEP; do
		[ -z "${!v+x}" ] || GIVEN+="$v=${!v} "
	done
	export BENCH_CMDLINE="${GIVEN}$0${*:+ $*}"
fi

export RUNTIME=${RUNTIME:-$repo/build/airlock-runtime}
export ROOTFS=${ROOTFS:-$repo/build/test-rootfs}
export OUT=${OUT:-$repo/build/bench/runtime}
export RUNS=${RUNS:-200}              # hyperfine runs per command, OCI runtimes
export WARMUP=${WARMUP:-20}
export PEER_RUNS=${PEER_RUNS:-30}     # hyperfine runs per command, docker run
export PEER_WARMUP=${PEER_WARMUP:-3}
export DOCKER=${DOCKER:-1}            # 0: skip part 2 (docker)
export KEEP=${KEEP:-0}                # 1: keep the bundle and dockerd's data root

# Fixed private locations. Every name this script gives (container IDs, cgroups, directories, the
# image) starts with bench-rt, so that a leftover is found by name.
STATE=/run/bench-rt                   # --root of the three runtimes: STATE/{airlock,runc,crun}
BUNDLE=$OUT/bundle
CGPATH=/bench-rt/ctr                  # linux.cgroupsPath of the bundle, the same for all three
IMG=bench-rt:latest
export DOCKER_BIN=${DOCKER_BIN:-/usr/bin/docker} # Debian's client, not /usr/local/bin/docker
DOCKER_SOCK=unix:///run/bench-rt-docker.sock
DOCKER_DATA=/var/tmp/bench-rt-docker
DOCKER_EXEC=/run/bench-rt-docker
DOCKER_PIDFILE=/run/bench-rt-docker.pid
DOCKER_CGPARENT=/bench-rt-docker      # dockerd --cgroup-parent: its containers' cgroups, by name
D="$DOCKER_BIN -H $DOCKER_SOCK"

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
fail() { # sub-parts: record why the part could not be measured, then stop that part
	printf '%s\n' "$*" >"$OUT/$PART.status"
	die "$PART: $*"
}
# Runs a command once, as hyperfine will; on failure the command's own stderr is kept for the summary.
check_once() { # part-name command...
	local name=$1 rc=0
	shift
	"$@" >"$OUT/$name.check.out" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "\`$*\` exits $rc: $(tr '\n' ' ' <"$OUT/$name.check.out")"
}
# hyperfine, and when it fails (a run exited non-zero) the failing command once more with its stderr.
bench() { # part-name json-name hyperfine-args... (pairs -n NAME CMD last)
	local json=$2 rc=0 # $1: the part, for fail (PART)
	shift 2
	run hyperfine -N --style basic --export-json "$OUT/$json.json" "$@" >&2 || rc=$?
	[ "$rc" = 0 ] && return 0
	local -a cmds=() a=("$@")
	local i
	for ((i = 0; i < ${#a[@]}; i++)); do [ "${a[i]}" != -n ] || cmds+=("${a[i + 2]}"); done
	for c in "${cmds[@]}"; do
		local o
		o=$(sh -c "$c" 2>&1) && continue
		fail "hyperfine of $json failed; \`$c\` once more: exit $?: $(printf '%s' "$o" | tr '\n' ' ')"
	done
	fail "hyperfine of $json failed (exit $rc), each command run once more succeeded"
}

# Unmounts every mount at or below the given directories, deepest first; prints what it unmounted.
umount_under() {
	local d m
	for d; do
		for m in $(awk -v d="$d" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -ru); do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
			echo "$m"
		done
	done
}

# ---------------------------------------------------------------------------------------------
# crun (and airlock-runtime again, as a cross-check), run as its own process in a private mount
# namespace (`unshare -m --propagation private runtime.sh __crun`). crun 1.8 refuses the hybrid layout
# (cgroup v1 controllers plus cgroup2 at /sys/fs/cgroup/unified). A fresh tmpfs is mounted over
# /sys/fs/cgroup/unified in this namespace only: crun then writes its "unified" cgroup directory into
# that tmpfs, which goes away with the namespace. (Unmounting /sys/fs/cgroup/unified instead would
# leave crun writing into the directory underneath, the host's /sys/fs/cgroup tmpfs.)
if [ "${1:-}" = __crun ]; then
	PART=crun
	trap on_signal INT TERM
	if [ -d /sys/fs/cgroup/unified ]; then
		mount -t tmpfs -o mode=755,size=1m,nosuid,nodev,noexec bench-rt-unified /sys/fs/cgroup/unified \
			|| fail "cannot mount a tmpfs over /sys/fs/cgroup/unified"
		[ "$(findmnt -n -o FSTYPE --target /sys/fs/cgroup/unified | tail -n 1)" = tmpfs ] \
			|| fail "/sys/fs/cgroup/unified is not the tmpfs after the mount"
	fi
	check_once crun crun --root "$STATE/crun" run --bundle "$BUNDLE" bench-rt-crun
	check_once crun "$RT" --root "$STATE/airlock" run --bundle "$BUNDLE" bench-rt-airlock-ns
	log "crun: hyperfine $RUNS runs + $WARMUP warm-up (private mount namespace)"
	bench crun oci-crun --warmup "$WARMUP" --runs "$RUNS" \
		-n crun "crun --root $STATE/crun run --bundle $BUNDLE bench-rt-crun" \
		-n airlock-runtime-ns "$RT --root $STATE/airlock run --bundle $BUNDLE bench-rt-airlock-ns"
	echo ok >"$OUT/$PART.status"
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# docker, run as its own process (`runtime.sh __docker`) so that `set -e` holds and a failure stops
# only this part. Starts a private dockerd, measures, and stops dockerd by pid.
if [ "${1:-}" = __docker ]; then
	PART=docker
	DOCKERD_PID=""
	docker_down() {
		set +e
		if [ -n "$DOCKERD_PID" ] && [ -d /proc/"$DOCKERD_PID" ]; then
			$D ps -aq | xargs -r $D rm -f >/dev/null 2>&1
			kill -TERM "$DOCKERD_PID"
			for _ in $(seq 100); do [ -d /proc/"$DOCKERD_PID" ] || break; sleep 0.2; done
			if [ -d /proc/"$DOCKERD_PID" ]; then
				log "docker: dockerd $DOCKERD_PID ignored SIGTERM for 20 s, SIGKILL"
				kill -KILL "$DOCKERD_PID"
			fi
			wait "$DOCKERD_PID" 2>/dev/null
		fi
		DOCKERD_PID=""
		# What dockerd (its netns/default) or a failed container start left mounted, recorded.
		local m
		m=$(umount_under "$DOCKER_EXEC" "$DOCKER_DATA")
		[ -z "$m" ] || printf '%s\n' "$m" >>"$OUT/docker.unmounted"
	}
	trap docker_down EXIT
	trap on_signal INT TERM
	command -v dockerd >/dev/null || fail "dockerd not installed"
	[ -x "$DOCKER_BIN" ] || fail "$DOCKER_BIN not installed"
	[ ! -S /run/bench-rt-docker.sock ] || ! $D version >/dev/null 2>&1 || fail "a dockerd already answers on $DOCKER_SOCK"
	mkdir -p "$DOCKER_DATA" "$DOCKER_EXEC"
	jq -n --arg rt "$RT" '{runtimes: {airlock: {path: $rt}}}' >"$OUT/daemon.json"
	# No bridge, no iptables, no ip_forward (dockerd would set net.ipv4.ip_forward=1 on the host).
	# --cgroup-parent: this dockerd's containers get cgroups under /bench-rt-docker (cgroupfs), found
	# by name afterwards. --containerd-namespace: its tasks apart from any other dockerd's, should it
	# use the system's containerd.
	dockerd --config-file "$OUT/daemon.json" --data-root "$DOCKER_DATA" --exec-root "$DOCKER_EXEC" \
		-H "$DOCKER_SOCK" --pidfile "$DOCKER_PIDFILE" --iptables=false --ip6tables=false \
		--ip-forward=false --bridge=none --cgroup-parent "$DOCKER_CGPARENT" \
		--containerd-namespace bench-rt --containerd-plugins-namespace bench-rt-plugins \
		>"$OUT/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	for _ in $(seq 150); do
		$D version >/dev/null 2>&1 && break
		[ -d /proc/"$DOCKERD_PID" ] || fail "dockerd exited at start: $(grep -E 'level=(error|fatal)' "$OUT/dockerd.log" | tail -n 2)"
		sleep 0.2
	done
	$D version >/dev/null 2>&1 || fail "dockerd did not answer within 30 s (log: $OUT/dockerd.log)"
	$D version >"$OUT/docker.version" 2>&1 || true
	WA=(--sysctl "net.ipv4.ping_group_range=0 65535")
	WA_Q="--sysctl 'net.ipv4.ping_group_range=0 65535'" # the same, for hyperfine's command line
	container_mounts() { # mounts below a container rootfs of this dockerd's (merged/ of overlay2)
		awk -v d="$DOCKER_DATA/" 'index($5, d) == 1 && $5 ~ /merged\// { print $5 }' /proc/self/mountinfo
	}
	$D info --format '{{json .Runtimes}}' >"$OUT/docker.runtimes" 2>&1 || true
	$D version --format 'client {{.Client.Version}}, server {{.Server.Version}}{{range .Server.Components}}, {{.Name}} {{.Version}}{{end}}' \
		>"$OUT/docker.version.short" 2>&1 || true
	if grep -q 'started new containerd process' "$OUT/dockerd.log"; then
		echo "its own containerd" >"$OUT/docker.containerd"
	else
		echo "a containerd it found running" >"$OUT/docker.containerd"
	fi
	log "docker: dockerd $DOCKERD_PID up; importing $ROOTFS as $IMG"
	tar -C "$ROOTFS" -c . | $D import - "$IMG" >/dev/null || fail "docker import failed"
	check_once docker $D run --rm --runtime=runc "$IMG" /bin/true
	# airlock: a failure is recorded (its exact text goes to the summary) and runc is measured alone.
	cmds=()
	if $D run --rm --runtime=airlock "$IMG" /bin/true >"$OUT/docker-airlock.check.out" 2>&1; then
		# The shim runs airlock-runtime: a detached container is in airlock-runtime's list under the
		# --root the shim gives (dockerd 20.10: exec-root/runtime-runc/NAMESPACE, for every runtime).
		cid=$($D run -d --runtime=airlock "$IMG" sleep 60) || fail "docker run -d --runtime=airlock failed"
		listed=$(for r in "$DOCKER_EXEC"/runtime-*/*/; do "$RT" --root "$r" list -q 2>/dev/null; done)
		$D rm -f "$cid" >/dev/null || fail "docker rm -f $cid failed"
		grep -qx "$cid" <<<"$listed" || fail "container $cid of --runtime=airlock is not in airlock-runtime's list"
		cmds+=(-n docker-airlock "$D run --rm --runtime=airlock $IMG /bin/true")
	else
		tr '\n' ' ' <"$OUT/docker-airlock.check.out" >"$OUT/docker-airlock.error"
		log "docker: --runtime=airlock fails: $(cat "$OUT/docker-airlock.error")"
		# a failed start may leave mounts of the container's on the host (shared data root): record them
		container_mounts >"$OUT/docker-airlock.mounts"
		# docker's default net.ipv4.ping_group_range "0 2147483647": once more with a range the runtime
		# accepts, both runtimes then measured with it too
		if grep -q ping_group_range "$OUT/docker-airlock.error"; then
			if $D run --rm --runtime=airlock "${WA[@]}" "$IMG" /bin/true >"$OUT/docker-airlock-wa.check.out" 2>&1; then
				log "docker: --runtime=airlock ${WA[*]} works; measuring with and without it"
				cmds+=(-n docker-airlock-wa "$D run --rm --runtime=airlock $WA_Q $IMG /bin/true"
					-n docker-runc-wa "$D run --rm --runtime=runc $WA_Q $IMG /bin/true")
			else
				tr '\n' ' ' <"$OUT/docker-airlock-wa.check.out" >"$OUT/docker-airlock-wa.error"
				log "docker: --runtime=airlock ${WA[*]} fails too: $(cat "$OUT/docker-airlock-wa.error")"
				container_mounts >>"$OUT/docker-airlock.mounts"
			fi
		fi
		[ ${#cmds[@]} -gt 0 ] || log "docker: measuring runc alone"
	fi
	cmds+=(-n docker-runc "$D run --rm --runtime=runc $IMG /bin/true")
	log "docker: hyperfine $PEER_RUNS runs + $PEER_WARMUP warm-up"
	bench docker docker --warmup "$PEER_WARMUP" --runs "$PEER_RUNS" "${cmds[@]}"
	left=$($D ps -aq | wc -l)
	[ "$left" = 0 ] || fail "$left containers left in dockerd after the runs ($D ps -a)"
	dp=$DOCKERD_PID
	docker_down
	if [ -d /proc/"$dp" ]; then fail "dockerd $dp still running after stop"; fi
	echo ok >"$OUT/$PART.status"
	exit 0
fi

# ---------------------------------------------------------------------------------------------
# Preconditions.
[ "$(id -u)" = 0 ] || die "run as root (the runtimes' cgroups and dockerd need it)"
[ -x "$RUNTIME" ] || die "$RUNTIME not found: build it first (meson setup build && ninja -C build)"
mkdir -p "$OUT"
missing=()
for t in runc:runc crun:crun hyperfine:hyperfine jq:jq; do
	command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
done
if [ "$DOCKER" = 1 ] && { ! command -v dockerd >/dev/null || [ ! -x "$DOCKER_BIN" ]; }; then missing+=(docker.io); fi
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]} with apt-get"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >"$OUT/apt.log" 2>&1 \
		|| log "WARNING: apt-get install ${missing[*]} failed (see $OUT/apt.log)"
fi
for t in hyperfine jq runc crun awk tar unshare mountpoint findmnt; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
if [ ! -x "$ROOTFS/bin/true" ]; then
	probe=$(dirname "$RUNTIME")/tests/airlock-probe
	[ -x "$probe" ] || die "$ROOTFS is not a rootfs and $probe is missing to make one (ninja -C build)"
	log "creating the test rootfs in $OUT/test-rootfs (tests/mkrootfs.sh)"
	"$repo/tests/mkrootfs.sh" "$OUT/test-rootfs" "$probe" >&2
	ROOTFS=$OUT/test-rootfs
fi
for d in "$STATE" "$DOCKER_EXEC" "$DOCKER_DATA"; do
	[ ! -e "$d" ] || die "$d exists: another run of this script, or its leftovers (remove it first)"
done
if [ -n "$(find /sys/fs/cgroup -name 'bench-rt*' 2>/dev/null | head -n 1)" ]; then
	die "cgroups named bench-rt* exist already: $(find /sys/fs/cgroup -name 'bench-rt*' | head -n 3 | tr '\n' ' ')"
fi
rm -f "$OUT"/*.json "$OUT"/*.status "$OUT"/*.version "$OUT"/*.check.out "$OUT"/dockerd.log "$OUT"/summary.md \
	"$OUT"/docker.unmounted "$OUT"/docker-airlock*.error "$OUT"/docker-airlock.mounts "$OUT"/docker.runtimes \
	"$OUT"/docker.version.short "$OUT"/docker.containerd
# Benchmark a snapshot of the binary: a rebuild during the run must not swap it under our feet.
cp "$RUNTIME" "$OUT/airlock-runtime.new" && mv -f "$OUT/airlock-runtime.new" "$OUT/airlock-runtime"
RUNTIME_SRC=$RUNTIME
export RT=$OUT/airlock-runtime
RT_ID="$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- src 2>/dev/null || echo '+local changes'), sha256 $(sha256sum "$RT" | cut -c1-12)"

# ---------------------------------------------------------------------------------------------
# Leftovers and teardown.
cg_ours() { # every cgroup directory this script's names produce, deepest first
	find /sys/fs/cgroup -depth -type d \( -name bench-rt -o -name 'bench-rt-*' -o -path '*/bench-rt/*' \
		-o -path '*/bench-rt-docker/*' \) 2>/dev/null || true
}
cg_leaked() { # container cgroups (below our parents) still there: what a runtime failed to remove
	find /sys/fs/cgroup -mindepth 2 -type d \( -path '*/bench-rt/*' -o -path '*/bench-rt-docker/*' \) 2>/dev/null || true
}
containers_left() {
	local l=""
	[ ! -d "$STATE/airlock" ] || l+=$("$RT" --root "$STATE/airlock" list -q 2>&1 | sed 's/^/airlock:/' | tr '\n' ' ')
	[ ! -d "$STATE/runc" ] || l+=$(runc --root "$STATE/runc" list -q 2>&1 | sed 's/^/runc:/' | tr '\n' ' ')
	[ ! -d "$STATE/crun" ] || l+=$(crun --root "$STATE/crun" list -q 2>&1 | sed 's/^/crun:/' | tr '\n' ' ')
	echo "${l:-none}"
}
mounts_left() { # host mounts at or below anything this script made
	local m
	m=$(awk -v b="$BUNDLE" '$5 ~ /bench-rt/ || index($5, b) == 1 { print $5 }' /proc/self/mountinfo | tr '\n' ' ')
	echo "${m:-none}"
}
procs_left() { # processes of the snapshot binary, or with one of our names on their command line
	local l="" p exe me=$$
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" != "$me" ] && [ "${p#/proc/}" != "$BASHPID" ] || continue
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		if [ "${exe% (deleted)}" = "$RT" ] || grep -qa 'bench-rt' "$p/cmdline" 2>/dev/null; then
			l+="${l:+, }$(cat "$p/comm" 2>/dev/null) ${p#/proc/}"
		fi
	done
	echo "${l:-none}"
}
rt_down() { # every container in the three state roots, and dockerd should __docker not have stopped it
	set +e
	local id
	for id in $("$RT" --root "$STATE/airlock" list -q 2>/dev/null); do "$RT" --root "$STATE/airlock" delete --force "$id"; done
	for id in $(runc --root "$STATE/runc" list -q 2>/dev/null); do runc --root "$STATE/runc" delete --force "$id"; done
	for id in $(crun --root "$STATE/crun" list -q 2>/dev/null); do crun --root "$STATE/crun" delete --force "$id"; done
	if [ -s "$DOCKER_PIDFILE" ]; then
		local dp
		dp=$(cat "$DOCKER_PIDFILE")
		if [ "$(cat /proc/"$dp"/comm 2>/dev/null)" = dockerd ]; then
			log "stopping dockerd $dp left by the docker part"
			$D ps -aq | xargs -r $D rm -f >/dev/null 2>&1
			kill -TERM "$dp"
			for _ in $(seq 100); do [ -d /proc/"$dp" ] || break; sleep 0.2; done
			[ ! -d /proc/"$dp" ] || kill -KILL "$dp"
		fi
	fi
	set -e
}
TORN=""
LEFT_CG="not checked" LEFT_CG_AFTER="not checked" LEFT_CT="not checked" LEFT_MNT="not checked" LEFT_PROC="not checked"
LEFT_MNT_BEFORE="not checked"
teardown() { # once: containers, dockerd, our cgroups, the state roots, the bundle, dockerd's dirs
	[ -z "$TORN" ] || return 0
	TORN=1
	set +e
	rt_down
	sleep 0.5
	LEFT_CT=$(containers_left)
	LEFT_CG=$(cg_leaked | tr '\n' ' ')
	LEFT_CG=${LEFT_CG:-none}
	LEFT_PROC=$(procs_left)
	local d
	while read -r d; do [ -z "$d" ] || rmdir "$d" 2>/dev/null; done < <(cg_ours)
	LEFT_CG_AFTER=$(cg_ours | tr '\n' ' ')
	LEFT_CG_AFTER=${LEFT_CG_AFTER:-none}
	LEFT_MNT_BEFORE=$(mounts_left)
	local um
	um=$(umount_under "$DOCKER_EXEC" "$DOCKER_DATA" "$STATE" "$BUNDLE" | tr '\n' ' ')
	[ -z "$um" ] || log "teardown unmounted: $um"
	for d in "$STATE" "$DOCKER_EXEC" "$DOCKER_DATA" "$BUNDLE"; do
		[ -e "$d" ] || continue
		if findmnt -rn -o TARGET | grep -q "^$d"; then
			log "WARNING: $d still has mounts; not removed"
		elif [ "$KEEP" = 1 ] && { [ "$d" = "$BUNDLE" ] || [ "$d" = "$DOCKER_DATA" ]; }; then
			:
		else
			rm -rf --one-file-system "$d"
		fi
	done
	rm -f "$DOCKER_PIDFILE" /run/bench-rt-docker.sock
	LEFT_MNT=$(mounts_left)
	[ "$LEFT_CT$LEFT_CG$LEFT_PROC$LEFT_MNT" = nonenonenonenone ] ||
		log "WARNING: leftovers: containers $LEFT_CT; cgroups $LEFT_CG; processes $LEFT_PROC; mounts $LEFT_MNT"
	[ "$LEFT_CG_AFTER" = none ] || log "WARNING: cgroups not removable: $LEFT_CG_AFTER"
	set -e
}
trap teardown EXIT
trap on_signal INT TERM

# ---------------------------------------------------------------------------------------------
# Machine state.
load1() { awk '{print $1}' /proc/loadavg; }
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
LOADAVG_START=$(cat /proc/loadavg)
IPFWD_START=$(sysctl -n net.ipv4.ip_forward)
CG_TOP_START=$(ls -A /sys/fs/cgroup | tr '\n' ' ')
UNIFIED_START=$(findmnt -n -o FSTYPE --target /sys/fs/cgroup/unified 2>/dev/null | tail -n 1 || true)
log "machine: $(nproc) CPUs, /proc/loadavg $LOADAVG_START, kernel $(uname -r)"
if awk -v l="$(load1)" 'BEGIN { exit !(l > 0.5) }'; then
	log "WARNING: load average $(load1) > 0.5: other jobs are running and will distort the numbers"
fi
{
	echo "$ $RT --version"; "$RT" --version
	echo "$ runc --version"; runc --version
	echo "$ crun --version"; crun --version
	echo "$ hyperfine --version"; hyperfine --version
	echo "$ uname -a"; uname -a
} >"$OUT/versions.txt" 2>&1

# ---------------------------------------------------------------------------------------------
# The bundle. `airlock-runtime spec` (read-only root, no capabilities, pid/net/ipc/uts/mount/cgroup
# namespaces, masked and read-only paths, RLIMIT_NOFILE 1024, noNewPrivileges) with /bin/true, and two
# changes all three runtimes get alike: ociVersion 1.0.2 (crun 1.8.1 rejects the spec's 1.2.0 with
# "unknown version specified") and a fixed linux.cgroupsPath (without one, each runtime puts the
# container somewhere else: airlock-runtime under /airlock-runtime/ID, runc and crun at /ID relative
# to their own cgroups).
log "bundle: $ROOTFS copied to $BUNDLE/rootfs"
rm -rf "$BUNDLE"
mkdir -p "$BUNDLE" "$STATE/airlock" "$STATE/runc" "$STATE/crun"
cp -a "$ROOTFS" "$BUNDLE/rootfs"
"$RT" spec --bundle "$BUNDLE"
jq --arg cg "$CGPATH" '.ociVersion = "1.0.2" | .process.args = ["/bin/true"] | .process.terminal = false
	| .linux.cgroupsPath = $cg' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
cp "$BUNDLE/config.json" "$OUT/config.json"

# ---------------------------------------------------------------------------------------------
# 1. OCI runtimes: airlock-runtime and runc here, crun (and airlock-runtime again) in crun's namespace.
PART=oci
check_once oci "$RT" --root "$STATE/airlock" run --bundle "$BUNDLE" bench-rt-airlock
check_once oci runc --root "$STATE/runc" run --bundle "$BUNDLE" bench-rt-runc
LOAD_OCI=$(load1)
log "oci: airlock-runtime and runc, hyperfine $RUNS runs + $WARMUP warm-up"
bench oci oci-host --warmup "$WARMUP" --runs "$RUNS" \
	-n bare "/bin/true" \
	-n airlock-runtime-version "$RT --version" \
	-n airlock-runtime "$RT --root $STATE/airlock run --bundle $BUNDLE bench-rt-airlock" \
	-n runc "runc --root $STATE/runc run --bundle $BUNDLE bench-rt-runc"
LOAD_CRUN=$(load1)
log "crun: start (private mount namespace)"
run unshare -m --propagation private "$self" __crun || true
CRUN_STATUS=$(cat "$OUT/crun.status" 2>/dev/null || echo "failed before recording a reason (see the log above)")
log "crun: $CRUN_STATUS"
LEFT_CT_OCI=$(containers_left)
LEFT_CG_OCI=$(cg_leaked | tr '\n' ' ')
LEFT_CG_OCI=${LEFT_CG_OCI:-none}
CG_TOP_OCI=$(ls -A /sys/fs/cgroup | tr '\n' ' ')
UNIFIED_OCI=$(findmnt -n -o FSTYPE --target /sys/fs/cgroup/unified 2>/dev/null | tail -n 1 || true)

# ---------------------------------------------------------------------------------------------
# 2. docker.
DOCKER_STATUS="skipped (DOCKER=0)"
LOAD_DOCKER="-"
if [ "$DOCKER" = 1 ]; then
	LOAD_DOCKER=$(load1)
	log "docker: start"
	run "$self" __docker || true
	DOCKER_STATUS=$(cat "$OUT/docker.status" 2>/dev/null || echo "failed before recording a reason (see the log above)")
	log "docker: $DOCKER_STATUS"
fi

# ---------------------------------------------------------------------------------------------
# Teardown (in the EXIT trap instead, should anything above fail), then what is left.
log "teardown"
teardown
LOADAVG_END=$(cat /proc/loadavg)
IPFWD_END=$(sysctl -n net.ipv4.ip_forward)
CG_TOP_END=$(ls -A /sys/fs/cgroup | tr '\n' ' ')
UNIFIED_END=$(findmnt -n -o FSTYPE --target /sys/fs/cgroup/unified 2>/dev/null | tail -n 1 || true)

# ---------------------------------------------------------------------------------------------
# Summary.
has() { [ -s "$OUT/$1.json" ] && jq -e --arg n "$2" '.results[] | select(.command == $n)' "$OUT/$1.json" >/dev/null 2>&1; }
# median, mean, sd, min, p90, median of first third, median of last third (ms), one line
stats() {
	jq -r --arg n "$2" '.results[] | select(.command == $n)
	| def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	(.times | sort) as $s | (.times | length / 3 | floor) as $k
	| [.median, .mean, .stddev, .min, $s[(($s | length) * 0.9 | floor)], (.times[0:$k] | med), (.times[(.times | length) - $k:] | med)]
	| map(. * 1000) | @tsv' "$OUT/$1.json"
}
fmt() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t) ? "met" : "**missed**" }'; }
DRIFT_WARN=""
declare -A MED MEAN
row() { # file name label -> table row; sets MED[name], MEAN[name]
	local med mean sd min p90 first last
	if ! has "$1" "$2"; then echo "| $3 | n/a | | | | |"; return; fi
	read -r med mean sd min p90 first last < <(stats "$1" "$2")
	MED[$2]=$med MEAN[$2]=$mean
	if awk -v a="$first" -v b="$last" 'BEGIN { r = b / a; exit !(r > 1.2 || r < 1 / 1.2) }'; then
		DRIFT_WARN+="${DRIFT_WARN:+, }$2"
	fi
	echo "| $3 | $(fmt "$med") | $(fmt "$mean") ± $(fmt "$sd") | $(fmt "$min") | $(fmt "$p90") | $(fmt "$first") → $(fmt "$last") |"
}
ratio_row() { # label a b target -> | label | median ratio | mean ratio | target | verdict |
	if [ -z "${MED[$2]:-}" ] || [ -z "${MED[$3]:-}" ]; then echo "| $1 | n/a | n/a | $4 | |"; return; fi
	local r
	r=$(div "${MED[$2]}" "${MED[$3]}")
	echo "| $1 | $r | $(div "${MEAN[$2]}" "${MEAN[$3]}") | ${4:-} | $([ -z "${4:-}" ] || verdict "$r" "${4#≤ }") |"
}
HDR="| command | median ms | mean ± sd ms | min ms | p90 ms | first → last third, median ms |"
SEP="|---|---:|---:|---:|---:|---:|"
{
	echo "## airlock-runtime against runc and crun (bench/runtime.sh), $START_DATE"
	echo
	echo "Command: \`$BENCH_CMDLINE\` (RUNS=$RUNS WARMUP=$WARMUP PEER_RUNS=$PEER_RUNS PEER_WARMUP=$PEER_WARMUP)."
	echo "Machine: $(nproc) CPUs, kernel $(uname -r). /proc/loadavg at start \`$LOADAVG_START\`, at end \`$LOADAVG_END\`;"
	echo "1-minute load when each part started: OCI $LOAD_OCI, crun $LOAD_CRUN, docker $LOAD_DOCKER."
	echo "airlock-runtime: $RUNTIME_SRC (commit $RT_ID), $("$RT" --version | head -n 1 | sed 's/^airlock-runtime //'); $(runc --version | head -n 1); $(crun --version | head -n 1); $(hyperfine --version)."
	echo
	echo "### \`RT --root R run --bundle B ID\` of /bin/true (hyperfine -N, $RUNS runs, $WARMUP warm-up)"
	echo
	echo "$HDR"
	echo "$SEP"
	row oci-host bare "bare \`/bin/true\`"
	row oci-host airlock-runtime-version "\`airlock-runtime --version\`"
	row oci-host airlock-runtime "**\`airlock-runtime run\`**"
	row oci-host runc "\`runc run\`"
	row oci-crun crun "\`crun run\` (crun's namespace)"
	row oci-crun airlock-runtime-ns "\`airlock-runtime run\` (crun's namespace, cross-check)"
	echo
	echo "| ratio | median | mean | target | |"
	echo "|---|---:|---:|---:|---|"
	ratio_row "airlock-runtime / crun" airlock-runtime crun "≤ 0.5"
	ratio_row "airlock-runtime / runc" airlock-runtime runc ""
	ratio_row "airlock-runtime / crun, both in crun's namespace" airlock-runtime-ns crun "≤ 0.5"
	echo
	echo "Bundle: \`$ROOTFS\` copied to \`$BUNDLE/rootfs\`; config from \`airlock-runtime spec\` with process.args [\"/bin/true\"],"
	echo "terminal false, and for all three alike ociVersion 1.0.2 (crun 1.8.1 rejects the generated 1.2.0: \"unknown version"
	echo "specified\") and linux.cgroupsPath \`$CGPATH\` (without it the runtimes place the cgroup differently). One fixed ID"
	echo "per runtime (bench-rt-airlock, bench-rt-runc, bench-rt-crun): \`run\` deletes the container when it returns,"
	echo "so a container left behind would fail the next iteration. Roots: $STATE/{airlock,runc,crun}."
	echo "crun (and the cross-check) ran in \`unshare -m --propagation private\` with a tmpfs mounted over /sys/fs/cgroup/unified"
	echo "(crun 1.8 refuses the hybrid layout); airlock-runtime and runc ran in the host's mount namespace. Controllers joined"
	echo "differ: runc and crun create the cgroup in every v1 hierarchy (and cgroup2), airlock-runtime in the ones it uses."
	echo "crun: $CRUN_STATUS."
	echo
	echo "### \`docker run --rm --runtime=X $IMG /bin/true\` (hyperfine -N, $PEER_RUNS runs, $PEER_WARMUP warm-up)"
	echo
	echo "$HDR"
	echo "$SEP"
	row docker docker-airlock "**\`docker run --runtime=airlock\`**"
	row docker docker-runc "\`docker run --runtime=runc\`"
	if has docker docker-airlock-wa; then
		row docker docker-airlock-wa "\`docker run --runtime=airlock --sysctl 'net.ipv4.ping_group_range=0 65535'\`"
		row docker docker-runc-wa "\`docker run --runtime=runc --sysctl 'net.ipv4.ping_group_range=0 65535'\`"
	fi
	echo
	echo "| ratio | median | mean | target | |"
	echo "|---|---:|---:|---:|---|"
	ratio_row "docker airlock / docker runc" docker-airlock docker-runc "≤ 1.0"
	if has docker docker-airlock-wa; then
		ratio_row "docker airlock / docker runc, both with the ping_group_range workaround" docker-airlock-wa docker-runc-wa "≤ 1.0"
	fi
	echo
	echo "Private dockerd: \`dockerd --config-file OUT/daemon.json --data-root $DOCKER_DATA --exec-root $DOCKER_EXEC -H $DOCKER_SOCK"
	echo "--pidfile $DOCKER_PIDFILE --iptables=false --ip6tables=false --ip-forward=false --bridge=none --cgroup-parent $DOCKER_CGPARENT"
	echo "--containerd-namespace bench-rt --containerd-plugins-namespace bench-rt-plugins\`, daemon.json \`$(tr -d '\n ' <"$OUT/daemon.json" 2>/dev/null)\`;"
	echo "image: \`tar -C $ROOTFS -c . | docker import - $IMG\`; client $DOCKER_BIN."
	echo "docker $(cat "$OUT/docker.version.short" 2>/dev/null || echo 'version n/a'); dockerd used $(cat "$OUT/docker.containerd" 2>/dev/null || echo '?')."
	echo "docker: $DOCKER_STATUS."
	if [ -s "$OUT/docker-airlock.error" ]; then
		echo
		echo "**\`docker run --rm --runtime=airlock $IMG /bin/true\` fails**, so only runc was measured: \`$(sed 's/ *$//' "$OUT/docker-airlock.error")\`"
		if [ -s "$OUT/docker-airlock-wa.error" ]; then
			echo "With \`--sysctl 'net.ipv4.ping_group_range=0 65535'\` it fails too: \`$(sed 's/ *$//' "$OUT/docker-airlock-wa.error")\`"
		elif [ -s "$OUT/docker-airlock-wa.check.out" ] || has docker docker-airlock-wa; then
			echo "With \`--sysctl 'net.ipv4.ping_group_range=0 65535'\` it runs: measured with that flag for both runtimes above."
		fi
		if [ -s "$OUT/docker-airlock.mounts" ]; then
			echo "That failed start left $(wc -l <"$OUT/docker-airlock.mounts") mounts on the host below the container's rootfs (dockerd's data root is a shared mount), e.g. \`$(head -n 3 "$OUT/docker-airlock.mounts" | tr '\n' ' ' | sed 's/ $//')\`; the teardown unmounts them."
		fi
	fi
	echo
	if [ -n "$DRIFT_WARN" ]; then
		echo "**Drift over 20% between the first and last third of the series of: $DRIFT_WARN.** Other jobs were likely running; treat those medians with care."
		echo
	fi
	echo "### Leftovers"
	echo
	echo "| check | result |"
	echo "|---|---|"
	echo "| containers in the three roots after part 1 | $LEFT_CT_OCI |"
	echo "| container cgroups (below bench-rt) after part 1 | $LEFT_CG_OCI |"
	echo "| host /sys/fs/cgroup entries before / after part 1 | $([ "$CG_TOP_START" = "$CG_TOP_OCI" ] && echo unchanged || echo "**changed**: \`$CG_TOP_START\` → \`$CG_TOP_OCI\`") |"
	echo "| host /sys/fs/cgroup/unified | $UNIFIED_START before, $UNIFIED_OCI after part 1, $UNIFIED_END at end |"
	echo "| containers at the end | $LEFT_CT |"
	echo "| container cgroups at the end (before removing our empty parents) | $LEFT_CG |"
	echo "| bench-rt* cgroups after teardown | $LEFT_CG_AFTER |"
	echo "| processes (the binary, or bench-rt on the command line) | $LEFT_PROC |"
	echo "| mounts (bench-rt paths, the bundle) after the runtimes and dockerd stopped | $LEFT_MNT_BEFORE |"
	echo "| mounts dockerd's stop left (unmounted then) | $(sort -u "$OUT/docker.unmounted" 2>/dev/null | tr '\n' ' ' | sed 's/ $//' || true)$([ -s "$OUT/docker.unmounted" ] || echo none) |"
	echo "| mounts after teardown | $LEFT_MNT |"
	echo "| net.ipv4.ip_forward | $IPFWD_START before, $IPFWD_END after$([ "$IPFWD_START" = "$IPFWD_END" ] || echo ' **changed**') |"
	echo "| host /sys/fs/cgroup entries at the end | $([ "$CG_TOP_START" = "$CG_TOP_END" ] && echo unchanged || echo "**changed**: \`$CG_TOP_END\`") |"
	echo
	echo "Raw data: $OUT/*.json, config.json, daemon.json, dockerd.log, versions.txt, docker.version."
} | tee "$OUT/summary.md"
