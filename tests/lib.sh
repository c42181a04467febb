# lib.sh: the tiny bash library every tests/e2e/*.sh sources: named tests with assertions, airlock
# runners for root and the unprivileged test user, and the host-side leak check. Source it, don't run it.
#
# A test is:   t_begin "name"; <commands and assert_* calls>; t_end
# Each test records exactly one line ("PASS|FAIL|SKIP <file>[<mode>] <name>[: why]") in $T_RESULTS.
# Environment: AIRLOCK (binary under test), PROBE (static probe), T_MODE (root|user), T_RESULTS,
# T_USER (default airlock-test), T_SANITIZE=1 (fail on sanitizer reports), T_VERBOSE=1.

T_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AIRLOCK=${AIRLOCK:-$T_ROOT/build/airlock}
PROBE=${PROBE:-$T_ROOT/build/tests/airlock-probe}
T_ROOTFS=${T_ROOTFS:-$T_ROOT/build/test-rootfs}
T_MODE=${T_MODE:-root}
T_USER=${T_USER:-airlock-test}
T_RESULTS=${T_RESULTS:-/dev/null}
T_FILE=$(basename "$0" .sh)
T_SANDBOX_UID_BASE=2147483648 # where sandbox uid 0 lands on the host when airlock runs as root

T_NAME=""
T_STATE=""  # "", fail, skip
T_WHY=""
T_COUNT_PASS=0
T_COUNT_FAIL=0
T_COUNT_SKIP=0

if [ "$(id -u)" -ne 0 ]; then
	echo "lib.sh: e2e tests run as root (T_MODE=user runs airlock as $T_USER)" >&2
	exit 1
fi
[ -x "$AIRLOCK" ] || { echo "lib.sh: no airlock binary at $AIRLOCK" >&2; exit 1; }
[ -x "$PROBE" ] || { echo "lib.sh: no probe at $PROBE" >&2; exit 1; }

T_UID=$(id -u "$T_USER" 2>/dev/null || echo 65534)
T_GID=$(id -g "$T_USER" 2>/dev/null || echo 65534)
T_HOME=$(getent passwd "$T_USER" | cut -d: -f6)
if [ "$T_MODE" = user ] && ! id "$T_USER" >/dev/null 2>&1; then
	echo "lib.sh: T_MODE=user needs the user $T_USER (run-all.sh creates it)" >&2
	exit 1
fi

# A private scratch directory (not named airlock*, so the leak check does not see it).
T_TMP=$(mktemp -d /tmp/al-e2e.XXXXXX)
chmod 0755 "$T_TMP"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$T_TMP"
mkdir -p "$T_TMP/.lib"
chmod 0700 "$T_TMP/.lib"
cd "$T_TMP" || exit 1

# ---------------------------------------------------------------- tests and results

_t_record() { # STATE WHY
	local line
	case "$1" in
	pass) line="PASS $T_FILE[${T_LABEL:-$T_MODE}] $T_NAME"; T_COUNT_PASS=$((T_COUNT_PASS + 1)) ;;
	fail) line="FAIL $T_FILE[${T_LABEL:-$T_MODE}] $T_NAME: $2"; T_COUNT_FAIL=$((T_COUNT_FAIL + 1)) ;;
	skip) line="SKIP $T_FILE[${T_LABEL:-$T_MODE}] $T_NAME: $2"; T_COUNT_SKIP=$((T_COUNT_SKIP + 1)) ;;
	esac
	line=${line//$'\n'/ }
	echo "$line"
	printf '%s\n' "$line" >>"$T_RESULTS"
}

t_begin() { # NAME
	[ -n "$T_NAME" ] && t_end
	T_NAME=$1
	T_STATE=""
	T_WHY=""
}

t_end() {
	[ -z "$T_NAME" ] && return 0
	case "$T_STATE" in
	fail) _t_record fail "$T_WHY" ;;
	skip) _t_record skip "$T_WHY" ;;
	*) _t_record pass "" ;;
	esac
	T_NAME=""
	T_STATE=""
}

t_pass() { :; } # a test passes when it ends without a failure; kept for readability

t_fail() { # MSG: mark the current test failed (all failures are kept)
	if [ "$T_STATE" = fail ]; then
		T_WHY="$T_WHY; $1"
	else
		T_STATE=fail
		T_WHY=$1
	fi
	[ -n "${T_VERBOSE:-}" ] && echo "  failure: $1" >&2
	return 1
}

t_skip() { # WHY: skip the current test (a failure already recorded wins)
	[ "$T_STATE" = fail ] && return 0
	T_STATE=skip
	T_WHY=$1
}

t_failed() { [ "$T_STATE" = fail ]; }

# Skip unless the current mode is one of the arguments.
t_only_mode() { # MODE...
	local m
	for m in "$@"; do [ "$m" = "$T_MODE" ] && return 0; done
	t_skip "not applicable when airlock runs as $T_MODE"
	return 1
}

_t_finish() {
	local rc=$?
	t_end
	[ -n "${T_BG_PIDS:-}" ] && kill $T_BG_PIDS 2>/dev/null
	# background processes started from a subshell ($(...)) list themselves here
	[ -f "$T_TMP/.lib/bg.pids" ] && kill $(cat "$T_TMP/.lib/bg.pids") 2>/dev/null
	cd /
	rm -rf "$T_TMP" 2>/dev/null
	if [ "$T_COUNT_FAIL" -gt 0 ]; then exit 1; fi
	exit 0
}
trap _t_finish EXIT

# ---------------------------------------------------------------- assertions (return 1 on failure)

_short() { printf '%s' "$1" | head -c 400 | tr '\n' '|'; }

assert_eq() { # EXPECTED ACTUAL [WHAT]
	[ "$1" = "$2" ] && return 0
	t_fail "${3:-value}: expected '$(_short "$1")', got '$(_short "$2")'"
}

assert_ne() { # UNEXPECTED ACTUAL [WHAT]
	[ "$1" != "$2" ] && return 0
	t_fail "${3:-value}: must not be '$(_short "$1")'"
}

assert_contains() { # HAYSTACK NEEDLE [WHAT]
	case "$1" in *"$2"*) return 0 ;; esac
	t_fail "${3:-output} does not contain '$(_short "$2")': '$(_short "$1")'"
}

assert_not_contains() { # HAYSTACK NEEDLE [WHAT]
	case "$1" in *"$2"*) t_fail "${3:-output} contains '$(_short "$2")': '$(_short "$1")'"; return 1 ;; esac
	return 0
}

assert_match() { # STRING ERE [WHAT]
	[[ $1 =~ $2 ]] && return 0
	t_fail "${3:-value} '$(_short "$1")' does not match /$2/"
}

assert_status() { # EXPECTED [WHAT] — checks $AL_RC of the last al/al_run
	[ "$AL_RC" = "$1" ] && return 0
	t_fail "${2:-exit status}: expected $1, got $AL_RC (stderr: $(_short "$AL_ERR"))"
}

assert_le() { # A B [WHAT]: integer A <= B
	[ "$1" -le "$2" ] 2>/dev/null && return 0
	t_fail "${3:-value}: expected $1 <= $2"
}

assert_file_absent() { # PATH [WHAT]
	[ ! -e "$1" ] && [ ! -L "$1" ] && return 0
	t_fail "${2:-$1} exists on the host"
}

# The probe's report: every line PASS or SKIP, at least one PASS, no FAIL.
assert_probe_ok() { # [WHAT]
	if printf '%s\n' "$AL_OUT" | grep -q '^FAIL'; then
		t_fail "${1:-probe}: $(printf '%s\n' "$AL_OUT" | grep '^FAIL' | tr '\n' '|' | head -c 1500)"
		return 1
	fi
	if ! printf '%s\n' "$AL_OUT" | grep -q '^PASS'; then
		t_fail "${1:-probe}: no PASS line (status $AL_RC, stderr: $(_short "$AL_ERR"))"
		return 1
	fi
	assert_status 0 "${1:-probe} exit status"
}

# airlock failed as a front door should: status 125, exactly one line "airlock: ..." on stderr.
assert_airlock_error() { # [NEEDLE]
	assert_status 125 "airlock error status" || return 1
	local n
	n=$(printf '%s' "$AL_ERR" | grep -c '')
	[ "$n" = 1 ] || { t_fail "expected one line on stderr, got $n: '$(_short "$AL_ERR")'"; return 1; }
	assert_match "$AL_ERR" '^airlock: ' "stderr" || return 1
	[ -z "${1:-}" ] || assert_contains "$AL_ERR" "$1" "error message"
}

# ---------------------------------------------------------------- running things

# Run a command as the unprivileged test user, keeping the caller's environment (so env-leak
# tests mean something) but with the user's HOME and XDG_RUNTIME_DIR.
AS_USER=(setpriv --reuid="$T_UID" --regid="$T_GID" --init-groups --
	env -u XDG_DATA_HOME -u XDG_CACHE_HOME -u XDG_CONFIG_HOME -u XDG_STATE_HOME
	HOME="$T_HOME" USER="$T_USER" LOGNAME="$T_USER" XDG_RUNTIME_DIR="/run/user/$T_UID")
as_user() { # CMD...
	"${AS_USER[@]}" "$@"
}

# Run airlock as the current mode's caller (root, or the test user). Output is captured.
# Sets AL_OUT, AL_ERR, AL_RC. Stdin is /dev/null unless AL_STDIN names a file.
# AL_TIMEOUT (seconds, default 60) guards against a hung airlock.
al() { # ARGS...
	local out="$T_TMP/.lib/out" err="$T_TMP/.lib/err" in=${AL_STDIN:-/dev/null}
	local -a pre=()
	[ "$T_MODE" = user ] && pre=(as_user)
	_al_sanitizer_env
	"${pre[@]}" timeout -k 5 "${AL_TIMEOUT:-60}" "$AIRLOCK" "$@" <"$in" >"$out" 2>"$err"
	AL_RC=$?
	AL_OUT=$(cat "$out")
	AL_ERR=$(cat "$err")
	[ -n "${T_VERBOSE:-}" ] && printf '  $ airlock %s\n  -> %s\n%s\n%s\n' "$*" "$AL_RC" "$AL_OUT" "$AL_ERR" >&2
	_al_sanitizer_check
	return 0
}

# `airlock run` with the default host root. The probe is reachable at $PROBE (host path).
al_run() { al run "$@"; }

# `airlock run --rootfs` with the busybox test rootfs; the probe is /probe there.
al_rootfs() { al run --rootfs "$T_ROOTFS" "$@"; }

# Start airlock in the background (stdout/stderr to files under $T_TMP/.lib/bg.*). Sets AL_BG_PID,
# which is airlock's own pid (setpriv and env exec), so signals sent to it reach airlock.
al_bg() { # ARGS...
	local -a pre=()
	[ "$T_MODE" = user ] && pre=("${AS_USER[@]}")
	_al_sanitizer_env
	"${pre[@]}" "$AIRLOCK" "$@" </dev/null >"$T_TMP/.lib/bg.out" 2>"$T_TMP/.lib/bg.err" &
	AL_BG_PID=$!
	T_BG_PIDS="${T_BG_PIDS:-} $AL_BG_PID"
}

# Wait for a background airlock; sets AL_RC, AL_OUT, AL_ERR. Fails the test after SECONDS.
al_bg_wait() { # [SECONDS]
	local i limit=$((${1:-30} * 10))
	for ((i = 0; i < limit; i++)); do
		kill -0 "$AL_BG_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$AL_BG_PID" 2>/dev/null; then
		t_fail "airlock (pid $AL_BG_PID) still running after ${1:-30}s"
		kill -KILL "$AL_BG_PID" 2>/dev/null
	fi
	wait "$AL_BG_PID" 2>/dev/null
	AL_RC=$?
	AL_OUT=$(cat "$T_TMP/.lib/bg.out")
	AL_ERR=$(cat "$T_TMP/.lib/bg.err")
}

# The host pids of processes running the probe binary (inside sandboxes).
probe_pids() {
	find /proc/[0-9]*/exe -maxdepth 0 \( -lname '*/airlock-probe' -o -lname /probe -o -lname '*/test-rootfs/probe' \) \
		2>/dev/null | cut -d/ -f3
}

# Wait until a probe process appears on the host; prints its pid.
wait_probe_pid() { # [SECONDS]
	local i pid
	for ((i = 0; i < ${1:-10} * 20; i++)); do
		pid=$(probe_pids | head -n1)
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.05
	done
	return 1
}

wait_for() { # SECONDS CMD...: poll CMD until it succeeds
	local i limit=$(($1 * 20))
	shift
	for ((i = 0; i < limit; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# A directory under $T_TMP owned by the caller of airlock (root, or the test user).
t_mkdir() { # NAME [MODE]
	local d="$T_TMP/$1"
	mkdir -p "$d"
	chmod "${2:-0755}" "$d"
	[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$d"
	echo "$d"
}

# The caller's uid on the host and sandbox uid 0's host uid for the current mode.
caller_uid() { [ "$T_MODE" = user ] && echo "$T_UID" || echo 0; }
sandbox_root_uid() { [ "$T_MODE" = user ] && echo "$T_UID" || echo "$T_SANDBOX_UID_BASE"; }

json_get() { # JSON KEY
	printf '%s' "$1" | jq -r ".$2" 2>/dev/null
}

# The last line of stderr that parses as a JSON object (airlock --json without a file).
json_from_stderr() {
	printf '%s\n' "$AL_ERR" | grep '^{' | tail -n1
}

# ---------------------------------------------------------------- sanitizer reports (ASan/UBSan run)

_al_sanitizer_env() {
	[ -n "${T_SANITIZE:-}" ] || return 0
	mkdir -p "$T_TMP/.san"
	chmod 0777 "$T_TMP/.san"
	export ASAN_OPTIONS="log_path=$T_TMP/.san/asan:detect_leaks=1:abort_on_error=0"
	export UBSAN_OPTIONS="log_path=$T_TMP/.san/ubsan:print_stacktrace=1:halt_on_error=0"
}

_al_sanitizer_check() {
	[ -n "${T_SANITIZE:-}" ] || return 0
	local f
	for f in "$T_TMP"/.san/*; do
		[ -e "$f" ] || continue
		t_fail "sanitizer report: $(head -c 600 "$f" | tr '\n' '|')"
		echo "---- $f" >&2
		head -n 40 "$f" >&2
		rm -f "$f"
	done
}

# ---------------------------------------------------------------- the escape probe's listeners

# Start what the probe must not reach from inside: an abstract unix socket and a TCP port on the host's
# loopback. Sets PROBE_ENV to the environment that tells the probe their names, as KEY=VALUE words
# (prefix each with -e or --env= as the front door wants).
probe_listeners() {
	local abstract="airlock-probe-$$-$RANDOM" port=$((20000 + RANDOM % 20000))
	socat "ABSTRACT-LISTEN:$abstract,fork" SYSTEM:'echo hi' 2>/dev/null &
	T_BG_PIDS="${T_BG_PIDS:-} $!"
	socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo hi' 2>/dev/null &
	T_BG_PIDS="${T_BG_PIDS:-} $!"
	wait_for 5 sh -c "ss -ltn | grep -q ':$port '"
	PROBE_ENV=("AIRLOCK_PROBE_ABSTRACT=$abstract" "AIRLOCK_PROBE_TCP=127.0.0.1:$port")
}

# ---------------------------------------------------------------- a private daemon's traces

# What a test's private daemon (dockerd, podman, containerd under DIR) may leave: the processes whose
# command line names DIR (grep reads past processes that exit meanwhile, where mawk stops at the
# first; the pattern comes from a file so that grep's own command line does not match), the mounts
# under DIR, and the processes in the cgroup PARENT of every hierarchy.
procs_naming() { # DIR
	printf '%s/\n' "$1" >"$T_TMP/.lib/procs-pattern"
	grep -lzF -f "$T_TMP/.lib/procs-pattern" /proc/[0-9]*/cmdline 2>/dev/null | cut -d/ -f3 |
		grep -vxF -e "$$" -e "$BASHPID"
}
mounts_under() { awk -v d="$1/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo; } # DIR
cgroup_procs_in() { # PARENT
	find /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1" -name cgroup.procs -exec cat {} + 2>/dev/null </dev/null
}

# ---------------------------------------------------------------- host-side leak check

# What airlock could leave behind: mounts in the host namespace, cgroups, state and temp files,
# processes of sandboxes (sandbox uid range, the test user's, the probe binary, airlock itself).
# Rootless, only what belongs to the test user counts (root-owned groups and sandbox uids are
# another caller's, e.g. a concurrent root run).
_leak_state() {
	local -a own=()
	[ "$T_MODE" = user ] && own=(-user "$T_UID")
	echo "## mounts"
	awk '{print $5, $9, $10}' /proc/self/mountinfo | sort
	echo "## cgroups"
	find /sys/fs/cgroup -maxdepth 7 -type d -path '*airlock*' ! -name airlock "${own[@]}" 2>/dev/null | sort
	echo "## files"
	find /tmp /dev/shm /var/tmp -maxdepth 1 -name 'airlock*' "${own[@]}" 2>/dev/null | sort
	find /run/airlock "/run/user/$T_UID/airlock" "/tmp/airlock-$T_UID" -mindepth 1 "${own[@]}" 2>/dev/null | sort
}

_leak_procs() {
	if [ "$T_MODE" = user ]; then
		# grep, not awk: mawk stops at the first status file that vanished since the glob
		grep -H '^Uid:' /proc/[0-9]*/status 2>/dev/null |
			awk -v tuid="$T_UID" '$2 == tuid { split($1, f, "/"); print f[3] }'
		return
	fi
	# uid >= the sandbox base (grep, not awk: mawk stops at the first status file that vanished)
	grep -H '^Uid:' /proc/[0-9]*/status 2>/dev/null |
		awk -v base="$T_SANDBOX_UID_BASE" '$2 + 0 >= base + 0 { split($1, f, "/"); print f[3] }'
	# and anything running the binaries under test
	find /proc/[0-9]*/exe -maxdepth 0 \( -lname "$AIRLOCK" -o -lname "$PROBE" -o -lname "$T_ROOTFS/probe" -o -lname /probe \) \
		2>/dev/null | cut -d/ -f3
}

snapshot_host() {
	_leak_state >"$T_TMP/.lib/snap"
	_leak_procs | sort -u >"$T_TMP/.lib/snap.procs"
}

# Processes that match and were not there at snapshot time.
_new_leak_procs() {
	local p
	for p in $(_leak_procs | sort -u | comm -13 "$T_TMP/.lib/snap.procs" -); do
		[ "$p" = "$$" ] && continue
		[ -d "/proc/$p" ] || continue
		echo "$p"
	done
}

# Only what persists counts: a sandbox another caller starts meanwhile (a benchmark loop, say) comes
# and goes within milliseconds, a leak stays.
assert_no_leaks() {
	local i pids first p diff diff2 procs=""
	[ -f "$T_TMP/.lib/snap.procs" ] || : >"$T_TMP/.lib/snap.procs"
	first=$(_new_leak_procs)
	pids=$first
	for ((i = 0; i < 20 && ${#pids} > 0; i++)); do
		sleep 0.05
		pids=$(comm -12 <(printf '%s\n' $first | sort) <(_new_leak_procs | sort))
	done
	if [ -n "$pids" ]; then
		for p in $pids; do
			procs="$procs pid $p uid $(awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null)"
			procs="$procs $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | head -c 60);"
		done
		t_fail "leftover processes:$procs"
		# Leave a clean host for the next test: the leftovers are the sandbox's (or airlock's) own.
		kill -KILL $pids 2>/dev/null
		sleep 0.2
	fi
	_leak_state >"$T_TMP/.lib/snap.after"
	diff=$(diff "$T_TMP/.lib/snap" "$T_TMP/.lib/snap.after" | grep '^>')
	if [ -n "$diff" ]; then
		sleep 0.5
		_leak_state >"$T_TMP/.lib/snap.after"
		diff2=$(diff "$T_TMP/.lib/snap" "$T_TMP/.lib/snap.after" | grep '^>')
		diff=$(comm -12 <(printf '%s\n' "$diff" | sort) <(printf '%s\n' "$diff2" | sort) | head -n 10)
	fi
	[ -z "$diff" ] && [ -z "$pids" ] && return 0
	[ -n "$diff" ] && t_fail "left behind on the host: $(_short "$diff")"
	return 1
}
