/* SPDX-License-Identifier: ISC */
/* bench/floor — the least a launcher can do, for comparison only:
 *
 *   floor ROOT UID GID PROGRAM [ARG]...
 *
 * chroot, chdir, setgroups (none), setresgid, setresuid, exec.  No checks
 * beyond the return codes, no verification, no hardening: this is the
 * floor that chdrop's cost is measured against, not a tool to use.
 *
 * Built twice: against static glibc, and (x86-64 only, -DFLOOR_NOLIBC
 * -nostdlib) with no C library at all, to show what libc start-up costs.
 */
#ifdef FLOOR_NOLIBC
#include <asm/unistd.h>

static long sys(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile ("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c)
	                  : "rcx", "r11", "memory");
	return r;
}

static void die(long code)
{
	sys(__NR_exit_group, code, 0, 0);
	for (;;)
		;
}

static unsigned long num(const char *s)
{
	unsigned long v = 0;

	if (*s == '\0')
		die(125);
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			die(125);
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v;
}

__attribute__((used)) static void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	unsigned long uid, gid;

	if (argc < 5)
		die(125);
	uid = num(argv[2]);
	gid = num(argv[3]);
	if (sys(__NR_chroot, (long)argv[1], 0, 0) < 0)
		die(125);
	if (sys(__NR_chdir, (long)"/", 0, 0) < 0)
		die(125);
	if (sys(__NR_setgroups, 0, 0, 0) < 0)
		die(125);
	if (sys(__NR_setresgid, (long)gid, (long)gid, (long)gid) < 0)
		die(125);
	if (sys(__NR_setresuid, (long)uid, (long)uid, (long)uid) < 0)
		die(125);
	sys(__NR_execve, (long)argv[4], (long)(argv + 4), (long)envp);
	die(127);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call start_c\n"
        "  hlt\n");

#else
#define _GNU_SOURCE
#include <err.h>
#include <grp.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long uid, gid;

	if (argc < 5)
		errx(125, "usage: floor ROOT UID GID PROGRAM [ARG]...");
	uid = strtoul(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0')
		errx(125, "bad uid");
	gid = strtoul(argv[3], &end, 10);
	if (*argv[3] == '\0' || *end != '\0')
		errx(125, "bad gid");
	if (chroot(argv[1]) < 0)
		err(125, "chroot");
	if (chdir("/") < 0)
		err(125, "chdir");
	if (setgroups(0, NULL) < 0)
		err(125, "setgroups");
	if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) < 0)
		err(125, "setresgid");
	if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) < 0)
		err(125, "setresuid");
	execv(argv[4], argv + 4);
	err(127, "exec %s", argv[4]);
}
#endif
