# SPDX-License-Identifier: ISC
# make bench-root: chdrop-root against jailkit's jk_cp on the same job (a
# root for python3 and its standard library), and the cost of check and of
# a no-op update of that root.  As root; installs jailkit when missing.
# Results in docs/performance.md ("Building roots").  Not part of make check.

.PHONY: bench-root

bench-root: chdrop chdrop-root/chdrop-root
	./bench/root $(abspath chdrop-root/chdrop-root) $(abspath chdrop)
