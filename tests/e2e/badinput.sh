#!/bin/bash
# badinput.sh: malformed or conflicting options are refused before anything is created: exit 125,
# exactly one line "airlock: ..." on stderr naming the problem, no mount, cgroup, file or process left.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

rootfs=(--rootfs "$T_ROOTFS")
bad() { # NEEDLE ARGS...: `airlock run ARGS -- /bin/true` must be refused naming NEEDLE
	local needle=$1
	shift
	al run "$@" -- /bin/true
	assert_airlock_error "$needle"
}
badcmd() { # NEEDLE ARGS...: `airlock ARGS` (no command appended)
	local needle=$1
	shift
	al "$@"
	assert_airlock_error "$needle"
}

t_begin "unknown flags"
snapshot_host
bad "--bogus" --bogus
bad "-Z" -Z
bad "--privileged" --privileged
assert_no_leaks
t_end

t_begin "missing values and missing command"
snapshot_host
badcmd "" run --memory
badcmd "" run
badcmd "" run --
badcmd "" run "${rootfs[@]}"
assert_no_leaks
t_end

t_begin "malformed sizes"
snapshot_host
bad "12q" --memory 12q
bad "--memory" --memory -5m
bad "--memory" --memory 0
bad "abc" --tmpfs /t:size=abc
bad "--memory-swap" --memory-swap lots
bad "--memory-swap" --memory 128m --memory-swap 64m
assert_no_leaks
t_end

t_begin "malformed durations"
snapshot_host
bad "5x" --timeout 5x
bad "--timeout" --timeout -1s
bad "--timeout" --timeout ""
bad "--timeout" --timeout 1.5.3s
assert_no_leaks
t_end

t_begin "malformed numbers"
snapshot_host
bad "--cpus" --cpus abc
bad "--cpus" --cpus 0
bad "--cpus" --cpus -1
bad "--pids-limit" --pids-limit 0
bad "--pids-limit" --pids-limit many
bad "ulimit" --ulimit bogus=1
bad "ulimit" --ulimit nofile=20:10
bad "ulimit" --ulimit nofile
assert_no_leaks
t_end

t_begin "a missing rootfs, or a rootfs that is not a directory"
snapshot_host
bad "/nonexistent-rootfs-$$" --rootfs "/nonexistent-rootfs-$$"
bad "/etc/hostname" --rootfs /etc/hostname
assert_no_leaks
t_end

t_begin "a missing volume source"
snapshot_host
bad "/nonexistent-src-$$" -v "/nonexistent-src-$$:/x"
bad "/nonexistent-src-$$" "${rootfs[@]}" -v "/nonexistent-src-$$:/x:ro"
assert_no_leaks
t_end

t_begin "a relative or empty DST, a bad volume mode"
snapshot_host
bad "relative" -v /etc:relative
bad "" -v /etc:
bad "relative" --tmpfs relative
bad "rx" -v /etc:/x:rx
bad "" -v /etc:/x:ro:extra
bad "" -v ":/x"
assert_no_leaks
t_end

t_begin "unknown capabilities"
snapshot_host
bad "CAP_BOGUS" --cap-add CAP_BOGUS
bad "NOT_A_CAP" --cap-drop NOT_A_CAP
assert_no_leaks
t_end

t_begin "conflicting and invalid options"
snapshot_host
d=$(t_mkdir conflict)
bad "/x" "${rootfs[@]}" -v "$d:/x" -v "$d:/x:ro"
bad "/x" "${rootfs[@]}" -v "$d:/x" --tmpfs /x
bad "--network" --network bridge
bad "--user" -u nobody
bad "--user" -u 1000:abc
bad "--workdir" -w relative/dir
bad "--hostname" --hostname "bad host"
bad "--read-only" --read-only=maybe
bad "--security-opt" --security-opt apparmor=unconfined
bad "--json" --json=
bad "" -e "=value"
assert_no_leaks
t_end

t_begin "a refused run creates no named volume"
name="e2e-badvol-$$"
bad "12q" -v "$name:/data" --memory 12q
assert_file_absent "/var/lib/airlock/volumes/$name"
assert_file_absent "$T_HOME/.local/share/airlock/volumes/$name"
bad "/nonexistent-src-$$" -v "$name:/data" -v "/nonexistent-src-$$:/y"
assert_file_absent "/var/lib/airlock/volumes/$name"
assert_file_absent "$T_HOME/.local/share/airlock/volumes/$name"
t_end

t_begin "a failure after the checks (bad workdir inside) is still one line and no leak"
snapshot_host
al run "${rootfs[@]}" -w /nonexistent/dir -- /bin/true
[ "$AL_RC" = 0 ] || assert_match "$AL_ERR" '^airlock: ' "stderr"
[ "$(printf '%s' "$AL_ERR" | grep -c '')" -le 1 ] || t_fail "more than one line on stderr: $(_short "$AL_ERR")"
assert_no_leaks
t_end
