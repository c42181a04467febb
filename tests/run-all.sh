#!/bin/bash
# run-all.sh: THE test command. Builds if needed, runs the unit tests, every e2e file as root, the
# rootless subset as an unprivileged user, then an ASan+UBSan build's unit tests and e2e subset.
# Ends with exactly one line "N passed, N failed[, N skipped]"; exits non-zero if anything failed.
#
# Usage: tests/run-all.sh [E2E-NAME...]   (e.g. `tests/run-all.sh run volumes`; default: all)
# Environment: AIRLOCK_TEST_NO_ASAN=1 skips the sanitizer pass; T_VERBOSE=1 shows every airlock call.
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
T_USER=airlock-test
RESULTS=$(mktemp /tmp/al-results.XXXXXX)
LOGDIR="$ROOT/build/test-logs"
trap 'rm -f "$RESULTS"; [ -n "${STAGE:-}" ] && rm -rf "$STAGE"' EXIT

note() { printf '== %s\n' "$*"; }
record() { printf '%s\n' "$*" >>"$RESULTS"; printf '%s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		exec sudo -E "$0" "$@"
	fi
	echo "run-all.sh: the suite runs as root (it also tests airlock as an unprivileged user it creates)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

# ------------------------------------------------------------------------------------------- build
tests/setup-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

build() { # DIR [MESON OPTIONS...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log" >&2; return 1; }
		rm -f "$dir.setup.log"
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -n 40 "$dir.ninja.log" >&2; return 1; }
	rm -f "$dir.ninja.log"
}

note "building"
if ! build build; then
	record "FAIL build: meson/ninja failed"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p "$LOGDIR"
tests/mkrootfs.sh build/test-rootfs build/tests/airlock-probe || record "FAIL build: test rootfs"

# ------------------------------------------------------------------------------------------- unit
unit_tests() { # BUILDDIR LABEL
	local dir=$1 label=$2 log="$1/meson-logs/testlog.json"
	rm -f "$log"
	meson test -C "$dir" --suite unit --print-errorlogs >"$LOGDIR/unit$label.log" 2>&1
	if [ ! -s "$log" ]; then
		record "FAIL unit$label: meson test ran no tests (see $LOGDIR/unit$label.log)"
		return
	fi
	jq -r '"\(.result) \(.name)"' "$log" | while read -r result name; do
		case "$result" in
		OK | EXPECTEDFAIL) record "PASS unit$label $name" ;;
		SKIP) record "SKIP unit$label $name" ;;
		*) record "FAIL unit$label $name: $result"; grep -A 30 "$name" "$LOGDIR/unit$label.log" | head -n 30 >&2 ;;
		esac
	done
}

note "unit tests"
unit_tests build ""

note "style"
# One style for every C file: clang-format with the repository's .clang-format.
unformatted=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run 2>&1 | grep -o '^[^:]*\.[ch]' | sort -u)
if [ -z "$unformatted" ]; then
	record "PASS style clang-format"
else
	record "FAIL style clang-format: not formatted: $(echo $unformatted)"
fi

# ------------------------------------------------------------------------------------------- e2e
modes_of() { sed -n 's/^# modes: //p' "$1" | head -n1; }

selected_files() {
	local f name
	for f in tests/e2e/*.sh; do
		name=$(basename "$f" .sh)
		if [ $# -eq 0 ]; then echo "$f"; continue; fi
		for want in "$@"; do [ "$want" = "$name" ] && echo "$f"; done
	done
}

run_e2e() { # FILE MODE [ENV...]
	local f=$1 mode=$2 name before after rc
	shift 2
	name=$(basename "$f" .sh)
	before=$(grep -c '' "$RESULTS")
	local t0=$SECONDS
	env "$@" T_MODE="$mode" T_LABEL="$mode${LABEL:-}" T_RESULTS="$RESULTS" T_USER="$T_USER" timeout -k 10 600 bash "$f" \
		>"$LOGDIR/$name.$mode${LABEL:-}.log" 2>&1
	rc=$?
	after=$(grep -c '' "$RESULTS")
	grep -E '^(FAIL|SKIP)' "$LOGDIR/$name.$mode${LABEL:-}.log" | sed 's/^/   /'
	if [ "$after" -eq "$before" ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; }; then
		record "FAIL $name[$mode${LABEL:-}]: the test file itself failed (status $rc, log $LOGDIR/$name.$mode${LABEL:-}.log)"
	fi
	printf '   %-16s %-10s %4ss %s\n' "$name" "$mode${LABEL:-}" "$((SECONDS - t0))" \
		"$(tail -n +$((before + 1)) "$RESULTS" | cut -d' ' -f1 | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
}

mapfile -t files < <(selected_files "$@")

# The sandboxes must see the probe and the test rootfs, and the test user must reach the binaries:
# a checkout under a directory airlock hides (/root, /home, /tmp, ...) or one the user cannot read
# is staged into /opt first.
if ! id "$T_USER" >/dev/null 2>&1; then
	useradd -m -s /bin/bash "$T_USER" || record "FAIL setup: useradd $T_USER"
fi
export AIRLOCK="$ROOT/build/airlock" PROBE="$ROOT/build/tests/airlock-probe" T_ROOTFS="$ROOT/build/test-rootfs"
ASAN_AIRLOCK="$ROOT/build-asan/airlock"
case "$ROOT/" in /home/* | /root/* | /run/* | /var/* | /tmp/* | /mnt/* | /media/* | /srv/*) stage=1 ;; *) stage="" ;; esac
setpriv --reuid="$(id -u "$T_USER")" --regid="$(id -g "$T_USER")" --init-groups -- \
	test -x "$AIRLOCK" -a -x "$PROBE" -a -r "$T_ROOTFS/probe" 2>/dev/null || stage=1
if [ -n "$stage" ]; then
	STAGE=/opt/al-test-stage
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	cp -a "$AIRLOCK" "$ROOT/build/airlock-runtime" "$PROBE" "$STAGE/" && cp -a "$T_ROOTFS" "$STAGE/test-rootfs"
	chmod -R go+rX "$STAGE"
	export AIRLOCK="$STAGE/airlock" PROBE="$STAGE/airlock-probe" T_ROOTFS="$STAGE/test-rootfs"
	ASAN_AIRLOCK="$STAGE/airlock-asan"
	note "staged the binaries and the test rootfs in $STAGE"
fi

note "e2e as root"
for f in "${files[@]}"; do
	run_e2e "$f" root
done

# The unprivileged user (created above) gets a runtime directory.
if id "$T_USER" >/dev/null 2>&1; then
	uid=$(id -u "$T_USER")
	mkdir -p "/run/user/$uid"
	chown "$T_USER:" "/run/user/$uid"
	chmod 0700 "/run/user/$uid"
	if setpriv --reuid="$uid" --regid="$(id -g "$T_USER")" --init-groups -- test -x "$AIRLOCK"; then
		note "e2e as $T_USER (rootless)"
		for f in "${files[@]}"; do
			case " $(modes_of "$f") " in *" user "*) run_e2e "$f" user ;; esac
		done
	else
		record "FAIL setup: $T_USER cannot execute $AIRLOCK"
	fi
fi

# ------------------------------------------------------------------------------------------- asan
if [ -z "${AIRLOCK_TEST_NO_ASAN:-}" ]; then
	note "ASan+UBSan build"
	if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
		unit_tests build-asan "[asan]"
		[ -n "${STAGE:-}" ] && cp -a "$ROOT/build-asan/airlock" "$ASAN_AIRLOCK" && chmod go+rx "$ASAN_AIRLOCK"
		note "e2e (asan subset) as root"
		LABEL="+asan"
		for f in "${files[@]}"; do
			case " $(modes_of "$f") " in
			*" asan "*) run_e2e "$f" root AIRLOCK="$ASAN_AIRLOCK" AIRLOCK_RUNTIME="$ROOT/build-asan/airlock-runtime" \
				T_SANITIZE=1 ;;
			esac
		done
		LABEL=""
	else
		record "FAIL asan: build-asan failed"
	fi
fi

# ------------------------------------------------------------------------------------------- total
pass=$(grep -c '^PASS' "$RESULTS")
fail=$(grep -c '^FAIL' "$RESULTS")
skip=$(grep -c '^SKIP' "$RESULTS")
if [ "$fail" -gt 0 ]; then
	echo
	echo "failures:"
	grep '^FAIL' "$RESULTS" | sed 's/^/  /'
fi
cp "$RESULTS" "$LOGDIR/results.txt"
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
