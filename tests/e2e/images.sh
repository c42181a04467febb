#!/bin/bash
# images.sh: `airlock image import|load|ls|inspect|tag|rm` against a private store: a rootfs directory,
# a `docker save` archive and an OCI layout built here from the test rootfs; corrupt and tar-slip input
# refused with the store unchanged; docker's "No such image" and exit codes.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"
STORE="$AIRLOCK_STATE_ROOT/data/images"

store_state() { find "$AIRLOCK_STATE_ROOT" -printf '%P %y %s\n' 2>/dev/null | grep -v '^data/images/lock\|layers.lock' | sort; cat "$STORE/repositories.json" 2>/dev/null; }
sha() { sha256sum "$1" | cut -d' ' -f1; }
readable() { [ "$T_MODE" = user ] && chown -R "$T_UID:$T_GID" "$@"; return 0; }

# A docker save archive: layer 1 the test rootfs, layer 2 adds /hello and deletes /etc/hostname-gone.
build_save() { # DIR TAG
	local d=$1 l1 l2 cfg
	mkdir -p "$d/blobs/sha256" "$d/l2/etc"
	tar -C "$T_ROOTFS" -cf "$d/layer1.tar" .
	echo hello >"$d/l2/hello"
	: >"$d/l2/etc/.wh.passwd"
	tar -C "$d/l2" -cf "$d/layer2.tar" .
	l1=$(sha "$d/layer1.tar")
	l2=$(sha "$d/layer2.tar")
	mv "$d/layer1.tar" "$d/blobs/sha256/$l1"
	mv "$d/layer2.tar" "$d/blobs/sha256/$l2"
	printf '{"architecture":"amd64","os":"linux","created":"2024-05-06T07:08:09Z","config":{"Env":["PATH=/bin"],"Cmd":["/bin/sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' "$l1" "$l2" >"$d/config.json"
	cfg=$(sha "$d/config.json")
	mv "$d/config.json" "$d/blobs/sha256/$cfg"
	printf '[{"Config":"blobs/sha256/%s","RepoTags":["%s"],"Layers":["blobs/sha256/%s","blobs/sha256/%s"]}]' \
		"$cfg" "$2" "$l1" "$l2" >"$d/manifest.json"
	rm -rf "$d/l2"
	echo "$cfg"
}

t_begin "import of a rootfs directory, ls, inspect, tag, rm"
cp -a "$T_ROOTFS" "$T_TMP/rootfs"
readable "$T_TMP/rootfs" # rootless, the caller must be able to read the whole tree
al image import "$T_TMP/rootfs" e2e/rootfs:v1
assert_status 0 "import"
assert_match "$AL_OUT" '^sha256:[0-9a-f]{64}$' "import prints the id"
id=${AL_OUT#sha256:}
al image ls
assert_contains "$AL_OUT" "e2e/rootfs" "ls"
assert_contains "$AL_OUT" "${id:0:12}" "ls short id"
al image ls --format json
assert_eq "v1" "$(printf '%s' "$AL_OUT" | jq -r 'select(.Repository=="e2e/rootfs") | .Tag')" "ls json"
al image inspect e2e/rootfs:v1
assert_eq "sha256:$id" "$(printf '%s' "$AL_OUT" | jq -r '.[0].Id')" "inspect Id"
assert_eq "layers" "$(printf '%s' "$AL_OUT" | jq -r '.[0].RootFS.Type')" "RootFS.Type"
al image tag e2e/rootfs:v1 e2e/other
assert_status 0 "tag"
al image rm e2e/other
assert_eq "Untagged: e2e/other:latest" "$AL_OUT" "rm of one tag"
al image rm e2e/rootfs:v1
assert_contains "$AL_OUT" "Deleted: sha256:$id" "rm of the last tag deletes the image"
t_end

t_begin "an unknown image: exit 1 and \"No such image\" as docker"
al image inspect openclaw-sandbox:bookworm-slim
assert_status 1
assert_contains "$AL_ERR" "No such image: openclaw-sandbox:bookworm-slim"
al image rm nosuch:tag
assert_status 1
assert_contains "$AL_ERR" "No such image: nosuch:tag"
t_end

t_begin "load of a docker save archive with a whiteout"
save=$(t_mkdir save)
cfg=$(build_save "$save" e2e/saved:v1)
(cd "$save" && tar -cf ../save.tar manifest.json blobs)
readable "$T_TMP/save.tar" "$save"
al image load -i "$T_TMP/save.tar"
assert_status 0 "load"
assert_eq "Loaded image: e2e/saved:v1" "$AL_OUT"
al image inspect -f '{{.Id}}' e2e/saved:v1
assert_eq "sha256:$cfg" "$AL_OUT" "the id is the config's digest"
al image inspect e2e/saved:v1
assert_eq "2" "$(printf '%s' "$AL_OUT" | jq '.[0].RootFS.Layers | length')" "two layers"
assert_eq "/bin/sh" "$(printf '%s' "$AL_OUT" | jq -r '.[0].Config.Cmd[0]')" "Config.Cmd"
top=$(printf '%s' "$AL_OUT" | jq -r '.[0].RootFS.Layers[1]' | cut -d: -f2)
assert_file_absent "$STORE/layers/sha256/$top/fs/etc/.wh.passwd"
kind=$(stat -c %F "$STORE/layers/sha256/$top/fs/etc/passwd" 2>/dev/null)
if [ "$T_MODE" = user ]; then
	assert_eq "regular empty file" "$kind" "rootless whiteout"
else
	assert_eq "character special file" "$kind" "whiteout"
fi
al image load -i "$save"
assert_status 0 "the same archive as a directory"
t_end

t_begin "a corrupt or truncated archive is refused and the store is unchanged"
store_state >"$T_TMP/.lib/store.before"
head -c 20000 "$T_TMP/save.tar" >"$T_TMP/trunc.tar"
readable "$T_TMP/trunc.tar"
al image load -i "$T_TMP/trunc.tar"
assert_airlock_error "trunc.tar"
bad=$(t_mkdir bad)
build_save "$bad" e2e/bad:v1 >/dev/null
blob=$(ls "$bad/blobs/sha256" | head -n1)
printf 'X' | dd of="$bad/blobs/sha256/$blob" bs=1 seek=700 conv=notrunc 2>/dev/null
readable "$bad"
al image load -i "$bad"
assert_airlock_error "$(basename "$bad")"
# Which blob comes first varies: a flipped byte shows as a digest mismatch or as a corrupt entry.
assert_match "$AL_ERR" 'mismatch|corrupt' "error message"
store_state >"$T_TMP/.lib/store.after"
assert_eq "" "$(diff "$T_TMP/.lib/store.before" "$T_TMP/.lib/store.after")" "store changed"
t_end

t_begin "tar-slip: absolute and .. paths are refused, nothing written outside"
slip=$(t_mkdir slip)
echo evil >"$slip/evil"
tar -C "$slip" -cf "$T_TMP/dotdot.tar" --transform 's,^evil,../../../../../tmp/al-e2e-evil,' evil
tar -C "$slip" -cPf "$T_TMP/abs.tar" --transform 's,^evil,/tmp/al-e2e-abs,' evil
readable "$T_TMP/dotdot.tar" "$T_TMP/abs.tar"
al image import "$T_TMP/dotdot.tar" e2e/slip
assert_airlock_error "refused"
al image import "$T_TMP/abs.tar" e2e/slip
assert_airlock_error "refused"
assert_file_absent /tmp/al-e2e-evil
assert_file_absent /tmp/al-e2e-abs
t_end

t_begin "load of an OCI layout with a gzip layer, tagged by its ref.name"
oci=$(t_mkdir oci)
mkdir -p "$oci/blobs/sha256"
tar -C "$T_ROOTFS" -cf "$oci/l.tar" .
diff_id=$(sha "$oci/l.tar")
gzip -n "$oci/l.tar"
lz=$(sha "$oci/l.tar.gz")
lsize=$(stat -c %s "$oci/l.tar.gz")
mv "$oci/l.tar.gz" "$oci/blobs/sha256/$lz"
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff_id" >"$oci/c"
c=$(sha "$oci/c")
csize=$(stat -c %s "$oci/c")
mv "$oci/c" "$oci/blobs/sha256/$c"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' "$c" "$csize" "$lz" "$lsize" >"$oci/m"
m=$(sha "$oci/m")
msize=$(stat -c %s "$oci/m")
mv "$oci/m" "$oci/blobs/sha256/$m"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"e2e/oci:v2"}}]}' "$m" "$msize" >"$oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"
(cd "$oci" && tar -cf ../oci.tar oci-layout index.json blobs)
readable "$oci" "$T_TMP/oci.tar"
al image load -i "$T_TMP/oci.tar"
assert_status 0 "load"
assert_eq "Loaded image: e2e/oci:v2" "$AL_OUT"
al image inspect -f '{{json .Config.Cmd}}' e2e/oci:v2
assert_eq '["/bin/true"]' "$AL_OUT"
t_end
