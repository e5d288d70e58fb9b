/* SPDX-License-Identifier: ISC */
/* chdrop — layers beyond chroot: no_new_privs, the terminal guard
 * (seccomp), Landlock, and entry by pivot_root.  (User namespaces:
 * userns.c.)
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/keyctl.h>
#include <linux/landlock.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "launcher.h"
#include "msg.h"

void set_no_new_privs(const struct launch_plan *p)
{
	if (!p->no_new_privs)
		return;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err(EXIT_CHDROP, "prctl(PR_SET_NO_NEW_PRIVS)");
}

/* --- terminal guard -------------------------------------------------------
 * A seccomp filter that makes ioctl(TIOCSTI) and ioctl(TIOCLINUX) fail with
 * EPERM, so the target cannot type into the terminal of the shell that
 * started it.  libseccomp builds it at build time (tools/gen-tty-filter.c
 * says why and how); here it is only loaded.  Without no_new_privs
 * (--allow-new-privs) the kernel accepts it on CAP_SYS_ADMIN, which chdrop
 * still holds at this point. */
#include "tty_filter.h"

static struct sock_fprog tty_prog(void)
{
	return (struct sock_fprog){
		.len = (unsigned short)(sizeof(tty_filter) / sizeof(tty_filter[0])),
		.filter = (struct sock_filter *)tty_filter,
	};
}

void tty_guard(const struct launch_plan *p)
{
	struct sock_fprog prog = tty_prog();

	if (!p->tty_guard)
		return;
	/* prctl, the older door to the same filter: valgrind knows it.
	 * Never skipped when it fails: the target would run unguarded. */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		err(EXIT_CHDROP, "terminal guard: prctl(PR_SET_SECCOMP, "
		    "SECCOMP_MODE_FILTER) (--no-tty-guard runs without it)");
}

/* Does the guard hold?  Its effect, not a mode bit: under the filter
 * ioctl(-1, TIOCSTI) fails with EPERM before the kernel looks at the
 * descriptor; without it the answer is EBADF.  A seccomp mode of 2 alone
 * may be a container's or a service manager's filter.  The call goes to
 * the kernel directly, past any C library wrapper. */
bool tty_guard_holds(void)
{
	static const unsigned long requests[] = { TIOCSTI, TIOCLINUX };
	char c = 0;

	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		errno = 0;
		if (syscall(SYS_ioctl, -1, requests[i], &c) != -1 || errno != EPERM)
			return false;
	}
	return true;
}

/* -n: would the guard go on, as a run puts it on?  A short-lived child
 * does what a run does (no_new_privs unless --allow-new-privs, then the
 * filter) and checks the effect.  NULL when it holds, else why not. */
const char *tty_guard_probe(const struct launch_plan *p)
{
	static char why[128];
	struct sock_fprog prog = tty_prog();
	int status;
	pid_t pid;

	/* The child leaves by _exit(): nothing buffered is written twice. */
	pid = fork();
	if (pid < 0)
		err(EXIT_CHDROP, "terminal guard probe: fork");
	if (pid == 0) {
		if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(1);
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
			_exit(errno < 100 ? 100 + errno : 100);
		_exit(tty_guard_holds() ? 0 : 2);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err(EXIT_CHDROP, "terminal guard probe: waitpid");
	if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "loading it was killed by signal %d%s",
		         WTERMSIG(status), WTERMSIG(status) == SIGSYS
		         ? " (SIGSYS: a seccomp filter refuses the call)" : "");
	else if (WEXITSTATUS(status) == 0)
		return NULL;
	else if (WEXITSTATUS(status) == 1)
		snprintf(why, sizeof(why), "prctl(PR_SET_NO_NEW_PRIVS) failed");
	else if (WEXITSTATUS(status) == 2)
		snprintf(why, sizeof(why), "loaded, but TIOCSTI is not refused");
	else
		snprintf(why, sizeof(why), "prctl(PR_SET_SECCOMP): %s",
		         strerror(WEXITSTATUS(status) - 100));
	return why;
}

/* --- Landlock ---------------------------------------------------------------
 * Debian 12's headers stop at ABI 2, and no Landlock library is packaged
 * for it, so the few definitions of later ABIs are spelled out here and
 * the three system calls made directly. */

#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
/* The new mount API's flags, where the C library does not define them
 * (glibc before 2.36, musl). */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

struct ll_ruleset_attr {         /* struct landlock_ruleset_attr, ABI 6 */
	uint64_t handled_access_fs;
	/* cppcheck-suppress unusedStructMember ; the kernel's layout */
	uint64_t handled_access_net;
	uint64_t scoped;
};

/* Every filesystem right the running kernel knows, by ABI. */
static uint64_t fs_rights(int abi)
{
	uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;  /* ABI 1 */

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/* Landlock as this process is offered it: by the kernel, and by any
 * seccomp filter a service manager or container put on it.  The ABI, or
 * 0 with *why saying the real reason, told apart by errno: a filter that
 * refuses the call answers EPERM (the call itself never does); a kernel
 * with Landlock disabled at boot, EOPNOTSUPP; a kernel built without
 * it, ENOSYS (as does a filter that hides the call as unknown). */
int landlock_probe(const char **why)
{
	static char other[96];
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	                   LANDLOCK_CREATE_RULESET_VERSION);

	*why = NULL;
	if (abi > 0)
		return (int)abi;
	switch (errno) {
	case EPERM:
		*why = "refused by a seccomp filter (landlock_create_ruleset: EPERM)";
		break;
	case EOPNOTSUPP:
		*why = "disabled at boot (landlock_create_ruleset: EOPNOTSUPP; "
		       "see lsm= on the kernel command line)";
		break;
	case ENOSYS:
		*why = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2
		       ? "the kernel has no Landlock, or a seccomp filter hides it "
		         "(landlock_create_ruleset: ENOSYS)"
		       : "the kernel has no Landlock (landlock_create_ruleset: ENOSYS)";
		break;
	default:
		snprintf(other, sizeof(other), "landlock_create_ruleset: %s",
		         strerror(errno));
		*why = other;
	}
	return 0;
}

/* Would Landlock confine anything?  Not without a root or --scope. */
static bool landlock_wanted(const struct launch_plan *p)
{
	return p->landlock && (p->root != NULL || p->scope != 0);
}

/* Before any change: what --scope and --require-landlock ask for must be
 * there, or nothing happens at all. */
void landlock_preflight(const struct launch_plan *p)
{
	const char *why;
	int abi;

	if (!landlock_wanted(p))
		return;
	abi = landlock_probe(&why);
	if (p->scope != 0 && abi == 0)
		errx(EXIT_CHDROP, "--scope: needs Landlock ABI 6, and Landlock is "
		     "not in force: %s", why);
	if (p->scope != 0 && abi < 6)
		errx(EXIT_CHDROP, "--scope: needs Landlock ABI 6, the kernel "
		     "offers %d", abi);
	if (p->require_landlock && abi == 0)
		errx(EXIT_CHDROP, "--require-landlock: Landlock is not in force: %s",
		     why);
}

/* Everything beneath the new root, every right; outside it, nothing: no
 * open, create, remove, rename or truncate, by any path or magic link.
 * Descriptors already open keep the rights they were opened with, and
 * chmod, chown, utimes, xattrs and connect through a directory descriptor
 * are not Landlock's to stop (tests/landlock-dirfd.py): chdrop keeps none. */
void landlock(const struct launch_plan *p)
{
	struct ll_ruleset_attr attr = { 0 };
	struct landlock_path_beneath_attr rule = { 0 };
	const char *why;
	int abi, ruleset;

	if (!landlock_wanted(p))
		return;
	abi = landlock_probe(&why);
	/* Checked before any change; kept here as the net (it exits). */
	if ((p->scope != 0 && abi < 6) || (p->require_landlock && abi == 0))
		landlock_preflight(p);
	if (abi == 0) {
		/* Said at every verbosity: the journal must show it. */
		notice("Landlock is not in force: %s; file access is confined "
		       "by the root alone", why);
		return;
	}
	attr.handled_access_fs = p->root ? fs_rights(abi) : 0;
	if (p->scope & SCOPE_SIGNAL)
		attr.scoped |= LL_SCOPE_SIGNAL;
	if (p->scope & SCOPE_ABSTRACT_UNIX)
		attr.scoped |= LL_SCOPE_ABSTRACT_UNIX_SOCKET;
	ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
	                       abi >= 6 ? sizeof(attr) : sizeof(attr.handled_access_fs),
	                       0);
	if (ruleset < 0)
		err(EXIT_CHDROP, "landlock_create_ruleset(ABI %d)", abi);
	if (p->root != NULL) {
		rule.allowed_access = attr.handled_access_fs;
		rule.parent_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rule.parent_fd < 0)
			err(EXIT_CHDROP, "landlock: open /");
		if (syscall(SYS_landlock_add_rule, ruleset,
		            LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
			err(EXIT_CHDROP, "landlock_add_rule");
		close(rule.parent_fd);
	}
	/* --host-program: the one host file the kernel must open to exec it
	 * lies outside the root's rule.  Exec opens it for reading too, so
	 * both rights, on that file alone: the target cannot reach it by any
	 * path, only the kernel through our descriptor (and /proc/self/exe,
	 * which names that same file). */
	if (p->host_fd >= 0) {
		rule.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE |
		                      LANDLOCK_ACCESS_FS_READ_FILE;
		rule.parent_fd = p->host_fd;
		if (syscall(SYS_landlock_add_rule, ruleset,
		            LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
			err(EXIT_CHDROP, "landlock_add_rule(--host-program)");
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		err(EXIT_CHDROP, "landlock_restrict_self");
	close(ruleset);
	say("Landlock ABI %d: file access confined to the root%s", abi,
	    p->scope ? ", scoping on" : "");
}

/* --- session keyring ------------------------------------------------------
 * The session keyring survives exec and uid changes: a target that kept
 * the caller's would possess root's keys (a `user` key is readable by its
 * possessor, whoever that is) and could link keys root then finds.  The
 * target gets a new anonymous one, as systemd's KeyringMode=private and
 * login do.  Two keyctl(2) calls, made directly: libkeyutils would add a
 * library (and one more for the static build) for them. */

long caller_session_keyring(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
	               KEY_SPEC_SESSION_KEYRING, 0);
}

/* After the uid change, so the new keyring is the target's own (its owner,
 * its quota): it can use and manage it as any session keyring.  Verified by
 * reading back which keyring KEY_SPEC_SESSION_KEYRING now names.  A kernel
 * without keyrings (ENOSYS), or a seccomp filter that refuses keyctl (EPERM,
 * inherited by the target too), leaves no keyring to reach: that is
 * checked, not assumed. */
void new_session_keyring(long caller)
{
	long mine = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
	long now;

	if (mine < 0) {
		if ((errno == ENOSYS || errno == EPERM) &&
		    caller_session_keyring() < 0) {
			say("no session keyring reachable (keyctl: %s)",
			    strerror(errno));
			return;
		}
		if (errno == EDQUOT)
			errx(EXIT_CHDROP, "new session keyring: uid %u has used its "
			     "key quota (sysctl kernel.keys.maxkeys, maxbytes)",
			     (unsigned)getuid());
		err(EXIT_CHDROP, "keyctl(KEYCTL_JOIN_SESSION_KEYRING)");
	}
	now = caller_session_keyring();
	if (now != mine || now == caller)
		errx(EXIT_CHDROP, "verification failed: session keyring");
	say("new session keyring %ld", mine);
}

/* --- pivot_root ---------------------------------------------------------------
 * A private mount namespace; a clone of the root's mount tree attached
 * onto the root itself (open_tree + move_mount work on the descriptor we
 * checked, never on the path again); pivot_root into it and detach the old
 * root, so there is no outside left to climb back to. */

/* The namespace comes first, before the root is opened: open_tree() clones
 * only mounts of the caller's own namespace, so the root descriptor must be
 * opened inside the new one.  Nothing here is visible outside. */
void private_mount_ns(const struct launch_plan *p)
{
	if (!plan_needs_mount_ns(p))
		return;
	if (unshare(CLONE_NEWNS) < 0)
		err(EXIT_CHDROP, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		err(EXIT_CHDROP, "mount(/, MS_REC|MS_PRIVATE)");
}

void enter_pivot_root(const struct launch_plan *p, int rootfd)
{
	int tree;

	tree = (int)syscall(SYS_open_tree, rootfd, "",
	                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
	                    AT_EMPTY_PATH);
	if (tree < 0)
		err(EXIT_CHDROP, "open_tree(%s)", p->root);
	if (syscall(SYS_move_mount, tree, "", rootfd, "",
	            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		err(EXIT_CHDROP, "move_mount(%s)", p->root);
	if (fchdir(tree) < 0)
		err(EXIT_CHDROP, "fchdir(%s)", p->root);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		err(EXIT_CHDROP, "pivot_root(%s)", p->root);
	if (umount2(".", MNT_DETACH) < 0)
		err(EXIT_CHDROP, "umount2(old root)");
	if (close(tree) < 0)
		err(EXIT_CHDROP, "close mount tree");
}
