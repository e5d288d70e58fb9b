/* SPDX-License-Identifier: ISC */
/* parse_scope(): --scope=LIST. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *why = NULL;
	unsigned scope = 0;
	int r;

	r = parse_scope(s, &scope, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL);
	else
		CHECK(scope != 0 && (scope & ~(unsigned)(SCOPE_SIGNAL |
		                                         SCOPE_ABSTRACT_UNIX)) == 0);
	free(s);
	return 0;
}
