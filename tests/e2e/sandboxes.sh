#!/bin/bash
# sandboxes.sh: named sandboxes, docker's verbs: create, start, exec, ps, inspect, logs, stop, kill, rm,
# cp, prune, run -d, run --name; one monitor per sandbox, no daemon; nothing left behind.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_STATE_ROOT="$T_TMP/state"
mkdir -p "$AIRLOCK_STATE_ROOT"
[ "$T_MODE" = user ] && chown "$T_UID:$T_GID" "$AIRLOCK_STATE_ROOT"
RF=(--rootfs "$T_ROOTFS")

# create + start a long-running sandbox NAME [OPTS...]; the command is a sleep
mk() { # NAME [OPTS...]
	local name=$1
	shift
	al create --name "$name" "$@" "${RF[@]}" -- /bin/sleep 1000
	[ "$AL_RC" = 0 ] || { t_fail "create $name: $AL_ERR"; return 1; }
	al start "$name"
	[ "$AL_RC" = 0 ] || { t_fail "start $name: $AL_ERR"; return 1; }
}

# The host pid of a running sandbox's pid 1.
pid1_of() { al inspect -f '{{.State.Pid}}' "$1"; echo "$AL_OUT"; }

t_begin "create, start, exec, inspect, stop, rm: the lifecycle"
snapshot_host
al create --name life --label a=b "${RF[@]}" -- /bin/sleep 1000
assert_status 0
assert_match "$AL_OUT" '^[0-9a-f]{64}$' "create prints a 64-hex id"
id=$AL_OUT
al inspect -f '{{.State.Status}} {{.State.Running}} {{.Name}} {{.Id}}' life
assert_eq "created false /life $id" "$AL_OUT"
al exec life /bin/true
assert_status 125 "exec into a created sandbox"
assert_contains "$AL_ERR" "is not running"
al start life
assert_status 0
assert_eq "life" "$AL_OUT" "start prints the name"
al inspect -f '{{.State.Status}} {{.State.Running}} {{index .Config.Labels "a"}}' "${id:0:12}"
assert_eq "running true b" "$AL_OUT" "inspect by id prefix"
al exec life /bin/sh -c 'exit 7'
assert_status 7 "exec's exit status is the command's"
al exec "$id" /bin/sh -c 'echo $$ ; cat /proc/1/cmdline | tr "\0" " "'
assert_status 0
al ps
assert_contains "$AL_OUT" "life"
al stop -t 5 life
assert_status 0
al inspect -f '{{.State.Status}} {{.State.Running}} {{.State.ExitCode}}' life
assert_eq "exited false 143" "$AL_OUT" "a sleep stopped by SIGTERM"
al ps
assert_not_contains "$AL_OUT" "life" "ps without -a"
al ps -a --format '{{.Names}} {{.State}}'
assert_contains "$AL_OUT" "life exited"
al start life
assert_status 0 "an exited sandbox starts again"
al rm life
assert_status 125 "rm of a running sandbox without -f"
assert_contains "$AL_ERR" "rm -f"
al rm -f life
assert_status 0
al inspect life
assert_status 1
assert_contains "$AL_ERR" "No such object: life"
al rm -f life
assert_status 1
assert_contains "$AL_ERR" "No such container: life"
assert_no_leaks
t_end

t_begin "exec: stdin, workdir, env, env-file read at exec time, PATH of the request"
mk ex -e BASE=1 -w /tmp --tmpfs /tmp || true
printf 'line1\nline2\n' >"$T_TMP/in.txt"
AL_STDIN="$T_TMP/in.txt" al exec -i ex /bin/sh -c 'wc -l'
assert_eq "2" "$(echo $AL_OUT)" "-i streams stdin"
al exec ex /bin/sh -c 'cat; echo end'
assert_eq "end" "$AL_OUT" "without -i stdin is empty"
al exec ex /bin/pwd
assert_eq "/tmp" "$AL_OUT" "the sandbox's workdir"
al exec -w /etc ex /bin/pwd
assert_eq "/etc" "$AL_OUT" "-w"
printf 'FROMFILE=yes\n# comment\nBASE=2\n' >"$T_TMP/env.list"
chmod 0644 "$T_TMP/env.list"
al exec -e X=1 --env-file "$T_TMP/env.list" ex /bin/sh -c 'echo $X $FROMFILE $BASE'
assert_eq "1 yes 2" "$AL_OUT" "-e and --env-file over the sandbox's env"
al exec ex /bin/sh -c 'echo $BASE $X'
assert_eq "1" "$AL_OUT" "the sandbox's env is unchanged"
al exec --env-file "$T_TMP/absent.list" ex /bin/true
assert_status 125 "a missing --env-file"
al exec -e PATH=/nowhere ex sh -c true
assert_status 127 "PATH is searched in the request's environment"
al exec ex /no/such/binary
assert_status 127
assert_contains "$AL_ERR" "/no/such/binary"
al exec -w /no/such/dir ex /bin/true
assert_status 126
assert_contains "$AL_ERR" "/no/such/dir"
al exec ex /bin/sh -c 'kill -TERM $$'
assert_status 143 "killed by a signal: 128+N"
al rm -f ex
t_end

t_begin "exec is confined exactly as the sandbox's first process (probe)"
mk pr --tmpfs /tmp || true
al exec pr /probe all
assert_probe_ok
al exec pr /bin/sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "'
assert_contains "$AL_OUT" "CapEff: 0000000000000000"
assert_contains "$AL_OUT" "NoNewPrivs: 1"
assert_contains "$AL_OUT" "Seccomp: 2"
cg_run=$(grep -E '^[0-9]+:pids:' "/proc/$(pid1_of pr)/cgroup" 2>/dev/null)
al exec -d pr /bin/sleep 30
assert_status 0 "exec -d"
sleep 0.2
sl=$(pgrep -f '^/bin/sleep 30$' | head -n1)
if [ -n "$sl" ]; then
	assert_eq "$(readlink "/proc/$(pid1_of pr)/ns/pid")" "$(readlink "/proc/$sl/ns/pid")" "pid namespace"
	assert_eq "$(readlink "/proc/$(pid1_of pr)/ns/mnt")" "$(readlink "/proc/$sl/ns/mnt")" "mount namespace"
	assert_eq "$(readlink "/proc/$(pid1_of pr)/ns/net")" "$(readlink "/proc/$sl/ns/net")" "network namespace"
	assert_eq "$cg_run" "$(grep -E '^[0-9]+:pids:' "/proc/$sl/cgroup")" "cgroup"
else
	t_fail "exec -d: the detached sleep is not running"
fi
al rm -f pr
t_end

t_begin "exec -u: another user needs CAP_SETUID; with it, it works"
mk us || true
al exec -u 0:0 us /bin/sh -c 'id -u'
assert_eq "0" "$AL_OUT" "-u as the sandbox's own user"
al exec -u 1000:1000 us /bin/sh -c 'id -u'
assert_status 126
if [ "$T_MODE" = root ]; then
	assert_contains "$AL_ERR" "CAP_SETUID"
else
	assert_contains "$AL_ERR" "maps no such id"
fi
al rm -f us
if [ "$T_MODE" = root ]; then
	mk us2 --cap-add SETUID --cap-add SETGID || true
	al exec -u 1000:1000 us2 /bin/sh -c 'echo $(id -u):$(id -g)'
	assert_eq "1000:1000" "$AL_OUT"
	al rm -f us2
fi
t_end

t_begin "exec -t: a pty of the sandbox's own devpts"
mk tt || true
out=$(script -qec "$(printf '%q ' "${AS_USER[@]}" "$AIRLOCK") exec -t tt /bin/sh -c 'tty; echo rc=\$?'" /dev/null 2>&1)
[ "$T_MODE" = root ] && out=$(script -qec "$AIRLOCK exec -t tt /bin/sh -c 'tty; echo rc=\$?'" /dev/null 2>&1)
assert_match "$out" "/dev/pts/[0-9]+" "ttyname inside"
assert_contains "$out" "rc=0"
al rm -f tt
t_end

t_begin "many concurrent execs into one sandbox"
mk cc || true
pids=""
for i in $(seq 1 24); do
	if [ "$T_MODE" = user ]; then
		as_user "$AIRLOCK" exec cc /bin/sh -c "echo out-$i; exit $((i % 5))" >"$T_TMP/cc.$i" 2>&1 &
	else
		"$AIRLOCK" exec cc /bin/sh -c "echo out-$i; exit $((i % 5))" >"$T_TMP/cc.$i" 2>&1 &
	fi
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p"
	rc=$?
	[ "$rc" = $((i % 5)) ] || t_fail "exec $i: status $rc, want $((i % 5))"
	[ "$(cat "$T_TMP/cc.$i")" = "out-$i" ] || t_fail "exec $i: output $(cat "$T_TMP/cc.$i")"
done
al rm -f cc
t_end

t_begin "an exec dies with its caller unless detached"
mk die || true
al_bg exec die /bin/sleep 77
wait_for 5 pgrep -f '^/bin/sleep 77$' >/dev/null || t_fail "the exec'd sleep did not start"
kill -KILL "$AL_BG_PID"
wait "$AL_BG_PID" 2>/dev/null
wait_for 5 sh -c '! pgrep -f "^/bin/sleep 77$" >/dev/null' || t_fail "the exec'd sleep outlived its killed caller"
al rm -f die
t_end

t_begin "exec forwards signals to its process"
mk sg || true
al_bg exec sg /bin/sh -c 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.05; done'
sleep 0.5
kill -TERM "$AL_BG_PID"
al_bg_wait 10
assert_eq "3" "$AL_RC" "the trap's exit status"
assert_contains "$AL_OUT" "got-term"
al rm -f sg
t_end

t_begin "logs, logs --tail, logs -f"
al run -d --name lg "${RF[@]}" -- /bin/sh -c 'echo one; echo two >&2; echo three; sleep 0.5; echo four'
assert_status 0 "run -d"
assert_match "$AL_OUT" '^[0-9a-f]{64}$' "run -d prints the id"
al logs -f lg
assert_eq "one two three four" "$(echo $AL_OUT)" "logs -f until the end"
al logs --tail 2 lg
assert_eq "three four" "$(echo $AL_OUT)"
al inspect -f '{{.State.Status}} {{.State.ExitCode}}' lg
assert_eq "exited 0" "$AL_OUT"
al rm lg
assert_status 0
t_end

t_begin "run -d --rm removes itself; run --name is reachable while it runs"
al run -d --rm --name gone "${RF[@]}" -- /bin/true
assert_status 0
wait_for 5 sh -c "! ls '$AIRLOCK_STATE_ROOT/run/names/gone' 2>/dev/null" || t_fail "run -d --rm left its record"
al_bg run --name fg "${RF[@]}" -- /bin/sh -c 'sleep 30'
wait_for 5 sh -c "'$AIRLOCK' inspect -f '{{.State.Running}}' fg 2>/dev/null | grep -q true" ||
	[ "$T_MODE" = user ] || t_fail "the foreground sandbox is not seen as running"
al exec fg /bin/sh -c 'echo reach'
assert_eq "reach" "$AL_OUT" "exec into a foreground run --name"
al kill fg
assert_status 0
al_bg_wait 10
assert_eq "137" "$AL_RC" "the foreground run reports the kill"
al inspect fg
assert_status 1 "a foreground run is removed when it ends"
t_end

t_begin "stop -t, kill -s"
mk st || true
al exec -d st /bin/sh -c 'true'
al kill -s USR1 st
assert_status 0
al inspect -f '{{.State.Status}} {{.State.ExitCode}}' st
wait_for 5 sh -c "'$AIRLOCK' inspect -f '{{.State.Status}}' st | grep -q exited" 2>/dev/null
al inspect -f '{{.State.Status}} {{.State.ExitCode}}' st
assert_eq "exited 138" "$AL_OUT" "SIGUSR1 reaches the command (a sleep dies of it)"
al create --name st2 "${RF[@]}" -- /bin/sh -c 'trap "" TERM; while :; do sleep 0.1; done'
al start st2
start=$(date +%s%N)
al stop -t 1 st2
took=$((($(date +%s%N) - start) / 1000000))
assert_status 0
[ "$took" -ge 900 ] || t_fail "stop -t 1 returned after ${took} ms"
al inspect -f '{{.State.ExitCode}}' st2
assert_eq "137" "$AL_OUT" "killed after the grace period"
al kill st2
assert_status 125 "kill of a stopped sandbox"
al stop st2
assert_status 0 "stop of a stopped sandbox is a no-op"
al rm st st2
t_end

t_begin "names: unique, two concurrent creates of one name, one wins"
al create --name dup "${RF[@]}" -- /bin/true
al create --name dup "${RF[@]}" -- /bin/true
assert_status 125
assert_contains "$AL_ERR" 'Conflict. The container name "/dup" is already in use'
al rm dup
for i in 1 2 3 4 5 6; do
	if [ "$T_MODE" = user ]; then
		as_user "$AIRLOCK" create --name race "${RF[@]}" -- /bin/true >"$T_TMP/race.$i" 2>&1 &
	else
		"$AIRLOCK" create --name race "${RF[@]}" -- /bin/true >"$T_TMP/race.$i" 2>&1 &
	fi
done
wait
won=$(grep -lE '^[0-9a-f]{64}$' "$T_TMP"/race.* | wc -l)
assert_eq "1" "$won" "exactly one create wins"
assert_eq "5" "$(grep -l Conflict "$T_TMP"/race.* | wc -l)" "the others get the conflict"
al ps -a -q --filter name=race
assert_eq "1" "$(printf '%s\n' "$AL_OUT" | grep -c .)" "one record"
al rm race
t_end

t_begin "ps filters and formats"
al create --name f1 --label team=a --label k "${RF[@]}" -- /bin/true
al create --name f2 --label team=b "${RF[@]}" -- /bin/true
al ps -a --filter label=team=a --format '{{.Names}}'
assert_eq "f1" "$AL_OUT"
al ps -a --filter label=team --format '{{.Names}}'
assert_eq "f1 f2" "$(echo $(printf '%s\n' "$AL_OUT" | sort))"
al ps -a --filter label=k --filter name=f --format '{{.Names}}'
assert_eq "f1" "$AL_OUT"
al ps -a --filter name=f2 --format json
assert_eq "f2" "$(printf '%s' "$AL_OUT" | jq -r .Names)" "--format json"
assert_eq "created" "$(printf '%s' "$AL_OUT" | jq -r .State)"
al ps -a --filter bogus=1
assert_status 125
al rm f1 f2
t_end

t_begin "prune: stopped ones, --filter label, --idle, --max-age"
al create --name p1 --label keep=no "${RF[@]}" -- /bin/true
al create --name p2 --label keep=yes "${RF[@]}" -- /bin/true
mk p3 || true
al prune --filter label=keep=no
assert_contains "$AL_OUT" "Deleted Containers:"
al ps -a --format '{{.Names}}'
assert_not_contains "$AL_OUT" "p1"
assert_contains "$AL_OUT" "p2"
al prune
al ps -a --format '{{.Names}}'
assert_eq "p3" "$AL_OUT" "a running sandbox survives a plain prune"
al prune --idle 1h
al ps -a --format '{{.Names}}'
assert_eq "p3" "$AL_OUT" "recently used"
sleep 1.1
al exec p3 /bin/true
al prune --idle 1s
assert_contains "$AL_OUT" "Total reclaimed space"
al ps -a --format '{{.Names}}'
assert_eq "p3" "$AL_OUT" "an exec counts as use"
sleep 1.1
al prune --idle 1s
al ps -a --format '{{.Names}}'
assert_eq "" "$AL_OUT" "an idle running sandbox is stopped and removed"
mk p4 || true
al prune --max-age 1h
al ps -a -q
assert_ne "" "$AL_OUT" "young"
sleep 1.1
al prune --max-age 1s
al ps -a -q
assert_eq "" "$AL_OUT" "--max-age"
t_end

t_begin "cp in and out, confined to the sandbox's view"
mk cp --tmpfs /tmp || true
echo "payload" >"$T_TMP/cpin"
chmod 0644 "$T_TMP/cpin"
al cp "$T_TMP/cpin" cp:/tmp/f
assert_status 0
al exec cp /bin/sh -c 'cat /tmp/f; stat -c %u /tmp/f'
assert_eq "payload 0" "$(echo $AL_OUT)" "copied in, owned by the sandbox's root"
out_dir=$(t_mkdir cpout)
al cp cp:/tmp/f "$out_dir/f"
assert_eq "payload" "$(cat "$out_dir/f" 2>/dev/null)" "copied out"
al exec cp /bin/sh -c 'ln -s / /tmp/esc; ln -s /../../../.. /tmp/up; mkdir /tmp/d; echo inner > /tmp/d/x'
al cp "$T_TMP/cpin" cp:/tmp/esc/tmp/escaped
assert_file_absent /tmp/escaped "a symlink to / does not lead to the host's /"
al exec cp /bin/cat /tmp/escaped
assert_eq "payload" "$AL_OUT" "it landed inside the sandbox"
al cp cp:/tmp/up/etc/passwd "$out_dir/passwd"
cmp -s "$out_dir/passwd" "$T_ROOTFS/etc/passwd" || t_fail "cp out through .. symlinks read something else than the sandbox's /etc/passwd"
al cp cp:/tmp/d "$out_dir/"
assert_eq "inner" "$(cat "$out_dir/d/x" 2>/dev/null)" "a directory"
al cp "$T_TMP/cpin" cp:/etc/new
assert_status 125 "the read-only root"
assert_contains "$AL_ERR" "Read-only file system"
al cp cp:/nope "$out_dir/x"
assert_status 125
assert_contains "$AL_ERR" "/nope"
al cp "$T_TMP/cpin" nosuch:/tmp/x
assert_status 1
assert_contains "$AL_ERR" "No such container: nosuch"
al rm -f cp
t_end

t_begin "SIGKILL of the monitor tears the sandbox down; ps shows it exited; rm removes the rest"
snapshot_host
mk mon || true
pid1=$(pid1_of mon)
mon=$(awk '{print $4}' "/proc/$pid1/stat" 2>/dev/null)
[ -n "$mon" ] && kill -KILL "$mon"
wait_for 5 sh -c "! kill -0 $pid1 2>/dev/null" || t_fail "pid 1 survived its monitor"
al ps -a --format '{{.Names}} {{.State}} {{.Status}}'
assert_contains "$AL_OUT" "mon exited Exited (137)"
al rm mon
assert_status 0
assert_no_leaks
t_end

t_begin "bad input: one line, distinct status, nothing created"
al create --name 'bad name' "${RF[@]}" -- /bin/true
assert_status 125
assert_contains "$AL_ERR" "invalid name"
al create --name nosrc -v /no/such/dir:/x "${RF[@]}" -- /bin/true
assert_status 125
assert_contains "$AL_ERR" "/no/such/dir"
al create --name noimg no-such-image:1
assert_status 1
assert_contains "$AL_ERR" "No such image: no-such-image:1"
al ps -a -q
assert_eq "" "$AL_OUT" "no record from a failed create"
al start nosuch
assert_status 1
al exec nosuch /bin/true
assert_status 1
assert_contains "$AL_ERR" "No such container: nosuch"
al stop --time x nosuch
assert_status 125
al logs
assert_status 125
al version --format '{{.Server.Version}}'
assert_match "$AL_OUT" '^[0-9]+\.[0-9]+\.[0-9]+$' "version --format"
al create --name badcmd "${RF[@]}" -- /no/such/cmd
al start badcmd
assert_status 127 "start of a command that does not exist"
assert_contains "$AL_ERR" "/no/such/cmd"
al rm -f badcmd
t_end
