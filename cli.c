/* SPDX-License-Identifier: ISC */
/* chdrop — the command line: options into a plan, the rules between
 * options, --help, and the --dry-run report.  Nothing here changes the
 * process. */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfdeps.h"
#include "launcher.h"
#include "msg.h"

static void usage(FILE *out, int status)
{
	fputs(
"Usage: chdrop [OPTION]... [--] PROGRAM [ARG]...\n"
"Enter a root directory, drop every privilege not asked for, and exec PROGRAM.\n"
"\n"
"Identity:\n"
"  -u, --user=USER        run as USER (name or number; +N forces a number)\n"
"  -g, --group=GROUP      primary group (default: USER's from the database)\n"
"  -G, --groups=LIST      supplementary groups, comma-separated; '' for none\n"
"                         (default: USER's groups from the database)\n"
"      --userdb=host|root resolve names on the host (default) or by reading\n"
"                         ROOT/etc/passwd and ROOT/etc/group as plain text\n"
"      --allow-root       permit uid 0, gid 0 or group 0 as the target\n"
"\n"
"Root directory:\n"
"  -r, --root=DIR         enter DIR (absolute; no symlinks; every component\n"
"                         root-owned and not writable by group or others)\n"
"  -w, --chdir=DIR        working directory inside the root (default /)\n"
"      --unsafe-root      waive the ownership and mode rule (never the walk)\n"
"      --pivot-root       pivot_root in a private mount namespace, not chroot\n"
"      --userns           as an ordinary user: enter a root of your own, as\n"
"                         yourself, through an unprivileged user namespace\n"
"\n"
"Capabilities:\n"
"  -c, --caps=LIST        keep these capabilities (e.g. net_bind_service);\n"
"                         all others leave all five sets\n"
"\n"
"Hardening (on by default):\n"
"      --allow-new-privs  do not set no_new_privs\n"
"      --no-securebits    do not set and lock the securebits\n"
"      --inherit-fds      do not close inherited descriptors\n"
"      --keep-fd=N        keep descriptor N open (repeatable)\n"
"      --no-tty-guard     allow TIOCSTI/TIOCLINUX terminal injection\n"
"      --new-session      start a new session (setsid) before exec\n"
"      --no-landlock      do not confine file access to the root\n"
"      --scope=LIST       also confine signals and abstract unix sockets\n"
"                         (signal,abstract-unix; Landlock ABI 6)\n"
"\n"
"Environment:\n"
"      --reset-env        start from an empty environment\n"
"  -e, --env=NAME=VALUE   set a variable (repeatable)\n"
"\n"
"Information:\n"
"  -n, --dry-run          print the resolved plan and exit\n"
"      --audit=DIR        report ways out of DIR (setuid files, devices,\n"
"                         files -u USER could write that matter...) and\n"
"                         exit: 0 none, 1 hazards, 125 could not finish\n"
"      --audit-format=text|json  one line per finding (default) or JSON\n"
"  -v, --verbose          narrate each step on standard error\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: PROGRAM's own; 125 if chdrop failed (nothing was executed),\n"
"126 if PROGRAM could not be executed, 127 if it was not found.\n",
	      out);
	exit(status);
}

enum {
	OPT_USERDB = 256, OPT_ALLOW_ROOT, OPT_UNSAFE_ROOT, OPT_PIVOT_ROOT,
	OPT_ALLOW_NEW_PRIVS, OPT_NO_SECUREBITS, OPT_INHERIT_FDS, OPT_KEEP_FD,
	OPT_NO_TTY_GUARD, OPT_NEW_SESSION, OPT_NO_LANDLOCK, OPT_SCOPE,
	OPT_RESET_ENV, OPT_USERNS, OPT_AUDIT, OPT_AUDIT_FORMAT,
};

static const struct option long_options[] = {
	{ "user",            required_argument, NULL, 'u' },
	{ "group",           required_argument, NULL, 'g' },
	{ "groups",          required_argument, NULL, 'G' },
	{ "userdb",          required_argument, NULL, OPT_USERDB },
	{ "allow-root",      no_argument,       NULL, OPT_ALLOW_ROOT },
	{ "root",            required_argument, NULL, 'r' },
	{ "chdir",           required_argument, NULL, 'w' },
	{ "unsafe-root",     no_argument,       NULL, OPT_UNSAFE_ROOT },
	{ "pivot-root",      no_argument,       NULL, OPT_PIVOT_ROOT },
	{ "caps",            required_argument, NULL, 'c' },
	{ "allow-new-privs", no_argument,       NULL, OPT_ALLOW_NEW_PRIVS },
	{ "no-securebits",   no_argument,       NULL, OPT_NO_SECUREBITS },
	{ "inherit-fds",     no_argument,       NULL, OPT_INHERIT_FDS },
	{ "keep-fd",         required_argument, NULL, OPT_KEEP_FD },
	{ "no-tty-guard",    no_argument,       NULL, OPT_NO_TTY_GUARD },
	{ "new-session",     no_argument,       NULL, OPT_NEW_SESSION },
	{ "no-landlock",     no_argument,       NULL, OPT_NO_LANDLOCK },
	{ "scope",           required_argument, NULL, OPT_SCOPE },
	{ "reset-env",       no_argument,       NULL, OPT_RESET_ENV },
	{ "userns",          no_argument,       NULL, OPT_USERNS },
	{ "audit",           required_argument, NULL, OPT_AUDIT },
	{ "audit-format",    required_argument, NULL, OPT_AUDIT_FORMAT },
	{ "env",             required_argument, NULL, 'e' },
	{ "dry-run",         no_argument,       NULL, 'n' },
	{ "verbose",         no_argument,       NULL, 'v' },
	{ "help",            no_argument,       NULL, 'h' },
	{ "version",         no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void parse_args(int argc, char **argv, struct launch_plan *p)
{
	const char *why;
	int c;

	memset(p, 0, sizeof(*p));
	p->userdb = USERDB_HOST;
	p->no_new_privs = true;
	p->securebits = true;
	p->close_fds = true;
	p->tty_guard = true;
	p->landlock = true;

	opterr = 0;  /* our own one-line messages below */
	while ((c = getopt_long(argc, argv, "+:u:g:G:r:w:c:e:nvhV",
	                        long_options, NULL)) != -1) {
		switch (c) {
		case 'u': p->user_spec = optarg; break;
		case 'g': p->group_spec = optarg; break;
		case 'G': p->groups_spec = optarg; break;
		case OPT_USERDB:
			if (strcmp(optarg, "host") == 0)
				p->userdb = USERDB_HOST;
			else if (strcmp(optarg, "root") == 0)
				p->userdb = USERDB_ROOT;
			else
				errx(EXIT_CHDROP, "--userdb=%s: expected host or root", optarg);
			break;
		case OPT_ALLOW_ROOT: p->allow_root = true; break;
		case 'r': p->root = optarg; break;
		case 'w': p->chdir = optarg; break;
		case OPT_UNSAFE_ROOT: p->unsafe_root = true; break;
		case OPT_PIVOT_ROOT: p->pivot_root = true; break;
		case 'c': {
			uint64_t caps;
			/* repeated -c adds up, as -e and --keep-fd do */
			if (parse_caps(optarg, last_cap(), &caps, &why) < 0)
				errx(EXIT_CHDROP, "--caps=%s: %s", optarg, why);
			p->caps |= caps;
			break;
		}
		case OPT_ALLOW_NEW_PRIVS: p->no_new_privs = false; break;
		case OPT_NO_SECUREBITS: p->securebits = false; break;
		case OPT_INHERIT_FDS: p->close_fds = false; break;
		case OPT_KEEP_FD:
			if (p->nkeep_fds == MAX_KEEP_FDS)
				errx(EXIT_CHDROP, "--keep-fd: too many");
			if (parse_fd(optarg, &p->keep_fds[p->nkeep_fds], &why) < 0)
				errx(EXIT_CHDROP, "--keep-fd=%s: %s", optarg, why);
			p->nkeep_fds++;
			break;
		case OPT_NO_TTY_GUARD: p->tty_guard = false; break;
		case OPT_NEW_SESSION: p->new_session = true; break;
		case OPT_NO_LANDLOCK: p->landlock = false; break;
		case OPT_SCOPE:
			if (parse_scope(optarg, &p->scope, &why) < 0)
				errx(EXIT_CHDROP, "--scope=%s: %s", optarg, why);
			break;
		case OPT_RESET_ENV: p->reset_env = true; break;
		case OPT_USERNS: p->userns = true; break;
		case OPT_AUDIT: p->audit = optarg; break;
		case OPT_AUDIT_FORMAT:
			if (strcmp(optarg, "text") == 0)
				p->audit_format = AUDIT_TEXT;
			else if (strcmp(optarg, "json") == 0)
				p->audit_format = AUDIT_JSON;
			else
				errx(EXIT_CHDROP, "--audit-format=%s: expected text or json",
				     optarg);
			p->audit_format_set = true;
			break;
		case 'e':
			if (p->nenv_set == MAX_ENV_SET)
				errx(EXIT_CHDROP, "--env: too many");
			if (parse_env_assign(optarg, &why) < 0)
				errx(EXIT_CHDROP, "--env=%s: %s", optarg, why);
			p->env_set[p->nenv_set++] = optarg;
			break;
		case 'n': p->dry_run = true; break;
		case 'v': p->verbose++; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("chdrop %s\n", CHDROP_VERSION);
			exit(0);
		case ':':
			errx(EXIT_CHDROP, "%s: needs an argument (try 'chdrop --help')",
			     argv[optind - 1]);
		default:
			errx(EXIT_CHDROP, "%s: unknown option (try 'chdrop --help')",
			     argv[optind - 1]);
		}
	}
	chdrop_verbose = p->verbose;
	if (p->audit != NULL) {
		if (optind < argc)
			errx(EXIT_CHDROP, "--audit runs nothing: no PROGRAM");
		return;
	}
	if (optind >= argc)
		errx(EXIT_CHDROP, "no PROGRAM given (try 'chdrop --help')");
	if (argv[optind][0] == '\0')
		errx(EXIT_CHDROP, "PROGRAM: empty");
	p->argv = argv + optind;
}

/* --userns: an ordinary user enters a root of their own, as themselves.
 * The namespace maps only their own uid and gid, and setgroups is denied
 * in it, so neither ids nor groups can change: asking for other ones, or
 * for capabilities (which would be the namespace's, worth nothing
 * outside), is an error.  Root needs no namespace. */
static void validate_userns(struct launch_plan *p)
{
	static char self[16];

	if (getuid() == 0)
		errx(EXIT_CHDROP, "--userns is for ordinary users; root needs none");
	if (p->group_spec != NULL || p->groups_spec != NULL)
		errx(EXIT_CHDROP, "--userns: groups cannot change in a user "
		     "namespace; drop --group and --groups");
	if (p->caps != 0)
		errx(EXIT_CHDROP, "--userns: capabilities would be the "
		     "namespace's own, worth nothing outside it; drop --caps");
	if (p->pivot_root)
		errx(EXIT_CHDROP, "--userns: --pivot-root is not supported");
	if (p->userdb == USERDB_ROOT)
		errx(EXIT_CHDROP, "--userns: --userdb=root is not supported");
	if (p->user_spec == NULL) {
		snprintf(self, sizeof(self), "%u", (unsigned)getuid());
		p->user_spec = self;
	}
}

/* --audit reads a tree and runs nothing: of the other options only the
 * identity it judges for (-u, -g, -G) and -v mean anything. */
static void validate_audit(const struct launch_plan *p)
{
	if (p->root != NULL || p->chdir != NULL || p->pivot_root || p->userns ||
	    p->dry_run)
		errx(EXIT_CHDROP, "--audit takes its own DIR and runs nothing: drop "
		     "--root, --chdir, --pivot-root, --userns and --dry-run");
	if (p->userdb == USERDB_ROOT)
		errx(EXIT_CHDROP, "--audit: --userdb=root is not supported; "
		     "names are resolved on the host");
	if (p->user_spec == NULL && (p->group_spec != NULL || p->groups_spec != NULL))
		errx(EXIT_CHDROP, "--audit: --group and --groups need --user");
	if (p->audit[0] != '/')
		errx(EXIT_CHDROP, "--audit=%s: must be an absolute path", p->audit);
}

/* Rules that involve more than one option. */
void validate(struct launch_plan *p)
{
	if (p->audit != NULL) {
		validate_audit(p);
		return;
	}
	if (p->audit_format_set)
		errx(EXIT_CHDROP, "--audit-format needs --audit");
	if (p->userns)
		validate_userns(p);
	else if (p->user_spec == NULL && !p->allow_root)
		errx(EXIT_CHDROP, "--user is required (or --allow-root to stay root)");
	if (p->userdb == USERDB_ROOT && p->root == NULL)
		errx(EXIT_CHDROP, "--userdb=root needs --root");
	if (p->pivot_root && p->root == NULL)
		errx(EXIT_CHDROP, "--pivot-root needs --root");
	if (p->root != NULL && p->root[0] != '/')
		errx(EXIT_CHDROP, "--root=%s: must be an absolute path", p->root);
	if (p->root != NULL && strspn(p->root, "/.") == strlen(p->root) &&
	    strstr(p->root, "..") == NULL)
		errx(EXIT_CHDROP, "--root=%s: entering / confines nothing; leave "
		     "out --root to only drop privileges", p->root);
	if (p->chdir != NULL && p->chdir[0] == '\0')
		errx(EXIT_CHDROP, "--chdir: empty");
	if (p->scope != 0 && !p->landlock)
		errx(EXIT_CHDROP, "--scope needs Landlock; drop --no-landlock");
	if (!p->close_fds && p->nkeep_fds > 0)
		errx(EXIT_CHDROP, "--keep-fd has no meaning with --inherit-fds");
}

/* --- dry run --------------------------------------------------------------- */

static void print_list(const char *key, const gid_t *v, size_t n)
{
	printf("%s=", key);
	for (size_t i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)v[i]);
	putchar('\n');
}

void print_plan(const struct launch_plan *p, char **envp)
{
	bool first = true;

	printf("program=%s\n", p->argv[0]);
	for (size_t i = 0; p->argv[i]; i++)
		printf("argv.%zu=%s\n", i, p->argv[i]);
	printf("root=%s\n", p->root ? p->root : "none");
	printf("mode=%s\n", !p->root ? "none" : p->pivot_root ? "pivot_root" : "chroot");
	printf("chdir=%s\n", p->chdir ? p->chdir : p->root ? "/" : "unchanged");
	printf("userdb=%s\n", p->userdb == USERDB_ROOT ? "root" : "host");
	printf("user=%s\n", p->user_name);
	printf("uid=%u\ngid=%u\n", (unsigned)p->uid, (unsigned)p->gid);
	print_list("groups", p->groups, p->ngroups);
	printf("caps=");
	for (unsigned c = 0; c < 64; c++) {
		if (p->caps & (UINT64_C(1) << c)) {
			printf("%s%s", first ? "" : ",", cap_name(c));
			first = false;
		}
	}
	putchar('\n');
	printf("no_new_privs=%d\nsecurebits=%d\nclose_fds=%d\n", p->no_new_privs,
	       p->securebits, p->close_fds);
	printf("keep_fds=");
	if (p->close_fds) {
		printf("0,1,2");
		for (int i = 0; i < p->listen_fds; i++)
			printf(",%d", 3 + i);
		for (size_t i = 0; i < p->nkeep_fds; i++)
			printf(",%d", p->keep_fds[i]);
	} else {
		printf("all");
	}
	putchar('\n');
	printf("tty_guard=%d\nnew_session=%d\nlandlock=%d\n", p->tty_guard,
	       p->new_session, p->landlock);
	printf("scope=%s%s%s\n", p->scope & SCOPE_SIGNAL ? "signal" : "",
	       p->scope == (SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX) ? "," : "",
	       p->scope & SCOPE_ABSTRACT_UNIX ? "abstract-unix" : "");
	printf("reset_env=%d\n", p->reset_env);
	printf("userns=%d\n", p->userns);
	for (char **v = envp; *v; v++) {
		bool inherited = false;
		for (char **o = environ; *o && !inherited; o++)
			inherited = *o == *v;
		if (!inherited)
			printf("env.%s\n", *v);
	}
}

/* --- -n: would the program load? ----------------------------------------- */

/* Is PATH (inside the tree; relative: from --chdir) a regular file?  Its
 * full path into OUT. */
static bool regular_in_tree(const struct launch_plan *p, int treefd,
                            const char *path, size_t len, const char *prog,
                            char *out, size_t outlen)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	const char *cwd = p->chdir ? p->chdir : "/";
	bool rel = len == 0 || path[0] != '/';
	struct stat st;
	int n, fd;
	bool ok;

	n = snprintf(out, outlen, "%s%s%.*s%s%s", rel ? cwd : "", rel ? "/" : "",
	             (int)len, path, len && prog ? "/" : "", prog ? prog : "");
	if (n < 0 || (size_t)n >= outlen)
		return false;
	fd = (int)syscall(SYS_openat2, treefd, out, &how, sizeof(how));
	if (fd < 0)
		return false;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	close(fd);
	return ok;
}

/* PROGRAM as exec_target() would find it inside the tree: as it is when
 * it has a slash, else along the target's PATH; the first regular file.
 * 0 and its path in OUT, or -1. */
static int find_in_tree(const struct launch_plan *p, int treefd, char **envp,
                        char *out, size_t outlen)
{
	const char *prog = p->argv[0], *path = NULL;

	if (strchr(prog, '/') != NULL)
		return regular_in_tree(p, treefd, prog, strlen(prog), NULL, out,
		                       outlen) ? 0 : -1;
	for (char **v = envp; path == NULL && *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0)
			path = *v + 5;
	if (path == NULL)
		path = SAFE_PATH;
	for (const char *d = path;; d++) {
		size_t len = strcspn(d, ":");

		if (regular_in_tree(p, treefd, d, len, prog, out, outlen))
			return 0;
		d += len;
		if (*d == '\0')
			return -1;
	}
}

/* -n fails where a run would: 126 when PROGRAM's ELF interpreter or a
 * library it needs is missing in the root, read from the ELF files (never
 * run; see elfdeps.c).  A program that is not found, not ELF, or not of
 * the host's kind is left to the run. */
void dry_run_loadable(const struct launch_plan *p, int rootfd, char **envp)
{
	char path[PATH_MAX];
	int treefd = rootfd;

	if (treefd < 0 && (treefd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		err(EXIT_CHDROP, "open /");
	if (find_in_tree(p, treefd, envp, path, sizeof(path)) == 0) {
		char what[PATH_MAX + 256];
		int r = elf_missing(treefd, path, what, sizeof(what));

		if (r > 0)
			errx(EXIT_CANNOT_RUN, "%s: %s inside %s", path, what,
			     p->root ? p->root : "/");
		say("-n: %s: %s", path, r < 0 ? what : "its interpreter and "
		    "libraries are all there");
	}
	if (treefd != rootfd)
		close(treefd);
}
