#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # '$ORIGIN' is literal; run sets $output/$stderr
# elfdeps.c: an ELF file's closure, resolved as the host's glibc loader
# resolves it (tests/elfclosure is the driver), and chdrop -n's 126 when
# PROGRAM's interpreter or a library is missing inside the root.
#
# ldd is the oracle: it runs the real loader in its tracing mode.  The
# closure is compared as ldd shows it: the set of paths the loader used
# (its l_name), "not found:NAME" for a library it could not find, "static"
# for a file ldd calls static or not dynamic.  Classes of difference from
# raw ldd output, each handled here, never skipped:
# - linux-vdso.so.1 is no file (the kernel maps it): not in either set;
# - the program itself is given by its real path (readlink -f), because ldd
#   runs "ld.so PROGRAM", where $ORIGIN is the directory of the name given,
#   while an exec'd program's $ORIGIN is that of its real path (the kernel's
#   /proc/self/exe), which is what elf_closure() models;
# - ldd runs with an empty environment: LD_LIBRARY_PATH and LD_PRELOAD are
#   not part of what a root is built from.

load helpers

ELFCLOSURE="$BATS_TEST_DIRNAME/elfclosure"

setup_file() {
	default_setup_file || return 1
	# Small libraries and programs for each loader rule, built here.
	LIBS=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/libs.XXXXXX")
	export LIBS
	build_fixtures "$LIBS"
}
teardown_file() {
	default_teardown_file
	rm -rf "${LIBS:-/nonexistent}"
}
setup() { require_chdrop; }

# ldd_sets FILE...: per FILE one line "FILE<TAB>the sorted set", from ldd
# (50 files per ldd run; /dev/null first so ldd always prints "FILE:").
ldd_sets() {
	printf '%s\n' "$@" | env -i PATH=/usr/bin:/bin xargs -d '\n' -n 50 \
		ldd /dev/null 2>&1 | awk '
		/^[^\t].*:$/ { cur = substr($0, 1, length($0) - 1); seen[cur] = 1; next }
		cur == "/dev/null" { next }
		/not a dynamic executable|statically linked/ { print cur "\tstatic"; next }
		/=> not found/ { print cur "\tnot found:" $1; next }
		/=> \// { print cur "\t" $3; next }
		/^\t\// { print cur "\t" $1; next }
		END { for (f in seen) if (f != "/dev/null") print f "\t" }' |
		LC_ALL=C sort -u | awk -F '\t' '
		$1 != cur { if (cur != "") print cur "\t" set; cur = $1; set = "" }
		$2 != "" { set = set == "" ? $2 : set " " $2 }
		END { if (cur != "") print cur "\t" set }'
}

# closure_sets FILE...: the same from elf_closure().
closure_sets() {
	"$ELFCLOSURE" -l "$@" | LC_ALL=C sort
}

# assert_same FILE...: elf_closure() and ldd agree on each FILE.
assert_same() {
	local want got
	want=$(ldd_sets "$@" | LC_ALL=C sort)
	got=$(closure_sets "$@")
	if [[ "$want" != "$got" ]]; then
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") |
			batslib_decorate "elf_closure (>) differs from ldd (<)" | fail
		return 1
	fi
}

# build_fixtures DIR: a library in a (libdep.so.1), one in b that needs it
# (libmid.so.1, no search path of its own), and programs that need libmid:
#   p_rpath    DT_RPATH b:a        libdep found through the program's RPATH
#                                  (RPATH applies down the loading chain)
#   p_runpath  DT_RUNPATH b:a      libdep NOT found (RUNPATH is for the
#                                  object's own DT_NEEDED only)
#   p_both     RPATH and RUNPATH   RPATH ignored
#   p_chain    DT_RPATH b2:a       b2/libmidr has a DT_RUNPATH: libdep NOT
#                                  found (no RPATH of the chain for it)
#   p_origin   DT_RPATH $ORIGIN/../b:$ORIGIN/../a, from bin/
#   p_wrong    DT_RPATH w:a        w holds libdep of another machine: skipped
#   p_hwcaps   DT_RPATH h          h/glibc-hwcaps/x86-64-v2 holds a libdep
#   p_nodeflib DF_1_NODEFLIB       libc not from the default dirs or cache
#   p_slash    DT_NEEDED is a path (a library without DT_SONAME)
#   p_lib      DT_RPATH with $LIB
#   p_plat     DT_RPATH with ${PLATFORM} (x86_64, or haswell on some Intel)
build_fixtures() {
	local d="$1" cc="${CC:-cc}"
	mkdir -p "$d/a" "$d/b" "$d/w" "$d/h/glibc-hwcaps/x86-64-v2" "$d/bin" \
		"$d/s" "$d/l/lib/x86_64-linux-gnu"
	printf 'int dep(void) { return 1; }\n' >"$d/dep.c"
	printf 'int dep(void); int mid(void) { return dep(); }\n' >"$d/mid.c"
	printf 'int mid(void); int main(void) { return mid() - 1; }\n' >"$d/main.c"
	printf 'int dep(void); int main(void) { return dep() - 1; }\n' >"$d/main2.c"
	$cc -shared -fPIC -Wl,-soname,libdep.so.1 -o "$d/a/libdep.so.1" "$d/dep.c"
	$cc -shared -fPIC -Wl,-soname,libmid.so.1 -o "$d/b/libmid.so.1" "$d/mid.c" \
		"$d/a/libdep.so.1"
	mkdir -p "$d/b2" "$d/empty"
	$cc -shared -fPIC -Wl,-soname,libmidr.so.1 -o "$d/b2/libmidr.so.1" "$d/mid.c" \
		"$d/a/libdep.so.1" -Wl,--enable-new-dtags,-rpath,"$d/empty"
	$cc -o "$d/p_chain" "$d/main.c" "$d/b2/libmidr.so.1" \
		"-Wl,--disable-new-dtags,-rpath,$d/b2:$d/a,-rpath-link,$d/a"
	cp "$d/a/libdep.so.1" "$d/h/libdep.so.1"
	cp "$d/a/libdep.so.1" "$d/h/glibc-hwcaps/x86-64-v2/libdep.so.1"
	cp "$d/a/libdep.so.1" "$d/l/lib/x86_64-linux-gnu/libdep.so.1"
	# e_machine (offset 18) = 183, EM_AARCH64: the loader skips it.
	cp "$d/a/libdep.so.1" "$d/w/libdep.so.1"
	printf '\267\000' | dd of="$d/w/libdep.so.1" bs=1 seek=18 conv=notrunc 2>/dev/null
	$cc -o "$d/p_rpath" "$d/main.c" "$d/b/libmid.so.1" \
		"-Wl,--disable-new-dtags,-rpath,$d/b:$d/a,-rpath-link,$d/a"
	$cc -o "$d/p_runpath" "$d/main.c" "$d/b/libmid.so.1" \
		"-Wl,--enable-new-dtags,-rpath,$d/b:$d/a,-rpath-link,$d/a"
	# Both tags: ld writes one or the other, so DT_RPATH b:a is written
	# with a DT_SONAME "b" whose tag then becomes DT_RUNPATH.  The RPATH
	# must be ignored: libmid is found through the RUNPATH, libdep not.
	$cc -o "$d/p_both" "$d/main.c" "$d/b/libmid.so.1" -Wl,-soname,"$d/b" \
		"-Wl,--disable-new-dtags,-rpath,$d/b:$d/a,-rpath-link,$d/a"
	python3 "$BATS_TEST_DIRNAME/elf-patch.py" "$d/p_both" runpath
	$cc -o "$d/bin/p_origin" "$d/main.c" "$d/b/libmid.so.1" \
		-Wl,--disable-new-dtags,-rpath,'$ORIGIN/../b:$ORIGIN/../a',-rpath-link,"$d/a"
	$cc -o "$d/p_wrong" "$d/main2.c" "$d/a/libdep.so.1" \
		-Wl,--disable-new-dtags,-rpath,"$d/w:$d/a"
	$cc -o "$d/p_hwcaps" "$d/main2.c" "$d/a/libdep.so.1" \
		-Wl,--disable-new-dtags,-rpath,"$d/h"
	$cc -o "$d/p_nodeflib" "$d/main2.c" "$d/a/libdep.so.1" \
		-Wl,--enable-new-dtags,-rpath,"$d/a"
	python3 "$BATS_TEST_DIRNAME/elf-patch.py" "$d/p_nodeflib" nodeflib
	$cc -shared -fPIC -o "$d/s/libslash.so" "$d/dep.c"
	$cc -o "$d/p_slash" "$d/main2.c" "$d/s/libslash.so"
	$cc -o "$d/p_lib" "$d/main2.c" "$d/a/libdep.so.1" \
		-Wl,--disable-new-dtags,-rpath,"$d/l/\$LIB"
	mkdir -p "$d/p/x86_64" "$d/p/haswell"
	cp "$d/a/libdep.so.1" "$d/p/x86_64/"
	cp "$d/a/libdep.so.1" "$d/p/haswell/"
	$cc -o "$d/p_plat" "$d/main2.c" "$d/a/libdep.so.1" \
		-Wl,--disable-new-dtags,-rpath,"$d/p/\${PLATFORM}"
}

@test "closure = ldd for every dynamic ELF in /usr/bin and /usr/sbin" {
	local -a files=()
	local f
	while IFS= read -r f; do
		[[ -f "$f" ]] || continue
		[[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" == 7f454c46 ]] || continue
		files+=("$f")
	done < <(find /usr/bin /usr/sbin \( -type f -o -type l \) -print0 |
		xargs -0 readlink -f -- | LC_ALL=C sort -u)
	# A machine with fewer would not be a test of much.
	[[ ${#files[@]} -ge 100 ]] || fail "only ${#files[@]} ELF files found"
	assert_same "${files[@]}"
	# And most of them are dynamic (the comparison saw real closures).
	[[ $(closure_sets "${files[@]}" | grep -vc $'\tstatic$') -ge 100 ]]
}

@test "DT_RPATH applies down the loading chain" {
	assert_same "$LIBS/p_rpath"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_rpath"
	assert_output --partial "$LIBS/a/libdep.so.1"
}

@test "DT_RUNPATH applies to the object's own needs only" {
	assert_same "$LIBS/p_runpath"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_runpath"
	assert_output --partial "$LIBS/b/libmid.so.1"
	assert_output --partial "not found:libdep.so.1"
}

@test "DT_RPATH is ignored when DT_RUNPATH is there" {
	readelf -d "$LIBS/p_both" | grep -q RUNPATH
	readelf -d "$LIBS/p_both" | grep -q RPATH
	assert_same "$LIBS/p_both"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_both"
	assert_output --partial "not found:libdep.so.1"
}

@test "an object's DT_RUNPATH stops the DT_RPATH of its loading chain" {
	assert_same "$LIBS/p_chain"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_chain"
	assert_output --partial "$LIBS/b2/libmidr.so.1"
	assert_output --partial "not found:libdep.so.1"
}

@test "\$ORIGIN is the program's directory" {
	assert_same "$LIBS/bin/p_origin"
	run -0 "$ELFCLOSURE" -l "$LIBS/bin/p_origin"
	assert_output --partial "$LIBS/bin/../a/libdep.so.1"
}

@test "\$ORIGIN of a program reached by a symlink is its real directory" {
	ln -sf "$LIBS/bin/p_origin" "$LIBS/s/p_link"
	run -0 "$ELFCLOSURE" -l "$LIBS/s/p_link"
	assert_output --partial "$LIBS/bin/../b/libmid.so.1"
}

@test "a library of another machine is skipped, the search goes on" {
	assert_same "$LIBS/p_wrong"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_wrong"
	assert_output --partial "$LIBS/a/libdep.so.1"
}

@test "glibc-hwcaps subdirectories as the CPU supports them" {
	assert_same "$LIBS/p_hwcaps"
}

@test "DF_1_NODEFLIB: neither the default directories nor their cache entries" {
	assert_same "$LIBS/p_nodeflib"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_nodeflib"
	assert_output --partial "not found:libc.so.6"
}

@test "a DT_NEEDED with a slash is a path" {
	assert_same "$LIBS/p_slash"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_slash"
	assert_output --partial "$LIBS/s/libslash.so"
}

@test "\$LIB and \${PLATFORM} are expanded" {
	assert_same "$LIBS/p_lib" "$LIBS/p_plat"
	run -0 "$ELFCLOSURE" -l "$LIBS/p_lib" "$LIBS/p_plat"
	assert_output --partial "$LIBS/l/lib/x86_64-linux-gnu/libdep.so.1"
	assert_output --regexp "$LIBS/p/(x86_64|haswell)/libdep.so.1"
}

@test "symlinks on the way are reported, with real paths" {
	run -0 "$ELFCLOSURE" /usr/bin/python3
	assert_line --regexp '^program /usr/bin/python3 path=/usr/bin/python3 real=/usr/bin/python3\.[0-9]+ '
	assert_line --regexp '^link /usr/bin/python3 -> python3\.[0-9]+$'
	assert_line --partial 'interp /lib64/ld-linux-x86-64.so.2 path=/lib64/ld-linux-x86-64.so.2 real=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'
}

# --- inside a tree -----------------------------------------------------------

# tree_with_true DIR: /bin/true and its closure, copied, with the host's
# absolute symlinks (/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...).
tree_with_true() {
	local t="$1" lib=/lib/x86_64-linux-gnu
	mkdir -p "$t/bin" "$t/lib64" "$t$lib" "$t/etc"
	cp /usr/bin/true "$t/bin/true"
	cp "$lib/libc.so.6" "$lib/ld-linux-x86-64.so.2" "$t$lib/"
	ln -s "$lib/ld-linux-x86-64.so.2" "$t/lib64/ld-linux-x86-64.so.2"
}

@test "in a tree, absolute symlinks resolve inside it" {
	require_root
	local t="$TESTDIR/tree1"
	tree_with_true "$t"
	run -0 "$ELFCLOSURE" -r "$t" /bin/true
	assert_line 'interp /lib64/ld-linux-x86-64.so.2 path=/lib64/ld-linux-x86-64.so.2 real=/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 parent=0'
	assert_line 'library libc.so.6 path=/lib/x86_64-linux-gnu/libc.so.6 real=/lib/x86_64-linux-gnu/libc.so.6 parent=0'
	assert_line 'link /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'
}

@test "in a tree, a symlink to a host path or above the tree leads nowhere" {
	require_root
	local t="$TESTDIR/tree2"
	tree_with_true "$t"
	rm "$t/lib/x86_64-linux-gnu/libc.so.6"
	# Both exist on the host; neither inside the tree.
	ln -s /usr/lib/x86_64-linux-gnu/libc.so.6 "$t/lib/x86_64-linux-gnu/libc.so.6"
	run -0 "$ELFCLOSURE" -r "$t" -l /bin/true
	assert_output --partial "not found:libc.so.6"
	rm "$t/lib/x86_64-linux-gnu/libc.so.6"
	ln -s ../../../../../../../../usr/lib/x86_64-linux-gnu/libc.so.6 \
		"$t/lib/x86_64-linux-gnu/libc.so.6"
	run -0 "$ELFCLOSURE" -r "$t" -l /bin/true
	assert_output --partial "not found:libc.so.6"
}

@test "in a tree, a FIFO or device where a library is expected is never opened" {
	require_root
	local t="$TESTDIR/tree3"
	tree_with_true "$t"
	rm "$t/lib/x86_64-linux-gnu/libc.so.6"
	mkfifo "$t/lib/x86_64-linux-gnu/libc.so.6"
	# Opening the FIFO for reading would block: the timeout would fire.
	run -1 timeout 10 "$ELFCLOSURE" -r "$t" -m /bin/true
	assert_output --partial 'library libc.so.6 (needed by /bin/true) cannot be loaded: not a regular file'
}

# --- chdrop -n ---------------------------------------------------------------

@test "-n: 0 when the interpreter and every library are there" {
	require_root
	local t="$TESTDIR/tree4"
	tree_with_true "$t"
	run -0 --separate-stderr chdrop -n -r "$t" -u "$TUSER" -- /bin/true
	assert_line 'program=/bin/true'
}

@test "-n: 126 naming the missing ELF interpreter, nothing run" {
	require_root
	local t="$TESTDIR/tree5"
	tree_with_true "$t"
	rm "$t/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
	run -126 --separate-stderr chdrop -n -r "$t" -u "$TUSER" -- /bin/true
	assert_one_error_line
	assert_equal "$stderr" "chdrop: /bin/true: its ELF interpreter /lib64/ld-linux-x86-64.so.2 is missing inside $t"
	assert_line --regexp '^program='  # the plan, then the verdict
}

@test "-n: 126 naming the missing library, found along PATH" {
	require_root
	local t="$TESTDIR/tree6"
	tree_with_true "$t"
	rm "$t/lib/x86_64-linux-gnu/libc.so.6"
	run -126 --separate-stderr chdrop -n -r "$t" -u "$TUSER" --env=PATH=/bin -- true
	assert_one_error_line
	assert_equal "$stderr" "chdrop: /bin/true: library libc.so.6 (needed by /bin/true) is missing inside $t"
	assert_line --regexp '^program='  # the plan, then the verdict
}

@test "-n: 126 for a library of the wrong machine, read and never run" {
	require_root
	local t="$TESTDIR/tree7" so="$TESTDIR/tree7/lib/x86_64-linux-gnu/libc.so.6"
	tree_with_true "$t"
	printf '\267\000' | dd of="$so" bs=1 seek=18 conv=notrunc 2>/dev/null
	run -126 --separate-stderr chdrop -n -r "$t" -u "$TUSER" -- /bin/true
	assert_equal "$stderr" "chdrop: /bin/true: library libc.so.6 (needed by /bin/true) is missing inside $t"
	# The real run agrees (the loader says so, exit 127 from the loader).
	run ! chdrop -r "$t" -u "$TUSER" -- /bin/true
}

@test "-n: a static program needs nothing" {
	require_root
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe
}
