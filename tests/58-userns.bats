#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2153,SC2154  # ROOT/TESTDIR come from setup_file; run sets $output/$stderr
# --userns: an ordinary user enters a root of their own, as themselves,
# through an unprivileged user namespace.  No setuid helper, no root.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	# A root owned by the test user (allowed under --userns), and chdrop
	# and the wrapper's binary where that user can run them.
	UROOT="$TESTDIR/uroot"
	make_root "$UROOT"
	chown "$TUSER_UID:$TUSER_GID" "$UROOT" "$UROOT/srv/work"
	install -m 0755 "$CHDROP" "$TESTDIR/chdrop"
	export UROOT
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
}

# Run chdrop as the ordinary test user, with its own groups.
as_user() {
	local -a wrapper=()
	if [[ -n "${CHDROP_WRAPPER:-}" ]]; then
		read -r -a wrapper <<<"$CHDROP_WRAPPER"
	fi
	setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups -- \
		"${wrapper[@]}" "$TESTDIR/chdrop" "$@"
}

@test "an ordinary user enters their own root as themselves, with nothing" {
	run -0 --separate-stderr as_user --userns -r "$UROOT" -- /bin/probe
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
	assert_probe root_ino "$(root_ino_of "$UROOT")"
	assert_probe cap_eff 0x0
	assert_probe cap_prm 0x0
	assert_probe cap_bnd 0x0
	assert_probe cap_amb 0x0
	assert_probe no_new_privs 1
	assert_probe securebits 0xef
	assert_probe seccomp 2
}

@test "control: without --userns the same user cannot chroot at all" {
	run -125 --separate-stderr as_user -r "$UROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userns: the target cannot chroot out, nor make a new user namespace" {
	run -0 --separate-stderr as_user --userns -r "$UROOT" -- \
		/bin/probe chroot-escape unshare-user setuid0
	assert_probe chroot_escape EPERM
	assert_probe unshare_user EPERM
	refute_output --partial "setuid0=ok"
}

@test "--userns: -u naming yourself is fine, anyone else is refused" {
	run -0 --separate-stderr as_user --userns -u "$TUSER" -r "$UROOT" -- /bin/probe
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	run -125 --separate-stderr as_user --userns -u nobody -r "$UROOT" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userns refuses --group, --groups and --caps" {
	run -125 --separate-stderr as_user --userns -g "$TUSER" -r "$UROOT" -- /bin/probe
	assert_one_error_line
	run -125 --separate-stderr as_user --userns -G '' -r "$UROOT" -- /bin/probe
	assert_one_error_line
	run -125 --separate-stderr as_user --userns -c net_raw -r "$UROOT" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userns: a root owned by someone else (not root) is refused" {
	chown nobody "$UROOT/srv/work"
	run -125 --separate-stderr as_user --userns -r "$UROOT/srv/work" -- /bin/probe
	chown "$TUSER_UID" "$UROOT/srv/work"
	assert_one_error_line
	[[ "$stderr" == *"owned by uid"* ]]
}

@test "--userns: a root the user owns but left group-writable is refused" {
	chmod 0775 "$UROOT"
	run -125 --separate-stderr as_user --userns -r "$UROOT" -- /bin/probe
	chmod 0755 "$UROOT"
	assert_one_error_line
}

@test "--userns as root is refused" {
	run -125 --separate-stderr chdrop --userns -r "$ROOT" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userns: Landlock still confines file access to the root" {
	require_landlock
	run -0 --separate-stderr as_user --userns -r "$UROOT" -- /bin/probe fs-ops /srv/work
	assert_probe fs ok
}

@test "--userns --dry-run says so" {
	run -0 --separate-stderr as_user -n --userns -r "$UROOT" -- /bin/probe
	assert_line userns=1
	assert_line "uid=$TUSER_UID"
}
