/* SPDX-License-Identifier: ISC */
/* nsswitch_files_first() and lines_unindented(): /etc/nsswitch.conf and
 * /etc/passwd as the host has them, before chdrop reads passwd itself.
 * The buffer is not NUL-terminated.  A "yes" needs a line that starts
 * with "passwd:" followed, after blanks, by "files". */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_buf(data, size);
	bool first = nsswitch_files_first(buf, size, "passwd");
	bool plain = lines_unindented(buf, size);

	if (first) {
		bool seen = false;

		for (size_t i = 0; i + 7 <= size && !seen; i++)
			if ((i == 0 || buf[i - 1] == '\n') &&
			    memcmp(buf + i, "passwd:", 7) == 0) {
				size_t j = i + 7;

				while (j < size && (buf[j] == ' ' || buf[j] == '\t'))
					j++;
				seen = j + 5 <= size && memcmp(buf + j, "files", 5) == 0;
			}
		CHECK(seen);
	}
	if (size > 0 && (buf[0] == ' ' || buf[0] == '\t'))
		CHECK(!plain);
	free(buf);
	return 0;
}
