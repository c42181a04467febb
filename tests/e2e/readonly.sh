#!/bin/bash
# readonly.sh: the root is read-only by default (--read-only, =true); --read-only=false gives a
# throwaway writable layer that vanishes with the sandbox; host secrets and private dirs stay hidden.
# modes: root user
. "$(dirname "$0")/../lib.sh"

t_begin "the root is read-only by default (host root and --rootfs)"
al_run -- "$PROBE" rootfs.ro
assert_probe_ok "host root"
al_rootfs -- /probe rootfs.ro
assert_probe_ok "--rootfs"
al_run -- /bin/sh -c 'echo x > /etc/airlock-e2e; echo $?'
assert_file_absent /etc/airlock-e2e
t_end

t_begin "--read-only and --read-only=true are the default"
for flag in --read-only --read-only=true; do
	al_rootfs "$flag" -- /probe rootfs.ro
	assert_probe_ok "$flag"
done
t_end

t_begin "--read-only=false: new files and directories can be created anywhere"
al_rootfs --read-only=false -- /bin/sh -c 'echo new > /newfile && mkdir -p /usr/x && echo e > /etc/extra && cat /newfile /etc/extra'
assert_status 0
assert_eq "new e" "$(echo $AL_OUT)"
t_end

t_begin "--read-only=false: existing files of the rootfs can be modified (root: idmapped rootfs)"
if [ "$T_MODE" = root ]; then
	al_rootfs --read-only=false -- /bin/sh -c 'echo changed > /etc/hostname && cat /etc/hostname && rm /bin/true && ! test -e /bin/true'
	assert_status 0
	assert_eq "changed" "$AL_OUT"
	al_rootfs -- /bin/sh -c 'stat -c %u:%g /etc/hostname'
	assert_eq "0:0" "$AL_OUT" "root-owned rootfs files belong to the sandbox's root"
else
	# Rootless, the rootfs's owner (host root) is not mapped: its files cannot be modified
	# (docs/security.md, known limits), but they are not writable through the layer either.
	al_rootfs --read-only=false -- /bin/sh -c 'echo changed > /etc/hostname'
	assert_ne 0 "$AL_RC" "exit status"
	assert_eq "airlock-test-rootfs" "$(cat "$T_ROOTFS/etc/hostname")" "rootfs /etc/hostname"
	t_skip "modification of root-owned files needs a mapped owner (rootless maps only the caller)"
fi
t_end

t_begin "--read-only=false: the writes vanish with the sandbox and never reach the rootfs"
assert_eq "airlock-test-rootfs" "$(cat "$T_ROOTFS/etc/hostname")" "rootfs /etc/hostname"
assert_file_absent "$T_ROOTFS/newfile"
assert_file_absent "$T_ROOTFS/usr/x"
assert_file_absent "$T_ROOTFS/etc/extra"
[ -e "$T_ROOTFS/bin/true" ] || t_fail "/bin/true removed from the rootfs"
grep -q '# e2e' /etc/hosts && t_fail "host /etc/hosts modified"
al_rootfs --read-only=false -- /bin/sh -c 'cat /etc/hostname; ls /newfile 2>/dev/null'
assert_eq "airlock-test-rootfs" "$AL_OUT" "the next sandbox's view"
t_end

t_begin "--read-only=false over the host root does not touch the host"
snapshot_host
marker="airlock-e2e-rw-$$"
al_run --read-only=false -- /bin/sh -c "echo x > /etc/$marker && echo y > /usr/$marker && echo z > /$marker && cat /etc/$marker"
assert_status 0
assert_eq "x" "$AL_OUT"
assert_file_absent "/etc/$marker"
assert_file_absent "/usr/$marker"
assert_file_absent "/$marker"
assert_no_leaks
t_end

t_begin "--read-only=false still keeps volumes and tmpfs working, ro volumes read-only"
ro=$(t_mkdir ro)
rw=$(t_mkdir rw)
al_rootfs --read-only=false -v "$ro:/ro:ro" -v "$rw:/rw" --tmpfs /t -- /bin/sh -c 'echo a > /rw/a && echo b > /t/b && ! echo c > /ro/c'
assert_status 0
assert_eq "a" "$(cat "$rw/a" 2>/dev/null)" "rw volume"
assert_file_absent "$ro/c"
t_end

t_begin "host root: /home /root /run /var /tmp /mnt /media /srv are empty"
al_run -e AIRLOCK_PROBE_HOSTROOT=1 -- "$PROBE" hostroot.empty
assert_probe_ok
al_run -- /bin/sh -c 'ls -A /home /root /run /var /tmp /mnt /media /srv'
assert_eq "" "$(printf '%s\n' "$AL_OUT" | grep -v ':$' | grep -v '^$')" "entries"
t_end

t_begin "host root: /etc/shadow, /etc/gshadow and ssh host keys are hidden"
al_run -e AIRLOCK_PROBE_HOSTROOT=1 -- "$PROBE" secrets.hidden
assert_probe_ok
al_run -- /bin/sh -c 'cat /etc/shadow /etc/gshadow /etc/ssh/ssh_host_*_key 2>/dev/null'
assert_eq "" "$AL_OUT" "secret contents"
t_end
