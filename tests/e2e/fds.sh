#!/bin/bash
# fds.sh: no inherited fd other than stdio reaches the sandbox (THREATS 3): a file or directory fd
# opened by the caller (exec 7</etc/hostname) is closed before the command runs.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

t_begin "an fd opened by the caller is not visible inside"
exec 7</etc/hostname
al_run -- "$PROBE" fds.none
assert_probe_ok
al_run -- "$PROBE" fds
assert_eq "0 1 2" "$(printf '%s\n' "$AL_OUT" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')" "open fds"
al_run -- /bin/sh -c 'cat <&7'
assert_ne 0 "$AL_RC" "reading fd 7"
exec 7<&-
t_end

t_begin "directory fds and high fds are closed too (no way back to the host root)"
exec 8</ 100</etc 250</proc/self/ns/user
al_rootfs -- /probe fds
assert_eq "0 1 2" "$(printf '%s\n' "$AL_OUT" | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')" "open fds"
al_rootfs -- /bin/ls /proc/self/fd/8/etc
assert_ne 0 "$AL_RC" "listing the host root through fd 8"
exec 8<&- 100<&- 250<&-
t_end

t_begin "a connected socket fd does not leak either"
port=$((20000 + RANDOM % 20000))
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" SYSTEM:'sleep 30' 2>/dev/null &
T_BG_PIDS="${T_BG_PIDS:-} $!"
wait_for 5 sh -c "ss -ltn | grep -q ':$port '"
if exec 9<>"/dev/tcp/127.0.0.1/$port"; then
	al_rootfs -- /probe fds.none
	assert_probe_ok
	exec 9<&-
else
	t_fail "could not open a loopback socket for the test"
fi
t_end

t_begin "stdio are the caller's (pipes here), nothing else"
al_rootfs -- /probe fds
n=$(printf '%s\n' "$AL_OUT" | grep -c .)
assert_eq 3 "$n" "number of open fds"
t_end
