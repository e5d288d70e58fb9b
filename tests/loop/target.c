/* SPDX-License-Identifier: ISC */
/* target — the trivial program the loop test launches (static: the test
 * root holds nothing else).
 *
 * Exit 0 when descriptors 0, 1 and 2 are the only ones open among
 * 0..LIMIT-1 and the process is not root; 3 when another descriptor
 * reached it (its number goes to stderr); 4 when it runs as uid 0. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define LIMIT 1100  /* past the driver's planted descriptor (1050) */

int main(void)
{
	for (int fd = 3; fd < LIMIT; fd++) {
		if (fcntl(fd, F_GETFD) >= 0) {
			fprintf(stderr, "target: descriptor %d is open\n", fd);
			return 3;
		}
	}
	if (getuid() == 0 || geteuid() == 0)
		return 4;
	return 0;
}
