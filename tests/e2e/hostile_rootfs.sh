#!/bin/bash
# hostile_rootfs.sh: a rootfs whose /proc, /dev, /tmp, /sys and volume targets are symlinks to host
# paths (absolute, or relative with ../../..) must not let any mount land outside the rootfs nor any
# write reach the host (CVE-2021-30465, THREATS 3). airlock may refuse such a rootfs (125) or run
# it with every mount inside; either way the host decoys stay untouched and the rootfs unchanged.
# modes: root user
. "$(dirname "$0")/../lib.sh"

decoy="/tmp/al-hostile-$$"
rm -rf "$decoy"
mkdir -p "$decoy"/{etc,dev,tmp,proc,out,ws,sys,deep}
echo "decoy" >"$decoy/file"
chmod -R 0777 "$decoy"
chown -R "$T_UID:$T_GID" "$decoy"
decoy_state() { find "$decoy" -printf '%p %s %m %U\n' | sort; }
decoy_state >"$T_TMP/.lib/decoy.before"

hostile="$T_TMP/hostile"
cp -a "$T_ROOTFS" "$hostile"
rm -rf "$hostile"/{proc,dev,tmp,sys,workspace}
ln -s "$decoy/proc" "$hostile/proc"
ln -s "$decoy/dev" "$hostile/dev"
ln -s "../../../../../../../..$decoy/tmp" "$hostile/tmp"
ln -s "$decoy/sys" "$hostile/sys"
ln -s "$decoy/ws" "$hostile/workspace"
ln -s "../../../../../../..$decoy/out" "$hostile/out"
ln -s "$decoy" "$hostile/deep"
ln -s "$decoy/file" "$hostile/etc/resolv.conf"
ln -s loop "$hostile/loop"
hostile_state() { find "$hostile" -printf '%p %s %m %l\n' | sort; }
hostile_state >"$T_TMP/.lib/hostile.before"

vol=$(t_mkdir vol)
ws=$(t_mkdir ws)
echo "host-file" >"$T_TMP/bindfile"
chmod 0644 "$T_TMP/bindfile"

check_host_untouched() {
	decoy_state >"$T_TMP/.lib/decoy.after"
	d=$(diff "$T_TMP/.lib/decoy.before" "$T_TMP/.lib/decoy.after" | head -n 5)
	assert_eq "" "$d" "changes in the host decoy $decoy"
	hostile_state >"$T_TMP/.lib/hostile.after"
	d=$(diff "$T_TMP/.lib/hostile.before" "$T_TMP/.lib/hostile.after" | head -n 5)
	assert_eq "" "$d" "changes in the rootfs"
	assert_eq "decoy" "$(cat "$decoy/file")" "host decoy file"
}

ran_or_refused() { # WHAT
	case "$AL_RC" in
	125) assert_airlock_error ;;
	0) ;;
	*) t_fail "$1: status $AL_RC (want 0, or 125 for a refusal): $(_short "$AL_ERR")" ;;
	esac
}

t_begin "symlinked /proc, /dev, /tmp, /sys: mounts stay inside the root"
snapshot_host
al run --rootfs "$hostile" -- /bin/sh -c 'echo pwned > /tmp/f; echo pwned > /dev/f; ls /proc/self >/dev/null; echo done'
ran_or_refused "hostile rootfs"
[ "$AL_RC" = 0 ] && assert_eq "done" "$(printf '%s\n' "$AL_OUT" | tail -n1)" "command output"
check_host_untouched
assert_no_leaks
t_end

t_begin "the probe inside a hostile rootfs still finds a sane sandbox"
al run --rootfs "$hostile" -- /probe caps.zero seccomp.mode proc.kcore dev.minimal cwd.inside fds.none
ran_or_refused "probe"
[ "$AL_RC" = 125 ] || assert_probe_ok
check_host_untouched
t_end

t_begin "volume targets that are symlinks to host paths"
snapshot_host
al run --rootfs "$hostile" -v "$ws:/workspace:ro" -v "$vol:/out" -- /bin/sh -c 'echo pwned > /out/f; echo done'
ran_or_refused "symlinked volume targets"
if [ "$AL_RC" = 0 ]; then
	assert_eq "pwned" "$(cat "$vol/f" 2>/dev/null)" "the write landed in the volume"
fi
check_host_untouched
assert_no_leaks
t_end

t_begin "a volume target below a symlinked directory (/deep -> host dir)"
snapshot_host
al run --rootfs "$hostile" -v "$vol:/deep/inner" --tmpfs /deep/t -- /bin/sh -c 'echo pwned > /deep/inner/g; echo pwned > /deep/t/g'
ran_or_refused "volume below a symlink"
[ "$AL_RC" = 0 ] && assert_eq "pwned" "$(cat "$vol/g" 2>/dev/null)" "the write landed in the volume"
assert_file_absent "$decoy/inner"
assert_file_absent "$decoy/t"
check_host_untouched
assert_no_leaks
t_end

t_begin "a file bind over a symlinked file (/etc/resolv.conf -> host file)"
al run --rootfs "$hostile" -v "$T_TMP/bindfile:/etc/resolv.conf:ro" -- /bin/cat /etc/resolv.conf
ran_or_refused "file bind over a symlink"
[ "$AL_RC" = 0 ] && assert_eq "host-file" "$AL_OUT" "content seen inside"
check_host_untouched
t_end

t_begin "a symlink loop as a target is an error, not a hang"
snapshot_host
al run --rootfs "$hostile" -v "$vol:/loop" -- /bin/true
ran_or_refused "symlink loop"
check_host_untouched
assert_no_leaks
t_end

t_begin "--read-only=false over a hostile rootfs"
al run --rootfs "$hostile" --read-only=false -- /bin/sh -c 'echo pwned > /deep/file; echo pwned > /etc/resolv.conf; echo pwned > /tmp/x; true'
ran_or_refused "writable layer"
check_host_untouched
t_end

t_begin "a rootfs that is itself a symlink to a directory works like the directory"
ln -s "$T_ROOTFS" "$T_TMP/rootfs-link"
al run --rootfs "$T_TMP/rootfs-link" -- /bin/echo via-link
assert_status 0
assert_eq "via-link" "$AL_OUT"
t_end

rm -rf "$decoy"
