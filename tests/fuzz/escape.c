/* SPDX-License-Identifier: ISC */
/* escape_text() and escape_json(): names made safe for --audit's output.
 * Text: nothing but printable characters comes out, and unescaping gives
 * the name back byte for byte.  JSON: a valid string body with no raw
 * control, which decodes to the name (or, when lossy, to the name with
 * U+FFFD for each byte that is not UTF-8). */
#include "fuzz.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	abort();
}

/* Decode one UTF-8 sequence the way a strict reader would; 0 if invalid. */
static size_t dec(const unsigned char *p, unsigned *cp)
{
	size_t n;
	unsigned c;

	if (p[0] < 0x80) { *cp = p[0]; return 1; }
	if (p[0] >= 0xc2 && p[0] <= 0xdf) { n = 2; c = p[0] & 0x1fu; }
	else if (p[0] >= 0xe0 && p[0] <= 0xef) { n = 3; c = p[0] & 0x0fu; }
	else if (p[0] >= 0xf0 && p[0] <= 0xf4) { n = 4; c = p[0] & 0x07u; }
	else return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static void check_text(const char *in, size_t inlen)
{
	char *out = malloc(4 * inlen + 1), *back = malloc(inlen + 1);
	size_t n, b = 0;

	CHECK(out != NULL && back != NULL);
	n = escape_text(out, in);
	CHECK(n == strlen(out) && n <= 4 * inlen);
	for (size_t i = 0; i < n;) {
		unsigned cp = 0;
		size_t l = dec((const unsigned char *)out + i, &cp);

		CHECK(l > 0);
		CHECK(cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f) && cp != 0x2028 &&
		      cp != 0x2029 && !(cp >= 0x202a && cp <= 0x202e) &&
		      !(cp >= 0x2066 && cp <= 0x2069));
		if (cp == '\\') {
			CHECK(i + 3 < n && out[i + 1] == 'x');
			back[b++] = (char)(hexval(out[i + 2]) << 4 | hexval(out[i + 3]));
			i += 4;
			continue;
		}
		memcpy(back + b, out + i, l);
		b += l;
		i += l;
	}
	CHECK(b == inlen && memcmp(back, in, inlen) == 0);
	free(out);
	free(back);
}

/* A code point as UTF-8 into back; returns the bytes written. */
static size_t put_utf8(char *back, unsigned cp)
{
	if (cp < 0x80) {
		back[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		back[0] = (char)(0xc0 | cp >> 6);
		back[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	back[0] = (char)(0xe0 | cp >> 12);
	back[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	back[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* The escape at out[i] ("\\\"", "\\\\" or "\\uNNNN", only for what must
 * not be raw), decoded into back; returns its length in out. */
static size_t json_escape_at(const char *out, size_t i, size_t n, char *back,
                             size_t *b)
{
	unsigned cp = 0;

	CHECK(i + 1 < n);
	if (out[i + 1] == '"' || out[i + 1] == '\\') {
		back[(*b)++] = out[i + 1];
		return 2;
	}
	CHECK(out[i + 1] == 'u' && i + 5 < n);
	for (size_t k = 2; k < 6; k++)
		cp = cp << 4 | (unsigned)hexval(out[i + k]);
	CHECK(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffd ||
	      (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069));
	*b += put_utf8(back + *b, cp);
	return 6;
}

static bool has_invalid(const char *in, size_t inlen)
{
	for (size_t i = 0; i < inlen;) {
		unsigned cp;
		size_t l = dec((const unsigned char *)in + i, &cp);

		if (l == 0)
			return true;
		i += l;
	}
	return false;
}

static void check_json(const char *in, size_t inlen)
{
	char *out = malloc(6 * inlen + 1), *back = malloc(4 * inlen + 1);
	bool lossy = true;
	size_t n, b = 0;

	CHECK(out != NULL && back != NULL);
	n = escape_json(out, in, &lossy);
	CHECK(n == strlen(out) && n <= 6 * inlen);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)out[i];
		unsigned cp = 0;
		size_t l;

		CHECK(c >= 0x20 && c != 0x7f && c != '"');
		if (c == '\\') {
			i += json_escape_at(out, i, n, back, &b);
			continue;
		}
		l = dec((const unsigned char *)out + i, &cp);
		CHECK(l > 0 && !(cp >= 0x80 && cp <= 0x9f));
		memcpy(back + b, out + i, l);
		b += l;
		i += l;
	}
	CHECK(lossy == has_invalid(in, inlen));
	if (!lossy)
		CHECK(b == inlen && memcmp(back, in, inlen) == 0);
	free(out);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	size_t len = strlen(s);  /* names hold no NUL: stop at the first */

	check_text(s, len);
	check_json(s, len);
	free(s);
	return 0;
}
