/* SPDX-License-Identifier: ISC */
/* Linked into chdrop-asan only (make check-sanitize), never into chdrop.
 *
 * LeakSanitizer's exit-time check stops the world by listing
 * /proc/PID/task and attaching to each thread.  Inside a root without /proc
 * (every test root) that is impossible and LSan dies with "LeakSanitizer
 * has encountered a fatal error" — which would turn every failure after
 * entering the root (exit 125, 126, 127) into a bogus exit 99.
 *
 * Likewise where LSAN_OPTIONS names a suppressions file that the process
 * cannot read (a host path, after chroot into a root that has /proc):
 * LSan dies reading it.
 *
 * Likewise in a setuid or setgid execution (AT_SECURE), which chdrop
 * refuses at once: the process is not dumpable, the tracer cannot attach,
 * and LSan dies with exit status 1 instead of chdrop's 125.
 *
 * So the check is off exactly where it cannot work, and on everywhere else:
 * --help, --version, --dry-run and every failure before the root is
 * entered.  Nothing is lost by it: after entry chdrop either execs (no exit
 * handler runs, the address space is replaced) or exits at once, and
 * ASan/UBSan proper (bounds, use-after-free, UB) stay on throughout. */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* The suppressions= file named in LSAN_OPTIONS is readable (or none). */
static int suppressions_readable(void)
{
	const char *o = getenv("LSAN_OPTIONS"), *f;
	char path[4096];
	size_t n;

	if (o == NULL || (f = strstr(o, "suppressions=")) == NULL)
		return 1;
	f += strlen("suppressions=");
	n = strcspn(f, ":");
	if (n == 0 || n >= sizeof(path))
		return 1;
	memcpy(path, f, n);
	path[n] = '\0';
	return access(path, R_OK) == 0;
}

/* The name is LeakSanitizer's documented hook, reserved by design. */
int __lsan_is_turned_off(void);  // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)

int __lsan_is_turned_off(void)  // NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
{
	return getauxval(AT_SECURE) != 0 || access("/proc/self/task", R_OK) != 0 ||
	       !suppressions_readable();
}
