#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# packaging/sysvinit/chdrop-example: start, status, restart and stop a real
# daemon (busybox httpd, in the foreground) through start-stop-daemon and
# chdrop, and a start that chdrop refuses.
#
# The script reads /etc/default/NAME for NAME its own file name: each run
# uses a unique NAME, writes that one file and removes it afterwards.
load helpers

BUSYBOX=${BUSYBOX:-/bin/busybox}

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	install -d -m 0755 "$ROOT/www"
	echo "chdrop-initscript-ok" >"$ROOT/www/index.html"
	chmod 0644 "$ROOT/www/index.html"
	if [[ -x "$BUSYBOX" ]] && ! ldd "$BUSYBOX" >/dev/null 2>&1; then
		install -m 0755 "$BUSYBOX" "$ROOT/bin/busybox"
	fi
	INITNAME="chdrop-bats-$$"
	INITSCRIPT="$TESTDIR/$INITNAME"
	install -m 0755 "$BATS_TEST_DIRNAME/../packaging/sysvinit/chdrop-example" \
		"$INITSCRIPT"
	# A port that is free now, in the range no one binds by default.
	PORT=$((20000 + $$ % 20000))
	export INITNAME INITSCRIPT PORT
}

teardown_file() {
	if [[ -n "${INITSCRIPT:-}" && -f "/etc/default/$INITNAME" ]]; then
		"$INITSCRIPT" stop >/dev/null 2>&1 || true
		rm -f "/etc/default/$INITNAME"
	fi
	default_teardown_file
}

setup() {
	default_setup
	[[ -x "$ROOT/bin/busybox" ]] || skip "needs busybox-static"
	command -v start-stop-daemon >/dev/null || skip "needs start-stop-daemon"
	write_defaults "$TUSER"
}

teardown() {
	[[ -n "${INITSCRIPT:-}" ]] && "$INITSCRIPT" stop >/dev/null 2>&1
	return 0
}

# write_defaults USER [CHDROP_OPTS]
write_defaults() {
	cat >"/etc/default/$INITNAME" <<EOF
CHDROP=$(readlink -f "$CHDROP")
CHDROP_ROOT=$ROOT
CHDROP_USER=$1
CHDROP_OPTS="${2:-}"
DAEMON=/bin/busybox
DAEMON_ARGS="httpd -f -p 127.0.0.1:$PORT -h /www"
PIDFILE=$TESTDIR/$INITNAME.pid
LOGFILE=$TESTDIR/$INITNAME.log
EOF
}

# GET / from the daemon; prints the body's first line.
http_get() {
	# shellcheck disable=SC2016  # expanded by the inner bash
	timeout 5 bash -c '
		exec 5<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf "GET / HTTP/1.0\r\n\r\n" >&5
		sed -n "/^\r\?$/,\$p" <&5 | sed -n 2p' http_get "$PORT" 2>/dev/null
}

daemon_pid() { cat "$TESTDIR/$INITNAME.pid"; }

# The process has exited: no such pid, or a zombie that its new parent (the
# daemon was detached) has not reaped yet.
process_gone() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ "$state" == Z ]]
}

@test "initscript: status of a stopped service is 3" {
	run -3 "$INITSCRIPT" status
	assert_output --partial "is not running"
}

@test "initscript: start runs the daemon in its root, as the user, and it serves" {
	run -0 "$INITSCRIPT" start
	run -0 "$INITSCRIPT" status
	assert_output --partial "is running (pid $(daemon_pid))"
	pid=$(daemon_pid)
	# chdrop exec'd in place: the pid start-stop-daemon recorded runs
	# busybox, inside the root, as the user, with no capabilities.
	assert_equal "$(readlink "/proc/$pid/exe")" "$ROOT/bin/busybox"
	assert_equal "$(readlink "/proc/$pid/root")" "$ROOT"
	assert_equal "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" \
		"$TUSER_UID $TUSER_UID $TUSER_UID $TUSER_UID"
	assert_equal "$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")" \
		0000000000000000
	assert_equal "$(awk '/^NoNewPrivs:/ { print $2 }' "/proc/$pid/status")" 1
	run http_get
	assert_output "chdrop-initscript-ok"
}

@test "initscript: a second start leaves the running daemon alone" {
	run -0 "$INITSCRIPT" start
	pid=$(daemon_pid)
	run -0 "$INITSCRIPT" start
	assert_equal "$(daemon_pid)" "$pid"
	run -0 "$INITSCRIPT" status
}

@test "initscript: stop ends the daemon and removes the pid file" {
	run -0 "$INITSCRIPT" start
	pid=$(daemon_pid)
	run -0 "$INITSCRIPT" stop
	assert process_gone "$pid"
	assert [ ! -e "$TESTDIR/$INITNAME.pid" ]
	run -3 "$INITSCRIPT" status
	run http_get
	refute_output "chdrop-initscript-ok"
}

@test "initscript: stop of a stopped service succeeds" {
	run -0 "$INITSCRIPT" stop
}

@test "initscript: restart gives a new daemon" {
	run -0 "$INITSCRIPT" start
	pid=$(daemon_pid)
	run -0 "$INITSCRIPT" restart
	refute [ "$(daemon_pid)" = "$pid" ]
	run http_get
	assert_output "chdrop-initscript-ok"
}

@test "initscript: a start chdrop refuses fails and shows chdrop's message" {
	write_defaults no-such-user-chdrop
	run --separate-stderr -1 "$INITSCRIPT" start
	# shellcheck disable=SC2154  # set by run --separate-stderr
	assert_equal "$stderr" "chdrop: --user=no-such-user-chdrop: no such user"
	assert [ ! -e "$TESTDIR/$INITNAME.pid" ]
	run -3 "$INITSCRIPT" status
}

@test "initscript: unconfigured, it says so and exits 6" {
	rm -f "/etc/default/$INITNAME"
	run -6 "$INITSCRIPT" start
	assert_output --partial "not configured"
}
