/* SPDX-License-Identifier: ISC */
/* A lying C library, for tests/92-verify.bats only (never linked into
 * chdrop): preloaded into chdrop, it makes one privilege-changing call
 * report success without doing anything, as a buggy library or a hostile
 * environment might.  CHDROP_LIAR names the call.  chdrop must notice in
 * its verification and exit 125 before anything runs. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

static int lie(const char *what)
{
	const char *l = getenv("CHDROP_LIAR");
	return l != NULL && strcmp(l, what) == 0;
}

int setresuid(uid_t r, uid_t e, uid_t s)
{
	int (*real)(uid_t, uid_t, uid_t) =
		(int (*)(uid_t, uid_t, uid_t))dlsym(RTLD_NEXT, "setresuid");
	/* only the drop lies: the regain attempt in verification asks for
	 * uid 0 and must reach the kernel */
	return lie("setresuid") && r != 0 ? 0 : real(r, e, s);
}

int setresgid(gid_t r, gid_t e, gid_t s)
{
	int (*real)(gid_t, gid_t, gid_t) =
		(int (*)(gid_t, gid_t, gid_t))dlsym(RTLD_NEXT, "setresgid");
	return lie("setresgid") && r != 0 ? 0 : real(r, e, s);
}

int setgroups(size_t n, const gid_t *list)
{
	int (*real)(size_t, const gid_t *) =
		(int (*)(size_t, const gid_t *))dlsym(RTLD_NEXT, "setgroups");
	return lie("setgroups") ? 0 : real(n, list);
}

/* libcap-ng sets P/E/I through libc's capset().  The lie is told on the
 * last call, the one that gives up CAP_SETPCAP: an earlier call that did
 * nothing would be caught loudly by the next step needing CAP_SETPCAP
 * (the securebits), while this one leaves nothing after it but the
 * verification. */
int capset(cap_user_header_t h, cap_user_data_t d);
int capset(cap_user_header_t h, cap_user_data_t d)
{
	int (*real)(cap_user_header_t, cap_user_data_t) =
		(int (*)(cap_user_header_t, cap_user_data_t))
		dlsym(RTLD_NEXT, "capset");
	int drops_setpcap = !(d[0].permitted & (1u << CAP_SETPCAP));

	return lie("capset") && drops_setpcap ? 0 : real(h, d);
}

int prctl(int option, ...)
{
	int (*real)(int, ...) = (int (*)(int, ...))dlsym(RTLD_NEXT, "prctl");
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if ((option == PR_CAPBSET_DROP && lie("capbset_drop")) ||
	    (option == PR_SET_NO_NEW_PRIVS && lie("no_new_privs")) ||
	    (option == PR_SET_SECUREBITS && lie("securebits")) ||
	    (option == PR_SET_SECCOMP && lie("seccomp")) ||
	    (option == PR_CAP_AMBIENT && a[0] == PR_CAP_AMBIENT_RAISE &&
	     lie("ambient_raise")))
		return 0;
	return real(option, a[0], a[1], a[2], a[3]);
}
