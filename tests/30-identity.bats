#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Identity: user, primary group and supplementary groups, from the host
# database or from ROOT/etc; uid/gid/group 0 only with --allow-root.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() { default_setup; }

# groups_of LIST...: sorted, comma-joined, as the probe prints them.
groups_of() {
	printf '%s\n' "$@" | sort -n -u | paste -sd, -
}

@test "user by name: real, effective and saved ids all change" {
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
}

@test "user by name: default groups are the user's groups from the host database" {
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE"
	local g
	g=$(probe_val groups)
	# The supplementary groups are there; the primary may be listed too.
	if [[ "$g" != "$(groups_of "$TSUPP1_GID" "$TSUPP2_GID")" &&
		"$g" != "$(groups_of "$TUSER_GID" "$TSUPP1_GID" "$TSUPP2_GID")" ]]; then
		fail "groups=$g, want $TSUPP1_GID,$TSUPP2_GID (plus maybe $TUSER_GID)"
	fi
}

@test "root's own groups are never inherited" {
	# Give the calling root process extra groups; none may reach the target.
	run -0 --separate-stderr setpriv --groups=0,4,6,"$TSUPP1_GID" -- \
		"${CHDROP_ARGV[@]}" -u "$TUSER2" -- "$HPROBE"
	assert_probe uid "$TUSER2_UID,$TUSER2_UID,$TUSER2_UID"
	local g
	g=$(probe_val groups)
	if [[ "$g" != "" && "$g" != "$TUSER2_GID" ]]; then
		fail "groups=$g, want only the user's own (${TUSER2_GID} or none)"
	fi
}

@test "user by number with a database entry takes the entry's group" {
	run -0 --separate-stderr chdrop -u "$TUSER_UID" -- "$HPROBE"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
}

@test "+N forces a number" {
	run -0 --separate-stderr chdrop -u "+$TUSER_UID" -- "$HPROBE"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
}

@test "a numeric-looking user name is a number, not a name" {
	# The host has no user named 54321 and no uid 54321: refused, not looked up
	# as a name, and certainly not run as anyone.
	run -125 --separate-stderr chdrop -u 54321 -- "$HPROBE"
	assert_one_error_line
	refute_target_ran
}

@test "numeric uid with no entry runs with -g, and no groups" {
	run -0 --separate-stderr chdrop -u 54321 -g 54322 -- "$HPROBE"
	assert_probe uid "54321,54321,54321"
	assert_probe gid "54322,54322,54322"
	assert_probe groups ""
}

@test "-g by name overrides the primary group" {
	run -0 --separate-stderr chdrop -u "$TUSER" -g "$TSUPP2" -- "$HPROBE"
	assert_probe gid "$TSUPP2_GID,$TSUPP2_GID,$TSUPP2_GID"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "-g by number" {
	run -0 --separate-stderr chdrop -u "$TUSER" -g 54333 -- "$HPROBE"
	assert_probe gid "54333,54333,54333"
}

@test "-G list of names and numbers" {
	run -0 --separate-stderr chdrop -u "$TUSER" -G "$TSUPP2,54444,nogroup" -- "$HPROBE"
	assert_probe groups "$(groups_of "$TSUPP2_GID" 54444 65534)"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
}

@test "-G '' means no supplementary groups" {
	run -0 --separate-stderr chdrop -u "$TUSER" -G '' -- "$HPROBE"
	assert_probe groups ""
}

@test "the target cannot regain uid 0, gid 0 or group 0" {
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE" setuid0 setgid0 setgroups0
	assert_probe setuid0 EPERM
	assert_probe setgid0 EPERM
	assert_probe setgroups0 EPERM
}

@test "--userdb=root resolves the user from ROOT/etc, not the host" {
	run -0 --separate-stderr chdrop --userdb=root -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe uid "$JAIL_TUSER_UID,$JAIL_TUSER_UID,$JAIL_TUSER_UID"
	assert_probe gid "$JAIL_TUSER_GID,$JAIL_TUSER_GID,$JAIL_TUSER_GID"
	refute_output --partial "uid=$TUSER_UID,"
}

@test "--userdb=root: a user only in ROOT/etc, with its groups from ROOT/etc/group" {
	run -0 --separate-stderr chdrop --userdb=root -r "$ROOT" -u jailuser -- /bin/probe
	assert_probe uid "$JAIL_UID,$JAIL_UID,$JAIL_UID"
	assert_probe gid "$JAIL_GID,$JAIL_GID,$JAIL_GID"
	# as initgroups(3) sets them: the primary group and the memberships
	assert_probe groups "$(groups_of "$JAIL_GID" "$JAIL_SUPP_GID")"
}

@test "--userdb=root: -g and -G names resolve from ROOT/etc/group" {
	run -0 --separate-stderr chdrop --userdb=root -r "$ROOT" -u jailuser -g jailsupp -G jailgrp,jailsupp -- /bin/probe
	assert_probe gid "$JAIL_SUPP_GID,$JAIL_SUPP_GID,$JAIL_SUPP_GID"
	assert_probe groups "$(groups_of "$JAIL_GID" "$JAIL_SUPP_GID")"
}

@test "--userdb=root: a host-only user is unknown" {
	run -125 --separate-stderr chdrop --userdb=root -r "$ROOT" -u "$TUSER2" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userdb=root: a host-only group is unknown" {
	run -125 --separate-stderr chdrop --userdb=root -r "$ROOT" -u jailuser -G "$TSUPP1" -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userdb=host (default) ignores ROOT/etc" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u jailuser -- /bin/probe
	assert_one_error_line
	run -0 --separate-stderr chdrop --userdb=host -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "--userdb=root: a malformed ROOT/etc/passwd is an error" {
	local r="$TESTDIR/badpw"
	make_root "$r"
	printf 'jailuser:x:notanumber:54001::/:/bin/sh\n' >"$r/etc/passwd"
	run -125 --separate-stderr chdrop --userdb=root -r "$r" -u jailuser -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "--userdb=root: a user whose ROOT entry says uid 0 is refused" {
	run -125 --separate-stderr chdrop --userdb=root -r "$ROOT" -u root -- /bin/probe
	assert_one_error_line
	refute_target_ran
}

@test "uid 0 refused; --allow-root permits it with a warning" {
	run -125 --separate-stderr chdrop -u 0 -g "$TUSER_GID" -G '' -- "$HPROBE"
	assert_one_error_line
	refute_target_ran
	run -0 --separate-stderr chdrop --allow-root -u 0 -g "$TUSER_GID" -G '' -- "$HPROBE"
	assert_probe uid "0,0,0"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
	assert_regex "$stderr" '(^|'$'\n'')chdrop: warning: '
}

@test "gid 0 only with --allow-root, with a warning" {
	run -125 --separate-stderr chdrop -u "$TUSER" -g 0 -- "$HPROBE"
	refute_target_ran
	run -0 --separate-stderr chdrop --allow-root -u "$TUSER" -g 0 -G '' -- "$HPROBE"
	assert_probe gid "0,0,0"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_regex "$stderr" '(^|'$'\n'')chdrop: warning: '
}

@test "group 0 in -G only with --allow-root, with a warning" {
	run -125 --separate-stderr chdrop -u "$TUSER" -G "0,$TSUPP1" -- "$HPROBE"
	refute_target_ran
	run -0 --separate-stderr chdrop --allow-root -u "$TUSER" -G "0,$TSUPP1" -- "$HPROBE"
	assert_probe groups "$(groups_of 0 "$TSUPP1_GID")"
	assert_regex "$stderr" '(^|'$'\n'')chdrop: warning: '
}

@test "no warning for an ordinary user" {
	run -0 --separate-stderr chdrop -u "$TUSER" -- "$HPROBE"
	refute_regex "$stderr" 'warning'
}

@test "--allow-root without -u keeps uid 0, with a warning" {
	run -0 --separate-stderr chdrop --allow-root -- "$HPROBE"
	assert_probe uid "0,0,0"
	assert_regex "$stderr" '(^|'$'\n'')chdrop: warning: '
}

@test "already being the requested identity is not an error" {
	# Started as the user, with no capabilities.  --no-securebits because
	# setting securebits needs CAP_SETPCAP; this test is about the ids.
	run -0 --separate-stderr setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --init-groups -- \
		"${CHDROP_ARGV[@]}" --no-securebits -u "$TUSER" -- "$HPROBE"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
}
