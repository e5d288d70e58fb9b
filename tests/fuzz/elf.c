/* SPDX-License-Identifier: ISC */
/* elf_parse(): a file from an untrusted root, as parts.  The input is cut
 * into a first part and the rest at a point the first byte chooses, so
 * "ask for a region, then parse again" is exercised too.  Every string
 * handed back lies inside a part and ends there; a failure says why. */
#include "fuzz.h"
#include "../../elfdeps.h"

/* Parts may overlap (a region asked for can begin inside the first part and
 * run past it), so a string is sound if some part holds its start and its
 * terminating NUL; the first part holding the start may end too soon. */
static void check_str(const struct elf_part *p, size_t n, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	bool ok = false;

	if (s == NULL)
		return;
	for (size_t i = 0; i < n && !ok; i++)
		ok = u >= p[i].p && u < p[i].p + p[i].len &&
		     memchr(u, '\0', (size_t)(p[i].p + p[i].len - u)) != NULL;
	CHECK(ok);
}

/* What a successful parse promises. */
static void check_ok(const struct elf_part *parts, size_t n, const struct elf_info *e)
{
	check_str(parts, n, e->interp);
	check_str(parts, n, e->soname);
	check_str(parts, n, e->rpath);
	check_str(parts, n, e->runpath);
	CHECK(e->nneeded <= ELF_MAX_NEEDED);
	for (size_t i = 0; i < e->nneeded; i++) {
		CHECK(e->needed[i] != NULL);
		check_str(parts, n, e->needed[i]);
	}
	if (e->interp != NULL)
		CHECK(e->interp[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_info e;
	struct elf_part parts[4];
	const char *why = NULL;
	unsigned char *buf;
	size_t n = 0, cut;

	if (size < 2)
		return 0;
	buf = (unsigned char *)fuzz_buf(data + 1, size - 1);
	size--;
	cut = (size_t)data[0] * 32 < size ? (size_t)data[0] * 32 : size;
	parts[n++] = (struct elf_part){ buf, 0, cut ? cut : size };
	for (int round = 0; round < 4; round++) {
		int r = elf_parse(parts, n, &e, &why);

		CHECK(r == ELF_OK || r == ELF_NOT_ELF || r == ELF_SHORT || r == ELF_BAD);
		if (r == ELF_BAD)
			CHECK(why != NULL);
		if (r == ELF_OK)
			check_ok(parts, n, &e);
		/* Hand over the region asked for, if the input holds it. */
		if (r != ELF_SHORT || n == 4 || e.need_off > size ||
		    e.need_len > size - e.need_off)
			break;
		parts[n++] = (struct elf_part){ buf + e.need_off, e.need_off,
		                                (size_t)e.need_len };
	}
	free(buf);
	return 0;
}
