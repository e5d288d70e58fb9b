#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Exec in place and exit status: the target's own status, 125 for chdrop's
# failures (one line, nothing run), 126 can't execute, 127 not found.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	install -m 0644 "$PROBE_BIN" "$ROOT/bin/noexec"          # not executable
	install -m 0700 "$PROBE_BIN" "$ROOT/bin/rootonly"        # not for the user
	printf 'not an ELF\n' >"$ROOT/bin/garbage"
	chmod 0755 "$ROOT/bin/garbage"
	mkdir -m 0755 "$ROOT/bin/adir"
	# A dynamic program whose loader is not in the root, and a script
	# whose interpreter is not.
	install -m 0755 /bin/true "$ROOT/bin/dyntrue"
	printf '#!/bin/nosuchshell\n' >"$ROOT/bin/script"
	chmod 0755 "$ROOT/bin/script"
	ln -s /bin/probe "$ROOT/bin/probelink"
	# A directory the target user may write, for marker files.
	mkdir -m 0755 "$ROOT/out"
	chown "$TUSER_UID" "$ROOT/out"
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	rm -f "$ROOT/out/ran"
}

@test "exec in place: the target has the pid of the shell that exec'd chdrop" {
	run -0 --separate-stderr sh -c 'echo shell_pid=$$; exec "$@"' sh \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe pid "$(probe_val shell_pid)"
}

@test "the target's exit status passes through: 0" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe exit 0
}

@test "the target's exit status passes through: 42" {
	run -42 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran exit 42
	assert_probe touch ok
}

@test "the target's exit status passes through: 125 from the target itself" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe exit 125
	assert_equal "$stderr" ""
}

@test "argv passes through unchanged, including options and empty strings" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe args --help "" "a b" -u -- -r
	assert_output "$(printf '%s\n' 'arg.0=--help' 'arg.1=' 'arg.2=a b' 'arg.3=-u' 'arg.4=--' 'arg.5=-r' 'arg_count=6')"
}

@test "a killing signal passes through as the target's own" {
	run --separate-stderr sh -c '"$@" & p=$!; sleep 0.3; kill -TERM $p; wait $p; echo status=$?' sh \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe sleep 5
	assert_line "status=143"
}

@test "PROGRAM not executable: 126, one error line" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/noexec
	assert_one_error_line
	refute_target_ran
}

@test "PROGRAM not executable by the target user: 126" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/rootonly
	assert_one_error_line
	refute_target_ran
}

@test "PROGRAM is a directory: 126" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/adir
	assert_one_error_line
}

@test "PROGRAM whose dynamic loader is missing in the root: 126, says so" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/dyntrue
	assert_one_error_line
	[[ "$stderr" == *"interpreter or dynamic loader is missing"* ]]
}

@test "PROGRAM whose #! interpreter is missing, found on PATH: 126" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -e PATH=/nowhere:/bin -- script
	assert_one_error_line
	[[ "$stderr" == *"interpreter or dynamic loader is missing"* ]]
}

@test "PROGRAM is not a valid executable: 126" {
	run -126 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/garbage
	assert_one_error_line
}

@test "PROGRAM missing: 127, one error line" {
	run -127 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/nonexistent
	assert_one_error_line
	refute_target_ran
}

@test "PROGRAM without a slash is looked up on PATH inside the root" {
	run -0 --separate-stderr env PATH=/bin "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- probe
	assert_probe root_ino "$(root_ino_of "$ROOT")"
}

@test "PROGRAM without a slash, not on PATH: 127" {
	run -127 --separate-stderr env PATH=/bin "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- nonexistent
	assert_one_error_line
}

@test "a symlink to the program inside the root works" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probelink
	assert_probe root_ino "$(root_ino_of "$ROOT")"
}

@test "a failure after the root was opened: 125, one line, target never ran" {
	run -125 --separate-stderr chdrop -r "$ROOT" -w /missing -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	refute_target_ran
	[[ ! -e "$ROOT/out/ran" ]] || fail "the target ran"
}

@test "a drop failure (no CAP_SETUID): 125, one line, target never ran" {
	run -125 --separate-stderr setpriv --bounding-set=-setuid --inh-caps=-all -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_one_error_line
	refute_target_ran
	[[ ! -e "$ROOT/out/ran" ]] || fail "the target ran"
}

@test "chdrop: errors name the argument at fault" {
	run -125 --separate-stderr chdrop -u chdrop-no-such-user -- /bin/true
	assert_one_error_line
	assert_regex "$stderr" 'chdrop-no-such-user'
}

@test "-v narrates on stderr; stdout stays the target's" {
	run -0 --separate-stderr chdrop -v -r "$ROOT" -u "$TUSER" -- /bin/probe
	[[ -n "$stderr" ]] || fail "-v printed nothing on stderr"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}
