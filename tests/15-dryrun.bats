#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# --dry-run: the resolved plan as key=value lines on stdout, exit 0,
# nothing changed and nothing run.

load helpers

setup_file() {
	default_setup_file || return 1
	if is_root; then
		mkdir -m 1777 "$TESTDIR/out"
	fi
}
teardown_file() { default_teardown_file; }
setup() { default_setup; }

# sorted_list A,B,C -> the numbers sorted, comma-joined
sorted_list() {
	tr , '\n' <<<"$1" | sed '/^$/d' | sort -n | paste -sd, -
}

@test "every documented key is printed" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	local key
	for key in program argv.0 root mode chdir userdb user uid gid groups caps \
		no_new_privs securebits close_fds keep_fds tty_guard new_session \
		landlock scope reset_env; do
		assert_line --regexp "^$key="
	done
}

@test "the plan for a root and a host user, with defaults" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe touch /x
	refute_line --regexp '^touch='
	assert_probe program /bin/probe
	assert_probe argv.0 /bin/probe
	assert_probe argv.1 touch
	assert_probe argv.2 /x
	refute_line --regexp '^argv\.3='
	assert_probe root "$ROOT"
	assert_probe mode chroot
	assert_probe chdir /
	assert_probe userdb host
	assert_probe user "$TUSER"
	assert_probe uid "$TUSER_UID"
	assert_probe gid "$TUSER_GID"
	local g
	g=$(sorted_list "$(probe_val groups)")
	if [[ "$g" != "$(sorted_list "$TSUPP1_GID,$TSUPP2_GID")" &&
		"$g" != "$(sorted_list "$TUSER_GID,$TSUPP1_GID,$TSUPP2_GID")" ]]; then
		fail "groups=$g"
	fi
	assert_probe caps ""
	assert_probe no_new_privs 1
	assert_probe securebits 1
	assert_probe close_fds 1
	local k
	k=$(probe_val keep_fds)
	[[ "$k" == "" || "$k" == 0,1,2 ]] || fail "keep_fds=$k"
	assert_probe tty_guard yes
	assert_probe new_session 0
	assert_line --regexp '^landlock=(yes, ABI [0-9]+|no: .+)$'
	assert_probe reset_env 0
	assert_probe env.HOME "/home/$TUSER"
	assert_probe env.USER "$TUSER"
	assert_probe env.LOGNAME "$TUSER"
}

@test "the dry-run plan and the real run agree on ids and groups" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	local uid gid groups
	uid=$(probe_val uid) gid=$(probe_val gid) groups=$(sorted_list "$(probe_val groups)")
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe uid "$uid,$uid,$uid"
	assert_probe gid "$gid,$gid,$gid"
	assert_probe groups "$groups"
}

@test "without a root: root=none, mode=none" {
	run -0 --separate-stderr chdrop -n -u "$TUSER" -- /bin/true
	assert_probe root none
	assert_probe mode none
}

@test "every opt-out and option shows in the plan" {
	run -0 --separate-stderr chdrop -n --allow-new-privs --no-securebits --inherit-fds \
		--no-tty-guard --new-session --reset-env -w /srv/work -c CAP_NET_BIND_SERVICE,sys_time \
		-r "$ROOT" -u "$TUSER" -g "$TSUPP1" -G "$TSUPP2,54444" -- /bin/probe
	assert_probe no_new_privs 0
	assert_probe securebits 0
	assert_probe close_fds 0
	assert_probe tty_guard "no: --no-tty-guard"
	assert_probe new_session 1
	assert_probe reset_env 1
	assert_probe chdir /srv/work
	assert_probe caps net_bind_service,sys_time
	assert_probe gid "$TSUPP1_GID"
	assert_probe groups "$(sorted_list "$TSUPP2_GID,54444")"
	assert_line --regexp '^env\.PATH=.'
	assert_probe env.SHELL /bin/sh
}

@test "--keep-fd shows in keep_fds" {
	run -0 --separate-stderr chdrop -n --keep-fd=8 --keep-fd=9 -r "$ROOT" -u "$TUSER" -- /bin/probe 8</dev/null 9</dev/null
	# 0, 1 and 2 may be listed too
	local k
	k=$(probe_val keep_fds)
	[[ "$k" == 8,9 || "$k" == 0,1,2,8,9 ]] || fail "keep_fds=$k"
}

@test "-G '' shows as empty groups" {
	run -0 --separate-stderr chdrop -n -G '' -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe groups ""
}

@test "--userdb=root shows the root's ids" {
	run -0 --separate-stderr chdrop -n --userdb=root -r "$ROOT" -u jailuser -- /bin/probe
	assert_probe userdb root
	assert_probe user jailuser
	assert_probe uid "$JAIL_UID"
	assert_probe gid "$JAIL_GID"
	assert_probe env.HOME /home/jailuser
}

@test "--env shows as env.NAME=VALUE" {
	run -0 --separate-stderr chdrop -n --env=CHDROPT_A=x=y -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_A x=y
}

@test "a dry run changes nothing: no marker, caller's ids intact" {
	run -0 --separate-stderr sh -c '"$@"; echo after_uid=$(id -u)' sh \
		"${CHDROP_ARGV[@]}" -n -u "$TUSER" -- "$HPROBE" touch "$TESTDIR/out/ran"
	[[ ! -e "$TESTDIR/out/ran" ]] || fail "the target ran"
	refute_line --regexp '^touch='
	assert_probe after_uid 0
}

@test "a dry run still refuses what the real run would refuse" {
	run -125 --separate-stderr chdrop -n -u 0 -- /bin/true
	assert_one_error_line
	run -125 --separate-stderr chdrop -n -u chdrop-no-such-user -- /bin/true
	assert_one_error_line
	run -125 --separate-stderr chdrop -n -u "$TUSER" -c bogus -- /bin/true
	assert_one_error_line
}
