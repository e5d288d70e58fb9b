#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2153,SC2154  # ROOT/TESTDIR come from setup_file; run sets $output/$stderr
# --userns --map-root: an ordinary user is root of a user namespace over a
# tree of their own, their /etc/subuid range mapped through newuidmap, with
# /proc of a new PID namespace: dpkg works in a tree mmdebstrap made.
#
# The tree is the real thing, `mmdebstrap --mode=unshare --variant=essential
# bookworm` run as the test user (about 30 s and 145 MB from the Debian
# mirror), cached under /var/cache/chdrop-maproot and copied (owners kept)
# for each run of this file; a fresh machine builds it from nothing.  A
# smaller tree of our own would not show that chdrop fits what mmdebstrap
# makes (owners, modes, dpkg's database), which is the point.

load helpers

# The user with a subordinate range, and the range, fixed so the cache fits.
MRUSER=chdropmr
SUB_START=3300000
SUB_COUNT=65536
CACHE=/var/cache/chdrop-maproot/essential-$SUB_START

ensure_mr_user() {
	(
		flock 9
		getent passwd "$MRUSER" >/dev/null ||
			useradd -r -U -M -d /nonexistent -s /bin/sh "$MRUSER"
		grep -q "^$MRUSER:" /etc/subuid ||
			usermod --add-subuids "$SUB_START-$((SUB_START + SUB_COUNT - 1))" "$MRUSER"
		grep -q "^$MRUSER:" /etc/subgid ||
			usermod --add-subgids "$SUB_START-$((SUB_START + SUB_COUNT - 1))" "$MRUSER"
	) 9>"$CHDROP_TEST_BASE/chdrop-test-users.lock"
}

# Build the cached tree once (as the user, the way the man page says).
ensure_tree() {
	(
		flock 9
		[[ -d "$CACHE/var/lib/dpkg" ]] && exit 0
		local b
		install -d -m 0755 /var/cache/chdrop-maproot || exit 1
		b=$(mktemp -d /var/cache/chdrop-maproot/build.XXXXXX) || exit 1
		chmod 0755 "$b"
		chown "$MRUSER:" "$b"
		mkdir "$b/tree"
		chown "$SUB_START:$SUB_START" "$b/tree"
		if ! setpriv --reuid="$MRUSER" --regid="$MRUSER" --clear-groups \
			env -i PATH=/usr/bin:/bin HOME="$b" TMPDIR="$b" \
			mmdebstrap --quiet --mode=unshare --variant=essential \
			bookworm "$b/tree" http://deb.debian.org/debian >"$b.log" 2>&1; then
			cat "$b.log" >&2
			exit 1
		fi
		mv "$b/tree" "$CACHE" && rm -rf "$b" "$b.log"
	) 9>"$CHDROP_TEST_BASE/chdrop-maproot-cache.lock"
}

# A package whose files have two owners (root and daemon), a setuid-root
# program (the probe), and a maintainer script that chowns.
make_deb() {
	local pkg="$TESTDIR/pkg"
	mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/var/lib/mrtest"
	cat >"$pkg/DEBIAN/control" <<-EOF
	Package: chdrop-mrtest
	Version: 1.0
	Architecture: all
	Maintainer: chdrop tests <root@localhost>
	Description: files of two owners, a setuid program, a chown in postinst
	EOF
	printf '#!/bin/sh\nset -e\necho ran >/var/lib/mrtest/postinst\nchown daemon:daemon /var/lib/mrtest/postinst\n' \
		>"$pkg/DEBIAN/postinst"
	chmod 0755 "$pkg/DEBIAN/postinst"
	install -m 4755 "$PROBE_BIN" "$pkg/usr/bin/mrprobe"
	echo data >"$pkg/var/lib/mrtest/data"
	chown -R 1:1 "$pkg/var/lib/mrtest"
	dpkg-deb -b "$pkg" "$TESTDIR/mrtest.deb" >/dev/null
}

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	ensure_mr_user || return 1
	ensure_tree || return 1
	TREE="$TESTDIR/tree"
	cp -a "$CACHE" "$TREE" || return 1
	# The probe where the tests run it (put there by root on the host).
	install -m 0755 -o "$SUB_START" -g "$SUB_START" "$PROBE_BIN" "$TREE/usr/local/bin/probe"
	make_deb || return 1
	# A root of chdroptest's own for the no-range case, as in 58-userns.
	UROOT="$TESTDIR/uroot"
	make_root "$UROOT"
	mkdir -p "$UROOT/proc" "$UROOT/dev"
	chown -R "$TUSER_UID:$TUSER_GID" "$UROOT"
	install -m 0755 "$CHDROP" "$TESTDIR/chdrop"
	MRUID=$(id -u "$MRUSER")
	export TREE UROOT MRUID
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
}

wrapped() {
	local -a wrapper=()
	if [[ -n "${CHDROP_WRAPPER:-}" ]]; then
		read -r -a wrapper <<<"$CHDROP_WRAPPER"
	fi
	"${wrapper[@]}" "$TESTDIR/chdrop" "$@"
}
# chdrop as the user with a range, and as chdroptest, who has none.
as_mr() {
	setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		env CHDROP_WRAPPER="${CHDROP_WRAPPER:-}" TESTDIR="$TESTDIR" \
		bash -c "$(declare -f wrapped); wrapped \"\$@\"" _ "$@"
}
as_tuser() {
	setpriv --reuid="$TUSER" --regid="$TUSER" --init-groups -- \
		env CHDROP_WRAPPER="${CHDROP_WRAPPER:-}" TESTDIR="$TESTDIR" \
		bash -c "$(declare -f wrapped); wrapped \"\$@\"" _ "$@"
}

# The capabilities the target keeps: chown dac_override dac_read_search
# fowner fsetid kill setgid setuid setfcap.
MR_CAPS=0x800000ff

@test "--map-root: uid 0 in the namespace, the range mapped, PID 2 under chdrop's init" {
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- /usr/local/bin/probe
	assert_probe uid 0,0,0
	assert_probe gid 0,0,0
	assert_probe groups ""
	assert_probe pid 2
	assert_probe ppid 1
	assert_probe root_ino "$(root_ino_of "$TREE")"
	assert_probe cap_eff "$MR_CAPS"
	assert_probe cap_prm "$MR_CAPS"
	assert_probe cap_bnd "$MR_CAPS"
	assert_probe no_new_privs 1
	assert_probe seccomp 2
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- \
		/bin/sh -c 'cat /proc/self/uid_map /proc/self/gid_map; cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
	assert_line --index 0 --regexp "^ +0 +$SUB_START +$SUB_COUNT\$"
	assert_line --index 1 --regexp "^ +0 +$SUB_START +$SUB_COUNT\$"
	assert_line --index 2 chdrop
	# /proc is the new PID namespace's: init, sh, ls, grep (and no more).
	(( lines[3] <= 4 ))
}

@test "--map-root: dpkg -i of a package with files of two owners; owners on disk in the range" {
	local stamp="$TESTDIR/stamp"
	touch "$stamp"
	sleep 1
	setpriv --reuid="$MRUSER" --regid="$MRUSER" --clear-groups cp "$TESTDIR/mrtest.deb" "$TREE/tmp/"
	run -0 --separate-stderr as_mr --userns --map-root --reset-env -r "$TREE" -- \
		dpkg -i /tmp/mrtest.deb
	assert_output --partial "Setting up chdrop-mrtest (1.0)"
	setpriv --reuid="$MRUSER" --regid="$MRUSER" --clear-groups rm "$TREE/tmp/mrtest.deb"
	# As seen on disk: root's files are the first subordinate id, daemon's
	# (uid 1) the next; the maintainer script's chown worked too.
	[[ "$(stat -c '%u:%g %a' "$TREE/usr/bin/mrprobe")" == "$SUB_START:$SUB_START 4755" ]]
	[[ "$(stat -c '%u:%g' "$TREE/var/lib/mrtest/data")" == "$((SUB_START + 1)):$((SUB_START + 1))" ]]
	[[ "$(stat -c '%u:%g' "$TREE/var/lib/mrtest/postinst")" == "$((SUB_START + 1)):$((SUB_START + 1))" ]]
	# Every file in the tree is owned inside the range.
	run -0 find "$TREE" \( -uid -"$SUB_START" -o -uid +"$((SUB_START + SUB_COUNT - 1))" \
		-o -gid -"$SUB_START" -o -gid +"$((SUB_START + SUB_COUNT - 1))" \) -print
	assert_output ""
	# dpkg inside knows it; nothing outside the tree changed.
	# shellcheck disable=SC2016  # a dpkg-query format, not shell
	run -0 as_mr --userns --map-root -r "$TREE" -- dpkg-query -W -f '${Status}\n' chdrop-mrtest
	assert_output --partial "install ok installed"
	run -1 dpkg-query -W chdrop-mrtest
	[[ ! -e /var/lib/mrtest && ! -e /usr/bin/mrprobe ]]
	run -0 find "$TESTDIR" -path "$TREE" -prune -o -newer "$stamp" -print
	assert_output ""
	run -1 grep -F " $TESTDIR/" /proc/self/mountinfo
}

@test "--map-root: socket activation: the descriptor kept, LISTEN_PID the target's own pid" {
	local -a wrapper=()
	read -r -a wrapper <<<"${CHDROP_WRAPPER:-}"
	run -0 --separate-stderr setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		sh -c 'exec 3</dev/null; LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"' sh \
		"${wrapper[@]}" "$TESTDIR/chdrop" --userns --map-root -r "$TREE" -- /usr/local/bin/probe
	assert_probe pid 2
	assert_probe env.LISTEN_PID 2
	assert_probe env.LISTEN_FDS 1
	assert_probe fds 0,1,2,3
}

@test "--map-root: a setuid file in the tree grants nothing outside the namespace, nor inside" {
	[[ -u "$TREE/usr/bin/mrprobe" ]] || skip "needs the dpkg test's mrprobe"
	# From the host it is setuid to the subordinate id, never to root.
	run -0 --separate-stderr as_nobody "$TREE/usr/bin/mrprobe"
	assert_probe uid "65534,$SUB_START,$SUB_START"
	assert_probe cap_eff 0x0
	assert_probe cap_prm 0x0
	# Inside, no_new_privs: a namespace user who runs it stays who they are.
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- \
		setpriv --reuid=1 --regid=1 --clear-groups /usr/bin/mrprobe
	assert_probe uid 1,1,1
	assert_probe cap_eff 0x0
}

@test "--map-root: the target cannot reach outside through init or /proc" {
	# shellcheck disable=SC2016  # expanded by the shell inside the tree
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- \
		/bin/sh -c 'for f in /proc/1/root/etc/hostname /proc/1/cwd/etc/hostname; do cat $f >/dev/null 2>&1 && echo open || echo refused; done; /usr/local/bin/probe chroot-escape unshare-user'
	assert_line --index 0 refused
	assert_line --index 1 refused
	assert_line chroot_escape=EPERM
	assert_line unshare_user=EPERM
}

@test "--map-root: --chdir, -e and --reset-env as elsewhere; root's PATH" {
	run -0 --separate-stderr as_mr --userns --map-root --reset-env -w /var/lib \
		-e CHDROPT_X=bar -r "$TREE" -- /usr/local/bin/probe
	assert_probe cwd /var/lib
	assert_line env.CHDROPT_X=bar
	assert_line env.HOME=/root
	assert_line env.USER=root
	assert_line env.PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

@test "--map-root: Landlock still confines file access to the root" {
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- \
		/usr/local/bin/probe fs-ops /tmp
	assert_probe fs ok
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- \
		/usr/local/bin/probe open /proc/1/root/etc/passwd
	assert_probe open EACCES
}

@test "--map-root: the exit status and the signal the target died of come back" {
	run -7 as_mr --userns --map-root -r "$TREE" -- /bin/sh -c 'exit 7'
	run -143 as_mr --userns --map-root -r "$TREE" -- /bin/sh -c 'kill -TERM $$'
}

@test "--map-root: the parent relays a signal and holds nothing meanwhile" {
	local pid st
	setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		"$TESTDIR/chdrop" --userns --map-root -r "$TREE" -- /bin/sleep 30 &
	pid=$!
	for _ in $(seq 50); do
		pgrep -P "$pid" >/dev/null && break
		sleep 0.1
	done
	sleep 0.3
	run -0 grep -E '^(CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)' "/proc/$pid/status"
	assert_line --regexp '^CapPrm:[[:space:]]+0+$'
	assert_line --regexp '^CapEff:[[:space:]]+0+$'
	assert_line --regexp '^CapBnd:[[:space:]]+0+$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
	# Not dumpable: its /proc files belong to root, not to the user.
	[[ "$(stat -c %u "/proc/$pid/status")" == 0 ]]
	run -0 grep -c '^' "/proc/$pid/limits"
	run -0 grep '^Max core file size' "/proc/$pid/limits"
	assert_output --regexp 'size +0 +0 '
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[[ "$st" == 143 ]]
}

@test "--map-root: a fresh /dev with the six nodes, a private devpts, a pty opens inside" {
	run -0 --separate-stderr as_mr --userns --map-root -r "$TREE" -- /bin/sh -c \
		'ls /dev | tr "\n" " "; echo; stat -f -c %T /dev/pts; echo x >/dev/null && test -c /dev/null && echo null-ok; script -qc tty /dev/null | tr -d "\\r"'
	assert_line --index 0 "full null ptmx pts random tty urandom zero "
	assert_line --index 1 devpts
	assert_line --index 2 null-ok
	assert_line --index 3 /dev/pts/0
	# Nothing of it in the tree on disk.
	run -0 find "$TREE/dev" -mindepth 1
	assert_output ""
}

@test "--map-root: Ctrl-C on the terminal reaches the target; a shell has job control" {
	run -0 --separate-stderr "$PROBE_BIN" pty --intr-on=ready=1 \
		setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		"$TESTDIR/chdrop" --userns --map-root -r "$TREE" -- /usr/local/bin/probe wait-signal
	assert_line got=SIGINT
	# shellcheck disable=SC2016  # expanded by bash inside the tree
	run -0 --separate-stderr "$PROBE_BIN" pty \
		setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		"$TESTDIR/chdrop" --userns --map-root -r "$TREE" -- \
		/bin/bash -i -c 'echo "flags=$-"; sleep 0.1 & jobs; wait'
	refute_output --partial "no job control"
	assert_line --regexp '^flags=.*m'
	assert_line --regexp '^\[1\]\+ +Running +sleep 0.1 &$'
}

@test "--map-root without a range: the single mapping, and one line saying what will not work" {
	run -0 --separate-stderr as_tuser --userns --map-root -r "$UROOT" -- /bin/probe
	assert_probe uid 0,0,0
	assert_probe pid 2
	assert_one_error_line
	[[ "$stderr" == *"no range for you in /etc/subuid"*"chown to another id"* ]]
	run -0 --separate-stderr as_tuser --userns --map-root -r "$UROOT" -- \
		/bin/probe setgid0 setgroups0
	# gid 0 is the only group there is; the group list cannot change.
	assert_probe setgroups0 EPERM
}

@test "--map-root --dry-run shows the mapping and what the target keeps" {
	run -0 --separate-stderr as_mr -n --userns --map-root -r "$TREE" -- /bin/sh
	assert_line map_root=1
	assert_line "uid_map=0 $SUB_START $SUB_COUNT"
	assert_line "gid_map=0 $SUB_START $SUB_COUNT"
	assert_line uid=0
	assert_line securebits=0
	assert_line caps=chown,dac_override,dac_read_search,fowner,fsetid,kill,setgid,setuid,setfcap
	run -0 --separate-stderr as_tuser -n --userns --map-root -r "$UROOT" -- /bin/probe
	assert_line "uid_map=0 $TUSER_UID 1"
}

@test "--map-root refusals name the option at fault" {
	run -125 --separate-stderr as_mr --map-root -r "$TREE" -- /bin/sh
	assert_one_error_line
	[[ "$stderr" == *"--map-root needs --userns"* ]]
	run -125 --separate-stderr as_mr --userns --map-root -- /bin/sh
	assert_one_error_line
	[[ "$stderr" == *"--map-root needs --root"* ]]
	run -125 --separate-stderr as_mr --userns --map-root -u daemon -r "$TREE" -- /bin/sh
	assert_one_error_line
	[[ "$stderr" == *"--map-root"*"--user=daemon"* ]]
	refute_target_ran
}

@test "--map-root: a tree owned by another id of the range is not root's" {
	chown "$((SUB_START + 5))" "$TREE/srv"
	run -125 --separate-stderr as_mr --userns --map-root -r "$TREE/srv" -- /bin/sh
	chown "$SUB_START" "$TREE/srv"
	assert_one_error_line
	[[ "$stderr" == *"--root: $TREE/srv: owned by uid $((SUB_START + 5))"* ]]
	# Nor is the range's root trusted for a user without the range.
	run -125 --separate-stderr as_tuser --userns --map-root -r "$TREE" -- /bin/sh
	assert_one_error_line
	[[ "$stderr" == *"owned by uid $SUB_START"* ]]
}

@test "--map-root: user namespaces unavailable: one line, 125, nothing run" {
	# A seccomp filter that refuses unshare(2), as a container might.
	run -125 --separate-stderr setpriv --reuid="$MRUSER" --regid="$MRUSER" --init-groups -- \
		/usr/bin/python3 -c '
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
# BPF: load nr; if nr == unshare (272) return ERRNO(EPERM) else ALLOW
ins = [(0x20, 0, 0, 0), (0x15, 0, 1, 272), (0x06, 0, 0, 0x00050001), (0x06, 0, 0, 0x7fff0000)]
buf = b"".join(struct.pack("HBBI", *i) for i in ins)
prog = struct.pack("HxxxxxxP", len(ins), ctypes.cast(ctypes.c_char_p(buf), ctypes.c_void_p).value)
libc.prctl(38, 1, 0, 0, 0)
if libc.prctl(22, 2, ctypes.c_char_p(prog), 0, 0) != 0: sys.exit(99)
os.execv(sys.argv[1], sys.argv[1:])
' "$TESTDIR/chdrop" --userns --map-root -r "$TREE" -- /usr/local/bin/probe
	assert_one_error_line
	[[ "$stderr" == "chdrop: unshare(CLONE_NEWUSER): Operation not permitted"* ]]
	refute_target_ran
}
