#!/bin/bash
# user.sh: -u UID[:GID], -w DIR, --hostname, --name: identity, working directory and UTS namespace
# (hostname changes stay inside, THREATS 5).
# modes: root user
. "$(dirname "$0")/../lib.sh"

host_uid_of() { # UID inside -> host uid for the current mode
	if [ "$T_MODE" = user ]; then echo "$T_UID"; else echo $((T_SANDBOX_UID_BASE + $1)); fi
}

t_begin "the default user is root inside (uid 0, gid 0)"
al_rootfs -- /probe id
assert_status 0
assert_match "$AL_OUT" '^uid=0 gid=0 euid=0 egid=0' "id"
t_end

t_begin "-u UID:GID runs as that user and group inside"
al_rootfs -u 1000:1001 -- /probe id
assert_status 0
assert_match "$AL_OUT" '^uid=1000 gid=1001 euid=1000 egid=1001' "id"
al_rootfs -u 1000 -- /bin/id -u
assert_eq "1000" "$AL_OUT" "-u UID alone"
t_end

t_begin "-u UID is an unprivileged host uid"
al_bg run --rootfs "$T_ROOTFS" -u 1000:1000 -- /probe sleep 5
pid=$(wait_probe_pid 10)
if [ -n "$pid" ]; then
	assert_eq "$(host_uid_of 1000)" "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" "host uid"
	kill "$AL_BG_PID" 2>/dev/null
else
	t_fail "no probe process appeared"
fi
al_bg_wait 10
t_end

t_begin "-u 1000 writes to an rw volume as the volume's owner"
own=$(t_mkdir own)
chown "$T_UID:$T_GID" "$own"
al_rootfs -u 1000:1000 -v "$own:/out" -- /probe writefile /out/f x
assert_status 0
assert_eq "$T_UID" "$(stat -c %u "$own/f" 2>/dev/null)" "host owner"
t_end

t_begin "the default working directory is /"
al_rootfs -- /probe cwd
assert_eq "/" "$AL_OUT"
t_end

t_begin "-w sets the working directory"
al_rootfs -w /etc -- /probe cwd
assert_status 0
assert_eq "/etc" "$AL_OUT"
vol=$(t_mkdir wd)
al_rootfs -v "$vol:/work" -w /work -- /bin/sh -c 'pwd; echo x > here'
assert_eq "/work" "$AL_OUT"
[ -f "$vol/here" ] || t_fail "relative write did not land in the volume"
al_run -w /usr/bin -- "$PROBE" cwd.inside
assert_probe_ok "cwd.inside"
t_end

t_begin "--hostname sets the hostname inside; the host's is unchanged"
host_before=$(hostname)
al_rootfs --hostname e2e-host -- /bin/hostname
assert_status 0
assert_eq "e2e-host" "$AL_OUT"
al_rootfs --hostname e2e-host -- /probe hostname.private
assert_probe_ok
al_rootfs --cap-add SYS_ADMIN --hostname e2e-host -- /bin/sh -c 'hostname changed-inside; hostname'
assert_eq "$host_before" "$(hostname)" "host hostname"
assert_eq "$host_before" "$(cat /proc/sys/kernel/hostname)" "host /proc/sys/kernel/hostname"
t_end

t_begin "the default hostname is not the host's"
al_rootfs -- /bin/hostname
assert_status 0
assert_ne "$(hostname)" "$AL_OUT" "hostname"
[ -n "$AL_OUT" ] || t_fail "empty hostname"
t_end

t_begin "--name is accepted"
al_rootfs --name "e2e-name-$$" -- /bin/true
assert_status 0
t_end
