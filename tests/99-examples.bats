#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr
# The examples of README.md, docs/chdrop.1 and docs/guide.md, run as they
# are written.  Each command is taken from the document itself (so a doc
# that changes is a test that changes), with only /srv/www, /srv/legacy and
# the pid file moved under this test's directory.
#
# What does not run here, and why:
#   - the chronyd example (README, man page, guide): only where chrony is
#     installed; installing it on a test machine starts a time service;
#   - the systemd units (guide): make check-systemd boots a real systemd
#     and runs the same units (tests/systemd/run);
#   - the --userns example for alice: tests/58-userns.bats runs that
#     command with a user of its own.

load helpers

DOCS="$BATS_TEST_DIRNAME/../docs"
README="$BATS_TEST_DIRNAME/../README.md"

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	W="$TESTDIR/www"
	L="$TESTDIR/legacy"
	export W L
}
teardown_file() {
	[[ -n "${HTTPD_PID:-}" ]] && kill "$HTTPD_PID" 2>/dev/null
	default_teardown_file
}
setup() {
	default_setup
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "the examples run chdrop by its path"
	# The examples name /usr/bin/chdrop or plain `chdrop`: the binary under test.
	install -d "$TESTDIR/bin"
	ln -sf "$CHDROP" "$TESTDIR/bin/chdrop"
	PATH="$TESTDIR/bin:$PATH"
}
teardown() {
	if [[ -n "${HTTPD_PID:-}" ]]; then
		kill "$HTTPD_PID" 2>/dev/null || true
		wait "$HTTPD_PID" 2>/dev/null || true
		HTTPD_PID=
	fi
}

# doc_line FILE TEXT: the line of FILE that is exactly TEXT after its
# indentation (fails the test if the document no longer has it).
doc_line() {
	local line
	line=$(sed -n 's/^ *//p' "$1" | grep -Fx -- "$2") ||
		fail "$(basename "$1") no longer has: $2"
	printf '%s\n' "$line"
}

# man_lines TEXT...: the same for the man page, whose lines are escaped
# roff; prints them unescaped.
man_line() {
	sed 's/\\-/-/g; s/\\e/\\/g; s/\\(aq/'"'"'/g' "$DOCS/chdrop.1" | sed 's/^ *//' |
		grep -Fx -- "$1" || fail "chdrop.1 no longer has: $1"
}

# relocated CMD: CMD with the example roots moved into the test directory.
relocated() {
	sed -e "s|/srv/www|$W|g" -e "s|/srv/legacy|$L|g" \
		-e "s|/run/www.pid|$TESTDIR/www.pid|g" <<<"$1"
}

# The guide's root for the web server, built by the guide's own commands.
build_www() {
	[[ -x "$W/bin/busybox" ]] && return 0
	local c
	for c in "install -d -m 0755 /srv/www /srv/www/bin /srv/www/www" \
		"install -m 0755 /bin/busybox /srv/www/bin/busybox     # busybox-static" \
		"echo 'It works' > /srv/www/www/index.html"; do
		doc_line "$DOCS/guide.md" "$c" >/dev/null
		bash -ec "$(relocated "$c")"
	done
}

port80_free() {
	! ss -Hltn 'sport = :80' | grep -q .
}

# serve CMD: run CMD (a chdrop httpd on port 80) in the background; check
# that it serves the page, as www-data, keeping net_bind_service alone.
serve() {
	port80_free || skip "port 80 is in use on this machine"
	bash -c "exec $1" </dev/null >"$TESTDIR/httpd.out" 2>&1 &
	HTTPD_PID=$!
	local page="" _
	for _ in $(seq 50); do
		page=$(python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:80/", timeout=2).read().decode().strip())' 2>/dev/null) && break
		sleep 0.1
	done
	assert_equal "$page" "It works"
	assert_equal "$(awk '/^Uid:/ { print $2 }' "/proc/$HTTPD_PID/status")" "$(id -u www-data)"
	assert_equal "$(awk '/^CapEff:/ { print $2 }' "/proc/$HTTPD_PID/status")" 0000000000000400
	assert_equal "$(readlink "/proc/$HTTPD_PID/root")" "$W"
}

@test "guide: the web server on port 80, root built and run as written" {
	build_www
	local c
	c=$(doc_line "$DOCS/guide.md" "chdrop -r /srv/www -u www-data -c net_bind_service -- \\")
	c="${c%\\}$(doc_line "$DOCS/guide.md" "/bin/busybox httpd -f -p 80 -h /www")"
	serve "$(relocated "$c")"
}

@test "README: the web server one-liner" {
	build_www
	serve "$(relocated "$(doc_line "$README" "chdrop --root=/srv/www --user=www-data -c net_bind_service -- /bin/busybox httpd -f -p 80 -h /www")")"
}

@test "man page: the init script line, started and stopped with start-stop-daemon" {
	build_www
	port80_free || skip "port 80 is in use on this machine"
	local c
	# shellcheck disable=SC1003  # a literal backslash ends these lines
	c="$(man_line 'start-stop-daemon --start --background --make-pidfile --pidfile /run/www.pid \')"
	# shellcheck disable=SC1003
	c="${c%\\}$(man_line '--startas /usr/bin/chdrop --exec /srv/www/bin/busybox -- \')"
	c="${c%\\}$(man_line '-r /srv/www -u www-data -c net_bind_service -- /bin/busybox httpd -f -p 80 -h /www')"
	c=$(relocated "$c" | sed "s|/usr/bin/chdrop|$CHDROP|")
	bash -c "$c"
	local pid="" _
	for _ in $(seq 50); do
		pid=$(cat "$TESTDIR/www.pid" 2>/dev/null) &&
			[[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$W/bin/busybox" ]] && break
		sleep 0.1
	done
	run python3 -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:80/", timeout=2).read().decode().strip())'
	start-stop-daemon --stop --quiet --retry=TERM/5 --pidfile "$TESTDIR/www.pid" --exec "$W/bin/busybox"
	assert_output "It works"
	run ! start-stop-daemon --status --pidfile "$TESTDIR/www.pid" --exec "$W/bin/busybox"
}

@test "man page and guide: the dry runs" {
	build_www
	run -0 --separate-stderr bash -c "$(relocated "$(man_line 'chdrop -n -r /srv/www -u www-data -- /bin/busybox httpd')")"
	assert_line "user=www-data"
	run -0 --separate-stderr bash -c "$(relocated "$(doc_line "$DOCS/guide.md" 'chdrop -n -r /srv/www -u www-data -c net_bind_service -- /bin/busybox httpd')")"
	assert_line "caps=net_bind_service"
}

@test "man page and guide: the legacy binary one-liners" {
	install -d -m 0755 "$L" "$L/opt" "$L/opt/app" "$L/opt/app/bin" "$L/home" "$L/home/app"
	install -m 0755 "$PROBE_BIN" "$L/opt/app/bin/report"
	run -0 --separate-stderr bash -c "$(relocated "$(man_line "chdrop -r /srv/legacy -u 1000 -g 1000 -G '' --reset-env -- /opt/app/bin/report")")"
	assert_probe uid 1000,1000,1000
	assert_probe gid 1000,1000,1000
	assert_probe cwd /
	run -0 --separate-stderr bash -c "$(relocated "$(doc_line "$DOCS/guide.md" "chdrop -r /srv/legacy -u 1000 -g 1000 -G '' --reset-env -w /home/app -- /opt/app/bin/report")")"
	assert_probe uid 1000,1000,1000
	assert_probe cwd /home/app
}

@test "guide: --audit, plain and as JSON through jq" {
	build_www
	run --separate-stderr bash -c "$(relocated "$(doc_line "$DOCS/guide.md" 'chdrop --audit=/srv/www -u www-data')")"
	[[ "$status" -le 1 ]] || fail "audit exit $status: $stderr"
	run -0 --separate-stderr bash -o pipefail -c "$(relocated "$(doc_line "$DOCS/guide.md" 'chdrop --audit=/srv/www --audit-format=json | jq .')")"
}

@test "README, man page, guide: the chronyd service (where chrony is installed)" {
	[[ -x /usr/sbin/chronyd ]] || skip "chrony is not installed (installing it would start a time service on this machine)"
	doc_line "$README" "ExecStart=/usr/bin/chdrop -r /srv/ntp -u _chrony -c sys_time -- /usr/sbin/chronyd -d -U -u _chrony -f /etc/chrony.conf"
	man_line "ExecStart=/usr/bin/chdrop -r /srv/ntp -u _chrony -c sys_time -- /usr/sbin/chronyd -d -U -u _chrony -f /etc/chrony.conf"
	doc_line "$DOCS/guide.md" "ExecStart=/usr/bin/chdrop -r /srv/ntp -u _chrony -c sys_time -- /usr/sbin/chronyd -d -U -u _chrony -f /etc/chrony.conf"
	skip "chronyd present, but this test only checks the three documents agree"
}
