/* SPDX-License-Identifier: ISC */
/* Shared bits of chdrop's libFuzzer harnesses (make fuzz).
 *
 * Each harness feeds one pure parser from parse.c and checks what it
 * promises beyond "does not crash": a success is consistent with the
 * input, a failure always says why.  A broken promise is abort(), which
 * libFuzzer reports as a crash with the input that caused it. */
#ifndef CHDROP_FUZZ_H
#define CHDROP_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../launcher.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string, in a buffer of exactly size + 1 bytes so ASan
 * sees any read past the terminator.  The caller frees it. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input as an exact-size buffer, without a terminator. */
static inline char *fuzz_buf(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	return s;
}

#endif
