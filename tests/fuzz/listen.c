/* SPDX-License-Identifier: ISC */
/* parse_listen_fds(): LISTEN_PID and LISTEN_FDS from systemd.  The input
 * is "PID\0FDS"; without a NUL, LISTEN_FDS is unset.  Our pid is 4242. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *nul = memchr(s, '\0', size);
	const char *fds_s = nul != NULL ? nul + 1 : NULL;
	const char *why = NULL;
	int nfds = -1, r;

	r = parse_listen_fds(s, fds_s, 4242, &nfds, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL && nfds == 0);
	else  /* never a huge range, never negative */
		CHECK(nfds >= 0 && nfds <= MAX_LISTEN_FDS);
	if (r == 0 && nfds > 0) {  /* only for our own pid (leading zeros as systemd) */
		const char *p = s;
		while (*p == '0')
			p++;
		CHECK(strcmp(p, "4242") == 0);
	}
	/* Unset variables mean no descriptors. */
	nfds = -1;
	CHECK(parse_listen_fds(NULL, s, 4242, &nfds, &why) == 0 && nfds == 0);
	nfds = -1;
	CHECK(parse_listen_fds(s, NULL, 4242, &nfds, &why) == 0 && nfds == 0);
	free(s);
	return 0;
}
