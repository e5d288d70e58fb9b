/* SPDX-License-Identifier: ISC */
/* ldcache_parse() and ldcache_lookup(): an ld.so.cache from an untrusted
 * root.  Looked up for a few names (and one taken from the input) on
 * several machines; a path handed back lies inside the file and ends
 * there. */
#include "fuzz.h"
#include "../../elfdeps.h"

static const char *const names[] = { "libc.so.6", "liba.so.1", "libb.so.1", "a", "" };

static void check(const struct ldcache *c, const unsigned char *buf, size_t size,
                  const struct elf_hw *hw, const char *name)
{
	const char *p = ldcache_lookup(c, hw, name);

	if (p == NULL)
		return;
	CHECK((const unsigned char *)p >= buf && (const unsigned char *)p < buf + size);
	CHECK(memchr(p, '\0', (size_t)(buf + size - (const unsigned char *)p)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct elf_hw hws[] = {
		{ 1, 2, "x86_64", false },
		{ 15, 6, "haswell", false },
		{ 7, 2, "xeon_phi", false },
		{ 15, 2, "x86_64", true },
	};
	struct ldcache c;
	const char *why = NULL;
	unsigned char *buf = (unsigned char *)fuzz_buf(data, size);
	char name[17];

	if (ldcache_parse(buf, size, &c, &why) < 0) {
		CHECK(why != NULL);
		free(buf);
		return 0;
	}
	memcpy(name, size >= 64 ? (const char *)data + 48 : "x", size >= 64 ? 16 : 2);
	name[16] = '\0';
	for (size_t h = 0; h < sizeof(hws) / sizeof(hws[0]); h++) {
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			check(&c, buf, size, &hws[h], names[i]);
		check(&c, buf, size, &hws[h], name);
	}
	free(buf);
	return 0;
}
