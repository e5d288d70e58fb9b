#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$status
# chdrop's launch-time staleness check (--stale=warn|refuse|ignore) on
# roots built by the real chdrop-root from host files the test owns and
# then changes: current says nothing, stale warns (or refuses), a gone
# source is stale, and a manifest that fails the --userdb=root care or
# does not parse is refused with 125 naming it.

load helpers
load root-helpers

setup_file() {
	ensure_probe || return 1
	export PROBE_BIN
	if is_root; then
		ensure_test_users || return 1
		TESTDIR=$(new_test_dir) || return 1
		export TESTDIR
	fi
}
teardown_file() { default_teardown_file; }

setup() {
	require_root
	require_chdrop
	require_chdrop_root
	T="$TESTDIR/t$BATS_TEST_NUMBER"
	H="$T/host"
	R="$T/root"
	install -d -m 0755 "$H/bin" "$H/data"
	install -m 0755 "$PROBE_BIN" "$H/bin/probe"
	printf 'version 1\n' >"$H/data/conf"
	chown -R 0:0 "$T"
	cr add "$R" "$H/bin/probe" "$H/data/conf" >/dev/null
	M="$R/.chdrop/manifest"
}

# run_probe [-STATUS] [OPTION...]: the probe through chdrop in the root.
run_probe() {
	local -a st=()
	if [[ "${1:-}" == -[0-9]* ]]; then
		st=("$1")
		shift
	fi
	run "${st[@]}" --separate-stderr chdrop "$@" --root="$R" --user=nobody -- "$H/bin/probe"
}

@test "current: no line on stderr, the target runs" {
	run_probe
	assert_success
	assert_equal "$stderr" ""
	assert_probe uid 65534,65534,65534
}

@test "stale (touched): one warning naming the file and the fix; the target runs" {
	touch -d '2030-01-01' "$H/data/conf"
	run_probe
	assert_success
	assert_one_error_line
	assert_equal "$stderr" "chdrop: warning: $R$H/data/conf is stale: the host's $H/data/conf changed since it was copied (chdrop-root update $R brings it up to date)"
	assert_probe uid 65534,65534,65534
}

@test "stale (rewritten in place): --stale=refuse exits 125, nothing runs, the file named" {
	printf 'version 2\n' >"$H/data/conf"
	run_probe -125 --stale=refuse
	assert_one_error_line
	[[ "$stderr" == "chdrop: --stale=refuse: $R$H/data/conf is stale: "* ]]
	[[ "$stderr" == *"chdrop-root update $R"* ]]
	refute_target_ran
}

@test "--stale=ignore: a stale root runs silently" {
	touch -d '2030-01-01' "$H/data/conf"
	run_probe --stale=ignore
	assert_success
	assert_equal "$stderr" ""
	assert_probe uid 65534,65534,65534
}

@test "--stale=ignore does not read the manifest: a malformed one runs" {
	printf 'junk\n' >>"$M"
	run_probe --stale=ignore
	assert_success
	assert_equal "$stderr" ""
	assert_probe uid 65534,65534,65534
}

@test "a source that is gone is stale: warn names it, refuse gives 125" {
	rm "$H/data/conf"
	run_probe
	assert_success
	assert_equal "$stderr" "chdrop: warning: $R$H/data/conf is stale: the host's $H/data/conf is gone (chdrop-root update $R brings it up to date)"
	assert_probe uid 65534,65534,65534
	run_probe -125 --stale=refuse
	assert_one_error_line
	[[ "$stderr" == *"$R$H/data/conf is stale"* ]]
	refute_target_ran
}

@test "after chdrop-root update the root is current again: no line" {
	printf 'version 2\n' >"$H/data/conf"
	run --separate-stderr cr update "$R"
	assert_success
	run_probe --stale=refuse
	assert_success
	assert_equal "$stderr" ""
	assert_probe uid 65534,65534,65534
}

@test "a root without a manifest: nothing said, -n says stale=none" {
	rm "$M"
	run_probe --stale=refuse
	assert_success
	assert_equal "$stderr" ""
	assert_probe uid 65534,65534,65534
	run -0 --separate-stderr chdrop -n --root="$R" --user=nobody -- "$H/bin/probe"
	assert_line stale=none
}

@test "manifest is a symlink: 125 naming the manifest" {
	mv "$M" "$R/.chdrop/real"
	ln -s real "$M"
	run_probe -125
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --stale: $M: reached through a symlink"
	refute_target_ran
}

@test ".chdrop is a symlink: 125 naming the manifest" {
	mv "$R/.chdrop" "$R/elsewhere"
	ln -s elsewhere "$R/.chdrop"
	run_probe -125
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --stale: $M: reached through a symlink"
	refute_target_ran
}

@test "manifest not owned by root: 125 naming the manifest" {
	chown nobody "$M"
	run_probe -125
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --stale: $M: not owned by root or writable by group or others"
	refute_target_ran
}

@test "manifest group-writable: 125 naming the manifest (--stale=refuse too)" {
	chmod g+w "$M"
	run_probe -125
	assert_equal "$stderr" "chdrop: --stale: $M: not owned by root or writable by group or others"
	refute_target_ran
	run_probe -125 --stale=refuse
	assert_one_error_line
	[[ "$stderr" == *"$M: not owned by root"* ]]
}

@test "manifest not a regular file: 125 naming the manifest" {
	rm "$M"
	mkfifo -m 0644 "$M"
	run_probe -125
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --stale: $M: not a regular file"
	refute_target_ran
}

# The manifest is looked at (O_PATH, fstat) and then opened for reading by
# name: a file swapped in between is refused, even a well-formed one.
# strace holds chdrop in its first openat2 (the O_PATH open of the
# manifest) until the test has seen that descriptor and swapped the file.
@test "manifest swapped between its check and its open: 125, replaced" {
	command -v strace >/dev/null || skip "strace not installed"
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "strace needs chdrop run directly"
	cp "$M" "$T/other"
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
	strace -qq -o /dev/null -e trace=openat2 \
		-e inject=openat2:delay_exit=1000000:when=1 \
		"$CHDROP" --root="$R" --user=nobody -- "$H/bin/probe" \
		>"$T/out" 2>"$T/err" &
	local spid=$! cpid="" fd swapped=no
	for _ in $(seq 200); do
		cpid=$(pgrep -P "$spid" | head -1) || true
		for fd in /proc/"$cpid"/fd/*; do
			[[ -n "$cpid" && "$(readlink "$fd" 2>/dev/null)" == "$M" ]] || continue
			mv "$T/other" "$M"
			swapped=yes
			break 2
		done
		sleep 0.01
	done
	local rc=0
	wait "$spid" || rc=$?
	assert_equal "$swapped" yes
	assert_equal "$rc" 125
	assert_equal "$(cat "$T/err")" "chdrop: --stale: $M: replaced while it was opened"
	output=$(cat "$T/out")
	refute_target_ran
}

@test "manifest malformed (or cut short): 125 naming the manifest and the line" {
	cp "$M" "$T/good"
	printf 'junk\n' >>"$M"
	run_probe -125
	assert_one_error_line
	[[ "$stderr" == "chdrop: --stale: $M: malformed at line "* ]]
	refute_target_ran
	head -n -1 "$T/good" >"$M"
	run_probe -125
	assert_one_error_line
	[[ "$stderr" == "chdrop: --stale: $M: malformed at line "* ]]
	# The end line's count, then a NUL: once read as "end N".
	{ head -n -1 "$T/good"; tail -n 1 "$T/good" | tr -d '\n'; printf '\0x\n'; } >"$M"
	run_probe -125
	assert_one_error_line
	[[ "$stderr" == "chdrop: --stale: $M: malformed at line "*": end line does not count the entries"* ]]
}

@test "-n: stale=current, the first stale path, ignored; -n --stale=refuse fails like the run" {
	run -0 --separate-stderr chdrop -n --root="$R" --user=nobody -- "$H/bin/probe"
	assert_line stale=current
	assert_equal "$stderr" ""
	touch -d '2030-01-01' "$H/data/conf"
	run -0 --separate-stderr chdrop -n --root="$R" --user=nobody -- "$H/bin/probe"
	assert_line "stale=$H/data/conf"
	[[ "$stderr" == "chdrop: warning: $R$H/data/conf is stale: "* ]]
	run -0 --separate-stderr chdrop -n --stale=ignore --root="$R" --user=nobody -- "$H/bin/probe"
	assert_line stale=ignored
	run -125 --separate-stderr chdrop -n --stale=refuse --root="$R" --user=nobody -- "$H/bin/probe"
	assert_output ""
	[[ "$stderr" == "chdrop: --stale=refuse: $R$H/data/conf is stale: "* ]]
}

@test "bad --stale values and places: 125 naming the option" {
	run -125 --separate-stderr chdrop --stale=maybe --root="$R" --user=nobody -- "$H/bin/probe"
	assert_equal "$stderr" "chdrop: --stale=maybe: expected warn, refuse or ignore"
	run -125 --separate-stderr chdrop --stale=refuse --user=nobody -- "$H/bin/probe"
	assert_equal "$stderr" "chdrop: --stale needs --root"
	run -125 --separate-stderr chdrop --stale=warn --audit="$R"
	assert_equal "$stderr" "chdrop: --audit: --stale is for a launch; --audit reports stale copies itself"
}

@test "a changed file is named before a changed directory; a directory alone is named" {
	install -d -m 0755 "$H/tree"
	printf 'in the tree\n' >"$H/tree/a"
	cr add "$R" "$H/tree" >/dev/null
	grep -q "^$H/tree dir .* $H/tree " "$M"
	touch "$H/tree/new"
	run_probe
	assert_success
	assert_one_error_line
	[[ "$stderr" == "chdrop: warning: $R$H/tree is stale: "* ]]
	touch -d '2030-01-01' "$H/tree/a"
	run_probe
	assert_success
	assert_one_error_line
	[[ "$stderr" == "chdrop: warning: $R$H/tree/a is stale: "* ]]
	assert_probe uid 65534,65534,65534
}
