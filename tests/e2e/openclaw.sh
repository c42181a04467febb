#!/bin/bash
# openclaw.sh: the exact sequence OpenClaw's docker backend sends (recorded from the real client), with
# airlock in docker's place: one sandbox per session from an image, a tool call per exec.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"
IMAGE=openclaw-sandbox:bookworm-slim
NAME=openclaw-sbx-agent-main-$RANDOM

t_begin "image setup: the test rootfs as $IMAGE"
al image inspect "$IMAGE"
assert_status 1 "absent at first"
assert_contains "$AL_ERR" "No such image"
tar -C "$T_ROOTFS" -cf "$T_TMP/rootfs.tar" . # a tarball: rootless can read what root's 0700 dirs hold
chmod 0644 "$T_TMP/rootfs.tar"
al image import "$T_TMP/rootfs.tar" "$IMAGE"
assert_status 0
t_end

t_begin "the OpenClaw docker backend's sequence"
snapshot_host
ws=$(t_mkdir workspace)
mkdir -p "$ws/skills"
echo "skill" >"$ws/skills/SKILL.md"
[ "$T_MODE" = user ] && chown -R "$T_UID:$T_GID" "$ws"
envfile="$T_TMP/create.env"
printf 'OPENCLAW_SESSION=s1\nLANG=C.UTF-8\n' >"$envfile"
chmod 0644 "$envfile"
limits=()
[ "$T_MODE" = root ] && limits=(--pids-limit 256 --memory 1g --memory-swap 2g --cpus 1)

al inspect -f '{{.State.Running}}' "$NAME"
assert_ne "0" "$AL_RC" "inspect of an absent sandbox fails"
al image inspect "$IMAGE"
assert_status 0 "image inspect"
al create --name "$NAME" --init --label openclaw.sandbox=1 --label openclaw.sessionKey=agent:main \
	--label openclaw.configHash=abc123 --read-only --tmpfs /tmp --tmpfs /var/tmp --tmpfs /run \
	--network none --user 0:0 --cap-drop ALL --security-opt no-new-privileges \
	--dns 192.0.2.53 --add-host gateway.test:192.0.2.1 "${limits[@]}" \
	--ulimit nofile=1024:2048 --ulimit nproc=256 --workdir /workspace \
	-v "$ws:/workspace:z" -v "$ws/skills:/workspace/skills:ro,z" --env-file "$envfile" \
	"$IMAGE" sleep infinity
assert_status 0 "create"
al start "$NAME"
assert_status 0 "start"
al inspect --format '{{.Id}}' "$NAME"
assert_match "$AL_OUT" '^[0-9a-f]{64}$' "the id is 64 lower-case hex characters"
ID=$AL_OUT
al inspect --format '{"Mounts":{{json .Mounts}},"Tmpfs":{{json .HostConfig.Tmpfs}}}' "$ID"
assert_status 0
mounts=$AL_OUT
assert_eq "/workspace /workspace/skills" "$(printf '%s' "$mounts" | jq -r '[.Mounts[].Destination] | join(" ")')" "Mounts"
assert_eq "$ws $ws/skills" "$(printf '%s' "$mounts" | jq -r '[.Mounts[].Source] | join(" ")')" "Mounts' sources"
assert_eq "true false" "$(printf '%s' "$mounts" | jq -r '[.Mounts[].RW] | map(tostring) | join(" ")')" "Mounts' RW"
assert_eq "z ro,z" "$(printf '%s' "$mounts" | jq -r '[.Mounts[].Mode] | join(" ")')" "Mounts' Mode"
assert_eq "/run /tmp /var/tmp" "$(printf '%s' "$mounts" | jq -r '.Tmpfs | keys | join(" ")')" "Tmpfs"
al inspect -f '{{ index .Config.Labels "openclaw.configHash" }}' "$NAME"
assert_eq "abc123" "$AL_OUT" "a label"
al exec "$ID" cat /proc/self/mountinfo
assert_match "$AL_OUT" ' /workspace rw' "the workspace at its target"
assert_match "$AL_OUT" ' /workspace/skills ro' "the skills read-only at theirs"

execenv="$T_TMP/exec.env"
printf 'TOOL_VAR=from-file\n' >"$execenv"
chmod 0644 "$execenv"
al exec -i -w /workspace --env-file "$execenv" "$ID" /bin/sh -lc 'echo "$TOOL_VAR $OPENCLAW_SESSION $(pwd)"; ls skills'
rm -f "$execenv" # OpenClaw deletes it right after the call
assert_status 0
assert_eq "from-file s1 /workspace SKILL.md" "$(echo $AL_OUT)" "env-file, create's env, workdir"

printf 'file body\n' >"$T_TMP/body"
AL_STDIN="$T_TMP/body" al exec -i "$ID" sh -c 'cat > "$1"' openclaw-sandbox-fs /workspace/notes.txt
assert_status 0 "file tool: write"
assert_eq "file body" "$(cat "$ws/notes.txt" 2>/dev/null)" "written through to the host"
[ "$T_MODE" = root ] && assert_eq "0" "$(stat -c %u "$ws/notes.txt")" "owned by the workspace's owner"
[ "$T_MODE" = user ] && assert_eq "$T_UID" "$(stat -c %u "$ws/notes.txt")" "owned by the workspace's owner"
al exec -i "$ID" sh -c 'cat "$1"' openclaw-sandbox-fs /workspace/notes.txt
assert_eq "file body" "$AL_OUT" "file tool: read"
al exec -i "$ID" sh -c 'test -e "$1"' openclaw-sandbox-fs /workspace/absent
assert_status 1 "file tool: the exit code comes back"
al exec -i "$ID" sh -c 'echo x > "$1"' openclaw-sandbox-fs /workspace/skills/new
assert_ne "0" "$AL_RC" "the skills are read-only"
al exec -i "$NAME" /bin/sh -lc 'echo setup > /tmp/setup; cat /tmp/setup; touch /etc/x 2>/dev/null || echo ro-root'
assert_eq "setup ro-root" "$(echo $AL_OUT)" "by name; tmpfs writable, root read-only"
al exec "$NAME" /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "; ulimit -n; ulimit -Hn'
assert_eq "CapEff: 0000000000000000 NoNewPrivs: 1 Seccomp: 2 1024 2048" "$(echo $AL_OUT)" "hardening and ulimits"
al exec "$NAME" /bin/sh -c 'cat /etc/hosts /etc/resolv.conf'
assert_contains "$AL_OUT" "192.0.2.1	gateway.test" "--add-host"
assert_contains "$AL_OUT" "nameserver 192.0.2.53" "--dns"
al inspect -f '{{.Config.Image}}' "$NAME"
assert_eq "$IMAGE" "$AL_OUT"
al rm -f "$NAME"
assert_status 0 "rm -f"
al rm -f "$NAME"
assert_ne "0" "$AL_RC"
assert_contains "$AL_ERR" "No such container"
al version --format '{{.Server.Version}}'
assert_status 0
assert_no_leaks
t_end
