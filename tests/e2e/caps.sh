#!/bin/bash
# caps.sh: every capability set is empty by default (THREATS 1); --cap-add/--cap-drop follow docker's
# rules; setuid and file-capability binaries gain nothing; no_new_privs is always on.
# modes: root user
. "$(dirname "$0")/../lib.sh"

capline() { printf '%s\n' "$AL_OUT" | awk -v k="$1:" '$1 == k {print $2}'; }
hex() { printf '%016x' "$((16#$1))"; }

t_begin "all five capability sets are empty, no_new_privs is on"
al_run -- "$PROBE" caps.zero nnp
assert_probe_ok
al_rootfs --cap-drop ALL -- /probe caps.zero nnp
assert_probe_ok "--cap-drop ALL"
t_end

t_begin "a non-root user inside has no capabilities either"
al_rootfs -u 1000:1000 -- /probe caps.zero nnp
assert_probe_ok
t_end

t_begin "--cap-add NET_BIND_SERVICE keeps exactly that capability"
al_rootfs --cap-add NET_BIND_SERVICE -- /bin/cat /proc/self/status
assert_status 0
for set in CapPrm CapEff CapBnd; do
	assert_eq "$(hex 400)" "$(capline "$set")" "$set"
done
assert_eq "$(hex 0)" "$(capline CapInh)" "CapInh"
assert_eq "1" "$(capline NoNewPrivs)" "NoNewPrivs"
t_end

t_begin "--cap-add accepts CAP_ prefixes and lower case; --cap-drop wins over nothing"
al_rootfs --cap-add CAP_CHOWN --cap-add kill -- /bin/cat /proc/self/status
assert_status 0
assert_eq "$(hex 21)" "$(capline CapEff)" "CapEff for CHOWN+KILL"
al_rootfs --cap-drop CHOWN -- /bin/cat /proc/self/status
assert_eq "$(hex 0)" "$(capline CapEff)" "CapEff after a lone --cap-drop"
t_end

t_begin "--cap-add ALL --cap-drop NET_RAW: everything but NET_RAW"
al_rootfs --cap-add ALL --cap-drop NET_RAW -- /bin/cat /proc/self/status
assert_status 0
eff=$(capline CapEff)
[ -n "$eff" ] && [ $((16#$eff & (1 << 13))) -eq 0 ] && [ $((16#$eff & 1)) -eq 1 ] ||
	t_fail "CapEff $eff: want CHOWN set and NET_RAW clear"
t_end

t_begin "without CAP_CHOWN root inside cannot give files away; with it, it can"
if t_only_mode root; then
	al_rootfs --tmpfs /t -- /bin/sh -c 'touch /t/f && chown 1000 /t/f'
	assert_ne 0 "$AL_RC" "chown without the capability"
	al_rootfs --cap-add CHOWN --tmpfs /t -- /bin/sh -c 'touch /t/f && chown 1000 /t/f && stat -c %u /t/f'
	assert_status 0 "chown with CAP_CHOWN"
	assert_eq 1000 "$AL_OUT" "new owner"
fi
t_end

t_begin "setuid and file-capability binaries gain nothing (as root and as uid 1000 inside)"
al_run -- "$PROBE" setuid.nogain
assert_probe_ok "uid 0"
al_run -u 1000:1000 -- "$PROBE" setuid.nogain
assert_probe_ok "uid 1000"
al_run -u 1000:1000 -- /bin/su -c id
assert_ne 0 "$AL_RC" "su as uid 1000"
assert_not_contains "$AL_OUT" "uid=0" "su output"
t_end

t_begin "the user namespace maps sandbox root to an unprivileged host uid"
al_run -- "$PROBE" userns.mapped ns.private
assert_probe_ok
al_bg run -- "$PROBE" sleep 5
pid=$(wait_probe_pid 10)
if [ -n "$pid" ]; then
	map=$(awk '$1 == 0 {print $2, $3}' "/proc/$pid/uid_map")
	assert_eq "$(sandbox_root_uid)" "${map%% *}" "host uid of sandbox root"
	assert_eq "$(sandbox_root_uid)" "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "host uid of the process"
	if [ "$T_MODE" = root ]; then
		assert_ne "0 0 4294967295" "$(tr -s ' ' <"/proc/$pid/uid_map" | sed 's/^ //')" "uid_map"
		n=$(awk '{s += $3} END {print s}' "/proc/$pid/uid_map")
		[ "$n" -le 65536 ] || t_fail "uid_map maps $n ids"
	fi
	kill "$AL_BG_PID" 2>/dev/null
else
	t_fail "no probe process appeared"
fi
al_bg_wait 10
t_end
