/* SPDX-License-Identifier: ISC */
/* parse_caps(): --caps.  The first byte picks the kernel's last cap. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned lastcap;
	uint64_t caps = 0;
	const char *why = NULL;
	char *s;
	int r;

	if (size == 0)
		return 0;
	lastcap = data[0] & 63u;
	s = fuzz_cstr(data + 1, size - 1);
	r = parse_caps(s, lastcap, &caps, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL);
	else if (lastcap < 63)  /* nothing above what the kernel knows */
		CHECK((caps >> (lastcap + 1)) == 0);
	free(s);
	return 0;
}
