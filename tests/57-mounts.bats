#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Per-run mounts: --dev, --bind-ro, --bind, --tmpfs, --host-program, in a
# private mount namespace that nothing outside sees.  MODE_ARGS is empty
# (chroot) or --pivot-root: tests/57-mounts-pivot.bats runs this file again
# with it.

load helpers

MODE_ARGS=()
if [[ "${CHDROP_MOUNTS_MODE:-}" == pivot ]]; then
	MODE_ARGS=(--pivot-root)
fi

DEVSET=full:chr:1:7,null:chr:1:3,random:chr:1:8,tty:chr:5:0,urandom:chr:1:9,zero:chr:1:5

setup_file() {
	default_setup_file || return 1
	if is_root; then
		mkdir -p "$ROOT/dev" "$ROOT/tmp" "$ROOT/srv/ro" "$ROOT/srv/rw" \
			"$ROOT/srv/sub" "$ROOT/srv/file" "$ROOT/var"
		rmdir "$ROOT/srv/file" && : >"$ROOT/srv/file"
		# A /dev on disk with a node --dev must hide.
		mknod -m 0600 "$ROOT/dev/sda" b 8 0
		# Host sources.
		HOSTSRC="$TESTDIR/host"
		mkdir -p "$HOSTSRC/content/sub" "$HOSTSRC/state"
		echo page >"$HOSTSRC/content/index.html"
		chmod 0666 "$HOSTSRC/content/index.html"
		echo hostfile >"$HOSTSRC/afile"
		install -m 4755 "$PROBE_BIN" "$HOSTSRC/content/suidprobe"
		export HOSTSRC
	fi
}
teardown_file() { default_teardown_file; }
setup() { default_setup; }

# The host's mounts that concern this file: all but other test roots'
# (other suites on the machine mount /proc in theirs meanwhile), and ours.
host_mounts() {
	grep -v 'chdrop-test\.' /proc/self/mountinfo
	grep -F "$TESTDIR" /proc/self/mountinfo || true
}

# run_mounted [-N] ARGS...: run chdrop in this file's mode.
run_mounted() {
	local -a st=()
	if [[ "$1" == -[0-9]* ]]; then
		st=("$1")
		shift
	fi
	run "${st[@]}" --separate-stderr chdrop "${MODE_ARGS[@]}" "$@"
}

@test "--dev: exactly null zero full random urandom tty, nothing from the disk's /dev" {
	run_mounted --dev -r "$ROOT" -u "$TUSER" -- /bin/probe ls /dev write /dev/null \
		mntflags /dev/null
	assert_success
	assert_probe ls "$DEVSET"
	assert_probe write ok
	assert_probe mntflags ro,nosuid,noexec
}

@test "--dev: the target cannot add a node or a file to it" {
	run_mounted --dev -r "$ROOT" --allow-root -c mknod -- /bin/probe touch /dev/new
	assert_success
	assert_probe touch EROFS
}

@test "--dev without CAP_MKNOD (as in a user namespace): the host's nodes, the same set" {
	run --separate-stderr setpriv --bounding-set=-mknod --inh-caps=-mknod -- \
		"${CHDROP_ARGV[@]}" "${MODE_ARGS[@]}" -v --dev -r "$ROOT" -u "$TUSER" -- \
		/bin/probe ls /dev write /dev/null
	assert_success "stderr: $stderr"
	assert_probe ls "$DEVSET"
	assert_probe write ok
	[[ "$stderr" == *"the host's nodes bound"* ]]
}

@test "--dev: the root must have a /dev directory" {
	rmdir "$ROOT/tmp" 2>/dev/null || true
	mv "$ROOT/dev" "$ROOT/dev.away"
	run -125 --separate-stderr chdrop "${MODE_ARGS[@]}" --dev -r "$ROOT" \
		-u "$TUSER" -- /bin/probe touch /ran
	mv "$ROOT/dev.away" "$ROOT/dev"
	mkdir -p "$ROOT/tmp"
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --dev: /dev does not exist inside the root (chdrop creates no mount point)"
	refute_target_ran
}

@test "--bind-ro: the content is there, read-only, nosuid, nodev" {
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro" -r "$ROOT" -u "$TUSER" -- \
		/bin/probe read-fd 3 ls /srv/ro mntflags /srv/ro write /srv/ro/index.html \
		touch /srv/ro/new 3</dev/null
	assert_success
	assert_probe ls index.html:reg,sub:dir,suidprobe:reg
	assert_probe mntflags ro,nosuid,nodev
	assert_probe write EROFS
	assert_probe touch EROFS
}

@test "--bind-ro: even root keeping every capability cannot write it" {
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro" -r "$ROOT" --allow-root \
		-c dac_override,sys_admin,fowner --no-landlock -- /bin/probe write /srv/ro/index.html
	assert_success
	assert_probe write EROFS
	assert_equal "$(cat "$HOSTSRC/content/index.html")" page
}

@test "--bind-ro: a submount of the source is read-only too" {
	mount -t tmpfs -o size=1m,mode=0755 sub "$HOSTSRC/content/sub"
	echo inner >"$HOSTSRC/content/sub/f"
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro" -r "$ROOT" --allow-root \
		-c dac_override,sys_admin,fowner -- /bin/probe mntflags /srv/ro/sub write /srv/ro/sub/f
	umount "$HOSTSRC/content/sub"
	assert_success
	assert_probe mntflags ro,nosuid,nodev
	assert_probe write EROFS
}

@test "--bind: writable, and the host sees the write; still nosuid,nodev" {
	chown "$TUSER" "$HOSTSRC/state"
	run_mounted --bind="$HOSTSRC/state:/srv/rw" -r "$ROOT" -u "$TUSER" -- \
		/bin/probe touch /srv/rw/made mntflags /srv/rw
	assert_success
	assert_probe touch ok
	assert_probe mntflags rw,nosuid,nodev
	[ -f "$HOSTSRC/state/made" ]
}

@test "--bind-ro of a file onto a file; DST defaults to SRC" {
	mkdir -p "$ROOT$HOSTSRC"
	: >"$ROOT$HOSTSRC/afile"
	run_mounted --bind-ro="$HOSTSRC/afile" --bind-ro="$HOSTSRC/afile:/srv/file" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe cat "$HOSTSRC/afile" cat /srv/file
	assert_success
	assert_line cat=hostfile
	assert_equal "$(grep -c '^cat=hostfile$' <<<"$output")" 2
	rm -rf "${ROOT:?}/var/lib"
}

@test "a setuid file on a bound path grants nothing (nosuid), even with --allow-new-privs" {
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro:noexec" -r "$ROOT" -u "$TUSER" \
		-- /bin/probe exec /srv/ro/suidprobe
	assert_failure 1
	assert_probe exec EACCES
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro" -r "$ROOT" -u "$TUSER" \
		--allow-new-privs --no-landlock -- /bin/probe exec /srv/ro/suidprobe
	assert_success
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe cap_eff 0x0
}

@test "--tmpfs: empty, writable, 1777, noexec unless :exec" {
	run_mounted --tmpfs=/tmp -r "$ROOT" -u "$TUSER" -- /bin/probe ls /tmp \
		mntflags /tmp fs-ops /tmp
	assert_success
	assert_probe ls ""
	assert_probe mntflags rw,nosuid,nodev,noexec
	assert_probe fs failed
	assert_line fs_exec=EACCES
	run_mounted --tmpfs=/tmp:exec -r "$ROOT" -u "$TUSER" -- /bin/probe mntflags /tmp \
		fs-ops /tmp
	assert_success
	assert_probe mntflags rw,nosuid,nodev
	assert_probe fs ok
}

@test "--tmpfs noexec: the loader trick (ld.so /tmp/prog) fails too" {
	local ld=/lib64/ld-linux-x86-64.so.2 r f
	[ -e "$ld" ] || skip "no $ld"
	r="$TESTDIR/ldroot"
	make_root "$r"
	mkdir -p "$r/tmp"
	# The host's loader and libc, and a dynamic program to run.
	for f in "$ld" /lib/x86_64-linux-gnu/libc.so.6 /bin/true; do
		mkdir -p "$r$(dirname "$f")"
		cp -L "$f" "$r$f"
	done
	# :exec, as a control: the copy runs through the loader.
	run_mounted --tmpfs=/tmp:exec -r "$r" -u "$TUSER" -- /bin/probe \
		copy /bin/true /tmp/true exec "$ld" /tmp/true
	assert_success
	assert_probe copy ok
	# noexec: the loader cannot map it.
	run_mounted -127 --tmpfs=/tmp -r "$r" -u "$TUSER" -- /bin/probe \
		copy /bin/true /tmp/true exec "$ld" /tmp/true
	assert_probe copy ok
	[[ "$stderr" == *"/tmp/true"*"failed to map segment"* ]]
	rm -rf "$r"
}

# --- refusals: one line naming the option, 125, nothing run, nothing mounted

# refused WHY ARGS...: chdrop ARGS -- /bin/probe touch /ran is refused with
# "chdrop: WHY" as its one line, and ran nothing.
refused() {
	local why="$1"
	shift
	run_mounted -125 "$@" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /srv/rw/ran
	assert_one_error_line
	assert_equal "$stderr" "chdrop: $why"
	refute_target_ran
}

@test "refused: a symlink planted at DST" {
	ln -s /srv/rw "$ROOT/srv/link"
	refused "--bind-ro=$HOSTSRC/content:/srv/link: /srv/link inside the root is a symlink or has one on the way: refused" \
		--bind-ro="$HOSTSRC/content:/srv/link"
	rm "$ROOT/srv/link"
}

@test "refused: a symlink on the way to DST (even one that stays inside)" {
	ln -s srv "$ROOT/srvlink"
	refused "--tmpfs=/srvlink/rw: /srvlink/rw inside the root is a symlink or has one on the way: refused" \
		--tmpfs=/srvlink/rw
	rm "$ROOT/srvlink"
}

@test "refused: a symlink at SRC or on the way to it on the host" {
	ln -s "$HOSTSRC/content" "$HOSTSRC/clink"
	refused "--bind-ro=$HOSTSRC/clink/sub:/srv/ro: $HOSTSRC/clink/sub is a symlink or has one on the way: refused (name the real path)" \
		--bind-ro="$HOSTSRC/clink/sub:/srv/ro"
	refused "--bind=$HOSTSRC/clink:/srv/ro: $HOSTSRC/clink is a symlink or has one on the way: refused (name the real path)" \
		--bind="$HOSTSRC/clink:/srv/ro"
	rm "$HOSTSRC/clink"
}

@test "refused: missing SRC, missing DST, type mismatch" {
	refused "--bind-ro=$HOSTSRC/nope:/srv/ro: $HOSTSRC/nope: No such file or directory" \
		--bind-ro="$HOSTSRC/nope:/srv/ro"
	refused "--bind-ro=$HOSTSRC/content:/srv/nope: /srv/nope does not exist inside the root (chdrop creates no mount point)" \
		--bind-ro="$HOSTSRC/content:/srv/nope"
	refused "--bind-ro=$HOSTSRC/content:/srv/file: /srv/file inside the root is not a directory" \
		--bind-ro="$HOSTSRC/content:/srv/file"
	refused "--bind-ro=$HOSTSRC/afile:/srv/ro: /srv/ro inside the root is a directory, the source is not" \
		--bind-ro="$HOSTSRC/afile:/srv/ro"
	refused "--tmpfs=/srv/file: /srv/file inside the root is not a directory" \
		--tmpfs=/srv/file
}

@test "refused: DST outside the root ('..'), relative paths, '/' itself, bad flags" {
	refused "--bind-ro=$HOSTSRC/content:/srv/../../etc: '.' and '..' are not allowed in paths" \
		--bind-ro="$HOSTSRC/content:/srv/../../etc"
	refused "--bind=content:/srv/rw: paths must be absolute" --bind=content:/srv/rw
	refused "--tmpfs=/: '/' itself cannot be a per-run mount" --tmpfs=/
	refused "--bind=$HOSTSRC/content:/srv/rw:ro: expected SRC[:DST][:noexec]" \
		--bind="$HOSTSRC/content:/srv/rw:ro"
	refused "--tmpfs=/tmp:noexec: expected DST[:exec]" --tmpfs=/tmp:noexec
	refused '--tmpfs=/tmp\x0a/x: control characters are not allowed in paths' \
		--tmpfs=$'/tmp\n/x'
}

@test "refused: a later mount's failure leaves nothing mounted on the host" {
	local before
	before=$(host_mounts)
	refused "--bind-ro=$HOSTSRC/content:/srv/nope: /srv/nope does not exist inside the root (chdrop creates no mount point)" \
		--dev --tmpfs=/tmp --bind-ro="$HOSTSRC/content:/srv/nope"
	assert_equal "$(host_mounts)" "$before"
}

@test "per-run mounts need --root" {
	run -125 --separate-stderr chdrop --tmpfs=/tmp -u "$TUSER" -- "$HPROBE"
	assert_equal "$stderr" "chdrop: --tmpfs=/tmp needs --root"
	run -125 --separate-stderr chdrop --dev -u "$TUSER" -- "$HPROBE"
	assert_equal "$stderr" "chdrop: --dev needs --root"
}

# --- the namespace ------------------------------------------------------------

@test "the host's mountinfo is the same during and after the run" {
	local before during pid
	before=$(host_mounts)
	(exec "${CHDROP_ARGV[@]}" "${MODE_ARGS[@]}" --dev --tmpfs=/tmp \
		--bind-ro="$HOSTSRC/content:/srv/ro" --bind="$HOSTSRC/state:/srv/rw" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe sleep 2 >/dev/null) &
	pid=$!
	sleep 1
	during=$(host_mounts)
	# The target's own namespace does hold them.
	grep -q " /srv/ro .*ro,nosuid,nodev" "/proc/$pid/mountinfo"
	wait "$pid"
	assert_equal "$during" "$before"
	assert_equal "$(host_mounts)" "$before"
}

# On a systemd host every mount is shared; this VM's are private, so the
# test makes its source a shared mount of its own.
@test "a shared host source: nothing propagates either way" {
	local pid before
	mount --bind "$HOSTSRC/content" "$HOSTSRC/content"
	mount --make-rshared "$HOSTSRC/content"
	before=$(host_mounts)
	# chdrop's own tmpfs on top of the bind must not reach the host, and a
	# mount the host makes later must not reach the target.
	(exec "${CHDROP_ARGV[@]}" "${MODE_ARGS[@]}" --bind="$HOSTSRC/content:/srv/ro" \
		--tmpfs=/srv/ro/sub -r "$ROOT" -u "$TUSER" -- /bin/probe sleep 2 \
		ls /srv/ro/sub >"$TESTDIR/late.out") &
	pid=$!
	sleep 1
	run host_mounts
	mount -t tmpfs late "$HOSTSRC/content/sub"
	echo x >"$HOSTSRC/content/sub/late"
	wait "$pid"
	umount "$HOSTSRC/content/sub"
	umount "$HOSTSRC/content"
	assert_equal "$output" "$before"
	run cat "$TESTDIR/late.out"
	assert_line ls=
}

# --- -n ---------------------------------------------------------------------------

@test "-n lists the mounts, paths escaped" {
	mkdir -p "$ROOT/srv/a b"
	run -0 --separate-stderr chdrop "${MODE_ARGS[@]}" -n --dev --tmpfs=/tmp:exec \
		--bind-ro="$HOSTSRC/content:/srv/a b:noexec" --bind="$HOSTSRC/state:/srv/rw" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "mount.0=dev - /dev ro,nosuid,noexec"
	assert_line "mount.1=tmpfs - /tmp nosuid,nodev"
	assert_line "mount.2=bind-ro $HOSTSRC/content /srv/a\\040b ro,nosuid,nodev,noexec"
	assert_line "mount.3=bind $HOSTSRC/state /srv/rw nosuid,nodev"
	assert_line "mounts=4"
	rmdir "$ROOT/srv/a b"
}

@test "-n fails where the run would: a missing DST" {
	run -125 --separate-stderr chdrop "${MODE_ARGS[@]}" -n --bind-ro="$HOSTSRC/content:/srv/nope" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: --bind-ro=$HOSTSRC/content:/srv/nope: /srv/nope does not exist inside the root (chdrop creates no mount point)"
	assert_equal "$output" ""
}

# --- service plumbing: unix sockets through a read-only bind ------------------------

@test "a datagram socket (like /dev/log) bound read-only onto /dev/log of --dev is reachable" {
	local sock="$TESTDIR/log.sock"
	rm -f "$sock"
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); os.chmod(sys.argv[1], 0o666); s.settimeout(10)
print(s.recv(100).decode(), flush=True)' "$sock" >"$TESTDIR/log.got" &
	local py=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.2; done
	run_mounted --dev --bind-ro="$sock:/dev/log" -r "$ROOT" -u "$TUSER" -- \
		/bin/probe ls /dev send-unix /dev/log "<14>hello from the root"
	wait "$py"
	assert_success
	assert_probe ls "full:chr:1:7,log:sock,null:chr:1:3,random:chr:1:8,tty:chr:5:0,urandom:chr:1:9,zero:chr:1:5"
	assert_probe send ok
	assert_equal "$(cat "$TESTDIR/log.got")" "<14>hello from the root"
}

@test "without the bind, the socket is out of reach" {
	run_mounted --dev -r "$ROOT" -u "$TUSER" -- /bin/probe send-unix /dev/log x
	assert_success
	assert_probe send ENOENT
}

# --- Landlock ---------------------------------------------------------------------------

@test "Landlock: a bound path is inside the root's rule; read-only stays read-only" {
	[ "$(landlock_abi)" -ge 1 ] || skip "no Landlock"
	run_mounted --bind-ro="$HOSTSRC/content:/srv/ro" --bind="$HOSTSRC/state:/srv/rw" \
		-r "$ROOT" --allow-root -c dac_override -- /bin/probe cat /srv/ro/index.html \
		write /srv/ro/index.html touch /srv/rw/ll
	assert_success
	assert_probe cat page
	assert_probe write EROFS
	assert_probe touch ok
}

# --- --host-program ------------------------------------------------------------

@test "--host-program: a static program runs in an EMPTY root; its descriptor does not reach it" {
	local empty="$TESTDIR/empty"
	mkdir -p "$empty"
	install -m 0755 "$PROBE_BIN" "$TESTDIR/hostprobe"
	run_mounted -0 --host-program -r "$empty" -u "$TUSER" -- "$TESTDIR/hostprobe"
	assert_probe root_ino "$(root_ino_of "$empty")"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe fds 0,1,2
	assert_probe cap_eff 0x0
	[ -z "$(ls -A "$empty")" ]
}

@test "--host-program with Landlock: it runs (one rule, that file), the rest of the host stays out" {
	[ "$(landlock_abi)" -ge 1 ] || skip "no Landlock"
	local empty="$TESTDIR/empty"
	mkdir -p "$empty/proc"
	install -m 0755 "$PROBE_BIN" "$TESTDIR/hostprobe"
	mount_proc "$empty"
	# It opens nothing of the host, yet may run itself again (exit 3).
	run_mounted -3 --host-program -r "$empty" -u "$TUSER" -- "$TESTDIR/hostprobe" \
		open /proc/1/root/etc/passwd exec /proc/self/exe exit 3
	umount_proc "$empty"
	assert_probe open EACCES
	run_mounted -0 --host-program --no-landlock -r "$empty" -u "$TUSER" -- \
		"$TESTDIR/hostprobe" report
}

@test "--host-program: a dynamic program gets 126 naming its missing interpreter" {
	local empty="$TESTDIR/empty"
	mkdir -p "$empty"
	# /usr/bin: Debian's /bin is a symlink, which --host-program refuses.
	run_mounted -126 --host-program -r "$empty" -u "$TUSER" -- /usr/bin/true
	assert_one_error_line
	assert_equal "$stderr" "chdrop: exec /usr/bin/true: its ELF interpreter /lib64/ld-linux-x86-64.so.2 is missing inside the root"
}

@test "--host-program: a script is refused with the reason" {
	printf '#!/bin/sh\necho hi\n' >"$TESTDIR/script"
	chmod 0755 "$TESTDIR/script"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/script"
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/script: a script: its #! interpreter would be looked up inside the root; refused"
	assert_equal "$output" ""
}

@test "--host-program: refused: a symlink, a relative path, writable by others, not root's, setuid" {
	install -m 0755 "$PROBE_BIN" "$TESTDIR/hostprobe"
	ln -sf "$TESTDIR/hostprobe" "$TESTDIR/hostlink"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/hostlink"
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/hostlink is a symlink or has one on the way: refused (name the real path)"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- hostprobe
	assert_equal "$stderr" "chdrop: --host-program: PROGRAM hostprobe must be an absolute host path"
	chmod 0757 "$TESTDIR/hostprobe"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/hostprobe"
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/hostprobe: writable by group or others"
	chmod 0755 "$TESTDIR/hostprobe"
	chown "$TUSER" "$TESTDIR/hostprobe"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/hostprobe"
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/hostprobe: owned by uid $TUSER_UID, not root"
	chown 0 "$TESTDIR/hostprobe"
	chmod 4755 "$TESTDIR/hostprobe"
	run_mounted -125 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/hostprobe"
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/hostprobe: setuid or setgid: refused"
	run_mounted -127 --host-program -r "$ROOT" -u "$TUSER" -- "$TESTDIR/nothere"
	assert_equal "$stderr" "chdrop: --host-program: $TESTDIR/nothere: No such file or directory"
	rm -f "$TESTDIR/hostlink"
}

@test "per-run mounts and --host-program are refused with --userns (not supported yet)" {
	run -125 --separate-stderr as_nobody "$CHDROP" --userns --dev -r "$ROOT" -- /bin/probe
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --userns: per-run mounts (--bind-ro, --bind, --tmpfs, --dev) and --host-program are not supported yet"
	run -125 --separate-stderr as_nobody "$CHDROP" --userns --map-root --host-program \
		-r "$ROOT" -- "$HPROBE"
	assert_equal "$stderr" "chdrop: --userns: per-run mounts (--bind-ro, --bind, --tmpfs, --dev) and --host-program are not supported yet"
}
