#!/bin/bash
# runtime.sh: airlock-runtime, the OCI front door (what exists so far: spec, features, run in the
# foreground): a bundle's config.json runs on the same engine as `airlock run`, errors go to --log.
# modes: root
. "$(dirname "$0")/../lib.sh"

RT=${AIRLOCK_RUNTIME:-$(dirname "$AIRLOCK")/airlock-runtime}
bundle="$T_TMP/bundle"
mkdir -p "$bundle"
cp -a "$T_ROOTFS" "$bundle/rootfs"

# Set process.args of the bundle's config.json.
set_args() { # ARG...
	python3 -c 'import json, sys; p = sys.argv[1]; c = json.load(open(p)); c["process"]["args"] = sys.argv[2:]; json.dump(c, open(p, "w"))' \
		"$bundle/config.json" "$@"
}

t_begin "spec writes a hardened config.json; a second spec refuses to overwrite it"
(cd "$bundle" && "$RT" spec)
assert_eq "0" "$?" "spec"
assert_eq "true true" "$(jq -r '"\(.root.readonly) \(.process.noNewPrivileges)"' "$bundle/config.json")"
assert_eq "0" "$(jq '.process.capabilities.bounding | length' "$bundle/config.json")" "no capabilities"
out=$(cd "$bundle" && "$RT" spec 2>&1)
assert_contains "$out" "exists"
"$RT" features | jq -e '.ociVersionMax == "1.2.0" and (.linux.namespaces | index("network"))' >/dev/null ||
	t_fail "features JSON"
t_end

t_begin "run: the command's exit status, confinement, and nothing left behind"
snapshot_host
set_args /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "; exit 9'
out=$("$RT" run --bundle "$bundle" rt-one </dev/null)
assert_eq "9" "$?" "exit status"
assert_eq "CapEff: 0000000000000000 NoNewPrivs: 1 Seccomp: 2" "$(echo $out)"
set_args /probe all
out=$("$RT" run --bundle "$bundle" rt-probe </dev/null 2>&1)
assert_eq "0" "$?" "the probe inside: $(_short "$out")"
assert_no_leaks
t_end

t_begin "run: stdin passes through; --pid-file holds pid 1 while it runs"
set_args /bin/sh -c 'cat; sleep 0.3'
echo "piped" | "$RT" run --bundle "$bundle" --pid-file "$T_TMP/pid" rt-two >"$T_TMP/out" &
rt=$!
wait_for 5 test -s "$T_TMP/pid" || t_fail "no pid file"
pid=$(cat "$T_TMP/pid" 2>/dev/null)
[ -n "$pid" ] && assert_ne "$(readlink /proc/self/ns/pid)" "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" "pid 1 in its own pid namespace"
wait "$rt"
assert_eq "piped" "$(cat "$T_TMP/out")"
t_end

t_begin "bad bundles: one line, exit 1, JSON to --log"
jq '.linux.namespaces += [{"type": "bogus"}]' "$bundle/config.json" >"$T_TMP/bad.json"
mkdir -p "$T_TMP/bad" && cp "$T_TMP/bad.json" "$T_TMP/bad/config.json" && ln -s "$bundle/rootfs" "$T_TMP/bad/rootfs"
"$RT" --log "$T_TMP/log.json" --log-format json run --bundle "$T_TMP/bad" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "exit status"
assert_contains "$(cat "$T_TMP/err")" 'unknown namespace type "bogus"'
assert_eq "error" "$(jq -r .level "$T_TMP/log.json")" "--log-format json"
"$RT" run --bundle "$T_TMP/nowhere" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?"
assert_contains "$(cat "$T_TMP/err")" "nowhere"
"$RT" checkpoint rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "a verb airlock-runtime does not have is refused by name"
assert_contains "$(cat "$T_TMP/err")" "checkpoint: not supported"
t_end
