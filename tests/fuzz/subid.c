/* SPDX-License-Identifier: ISC */
/* parse_subid(): /etc/subuid and /etc/subgid for --map-root.  The first
 * byte picks the uid to look for; the buffer is not NUL-terminated. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subid_range r = { 7, 7 };
	size_t line = 0;
	const char *why = NULL;
	char *buf;
	int res;

	if (size == 0)
		return 0;
	buf = fuzz_buf(data + 1, size - 1);
	res = parse_subid(buf, size - 1, data[0] & 1 ? "alice" : NULL,
	                  (uint32_t)data[0] * 1000, &r, &line, &why);
	CHECK(res == 1 || res == 0 || res == -1);
	if (res < 0)
		CHECK(why != NULL && line >= 1);
	if (res == 1)
		CHECK(r.count > 0 && (uint64_t)r.start + r.count <= UINT32_MAX);
	else
		CHECK(r.count == 0 && r.start == 0);
	free(buf);
	return 0;
}
