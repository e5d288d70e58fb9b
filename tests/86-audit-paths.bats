#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2154  # run sets $output/$stderr/$lines
# --audit judges trust paths (issue 12): every file a privileged process in
# the root trusts, with every directory above it and every symlink on the
# way, resolved as inside the root; loader injection; --userns; sockets;
# --audit-level; mount notes; hostile names on every stream; access times.
# Each test plants one hazard of a class with a safe decoy beside it.

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
	if [[ -n "${T:-}" ]]; then
		grep -F " $T/" /proc/mounts | cut -d' ' -f2 | sort -r |
			while read -r m; do umount -l "$m"; done
		grep -F " $T " /proc/mounts | cut -d' ' -f2 |
			while read -r m; do umount -l "$m"; done
	fi
	true
}

assert_nlines() {
	assert_equal "$(printf '%s' "$output" | grep -c '')" "$1"
}

@test "lib: a root-owned symlink into a directory the target owns is a hazard there; one into usr/lib is not" {
	mkdir -p "$R/usr/lib" "$R/home/svc/lib"
	: >"$R/home/svc/lib/libc.so.6"
	chown "$TUSER_UID" "$R/home/svc"
	ln -s /home/svc/lib "$R/lib"
	ln -s usr/lib "$R/lib64"          # the decoy: resolves to a root-owned place
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_line "hazard writable $R/home/svc: owned by the target user, who can make it writable; a trusted path leads through it: $R/lib"
	assert_equal "$(grep -c '^hazard' <<<"$output")" 1
	refute_output --partial "$R/usr/lib:"
	# Relative and climbing symlinks resolve inside the root too.
	rm "$R/lib"
	ln -s ../../../../../../home/svc/lib "$R/lib"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_line "hazard writable $R/home/svc: owned by the target user, who can make it writable; a trusted path leads through it: $R/lib"
	# Another user is not the target: nothing to fear from them with -u.
	run -0 --separate-stderr chdrop --audit="$R" -u "$TUSER2" --audit-level=hazard
	assert_output ""
}

@test "a library inside a directory reached through a symlink, owned by the target: hazard on the library" {
	mkdir -p "$R/usr/lib" "$R/opt/vendor/lib"
	ln -s /opt/vendor/lib "$R/usr/lib/vendor"
	: >"$R/opt/vendor/lib/libv.so.1"
	chown "$TUSER_UID" "$R/opt/vendor/lib/libv.so.1"
	: >"$R/opt/vendor/lib/libok.so.1"     # the decoy: root's
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER" --audit-level=hazard
	assert_output "hazard writable $R/opt/vendor/lib/libv.so.1: owned by the target user, who can make it writable (uid $TUSER_UID); a privileged process in the root trusts it"
}

@test "etc/ld.so.preload: present is a hazard; a symlink of it into the target's directory is one there too" {
	mkdir -p "$R/home/svc"
	chown "$TUSER_UID" "$R/home/svc"
	: >"$R/home/svc/preload"
	chown "$TUSER_UID" "$R/home/svc/preload"
	ln -s /home/svc/preload "$R/etc/ld.so.preload"
	: >"$R/etc/ld.so.preload.orig"        # the decoy: not read by the loader
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER" --audit-level=hazard
	assert_nlines 3
	assert_line --index 0 "hazard loader-preload $R/etc/ld.so.preload: loader injection: the dynamic loader loads what this names into every program in the root, privileged ones included"
	assert_line --index 1 "hazard writable $R/home/svc: owned by the target user, who can make it writable; a trusted path leads through it: $R/etc/ld.so.preload"
	assert_line --index 2 "hazard writable $R/home/svc/preload: owned by the target user, who can make it writable; a trusted path leads to it: $R/etc/ld.so.preload"
}

@test "what ld.so.preload names is judged where it resolves" {
	mkdir -p "$R/srv/x"
	: >"$R/srv/x/libhook.so"
	chown "$TUSER_UID" "$R/srv/x/libhook.so"
	echo "/srv/x/libhook.so" >"$R/etc/ld.so.preload"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_line --partial "hazard loader-preload $R/etc/ld.so.preload: "
	assert_line "hazard writable $R/srv/x/libhook.so: owned by the target user, who can make it writable; a trusted path leads to it: $R/etc/ld.so.preload"
	assert_nlines 2
}

@test "ld.so.conf and its includes: a library directory the target can change is a hazard; a file the loader skips is not read" {
	mkdir -p "$R/etc/ld.so.conf.d" "$R/opt/good/lib" "$R/opt/bad/lib" "$R/opt/skip/lib" "$R/srv/app"
	printf 'include ld.so.conf.d/*.conf\n/opt/good/lib\n' >"$R/etc/ld.so.conf"
	printf '# vendor\n/opt/bad/lib\n/srv/app/lib   # not there yet\n' >"$R/etc/ld.so.conf.d/vendor.conf"
	printf '/opt/skip/lib\n' >"$R/etc/ld.so.conf.d/vendor.conf.disabled"
	chown "$TUSER_UID" "$R/opt/bad/lib" "$R/opt/skip/lib" "$R/srv/app"
	: >"$R/opt/good/lib/libgood.so.1"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_nlines 2
	assert_line --index 0 "hazard writable $R/opt/bad/lib: owned by the target user, who can make it writable; a trusted path leads to it: $R/etc/ld.so.conf.d/vendor.conf"
	# Missing, but the target could create it.
	assert_line --index 1 "hazard writable $R/srv/app: owned by the target user, who can make it writable; a trusted path leads through it: $R/etc/ld.so.conf.d/vendor.conf"
}

@test "a group-writable bin directory (the target's group) is a hazard; a group-writable data directory is not" {
	chgrp "$TSUPP1_GID" "$R/bin" "$R/srv/work"
	chmod 0775 "$R/bin" "$R/srv/work"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/bin: writable by its group, one of the target user's (uid $TUSER_UID); a privileged process in the root trusts it"
}

@test "a directory the service user owns above a root-owned program is a hazard; its own program in its own directory is not" {
	mkdir -p "$R/srv/app/bin" "$R/srv/mine/bin"
	install -m 0755 "$PROBE_BIN" "$R/srv/app/bin/daemon"
	chown "$TUSER_UID" "$R/srv/app"
	install -m 0755 -o "$TUSER_UID" "$PROBE_BIN" "$R/srv/mine/bin/tool"
	chown -R "$TUSER_UID" "$R/srv/mine"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/srv/app: owned by the target user, who can make it writable; it holds /srv/app/bin/daemon, which a privileged process in the root trusts"
	# Without -u: anyone but root.
	run -1 --separate-stderr chdrop --audit="$R"
	assert_line --index 0 "hazard writable $R/srv/app: owned by uid $TUSER_UID, not root; it holds /srv/app/bin/daemon, which a privileged process in the root trusts"
}

@test "a root-owned program in a sticky world-writable directory is not a hazard; in one without the sticky bit it is" {
	mkdir -m 1777 "$R/tmp"
	chmod 1777 "$R/tmp"
	install -m 0755 "$PROBE_BIN" "$R/tmp/prog"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output ""
	chmod 0777 "$R/tmp"
	run -1 --separate-stderr chdrop --audit="$R" --audit-level=hazard
	assert_line "hazard writable $R/tmp: writable by others; it holds /tmp/prog, which a privileged process in the root trusts"
}

@test "an ACL on usr/lib granting the target write: hazard; one granting another user is not" {
	mkdir -p "$R/usr/lib"
	setfacl -m "u:$TUSER2_UID:rwx" "$R/usr/lib"
	run -0 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output ""
	setfacl -m "u:$TUSER_UID:rwx" "$R/usr/lib"
	run -1 --separate-stderr chdrop --audit="$R" -u "$TUSER"
	assert_output "hazard writable $R/usr/lib: an ACL lets the target user write it (uid $TUSER_UID); a privileged process in the root trusts it"
	# Without -u the ACL names who.
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard writable $R/usr/lib: an ACL lets uid $TUSER2_UID write it; a privileged process in the root trusts it"
}

@test "sockets: a container engine's or the system bus's by name are hazards; another is info" {
	mkdir -p "$R/run/dbus" "$R/var/run"
	python3 - "$R" <<'EOF'
import socket, sys
for p in ("/var/run/docker.sock", "/run/dbus/system_bus_socket", "/srv/app.sock"):
    socket.socket(socket.AF_UNIX).bind(sys.argv[1] + p)
EOF
	run -1 --separate-stderr chdrop --audit="$R"
	assert_nlines 3
	assert_line --index 0 "hazard socket $R/run/dbus/system_bus_socket: by its name, the system D-Bus (root's services take requests there)"
	assert_line --index 1 "info socket $R/srv/app.sock: a unix socket: whatever listens on it is reachable from inside the root"
	assert_line --index 2 "hazard socket $R/var/run/docker.sock: by its name, the Docker engine's API (it runs containers as root)"
}

@test "sockets: the host's powerful socket under another name is a hazard, by identity" {
	# A private /run (nothing on the host changes) holding a "system bus"
	# socket, bind-mounted into the root under an innocent name.
	: >"$R/srv/innocent"
	# shellcheck disable=SC2016  # expanded by the inner shell
	run -1 --separate-stderr unshare -m --propagation private sh -c '
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mkdir /run/dbus &&
		python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" /run/dbus/system_bus_socket &&
		mount --bind /run/dbus/system_bus_socket "$1/srv/innocent" &&
		exec "$2" --audit="$1"' sh "$R" "$CHDROP"
	assert_nlines 2
	assert_line --index 0 "hazard socket $R/srv/innocent: the host's /run/dbus/system_bus_socket: the system D-Bus (root's services take requests there)"
}

@test "--audit-level=hazard prints hazards only, text and JSON; all is the default" {
	chmod 4755 "$R/bin/probe"
	ln -s /etc/shadow "$R/etc/abs"
	run -1 --separate-stderr chdrop --audit="$R" --audit-level=hazard
	assert_output "hazard setuid $R/bin/probe: runs as uid 0, mode 4755"
	run -1 --separate-stderr chdrop --audit="$R" --audit-level=hazard --audit-format=json
	assert_equal "$(jq -r -s 'map(.kind) | join(",")' <<<"$output")" "setuid"
	run -1 --separate-stderr chdrop --audit="$R" --audit-level=all
	assert_nlines 2
	chmod 0755 "$R/bin/probe"
	run -0 --separate-stderr chdrop --audit="$R" --audit-level=hazard
	assert_output ""
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output --partial "info symlink-out $R/etc/abs: "
}

@test "--audit-level: a bad value or no --audit is refused, naming the option" {
	run -125 --separate-stderr chdrop --audit="$R" --audit-level=most
	assert_equal "$stderr" "chdrop: --audit-level=most: expected hazard or all"
	run -125 --separate-stderr chdrop --audit-level=hazard -u "$TUSER" -- /bin/true
	assert_equal "$stderr" "chdrop: --audit-level needs --audit"
}

@test "a mount note lists ro, noexec, nosuid and nodev" {
	mkdir "$R/mnt" "$R/media"
	mount -t tmpfs -o mode=0755,ro,noexec,nosuid,nodev tmpfs "$R/mnt"
	mount -t tmpfs -o mode=0755 tmpfs "$R/media"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_line --index 0 "info mount $R/media: a mount point (tmpfs); descended"
	assert_line --index 1 "info mount $R/mnt: a mount point (tmpfs, ro, noexec, nosuid, nodev); descended"
}

@test "hostile names are escaped on stdout, in JSON and on stderr" {
	local esc=$'\e[31m' c1=$'\x9b' c1u=$'\xc2\x9b' bad=$'\xff' nl=$'\nb'
	for n in "$esc" "$c1" "$c1u" "$bad" "$nl"; do
		: >"$R/srv/x$n"
		chmod 4755 "$R/srv/x$n"
	done
	run -1 --separate-stderr chdrop --audit="$R"
	assert_nlines 5
	assert_line "hazard setuid $R/srv/x\\x0ab: runs as uid 0, mode 4755"
	assert_line "hazard setuid $R/srv/x\\x1b[31m: runs as uid 0, mode 4755"
	assert_line "hazard setuid $R/srv/x\\x9b: runs as uid 0, mode 4755"
	assert_line "hazard setuid $R/srv/x\\xc2\\x9b: runs as uid 0, mode 4755"
	assert_line "hazard setuid $R/srv/x\\xff: runs as uid 0, mode 4755"
	# Nothing but printable text on stdout: no C0, DEL or C1 byte.
	run bash -c 'LC_ALL=C grep -c -P "[\x00-\x09\x0b-\x1f\x7f-\x9f]" <<<"$1"' _ "$output"
	assert_output 0
	run -1 --separate-stderr chdrop --audit="$R" --audit-format=json
	run -0 jq -e -s 'length == 5' <<<"$output"
	run -1 --separate-stderr chdrop --audit="$R" --audit-format=json
	assert_equal "$(jq -r -s '.[].path' <<<"$output" | grep -c -F "$esc")" 1
	run bash -c 'LC_ALL=C grep -c -P "[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]" <<<"$1"' _ "$output"
	assert_output 0
	# stderr: a path the audit cannot read, and a DIR that does not exist.
	mkdir -m 0700 "$R/srv/d$esc"
	run -125 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" --audit="$R"
	assert_equal "$stderr" "chdrop: audit: $R/srv/d\\x1b[31m: open: Permission denied"
	run -125 --separate-stderr chdrop --audit="$R/no$c1$esc"
	assert_equal "$stderr" "chdrop: --audit: $R/no\\x9b\\x1b[31m: No such file or directory"
	run -125 --separate-stderr chdrop --audit="rel$esc"
	assert_equal "$stderr" "chdrop: --audit=rel\\x1b[31m: must be an absolute path"
}

@test "access times stay as they were, symlinks' included, on a strictatime mount" {
	mount -t tmpfs -o mode=0755,strictatime tmpfs "$T"
	make_root "$R"
	chmod 4755 "$R/bin/probe"
	ln -s /etc/shadow "$R/etc/abs"
	ln -s usr/lib "$R/lib"
	mkdir -p "$R/usr/lib" "$R/etc/ld.so.conf.d"
	echo "include /etc/ld.so.conf.d/*.conf" >"$R/etc/ld.so.conf"
	echo "/usr/lib" >"$R/etc/ld.so.conf.d/a.conf"
	echo "/usr/lib/libx.so" >"$R/etc/ld.so.preload"
	mapfile -t paths < <(find "$R")
	touch -h -a -d '2001-01-01 00:00' "${paths[@]}"
	before=$(stat -c '%n %X %Y %Z' "${paths[@]}")
	run -1 --separate-stderr chdrop --audit="$R"
	assert_line --partial "hazard loader-preload"
	after=$(stat -c '%n %X %Y %Z' "${paths[@]}")
	assert_equal "$after" "$before"
	# The check can fail: reading the tree in place changes them.
	ls -R "$R" >/dev/null
	readlink "$R/lib" >/dev/null
	cat "$R/etc/ld.so.conf" >/dev/null
	[[ "$(stat -c '%n %X %Y %Z' "${paths[@]}")" != "$before" ]]
}

@test "--userns: root or you — the user's own tree is clean; another's file in it is a hazard" {
	chown -R "$TUSER_UID:$TUSER_GID" "$T"
	run -0 --separate-stderr setpriv --reuid="$TUSER" --regid="$TUSER_GID" --clear-groups -- \
		"${CHDROP_ARGV[@]}" --audit="$R" --userns
	assert_output ""
	assert_equal "$stderr" ""
	# Root can ask the same for the user.
	run -0 --separate-stderr chdrop --audit="$R" --userns -u "$TUSER"
	assert_output ""
	# Without --userns the same tree fails the --root rule.
	run -1 --separate-stderr setpriv --reuid="$TUSER" --regid="$TUSER_GID" --clear-groups -- \
		"${CHDROP_ARGV[@]}" --audit="$R"
	assert_line --index 0 "hazard path-component $T: owned by uid $TUSER_UID, not root: --root refuses it"
	# A program owned by someone else, or a group-writable directory.
	chown "$TUSER2_UID" "$R/bin/probe"
	chmod 0775 "$R/etc"
	run -1 --separate-stderr chdrop --audit="$R" --userns -u "$TUSER"
	assert_output - <<EOF
hazard writable $R/bin/probe: owned by uid $TUSER2_UID, not root or you; a privileged process in the root trusts it
hazard writable $R/etc: writable by its group; it holds /etc/group, which a privileged process in the root trusts
EOF
}

@test "--userns: a path component owned by another user fails; root without -u is refused" {
	chown "$TUSER2_UID" "$T"
	run -1 --separate-stderr chdrop --audit="$R" --userns -u "$TUSER"
	assert_output "hazard path-component $T: owned by uid $TUSER2_UID, not root or you: --root with --userns refuses it"
	run -125 --separate-stderr chdrop --audit="$R" --userns
	assert_equal "$stderr" "chdrop: --audit --userns: root needs no namespace; name the user whose tree it is with --user"
	run -125 --separate-stderr chdrop --audit="$R" --userns -u "$TUSER" -G "$TSUPP1"
	assert_one_error_line
	[[ "$stderr" == *"--audit --userns: groups cannot change"* ]]
}

# One manifest line for the copy ROOT$1 of host file $2 (as chdrop-root
# writes them: see manifest.h).
mf_line() {
	local copy="$R$1" src="$2" sum
	sum=$(sha256sum <"$copy" | cut -d' ' -f1)
	printf '%s file %s 0 0 %s %s %s %s %s - - add -\n' "$1" \
		"$(stat -c '%04a' "$copy")" "$(stat -c '%s' "$copy")" "$sum" "$src" \
		"$(stat -c '%d:%i:%.9Y:%.9Z' "$src")" "$(stat -c '%d:%i:%.9Y:%.9Z' "$copy")"
}

write_manifest() {
	mkdir -p "$R/.chdrop"
	{
		echo "chdrop-manifest 1"
		printf '%s\n' "$@"
		echo "end $#"
	} >"$R/.chdrop/manifest"
}

@test "a chdrop-root manifest: stale and altered copies are hazards; current ones are not" {
	mkdir -p "$T/host"
	install -m 0755 "$PROBE_BIN" "$T/host/a"
	install -m 0755 "$PROBE_BIN" "$T/host/b"
	install -m 0755 "$PROBE_BIN" "$T/host/c"
	install -m 0755 "$T/host/a" "$R/bin/a"
	install -m 0755 "$T/host/b" "$R/bin/b"
	install -m 0755 "$T/host/c" "$R/bin/c"
	write_manifest "$(mf_line /bin/a "$T/host/a")" "$(mf_line /bin/b "$T/host/b")" \
		"$(mf_line /bin/c "$T/host/c")"
	run -0 --separate-stderr chdrop --audit="$R"
	assert_output ""
	assert_equal "$stderr" ""
	touch -d '2020-01-01' "$T/host/a"     # the host's copy changed
	echo x >>"$R/bin/b"                   # the tree's copy changed
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output - <<EOF
hazard stale $R/bin/a: its source $T/host/a has changed since it was copied (chdrop-root can update it)
hazard altered $R/bin/b: not the copy chdrop-root wrote (its identity or size differs from the manifest's)
EOF
	rm "$R/bin/c" "$T/host/a"
	run -1 --separate-stderr chdrop --audit="$R" --audit-format=json
	assert_equal "$(jq -r -s 'map(.kind + " " + .path) | join(",")' <<<"$output")" \
		"stale $R/bin/a,altered $R/bin/b,altered $R/bin/c"
	assert_equal "$(jq -r -s '.[0].detail' <<<"$output")" "its source $T/host/a is gone from the host (No such file or directory)"
}

@test "a manifest that is not root's, or malformed, is a hazard and not trusted" {
	mkdir -p "$R/.chdrop"
	printf 'chdrop-manifest 1\nend 0\n' >"$R/.chdrop/manifest"
	run -0 --separate-stderr chdrop --audit="$R"
	chown "$TUSER_UID" "$R/.chdrop/manifest"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output "hazard manifest $R/.chdrop/manifest: the manifest is not a regular file owned by root and writable by nobody else: not read"
	chown 0 "$R/.chdrop/manifest"
	printf 'chdrop-manifest 1\nend 3\n' >"$R/.chdrop/manifest"
	run -1 --separate-stderr chdrop --audit="$R"
	assert_output --partial "hazard manifest $R/.chdrop/manifest: the manifest is malformed (line "
}
