#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Strict parsing: every malformed or ambiguous spec is refused with 125 and
# one error line, and the target never runs.  Each case would run the probe,
# which would create a marker file, if chdrop accepted it.

load helpers

setup_file() {
	default_setup_file || return 1
	if is_root; then
		# Where any user the probe might run as can leave its marker.
		mkdir -m 1777 "$TESTDIR/out"
	fi
}
teardown_file() { default_teardown_file; }
setup() {
	require_chdrop
	if is_root; then
		MARK="$TESTDIR/out/ran"
	else
		MARK="$BATS_TEST_TMPDIR/ran"
	fi
	rm -f "$MARK"
}

# refused ARGS...: chdrop ARGS... -- probe touch MARK exits 125, prints one
# "chdrop: " line, prints nothing on stdout and runs nothing.
refused() {
	run -125 --separate-stderr chdrop "$@" -- "$PROBE_BIN" touch "$MARK"
	assert_one_error_line
	assert_output ""
	[[ ! -e "$MARK" ]] || fail "the target ran"
}

@test "-u '' is refused" {
	refused -u '' -g 65534
}

@test "-u -1 is refused" {
	refused -u -1 -g 65534
}

@test "-u 4294967295 is refused" {
	refused -u 4294967295 -g 65534
}

@test "-u 4294967296 is refused" {
	refused -u 4294967296 -g 65534
}

@test "-u 1x is refused" {
	refused -u 1x -g 65534
}

@test "-u ' 1' is refused" {
	refused -u ' 1' -g 65534
}

@test "-u +-1 is refused" {
	refused -u +-1 -g 65534
}

@test "-g '' is refused" {
	refused -u 65534 -g ''
}

@test "-g -1 is refused" {
	refused -u 65534 -g -1
}

@test "-g 4294967295 is refused" {
	refused -u 65534 -g 4294967295
}

@test "-G 'a,,b' is refused" {
	refused -u 65534 -g 65534 -G 'nogroup,,nogroup'
}

@test "-G 'a,' is refused" {
	refused -u 65534 -g 65534 -G 'nogroup,'
}

@test "-G ',a' is refused" {
	refused -u 65534 -g 65534 -G ',nogroup'
}

@test "-G with a malformed number is refused" {
	refused -u 65534 -g 65534 -G '100,1x'
}

@test "unknown user name is refused" {
	refused -u chdrop-no-such-user
}

@test "unknown group name is refused" {
	refused -u 65534 -g chdrop-no-such-group
}

@test "unknown name in -G is refused" {
	refused -u 65534 -g 65534 -G 'nogroup,chdrop-no-such-group'
}

@test "numeric uid with no database entry and no -g is refused" {
	run getent passwd 54321
	[[ $status -ne 0 ]] || skip "uid 54321 exists here"
	refused -u 54321
}

@test "+N with no database entry and no -g is refused" {
	refused -u +54321
}

@test "uid 0 is refused without --allow-root" {
	refused -u 0 -g 65534 -G ''
}

@test "user root by name is refused without --allow-root" {
	refused -u root -g 65534 -G ''
}

@test "gid 0 is refused without --allow-root" {
	refused -u 65534 -g 0 -G ''
}

@test "group 0 in -G is refused without --allow-root" {
	refused -u 65534 -g 65534 -G '65534,0'
}

@test "group root by name in -G is refused without --allow-root" {
	refused -u 65534 -g 65534 -G 'root'
}

@test "missing -u without --allow-root is refused" {
	refused -g 65534 -G ''
}

@test "-c bogus is refused" {
	refused -u 65534 -g 65534 -c bogus
}

@test "-c with one bogus name among good ones is refused" {
	refused -u 65534 -g 65534 -c net_bind_service,bogus
}

@test "-c with an empty element is refused" {
	refused -u 65534 -g 65534 -c 'net_bind_service,,chown'
}

@test "-c cap_cap_chown (double prefix) is refused" {
	refused -u 65534 -g 65534 -c cap_cap_chown
}

@test "-c with a cap number beyond the kernel's last cap is refused" {
	refused -u 65534 -g 65534 -c 63
}

@test "--keep-fd=abc is refused" {
	refused -u 65534 -g 65534 --keep-fd=abc
}

@test "--keep-fd=-1 is refused" {
	refused -u 65534 -g 65534 --keep-fd=-1
}

@test "--keep-fd of a descriptor that is not open is refused" {
	refused -u 65534 -g 65534 --keep-fd=937
}

@test "--env=NOEQUALS is refused" {
	refused -u 65534 -g 65534 --env=NOEQUALS
}

@test "--env==value (empty name) is refused" {
	refused -u 65534 -g 65534 --env==value
}

@test "--userdb=root without -r is refused" {
	refused -u 65534 -g 65534 --userdb=root
}

@test "--userdb=bogus is refused" {
	refused -u 65534 -g 65534 --userdb=bogus
}

@test "relative --root is refused" {
	refused -u 65534 -g 65534 -r relative/dir
}

@test "--root that does not exist is refused" {
	refused -u 65534 -g 65534 -r /nonexistent-chdrop-root
}
