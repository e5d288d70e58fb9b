#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$status
# shellcheck disable=SC2030,SC2031  # killed_update reads what run set in the same test
# chdrop-root under faults: ROOT's file system full, and update killed
# (SIGKILL, injected by strace at the Nth call of each system call that
# changes the root).  ROOT stays consistent: every copy its old or its new
# version, a launch in between works or refuses cleanly, and the next run
# finishes or undoes the killed one, leaving no temporary file.

load helpers
load root-helpers

setup_file() { root_setup_file; }
teardown_file() { default_teardown_file; }

setup() {
	root_test_dirs
}

teardown() {
	if [[ -n "${T:-}" ]]; then
		grep -F " $T/" /proc/mounts | cut -d' ' -f2 | sort -r |
			while read -r m; do umount -l "$m"; done
	fi
}

@test "a full file system: update fails with one line, 125; the root keeps its old copies, nothing left" {
	install -d -m 0755 "$T/small"
	mount -t tmpfs -o size=1m,mode=0755 chdrop-root-test "$T/small"
	local SR="$T/small/root"
	make_host_files "$H"
	cr add "$SR" "$H/share/tree"
	cp "$SR/.chdrop/manifest" "$T/manifest.before"
	head -c 2000000 /dev/zero >"$H/share/tree/a"
	printf 'two, new\n' >"$H/share/tree/sub/b"
	run -125 --separate-stderr cr update "$SR"
	assert_one_root_error
	[[ "$stderr" == *"No space left on device"* ]]
	assert_output ""
	assert_equal "$(cat "$SR$H/share/tree/a")" one
	assert_equal "$(cat "$SR$H/share/tree/sub/b")" two
	cmp "$SR/.chdrop/manifest" "$T/manifest.before"
	assert_no_leftovers "$SR"
	run cr check "$SR"
	assert_failure 1
	refute_line --partial interrupted
	# Room again: the same update goes through.
	mount -o remount,size=8m "$T/small"
	run --separate-stderr cr update "$SR"
	assert_success
	assert_line "$SR: replaced $H/share/tree/a"
	run cr check "$SR"
	assert_success
}

# One killed update and what must hold after it.
killed_update() {   # killed_update SYSCALL N
	rm -rf "$R" "$H"
	make_host_files "$H"
	printf 'gone\n' >"$H/share/tree/d"
	cr add "$R" /bin/sh "$H/share/tree" >/dev/null
	printf 'one, new\n' >"$H/share/tree/a"
	printf 'two, new\n' >"$H/share/tree/sub/b"
	printf 'three\n' >"$H/share/tree/c"
	rm "$H/share/tree/d"
	run strace -f -qq -o /dev/null -e trace="$1" -e inject="$1":signal=KILL:when="$2" \
		"$CHDROP_ROOT" update "$R"
	if [[ "$status" -eq 137 ]]; then
		KILLS=$((KILLS + 1))
		[[ -e "$R/.chdrop/manifest.new" ]] && COMMITTED=$((COMMITTED + 1))
	fi
	if [[ "$status" -ne 137 && "$status" -ne 0 ]]; then
		fail "update under strace ($1 #$2): status $status: $output"
	fi
	# Every copy whole: old or new, never half, never a third thing.
	[[ "$(cat "$R$H/share/tree/a")" == one || "$(cat "$R$H/share/tree/a")" == "one, new" ]] ||
		fail "$1 #$2: a is $(cat "$R$H/share/tree/a")"
	[[ "$(cat "$R$H/share/tree/sub/b")" == two || "$(cat "$R$H/share/tree/sub/b")" == "two, new" ]] ||
		fail "$1 #$2: b is $(cat "$R$H/share/tree/sub/b")"
	[[ ! -e "$R$H/share/tree/c" || "$(cat "$R$H/share/tree/c")" == three ]] ||
		fail "$1 #$2: c is $(cat "$R$H/share/tree/c")"
	[[ ! -e "$R$H/share/tree/d" || "$(cat "$R$H/share/tree/d")" == gone ]] ||
		fail "$1 #$2: d is $(cat "$R$H/share/tree/d")"
	# A launch in between works or refuses cleanly.
	run chdrop --root="$R" --user=nobody -- /bin/sh -c "read -r x <$H/share/tree/a; echo \"\$x\""
	[[ "$status" -eq 0 || "$status" -eq 125 ]] || fail "$1 #$2: launch status $status"
	# check works (1: stale or interrupted, 0 if the update had finished).
	run cr check "$R"
	[[ "$status" -eq 0 || "$status" -eq 1 ]] || fail "$1 #$2: check status $status: $output"
	# The host takes a back (so nothing stages it again: a staged copy of
	# it must go by the next run's own sweep).  The next run finishes or
	# undoes the killed one; then all is as the host is, nothing left.
	printf 'one\n' >"$H/share/tree/a"
	run --separate-stderr cr update "$R"
	[[ "$status" -eq 0 ]] || fail "$1 #$2: the next update: $status: $stderr"
	assert_equal "$(cat "$R$H/share/tree/a")" one
	assert_equal "$(cat "$R$H/share/tree/sub/b")" "two, new"
	assert_equal "$(cat "$R$H/share/tree/c")" three
	[[ ! -e "$R$H/share/tree/d" ]] || fail "$1 #$2: d still there"
	run cr check "$R"
	[[ "$status" -eq 0 ]] || fail "$1 #$2: not current after the next update: $output"
	assert_no_leftovers "$R"
}

@test "SIGKILL at each rename, unlink, create and flush of update leaves ROOT consistent" {
	make_host_files "$H"
	local sc n
	KILLS=0
	COMMITTED=0
	for sc in renameat2,renameat unlinkat openat2,openat write syncfs,fsync mkdirat; do
		for n in 1 2 3 4 6 9; do
			killed_update "$sc" "$n"
		done
	done
	# The kills really happened, before and after the commit point.
	echo "# $KILLS runs killed, $COMMITTED of them after the commit point" >&3
	((KILLS >= 20)) || fail "only $KILLS runs were killed"
	((COMMITTED >= 3)) || fail "only $COMMITTED kills after the commit point"
}
