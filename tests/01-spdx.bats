#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Every source file says its licence (ISC, LICENSE) in its first line, or
# its second where the first must be a shebang, #compdef or a man page's
# preprocessor line.  Needs no root.

load helpers

# Source files of the tree: C, shell, bats, make, completions, the man page
# and the packaging recipes.  Built files (tty_filter.h is generated) and
# test data are not sources.
sources() {
	cd "$BATS_TEST_DIRNAME/.." &&
		find . \( -path ./.git -o -path ./build -o -path ./demo/root \
			-o -path ./tests/fuzz/corpus -o -path ./tty_filter.h \) -prune \
			-o -type f -print |
		while read -r f; do
			case "$f" in
			*.c | *.h | *.bats | *.bash | *.mk | *.1 | ./Makefile | \
				./completions/* | ./packaging/*/APKBUILD | \
				./packaging/*/PKGBUILD | *.spec | ./packaging/debian/rules)
				echo "$f" ;;
			*) head -c 2 "$f" | grep -q '^#!' && echo "$f" ;;
			esac
		done
}

@test "every source file carries the SPDX line in its first lines" {
	local f first missing=() n=0
	while read -r f; do
		n=$((n + 1))
		first=$(head -n 1 "$f")
		case "$first" in
		'#!'* | '#compdef'* | "'\\\" t"*)
			sed -n 2p "$f" | grep -qF 'SPDX-License-Identifier: ISC' ||
				missing+=("$f") ;;
		*) grep -qF 'SPDX-License-Identifier: ISC' <<<"$first" ||
			missing+=("$f") ;;
		esac
	done < <(sources)
	[[ "$n" -gt 40 ]] || fail "only $n source files found"
	if [[ ${#missing[@]} -gt 0 ]]; then
		printf 'missing: %s\n' "${missing[@]}"
		fail "${#missing[@]} source files without the SPDX line"
	fi
}

@test "LICENSE is ISC, and every packaging recipe says so" {
	cd "$BATS_TEST_DIRNAME/.."
	grep -q '^ISC License' LICENSE || grep -qi 'permission to use, copy, modify' LICENSE
	grep -qx "license=('ISC')" packaging/arch/PKGBUILD
	grep -qx 'license="ISC"' packaging/alpine/APKBUILD
	grep -q '^License: *ISC' packaging/rpm/chdrop.spec
	grep -q '^License: ISC' packaging/debian/copyright
}
