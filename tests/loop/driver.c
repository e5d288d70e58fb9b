/* SPDX-License-Identifier: ISC */
/* driver — launch a command N times in a row and check that nothing
 * accumulates (make check-loop; not a benchmark, nothing is timed).
 *
 *   driver N [-s] COMMAND [ARG]...
 *
 * Each round: fork; in the child, make a process group of its own when -s
 * is given (so chdrop --new-session must take its fork-and-relay path),
 * plant a descriptor without FD_CLOEXEC at a high number, and exec
 * COMMAND.  The driver waits with wait4() and checks:
 *
 *  - the command exited 0 (the target checks that only 0-2 reached it);
 *  - no process is left: the driver is a child subreaper, so anything
 *    chdrop forked and orphaned would become its child; after each round
 *    waitpid(-1, WNOHANG) must say ECHILD — no zombie, no straggler;
 *  - the driver's own descriptor count is the same after every round;
 *  - peak RSS (ru_maxrss: chdrop before its exec, the target after) of the
 *    last tenth of the rounds is no higher than that of the first tenth
 *    plus a small slack for page-granular noise.
 *
 * Prints a one-line summary; exits 0 when all hold, 1 otherwise. */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLANTED_FD 1050
#define RSS_SLACK_KB 256

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		err(1, "opendir /proc/self/fd");
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	if (closedir(d) < 0)
		err(1, "closedir");
	return n - 1;  /* the directory's own descriptor */
}

static void child(char **cmd, int own_group)
{
	int fd;

	if (own_group && setpgid(0, 0) < 0)
		err(126, "setpgid");
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0)
		err(126, "open /dev/null");
	if (dup2(fd, PLANTED_FD) < 0)
		err(126, "dup2(%d)", PLANTED_FD);
	if (close(fd) < 0)
		err(126, "close");
	execv(cmd[0], cmd);
	err(127, "exec %s", cmd[0]);
}

int main(int argc, char **argv)
{
	long n, tenth, rounds_bad = 0;
	long max_first = 0, max_last = 0, max_all = 0;
	int own_group = 0, fds_before, argi = 2;
	char *end;

	if (argc < 3)
		errx(2, "usage: driver N [-s] COMMAND [ARG]...");
	n = strtol(argv[1], &end, 10);
	if (*end != '\0' || n < 10)
		errx(2, "N: a number of at least 10");
	if (strcmp(argv[argi], "-s") == 0) {
		own_group = 1;
		argi++;
	}
	if (argi >= argc)
		errx(2, "no COMMAND");
	tenth = n / 10;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		err(1, "prctl(PR_SET_CHILD_SUBREAPER)");
	fds_before = count_fds();

	for (long i = 0; i < n; i++) {
		struct rusage ru;
		int status;
		pid_t pid = fork();

		if (pid < 0)
			err(1, "fork (round %ld)", i);
		if (pid == 0)
			child(argv + argi, own_group);
		if (wait4(pid, &status, 0, &ru) < 0)
			err(1, "wait4 (round %ld)", i);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			if (rounds_bad++ < 5)
				warnx("round %ld: status %#x", i, (unsigned)status);
		}
		if (waitpid(-1, &status, WNOHANG) != -1 || errno != ECHILD)
			errx(1, "round %ld: a process outlived chdrop (zombie or "
			     "orphan reparented to us)", i);
		if (count_fds() != fds_before)
			errx(1, "round %ld: the driver's descriptors changed", i);
		if (ru.ru_maxrss > max_all)
			max_all = ru.ru_maxrss;
		if (i < tenth && ru.ru_maxrss > max_first)
			max_first = ru.ru_maxrss;
		if (i >= n - tenth && ru.ru_maxrss > max_last)
			max_last = ru.ru_maxrss;
	}
	printf("rounds=%ld failed=%ld maxrss_first_kb=%ld maxrss_last_kb=%ld "
	       "maxrss_all_kb=%ld zombies=0 driver_fds=%d\n", n, rounds_bad,
	       max_first, max_last, max_all, fds_before);
	if (rounds_bad > 0)
		errx(1, "%ld of %ld rounds failed", rounds_bad, n);
	if (max_last > max_first + RSS_SLACK_KB)
		errx(1, "peak RSS grew: %ld KiB in the first tenth, %ld KiB in "
		     "the last", max_first, max_last);
	return 0;
}
