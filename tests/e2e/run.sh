#!/bin/bash
# run.sh: `airlock run` basics: output, arguments, stdin, PATH lookup and docker's exit statuses
# (the command's own, 126 cannot execute, 127 not found, 128+N for signal N).
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

t_begin "true exits 0 with no output and leaves nothing behind"
snapshot_host
al_run -- /bin/true
assert_status 0
assert_eq "" "$AL_OUT" "stdout"
assert_no_leaks
t_end

t_begin "stdout and stderr pass through separately"
al_run -- /bin/sh -c 'echo to-out; echo to-err >&2'
assert_status 0
assert_eq "to-out" "$AL_OUT" "stdout"
assert_contains "$AL_ERR" "to-err" "stderr"
assert_not_contains "$AL_OUT" "to-err" "stdout"
t_end

t_begin "arguments reach the command verbatim"
al_run -- /bin/sh -c 'printf "%s|" "$@"' sh "a b" '$HOME' "" "--help" "*"
assert_status 0
assert_eq 'a b|$HOME||--help|*|' "$AL_OUT" "argv"
t_end

t_begin "options after the command belong to the command"
al_run /bin/echo --rootfs -v x
assert_status 0
assert_eq "--rootfs -v x" "$AL_OUT"
t_end

t_begin "a bare command name is found on PATH"
al_run -- echo found
assert_status 0
assert_eq "found" "$AL_OUT"
t_end

t_begin "exit status of the command is airlock's"
for n in 0 1 7 42 124 125 126 127 255; do
	al_run -- "$PROBE" exit "$n"
	assert_status "$n" "probe exit $n"
done
t_end

t_begin "a command killed by signal N gives 128+N"
for s in TERM:143 KILL:137 SEGV:139 INT:130 ABRT:134; do
	al_run -- "$PROBE" kill-self "${s%%:*}"
	assert_status "${s##*:}" "kill-self ${s%%:*}"
done
t_end

t_begin "command not found gives 127"
al_run -- /nonexistent/airlock-no-such-command
assert_status 127 "absolute path"
al_run -- airlock-no-such-command-xyz
assert_status 127 "PATH lookup"
t_end

t_begin "a file that cannot be executed gives 126"
ne=$(t_mkdir noexec)
printf 'echo ran\n' >"$ne/script"
chmod 0644 "$ne/script"
al_run -v "$ne:/x:ro" -- /x/script
assert_status 126 "non-executable file"
assert_not_contains "$AL_OUT" "ran" "output"
al_run -- /etc
assert_status 126 "directory"
t_end

t_begin "stdin is /dev/null without -i"
echo "secret-input" >"$T_TMP/stdin.txt"
AL_STDIN="$T_TMP/stdin.txt" al_run -- /bin/cat
assert_status 0
assert_eq "" "$AL_OUT" "stdin contents"
t_end

t_begin "-i passes stdin through"
AL_STDIN="$T_TMP/stdin.txt" al_run -i -- /bin/cat
assert_status 0
assert_eq "secret-input" "$AL_OUT" "stdin contents"
t_end

t_begin "a megabyte of output arrives intact"
al_run -- /bin/sh -c 'head -c 1048576 /dev/zero | tr "\0" x'
assert_status 0
assert_eq 1048576 "${#AL_OUT}" "bytes"
t_end

t_begin "--rootfs runs the rootfs's own binaries"
al_rootfs -- /bin/sh -c 'echo hi from $(readlink /bin/sh)'
assert_status 0
assert_eq "hi from busybox" "$AL_OUT"
al_rootfs -- /bin/ls /usr/lib/x86_64-linux-gnu
assert_ne 0 "$AL_RC" "host /usr/lib visible through --rootfs"
t_end

t_begin "--name is accepted and two sandboxes with different names run at once"
al_bg run --name "e2e-a-$$" -- "$PROBE" sleep 1
pid_a=$AL_BG_PID
al_run --name "e2e-b-$$" -- /bin/true
assert_status 0 "second sandbox"
AL_BG_PID=$pid_a
al_bg_wait 20
assert_status 0 "first sandbox"
t_end

# Speed is measured by bench/run.sh (docs/benchmarks.md), never by a timed test.
t_begin "20 sandboxes in a row all start and end cleanly"
snapshot_host
for i in $(seq 20); do
	al_run -- /bin/true
	[ "$AL_RC" = 0 ] || { t_fail "run $i: status $AL_RC: $AL_ERR"; break; }
done
assert_no_leaks
t_end
