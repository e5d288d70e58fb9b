#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Usage: help, version, option errors.  None of this needs root.

load helpers

setup_file() { ensure_probe; }
setup() { require_chdrop; }

@test "--help prints usage on stdout and exits 0" {
	run -0 --separate-stderr chdrop --help
	assert_output --partial "Usage:"
	assert_output --partial "--user"
	assert_output --partial "--root"
	assert_equal "$stderr" ""
}

@test "-h is --help" {
	run -0 --separate-stderr chdrop -h
	assert_output --partial "Usage:"
}

@test "--version prints 'chdrop 0.1.0'" {
	run -0 --separate-stderr chdrop --version
	assert_line --index 0 "chdrop 0.1.0"
	assert_equal "$stderr" ""
}

@test "-V is --version" {
	run -0 --separate-stderr chdrop -V
	assert_line --index 0 "chdrop 0.1.0"
}

@test "unknown long option: 125, one error line, nothing run" {
	run -125 --separate-stderr chdrop --no-such-option -u 65534 -g 65534 -- "$PROBE_BIN" touch "$BATS_TEST_TMPDIR/ran"
	assert_one_error_line
	refute_target_ran
	[[ ! -e "$BATS_TEST_TMPDIR/ran" ]]
}

@test "unknown short option: 125" {
	run -125 --separate-stderr chdrop -Z -u 65534 -g 65534 -- "$PROBE_BIN"
	assert_one_error_line
	refute_target_ran
}

@test "option missing its argument: 125" {
	run -125 --separate-stderr chdrop --allow-root -u
	assert_one_error_line
}

@test "no PROGRAM: 125" {
	run -125 --separate-stderr chdrop -u 65534 -g 65534
	assert_one_error_line
}

@test "no PROGRAM after --: 125" {
	run -125 --separate-stderr chdrop -u 65534 -g 65534 --
	assert_one_error_line
}

@test "options after PROGRAM belong to PROGRAM" {
	# -n before PROGRAM makes it a dry run; --help after PROGRAM is argv.
	run -0 --separate-stderr chdrop -n -u 65534 -g 65534 -G '' -- /bin/true --help
	assert_line "program=/bin/true"
	assert_line "argv.1=--help"
	refute_output --partial "Usage:"
}

