/* SPDX-License-Identifier: ISC */
/* list_next(): the comma-separated lists of -G, -c and --scope. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *cur = s, *item, *why = NULL;
	size_t len, total = 0, items = 0;
	int r;

	while ((r = list_next(&cur, &item, &len, &why)) > 0) {
		/* Each item lies inside the string and holds no comma. */
		CHECK(item >= s && item + len <= s + strlen(s));
		CHECK(len > 0 && memchr(item, ',', len) == NULL);
		total += len;
		items++;
		CHECK(items <= size + 1);
	}
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL);
	else  /* a full walk covers every byte: items plus the commas between */
		CHECK(total + items - 1 == strlen(s) || (items == 0 && s[0] == '\0'));
	free(s);
	return 0;
}
