# make bench: launch overhead of chdrop against its peers (issue 5).
# make static: a statically linked chdrop, for the benchmark and for roots
# without a C library.  See docs/performance.md.  Not part of `make check`.

BENCH_CC_FLAGS = -std=gnu11 -O2 -Wall -Wextra

# The same objects as chdrop (compiled -fPIE), linked -static-pie so the
# static build keeps ASLR and full RELRO like the default one.  libcap-ng
# and libseccomp ship static archives in their Debian -dev packages.
# bench/static-nss.o limits name lookups to /etc/passwd and /etc/group:
# static glibc cannot load other NSS modules (see that file).  The link
# warns that getpwnam & co. "require at runtime the shared libraries":
# true only for modules other than files, which static-nss.o rules out.
chdrop-static: $(OBJS) bench/static-nss.o
	rm -f $@
	$(CC) $(ALL_CFLAGS) -static-pie $(HARDEN_LDFLAGS:-pie=) $(LDFLAGS) \
	    -o $@ $(OBJS) bench/static-nss.o $(DEP_LIBS) 2>&1 | \
	    { grep -v -e "requires at runtime the shared libraries" \
	              -e ": in function \`" >&2 || true; }
	@test -x $@

bench/static-nss.o: bench/static-nss.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

bench/driver: bench/driver.c
	$(CC) $(BENCH_CC_FLAGS) -o $@ $<

# The target, and the floor launcher: static glibc.
bench/true bench/floor: bench/%: bench/%.c
	$(CC) $(BENCH_CC_FLAGS) -static -o $@ $<

# The floor again with no C library at all (x86-64 only; empty elsewhere).
bench/floor-nolibc: bench/floor.c
	if [ "$$(uname -m)" = x86_64 ]; then \
	    $(CC) $(BENCH_CC_FLAGS) -DFLOOR_NOLIBC -static -nostdlib \
	        -fno-stack-protector -fno-pie -no-pie -o $@ $<; \
	else rm -f $@; touch $@; fi

BENCH_TOOLS = bench/driver bench/true bench/floor bench/floor-nolibc

.PHONY: bench static bench-clean

static: chdrop-static

bench: chdrop chdrop-static $(BENCH_TOOLS)
	./bench/run

bench-clean:
	rm -f chdrop-static bench/static-nss.o $(BENCH_TOOLS)
