# Where administrators meet chdrop (issue 6): a real systemd, packages,
# shell completions.  Included by the Makefile.

.PHONY: check-systemd

# Boots a minimal Debian under systemd-nspawn and runs chdrop from real
# units (tests/systemd/run; needs debootstrap and systemd-container).
check-systemd: chdrop
	timeout 480 ./tests/systemd/run

# Shell completions.  Debian's zsh looks in vendor-completions; most other
# systems, and zsh's own default, in site-functions.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions

.PHONY: install-completions uninstall-completions

install-completions:
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0644 completions/chdrop.bash $(DESTDIR)$(BASHCOMPDIR)/chdrop
	install -m 0644 completions/_chdrop $(DESTDIR)$(ZSHCOMPDIR)/_chdrop

uninstall-completions:
	rm -f $(DESTDIR)$(BASHCOMPDIR)/chdrop $(DESTDIR)$(ZSHCOMPDIR)/_chdrop
