/* SPDX-License-Identifier: ISC */
/* parse_fd(): --keep-fd=N. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *why = NULL;
	int fd = -1, r;

	r = parse_fd(s, &fd, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0) {
		CHECK(why != NULL);
	} else {
		/* Digits only, and the number is what the text says. */
		long long v = 0;
		CHECK(s[0] != '\0' && fd >= 0);
		for (const char *p = s; *p; p++) {
			CHECK(*p >= '0' && *p <= '9');
			v = v * 10 + (*p - '0');
			CHECK(v <= INT32_MAX);
		}
		CHECK(v == fd);
	}
	free(s);
	return 0;
}
