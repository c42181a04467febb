#!/bin/bash
# mkrootfs.sh: build the small test rootfs (static busybox + applet links, the static probe at /probe,
# /etc/passwd and /etc/group) without network. Usage: mkrootfs.sh DIR PROBE. Rebuilt when PROBE is newer.
set -euo pipefail

dir=${1:?usage: mkrootfs.sh DIR PROBE}
probe=${2:?usage: mkrootfs.sh DIR PROBE}
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || busybox=/bin/busybox
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
	echo "mkrootfs: $busybox is not static (apt-get install busybox-static)" >&2
	exit 1
fi

if [ -x "$dir/probe" ] && [ "$dir/probe" -nt "$probe" ] && [ -e "$dir/.complete" ]; then
	exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,tmp,root,home,var,run,workspace,usr/bin}
chmod 1777 "$tmp/tmp"
chmod 0700 "$tmp/root"
cp "$busybox" "$tmp/bin/busybox"
for applet in sh ash cat ls id echo sleep mkdir touch stat rm cp mv ln pwd true false env printf test \
	wc head tail grep sed awk sort uniq cut tr readlink realpath dirname basename hostname uname \
	ps kill mount umount df du find xargs chmod chown date seq yes dd tee ulimit whoami nproc \
	timeout which nohup setsid su passwd nc ip ifconfig stty; do
	ln -sf busybox "$tmp/bin/$applet"
done
cp "$probe" "$tmp/probe"
chmod 0755 "$tmp/probe"
cat >"$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$tmp/etc/group" <<'EOF'
root:x:0:
user:x:1000:
nogroup:x:65534:
EOF
echo "airlock-test-rootfs" >"$tmp/etc/hostname"
printf 'root:$6$secret$hash:19000:0:99999:7:::\n' >"$tmp/etc/shadow"
chmod 0600 "$tmp/etc/shadow"
touch "$tmp/.complete"
rm -rf "$dir"
mv "$tmp" "$dir"
