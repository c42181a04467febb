#!/bin/bash
# volumes.sh: -v SRC:DST[:ro|rw]: read-only and read-write binds, named volumes, DST that does not
# exist in the rootfs, the rootfs directory never written, host ownership of files written to rw volumes.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

rootfs_state() { find "$T_ROOTFS" -printf '%p %s %m %U:%G %T@\n' 2>/dev/null | sort; }
rootfs_state >"$T_TMP/.lib/rootfs.before"

t_begin "a :ro volume is readable and not writable"
ro=$(t_mkdir ro)
echo "ro-content" >"$ro/file"
al_run -v "$ro:/data:ro" -- /bin/cat /data/file
assert_status 0 "read"
assert_eq "ro-content" "$AL_OUT" "content"
al_run -v "$ro:/data:ro" -- "$PROBE" writefile /data/new x
assert_ne 0 "$AL_RC" "write status"
assert_file_absent "$ro/new"
al_run -v "$ro:/data:ro" -- "$PROBE" writefile /data/file changed
assert_eq "ro-content" "$(cat "$ro/file")" "host file after overwrite attempt"
t_end

t_begin "a volume is read-write by default and :rw works"
rw=$(t_mkdir rw)
al_run -v "$rw:/out" -- "$PROBE" writefile /out/a "from-sandbox"
assert_status 0 "default rw"
assert_eq "from-sandbox" "$(cat "$rw/a" 2>/dev/null)" "host sees"
al_run -v "$rw:/out:rw" -- /bin/sh -c 'echo appended >> /out/a && mkdir /out/d && echo x > /out/d/f'
assert_status 0 ":rw"
assert_eq "from-sandboxappended" "$(tr -d '\n' <"$rw/a")" "host sees append"
[ -f "$rw/d/f" ] || t_fail "directory written in the volume missing on the host"
t_end

t_begin "files written to an rw volume belong to the volume's owner on the host"
own=$(t_mkdir owned)
chown "$T_UID:$T_GID" "$own"
al_run -v "$own:/out" -- /bin/sh -c 'echo x > /out/f; mkdir /out/sub; echo y > /out/sub/g'
assert_status 0
assert_eq "$T_UID:$T_GID" "$(stat -c %u:%g "$own/f" 2>/dev/null)" "owner of /out/f"
assert_eq "$T_UID:$T_GID" "$(stat -c %u:%g "$own/sub/g" 2>/dev/null)" "owner of /out/sub/g"
t_end

t_begin "as root, a volume owned by another host user maps to that user"
if t_only_mode root; then
	other=$(t_mkdir other)
	chown 12345:12346 "$other"
	al_run -v "$other:/out" -- /bin/sh -c 'echo x > /out/f && stat -c %u /out'
	assert_status 0
	assert_eq "12345:12346" "$(stat -c %u:%g "$other/f" 2>/dev/null)" "owner of the written file"
	# The host owner never shows up as an unmapped id inside.
	assert_ne "65534" "$AL_OUT" "owner of /out as seen inside"
	# And nothing written by the sandbox lands in the sandbox's own host uid range.
	found=$(find "$T_TMP" -uid "$T_SANDBOX_UID_BASE" 2>/dev/null | head -n1)
	assert_eq "" "$found" "files owned by the sandbox uid range"
fi
t_end

t_begin "a DST that does not exist in the rootfs is created inside only"
vol=$(t_mkdir dst)
echo deep >"$vol/f"
al_rootfs -v "$vol:/does/not/exist/deep:ro" -- /bin/cat /does/not/exist/deep/f
assert_status 0
assert_eq "deep" "$AL_OUT"
assert_file_absent "$T_ROOTFS/does"
al_run -v "$vol:/airlock-e2e-nonexistent-$$/x:ro" -- /bin/cat "/airlock-e2e-nonexistent-$$/x/f"
assert_status 0 "host root"
assert_eq "deep" "$AL_OUT"
assert_file_absent "/airlock-e2e-nonexistent-$$"
t_end

t_begin "nested volumes are both visible"
outer=$(t_mkdir outer)
inner=$(t_mkdir inner)
echo o >"$outer/o"
echo i >"$inner/i"
al_rootfs -v "$outer:/data:ro" -v "$inner:/data/sub:ro" -- /bin/cat /data/o /data/sub/i
assert_status 0
assert_eq "o i" "$(echo $AL_OUT)"
t_end

t_begin "a single file can be bound"
echo "file-bind" >"$T_TMP/single"
[ "$T_MODE" = user ] && chown "$T_UID" "$T_TMP/single"
al_rootfs -v "$T_TMP/single:/etc/single.conf:ro" -- /bin/cat /etc/single.conf
assert_status 0
assert_eq "file-bind" "$AL_OUT"
assert_file_absent "$T_ROOTFS/etc/single.conf"
t_end

t_begin "a named volume is created on first use and persists"
name="e2e-vol-$$"
if [ "$T_MODE" = user ]; then voldir="$T_HOME/.local/share/airlock/volumes/$name"; else voldir="/var/lib/airlock/volumes/$name"; fi
al_rootfs -v "$name:/data" -- /probe writefile /data/f persisted
assert_status 0 "first run"
al_rootfs -v "$name:/data:ro" -- /bin/cat /data/f
assert_status 0 "second run"
assert_eq "persisted" "$AL_OUT" "content in the second sandbox"
[ -d "$voldir" ] || t_fail "named volume not at $voldir"
assert_eq "$(caller_uid)" "$(stat -c %u "$voldir/f" 2>/dev/null)" "host owner of the file in the named volume"
rm -rf "$voldir"
t_end

t_begin "the rootfs directory is never written"
al_rootfs --tmpfs /tmp -- /bin/sh -c 'echo x > /tmp/x'
al_rootfs --read-only=false -- /bin/sh -c 'echo x > /etc/passwd; echo y > /new; mkdir -p /usr/x'
rootfs_state >"$T_TMP/.lib/rootfs.after"
d=$(diff "$T_TMP/.lib/rootfs.before" "$T_TMP/.lib/rootfs.after" | head -n 5)
assert_eq "" "$d" "changes in $T_ROOTFS"
t_end

t_begin "as root, a rootfs and volumes under a 0700 directory work (the launcher opens them)"
if t_only_mode root; then
	priv=$(t_mkdir private 700)
	mkdir -p "$priv/ws" "$priv/out"
	echo "secret-ws" >"$priv/ws/f"
	chmod 700 "$priv/ws"
	cp -a "$T_ROOTFS" "$priv/rootfs"
	al run --rootfs "$priv/rootfs" -v "$priv/ws:/ws:ro" -v "$priv/out:/out" -- /bin/sh -c 'cat /ws/f && echo w > /out/w'
	assert_status 0
	assert_eq "secret-ws" "$AL_OUT"
	assert_eq "0:0" "$(stat -c %u:%g "$priv/out/w" 2>/dev/null)" "owner of /out/w"
	rm -rf "$priv/rootfs"
fi
t_end
