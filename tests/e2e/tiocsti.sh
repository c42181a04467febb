#!/bin/bash
# tiocsti.sh: the caller's terminal is safe (THREATS 10). airlock runs under `script` so the caller
# has a real pty; the sandbox runs in a new session and TIOCSTI/TIOCLINUX are filtered (also with
# the ioctl number's upper 32 bits set), so nothing it "types" reaches the shell that reads next.
# modes: root user
. "$(dirname "$0")/../lib.sh"

# Run airlock ARGS under a pty; afterwards the same shell reads the terminal for a second and
# prints GOT:<line>. Output in PTY_OUT.
under_pty() { # ARGS...
	local -a pre=()
	[ "$T_MODE" = user ] && pre=(setpriv --reuid="$T_UID" --regid="$T_GID" --init-groups -- env HOME="$T_HOME" XDG_RUNTIME_DIR="/run/user/$T_UID")
	printf '%q ' "${pre[@]}" "$AIRLOCK" "$@" >"$T_TMP/.lib/cmd.sh"
	printf '\nread -t 1 line; echo "GOT:$line"\n' >>"$T_TMP/.lib/cmd.sh"
	PTY_OUT=$( (sleep 2) | timeout -k 2 30 script -qec "bash $T_TMP/.lib/cmd.sh" /dev/null 2>&1 | tr -d '\r')
	[ -n "${T_VERBOSE:-}" ] && printf "  pty: %s\n" "$PTY_OUT" >&2
}

t_begin "without -i: no terminal reaches the sandbox, nothing is injected"
under_pty run --rootfs "$T_ROOTFS" -- /probe tiocsti
assert_not_contains "$PTY_OUT" "GOT:AIRLOCK-INJECTED" "what the caller's shell read"
assert_not_contains "$PTY_OUT" "FAIL" "probe"
t_end

t_begin "-i with the caller's pty as stdin: TIOCSTI fails, nothing is injected"
under_pty run -i --rootfs "$T_ROOTFS" -- /probe tiocsti
assert_contains "$PTY_OUT" "PASS tiocsti" "probe"
assert_not_contains "$PTY_OUT" "GOT:AIRLOCK-INJECTED" "what the caller's shell read"
t_end

t_begin "-t -i: even on its own pty the sandbox cannot use TIOCSTI"
under_pty run -t -i --rootfs "$T_ROOTFS" -- /probe tiocsti
assert_contains "$PTY_OUT" "PASS tiocsti" "probe"
assert_not_contains "$PTY_OUT" "GOT:AIRLOCK-INJECTED" "what the caller's shell read"
t_end

t_begin "-t gives the command a terminal"
under_pty run -t --rootfs "$T_ROOTFS" -- /bin/sh -c '[ -t 0 ] && [ -t 1 ] && echo is-a-tty; tty; exit 7'
assert_contains "$PTY_OUT" "is-a-tty" "output"
# The pty belongs to the sandbox's own devpts: ttyname() names a device that exists inside.
assert_contains "$PTY_OUT" "/dev/pts/0" "tty"
t_end

t_begin "-t: the command's exit status comes back"
al run -t --rootfs "$T_ROOTFS" -- /bin/sh -c 'exit 7' </dev/null
assert_status 7
t_end

t_begin "the sandbox runs in its own session"
al_rootfs -- /probe session.new
assert_probe_ok
al_bg run --rootfs "$T_ROOTFS" -- /probe sleep 5
pid=$(wait_probe_pid 10)
if [ -n "$pid" ]; then
	sb_sid=$(awk '{print $6}' "/proc/$pid/stat")
	my_sid=$(awk '{print $6}' /proc/$$/stat)
	assert_ne "$my_sid" "$sb_sid" "session of the sandboxed command"
	kill "$AL_BG_PID" 2>/dev/null
else
	t_fail "no probe process appeared"
fi
al_bg_wait 10
t_end
