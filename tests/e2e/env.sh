#!/bin/bash
# env.sh: a clean environment by default (THREATS 7): the caller's variables are not passed unless
# named; PATH, HOME, TERM, LANG get sane values; -e KEY=VAL, -e KEY (pass through), --env-file.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

export AIRLOCK_E2E_SECRET="s3cr3t-$$"
export AWS_SECRET_ACCESS_KEY="aws-$$"
export LD_PRELOAD_E2E="x"
keys() { printf '%s\n' "$AL_OUT" | cut -d= -f1 | sort | tr '\n' ' ' | sed 's/ $//'; }
val() { printf '%s\n' "$AL_OUT" | sed -n "s/^$1=//p"; }

t_begin "the caller's environment does not leak in"
al_run -- "$PROBE" env
assert_status 0
assert_not_contains "$AL_OUT" "s3cr3t-$$" "sandbox environment"
assert_not_contains "$AL_OUT" "aws-$$" "sandbox environment"
assert_not_contains "$AL_OUT" "LD_PRELOAD_E2E" "sandbox environment"
for k in $(keys); do
	case "$k" in PATH | HOME | TERM | LANG | HOSTNAME | container) ;; *) t_fail "unexpected variable $k" ;; esac
done
t_end

t_begin "PATH and HOME get sane defaults, not the caller's"
al_rootfs -- /probe env
assert_match "$(val PATH)" '^(/usr/local/sbin:)?/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "PATH"
assert_eq "/root" "$(val HOME)" "HOME of root"
t_end

t_begin "-e KEY=VAL sets a variable, values keep spaces and '='"
al_rootfs -e FOO=bar -e "SPACED=a b  c" -e "EQ=x=y=z" -e EMPTY= -- /probe env
assert_eq "bar" "$(val FOO)" "FOO"
assert_eq "a b  c" "$(val SPACED)" "SPACED"
assert_eq "x=y=z" "$(val EQ)" "EQ"
printf '%s\n' "$AL_OUT" | grep -qx 'EMPTY=' || t_fail "EMPTY= missing"
t_end

t_begin "-e KEY passes the caller's KEY through, and only that one"
al_rootfs -e AIRLOCK_E2E_SECRET -e AIRLOCK_E2E_UNSET_VAR -- /probe env
assert_eq "s3cr3t-$$" "$(val AIRLOCK_E2E_SECRET)" "passed variable"
assert_not_contains "$AL_OUT" "aws-$$" "other variables"
assert_not_contains "$AL_OUT" "AIRLOCK_E2E_UNSET_VAR" "an unset variable named with -e"
t_end

t_begin "-e PATH=... replaces the default PATH"
al_rootfs -e PATH=/bin -- /probe env
assert_eq "/bin" "$(val PATH)" "PATH"
t_end

t_begin "--env-file reads KEY=VAL lines, skips comments and blanks, passes bare KEYs through"
cat >"$T_TMP/env.list" <<EOF2
# a comment
FROM_FILE=file value

WITH_EQ=a=b
AIRLOCK_E2E_SECRET
OVERRIDDEN=from-file
EOF2
chmod 0644 "$T_TMP/env.list"
al_rootfs --env-file "$T_TMP/env.list" -e OVERRIDDEN=from-flag -- /probe env
assert_status 0
assert_eq "file value" "$(val FROM_FILE)" "FROM_FILE"
assert_eq "a=b" "$(val WITH_EQ)" "WITH_EQ"
assert_eq "s3cr3t-$$" "$(val AIRLOCK_E2E_SECRET)" "bare KEY from the file"
assert_eq "from-flag" "$(val OVERRIDDEN)" "-e after --env-file"
assert_not_contains "$AL_OUT" "# a comment" "comment"
t_end

t_begin "a missing --env-file is an airlock error"
snapshot_host
al_rootfs --env-file "$T_TMP/no-such.env" -- /bin/true
assert_airlock_error "no-such.env"
assert_no_leaks
t_end
