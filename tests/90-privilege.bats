#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Privilege of the caller: without CAP_SETUID or CAP_SETGID chdrop fails
# closed; installed setuid or setgid it refuses to run at all.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	mkdir -m 0755 "$ROOT/out"
	chown "$TUSER_UID" "$ROOT/out"
	# Setuid-root and setgid-root copies of chdrop.  Not through
	# CHDROP_WRAPPER: a wrapper cannot run a setuid binary.
	install -m 4755 -o 0 -g 0 "$CHDROP" "$TESTDIR/chdrop-suid"
	install -m 2755 -o 0 -g 0 "$CHDROP" "$TESTDIR/chdrop-sgid"
	# Setuid to a non-root user: still ruid != euid.
	install -m 4755 -o "$TUSER_UID" -g 0 "$CHDROP" "$TESTDIR/chdrop-suid-user"
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	rm -f "$ROOT/out/ran"
}

assert_not_ran() {
	refute_target_ran
	[[ ! -e "$ROOT/out/ran" ]] || fail "the target ran"
}

@test "control: as root, the target runs and leaves its marker" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_probe touch ok
	[[ -e "$ROOT/out/ran" ]]
}

@test "without CAP_SETUID (setpriv): 125, target never runs" {
	run -125 --separate-stderr setpriv --inh-caps=-setuid --bounding-set=-setuid -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "without CAP_SETGID (setpriv): 125, target never runs" {
	run -125 --separate-stderr setpriv --inh-caps=-setgid --bounding-set=-setgid -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "without CAP_SETUID (capsh): 125, target never runs" {
	# --inh= first: from a full inheritable set (a container's) root's exec
	# of the shell would take cap_setuid back.
	run -125 --separate-stderr capsh --inh= --drop=cap_setuid -- -c 'exec "$@"' sh \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "without CAP_SETGID and with -G '': 125 (the gid change still fails)" {
	run -125 --separate-stderr setpriv --inh-caps=-setgid --bounding-set=-setgid -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -G '' -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "without CAP_SYS_CHROOT and a root: 125, target never runs" {
	run -125 --separate-stderr setpriv --inh-caps=-sys_chroot --bounding-set=-sys_chroot -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "without CAP_SETPCAP: securebits cannot be set, 125" {
	run -125 --separate-stderr setpriv --inh-caps=-setpcap --bounding-set=-setpcap -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "as an ordinary user, asking for another user: 125, target never runs" {
	run -125 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"${CHDROP_ARGV[@]}" -u "$TUSER" -- "$HPROBE" touch "$ROOT/out/ran"
	assert_one_error_line
	assert_not_ran
}

@test "installed setuid root, run by nobody: 125, target never runs" {
	run -125 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$TESTDIR/chdrop-suid" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "installed setuid root, run by nobody with --allow-root: still 125" {
	run -125 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$TESTDIR/chdrop-suid" --allow-root -u 0 -g 0 -G '' -- "$HPROBE" touch "$ROOT/out/ran"
	assert_one_error_line
	assert_not_ran
}

@test "installed setuid to another user, run by root: 125" {
	run -125 --separate-stderr "$TESTDIR/chdrop-suid-user" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "installed setgid root, run by nobody: 125, target never runs" {
	run -125 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$TESTDIR/chdrop-sgid" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	assert_not_ran
}

@test "installed setuid: even --dry-run is refused" {
	run -125 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$TESTDIR/chdrop-suid" -n -u "$TUSER" -- /bin/true
	assert_one_error_line
}
