#!/bin/bash
# limits.sh: --memory, --memory-swap, --pids-limit, --cpus, --ulimit, --timeout (THREATS 8).
# What is asserted, as root:
#   memory bomb (--memory 64m, 512 MB touched)  -> reason "oom", exit status 137 (SIGKILL), signal 9
#   fork bomb (--pids-limit 64)                 -> reason "pids-limit", fewer than 64 processes forked,
#                                                  exit status = the bomb's own (3: it gave up after EAGAIN)
#   default pids cap (no flag)                  -> a bomb still ends with "pids-limit"
#   timeout (--timeout 1s, command sleeps 30 s) -> reason "timeout", exit status 128+signal (137 for
#                                                  SIGKILL), wall_ms between 1000 and 5000
#   --cpus 0.5 with two spinning processes      -> cpu_ms <= 0.75 x wall_ms (2 x wall_ms unlimited)
#   --ulimit nofile=256:512                     -> `ulimit -n` says 256, `ulimit -Hn` 512
# Rootless, without a delegated cgroup v2 subtree with the controllers, a cgroup limit cannot be
# enforced: --memory/--pids-limit/--cpus must then be an airlock error (125), never a silent no-op.
# modes: root user
. "$(dirname "$0")/../lib.sh"

cgroup_limits_possible() {
	[ "$T_MODE" = root ] && return 0
	# rootless needs a delegated v2 subtree; this only recognises a pure v2 host with memory there
	grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null
}

jfile="$T_TMP/result.json"

t_begin "memory bomb ends with reason oom (137) and the host is fine"
snapshot_host
if cgroup_limits_possible; then
	al_rootfs --memory 64m --json="$jfile" -- /probe memhog 512
	j=$(cat "$jfile" 2>/dev/null)
	assert_eq "oom" "$(json_get "$j" reason)" "reason"
	assert_status 137
	assert_eq 9 "$(json_get "$j" signal)" "signal"
	assert_not_contains "$AL_OUT" "touched 512 MB" "memhog output"
else
	al_rootfs --memory 64m -- /probe memhog 512
	assert_airlock_error "memory"
fi
assert_no_leaks
t_end

t_begin "--memory allows what fits"
if cgroup_limits_possible; then
	al_rootfs --memory 128m -- /probe memhog 32
	assert_status 0
	assert_contains "$AL_OUT" "touched 32 MB"
else
	t_skip "no enforceable memory limit rootless here"
fi
t_end

t_begin "--memory-swap equal to --memory: still oom"
if cgroup_limits_possible; then
	al_rootfs --memory 64m --memory-swap 64m --json="$jfile" -- /probe memhog 256
	assert_eq "oom" "$(json_get "$(cat "$jfile" 2>/dev/null)" reason)" "reason"
else
	t_skip "no enforceable memory limit rootless here"
fi
t_end

t_begin "fork bomb ends with reason pids-limit"
snapshot_host
if cgroup_limits_possible; then
	al_rootfs --pids-limit 64 --timeout 60s --json="$jfile" -- /probe forkbomb
	j=$(cat "$jfile" 2>/dev/null)
	assert_eq "pids-limit" "$(json_get "$j" reason)" "reason"
	assert_status 3 "the bomb's own status"
	n=$(printf '%s' "$AL_OUT" | sed -n 's/^forkbomb: \([0-9]*\) processes.*/\1/p')
	[ -n "$n" ] && [ "$n" -lt 64 ] || t_fail "forked ${n:-?} processes under --pids-limit 64 ($AL_OUT)"
else
	al_rootfs --pids-limit 64 -- /probe forkbomb
	assert_airlock_error "pids"
fi
assert_no_leaks
t_end

t_begin "without --pids-limit a fork bomb still hits a default cap"
if t_only_mode root; then
	al_rootfs --timeout 120s --json="$jfile" -- /probe forkbomb 20000
	assert_eq "pids-limit" "$(json_get "$(cat "$jfile" 2>/dev/null)" reason)" "reason ($AL_OUT)"
	assert_status 3
fi
t_end

t_begin "timeout kills the sandbox with reason timeout"
snapshot_host
al_rootfs --timeout 1s --json="$jfile" -- /probe sleep 30
j=$(cat "$jfile" 2>/dev/null)
assert_eq "timeout" "$(json_get "$j" reason)" "reason"
sig=$(json_get "$j" signal)
[ -n "$sig" ] && [ "$sig" -gt 0 ] 2>/dev/null || t_fail "signal '$sig' in $j"
assert_status $((128 + ${sig:-9}))
wall=$(json_get "$j" wall_ms)
[ "${wall:-0}" -ge 1000 ] && [ "${wall:-0}" -le 5000 ] || t_fail "wall_ms $wall for --timeout 1s"
assert_no_leaks
t_end

t_begin "timeout also kills what the command left running (500ms, daemon in the background)"
al_rootfs --timeout 500ms -- /bin/sh -c '/probe spin & /probe sleep 30'
assert_ne 0 "$AL_RC"
assert_no_leaks
t_end

t_begin "--cpus 0.5 caps two spinning processes to about half a CPU"
if cgroup_limits_possible; then
	if [ "$(nproc)" -ge 2 ]; then
		al_rootfs --timeout 2s --json="$jfile" -- /probe spin 2
		j=$(cat "$jfile" 2>/dev/null)
		base_cpu=$(json_get "$j" cpu_ms)
		base_wall=$(json_get "$j" wall_ms)
		# At least one full CPU must be accounted (two when the host is idle): cpu_ms is real.
		[ "${base_cpu:-0}" -gt $((${base_wall:-1} * 9 / 10)) ] ||
			t_fail "unlimited: cpu_ms $base_cpu for wall_ms $base_wall (cpu time not measured?)"
	fi
	al_rootfs --cpus 0.5 --timeout 2s --json="$jfile" -- /probe spin 2
	j=$(cat "$jfile" 2>/dev/null)
	cpu=$(json_get "$j" cpu_ms)
	wall=$(json_get "$j" wall_ms)
	[ -n "$cpu" ] && [ "$cpu" -gt 0 ] && [ "$cpu" -le $((wall * 3 / 4)) ] ||
		t_fail "--cpus 0.5: cpu_ms $cpu for wall_ms $wall"
else
	al_rootfs --cpus 0.5 -- /bin/true
	assert_airlock_error "cpu"
fi
t_end

t_begin "--cpus above the host's CPU count is an error"
al_rootfs --cpus 4096 -- /bin/true
assert_airlock_error
t_end

t_begin "--ulimit nofile is visible through ulimit -n"
al_rootfs --ulimit nofile=256:512 -- /bin/sh -c 'ulimit -n; ulimit -Hn'
assert_status 0
assert_eq "256 512" "$(echo $AL_OUT)" "soft and hard nofile"
al_rootfs --ulimit nofile=300 -- /probe rlimit nofile
assert_eq "300 300" "$AL_OUT" "a single value sets both"
t_end

t_begin "--ulimit nproc and core are applied"
al_rootfs --ulimit core=0 --ulimit nproc=100:200 -- /bin/sh -c '/probe rlimit core; /probe rlimit nproc'
assert_status 0
assert_eq "0 0 100 200" "$(echo $AL_OUT)"
t_end

t_begin "a --ulimit above what the host allows is an error naming it, not ignored"
hard=$(cat /proc/sys/fs/nr_open)
al_rootfs --ulimit "nofile=$((hard + 1))" -- /bin/true
assert_airlock_error "--ulimit nofile=$((hard + 1)):$((hard + 1))"
t_end
