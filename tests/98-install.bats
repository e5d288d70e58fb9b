#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr
# make install and make uninstall into a scratch PREFIX: uninstall leaves
# nothing install created (directories included) and keeps every directory
# and file that was there before.  And what every packaging recipe must
# say.  Needs no root.

load helpers

setup() {
	require_chdrop
	SRC="$BATS_TEST_DIRNAME/.."
	SCRATCH=$(mktemp -d)
}
teardown() { rm -rf "${SCRATCH:?}"; }

# The tree under DIR, one path a line.
tree_of() { (cd "$1" && find . | LC_ALL=C sort); }

@test "make uninstall leaves exactly what was there before make install" {
	local p="$SCRATCH/prefix" before
	# What a system already has: some of the directories install uses,
	# one of them empty, and somebody else's file.
	mkdir -p "$p/bin" "$p/share/man" "$p/share/zsh/site-functions"
	touch "$p/bin/someone-elses"
	before=$(tree_of "$p")
	run make -s -C "$SRC" install PREFIX="$p"
	assert_success
	[[ -x "$p/bin/chdrop" ]]
	[[ -f "$p/share/man/man1/chdrop.1" ]]
	[[ -f "$p/share/bash-completion/completions/chdrop" ]]
	[[ -f "$p/share/zsh/site-functions/_chdrop" ]]
	assert_equal "$(stat -c %a "$p/bin/chdrop")" 755
	run make -s -C "$SRC" uninstall PREFIX="$p"
	assert_success
	assert_equal "$(tree_of "$p")" "$before"
}

@test "make uninstall keeps a directory it made if someone else's file is now in it" {
	local p="$SCRATCH/prefix"
	run make -s -C "$SRC" install PREFIX="$p"
	assert_success
	touch "$p/share/bash-completion/completions/other"
	run make -s -C "$SRC" uninstall PREFIX="$p"
	assert_success
	[[ -f "$p/share/bash-completion/completions/other" ]]
	[[ ! -e "$p/bin" && ! -e "$p/share/man" && ! -e "$p/share/chdrop" ]]
}

@test "a staged install (DESTDIR) keeps no record of directories in the package" {
	run make -s -C "$SRC" install DESTDIR="$SCRATCH/stage" PREFIX=/usr
	assert_success
	[[ -x "$SCRATCH/stage/usr/bin/chdrop" ]]
	[[ ! -e "$SCRATCH/stage/usr/share/chdrop" ]]
}

@test "every recipe builds with libcap-ng and installs each completion once" {
	cd "$SRC/packaging"
	grep -q 'libcap-ng-dev' debian/control
	grep -q 'pkgconfig(libcap-ng)' rpm/chdrop.spec
	grep -q 'libcap-ng-dev' alpine/APKBUILD
	grep -q "'libcap-ng'" arch/PKGBUILD
	# make install does the completions: no recipe asks again.
	run grep -l 'install-completions' debian/rules rpm/chdrop.spec \
		alpine/APKBUILD arch/PKGBUILD
	assert_failure
}

@test "the sysvinit example is executable in the tree and in every recipe" {
	[[ -x "$SRC/packaging/sysvinit/chdrop-example" ]]
	grep -q 'dh_fixperms -Xchdrop-example' "$SRC/packaging/debian/rules"
	grep -q '%attr(0755,root,root) packaging/sysvinit/chdrop-example' \
		"$SRC/packaging/rpm/chdrop.spec"
	grep -q 'install -Dm755 packaging/sysvinit/chdrop-example' \
		"$SRC/packaging/alpine/APKBUILD" "$SRC/packaging/arch/PKGBUILD"
}
