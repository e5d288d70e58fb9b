/* SPDX-License-Identifier: ISC */
/* parse_mount(): --bind-ro, --bind, --tmpfs.  The first byte picks tmpfs. */
#include "fuzz.h"

/* What chdrop will mount on or from: absolute, within the input. */
static void check_path(const char *s, size_t off, size_t len, size_t size)
{
	CHECK(len > 0 && off + len <= size && s[off] == '/');
	CHECK(memchr(s + off, ':', len) == NULL);
	CHECK(strspn(s + off, "/") < len);
	for (size_t i = off; i < off + len; i++)
		CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t src_len = 99, dst_off = 99, dst_len = 99;
	const char *why = NULL;
	bool tmpfs, exec = false;
	size_t n;
	char *s;
	int r;

	if (size == 0)
		return 0;
	tmpfs = data[0] & 1;
	s = fuzz_cstr(data + 1, size - 1);
	n = strlen(s);  /* the parser stops at the first NUL */
	r = parse_mount(s, tmpfs, &src_len, &dst_off, &dst_len, &exec, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0) {
		CHECK(why != NULL);
	} else {
		check_path(s, dst_off, dst_len, n);
		if (tmpfs)
			CHECK(src_len == 0);
		else
			check_path(s, 0, src_len, n);
		/* The flag is there exactly when the text ends in it. */
		if (tmpfs)
			CHECK(exec == (n >= 5 && strcmp(s + n - 5, ":exec") == 0));
		else
			CHECK(!exec == (n >= 7 && strcmp(s + n - 7, ":noexec") == 0));
	}
	free(s);
	return 0;
}
