#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Adversarial regressions: ways out that chdrop defeats today, each paired
# with a control (the layer turned off, or a weaker launcher) in which the
# same attack works, so that every test here can fail.

load helpers

# A static helper for attacks the probe has no command for.
adv_helper_src() {
	cat <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
static const char *res(long r, int e) { return r == 0 ? "ok" : e == EPERM ? "EPERM" : e == EACCES ? "EACCES" : e == ENOTTY ? "ENOTTY" : strerror(e); }
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "int80-tiocsti") == 0) {
			/* ioctl(0, TIOCSTI, "x") through the i386 entry point; the
			 * byte must sit below 4 GiB for the 32-bit ABI. */
			char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			               MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
			long r;
			p[0] = 'x';
			__asm__ volatile ("int $0x80" : "=a"(r)
			                  : "a"(54L), "b"(0L), "c"((long)TIOCSTI), "d"((long)p)
			                  : "memory");
			printf("int80_tiocsti=%s\n", res(r < 0 ? -1 : 0, (int)-r));
		} else if (strcmp(argv[i], "connect") == 0 && i + 1 < argc) {
			struct sockaddr_un a = { .sun_family = AF_UNIX };
			int s = socket(AF_UNIX, SOCK_STREAM, 0);
			strncpy(a.sun_path, argv[++i], sizeof(a.sun_path) - 1);
			long r = connect(s, (struct sockaddr *)&a, sizeof(a));
			printf("connect=%s\n", res(r, errno));
		} else if (strcmp(argv[i], "chmod") == 0 && i + 1 < argc) {
			long r = chmod(argv[++i], 0666);
			printf("chmod=%s\n", res(r, errno));
		}
	}
	return 0;
}
EOF
}

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	adv_helper_src >"$TESTDIR/adv.c"
	"${CC:-cc}" -static -O2 -o "$ROOT/bin/adv" "$TESTDIR/adv.c" || return 1
	mkdir -p "$TESTDIR/out"
	chown "$TUSER_UID" "$TESTDIR/out"
	mount_proc "$ROOT"
	echo outside-secret >"$TESTDIR/outside"
	chmod 0644 "$TESTDIR/outside"
}
teardown_file() {
	umount_proc "${ROOT:-}"
	default_teardown_file
}
setup() {
	default_setup
}
teardown() {
	[ -n "${LISTENER_PID:-}" ] && kill "$LISTENER_PID" 2>/dev/null
	true
}

# A process of the target's uid outside the root, holding a listening unix
# socket and a file of its own there.  Sets LISTENER_PID.
start_outside_listener() {
	rm -f "$TESTDIR/out/sock" "$TESTDIR/out/owned"
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups -- \
		/usr/bin/python3 -c '
import os, socket, sys, time
d = sys.argv[1]
open(d + "/owned", "w").close()
os.chmod(d + "/owned", 0o600)
s = socket.socket(socket.AF_UNIX)
s.bind(d + "/sock")
s.listen(8)
open(d + "/ready", "w").close()
time.sleep(60)
' "$TESTDIR/out" 3>&- &
	LISTENER_PID=$!
	local _
	for _ in $(seq 50); do
		if [ -e "$TESTDIR/out/ready" ]; then
			rm -f "$TESTDIR/out/ready"
			return 0
		fi
		sleep 0.1
	done
	fail "the outside listener did not start"
}

# --- terminal guard ----------------------------------------------------------

@test "TIOCSTI through the i386 entry point (int 0x80) is refused too" {
	run -0 --separate-stderr "$PROBE_BIN" pty "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/adv int80-tiocsti
	assert_line int80_tiocsti=EPERM
}

@test "control: without the guard the i386 TIOCSTI injects (so the test above can fail)" {
	run -0 --separate-stderr "$PROBE_BIN" pty "${CHDROP_ARGV[@]}" --no-tty-guard -r "$ROOT" -u "$TUSER" -- /bin/adv int80-tiocsti
	assert_line --partial int80_tiocsti=ok
}

# --- /proc magic links to a same-uid process outside -------------------------
# Landlock does not mediate connect(2) or chmod(2); what stops both is its
# ptrace check on the /proc/PID/root magic link.

@test "connect to an outside unix socket through /proc/PID/root is refused" {
	require_landlock
	start_outside_listener
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/adv connect "/proc/$LISTENER_PID/root$TESTDIR/out/sock"
	refute_line connect=ok
}

@test "control: with --no-landlock the same connect reaches the outside socket" {
	start_outside_listener
	run -0 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" -- /bin/adv connect "/proc/$LISTENER_PID/root$TESTDIR/out/sock"
	assert_line connect=ok
}

@test "chmod of the target uid's own file outside, through /proc/PID/root, is refused" {
	require_landlock
	start_outside_listener
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/adv chmod "/proc/$LISTENER_PID/root$TESTDIR/out/owned"
	refute_line chmod=ok
	[ "$(stat -c %a "$TESTDIR/out/owned")" = 600 ]
}

@test "control: with --no-landlock the same chmod changes the outside file" {
	start_outside_listener
	run -0 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" -- /bin/adv chmod "/proc/$LISTENER_PID/root$TESTDIR/out/owned"
	assert_line chmod=ok
	[ "$(stat -c %a "$TESTDIR/out/owned")" = 666 ]
}

# --- O_PATH directory handles ---------------------------------------------------

# run_with_opath_root FD_TARGET CMD...: exec CMD with an O_PATH handle on the
# host's / at descriptor FD_TARGET.
run_with_opath_root() {
	local n="$1"
	shift
	python3 -c '
import os, sys
fd = os.open("/", os.O_PATH | os.O_DIRECTORY)
n = int(sys.argv[1])
if fd != n:
    os.dup2(fd, n)
    os.close(fd)
os.set_inheritable(n, True)
os.execvp(sys.argv[2], sys.argv[2:])
' "$n" "$@"
}

@test "--keep-fd of an O_PATH handle on a directory is refused" {
	run -125 --separate-stderr run_with_opath_root 7 "${CHDROP_ARGV[@]}" --keep-fd=7 -r "$ROOT" -u "$TUSER" -- /bin/probe openat-fd 7 "${TESTDIR#/}/outside"
	refute_target_ran
	assert_one_error_line
}

@test "control: under chroot --userspec the O_PATH handle reads a host file" {
	run -0 --separate-stderr run_with_opath_root 7 chroot --userspec="$TUSER_UID:$TUSER_GID" "$ROOT" /bin/probe openat-fd 7 "${TESTDIR#/}/outside"
	assert_probe openat ok
}

@test "standard input an O_PATH handle on a directory is refused" {
	run -125 --separate-stderr run_with_opath_root 0 "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe openat-fd 0 "${TESTDIR#/}/outside"
	refute_target_ran
	assert_one_error_line
}

# --- account files in the tree (--userdb=root) ----------------------------------

@test "--userdb=root: a zero-padded uid 0 alias ('000') is refused" {
	cp "$ROOT/etc/passwd" "$TESTDIR/passwd.save"
	echo "padded:x:000:$JAIL_GID::/:/bin/sh" >>"$ROOT/etc/passwd"
	run -125 --separate-stderr chdrop --userdb=root -r "$ROOT" -u padded -- /bin/probe
	cp "$TESTDIR/passwd.save" "$ROOT/etc/passwd"
	refute_target_ran
	assert_one_error_line
}

@test "control: with --allow-root the padded alias really is uid 0" {
	cp "$ROOT/etc/passwd" "$TESTDIR/passwd.save"
	echo "padded:x:000:$JAIL_GID::/:/bin/sh" >>"$ROOT/etc/passwd"
	run -0 --separate-stderr chdrop --allow-root --userdb=root -r "$ROOT" -u padded -- /bin/probe
	cp "$TESTDIR/passwd.save" "$ROOT/etc/passwd"
	assert_probe uid 0,0,0
}

# --- a caller with odd securebits ------------------------------------------------

@test "a caller with NOROOT locked off: 125, the target never runs" {
	run -125 --separate-stderr setpriv --securebits=+noroot_locked -- "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	refute_target_ran
	assert_one_error_line
}

@test "control: the same caller with --no-securebits runs, NOROOT still off" {
	run -0 --separate-stderr setpriv --securebits=+noroot_locked -- "${CHDROP_ARGV[@]}" --no-securebits -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe securebits 0x2
}

# --- found by the adversarial review, fixed, kept fixed ---------------------

@test "--chdir through a planted symlink to a /proc magic link is refused" {
	mkdir -p "$ROOT/srv/plant"
	ln -sfn "/proc/$$/root" "$ROOT/srv/plant/out"
	run -125 --separate-stderr chdrop --no-landlock -r "$ROOT" -u "$TUSER" \
		-w /srv/plant/out -- /bin/probe touch /work-ran
	rm -rf "$ROOT/srv/plant"
	assert_one_error_line
	[[ "$stderr" == *"--chdir=/srv/plant/out"* ]]
	refute_target_ran
}

@test "control: the planted symlink really leads out of a plain chroot" {
	mkdir -p "$ROOT/srv/plant"
	ln -sfn "/proc/$$/root" "$ROOT/srv/plant/out"
	run -0 --separate-stderr chroot "$ROOT" /bin/probe open "/srv/plant/out$TESTDIR/outside"
	rm -rf "$ROOT/srv/plant"
	assert_probe open ok
}

@test "--chdir: an absolute symlink inside the root resolves inside it" {
	mkdir -p "$ROOT/srv/plant/deep"
	ln -sfn /srv/plant/deep "$ROOT/srv/plant/abs"
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -w /srv/plant/abs -- /bin/probe
	rm -rf "$ROOT/srv/plant"
	assert_probe cwd /srv/plant/deep
}

@test "repeated groups cannot hide a group 0 the caller holds" {
	run -0 --separate-stderr setpriv --groups="0,$TUSER_GID" -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -G "$TUSER_GID,$TUSER_GID" -- /bin/probe
	assert_probe groups "$TUSER_GID"
}

@test "control: the caller in that test really holds group 0" {
	run -0 setpriv --groups="0,$TUSER_GID" -- "$ROOT/bin/probe"
	assert_probe groups "0,$TUSER_GID"
}

@test "--userdb=root: etc/passwd a device node is refused without being opened" {
	local r="$TESTDIR/devroot"
	make_root "$r"
	rm "$r/etc/passwd"
	mknod -m 0644 "$r/etc/passwd" c 1 3
	# LeakSanitizer cannot run under ptrace: off for this run of an ASan build
	ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=0" \
	run -125 --separate-stderr strace -f -e trace=openat,openat2,open \
		-o "$TESTDIR/devroot.trace" "${CHDROP_ARGV[@]}" --userdb=root -r "$r" \
		-u jailuser -- /bin/probe
	[[ "$stderr" == *"not a regular file"* ]]
	# looked at through O_PATH only, never opened for reading
	run grep -c 'etc/passwd' "$TESTDIR/devroot.trace"
	assert_output 1
	run grep 'etc/passwd' "$TESTDIR/devroot.trace"
	assert_output --partial O_PATH
	rm -rf "$r"
}

@test "--keep-fd of an io_uring holding a directory is refused" {
	run -125 --separate-stderr "$ROOT/bin/probe" io-uring-dir / 5 \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" --keep-fd=5 -- /bin/probe touch /x
	assert_one_error_line
	[[ "$stderr" == *"io_uring"* ]]
	refute_target_ran
}

@test "control: the io_uring descriptor does reach a launcher that only checks for directories" {
	run -0 --separate-stderr "$ROOT/bin/probe" io-uring-dir / 5 \
		"$(command -v chroot)" --userspec="$TUSER_UID:$TUSER_GID" "$ROOT" /bin/probe
	[[ "$(probe_val fds)" == *",5"* ]]
}

@test "--new-session in a session of its own (systemd's case): same pid, LISTEN_PID intact" {
	run -0 --separate-stderr setsid -w sh -c \
		'echo "shpid=$$"; exec 3</dev/null; LISTEN_FDS=1 LISTEN_PID=$$ exec "$@"' sh \
		"${CHDROP_ARGV[@]}" --new-session -r "$ROOT" -u "$TUSER" -- /bin/probe
	# no fork: the target is the very process systemd started
	assert_equal "$(probe_val pid)" "$(probe_val shpid)"
	assert_equal "$(probe_val env.LISTEN_PID)" "$(probe_val pid)"
	assert_probe fds 0,1,2,3
}

@test "--new-session from a process-group leader forks, and LISTEN_PID follows the child" {
	run -0 --separate-stderr bash -c 'set -m
		(exec 3</dev/null; export LISTEN_FDS=1 LISTEN_PID=$BASHPID; exec "$@") &
		wait' bash "${CHDROP_ARGV[@]}" --new-session -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$(probe_val env.LISTEN_PID)" "$(probe_val pid)"
	assert_equal "$(probe_val sid)" "$(probe_val pid)"
	assert_probe fds 0,1,2,3
}

@test "repeated --caps add up" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -c net_raw -c net_bind_service -- /bin/probe
	assert_line caps=net_bind_service,net_raw
}

@test "--root=/ confines nothing and is refused" {
	run -125 --separate-stderr chdrop -r / -u "$TUSER" -- /bin/true
	assert_one_error_line
	run -125 --separate-stderr chdrop -r /./ -u "$TUSER" -- /bin/true
	assert_one_error_line
}

@test "a --keep-fd number the caller did not open is named as such" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" --keep-fd=3 -- /bin/probe 3>&-
	assert_one_error_line
	[[ "$stderr" == *"Bad file descriptor"* ]]
}
