/* SPDX-License-Identifier: ISC */
/* parse_id() and parse_name(): --user and --group specs. */
#include "fuzz.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number: "+"? then digits only, never (uid_t)-1, and the value is the
 * text's. */
static void check_number(const char *s, uint32_t id)
{
	const char *p = s[0] == '+' ? s + 1 : s;
	uint64_t v = 0;

	CHECK(*p != '\0');
	for (; *p; p++) {
		CHECK(is_digit(*p));
		v = v * 10 + (uint64_t)(*p - '0');
		CHECK(v < UINT32_MAX);
	}
	CHECK(v == id);
}

/* A name: parse_name agrees, and it cannot be taken for a number or an
 * option, nor hold a separator. */
static void check_name(const char *s)
{
	const char *why = NULL;

	CHECK(!is_digit(s[0]) && s[0] != '+' && s[0] != '-');
	CHECK(strpbrk(s, ":,/ \t\n") == NULL);
	CHECK(parse_name(s, &why) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	const char *why = NULL;
	bool numeric = true;
	uint32_t id = 0;
	int r;

	r = parse_id(s, &numeric, &id, &why);
	CHECK(r == 0 || r == -1);
	if (r < 0)
		CHECK(why != NULL);
	else if (numeric)
		check_number(s, id);
	else
		check_name(s);
	why = NULL;
	if (parse_name(s, &why) < 0)
		CHECK(why != NULL);
	free(s);
	return 0;
}
