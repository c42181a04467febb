#!/bin/bash
# runtime_docker.sh: `docker run --runtime=airlock` end to end. A private containerd and dockerd (own
# data and exec roots under /var/tmp, no iptables, no bridge, no ip_forward, nothing pulled) with
# airlock-runtime registered as "airlock", and an image imported from the test rootfs. What is asserted:
#   the hardened run (--cap-drop=ALL --read-only --tmpfs /tmp, ro workspace, rw output): workspace
#   write refused, output write lands on the host, /tmp writable, root read-only, CapEff 0, Seccomp 2,
#   the command's exit status is docker's, its stdout and stderr carry nothing else; -t gives a
#   terminal; stdin passes through
#   a detached container: exec (its namespaces, its confinement, stdin, -t, exit status), top (the
#   runtime's ps), pause and unpause, stop (SIGTERM reaches the command), kill, rm -f of a running one
#   --memory 64m and --pids-limit 20: the container's cgroup on the host has them, and they bite
#   the probe (/probe all) in a run and in an exec; without --read-only (a writable container layer)
#   the container writes its layer, in its own namespaces, with the host's ids (documented)
#   afterwards: no container, the runtime's --root empty, no cgroup of a container, nothing else left
#   on the host, ip_forward and iptables unchanged, and dockerd leaves no process and no mount.
# Every runtime call goes through a wrapper that logs its argv, exit status and --log lines (printed
# when something failed). AL_TEST_DOCKER_RUNTIME=PATH registers another runtime as "airlock" (runc,
# to check the test itself); AL_TEST_DOCKER_KEEP=DIR keeps that log and the config.json files there;
# AL_TEST_DOCKER_STORAGE=DRIVER picks dockerd's storage driver (default overlay2, else vfs).
# modes: root
. "$(dirname "$0")/../lib.sh"

RT=${AL_TEST_DOCKER_RUNTIME:-${AIRLOCK_RUNTIME:-$(dirname "$AIRLOCK")/airlock-runtime}}
RT=$(realpath "$RT" 2>/dev/null || echo "$RT")
IMG=airlock-test:1
D=""

# ---------------------------------------------------------------- docker, installed if missing

if ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null; then
	# no daemon may start from the package's scripts: only this file's own dockerd runs
	policy=""
	[ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy=1; }
	DEBIAN_FRONTEND=noninteractive timeout 300 apt-get install -y -q docker.io >"$T_TMP/apt.log" 2>&1
	[ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
fi
DOCKER=/usr/bin/docker
[ -x "$DOCKER" ] || DOCKER=$(command -v docker)
if ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null || [ -z "$DOCKER" ]; then
	t_begin "docker run --runtime=airlock"
	t_skip "no dockerd/containerd/docker and apt-get install docker.io failed: $(tail -n 1 "$T_TMP/apt.log" 2>/dev/null)"
	t_end
	exit 0
fi

dk() { # ARGS...: the client of this file's dockerd
	timeout -k 5 "${DK_TIMEOUT:-30}" "$DOCKER" -H "unix://$D/docker.sock" "$@"
}

# Like al: sets AL_OUT, AL_ERR, AL_RC. Stdin is /dev/null unless AL_STDIN names a file.
dkc() { # ARGS...
	dk "$@" <"${AL_STDIN:-/dev/null}" >"$T_TMP/.lib/out" 2>"$T_TMP/.lib/err"
	AL_RC=$?
	AL_OUT=$(cat "$T_TMP/.lib/out")
	AL_ERR=$(cat "$T_TMP/.lib/err")
	[ -n "${T_VERBOSE:-}" ] && printf '  $ docker %s\n  -> %s\n%s\n%s\n' "$*" "$AL_RC" "$AL_OUT" "$AL_ERR" >&2
	return 0
}

# The value of FILE (v1) or FILE2 (v2) in the cgroup of host pid PID for CONTROLLER.
cg_value() { # PID CONTROLLER FILE FILE2
	local path
	path=$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	if [ -n "$path" ]; then
		cat "/sys/fs/cgroup/$2$path/$3" 2>/dev/null
		return
	fi
	path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$1/cgroup" 2>/dev/null)
	cat "/sys/fs/cgroup/unified$path/$4" 2>/dev/null || cat "/sys/fs/cgroup$path/$4" 2>/dev/null
}

# Processes whose command line names $D (containerd, dockerd, shims): all of them are this file's.
dk_procs() { procs_naming "$D"; }
dk_mounts() { mounts_under "$D"; }

dk_stop() { # stop dockerd and containerd by pid, then whatever of theirs is left
	[ -n "$D" ] && [ -d "$D" ] || return 0
	local p i
	for p in ${DOCKERD_PID:-} ${CONTAINERD_PID:-}; do
		kill -TERM "$p" 2>/dev/null
		for ((i = 0; i < 200; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DOCKERD_PID="" CONTAINERD_PID=""
	p=$(dk_procs)
	[ -n "$p" ] && kill -KILL $p 2>/dev/null && sleep 0.2
}

dk_cleanup() {
	[ -n "$D" ] && [ -d "$D" ] || return 0
	if [ -n "${DOCKERD_PID:-}" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
		# shellcheck disable=SC2046
		DK_TIMEOUT=10 dk rm -f $(DK_TIMEOUT=10 dk ps -aq 2>/dev/null) >/dev/null 2>&1
	fi
	dk_stop
	local m
	for m in $(dk_mounts | sort -r); do umount -l "$m" 2>/dev/null; done
	if [ "$T_COUNT_FAIL" -gt 0 ] && [ -s "$D/rt.log" ]; then
		# bundles and ids shortened: B is $D/ctd/state/io.containerd.runtime.v2.task/moby/ID
		sed -E "s#$D/ctd/state/io.containerd.runtime.v2.task/moby/[0-9a-f]{64}#B#g; s#([0-9a-f]{12})[0-9a-f]{52}#\\1#g" \
			"$D/rt.log" >"$D/rt.short"
		echo "---- failed runtime calls of $RT (argv, status, --log lines):" >&2
		awk '/^call / { c = $0; next } /^rc [1-9]/ { print c; print; f = 1; next } /^rc / { f = 0 } f' \
			"$D/rt.short" | tail -n 40 | cut -c 1-600 >&2
		echo "---- the last runtime calls:" >&2
		tail -n 20 "$D/rt.short" | cut -c 1-600 >&2
		echo "---- dockerd log (last lines):" >&2
		tail -n 15 "$D/dockerd.log" | cut -c 1-400 >&2
	fi
	if [ -n "${AL_TEST_DOCKER_KEEP:-}" ]; then
		mkdir -p "$AL_TEST_DOCKER_KEEP"
		cp -a "$D/rt.log" "$D/configs" "$D/dockerd.log" "$D/daemon.json" "$AL_TEST_DOCKER_KEEP/" 2>/dev/null
	fi
	# never recurse into a mount (a leaked /proc or /sys under a rootfs, say)
	if [ -n "$(dk_mounts)" ]; then
		echo "runtime_docker: still mounted under $D, left in place: $(dk_mounts | head -n 3 | tr '\n' ' ')" >&2
	else
		rm -rf --one-file-system "$D"
	fi
}
trap 'dk_cleanup; _t_finish' EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- the daemons

t_begin "a private dockerd with airlock-runtime as \"airlock\""
fwd_before=$(sysctl -n net.ipv4.ip_forward)
ipt() { command -v iptables >/dev/null && { iptables -S; iptables -t nat -S; } 2>&1; }
ipt_before=$(ipt)
D=$(mktemp -d /var/tmp/al-dk.XXXXXX) # short: unix socket paths under it stay below 108 bytes
mkdir -p "$D/data" "$D/exec" "$D/ctd" "$D/configs" "$D/w" "$D/o"
chmod 0711 "$D"
[ -x "$RT" ] || t_fail "no runtime at $RT"
# The runtime docker calls: logs argv, status and the new --log lines, keeps each create's config.json
# and each exec's process.json.
cat >"$D/rt" <<EOF
#!/bin/sh
log= bundle= process= prev=
for a; do
	case \$prev in --log) log=\$a ;; --bundle) bundle=\$a ;; --process) process=\$a ;; esac
	prev=\$a
done
echo "call \$(date +%T.%N | cut -c 1-12) \$*" >>"$D/rt.log"
[ -n "\$bundle" ] && cp "\$bundle/config.json" "$D/configs/\$\$.json" 2>/dev/null
[ -n "\$process" ] && cp "\$process" "$D/configs/\$\$.process.json" 2>/dev/null
size=\$(stat -c %s "\$log" 2>/dev/null || echo 0)
"$RT" "\$@"
rc=\$?
echo "rc \$rc \$(date +%T.%N | cut -c 1-12)" >>"$D/rt.log"
[ -n "\$log" ] && tail -c +\$((size + 1)) "\$log" 2>/dev/null | sed 's/^/log /' >>"$D/rt.log"
exit \$rc
EOF
chmod 0755 "$D/rt"
# containerd of its own: dockerd would otherwise share a host containerd at /run/containerd.
cat >"$D/ctd/config.toml" <<EOF
version = 2
root = "$D/ctd/root"
state = "$D/ctd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$D/ctd.sock"
[ttrpc]
  address = ""
[debug]
  address = ""
[metrics]
  address = ""
EOF
containerd --config "$D/ctd/config.toml" --log-level warn >"$D/containerd.log" 2>&1 &
CONTAINERD_PID=$!
wait_for 20 test -S "$D/ctd.sock" || t_fail "containerd did not start: $(tail -n 3 "$D/containerd.log")"
for driver in ${AL_TEST_DOCKER_STORAGE:-overlay2 vfs}; do
	printf '{"runtimes": {"airlock": {"path": "%s"}}, "storage-driver": "%s", "log-level": "warn"}\n' \
		"$D/rt" "$driver" >"$D/daemon.json"
	dockerd --data-root "$D/data" --exec-root "$D/exec" -H "unix://$D/docker.sock" --pidfile "$D/pid" \
		--containerd "$D/ctd.sock" --iptables=false --ip6tables=false --ip-forward=false --bridge=none \
		--config-file "$D/daemon.json" >"$D/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	wait_for 30 sh -c "kill -0 $DOCKERD_PID 2>/dev/null || exit 0; $DOCKER -H unix://$D/docker.sock version >/dev/null 2>&1"
	kill -0 "$DOCKERD_PID" 2>/dev/null && dk version >/dev/null 2>&1 && break
	wait "$DOCKERD_PID" 2>/dev/null
	DOCKERD_PID=""
done
if [ -z "$DOCKERD_PID" ]; then
	t_fail "dockerd did not start: $(tail -n 3 "$D/dockerd.log")"
	exit 1
fi
tar -C "$T_ROOTFS" -c . | dk import - "$IMG" >/dev/null || t_fail "docker import of the test rootfs"
snapshot_host
t_end
t_failed && exit 1

# Detached and one-shot containers run hardened, as an agent's would.
HARD=(--runtime=airlock --network none --cap-drop=ALL --read-only --tmpfs /tmp
	-v "$D/w:/root/openclaw-workspace:ro" -v "$D/o:/root/output:rw")
echo "in the workspace" >"$D/w/file"

# ---------------------------------------------------------------- one-shot runs

t_begin "hardened run: ro workspace, rw output, writable /tmp, read-only root, no caps, seccomp"
dkc run --rm "${HARD[@]}" "$IMG" sh -c '
	cat /root/openclaw-workspace/file
	echo x >/root/openclaw-workspace/new 2>/dev/null && echo workspace-written
	echo "from the container" >/root/output/result && echo output-written
	echo t >/tmp/t && cat /tmp/t
	touch /x 2>/dev/null && echo root-written
	grep -E "^(CapEff|Seccomp):" /proc/self/status | tr -s "\t " " "'
assert_status 0
assert_eq "in the workspace|output-written|t|CapEff: 0000000000000000|Seccomp: 2" "$(printf '%s' "$AL_OUT" | tr '\n' '|')"
assert_file_absent "$D/w/new"
assert_eq "from the container" "$(cat "$D/o/result" 2>/dev/null)" "the output file on the host"
t_end

t_begin "the command's exit status is docker run's; its stdout and stderr are its own; stdin passes through"
dkc run --rm "${HARD[@]}" "$IMG" sh -c 'echo to-stdout; echo to-stderr >&2; exit 7'
assert_status 7
assert_eq "to-stdout" "$AL_OUT" "stdout"
assert_eq "to-stderr" "$AL_ERR" "stderr (nothing of the runtime's)"
echo "piped in" >"$T_TMP/in"
AL_STDIN="$T_TMP/in" dkc run --rm -i "${HARD[@]}" "$IMG" cat
assert_status 0 "cat"
assert_eq "piped in" "$AL_OUT"
t_end

t_begin "run -t: the command has a terminal"
dkc run --rm -t "${HARD[@]}" "$IMG" sh -c 'test -t 0 && test -t 1 && echo tty; exit 4'
assert_status 4
assert_eq "tty" "$(printf '%s' "$AL_OUT" | tr -d '\r')"
t_end

t_begin "--memory 64m: the cgroup has it and it bites"
dkc run -d --name al-mem "${HARD[@]}" --memory 64m --memory-swap 64m --pids-limit 20 "$IMG" sleep 1000
assert_status 0 "run -d"
pid=$(dk inspect -f '{{.State.Pid}}' al-mem 2>/dev/null)
assert_eq 67108864 "$(cg_value "$pid" memory memory.limit_in_bytes memory.max)" "memory limit of pid $pid's cgroup"
assert_eq 20 "$(cg_value "$pid" pids pids.max pids.max)" "pids limit of pid $pid's cgroup"
dk rm -f al-mem >/dev/null 2>&1
dkc run --rm "${HARD[@]}" --memory 64m --memory-swap 64m "$IMG" sh -c '
	a=$(head -c 16000000 /dev/zero | tr "\0" x) && echo small-ok
	b=$(head -c 120000000 /dev/zero | tr "\0" x); echo survived'
assert_eq "small-ok" "$AL_OUT" "output"
assert_status 137 "a 120 MB shell variable in 64 MB"
t_end

t_begin "--pids-limit 20: 50 background sleeps cannot all start"
dkc run --rm "${HARD[@]}" --pids-limit 20 "$IMG" sh -c 'for i in $(seq 50); do sleep 30 & done; echo all-started'
assert_not_contains "$AL_OUT" "all-started"
assert_contains "$AL_ERR" "fork" "stderr"
assert_ne 0 "$AL_RC" "exit status"
t_end

penv=()
if command -v socat >/dev/null; then
	probe_listeners
	penv=("${PROBE_ENV[@]/#/--env=}")
fi

t_begin "probe all in docker run"
dkc run --rm "${HARD[@]}" "${penv[@]}" "$IMG" /probe all
assert_probe_ok
t_end

t_begin "a writable container layer (no --read-only): written in place, in its own namespaces, with the host's ids"
# The kernel cannot idmap docker's overlay: a writable one gets the host's ids 0-65535 in the container's
# user namespace, as under runc (docs/runtime.md); everything else of the confinement holds.
dkc run --rm --runtime=airlock --network none --cap-drop=ALL "$IMG" /probe ns.private setuid.nogain
assert_probe_ok
dkc run --rm --runtime=airlock --network none --cap-drop=ALL "$IMG" sh -c 'touch /etc/new && cat /proc/self/uid_map'
assert_status 0 "write to the container layer"
assert_eq "0 0 65536" "$(echo $AL_OUT)" "the container's uid_map"
t_end

# ---------------------------------------------------------------- a detached container

t_begin "run -d, then exec: the container's namespaces and confinement, stdin, -t, exit status"
dkc run -d --name al-exec "${HARD[@]}" "$IMG" sleep 1000
assert_status 0 "run -d"
id=$AL_OUT
dkc exec al-exec cat /etc/hostname
assert_eq "${id:0:12}" "$AL_OUT" "hostname seen by exec"
assert_eq "" "$AL_ERR" "exec's stderr"
dkc exec al-exec ps
assert_contains "$AL_OUT" "sleep 1000" "ps in exec"
dkc exec al-exec sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status | tr -s "\t " " "; touch /x 2>/dev/null && echo root-written'
assert_eq "CapEff: 0000000000000000|Seccomp: 2" "$(printf '%s' "$AL_OUT" | tr '\n' '|')" "exec confinement"
AL_STDIN="$T_TMP/in" dkc exec -i al-exec cat
assert_eq "piped in" "$AL_OUT" "exec -i"
dkc exec -t al-exec sh -c 'test -t 0 && echo tty'
assert_eq "tty" "$(printf '%s' "$AL_OUT" | tr -d '\r')" "exec -t"
dkc exec al-exec sh -c 'exit 5'
assert_status 5 "exec exit status"
dkc top al-exec
assert_contains "$AL_OUT" "sleep 1000" "docker top (the runtime's ps)"
# dockerd's data root is a shared mount: none of the container's mounts may propagate to the host
merged=$(dk inspect -f '{{.GraphDriver.Data.MergedDir}}' al-exec 2>/dev/null)
[ -n "$merged" ] && assert_eq "" "$(awk -v m="$merged/" 'index($5, m) == 1 { print $5, $9 }' /proc/self/mountinfo | head -n 5)" \
	"the container's mounts seen from the host"
t_end

t_begin "probe all in docker exec"
dkc exec "${penv[@]}" al-exec /probe all
assert_probe_ok
dk rm -f al-exec >/dev/null 2>&1
t_end

t_begin "pause stops the container's output, unpause resumes it"
log_lines() { dk logs "$1" 2>/dev/null | wc -l; }
wait_lines() { # NAME MORE-THAN SECONDS: until the container has written more lines
	local end=$((SECONDS + $3))
	while [ "$(log_lines "$1")" -le "$2" ]; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}
dkc run -d --name al-pause "${HARD[@]}" "$IMG" sh -c 'while :; do echo .; sleep 0.05; done'
if assert_status 0 "run -d"; then
	wait_lines al-pause 2 5 || t_fail "no output before pause"
	dkc pause al-pause
	assert_status 0 "pause"
	assert_eq "true" "$(dk inspect -f '{{.State.Paused}}' al-pause 2>&1)" "State.Paused"
	n1=$(log_lines al-pause)
	sleep 0.5
	n2=$(log_lines al-pause)
	assert_le "$n2" "$((n1 + 1))" "lines written while paused"
	dkc unpause al-pause
	assert_status 0 "unpause"
	wait_lines al-pause "$((n2 + 2))" 5 || t_fail "no output after unpause"
fi
dk rm -f al-pause >/dev/null 2>&1
t_end

t_begin "stop: SIGTERM reaches the command; a command that ignores it is killed"
dkc run -d --name al-stop "${HARD[@]}" "$IMG" sh -c 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done'
sleep 0.3
dkc stop -t 5 al-stop
assert_status 0 "stop"
assert_eq "false 3" "$(dk inspect -f '{{.State.Running}} {{.State.ExitCode}}' al-stop 2>&1)"
assert_eq "got-term" "$(dk logs al-stop 2>&1)" "output"
dk rm al-stop >/dev/null 2>&1
dkc run -d --name al-stop2 "${HARD[@]}" "$IMG" sleep 1000
t0=$SECONDS
dkc stop -t 1 al-stop2
assert_status 0 "stop"
assert_le "$((SECONDS - t0))" 10 "seconds to stop"
assert_match "$(dk inspect -f '{{.State.Running}} {{.State.ExitCode}}' al-stop2 2>&1)" '^false (137|143)$' "state after stop"
dk rm al-stop2 >/dev/null 2>&1
t_end

t_begin "kill, then rm -f of a running container"
dkc run -d --name al-kill "${HARD[@]}" "$IMG" sleep 1000
dkc kill al-kill
assert_status 0 "kill"
assert_eq "false 137" "$(dk inspect -f '{{.State.Running}} {{.State.ExitCode}}' al-kill 2>&1)"
dk rm al-kill >/dev/null 2>&1
dkc run -d --name al-rm "${HARD[@]}" "$IMG" sleep 1000
pid=$(dk inspect -f '{{.State.Pid}}' al-rm 2>/dev/null)
dkc rm -f al-rm
assert_status 0 "rm -f"
assert_eq "" "$(dk ps -aq --filter name=al-rm)" "containers named al-rm"
[ -n "$pid" ] && [ "$pid" != 0 ] && ! wait_for 5 sh -c "! kill -0 $pid 2>/dev/null" && t_fail "pid $pid still there"
t_end

# ---------------------------------------------------------------- nothing left

t_begin "nothing left: containers, runtime state, cgroups, host mounts and processes, network settings"
assert_eq "" "$(dk ps -aq)" "docker ps -aq"
root=$(sed -n 's/^call .*--root \([^ ]*\) .*/\1/p' "$D/rt.log" | sort -u)
[ -n "$root" ] || t_fail "docker passed no --root to the runtime"
for r in $root; do
	assert_eq "" "$(find "$r" -mindepth 1 2>/dev/null | head -n 5)" "the runtime's --root $r"
done
ids=$(sed -n 's/^call .* create .* \([0-9a-f]\{64\}\)$/\1/p' "$D/rt.log" | sort -u)
[ -n "$ids" ] || t_fail "no create in the runtime log"
for i in $ids; do
	cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$i*" 2>/dev/null | head -n 3)
	assert_eq "" "$cg" "cgroups of container ${i:0:12}"
done
assert_no_leaks
assert_eq "$fwd_before" "$(sysctl -n net.ipv4.ip_forward)" "net.ipv4.ip_forward"
assert_eq "$ipt_before" "$(ipt)" "iptables -S"
t_end

t_begin "dockerd and containerd stop and leave no process and no mount"
dk_stop
assert_eq "" "$(dk_procs)" "processes naming $D"
assert_eq "" "$(dk_mounts)" "mounts under $D"
t_end
