#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# The security review's findings (issue 9), each with a control showing the
# way out is real without chdrop: the session keyring, namespace and pidfd
# descriptors, --inherit-fds, --chdir with the target's permissions, the
# --new-session relay's core dump, the dry run's output, SIGCONT in the
# caller's session.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	# A user namespace owned by the target user, held open by a sleeper
	# of that user: setns into it gives CAP_SYS_CHROOT there.
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups \
		unshare -U sleep 600 >/dev/null 2>&1 3>&- &
	NS_PID=$!
	# A process of the target user outside the root, holding a directory
	# descriptor (9) on the host's /: what a pidfd of it can reach.
	setpriv --reuid="$TUSER_UID" --regid="$TUSER_GID" --clear-groups \
		sh -c 'exec 9</; exec sleep 600' >/dev/null 2>&1 3>&- &
	HOLDER_PID=$!
	echo "$NS_PID $HOLDER_PID" >"$TESTDIR/pids"
	export NS_PID HOLDER_PID
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[[ "$(readlink "/proc/$NS_PID/ns/user")" != "$(readlink /proc/self/ns/user)" &&
			"$(readlink "/proc/$HOLDER_PID/fd/9" 2>/dev/null)" == / ]] && break
		sleep 0.2
	done
	# --chdir: a 0700 directory the target cannot enter, and a directory
	# of the target's own holding a symlink (planted by it) into it.
	mkdir -p "$ROOT/srv/locked/inner" "$ROOT/srv/own"
	chmod 0700 "$ROOT/srv/locked"
	chmod 0755 "$ROOT/srv/locked/inner"
	ln -s /srv/locked/inner "$ROOT/srv/own/link"
	chown -h "$TUSER_UID:$TUSER_GID" "$ROOT/srv/own" "$ROOT/srv/own/link"
	mkdir -p "$TESTDIR/scratch"
}
teardown_file() {
	if [[ -f "${TESTDIR:-}/pids" ]]; then
		# shellcheck disable=SC2046  # two pids, word-split on purpose
		kill $(cat "$TESTDIR/pids") 2>/dev/null || true
	fi
	default_teardown_file
}
setup() {
	default_setup
	export TUSER  # for the sh -c scripts below
}

# with_pidfd PID N CMD...: exec CMD with a pidfd of PID on descriptor N.
with_pidfd() {
	python3 -c '
import os, sys
fd = os.pidfd_open(int(sys.argv[1]))
n = int(sys.argv[2])
if fd != n:
    os.dup2(fd, n)
    os.close(fd)
os.set_inheritable(n, True)
os.execvp(sys.argv[3], sys.argv[3:])
' "$@"
}

# --- 1. the session keyring ---------------------------------------------------

# in_root_session SCRIPT: run SCRIPT (sh) as root in a fresh session keyring
# holding a user key "secret" (id in $k) and a linked keyring "linked"
# holding a user key "inner" (id in $ik); $CHDROP_SH runs chdrop.
in_root_session() {
	require_keyctl
	CHDROP_SH=$(chdrop_sh) run --separate-stderr keyctl session - sh -c '
		k=$(keyctl add user secret hunter2 @s) || exit 99
		lk=$(keyctl newring linked @s) || exit 99
		ik=$(keyctl add user inner hunter3 "$lk") || exit 99
		'"$1"
}

@test "a user key in the caller's session keyring is unreachable for the target" {
	in_root_session 'eval "$CHDROP_SH -u $TUSER -- keyctl print $k"; echo "rc=$?"'
	assert_line rc=1
	refute_output --partial hunter2
	[[ "$stderr" == *"Permission denied"* ]]
}

@test "control: without a new keyring the same uid reads root's key" {
	in_root_session 'setpriv --reuid=$TUSER_UID --regid=$TUSER_GID --clear-groups keyctl print $k'
	assert_output hunter2
}

@test "a keyring linked into the caller's is unreachable too" {
	in_root_session 'eval "$CHDROP_SH -u $TUSER -- keyctl print $ik"; echo "rc=$?"
		eval "$CHDROP_SH -u $TUSER -- keyctl search @s user inner"; echo "search=$?"'
	assert_line rc=1
	assert_line search=1
	refute_output --partial hunter3
}

@test "control: the linked key is found through an inherited keyring" {
	in_root_session 'setpriv --reuid=$TUSER_UID --regid=$TUSER_GID --clear-groups keyctl search @s user inner >/dev/null && echo found'
	assert_output found
}

@test "the target's keyring is its own: it adds and reads keys, root never sees them" {
	in_root_session 'eval "$CHDROP_SH -u $TUSER -- sh -c '\''keyctl add user planted x @s >/dev/null && keyctl print %user:planted && keyctl rdescribe @s'\'' 2>&1"
		echo "--- root sees:"; keyctl list @s'
	assert_line x
	# keyring;UID;GID;PERM;NAME: owned by the target user, not by root
	assert_line --regexp "^keyring;$TUSER_UID;$TUSER_GID;"
	refute_output --partial planted
	[[ "$output" == *"--- root sees:"*"secret"* ]]
}

@test "the new keyring is verified and narrated under -v" {
	in_root_session 'eval "$CHDROP_SH -v -u $TUSER -- /bin/true"'
	[[ "$stderr" == *"new session keyring"* ]]
}

@test "a target uid whose key quota is used up: 125, saying so" {
	# uid 54391 (no account, and no other test uses it: the keys outlive the
	# filler until the kernel collects them) fills its own quota from a keyring of its own,
	# kept alive while chdrop runs as that uid.
	require_keyctl
	mkdir -p "$TESTDIR/q" && chown 54391:54391 "$TESTDIR/q"
	setpriv --reuid=54391 --regid=54391 --clear-groups keyctl session - sh -c '
		i=0; while keyctl add user "k$i" x @s >/dev/null 2>&1; do i=$((i+1)); done
		if keyctl newring probe @s 2>&1 | grep -q quota; then r=full; else r=notfull; fi
		echo "$r" >"$1.tmp"; mv "$1.tmp" "$1"; exec sleep 30' sh "$TESTDIR/q/full" 3>&- &
	local filler=$!
	for _ in $(seq 100); do [[ -e "$TESTDIR/q/full" ]] && break; sleep 0.1; done
	[[ "$(cat "$TESTDIR/q/full")" == full ]]
	run -125 --separate-stderr chdrop -u 54391 -g 54391 -- /bin/true
	kill "$filler" 2>/dev/null || true
	assert_one_error_line
	[[ "$stderr" == *"new session keyring: uid 54391 has used its key quota"* ]]
}

# --- 2. namespace and pidfd descriptors ---------------------------------------

@test "--keep-fd of a user-namespace descriptor is refused" {
	run -125 --separate-stderr chdrop --keep-fd=7 -r "$ROOT" -u "$TUSER" -- \
		/bin/probe setns 7 chroot-escape 7<"/proc/$NS_PID/ns/user"
	assert_one_error_line
	[[ "$stderr" == *"--keep-fd 7 is a namespace"* ]]
	refute_target_ran
}

@test "control: that user-namespace descriptor takes a chroot out (setns, chroot escape)" {
	run -0 --separate-stderr chroot --userspec="$TUSER_UID:$TUSER_GID" "$ROOT" \
		/bin/probe setns 7 chroot-escape 7<"/proc/$NS_PID/ns/user"
	assert_probe setns ok
	assert_probe chroot_escape ok
	assert_probe escaped_root_ino "$(root_ino_of /)"
}

@test "a namespace of any kind is refused, on standard input too" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe </proc/self/ns/mnt
	assert_one_error_line
	[[ "$stderr" == *"descriptor 0 is a namespace"* ]]
	refute_target_ran
}

@test "a namespace descriptor in the LISTEN_FDS range is refused" {
	run -125 --separate-stderr sh -c 'exec 3<"/proc/$1/ns/user"; shift
		LISTEN_PID=$$ LISTEN_FDS=1 exec "$@"' sh "$NS_PID" \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"LISTEN_FDS descriptor 3 is a namespace"* ]]
	refute_target_ran
}

@test "--keep-fd of a pidfd is refused" {
	run -125 --separate-stderr with_pidfd "$HOLDER_PID" 8 "${CHDROP_ARGV[@]}" \
		--keep-fd=8 -r "$ROOT" -u "$TUSER" -- /bin/probe pidfd-getfd 8 9 etc/passwd
	assert_one_error_line
	[[ "$stderr" == *"--keep-fd 8 is a pidfd"* ]]
	refute_target_ran
}

@test "control: that pidfd takes a directory of the host from outside (pidfd_getfd)" {
	# Root itself first: a container's seccomp filter (systemd-nspawn's)
	# may refuse pidfd_getfd(2) to everyone, chdrop's target included.
	run -0 --separate-stderr with_pidfd "$HOLDER_PID" 8 "$ROOT/bin/probe" \
		pidfd-getfd 8 9 "${TESTDIR#/}/pids"
	[[ "$(probe_val pidfd_getfd)" == ok ]] ||
		skip "pidfd_getfd(2) refused even to root here ($(probe_val pidfd_getfd)): a container's seccomp filter"
	run -0 --separate-stderr with_pidfd "$HOLDER_PID" 8 chroot \
		--userspec="$TUSER_UID:$TUSER_GID" "$ROOT" /bin/probe pidfd-getfd 8 9 "${TESTDIR#/}/pids"
	assert_probe pidfd_getfd ok
	assert_probe pidfd_openat ok
}

# --- 4. --inherit-fds ------------------------------------------------------------

@test "--inherit-fds refuses an inherited directory" {
	run -125 --separate-stderr chdrop --inherit-fds -r "$ROOT" -u "$TUSER" -- \
		/bin/probe openat-fd 7 etc/passwd 7</
	assert_one_error_line
	[[ "$stderr" == *"--inherit-fds: descriptor 7 is a directory"* ]]
	refute_target_ran
}

@test "--inherit-fds refuses an inherited namespace and an inherited pidfd" {
	run -125 --separate-stderr chdrop --inherit-fds -r "$ROOT" -u "$TUSER" -- \
		/bin/probe 12<"/proc/$NS_PID/ns/user"
	[[ "$stderr" == *"--inherit-fds: descriptor 12 is a namespace"* ]]
	run -125 --separate-stderr with_pidfd "$HOLDER_PID" 8 "${CHDROP_ARGV[@]}" \
		--inherit-fds -r "$ROOT" -u "$TUSER" -- /bin/probe
	[[ "$stderr" == *"--inherit-fds: descriptor 8 is a pidfd"* ]]
	refute_target_ran
}

@test "--inherit-fds still keeps every harmless descriptor" {
	run -0 --separate-stderr chdrop --inherit-fds -r "$ROOT" -u "$TUSER" -- \
		/bin/probe report read-fd 8 8<"$ROOT/etc/group" 200</dev/null
	local fds
	fds=",$(probe_val fds),"  # 8 and 200 may be neighbours in the list
	[[ "$fds" == *,8,* && "$fds" == *,200,* ]]
	assert_probe read root:x:0:
}

@test "--inherit-fds without /proc to list descriptors fails closed" {
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "a wrapper (valgrind) needs /proc itself"
	run -125 --separate-stderr unshare -m sh -c 'umount -l /proc && exec "$@"' sh \
		"${CHDROP_ARGV[@]}" --inherit-fds -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"--inherit-fds: cannot list descriptors"* ]]
	refute_target_ran
}

@test "without /proc, an anonymous inode that cannot be named is refused" {
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "a wrapper (valgrind) needs /proc itself"
	run -125 --separate-stderr unshare -m sh -c 'umount -l /proc && exec "$@"' sh \
		"$ROOT/bin/probe" io-uring-dir / 5 "${CHDROP_ARGV[@]}" --keep-fd=5 \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"--keep-fd 5 is an anonymous inode"* ]]
	refute_target_ran
}

@test "fact: Landlock alone does not make an outside directory descriptor harmless" {
	# What the SECURITY table says Landlock covers and does not, on the
	# running kernel; why --inherit-fds must refuse directories itself.
	local out="$TESTDIR/llout"
	mkdir -p "$out" && touch "$out/f" "$out/g"
	chown -R "$TUSER_UID:$TUSER_GID" "$out"
	python3 -c 'import os, socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1] + "/sock")
os.chown(sys.argv[1] + "/sock", int(sys.argv[2]), int(sys.argv[3]))
s.listen(); time.sleep(10)' "$out" "$TUSER_UID" "$TUSER_GID" 3>&- &
	local listener=$!
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		[[ -S "$out/sock" ]] && break
		sleep 0.1
	done
	sleep 0.2
	run -0 --separate-stderr "$BATS_TEST_DIRNAME/landlock-dirfd.py" "$ROOT" "$out" "$TUSER_UID" "$TUSER_GID"
	[[ "$output" != abi=too-old ]] || skip "Landlock ABI < 5"
	for op in open mkdir unlink rename truncate; do
		assert_line "$op=Permission denied"
	done
	for op in chmod chown utime setxattr connect; do
		assert_line "$op=ok"
	done
	kill "$listener"
}

# --- 3. --chdir with the target's permissions ------------------------------------

@test "--chdir through a target-planted symlink into a 0700 directory is refused" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -w /srv/own/link -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"--chdir=/srv/own/link: Permission denied"* ]]
	refute_target_ran
}

@test "control: root, who may enter the 0700 directory, is taken there by the symlink" {
	run -0 --separate-stderr chdrop --allow-root -r "$ROOT" -u 0 -g 0 -G '' -w /srv/own/link -- /bin/probe
	assert_probe cwd /srv/locked/inner
}

@test "--chdir into the target's own directory works" {
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -w /srv/own -- /bin/probe
	assert_probe cwd /srv/own
}

# --- 5. the --new-session relay never dumps core -------------------------------------

# relay_run SCRIPT-TAIL: from an interactive-like shell (job control on, so
# chdrop leads a process group and the relay forks), in $TESTDIR/scratch
# with core dumps unlimited.
relay_run() {
	CHDROP_SH=$(chdrop_sh) run --separate-stderr bash -c 'set -m
		cd "$TESTDIR/scratch" && rm -f core core.*
		ulimit -c unlimited
		'"$1"
}

@test "--new-session: the relay re-raises SIGSEGV without leaving a core file" {
	[[ "$(cat /proc/sys/kernel/core_pattern)" == core* ]] ||
		skip "core_pattern is not a plain file name"
	relay_run 'eval "exec $CHDROP_SH --new-session -r $ROOT -u $TUSER -- /bin/probe raise 11" &
		wait $!; echo "status=$?"; ls'
	assert_line status=139
	refute_line --regexp '^core'
}

@test "--new-session: the relay runs with RLIMIT_CORE 0" {
	relay_run 'eval "exec $CHDROP_SH --new-session -r $ROOT -u $TUSER -- /bin/probe sleep 20" &
		p=$!
		for i in $(seq 100); do  # until the target runs (slow under valgrind)
			[ "$(cat /proc/$(pgrep -P $p)/comm 2>/dev/null)" = probe ] && break
			sleep 0.1; done
		grep "Max core file size" /proc/$p/limits; kill -9 $p'
	assert_output --regexp 'Max core file size +0 +0 '
}

# --- 6. the dry run --------------------------------------------------------------------

@test "-n: a write error on standard output is exit 125" {
	run -125 --separate-stderr sh -c '"$@" >/dev/full' sh \
		"${CHDROP_ARGV[@]}" -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == *"--dry-run"* ]]
}

@test "-n: a newline in -e or an argument never forges a line; values are escaped" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" \
		-e "X=a
uid=0" -- /bin/probe "b
gid=0" 'c\d	e'"$(printf '\001\377')"
	[ "$(grep -c '^uid=' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^gid=' <<<"$output")" -eq 1 ]
	assert_line 'env.X=a\x0auid=0'
	assert_line 'argv.1=b\x0agid=0'
	assert_line 'argv.2=c\x5cd\x09e\x01\xff'
	assert_line uid="$TUSER_UID"
}

# --- 7. SIGCONT in the caller's session ----------------------------------------------------

# sigcont_run OPTS...: in a new session, a stopped root process; the target
# sends it SIGCONT; say whether it was refused and the process's state.
sigcont_run() {
	CHDROP_SH=$(chdrop_sh) run --separate-stderr setsid -w sh -c '
		sleep 30 & p=$!; kill -STOP $p
		eval "$CHDROP_SH $* -r $ROOT -u $TUSER -- /bin/probe signal $p 18"
		sleep 0.2; echo "state=$(ps -o stat= -p $p | cut -c1)"; kill -9 $p' sh "$@"
}

@test "control: in the caller's session the target can SIGCONT a root process" {
	sigcont_run
	assert_line signal=ok
	assert_line state=S
}

@test "--new-session: the target cannot SIGCONT root's processes in the caller's session" {
	sigcont_run --new-session
	assert_line signal=EPERM
	assert_line state=T
}
