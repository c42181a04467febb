#!/bin/bash
# probe.sh: every check of the probe (THREATS.md 1-10) passes inside `airlock run`, with the default
# host root and with --rootfs, as root inside and as uid 1000, with volumes and tmpfs attached.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

probe_listeners
penv=()
for v in "${PROBE_ENV[@]}"; do penv+=(-e "$v"); done

t_begin "probe all: default host root"
snapshot_host
host_name=$(hostname)
al_run "${penv[@]}" -e AIRLOCK_PROBE_HOSTROOT=1 -- "$PROBE" all
assert_probe_ok
assert_eq "$host_name" "$(hostname)" "host hostname afterwards"
assert_no_leaks
t_end

t_begin "probe all: --rootfs"
snapshot_host
al_rootfs "${penv[@]}" -- /probe all
assert_probe_ok
assert_no_leaks
t_end

t_begin "probe all: as uid 1000 inside"
al_run -u 1000:1000 "${penv[@]}" -e AIRLOCK_PROBE_HOSTROOT=1 -- "$PROBE" all
assert_probe_ok
t_end

t_begin "probe all: with a ro volume, an rw volume and a tmpfs"
ro=$(t_mkdir ro)
rw=$(t_mkdir rw)
al_rootfs -v "$ro:/ro:ro" -v "$rw:/rw" --tmpfs /scratch:size=4m "${penv[@]}" -- /probe all
assert_probe_ok
t_end

t_begin "probe all: under a pid-1 shell with children around"
al_rootfs "${penv[@]}" -- /bin/sh -c '/probe sleep 20 & /probe all; rc=$?; kill $!; exit $rc'
assert_probe_ok
t_end

t_begin "the probe refuses to run outside a sandbox"
out=$("$PROBE" all 2>&1)
rc=$?
assert_eq 2 "$rc" "status outside"
assert_contains "$out" "refusing" "message"
out=$(as_user "$PROBE" all 2>&1)
assert_eq 2 "$?" "status outside as $T_USER"
t_end
