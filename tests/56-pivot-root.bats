#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# --pivot-root: a private mount namespace, the root made the namespace's
# root and the old one detached, so even CAP_SYS_CHROOT finds no way out.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() { default_setup; }

@test "plain chroot: a target keeping CAP_SYS_CHROOT escapes (the classic way)" {
	run -0 --separate-stderr chdrop --no-landlock -c sys_chroot -r "$ROOT" \
		-u "$TUSER" -- /bin/probe chroot-escape
	assert_probe chroot_escape ok
	assert_probe escaped_root_ino "$(root_ino_of /)"
}

@test "--pivot-root: the same escape stays inside the root" {
	run -0 --separate-stderr chdrop --pivot-root --no-landlock -c sys_chroot \
		-r "$ROOT" -u "$TUSER" -- /bin/probe chroot-escape
	assert_probe chroot_escape ok
	assert_probe escaped_root_ino "$(root_ino_of "$ROOT")"
}

@test "--pivot-root: the target runs inside the root, dropped and verified" {
	run -0 --separate-stderr chdrop --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe root_ino "$(root_ino_of "$ROOT")"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe cap_eff 0x0
	assert_probe cap_bnd 0x0
	assert_probe cwd /
}

@test "--pivot-root: the old root is gone from the namespace" {
	local pid mi
	(exec "${CHDROP_ARGV[@]}" --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe sleep 3 >/dev/null) &
	pid=$!
	sleep 1
	# chdrop exec'd in place: $pid is the target.  Its namespace holds one
	# mount, the root, mounted on /.
	mi=$(cat "/proc/$pid/mountinfo")
	wait "$pid"
	assert_equal "$(grep -c '' <<<"$mi")" 1
	assert_equal "$(cut -d' ' -f5 <<<"$mi")" /
}

@test "--pivot-root: the host's mounts are untouched" {
	local before after
	before=$(wc -l </proc/self/mountinfo)
	run -0 --separate-stderr chdrop --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe exit 0
	after=$(wc -l </proc/self/mountinfo)
	assert_equal "$after" "$before"
}

@test "--pivot-root with --chdir and --userdb=root" {
	run -0 --separate-stderr chdrop --pivot-root --userdb=root -r "$ROOT" \
		-u jailuser -w /srv/work -- /bin/probe
	assert_probe uid "$JAIL_UID,$JAIL_UID,$JAIL_UID"
	assert_probe cwd /srv/work
}

@test "--pivot-root needs --root" {
	run -125 --separate-stderr chdrop --pivot-root -u "$TUSER" -- /bin/true
	assert_one_error_line
}

@test "--dry-run and -v name the mode" {
	run -0 --separate-stderr chdrop -n --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line mode=pivot_root
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line mode=chroot
	run -0 --separate-stderr chdrop -v --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe exit 0
	[[ "$stderr" == *"by pivot_root"* ]]
}
