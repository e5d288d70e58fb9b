#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# The host's account without NSS's machinery (issue 14): when
# /etc/nsswitch.conf's passwd line starts with "files" and no action, chdrop
# reads /etc/passwd itself (open with O_NOFOLLOW|O_NOCTTY, which neither
# glibc nor musl uses); in every other case NSS answers, as before.  Either
# way the target gets the same account.  Each case runs in a private mount
# namespace whose /etc/nsswitch.conf and /etc/passwd are the test's own.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	command -v strace >/dev/null || skip "strace not installed"
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "strace needs chdrop run directly"
	NS="$BATS_TEST_TMPDIR/nsswitch.conf"
	PW="$BATS_TEST_TMPDIR/passwd"
	TRACE="$BATS_TEST_TMPDIR/trace"
	printf 'passwd:         files systemd\ngroup:          files\n' >"$NS"
	cp /etc/passwd "$PW"
	echo "chdropghost:x:4242:4343:ghost:/bin:/bin/sh" >>"$PW"
}

# ghost ARGS...: chdrop -n as chdropghost, under strace, with the test's
# nsswitch.conf and passwd bound over the host's.
ghost() {
	# LeakSanitizer cannot run under ptrace: off for an ASan build here.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
	run --separate-stderr unshare -m --propagation private sh -c '
		mount --bind "$1" /etc/nsswitch.conf &&
		mount --bind "$2" /etc/passwd &&
		shift 2 && exec "$@"' sh "$NS" "$PW" \
		strace -f -qq -e trace=open,openat,connect -o "$TRACE" \
		"$CHDROP" -n -r "$ROOT" "$@" -- /bin/probe
}

# The account the target gets, as -n reports it.
assert_ghost() {
	assert_success
	assert_line uid=4242
	assert_line gid=4343
	assert_line env.HOME=/bin
	assert_line env.USER=chdropghost
}

# (musl's open() adds O_LARGEFILE between the flags.)
read_by_chdrop() { grep '"/etc/passwd", O_RDONLY|O_NOCTTY' "$TRACE" | grep -q O_NOFOLLOW; }
read_by_nss() { grep '"/etc/passwd"' "$TRACE" | grep -qv 'O_NOFOLLOW'; }

@test "files first: chdrop reads /etc/passwd itself, and asks no nscd" {
	ghost -u chdropghost -G ''
	assert_ghost
	read_by_chdrop || fail "chdrop did not read /etc/passwd itself"
	if read_by_nss || grep -q nscd "$TRACE"; then
		fail "NSS was asked too: $(cat "$TRACE")"
	fi
}

@test "files first, by number: the same entry" {
	ghost -u 4242 -G ''
	assert_ghost
	read_by_chdrop || fail "chdrop did not read /etc/passwd itself"
	read_by_nss && fail "NSS was asked too"
	true
}

@test "another source first: NSS answers, with the same account" {
	printf 'passwd: systemd files\n' >"$NS"
	ghost -u chdropghost -G ''
	assert_ghost
	read_by_nss || fail "NSS did not read /etc/passwd"
	read_by_chdrop && fail "chdrop read /etc/passwd although files is not first"
	true
}

@test "an action after files, a comment, two passwd lines, an indented line: NSS answers" {
	local ns
	for ns in 'passwd: files [NOTFOUND=return] systemd' \
	          'passwd: files # local accounts' \
	          $'passwd: files\npasswd: files' \
	          ' passwd: files' 'Passwd: files'; do
		printf '%s\n' "$ns" >"$NS"
		ghost -u chdropghost -G ''
		assert_ghost
		if read_by_chdrop; then
			fail "chdrop read /etc/passwd itself for: $ns"
		fi
	done
}

@test "no source, or an unknown one: the C library's answer, not chdrop's" {
	local ns
	for ns in 'passwd:' 'passwd: filesx'; do
		printf '%s\n' "$ns" >"$NS"
		ghost -u chdropghost -G ''
		if ! ldd "$CHDROP" 2>&1 | grep -q 'statically linked'; then
			# glibc: no source that knows the user
			assert_failure 125
			assert_equal "$stderr" "chdrop: --user=chdropghost: no such user"
		else
			# the static build's musl reads /etc/passwd whatever
			# nsswitch.conf says (docs/performance.md, make static)
			assert_ghost
			read_by_nss || fail "musl did not read /etc/passwd for: $ns"
		fi
		if read_by_chdrop; then
			fail "chdrop read /etc/passwd itself for: $ns"
		fi
	done
}

@test "a malformed or indented line before the account: NSS answers, the account is the same" {
	local bad
	for bad in 'broken-line' ' indented:x:4242:1:x:/tmp:/bin/sh' '+nis'; do
		{ echo "$bad"; cat /etc/passwd
		  echo "chdropghost:x:4242:4343:ghost:/bin:/bin/sh"; } >"$PW"
		ghost -u chdropghost -G ''
		assert_ghost
		read_by_nss || fail "NSS was not asked after: $bad"
	done
}

@test "an account not in /etc/passwd: NSS is asked, and the refusal names it" {
	ghost -u chdrop-no-such-user -G ''
	assert_failure 125
	assert_equal "$stderr" "chdrop: --user=chdrop-no-such-user: no such user"
	read_by_chdrop || fail "chdrop did not look in /etc/passwd first"
	read_by_nss || fail "NSS was not asked"
}
