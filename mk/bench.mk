# SPDX-License-Identifier: ISC
# make bench: launch overhead of chdrop against its peers (issue 5).
# make static: a statically linked chdrop, for the benchmark and for roots
# without a C library.  See docs/performance.md.  Not part of `make check`.

BENCH_CC_FLAGS = -std=gnu11 -O2 -Wall -Wextra

# make static: chdrop linked statically against musl (Debian's musl-tools),
# -static-pie so it keeps ASLR and full RELRO like the default build.
# musl reads /etc/passwd and /etc/group itself and never loads an NSS
# module, so a name known only to systemd, LDAP or SSSD is "no such user"
# (exit 125, fail closed); numeric ids need no lookup.  musl ships no
# kernel headers: the host's are found through build/musl-include.
MUSL_GCC ?= musl-gcc
MUSL_INC  = build/musl-include

$(MUSL_INC):
	mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$$($(CC) -dumpmachine)/asm $@/asm

# Debian's musl-gcc specs know nothing of -static-pie, so the static-PIE
# start files (rcrt1.o) and linker flags are spelled out: without them the
# result asks for /lib/ld-musl-*.so.1 or crashes at start.
MUSL_LIB  = /usr/lib/$(shell $(CC) -dumpmachine | sed 's/-gnu$$/-musl/')

# libcap-ng for musl: Debian's libcap-ng.a is built against glibc, so
# tools/libcap-ng-musl compiles libcap-ng's two source files from Debian's
# source package (the installed version, fetched once through apt and
# cached) with musl-gcc.  See there.
CAPNG_MUSL = build/libcap-ng-musl
$(CAPNG_MUSL)/libcap-ng.a: tools/libcap-ng-musl | $(MUSL_INC)
	./tests/install-deps musl-tools dpkg-dev
	MUSL_GCC=$(MUSL_GCC) MUSL_INC=$(abspath $(MUSL_INC)) ./tools/libcap-ng-musl $(CAPNG_MUSL)

chdrop-static: $(SRCS) launcher.h tty_filter.h $(CAPNG_MUSL)/libcap-ng.a | $(MUSL_INC)
	./tests/install-deps musl-tools
	$(MUSL_GCC) -std=gnu11 -O2 $(HARDEN_CFLAGS) $(WARN_CFLAGS) \
	    -idirafter $(MUSL_INC) -I$(CAPNG_MUSL)/include -nostartfiles \
	    -Wl,-static,-pie,--no-dynamic-linker,-z,text \
	    -Wl,-z,relro,-z,now -Wl,-z,noexecstack $(LDFLAGS) -o $@ \
	    $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o \
	    $$($(CC) -print-file-name=crtbeginS.o) $(SRCS) \
	    $(CAPNG_MUSL)/libcap-ng.a \
	    $$($(CC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o
	@file $@ | grep -q 'static-pie linked' || \
	    { echo "make static: $@ is not a static PIE" >&2; rm -f $@; exit 1; }

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

# Each primitive of a launch, timed in-process (the filter chdrop loads).
bench/micro: bench/micro.c tty_filter.h
	$(CC) $(BENCH_CC_FLAGS) -o $@ $<

BENCH_TOOLS = bench/driver bench/true bench/floor bench/floor-nolibc \
              bench/micro

.PHONY: bench static bench-clean

static: chdrop-static

bench: chdrop chdrop-static chdrop-root/chdrop-root $(BENCH_TOOLS)
	./bench/run

bench-clean:
	rm -f chdrop-static $(BENCH_TOOLS)
	rm -rf $(CAPNG_MUSL)

# The whole suite against the static build, so that it cannot rot.
.PHONY: check-static
check-static: chdrop-static tests/probe
	CHDROP=$(abspath chdrop-static) $(BATS) $(RERUN_TESTS)
