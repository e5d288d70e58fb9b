/* SPDX-License-Identifier: ISC */
/* parse_passwd(): ROOT/etc/passwd for --userdb=root.  The buffer is not
 * NUL-terminated, as read_in_root() hands it over; ASan sees any read past
 * its end. */
#include "fuzz.h"

struct ctx { const char *buf; size_t len; size_t n; int stop_at; };

static int in_buf(const struct ctx *c, const char *p, size_t n)
{
	return p >= c->buf && p + n <= c->buf + c->len;
}

static int field_ok(const struct ctx *c, const char *p, size_t n)
{
	return in_buf(c, p, n) && memchr(p, ':', n) == NULL &&
	       memchr(p, '\n', n) == NULL && memchr(p, '\0', n) == NULL;
}

static int each(const struct pw_entry *e, void *arg)
{
	struct ctx *c = arg;

	CHECK(e->name_len > 0 && field_ok(c, e->name, e->name_len));
	CHECK(field_ok(c, e->home, e->home_len));
	CHECK(field_ok(c, e->shell, e->shell_len));
	CHECK(e->uid != UINT32_MAX && e->gid != UINT32_MAX);
	CHECK(e->name[0] != '#' && e->name[0] != '+' && e->name[0] != '-');
	return ++c->n == (size_t)c->stop_at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c;
	size_t line = 0;
	const char *why = NULL;
	char *buf;
	int r;

	if (size == 0)
		return 0;
	buf = fuzz_buf(data + 1, size - 1);
	c = (struct ctx){ buf, size - 1, 0, data[0] % 8 };  /* 0: never stop */
	r = parse_passwd(buf, size - 1, each, &c, &line, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL && line >= 1);
	free(buf);
	return 0;
}
