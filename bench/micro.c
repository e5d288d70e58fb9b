/* SPDX-License-Identifier: ISC */
/* bench/micro: what each primitive of a chdrop launch costs on this
 * machine, timed in-process (no tracer in the way): N rounds each, the
 * minimum and the median in microseconds.  The minimum is the cost with
 * no interference; the median shows how a loaded machine stretches it.
 * The one-shot layers (seccomp, Landlock restrict) run once per forked
 * child, which reports its own time through a pipe.  Part of `make bench`
 * (bench/run prints its table); see docs/performance.md. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tty_filter.h"

static int n = 2000;

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *t, int k)
{
	qsort(t, (size_t)k, sizeof(*t), cmp);
	printf("%-44s %8.2f %8.2f\n", what, t[0], t[k / 2]);
}

static void op_getppid(void) { (void)syscall(SYS_getppid); }
static void op_bset(void) { (void)prctl(PR_CAPBSET_READ, 0, 0, 0, 0); }

static void op_bset_all(void)
{
	for (int c = 0; c <= 40; c++)
		(void)prctl(PR_CAPBSET_READ, c, 0, 0, 0);
}

static void op_capget(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	(void)syscall(SYS_capget, &h, d);
}

/* What libcap-ng 0.8.3 does to learn the bounding or ambient set. */
static void op_proc_status(void)
{
	char buf[64];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		if (strncmp(buf, "CapB", 4) == 0)
			break;
	fclose(f);
}

/* One descriptor's check: flags, type, file system. */
static void op_fd_check(void)
{
	struct stat st;
	struct statfs sf;

	(void)fcntl(0, F_GETFD);
	(void)fstat(0, &st);
	(void)fstatfs(0, &sf);
}

/* glibc's NSS tries nscd's socket first (absent here). */
static void op_nscd(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX,
	                         .sun_path = "/var/run/nscd/socket" };
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (s < 0)
		return;
	(void)connect(s, (struct sockaddr *)&a, sizeof(a));
	close(s);
}

static void op_getpwnam(void) { (void)getpwnam("nobody"); }

static void op_landlock_build(void)
{
	struct landlock_ruleset_attr attr = { .handled_access_fs = 0x7fff };
	struct landlock_path_beneath_attr pb = { .allowed_access = 0x7fff };
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (rs < 0)
		return;
	pb.parent_fd = open("/", O_PATH | O_CLOEXEC | O_DIRECTORY);
	(void)syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
	close(pb.parent_fd);
	close(rs);
}

static void loop(const char *what, void (*op)(void))
{
	double *t = calloc((size_t)n, sizeof(*t));

	if (!t)
		exit(1);
	for (int i = 0; i < 50; i++)
		op();
	for (int i = 0; i < n; i++) {
		double a = now_us();
		op();
		t[i] = now_us() - a;
	}
	report(what, t, n);
	free(t);
}

/* One-shot layers: in a fresh child each time. */
enum shot { SECCOMP, SECCOMP_RUN, LANDLOCK, FORK };

static double child(enum shot s)
{
	int p[2];
	double t = -1;
	pid_t pid;

	if (pipe(p) < 0)
		exit(1);
	double a = now_us();
	pid = fork();
	if (pid == 0) {
		struct sock_fprog prog = {
			.len = sizeof(tty_filter) / sizeof(tty_filter[0]),
			.filter = (struct sock_filter *)tty_filter,
		};
		struct landlock_ruleset_attr attr = { .handled_access_fs = 0x7fff };
		double b = now_us();

		(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		b = now_us();
		if (s == SECCOMP || s == SECCOMP_RUN) {
			(void)prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
			if (s == SECCOMP_RUN) {
				b = now_us();
				for (int i = 0; i < 100; i++)
					(void)syscall(SYS_getppid);
			}
		} else if (s == LANDLOCK) {
			int rs = (int)syscall(SYS_landlock_create_ruleset, &attr,
			                      sizeof(attr), 0);
			b = now_us();
			(void)syscall(SYS_landlock_restrict_self, rs, 0);
		}
		double e = (now_us() - b) / (s == SECCOMP_RUN ? 100 : 1);
		if (s == FORK)
			e = b;
		(void)!write(p[1], &e, sizeof(e));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &t, sizeof(t)) != sizeof(t))
		t = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (s == FORK)
		t = t - a;
	return t;
}

static void shots(const char *what, enum shot s, int k)
{
	double *t = calloc((size_t)k, sizeof(*t));

	if (!t)
		exit(1);
	for (int i = 0; i < k; i++)
		t[i] = child(s);
	report(what, t, k);
	free(t);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		n = atoi(argv[1]);
	if (n < 10)
		n = 10;
	printf("%-44s %8s %8s\n", "primitive (in-process)", "min us", "med us");
	loop("syscall floor (getppid)", op_getppid);
	loop("prctl(PR_CAPBSET_READ), one cap", op_bset);
	loop("prctl(PR_CAPBSET_READ) x 41 (a set)", op_bset_all);
	loop("capget (all three sets)", op_capget);
	loop("/proc/self/status read (libcap-ng's way)", op_proc_status);
	loop("descriptor check (fcntl+fstat+fstatfs)", op_fd_check);
	loop("nscd socket connect attempt (absent)", op_nscd);
	loop("getpwnam(nobody), files, warm", op_getpwnam);
	loop("Landlock ruleset: create, add /, close", op_landlock_build);
	shots("seccomp tty filter load (JIT), per child", SECCOMP, n / 10);
	shots("syscall under the tty filter, per call", SECCOMP_RUN, n / 10);
	shots("landlock_restrict_self, per child", LANDLOCK, n / 10);
	shots("fork to child running (reference)", FORK, n / 10);
	return 0;
}
