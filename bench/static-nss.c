/* Linked into `make static` only.
 *
 * A statically linked glibc cannot load NSS modules safely: for any
 * source other than the built-in "files" it dlopen()s the host's
 * libnss_*.so, which drags a second, possibly different, libc into the
 * process (here libnss_systemd: SIGSEGV, not exit 125).  So the static
 * build resolves names from /etc/passwd and /etc/group alone, on the host
 * and before entering the root, whatever nsswitch.conf says.  Numeric ids
 * need no lookup at all.  A name known only to another source (systemd,
 * LDAP, sss) is then "no such user", exit 125: fail closed, not crash. */
#include <nss.h>
#include <stdlib.h>

__attribute__((constructor)) static void nss_files_only(void)
{
	if (__nss_configure_lookup("passwd", "files") != 0 ||
	    __nss_configure_lookup("group", "files") != 0 ||
	    __nss_configure_lookup("initgroups", "files") != 0)
		abort();
}
