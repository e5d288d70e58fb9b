/* SPDX-License-Identifier: ISC */
/* The target: does nothing, statically linked, so that it needs nothing
 * inside the root and a bare exec of it is the baseline. */
int main(void)
{
	return 0;
}
