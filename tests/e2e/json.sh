#!/bin/bash
# json.sh: --json writes one JSON object (exit_code, signal, reason, wall_ms, cpu_ms, max_rss_kb) on
# stderr, or to FILE with --json=FILE; reasons exited, signaled, timeout, killed (oom and pids-limit
# are in limits.sh).
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

jfile="$T_TMP/out.json"

t_begin "--json prints one JSON line on stderr with every field"
al_rootfs --json -- /bin/echo payload
assert_status 0
assert_eq "payload" "$AL_OUT" "stdout untouched"
j=$(json_from_stderr)
assert_eq 1 "$(printf '%s\n' "$AL_ERR" | grep -c '^{')" "JSON lines on stderr"
assert_eq "exit_code,signal,reason,wall_ms,cpu_ms,max_rss_kb" \
	"$(printf '%s' "$j" | jq -r 'keys_unsorted | join(",")' 2>/dev/null)" "keys"
assert_eq "0 0 exited" "$(printf '%s' "$j" | jq -r '"\(.exit_code) \(.signal) \(.reason)"' 2>/dev/null)"
for k in wall_ms cpu_ms max_rss_kb; do
	assert_match "$(json_get "$j" $k)" '^[0-9]+$' "$k"
done
t_end

t_begin "--json=FILE writes the object to FILE and nothing JSON to stderr"
rm -f "$jfile"
al_rootfs --json="$jfile" -- /probe exit 3
assert_status 3
assert_eq "" "$(printf '%s\n' "$AL_ERR" | grep '^{')" "JSON on stderr"
j=$(cat "$jfile" 2>/dev/null)
assert_eq "3 0 exited" "$(printf '%s' "$j" | jq -r '"\(.exit_code) \(.signal) \(.reason)"' 2>/dev/null)"
assert_eq 1 "$(grep -c '' "$jfile" 2>/dev/null)" "lines in FILE"
t_end

t_begin "a signal gives reason signaled and the signal number"
al_rootfs --json="$jfile" -- /probe kill-self TERM
assert_status 143
j=$(cat "$jfile" 2>/dev/null)
assert_eq "signaled 15" "$(printf '%s' "$j" | jq -r '"\(.reason) \(.signal)"' 2>/dev/null)"
t_end

t_begin "a timeout gives reason timeout"
al_rootfs --timeout 200ms --json="$jfile" -- /probe sleep 10
assert_eq "timeout" "$(json_get "$(cat "$jfile" 2>/dev/null)" reason)" "reason"
t_end

t_begin "SIGTERM to airlock gives reason killed"
rm -f "$jfile"
al_bg run --rootfs "$T_ROOTFS" --json="$jfile" -- /probe sleep 30
wait_probe_pid 10 >/dev/null || t_fail "no probe process appeared"
kill -TERM "$AL_BG_PID"
al_bg_wait 10
assert_eq "killed" "$(json_get "$(cat "$jfile" 2>/dev/null)" reason)" "reason"
t_end

t_begin "wall_ms, cpu_ms and max_rss_kb measure the command"
al_rootfs --json="$jfile" -- /probe sleep 0.5
wall=$(json_get "$(cat "$jfile" 2>/dev/null)" wall_ms)
[ "${wall:-0}" -ge 500 ] && [ "${wall:-0}" -lt 3000 ] || t_fail "wall_ms $wall for a 0.5 s sleep"
al_rootfs --timeout 1s --json="$jfile" -- /probe spin
cpu=$(json_get "$(cat "$jfile" 2>/dev/null)" cpu_ms)
[ "${cpu:-0}" -ge 500 ] || t_fail "cpu_ms $cpu for 1 s of spinning"
al_rootfs --json="$jfile" -- /probe memhog 64
rss=$(json_get "$(cat "$jfile" 2>/dev/null)" max_rss_kb)
[ "${rss:-0}" -ge 60000 ] || t_fail "max_rss_kb $rss after touching 64 MB"
t_end

t_begin "not found and cannot execute are reported with their statuses"
al_rootfs --json="$jfile" -- /nonexistent
assert_status 127
assert_eq 127 "$(json_get "$(cat "$jfile" 2>/dev/null)" exit_code)" "exit_code"
t_end
