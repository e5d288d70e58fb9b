# SPDX-License-Identifier: ISC
# Shared helpers for chdrop's bats suite.  Every .bats file starts with
# `load helpers`.
#
# Environment knobs:
#   CHDROP            the binary under test (default: ../chdrop)
#   CHDROP_WRAPPER    a command prefix for every chdrop run, word-split,
#                     e.g. "valgrind -q --error-exitcode=99"
#   CHDROP_TEST_BASE  root-owned, non-writable, suid-capable directory under
#                     which test roots are made (default /var/lib; /tmp would
#                     fail chdrop's ownership rule, /run is often nosuid)
#   CC                compiler for tests/probe when it is missing or stale

# $output, $stderr and $status come from bats' run.
# shellcheck disable=SC2154

bats_require_minimum_version 1.5.0

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

CHDROP="${CHDROP:-$BATS_TEST_DIRNAME/../chdrop}"
PROBE_BIN="$BATS_TEST_DIRNAME/probe"
CHDROP_TEST_BASE="${CHDROP_TEST_BASE:-/var/lib}"

# Host identities for host-database tests.  chdroptest has a home that
# exists inside the test roots; chdroptest2 has one that does not.
TUSER=chdroptest
TUSER2=chdroptest2
TSUPP1=chdropsupp1
TSUPP2=chdropsupp2

# Run chdrop (through $CHDROP_WRAPPER when set).  Use this everywhere.
chdrop() {
	local -a wrapper=()
	if [[ -n "${CHDROP_WRAPPER:-}" ]]; then
		read -r -a wrapper <<<"$CHDROP_WRAPPER"
	fi
	"${wrapper[@]}" "$CHDROP" "$@"
}

# The same as an array, for running chdrop under another command
# (setpriv ... -- "${CHDROP_ARGV[@]}" ARGS...).
CHDROP_ARGV=()
if [[ -n "${CHDROP_WRAPPER:-}" ]]; then
	read -r -a CHDROP_ARGV <<<"$CHDROP_WRAPPER"
fi
CHDROP_ARGV+=("$CHDROP")

# The same command as a quoted string, for `sh -c '... exec CHDROP_SH ...'`
# where the shell function is out of reach.
chdrop_sh() {
	local -a wrapper=()
	if [[ -n "${CHDROP_WRAPPER:-}" ]]; then
		read -r -a wrapper <<<"$CHDROP_WRAPPER"
	fi
	printf '%q ' "${wrapper[@]}" "$CHDROP"
}

# Skip unless root.  Call from setup(), never setup_file(): bats 1.8.2 fails
# the whole file on a skip in setup_file.
require_root() {
	if [[ $EUID -ne 0 ]]; then
		skip "needs root"
	fi
}

is_root() { [[ $EUID -eq 0 ]]; }

# Fail (not skip) when the binary under test is missing: a suite that skips
# everything would look green.
require_chdrop() {
	if [[ ! -x "$CHDROP" ]]; then
		fail "chdrop binary not found at $CHDROP (run make)"
	fi
}

# Build tests/probe (static) when missing or older than probe.c.  Built to a
# temporary name and renamed, so a concurrent run never sees half a file.
ensure_probe() {
	local src="$BATS_TEST_DIRNAME/probe.c" tmp
	if [[ -x "$PROBE_BIN" && ! "$src" -nt "$PROBE_BIN" ]]; then
		return 0
	fi
	tmp="$PROBE_BIN.tmp.$$"
	"${CC:-cc}" -static -O2 -o "$tmp" "$src" || return 1
	mv -f "$tmp" "$PROBE_BIN"
}

# Create the host users and groups once; leaving them behind is fine.
# The lock lives beside the test roots: /run/lock is missing in containers
# that were not booted.
ensure_test_users() {
	(
		flock 9
		getent group "$TSUPP1" >/dev/null || groupadd -r "$TSUPP1"
		getent group "$TSUPP2" >/dev/null || groupadd -r "$TSUPP2"
		getent passwd "$TUSER" >/dev/null ||
			useradd -r -U -M -d "/home/$TUSER" -s /bin/sh \
				-G "$TSUPP1,$TSUPP2" "$TUSER"
		getent passwd "$TUSER2" >/dev/null ||
			useradd -r -U -M -d "/home/$TUSER2" -s /bin/sh "$TUSER2"
	) 9>"$CHDROP_TEST_BASE/chdrop-test-users.lock" || return 1
	TUSER_UID=$(id -u "$TUSER")
	TUSER_GID=$(id -g "$TUSER")
	TUSER2_UID=$(id -u "$TUSER2")
	TUSER2_GID=$(id -g "$TUSER2")
	TSUPP1_GID=$(getent group "$TSUPP1" | cut -d: -f3)
	TSUPP2_GID=$(getent group "$TSUPP2" | cut -d: -f3)
	export TUSER_UID TUSER_GID TUSER2_UID TUSER2_GID TSUPP1_GID TSUPP2_GID
}

# A fresh root-owned 0755 directory under $CHDROP_TEST_BASE.
new_test_dir() {
	local d
	d=$(mktemp -d "$CHDROP_TEST_BASE/chdrop-test.XXXXXX") || return 1
	chmod 0755 "$d"
	printf '%s\n' "$d"
}

# Remove a directory made by new_test_dir, and nothing else.
remove_test_dir() {
	local d="${1:-}"
	case "$d" in
	"$CHDROP_TEST_BASE"/chdrop-test.?*)
		# Anything a test mounted in there goes first; never cross into it.
		grep -F " $d/" /proc/mounts | cut -d' ' -f2 | sort -r |
			while read -r m; do umount -l "$m"; done
		rm -rf --one-file-system -- "$d"
		;;
	*) return 0 ;;
	esac
}

# Identities that exist only inside the roots (--userdb=root); the numbers
# are chosen not to exist on the host.  The root's file also names
# chdroptest, with a uid different from the host's, to tell the two apart.
JAIL_UID=54001
JAIL_GID=54001
JAIL_SUPP_GID=54002
JAIL_TUSER_UID=54010
JAIL_TUSER_GID=54010

# make_root DIR: a minimal root that holds the static probe as /bin/probe,
# /etc/passwd, /etc/group and home directories; everything root-owned, 0755.
make_root() {
	local r="$1"
	mkdir -p "$r/bin" "$r/etc" "$r/home/$TUSER" "$r/home/jailuser" \
		"$r/srv/work" || return 1
	install -m 0755 "$PROBE_BIN" "$r/bin/probe" || return 1
	cat >"$r/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
jailuser:x:$JAIL_UID:$JAIL_GID:jail user:/home/jailuser:/bin/jailsh
$TUSER:x:$JAIL_TUSER_UID:$JAIL_TUSER_GID:jail copy:/home/$TUSER:/bin/sh
nohome:x:54020:54001::/home/nohome:/bin/sh
EOF
	cat >"$r/etc/group" <<EOF
root:x:0:
jailgrp:x:$JAIL_GID:
jailsupp:x:$JAIL_SUPP_GID:jailuser,someoneelse
$TUSER:x:$JAIL_TUSER_GID:
EOF
	chmod 0644 "$r/etc/passwd" "$r/etc/group"
	chown -R 0:0 "$r"
	find "$r" -type d -exec chmod 0755 {} +
}

# The usual setup_file: probe built; as root, users made and one root built
# in $TESTDIR/root.  Exported so the tests see them.
default_setup_file() {
	ensure_probe || return 1
	export PROBE_BIN
	if is_root; then
		ensure_test_users || return 1
		TESTDIR=$(new_test_dir) || return 1
		ROOT="$TESTDIR/root"
		make_root "$ROOT" || return 1
		export TESTDIR ROOT
		# For runs without -r: a probe path every user can reach.
		HPROBE="$ROOT/bin/probe"
		export HPROBE
	fi
}

default_teardown_file() {
	remove_test_dir "${TESTDIR:-}"
}

default_setup() {
	require_chdrop
	require_root
}

# probe_val KEY: the value of the first KEY=... line in $output.
probe_val() {
	local line
	while IFS= read -r line; do
		if [[ "$line" == "$1="* ]]; then
			printf '%s\n' "${line#"$1="}"
			return 0
		fi
	done <<<"$output"
	return 1
}

# assert_probe KEY VALUE: the probe reported KEY=VALUE.
assert_probe() {
	local v
	if ! v=$(probe_val "$1"); then
		batslib_print_kv_single_or_multi 8 key "$1" output "$output" |
			batslib_decorate "probe key missing" | fail
		return 1
	fi
	assert_equal "$v" "$2"
}

# stat "/" of a root as the probe prints it: dev:ino.
root_ino_of() {
	stat -c '%d:%i' "$1"
}

# The target did not run: no probe report on stdout.  (Not refute_line:
# bats-assert's refute_line trips over set -u when stdout is empty.)
refute_target_ran() {
	if grep -qE '^(pid|uid|touch|open|read|arg_count)=' <<<"$output"; then
		batslib_print_kv_single_or_multi 8 output "$output" |
			batslib_decorate "the target ran" | fail
		return 1
	fi
}

# assert_one_error_line: stderr is one line, "chdrop: ...".  Against the
# ASan build (make check-sanitize), the runtime's own warnings where /proc
# is missing (==PID==WARNING: ..., and the two lines that follow one) are
# not chdrop's and are set aside; a real report still fails the gate.
assert_one_error_line() {
	local n
	if [[ "$CHDROP" == *-asan ]]; then
		stderr=$(printf '%s\n' "$stderr" | grep -Ev '^==[0-9]+==WARNING: |^False positive error reports may follow$|^For details see https://github.com/google/sanitizers/issues/189$')
	fi
	n=$(printf '%s' "$stderr" | grep -c '')
	if [[ "$n" -ne 1 || "$stderr" != "chdrop: "* ]]; then
		batslib_print_kv_single_or_multi 8 stderr "$stderr" |
			batslib_decorate "expected one 'chdrop: ' line on stderr" | fail
		return 1
	fi
}

# wait_exec PID NAME: wait (5 s at most) until process PID runs NAME.
# Between setpriv's uid change and its exec a process is not dumpable, and
# its /proc/PID/root refuses even its own user: a test that looks sooner
# sees EACCES for a reason that is not the one under test.
wait_exec() {
	local _
	for _ in $(seq 50); do
		[[ "$(cat "/proc/$1/comm" 2>/dev/null)" == "$2" ]] && return 0
		sleep 0.1
	done
	return 1
}

# Run a command as nobody:nogroup with no capabilities.
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# The running kernel's Landlock ABI version (0: none, or refused).
landlock_abi() {
	python3 -c 'import ctypes; print(max(0, ctypes.CDLL(None).syscall(444, None, 0, 1)))'
}

# Skip, saying why, where Landlock is not available: a kernel without it,
# or a container whose seccomp filter refuses its calls (systemd-nspawn
# does, unless started with --system-call-filter='landlock_create_ruleset
# landlock_add_rule landlock_restrict_self').  chdrop then runs without it.
require_landlock() {
	[ "$(landlock_abi)" -ge "${1:-1}" ] ||
		skip "Landlock ABI ${1:-1} not available here (kernel without it, or refused by a container's seccomp filter)"
}

# require_keyctl: skip where keyctl(2) is refused (systemd-nspawn's seccomp
# filter refuses it: keyrings are not namespaced) or the kernel has no
# keyrings.  What chdrop does then is tested in 57-enforced.bats, there too.
require_keyctl() {
	keyctl rdescribe @s >/dev/null 2>&1 ||
		skip "keyctl(2) refused here (a container's seccomp filter, as systemd-nspawn's) or no keyrings"
}

# mount_proc ROOT: a /proc inside a test root, for the magic-link tests
# (remove_test_dir unmounts it; umount_proc does it earlier).
mount_proc() {
	mkdir -p "$1/proc" && mount -t proc proc "$1/proc"
}
umount_proc() {
	[ -n "${1:-}" ] && umount -l "$1/proc" 2>/dev/null
	true
}
