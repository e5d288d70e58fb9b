/* SPDX-License-Identifier: ISC */
/* parse_group() and member_of(): ROOT/etc/group for --userdb=root.  The
 * first byte picks when the walk stops; the member looked up is the entry's
 * own first member, and a name that cannot be one. */
#include "fuzz.h"

struct ctx { const char *buf; size_t len; size_t n; int stop_at; };

static int field_ok(const struct ctx *c, const char *p, size_t n)
{
	return p >= c->buf && p + n <= c->buf + c->len &&
	       memchr(p, ':', n) == NULL && memchr(p, '\n', n) == NULL &&
	       memchr(p, '\0', n) == NULL;
}

static int each(const struct gr_entry *e, void *arg)
{
	struct ctx *c = arg;
	const char *comma;
	char first[64];
	size_t n;

	CHECK(e->name_len > 0 && field_ok(c, e->name, e->name_len));
	CHECK(field_ok(c, e->members, e->members_len));
	CHECK(e->gid != UINT32_MAX);
	/* The first member, when there is one, is found; a name with a comma
	 * never is. */
	comma = memchr(e->members, ',', e->members_len);
	n = comma ? (size_t)(comma - e->members) : e->members_len;
	if (n > 0 && n < sizeof(first)) {
		memcpy(first, e->members, n);
		first[n] = '\0';
		CHECK(member_of(e->members, e->members_len, first));
	}
	CHECK(!member_of(e->members, e->members_len, "a,b"));
	(void)member_of(e->members, e->members_len, "");
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
	c = (struct ctx){ buf, size - 1, 0, data[0] % 8 };
	r = parse_group(buf, size - 1, each, &c, &line, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL && line >= 1);
	/* member_of on the raw bytes, as a members field of any shape. */
	(void)member_of(buf, size - 1, "root");
	free(buf);
	return 0;
}
