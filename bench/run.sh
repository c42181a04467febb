#!/bin/bash
# bench/run.sh: airlock's benchmarks, all in one run, printed as a markdown summary.
#
#   sudo bench/run.sh            # as root (crun, runc and cgroup limits need it)
#
# Measures, on one rootfs and in one run:
#   1. start-up latency (hyperfine medians, one invocation): bare fork+exec of /bin/true,
#      `airlock run` with full hardening, bwrap --unshare-all, crun run and runc run of an
#      equivalent OCI bundle;
#      (plus `unshare -UrCmpinu --fork /bin/true`, the cost of the seven namespaces alone, as a floor);
#   2. throughput: N sandboxes with PAR parallel workers, airlock and bwrap;
#   3. system-call overhead: a getppid() loop inside the sandbox against the host;
#   4. memory (Pss, Rss) of airlock's own processes per idle sandbox.
#
# Knobs (environment): AIRLOCK ROOTFS OUT RUNS WARMUP N PAR CALLS REPS IDLE.
# Raw data (hyperfine JSON, the bundle, the getppid binary, summary.md) goes to OUT, never the repo's
# tracked files.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
self="$here/$(basename "$0")"

export AIRLOCK=${AIRLOCK:-$repo/build/airlock}
export ROOTFS=${ROOTFS:-/var/tmp/al-rootfs}
export OUT=${OUT:-$repo/build/bench}
export RUNS=${RUNS:-300}       # hyperfine runs per command (>= 300 for the record)
export WARMUP=${WARMUP:-20}
export N=${N:-2000}            # sandboxes for the throughput test
export PAR=${PAR:-2}           # parallel workers for the throughput test
export CALLS=${CALLS:-5000000} # getppid() calls per measurement
export REPS=${REPS:-5}         # getppid measurements, inside and outside
export IDLE=${IDLE:-20}        # idle sandboxes for the memory test

# Full hardening: every namespace incl. network (default), seccomp, landlock, no capabilities (all
# defaults), plus the memory and pids cgroup limits.
AL_FLAGS="--rootfs $ROOTFS --tmpfs /tmp --memory 256m --pids-limit 256"
BWRAP_CMD="bwrap --unshare-all --die-with-parent --ro-bind $ROOTFS / --proc /proc --dev /dev --tmpfs /tmp --cap-drop ALL /bin/true"
BUNDLE=$OUT/bundle

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Latency, run inside a private mount namespace (see below): `run.sh __latency`.
if [ "${1:-}" = __latency ]; then
	# crun 1.8 refuses a hybrid hierarchy (cgroup v1 controllers plus a cgroup2 mount at
	# /sys/fs/cgroup/unified). Unmount the cgroup2 part in this private namespace only, and run every
	# tool in the same namespace so that all of them see the same mounts.
	if mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified
	fi
	# The same command in that namespace must still work for every tool.
	for c in "$AIRLOCK run $AL_FLAGS -- /bin/true" "$BWRAP_CMD" \
		"crun run --bundle $BUNDLE al-bench-crun" "runc run --bundle $BUNDLE al-bench-runc"; do
		$c || die "does not run: $c"
	done
	exec hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
		--export-json "$OUT/latency.json" --export-markdown "$OUT/latency.md" \
		-n bare "/bin/true" \
		-n airlock "$AIRLOCK run $AL_FLAGS -- /bin/true" \
		-n bwrap "$BWRAP_CMD" \
		-n crun "crun run --bundle $BUNDLE al-bench-crun" \
		-n runc "runc run --bundle $BUNDLE al-bench-runc" \
		-n unshare "unshare -UrCmpinu --fork /bin/true" >&2
fi

# ---------------------------------------------------------------------------------------------
# Preconditions.
[ "$(id -u)" = 0 ] || die "run as root (crun, runc and the cgroup limits need it)"
[ -x "$AIRLOCK" ] || die "$AIRLOCK not found: build it first (meson setup build && ninja -C build)"
for t in hyperfine bwrap crun runc jq gcc unshare mountpoint awk; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
mkdir -p "$OUT"
# Benchmark a snapshot of the binary: a rebuild during the run must not swap it under our feet.
cp "$AIRLOCK" "$OUT/airlock.new" && mv -f "$OUT/airlock.new" "$OUT/airlock"
AIRLOCK_SRC=$AIRLOCK
export AIRLOCK=$OUT/airlock
AIRLOCK_ID="$(cd "$repo" && git rev-parse --short HEAD 2>/dev/null || echo '?')$(cd "$repo" && git diff --quiet HEAD -- src 2>/dev/null || echo '+local changes'), sha256 $(sha256sum "$AIRLOCK" | cut -c1-12)"

if [ ! -x "$ROOTFS/bin/true" ]; then
	command -v debootstrap >/dev/null || die "$ROOTFS missing and debootstrap not installed (apt-get install debootstrap)"
	log "creating $ROOTFS with debootstrap (about 25 s)"
	debootstrap --variant=minbase bookworm "$ROOTFS" >&2
fi

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
# The OCI bundle for crun and runc: runc's default (root) spec, made equivalent to the airlock and
# bwrap commands.
rm -rf "$BUNDLE" && mkdir -p "$BUNDLE"
(cd "$BUNDLE" && runc spec)
jq --arg root "$ROOTFS" '
	.root = {path: $root, readonly: true}
	| .process.args = ["/bin/true"]
	| .process.terminal = false
	| .process.noNewPrivileges = true
	| .process.capabilities = {bounding: [], effective: [], permitted: [], inheritable: [], ambient: []}
	| .linux.namespaces = ([.linux.namespaces[].type] + ["network", "cgroup"] | unique | map({type: .}))
	| .mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs",
	               options: ["nosuid", "nodev", "mode=1777"]}]
	| .linux.resources.memory = {limit: 268435456}
	| .linux.resources.pids = {limit: 256}
' "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"

# ---------------------------------------------------------------------------------------------
# 1. Latency: one hyperfine invocation, every tool in the same private mount namespace.
LOAD_LAT=$(cut -d' ' -f1 /proc/loadavg)
log "latency: hyperfine, $RUNS runs + $WARMUP warm-up per command"
unshare -m --propagation private "$self" __latency

median_ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000' "$OUT/latency.json"; }
mean_sd_ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | "\(.mean * 1000) \(.stddev * 1000)"' "$OUT/latency.json"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
fmt() { awk -v a="$1" 'BEGIN { printf "%.2f", a }'; }

# Drift: median of the first third of the runs against the last third. Other jobs starting or stopping
# during the run show up here (hyperfine runs each command's series back to back).
thirds_ms() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .times
	| def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	(length / 3 | floor) as $k | "\(.[0:$k] | med * 1000) \(.[length - $k:] | med * 1000)"' "$OUT/latency.json"; }
declare -A MED MEAN SD FIRST LAST
DRIFT_WARN=""
for t in bare airlock bwrap crun runc unshare; do
	MED[$t]=$(median_ms "$t")
	read -r MEAN[$t] SD[$t] < <(mean_sd_ms "$t")
	read -r FIRST[$t] LAST[$t] < <(thirds_ms "$t")
	if awk -v a="${FIRST[$t]}" -v b="${LAST[$t]}" 'BEGIN { r = b / a; exit !(r > 1.2 || r < 1 / 1.2) }'; then
		DRIFT_WARN+="${DRIFT_WARN:+, }$t"
	fi
done
if [ -n "$DRIFT_WARN" ]; then
	log "WARNING: latency drifted by more than 20% during the series of: $DRIFT_WARN (other jobs?)"
fi

# ---------------------------------------------------------------------------------------------
# 2. Throughput: N sandboxes, PAR at a time (host mount namespace, as deployed).
throughput() { # name command... -> sandboxes per second
	local name=$1; shift
	local t0 t1
	t0=$(date +%s%N)
	if ! seq "$N" | xargs -P"$PAR" -I{} "$@" 2>"$OUT/throughput-$name.err"; then
		tail -n 5 "$OUT/throughput-$name.err" >&2
		die "throughput $name: some sandboxes failed (see $OUT/throughput-$name.err)"
	fi
	t1=$(date +%s%N)
	awk -v n="$N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f %.2f\n", n / (ns / 1e9), ns / 1e9 }'
}
LOAD_TP=$(cut -d' ' -f1 /proc/loadavg)
log "throughput: $N sandboxes with $PAR workers, airlock"
throughput airlock "$AIRLOCK" run $AL_FLAGS -- /bin/true >"$OUT/throughput-airlock"
read -r TP_AL TP_AL_S <"$OUT/throughput-airlock"
log "throughput: $N sandboxes with $PAR workers, bwrap"
throughput bwrap $BWRAP_CMD >"$OUT/throughput-bwrap"
read -r TP_BW TP_BW_S <"$OUT/throughput-bwrap"
log "throughput: $N bare /bin/true with $PAR workers (the machine's ceiling)"
throughput bare /bin/true >"$OUT/throughput-bare"
read -r TP_BARE TP_BARE_S <"$OUT/throughput-bare"

# ---------------------------------------------------------------------------------------------
# 3. System-call overhead: getppid() loop, host and sandbox interleaved.
gcc -O2 -static -o "$OUT/getppid" "$here/getppid.c"
LOAD_PP=$(cut -d' ' -f1 /proc/loadavg)
log "getppid: $REPS x $CALLS calls, host and sandbox interleaved"
PP_HOST=() PP_IN=()
for _ in $(seq "$REPS"); do
	PP_HOST+=("$("$OUT/getppid" "$CALLS")")
	PP_IN+=("$("$AIRLOCK" run $AL_FLAGS -v "$OUT/getppid:/getppid:ro" -- /getppid "$CALLS")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
PP_HOST_MED=$(median "${PP_HOST[@]}")
PP_IN_MED=$(median "${PP_IN[@]}")

# ---------------------------------------------------------------------------------------------
# 4. Memory per idle sandbox: IDLE sandboxes running `sleep 60`. Counted: airlock's own processes,
# i.e. the host-side parent and every descendant except the workload (the sleep).
children() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }
smaps() { awk -v k="$2:" '$1 == k { print $2 }' /proc/"$1"/smaps_rollup 2>/dev/null || echo 0; }
LOAD_MEM=$(cut -d' ' -f1 /proc/loadavg)
log "memory: $IDLE idle sandboxes"
PARENTS=()
for _ in $(seq "$IDLE"); do
	"$AIRLOCK" run --rootfs "$ROOTFS" --tmpfs /tmp -- /bin/sleep 60 &
	PARENTS+=($!)
done
sleep 2
PSS=0 RSS=0 NPROC=0 NWORK=0 WORKLOADS=()
TREE_DESC=""
for p in "${PARENTS[@]}"; do
	[ -d /proc/"$p" ] || die "sandbox parent $p died before the measurement"
	queue=("$p") desc=""
	while [ ${#queue[@]} -gt 0 ]; do
		q=${queue[0]}; queue=("${queue[@]:1}")
		comm=$(cat /proc/"$q"/comm 2>/dev/null || echo '?')
		if [ "$comm" = sleep ]; then
			NWORK=$((NWORK + 1)); WORKLOADS+=("$q"); desc+="${desc:+ > }[sleep]"
			continue
		fi
		PSS=$((PSS + $(smaps "$q" Pss))); RSS=$((RSS + $(smaps "$q" Rss))); NPROC=$((NPROC + 1))
		desc+="${desc:+ > }$comm"
		for c in $(children "$q"); do queue+=("$c"); done
	done
	if [ -z "$TREE_DESC" ]; then TREE_DESC=$desc; fi
done
[ "$NWORK" = "$IDLE" ] || log "WARNING: found $NWORK sleep workloads, expected $IDLE"
PSS_PER=$(div "$PSS" "$IDLE") RSS_PER=$(div "$RSS" "$IDLE") PROC_PER=$(div "$NPROC" "$IDLE")
# Tear down: SIGTERM to the parents; everything must be gone.
ALLPIDS=$(for p in "${PARENTS[@]}"; do echo "$p"; done)
kill -TERM "${PARENTS[@]}"
for p in "${PARENTS[@]}"; do wait "$p" 2>/dev/null || true; done
sleep 0.5
TEARDOWN=ok
for p in $ALLPIDS; do if [ -d /proc/"$p" ]; then TEARDOWN="parent $p still alive"; fi; done
for w in "${WORKLOADS[@]}"; do if [ -d /proc/"$w" ]; then TEARDOWN="workload $w still alive"; fi; done
[ "$TEARDOWN" = ok ] || log "WARNING: teardown after SIGTERM: $TEARDOWN"

END_STATE=$(state_line)

# ---------------------------------------------------------------------------------------------
# Summary.
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? v <= t : v >= t; print ok ? "met" : "**missed**" }'; }
R_BW=$(div "${MED[airlock]}" "${MED[bwrap]}")
R_CRUN=$(div "${MED[airlock]}" "${MED[crun]}")
R_RUNC=$(div "${MED[airlock]}" "${MED[runc]}")
R_PP=$(div "$PP_IN_MED" "$PP_HOST_MED")
{
	echo "## airlock benchmarks, $START_DATE"
	echo
	echo "Machine at start: $START_STATE. At end: $END_STATE."
	echo "1-minute load when each part started: latency $LOAD_LAT, throughput $LOAD_TP, getppid $LOAD_PP, memory $LOAD_MEM"
	echo "(the throughput part itself keeps both CPUs busy, so the load after it says little about other jobs)."
	echo "airlock binary: $AIRLOCK_SRC (commit $AIRLOCK_ID)."
	echo "All figures below come from this one run, peers measured alongside airlock on the same rootfs ($ROOTFS)."
	echo
	echo "### Start-up latency of /bin/true (hyperfine -N, $RUNS runs, $WARMUP warm-up)"
	echo
	echo "| command | median ms | mean ± sd ms | first → last third, median ms | airlock / this |"
	echo "|---|---:|---:|---:|---:|"
	for t in bare airlock bwrap crun runc unshare; do
		echo "| $t | $(fmt "${MED[$t]}") | $(fmt "${MEAN[$t]}") ± $(fmt "${SD[$t]}") | $(fmt "${FIRST[$t]}") → $(fmt "${LAST[$t]}") | $(div "${MED[airlock]}" "${MED[$t]}") |"
	done
	echo
	if [ -n "$DRIFT_WARN" ]; then
		echo "**Drift over 20% between the first and last third of the series of: $DRIFT_WARN.** Other jobs were likely running; treat those medians with care."
		echo
	fi
	echo "unshare = \`unshare -UrCmpinu --fork /bin/true\`: the same seven namespaces as airlock (user, cgroup, mount, pid, ipc, net, uts), nothing else (a floor, not a peer)."
	echo
	echo "### Targets"
	echo
	echo "| figure | result | target | |"
	echo "|---|---:|---:|---|"
	echo "| airlock / bwrap median | $R_BW | <= 0.70 | $(verdict "$R_BW" 0.7 le) |"
	echo "| airlock / crun median | $R_CRUN | | |"
	echo "| airlock / runc median | $R_RUNC | | |"
	echo "| airlock sandboxes/s, $PAR workers ($N in $TP_AL_S s) | $TP_AL | >= 600 | $(verdict "$TP_AL" 600 ge) |"
	echo "| bwrap sandboxes/s, $PAR workers ($N in $TP_BW_S s) | $TP_BW | (370 earlier) | |"
	echo "| airlock / bwrap throughput | $(div "$TP_AL" "$TP_BW") | (600/370 = 1.62) | $(verdict "$(div "$TP_AL" "$TP_BW")" 1.62 ge) |"
	echo "| bare /bin/true per s, $PAR workers ($N in $TP_BARE_S s) | $TP_BARE | | |"
	echo "| getppid ns/call, host (median of $REPS) | $(fmt "$PP_HOST_MED") | | |"
	echo "| getppid ns/call, in airlock (median of $REPS) | $(fmt "$PP_IN_MED") | | |"
	echo "| getppid inside / outside | $R_PP | <= 1.15 | $(verdict "$R_PP" 1.15 le) |"
	echo "| Pss per idle sandbox (airlock's processes) | $PSS_PER KiB | | |"
	echo "| Rss per idle sandbox (airlock's processes) | $RSS_PER KiB | | |"
	echo
	echo "Idle sandbox process tree: $TREE_DESC ($PROC_PER airlock processes per sandbox counted; the workload excluded)."
	echo "Teardown of $IDLE sandboxes on SIGTERM: $TEARDOWN."
	echo
	echo "getppid ns/call, host: ${PP_HOST[*]}; inside: ${PP_IN[*]}."
	echo "Raw hyperfine data: $OUT/latency.json."
} | tee "$OUT/summary.md"
