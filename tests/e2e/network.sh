#!/bin/bash
# network.sh: --network none (default) gives a namespace with only lo, up; host loopback services and
# host abstract unix sockets are out of reach; --network host is the explicit opt-in (THREATS 5, 6).
# Only loopback traffic is ever sent.
# modes: root user
. "$(dirname "$0")/../lib.sh"

abstract="airlock-e2e-$$-$RANDOM"
port=$((20000 + RANDOM % 20000))
socat "ABSTRACT-LISTEN:$abstract,fork" SYSTEM:'echo abstract-hello' 2>/dev/null &
T_BG_PIDS="${T_BG_PIDS:-} $!"
socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'echo tcp-hello' 2>/dev/null &
T_BG_PIDS="${T_BG_PIDS:-} $!"
wait_for 5 sh -c "ss -ltn | grep -q ':$port '"
host_ok=$(socat -T2 - "ABSTRACT-CONNECT:$abstract" </dev/null 2>/dev/null)$(socat -T2 - "TCP:127.0.0.1:$port" </dev/null 2>/dev/null)

t_begin "the host's listeners answer on the host (test sanity)"
assert_eq "abstract-hellotcp-hello" "$host_ok" "host-side replies"
t_end

t_begin "default network: only lo"
al_run -- "$PROBE" net.lo-only
assert_probe_ok
al_rootfs -- /bin/cat /proc/net/dev
assert_eq "lo" "$(printf '%s\n' "$AL_OUT" | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ' | sed 's/ $//')" "interfaces"
t_end

t_begin "default network: lo is up and usable inside"
al_rootfs --tmpfs /t -- /bin/sh -c 'nc -l -p 5555 > /t/got & sleep 0.3; echo over-lo | nc 127.0.0.1 5555; wait; cat /t/got'
assert_status 0
assert_contains "$AL_OUT" "over-lo" "received over lo"
t_end

t_begin "default network: the host's loopback service and abstract socket are unreachable"
al_run -e "AIRLOCK_PROBE_TCP=127.0.0.1:$port" -e "AIRLOCK_PROBE_ABSTRACT=$abstract" -- \
	"$PROBE" loopback.unreachable abstract.unreachable
assert_probe_ok
assert_not_contains "$AL_OUT" "SKIP" "probe output"
t_end

t_begin "--network none is the default spelled out"
al_rootfs --network none -- /probe net.lo-only
assert_probe_ok
t_end

t_begin "--network host shares the host's interfaces and loopback"
al_rootfs --network host -- /bin/cat /proc/net/dev
assert_status 0
host_if=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
sb_if=$(printf '%s\n' "$AL_OUT" | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
assert_eq "$host_if" "$sb_if" "interfaces"
al_rootfs --network host -- /bin/sh -c "echo | nc 127.0.0.1 $port"
assert_contains "$AL_OUT" "tcp-hello" "host loopback service"
t_end

t_begin "--network host: host abstract sockets stay out of reach (Landlock scoping)"
al_run --network host -e "AIRLOCK_PROBE_ABSTRACT=$abstract" -- "$PROBE" abstract.unreachable
assert_probe_ok
t_end

t_begin "--network host: still no raw sockets and no capabilities"
al_run --network host -- "$PROBE" socket.raw.denied caps.zero
assert_probe_ok
t_end
