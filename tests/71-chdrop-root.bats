#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$status
# chdrop-root add / check / update on host files the test owns: what a
# copy is, what the manifest says, what update changes and prints, and
# every bad input refused with one line, 125 and nothing half-written.

load helpers
load root-helpers

setup_file() { root_setup_file; }
teardown_file() { default_teardown_file; }

setup() {
	root_test_dirs
	make_host_files "$H"
}

teardown() {
	if [[ -n "${SLEEPER:-}" ]]; then kill "$SLEEPER" 2>/dev/null || true; fi
}

@test "add: a program with its loader and libraries runs under chdrop; the manifest is root's, 0644 in 0755" {
	run --separate-stderr cr add "$R" /bin/sh /usr/bin/cat
	assert_success
	assert_output --regexp "^$R: added [0-9]+ entries"
	run chdrop --root="$R" --user=nobody -- /bin/sh -c 'echo ran; cat /etc/hostname || echo no-etc'
	assert_success
	assert_line ran
	assert_line no-etc
	assert_equal "$(stat -c %U:%a "$R/.chdrop")" "root:755"
	assert_equal "$(stat -c %U:%a "$R/.chdrop/manifest")" "root:644"
	# Each library the loader found is there, through the same symlinks.
	grep -q '^/usr/lib/x86_64-linux-gnu/libc.so.6 file 0755 0 0 ' "$R/.chdrop/manifest"
	grep -q '^/bin symlink 0777 0 0 7 ' "$R/.chdrop/manifest"
	grep -q '^request /bin/sh$' "$R/.chdrop/manifest"
	grep -qx "$R" "$TESTDIR/roots"
	assert_no_leftovers "$R"
}

@test "add: copies are root-owned, never setuid/setgid, never group/other-writable, no xattrs" {
	install -m 6777 /dev/null "$H/bin/wild"
	printf 'x' >"$H/bin/wild"
	chown nobody:nogroup "$H/bin/wild"
	chmod 6777 "$H/bin/wild"
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.test", b"1")' "$H/bin/wild"
	setcap cap_net_raw+ep "$H/bin/wild"
	chmod 6777 "$H/bin/wild"
	run --separate-stderr cr add "$R" "$H/bin/wild"
	assert_success
	assert_equal "$(stat -c %U:%G:%a "$R$H/bin/wild")" "root:root:755"
	run python3 -c 'import os,sys; print(os.listxattr(sys.argv[1]))' "$R$H/bin/wild"
	assert_output "[]"
	run getcap "$R$H/bin/wild"
	assert_output ""
	grep -q "^$H/bin/wild file 0755 0 0 1 " "$R/.chdrop/manifest"
}

@test "add: a script brings its #! interpreter; a directory its tree" {
	run --separate-stderr cr add "$R" "$H/bin/script" "$H/share/tree"
	assert_success
	run chdrop --root="$R" --user=nobody -- "$H/bin/script"
	assert_success
	assert_output script-ran
	assert_equal "$(cat "$R$H/share/tree/sub/b")" two
}

@test "add --user --etc --dev --tmp --state: the basics, and nothing more" {
	[[ -e /etc/hosts ]] ||
		skip "this host has no /etc/hosts for --etc to copy (a debootstrap'd container); the refusal is tested next"
	run --separate-stderr cr add --user=nobody --etc --dev --tmp --state=/var/lib/svc "$R"
	assert_success
	assert_equal "$(cut -d: -f1 "$R/etc/passwd" | tr '\n' ' ')" "root nobody "
	assert_equal "$(wc -l <"$R/etc/group")" 2
	run grep -v ': files$' "$R/etc/nsswitch.conf"
	assert_failure
	assert_equal "$(stat -c '%F %t,%T %a' "$R/dev/null")" "character special file 1,3 666"
	assert_equal "$(find "$R/dev" -mindepth 1 | wc -l)" 6
	assert_equal "$(stat -c %a "$R/tmp")" 1777
	assert_equal "$(stat -c %U:%a "$R/var/lib/svc")" "nobody:750"
	[[ -e "$R/etc/hosts" && -e "$R/etc/localtime" ]]
}

@test "add --etc where the host has no /etc/hosts: 125 naming it, nothing left" {
	run -125 --separate-stderr unshare -m sh -c 'mount -t tmpfs -o mode=0755 none /etc && exec "$@"' \
		sh "$CHDROP_ROOT" add --registry="$TESTDIR/roots" --etc "$R"
	assert_equal "$stderr" "chdrop-root: /etc/hosts: No such file or directory"
	[[ ! -e "$R" ]]                 # the ROOT this add made is gone again
	# A ROOT that was there stays, without the .chdrop this add made.
	install -d -m 0755 "$R"
	run -125 --separate-stderr unshare -m sh -c 'mount -t tmpfs -o mode=0755 none /etc && exec "$@"' \
		sh "$CHDROP_ROOT" add --registry="$TESTDIR/roots" --etc "$R"
	assert_equal "$stderr" "chdrop-root: /etc/hosts: No such file or directory"
	assert_equal "$(find "$R" -mindepth 1)" ""
}

@test "check: 0 and silent when current; update changes nothing and says nothing" {
	cr add "$R" "$H/share/tree" /bin/sh
	before=$(stat -c %Y.%Z "$R/.chdrop/manifest")
	run --separate-stderr cr check "$R"
	assert_success
	assert_output ""
	run --separate-stderr cr update "$R"
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(stat -c %Y.%Z "$R/.chdrop/manifest")" "$before"
}

@test "a host change: check says stale (1); update replaces it with one line; then current" {
	cr add "$R" "$H/share/tree"
	printf 'one, updated\n' >"$H/share/tree/a"
	run --separate-stderr cr check "$R"
	assert_failure 1
	assert_line "stale $H/share/tree/a: the host's $H/share/tree/a changed since it was copied"
	run --separate-stderr cr update "$R"
	assert_success
	assert_output "$R: replaced $H/share/tree/a"
	assert_equal "$(cat "$R$H/share/tree/a")" "one, updated"
	run cr check "$R"
	assert_success
	assert_no_leftovers "$R"
}

@test "an altered copy: check says altered; update restores it; JSON says the same" {
	cr add "$R" "$H/share/tree"
	printf 'planted\n' >"$R$H/share/tree/sub/b"
	run --separate-stderr cr check --format=json "$R"
	assert_failure 1
	assert_equal "$(jq -r '.current' <<<"$output")" false
	assert_equal "$(jq -r '.problems[0].state + " " + .problems[0].path' <<<"$output")" "altered $H/share/tree/sub/b"
	run --separate-stderr cr update "$R"
	assert_success
	assert_output "$R: restored $H/share/tree/sub/b (altered in the root)"
	assert_equal "$(cat "$R$H/share/tree/sub/b")" two
	# Deleted in the root: missing, restored.
	rm "$R$H/share/tree/a"
	run cr check "$R"
	assert_failure 1
	assert_line "missing $H/share/tree/a: not in the root"
	run cr update "$R"
	assert_output "$R: restored $H/share/tree/a (missing)"
}

@test "a new file in a host tree comes in; a source gone goes, with a line each" {
	cr add "$R" "$H/share/tree"
	printf 'three\n' >"$H/share/tree/c"
	rm "$H/share/tree/sub/b"
	run --separate-stderr cr update "$R"
	assert_success
	assert_line "$R: added $H/share/tree/c"
	assert_line "$R: removed $H/share/tree/sub/b"
	[[ ! -e "$R$H/share/tree/sub/b" ]]
	assert_equal "$(cat "$R$H/share/tree/c")" three
}

@test "update names a running process in ROOT that still maps a replaced copy" {
	cr add "$R" /usr/bin/sleep
	"$CHDROP" --root="$R" --user=nobody -- /usr/bin/sleep 60 &
	SLEEPER=$!
	sleep 0.5
	# An altered copy (a new inode: the running one is busy), restored.
	cp "$R/usr/bin/sleep" "$R/usr/bin/sleep.new"
	printf 'tampered' >>"$R/usr/bin/sleep.new"
	mv "$R/usr/bin/sleep.new" "$R/usr/bin/sleep"
	run --separate-stderr cr update "$R"
	assert_success
	assert_line "$R: restored /usr/bin/sleep (altered in the root)"
	assert_line "$R: pid $SLEEPER (sleep) still maps the old /usr/bin/sleep: restart it"
}

@test "update --all reaches every registered root; a root removed since is dropped, said" {
	cr add "$T/r1" "$H/share/tree"
	cr add "$T/r2" "$H/share/tree"
	cr add "$T/r3" "$H/share/tree"
	rm -rf "$T/r3"
	printf 'all\n' >"$H/share/tree/a"
	run --separate-stderr cr update --all
	assert_success
	assert_line "$T/r1: replaced $H/share/tree/a"
	assert_line "$T/r2: replaced $H/share/tree/a"
	assert_line "$T/r3: not there any more; removed from $TESTDIR/roots"
	assert_equal "$(cat "$T/r2$H/share/tree/a")" all
	run grep -c "^$T/r" "$TESTDIR/roots"
	assert_output 2
}

# --- bad input: one line, 125, nothing written -----------------------------

refused() {   # refused WORD ARGS...: 125, one line naming WORD, nothing new
	local word=$1
	shift
	run -125 --separate-stderr cr "$@"
	assert_one_root_error
	[[ "$stderr" == *"$word"* ]] || fail "stderr does not name $word: $stderr"
	assert_output ""
}

@test "refused: a relative source, a missing source" {
	refused 'bin/sh' add "$R" bin/sh
	[[ ! -e "$R" ]]
	refused "$H/nope" add "$R" "$H/nope"
	[[ ! -e "$R" ]]
}

@test "refused: a FIFO, a device node, a socket as a source" {
	mkfifo "$H/fifo"
	refused "$H/fifo" add "$R" "$H/fifo"
	assert_equal "$stderr" "chdrop-root: $H/fifo: a FIFO: only files, directories and symlinks are copied"
	refused /dev/null add "$R" /dev/null
	[[ ! -e "$R" ]]
}

@test "refused: ROOT failing the --root rule (group-writable, a symlink, relative)" {
	install -d -m 0775 "$T/gw"
	refused "$T/gw/r" add "$T/gw/r" /bin/sh
	[[ ! -e "$T/gw/r" ]]
	install -d -m 0755 "$T/real"
	ln -s real "$T/link"
	refused "$T/link/r" add "$T/link/r" /bin/sh
	refused 'relative/root' add relative/root /bin/sh
	refused "$T/nowhere/r" add "$T/nowhere/r" /bin/sh
}

@test "refused: a symlink planted under ROOT is never written through" {
	cr add "$R" "$H/share/tree"
	cp "$R/.chdrop/manifest" "$T/manifest.before"
	install -d -m 0755 "$T/elsewhere"
	mv "$R$H/share/tree/sub" "$T/sub.moved"
	ln -s "$T/elsewhere" "$R$H/share/tree/sub"
	printf 'new\n' >"$H/share/tree/sub/b"
	refused "$H/share/tree/sub" update "$R"
	assert_equal "$stderr" "chdrop-root: $R$H/share/tree/sub: a symlink where a directory should be (refusing to follow it)"
	assert_equal "$(find "$T/elsewhere" -mindepth 1 | wc -l)" 0
	cmp "$R/.chdrop/manifest" "$T/manifest.before"
	assert_no_leftovers "$R"
	# check reports it too, and nothing is followed.
	run cr check "$R"
	assert_failure 1
	assert_line --partial "altered $H/share/tree/sub"
	# A relative symlink that stays inside ROOT is not followed either.
	install -d -m 0755 "$R/inside"
	rm "$R$H/share/tree/sub"
	ln -s "$(realpath --relative-to="$R$H/share/tree" "$R/inside")" "$R$H/share/tree/sub"
	refused "$H/share/tree/sub" update "$R"
	assert_equal "$stderr" "chdrop-root: $R$H/share/tree/sub: a symlink where a directory should be (refusing to follow it)"
	assert_equal "$(find "$R/inside" -mindepth 1 | wc -l)" 0
	assert_no_leftovers "$R"
}

@test "the service user owning a state dir cannot redirect an update" {
	cr add --user=nobody --state="$H/state" "$R" "$H/share/tree"
	# The owner opens its directory to everyone and plants a symlink.
	as_nobody chmod 0777 "$R$H/state"
	as_nobody ln -s /etc/shadow "$R$H/state/x"
	shadow=$(stat -c %U:%a:%Y /etc/shadow)
	run --separate-stderr cr update "$R"
	assert_success
	assert_output "$R: restored $H/state (altered in the root)"
	assert_equal "$(stat -c %U:%a "$R$H/state")" "nobody:750"
	assert_equal "$(stat -c %U:%a:%Y /etc/shadow)" "$shadow"
	[[ -L "$R$H/state/x" ]]
	# Nothing can be added inside it.
	install -d "$H/state"
	printf 'f\n' >"$H/state/f"
	refused 'inside a state directory' add "$R" "$H/state/f"
}

@test "refused: a bad command, an option of another command, no ROOT" {
	refused frob frob "$R"
	refused --all check --all
	refused 'no ROOT' check
	refused '--format=xml' check --format=xml "$R"
	refused '--user' update --user=nobody "$R"
}
