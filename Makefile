# SPDX-License-Identifier: ISC
# chdrop — see README.md.  Conventional variables; the project's flags come
# first and the user's CFLAGS/LDFLAGS last, so a user can override them.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=
CC      ?= cc
PKG_CONFIG ?= pkg-config
BATS    ?= bats

HARDEN_CFLAGS  = -D_FORTIFY_SOURCE=3 -fstack-protector-strong \
                 -fstack-clash-protection -fPIE
HARDEN_LDFLAGS = -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack
WARN_CFLAGS    = -Wall -Wextra -Wformat=2 -Wconversion
# chdrop links libcap-ng (capability names and state; see launcher.c) and
# the C library; libseccomp is used at build time only, by
# tools/gen-tty-filter (see there).
DEP_CFLAGS    := $(shell $(PKG_CONFIG) --cflags libcap-ng 2>/dev/null)
DEP_LIBS      := $(shell $(PKG_CONFIG) --libs libcap-ng 2>/dev/null || echo -lcap-ng)
SECCOMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp 2>/dev/null)
SECCOMP_LIBS  := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)

ALL_CFLAGS  = -std=gnu11 -O2 -g $(HARDEN_CFLAGS) $(WARN_CFLAGS) $(DEP_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(HARDEN_LDFLAGS) $(LDFLAGS)

SRCS = launcher.c cli.c userdb.c parse.c confine.c userns.c mounts.c audit.c msg.c manifest.c elfdeps.c
OBJS = $(SRCS:.c=.o)

# chdrop-root (its own folder): builds and refreshes roots.  It shares the
# manifest format and the ELF closure with chdrop, never the launcher.
ROOT_SRCS = chdrop-root/main.c chdrop-root/plan.c chdrop-root/collect.c \
            chdrop-root/copy.c chdrop-root/dpkg.c manifest.c elfdeps.c
ROOT_OBJS = $(ROOT_SRCS:.c=.o)
MD_LIBS  := $(shell $(PKG_CONFIG) --libs libmd 2>/dev/null || echo -lmd)
ROOT_VERSION := $(shell sed -n 's/^\#define CHDROP_VERSION "\(.*\)"$$/\1/p' launcher.h)

.PHONY: all check demo install uninstall clean deps

all: chdrop chdrop-root/chdrop-root

chdrop-root/chdrop-root: $(ROOT_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(ROOT_OBJS) $(MD_LIBS)

chdrop-root/%.o: chdrop-root/%.c chdrop-root/root.h manifest.h elfdeps.h launcher.h
	$(CC) $(ALL_CFLAGS) -DCHDROP_ROOT_VERSION='"$(ROOT_VERSION)"' -c -o $@ $<

chdrop: $(OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(OBJS) $(DEP_LIBS)

%.o: %.c launcher.h msg.h manifest.h elfdeps.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The terminal guard's seccomp filter, built by libseccomp at build time.
confine.o: tty_filter.h
tools/gen-tty-filter: tools/gen-tty-filter.c
	$(CC) $(ALL_CFLAGS) $(SECCOMP_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(SECCOMP_LIBS)
tty_filter.h: tools/gen-tty-filter
	./tools/gen-tty-filter > $@.tmp
	mv $@.tmp $@

# The probe runs inside test roots that hold nothing else: static.
tests/probe: tests/probe.c
	$(CC) -static -O2 -Wall -Wextra -o $@ $<

# The closure resolver's test driver (tests/87-elfdeps.bats).
tests/elfclosure: tests/elfclosure.c elfdeps.c elfdeps.h
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ tests/elfclosure.c elfdeps.c

# Installs what the build and the tests need on Debian (no-op when present).
deps:
	@./tests/install-deps

check: deps chdrop chdrop-root/chdrop-root tests/probe tests/elfclosure
	$(BATS) tests/

demo:
	./demo/run

# The directories install makes (and no others) are noted in INSTALL_LOG,
# and make uninstall removes them again once empty; ones that existed stay.
# A staged install (DESTDIR, for a package) keeps no note.
INSTALL_LOG = $(if $(DESTDIR),-,$(PREFIX)/share/chdrop/install-dirs)

install: chdrop chdrop-root/chdrop-root install-completions
	./tools/install-dirs make $(INSTALL_LOG) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(if $(DESTDIR),,$(patsubst %/,%,$(dir $(INSTALL_LOG))))
	install -m 0755 chdrop $(DESTDIR)$(BINDIR)/chdrop
	install -m 0755 chdrop-root/chdrop-root $(DESTDIR)$(BINDIR)/chdrop-root
	install -m 0644 docs/chdrop.1 $(DESTDIR)$(MANDIR)/man1/chdrop.1
	install -m 0644 docs/chdrop-root.1 $(DESTDIR)$(MANDIR)/man1/chdrop-root.1

uninstall: uninstall-completions
	rm -f $(DESTDIR)$(BINDIR)/chdrop $(DESTDIR)$(MANDIR)/man1/chdrop.1
	rm -f $(DESTDIR)$(BINDIR)/chdrop-root $(DESTDIR)$(MANDIR)/man1/chdrop-root.1
	./tools/install-dirs remove $(INSTALL_LOG)

clean:
	rm -f chdrop $(OBJS) chdrop-root/chdrop-root $(ROOT_OBJS) tests/probe tests/elfclosure tools/gen-tty-filter tty_filter.h

# Further targets (quality gates, benchmark, packaging), one file each.
-include mk/*.mk
