/* SPDX-License-Identifier: ISC */
/* bench/driver — time program launches: fork, exec, wait4, in a loop.
 *
 *   driver [-n N] [-w WARMUP] [-L NOFILE] [-l NOFILE] [-c CPU] SPEC
 *
 * SPEC has one command per line: a name, a tab, then the argv separated by
 * tabs (an empty field is an empty argument).  Every command is run once first with its output shown, and must
 * exit 0, or it is left out with a note.  Then the commands are run
 * interleaved, each once per round, N rounds (after WARMUP untimed
 * rounds), so a drift in the machine's speed spreads over all of them
 * alike; each round in a new order (a fixed-seed shuffle, so runs repeat),
 * because a fixed order measurably favoured a command that followed a
 * like one (a twin ran 3-9 % faster than its row, whatever the limit).
 *
 * Time is CLOCK_MONOTONIC from just before fork() to just after wait4():
 * the whole cost a caller sees.  Faults and peak RSS come from wait4()'s
 * rusage, which covers the child both before and after its exec.
 *
 * -L sets RLIMIT_NOFILE (soft and hard) in every child before its exec.
 * -l adds a twin of every command, run in the same rounds, whose child
 * gets this RLIMIT_NOFILE instead: both scenarios see the same machine at
 * the same moments.  Raising the hard limit needs
 * CAP_SYS_RESOURCE; without it the driver uses its own hard limit and
 * says so on stderr ("driver: RLIMIT_NOFILE = N" names what was used).
 *
 * Output, one line per command (a twin's name ends in "@nofile"),
 * tab-separated:
 *   name median_us p10_us p90_us min_us minflt_median maxrss_kb_max runs
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 128
#define MAX_ARGS 32

struct cmd {
	char *name;
	rlim_t nofile;             /* 0: leave RLIMIT_NOFILE alone */
	char *argv[MAX_ARGS + 1];
	double *us;
	long *minflt;
	long maxrss;
	int ok;
};

static struct cmd cmds[MAX_CMDS];
static int ncmds;
static int devnull;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void read_spec(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (f == NULL)
		err(2, "%s", path);
	while ((len = getline(&line, &cap, f)) > 0) {
		struct cmd *c;
		char *rest = line, *tok;
		int n = 0;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (ncmds == MAX_CMDS)
			errx(2, "%s: more than %d commands", path, MAX_CMDS);
		c = &cmds[ncmds++];
		/* strsep, not strtok: an empty field is an empty argument. */
		c->name = strdup(strsep(&rest, "\t"));
		while ((tok = strsep(&rest, "\t")) != NULL) {
			if (n == MAX_ARGS)
				errx(2, "%s: %s: too many arguments", path, c->name);
			c->argv[n++] = strdup(tok);
		}
		if (n == 0)
			errx(2, "%s: %s: no command", path, c->name);
		c->argv[n] = NULL;
	}
	free(line);
	fclose(f);
}

/* One launch.  quiet: output to /dev/null.  Returns the wait status. */
static int launch(struct cmd *c, int quiet, double *us, struct rusage *ru)
{
	int status;
	double t0 = now_us();
	pid_t pid = fork();

	if (pid < 0)
		err(2, "fork");
	if (pid == 0) {
		if (c->nofile) {
			struct rlimit rl = { c->nofile, c->nofile };
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				_exit(126);
		}
		if (quiet) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, ru) < 0)
		err(2, "wait4");
	*us = now_us() - t0;
	return status;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long rounds = 1000, warmup = 50, base_nofile = 0, nofile = 0;
	int cpu = -1, opt;

	while ((opt = getopt(argc, argv, "n:w:L:l:c:")) != -1) {
		switch (opt) {
		case 'n': rounds = atol(optarg); break;
		case 'w': warmup = atol(optarg); break;
		case 'L': base_nofile = atol(optarg); break;
		case 'l': nofile = atol(optarg); break;
		case 'c': cpu = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: driver [-n N] [-w WARMUP] "
			        "[-L NOFILE] [-l NOFILE] [-c CPU] SPEC\n");
			return 2;
		}
	}
	if (optind != argc - 1 || rounds < 1 || warmup < 0)
		errx(2, "usage: driver [-n N] [-w WARMUP] [-L NOFILE] [-l NOFILE] "
		     "[-c CPU] SPEC");
	read_spec(argv[optind]);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		err(2, "/dev/null");

	if (nofile > 0 || base_nofile > 0) {
		struct rlimit rl;

		if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
			err(2, "getrlimit(RLIMIT_NOFILE)");
		/* Raise our own hard limit if we may; else cap at it. */
		if ((rlim_t)nofile > rl.rlim_max) {
			struct rlimit want = { rl.rlim_cur, (rlim_t)nofile };
			if (setrlimit(RLIMIT_NOFILE, &want) == 0) {
				rl.rlim_max = (rlim_t)nofile;
			} else {
				fprintf(stderr, "driver: RLIMIT_NOFILE %ld: %s; "
				        "using the hard limit %lu\n", nofile,
				        strerror(errno), (unsigned long)rl.rlim_max);
				nofile = (long)rl.rlim_max;
			}
		}
		if ((rlim_t)base_nofile > rl.rlim_max)
			errx(2, "-L %ld: above the hard limit %lu", base_nofile,
			     (unsigned long)rl.rlim_max);
		for (int i = 0; i < ncmds; i++)
			cmds[i].nofile = (rlim_t)base_nofile;
		if (nofile > 0) {
			int n = ncmds;
			if (2 * n > MAX_CMDS)
				errx(2, "too many commands for -l");
			for (int i = n - 1; i >= 0; i--) {
				cmds[2 * i] = cmds[i];
				cmds[2 * i + 1] = cmds[i];
				cmds[2 * i + 1].nofile = (rlim_t)nofile;
				if (asprintf(&cmds[2 * i + 1].name, "%s@nofile",
				             cmds[i].name) < 0)
					err(2, "asprintf");
			}
			ncmds = 2 * n;
		}
		fprintf(stderr, "driver: RLIMIT_NOFILE = %ld", base_nofile);
		if (nofile > 0)
			fprintf(stderr, ", twins: %ld", nofile);
		fputc('\n', stderr);
	}
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0)
			warn("sched_setaffinity(%d)", cpu);
	}

	/* Check each command once, its output shown. */
	for (int i = 0; i < ncmds; i++) {
		struct rusage ru;
		double us;
		int st = launch(&cmds[i], 0, &us, &ru);

		cmds[i].ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
		if (!cmds[i].ok) {
			fprintf(stderr, "driver: %s: status %#x: left out\n",
			        cmds[i].name, st);
			continue;
		}
		cmds[i].us = calloc((size_t)rounds, sizeof(double));
		cmds[i].minflt = calloc((size_t)rounds, sizeof(long));
		if (cmds[i].us == NULL || cmds[i].minflt == NULL)
			err(2, "calloc");
	}

	int order[MAX_CMDS];
	uint64_t seed = 0x9e3779b97f4a7c15u;

	for (int i = 0; i < ncmds; i++)
		order[i] = i;
	for (long r = -warmup; r < rounds; r++) {
		/* Fisher-Yates with xorshift64: the order of this round. */
		for (int i = ncmds - 1; i > 0; i--) {
			int j, t;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			j = (int)(seed % (uint64_t)(i + 1));
			t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (int k = 0; k < ncmds; k++) {
			struct cmd *c = &cmds[order[k]];
			struct rusage ru;
			double us;
			int st;

			if (!c->ok)
				continue;
			st = launch(c, 1, &us, &ru);
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				errx(2, "%s: status %#x in round %ld", c->name, st, r);
			if (r < 0)
				continue;
			c->us[r] = us;
			c->minflt[r] = ru.ru_minflt;
			if (ru.ru_maxrss > c->maxrss)
				c->maxrss = ru.ru_maxrss;
		}
	}

	for (int i = 0; i < ncmds; i++) {
		struct cmd *c = &cmds[i];

		if (!c->ok)
			continue;
		qsort(c->us, (size_t)rounds, sizeof(double), cmp_double);
		qsort(c->minflt, (size_t)rounds, sizeof(long), cmp_long);
		printf("%s\t%.1f\t%.1f\t%.1f\t%.1f\t%ld\t%ld\t%ld\n", c->name,
		       c->us[rounds / 2], c->us[rounds / 10],
		       c->us[rounds - 1 - rounds / 10], c->us[0],
		       c->minflt[rounds / 2], c->maxrss, rounds);
	}
	return 0;
}
