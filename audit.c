/* SPDX-License-Identifier: ISC */
/* chdrop --audit=DIR — look through a root directory for ways out.
 *
 * Read only, and nothing from the tree is executed, loaded or even opened
 * as a file: entries are examined with statx(2), readlinkat(2) and
 * extended-attribute reads relative to a descriptor of their directory,
 * never following a symlink.  Only directories are opened (O_NOFOLLOW,
 * and checked against what statx saw), so a device node swapped in during
 * the walk is never opened.  The path to DIR is walked the way
 * --root walks it, one component at a time, and held to the same rule.
 *
 * What counts (see the man page, --audit): setuid/setgid and capability
 * files, device nodes other than the harmless few, world-writable files
 * and directories without the sticky bit, the files a privileged process
 * in the root would trust (account files, NSS and loader configuration,
 * every library) being writable by the target user — or, without -u, by
 * anyone but root — and path components that fail the --root rule.
 * Informational: symlinks whose target leaves the tree when followed from
 * outside it, mount points, /proc and /sys, sockets.
 *
 * Result: one line per finding on stdout; exit 1 if any is a hazard,
 * 0 if none, 125 if the audit could not be completed (findings printed
 * so far stand, but an incomplete audit never reads as clean).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/magic.h>
#ifndef STATX_TYPE          /* a C library without statx(): musl 1.2.3 */
#include <linux/stat.h>
#define statx(dfd, name, flags, mask, st) \
	((int)syscall(SYS_statx, (dfd), (name), (flags), (mask), (st)))
#endif


#include "launcher.h"

/* Deeper than this is reported as an error, not walked: one descriptor
 * is held per level. */
#define AUDIT_MAX_DEPTH 256
#define STR2(x) #x
#define STR(x) STR2(x)

/* getxattrat(2), Linux 6.13: an xattr by directory descriptor and name,
 * AT_SYMLINK_NOFOLLOW.  New system calls share one number on every
 * architecture; Debian 12's headers predate it. */
#ifndef SYS_getxattrat
#define SYS_getxattrat 464
#endif
// cppcheck-suppress unusedStructMember ; read by the kernel
struct xattr_args_compat { uint64_t value; uint32_t size; uint32_t flags; };

/* POSIX ACL as the kernel stores it in system.posix_acl_access. */
#define ACL_XATTR_VERSION 2
enum { ACL_USER_OBJ = 0x01, ACL_USER = 0x02, ACL_GROUP_OBJ = 0x04,
       ACL_GROUP = 0x08, ACL_MASK = 0x10, ACL_OTHER = 0x20 };
#define ACL_WRITE 0x02
#define ACL_MAX_ENTRIES 512

enum severity { SEV_HAZARD, SEV_INFO };

struct devino { dev_t dev; ino_t ino; };

struct audit {
	const struct audit_opts *o;
	char *path;            /* host path of the entry being looked at */
	size_t len, size;
	size_t base;           /* strlen of DIR's path: path + base is inside */
	struct devino *anc;    /* directories from host "/" down to here */
	size_t nanc, outside;  /* anc[0 .. outside-1] lie above DIR */
	unsigned long hazards, errors;
	bool have_getxattrat;
	bool noatime;          /* O_NOATIME allowed (root, or owner) */
};

/* --- output ------------------------------------------------------------- */

/* Text: one finding per line whatever the name holds, so control bytes
 * and backslashes come out as \xNN. */
static void put_text(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) { n = 2; cp = p[0] & 0x1fu; }
	else if (p[0] >= 0xe0 && p[0] <= 0xef) { n = 3; cp = p[0] & 0x0fu; }
	else if (p[0] >= 0xf0 && p[0] <= 0xf4) { n = 4; cp = p[0] & 0x07u; }
	else return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* A JSON string.  A byte that is not UTF-8 becomes U+FFFD; returns
 * whether that happened, so the caller can add the exact bytes in hex. */
static bool put_json(const char *s)
{
	bool lossy = false;

	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n == 0) {
			fputs("\\ufffd", stdout);
			lossy = true;
			p++;
			continue;
		}
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			(void)fwrite(p, 1, n, stdout);
		p += n;
	}
	putchar('"');
	return lossy;
}

static void put_json_field(const char *key, const char *val)
{
	printf(",\"%s\":", key);
	if (put_json(val)) {
		printf(",\"%s_hex\":\"", key);
		for (const unsigned char *p = (const unsigned char *)val; *p; p++)
			printf("%02x", *p);
		putchar('"');
	}
}

static const char *type_name(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "char";
	case S_IFBLK: return "block";
	case S_IFSOCK: return "socket";
	case S_IFIFO: return "fifo";
	default: return "unknown";
	}
}

static const char *display_path(const struct audit *a)
{
	return a->len == 0 ? "/" : a->path;
}

/* One finding about the current path.  target: a symlink's, or NULL. */
static void finding(struct audit *a, enum severity sev, const char *kind,
                    const struct statx *st, const char *target,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void finding(struct audit *a, enum severity sev, const char *kind,
                    const struct statx *st, const char *target,
                    const char *fmt, ...)
{
	const char *sevname = sev == SEV_HAZARD ? "hazard" : "info";
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	/* clang-analyzer 14 loses track of va_start once _FORTIFY_SOURCE
	 * turns vsnprintf into its checking variant: a false report. */
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);  /* NOLINT(clang-analyzer-valist.Uninitialized) */
	va_end(ap);
	if (sev == SEV_HAZARD)
		a->hazards++;
	if (a->o->format == AUDIT_TEXT) {
		printf("%s %s ", sevname, kind);
		put_text(display_path(a));
		fputs(": ", stdout);
		put_text(detail);
		putchar('\n');
		return;
	}
	printf("{\"severity\":\"%s\",\"kind\":\"%s\"", sevname, kind);
	put_json_field("path", display_path(a));
	printf(",\"type\":\"%s\",\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u",
	       type_name(st->stx_mode), st->stx_mode & 07777u,
	       (unsigned)st->stx_uid, (unsigned)st->stx_gid);
	if (target != NULL)
		put_json_field("target", target);
	put_json_field("detail", detail);
	fputs("}\n", stdout);
}

/* Something that stops part of the audit: counted, so the result is 125.
 * e: the errno, or 0 when what says it all. */
static void audit_error(struct audit *a, int e, const char *what)
{
	a->errors++;
	if (e == 0)
		warnx("audit: %s: %s", display_path(a), what);
	else
		warnx("audit: %s: %s: %s", display_path(a), what, strerror(e));
}

/* --- paths ----------------------------------------------------------------- */

static void path_push(struct audit *a, const char *name, size_t *saved)
{
	size_t n = strlen(name);

	*saved = a->len;
	if (a->len + n + 2 > a->size) {
		size_t size = (a->len + n + 2) * 2;
		char *p = realloc(a->path, size);
		if (p == NULL)
			err(EXIT_CHDROP, "realloc");
		a->path = p;
		a->size = size;
	}
	a->path[a->len++] = '/';
	memcpy(a->path + a->len, name, n + 1);
	a->len += n;
}

static void path_pop(struct audit *a, size_t saved)
{
	a->len = saved;
	a->path[a->len] = '\0';
}

/* The current path inside the root, without its leading slash. */
static const char *inside(const struct audit *a)
{
	return a->len > a->base ? a->path + a->base + 1 : "";
}

static void anc_push(struct audit *a, const struct statx *st)
{
	if (a->nanc % 64 == 0) {
		struct devino *p = reallocarray(a->anc, a->nanc + 64, sizeof(*p));
		if (p == NULL)
			err(EXIT_CHDROP, "reallocarray");
		a->anc = p;
	}
	a->anc[a->nanc].dev = makedev(st->stx_dev_major, st->stx_dev_minor);
	a->anc[a->nanc].ino = (ino_t)st->stx_ino;
	a->nanc++;
}

/* -1: not an ancestor; else its index in anc[]. */
static long anc_find(const struct audit *a, const struct statx *st)
{
	dev_t dev = makedev(st->stx_dev_major, st->stx_dev_minor);

	for (size_t i = 0; i < a->nanc; i++)
		if (a->anc[i].dev == dev && a->anc[i].ino == (ino_t)st->stx_ino)
			return (long)i;
	return -1;
}

/* --- reading metadata ------------------------------------------------------ */

static int sx(int dfd, const char *name, struct statx *st)
{
	return statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
	             (name[0] == '\0' ? AT_EMPTY_PATH : 0),
	             STATX_TYPE | STATX_MODE | STATX_UID | STATX_GID |
	             STATX_NLINK | STATX_INO, st);
}

static bool is_mount_root(const struct statx *st, const struct statx *parent)
{
	if (st->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
		return (st->stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
	return st->stx_dev_major != parent->stx_dev_major ||
	       st->stx_dev_minor != parent->stx_dev_minor;
}

/* An extended attribute of dfd/name without opening it or following a
 * symlink: getxattrat(2), or before Linux 6.13 the host's
 * /proc/self/fd/N/name (the magic link names our own descriptor; the last
 * component is not followed).  Returns the size, or -1 with errno. */
static ssize_t xattr_at(struct audit *a, int dfd, const char *name,
                        const char *attr, void *buf, size_t size)
{
	char proc[64 + NAME_MAX];

	if (a->have_getxattrat) {
		struct xattr_args_compat args = {
			.value = (uint64_t)(uintptr_t)buf, .size = (uint32_t)size,
		};
		long r = syscall(SYS_getxattrat, dfd, name, AT_SYMLINK_NOFOLLOW,
		                 attr, &args, sizeof(args));
		if (r >= 0 || errno != ENOSYS)
			return (ssize_t)r;
		a->have_getxattrat = false;
	}
	if (snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, name) >=
	    (int)sizeof(proc)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return lgetxattr(proc, attr, buf, size);
}

/* A missing attribute, or a filesystem without them, is "none". */
static bool xattr_absent(int e)
{
	return e == ENODATA || e == ENOTSUP;  /* EOPNOTSUPP is ENOTSUP */
}

/* --- the target user ------------------------------------------------------- */

static bool target_in_group(const struct audit_opts *o, gid_t g)
{
	if (g == o->gid)
		return true;
	for (size_t i = 0; i < o->ngroups; i++)
		if (o->groups[i] == g)
			return true;
	return false;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Whether an access ACL lets the target write, as the kernel decides it
 * (posix_acl_permission): owner, then a named-user entry, then the group
 * class (the owning group and named groups; any match with write wins),
 * then other.  Returns -1 if the ACL is malformed. */
static int acl_writable(const struct audit_opts *o, const struct statx *st,
                        const unsigned char *buf, size_t len)
{
	unsigned mask = 07, other = 0;
	bool group_matched = false, group_write = false;
	int user = -1;

	if (len < 4 || le32(buf) != ACL_XATTR_VERSION || (len - 4) % 8 != 0)
		return -1;
	for (size_t off = 4; off < len; off += 8) {
		unsigned tag = le16(buf + off), perm = le16(buf + off + 2);
		uint32_t id = le32(buf + off + 4);

		switch (tag) {
		case ACL_USER:
			if (id == o->uid)
				user = (int)perm;
			break;
		case ACL_GROUP_OBJ:
		case ACL_GROUP:
			if (target_in_group(o, tag == ACL_GROUP ? (gid_t)id
			                                        : (gid_t)st->stx_gid)) {
				group_matched = true;
				group_write = group_write || (perm & ACL_WRITE);
			}
			break;
		case ACL_MASK: mask = perm; break;
		case ACL_OTHER: other = perm; break;
		case ACL_USER_OBJ: break;
		default: return -1;
		}
	}
	if (user >= 0)
		return ((unsigned)user & mask & ACL_WRITE) != 0;
	if (group_matched)
		return group_write && (mask & ACL_WRITE);
	return (other & ACL_WRITE) != 0;
}

/* Why the target can write (or replace, by owning it) this entry; NULL if
 * it cannot.  ACL entries beyond the owner can only grant write when the
 * group bits (the ACL mask) show it, so the ACL is read only then. */
static const char *target_writes(struct audit *a, int dfd, const char *name,
                                 const struct statx *st)
{
	const struct audit_opts *o = a->o;

	if (st->stx_uid == o->uid)
		return "owned by the target user, who can make it writable";
	if (st->stx_mode & S_IWGRP) {
		unsigned char acl[8 * ACL_MAX_ENTRIES + 4];
		ssize_t n = xattr_at(a, dfd, name, "system.posix_acl_access", acl,
		                     sizeof(acl));
		if (n < 0 && !xattr_absent(errno)) {
			audit_error(a, errno, "reading its ACL");
			return NULL;
		}
		if (n > 0) {
			int w = acl_writable(o, st, acl, (size_t)n);
			if (w < 0) {
				audit_error(a, 0, "a malformed ACL");
				return NULL;
			}
			return w ? "an ACL lets the target user write it" : NULL;
		}
	}
	if (target_in_group(o, st->stx_gid))
		return (st->stx_mode & S_IWGRP) ?
		       "writable by its group, one of the target user's" : NULL;
	return (st->stx_mode & S_IWOTH) ? "writable by others" : NULL;
}

/* --- what matters ----------------------------------------------------------- */

static bool starts_lib(const char *s)
{
	return strncmp(s, "lib", 3) == 0;
}

/* Entries a privileged process in the root would trust: the account and
 * loader files, every library directory and all beneath it, and the
 * directories that hold them (whoever can write those can replace them). */
static bool matters(const char *rel)
{
	static const char *const exact[] = {
		"etc", "usr", "usr/local",
		"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow",
		"etc/nsswitch.conf", "etc/ld.so.preload", "etc/ld.so.conf",
		"etc/ld.so.cache", "etc/ld.so.conf.d",
	};

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(rel, exact[i]) == 0)
			return true;
	if (strncmp(rel, "etc/ld.so.conf.d/", 17) == 0)
		return true;
	if (strncmp(rel, "usr/local/", 10) == 0)
		return starts_lib(rel + 10);
	if (strncmp(rel, "usr/", 4) == 0)
		return starts_lib(rel + 4);
	return starts_lib(rel);
}

static void check_matters(struct audit *a, int dfd, const char *name,
                          const struct statx *st)
{
	unsigned m = st->stx_mode;

	if (S_ISLNK(m) || !matters(inside(a)))
		return;
	if (a->o->target_set) {
		const char *why = target_writes(a, dfd, name, st);
		if (why != NULL)
			finding(a, SEV_HAZARD, "writable", st, NULL, "%s (uid %u); "
			        "a privileged process in the root trusts it", why,
			        (unsigned)a->o->uid);
		return;
	}
	if (st->stx_uid != 0)
		finding(a, SEV_HAZARD, "writable", st, NULL, "owned by uid %u, "
		        "not root; a privileged process in the root trusts it",
		        (unsigned)st->stx_uid);
	else if (m & (S_IWGRP | S_IWOTH))
		finding(a, SEV_HAZARD, "writable", st, NULL, "writable by %s; a "
		        "privileged process in the root trusts it",
		        m & S_IWOTH ? "others" : "its group");
}

/* --- one entry ------------------------------------------------------------- */

static const char *nosuid_note(unsigned long mflags)
{
	return mflags & ST_NOSUID ? " (inert while its mount stays nosuid)" : "";
}

/* Capabilities as "net_raw,sys_admin=ep" (libcap's notation). */
static void caps_text(char *out, size_t size, uint64_t prm, uint64_t inh,
                      bool eff)
{
	size_t len = 0;
	uint64_t all = prm | inh;

	out[0] = '\0';
	for (unsigned c = 0; c < 64 && len < size; c++) {
		if (!(all & (UINT64_C(1) << c)))
			continue;
		const char *n = cap_name(c);
		int r = n ? snprintf(out + len, size - len, "%s%s", len ? "," : "", n)
		          : snprintf(out + len, size - len, "%s%u", len ? "," : "", c);
		if (r < 0)
			return;
		len += (size_t)r;
	}
	if (len < size)
		(void)snprintf(out + len, size - len, "=%s%s%s",
		               eff ? "e" : "", prm ? "p" : "", inh ? "i" : "");
}

static void check_file_caps(struct audit *a, int dfd, const char *name,
                            const struct statx *st, unsigned long mflags)
{
	unsigned char buf[XATTR_CAPS_SZ_3 + 16];
	char text[512];
	uint64_t prm, inh = 0;
	uint32_t magic;
	ssize_t n = xattr_at(a, dfd, name, "security.capability", buf, sizeof(buf));

	if (n < 0) {
		if (!xattr_absent(errno) && errno != ENOENT)
			audit_error(a, errno, "reading security.capability");
		return;
	}
	if (n < 8) {
		finding(a, SEV_HAZARD, "file-caps", st, NULL, "a malformed "
		        "security.capability attribute%s", nosuid_note(mflags));
		return;
	}
	magic = le32(buf);
	prm = le32(buf + 4);
	if (n >= 8 + 4)
		inh = le32(buf + 8);
	if ((magic & VFS_CAP_REVISION_MASK) != VFS_CAP_REVISION_1 && n >= 20) {
		prm |= (uint64_t)le32(buf + 12) << 32;
		inh |= (uint64_t)le32(buf + 16) << 32;
	}
	caps_text(text, sizeof(text), prm, inh, magic & VFS_CAP_FLAGS_EFFECTIVE);
	if ((magic & VFS_CAP_REVISION_MASK) == VFS_CAP_REVISION_3 &&
	    (size_t)n >= XATTR_CAPS_SZ_3)
		finding(a, SEV_HAZARD, "file-caps", st, NULL, "file capabilities "
		        "%s, for root uid %u of a user namespace%s", text,
		        (unsigned)le32(buf + 20), nosuid_note(mflags));
	else
		finding(a, SEV_HAZARD, "file-caps", st, NULL, "file capabilities "
		        "%s%s", text, nosuid_note(mflags));
}

static void check_file(struct audit *a, int dfd, const char *name,
                       const struct statx *st, unsigned long mflags)
{
	unsigned m = st->stx_mode;
	char links[64] = "";

	if (st->stx_nlink > 1)
		(void)snprintf(links, sizeof(links), ", %u hard links: another "
		               "may keep an old copy alive", (unsigned)st->stx_nlink);
	if (m & S_ISUID)
		finding(a, SEV_HAZARD, "setuid", st, NULL, "runs as uid %u, mode "
		        "%04o%s%s", (unsigned)st->stx_uid, m & 07777u, links,
		        nosuid_note(mflags));
	/* setgid without group execute marks mandatory locking, not
	 * privilege. */
	if ((m & S_ISGID) && (m & S_IXGRP))
		finding(a, SEV_HAZARD, "setgid", st, NULL, "runs as gid %u, mode "
		        "%04o%s%s", (unsigned)st->stx_gid, m & 07777u, links,
		        nosuid_note(mflags));
	if (m & S_IWOTH)
		finding(a, SEV_HAZARD, "world-writable", st, NULL, "a file anyone "
		        "can write, mode %04o", m & 07777u);
	check_file_caps(a, dfd, name, st, mflags);
}

/* Character devices that give nothing away: null, zero, full, random,
 * urandom, tty (one's own terminal) and ptmx (a new pty). */
static bool harmless_device(const struct statx *st)
{
	static const unsigned ok[][2] = {
		{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 }, { 5, 0 }, { 5, 2 },
	};

	if (!S_ISCHR(st->stx_mode))
		return false;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (st->stx_rdev_major == ok[i][0] && st->stx_rdev_minor == ok[i][1])
			return true;
	return false;
}

/* A symlink whose target leaves the tree when followed from outside it:
 * absolute, or climbing above DIR with "..".  Inside a chroot both resolve
 * within the root; a privileged tool working on the tree from the host
 * follows them out. */
static void check_symlink(struct audit *a, int dfd, const char *name,
                          const struct statx *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	long depth = 0;
	bool out = false;

	if (n < 0) {
		if (errno != ENOENT)
			audit_error(a, errno, "readlink");
		return;
	}
	target[n] = '\0';
	for (const char *r = inside(a); *r; r++)  /* the link's directory */
		depth += *r == '/';
	if (target[0] == '/') {
		finding(a, SEV_INFO, "symlink-out", st, target, "-> %s: absolute; "
		        "it points outside the tree for anyone following it from "
		        "the host", target);
		return;
	}
	for (const char *c = target; *c && !out;) {
		size_t len = strcspn(c, "/");
		if (len == 2 && c[0] == '.' && c[1] == '.')
			out = --depth < 0;
		else if (len > 0 && !(len == 1 && c[0] == '.'))
			depth++;
		c += len;
		c += *c == '/';
	}
	if (out)
		finding(a, SEV_INFO, "symlink-out", st, target, "-> %s: climbs "
		        "above the tree for anyone following it from the host",
		        target);
}

/* --- mounts ------------------------------------------------------------------ */

/* Filesystems made by the kernel, not files: not descended. */
static const char *pseudo_fs(long type)
{
	switch ((unsigned long)type) {
	case PROC_SUPER_MAGIC: return "proc";
	case SYSFS_MAGIC: return "sysfs";
	case DEVPTS_SUPER_MAGIC: return "devpts";
	case CGROUP_SUPER_MAGIC: return "cgroup";
	case CGROUP2_SUPER_MAGIC: return "cgroup2";
	case DEBUGFS_MAGIC: return "debugfs";
	case TRACEFS_MAGIC: return "tracefs";
	case SECURITYFS_MAGIC: return "securityfs";
	case BPF_FS_MAGIC: return "bpf";
	case PSTOREFS_MAGIC: return "pstore";
	case EFIVARFS_MAGIC: return "efivarfs";
	case SELINUX_MAGIC: return "selinuxfs";
	case SMACK_MAGIC: return "smackfs";
	case BINFMTFS_MAGIC: return "binfmt_misc";
	case 0x62656570: return "configfs";
	case 0x65735543: return "fusectl";
	default: return NULL;
	}
}

/* Names for the filesystem types one meets in a root; others in hex. */
static const char *fs_name(long type)
{
	switch ((unsigned long)type) {
	case TMPFS_MAGIC: return "tmpfs";
	case EXT4_SUPER_MAGIC: return "ext2/3/4";
	case XFS_SUPER_MAGIC: return "xfs";
	case BTRFS_SUPER_MAGIC: return "btrfs";
	case OVERLAYFS_SUPER_MAGIC: return "overlay";
	case SQUASHFS_MAGIC: return "squashfs";
	case RAMFS_MAGIC: return "ramfs";
	case NFS_SUPER_MAGIC: return "nfs";
	case 0x65735546: return "fuse";
	default: return NULL;
	}
}

/* A mount point at the current path, dfd its open root.  Returns whether
 * to descend; *mflags becomes the mount's flags. */
static bool check_mount(struct audit *a, int fd, const struct statx *st,
                        unsigned long *mflags)
{
	struct statfs sf;
	const char *pseudo;

	if (fstatfs(fd, &sf) < 0) {
		audit_error(a, errno, "fstatfs");
		return false;
	}
	*mflags = (unsigned long)sf.f_flags;
	pseudo = pseudo_fs((long)sf.f_type);
	if (pseudo != NULL && strcmp(pseudo, "proc") == 0)
		finding(a, SEV_INFO, "proc", st, NULL, "proc is mounted here: the "
		        "magic links in /proc/PID/root, cwd and fd lead out of a "
		        "chroot (Landlock, on by default, confines them); not "
		        "descended");
	else if (pseudo != NULL && strcmp(pseudo, "sysfs") == 0)
		finding(a, SEV_INFO, "sysfs", st, NULL, "sysfs is mounted here: "
		        "the kernel's view of the host (Landlock, on by default, "
		        "confines access); not descended");
	else if (pseudo != NULL)
		finding(a, SEV_INFO, "mount", st, NULL, "%s is mounted here; not "
		        "descended", pseudo);
	else if (fs_name((long)sf.f_type) != NULL)
		finding(a, SEV_INFO, "mount", st, NULL, "a mount point (%s%s%s); "
		        "descended", fs_name((long)sf.f_type),
		        *mflags & ST_NOSUID ? ", nosuid" : "",
		        *mflags & ST_NODEV ? ", nodev" : "");
	else
		finding(a, SEV_INFO, "mount", st, NULL, "a mount point (filesystem "
		        "type %#lx%s%s); descended", (unsigned long)sf.f_type,
		        *mflags & ST_NOSUID ? ", nosuid" : "",
		        *mflags & ST_NODEV ? ", nodev" : "");
	return pseudo == NULL;
}

/* --- the walk ------------------------------------------------------------------ */

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in a directory, sorted (so two audits of one tree compare
 * line by line), in one allocation: a pointer array, then the strings. */
static char **read_names(struct audit *a, DIR *d, size_t *count)
{
	char *buf = NULL, **v;
	size_t used = 0, size = 0, n = 0;

	for (;;) {
		struct dirent *e;

		errno = 0;
		e = readdir(d);
		if (e == NULL)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t l = strlen(e->d_name) + 1;
		if (used + l > size) {
			size = (used + l) * 2 + 4096;
			char *p = realloc(buf, size);
			if (p == NULL)
				err(EXIT_CHDROP, "realloc");
			buf = p;
		}
		memcpy(buf + used, e->d_name, l);
		used += l;
		n++;
	}
	if (errno != 0)
		audit_error(a, errno, "readdir");
	v = malloc((n + 1) * sizeof(char *) + used);
	if (v == NULL)
		err(EXIT_CHDROP, "malloc");
	if (used > 0)
		memcpy(v + n + 1, buf, used);
	free(buf);
	char *s = (char *)(v + n + 1);
	for (size_t i = 0; i < n; i++) {
		v[i] = s;
		s += strlen(s) + 1;
	}
	v[n] = NULL;
	qsort(v, n, sizeof(char *), cmp_name);
	*count = n;
	return v;
}

static void walk(struct audit *a, int dfd, const struct statx *dst,
                 unsigned depth, unsigned long mflags);

/* A directory, for reading, without following a symlink or (where we may:
 * root, or the owner) touching its access time. */
static int open_dir_at(struct audit *a, int dfd, const char *name)
{
	int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC |
	            O_NOCTTY | O_NONBLOCK;
	int fd = openat(dfd, name, flags | (a->noatime ? O_NOATIME : 0));

	if (fd < 0 && errno == EPERM && a->noatime) {
		a->noatime = false;
		fd = openat(dfd, name, flags);
	}
	return fd;
}

/* A subdirectory: look at it, then (mounts and loops allowing) go in.
 * walk -> check_entry -> enter_dir -> walk recurses once per level, bounded
 * by AUDIT_MAX_DEPTH.  NOLINTNEXTLINE(misc-no-recursion) */
static void enter_dir(struct audit *a, int dfd, const char *name,
                      const struct statx *st, const struct statx *parent,
                      unsigned depth, unsigned long mflags)
{
	struct statx now;
	long anc = anc_find(a, st);
	int fd;

	if ((st->stx_mode & S_IWOTH) && !(st->stx_mode & S_ISVTX))
		finding(a, SEV_HAZARD, "world-writable", st, NULL, "a directory "
		        "anyone can write, without the sticky bit: anyone can "
		        "replace what is in it");
	if (anc >= 0 && (size_t)anc < a->outside) {
		finding(a, SEV_HAZARD, "outside-mount", st, NULL, "a directory "
		        "that contains the whole tree is mounted here: a way out; "
		        "not descended");
		return;
	}
	if (anc >= 0) {
		finding(a, SEV_INFO, "loop", st, NULL, "the same directory as one "
		        "above it (a bind mount); not descended");
		return;
	}
	if (depth >= AUDIT_MAX_DEPTH) {
		audit_error(a, 0, "more than " STR(AUDIT_MAX_DEPTH)
		            " levels deep, not audited");
		return;
	}
	fd = open_dir_at(a, dfd, name);
	if (fd < 0) {
		if (errno != ENOENT)
			audit_error(a, errno, "open");
		return;
	}
	/* What we opened must be what we looked at. */
	if (sx(fd, "", &now) < 0) {
		audit_error(a, errno, "statx");
		close(fd);
		return;
	}
	if (now.stx_ino != st->stx_ino || now.stx_dev_major != st->stx_dev_major ||
	    now.stx_dev_minor != st->stx_dev_minor) {
		audit_error(a, 0, "replaced during the audit");
		close(fd);
		return;
	}
	if (is_mount_root(st, parent) && !check_mount(a, fd, st, &mflags)) {
		close(fd);
		return;
	}
	walk(a, fd, st, depth, mflags);  /* walk closes fd */
}

/* NOLINTNEXTLINE(misc-no-recursion): see enter_dir */
static void check_entry(struct audit *a, int dfd, const char *name,
                        const struct statx *parent, unsigned depth,
                        unsigned long mflags)
{
	struct statx st;
	unsigned m;

	if (sx(dfd, name, &st) < 0) {
		if (errno != ENOENT)  /* gone since readdir: nothing to report */
			audit_error(a, errno, "statx");
		return;
	}
	m = st.stx_mode;
	check_matters(a, dfd, name, &st);
	switch (m & S_IFMT) {
	case S_IFDIR:
		enter_dir(a, dfd, name, &st, parent, depth + 1, mflags);
		return;
	case S_IFREG:
		check_file(a, dfd, name, &st, mflags);
		break;
	case S_IFLNK:
		check_symlink(a, dfd, name, &st);
		return;
	case S_IFCHR:
	case S_IFBLK:
		if (!harmless_device(&st))
			finding(a, SEV_HAZARD, "device", &st, NULL, "%s device %u:%u, mode %04o%s",
			        S_ISCHR(m) ? "character" : "block",
			        st.stx_rdev_major, st.stx_rdev_minor, m & 07777u,
			        mflags & ST_NODEV ? " (inert while its mount stays "
			        "nodev)" : "");
		break;
	case S_IFSOCK:
		finding(a, SEV_INFO, "socket", &st, NULL, "a unix socket: whatever "
		        "listens on it is reachable from inside the root");
		break;
	default:
		break;
	}
	if (is_mount_root(&st, parent))
		finding(a, SEV_INFO, "mount", &st, NULL, "a %s mounted here",
		        type_name(m));
}

/* NOLINTNEXTLINE(misc-no-recursion): see enter_dir */
static void walk(struct audit *a, int fd, const struct statx *dst,
                 unsigned depth, unsigned long mflags)
{
	DIR *d = fdopendir(fd);
	char **names;
	size_t n, saved;

	if (d == NULL) {
		audit_error(a, errno, "fdopendir");
		close(fd);
		return;
	}
	anc_push(a, dst);
	names = read_names(a, d, &n);
	for (size_t i = 0; i < n; i++) {
		path_push(a, names[i], &saved);
		check_entry(a, dirfd(d), names[i], dst, depth, mflags);
		path_pop(a, saved);
	}
	free(names);
	a->nanc--;
	closedir(d);
}

/* --- the path to DIR ------------------------------------------------------ */

/* The --root rule, for one component: root-owned, not writable by group or
 * others. */
static void check_component(struct audit *a, const struct statx *st)
{
	unsigned m = st->stx_mode;

	if (st->stx_uid != 0 && (m & (S_IWGRP | S_IWOTH)))
		finding(a, SEV_HAZARD, "path-component", st, NULL, "owned by uid %u, "
		        "not root, and writable by %s: --root refuses it",
		        (unsigned)st->stx_uid, m & S_IWOTH ? "others" : "its group");
	else if (st->stx_uid != 0)
		finding(a, SEV_HAZARD, "path-component", st, NULL, "owned by uid %u, "
		        "not root: --root refuses it", (unsigned)st->stx_uid);
	else if (m & (S_IWGRP | S_IWOTH))
		finding(a, SEV_HAZARD, "path-component", st, NULL, "writable by %s: "
		        "--root refuses it", m & S_IWOTH ? "others" : "its group");
}

/* Walk from "/" to DIR as --root does.  Returns DIR open for reading, or
 * -1 having reported why (a symlink is a hazard: return 1; anything else
 * an error: 125) in *status. */
static int open_dir(struct audit *a, const char *dir, struct statx *st,
                    int *status)
{
	char *copy, *save = NULL, *comp;
	int fd, next;

	*status = EXIT_CHDROP;
	if (dir[0] != '/') {
		warnx("--audit=%s: must be an absolute path", dir);
		return -1;
	}
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || sx(fd, "", st) < 0) {
		warn("--audit: /");
		return -1;
	}
	check_component(a, st);
	anc_push(a, st);
	copy = strdup(dir);
	if (copy == NULL)
		err(EXIT_CHDROP, "strdup");
	for (comp = strtok_r(copy, "/", &save); comp != NULL;
	     comp = strtok_r(NULL, "/", &save)) {
		size_t saved;

		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			warnx("--audit=%s: '..' is not allowed", dir);
			goto fail;
		}
		path_push(a, comp, &saved);
		if (sx(fd, comp, st) < 0) {
			warn("--audit: %s", a->path);
			goto fail;
		}
		if (S_ISLNK(st->stx_mode)) {
			finding(a, SEV_HAZARD, "path-symlink", st, NULL, "a symlink: "
			        "--root refuses it, and the audit does not follow it");
			*status = 1;
			goto fail;
		}
		if (!S_ISDIR(st->stx_mode)) {
			warnx("--audit: %s: not a directory", a->path);
			goto fail;
		}
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			warn("--audit: %s", a->path);
			goto fail;
		}
		close(fd);
		fd = next;
		if (sx(fd, "", st) < 0) {
			warn("--audit: %s", a->path);
			goto fail;
		}
		check_component(a, st);
		anc_push(a, st);
	}
	free(copy);
	/* DIR is walked as a descendant, not an ancestor. */
	a->nanc--;
	a->outside = a->nanc;
	a->base = a->len;
	next = open_dir_at(a, fd, ".");
	if (next < 0)
		warn("--audit: %s", display_path(a));
	close(fd);
	return next;
fail:
	free(copy);
	close(fd);
	return -1;
}

int audit_root(const char *dir, const struct audit_opts *o)
{
	struct audit a = { .o = o, .have_getxattrat = true, .noatime = true };
	struct statx st;
	int status, fd;

	if (o->target_set && o->uid == 0) {
		warnx("--audit: the target user is root, who can leave any "
		      "chroot: nothing to judge");
		return EXIT_CHDROP;
	}
	a.size = 256;
	a.path = malloc(a.size);
	if (a.path == NULL)
		err(EXIT_CHDROP, "malloc");
	a.path[0] = '\0';
	fd = open_dir(&a, dir, &st, &status);
	if (fd >= 0) {
		struct statfs sf;
		unsigned long mflags = 0;

		if (fstatfs(fd, &sf) == 0)
			mflags = (unsigned long)sf.f_flags;
		else
			audit_error(&a, errno, "fstatfs");
		walk(&a, fd, &st, 0, mflags);
		status = a.errors ? EXIT_CHDROP : a.hazards ? 1 : 0;
	}
	free(a.path);
	free(a.anc);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("--audit: standard output");
		return EXIT_CHDROP;
	}
	return status;
}
