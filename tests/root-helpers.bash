# SPDX-License-Identifier: ISC
# Helpers for the chdrop-root tests (tests/7x-chdrop-root*.bats), loaded
# after helpers.  Every root lives under a new_test_dir, and add registers
# it in that directory's own registry, never in /var/lib/chdrop-root.

# $output, $stderr and $status come from bats' run.
# shellcheck disable=SC2154

CHDROP_ROOT="${CHDROP_ROOT:-$BATS_TEST_DIRNAME/../chdrop-root/chdrop-root}"

require_chdrop_root() {
	if [[ ! -x "$CHDROP_ROOT" ]]; then
		fail "chdrop-root not found at $CHDROP_ROOT (run make)"
	fi
}

# cr ARGS: chdrop-root with the test directory's registry.
cr() {
	local cmd=$1
	shift
	case "$cmd" in
	add|update) "$CHDROP_ROOT" "$cmd" --registry="$TESTDIR/roots" "$@" ;;
	*) "$CHDROP_ROOT" "$cmd" "$@" ;;
	esac
}

# stderr is one line, "chdrop-root: ...".
assert_one_root_error() {
	local n
	n=$(printf '%s' "$stderr" | grep -c '')
	if [[ "$n" -ne 1 || "$stderr" != "chdrop-root: "* ]]; then
		batslib_print_kv_single_or_multi 8 stderr "$stderr" |
			batslib_decorate "expected one 'chdrop-root: ' line on stderr" | fail
		return 1
	fi
}

# No staged copy, intent or half manifest left anywhere in ROOT.
assert_no_leftovers() {
	local left
	left=$(find "$1" \( -name '.chdrop-tmp.*' -o -path "$1/.chdrop/intent" \
		-o -path "$1/.chdrop/manifest.new" -o -name '*.tmp' \) -print)
	if [[ -n "$left" ]]; then
		batslib_print_kv_single_or_multi 8 left "$left" |
			batslib_decorate "leftovers in the root" | fail
		return 1
	fi
}

# A host file tree the tests own (sources that can change at will).
make_host_files() {
	local h=$1
	install -d -m 0755 "$h/bin" "$h/share/tree/sub"
	printf 'one\n' >"$h/share/tree/a"
	printf 'two\n' >"$h/share/tree/sub/b"
	printf '#!/bin/sh\necho script-ran\n' >"$h/bin/script"
	chmod 0755 "$h/bin/script"
	chown -R 0:0 "$h"
}

# The chdrop-root tests' setup_file: as root, a fresh test directory.
root_setup_file() {
	if is_root; then
		TESTDIR=$(new_test_dir) || return 1
		export TESTDIR
	fi
}

# The start of their setup(): root and both programs, and this test's own
# directory T, with H (the host side) and R (the root) named beneath it.
root_test_dirs() {
	require_root
	require_chdrop
	require_chdrop_root
	T="$TESTDIR/t$BATS_TEST_NUMBER"
	install -d -m 0755 "$T"
	# shellcheck disable=SC2034  # used by the test files
	H="$T/host" R="$T/root"
}
