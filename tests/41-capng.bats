#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr
# libcap-ng touches no path inside the root.  libcap-ng 0.8.3 reads
# /proc/<tid>/status by path when it applies the bounding set, so chdrop
# cuts the bounding set itself (prctl, issue 14) and uses libcap-ng for the
# rest, which touches no file.  Proven two ways: strace sees no
# /proc/<pid>/status read at all, and no /proc path between entering the
# root and the exec; and a root whose owner planted /proc/<pid>/status (and
# /proc/self/status) as a FIFO, which would hang chdrop if anything opened
# it, does not change the outcome.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "strace and exec by pid need chdrop run directly"
}

# trace MODE...: chdrop under strace (file system calls), log in $TRACE.
trace() {
	TRACE="$TESTDIR/strace.$BATS_TEST_NUMBER"
	run --separate-stderr strace -f -qq -e trace=%file -o "$TRACE" \
		"$CHDROP" "$@" -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe
	assert_success
	assert_probe cap_bnd 0x400
}

# inside_window ENTER: chdrop's own calls from ENTER (chroot or pivot_root)
# to the target's execve, exclusive.
inside_window() {
	sed -n "/ $1(/,/ execve(\"\\/bin\\/probe\"/p" "$TRACE" | sed '1d;$d'
}

assert_no_proc_inside() {
	local enter="$1" inside
	grep -q " $enter(" "$TRACE" || fail "no $enter in the trace"
	grep -q ' execve("/bin/probe"' "$TRACE" || fail "no exec of the target in the trace"
	# Control: strace does see chdrop's file calls before the root is
	# entered (the root walk), so an empty window is not a blind trace.
	grep -q "/proc/sys/kernel/cap_last_cap" "$TRACE" ||
		fail "libcap-ng's one /proc read (cap_last_cap, at start) not seen"
	if grep -E '"/proc/[0-9a-z]*/status"' "$TRACE"; then
		fail "a /proc/PID/status was read (libcap-ng's bounding-set path)"
	fi
	inside=$(inside_window "$enter")
	if grep -E 'proc|status' <<<"$inside"; then
		fail "a /proc path was touched inside the root"
	fi
}

@test "strace: no /proc/PID/status read, no /proc path inside the root" {
	trace
	assert_no_proc_inside chroot
}

@test "strace: the same with --pivot-root" {
	trace --pivot-root
	assert_no_proc_inside pivot_root
}

# A root whose /proc/<chdrop's pid>/status and /proc/self/status are FIFOs:
# opening one for reading blocks until a writer comes, and none does.
@test "a planted ROOT/proc/PID/status FIFO is never opened: the launch is unchanged" {
	# shellcheck disable=SC2016  # expanded by the inner bash, whose $$ is chdrop's pid
	run --separate-stderr timeout 20 bash -c '
		mkdir -p "$1/proc/$$" "$1/proc/self"
		mkfifo "$1/proc/$$/status" "$1/proc/self/status"
		exec "$2" -r "$1" -u "$3" -c net_bind_service -- /bin/probe' \
		planted "$ROOT" "$CHDROP" "$TUSER"
	rm -rf "${ROOT:?}/proc"
	assert_equal "$status" 0
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe cap_bnd 0x400
	assert_probe cap_amb 0x400
}
