#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr
# Verification: chdrop reads every credential back and trusts nothing it
# was told.  tests/liar/liar.c, preloaded, makes one privilege-changing
# call report success without doing anything; chdrop must see through it,
# exit 125 and run nothing.  Without the lie the same launch succeeds.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	"${CC:-cc}" -shared -fPIC -O2 -o "$TESTDIR/liar.so" \
		"$BATS_TEST_DIRNAME/liar/liar.c" -ldl || return 1
	export LIAR="$TESTDIR/liar.so"
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	# A preload reaches only a dynamically linked chdrop, run directly.
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "not under a wrapper"
	readelf -d "$CHDROP" 2>/dev/null | grep -q NEEDED || skip "chdrop is statically linked"
}

# lied CALL: launch with CALL lying; the target would print a report.
lied() {
	run --separate-stderr env LD_PRELOAD="$LIAR" CHDROP_LIAR="$1" \
		"$CHDROP" -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe
}

@test "control: with nothing lying the launch succeeds" {
	lied none
	assert_success
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "setresuid that did nothing: verification fails, nothing runs" {
	lied setresuid
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: uids"
	refute_target_ran
}

@test "setresgid that did nothing: caught" {
	lied setresgid
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: gids"
	refute_target_ran
}

@test "setgroups that did nothing: caught" {
	lied setgroups
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: supplementary groups"
	refute_target_ran
}

@test "a bounding-set drop that did nothing: caught" {
	lied capbset_drop
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: bounding set"
	refute_target_ran
}

@test "an ambient raise that did nothing: caught" {
	lied ambient_raise
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: ambient capabilities"
	refute_target_ran
}

@test "no_new_privs that was not set: caught" {
	lied no_new_privs
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: no_new_privs"
	refute_target_ran
}

@test "securebits that were not set: caught" {
	lied securebits
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: securebits"
	refute_target_ran
}

@test "a terminal guard that was not installed: caught" {
	lied seccomp
	assert_equal "$status" 125
	# Under a container's own seccomp filter (systemd-nspawn's, docker's)
	# PR_GET_SECCOMP says 2 whatever chdrop did; the guard's effect, TIOCSTI
	# refused, is what catches the lie there.
	if [[ "$(awk '/^Seccomp:/ { print $2 }' /proc/self/status)" == 0 ]]; then
		assert_equal "$stderr" "chdrop: verification failed: seccomp filter"
	else
		assert_equal "$stderr" "chdrop: verification failed: terminal guard: TIOCSTI/TIOCLINUX are not refused"
	fi
	refute_target_ran
}

@test "a capset that did nothing (libcap-ng calls it through libc): caught" {
	lied capset
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: verification failed: effective, permitted or inheritable capabilities"
	refute_target_ran
}
