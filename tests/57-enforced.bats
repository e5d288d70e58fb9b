#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# shellcheck disable=SC2016,SC2154  # sh -c scripts; run sets $output/$stderr
# Saying what is enforced: a layer the environment takes away is said at
# default verbosity, with its real cause; --require-landlock makes that
# fatal; -n measures the layers as a run does and fails where a run fails;
# every capability chdrop lacks is named before anything changes; the
# terminal guard is verified by its effect.
#
# tests/seccomp/refuse.c puts a seccomp filter of the kind a service
# manager or container uses (Landlock calls answered with EPERM, ENOSYS or
# EOPNOTSUPP; no further filter allowed; keyctl refused; or an unrelated
# one) on chdrop.

load helpers

setup_file() {
	default_setup_file || return 1
	is_root || return 0
	"${CC:-cc}" -O2 -Wall -Wextra -o "$TESTDIR/refuse" \
		"$BATS_TEST_DIRNAME/seccomp/refuse.c" -lseccomp || return 1
	"${CC:-cc}" -shared -fPIC -O2 -o "$TESTDIR/liar.so" \
		"$BATS_TEST_DIRNAME/liar/liar.c" -ldl || return 1
	mkdir -m 1777 "$TESTDIR/out"
	REFUSE="$TESTDIR/refuse"
	LIAR="$TESTDIR/liar.so"
	export REFUSE LIAR
}
teardown_file() { default_teardown_file; }
setup() {
	default_setup
	rm -f "$TESTDIR/out/ran"
}

# Landlock and its absence need a kernel that has it to begin with.
need_landlock() {
	[ "$(landlock_abi)" -ge 1 ] || skip "kernel without Landlock"
}

# The target did not run: nothing written to out/ran.
assert_not_ran() {
	[[ ! -e "$TESTDIR/out/ran" ]] || fail "the target ran"
}

# --- Landlock taken away ------------------------------------------------------

@test "control: with Landlock there, default verbosity says nothing" {
	need_landlock
	run -0 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" ""
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "Landlock refused by a seccomp filter (EPERM): one notice by default, the real cause" {
	need_landlock
	run -0 --separate-stderr "$REFUSE" -l EPERM -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: notice: Landlock is not in force: refused by a seccomp filter (landlock_create_ruleset: EPERM); file access is confined by the root alone"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "Landlock answered ENOSYS: said as a kernel without it (or a filter hiding it)" {
	need_landlock
	run -0 --separate-stderr "$REFUSE" -l ENOSYS -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: notice: Landlock is not in force: the kernel has no Landlock, or a seccomp filter hides it (landlock_create_ruleset: ENOSYS); file access is confined by the root alone"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "Landlock answered EOPNOTSUPP: said as disabled at boot" {
	need_landlock
	run -0 --separate-stderr "$REFUSE" -l EOPNOTSUPP -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: notice: Landlock is not in force: disabled at boot (landlock_create_ruleset: EOPNOTSUPP; see lsm= on the kernel command line); file access is confined by the root alone"
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "--require-landlock: refused Landlock is fatal, 125, nothing runs" {
	need_landlock
	run -125 --separate-stderr "$REFUSE" -l EPERM -- "${CHDROP_ARGV[@]}" \
		--require-landlock -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: --require-landlock: Landlock is not in force: refused by a seccomp filter (landlock_create_ruleset: EPERM)"
	assert_not_ran
	refute_target_ran
}

@test "control: --require-landlock with Landlock there runs the target" {
	need_landlock
	run -0 --separate-stderr chdrop --require-landlock -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" ""
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
}

@test "--require-landlock with --no-landlock, or with nothing to confine, is refused" {
	run -125 --separate-stderr chdrop --require-landlock --no-landlock -r "$ROOT" \
		-u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: --require-landlock contradicts --no-landlock"
	run -125 --separate-stderr chdrop --require-landlock -u "$TUSER" -- "$HPROBE"
	assert_equal "$stderr" "chdrop: --require-landlock: without --root or --scope Landlock has nothing to confine"
}

@test "--scope under a filter refusing Landlock blames the filter, not the kernel" {
	need_landlock
	run -125 --separate-stderr "$REFUSE" -l EPERM -- "${CHDROP_ARGV[@]}" \
		--scope=signal -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: --scope: needs Landlock ABI 6, and Landlock is not in force: refused by a seccomp filter (landlock_create_ruleset: EPERM)"
	assert_not_ran
}

# --- -n measures the layers ---------------------------------------------------

@test "-n: landlock=yes with the ABI, tty_guard=yes" {
	need_landlock
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "landlock=yes, ABI $(landlock_abi)"
	assert_line "tty_guard=yes"
}

@test "-n under a filter refusing Landlock: landlock=no and why, as a run would find it" {
	need_landlock
	run -0 --separate-stderr "$REFUSE" -l EPERM -- "${CHDROP_ARGV[@]}" \
		-n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "landlock=no: refused by a seccomp filter (landlock_create_ruleset: EPERM)"
	assert_line "tty_guard=yes"
}

@test "-n --require-landlock under that filter: 125 like the run" {
	need_landlock
	run -125 --separate-stderr "$REFUSE" -l EPERM -- "${CHDROP_ARGV[@]}" \
		-n --require-landlock -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: --require-landlock: Landlock is not in force: refused by a seccomp filter (landlock_create_ruleset: EPERM)"
}

@test "-n: landlock and tty_guard say when they are turned off" {
	run -0 --separate-stderr chdrop -n --no-landlock --no-tty-guard -r "$ROOT" \
		-u "$TUSER" -- /bin/probe
	assert_line "landlock=no: --no-landlock"
	assert_line "tty_guard=no: --no-tty-guard"
	run -0 --separate-stderr chdrop -n -u "$TUSER" -- "$HPROBE"
	assert_line "landlock=no: no --root, nothing to confine"
}

# --- the terminal guard cannot be loaded --------------------------------------

@test "a filter that forbids more filters: the run fails with 125, never unguarded" {
	run -125 --separate-stderr "$REFUSE" -t -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: terminal guard: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) (--no-tty-guard runs without it): Operation not permitted"
	assert_not_ran
}

@test "-n under that filter: tty_guard=no and why, and 125 like the run" {
	run -125 --separate-stderr "$REFUSE" -t -- "${CHDROP_ARGV[@]}" \
		-n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "tty_guard=no: prctl(PR_SET_SECCOMP): Operation not permitted"
	assert_equal "$stderr" "chdrop: terminal guard: prctl(PR_SET_SECCOMP): Operation not permitted (--no-tty-guard runs without it)"
}

@test "control: under that filter --no-tty-guard runs, and -n exits 0" {
	run -0 --separate-stderr "$REFUSE" -t -- "${CHDROP_ARGV[@]}" \
		--no-tty-guard -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_probe uid "$TUSER_UID,$TUSER_UID,$TUSER_UID"
	run -0 --separate-stderr "$REFUSE" -t -- "${CHDROP_ARGV[@]}" \
		-n --no-tty-guard -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "tty_guard=no: --no-tty-guard"
}

# --- the session keyring refused -----------------------------------------------

@test "keyctl refused by a filter (as systemd-nspawn's): the target runs, no keyring reachable, said under -v" {
	run -0 --separate-stderr "$REFUSE" -k -- "${CHDROP_ARGV[@]}" -v -u "$TUSER" -- \
		sh -c 'keyctl rdescribe @s; echo "keyctl=$?"'
	assert_line keyctl=1
	[[ "$stderr" == *"chdrop: no session keyring reachable (keyctl: Operation not permitted)"* ]]
	[[ "$stderr" == *"keyctl_describe: Operation not permitted"* ]]
	refute_output --partial "keyring;"
}

@test "a filter refusing only a new keyring, the caller's still reachable: 125, nothing runs" {
	require_keyctl
	run -125 --separate-stderr "$REFUSE" -j -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: keyctl(KEYCTL_JOIN_SESSION_KEYRING): Operation not permitted"
	assert_not_ran
}

# --- the guard verified by effect ---------------------------------------------

@test "a lying prctl under an unrelated filter: seccomp mode 2, but the guard is caught missing" {
	# A preload reaches only a dynamically linked chdrop, run directly.
	[[ -z "${CHDROP_WRAPPER:-}" ]] || skip "not under a wrapper"
	readelf -d "$CHDROP" 2>/dev/null | grep -q NEEDED || skip "chdrop is statically linked"
	run -125 --separate-stderr "$REFUSE" -u -- env LD_PRELOAD="$LIAR" \
		CHDROP_LIAR=seccomp "$CHDROP" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: verification failed: terminal guard: TIOCSTI/TIOCLINUX are not refused"
	assert_not_ran
}

@test "control: under the unrelated filter alone the guard holds and the target runs" {
	run -0 --separate-stderr "$REFUSE" -u -- "${CHDROP_ARGV[@]}" \
		-r "$ROOT" -u "$TUSER" -- /bin/probe tiocsti
	assert_probe tiocsti EPERM
}

# --- -n fails where a run fails -----------------------------------------------

@test "-n: PROGRAM missing in the root is 127, as the run" {
	run -127 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -- /usr/sbin/nope
	assert_equal "$stderr" "chdrop: exec /usr/sbin/nope: No such file or directory"
	run -127 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -- /usr/sbin/nope
	assert_equal "$stderr" "chdrop: exec /usr/sbin/nope: No such file or directory"
}

@test "-n: a bare name is looked up in PATH inside the root, not on the host" {
	# true is on the host's PATH, not in the root
	run -127 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -e PATH=/bin -- true
	assert_equal "$stderr" "chdrop: exec true: No such file or directory"
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -e PATH=/usr/bin:/bin -- probe
	assert_line program=probe
	run -127 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -e PATH=/usr/bin -- probe
}

@test "-n: a relative PROGRAM is found from --chdir inside the root" {
	run -0 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -w /srv -- ../bin/probe
	run -127 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -w /srv/work -- ../bin/probe
}

@test "-n: a missing --chdir is 125, as the run" {
	run -125 --separate-stderr chdrop -n -r "$ROOT" -u "$TUSER" -w /nonexistent -- /bin/probe
	assert_equal "$stderr" "chdrop: --chdir=/nonexistent: No such file or directory"
	run -125 --separate-stderr chdrop -r "$ROOT" -u "$TUSER" -w /nonexistent -- /bin/probe
	assert_equal "$stderr" "chdrop: --chdir=/nonexistent: No such file or directory"
}

@test "-n: a missing capability is 125, with the run's message" {
	run -125 --separate-stderr capsh --inh= --drop=cap_sys_chroot -- -c 'exec "$@"' sh \
		"${CHDROP_ARGV[@]}" -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_line "root=$ROOT"
	assert_equal "$stderr" "chdrop: missing CAP_SYS_CHROOT, which chdrop needs itself: add it to the unit's CapabilityBoundingSet= (chdrop drops it before the target runs)"
}

@test "-n --userns where no user namespace can be made: 125, as the run" {
	local r="$TESTDIR/mine"
	make_root "$r"
	chown nobody "$r"
	run -125 --separate-stderr as_nobody "$REFUSE" -n -- "${CHDROP_ARGV[@]}" \
		-n --userns -r "$r" -- /bin/probe
	assert_line userns=1
	assert_equal "$stderr" "chdrop: unshare(CLONE_NEWUSER): Operation not permitted"
	run -125 --separate-stderr as_nobody "$REFUSE" -n -- "${CHDROP_ARGV[@]}" \
		--userns -r "$r" -- /bin/probe
	assert_equal "$stderr" "chdrop: unshare(CLONE_NEWUSER): Operation not permitted"
	run -0 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" -n --userns -r "$r" -- /bin/probe
}

@test "-n: securebits the caller locked are refused, as the run" {
	run -125 --separate-stderr capsh --secbits=0x8 -- -c 'exec "$@"' sh \
		"${CHDROP_ARGV[@]}" -n -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: securebits 0x8: locked by the caller to values chdrop cannot set"
	run -125 --separate-stderr capsh --secbits=0x8 -- -c 'exec "$@"' sh \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: securebits 0x8: locked by the caller to values chdrop cannot set"
}

# --- pre-flight: every capability chdrop needs, named -------------------------

# without CAP...: chdrop (with ARGS) under capsh, the inheritable set
# cleared too, so that a container's full inheritable set cannot give the
# capability back at exec.
without() {
	local drop=$1
	shift
	run -125 --separate-stderr capsh --inh= --drop="$drop" -- -c 'exec "$@"' sh \
		"${CHDROP_ARGV[@]}" "$@"
}

@test "each missing capability is named, with the CapabilityBoundingSet= hint" {
	local c
	for c in setuid setgid setpcap sys_chroot; do
		without "cap_$c" -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
		assert_equal "$stderr" "chdrop: missing CAP_${c^^}, which chdrop needs itself: add it to the unit's CapabilityBoundingSet= (chdrop drops it before the target runs)"
		assert_not_ran
	done
}

@test "CAP_SYS_ADMIN is named for --pivot-root, before the namespace" {
	without cap_sys_admin --pivot-root -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: missing CAP_SYS_ADMIN, which chdrop needs itself: add it to the unit's CapabilityBoundingSet= (chdrop drops it before the target runs)"
	assert_not_ran
}

@test "CAP_SYS_ADMIN is named for --allow-new-privs (seccomp and Landlock need it then)" {
	without cap_sys_admin --allow-new-privs -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: missing CAP_SYS_ADMIN, which chdrop needs itself: add it to the unit's CapabilityBoundingSet= (chdrop drops it before the target runs)"
	assert_not_ran
}

@test "several missing: all in one line" {
	without cap_setuid,cap_sys_chroot -r "$ROOT" -u "$TUSER" -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: missing CAP_SETUID, CAP_SYS_CHROOT, which chdrop needs itself: add them to the unit's CapabilityBoundingSet= (chdrop drops them before the target runs)"
	assert_not_ran
}

@test "CapabilityBoundingSet=CAP_NET_BIND_SERVICE: root is told what to add, not to be root" {
	run -125 --separate-stderr setpriv --inh-caps=-all --bounding-set=-all,+net_bind_service -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: missing CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_CHROOT, which chdrop needs itself: add them to the unit's CapabilityBoundingSet= (chdrop drops them before the target runs)"
	assert_not_ran
}

@test "control: CapabilityBoundingSet= with chdrop's own needs runs the target" {
	run -0 --separate-stderr setpriv --inh-caps=-all \
		--bounding-set=-all,+net_bind_service,+setuid,+setgid,+setpcap,+sys_chroot -- \
		"${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" -c net_bind_service -- /bin/probe
	assert_probe cap_eff 0x400
	assert_probe cap_bnd 0x400
}

@test "a caller that is not root is told to run as root or use --userns" {
	run -125 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" -r "$ROOT" -u "$TUSER" \
		-- /bin/probe touch /out/ran
	assert_equal "$stderr" "chdrop: not root, and missing CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_CHROOT, which chdrop needs itself: run it as root, or use --userns to enter a root of your own as yourself"
	assert_not_ran
	run -125 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" -n -r "$ROOT" -u "$TUSER" \
		-- /bin/probe
	assert_line "user=$TUSER"
	assert_equal "$stderr" "chdrop: not root, and missing CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_SYS_CHROOT, which chdrop needs itself: run it as root, or use --userns to enter a root of your own as yourself"
}

@test "control: a caller that already is the target needs nothing" {
	run -0 --separate-stderr as_nobody "${CHDROP_ARGV[@]}" -u nobody -g nogroup -G '' \
		-- "$HPROBE"
	assert_probe uid "$(id -u nobody),$(id -u nobody),$(id -u nobody)"
}

# --- message hints ------------------------------------------------------------

@test "a root owned by someone else: the hint says chown root before --unsafe-root" {
	local r="$TESTDIR/badowner"
	make_root "$r"
	chown 1 "$r"
	run -125 --separate-stderr chdrop -r "$r" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: --root: $r: owned by uid 1, not root (chown root $r, or --unsafe-root to allow)"
}

@test "a group-writable root: the hint says chmod go-w before --unsafe-root" {
	local r="$TESTDIR/badmode"
	make_root "$r"
	chmod g+w "$r"
	run -125 --separate-stderr chdrop -r "$r" -u "$TUSER" -- /bin/probe
	assert_equal "$stderr" "chdrop: --root: $r: writable by group or others (chmod go-w $r, or --unsafe-root to allow)"
}

@test "a user only the root's etc/passwd knows: the hint says --userdb=root" {
	run -125 --separate-stderr chdrop -r "$ROOT" -u jailuser -- /bin/probe
	assert_equal "$stderr" "chdrop: --user=jailuser: no such user on the host; the root's etc/passwd has it: --userdb=root to use that"
	run -125 --separate-stderr chdrop -r "$ROOT" -u nosuchuser -- /bin/probe
	assert_equal "$stderr" "chdrop: --user=nosuchuser: no such user"
}

@test "--userns: a root owned by another user is 'not root or you'" {
	local r="$TESTDIR/other"
	make_root "$r"
	chown 1 "$r"
	run --separate-stderr as_nobody "${CHDROP_ARGV[@]}" --userns -r "$r" -- /bin/probe
	[[ "$stderr" != *"unshare(CLONE_NEWUSER)"* ]] || skip "no unprivileged user namespaces"
	assert_equal "$status" 125
	assert_equal "$stderr" "chdrop: --root: $r: owned by uid 1, not root or you (chown yourself $r, or --unsafe-root to allow)"
}

@test "-n that cannot write its plan: 125, naming --dry-run" {
	run -125 --separate-stderr sh -c "$(chdrop_sh) -n -r \"\$1\" -u \"\$2\" -- /bin/probe >/dev/full" \
		sh "$ROOT" "$TUSER"
	assert_equal "$stderr" "chdrop: --dry-run: write: No space left on device"
}

# systemd's RestrictSUIDSGID= (and DynamicUser=) answers openat2 with
# ENOSYS, as a kernel before 5.6 would: the root's files are then opened
# one component at a time, no symlink followed.
@test "openat2 answered ENOSYS (RestrictSUIDSGID=): --userdb=root still reads ROOT/etc" {
	run -0 --separate-stderr "$REFUSE" -o -- "${CHDROP_ARGV[@]}" \
		--userdb=root -r "$ROOT" -u jailuser -- /bin/probe
	assert_probe uid "$JAIL_UID,$JAIL_UID,$JAIL_UID"
}

@test "openat2 answered ENOSYS: a symlinked ROOT/etc/passwd is still refused as one" {
	local r="$TESTDIR/symroot"
	make_root "$r"
	mv "$r/etc/passwd" "$r/etc/passwd.real"
	ln -s passwd.real "$r/etc/passwd"
	run -125 --separate-stderr "$REFUSE" -o -- "${CHDROP_ARGV[@]}" \
		--userdb=root -r "$r" -u jailuser -- /bin/probe
	assert_one_error_line
	assert_equal "$stderr" "chdrop: --userdb=root: $r/etc/passwd: reached through a symlink"
	rm -rf "$r"
}

@test "openat2 answered ENOSYS: HOME is the home inside the root, --chdir is entered" {
	run -0 --separate-stderr "$REFUSE" -o -- "${CHDROP_ARGV[@]}" \
		--userdb=root -r "$ROOT" -u jailuser --chdir=/srv/work -- /bin/probe
	assert_probe env.HOME /home/jailuser
	assert_probe cwd /srv/work
	assert_equal "$stderr" ""
}

@test "openat2 answered ENOSYS: a --chdir through a symlink is refused, naming it and why" {
	local r="$TESTDIR/chroot-sym"
	make_root "$r"
	ln -s srv/work "$r/work"
	run -125 --separate-stderr "$REFUSE" -o -- "${CHDROP_ARGV[@]}" \
		-r "$r" -u "$TUSER" --chdir=/work -- /bin/probe
	assert_one_error_line
	[[ "$stderr" == "chdrop: --chdir=/work: a symlink or \"..\" on the way, and openat2"*"answers ENOSYS here"* ]]
	refute_target_ran
	# -n judges it the same way.
	run -125 --separate-stderr "$REFUSE" -o -- "${CHDROP_ARGV[@]}" \
		-n -r "$r" -u "$TUSER" --chdir=/work -- /bin/probe
	[[ "$stderr" == *"chdrop: --chdir=/work: a symlink or \"..\" on the way"* ]]
	# With openat2, the same symlink is followed within the root.
	run -0 --separate-stderr chdrop -r "$r" -u "$TUSER" --chdir=/work -- /bin/probe
	assert_probe cwd /srv/work
	rm -rf "$r"
}
