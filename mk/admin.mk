# SPDX-License-Identifier: ISC
# Where administrators meet chdrop (issue 6): a real systemd, packages,
# shell completions.  Included by the Makefile.

.PHONY: check-systemd check-container

# Boots a minimal Debian under systemd-nspawn and runs chdrop from real
# units (tests/systemd/run; needs debootstrap and systemd-container).
check-systemd: chdrop
	timeout 480 ./tests/systemd/run

# The README's ./demo/run and ./tests/run inside systemd-nspawn of a fresh
# Debian 12 (tests/container/run), with only the capabilities and the
# Landlock calls allowed that the README says a container must allow.
check-container:
	./tests/container/run

# Shell completions.  Debian's zsh looks in vendor-completions; most other
# systems, and zsh's own default, in site-functions.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

.PHONY: install-completions uninstall-completions

install-completions:
	./tools/install-dirs make $(INSTALL_LOG) $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(if $(DESTDIR),,$(patsubst %/,%,$(dir $(INSTALL_LOG))))
	install -m 0644 completions/chdrop.bash $(DESTDIR)$(BASHCOMPDIR)/chdrop
	install -m 0644 completions/_chdrop $(DESTDIR)$(ZSHCOMPDIR)/_chdrop
	install -m 0644 completions/chdrop-root.bash $(DESTDIR)$(BASHCOMPDIR)/chdrop-root
	install -m 0644 completions/_chdrop-root $(DESTDIR)$(ZSHCOMPDIR)/_chdrop-root

uninstall-completions:
	rm -f $(DESTDIR)$(BASHCOMPDIR)/chdrop $(DESTDIR)$(ZSHCOMPDIR)/_chdrop
	rm -f $(DESTDIR)$(BASHCOMPDIR)/chdrop-root $(DESTDIR)$(ZSHCOMPDIR)/_chdrop-root

# Packages (packaging/build-pkg): build/deb/, build/rpm/ and the source
# tarball build/chdrop-VERSION.tar.gz (make dist).  Each builds
# from a temporary copy of the tree; make check-deb installs the .deb with
# dpkg, checks it and purges it again.
.PHONY: deb check-deb rpm dist

deb:
	./packaging/build-pkg deb

check-deb: deb
	./packaging/build-pkg check-deb

rpm:
	./packaging/build-pkg rpm

dist:
	./packaging/build-pkg dist
