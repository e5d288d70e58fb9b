/* SPDX-License-Identifier: ISC */
/* probe — report what a process really got, for chdrop's tests.
 *
 * Built static (make check: cc -static -O2 -o tests/probe tests/probe.c) so
 * it runs in a root that holds nothing else: no libraries, no /proc, no /dev.
 *
 *   probe                      the report (same as "probe report")
 *   probe CMD [ARG]... [CMD [ARG]...]...
 *
 * Commands run left to right; each prints stable key=value lines on stdout.
 * "args", "exec" and "pty" consume the rest of the line.  To add a command, write a
 * cmd_* function and add a row to the table at the bottom.
 *
 * The report's keys: pid ppid sid pgid uid gid groups cap_eff cap_prm cap_inh
 * cap_amb cap_bnd last_cap no_new_privs securebits seccomp cwd root_ino fds
 * fd.N (type:dev:ino for each fd > 2) env.NAME (HOME USER LOGNAME PATH SHELL
 * TERM LISTEN_PID LISTEN_FDS LISTEN_FDNAMES NOTIFY_SOCKET and every CHDROPT_*,
 * only when set) env_count (the number of environment entries).  Capability sets and securebits are 0x-prefixed hex.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <dirent.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/io_uring.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#endif

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case EROFS: return "EROFS";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ENOEXEC: return "ENOEXEC";
	case ECONNREFUSED: return "ECONNREFUSED";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOTSOCK: return "ENOTSOCK";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EADDRINUSE: return "EADDRINUSE";
	default: {
		static char buf[32];
		snprintf(buf, sizeof buf, "E%d", e);
		return buf;
	}
	}
}

static unsigned last_cap(void)
{
	unsigned n = 0;

	/* PR_CAPBSET_READ fails with EINVAL past the kernel's last cap. */
	while (n < 64 && prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0)
		n++;
	return n;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return x < y ? -1 : x > y;
}

static void print_fds(void)
{
	int fd;
	const char *sep = "";

	printf("fds=");
	for (fd = 0; fd < 1024; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			continue;
		printf("%s%d", sep, fd);
		sep = ",";
	}
	printf("\n");
	for (fd = 3; fd < 1024; fd++) {
		struct stat st;
		const char *type = "other";

		if (fcntl(fd, F_GETFD) < 0 || fstat(fd, &st) < 0)
			continue;
		switch (st.st_mode & S_IFMT) {
		case S_IFREG: type = "reg"; break;
		case S_IFDIR: type = "dir"; break;
		case S_IFCHR: type = "chr"; break;
		case S_IFIFO: type = "fifo"; break;
		case S_IFSOCK: type = "sock"; break;
		case S_IFBLK: type = "blk"; break;
		}
		printf("fd.%d=%s:%llu:%llu\n", fd, type,
		       (unsigned long long)st.st_dev,
		       (unsigned long long)st.st_ino);
	}
}

static int cmd_report(char **argv)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	gid_t groups[NGROUPS_MAX];
	int n, i;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	unsigned long long eff = 0, prm = 0, inh = 0, amb = 0, bnd = 0;
	unsigned last = last_cap(), c;
	char cwd[PATH_MAX];
	struct stat st;
	static const char *env_keys[] = {
		"HOME", "USER", "LOGNAME", "PATH", "SHELL", "TERM",
		"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET", NULL
	};

	(void)argv;
	/* The fds first, before this process opens anything itself. */
	print_fds();

	printf("pid=%ld\n", (long)getpid());
	printf("ppid=%ld\n", (long)getppid());
	printf("sid=%ld\n", (long)getsid(0));
	printf("pgid=%ld\n", (long)getpgid(0));

	getresuid(&ru, &eu, &su);
	getresgid(&rg, &eg, &sg);
	printf("uid=%u,%u,%u\n", ru, eu, su);
	printf("gid=%u,%u,%u\n", rg, eg, sg);

	n = getgroups(NGROUPS_MAX, groups);
	if (n < 0)
		n = 0;
	qsort(groups, (size_t)n, sizeof groups[0], cmp_gid);
	printf("groups=");
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");

	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) == 0) {
		eff = data[0].effective | (unsigned long long)data[1].effective << 32;
		prm = data[0].permitted | (unsigned long long)data[1].permitted << 32;
		inh = data[0].inheritable | (unsigned long long)data[1].inheritable << 32;
	} else {
		printf("capget=%s\n", errname(errno));
	}
	for (c = 0; c <= last; c++) {
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			bnd |= 1ULL << c;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
			amb |= 1ULL << c;
	}
	printf("cap_eff=0x%llx\n", eff);
	printf("cap_prm=0x%llx\n", prm);
	printf("cap_inh=0x%llx\n", inh);
	printf("cap_amb=0x%llx\n", amb);
	printf("cap_bnd=0x%llx\n", bnd);
	printf("last_cap=%u\n", last);

	printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("securebits=0x%x\n", (unsigned)prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	printf("seccomp=%d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));

	if (getcwd(cwd, sizeof cwd))
		printf("cwd=%s\n", cwd);
	else
		printf("cwd=%s\n", errname(errno));
	if (stat("/", &st) == 0)
		printf("root_ino=%llu:%llu\n", (unsigned long long)st.st_dev,
		       (unsigned long long)st.st_ino);
	else
		printf("root_ino=%s\n", errname(errno));

	for (i = 0; env_keys[i]; i++) {
		const char *v = getenv(env_keys[i]);
		if (v)
			printf("env.%s=%s\n", env_keys[i], v);
	}
	/* Test variables (CHDROPT_*), in environment order, and the count. */
	for (i = 0; environ[i]; i++)
		if (strncmp(environ[i], "CHDROPT_", 8) == 0)
			printf("env.%s\n", environ[i]);
	printf("env_count=%d\n", i);
	return 0;
}

static int cmd_exit(char **argv)
{
	fflush(stdout);
	exit(atoi(argv[0]));
}

/* TIOCSTI on fd (default 0).  "tiocsti-hi" passes the request with high bits
 * set in the 64-bit register: the kernel truncates ioctl's cmd to 32 bits, so
 * a seccomp filter comparing all 64 bits would let it through. */
static int do_tiocsti(const char *key, int fd, unsigned long req)
{
	char c = 'x';
	long r = syscall(SYS_ioctl, fd, req, &c);
	printf("%s=%s\n", key, r == 0 ? "ok" : errname(errno));
	return 0;
}

static int cmd_tiocsti(char **argv)
{
	return do_tiocsti("tiocsti", argv[0] ? atoi(argv[0]) : 0, TIOCSTI);
}

static int cmd_tiocsti_hi(char **argv)
{
	return do_tiocsti("tiocsti_hi", argv[0] ? atoi(argv[0]) : 0,
	                  (unsigned long)TIOCSTI | 0x100000000UL);
}

static int cmd_tioclinux(char **argv)
{
	char sub[2] = { 6, 0 };   /* TIOCL_GETSHIFTSTATE: harmless */
	long r = syscall(SYS_ioctl, argv[0] ? atoi(argv[0]) : 0, TIOCLINUX, sub);

	printf("tioclinux=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

static int cmd_isatty(char **argv)
{
	int fd = argv[0] ? atoi(argv[0]) : 0;
	int r = isatty(fd);

	printf("isatty=%s\n", r ? "1" : errname(errno));
	return 0;
}

static int cmd_setuid0(char **argv)
{
	int r;

	(void)argv;
	r = setresuid(0, 0, 0);
	printf("setuid0=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

static int cmd_setgid0(char **argv)
{
	int r;

	(void)argv;
	r = setresgid(0, 0, 0);
	printf("setgid0=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

static int cmd_setgroups0(char **argv)
{
	gid_t g = 0;
	int r;

	(void)argv;
	r = setgroups(1, &g);
	printf("setgroups0=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

/* Print ready=1, then wait (at most 20 s) for SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT or SIGTSTP. */
static int cmd_wait_signal(char **argv)
{
	sigset_t set;
	struct timespec ts = { 20, 0 };
	int sig;

	(void)argv;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTSTP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready=1\n");
	fflush(stdout);
	sig = sigtimedwait(&set, NULL, &ts);
	if (sig < 0)
		printf("got=%s\n", errname(errno));
	else
		printf("got=SIG%s\n", sigabbrev_np(sig));
	return 0;
}

static int cmd_open(char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);

	printf("open=%s\n", fd >= 0 ? "ok" : errname(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

static int cmd_openat_fd(char **argv)
{
	int fd = openat(atoi(argv[0]), argv[1], O_RDONLY | O_CLOEXEC);

	printf("openat=%s\n", fd >= 0 ? "ok" : errname(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Read up to one line from fd N and print it as read=LINE. */
static int cmd_read_fd(char **argv)
{
	char buf[256];
	ssize_t n = pread(atoi(argv[0]), buf, sizeof buf - 1, 0);

	if (n < 0) {
		printf("read=%s\n", errname(errno));
		return 0;
	}
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	printf("read=%s\n", buf);
	return 0;
}

/* Create PATH (proof that the target ran). */
static int cmd_touch(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	printf("touch=%s\n", fd >= 0 ? "ok" : errname(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

static int cmd_kill(char **argv)
{
	int r = kill((pid_t)atol(argv[0]), 0);

	printf("kill=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

static int cmd_connect_abstract(char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(argv[0]);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (s < 0) {
		printf("connect=%s\n", errname(errno));
		return 0;
	}
	if (len > sizeof sa.sun_path - 1)
		len = sizeof sa.sun_path - 1;
	memcpy(sa.sun_path + 1, argv[0], len);
	r = connect(s, (struct sockaddr *)&sa,
	            (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len));
	printf("connect=%s\n", r == 0 ? "ok" : errname(errno));
	close(s);
	return 0;
}

/* bind(2) a TCP socket to 127.0.0.1:PORT (below 1024 needs
 * CAP_NET_BIND_SERVICE, unless net.ipv4.ip_unprivileged_port_start says
 * otherwise). */
static int cmd_bind(char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, r;

	if (s < 0) {
		printf("bind=%s\n", errname(errno));
		return 0;
	}
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_port = htons((uint16_t)atoi(argv[0]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r = bind(s, (struct sockaddr *)&sa, sizeof sa);
	printf("bind=%s\n", r == 0 ? "ok" : errname(errno));
	close(s);
	return 0;
}

/* The classic escape: chroot into a subdirectory (default /bin) without
 * chdir, walk up with "..", chroot("."), and report the new root. */
static int cmd_chroot_escape(char **argv)
{
	const char *sub = argv[0] ? argv[0] : "/bin";
	struct stat st;
	int i;

	if (chroot(sub) != 0) {
		printf("chroot_escape=%s\n", errname(errno));
		return 0;
	}
	for (i = 0; i < 64; i++)
		if (chdir("..") != 0)
			break;
	if (chroot(".") != 0) {
		printf("chroot_escape=%s\n", errname(errno));
		return 0;
	}
	printf("chroot_escape=ok\n");
	if (stat("/", &st) == 0)
		printf("escaped_root_ino=%llu:%llu\n",
		       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return 0;
}

static int cmd_sleep(char **argv)
{
	fflush(stdout);
	sleep((unsigned)atoi(argv[0]));
	return 0;
}

/* Print the rest of the command line as arg.N=VALUE, arg_count=N. */
static int cmd_args(char **argv)
{
	int i;

	for (i = 0; argv[i]; i++)
		printf("arg.%d=%s\n", i, argv[i]);
	printf("arg_count=%d\n", i);
	return 0;
}

static int cmd_exec(char **argv)
{
	fflush(stdout);
	execv(argv[0], argv);
	printf("exec=%s\n", errname(errno));
	fflush(stdout);
	exit(1);
}

/* probe pty [--intr-on=TEXT] CMD [ARG]...
 *
 * Run CMD on a new pseudo-terminal as its controlling terminal and copy its
 * output to stdout (no echo, no CR).  CMD runs in the terminal's foreground
 * process group but is not a process-group leader, as under an interactive
 * shell, so setsid() is open to it.  When the output so far contains TEXT,
 * write Ctrl-C (the VINTR character) to the master, as a user would type it.
 * Exit with CMD's status (128+N for signal N); at most 30 s.
 */
static int cmd_pty(char **argv)
{
	const char *intr_on = NULL;
	char seen[65536];
	size_t nseen = 0;
	int master, status = 0;
	pid_t pid;
	struct termios tio;

	if (argv[0] && strncmp(argv[0], "--intr-on=", 10) == 0) {
		intr_on = argv[0] + 10;
		argv++;
	}
	if (!argv[0]) {
		fprintf(stderr, "probe pty: no command\n");
		exit(2);
	}
	fflush(stdout);
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		perror("probe pty: posix_openpt");
		exit(2);
	}
	pid = fork();
	if (pid < 0) {
		perror("probe pty: fork");
		exit(2);
	}
	if (pid == 0) {
		int slave;
		pid_t child;

		if (setsid() < 0) {
			perror("probe pty: setsid");
			_exit(2);
		}
		slave = open(ptsname(master), O_RDWR);
		if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
			perror("probe pty: slave");
			_exit(2);
		}
		tcgetattr(slave, &tio);
		tio.c_lflag &= ~(tcflag_t)(ECHO | ECHOCTL | ECHOE | ECHOK | ECHONL);
		tio.c_lflag |= ISIG;
		tio.c_oflag &= ~(tcflag_t)OPOST;
		tcsetattr(slave, TCSANOW, &tio);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		if (slave > 2)
			close(slave);
		child = fork();
		if (child < 0)
			_exit(2);
		if (child == 0) {
			execvp(argv[0], argv);
			fprintf(stderr, "probe pty: exec %s: %s\n", argv[0],
			        strerror(errno));
			_exit(127);
		}
		/* The session leader only waits; Ctrl-C is for the child. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		for (;;) {
			int st;
			if (waitpid(child, &st, 0) < 0) {
				if (errno == EINTR)
					continue;
				_exit(2);
			}
			if (WIFEXITED(st))
				_exit(WEXITSTATUS(st));
			_exit(128 + WTERMSIG(st));
		}
	}
	alarm(30);
	for (;;) {
		char buf[4096];
		ssize_t n = read(master, buf, sizeof buf);
		ssize_t i;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)   /* EIO: every slave fd closed */
			break;
		for (i = 0; i < n; i++)
			if (buf[i] != '\r')
				putchar(buf[i]);
		fflush(stdout);
		if (nseen + (size_t)n < sizeof seen - 1) {
			memcpy(seen + nseen, buf, (size_t)n);
			nseen += (size_t)n;
			seen[nseen] = 0;
		}
		if (intr_on && strstr(seen, intr_on)) {
			char intr = 3;   /* ^C */
			if (write(master, &intr, 1) != 1)
				perror("probe pty: write");
			intr_on = NULL;
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	exit(128 + WTERMSIG(status));
}


/* ptrace(PTRACE_ATTACH) another process, then let it go. */
static int cmd_ptrace(char **argv)
{
	pid_t pid = (pid_t)atol(argv[0]);
	int st;

	if (ptrace(PTRACE_ATTACH, pid, NULL, NULL) != 0) {
		printf("ptrace=%s\n", errname(errno));
		return 0;
	}
	waitpid(pid, &st, 0);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	printf("ptrace=ok\n");
	return 0;
}

/* The everyday file work of a service, inside DIR: create, write, rename,
 * link, truncate, symlink, mkdir/rmdir, unlink, and run a program (this
 * probe, copied).  Prints fs_STEP=ok or the errno name, then fs=ok if all
 * steps worked: the Landlock rule must deny nothing inside the root. */
static int fs_step(const char *name, int r, int *bad)
{
	printf("fs_%s=%s\n", name, r == 0 ? "ok" : errname(errno));
	if (r != 0)
		*bad = 1;
	return r;
}

static int cmd_fs_ops(char **argv)
{
	char a[512], b[512], c[512], d[512], self[512];
	int bad = 0, fd, st;
	pid_t pid;

	snprintf(a, sizeof a, "%s/a", argv[0]);
	snprintf(b, sizeof b, "%s/sub/b", argv[0]);
	snprintf(c, sizeof c, "%s/c", argv[0]);
	snprintf(d, sizeof d, "%s/sub", argv[0]);
	snprintf(self, sizeof self, "%s/prog", argv[0]);
	fd = open(a, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fs_step("create", fd < 0 ? -1 : 0, &bad);
	if (fd >= 0) {
		fs_step("write", write(fd, "hello\n", 6) == 6 ? 0 : -1, &bad);
		fs_step("ftruncate", ftruncate(fd, 2), &bad);
		close(fd);
	}
	fs_step("truncate", truncate(a, 1), &bad);
	fs_step("mkdir", mkdir(d, 0755), &bad);
	fs_step("rename", rename(a, b), &bad);
	fs_step("link", link(b, c), &bad);
	fs_step("symlink", symlink("c", a), &bad);
	fs_step("unlink", unlink(a), &bad);
	fs_step("unlink2", unlink(c), &bad);
	fs_step("unlink3", unlink(b), &bad);
	fs_step("rmdir", rmdir(d), &bad);
	/* copy /bin/probe and run the copy */
	{
		int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		int out = open(self, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		char buf[65536];
		ssize_t n;

		if (in < 0)
			in = open("/bin/probe", O_RDONLY | O_CLOEXEC);
		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
			if (write(out, buf, (size_t)n) != n)
				break;
		fs_step("copy", in >= 0 && out >= 0 ? 0 : -1, &bad);
		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *args[] = { self, "exit", "7", NULL };
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, 1);
		execv(self, args);
		_exit(100 + errno % 100);
	}
	waitpid(pid, &st, 0);
	errno = WIFEXITED(st) ? WEXITSTATUS(st) - 100 : 0;
	fs_step("exec", WIFEXITED(st) && WEXITSTATUS(st) == 7 ? 0 : -1, &bad);
	unlink(self);
	printf("fs=%s\n", bad ? "failed" : "ok");
	return 0;
}


/* Try to create a user namespace (a chrooted process must not). */
static int cmd_unshare_user(char **argv)
{
	(void)argv;
	printf("unshare_user=%s\n", unshare(CLONE_NEWUSER) == 0 ? "ok" : errname(errno));
	return 0;
}


/* io-uring-dir DIR N PROG ARGS...: an io_uring holding DIR as a registered
 * file, on descriptor N, left open across the exec of PROG: a way to
 * smuggle a directory past a check for directory descriptors. */
static int cmd_io_uring_dir(char **argv)
{
	struct io_uring_params params;
	int ring, dfd, n = atoi(argv[1]);

	memset(&params, 0, sizeof params);
	ring = (int)syscall(SYS_io_uring_setup, 4, &params);
	dfd = open(argv[0], O_RDONLY | O_DIRECTORY);
	if (ring < 0 || dfd < 0 ||
	    syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, &dfd, 1) < 0) {
		printf("io_uring=%s\n", errname(errno));
		return 0;
	}
	close(dfd);
	if (dup2(ring, n) < 0) {
		printf("io_uring=%s\n", errname(errno));
		return 0;
	}
	if (ring != n)
		close(ring);
	fcntl(n, F_SETFD, 0);  /* io_uring fds are close-on-exec */
	fflush(stdout);
	execv(argv[2], argv + 2);
	printf("exec=%s\n", errname(errno));
	return 0;
}

/* ls DIR: the entries of DIR, sorted, as ls=NAME:TYPE[:MAJ:MIN],...
 * (chr and blk nodes with their numbers). */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmd_ls(char **argv)
{
	char *names[256], buf[512];
	int n = 0, i;
	DIR *d = opendir(argv[0]);
	struct dirent *e;

	if (d == NULL) {
		printf("ls=%s\n", errname(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL && n < 256) {
		struct stat st;
		const char *t = "other";

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		switch (st.st_mode & S_IFMT) {
		case S_IFREG: t = "reg"; break;
		case S_IFDIR: t = "dir"; break;
		case S_IFCHR: t = "chr"; break;
		case S_IFBLK: t = "blk"; break;
		case S_IFLNK: t = "lnk"; break;
		case S_IFSOCK: t = "sock"; break;
		case S_IFIFO: t = "fifo"; break;
		}
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
			snprintf(buf, sizeof buf, "%s:%s:%u:%u", e->d_name, t,
			         major(st.st_rdev), minor(st.st_rdev));
		else
			snprintf(buf, sizeof buf, "%s:%s", e->d_name, t);
		names[n++] = strdup(buf);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	printf("ls=");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? "," : "", names[i]);
	printf("\n");
	return 0;
}

/* write PATH: open PATH for writing (no create) and write a byte. */
static int cmd_write(char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_CLOEXEC);
	int r = fd < 0 ? -1 : (int)write(fd, "x", 1);

	printf("write=%s\n", r == 1 ? "ok" : errname(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}

/* copy SRC DST: copy a file (mode 0755). */
static int cmd_copy(char **argv)
{
	int in = open(argv[0], O_RDONLY | O_CLOEXEC);
	int out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	char buf[65536];
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	printf("copy=%s\n", in >= 0 && out >= 0 && n == 0 ? "ok" : errname(errno));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return 0;
}

/* cat PATH: the first line of PATH, as cat=LINE. */
static int cmd_cat(char **argv)
{
	char buf[256];
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (n < 0) {
		printf("cat=%s\n", errname(errno));
	} else {
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		printf("cat=%s\n", buf);
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* mntflags PATH: what statvfs says of the mount PATH is on. */
static int cmd_mntflags(char **argv)
{
	struct statvfs sv;

	if (statvfs(argv[0], &sv) < 0) {
		printf("mntflags=%s\n", errname(errno));
		return 0;
	}
	printf("mntflags=%s,%s%s%s\n", sv.f_flag & ST_RDONLY ? "ro" : "rw",
	       sv.f_flag & ST_NOSUID ? "nosuid" : "suid",
	       sv.f_flag & ST_NODEV ? ",nodev" : "",
	       sv.f_flag & ST_NOEXEC ? ",noexec" : "");
	return 0;
}

/* send-unix PATH TEXT: send TEXT as one datagram to the unix socket PATH
 * (connect first, as syslog(3) and sd_notify do). */
static int cmd_send_unix(char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", argv[0]);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		printf("send=%s\n", errname(errno));
		if (s >= 0)
			close(s);
		return 0;
	}
	printf("send=%s\n", send(s, argv[1], strlen(argv[1]), 0) >= 0 ?
	       "ok" : errname(errno));
	close(s);
	return 0;
}

/* setns FD: join the namespace FD refers to (any kind). */
static int cmd_setns(char **argv)
{
	int r = setns(atoi(argv[0]), 0);

	printf("setns=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

/* pidfd-getfd PIDFD N PATH: take descriptor N of the process PIDFD refers
 * to (pidfd_getfd) and open PATH relative to it. */
static int cmd_pidfd_getfd(char **argv)
{
	int fd = (int)syscall(438 /* SYS_pidfd_getfd */, atoi(argv[0]),
	                      atoi(argv[1]), 0);
	int f;

	printf("pidfd_getfd=%s\n", fd >= 0 ? "ok" : errname(errno));
	if (fd < 0)
		return 0;
	f = openat(fd, argv[2], O_RDONLY | O_CLOEXEC);
	printf("pidfd_openat=%s\n", f >= 0 ? "ok" : errname(errno));
	return 0;
}

/* signal PID SIG: send signal SIG (a number) to PID. */
static int cmd_signal(char **argv)
{
	int r = kill((pid_t)atol(argv[0]), atoi(argv[1]));

	printf("signal=%s\n", r == 0 ? "ok" : errname(errno));
	return 0;
}

/* raise SIG: die of signal SIG (a number), default action. */
static int cmd_raise(char **argv)
{
	int sig = atoi(argv[0]);

	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
	printf("raise=returned\n");
	return 0;
}

struct command {
	const char *name;
	int nargs;           /* fixed count; -1: at least one, takes the rest;
	                        -2: zero or more, takes the rest */
	int (*fn)(char **argv);
	int optargs;         /* how many optional args after nargs */
};

static const struct command commands[] = {
	{ "report", 0, cmd_report, 0 },
	{ "exit", 1, cmd_exit, 0 },
	{ "tiocsti", 0, cmd_tiocsti, 1 },
	{ "tiocsti-hi", 0, cmd_tiocsti_hi, 1 },
	{ "tioclinux", 0, cmd_tioclinux, 1 },
	{ "isatty", 0, cmd_isatty, 1 },
	{ "setuid0", 0, cmd_setuid0, 0 },
	{ "setgid0", 0, cmd_setgid0, 0 },
	{ "setgroups0", 0, cmd_setgroups0, 0 },
	{ "wait-signal", 0, cmd_wait_signal, 0 },
	{ "open", 1, cmd_open, 0 },
	{ "openat-fd", 2, cmd_openat_fd, 0 },
	{ "read-fd", 1, cmd_read_fd, 0 },
	{ "touch", 1, cmd_touch, 0 },
	{ "kill", 1, cmd_kill, 0 },
	{ "connect-abstract", 1, cmd_connect_abstract, 0 },
	{ "bind", 1, cmd_bind, 0 },
	{ "chroot-escape", 0, cmd_chroot_escape, 1 },
	{ "sleep", 1, cmd_sleep, 0 },
	{ "args", -2, cmd_args, 0 },
	{ "exec", -1, cmd_exec, 0 },
	{ "pty", -1, cmd_pty, 0 },
	{ "ptrace", 1, cmd_ptrace, 0 },
	{ "fs-ops", 1, cmd_fs_ops, 0 },
	{ "unshare-user", 0, cmd_unshare_user, 0 },
	{ "io-uring-dir", -1, cmd_io_uring_dir, 0 },
	{ "ls", 1, cmd_ls, 0 },
	{ "copy", 2, cmd_copy, 0 },
	{ "cat", 1, cmd_cat, 0 },
	{ "write", 1, cmd_write, 0 },
	{ "mntflags", 1, cmd_mntflags, 0 },
	{ "send-unix", 2, cmd_send_unix, 0 },
	{ "setns", 1, cmd_setns, 0 },
	{ "pidfd-getfd", 3, cmd_pidfd_getfd, 0 },
	{ "signal", 2, cmd_signal, 0 },
	{ "raise", 1, cmd_raise, 0 },
	{ NULL, 0, NULL, 0 },
};

static int is_command(const char *s)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, s) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	setvbuf(stdout, NULL, _IOFBF, 0);
	if (argc < 2)
		return cmd_report(NULL);
	while (i < argc) {
		const struct command *c;
		char *args[4] = { NULL, NULL, NULL, NULL };
		int k, have;

		for (c = commands; c->name; c++)
			if (strcmp(c->name, argv[i]) == 0)
				break;
		if (!c->name) {
			fprintf(stderr, "probe: unknown command: %s\n", argv[i]);
			return 2;
		}
		i++;
		if (c->nargs < 0) {
			if (c->nargs == -1 && i >= argc) {
				fprintf(stderr, "probe: %s: missing argument\n", c->name);
				return 2;
			}
			c->fn(argv + i);
			fflush(stdout);
			return 0;
		}
		have = argc - i;
		if (have < c->nargs) {
			fprintf(stderr, "probe: %s: missing argument\n", c->name);
			return 2;
		}
		for (k = 0; k < c->nargs; k++)
			args[k] = argv[i++];
		/* An optional argument is taken unless it is the next command. */
		for (; k < c->nargs + c->optargs && i < argc && !is_command(argv[i]); k++)
			args[k] = argv[i++];
		c->fn(args);
		fflush(stdout);
	}
	return 0;
}
