#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Landlock: file access confined to beneath the root by default, opt-in
# scoping of signals and abstract unix sockets.  Each denial is paired with
# the same attempt under --no-landlock (or without --scope) succeeding, so
# the test would fail if the layer did nothing.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	mkdir -p "$ROOT/work"
	chown "$TUSER_UID" "$ROOT/work"
	mount_proc "$ROOT"
	echo outside-secret >"$TESTDIR/outside"
	chmod 0644 "$TESTDIR/outside"
}
teardown_file() {
	umount_proc "${ROOT:-}"
	default_teardown_file
}
setup() {
	default_setup
	require_landlock
}
teardown() {
	[ -n "${OUTSIDE_PID:-}" ] && kill "$OUTSIDE_PID" 2>/dev/null
	[ -n "${SOCK_PID:-}" ] && kill "$SOCK_PID" 2>/dev/null
	true
}

# A process of the target's uid, outside the root.
start_outside() {
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups \
		-- sleep 300 &
	OUTSIDE_PID=$!
	local _
	for _ in $(seq 50); do
		[ "$(stat -c %u "/proc/$OUTSIDE_PID" 2>/dev/null)" = "$TUSER_UID" ] &&
			grep -q sleep "/proc/$OUTSIDE_PID/comm" && return 0
		sleep 0.1
	done
	return 1
}

@test "by default /proc/PID/root of an outside process leads nowhere" {
	start_outside
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- \
		/bin/probe open "/proc/$OUTSIDE_PID/root$TESTDIR/outside"
	assert_probe open EACCES
}

@test "control: with --no-landlock /proc/PID/root reaches the host" {
	start_outside
	run -0 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" -- \
		/bin/probe open "/proc/$OUTSIDE_PID/root$TESTDIR/outside"
	assert_probe open ok
}

@test "by default ptrace of an outside same-uid process is denied" {
	start_outside
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- \
		/bin/probe ptrace "$OUTSIDE_PID"
	assert_probe ptrace EPERM
}

@test "control: with --no-landlock ptrace of it works" {
	start_outside
	run -0 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" -- \
		/bin/probe ptrace "$OUTSIDE_PID"
	assert_probe ptrace ok
}

# chdrop refuses to keep a directory, so the handle on the outside is a
# file descriptor: openat(fd, "") with AT_EMPTY_PATH is not possible for the
# probe, but /proc/self/fd/N is a magic link to the outside file.
@test "by default a kept outside file cannot be reopened through /proc" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" --keep-fd=8 -- \
		/bin/probe read-fd 8 open /proc/self/fd/8 8<"$TESTDIR/outside"
	assert_probe read outside-secret
	assert_probe open EACCES
}

@test "control: with --no-landlock the kept file reopens through /proc" {
	run -0 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" \
		--keep-fd=8 -- /bin/probe open /proc/self/fd/8 8<"$TESTDIR/outside"
	assert_probe open ok
}

# Landlock stops openat through such a descriptor but not chmod or connect
# (62-review.bats, tests/landlock-dirfd.py): --inherit-fds refuses it.
@test "with --inherit-fds a leaked directory descriptor is refused, Landlock or not" {
	run -125 --separate-stderr chdrop --inherit-fds -r "$ROOT" -u "$TUSER" -- \
		/bin/probe openat-fd 7 "${TESTDIR#/}/outside" 7</
	assert_one_error_line
	[[ "$stderr" == *"--inherit-fds: descriptor 7 is a directory"* ]]
	run -125 --separate-stderr chdrop --inherit-fds --no-landlock -r "$ROOT" \
		-u "$TUSER" -- /bin/probe openat-fd 7 "${TESTDIR#/}/outside" 7</
	assert_one_error_line
	refute_target_ran
}

@test "inside the root nothing is denied: create, write, rename, link, truncate, exec" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe fs-ops /work
	assert_probe fs ok
}

@test "the same under --allow-new-privs: Landlock applied while still privileged" {
	start_outside
	run -0 --separate-stderr chdrop --allow-new-privs -r "$ROOT" -u "$TUSER" -- \
		/bin/probe report open "/proc/$OUTSIDE_PID/root$TESTDIR/outside" fs-ops /work
	assert_probe no_new_privs 0
	assert_probe open EACCES
	assert_probe fs ok
}

@test "kept standard descriptors keep working under Landlock" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe args hello
	assert_probe arg.0 hello
}

@test "-v says Landlock is on and with which ABI" {
	run -0 --separate-stderr chdrop -v -r "$ROOT" -u "$TUSER" -- /bin/probe exit 0
	[[ "$stderr" == *"Landlock ABI"* ]]
}

@test "--scope=signal: kill of an outside same-uid process fails with EPERM" {
	require_landlock 6
	start_outside
	run -0 --separate-stderr chdrop --scope=signal -r "$ROOT" -u "$TUSER" -- \
		/bin/probe kill "$OUTSIDE_PID"
	assert_probe kill EPERM
}

@test "control: without --scope the same kill works" {
	start_outside
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- \
		/bin/probe kill "$OUTSIDE_PID"
	assert_probe kill ok
}

start_abstract_listener() {
	python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept(); c.close()
' "$1" &
	SOCK_PID=$!
	local _
	for _ in $(seq 50); do
		grep -q "@$1\$" /proc/net/unix && return 0
		sleep 0.1
	done
	echo "abstract listener did not start" >&2
	return 1
}

@test "--scope=abstract-unix: connect to an outside abstract socket fails" {
	require_landlock 6
	start_abstract_listener "chdrop-test-$$"
	run -0 --separate-stderr chdrop --scope=abstract-unix -r "$ROOT" -u "$TUSER" -- \
		/bin/probe connect-abstract "chdrop-test-$$"
	assert_probe connect EPERM
}

@test "control: without --scope the same connect works" {
	start_abstract_listener "chdrop-test-$$"
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- \
		/bin/probe connect-abstract "chdrop-test-$$"
	assert_probe connect ok
}

@test "--scope=signal,abstract-unix: both at once" {
	require_landlock 6
	start_outside
	start_abstract_listener "chdrop-test2-$$"
	run -0 --separate-stderr chdrop --scope=signal,abstract-unix -r "$ROOT" \
		-u "$TUSER" -- /bin/probe kill "$OUTSIDE_PID" connect-abstract "chdrop-test2-$$"
	assert_probe kill EPERM
	assert_probe connect EPERM
}

@test "--scope with --no-landlock is refused" {
	run -125 --separate-stderr chdrop --scope=signal --no-landlock -r "$ROOT" \
		-u "$TUSER" -- /bin/probe touch /work/ran
	assert_one_error_line
	[ ! -e "$ROOT/work/ran" ]
}

@test "--scope=bogus is refused" {
	run -125 --separate-stderr chdrop --scope=bogus -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--dry-run shows landlock and scope" {
	run -0 --separate-stderr chdrop -n --scope=abstract-unix -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "landlock=yes, ABI $(landlock_abi)"
	assert_line scope=abstract-unix
	run -0 --separate-stderr chdrop -n --no-landlock -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "landlock=no: --no-landlock"
}
