#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Environment: kept by default with HOME, USER, LOGNAME set for the target;
# --reset-env starts clean; --env adds or overrides.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() { default_setup; }

@test "default: the environment is kept" {
	run -0 --separate-stderr env CHDROPT_KEEP=yes "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_KEEP yes
}

@test "default: HOME, USER, LOGNAME for the target user" {
	run -0 --separate-stderr env HOME=/root USER=root LOGNAME=root "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.HOME "/home/$TUSER"
	assert_probe env.USER "$TUSER"
	assert_probe env.LOGNAME "$TUSER"
}

@test "HOME is / when the home directory does not exist inside the root" {
	run -0 --separate-stderr env HOME=/root "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER2" -- /bin/probe
	assert_probe env.HOME /
	assert_probe env.USER "$TUSER2"
}

@test "HOME is / when the home directory is missing on the host (no root)" {
	[[ ! -d "/home/$TUSER" ]] || skip "/home/$TUSER exists on the host"
	run -0 --separate-stderr env HOME=/root "${CHDROP_ARGV[@]}" -u "$TUSER" -- "$HPROBE"
	assert_probe env.HOME /
	assert_probe env.USER "$TUSER"
}

# The home is looked up on the host as it is, whatever the caller's working
# directory (it was once resolved as if that directory were "/").  A tmpfs
# on /home in a private mount namespace gives $TUSER a home there.
@test "HOME is the home directory on the host (no root), from any working directory" {
	local d
	for d in / /tmp "$TESTDIR"; do
		run -0 --separate-stderr unshare -m --propagation private sh -c '
			mount -t tmpfs tmpfs /home && mkdir "/home/$1" &&
			cd "$2" && shift 2 && exec "$@"' sh "$TUSER" "$d" \
			env HOME=/root "${CHDROP_ARGV[@]}" -u "$TUSER" -- "$HPROBE"
		assert_probe env.HOME "/home/$TUSER"
	done
}

@test "HOME is the home directory from ROOT/etc/passwd with --userdb=root" {
	run -0 --separate-stderr env HOME=/root "${CHDROP_ARGV[@]}" --userdb=root -r "$ROOT" -u jailuser -- /bin/probe
	assert_probe env.HOME /home/jailuser
	assert_probe env.USER jailuser
	assert_probe env.LOGNAME jailuser
}

@test "--userdb=root: HOME missing inside the root is /" {
	run -0 --separate-stderr env HOME=/root "${CHDROP_ARGV[@]}" --userdb=root -r "$ROOT" -u nohome -- /bin/probe
	assert_probe env.HOME /
	assert_probe env.USER nohome
}

@test "a numeric uid with no entry gets HOME=/" {
	run -0 --separate-stderr env HOME=/root "${CHDROP_ARGV[@]}" -r "$ROOT" -u 54321 -g 54321 -- /bin/probe
	assert_probe env.HOME /
	refute_line "env.USER=root"
	refute_line "env.LOGNAME=root"
}

@test "--reset-env: only TERM kept; HOME USER LOGNAME SHELL PATH set" {
	# Not systemd's variables, which --reset-env also keeps: a container
	# or a service manager may have set NOTIFY_SOCKET for this shell.
	run -0 --separate-stderr env -u NOTIFY_SOCKET -u LISTEN_FDS -u LISTEN_PID \
		-u LISTEN_FDNAMES TERM=vt100 CHDROPT_GONE=1 LD_PRELOAD=/x.so PATH=/evil:/usr/bin \
		"${CHDROP_ARGV[@]}" --reset-env -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.TERM vt100
	assert_probe env.HOME "/home/$TUSER"
	assert_probe env.USER "$TUSER"
	assert_probe env.LOGNAME "$TUSER"
	assert_probe env.SHELL /bin/sh
	refute_line --partial CHDROPT_GONE
	assert_probe env_count 6
	local path
	path=$(probe_val env.PATH)
	[[ -n "$path" ]] || fail "no PATH"
	[[ ":$path:" != *:/evil:* ]] || fail "PATH kept from the caller: $path"
	[[ ":$path:" != *::* && ":$path:" != *:.:* ]] || fail "PATH has the cwd: $path"
	[[ ":$path:" == *:/bin:* || ":$path:" == *:/usr/bin:* ]] || fail "PATH=$path"
}

@test "--reset-env keeps systemd's LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES, NOTIFY_SOCKET" {
	run -0 --separate-stderr env -i LISTEN_FDS=0 LISTEN_PID=1 LISTEN_FDNAMES=web NOTIFY_SOCKET=/run/notify \
		CHDROPT_GONE=1 "${CHDROP_ARGV[@]}" --reset-env -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.LISTEN_FDS 0
	assert_probe env.LISTEN_PID 1
	assert_probe env.LISTEN_FDNAMES web
	assert_probe env.NOTIFY_SOCKET /run/notify
	refute_line --partial CHDROPT_GONE
	refute_line --partial env.TERM
	assert_probe env_count 9
}

@test "--reset-env: SHELL from ROOT/etc/passwd with --userdb=root" {
	run -0 --separate-stderr chdrop --reset-env --userdb=root -r "$ROOT" -u jailuser -- /bin/probe
	assert_probe env.SHELL /bin/jailsh
	assert_probe env.HOME /home/jailuser
}

@test "--env adds a variable" {
	run -0 --separate-stderr chdrop --env=CHDROPT_A=1 -e CHDROPT_B=x=y -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_A 1
	assert_probe env.CHDROPT_B x=y
}

@test "--env with an empty value" {
	run -0 --separate-stderr chdrop --env=CHDROPT_E= -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "env.CHDROPT_E="
}

@test "--env overrides a kept variable and HOME" {
	run -0 --separate-stderr env CHDROPT_A=old "${CHDROP_ARGV[@]}" --env=CHDROPT_A=new --env=HOME=/srv -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_A new
	assert_probe env.HOME /srv
	[[ $(grep -c '^env.CHDROPT_A=' <<<"$output") -eq 1 ]] || fail "CHDROPT_A twice"
}

@test "--env with --reset-env adds to the clean environment" {
	run -0 --separate-stderr env -i "${CHDROP_ARGV[@]}" --reset-env --env=CHDROPT_A=1 -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_A 1
	assert_probe env_count 6
}

@test "--env given twice for one name: the last wins, once" {
	run -0 --separate-stderr chdrop --env=CHDROPT_A=1 --env=CHDROPT_A=2 -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe env.CHDROPT_A 2
	[[ $(grep -c '^env.CHDROPT_A=' <<<"$output") -eq 1 ]] || fail "CHDROPT_A twice"
}
