#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$status
# Closure fidelity on this machine: every dynamic ELF program in /usr/bin
# and /usr/sbin added to one root.  The libraries the root got are exactly
# those ldd (the host's own loader) names for them, and every program that
# answers --version on the host as nobody starts in the root too: no
# loader error, no missing program.  (Some then want data the root was not
# given, /proc or /etc/apt: that is not the closure's business.)

load helpers
load root-helpers

setup_file() { root_setup_file; }
teardown_file() { default_teardown_file; }

setup() {
	require_root
	require_chdrop
	require_chdrop_root
	R="$TESTDIR/root"
}

# Dynamic ELF programs, by their real path, once each.
programs() {
	local f
	for f in /usr/bin/* /usr/sbin/*; do
		[[ -f "$f" && ! -L "$f" && -x "$f" ]] || continue
		[[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" == 177ELF ]] || continue
		readelf -l "$f" 2>/dev/null | grep -q 'Requesting program interpreter' || continue
		printf '%s\n' "$f"
	done
}

@test "every dynamic program: the root holds exactly the libraries ldd names" {
	programs >"$TESTDIR/programs"
	[[ $(wc -l <"$TESTDIR/programs") -gt 100 ]]
	xargs -a "$TESTDIR/programs" -d '\n' "$CHDROP_ROOT" add --registry="$TESTDIR/roots" "$R" >/dev/null
	# What the host's loader resolves, every path read through its symlinks.
	while IFS= read -r f; do
		ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
	done <"$TESTDIR/programs" | xargs -r realpath -e | sort -u >"$TESTDIR/ldd"
	# What chdrop-root brought: ELF files it was not asked for.
	awk '$2 == "file" && $13 == "need" { print $1 }' "$R/.chdrop/manifest" |
		grep -v '^/etc/ld.so.cache$' | sort -u >"$TESTDIR/need"
	sort -u "$TESTDIR/programs" >"$TESTDIR/asked"
	comm -23 "$TESTDIR/ldd" "$TESTDIR/asked" >"$TESTDIR/ldd-libs"
	run diff "$TESTDIR/ldd-libs" "$TESTDIR/need"
	assert_success
}

@test "every dynamic program that answers --version as nobody on the host starts in the root" {
	local f n=0 bad=()
	while IFS= read -r f; do
		timeout -s KILL 3 setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
			"$f" --version </dev/null >/dev/null 2>&1 || continue
		n=$((n + 1))
		local rc=0 err
		err=$(timeout -s KILL 5 "$CHDROP" --root="$R" --user=nobody -- "$f" --version \
			</dev/null 2>&1 >/dev/null) || rc=$?
		if ((rc == 126 || rc == 127)) ||
			grep -qE 'error while loading shared libraries|symbol lookup error|version .* not found' <<<"$err"; then
			bad+=("$f: $rc $err")
		fi
	done <"$TESTDIR/programs"
	echo "# $n programs answer --version; ${#bad[@]} do not start in the root" >&3
	((n > 50))
	assert_equal "${bad[*]}" ""
}
