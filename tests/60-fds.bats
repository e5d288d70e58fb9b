#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# File descriptors: everything closed but 0, 1, 2, systemd's LISTEN_FDS range
# (when LISTEN_PID is chdrop's pid) and --keep-fd; directories never kept.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	echo first >"$TESTDIR/f1"
	echo second >"$TESTDIR/f2"
	echo third >"$TESTDIR/f3"
	chmod 0644 "$TESTDIR"/f?
}
teardown_file() { default_teardown_file; }
setup() { default_setup; }

@test "a leaked directory descriptor is closed" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe openat-fd 7 etc/passwd report 7</
	assert_probe openat EBADF
	assert_probe fds 0,1,2
}

@test "control: the leaked directory descriptor really is a way out" {
	run -0 --separate-stderr chroot --userspec="$TUSER_UID:$TUSER_GID" "$ROOT" /bin/probe openat-fd 7 etc/passwd 7</
	assert_probe openat ok
}

@test "a leaked file descriptor is closed" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe 8<"$TESTDIR/f1"
	assert_probe fds 0,1,2
}

@test "high-numbered leaked descriptors are closed" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe 9<"$TESTDIR/f1" 200<"$TESTDIR/f2" 1000<"$TESTDIR/f3"
	assert_probe fds 0,1,2
}

@test "--keep-fd=8 keeps a file descriptor, and only that one" {
	run -0 --separate-stderr chdrop --keep-fd=8 -r "$ROOT" -u "$TUSER" -- /bin/probe report read-fd 8 8<"$TESTDIR/f1" 9<"$TESTDIR/f2"
	assert_probe fds 0,1,2,8
	assert_probe read first
}

@test "--keep-fd repeated keeps each" {
	run -0 --separate-stderr chdrop --keep-fd=8 --keep-fd=11 -r "$ROOT" -u "$TUSER" -- /bin/probe 8<"$TESTDIR/f1" 9<"$TESTDIR/f2" 11<"$TESTDIR/f3"
	assert_probe fds 0,1,2,8,11
}

@test "--keep-fd of a directory: 125, target not run" {
	run -125 --separate-stderr chdrop --keep-fd=7 -r "$ROOT" -u "$TUSER" -- /bin/probe 7</
	assert_one_error_line
	refute_target_ran
}

@test "--keep-fd of a directory inside the root is refused too" {
	run -125 --separate-stderr chdrop --keep-fd=7 -r "$ROOT" -u "$TUSER" -- /bin/probe 7<"$ROOT/etc"
	assert_one_error_line
	refute_target_ran
}

@test "--keep-fd of a descriptor that is not open: 125" {
	run -125 --separate-stderr chdrop --keep-fd=9 -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

# listen N CHDROP-ARGS...: run chdrop from a shell that opens f1, f2 on 3, 4
# and f3 on 5, with LISTEN_PID set to the shell's pid (= chdrop's, after exec)
# and LISTEN_FDS=N.
listen() {
	local n="$1"
	shift
	run --separate-stderr sh -c '
		exec 3<"$1" 4<"$2" 5<"$3"
		n=$4
		shift 4
		LISTEN_PID=$$ LISTEN_FDS=$n exec "$@"' sh \
		"$TESTDIR/f1" "$TESTDIR/f2" "$TESTDIR/f3" "$n" "${CHDROP_ARGV[@]}" "$@"
}

@test "LISTEN_FDS=2 with LISTEN_PID = chdrop's pid keeps fds 3 and 4" {
	listen 2 -r "$ROOT" -u "$TUSER" -- /bin/probe report read-fd 3 read-fd 4
	assert_success
	assert_probe fds 0,1,2,3,4
	assert_line "read=first"
	assert_line "read=second"
	# chdrop execs in place: LISTEN_PID is still the target's own pid
	assert_probe env.LISTEN_PID "$(probe_val pid)"
	assert_probe env.LISTEN_FDS 2
}

@test "LISTEN_FDS with a stale LISTEN_PID keeps nothing" {
	run -0 --separate-stderr sh -c '
		exec 3<"$1" 4<"$2"
		shift 2
		LISTEN_PID=1 LISTEN_FDS=2 exec "$@"' sh \
		"$TESTDIR/f1" "$TESTDIR/f2" "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe fds 0,1,2
}

@test "LISTEN_FDS without LISTEN_PID keeps nothing" {
	run -0 --separate-stderr env -u LISTEN_PID LISTEN_FDS=2 "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe 3<"$TESTDIR/f1" 4<"$TESTDIR/f2"
	assert_probe fds 0,1,2
}

@test "a malformed LISTEN_FDS keeps nothing (or is refused), never a huge range" {
	run --separate-stderr sh -c '
		exec 3<"$1" 4<"$2"
		shift 2
		LISTEN_PID=$$ LISTEN_FDS=2x exec "$@"' sh \
		"$TESTDIR/f1" "$TESTDIR/f2" "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	if [[ $status -eq 0 ]]; then
		assert_probe fds 0,1,2
	else
		assert_equal "$status" 125
		refute_target_ran
	fi
}

@test "LISTEN_FDS and --keep-fd together" {
	listen 1 --keep-fd=5 -r "$ROOT" -u "$TUSER" -- /bin/probe report read-fd 5
	assert_success
	assert_probe fds 0,1,2,3,5
	assert_probe read third
}

@test "a directory inside the LISTEN_FDS range is refused" {
	run --separate-stderr sh -c '
		exec 3</
		shift
		LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"' sh x \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe openat-fd 3 etc/passwd
	refute_output --partial "openat=ok"
	assert_equal "$status" 125
}

@test "--inherit-fds keeps leaked file descriptors" {
	run -0 --separate-stderr chdrop --inherit-fds -r "$ROOT" -u "$TUSER" -- /bin/probe report read-fd 8 8<"$TESTDIR/f1" 9<"$TESTDIR/f2"
	assert_line --regexp '^fds=0,1,2(,[0-9]+)*$'
	assert_line --regexp '^fds=.*,8,9(,|$)'
	assert_probe read first
}

@test "closing descriptors does not loop to RLIMIT_NOFILE" {
	command -v strace >/dev/null || skip "no strace"
	ulimit -n "$(ulimit -Hn)"
	local log="$BATS_TEST_TMPDIR/strace"
	run -0 --separate-stderr strace -o "$log" -e trace=close,close_range \
		"$CHDROP" -r "$ROOT" -u "$TUSER" -- /bin/probe 8<"$TESTDIR/f1"
	assert_probe fds 0,1,2
	local closes
	closes=$(grep -c '^close(' "$log" || true)
	(( closes < 100 )) || fail "$closes close() calls: a loop over RLIMIT_NOFILE?"
}
