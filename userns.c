/* SPDX-License-Identifier: ISC */
/* chdrop — user namespaces: --userns (yourself, exec in place) and
 * --userns --map-root (uid 0 over a tree of your own, with /proc and
 * a fresh /dev with its own /dev/pts, for dpkg and apt).
 *
 * --map-root, in order:
 *  1. The ranges were read from /etc/subuid and /etc/subgid at validation
 *     (lookup_subids), so -n shows them and the ownership rule knows the
 *     tree's owner.
 *  2. A helper forked *before* unshare(CLONE_NEWUSER) stays outside and
 *     runs Debian's setuid newuidmap/newgidmap on us: only a process in
 *     the parent namespace may write a map wider than its own ids.
 *     Without a range, we write the single mapping 0 -> ourselves.
 *  3. unshare(CLONE_NEWNS | CLONE_NEWPID).  A PID namespace applies to
 *     children only, so this is the one mode where chdrop forks:
 *       outer  the original process: drops what it holds, waits, relays
 *              signals other processes send it, and exits as the target;
 *       init   PID 1 of the new namespace: drops what it holds, reaps
 *              orphans, relays, and hands the target's status to outer
 *              (PID 1 cannot die of a signal, so it cannot mirror one);
 *       target PID 2: mounts /proc and /dev in the root, then returns
 *              to main() and goes the way every chdrop run goes.
 *     When init exits the kernel kills whatever is left in the namespace,
 *     so a daemon a maintainer script started does not outlive the run.
 *  Each process waits on a pipe until its parent has dropped, so nothing
 *  runs if a drop fails.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launcher.h"
#include "msg.h"

#define NEWUIDMAP "/usr/bin/newuidmap"
#define NEWGIDMAP "/usr/bin/newgidmap"

/* --- subordinate ids --------------------------------------------------------
 * shadow's libsubid would read these files for us, but it is not in the
 * musl static build and would bring NSS into chdrop; the format is three
 * fields, parsed by parse_subid() (pure, fuzzed). */

static void read_subid(const char *file, const char *name,
                       struct subid_range *r)
{
	static char buf[1 << 20];
	size_t len = 0, line;
	const char *why;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	r->start = r->count = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return;
		err(EXIT_CHDROP, "--map-root: %s", file);
	}
	while ((n = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += (size_t)n;
	if (n < 0)
		err(EXIT_CHDROP, "--map-root: read %s", file);
	if (len == sizeof(buf))
		errx(EXIT_CHDROP, "--map-root: %s: larger than 1 MiB", file);
	close(fd);
	if (parse_subid(buf, len, name, (uint32_t)getuid(), r, &line, &why) < 0)
		errx(EXIT_CHDROP, "--map-root: %s line %zu: %s", file, line, why);
}

void lookup_subids(struct launch_plan *p)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw != NULL ? pw->pw_name : NULL;

	read_subid("/etc/subuid", name, &p->subuid);
	read_subid("/etc/subgid", name, &p->subgid);
	if ((p->subuid.count == 0) != (p->subgid.count == 0))
		errx(EXIT_CHDROP, "--map-root: %s has a range in %s but not in "
		     "%s", name ? name : "you",
		     p->subuid.count ? "/etc/subuid" : "/etc/subgid",
		     p->subuid.count ? "/etc/subgid" : "/etc/subuid");
	if (p->subuid.count > 0 && access(NEWUIDMAP, X_OK) < 0)
		err(EXIT_CHDROP, "--map-root: %s (package uidmap) is needed to "
		    "map your subordinate ids", NEWUIDMAP);
	if (p->subgid.count > 0 && access(NEWGIDMAP, X_OK) < 0)
		err(EXIT_CHDROP, "--map-root: %s (package uidmap) is needed to "
		    "map your subordinate ids", NEWGIDMAP);
}

/* The ownership rule, as seen inside the namespace: besides root, a
 * directory may belong to you (--userns) or to the namespace's own root,
 * your first subordinate uid (--map-root with a range): mmdebstrap
 * --mode=unshare leaves its tree owned by that id. */
bool userns_trusts_owner(const struct launch_plan *p, uid_t owner)
{
	if (!p->userns)
		return false;
	if (owner == getuid())
		return true;
	return p->map_root && p->subuid.count > 0 && owner == p->subuid.start;
}

/* --- mapping ------------------------------------------------------------------ */

static void write_proc(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);

	if (fd < 0)
		err(EXIT_CHDROP, "--userns: open %s", file);
	if (write(fd, text, len) != (ssize_t)len)
		err(EXIT_CHDROP, "--userns: write %s", file);
	if (close(fd) < 0)
		err(EXIT_CHDROP, "--userns: close %s", file);
}

/* ids: what namespace id 0 (or, for plain --userns, our own id) maps to. */
static void map_single(uid_t uid, gid_t gid, bool as_root)
{
	char map[64];

	write_proc("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1\n", as_root ? 0 : (unsigned)uid,
	         (unsigned)uid);
	write_proc("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "%u %u 1\n", as_root ? 0 : (unsigned)gid,
	         (unsigned)gid);
	write_proc("/proc/self/gid_map", map);
}

/* After a single mapping setgroups is denied, so the target keeps the
 * caller's supplementary groups, the unmapped ones reading as the
 * overflow gid: the plan's list becomes what the kernel now says. */
static void groups_as_mapped(struct launch_plan *p)
{
	int n = getgroups(MAX_GROUPS, p->groups);

	if (n < 0)
		err(EXIT_CHDROP, "getgroups");
	p->ngroups = (size_t)n;
}

/* In the helper: run PROG PID 0 START COUNT, with nothing of our
 * environment; 0 when it succeeded. */
static int run_map(const char *prog, pid_t pid, const struct subid_range *r)
{
	char spid[16], start[16], count[16];
	int status;
	pid_t c;

	snprintf(spid, sizeof(spid), "%d", (int)pid);
	snprintf(start, sizeof(start), "%u", (unsigned)r->start);
	snprintf(count, sizeof(count), "%u", (unsigned)r->count);
	c = fork();
	if (c < 0)
		return -1;
	if (c == 0) {
		char *argv[] = { (char *)prog, spid, (char *)"0", start, count, NULL };
		char *envp[] = { NULL };

		execve(prog, argv, envp);
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	while (waitpid(c, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The first line of what the helper's programs said, for our one line. */
static void helper_failed(int fd) __attribute__((noreturn));
static void helper_failed(int fd)
{
	char msg[256];
	ssize_t n = read(fd, msg, sizeof(msg) - 1);

	close(fd);
	if (n <= 0)
		errx(EXIT_CHDROP, "--map-root: %s or %s failed", NEWUIDMAP, NEWGIDMAP);
	msg[n] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	errx(EXIT_CHDROP, "--map-root: %s", msg);
}

static void map_subids(const struct launch_plan *p)
{
	int go[2], out[2], status;
	pid_t self = getpid(), helper;
	char c = 'x';

	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0)
		err(EXIT_CHDROP, "pipe2");
	helper = fork();
	if (helper < 0)
		err(EXIT_CHDROP, "fork");
	if (helper == 0) {
		int failed;

		close(go[1]);
		close(out[0]);
		failed = read(go[0], &c, 1) != 1;  /* unshare failed: the parent says why */
		close(go[0]);
		if (failed || dup2(out[1], 2) < 0)
			_exit(1);
		close(out[1]);
		_exit(run_map(NEWUIDMAP, self, &p->subuid) < 0 ||
		      run_map(NEWGIDMAP, self, &p->subgid) < 0);
	}
	close(go[0]);
	close(out[1]);
	if (unshare(CLONE_NEWUSER) < 0)
		err(EXIT_CHDROP, "unshare(CLONE_NEWUSER)");
	if (write(go[1], &c, 1) != 1)
		err(EXIT_CHDROP, "--map-root: write to the mapping helper");
	close(go[1]);
	while (waitpid(helper, &status, 0) < 0)
		if (errno != EINTR)
			err(EXIT_CHDROP, "waitpid(mapping helper)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		helper_failed(out[0]);
	close(out[0]);
}

/* --- the processes that stay behind ------------------------------------------- */

static pid_t relay_to;

/* Pass on a signal another process sent; one the terminal sent
 * (SI_KERNEL: ^C, ^\, hangup) reached the target's process group
 * directly, and passing it on would deliver it twice. */
static void relay(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (relay_to > 0 && si->si_code != SI_KERNEL)
		kill(relay_to, sig);
}

static void relay_signals(pid_t to)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT,
	                            SIGUSR1, SIGUSR2 };
	struct sigaction sa = { .sa_sigaction = relay, .sa_flags = SA_SIGINFO | SA_RESTART };

	relay_to = to;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) < 0)
			err(EXIT_CHDROP, "sigaction(%d)", sigs[i]);
}

/* Everything this process holds, gone for good: capabilities (in the
 * namespace) from all five sets, the bounding set first; no core dump, no
 * ptrace attach, no new privileges.  Returns -1 with errno on failure
 * (the caller still has a child to kill). */
static int hold_nothing(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 }, { 0 } };
	struct rlimit none = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    setrlimit(RLIMIT_CORE, &none) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	for (unsigned c = 0; c <= last_cap(); c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -1;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
	    syscall(SYS_capset, &h, d) < 0)
		return -1;
	return 0;
}

/* A parent that cannot drop or release its child kills it and leaves
 * with nothing of its own open. */
static void release_failed(pid_t child, const char *what) __attribute__((noreturn));
static void release_failed(pid_t child, const char *what)
{
	int e = errno;

	kill(child, SIGKILL);
	syscall(SYS_close_range, 3, ~0u, 0);
	errno = e;
	err(EXIT_CHDROP, "--map-root: %s", what);
}

/* After fork, in the parent: drop, then let the child go on.  A failure
 * kills the child before it has done anything.  A child already dead
 * (EPIPE, not SIGPIPE: the parent must say so) is a failure too; the
 * child took its own signal dispositions at fork, so SIG_IGN stays here. */
static void drop_then_release(pid_t child, int go)
{
	char c = 'x';

	if (hold_nothing() < 0)
		release_failed(child, "dropping the relay's privileges");
	/* signal() fails only for a bad number. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (write(go, &c, 1) != 1)
		release_failed(child, "releasing the child");
	close(go);
}

static void wait_for_parent(int go)
{
	char c;

	if (read(go, &c, 1) != 1)
		_exit(EXIT_CHDROP);  /* the parent failed and said why */
	close(go);
}

/* Exit as the target did: of the same signal (no core: RLIMIT_CORE is 0)
 * or with its status. */
static void exit_as(int status) __attribute__((noreturn));
static void exit_as(int status)
{
	if (WIFSIGNALED(status)) {
		/* signal() fails only for a bad number; this one is real.
		 * NOLINTBEGIN(cert-err33-c) */
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		/* NOLINTEND(cert-err33-c) */
		/* cppcheck-suppress unreachableCode ; raise() can return */
		_exit(128 + WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_CHDROP);
}

/* outer: wait for init, take the target's status from the pipe (init's own
 * exit status when it could not write one: it failed). */
static void outer(pid_t init, int statusfd) __attribute__((noreturn));
static void outer(pid_t init, int statusfd)
{
	int status, target;

	ssize_t n;

	relay_signals(init);
	while (waitpid(init, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_CHDROP);
	n = read(statusfd, &target, sizeof(target));
	close(statusfd);
	exit_as(n == (ssize_t)sizeof(target) ? target : status);
}

/* init, PID 1: reap everything, until the target itself is gone. */
static void init(pid_t target, int statusfd) __attribute__((noreturn));
static void init(pid_t target, int statusfd)
{
	int status;
	pid_t pid;

	relay_signals(target);
	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			_exit(EXIT_CHDROP);
		if (pid == target)
			break;
	}
	if (write(statusfd, &status, sizeof(status)) != (ssize_t)sizeof(status))
		_exit(EXIT_CHDROP);
	close(statusfd);
	_exit(0);
}

/* Close all but fd: the processes that stay behind hold nothing else. */
static void keep_only(int fd)
{
	if (fd > 0 && syscall(SYS_close_range, 0, fd - 1, 0) < 0)
		_exit(EXIT_CHDROP);
	if (syscall(SYS_close_range, fd + 1, ~0u, 0) < 0)
		_exit(EXIT_CHDROP);
}

/* fork, the child held until the parent has dropped and released it
 * (drop_then_release).  Returns the child's pid, with *go the pipe to
 * release it by, in the parent; 0 in the child, once released.  Should the
 * parent die, the child is killed (for init: the whole namespace). */
static pid_t fork_held(int *go)
{
	int pipefd[2];
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		err(EXIT_CHDROP, "pipe2");
	child = fork();
	if (child < 0)
		err(EXIT_CHDROP, "fork");
	if (child > 0) {
		close(pipefd[0]);
		*go = pipefd[1];
		return child;
	}
	close(pipefd[1]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		err(EXIT_CHDROP, "prctl(PR_SET_PDEATHSIG)");
	wait_for_parent(pipefd[0]);
	return 0;
}

static void fork_pid_ns(const struct launch_plan *p, int rootfd)
{
	int status[2], go;
	pid_t child;

	if (pipe2(status, O_CLOEXEC) < 0)
		err(EXIT_CHDROP, "pipe2");
	child = fork_held(&go);
	if (child > 0) {
		close(status[1]);
		drop_then_release(child, go);
		keep_only(status[0]);
		outer(child, status[0]);
	}
	close(status[0]);
	child = fork_held(&go);
	if (child > 0) {
		/* PID 1.  It enters the root too: its /proc/1/root and cwd,
		 * which the target sees, lead nowhere else (they are closed to
		 * it anyway: init is not dumpable and the target lacks
		 * CAP_SYS_PTRACE). */
		if (fchdir(rootfd) < 0 || chroot(".") < 0) {
			kill(child, SIGKILL);
			err(EXIT_CHDROP, "init: chroot(%s)", p->root);
		}
		/* Signals: outer still has the caller's uid (so the caller's
		 * own kill reaches it), the target will have the namespace's
		 * uid 0.  init keeps the caller's as effective and saved uid,
		 * which lets outer signal it, and takes uid 0 as its real
		 * uid, which lets it signal the target; no capability needed. */
		if (setresuid(0, (uid_t)-1, (uid_t)-1) < 0) {
			kill(child, SIGKILL);
			err(EXIT_CHDROP, "init: setresuid(0, -1, -1)");
		}
		drop_then_release(child, go);
		keep_only(status[1]);
		init(child, status[1]);
	}
	/* PID 2: the target */
	close(status[1]);
}

/* --- /proc and /dev/pts ----------------------------------------------------------
 * Mounted on directories of the root, found beneath the root descriptor
 * with no symlink followed, in our own mount namespace (nothing reaches
 * the host, and it all goes when the namespace does). */

static int dir_in_root(int rootfd, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));

	if (fd < 0)
		err(EXIT_CHDROP, "--map-root: %s inside the root", path);
	return fd;
}

static void mount_on(int rootfd, const char *path, const char *type,
                     unsigned long flags, const char *data)
{
	char where[64];
	int fd = dir_in_root(rootfd, path);

	snprintf(where, sizeof(where), "/proc/self/fd/%d", fd);
	if (mount(type, where, type, flags, data) < 0)
		err(EXIT_CHDROP, "--map-root: mount %s on %s", type, path);
	close(fd);
}

/* /proc; a fresh /dev from mount_dev() (mounts.c: null, zero, full,
 * random, urandom, tty, the host's nodes bound since mknod is refused in
 * a user namespace) with a pts directory and a ptmx file; a private devpts
 * instance on /dev/pts, and its ptmx bound onto /dev/ptmx. */
static void mount_proc_dev(const struct launch_plan *p, int rootfd)
{
	static const char *const extra[] = { "pts/", "ptmx" };
	char from[64], to[64];
	int devfd, ptmx, dst;

	mount_on(rootfd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	devfd = dir_in_root(rootfd, "dev");
	mount_dev(devfd, extra, sizeof(extra) / sizeof(extra[0]));
	close(devfd);
	/* gid 5 is Debian's tty group; without a range it is not mapped. */
	mount_on(rootfd, "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	         p->subgid.count > 5 ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
	                             : "newinstance,ptmxmode=0666,mode=0620");
	ptmx = openat(rootfd, "dev/pts/ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	dst = openat(rootfd, "dev/ptmx", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (ptmx < 0 || dst < 0)
		err(EXIT_CHDROP, "--map-root: /dev/pts/ptmx or /dev/ptmx");
	snprintf(from, sizeof(from), "/proc/self/fd/%d", ptmx);
	snprintf(to, sizeof(to), "/proc/self/fd/%d", dst);
	if (mount(from, to, "none", MS_BIND, NULL) < 0)
		err(EXIT_CHDROP, "--map-root: bind /dev/pts/ptmx on /dev/ptmx");
	close(ptmx);
	close(dst);
	say("/proc of a new PID namespace, a fresh /dev and a private /dev/pts "
	    "mounted");
}

/* Make fd (the root) the working directory's own descriptor. */
static void reopen_here(int fd, const char *what)
{
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (here < 0)
		err(EXIT_CHDROP, "reopen %s", what);
	if (dup3(here, fd, O_CLOEXEC) < 0)
		err(EXIT_CHDROP, "dup3(%s)", what);
	close(here);
}

/* --- entering ------------------------------------------------------------------------ */

static void enter_map_root(struct launch_plan *p, int rootfd)
{
	if (p->subuid.count > 0) {
		map_subids(p);
		say("user namespace: uid 0-%u -> %u-%u, gid 0-%u -> %u-%u",
		    (unsigned)p->subuid.count - 1, (unsigned)p->subuid.start,
		    (unsigned)(p->subuid.start + p->subuid.count - 1),
		    (unsigned)p->subgid.count - 1, (unsigned)p->subgid.start,
		    (unsigned)(p->subgid.start + p->subgid.count - 1));
	} else {
		uid_t uid = getuid();
		gid_t gid = getgid();

		if (unshare(CLONE_NEWUSER) < 0)
			err(EXIT_CHDROP, "unshare(CLONE_NEWUSER)");
		map_single(uid, gid, true);
		groups_as_mapped(p);
		warnx("notice: no range for you in /etc/subuid and /etc/subgid: "
		      "uid and gid 0 (you) are the only ids in the namespace, so "
		      "chown to another id, and dpkg of a package with files of "
		      "other owners, will fail");
	}
	/* The root descriptor belongs to the old mount namespace, where we
	 * may not mount; the working directory moves to the new one with
	 * us, so the same directory is reopened from there. */
	if (fchdir(rootfd) < 0)
		err(EXIT_CHDROP, "fchdir(%s)", p->root);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
		err(EXIT_CHDROP, "unshare(CLONE_NEWNS|CLONE_NEWPID)");
	/* A propagation change ignores source and type ("none"). */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		err(EXIT_CHDROP, "mount(/, MS_REC|MS_PRIVATE)");
	reopen_here(rootfd, p->root);
	fork_pid_ns(p, rootfd);
	/* The target takes the namespace's ids now: files it makes in the
	 * fresh /dev need an owner the namespace maps (the caller's own ids
	 * are not mapped under a range). */
	if (setresgid(0, 0, 0) < 0)
		err(EXIT_CHDROP, "--map-root: setresgid(0)");
	if (setresuid(0, 0, 0) < 0)
		err(EXIT_CHDROP, "--map-root: setresuid(0)");
	mount_proc_dev(p, rootfd);
}

/* Plain --userns: an unprivileged user namespace in which the caller's own
 * uid and gid map to themselves.  chdrop then holds every capability *in
 * the namespace*, enough to chroot, set the bounding set and securebits,
 * install seccomp and Landlock, and drop them all again like root would.
 * A chrooted process cannot create a further user namespace (the kernel
 * refuses), so the target cannot get CAP_SYS_CHROOT back that way. */
void enter_userns(struct launch_plan *p, int rootfd)
{
	if (!p->userns)
		return;
	if (p->map_root) {
		enter_map_root(p, rootfd);
		return;
	}
	if (unshare(CLONE_NEWUSER) < 0)
		err(EXIT_CHDROP, "unshare(CLONE_NEWUSER)");
	map_single(p->uid, p->gid, false);
	groups_as_mapped(p);
	say("user namespace: uid %u and gid %u map to themselves",
	    (unsigned)p->uid, (unsigned)p->gid);
}
