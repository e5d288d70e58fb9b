#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output
# tests/57-mounts.bats again, every chdrop run with --pivot-root: the
# per-run mounts must survive the clone of the root's mount tree with
# their flags (read-only, nosuid, nodev, noexec) and the device set intact.

load helpers

setup() { default_setup; }

@test "every per-run mount test passes under --pivot-root too" {
	run env CHDROP_MOUNTS_MODE=pivot bats --tap "$BATS_TEST_DIRNAME/57-mounts.bats"
	if [[ "$status" -ne 0 ]] || grep -q '^not ok' <<<"$output"; then
		fail "under --pivot-root: $output"
	fi
	# Not a suite that skipped itself green.
	grep -q '^ok .*--bind-ro: a submount of the source is read-only too$' <<<"$output"
	if grep -q '# skip' <<<"$output"; then
		fail "skipped under --pivot-root: $output"
	fi
}
