/* SPDX-License-Identifier: ISC */
/* chdrop — the command line: options into a plan, the rules between
 * options, --help, and the --dry-run report.  Nothing here changes the
 * process. */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elfdeps.h"
#include "launcher.h"
#include "msg.h"

/* An argument as a message may show it: control bytes and what is not
 * UTF-8 escaped (escape_text).  The caller owns the copy. */
static char *shown(const char *s)
{
	char *e = malloc(4 * strlen(s) + 1);

	if (e == NULL)
		err(EXIT_CHDROP, "malloc");
	escape_text(e, s);
	return e;
}

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
"  -w, --chdir=DIR        working directory inside the root (default /),\n"
"                         entered with the target's own permissions\n"
"      --unsafe-root      waive the ownership and mode rule (never the walk)\n"
"      --pivot-root       pivot_root in a private mount namespace, not chroot\n"
"      --userns           as an ordinary user: enter a root of your own, as\n"
"                         yourself, through an unprivileged user namespace\n"
"      --stale=warn|refuse|ignore  when DIR has a chdrop-root manifest,\n"
"                         compare each copy's host source (stat, no hash):\n"
"                         warn in one line (default), refuse (125), or\n"
"                         skip the check\n"
"      --map-root         with --userns: be root of the namespace, your\n"
"                         /etc/subuid range mapped (newuidmap), in a PID\n"
"                         namespace with /proc and /dev: dpkg works in a\n"
"                         tree of your own (from mmdebstrap's unshare mode)\n"
"\n"
"Per-run mounts (need --root; a private mount namespace, gone with the\n"
"target; every mount nosuid,nodev; DST must exist inside the root):\n"
"      --bind-ro=SRC[:DST][:noexec]  host path SRC read-only on DST\n"
"                         (default: the same path), submounts too\n"
"      --bind=SRC[:DST][:noexec]     the same, writable\n"
"      --tmpfs=DST[:exec] an empty tmpfs (mode 1777) on DST, noexec unless\n"
"                         :exec\n"
"      --dev              a fresh read-only /dev: null zero full random\n"
"                         urandom tty, nothing else\n"
"      --host-program     PROGRAM is an absolute host path, opened before\n"
"                         entering and run by descriptor (empty roots)\n"
"\n"
"Capabilities:\n"
"  -c, --caps=LIST        keep these capabilities (e.g. net_bind_service);\n"
"                         all others leave all five sets\n"
"\n"
"Hardening (on by default):\n"
"      --allow-new-privs  do not set no_new_privs\n"
"      --no-securebits    do not set and lock the securebits\n"
"      --inherit-fds      do not close inherited descriptors (a way out,\n"
"                         such as a directory, is still refused)\n"
"      --keep-fd=N        keep descriptor N open (repeatable; never a\n"
"                         directory, namespace, pidfd, io_uring, fanotify)\n"
"      --no-tty-guard     allow TIOCSTI/TIOCLINUX terminal injection\n"
"      --new-session      start a new session (setsid) before exec\n"
"      --no-landlock      do not confine file access to the root\n"
"      --require-landlock refuse to run (125) where Landlock is not in force\n"
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
"      --audit-level=hazard|all  print hazards only, or everything (default)\n"
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
	OPT_RESET_ENV, OPT_USERNS, OPT_MAP_ROOT, OPT_AUDIT, OPT_AUDIT_FORMAT,
	OPT_AUDIT_LEVEL, OPT_REQUIRE_LANDLOCK,
	OPT_BIND_RO, OPT_BIND, OPT_TMPFS, OPT_DEV, OPT_HOST_PROGRAM, OPT_STALE,
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
	{ "stale",           required_argument, NULL, OPT_STALE },
	{ "caps",            required_argument, NULL, 'c' },
	{ "allow-new-privs", no_argument,       NULL, OPT_ALLOW_NEW_PRIVS },
	{ "no-securebits",   no_argument,       NULL, OPT_NO_SECUREBITS },
	{ "inherit-fds",     no_argument,       NULL, OPT_INHERIT_FDS },
	{ "keep-fd",         required_argument, NULL, OPT_KEEP_FD },
	{ "no-tty-guard",    no_argument,       NULL, OPT_NO_TTY_GUARD },
	{ "new-session",     no_argument,       NULL, OPT_NEW_SESSION },
	{ "no-landlock",     no_argument,       NULL, OPT_NO_LANDLOCK },
	{ "require-landlock", no_argument,      NULL, OPT_REQUIRE_LANDLOCK },
	{ "scope",           required_argument, NULL, OPT_SCOPE },
	{ "reset-env",       no_argument,       NULL, OPT_RESET_ENV },
	{ "userns",          no_argument,       NULL, OPT_USERNS },
	{ "bind-ro",         required_argument, NULL, OPT_BIND_RO },
	{ "bind",            required_argument, NULL, OPT_BIND },
	{ "tmpfs",           required_argument, NULL, OPT_TMPFS },
	{ "dev",             no_argument,       NULL, OPT_DEV },
	{ "host-program",    no_argument,       NULL, OPT_HOST_PROGRAM },
	{ "map-root",        no_argument,       NULL, OPT_MAP_ROOT },
	{ "audit",           required_argument, NULL, OPT_AUDIT },
	{ "audit-format",    required_argument, NULL, OPT_AUDIT_FORMAT },
	{ "audit-level",     required_argument, NULL, OPT_AUDIT_LEVEL },
	{ "env",             required_argument, NULL, 'e' },
	{ "dry-run",         no_argument,       NULL, 'n' },
	{ "verbose",         no_argument,       NULL, 'v' },
	{ "help",            no_argument,       NULL, 'h' },
	{ "version",         no_argument,       NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --bind-ro, --bind, --tmpfs: one more mount, in command-line order. */
static void add_mount(struct launch_plan *p, enum mount_kind kind,
                      const char *name, const char *arg)
{
	struct mount_spec *m;
	size_t src_len, dst_off, dst_len;
	const char *why;
	char *esc, *opt;
	size_t len;

	if (p->nmounts == MAX_MOUNTS)
		errx(EXIT_CHDROP, "--%s: too many mounts", name);
	m = &p->mounts[p->nmounts];
	if (parse_mount(arg, kind == MOUNT_TMPFS, &src_len, &dst_off, &dst_len,
	                &m->exec, &why) < 0)
		errx(EXIT_CHDROP, "--%s=%s: %s", name, shown(arg), why);
	m->kind = kind;
	/* parse_mount refused control bytes: messages may show the paths. */
	esc = shown(arg);
	/* malloc here, not asprintf: LeakSanitizer's unwinder stops inside
	 * glibc's vasprintf, so lsan.supp could not name this allocation. */
	len = strlen(name) + strlen(esc) + 4;
	opt = malloc(len);
	if (opt == NULL)
		err(EXIT_CHDROP, "malloc");
	snprintf(opt, len, "--%s=%s", name, esc);
	m->opt = opt;
	free(esc);
	m->src = kind == MOUNT_TMPFS ? NULL : strndup(arg, src_len);
	m->dst = strndup(arg + dst_off, dst_len);
	if ((kind != MOUNT_TMPFS && m->src == NULL) || m->dst == NULL)
		err(EXIT_CHDROP, "strndup");
	p->nmounts++;
}

/* --audit-format and --audit-level. */
static void audit_option(struct launch_plan *p, int opt, const char *arg)
{
	if (opt == OPT_AUDIT_FORMAT) {
		if (strcmp(arg, "text") == 0)
			p->audit_format = AUDIT_TEXT;
		else if (strcmp(arg, "json") == 0)
			p->audit_format = AUDIT_JSON;
		else
			errx(EXIT_CHDROP, "--audit-format=%s: expected text or json",
			     shown(arg));
		p->audit_format_set = true;
		return;
	}
	if (strcmp(arg, "hazard") == 0)
		p->audit_hazards_only = true;
	else if (strcmp(arg, "all") == 0)
		p->audit_hazards_only = false;
	else
		errx(EXIT_CHDROP, "--audit-level=%s: expected hazard or all",
		     shown(arg));
	p->audit_level_set = true;
}

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
	p->host_fd = -1;

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
		case OPT_STALE:
			if (strcmp(optarg, "warn") == 0)
				p->stale = STALE_WARN;
			else if (strcmp(optarg, "refuse") == 0)
				p->stale = STALE_REFUSE;
			else if (strcmp(optarg, "ignore") == 0)
				p->stale = STALE_IGNORE;
			else
				errx(EXIT_CHDROP, "--stale=%s: expected warn, refuse or "
				     "ignore", shown(optarg));
			p->stale_set = true;
			break;
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
		case OPT_REQUIRE_LANDLOCK: p->require_landlock = true; break;
		case OPT_SCOPE:
			if (parse_scope(optarg, &p->scope, &why) < 0)
				errx(EXIT_CHDROP, "--scope=%s: %s", optarg, why);
			break;
		case OPT_RESET_ENV: p->reset_env = true; break;
		case OPT_USERNS: p->userns = true; break;
		case OPT_BIND_RO: add_mount(p, MOUNT_BIND_RO, "bind-ro", optarg); break;
		case OPT_BIND: add_mount(p, MOUNT_BIND, "bind", optarg); break;
		case OPT_TMPFS: add_mount(p, MOUNT_TMPFS, "tmpfs", optarg); break;
		case OPT_DEV: p->dev = true; break;
		case OPT_HOST_PROGRAM: p->host_program = true; break;
		case OPT_MAP_ROOT: p->map_root = true; break;
		case OPT_AUDIT: p->audit = optarg; break;
		case OPT_AUDIT_FORMAT:
		case OPT_AUDIT_LEVEL:
			audit_option(p, c, optarg);
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

/* --map-root: root of the namespace over a tree of your own.  The target
 * keeps what dpkg and its maintainer scripts need as root there
 * (MAP_ROOT_CAPS, plus any -c), and is root in the usual sense: no
 * securebits, so a program it starts as another uid loses them as it
 * would for root.  The namespace's capabilities act only on what it maps:
 * the caller's own or subordinate ids.  A /proc needs a root to be in. */
static void validate_map_root(struct launch_plan *p)
{
	if (p->root == NULL)
		errx(EXIT_CHDROP, "--map-root needs --root: /proc and /dev/pts are "
		     "mounted inside it");
	if (p->pivot_root)
		errx(EXIT_CHDROP, "--map-root: --pivot-root is not supported");
	if (p->userdb == USERDB_ROOT)
		errx(EXIT_CHDROP, "--map-root: --userdb=root is not supported");
	if (p->user_spec == NULL)
		p->user_spec = "0";
	p->caps |= MAP_ROOT_CAPS;
	p->securebits = false;
	lookup_subids(p);
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
	if (p->nmounts > 0 || p->dev || p->host_program)
		errx(EXIT_CHDROP, "--userns: per-run mounts (--bind-ro, --bind, "
		     "--tmpfs, --dev) and --host-program are not supported yet");
	if (p->map_root) {
		validate_map_root(p);
		return;
	}
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
 * identity it judges for (-u, -g, -G; --userns: "root or you"), -v and the
 * --audit-* options mean anything. */
static void validate_audit(const struct launch_plan *p)
{
	if (p->root != NULL || p->chdir != NULL || p->pivot_root || p->dry_run ||
	    p->nmounts > 0 || p->dev || p->host_program)
		errx(EXIT_CHDROP, "--audit takes its own DIR and runs nothing: drop "
		     "--root, --chdir, --pivot-root, --dry-run and the per-run "
		     "mounts");
	if (p->stale_set)
		errx(EXIT_CHDROP, "--audit: --stale is for a launch; --audit "
		     "reports stale copies itself");
	if (p->userdb == USERDB_ROOT)
		errx(EXIT_CHDROP, "--audit: --userdb=root is not supported; "
		     "names are resolved on the host");
	if (p->user_spec == NULL && (p->group_spec != NULL || p->groups_spec != NULL))
		errx(EXIT_CHDROP, "--audit: --group and --groups need --user");
	if (p->userns && (p->group_spec != NULL || p->groups_spec != NULL))
		errx(EXIT_CHDROP, "--audit --userns: groups cannot change in a user "
		     "namespace; drop --group and --groups");
	if (p->map_root)
		errx(EXIT_CHDROP, "--audit: --map-root is not supported; a tree "
		     "owned by subordinate ids is judged as it lies on the host");
	if (p->userns && p->user_spec == NULL && getuid() == 0)
		errx(EXIT_CHDROP, "--audit --userns: root needs no namespace; name "
		     "the user whose tree it is with --user");
	if (p->audit[0] != '/')
		errx(EXIT_CHDROP, "--audit=%s: must be an absolute path",
		     shown(p->audit));
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
	if (p->audit_level_set)
		errx(EXIT_CHDROP, "--audit-level needs --audit");
	if (p->map_root && !p->userns)
		errx(EXIT_CHDROP, "--map-root needs --userns");
	if (p->userns)
		validate_userns(p);
	else if (p->user_spec == NULL && !p->allow_root)
		errx(EXIT_CHDROP, "--user is required (or --allow-root to stay root)");
	if (p->userdb == USERDB_ROOT && p->root == NULL)
		errx(EXIT_CHDROP, "--userdb=root needs --root");
	if (p->pivot_root && p->root == NULL)
		errx(EXIT_CHDROP, "--pivot-root needs --root");
	if (p->stale_set && p->root == NULL)
		errx(EXIT_CHDROP, "--stale needs --root");
	if (p->nmounts > 0 && p->root == NULL)
		errx(EXIT_CHDROP, "%s needs --root", p->mounts[0].opt);
	if (p->dev && p->root == NULL)
		errx(EXIT_CHDROP, "--dev needs --root");
	if (p->host_program && p->root == NULL)
		errx(EXIT_CHDROP, "--host-program needs --root");
	if (p->host_program && p->argv[0][0] != '/')
		errx(EXIT_CHDROP, "--host-program: PROGRAM %s must be an absolute "
		     "host path", p->argv[0]);
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
	if (p->require_landlock && !p->landlock)
		errx(EXIT_CHDROP, "--require-landlock contradicts --no-landlock");
	if (p->require_landlock && p->root == NULL && p->scope == 0)
		errx(EXIT_CHDROP, "--require-landlock: without --root or --scope "
		     "Landlock has nothing to confine");
	if (!p->close_fds && p->nkeep_fds > 0)
		errx(EXIT_CHDROP, "--keep-fd has no meaning with --inherit-fds");
}

/* --- dry run --------------------------------------------------------------- */

/* A value of the plan, escaped as every name chdrop prints is
 * (escape_text): control bytes (a newline above all), what is not UTF-8,
 * bidirectional controls and backslashes as \xNN, so every line is one
 * key and unescaping gives the value back byte for byte. */
static void put_escaped(const char *value)
{
	char *e = malloc(4 * strlen(value) + 1);

	if (e == NULL)
		err(EXIT_CHDROP, "--dry-run: malloc");
	escape_text(e, value);
	fputs(e, stdout);
	free(e);
}

static void print_kv(const char *key, const char *value)
{
	printf("%s=", key);
	put_escaped(value);
	putchar('\n');
}

static void print_list(const char *key, const gid_t *v, size_t n)
{
	printf("%s=", key);
	for (size_t i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)v[i]);
	putchar('\n');
}

/* The layers as a run would find them, measured the way a run applies
 * them (confine.c): "yes", or "no" and why. */
static void print_tty_guard(const struct launch_plan *p)
{
	const char *why;

	if (!p->tty_guard) {
		printf("tty_guard=no: --no-tty-guard\n");
		return;
	}
	why = tty_guard_probe(p);
	if (why == NULL)
		printf("tty_guard=yes\n");
	else
		printf("tty_guard=no: %s\n", why);
}

static void print_landlock(const struct launch_plan *p)
{
	const char *why;
	int abi;

	if (!p->landlock) {
		printf("landlock=no: --no-landlock\n");
		return;
	}
	if (p->root == NULL && p->scope == 0) {
		printf("landlock=no: no --root, nothing to confine\n");
		return;
	}
	abi = landlock_probe(&why);
	if (abi > 0)
		printf("landlock=yes, ABI %d\n", abi);
	else
		printf("landlock=no: %s\n", why);
}

/* The launch-time manifest check (stale.c): what it found. */
static void print_stale(const struct launch_plan *p)
{
	if (p->stale_found == STALE_FOUND)
		print_kv("stale", p->stale_path);
	else
		printf("stale=%s\n", p->stale == STALE_IGNORE && p->root ? "ignored"
		       : p->stale_found == STALE_CURRENT ? "current" : "none");
}

void print_plan(const struct launch_plan *p, char **envp)
{
	bool first = true;

	print_kv("program", p->argv[0]);
	for (size_t i = 0; p->argv[i]; i++) {
		char key[32];
		snprintf(key, sizeof(key), "argv.%zu", i);
		print_kv(key, p->argv[i]);
	}
	print_kv("root", p->root ? p->root : "none");
	printf("mode=%s\n", !p->root ? "none" : p->pivot_root ? "pivot_root" : "chroot");
	print_kv("chdir", p->chdir ? p->chdir : p->root ? "/" : "unchanged");
	print_stale(p);
	printf("userdb=%s\n", p->userdb == USERDB_ROOT ? "root" : "host");
	print_kv("user", p->user_name);
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
	print_tty_guard(p);
	printf("new_session=%d\n", p->new_session);
	print_landlock(p);
	printf("scope=%s%s%s\n", p->scope & SCOPE_SIGNAL ? "signal" : "",
	       p->scope == (SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX) ? "," : "",
	       p->scope & SCOPE_ABSTRACT_UNIX ? "abstract-unix" : "");
	printf("reset_env=%d\n", p->reset_env);
	printf("userns=%d\n", p->userns);
	print_mounts(p);
	printf("map_root=%d\n", p->map_root);
	if (p->map_root && p->subuid.count > 0) {
		printf("uid_map=0 %u %u\n", (unsigned)p->subuid.start,
		       (unsigned)p->subuid.count);
		printf("gid_map=0 %u %u\n", (unsigned)p->subgid.start,
		       (unsigned)p->subgid.count);
	} else if (p->map_root) {
		printf("uid_map=0 %u 1\n", (unsigned)getuid());
		printf("gid_map=0 %u 1\n", (unsigned)getgid());
	}
	for (char **v = envp; *v; v++) {
		bool inherited = false;
		for (char **o = environ; *o && !inherited; o++)
			inherited = *o == *v;
		if (!inherited) {
			/* NAME cannot hold '=' or a newline (parse_env_assign
			 * and the kernel see to it); VALUE can. */
			int nl = (int)strcspn(*v, "=");
			printf("env.%.*s=", nl, *v);
			put_escaped((*v)[nl] ? *v + nl + 1 : "");
			putchar('\n');
		}
	}
}

/* --- -n: would the program load? ----------------------------------------- */

/* -n fails where a run would: 126 when PROGRAM (found at PATH, inside the
 * root) has an ELF interpreter or needs a library that is missing there,
 * read from the ELF files, never run (elfdeps.c).  A program that is not
 * ELF, static, or not of the host's kind is left to the run. */
void dry_run_loadable(const struct launch_plan *p, int rootfd, const char *path)
{
	char what[2 * PATH_MAX + 256], abs[2 * PATH_MAX];
	int treefd = rootfd, r;

	if (treefd < 0 && (treefd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		err(EXIT_CHDROP, "open /");
	/* Without a root a relative path is from the working directory. */
	if (rootfd < 0 && path[0] != '/') {
		char cwd[PATH_MAX];
		int n;

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			err(EXIT_CHDROP, "getcwd");
		n = snprintf(abs, sizeof(abs), "%s/%s", cwd, path);
		if (n < 0 || (size_t)n >= sizeof(abs))
			errx(EXIT_CHDROP, "%s: path too long", path);
		path = abs;
	}
	r = elf_missing(treefd, path, what, sizeof(what));
	if (r > 0)
		errx(EXIT_CANNOT_RUN, "%s: %s inside %s", path, what,
		     p->root ? p->root : "/");
	if (r < 0)
		say("-n: %s: not checked for its libraries: %s", path, what);
	if (treefd != rootfd)
		close(treefd);
}
