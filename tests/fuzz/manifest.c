/* SPDX-License-Identifier: ISC */
/* manifest_parse_all(): ROOT/.chdrop/manifest, read by chdrop at launch and by
 * chdrop-root.  Beyond not crashing: a failure says why and where; every
 * entry a success hands over keeps the format's rules; and the encoding is
 * canonical: writing back what was parsed gives the input, byte for byte.
 * The buffer is not NUL-terminated; ASan sees any read past its end. */
#include <stdio.h>

#include "fuzz.h"
#include "../../manifest.h"

struct ctx { FILE *out; size_t n; int stop_at; };

static int each(const struct mf_entry *e, void *arg)
{
	struct ctx *c = arg;
	const char *why = NULL;

	CHECK(e->path[0] == '/' && strstr(e->path, "//") == NULL);
	CHECK(!(e->mode & (S_ISUID | S_ISGID)));
	CHECK(manifest_write_entry(c->out, e, &why) == 0);
	return ++c->n == (size_t)c->stop_at ? 7 : 0;
}

static int each_request(const char *path, void *arg)
{
	struct ctx *c = arg;
	const char *why = NULL;

	CHECK(path[0] == '/');
	CHECK(manifest_write_request(c->out, path, &why) == 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	size_t line = 0, outlen = 0;
	const char *why = NULL;
	char *buf, *out = NULL;
	int r;

	if (size == 0)
		return 0;
	buf = fuzz_buf(data + 1, size - 1);
	c = (struct ctx){ open_memstream(&out, &outlen), 0, data[0] % 8 };
	CHECK(c.out != NULL);
	CHECK(manifest_write_header(c.out, &why) == 0);
	r = manifest_parse_all(buf, size - 1, each_request, each, &c, &line, &why);
	CHECK(r == 0 || r == -1 || r == 7);
	if (r < 0)
		CHECK(why != NULL && line >= 1);
	if (r == 0)
		CHECK(manifest_write_end(c.out, c.n, &why) == 0);
	CHECK(fclose(c.out) == 0);
	if (r == 0)
		CHECK(outlen == size - 1 && memcmp(out, buf, outlen) == 0);
	free(out);
	free(buf);
	return 0;
}
