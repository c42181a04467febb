#!/bin/bash
# tmpfs.sh: --tmpfs DST[:size=N,mode=M]: private, writable, size-capped, gone with the sandbox;
# the default /tmp of the host-root sandbox is the same. A disk fill ends with ENOSPC, not on the host.
# modes: root user
. "$(dirname "$0")/../lib.sh"

mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)

t_begin "--tmpfs is writable and private to one sandbox"
snapshot_host
al_rootfs --tmpfs /scratch -- /bin/sh -c 'echo data > /scratch/f && cat /scratch/f'
assert_status 0 "first run"
assert_eq "data" "$AL_OUT"
al_rootfs --tmpfs /scratch -- /bin/ls -A /scratch
assert_status 0 "second run"
assert_eq "" "$AL_OUT" "contents seen by the next sandbox"
assert_file_absent "$T_ROOTFS/scratch"
assert_no_leaks
t_end

t_begin "size=1m caps the tmpfs: a disk fill stops at ENOSPC near 1 MiB"
al_rootfs --tmpfs /scratch:size=1m -- /probe diskfill /scratch/fill 64
assert_status 0 "diskfill hit a limit"
assert_contains "$AL_OUT" "No space left on device"
bytes=$(printf '%s' "$AL_OUT" | sed -n 's/^diskfill: wrote \([0-9]*\) bytes.*/\1/p')
assert_le "${bytes:-999999999}" $((1024 * 1024 + 65536)) "bytes written"
t_end

t_begin "size accepts docker's suffixes (512k, 2m)"
al_rootfs --tmpfs /a:size=512k --tmpfs /b:size=2m -- /bin/sh -c 'stat -f -c "%b %S" /a; stat -f -c "%b %S" /b'
assert_status 0
a=$(printf '%s\n' "$AL_OUT" | sed -n 1p | awk '{print $1 * $2}')
b=$(printf '%s\n' "$AL_OUT" | sed -n 2p | awk '{print $1 * $2}')
assert_eq 524288 "$a" "size of /a"
assert_eq 2097152 "$b" "size of /b"
t_end

t_begin "mode= sets the tmpfs root's permissions"
al_rootfs --tmpfs /scratch:mode=0700 -- /bin/stat -c %a /scratch
assert_status 0
assert_eq 700 "$AL_OUT" "mode of /scratch"
al_rootfs --tmpfs /scratch:size=1m,mode=1777 -- /bin/stat -c %a /scratch
assert_eq 1777 "$AL_OUT" "mode with size"
t_end

t_begin "a tmpfs without size= is still capped (not half the RAM)"
al_rootfs --tmpfs /scratch -- /bin/stat -f -c "%b %S" /scratch
assert_status 0
kb=$(printf '%s' "$AL_OUT" | awk '{print int($1 * $2 / 1024)}')
[ -n "$kb" ] && [ "$kb" -lt $((mem_kb / 2 - 1024)) ] || t_fail "default tmpfs is ${kb} kB of ${mem_kb} kB RAM"
t_end

t_begin "a tmpfs DST that does not exist in the rootfs"
al_rootfs --tmpfs /not/there/yet -- /bin/sh -c 'echo ok > /not/there/yet/f && cat /not/there/yet/f'
assert_status 0
assert_eq "ok" "$AL_OUT"
assert_file_absent "$T_ROOTFS/not"
t_end

t_begin "the host-root sandbox's /tmp is a private, writable, capped tmpfs"
marker="airlock-e2e-tmp-$$"
al_run -- /bin/sh -c "echo x > /tmp/$marker && ls -A /tmp && stat -f -c '%T %b %S' /tmp"
assert_status 0
assert_contains "$AL_OUT" "$marker" "listing"
assert_file_absent "/tmp/$marker"
kb=$(printf '%s\n' "$AL_OUT" | tail -n1 | awk '{print int($2 * $3 / 1024)}')
[ -n "$kb" ] && [ "$kb" -gt 0 ] && [ "$kb" -lt $((mem_kb / 2 - 1024)) ] || t_fail "/tmp is ${kb} kB of ${mem_kb} kB RAM"
t_end

t_begin "a disk fill of /tmp ends with ENOSPC inside the sandbox"
before=$(df -k --output=avail / | tail -n1)
al_run --tmpfs /tmp:size=16m -- "$PROBE" diskfill /tmp/fill 512
assert_status 0 "diskfill hit a limit"
assert_contains "$AL_OUT" "No space left on device"
after=$(df -k --output=avail / | tail -n1)
[ $((before - after)) -lt 8192 ] || t_fail "host disk lost $((before - after)) kB"
t_end
