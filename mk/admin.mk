# Where administrators meet chdrop (issue 6): a real systemd, packages,
# shell completions.  Included by the Makefile.

.PHONY: check-systemd

# Boots a minimal Debian under systemd-nspawn and runs chdrop from real
# units (tests/systemd/run; needs debootstrap and systemd-container).
check-systemd: chdrop
	timeout 480 ./tests/systemd/run
