/* SPDX-License-Identifier: ISC */
/* For the tests only (never linked into chdrop): run a command under a
 * seccomp filter of the kind a service manager or a container puts on
 * its processes, as systemd-nspawn does for Landlock.
 *
 *   refuse [-l ERRNO] [-t] [-u] [-n] [-o] [-k | -j] -- COMMAND [ARG]...
 *
 *   -l EPERM|ENOSYS|EOPNOTSUPP  answer the three Landlock calls with it
 *   -t                          answer prctl(PR_SET_SECCOMP) and seccomp(2)
 *                               with EPERM: no further filter can be loaded
 *   -u                          an unrelated filter only (it refuses
 *                               acct(2)): a seccomp mode of 2 that guards
 *                               nothing chdrop cares about
 *   -n                          answer unshare(2) with EPERM (no namespaces)
 *   -o                          answer openat2(2) with ENOSYS, as systemd's
 *                               SystemCallFilter= does for a call it lists
 *                               in no group it was given
 *   -k                          answer keyctl(2), add_key(2) and
 *                               request_key(2) with EPERM, as
 *                               systemd-nspawn does (keyrings are not
 *                               namespaced)
 *   -j                          answer keyctl(KEYCTL_JOIN_SESSION_KEYRING)
 *                               alone with EPERM: no new keyring, but the
 *                               caller's is still reachable
 *
 * no_new_privs is left alone when the caller may load a filter without it
 * (CAP_SYS_ADMIN), so chdrop's own --allow-new-privs stays testable. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void die(const char *what, int rc)
{
	fprintf(stderr, "refuse: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(125);
}

struct opts { int ll, tty, unrelated, nons, noopenat2, nokeys, nojoin; };

static void add(scmp_filter_ctx ctx, const char *what, int nr, unsigned e)
{
	int rc;

	if (nr == __NR_SCMP_ERROR)
		die(what, ENOSYS);
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), nr, 0)) < 0)
		die(what, rc);
}

static void build(scmp_filter_ctx ctx, const struct opts *o)
{
	static const char *const calls[] = { "landlock_create_ruleset",
		"landlock_add_rule", "landlock_restrict_self" };

	for (size_t i = 0; o->ll && i < 3; i++)
		add(ctx, calls[i], seccomp_syscall_resolve_name(calls[i]),
		    (unsigned)o->ll);
	if (o->tty) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prctl),
		                      1, SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP));
		if (rc < 0)
			die("prctl rule", rc);
		add(ctx, "seccomp", SCMP_SYS(seccomp), EPERM);
	}
	if (o->unrelated)
		add(ctx, "acct", SCMP_SYS(acct), EPERM);
	if (o->nons)
		add(ctx, "unshare", SCMP_SYS(unshare), EPERM);
	if (o->noopenat2)
		add(ctx, "openat2", SCMP_SYS(openat2), ENOSYS);
	if (o->nokeys) {
		add(ctx, "keyctl", SCMP_SYS(keyctl), EPERM);
		add(ctx, "add_key", SCMP_SYS(add_key), EPERM);
		add(ctx, "request_key", SCMP_SYS(request_key), EPERM);
	}
	if (o->nojoin) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(keyctl),
		                      1, SCMP_A0(SCMP_CMP_EQ, KEYCTL_JOIN_SESSION_KEYRING));
		if (rc < 0)
			die("keyctl rule", rc);
	}
}

static int errno_named(const char *s)
{
	return strcmp(s, "EPERM") == 0 ? EPERM
	     : strcmp(s, "ENOSYS") == 0 ? ENOSYS
	     : strcmp(s, "EOPNOTSUPP") == 0 ? EOPNOTSUPP : 0;
}

int main(int argc, char **argv)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	struct opts o = { 0, 0, 0, 0, 0, 0, 0 };
	int c, rc;

	if (ctx == NULL)
		die("seccomp_init", ENOMEM);
	while ((c = getopt(argc, argv, "+l:tunokj")) != -1) {
		switch (c) {
		case 'l':
			if ((o.ll = errno_named(optarg)) == 0)
				die(optarg, EINVAL);
			break;
		case 't': o.tty = 1; break;
		case 'u': o.unrelated = 1; break;
		case 'n': o.nons = 1; break;
		case 'o': o.noopenat2 = 1; break;
		case 'k': o.nokeys = 1; break;
		case 'j': o.nojoin = 1; break;
		default: return 125;
		}
	}
	if (optind >= argc || (!o.ll && !o.tty && !o.unrelated && !o.nons &&
	                       !o.noopenat2 && !o.nokeys && !o.nojoin)) {
		fprintf(stderr, "usage: refuse [-l ERRNO] [-t] [-u] [-n] [-o] [-k | -j] -- COMMAND...\n");
		return 125;
	}
	build(ctx, &o);
	if (geteuid() == 0 &&
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
		die("seccomp_attr_set", rc);
	if ((rc = seccomp_load(ctx)) < 0)
		die("seccomp_load", rc);
	seccomp_release(ctx);
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "refuse: exec %s: %s\n", argv[optind], strerror(errno));
	return 127;
}
