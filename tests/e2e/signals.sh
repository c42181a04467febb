#!/bin/bash
# signals.sh: host processes are out of the sandbox's reach (THREATS 5): a host process running as
# the very host uid the sandbox runs as survives `kill -9 -1` and a kill of its host pid from inside.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

t_begin "kill -9 -1 and kill <host pid> inside do not reach a host process of the same uid"
victim_uid=$(sandbox_root_uid)
setpriv --reuid="$victim_uid" --regid="$victim_uid" --clear-groups -- sleep 60 &
victim=$!
T_BG_PIDS="${T_BG_PIDS:-} $victim"
sleep 0.1
assert_eq "$victim_uid" "$(awk '/^Uid:/ {print $2}' "/proc/$victim/status" 2>/dev/null)" "victim's uid (test sanity)"
al_rootfs -- /bin/sh -c "kill -9 $victim; kill -9 -1; echo done"
kill -0 "$victim" 2>/dev/null || t_fail "the host process $victim was killed from inside the sandbox"
al_run -- /bin/sh -c "kill -KILL $victim 2>/dev/null; kill -KILL -1; exit 0"
kill -0 "$victim" 2>/dev/null || t_fail "the host process $victim was killed from the host-root sandbox"
kill -KILL "$victim" 2>/dev/null
wait "$victim" 2>/dev/null
t_end

t_begin "the sandbox sees only its own processes"
al_rootfs -- /bin/sh -c '/probe sleep 5 & ls /proc | grep -c "^[0-9]"'
assert_status 0
[ "${AL_OUT:-99}" -le 5 ] || t_fail "$AL_OUT processes visible inside"
al_rootfs -- /probe pidns.private
assert_probe_ok
t_end

t_begin "kill -9 -1 inside ends the sandbox cleanly"
snapshot_host
al_rootfs -- /bin/sh -c '/probe sleep 30 & /probe sleep 30 & kill -9 -1; sleep 0.2; echo survived'
assert_contains "$AL_OUT" "survived" "the shell (kill -1 spares the caller)"
assert_no_leaks
t_end
