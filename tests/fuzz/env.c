/* SPDX-License-Identifier: ISC */
/* parse_env_assign(): --env=NAME=VALUE. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *why = NULL;
	int r;

	r = parse_env_assign(s, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0) {
		CHECK(why != NULL);
	} else {
		/* A portable shell name before the first '='. */
		const char *eq = strchr(s, '=');
		CHECK(eq != NULL && eq > s && !(s[0] >= '0' && s[0] <= '9'));
		for (const char *p = s; p < eq; p++)
			CHECK((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			      (*p >= '0' && *p <= '9') || *p == '_');
	}
	free(s);
	return 0;
}
