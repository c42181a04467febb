#!/bin/bash
# teardown.sh: nothing outlives the sandbox (THREATS 9): daemonized orphans die with the command, and
# SIGTERM/SIGINT/SIGHUP (and even SIGKILL) to airlock leave no process, mount, cgroup or temp file.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

# The bounds below are not speed targets: they only tell "returned at once" from "waited for the 30 s
# daemon or the 100 s sleeps", with a wide margin for slow (sanitizer) builds.
t_begin "a daemonized orphan is gone when the command ends"
snapshot_host
out=$(t_mkdir daemon)
start=$(date +%s%N)
al_rootfs -v "$out:/out" -- /probe daemonize 30 /out/marker
assert_status 0
ms=$((($(date +%s%N) - start) / 1000000))
assert_le "$ms" 20000 "milliseconds until airlock returned (the daemon sleeps 30 s)"
assert_no_leaks
assert_file_absent "$out/marker" "the daemon's marker file"
t_end

t_begin "background children do not keep the sandbox alive"
snapshot_host
start=$(date +%s%N)
al_rootfs -- /bin/sh -c '/probe sleep 100 & /probe sleep 100 & exit 3'
assert_status 3
ms=$((($(date +%s%N) - start) / 1000000))
assert_le "$ms" 20000 "milliseconds until airlock returned (the children sleep 100 s)"
assert_no_leaks
t_end

two_probes() { [ "$(probe_pids | wc -l)" -ge 2 ]; }
for sig in TERM INT HUP; do
	t_begin "SIG$sig to airlock kills everything and leaves nothing"
	snapshot_host
	out=$(t_mkdir "sig$sig")
	al_bg run --rootfs "$T_ROOTFS" -v "$out:/out" --tmpfs /t -- /bin/sh -c '/probe daemonize 1 /out/marker; /probe sleep 60'
	wait_for 10 two_probes || t_fail "sandbox did not start"
	kill -"$sig" "$AL_BG_PID"
	al_bg_wait 10
	assert_ne 0 "$AL_RC" "airlock's status after SIG$sig"
	assert_no_leaks
	sleep 1.5
	assert_file_absent "$out/marker" "the daemon's marker file"
	t_end
done

t_begin "SIGKILL to airlock: the sandbox dies with it; the next run sweeps its cgroup"
snapshot_host
out=$(t_mkdir sigkill)
al_bg run --rootfs "$T_ROOTFS" -v "$out:/out" -- /bin/sh -c '/probe daemonize 1 /out/marker; /probe sleep 60'
wait_for 10 two_probes || t_fail "sandbox did not start"
kill -KILL "$AL_BG_PID"
wait "$AL_BG_PID" 2>/dev/null
gone() { [ -z "$(probe_pids)" ]; }
wait_for 3 gone || t_fail "sandbox processes survived airlock's SIGKILL: $(probe_pids | tr '\n' ' ')"
sleep 1.5
assert_file_absent "$out/marker" "the daemon's marker file"
al_rootfs -- /bin/true
assert_no_leaks
t_end

t_begin "a sandbox with a timeout and a daemon leaves nothing"
snapshot_host
out=$(t_mkdir tdaemon)
al_rootfs --timeout 300ms -v "$out:/out" -- /bin/sh -c '/probe daemonize 1 /out/marker; /probe sleep 30'
assert_ne 0 "$AL_RC"
assert_no_leaks
sleep 1.5
assert_file_absent "$out/marker"
t_end
