#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Hardening on by default, each with an opt-out: no_new_privs, locked
# securebits, the terminal guard, --new-session, Landlock.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	# A setuid-root and a setgid-root (gid 0) copy of the probe in the root.
	install -m 4755 -o 0 -g 0 "$PROBE_BIN" "$ROOT/bin/suid-probe"
	install -m 2755 -o 0 -g 0 "$PROBE_BIN" "$ROOT/bin/sgid-probe"
	# A root with /proc mounted, and a host file outside it, for Landlock.
	make_root "$TESTDIR/proot"
	mkdir -m 0755 "$TESTDIR/proot/proc"
	mount -t proc proc "$TESTDIR/proot/proc"
	echo host-secret >"$TESTDIR/hostfile"
	chmod 0644 "$TESTDIR/hostfile"
}
teardown_file() { default_teardown_file; }
setup() { default_setup; }

# The securebits chdrop locks: NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE
# on, KEEP_CAPS off, all four locked: bits 0,1,2,3,5,6,7.
SECUREBITS_LOCKED=0xef

@test "no_new_privs is set by default" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe no_new_privs 1
}

@test "--allow-new-privs leaves no_new_privs clear" {
	run -0 --separate-stderr chdrop --allow-new-privs -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe no_new_privs 0
}

@test "securebits are set and locked by default" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe securebits "$SECUREBITS_LOCKED"
}

@test "--no-securebits leaves securebits clear" {
	run -0 --separate-stderr chdrop --no-securebits -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe securebits 0x0
}

@test "securebits are set without a root too" {
	run -0 --separate-stderr chdrop -u "$TUSER" -c net_bind_service -- "$HPROBE"
	assert_probe securebits "$SECUREBITS_LOCKED"
	assert_probe no_new_privs 1
}

@test "a setuid-root binary in the root grants nothing (run directly)" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/suid-probe
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe cap_prm 0x0
}

@test "a setuid-root binary in the root grants nothing (run by the target)" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe exec /bin/suid-probe report setuid0
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	assert_probe cap_prm 0x0
	assert_probe cap_eff 0x0
	assert_probe setuid0 EPERM
}

@test "a setgid-root binary in the root grants nothing" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe exec /bin/sgid-probe report setgid0
	assert_probe gid "$TUSER_GID,$TUSER_GID,$TUSER_GID"
	assert_probe setgid0 EPERM
}

@test "--allow-new-privs: a setuid-root binary does give euid 0, but no capabilities" {
	# What the opt-out costs: the setuid bit works again (euid and saved uid
	# 0, so setresuid(0,0,0) succeeds); the empty bounding set and NOROOT
	# still keep every capability away.
	run -0 --separate-stderr chdrop --allow-new-privs -r "$ROOT" -u "$TUSER" -- /bin/probe exec /bin/suid-probe report setuid0
	assert_probe uid "$TUSER_UID,0,0"
	assert_probe no_new_privs 0
	assert_probe cap_prm 0x0
	assert_probe cap_eff 0x0
	assert_probe setuid0 ok
}

@test "--allow-new-privs --no-securebits: euid 0, still no capabilities (empty bounding set)" {
	run -0 --separate-stderr chdrop --allow-new-privs --no-securebits -r "$ROOT" -u "$TUSER" -- /bin/probe exec /bin/suid-probe
	assert_probe uid "$TUSER_UID,0,0"
	assert_probe cap_prm 0x0
	assert_probe cap_eff 0x0
	assert_probe cap_bnd 0x0
}

@test "--allow-new-privs: a setgid-root binary gives egid 0" {
	run -0 --separate-stderr chdrop --allow-new-privs -r "$ROOT" -u "$TUSER" -- /bin/probe exec /bin/sgid-probe
	assert_probe gid "$TUSER_GID,0,0"
}

@test "TIOCSTI and TIOCLINUX fail with EPERM on the controlling terminal" {
	run -0 --separate-stderr "$PROBE_BIN" pty "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe isatty tiocsti tiocsti-hi tioclinux
	assert_probe isatty 1
	assert_probe tiocsti EPERM
	assert_probe tiocsti_hi EPERM
	assert_probe tioclinux EPERM
}

@test "TIOCSTI fails with EPERM on a non-terminal too (the filter, not the kernel)" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe tiocsti </dev/null
	assert_probe tiocsti EPERM
}

@test "--no-tty-guard: TIOCSTI works, so the guarded test can fail" {
	run -0 --separate-stderr "$PROBE_BIN" pty "${CHDROP_ARGV[@]}" --no-tty-guard -r "$ROOT" -u "$TUSER" -- /bin/probe tiocsti
	assert_probe tiocsti ok
}

@test "Ctrl-C on the terminal still reaches the target, under the guard" {
	run -0 --separate-stderr "$PROBE_BIN" pty --intr-on=ready=1 "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe wait-signal
	assert_probe ready 1
	assert_probe got SIGINT
}

@test "--new-session: the target leads a new session" {
	run -0 --separate-stderr chdrop --new-session -r "$ROOT" -u "$TUSER" -- /bin/probe
	local pid
	pid=$(probe_val pid)
	assert_probe sid "$pid"
	assert_probe pgid "$pid"
}

@test "--new-session on a terminal: the target has no controlling terminal" {
	run -0 --separate-stderr "$PROBE_BIN" pty "${CHDROP_ARGV[@]}" --new-session --no-tty-guard -r "$ROOT" -u "$TUSER" -- /bin/probe report tiocsti
	assert_probe sid "$(probe_val pid)"
	assert_probe tiocsti EPERM
}

@test "without --new-session the session is the caller's" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_not_equal "$(probe_val sid)" "$(probe_val pid)"
}

@test "Landlock: a kept descriptor cannot be reopened through /proc" {
	require_landlock
	exec 8<"$TESTDIR/hostfile"
	run -0 --separate-stderr chdrop --keep-fd=8 -r "$TESTDIR/proot" -u "$TUSER" -- /bin/probe read-fd 8 open /proc/self/fd/8 open /etc/passwd
	exec 8<&-
	assert_probe read host-secret
	assert_line --index 1 "open=EACCES"
	assert_line --index 2 "open=ok"
}

@test "control: the reopen through /proc works under plain chroot (so the test above can fail)" {
	exec 8<"$TESTDIR/hostfile"
	run -0 --separate-stderr chroot --userspec="$TUSER_UID:$TUSER_GID" "$TESTDIR/proot" /bin/probe open /proc/self/fd/8
	exec 8<&-
	assert_line "open=ok"
}

@test "Landlock: /proc magic links to the host root lead nowhere" {
	require_landlock
	# The target's own /proc/self/root is its root; pid 1's needs ptrace
	# rights anyway, so use a process of the same user outside the root.
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups -- sleep 30 >/dev/null 2>&1 3>&- &
	local spid=$!
	wait_exec "$spid" sleep
	run -0 --separate-stderr chdrop -r "$TESTDIR/proot" -u "$TUSER" -- /bin/probe open "/proc/$spid/root/etc/passwd"
	kill "$spid"
	wait "$spid" || true
	# EACCES from the path rules or EPERM from Landlock's ptrace rule.
	assert_line --regexp '^open=(EACCES|EPERM)$'
}

@test "control: the same /proc path opens without chdrop's drop (so the test above can fail)" {
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups -- sleep 30 >/dev/null 2>&1 3>&- &
	local spid=$!
	wait_exec "$spid" sleep
	run -0 --separate-stderr chroot --userspec="$TUSER_UID:$TUSER_GID" "$TESTDIR/proot" /bin/probe open "/proc/$spid/root/etc/passwd"
	kill "$spid"
	wait "$spid" || true
	assert_line "open=ok"
}
