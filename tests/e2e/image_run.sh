#!/bin/bash
# image_run.sh: `airlock run IMAGE`: the root is an overlay of the image's layers (read-only, or with a
# throwaway upper layer), whiteouts and opaque directories honoured, the store never written; the
# image's Env, Cmd, Entrypoint, WorkingDir and User (a name resolved in its /etc/passwd) and their
# overrides; ownership inside; volumes and tmpfs on an image root; nothing left behind.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"
STORE="$AIRLOCK_STATE_ROOT/data/images"

sha() { sha256sum "$1" | cut -d' ' -f1; }
readable() { [ "$T_MODE" = user ] && chown -R "$T_UID:$T_GID" "$@"; return 0; }
# Every file of the store's layers: name, type, size, mode, owner, mtime and content.
layers_state() {
	find "$STORE/layers" -printf '%P %y %s %m %U %T@\n' | sort
	find "$STORE/layers" -type f -exec sha256sum {} + | sort
}

# Move FILE into DIR/blobs/sha256 under its digest; print the digest.
blob() { # DIR FILE
	local h
	h=$(sha "$2")
	mv "$2" "$1/blobs/sha256/$h"
	echo "$h"
}

# An image config over the given layers (diff ids); print its digest.
image_config() { # DIR CONFIG-OBJECT DIFFID...
	local d=$1 cfg=$2 ids="" id
	shift 2
	for id in "$@"; do ids="$ids${ids:+,}\"sha256:$id\""; done
	printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$cfg" "$ids" >"$d/c.json"
	blob "$d" "$d/c.json"
}

manifest_entry() { # CONFIG TAG LAYER...
	local cfg=$1 tag=$2 layers="" l
	shift 2
	for l in "$@"; do layers="$layers${layers:+,}\"blobs/sha256/$l\""; done
	printf '{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":[%s]}' "$cfg" "$tag" "$layers"
}

# A docker save archive of four images over three layers:
#   layer 1: the test rootfs, /data/{a,b}, /etc/gone, /opq/{x,y}
#   layer 2: /hello, /etc/gone deleted (whiteout), /opq opaque with only z, a user and groups added
#   layer 3: /etc/passwd deleted
build_save() { # DIR
	local d=$1 l1 l2 l3 two ep grp nouser
	mkdir -p "$d/blobs/sha256" "$d/l1" "$d/l2/etc" "$d/l2/opq" "$d/l3/etc"
	cp -a "$T_ROOTFS/." "$d/l1/"
	mkdir -p "$d/l1/data" "$d/l1/opq"
	echo a >"$d/l1/data/a"
	echo b >"$d/l1/data/b"
	echo gone >"$d/l1/etc/gone"
	echo x >"$d/l1/opq/x"
	echo y >"$d/l1/opq/y"
	echo hello >"$d/l2/hello"
	: >"$d/l2/etc/.wh.gone"
	: >"$d/l2/opq/.wh..wh..opq"
	echo z >"$d/l2/opq/z"
	{ cat "$T_ROOTFS/etc/passwd"; echo "agent:x:1234:2345:agent:/home/agent:/bin/sh"; } >"$d/l2/etc/passwd"
	{ cat "$T_ROOTFS/etc/group"; echo "agents:x:2345:"; echo "staff:x:3456:agent"; } >"$d/l2/etc/group"
	: >"$d/l3/etc/.wh.passwd"
	tar -C "$d/l1" -cf "$d/l1.tar" .
	tar -C "$d/l2" -cf "$d/l2.tar" .
	tar -C "$d/l3" -cf "$d/l3.tar" .
	rm -rf "$d/l1" "$d/l2" "$d/l3"
	l1=$(blob "$d" "$d/l1.tar")
	l2=$(blob "$d" "$d/l2.tar")
	l3=$(blob "$d" "$d/l3.tar")
	two=$(image_config "$d" '{"Env":["PATH=/bin","FOO=from-image","BAR=image"],"Cmd":["cat","/hello"],"WorkingDir":"/data","User":"agent"}' "$l1" "$l2")
	ep=$(image_config "$d" '{"Env":["PATH=/bin"],"Entrypoint":["/bin/echo","ep:"],"Cmd":["default"]}' "$l1" "$l2")
	grp=$(image_config "$d" '{"Env":["PATH=/bin"],"User":"agent:staff"}' "$l1" "$l2")
	nouser=$(image_config "$d" '{"Env":["PATH=/bin"],"User":"agent"}' "$l1" "$l2" "$l3")
	printf '[%s,%s,%s,%s]' "$(manifest_entry "$two" e2e/run:two "$l1" "$l2")" \
		"$(manifest_entry "$ep" e2e/run:ep "$l1" "$l2")" "$(manifest_entry "$grp" e2e/run:grp "$l1" "$l2")" \
		"$(manifest_entry "$nouser" e2e/run:nouser "$l1" "$l2" "$l3")" >"$d/manifest.json"
}

# An image of N+1 layers: the test rootfs, then N layers each adding /n/I and replacing /last.
build_many() { # DIR N
	local d=$1 i l cfg ids="" layers=""
	mkdir -p "$d/blobs/sha256" "$d/l"
	tar -C "$T_ROOTFS" -cf "$d/l.tar" .
	for ((i = 0; i <= $2; i++)); do
		if [ "$i" -gt 0 ]; then
			rm -rf "$d/l"
			mkdir -p "$d/l/n"
			echo "$i" >"$d/l/n/$i"
			echo "$i" >"$d/l/last"
			tar -C "$d/l" -cf "$d/l.tar" .
		fi
		l=$(blob "$d" "$d/l.tar")
		ids="$ids${ids:+ }$l"
		layers="$layers${layers:+,}\"blobs/sha256/$l\""
	done
	rm -rf "$d/l"
	# shellcheck disable=SC2086
	cfg=$(image_config "$d" '{"Cmd":["cat","/last"]}' $ids)
	printf '[{"Config":"blobs/sha256/%s","RepoTags":["e2e/run:many"],"Layers":[%s]}]' "$cfg" "$layers" >"$d/manifest.json"
}

# ---------------------------------------------------------------- the images

cp -a "$T_ROOTFS" "$T_TMP/rootfs"
readable "$T_TMP/rootfs"
al image import "$T_TMP/rootfs" e2e/run:one
[ "$AL_RC" = 0 ] || echo "setup: import failed: $AL_ERR" >&2
save=$(t_mkdir save)
build_save "$save"
readable "$save"
al image load -i "$save"
[ "$AL_RC" = 0 ] || echo "setup: load failed: $AL_ERR" >&2
many=$(t_mkdir many)
build_many "$many" 120
readable "$many"
al image load -i "$many"
[ "$AL_RC" = 0 ] || echo "setup: load failed: $AL_ERR" >&2
layers_state >"$T_TMP/.lib/layers.before"
snapshot_host

# ---------------------------------------------------------------- the root

t_begin "run from an imported image (--image REF, and REF as the first word)"
al run --image e2e/run:one -- cat /etc/hostname
assert_status 0
assert_eq "airlock-test-rootfs" "$AL_OUT" "--image"
al run e2e/run:one cat /etc/hostname
assert_eq "airlock-test-rootfs" "$AL_OUT" "REF CMD"
t_end

t_begin "the image's root is read-only by default"
for img in e2e/run:one e2e/run:two; do
	al run -u 0 "$img" sh -c 'echo x >/etc/hostname; touch /newfile; rm /bin/ls; ls /bin/ls /etc/hostname'
	assert_contains "$AL_ERR" "Read-only file system" "$img: writes"
	assert_contains "$AL_OUT" "/bin/ls" "$img: rm"
	assert_not_contains "$AL_ERR" "newfile: No such" "$img"
done
t_end

t_begin "--read-only=false: writable, thrown away with the sandbox, the store unchanged"
for img in e2e/run:one e2e/run:two; do
	al run -u 0 --read-only=false "$img" sh -c \
		'echo changed >/etc/hostname && touch /newfile && rm /bin/ls && mkdir -p /made/deep && chmod 700 /etc && cat /etc/hostname && ls /newfile /bin/ls'
	assert_eq "changed|/newfile" "$(printf '%s' "$AL_OUT" | tr '\n' '|')" "$img: writes inside"
	assert_contains "$AL_ERR" "/bin/ls: No such file" "$img: rm"
	al run -u 0 "$img" sh -c 'cat /etc/hostname; ls /newfile /made 2>&1; ls /bin/ls; stat -c %a /etc'
	assert_eq "airlock-test-rootfs" "$(printf '%s\n' "$AL_OUT" | head -n1)" "$img: the next sandbox"
	assert_contains "$AL_OUT" "/newfile: No such file" "$img: the next sandbox"
	assert_contains "$AL_OUT" "/bin/ls" "$img: the next sandbox"
	assert_eq "755" "$(printf '%s\n' "$AL_OUT" | tail -n1)" "$img: /etc mode in the next sandbox"
done
layers_state >"$T_TMP/.lib/layers.after"
assert_eq "" "$(diff "$T_TMP/.lib/layers.before" "$T_TMP/.lib/layers.after" | head -n 5)" "the store's layers"
t_end

t_begin "two layers: a deleted file is absent, an opaque directory hides the lower one"
for ro in true false; do
	al run -u 0 --read-only=$ro e2e/run:two sh -c 'cat /hello; echo $(ls /opq); echo $(ls /data); ls /etc/gone'
	assert_eq "hello|z|a b|" "$(printf '%s\n' "$AL_OUT" | tr '\n' '|')" "--read-only=$ro"
	assert_contains "$AL_ERR" "/etc/gone: No such file" "--read-only=$ro: whiteout"
done
al run -u 0 --read-only=false e2e/run:two sh -c 'echo again >/etc/gone && rm /opq/z && ls -A /opq | wc -l && cat /etc/gone'
assert_eq "0|again|" "$(printf '%s\n' "$AL_OUT" | tr '\n' '|')" "whiteout and opaque directory, written over"
t_end

t_begin "an image of 121 layers (more trees than the status socket holds at once)"
al run e2e/run:many
assert_status 0
assert_eq "120" "$AL_OUT" "the top layer's /last"
al run --read-only=false e2e/run:many sh -c 'ls /n | wc -l; echo x >/last; cat /last'
assert_eq "120|x" "$(printf '%s' "$AL_OUT" | tr '\n' '|')" "every layer, writable"
t_end

# ---------------------------------------------------------------- the image's config

t_begin "the image's Cmd, Env, WorkingDir and User (a name from the image's /etc/passwd)"
al run e2e/run:two
assert_status 0 "Cmd"
assert_eq "hello" "$AL_OUT" "Cmd"
al run e2e/run:two sh -c 'echo "$FOO $BAR|$(pwd)|$(id -u):$(id -g)"'
assert_eq "from-image image|/data|1234:2345" "$AL_OUT" "Env, WorkingDir, User"
al run e2e/run:grp sh -c 'echo "$(id -u):$(id -g)"'
assert_eq "1234:3456" "$AL_OUT" "User NAME:GROUP"
t_end

t_begin "overrides: -e, a given command, -w, -u"
al run -e FOO=cli -w /opq -u 5:6 e2e/run:two sh -c 'echo "$FOO $BAR|$(pwd)|$(id -u):$(id -g)"'
assert_eq "cli image|/opq|5:6" "$AL_OUT"
al run -u 0 e2e/run:two cat /data/a
assert_eq "a" "$AL_OUT" "a command replaces Cmd"
al run -w /new/dir e2e/run:two pwd
assert_eq "/new/dir" "$AL_OUT" "a workdir the image lacks"
t_end

t_begin "Entrypoint, and its overrides by a command and --entrypoint"
al run e2e/run:ep
assert_eq "ep: default" "$AL_OUT" "Entrypoint + Cmd"
al run e2e/run:ep one two
assert_eq "ep: one two" "$AL_OUT" "Entrypoint + command"
al run --entrypoint /bin/cat e2e/run:ep /hello
assert_eq "hello" "$AL_OUT" "--entrypoint"
al run --entrypoint "" e2e/run:ep echo plain
assert_eq "plain" "$AL_OUT" "--entrypoint \"\""
t_end

t_begin "a User the image does not have (its /etc/passwd deleted by a layer) is an error"
al run e2e/run:nouser true
assert_airlock_error "image e2e/run:nouser: User agent: no such user in the image"
al run -u 0 e2e/run:nouser sh -c 'ls /etc/passwd'
assert_contains "$AL_ERR" "No such file" "the whiteout inside"
t_end

t_begin "the image's root-owned files are owned by uid 0 inside"
if [ "$T_MODE" = root ]; then
	owner=$(stat -c %u "$(find "$STORE/layers" -path '*/fs/bin/busybox' | head -n1)")
	assert_eq "0" "$owner" "on the host, the store's files"
fi
for img in e2e/run:one e2e/run:two; do
	al run -u 0 "$img" stat -c %u /etc/passwd /bin/busybox /
	assert_eq "0|0|0" "$(printf '%s' "$AL_OUT" | tr '\n' '|')" "$img"
	al run -u 0 --read-only=false "$img" sh -c 'echo new >/etc/hostname && stat -c %u /etc/hostname /etc'
	assert_eq "0|0" "$(printf '%s' "$AL_OUT" | tr '\n' '|')" "$img --read-only=false"
done
t_end

# ---------------------------------------------------------------- volumes and tmpfs

t_begin "volumes and --tmpfs on an image root"
vol=$(t_mkdir vol 0777)
echo in >"$vol/in"
chmod 0666 "$vol/in"
for img in e2e/run:one e2e/run:two; do
	for ro in true false; do
		rm -f "$vol/out"
		al run -u 0 --read-only=$ro -v "$vol:/data/vol" -v "$vol:/workspace" -v "$vol:/ro:ro" \
			--tmpfs /scratch -w /data/vol "$img" \
			sh -c 'cat in /workspace/in && echo out >/data/vol/out && echo t >/scratch/t && cat /scratch/t && pwd && (echo x >/ro/x) 2>/dev/null || echo ro-refused'
		assert_eq "in|in|t|/data/vol|ro-refused|" "$(printf '%s\n' "$AL_OUT" | tr '\n' '|')" "$img --read-only=$ro"
		assert_eq "out" "$(cat "$vol/out" 2>/dev/null)" "$img --read-only=$ro: the volume on the host"
	done
done
al run -u 0 e2e/run:two sh -c 'echo $(ls /data)'
assert_eq "a b" "$AL_OUT" "no volume target left in the image"
layers_state >"$T_TMP/.lib/layers.after"
assert_eq "" "$(diff "$T_TMP/.lib/layers.before" "$T_TMP/.lib/layers.after" | head -n 5)" "the store's layers"
t_end

t_begin "nothing left behind: mounts, processes, files"
assert_no_leaks
t_end
