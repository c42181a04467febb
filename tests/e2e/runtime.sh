#!/bin/bash
# runtime.sh: airlock-runtime, the OCI front door, driven as a containerd shim or conmon drives runc:
# create (pid 1 confined and waiting), start, state, exec, kill, pause/resume, delete; run; hooks,
# console socket, sysctl, cgroupsPath, seccomp in runtime-spec's format; bad input leaves nothing.
# modes: root asan
. "$(dirname "$0")/../lib.sh"

RT=${AIRLOCK_RUNTIME:-$(dirname "$AIRLOCK")/airlock-runtime}
CONSOLE=${AL_CONSOLE:-$T_ROOT/build/tests/al-console}
SUBREAPER=${AL_SUBREAPER:-$T_ROOT/build/tests/al-subreaper}
ROOTDIR="$T_TMP/rtroot"
bundle="$T_TMP/bundle"
mkdir -p "$bundle"
cp -a "$T_ROOTFS" "$bundle/rootfs"

rt() { # the runtime, with sanitizer reports (ASan run) made test failures
	local rc
	"$RT" --root "$ROOTDIR" "$@"
	rc=$?
	_al_sanitizer_check
	return $rc
}
_al_sanitizer_env
# Edit the bundle's config.json with a jq filter; `fresh` starts again from `spec`'s.
cfg() { jq "$@" "$bundle/config.json" >"$bundle/c.tmp" && mv "$bundle/c.tmp" "$bundle/config.json"; }
fresh() { rm -f "$bundle/config.json" && (cd "$bundle" && "$RT" spec) && cfg '.process.terminal = false'; }
args() { cfg --argjson a "$(printf '%s\n' "$@" | jq -R . | jq -s .)" '.process.args = $a'; }
status_of() { rt state "$1" 2>/dev/null | jq -r .status; }
is_status() { [ "$(status_of "$1")" = "$2" ]; } # ID STATUS, for wait_for
pid_of() { rt state "$1" 2>/dev/null | jq -r .pid; }
# Nothing of the container left: no state, no cgroup leaf anywhere.
assert_gone() { # ID
	[ ! -e "$ROOTDIR/$1" ] || t_fail "state directory of $1 left behind"
	local left
	left=$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$1" 2>/dev/null | head -n 3)
	[ -z "$left" ] || t_fail "cgroup of $1 left behind: $left"
}

fresh

t_begin "spec writes a hardened config.json; a second spec refuses to overwrite it"
assert_eq "true true" "$(jq -r '"\(.root.readonly) \(.process.noNewPrivileges)"' "$bundle/config.json")"
assert_eq "0" "$(jq '.process.capabilities.bounding | length' "$bundle/config.json")" "no capabilities"
out=$(cd "$bundle" && "$RT" spec 2>&1)
assert_contains "$out" "exists"
"$RT" features | jq -e '.ociVersionMax == "1.2.0" and (.linux.namespaces | index("network"))' >/dev/null ||
	t_fail "features JSON"
t_end

t_begin "run: the command's exit status, confinement, and nothing left behind"
snapshot_host
args /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "; exit 9'
out=$(rt run --bundle "$bundle" rt-one </dev/null)
assert_eq "9" "$?" "exit status"
assert_eq "CapEff: 0000000000000000 NoNewPrivs: 1 Seccomp: 2" "$(echo $out)"
args /probe all
out=$(rt run --bundle "$bundle" rt-probe </dev/null 2>&1)
assert_eq "0" "$?" "the probe inside: $(_short "$out")"
assert_gone rt-one
assert_gone rt-probe
assert_no_leaks
t_end

t_begin "run: stdin passes through; --pid-file holds pid 1 while it runs"
args /bin/sh -c 'cat; sleep 0.3'
echo "piped" | rt run --bundle "$bundle" --pid-file "$T_TMP/pid" rt-two >"$T_TMP/out" &
runner=$!
wait_for 5 test -s "$T_TMP/pid" || t_fail "no pid file"
pid=$(cat "$T_TMP/pid" 2>/dev/null)
[ -n "$pid" ] && assert_ne "$(readlink /proc/self/ns/pid)" "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" "pid 1 in its own pid namespace"
wait "$runner"
assert_eq "piped" "$(cat "$T_TMP/out")"
t_end

t_begin "create waits, start runs: created, running, stopped; the shim reaps pid 1's status"
snapshot_host
args /bin/sh -c 'echo started >/dev/shm/mark; trap "exit 3" TERM; while :; do sleep 0.05; done'
# as a shim: the runtime exits after create, pid 1 is reparented to us (a subreaper) and we wait for it
# (the container's stdio is the runtime's: pid 1 keeps it open, so it is not a pipe read to its end)
rt create --bundle "$bundle" --pid-file "$T_TMP/c.pid" life </dev/null >"$T_TMP/create.out" 2>&1
assert_eq "0" "$?" "create: $(cat "$T_TMP/create.out")"
assert_eq "created" "$(status_of life)"
pid=$(cat "$T_TMP/c.pid" 2>/dev/null)
assert_eq "$pid" "$(pid_of life)" "state pid = --pid-file"
assert_eq "$bundle" "$(rt state life | jq -r .bundle)"
[ -d "/proc/$pid" ] || t_fail "pid 1 is not alive after create"
[ ! -e "/proc/$pid/root/dev/shm/mark" ] || t_fail "the command ran before start"
rt start life
assert_eq "0" "$?" "start"
wait_for 5 test -e "/proc/$pid/root/dev/shm/mark" || t_fail "the command did not run after start"
assert_eq "running" "$(status_of life)"
rt start life 2>"$T_TMP/err"
assert_eq "1" "$?" "a second start"
assert_contains "$(cat "$T_TMP/err")" "running"
rt list --format json | jq -e 'map(select(.id == "life" and .status == "running")) | length == 1' >/dev/null ||
	t_fail "list --format json"
rt ps --format json life | jq -e "index($pid) != null and length >= 2" >/dev/null || t_fail "ps: pid 1 and the command"
rt kill life TERM
assert_eq "0" "$?" "kill TERM"
wait_for 5 is_status life stopped || t_fail "still $(status_of life) after TERM"
assert_eq "0" "$(pid_of life)" "a stopped container's pid"
rt delete life
assert_eq "0" "$?" "delete"
assert_gone life
assert_no_leaks
t_end

t_begin "pid 1 outlives the runtime and exits with the command's status, to whoever reaps it"
args /bin/sh -c 'exit 42'
out=$("$SUBREAPER" sh -c "\"$RT\" --root \"$ROOTDIR\" create --bundle \"$bundle\" --pid-file \"$T_TMP/s.pid\" st42 </dev/null && \"$RT\" --root \"$ROOTDIR\" start st42")
assert_eq "reaped $(cat "$T_TMP/s.pid" 2>/dev/null) status 42" "$out" "the shim's view"
assert_eq "stopped" "$(status_of st42)"
rt delete st42
assert_gone st42
t_end

t_begin "exec: a process confined as pid 1; its status; --detach + --pid-file; --process"
snapshot_host
args /bin/sh -c 'sleep 100'
rt run -d --bundle "$bundle" ex </dev/null >/dev/null 2>&1
assert_eq "running" "$(status_of ex)"
out=$(rt exec ex /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "; exit 5')
assert_eq "5" "$?" "exec's status"
assert_eq "CapEff: 0000000000000000 NoNewPrivs: 1 Seccomp: 2" "$(echo $out)"
assert_eq "hello" "$(echo hello | rt exec ex cat)" "stdin reaches the process"
assert_eq "in-env" "$(rt exec -e WHO=in-env ex /bin/sh -c 'echo $WHO')"
assert_eq "/tmp" "$(rt exec --cwd /tmp ex pwd)"
rt exec --detach --pid-file "$T_TMP/e.pid" ex /bin/sh -c 'echo $$ >/dev/shm/exec.pid; sleep 100' </dev/null
assert_eq "0" "$?" "exec --detach"
epid=$(cat "$T_TMP/e.pid" 2>/dev/null)
[ -n "$epid" ] && [ -d "/proc/$epid" ] || t_fail "--pid-file does not name a live process"
wait_for 5 test -s "/proc/$(pid_of ex)/root/dev/shm/exec.pid" || t_fail "the detached process did not run"
inner=$(cat "/proc/$(pid_of ex)/root/dev/shm/exec.pid" 2>/dev/null)
[ -n "$epid" ] && kill -KILL "$epid"
# the stand-in killed: pid 1 kills what it stood in for
gone_inside() { ! rt exec ex /bin/sh -c "kill -0 $1" 2>/dev/null; }
wait_for 5 gone_inside "$inner" || t_fail "the detached process survived its stand-in"
jq -n '{args: ["/bin/sh", "-c", "echo $A-$(id -u)"], env: ["A=from-process"], cwd: "/", user: {uid: 0, gid: 0}}' >"$T_TMP/process.json"
assert_eq "from-process-0" "$(rt exec --process "$T_TMP/process.json" ex)"
rt exec ex /nonexistent 2>"$T_TMP/err"
assert_eq "127" "$?" "exec of a missing binary"
rt exec --cap CAP_SYS_ADMIN ex true 2>"$T_TMP/err"
assert_eq "1" "$?" "--cap is refused"
rt delete ex 2>"$T_TMP/err"
assert_eq "1" "$?" "delete of a running container without --force"
assert_contains "$(cat "$T_TMP/err")" "not stopped"
rt delete --force ex
assert_eq "0" "$?"
assert_gone ex
assert_no_leaks
t_end

t_begin "kill: a signal reaches the command through pid 1; --all; kill of a stopped one fails"
args /bin/sh -c 'trap "echo got-usr1 >/dev/shm/sig" USR1; while :; do sleep 0.05; done'
rt run -d --bundle "$bundle" ki </dev/null
pid=$(pid_of ki)
rt kill ki USR1
wait_for 5 grep -q got-usr1 "/proc/$pid/root/dev/shm/sig" 2>/dev/null || t_fail "USR1 did not reach the command"
rt kill --all ki KILL
wait_for 5 is_status ki stopped || t_fail "kill --all KILL"
rt kill ki TERM 2>"$T_TMP/err"
assert_eq "1" "$?" "kill of a stopped container"
assert_contains "$(cat "$T_TMP/err")" "not running"
rt kill ki NOSUCHSIG 2>"$T_TMP/err"
assert_eq "1" "$?" "a bad signal"
rt delete ki
assert_gone ki
t_end

t_begin "pause freezes every process, resume thaws them"
args /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i >/dev/shm/n; sleep 0.02; done'
rt run -d --bundle "$bundle" pz </dev/null
pid=$(pid_of pz)
sleep 0.3
rt pause pz
assert_eq "0" "$?" "pause"
assert_eq "paused" "$(status_of pz)"
a=$(cat "/proc/$pid/root/dev/shm/n"); sleep 0.4; b=$(cat "/proc/$pid/root/dev/shm/n")
assert_eq "$a" "$b" "the counter while paused"
rt pause pz 2>/dev/null
assert_eq "1" "$?" "pause of a paused container"
rt resume pz
assert_eq "running" "$(status_of pz)"
sleep 0.3
c=$(cat "/proc/$pid/root/dev/shm/n")
[ "$c" -gt "$b" ] 2>/dev/null || t_fail "the counter did not move after resume ($b -> $c)"
rt pause pz
rt delete --force pz
assert_eq "0" "$?" "delete --force of a paused container"
assert_gone pz
t_end

t_begin "console socket: the pty master goes to the socket; the command has a terminal"
fresh
cfg '.process.terminal = true'
args /bin/sh -c 'test -t 0 && test -t 1 && echo "tty:$(tty)"; read line; echo "read:$line"'
sock="$T_TMP/console.sock"
"$CONSOLE" "$sock" $'hello\n' >"$T_TMP/console.out" 2>/dev/null &
echo $! >>"$T_TMP/.lib/bg.pids"
wait_for 5 test -S "$sock"
rt create --bundle "$bundle" --console-socket "$sock" tty1 </dev/null
assert_eq "0" "$?" "create with a console socket"
rt start tty1
wait_for 5 is_status tty1 stopped || t_fail "the command did not finish"
wait_for 5 grep -q "read:hello" "$T_TMP/console.out" || t_fail "console output: $(cat "$T_TMP/console.out" | tr -d '\r')"
assert_contains "$(cat "$T_TMP/console.out")" "tty:/dev/pts/"
rt delete tty1
rt create --bundle "$bundle" tty2 2>"$T_TMP/err" </dev/null
assert_eq "1" "$?" "terminal without --console-socket"
assert_contains "$(cat "$T_TMP/err")" "console-socket"
assert_gone tty2
fresh
t_end

t_begin "hooks: each phase in order, with the state on stdin; a failing one fails create cleanly"
snapshot_host
log="$T_TMP/hooks.log"
: >"$log"
# runtime-namespace hooks append "<phase> <state JSON>" to a host file; container-namespace ones
# (createContainer, startContainer) write into the container's /dev/shm, with its own sh
outside() { jq -n --arg p "$1" --arg log "$log" '{path: "/bin/sh", args: ["sh", "-c", "printf \"%s \" $0 >>$1; cat >>$1; echo >>$1", $p, $log]}'; }
inside() { jq -n --arg p "$1" '{path: "/bin/sh", args: ["sh", "-c", "cat >/dev/shm/$0.json", $p]}'; }
hooks=$(jq -n --argjson a "$(outside prestart)" --argjson b "$(outside createRuntime)" --argjson c "$(inside createContainer)" \
	--argjson s "$(inside startContainer)" --argjson p "$(outside poststart)" --argjson q "$(outside poststop)" \
	'{prestart: [$a], createRuntime: [$b], createContainer: [$c], startContainer: [$s], poststart: [$p], poststop: [$q]}')
cfg --argjson h "$hooks" '.hooks = $h'
args /bin/sh -c 'sleep 100'
rt run -d --bundle "$bundle" hk </dev/null
assert_eq "0" "$?" "run with hooks"
pid=$(pid_of hk)
assert_eq "prestart created hk $pid|createRuntime creating hk $pid|poststart running hk $pid" \
	"$(while read -r phase json; do echo "$phase $(echo "$json" | jq -r '"\(.status) \(.id) \(.pid)"')"; done <"$log" | tr '\n' '|' | sed 's/|$//')"
assert_eq "created hk $pid" "$(jq -r '"\(.status) \(.id) \(.pid)"' "/proc/$pid/root/dev/shm/createContainer.json" 2>/dev/null)" "createContainer, inside"
assert_eq "created $bundle" "$(jq -r '"\(.status) \(.bundle)"' "/proc/$pid/root/dev/shm/startContainer.json" 2>/dev/null)" "startContainer, inside"
rt delete -f hk
assert_eq "poststop stopped hk" "$(tail -n 1 "$log" | { read -r phase json; echo "$phase $(echo "$json" | jq -r '"\(.status) \(.id)"')"; })"
assert_gone hk
cfg '.hooks = {createRuntime: [{path: "/bin/false"}]}'
rt create --bundle "$bundle" hk2 </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "a failing createRuntime hook"
assert_contains "$(cat "$T_TMP/err")" "createRuntime hook /bin/false"
assert_gone hk2
cfg '.hooks = {prestart: [{path: "/bin/sleep", args: ["sleep", "10"], timeout: 1}]}'
rt create --bundle "$bundle" hk3 </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "a hook past its timeout"
assert_contains "$(cat "$T_TMP/err")" "timed out"
assert_gone hk3
cfg 'del(.hooks)'
assert_no_leaks
t_end

t_begin "sysctl, oomScoreAdj, hostname and cgroupsPath are applied"
cfg '.linux.sysctl = {"net.ipv4.ip_unprivileged_port_start": "1000", "kernel.shmmni": "1234"}
	| .process.oomScoreAdj = 345 | .hostname = "rt-host"
	| .linux.cgroupsPath = "/altest-rt/pod1/cg1" | .linux.resources = {pids: {limit: 77}}'
args /bin/sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni /proc/self/oom_score_adj; hostname; sleep 100'
rt run -d --bundle "$bundle" sc </dev/null >"$T_TMP/sc.out"
sleep 0.3
pid=$(pid_of sc)
assert_eq "1000 1234 345 rt-host" "$(rt exec sc /bin/sh -c 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni /proc/self/oom_score_adj; hostname' | tr '\n' ' ' | sed 's/ $//')"
assert_ne "1234" "$(cat /proc/sys/kernel/shmmni)" "the host's own value"
pids_file=$(ls -d /sys/fs/cgroup/pids/altest-rt/pod1/cg1 /sys/fs/cgroup/altest-rt/pod1/cg1 2>/dev/null | head -n1)
assert_eq "77" "$(cat "$pids_file/pids.max" 2>/dev/null)" "pids.max at cgroupsPath"
grep -qx "$pid" "$pids_file/cgroup.procs" 2>/dev/null || t_fail "pid 1 is not in the cgroup at cgroupsPath"
rt delete -f sc
assert_gone sc
cfg '.linux.sysctl = {"kernel.panic": "1"}'
rt create --bundle "$bundle" sc2 </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "a sysctl that is not namespaced"
assert_contains "$(cat "$T_TMP/err")" "kernel.panic"
assert_gone sc2
find /sys/fs/cgroup -depth -type d -path '*altest-rt*' -exec rmdir {} + 2>/dev/null
fresh
t_end

t_begin "cgroupsPath: one component is at the hierarchy's root; systemd's slice:prefix:name is its path"
args /bin/sh -c 'sleep 100'
cfg '.linux.cgroupsPath = "/altest-top" | .linux.resources = {pids: {limit: 66}}'
rt run -d --bundle "$bundle" cgtop </dev/null
pids_dir=$(ls -d /sys/fs/cgroup/pids/altest-top /sys/fs/cgroup/altest-top 2>/dev/null | head -n1)
assert_eq "66" "$(cat "$pids_dir/pids.max" 2>/dev/null)" "pids.max of /altest-top"
rt delete -f cgtop
assert_eq "" "$(ls -d /sys/fs/cgroup/*/altest-top /sys/fs/cgroup/altest-top 2>/dev/null)" "the leaf removed"
cfg '.linux.cgroupsPath = "altest-a-b.slice:cri:cgs"'
rt run -d --bundle "$bundle" cgsd </dev/null
scope=$(ls -d /sys/fs/cgroup/pids/altest.slice/altest-a.slice/altest-a-b.slice/cri-cgs.scope \
	/sys/fs/cgroup/altest.slice/altest-a.slice/altest-a-b.slice/cri-cgs.scope 2>/dev/null | head -n1)
assert_ne "" "$scope" "the slice's path"
grep -qx "$(pid_of cgsd)" "$scope/cgroup.procs" 2>/dev/null || t_fail "pid 1 is not in the scope"
rt delete -f cgsd
find /sys/fs/cgroup -depth -type d -path '*altest*' -exec rmdir {} + 2>/dev/null
fresh
t_end

t_begin "seccomp in runtime-spec's format, with airlock's denials still in front"
cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64"],
	syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 13}]}'
args /bin/sh -c 'mkdir /tmp/x 2>&1; unshare -U true 2>&1 || echo userns-denied'
out=$(rt run --bundle "$bundle" sec </dev/null 2>&1)
assert_contains "$out" "Permission denied" "mkdir under the config's filter"
assert_contains "$out" "userns-denied" "airlock's denial of user namespaces"
cfg '.linux.seccomp = {defaultAction: "SCMP_ACT_NOPE"}'
rt create --bundle "$bundle" sec2 </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "a bad seccomp action"
assert_contains "$(cat "$T_TMP/err")" "SCMP_ACT_NOPE"
assert_gone sec2
fresh
t_end

t_begin "namespace paths: a second container joins the first one's network namespace"
args /bin/sh -c 'sleep 100'
rt run -d --bundle "$bundle" ns1 </dev/null
pid=$(pid_of ns1)
cfg --arg p "/proc/$pid/ns/net" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
rt run -d --bundle "$bundle" ns2 </dev/null
assert_eq "0" "$?" "create joining a netns"
assert_eq "$(readlink /proc/$pid/ns/net)" "$(readlink /proc/$(pid_of ns2)/ns/net)" "the same network namespace"
rt delete -f ns2
rt delete -f ns1
assert_gone ns1
assert_gone ns2
fresh
t_end

t_begin "a bundle under a shared mount (dockerd's data root is one): nothing propagates to the host"
snapshot_host
shared="$T_TMP/shared"
mkdir -p "$shared/b"
cp -a "$T_ROOTFS" "$shared/b/rootfs"
cp "$bundle/config.json" "$shared/b/config.json"
mount --bind "$shared" "$shared" && mount --make-shared "$shared"
args /bin/sh -c 'echo inside'
cp "$bundle/config.json" "$shared/b/config.json"
assert_eq "inside" "$(rt run --bundle "$shared/b" sh1 </dev/null 2>&1)"
assert_eq "1" "$(grep -c " $shared" /proc/self/mountinfo)" "mounts under the shared bundle seen by the host"
umount "$shared"
assert_no_leaks
t_end

t_begin "bad input: runc-style errors, exit 1, JSON to --log, nothing left behind"
snapshot_host
jq '.linux.namespaces += [{"type": "bogus"}]' "$bundle/config.json" >"$T_TMP/bad.json"
mkdir -p "$T_TMP/bad" && cp "$T_TMP/bad.json" "$T_TMP/bad/config.json" && ln -s "$bundle/rootfs" "$T_TMP/bad/rootfs"
rt --log "$T_TMP/log.json" --log-format json create --bundle "$T_TMP/bad" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "exit status"
assert_contains "$(cat "$T_TMP/err")" 'unknown namespace type "bogus"'
assert_eq "error" "$(jq -r .level "$T_TMP/log.json")" "--log-format json"
assert_gone rt-bad
rt run --bundle "$T_TMP/nowhere" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?"
assert_contains "$(cat "$T_TMP/err")" "nowhere"
echo '{not json' >"$T_TMP/bad/config.json"
rt create --bundle "$T_TMP/bad" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "malformed config.json"
assert_contains "$(cat "$T_TMP/err")" "config.json"
jq '.root.path = "/nonexistent/rootfs"' "$bundle/config.json" >"$T_TMP/bad/config.json"
rt create --bundle "$T_TMP/bad" rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "missing rootfs"
assert_gone rt-bad
args /nonexistent/cmd
rt create --bundle "$bundle" nobin </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "a command that is not there fails at create, as under runc"
assert_contains "$(cat "$T_TMP/err")" "no such file or directory"
assert_gone nobin
args nosuchcommand
rt create --bundle "$bundle" nobin </dev/null 2>"$T_TMP/err"
assert_contains "$(cat "$T_TMP/err")" "executable file not found in \$PATH"
assert_gone nobin
args /bin/sh -c 'sleep 100'
rt create --bundle "$bundle" dup </dev/null
rt create --bundle "$bundle" dup </dev/null 2>"$T_TMP/err"
assert_eq "1" "$?" "an id in use"
assert_contains "$(cat "$T_TMP/err")" "already exists"
assert_eq "created" "$(status_of dup)" "the first one is untouched"
rt delete dup
assert_eq "0" "$?" "delete of a created container"
rt create --bundle "$bundle" 'bad/id' 2>"$T_TMP/err"
assert_eq "1" "$?" "an id with a slash"
rt start nosuch 2>"$T_TMP/err"
assert_eq "1" "$?" "start of a container that does not exist"
assert_contains "$(cat "$T_TMP/err")" "does not exist"
rt state nosuch 2>/dev/null
assert_eq "1" "$?" "state of a container that does not exist"
rt delete nosuch 2>/dev/null
assert_eq "1" "$?" "delete of a container that does not exist"
rt delete --force nosuch
assert_eq "0" "$?" "delete --force of one that does not exist (as runc)"
"$RT" checkpoint rt-bad 2>"$T_TMP/err"
assert_eq "1" "$?" "a verb airlock-runtime does not have is refused by name"
assert_contains "$(cat "$T_TMP/err")" "checkpoint: not supported"
assert_eq "" "$(ls -A "$ROOTDIR")" "the state directory"
assert_no_leaks
t_end
