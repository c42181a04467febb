#!/bin/bash
# demo.sh: install what is missing, build airlock, and run one hardened sandbox that shows what an
# agent's command may and may not do. Safe to run repeatedly; changes nothing on the host but build/.
set -euo pipefail
cd "$(dirname "$0")"
tests/setup-deps.sh
if [ ! -f build/build.ninja ]; then meson setup build >/dev/null; fi
ninja -C build >/dev/null

work=$(mktemp -d /tmp/airlock-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/out"
echo 'print("hello from the workspace")' > "$work/ws/task.py"

# Limits need a cgroup: as root always; rootless only with a delegated cgroup v2 subtree (without one,
# airlock refuses a limit rather than silently ignoring it), so the rootless demo runs without them.
limits=()
[ "$(id -u)" -eq 0 ] && limits=(--memory 256m --pids-limit 64)

echo "== airlock run: a hardened sandbox, as the reference deployment runs an agent's command"
set -x
build/airlock run --cap-drop=ALL --read-only --tmpfs /tmp -v "$work/ws:/workspace:ro" -v "$work/out:/output:rw" \
	"${limits[@]}" --timeout 10s -w /workspace --json -- /bin/sh -c '
echo "whoami: $(id -u) in $(hostname), pid $$"
echo "capabilities: $(grep CapEff /proc/self/status)"
echo "seccomp: $(grep "^Seccomp:" /proc/self/status)"
echo "network: $(ls /sys/class/net | tr "\n" " ")"
ls /workspace
touch /workspace/evil 2>&1 | sed "s/^/refused: /"
rm -rf /usr/bin 2>&1 | head -1 | sed "s/^/refused: /"
cat /etc/shadow | wc -c | sed "s/^/bytes of \/etc\/shadow visible: /"
echo result > /output/result && echo "wrote /output/result"
echo scratch > /tmp/scratch && echo "wrote /tmp/scratch (private tmpfs)"
'
set +x
echo "== on the host: $(ls -l "$work/out")"
