#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$lines
# --audit=DIR: ways out of a root, reported one per line ("SEVERITY KIND
# PATH: detail") or as JSON lines; exit 0 clean, 1 a hazard, 125 an error.
# Each test plants one thing in a fresh root of its own.

load helpers

setup_file() { default_setup_file; }
teardown_file() { default_teardown_file; }

setup() {
	default_setup
	T="$TESTDIR/t$BATS_TEST_NUMBER"
	R="$T/root"
	make_root "$R"
}

teardown() {
	# Anything a test mounted, innermost first.
	if [[ -n "${T:-}" ]]; then
		grep -F " $T/" /proc/mounts | cut -d' ' -f2 | sort -r |
			while read -r m; do umount -l "$m"; done
	fi
}

# The number of lines on stdout.
assert_nlines() {
	assert_equal "$(printf '%s' "$output" | grep -c '')" "$1"
}

@test "a clean root: exit 0, nothing on stdout or stderr" {
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a clean root judged for a target user: exit 0, nothing reported" {
	run -0 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output ""
	run -0 --separate-stderr chdrop --audit="$R" --audit-format=json -u "$TUSER"
	assert_output ""
}

@test "a setuid file: hazard setuid, exit 1" {
	chmod 4755 "$R/bin/probe"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard setuid $R/bin/probe: runs as uid 0, mode 4755"
	assert_equal "$stderr" ""
}

@test "a setuid file with a second hard link says so" {
	chmod 4755 "$R/bin/probe"
	ln "$R/bin/probe" "$R/srv/probe"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_nlines 2
	assert_line --index 0 --partial "hazard setuid $R/bin/probe: runs as uid 0, mode 4755, 2 hard links"
	assert_line --index 1 --partial "hazard setuid $R/srv/probe: "
}

@test "a setgid file: hazard setgid; setgid without group execute is not" {
	chmod 2755 "$R/bin/probe"
	cp "$R/etc/group" "$R/srv/locked"
	chmod 2644 "$R/srv/locked"   # mandatory-locking mark, no privilege
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard setgid $R/bin/probe: runs as gid 0, mode 2755"
}

@test "a file with capabilities: hazard file-caps, named" {
	setcap cap_net_raw,cap_net_bind_service+ep "$R/bin/probe"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard file-caps $R/bin/probe: file capabilities net_bind_service,net_raw=ep"
}

@test "a block device: hazard device" {
	mkdir "$R/dev"
	mknod -m 0660 "$R/dev/sda" b 8 0
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard device $R/dev/sda: block device 8:0, mode 0660"
}

@test "a character device other than the harmless few: hazard device" {
	mkdir "$R/dev"
	mknod -m 0640 "$R/dev/mem" c 1 1
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard device $R/dev/mem: character device 1:1, mode 0640"
}

@test "null, zero, full, random, urandom, tty and ptmx are not reported" {
	mkdir "$R/dev"
	mknod -m 0666 "$R/dev/null" c 1 3
	mknod -m 0666 "$R/dev/zero" c 1 5
	mknod -m 0666 "$R/dev/full" c 1 7
	mknod -m 0666 "$R/dev/random" c 1 8
	mknod -m 0666 "$R/dev/urandom" c 1 9
	mknod -m 0666 "$R/dev/tty" c 5 0
	mknod -m 0666 "$R/dev/ptmx" c 5 2
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output ""
}

@test "a world-writable directory without the sticky bit: hazard" {
	mkdir -m 0777 "$R/srv/drop"
	chmod 0777 "$R/srv/drop"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output --partial "hazard world-writable $R/srv/drop: a directory anyone can write, without the sticky bit"
	assert_nlines 1
}

@test "a world-writable directory with the sticky bit is fine" {
	mkdir "$R/tmp"
	chmod 1777 "$R/tmp"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output ""
}

@test "a world-writable file: hazard" {
	echo x >"$R/srv/work/log"
	chmod 0666 "$R/srv/work/log"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard world-writable $R/srv/work/log: a file anyone can write, mode 0666"
}

@test "etc/passwd owned by the target user: hazard writable" {
	chown "$TUSER_UID" "$R/etc/passwd"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/etc/passwd: owned by the target user, who can make it writable (uid $TUSER_UID); a privileged process in the root trusts it"
	# Without -u: owned by someone other than root is enough.
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output --partial "hazard writable $R/etc/passwd: owned by uid $TUSER_UID, not root"
}

@test "etc/passwd writable by one of the target's groups: only that target is told" {
	chgrp "$TSUPP1_GID" "$R/etc/passwd"
	chmod 0664 "$R/etc/passwd"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/etc/passwd: writable by its group, one of the target user's (uid $TUSER_UID); a privileged process in the root trusts it"
	run -0 --separate-stderr chdrop --audit="$R" -u "$TUSER2"
	assert_output ""
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output --partial "hazard writable $R/etc/passwd: writable by its group"
}

@test "an ACL entry naming the target user: hazard writable; not for another user" {
	# system.posix_acl_access: version 2; user::rw- user:UID:rw- group::r--
	# mask::rw- other::r-- (tag, perm as u16, id as u32, little-endian).
	python3 - "$R/etc/nsswitch.conf" "$TUSER_UID" <<'EOF'
import os, struct, sys
path, uid = sys.argv[1], int(sys.argv[2])
open(path, "w").write("passwd: files\n")
U = 0xffffffff
acl = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", t, p, i) for t, p, i in
    [(0x01, 6, U), (0x02, 6, uid), (0x04, 4, U), (0x10, 6, U), (0x20, 4, U)])
os.setxattr(path, "system.posix_acl_access", acl)
EOF
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/etc/nsswitch.conf: an ACL lets the target user write it (uid $TUSER_UID); a privileged process in the root trusts it"
	run -0 --separate-stderr chdrop --audit="$R" -u "$TUSER2"
	assert_output ""
}

@test "a library the target user owns: hazard writable; its own files elsewhere are fine" {
	mkdir -p "$R/usr/lib/x86_64-linux-gnu"
	: >"$R/usr/lib/x86_64-linux-gnu/libnss_files.so.2"
	chown "$TUSER_UID" "$R/usr/lib/x86_64-linux-gnu/libnss_files.so.2"
	: >"$R/srv/work/data"
	chown "$TUSER_UID" "$R/srv/work" "$R/srv/work/data"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output --partial "hazard writable $R/usr/lib/x86_64-linux-gnu/libnss_files.so.2: owned by the target user"
	assert_nlines 1
}

@test "etc itself writable by the target: hazard writable (passwd can be replaced)" {
	chown "$TUSER_UID" "$R/etc"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output --partial "hazard writable $R/etc: owned by the target user"
	assert_nlines 1
}

@test "a group-writable path component: hazard path-component" {
	chmod 0775 "$T"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard path-component $T: writable by its group: --root refuses it"
}

@test "a path component not owned by root: hazard path-component" {
	chown "$TUSER_UID" "$T"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard path-component $T: owned by uid $TUSER_UID, not root: --root refuses it"
}

@test "DIR itself is held to the rule too" {
	chmod 0757 "$R"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard path-component $R: writable by others: --root refuses it"
}

@test "a symlinked path component: hazard path-symlink, not followed" {
	ln -s root "$T/link"
	chmod 4755 "$R/bin/probe"
	run -1 --separate-stderr chdrop --audit="$T/link"
	assert_output "hazard path-symlink $T/link: a symlink: --root refuses it, and the audit does not follow it"
	run -1 --separate-stderr chdrop --audit="$T/link/bin"
	assert_output --partial "hazard path-symlink $T/link: "
	assert_nlines 1
}

@test "symlinks: absolute or climbing out is info (exit 0); inside is nothing" {
	ln -s /etc/shadow "$R/etc/abs"
	ln -s ../../../etc/shadow "$R/srv/work/up"
	ln -s ../etc/passwd "$R/bin/in"
	ln -s ./../../srv/work "$R/home/jailuser/x"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_nlines 2
	assert_line --index 0 "info symlink-out $R/etc/abs: -> /etc/shadow: absolute; it points outside the tree for anyone following it from the host"
	assert_line --index 1 "info symlink-out $R/srv/work/up: -> ../../../etc/shadow: climbs above the tree for anyone following it from the host"
}

@test "a socket: info socket, exit 0" {
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$R/srv/sock"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output --partial "info socket $R/srv/sock: a unix socket"
	assert_nlines 1
}

@test "proc mounted inside: info proc, not descended" {
	mkdir "$R/proc"
	mount -t proc proc "$R/proc"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output --partial "info proc $R/proc: proc is mounted here"
	assert_nlines 1
}

@test "a mount point is reported and descended" {
	mkdir "$R/mnt"
	mount -t tmpfs -o mode=0755 tmpfs "$R/mnt"
	: >"$R/mnt/x"
	chmod 4755 "$R/mnt/x"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_line --index 0 "info mount $R/mnt: a mount point (tmpfs); descended"
	assert_line --index 1 --partial "hazard setuid $R/mnt/x: "
	assert_nlines 2
}

@test "a directory above DIR mounted inside it: hazard outside-mount, not descended" {
	mkdir "$R/mnt"
	mount --bind "$T" "$R/mnt"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard outside-mount $R/mnt: a directory that contains the whole tree is mounted here: a way out; not descended"
}

@test "DIR bind-mounted inside itself: info loop, not descended" {
	mkdir "$R/mnt"
	mount --bind "$R" "$R/mnt"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output "info loop $R/mnt: the same directory as one above it (a bind mount); not descended"
}

@test "findings come in name order, depth first" {
	chmod 4755 "$R/bin/probe"
	mkdir -m 0777 "$R/srv/b" "$R/srv/a"
	chmod 0777 "$R/srv/b" "$R/srv/a"
	mkdir "$R/dev"
	mknod "$R/dev/sda" b 8 0
	run -1 --separate-stderr chdrop --audit="$R"
	assert_nlines 4
	assert_line --index 0 --partial " $R/bin/probe: "
	assert_line --index 1 --partial " $R/dev/sda: "
	assert_line --index 2 --partial " $R/srv/a: "
	assert_line --index 3 --partial " $R/srv/b: "
}

@test "--audit-format=json: one object per line, stable keys" {
	chmod 4755 "$R/bin/probe"
	ln -s /etc/shadow "$R/etc/abs"
	run -1 --separate-stderr chdrop --audit="$R" --audit-format=json
	assert_nlines 2
	run -0 jq -c -s '.' <<<"$output"
	assert_equal "$(jq -r '.[0] | [.severity, .kind, .path, .type, .mode, .uid, .gid] | @tsv' <<<"$output")" \
		"$(printf 'hazard\tsetuid\t%s\tfile\t4755\t0\t0' "$R/bin/probe")"
	assert_equal "$(jq -r '.[0].detail' <<<"$output")" "runs as uid 0, mode 4755"
	assert_equal "$(jq -r '.[1] | [.severity, .kind, .type, .target] | @tsv' <<<"$output")" \
		"$(printf 'info\tsymlink-out\tsymlink\t/etc/shadow')"
}

@test "odd names: text escapes control bytes; JSON keeps them, and bytes that are not UTF-8 in hex" {
	name=$'a\nb'
	: >"$R/srv/$name"
	chmod 4755 "$R/srv/$name"
	: >"$R/srv/"$'\xff'
	chmod 4755 "$R/srv/"$'\xff'
	run -1 --separate-stderr chdrop --audit="$R"
	assert_nlines 2
	assert_line --index 0 "hazard setuid $R/srv/a\\x0ab: runs as uid 0, mode 4755"
	run -1 --separate-stderr chdrop --audit="$R" --audit-format=json
	assert_equal "$(jq -r -s '.[0].path' <<<"$output")" "$R/srv/$name"
	assert_equal "$(jq -r -s '.[1].path_hex' <<<"$output")" \
		"$(printf '%s/srv/\xff' "$R" | od -An -tx1 | tr -d ' \n')"
}

@test "the audit changes nothing in the tree, not even an access time" {
	chmod 4755 "$R/bin/probe"
	mkdir "$R/dev"
	mknod "$R/dev/sda" b 8 0
	ln -s /etc/shadow "$R/etc/abs"
	# List the tree first (listing a directory sets its access time), then
	# set every access time back and read them with stat, which lists
	# nothing: a directory the audit lists carelessly, or a file it
	# reads, would show a new one.
	mapfile -t paths < <(find "$R" ! -type l)
	touch -a -d '2001-01-01 00:00' "${paths[@]}"
	before=$(stat -c '%n %a %u %g %s %Y %Z %X' "${paths[@]}")
	run -1 --separate-stderr chdrop --audit="$R"
	after=$(stat -c '%n %a %u %g %s %Y %Z %X' "${paths[@]}")
	assert_equal "$after" "$before"
}

@test "too deep a tree: 125, the rest still reported" {
	chmod 4755 "$R/bin/probe"
	(cd "$R/srv" && for _ in $(seq 300); do mkdir d && cd d || exit 1; done)
	run -125 --separate-stderr chdrop --audit="$R"
	assert_output --partial "hazard setuid $R/bin/probe"
	assert_one_error_line
	[[ "$stderr" == "chdrop: audit: $R/srv/d/"*"/d: more than 256 levels deep, not audited" ]]
}

@test "a directory the auditor cannot read: 125, never reported clean" {
	chmod 0700 "$R/srv"
	run -125 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" --audit="$R"
	assert_output ""
	assert_one_error_line
	[[ "$stderr" == "chdrop: audit: $R/srv: open: Permission denied" ]]
}

@test "usage errors: 125 and one line" {
	run -125 --separate-stderr chdrop --audit=relative/dir
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R/no/such"
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R/bin/probe"
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" -- /bin/true
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" --audit-format=xml
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit-format=json -u "$TUSER" -- /bin/true
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" -r "$R"
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" -u root
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" -g "$TSUPP1"
	assert_one_error_line
	run -125 --separate-stderr chdrop --audit="$R" -u no-such-user-xyz
	assert_one_error_line
}
