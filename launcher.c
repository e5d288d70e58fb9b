/* SPDX-License-Identifier: ISC */
/* chdrop — enter a root directory, drop every privilege not asked for,
 * irrevocably, verify, and exec the target in place.
 *
 * Order of operations, and why:
 *
 *  1. Refuse a setuid/setgid installation before reading any input.
 *  2. Parse into one struct launch_plan; check every cross-option rule.
 *     (--audit leaves here: it reads a tree and runs nothing.)
 *  3. Check the descriptors the target will keep (0-2, LISTEN_FDS,
 *     --keep-fd, or all of them under --inherit-fds) before chdrop opens
 *     any of its own: a directory, a namespace, a pidfd, an io_uring or a
 *     fanotify group is a way out, and is refused.
 *  4. --pivot-root and per-run mounts: a private mount namespace now,
 *     since open_tree() and move_mount() work only on mounts of the
 *     caller's own namespace, and the root must be opened inside it; what
 *     it needs (CAP_SYS_ADMIN, and root's usual needs) is checked first,
 *     as are --require-landlock and --scope.
 *  5. Open the root by walking it one component at a time with O_NOFOLLOW,
 *     checking each directory's owner and mode.  From here on the root is a
 *     descriptor, so renaming or swapping the path cannot redirect us.
 * 5a. --stale: when the root has a chdrop-root manifest, read it through
 *     that descriptor (the --userdb=root care) and lstat each copy's host
 *     source: one warning line at the first stale one (the one warning
 *     before any privilege changes), or 125 under --stale=refuse.
 *  6. Resolve names while still outside the root: through the host's NSS,
 *     or (--userdb=root) by parsing the root's passwd/group files as plain
 *     text through that descriptor.  No code from the tree is ever loaded
 *     while we are privileged.
 *  7. --userns: enter the user namespace.  Then the pre-flight: every
 *     capability chdrop needs itself and lacks, named in one line; each
 *     kept cap held; securebits the caller has not locked.  A refusal
 *     comes before any change.  (-n stops before this, prints the plan,
 *     then reaches the verdict a run would: these checks, the terminal
 *     guard tried in a child, --chdir and PROGRAM looked up in the root.)
 *     Then the per-run mounts (--dev first, then --bind-ro, --bind, --tmpfs in
 *     order), each source opened on the host and each DST beneath the root
 *     descriptor with no symlink followed, while we still hold
 *     CAP_SYS_ADMIN and can still see the host; --host-program is opened
 *     on the host now too (close-on-exec, so it never reaches the target).
 *     -n makes the mounts as well, in its own private namespace that
 *     vanishes, so that it fails where a real run would.
 *     Then cut the bounding set (needs CAP_SETPCAP) through libcap-ng,
 *     which reads /proc/<tid>/status by path to do it: here, outside the
 *     root, /proc is still the host's.  Read back from the kernel at once.
 *  8. Close every descriptor the target was not given (close_range: cost
 *     independent of RLIMIT_NOFILE); --new-session.
 *  9. Enter: fchdir(rootfd) + chroot(".") + chdir("/"), or pivot_root in
 *     the private mount namespace.
 * 10. no_new_privs, the terminal guard (seccomp) and Landlock go on before
 *     the credentials change: seccomp and Landlock need either
 *     no_new_privs or CAP_SYS_ADMIN at the moment they are applied, and
 *     only before the drop do we still hold CAP_SYS_ADMIN when the
 *     administrator opted out of no_new_privs.
 * 11. Drop: supplementary groups, then gid (both need CAP_SETGID), then
 *     uid with KEEPCAPS so the kept caps survive, then the kept caps into
 *     P/E/I and ambient (libcap-ng: capset and prctl alone, no file read
 *     inside the root), then the locked securebits (need CAP_SETPCAP, and
 *     NO_CAP_AMBIENT_RAISE must come after the ambient raise), and last
 *     CAP_SETPCAP itself.
 * 11a. A new session keyring, made after the uid change so that it is the
 *     target's own, and --chdir, resolved beneath the new root with no
 *     magic links followed and entered with the target's own permissions.
 * 12. Verify by reading every credential back through the kernel (not the
 *     code that set it), by trying to regain uid 0 and the old gid, and
 *     by seeing the terminal guard refuse TIOCSTI.
 * 13. Exec in place, with the environment built before the drop: same
 *     pid, so signals and the service manager reach the target directly.
 */
#define _GNU_SOURCE
#include <err.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <linux/securebits.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cap-ng.h>

#include "launcher.h"
#include "msg.h"

/* --map-root's target is root (of its namespace): root's PATH, as Debian's
 * login.defs gives it, since dpkg needs the sbin directories. */
#define ROOT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const reset_env_keep[] = {
	"TERM", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
};

/* The real, effective and saved ids; uniform when each triple holds one
 * value, as it does for everyone but a setuid/setgid program. */
struct ids { uid_t uid; gid_t gid; bool uniform; };

static struct ids current_ids(void)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (getresuid(&ru, &eu, &su) < 0)
		err(EXIT_CHDROP, "getresuid");
	if (getresgid(&rg, &eg, &sg) < 0)
		err(EXIT_CHDROP, "getresgid");
	return (struct ids){ ru, rg, ru == eu && ru == su && rg == eg && rg == sg };
}

/* Being installed setuid or setgid (or with file capabilities, which the
 * kernel reports as AT_SECURE) turns a launcher into a way for any user to
 * become anyone: refuse before reading anything the caller controls. */
static void refuse_setuid_install(void)
{
	struct ids now = current_ids();

	if (!now.uniform || getauxval(AT_SECURE))
		errx(EXIT_CHDROP, "refusing to run setuid, setgid or with file "
		     "capabilities: chdrop must be started by root");
}

/* 0, 1 and 2 are always open when the target starts, so a file it opens
 * can never become its standard output by accident. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			err(EXIT_CHDROP, "open /dev/null");
		if (n != fd)
			errx(EXIT_CHDROP, "descriptor %d: could not reopen", fd);
	}
}

/* --- the root directory ------------------------------------------------ */

static void check_dir(const struct launch_plan *p, int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		err(EXIT_CHDROP, "--root: fstat %s", path);
	if (!S_ISDIR(st.st_mode))
		errx(EXIT_CHDROP, "--root: %s: not a directory", path);
	if (p->unsafe_root)
		return;
	/* Under --userns the caller may own their root (or, --map-root, the
	 * namespace's root may: userns.c); nobody else may.  The hint names
	 * the fix first, the waiver last. */
	if (st.st_uid != 0 && !userns_trusts_owner(p, st.st_uid))
		errx(EXIT_CHDROP, "--root: %s: owned by uid %u, not %s (chown %s "
		     "%s, or --unsafe-root to allow)", path, (unsigned)st.st_uid,
		     p->userns ? "root or you" : "root", p->userns ? "yourself" : "root",
		     path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		errx(EXIT_CHDROP, "--root: %s: writable by group or others "
		     "(chmod go-w %s, or --unsafe-root to allow)", path, path);
}

/* Walk the path from "/" one component at a time.  O_NOFOLLOW|O_DIRECTORY
 * refuses a symlink at any depth; "..", which could climb out of a
 * checked directory, is refused outright. */
static int open_root(const struct launch_plan *p)
{
	char path[PATH_MAX], *save = NULL, *comp;
	char walked[PATH_MAX];
	int fd;

	walked[0] = '\0';   /* not = "": that zeroes all 4 KiB, every launch */
	if (strlen(p->root) >= sizeof(path))
		errx(EXIT_CHDROP, "--root: path too long");
	/* Bounded by the check above. */
	strcpy(path, p->root);  /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		err(EXIT_CHDROP, "--root: open /");
	check_dir(p, fd, "/");
	for (comp = strtok_r(path, "/", &save); comp != NULL;
	     comp = strtok_r(NULL, "/", &save)) {
		int next;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0)
			errx(EXIT_CHDROP, "--root=%s: '..' is not allowed", p->root);
		/* walked re-joins path's components with single slashes:
		 * never longer than path itself. */
		strcat(strcat(walked, "/"), comp);  /* NOLINT(clang-analyzer-security.insecureAPI.strcpy) */
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			if (errno == ELOOP || errno == ENOTDIR)
				errx(EXIT_CHDROP, "--root: %s: a symlink or not a "
				     "directory", walked);
			err(EXIT_CHDROP, "--root: %s", walked);
		}
		close(fd);
		fd = next;
		check_dir(p, fd, walked);
	}
	say("root %s opened and checked", p->root);
	return fd;
}

/* --- descriptors --------------------------------------------------------- */

/* close_range(2) by number: musl has no wrapper for it. */
static int sys_close_range(unsigned first, unsigned last)
{
	return (int)syscall(SYS_close_range, first, last, 0);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* A descriptor that leads out of the root: a directory (fchdir, openat);
 * a namespace (setns into a user namespace the target owns gives it
 * CAP_SYS_CHROOT there, and chroot's classic escape works again); a pidfd
 * (setns into its process's namespaces, pidfd_getfd of its descriptors);
 * or a kernel object that hands out descriptors of its own: an io_uring
 * can hold a directory as a registered file and install it again, and
 * fanotify delivers descriptors of the files it watches.  (A unix socket
 * can receive descriptors too, but only from a process outside that
 * chooses to send them; the man page says so.)
 *
 * fstat and fstatfs decide everything but anonymous inodes, which all
 * share one filesystem: only their /proc/self/fd link names the kind, so
 * only for them is /proc read.  Without it they are refused: an anonymous
 * inode chdrop cannot name is not kept. */
#ifndef PID_FS_MAGIC
#define PID_FS_MAGIC 0x50494446  /* pidfs, Linux 6.9; <linux/magic.h> later */
#endif

static const char *anon_way_out(int fd)
{
	static const char *const carriers[] = {
		"anon_inode:[io_uring]", "anon_inode:[fanotify]",
		"anon_inode:[pidfd]",  /* before pidfs, Linux 6.9 */
	};
	char link[64], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return "an anonymous inode that cannot be identified without /proc";
	target[n] = '\0';
	for (size_t i = 0; i < sizeof(carriers) / sizeof(carriers[0]); i++)
		if (strcmp(target, carriers[i]) == 0)
			return carriers[i];
	return NULL;
}

static const char *way_out(int fd)
{
	struct stat st;
	struct statfs sfs;

	if (fstat(fd, &st) < 0)
		err(EXIT_CHDROP, "descriptor %d: fstat", fd);
	if (S_ISDIR(st.st_mode))
		return "a directory";
	if (fstatfs(fd, &sfs) < 0)
		err(EXIT_CHDROP, "descriptor %d: fstatfs", fd);
	switch ((unsigned long)sfs.f_type) {
	case NSFS_MAGIC:
		return "a namespace (nsfs)";
	case PID_FS_MAGIC:
		return "a pidfd";
	case ANON_INODE_FS_MAGIC:
		return anon_way_out(fd);
	default:
		return NULL;
	}
}

static void check_kept_fd(int fd, const char *what)
{
	const char *out;

	if (fcntl(fd, F_GETFD) < 0)
		err(EXIT_CHDROP, "%s %d", what, fd);
	out = way_out(fd);
	if (out != NULL)
		errx(EXIT_CHDROP, "%s %d is %s, a way out of the root: refused",
		     what, fd, out);
}

/* --inherit-fds keeps every descriptor, so every one is checked: listed
 * from /proc/self/fd, the host's, since we have not entered the root yet.
 * Without /proc there is no list short of probing every number up to
 * RLIMIT_NOFILE; chdrop refuses instead (fail closed). */
static void check_inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	const char *out = NULL, *why = NULL;
	int fd = -1, rd_errno;

	if (d == NULL)
		err(EXIT_CHDROP, "--inherit-fds: cannot list descriptors to check "
		    "them (/proc/self/fd)");
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (parse_fd(e->d_name, &fd, &why) < 0)
			break;  /* a name that is no number: refused below */
		why = NULL;
		/* Not ours to keep: our own listing, and one that is not
		 * open for us (valgrind lists its own, and hides them). */
		if (fd != dirfd(d) && fcntl(fd, F_GETFD) >= 0 &&
		    (out = way_out(fd)) != NULL)
			break;
	}
	rd_errno = errno;
	closedir(d);  /* before any refusal: chdrop leaves nothing open */
	if (why != NULL)
		errx(EXIT_CHDROP, "--inherit-fds: /proc/self/fd lists a name "
		     "that is no descriptor: %s", why);
	if (out != NULL)
		errx(EXIT_CHDROP, "--inherit-fds: descriptor %d is %s, a way out "
		     "of the root: refused", fd, out);
	if (rd_errno != 0) {
		errno = rd_errno;
		err(EXIT_CHDROP, "--inherit-fds: reading /proc/self/fd");
	}
}

/* Before anything is opened of our own, so that a number the caller did
 * not open is reported as such, never confused with one of chdrop's. */
static void resolve_fds(struct launch_plan *p)
{
	const char *why;

	if (parse_listen_fds(getenv("LISTEN_PID"), getenv("LISTEN_FDS"),
	                     getpid(), &p->listen_fds, &why) < 0)
		errx(EXIT_CHDROP, "socket activation: %s", why);
	if (!p->close_fds) {
		check_inherited_fds();
		return;
	}
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			check_kept_fd(fd, "descriptor");
	for (int i = 0; i < p->listen_fds; i++)
		check_kept_fd(3 + i, "LISTEN_FDS descriptor");
	for (size_t i = 0; i < p->nkeep_fds; i++)
		check_kept_fd(p->keep_fds[i], "--keep-fd");
}

/* Close everything but 0-2, the socket-activation range, --keep-fd and our
 * own root descriptor (closed once we are inside).  close_range(2) makes
 * the cost independent of RLIMIT_NOFILE: one call per gap. */
static void close_fds(const struct launch_plan *p, int rootfd)
{
	static int keep[3 + MAX_LISTEN_FDS + MAX_KEEP_FDS + 1];
	size_t n = 0;
	unsigned next = 0;

	if (!p->close_fds)
		return;
	for (int fd = 0; fd < 3 + p->listen_fds; fd++)
		keep[n++] = fd;
	for (size_t i = 0; i < p->nkeep_fds; i++)
		keep[n++] = p->keep_fds[i];
	if (rootfd >= 0)
		keep[n++] = rootfd;
	if (p->host_fd >= 0)
		keep[n++] = p->host_fd;
	qsort(keep, n, sizeof(keep[0]), cmp_int);
	for (size_t i = 0; i < n; i++) {
		unsigned k = (unsigned)keep[i];
		if (k > next && sys_close_range(next, k - 1) < 0)
			err(EXIT_CHDROP, "close_range(%u, %u)", next, k - 1);
		next = k + 1;
	}
	if (sys_close_range(next, ~0u) < 0)
		err(EXIT_CHDROP, "close_range(%u, ~0)", next);
	/* What is kept must survive the exec. */
	for (size_t i = 3; i < n; i++)
		if (keep[i] != rootfd && keep[i] != p->host_fd &&
		    fcntl(keep[i], F_SETFD, 0) < 0)
			err(EXIT_CHDROP, "fcntl(%d, F_SETFD)", keep[i]);
	say("descriptors closed but 0-2%s%s", p->listen_fds ? ", LISTEN_FDS" : "",
	    p->nkeep_fds ? ", --keep-fd" : "");
}

/* --- session ------------------------------------------------------------- */

static pid_t relay_child;

static void relay(int sig)
{
	if (relay_child > 0)
		kill(relay_child, sig);
}

/* Does this process have a controlling terminal? */
static bool have_ctty(void)
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* After a fork the target's pid is the child's: socket activation's
 * LISTEN_PID must say so, or sd_listen_fds() ignores the sockets. */
static void fix_listen_pid(const struct launch_plan *p, char **envp)
{
	if (p->listen_fds == 0)
		return;
	for (char **v = envp; *v; v++)
		if (strncmp(*v, "LISTEN_PID=", 11) == 0 &&
		    asprintf(v, "LISTEN_PID=%d", (int)getpid()) < 0)
			err(EXIT_CHDROP, "asprintf");
}

/* A session leader with no terminal (every systemd service) already is
 * what --new-session asks for.  Otherwise setsid(); it fails for a
 * process-group leader, which is what an interactive shell makes of every
 * job (or for a session leader that has a terminal).  Then, and only
 * then, fork: the child carries on in a new session and the parent (which
 * has no descriptors left and does nothing else) waits, forwards
 * termination signals and reports the child's status as its own. */
static void new_session(const struct launch_plan *p, char **envp)
{
	int status;

	if (!p->new_session)
		return;
	if (getsid(0) == getpid() && !have_ctty()) {
		say("already a session leader without a terminal");
		return;
	}
	if (setsid() >= 0) {
		say("new session %d", (int)getpid());
		return;
	}
	if (errno != EPERM)
		err(EXIT_CHDROP, "setsid");
	relay_child = fork();
	if (relay_child < 0)
		err(EXIT_CHDROP, "fork");
	if (relay_child == 0) {
		if (setsid() < 0)
			err(EXIT_CHDROP, "setsid");
		fix_listen_pid(p, envp);
		say("new session %d (forked: chdrop led a process group)",
		    (int)getpid());
		return;
	}
	/* The parent stays root, outside the root: it never dumps core (a
	 * root-owned core file in the caller's directory), not even when it
	 * re-raises the target's fatal signal, as coreutils' timeout does. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ||
	    setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 }) < 0) {
		kill(relay_child, SIGKILL);
		err(EXIT_CHDROP, "relay: disabling core dumps");
	}
	/* signal() fails only for an invalid signal number; these are
	 * constants.  NOLINTBEGIN(cert-err33-c) */
	signal(SIGTERM, relay);
	signal(SIGHUP, relay);
	signal(SIGINT, relay);
	signal(SIGQUIT, relay);
	/* NOLINTEND(cert-err33-c) */
	if (sys_close_range(0, ~0u) < 0)
		_exit(EXIT_CHDROP);
	while (waitpid(relay_child, &status, 0) < 0)
		if (errno != EINTR)
			_exit(EXIT_CHDROP);
	if (WIFSIGNALED(status)) {
		/* Die of the same signal; should it be ignored or blocked,
		 * raise() returns and the shell's 128+N is the next best.
		 * NOLINTBEGIN(cert-err33-c) */
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		/* NOLINTEND(cert-err33-c) */
		/* cppcheck-suppress unreachableCode ; raise() can return */
		_exit(128 + WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

/* --- entering the root ------------------------------------------------- */

/* The --chdir directory, from dirfd (the root descriptor before the
 * root is entered, AT_FDCWD after), or exit 125 naming it. */
static int open_chdir(const struct launch_plan *p, int dirfd)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS |
		           (p->root != NULL ? RESOLVE_IN_ROOT : 0),
	};
	bool walked;
	int fd = openat2_or_walk(dirfd, p->chdir, &how, &walked);

	if (fd < 0 && walked && (errno == ELOOP || errno == EXDEV))
		errx(EXIT_CHDROP, "--chdir=%s: a symlink or \"..\" on the way, "
		     "and openat2, which alone resolves them within the root, "
		     "answers ENOSYS here (systemd's RestrictSUIDSGID=, or a "
		     "kernel before 5.6): name the directory itself", p->chdir);
	if (fd < 0)
		err(EXIT_CHDROP, "--chdir=%s", p->chdir);
	return fd;
}

/* --chdir, inside the root: resolved as if the root were "/" with no
 * /proc magic links followed (a symlink the target planted, to
 * /proc/1/root say, would otherwise put its working directory outside the
 * root), and after the drop, with the target's own permissions: a symlink
 * it planted in its own directory cannot take it into one it could not
 * reach itself (a 0700 parent). */
static void change_dir(const struct launch_plan *p)
{
	int fd = open_chdir(p, AT_FDCWD);

	if (fchdir(fd) < 0)
		err(EXIT_CHDROP, "fchdir(--chdir=%s)", p->chdir);
	if (close(fd) < 0)
		err(EXIT_CHDROP, "close --chdir descriptor");
}

static void enter_root(const struct launch_plan *p, int rootfd)
{
	if (p->root != NULL) {
		if (p->pivot_root)
			enter_pivot_root(p, rootfd);
		else {
			if (fchdir(rootfd) < 0)
				err(EXIT_CHDROP, "fchdir(%s)", p->root);
			if (chroot(".") < 0)
				err(EXIT_CHDROP, "chroot(%s)", p->root);
		}
		if (chdir("/") < 0)
			err(EXIT_CHDROP, "chdir(/)");
		if (close(rootfd) < 0)
			err(EXIT_CHDROP, "close root descriptor");
		say("entered %s by %s", p->root, p->pivot_root ? "pivot_root" : "chroot");
	}
}

/* --- dropping privileges ----------------------------------------------- */

static bool have_effective(unsigned cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		err(EXIT_CHDROP, "capget");
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* Capabilities go through libcap-ng (0.8.3 on Debian 12) for their names
 * and for the sets a process holds: CAPNG_SELECT_CAPS is capset(2) alone
 * and CAPNG_SELECT_AMBIENT prctl(2) alone, touching no file, and run inside
 * the root after the uid change.  The bounding set is the exception: see
 * cut_bounding_set().  (capng_change_id() is not used: it applies the
 * bounding set too, and with CAPNG_INIT_SUPP_GRP it consults the root's
 * NSS.)  libcap-ng rarely sets errno: its return code is what is reported. */

static void fail_verify(const char *what) __attribute__((noreturn));

/* Select caps (a mask) in libcap-ng's state as type. */
static void capng_add_mask(capng_type_t type, uint64_t caps, const char *what)
{
	for (unsigned c = 0; c < 64; c++)
		if ((caps & (UINT64_C(1) << c)) &&
		    capng_update(CAPNG_ADD, type, c) < 0)
			errx(EXIT_CHDROP, "capng_update(%s, %s) failed", what,
			     cap_name(c));
}

/* The bounding set is cut by chdrop itself, one PR_CAPBSET_DROP per
 * capability not kept, each return checked, before the root is entered.
 * Not through capng_apply(CAPNG_SELECT_BOUNDS): libcap-ng 0.8.3 (and
 * upstream still) opens /proc/<tid>/status three times to do it (to see
 * CAP_SETPCAP, for the ambient set, and to read the result), which measured
 * 140-160 us of a 0.9-1.4 ms launch on the project's machine, against about
 * 10 us for the drops (issue 14, docs/performance.md); it also reports
 * success when a drop failed.  verify() reads the whole set back from the
 * kernel, one PR_CAPBSET_READ per capability, before anything runs, and
 * refuses on any difference.  It is read there only: a read here as well
 * found nothing that one does not (the set can only shrink). */
static void cut_bounding_set(const struct launch_plan *p, bool privileged)
{
	unsigned top = last_cap();

	if (!privileged)
		return;
	for (unsigned c = 0; c <= top; c++)
		if (!(p->caps & (UINT64_C(1) << c)) &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			err(EXIT_CHDROP, "prctl(PR_CAPBSET_DROP, %s)", cap_name(c));
	say("bounding set cut to caps %#llx", (unsigned long long)p->caps);
}

/* Permitted and effective to one mask, inheritable to another: capset(2). */
static void set_caps(uint64_t permitted_effective, uint64_t inheritable)
{
	int r;

	capng_clear(CAPNG_SELECT_CAPS);
	capng_add_mask(CAPNG_EFFECTIVE | CAPNG_PERMITTED, permitted_effective,
	               "permitted");
	capng_add_mask(CAPNG_INHERITABLE, inheritable, "inheritable");
	r = capng_apply(CAPNG_SELECT_CAPS);
	if (r < 0)
		errx(EXIT_CHDROP, "capng_apply(CAPNG_SELECT_CAPS, %#llx, "
		     "inheritable %#llx): error %d",
		     (unsigned long long)permitted_effective,
		     (unsigned long long)inheritable, r);
}

/* The ambient set to exactly keep: prctl(2) alone. */
static void set_ambient(uint64_t keep)
{
	int r;

	capng_clear(CAPNG_SELECT_AMBIENT);
	capng_add_mask(CAPNG_AMBIENT, keep, "ambient");
	r = capng_apply(CAPNG_SELECT_AMBIENT);
	if (r < 0)
		errx(EXIT_CHDROP, "capng_apply(CAPNG_SELECT_AMBIENT, %#llx): "
		     "error %d", (unsigned long long)keep, r);
}

static unsigned long securebits_wanted(void)
{
	return SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	       SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	       SECBIT_KEEP_CAPS_LOCKED |
	       SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
}

/* Are the process's supplementary groups exactly the plan's, as sets?
 * Both sides are sorted and stripped of duplicates first: a count and a
 * one-way search would call {G, G} the same as {0, G}. */
static bool same_groups(const struct launch_plan *p)
{
	static gid_t cur[MAX_GROUPS], want[MAX_GROUPS];  /* not on the stack */
	int n = getgroups(MAX_GROUPS, cur);
	size_t ncur, nwant;

	if (n < 0)
		err(EXIT_CHDROP, "getgroups");
	memcpy(want, p->groups, p->ngroups * sizeof(gid_t));
	ncur = sort_unique_gids(cur, (size_t)n);
	nwant = sort_unique_gids(want, p->ngroups);
	return ncur == nwant && memcmp(cur, want, ncur * sizeof(gid_t)) == 0;
}

/* Called with the plan's privileged flag: whether we hold CAP_SETPCAP. */
static void drop_privileges(const struct launch_plan *p, bool privileged)
{
	uid_t u = p->uid;
	gid_t g = p->gid;

	/* Groups and gid first, while CAP_SETGID is still ours.  Setting the
	 * list we already have needs no privilege, so skip it then. */
	if (!same_groups(p) && setgroups(p->ngroups, p->groups) < 0)
		err(EXIT_CHDROP, "setgroups(%zu groups)", p->ngroups);
	if (setresgid(g, g, g) < 0)
		err(EXIT_CHDROP, "setresgid(%u)", (unsigned)g);

	/* The bounding set was cut before entering the root. */
	/* Change uid keeping the permitted set; then reduce it to the kept
	 * caps plus CAP_SETPCAP, which the securebits still need. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		err(EXIT_CHDROP, "prctl(PR_SET_KEEPCAPS, 1)");
	if (setresuid(u, u, u) < 0)
		err(EXIT_CHDROP, "setresuid(%u)", (unsigned)u);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		err(EXIT_CHDROP, "prctl(PR_SET_KEEPCAPS, 0)");
	set_caps(p->caps | (privileged ? UINT64_C(1) << CAP_SETPCAP : 0), p->caps);

	/* Ambient caps are what carries the kept caps across exec into an
	 * ordinary binary (and into every descendant of the target).  They
	 * must be raised before NO_CAP_AMBIENT_RAISE is locked. */
	set_ambient(p->caps);
	if (privileged && p->securebits &&
	    prctl(PR_SET_SECUREBITS, securebits_wanted(), 0, 0, 0) < 0)
		err(EXIT_CHDROP, "prctl(PR_SET_SECUREBITS, %#lx)", securebits_wanted());

	/* Last, CAP_SETPCAP itself (unless it was asked for). */
	set_caps(p->caps, p->caps);
	say("dropped to uid %u gid %u, %zu groups, caps %#llx", (unsigned)u,
	    (unsigned)g, p->ngroups, (unsigned long long)p->caps);
}

/* --- verification ---------------------------------------------------------
 * Read back through the kernel directly, not through the helpers above: a check
 * done by the code that did the work would share its mistakes. */

static void fail_verify(const char *what)
{
	errx(EXIT_CHDROP, "verification failed: %s", what);
}

static void verify(const struct launch_plan *p, bool privileged, gid_t old_gid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	/* Zeroed: nothing read back may come from stack garbage, whatever
	 * capget wrote (valgrind, for one, models only d[0] as written). */
	struct __user_cap_data_struct d[2] = { { 0 }, { 0 } };
	unsigned lastcap = last_cap();
	struct ids now = current_ids();
	uint64_t eff, prm, inh, amb = 0, bnd = 0;
	int r;

	if (!now.uniform)
		fail_verify("real, effective and saved ids differ");
	if (now.uid != p->uid)
		fail_verify("uids");
	if (now.gid != p->gid)
		fail_verify("gids");
	if (!same_groups(p))
		fail_verify("supplementary groups");

	if (syscall(SYS_capget, &h, d) < 0)
		err(EXIT_CHDROP, "capget");
	eff = d[0].effective | (uint64_t)d[1].effective << 32;
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
	for (unsigned c = 0; c <= lastcap; c++) {
		/* The kernel keeps ambient within permitted and inheritable,
		 * both checked equal to the kept caps below: so only a kept
		 * cap can be ambient, and only those need asking about. */
		if (p->caps & (UINT64_C(1) << c)) {
			r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
			if (r < 0)
				err(EXIT_CHDROP, "prctl(PR_CAP_AMBIENT_IS_SET, %u)", c);
			amb |= (uint64_t)(r == 1) << c;
		}
		r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (r < 0)
			err(EXIT_CHDROP, "prctl(PR_CAPBSET_READ, %u)", c);
		bnd |= (uint64_t)(r == 1) << c;
	}
	if (eff != p->caps || prm != p->caps || inh != p->caps)
		fail_verify("effective, permitted or inheritable capabilities");
	if (amb != p->caps)
		fail_verify("ambient capabilities");
	if (privileged && bnd != p->caps)
		fail_verify("bounding set");

	r = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	if (r < 0)
		err(EXIT_CHDROP, "prctl(PR_GET_NO_NEW_PRIVS)");
	if (p->no_new_privs && r != 1)
		fail_verify("no_new_privs");
	r = prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0);
	if (r != 0)
		fail_verify("keepcaps");
	r = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (r < 0)
		err(EXIT_CHDROP, "prctl(PR_GET_SECUREBITS)");
	if (privileged && p->securebits && (unsigned long)r != securebits_wanted())
		fail_verify("securebits");
	if (p->tty_guard && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2)
		fail_verify("seccomp filter");
	/* The mode says only that some filter is on, perhaps a container's:
	 * the guard must also be seen refusing what it guards. */
	if (p->tty_guard && !tty_guard_holds())
		fail_verify("terminal guard: TIOCSTI/TIOCLINUX are not refused");

	/* Try to get back what we gave up, as OpenSSH's
	 * permanently_set_uid() does.  A kept CAP_SETUID/CAP_SETGID, or a
	 * target that is root, makes the attempt meaningless: skip it. */
	if (p->uid != 0 && !(p->caps & (UINT64_C(1) << CAP_SETUID)) &&
	    (setuid(0) == 0 || setresuid((uid_t)-1, 0, (uid_t)-1) == 0))
		fail_verify("uid 0 could be regained");
	if (old_gid != p->gid && !(p->caps & (UINT64_C(1) << CAP_SETGID)) &&
	    (setgid(old_gid) == 0 || setresgid((gid_t)-1, old_gid, (gid_t)-1) == 0))
		fail_verify("the old gid could be regained");
	say("verified: ids, groups, five capability sets, no_new_privs, "
	    "securebits");
}

/* --- environment and exec ------------------------------------------------ */

struct envlist { char **v; size_t n; };

static void env_put(struct envlist *e, char *kv)
{
	size_t nl = strcspn(kv, "=");

	for (size_t i = 0; i < e->n; i++) {
		if (strncmp(e->v[i], kv, nl) == 0 && e->v[i][nl] == '=') {
			e->v[i] = kv;
			return;
		}
	}
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

static void env_set(struct envlist *e, const char *name, const char *value)
{
	char *kv;

	if (asprintf(&kv, "%s=%s", name, value) < 0)
		err(EXIT_CHDROP, "asprintf");
	env_put(e, kv);
}

/* HOME is the account's home if that is a directory inside the root
 * (resolved as the root would see it, symlinks confined), else "/".
 * Where openat2 answers ENOSYS the home is looked up with no symlink
 * followed: one reached through a symlink then counts as absent (the man
 * page says so). */
static const char *target_home(const struct launch_plan *p, int rootfd)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS |
		           (rootfd >= 0 ? RESOLVE_IN_ROOT : 0),
	};
	bool walked;
	int fd;

	if (p->home == NULL || p->home[0] != '/')
		return "/";
	fd = openat2_or_walk(rootfd >= 0 ? rootfd : AT_FDCWD, p->home, &how,
	                     &walked);
	if (fd < 0)
		return "/";
	close(fd);
	return p->home;
}

static char **build_env(const struct launch_plan *p, const char *home)
{
	size_t count = 0;
	struct envlist e;

	for (char **v = environ; *v; v++)
		count++;
	e.v = calloc(count + p->nenv_set + 8, sizeof(char *));
	if (e.v == NULL)
		err(EXIT_CHDROP, "calloc");
	e.n = 0;
	for (char **v = environ; *v; v++) {
		bool keep = !p->reset_env;
		for (size_t i = 0; !keep && i < sizeof(reset_env_keep) /
		                                sizeof(reset_env_keep[0]); i++) {
			size_t l = strlen(reset_env_keep[i]);
			keep = strncmp(*v, reset_env_keep[i], l) == 0 && (*v)[l] == '=';
		}
		if (keep && strchr(*v, '=') != NULL)
			env_put(&e, *v);
	}
	env_set(&e, "HOME", home);
	env_set(&e, "USER", p->user_name);
	env_set(&e, "LOGNAME", p->user_name);
	if (p->reset_env) {
		env_set(&e, "SHELL", p->shell[0] ? p->shell : "/bin/sh");
		env_set(&e, "PATH", p->map_root ? ROOT_PATH : SAFE_PATH);
	}
	for (size_t i = 0; i < p->nenv_set; i++)
		env_put(&e, (char *)p->env_set[i]);
	return e.v;
}

/* ENOENT from execve for a file that exists means its ELF interpreter
 * (the dynamic loader) or #! interpreter is missing inside the root: the
 * program was found, so that is 126, with a message that says so. */
static void loader_missing(const char *path, int e)
{
	struct stat st;

	if (e == ENOENT && stat(path, &st) == 0)
		errx(EXIT_CANNOT_RUN, "exec %s: its interpreter or dynamic loader "
		     "is missing inside the root", path);
	errno = e;
}

/* The PATH a bare PROGRAM is looked up in: the target's, else SAFE_PATH.
 * exec_target() and the dry run's program_found() walk it alike. */
static const char *target_path(char **envp)
{
	for (char **v = envp; *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0)
			return *v + 5;
	return SAFE_PATH;
}

/* PROGRAM with a slash is executed as it is; without one it is looked up
 * in the target's PATH.  This is execvp(3) without its fallback of running
 * a file the kernel refuses (ENOEXEC) through /bin/sh: a root usually has
 * no /bin/sh, and a hidden shell is not what was asked for.  So 127 means
 * not found, and 126 means found but not executable. */
static void exec_target(const struct launch_plan *p, char **envp)
{
	const char *prog = p->argv[0], *path = NULL;
	int e = ENOENT;

	if (strchr(prog, '/') != NULL) {
		execve(prog, p->argv, envp);
		e = errno;
		loader_missing(prog, e);
	} else {
		char buf[PATH_MAX];

		path = target_path(envp);
		for (const char *d = path;; d++) {
			size_t len = strcspn(d, ":");
			int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)len, d,
			                 len ? "/" : "", prog);
			if (n > 0 && (size_t)n < sizeof(buf)) {
				execve(buf, p->argv, envp);
				loader_missing(buf, errno);
				/* Keep looking past what is not there; remember
				 * anything else (EACCES, ENOEXEC...) as the answer. */
				if (errno != ENOENT && errno != ENOTDIR)
					e = errno;
			}
			d += len;
			if (*d == '\0')
				break;
		}
	}
	errno = e;
	warn("exec %s", prog);
	exit(e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* A capability can only be kept if chdrop holds it: in its permitted set
 * and its bounding set (a service manager or container may have taken it
 * away).  Say which, before anything changes. */
static void check_caps_held(const struct launch_plan *p)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uint64_t prm;

	if (syscall(SYS_capget, &h, d) < 0)
		err(EXIT_CHDROP, "capget");
	prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	for (unsigned c = 0; c < 64; c++) {
		if (!(p->caps & (UINT64_C(1) << c)))
			continue;
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 1)
			errx(EXIT_CHDROP, "--caps: %s is not in chdrop's own bounding "
			     "set, so it cannot be kept", cap_name(c));
		if (!(prm & (UINT64_C(1) << c)))
			errx(EXIT_CHDROP, "--caps: chdrop does not hold %s itself, so "
			     "it cannot be kept", cap_name(c));
	}
}

/* Securebits the caller locked can never change again.  chdrop needs
 * KEEP_CAPS for a moment (to keep the kept caps across the uid change),
 * and sets the others its own way: a caller's lock against either is
 * reported now, before anything changes, not halfway through the drop. */
static void check_securebits(const struct launch_plan *p)
{
	static const unsigned long pairs[][2] = {
		{ SECBIT_NOROOT, SECBIT_NOROOT_LOCKED },
		{ SECBIT_NO_SETUID_FIXUP, SECBIT_NO_SETUID_FIXUP_LOCKED },
		{ SECBIT_NO_CAP_AMBIENT_RAISE, SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED },
	};
	int r = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	unsigned long cur, want = securebits_wanted();

	if (r < 0)
		err(EXIT_CHDROP, "prctl(PR_GET_SECUREBITS)");
	cur = (unsigned long)r;
	if (cur & SECBIT_KEEP_CAPS_LOCKED)
		errx(EXIT_CHDROP, "securebits %#lx: the caller locked KEEP_CAPS, "
		     "which the uid change needs", cur);
	for (size_t i = 0; p->securebits && i < sizeof(pairs) / sizeof(pairs[0]); i++)
		if ((cur & pairs[i][1]) && (cur & pairs[i][0]) != (want & pairs[i][0]))
			errx(EXIT_CHDROP, "securebits %#lx: locked by the caller to "
			     "values chdrop cannot set", cur);
}

/* --- pre-flight ------------------------------------------------------------
 * Before any change: every capability chdrop itself needs and does not
 * hold, named in one line, so a service manager's CapabilityBoundingSet=
 * or a start as an ordinary user is reported as what it is, never as a
 * bare "Operation not permitted" halfway through.  Before the names are
 * resolved (resolved false) only what does not depend on the target's
 * identity is known for sure; the identity's needs are judged again once
 * it is resolved. */

/* Without CAP_SETPCAP the bounding set cannot be cut nor securebits set.
 * That is acceptable only for a caller who already is exactly the target
 * (the "already being the identity is not an error" case) and keeps
 * no_new_privs, which makes both moot: nothing it executes can gain
 * privileges. */
static bool already_target(const struct launch_plan *p)
{
	struct ids now = current_ids();

	return now.uniform && now.uid == p->uid && now.gid == p->gid &&
	       p->caps == 0 && p->no_new_privs;
}

static uint64_t needed_caps(const struct launch_plan *p, bool resolved)
{
	struct ids now = current_ids();
	uint64_t need = 0;

	if (p->root != NULL && !p->pivot_root)
		need |= UINT64_C(1) << CAP_SYS_CHROOT;
	if (plan_needs_mount_ns(p))
		need |= UINT64_C(1) << CAP_SYS_ADMIN;
	/* Without no_new_privs the kernel takes seccomp and Landlock only
	 * from a holder of CAP_SYS_ADMIN. */
	if (!p->no_new_privs && (p->tty_guard || p->landlock))
		need |= UINT64_C(1) << CAP_SYS_ADMIN;
	if (!resolved) {
		/* Root's target is never root itself without --allow-root. */
		if (now.uid == 0 && !p->allow_root)
			need |= UINT64_C(1) << CAP_SETUID | UINT64_C(1) << CAP_SETGID |
			        UINT64_C(1) << CAP_SETPCAP;
		return need;
	}
	if (!now.uniform || now.uid != p->uid)
		need |= UINT64_C(1) << CAP_SETUID;
	if (!now.uniform || now.gid != p->gid || !same_groups(p))
		need |= UINT64_C(1) << CAP_SETGID;
	if (!already_target(p))
		need |= UINT64_C(1) << CAP_SETPCAP;
	return need;
}

static void preflight(const struct launch_plan *p, bool resolved)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 }, { 0 } };
	char names[160] = "";
	uint64_t lack;
	size_t len = 0;

	if (p->userns)
		return;  /* the namespace grants them; it is checked on entry */
	if (syscall(SYS_capget, &h, d) < 0)
		err(EXIT_CHDROP, "capget");
	lack = needed_caps(p, resolved) &
	       ~(d[0].effective | (uint64_t)d[1].effective << 32);
	if (lack == 0)
		return;
	for (unsigned c = 0; c < 64; c++)
		if ((lack & (UINT64_C(1) << c)) && len < sizeof(names))
			len += (size_t)snprintf(names + len, sizeof(names) - len,
			                        "%sCAP_%s", len ? ", " : "", cap_name(c));
	for (char *s = names; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
	if (getuid() != 0)
		errx(EXIT_CHDROP, "not root, and missing %s, which chdrop needs "
		     "itself: run it as root, or use --userns to enter a root of "
		     "your own as yourself", names);
	errx(EXIT_CHDROP, "missing %s, which chdrop needs itself: add %s to "
	     "the unit's CapabilityBoundingSet= (chdrop drops %s before the "
	     "target runs)", names, lack & (lack - 1) ? "them" : "it",
	     lack & (lack - 1) ? "them" : "it");
}

/* --- dry run: fail where a run would fail ---------------------------------- */

/* Is PROGRAM there, looked up as exec_target will: as given when it holds
 * a slash, else in the target's PATH, inside the root, relative paths
 * from the working directory it will have?  Only found or not: what
 * stops a found file from running is judged elsewhere. */
static bool found_at(int rootfd, const char *cwd, const char *file,
                     char *buf, size_t size)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = rootfd >= 0 ? RESOLVE_IN_ROOT : 0,
	};
	struct stat st;
	bool found;
	int n, fd;

	n = file[0] == '/' ? snprintf(buf, size, "%s", file)
	                   : snprintf(buf, size, "%s/%s", cwd, file);
	if (n < 0 || (size_t)n >= size)
		return false;
	fd = (int)syscall(SYS_openat2, rootfd >= 0 ? rootfd : AT_FDCWD, buf,
	                  &how, sizeof(how));
	if (fd < 0)
		return false;
	found = fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
	close(fd);
	return found;
}

static bool program_found(const struct launch_plan *p, int rootfd, char **envp,
                          char *found, size_t size)
{
	const char *prog = p->argv[0], *path = NULL;
	const char *cwd = p->chdir ? p->chdir : p->root ? "/" : ".";
	char file[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return found_at(rootfd, cwd, prog, found, size);
	path = target_path(envp);
	for (const char *d = path;; d++) {
		size_t len = strcspn(d, ":");
		int n = snprintf(file, sizeof(file), "%.*s%s%s", (int)len, d,
		                 len ? "/" : "", prog);

		if (n > 0 && (size_t)n < sizeof(file) && found_at(rootfd, cwd, file, found, size))
			return true;
		d += len;
		if (*d == '\0')
			return false;
	}
}

/* -n --userns: can this caller make the namespace at all?  Tried in a
 * short-lived child, which leaves by _exit(). */
static void userns_probe(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		err(EXIT_CHDROP, "--userns probe: fork");
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) < 0 ? errno : 0);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			err(EXIT_CHDROP, "--userns probe: waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
		err(EXIT_CHDROP, "unshare(CLONE_NEWUSER)");
	}
}

/* -n: after the plan, the verdict a run would reach, in the order a run
 * reaches it, with the same message and exit status.  Not inlined into
 * main(): its 8 KiB of buffers would be in every run's stack frame. */
static void __attribute__((noinline)) dry_run_verdict(const struct launch_plan *p, int rootfd, char **envp)
{
	char found[2 * PATH_MAX];
	const char *why;

	if (fflush(stdout) != 0 || ferror(stdout))
		err(EXIT_CHDROP, "--dry-run: write");
	if (p->userns)
		userns_probe();
	preflight(p, true);
	if (!p->userns)  /* --map-root's caps are the namespace's, all held */
		check_caps_held(p);
	check_securebits(p);
	landlock_preflight(p);
	if (p->tty_guard && (why = tty_guard_probe(p)) != NULL)
		errx(EXIT_CHDROP, "terminal guard: %s (--no-tty-guard runs "
		     "without it)", why);
	if (p->chdir != NULL)
		close(open_chdir(p, rootfd >= 0 ? rootfd : AT_FDCWD));
	/* --host-program: PROGRAM was opened on the host and checked. */
	if (!p->host_program && !program_found(p, rootfd, envp, found, sizeof(found))) {
		errno = ENOENT;
		err(EXIT_NOT_FOUND, "exec %s", p->argv[0]);
	}
	if (!p->host_program)
		dry_run_loadable(p, rootfd, found);
}

/* --- audit ----------------------------------------------------------------- */

/* --audit: names are resolved on the host as for a launch (before the walk,
 * never from the tree); nothing else of the launch path runs. */
static void run_audit(struct launch_plan *p) __attribute__((noreturn));
static void run_audit(struct launch_plan *p)
{
	struct audit_opts o = { .format = p->audit_format,
	                        .hazards_only = p->audit_hazards_only,
	                        .userns = p->userns };

	if (p->userns && p->user_spec == NULL) {  /* "you": the caller */
		o.target_set = true;
		o.uid = getuid();
		o.gid = getgid();
	} else if (p->user_spec != NULL) {
		p->userns = false;  /* -u names "you": looked up, not the caller */
		resolve_identity(p, -1);
		o.target_set = true;
		o.uid = p->uid;
		o.gid = p->gid;
		o.groups = p->groups;
		o.ngroups = p->ngroups;
	}
	exit(audit_root(p->audit, &o));
}

/* --- main ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	struct launch_plan plan;
	bool privileged;
	gid_t old_gid = getgid();
	int rootfd = -1;
	long caller_keyring;
	char **envp;

	program_invocation_short_name = (char *)"chdrop";
	refuse_setuid_install();
	ensure_std_fds();

	parse_args(argc, argv, &plan);
	validate(&plan);
	if (plan.audit != NULL)
		run_audit(&plan);
	resolve_fds(&plan);
	if (!plan.dry_run || plan.nmounts > 0 || plan.dev) {
		/* The namespace is the one change made before the names are
		 * resolved: what it needs is checked first.  (-n makes the
		 * per-run mounts too, in a namespace that vanishes with it.) */
		if (plan_needs_mount_ns(&plan))
			preflight(&plan, false);
		if (!plan.dry_run)
			landlock_preflight(&plan);
		private_mount_ns(&plan);
	}
	if (plan.root != NULL)
		rootfd = open_root(&plan);
	check_stale(&plan, rootfd);
	resolve_identity(&plan, rootfd);
	check_not_root(&plan);
	envp = build_env(&plan, target_home(&plan, rootfd));
	if (plan.dry_run) {
		setup_mounts(&plan, rootfd);
		open_host_program(&plan);
		print_plan(&plan, envp);
		dry_run_verdict(&plan, rootfd, envp);
		return 0;
	}
	enter_userns(&plan, rootfd);
	if (plan.userns)       /* forked: the target is PID 2 of its namespace */
		fix_listen_pid(&plan, envp);
	preflight(&plan, true);
	check_caps_held(&plan);
	check_securebits(&plan);
	privileged = have_effective(CAP_SETPCAP);
	if (!privileged)
		say("no CAP_SETPCAP: already uid %u, bounding set and securebits "
		    "left as they are (no_new_privs makes them moot)",
		    (unsigned)plan.uid);
	setup_mounts(&plan, rootfd);
	open_host_program(&plan);
	cut_bounding_set(&plan, privileged);

	caller_keyring = caller_session_keyring();
	close_fds(&plan, rootfd);
	new_session(&plan, envp);
	enter_root(&plan, rootfd);
	set_no_new_privs(&plan);
	tty_guard(&plan);
	landlock(&plan);
	drop_privileges(&plan, privileged);
	new_session_keyring(caller_keyring);
	if (plan.chdir != NULL)
		change_dir(&plan);
	verify(&plan, privileged, old_gid);
	if (plan.host_program)
		exec_host_program(&plan, envp);
	exec_target(&plan, envp);
}
