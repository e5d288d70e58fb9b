#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# The root directory: walked without following symlinks, every component
# root-owned and not group/other-writable (--unsafe-root waives ownership
# and mode, never the walk); the target really runs inside it.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	# Variants of the root, each built once.
	make_root "$TESTDIR/gw/root"
	chmod 0775 "$TESTDIR/gw"                   # group-writable component
	make_root "$TESTDIR/ow/root"
	chmod 0757 "$TESTDIR/ow"                   # other-writable component
	make_root "$TESTDIR/owned/root"
	chown "$TUSER_UID" "$TESTDIR/owned"        # component not root-owned
	make_root "$TESTDIR/leafowned"
	chown "$TUSER_UID" "$TESTDIR/leafowned"    # the root itself not root-owned
	make_root "$TESTDIR/leafgw"
	chmod 0775 "$TESTDIR/leafgw"               # the root itself group-writable
	ln -s root "$TESTDIR/link"                 # symlink as the last component
	mkdir -p "$TESTDIR/real"
	make_root "$TESTDIR/real/root"
	ln -s real "$TESTDIR/mid"                  # symlink in the middle
	mkdir -p "$TESTDIR/uo"
	make_root "$TESTDIR/uo/root"
	chown "$TUSER_UID" "$TESTDIR/uo"
	ln -s root "$TESTDIR/uo/link"              # symlink under a not-root-owned dir
	export TESTDIR
}
teardown_file() { default_teardown_file; }
setup() { default_setup; }

@test "the target runs inside the root, cwd /" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$ROOT")"
	assert_probe cwd /
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "the target cannot see the host: a host path is absent inside" {
	[[ -e "$BATS_TEST_DIRNAME/probe.c" ]]
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe open /etc/group open "$BATS_TEST_DIRNAME/probe.c"
	assert_line --index 0 "open=ok"
	assert_line --index 1 "open=ENOENT"
}

@test "-w sets the working directory inside the root" {
	run -0 --separate-stderr chdrop -r "$ROOT" -w /srv/work -u "$TUSER" -- /bin/probe
	assert_probe cwd /srv/work
	assert_probe root_ino "$(root_ino_of "$ROOT")"
}

@test "--chdir= long form works" {
	run -0 --separate-stderr chdrop --root="$ROOT" --chdir=/etc -u "$TUSER" -- /bin/probe
	assert_probe cwd /etc
}

@test "-w to a missing directory: 125, target not run" {
	run -125 --separate-stderr chdrop -r "$ROOT" -w /no/such/dir -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "-w cannot climb out of the root" {
	run -0 --separate-stderr chdrop -r "$ROOT" -w /../../.. -u "$TUSER" -- /bin/probe
	assert_probe cwd /
	assert_probe root_ino "$(root_ino_of "$ROOT")"
}

@test "a trailing slash on the root is accepted" {
	run -0 --separate-stderr chdrop -r "$ROOT/" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$ROOT")"
}

@test "relative root: 125" {
	cd "$TESTDIR"
	run -125 --separate-stderr chdrop -r root -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "symlink as the last component: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/link" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "symlink in the middle of the path: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/mid/root" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "symlink component: 125 even with --unsafe-root" {
	run -125 --separate-stderr chdrop --unsafe-root -r "$TESTDIR/mid/root" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
	run -125 --separate-stderr chdrop --unsafe-root -r "$TESTDIR/uo/link" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "group-writable component: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/gw/root" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "other-writable component: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/ow/root" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "a root under /tmp (1777) is refused" {
	local d
	d=$(mktemp -d /tmp/chdrop-root.XXXXXX)
	make_root "$d"
	run -125 --separate-stderr chdrop -r "$d" -u "$TUSER" -- /bin/probe
	rm -rf -- "$d"
	assert_one_error_line
	refute_target_ran
}

@test "component not owned by root: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/owned/root" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "root directory itself not owned by root: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/leafowned" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "root directory itself group-writable: 125" {
	run -125 --separate-stderr chdrop -r "$TESTDIR/leafgw" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "a regular file as root: 125" {
	run -125 --separate-stderr chdrop -r "$ROOT/bin/probe" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--unsafe-root waives ownership and mode" {
	run -0 --separate-stderr chdrop --unsafe-root -r "$TESTDIR/owned/root" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$TESTDIR/owned/root")"
	run -0 --separate-stderr chdrop --unsafe-root -r "$TESTDIR/gw/root" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$TESTDIR/gw/root")"
	run -0 --separate-stderr chdrop --unsafe-root -r "$TESTDIR/leafowned" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$TESTDIR/leafowned")"
}

@test "the classic chroot escape fails: the target holds no CAP_SYS_CHROOT" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe chroot-escape /bin
	assert_probe chroot_escape EPERM
}

@test "PROGRAM is looked up inside the root, not on the host" {
	# /bin/probe does not exist on the host; a host-only path is not found.
	[[ ! -e /bin/probe ]] || skip "/bin/probe exists on the host"
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	run -127 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- "$PROBE_BIN"
	refute_target_ran
}

@test "without -r the target keeps the host root and cwd" {
	cd "$TESTDIR"
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE"
	assert_probe root_ino "$(root_ino_of /)"
	assert_probe cwd "$TESTDIR"
}
