/* SPDX-License-Identifier: ISC */
/* Messages and small kernel queries shared by every file (msg.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/prctl.h>

#include "msg.h"

int chdrop_verbose;

void say(const char *fmt, ...)
{
	va_list ap;

	if (!chdrop_verbose)
		return;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	/* clang-tidy 14 calls ap uninitialized, but only when several files
	 * are checked in one run. */
	vfprintf(stderr, fmt, ap);  // NOLINT(clang-analyzer-valist.Uninitialized)
	fputc('\n', stderr);
	va_end(ap);
}

void notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: notice: ", program_invocation_short_name);
	/* clang-tidy 14 calls ap uninitialized, but only when several files
	 * are checked in one run. */
	vfprintf(stderr, fmt, ap);  // NOLINT(clang-analyzer-valist.Uninitialized)
	fputc('\n', stderr);
	va_end(ap);
}

unsigned last_cap(void)
{
	static unsigned cap;

	if (cap != 0)
		return cap;
	/* The kernel may know more or fewer capabilities than our headers. */
	cap = CAP_LAST_CAP;
	while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	while (cap > 0 && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
		cap--;
	return cap;
}
