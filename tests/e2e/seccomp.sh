#!/bin/bash
# seccomp.sh: the default filter is on and denies THREATS.md point 4's syscalls; --security-opt
# seccomp=FILE loads a docker-format profile; seccomp=unconfined is refused without --allow-unconfined.
# modes: root user asan
. "$(dirname "$0")/../lib.sh"

denied_checks="seccomp.mode mount.denied mount.newapi cgroupfs.denied chroot.denied swapon.denied"
denied_checks+=" kexec.denied module.denied open_by_handle.denied bpf.denied perf.denied userfaultfd.denied"
denied_checks+=" io_uring.denied keyring.denied userns.denied unshare.denied clock.denied ioperm.denied"
denied_checks+=" syslog.denied socket.raw.denied pivot_root.denied umount.denied"

t_begin "the default filter is on (Seccomp: 2) and denies the kernel attack surface"
al_rootfs -- /probe $denied_checks
assert_probe_ok
t_end

t_begin "the filter holds for a non-root user and in child processes"
al_rootfs -u 1000:1000 -- /bin/sh -c "/probe $denied_checks"
assert_probe_ok
t_end

cat >"$T_TMP/deny-mkdir.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
  ]
}
JSON
cat >"$T_TMP/broken.json" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mkdir"], "action":
JSON
chmod 0644 "$T_TMP"/*.json

t_begin "--security-opt seccomp=FILE applies a docker-format profile"
al_rootfs --tmpfs /t -- /bin/mkdir /t/dir
assert_status 0 "mkdir without the profile"
al_rootfs --tmpfs /t --security-opt "seccomp=$T_TMP/deny-mkdir.json" -- /bin/sh -c 'mkdir /t/dir; echo "rc=$?"; touch /t/file && echo touched'
assert_status 0
assert_contains "$AL_OUT" "rc=1" "mkdir under the profile"
assert_contains "$AL_ERR" "Permission denied" "errnoRet 13"
assert_contains "$AL_OUT" "touched" "other syscalls"
t_end

t_begin "the docker spelling seccomp:FILE and a relative path work too"
al_rootfs --tmpfs /t --security-opt "seccomp:$T_TMP/deny-mkdir.json" -- /bin/mkdir /t/x
assert_ne 0 "$AL_RC" "mkdir under seccomp:FILE"
al_rootfs --tmpfs /t --security-opt "seccomp=deny-mkdir.json" -- /bin/mkdir /t/x
assert_ne 0 "$AL_RC" "mkdir under a relative seccomp=FILE"
t_end

t_begin "a malformed or missing profile is an airlock error"
snapshot_host
al_rootfs --security-opt "seccomp=$T_TMP/broken.json" -- /bin/true
assert_airlock_error
al_rootfs --security-opt "seccomp=$T_TMP/no-such-profile.json" -- /bin/true
assert_airlock_error "no-such-profile.json"
assert_no_leaks
t_end

t_begin "seccomp=unconfined is refused without --allow-unconfined"
snapshot_host
al_rootfs --security-opt seccomp=unconfined -- /bin/true
assert_airlock_error "unconfined"
assert_no_leaks
t_end

t_begin "seccomp=unconfined with --allow-unconfined turns the filter off, nothing else"
al_rootfs --security-opt seccomp=unconfined --allow-unconfined -- /bin/cat /proc/self/status
assert_status 0
assert_eq "0" "$(printf '%s\n' "$AL_OUT" | awk '$1 == "Seccomp:" {print $2}')" "Seccomp"
assert_eq "1" "$(printf '%s\n' "$AL_OUT" | awk '$1 == "NoNewPrivs:" {print $2}')" "NoNewPrivs"
assert_eq "0000000000000000" "$(printf '%s\n' "$AL_OUT" | awk '$1 == "CapEff:" {print $2}')" "CapEff"
t_end

t_begin "no-new-privileges cannot be turned off"
al_rootfs --security-opt no-new-privileges=false -- /bin/true
assert_airlock_error
al_rootfs --security-opt no-new-privileges -- /bin/true
assert_status 0 "no-new-privileges (already on)"
t_end
