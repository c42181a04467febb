#!/bin/bash
# pull.sh: `airlock pull` through skopeo (here from a docker-archive source: no registry is reachable),
# its error without skopeo, and images that sandboxes use are protected from `image rm`.
# modes: root user
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"
sha() { sha256sum "$1" | cut -d' ' -f1; }

# A one-layer `docker save` archive of the test rootfs, in the layout docker itself writes.
build_save() { # TAR TAG
	local d="$T_TMP/save" l cfg
	mkdir -p "$d"
	tar -C "$T_ROOTFS" -cf "$d/layer.tar" .
	l=$(sha "$d/layer.tar")
	mkdir -p "$d/$l" && mv "$d/layer.tar" "$d/$l/layer.tar"
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh","-c","echo from-pull"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$l" >"$d/config.json"
	cfg=$(sha "$d/config.json")
	mv "$d/config.json" "$d/$cfg.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$cfg" "$2" "$l" >"$d/manifest.json"
	tar -C "$d" -cf "$1" manifest.json "$cfg.json" "$l"
	chmod 0644 "$1"
	rm -rf "$d"
}

t_begin "pull without skopeo: a clear error naming what to install"
if [ "$T_MODE" = user ]; then
	as_user env PATH=/var/empty "$AIRLOCK" pull debian:bookworm-slim >"$T_TMP/o" 2>"$T_TMP/e"
else
	env PATH=/var/empty "$AIRLOCK" pull debian:bookworm-slim >"$T_TMP/o" 2>"$T_TMP/e"
fi
rc=$?
assert_eq "125" "$rc" "exit status"
assert_contains "$(cat "$T_TMP/e")" "apt-get install skopeo"
al pull docker-archive:/x.tar
assert_status 125 "a non-registry source needs a name"
t_end

t_begin "pull a docker-archive source through skopeo, then run it"
if ! command -v skopeo >/dev/null; then
	t_skip "skopeo is not installed"
else
	build_save "$T_TMP/img.tar" "ignored/by:skopeo"
	al pull -q "docker-archive:$T_TMP/img.tar" e2e/pulled:v1
	assert_status 0 "pull"
	assert_contains "$AL_OUT" "e2e/pulled:v1"
	al run e2e/pulled:v1
	assert_eq "from-pull" "$AL_OUT" "the pulled image's Cmd"
	assert_eq "" "$(ls "$AIRLOCK_STATE_ROOT/data" | grep pull-)" "no temporary layout left"
fi
t_end

t_begin "image rm refuses an image that a sandbox uses"
tar -C "$T_ROOTFS" -cf "$T_TMP/rootfs.tar" .
chmod 0644 "$T_TMP/rootfs.tar"
al image import "$T_TMP/rootfs.tar" e2e/used:v1
al run -d --name user1 e2e/used:v1 sleep 1000
assert_status 0
al image rm e2e/used:v1
assert_status 125
assert_contains "$AL_ERR" "sandbox user1 runs on it"
al image rm -f e2e/used:v1
assert_status 125 "not even -f while it runs"
al stop -t 0 user1
al image rm e2e/used:v1
assert_status 125 "a stopped sandbox's image needs -f"
assert_contains "$AL_ERR" "or use -f"
al image rm -f e2e/used:v1
assert_status 0
al rm user1
al image rm nosuch:v1
assert_status 1
t_end
