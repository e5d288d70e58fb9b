/* SPDX-License-Identifier: ISC */
/* chdrop --audit=DIR — look through a root directory for ways out.
 *
 * Read only.  The path to DIR is walked the way --root walks it, one
 * component at a time, and held to the same rule; then DIR is read
 * through a private, detached, read-only and noatime copy of its mount
 * tree (private_view), so not even an access time changes.  Entries are
 * examined with statx(2), readlinkat(2) and extended-attribute reads
 * relative to a descriptor of their directory, never following a symlink;
 * only directories are opened (O_NOFOLLOW, and checked against what statx
 * saw), and of files only the loader's configuration and a chdrop-root
 * manifest, found first as O_PATH and read only if regular.  Nothing from the tree is executed or
 * loaded.
 *
 * What counts (see the man page, --audit): setuid/setgid and capability
 * files, device nodes other than the harmless few, world-writable files
 * and directories without the sticky bit, path components that fail the
 * --root rule, etc/ld.so.preload by its presence, sockets of services
 * that act for root, stale and altered copies of a chdrop-root manifest,
 * and — trust being a property of paths — everything a
 * privileged process in the root trusts (programs, libraries, loader, NSS,
 * PAM and account files) that the feared writer can change, together
 * with every directory above it and every directory a trusted symlink or
 * the loader's configuration leads through, resolved as inside the root.
 * The feared writer: the -u target (groups, ACLs), or anyone but root, or
 * under --userns anyone but root and you.
 * Informational: symlinks whose target leaves the tree when followed from
 * outside it, mount points (with ro, noexec, nosuid, nodev), /proc and
 * /sys, other sockets.
 *
 * Result: one line per finding on stdout, every name escaped (as on
 * stderr); exit 1 if any is a hazard, 0 if none, 125 if the audit could
 * not be completed (findings printed so far stand, but an incomplete
 * audit never reads as clean).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <linux/capability.h>
#ifndef MOUNT_ATTR_RDONLY    /* a C library without the new mount API */
#include <linux/mount.h>
#endif
#include <linux/magic.h>
#include <linux/openat2.h>
#ifndef STATX_TYPE          /* a C library without statx(): musl 1.2.3 */
#include <linux/stat.h>
#define statx(dfd, name, flags, mask, st) \
	((int)syscall(SYS_statx, (dfd), (name), (flags), (mask), (st)))
#endif


#include "launcher.h"
#include "manifest.h"

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
struct level;

struct audit {
	const struct audit_opts *o;
	char *path;            /* host path of the entry being looked at */
	size_t len, size;
	size_t base;           /* strlen of DIR's path: path + base is inside */
	struct devino *anc;    /* directories from host "/" down to here */
	size_t nanc, outside;  /* anc[0 .. outside-1] lie above DIR */
	unsigned long hazards, errors;
	char *ebuf;            /* esc()'s */
	size_t esize;
	struct devino *seen;   /* reported writable, or walked as trusted */
	size_t nseen;
	struct level *lv;      /* directories below DIR down to here */
	size_t nlv;
	int rootfd;            /* DIR, O_PATH: where paths inside resolve (the
	                          private view of it, when there is one) */
	int origfd;            /* DIR itself, O_PATH: its mounts' own flags */
	unsigned nlinks;       /* symlinks followed for one trusted path */
	unsigned nfollow;      /* trusted paths being followed, nested */
	bool have_getxattrat;
	bool noatime;          /* O_NOATIME allowed (root, or owner) */
};

/* --- output ------------------------------------------------------------- */

/* A name escaped for text output and for stderr (escape_text), in a buffer
 * of the audit's own: valid until the next call. */
static const char *esc(struct audit *a, const char *s)
{
	size_t need = 6 * strlen(s) + 1;  /* enough for escape_json too */

	if (need > a->esize) {
		char *p = realloc(a->ebuf, need);
		if (p == NULL)
			err(EXIT_CHDROP, "realloc");
		a->ebuf = p;
		a->esize = need;
	}
	escape_text(a->ebuf, s);
	return a->ebuf;
}

/* A JSON string.  A byte that is not UTF-8 becomes U+FFFD; when that
 * happens the exact bytes follow in hex under KEY_hex. */
static void put_json_field(struct audit *a, const char *key, const char *val)
{
	bool lossy;

	(void)esc(a, val);  /* sizes the buffer */
	escape_json(a->ebuf, val, &lossy);
	printf(",\"%s\":\"%s\"", key, a->ebuf);
	if (lossy) {
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
	else if (a->o->hazards_only)
		return;
	if (a->o->format == AUDIT_TEXT) {
		printf("%s %s %s: ", sevname, kind, esc(a, display_path(a)));
		printf("%s\n", esc(a, detail));
		return;
	}
	printf("{\"severity\":\"%s\",\"kind\":\"%s\"", sevname, kind);
	put_json_field(a, "path", display_path(a));
	printf(",\"type\":\"%s\",\"mode\":\"%04o\",\"uid\":%u,\"gid\":%u",
	       type_name(st->stx_mode), st->stx_mode & 07777u,
	       (unsigned)st->stx_uid, (unsigned)st->stx_gid);
	if (target != NULL)
		put_json_field(a, "target", target);
	put_json_field(a, "detail", detail);
	fputs("}\n", stdout);
}

/* Something that stops part of the audit: counted, so the result is 125.
 * e: the errno, or 0 when what says it all. */
static void audit_error(struct audit *a, int e, const char *what)
{
	a->errors++;
	if (e == 0)
		warnx("audit: %s: %s", esc(a, display_path(a)), what);
	else
		warnx("audit: %s: %s: %s", esc(a, display_path(a)), what,
		      strerror(e));
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

static void anc_add(struct devino **v, size_t *n, const struct statx *st)
{
	if (*n % 64 == 0) {
		struct devino *p = reallocarray(*v, *n + 64, sizeof(*p));
		if (p == NULL)
			err(EXIT_CHDROP, "reallocarray");
		*v = p;
	}
	(*v)[*n].dev = makedev(st->stx_dev_major, st->stx_dev_minor);
	(*v)[*n].ino = (ino_t)st->stx_ino;
	(*n)++;
}

/* -1: not in v; else its index. */
static long devino_find(const struct devino *v, size_t n, const struct statx *st)
{
	dev_t dev = makedev(st->stx_dev_major, st->stx_dev_minor);

	for (size_t i = 0; i < n; i++)
		if (v[i].dev == dev && v[i].ino == (ino_t)st->stx_ino)
			return (long)i;
	return -1;
}

static void anc_push(struct audit *a, const struct statx *st)
{
	anc_add(&a->anc, &a->nanc, st);
}

static long anc_find(const struct audit *a, const struct statx *st)
{
	return devino_find(a->anc, a->nanc, st);
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

/* --- who may write ----------------------------------------------------------- */

/* Without -u, and under --userns, the audit trusts root (and "you"). */
static bool trusted_uid(const struct audit_opts *o, uint32_t uid)
{
	return uid == 0 || (o->userns && uid == o->uid);
}

/* Without a target (or under --userns): who other than the trusted can
 * write, by an access ACL's entries (the mask limits all but the owner
 * and other).  NULL if nobody; -1 in *bad if the ACL is malformed. */
static const char *acl_others(const struct audit_opts *o, const unsigned char *buf,
                              size_t len, char *out, size_t size, bool *bad)
{
	unsigned mask = 07;

	*bad = len < 4 || le32(buf) != ACL_XATTR_VERSION || (len - 4) % 8 != 0;
	if (*bad)
		return NULL;
	for (size_t off = 4; off < len; off += 8)
		if (le16(buf + off) == ACL_MASK)
			mask = le16(buf + off + 2);
	for (size_t off = 4; off < len; off += 8) {
		unsigned tag = le16(buf + off), perm = le16(buf + off + 2);
		uint32_t id = le32(buf + off + 4);

		if (!(perm & ACL_WRITE))
			continue;
		if (tag == ACL_USER && (mask & ACL_WRITE) && !trusted_uid(o, id)) {
			(void)snprintf(out, size, "an ACL lets uid %u write it", id);
			return out;
		}
		if ((tag == ACL_GROUP || tag == ACL_GROUP_OBJ) && (mask & ACL_WRITE))
			return "writable by a group through its ACL";
		if (tag == ACL_OTHER)
			return "writable by others";
		if (tag > ACL_OTHER || tag == 0 || (tag & (tag - 1)) != 0) {
			*bad = true;
			return NULL;
		}
	}
	return NULL;
}

/* Why someone the audit does not trust can change this entry — write it,
 * or, owning it, make it writable; NULL if nobody can.  With -u that is
 * the target user (its groups, ACL entries); without, anyone but root;
 * under --userns anyone but root and you.  *by_owner: the reason is
 * ownership (which a sticky directory does not stop). */
static const char *who_writes(struct audit *a, int dfd, const char *name,
                              const struct statx *st, char *buf, size_t size,
                              bool *by_owner)
{
	const struct audit_opts *o = a->o;
	unsigned char acl[8 * ACL_MAX_ENTRIES + 4];
	ssize_t n = 0;
	bool bad = false;

	*by_owner = false;
	if (o->target_set && !o->userns) {
		*by_owner = st->stx_uid == o->uid;
		return target_writes(a, dfd, name, st);
	}
	if (!trusted_uid(o, st->stx_uid)) {
		*by_owner = true;
		(void)snprintf(buf, size, "owned by uid %u, not root%s",
		               (unsigned)st->stx_uid, o->userns ? " or you" : "");
		return buf;
	}
	if (st->stx_mode & S_IWGRP) {
		n = xattr_at(a, dfd, name, "system.posix_acl_access", acl, sizeof(acl));
		if (n < 0 && !xattr_absent(errno)) {
			audit_error(a, errno, "reading its ACL");
			return NULL;
		}
	}
	if (n > 0) {
		const char *why = acl_others(o, acl, (size_t)n, buf, size, &bad);
		if (bad)
			audit_error(a, 0, "a malformed ACL");
		return why;
	}
	if (st->stx_mode & S_IWOTH)
		return "writable by others";
	if (st->stx_mode & S_IWGRP)
		return "writable by its group";
	return NULL;
}

/* --- what a privileged process trusts ---------------------------------------- */

static bool starts_lib(const char *s)
{
	return strncmp(s, "lib", 3) == 0;
}

static bool under(const char *rel, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(rel, dir, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

/* The first component of rel (after prefix, which it starts with). */
static bool first_is_lib(const char *rel, size_t prefix)
{
	return strlen(rel) > prefix && starts_lib(rel + prefix);
}

/* Whether rel (a path inside the root, no leading slash) is, or lies in,
 * a place whose every entry a privileged process trusts: the program
 * directories, every library directory, and the loader's, NSS's, PAM's
 * and sudo's configuration.  (Trust of what a program is, wherever it
 * lies, is judged by check_trusted: a program owned by root.) */
static bool trusted_place(const char *rel)
{
	static const char *const trees[] = {
		"bin", "sbin", "usr/bin", "usr/sbin", "usr/libexec",
		"usr/local/bin", "usr/local/sbin", "usr/local/libexec",
		"etc/ld.so.conf.d", "etc/pam.d", "etc/security", "etc/sudoers.d",
	};
	static const char *const files[] = {
		"etc/passwd", "etc/group", "etc/shadow", "etc/gshadow",
		"etc/nsswitch.conf", "etc/ld.so.preload", "etc/ld.so.conf",
		"etc/ld.so.cache", "etc/pam.conf", "etc/sudoers",
	};

	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		if (under(rel, trees[i]))
			return true;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (strcmp(rel, files[i]) == 0)
			return true;
	if (under(rel, "usr/local"))
		return first_is_lib(rel, 10);
	if (under(rel, "usr"))
		return first_is_lib(rel, 4);
	return first_is_lib(rel, 0);
}

/* A directory on the way to what is trusted: one per level below DIR. */
struct level {
	size_t len;            /* a->path's length at this directory */
	struct statx st;
	bool writable, by_owner, reported;
	char why[160];
};

static void mark_seen(struct audit *a, const struct statx *st)
{
	anc_add(&a->seen, &a->nseen, st);
}

static bool seen(const struct audit *a, const struct statx *st)
{
	return devino_find(a->seen, a->nseen, st) >= 0;
}

/* Someone untrusted can change a directory above a trusted entry (or one
 * a trusted symlink passes through): a hazard on that directory, once.
 * A sticky directory stops them replacing what they do not own. */
static void report_levels(struct audit *a, const struct statx *child,
                          const char *what)
{
	size_t saved = a->len;

	for (size_t i = 0; i < a->nlv; i++) {
		struct level *l = &a->lv[i];
		const struct statx *below = i + 1 < a->nlv ? &a->lv[i + 1].st : child;

		if (!l->writable || l->reported || seen(a, &l->st))
			continue;
		if ((l->st.stx_mode & S_ISVTX) && !l->by_owner &&
		    trusted_uid(a->o, below->stx_uid) &&
		    (!a->o->target_set || below->stx_uid != a->o->uid))
			continue;
		l->reported = true;
		mark_seen(a, &l->st);
		a->len = l->len;
		a->path[a->len] = '\0';
		finding(a, SEV_HAZARD, "writable", &l->st, NULL, "%s; it holds %s, "
		        "which a privileged process in the root trusts", l->why,
		        what);
	}
	a->len = saved;
	a->path[a->len] = '\0';
}

/* The current entry is trusted: judge it, and every directory above it. */
static void judge_trusted(struct audit *a, int dfd, const char *name,
                          const struct statx *st, const char *what)
{
	if (!S_ISLNK(st->stx_mode) && !seen(a, st)) {
		char buf[160];
		bool by_owner;
		const char *why = who_writes(a, dfd, name, st, buf, sizeof(buf),
		                             &by_owner);
		if (why != NULL) {
			mark_seen(a, st);
			if (a->o->target_set && !a->o->userns)
				finding(a, SEV_HAZARD, "writable", st, NULL, "%s (uid %u); "
				        "a privileged process in the root trusts it", why,
				        (unsigned)a->o->uid);
			else
				finding(a, SEV_HAZARD, "writable", st, NULL, "%s; a "
				        "privileged process in the root trusts it", why);
		}
	}
	report_levels(a, st, what);
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
	if ((m & S_IWOTH) && !seen(a, st))  /* else reported as writable */
		finding(a, SEV_HAZARD, "world-writable", st, NULL, "a file anyone "
		        "can write, mode %04o", m & 07777u);
	check_file_caps(a, dfd, name, st, mflags);
}

/* Unix sockets that lead to a service which acts for root on request: a
 * container engine (it starts a container with the host's / mounted), the
 * system D-Bus and systemd's private socket (they start, stop and replace
 * services), the journal's stdout socket (log lines under any name and
 * priority).  A socket is rated by where its peer is: the same inode as
 * one of these host paths (a bind mount or hard link of the host's
 * socket), or a name that only such a service uses. */
static const struct {
	const char *host;       /* where the service listens on a host */
	const char *name;       /* the end of the path it has in any tree */
	const char *what;
} powerful_sockets[] = {
	{ "/run/docker.sock", "/docker.sock", "the Docker engine's API (it runs containers as root)" },
	{ "/run/containerd/containerd.sock", "/containerd.sock", "containerd's API (it runs containers as root)" },
	{ "/run/podman/podman.sock", "/podman.sock", "Podman's API (it runs containers as root)" },
	{ "/run/crio/crio.sock", "/crio.sock", "CRI-O's API (it runs containers as root)" },
	{ "/run/libvirt/libvirt-sock", "/libvirt-sock", "libvirt's API (it runs virtual machines as root)" },
	{ "/run/snapd.socket", "/snapd.socket", "snapd's API (it installs software as root)" },
	{ "/run/dbus/system_bus_socket", "/system_bus_socket", "the system D-Bus (root's services take requests there)" },
	{ "/run/systemd/private", "/systemd/private", "systemd's private socket (it starts and stops services)" },
	{ "/run/systemd/journal/stdout", "/journal/stdout", "the journal's stdout socket (log lines under any name and priority)" },
};
#define NPOWERFUL (sizeof(powerful_sockets) / sizeof(powerful_sockets[0]))

static void check_socket(struct audit *a, const struct statx *st)
{
	size_t len = strlen(a->path);

	for (size_t i = 0; i < NPOWERFUL; i++) {
		struct statx h;

		if (statx(AT_FDCWD, powerful_sockets[i].host, 0, STATX_INO | STATX_TYPE,
		          &h) == 0 && S_ISSOCK(h.stx_mode) && h.stx_ino == st->stx_ino &&
		    h.stx_dev_major == st->stx_dev_major &&
		    h.stx_dev_minor == st->stx_dev_minor) {
			finding(a, SEV_HAZARD, "socket", st, NULL, "the host's %s: %s",
			        powerful_sockets[i].host, powerful_sockets[i].what);
			return;
		}
	}
	for (size_t i = 0; i < NPOWERFUL; i++) {
		size_t n = strlen(powerful_sockets[i].name);

		if (len >= n && strcmp(a->path + len - n, powerful_sockets[i].name) == 0) {
			finding(a, SEV_HAZARD, "socket", st, NULL, "by its name, %s",
			        powerful_sockets[i].what);
			return;
		}
	}
	finding(a, SEV_INFO, "socket", st, NULL, "a unix socket: whatever "
	        "listens on it is reachable from inside the root");
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
	if (a->rootfd != a->origfd) {
		/* The view is read-only by our doing: "ro" is the real mount's. */
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			           RESOLVE_NO_MAGICLINKS,
		};
		struct statfs real;
		int rfd = (int)syscall(SYS_openat2, a->origfd, inside(a), &how,
		                       sizeof(how));

		*mflags &= ~(unsigned long)ST_RDONLY;
		if (rfd >= 0 && fstatfs(rfd, &real) == 0)
			*mflags |= (unsigned long)real.f_flags & ST_RDONLY;
		if (rfd >= 0)
			close(rfd);
	}
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
	else {
		char type[32];
		const char *name = fs_name((long)sf.f_type);

		if (name == NULL)
			(void)snprintf(type, sizeof(type), "filesystem type %#lx",
			               (unsigned long)sf.f_type);
		finding(a, SEV_INFO, "mount", st, NULL, "a mount point (%s%s%s%s%s); "
		        "descended", name != NULL ? name : type,
		        *mflags & ST_RDONLY ? ", ro" : "",
		        *mflags & ST_NOEXEC ? ", noexec" : "",
		        *mflags & ST_NOSUID ? ", nosuid" : "",
		        *mflags & ST_NODEV ? ", nodev" : "");
	}
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

/* How a directory is walked: the whole audit, or (a directory a trusted
 * symlink leads to) only who may write what is in it. */
struct walkctx {
	unsigned depth;
	unsigned long mflags;   /* of the mount it lies on */
	bool trusted;           /* everything beneath is trusted */
	bool judge_only;        /* only trust: the rest was reported where it lies */
};

static void walk(struct audit *a, int fd, const struct statx *dst,
                 const struct walkctx *c, const struct level *self);
static void follow_trusted(struct audit *a, const char *from, const char *path,
                           const char *via);
static void conf_glob(struct audit *a, const char *dir, const char *pat,
                      unsigned depth);

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

/* Open dfd/name as a directory and check it is what statx saw. */
static int open_checked(struct audit *a, int dfd, const char *name,
                        const struct statx *st)
{
	struct statx now;
	int fd = open_dir_at(a, dfd, name);

	if (fd < 0) {
		if (errno != ENOENT)
			audit_error(a, errno, "open");
		return -1;
	}
	if (sx(fd, "", &now) < 0) {
		audit_error(a, errno, "statx");
		close(fd);
		return -1;
	}
	if (now.stx_ino != st->stx_ino || now.stx_dev_major != st->stx_dev_major ||
	    now.stx_dev_minor != st->stx_dev_minor) {
		audit_error(a, 0, "replaced during the audit");
		close(fd);
		return -1;
	}
	return fd;
}

/* A subdirectory: look at it, then (mounts and loops allowing) go in.
 * walk -> check_entry -> enter_dir -> walk recurses once per level, bounded
 * by AUDIT_MAX_DEPTH.  NOLINTNEXTLINE(misc-no-recursion) */
static void enter_dir(struct audit *a, int dfd, const char *name,
                      const struct statx *st, const struct statx *parent,
                      const struct walkctx *pc)
{
	struct walkctx c = *pc;
	struct level self = { .len = a->len, .st = *st };
	long anc = anc_find(a, st);
	const char *why;
	int fd;

	c.depth++;
	if (!c.judge_only && (st->stx_mode & S_IWOTH) && !(st->stx_mode & S_ISVTX))
		finding(a, SEV_HAZARD, "world-writable", st, NULL, "a directory "
		        "anyone can write, without the sticky bit: anyone can "
		        "replace what is in it");
	if (anc >= 0 && (size_t)anc < a->outside) {
		if (!c.judge_only)
			finding(a, SEV_HAZARD, "outside-mount", st, NULL, "a directory "
			        "that contains the whole tree is mounted here: a way "
			        "out; not descended");
		return;
	}
	if (anc >= 0) {
		if (!c.judge_only)
			finding(a, SEV_INFO, "loop", st, NULL, "the same directory as "
			        "one above it (a bind mount); not descended");
		return;
	}
	if (c.judge_only && seen(a, st))
		return;
	if (c.depth >= AUDIT_MAX_DEPTH) {
		audit_error(a, 0, "more than " STR(AUDIT_MAX_DEPTH)
		            " levels deep, not audited");
		return;
	}
	fd = open_checked(a, dfd, name, st);
	if (fd < 0)
		return;
	if (is_mount_root(st, parent) && !c.judge_only &&
	    !check_mount(a, fd, st, &c.mflags)) {
		close(fd);
		return;
	}
	why = who_writes(a, dfd, name, st, self.why, sizeof(self.why),
	                 &self.by_owner);
	if (why != NULL) {
		self.writable = true;
		if (why != self.why)
			(void)snprintf(self.why, sizeof(self.why), "%s", why);
	}
	walk(a, fd, st, &c, &self);  /* walk closes fd */
}

/* A program root installed: a regular file owned by root with an execute
 * bit.  Whoever runs it trusts it, wherever it lies. */
static bool root_program(const struct statx *st)
{
	return S_ISREG(st->stx_mode) && st->stx_uid == 0 &&
	       (st->stx_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

/* NOLINTNEXTLINE(misc-no-recursion): see enter_dir */
static void check_entry(struct audit *a, int dfd, const char *name,
                        const struct statx *parent, const struct walkctx *c)
{
	struct statx st;
	unsigned m;
	bool trusted;

	if (sx(dfd, name, &st) < 0) {
		if (errno != ENOENT)  /* gone since readdir: nothing to report */
			audit_error(a, errno, "statx");
		return;
	}
	m = st.stx_mode;
	trusted = c->trusted || trusted_place(inside(a));
	if (trusted || root_program(&st)) {
		char *what;
		if (asprintf(&what, "/%s", inside(a)) < 0)
			err(EXIT_CHDROP, "asprintf");
		judge_trusted(a, dfd, name, &st, what);
		free(what);
	}
	if (!c->judge_only && strcmp(inside(a), "etc/ld.so.preload") == 0)
		finding(a, SEV_HAZARD, "loader-preload", &st, NULL, "loader "
		        "injection: the dynamic loader loads what this names into "
		        "every program in the root, privileged ones included");
	if (S_ISLNK(m) && trusted) {
		char target[PATH_MAX], *from = strdup(inside(a));
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);

		if (from == NULL)
			err(EXIT_CHDROP, "strdup");
		if (n >= 0) {
			target[n] = '\0';
			char *via = strdup(a->path);
			if (via == NULL)
				err(EXIT_CHDROP, "strdup");
			*(strrchr(from, '/') != NULL ? strrchr(from, '/') : from) = '\0';
			follow_trusted(a, from, target, via);
			free(via);
		}
		free(from);
	}
	if (c->judge_only) {
		if (S_ISDIR(m))
			enter_dir(a, dfd, name, &st, parent, c);
		return;
	}
	switch (m & S_IFMT) {
	case S_IFDIR:
		enter_dir(a, dfd, name, &st, parent, c);
		return;
	case S_IFREG:
		check_file(a, dfd, name, &st, c->mflags);
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
			        c->mflags & ST_NODEV ? " (inert while its mount stays "
			        "nodev)" : "");
		break;
	case S_IFSOCK:
		check_socket(a, &st);
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
                 const struct walkctx *c, const struct level *self)
{
	DIR *d = fdopendir(fd);
	char **names;
	size_t n, saved;
	struct walkctx sub = *c;

	if (d == NULL) {
		audit_error(a, errno, "fdopendir");
		close(fd);
		return;
	}
	if (self != NULL) {
		if (a->nlv % 16 == 0) {
			struct level *p = reallocarray(a->lv, a->nlv + 16, sizeof(*p));
			if (p == NULL)
				err(EXIT_CHDROP, "reallocarray");
			a->lv = p;
		}
		a->lv[a->nlv++] = *self;
	}
	if (c->judge_only)
		mark_seen(a, dst);
	anc_push(a, dst);
	names = read_names(a, d, &n);
	for (size_t i = 0; i < n; i++) {
		path_push(a, names[i], &saved);
		check_entry(a, dirfd(d), names[i], dst, &sub);
		path_pop(a, saved);
	}
	free(names);
	a->nanc--;
	if (self != NULL)
		a->nlv--;
	closedir(d);
}

/* --- trusted symlinks, resolved as inside the root ------------------------- */

/* A path inside the root, as a process there would resolve it: an
 * absolute symlink starts again at DIR, ".." stops at DIR.  Every
 * directory passed through, and what it ends at, is judged; a directory
 * at the end is walked as trusted (once).  from: the directory (inside,
 * no leading slash) a relative path starts in; via: the host path of the
 * symlink it came from, for the report. */
#define MAX_TRUST_LINKS 40      /* per path, as the kernel's own limit */
#define MAX_TRUST_NESTING 16    /* directories walked through symlinks, nested */

/* Where a resolution stands: a descriptor per directory from DIR down,
 * a->path holding DIR + the same directories, and what is left to walk. */
struct resolve {
	int fds[AUDIT_MAX_DEPTH];
	size_t nfd;
	char *rest;
	const char *via;
};

/* A symlink met on the way: what is left becomes its target, then the
 * rest.  Returns false to stop. */
static bool splice_link(struct audit *a, struct resolve *r, const char *comp,
                        const char *after)
{
	char target[PATH_MAX], *next = NULL;
	ssize_t n = readlinkat(r->fds[r->nfd - 1], comp, target, sizeof(target) - 1);

	if (n < 0 || ++a->nlinks > MAX_TRUST_LINKS)
		return false;
	target[n] = '\0';
	if (target[0] == '/') {  /* inside the root: from DIR again */
		while (r->nfd > 1)
			close(r->fds[--r->nfd]);
		a->len = a->base;
		a->path[a->len] = '\0';
	}
	if (asprintf(&next, "%s/%s", target, after) < 0)
		err(EXIT_CHDROP, "asprintf");
	free(r->rest);
	r->rest = next;
	return true;
}

/* One entry on the trusted path, at a->path: judged.  At the end, a
 * directory not already judged where it lies is walked as trusted. */
// NOLINTNEXTLINE(misc-no-recursion): walk -> check_entry -> here, bounded by MAX_TRUST_LINKS
static void judge_step(struct audit *a, struct resolve *r, const char *comp,
                       const struct statx *st, bool last)
{
	char buf[160];
	bool by_owner = false;
	const char *why = seen(a, st) ? NULL :
	                  who_writes(a, r->fds[r->nfd - 1], comp, st, buf,
	                             sizeof(buf), &by_owner);

	/* A sticky directory on the way: only what one owns can be replaced. */
	if (why != NULL && !(S_ISDIR(st->stx_mode) && !last &&
	                     (st->stx_mode & S_ISVTX) && !by_owner)) {
		mark_seen(a, st);
		finding(a, SEV_HAZARD, "writable", st, NULL, "%s; a trusted path "
		        "leads %s it: %s", why, last ? "to" : "through", r->via);
	}
	if (last && S_ISDIR(st->stx_mode) && !trusted_place(inside(a)) &&
	    !seen(a, st)) {
		struct walkctx c = { .trusted = true, .judge_only = true };
		int fd = open_checked(a, r->fds[r->nfd - 1], comp, st);

		if (fd >= 0) {
			size_t saved_nanc = a->nanc;
			walk(a, fd, st, &c, NULL);
			a->nanc = saved_nanc;
		}
	}
}

/* A path inside the root, as a process there would resolve it: an
 * absolute symlink starts again at DIR, ".." stops at DIR.  Every
 * directory passed through, and what it ends at, is judged; a directory
 * at the end is walked as trusted (once).  from: the directory (inside,
 * no leading slash) a relative path starts in; via: the host path of the
 * symlink or file it came from, for the report. */
// NOLINTNEXTLINE(misc-no-recursion): see judge_step
static void follow_trusted(struct audit *a, const char *from, const char *path,
                           const char *via)
{
	struct resolve r = { .nfd = 0, .via = via };
	char *saved_path = a->path;
	size_t saved_len = a->len, saved_size = a->size, saved_nlv = a->nlv;

	unsigned saved_links = a->nlinks;

	if (a->nfollow >= MAX_TRUST_NESTING) {
		audit_error(a, 0, "trusted symlinks lead through more than "
		            STR(MAX_TRUST_NESTING) " directories reached by "
		            "symlinks; not followed");
		return;
	}
	a->nfollow++;
	a->nlinks = 0;
	if (asprintf(&r.rest, "%s/%s", path[0] == '/' ? "" : from, path) < 0)
		err(EXIT_CHDROP, "asprintf");
	/* a->path becomes DIR + the part resolved so far; the levels above
	 * are those of this path, judged here. */
	a->size = a->base + 2;
	a->path = malloc(a->size);
	if (a->path == NULL)
		err(EXIT_CHDROP, "malloc");
	memcpy(a->path, saved_path, a->base);
	a->len = a->base;
	a->path[a->len] = '\0';
	a->nlv = 0;
	r.fds[r.nfd++] = a->rootfd;
	for (char *p = r.rest; *p;) {
		size_t len = strcspn(p, "/"), saved;
		char comp[NAME_MAX + 1];
		struct statx st;
		bool last;

		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len + (p[len] == '/');
			continue;
		}
		if (len > NAME_MAX)
			break;
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len + (p[len] == '/');
		last = *p == '\0';
		if (strcmp(comp, "..") == 0) {
			if (r.nfd > 1) {
				close(r.fds[--r.nfd]);
				*strrchr(a->path, '/') = '\0';
				a->len = strlen(a->path);
			}
			continue;
		}
		/* missing: whatever could create it was judged on the way */
		if (sx(r.fds[r.nfd - 1], comp, &st) < 0)
			break;
		if (S_ISLNK(st.stx_mode)) {
			if (!splice_link(a, &r, comp, p))
				break;
			p = r.rest;
			continue;
		}
		path_push(a, comp, &saved);
		judge_step(a, &r, comp, &st, last);
		if (last || !S_ISDIR(st.stx_mode) || r.nfd == AUDIT_MAX_DEPTH)
			break;
		r.fds[r.nfd] = openat(r.fds[r.nfd - 1], comp, O_PATH | O_DIRECTORY |
		                      O_NOFOLLOW | O_CLOEXEC);
		if (r.fds[r.nfd] < 0)
			break;
		r.nfd++;
	}
	while (r.nfd > 1)
		close(r.fds[--r.nfd]);
	free(r.rest);
	free(a->path);
	a->path = saved_path;
	a->len = saved_len;
	a->size = saved_size;
	a->nlv = saved_nlv;
	a->nlinks = saved_links;
	a->nfollow--;
}

/* --- the loader's configuration ------------------------------------------- */

/* A file inside the root, resolved as a process there resolves it
 * (openat2 RESOLVE_IN_ROOT), read if it is a regular file of at most
 * 1 MiB: opened first as O_PATH, so nothing else is ever opened.  NULL if
 * it is missing or not such a file. */
#define MAX_CONFIG (1 << 20)
static char *read_file_at(struct audit *a, const char *path, size_t *len,
                          uint64_t resolve, size_t max)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	                        .resolve = resolve | RESOLVE_NO_MAGICLINKS };
	char proc[64], *buf = NULL;
	struct stat st;
	int pfd = (int)syscall(SYS_openat2, a->rootfd, path, &how, sizeof(how));
	int fd = -1;

	if (pfd < 0)
		return NULL;
	if (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
		goto out;
	(void)snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
	          (a->noatime ? O_NOATIME : 0));
	if (fd < 0 && errno == EPERM)
		fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		err(EXIT_CHDROP, "malloc");
	*len = 0;
	for (;;) {
		ssize_t n = read(fd, buf + *len, (size_t)st.st_size - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
		if (*len == (size_t)st.st_size)
			break;
	}
	buf[*len] = '\0';
out:
	if (fd >= 0)
		close(fd);
	close(pfd);
	return buf;
}

static char *read_inroot(struct audit *a, const char *path, size_t *len)
{
	return read_file_at(a, path, len, RESOLVE_IN_ROOT, MAX_CONFIG);
}

/* Lines of a configuration file, comments ('#' on) and blanks dropped,
 * leading and trailing space trimmed, in place. */
static char *next_line(char **cursor)
{
	while (**cursor) {
		char *line = *cursor, *e = line + strcspn(line, "\n");

		*cursor = *e ? e + 1 : e;
		*e = '\0';
		line[strcspn(line, "#")] = '\0';
		line += strspn(line, " \t\r");
		e = line + strlen(line);
		while (e > line && strchr(" \t\r", e[-1]))
			*--e = '\0';
		if (*line)
			return line;
	}
	return NULL;
}

/* ld.so.conf and what it includes: every directory it names is where the
 * loader finds libraries for every program, so it is judged and walked as
 * trusted, resolved inside the root.  glibc reads "include PATTERN"
 * (relative to the including file's directory) and ignores "hwcap". */
#define MAX_CONF_DEPTH 8
// NOLINTNEXTLINE(misc-no-recursion): bounded by MAX_CONF_DEPTH
static void loader_conf(struct audit *a, const char *path, unsigned depth)
{
	size_t len;
	char *buf = depth < MAX_CONF_DEPTH ? read_inroot(a, path, &len) : NULL;
	char *cur = buf, *line, *via;

	if (buf == NULL)
		return;
	if (asprintf(&via, "%.*s%s", (int)a->base, a->path, path) < 0)
		err(EXIT_CHDROP, "asprintf");
	while ((line = next_line(&cur)) != NULL) {
		if (strncmp(line, "include", 7) == 0 && line[7] != '\0' &&
		    strchr(" \t", line[7]) != NULL) {
			char *pat = line + 8 + strspn(line + 8, " \t"), *dir, *slash;

			/* relative: to the including file's directory */
			if (asprintf(&dir, "%.*s/%s", pat[0] == '/' ? 0 :
			             (int)(strrchr(path, '/') - path), path,
			             pat[0] == '/' ? pat + 1 : pat) < 0)
				err(EXIT_CHDROP, "asprintf");
			slash = strrchr(dir, '/');
			*slash = '\0';
			conf_glob(a, dir, slash + 1, depth);
			free(dir);
			continue;
		}
		if (strncmp(line, "hwcap", 5) == 0 && strchr(" \t", line[5]))
			continue;
		char *save = NULL;
		for (char *tok = strtok_r(line, " \t,:=", &save); tok;
		     tok = strtok_r(NULL, " \t,:=", &save))
			follow_trusted(a, "", tok, via);
	}
	free(via);
	free(buf);
}

/* The files of dir (inside) whose names match pat, each read as ld.so.conf,
 * in name order. */
// NOLINTNEXTLINE(misc-no-recursion): see loader_conf
static void conf_glob(struct audit *a, const char *dir, const char *pat,
                      unsigned depth)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	int pfd = (int)syscall(SYS_openat2, a->rootfd, dir[0] ? dir : "/", &how,
	                       sizeof(how));
	struct statx st;
	size_t n;
	char **names;
	DIR *d;
	int fd;

	if (pfd < 0)
		return;
	fd = sx(pfd, "", &st) == 0 ? open_checked(a, pfd, ".", &st) : -1;
	close(pfd);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	names = read_names(a, d, &n);
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		char *path;

		if (fnmatch(pat, names[i], FNM_PERIOD) != 0)
			continue;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0)
			err(EXIT_CHDROP, "asprintf");
		loader_conf(a, path, depth + 1);
		free(path);
	}
	free(names);
}

/* What ld.so.preload names is loaded into every program: each is judged
 * as trusted, resolved inside the root. */
static void loader_preload(struct audit *a)
{
	size_t len;
	char *buf = read_inroot(a, "/etc/ld.so.preload", &len), *cur = buf, *line;
	char *via;

	if (buf == NULL)
		return;
	if (asprintf(&via, "%.*s/etc/ld.so.preload", (int)a->base, a->path) < 0)
		err(EXIT_CHDROP, "asprintf");
	while ((line = next_line(&cur)) != NULL) {
		char *save = NULL;
		for (char *tok = strtok_r(line, " \t:", &save); tok;
		     tok = strtok_r(NULL, " \t:", &save))
			follow_trusted(a, "", tok, via);
	}
	free(via);
	free(buf);
}

/* --- a chdrop-root manifest ------------------------------------------------ */

/* A finding about an object given by its path inside the root (which may
 * not exist: st is then all zero). */
static void finding_inside(struct audit *a, const char *inpath,
                           const struct statx *st, const char *kind,
                           const char *detail)
{
	char *saved = a->path;
	size_t saved_len = a->len, saved_size = a->size;

	if (asprintf(&a->path, "%.*s%s", (int)a->base, saved, inpath) < 0)
		err(EXIT_CHDROP, "asprintf");
	a->len = strlen(a->path);
	a->size = a->len + 1;
	finding(a, SEV_HAZARD, kind, st, NULL, "%s", detail);
	free(a->path);
	a->path = saved;
	a->len = saved_len;
	a->size = saved_size;
}

/* lstat of an entry inside the root, no symlink followed on the way. */
static int lstat_inside(struct audit *a, const char *inpath, struct stat *st,
                        struct statx *sx_out)
{
	struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
	                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                                   RESOLVE_NO_MAGICLINKS };
	const char *slash = strrchr(inpath, '/');
	char *dir = strndup(inpath, (size_t)(slash - inpath));
	int dfd, r;

	if (dir == NULL)
		err(EXIT_CHDROP, "strndup");
	dfd = (int)syscall(SYS_openat2, a->rootfd, dir[0] ? dir + 1 : ".", &how,
	                   sizeof(how));
	free(dir);
	if (dfd < 0)
		return -1;
	r = fstatat(dfd, slash + 1, st, AT_SYMLINK_NOFOLLOW);
	if (r == 0 && sx(dfd, slash + 1, sx_out) < 0)
		memset(sx_out, 0, sizeof(*sx_out));
	close(dfd);
	return r;
}

static const unsigned mf_type[] = { S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR };

/* One manifest entry: stale (its host source is gone or changed since it
 * was copied) or altered (the copy is missing, of another type, mode or
 * owner, or no longer the file that was written: its identity and size
 * are what the manifest records, so nothing is read or hashed). */
static int manifest_entry(const struct mf_entry *e, void *arg)
{
	struct audit *a = arg;
	struct statx sxs = { 0 };
	struct stat st;
	char msg[PATH_MAX + 256];

	if (lstat_inside(a, e->path, &st, &sxs) < 0) {
		(void)snprintf(msg, sizeof(msg), "the manifest lists this "
		               "%s, and it is not there", manifest_kind_name(e->kind));
		finding_inside(a, e->path, &sxs, "altered", msg);
	} else if ((st.st_mode & S_IFMT) != mf_type[e->kind] ||
	           (st.st_mode & 07777) != e->mode || st.st_uid != e->uid ||
	           st.st_gid != e->gid) {
		(void)snprintf(msg, sizeof(msg), "the manifest records %s "
		               "%04o %u:%u, the tree holds %s %04o %u:%u",
		               manifest_kind_name(e->kind), e->mode, e->uid, e->gid,
		               type_name(st.st_mode), st.st_mode & 07777u,
		               (unsigned)st.st_uid, (unsigned)st.st_gid);
		finding_inside(a, e->path, &sxs, "altered", msg);
	} else if (e->kind != MF_DIR && e->copy.set &&
	           !manifest_copy_current(e, &st)) {
		finding_inside(a, e->path, &sxs, "altered", "not the copy "
		               "chdrop-root wrote (its identity or size differs from "
		               "the manifest's)");
	}
	if (e->source != NULL && e->host.set) {
		struct stat h;

		if (lstat(e->source, &h) < 0)
			(void)snprintf(msg, sizeof(msg), "its source %s is gone "
			               "from the host (%s)", e->source, strerror(errno));
		else if (!manifest_host_current(e, &h))
			(void)snprintf(msg, sizeof(msg), "its source %s has "
			               "changed since it was copied (chdrop-root can "
			               "update it)", e->source);
		else
			return 0;
		finding_inside(a, e->path, &sxs, "stale", msg);
	}
	return 0;
}

/* ROOT/.chdrop/manifest, if there is one: held to the rule readers apply
 * (a regular file owned by root, writable by nobody else, reached without
 * a symlink), then every entry judged. */
static void audit_manifest(struct audit *a)
{
	struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
	                        .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
	                                   RESOLVE_NO_MAGICLINKS };
	int pfd = (int)syscall(SYS_openat2, a->rootfd, MANIFEST_PATH, &how,
	                       sizeof(how));
	struct statx st;
	const char *why = NULL;
	size_t len = 0, line = 0;
	char *buf;

	if (pfd < 0) {
		if (errno == ELOOP || errno == EXDEV)
			finding_inside(a, "/" MANIFEST_PATH, &(struct statx){ 0 },
			               "manifest", "the manifest is reached through a "
			               "symlink: not read");
		return;
	}
	if (sx(pfd, "", &st) < 0 || !S_ISREG(st.stx_mode) || st.stx_uid != 0 ||
	    (st.stx_mode & (S_IWGRP | S_IWOTH))) {
		finding_inside(a, "/" MANIFEST_PATH, &st, "manifest", "the manifest "
		               "is not a regular file owned by root and writable by "
		               "nobody else: not read");
		close(pfd);
		return;
	}
	close(pfd);
	buf = read_file_at(a, MANIFEST_PATH, &len, RESOLVE_BENEATH |
	                   RESOLVE_NO_SYMLINKS, MANIFEST_MAX);
	if (buf == NULL) {
		audit_error(a, 0, "the manifest could not be read");
		free(buf);
		return;
	}
	if (manifest_parse(buf, len, manifest_entry, a, &line, &why) < 0) {
		char msg[128];
		(void)snprintf(msg, sizeof(msg), "the manifest is malformed (line "
		               "%zu: %s): its copies are not judged", line, why);
		finding_inside(a, "/" MANIFEST_PATH, &st, "manifest", msg);
	}
	free(buf);
}

/* --- the path to DIR ------------------------------------------------------ */

/* The --root rule, for one component: root-owned, not writable by group or
 * others. */
static void check_component(struct audit *a, const struct statx *st)
{
	unsigned m = st->stx_mode;
	bool owner_ok = trusted_uid(a->o, st->stx_uid);
	const char *who = a->o->userns ? "not root or you" : "not root";
	const char *rule = a->o->userns ? "--root with --userns" : "--root";

	if (!owner_ok && (m & (S_IWGRP | S_IWOTH)))
		finding(a, SEV_HAZARD, "path-component", st, NULL, "owned by uid %u, "
		        "%s, and writable by %s: %s refuses it", (unsigned)st->stx_uid,
		        who, m & S_IWOTH ? "others" : "its group", rule);
	else if (!owner_ok)
		finding(a, SEV_HAZARD, "path-component", st, NULL, "owned by uid %u, "
		        "%s: %s refuses it", (unsigned)st->stx_uid, who, rule);
	else if (m & (S_IWGRP | S_IWOTH))
		finding(a, SEV_HAZARD, "path-component", st, NULL, "writable by %s: "
		        "%s refuses it", m & S_IWOTH ? "others" : "its group", rule);
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
		warnx("--audit=%s: must be an absolute path", esc(a, dir));
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
			warnx("--audit=%s: '..' is not allowed", esc(a, dir));
			goto fail;
		}
		path_push(a, comp, &saved);
		if (sx(fd, comp, st) < 0) {
			warn("--audit: %s", esc(a, a->path));
			goto fail;
		}
		if (S_ISLNK(st->stx_mode)) {
			finding(a, SEV_HAZARD, "path-symlink", st, NULL, "a symlink: "
			        "--root refuses it, and the audit does not follow it");
			*status = 1;
			goto fail;
		}
		if (!S_ISDIR(st->stx_mode)) {
			warnx("--audit: %s: not a directory", esc(a, a->path));
			goto fail;
		}
		next = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			warn("--audit: %s", esc(a, a->path));
			goto fail;
		}
		close(fd);
		fd = next;
		if (sx(fd, "", st) < 0) {
			warn("--audit: %s", esc(a, a->path));
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
		warn("--audit: %s", esc(a, display_path(a)));
	close(fd);
	return next;
fail:
	free(copy);
	close(fd);
	return -1;
}

/* --- leaving the tree as it was -------------------------------------------- */

/* A private, detached copy of the mount tree at fd (submounts included),
 * read-only and noatime: reading a directory, a symlink or a file through
 * it cannot change an access time (the kernel updates none through a
 * read-only mount), and nothing can be written through it.  It vanishes
 * when the audit closes it; nobody else ever sees it.  noatime may be
 * refused for mounts a user namespace inherited (their atime setting is
 * locked): read-only alone is then enough.  -1 with errno if refused. */
static int clone_ro(int fd)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME,
		.attr_clr = MOUNT_ATTR__ATIME,
	};
	int tree = (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE |
	                        OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
	int e;

	if (tree < 0)
		return -1;
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
	            &attr, sizeof(attr)) == 0)
		return tree;
	attr = (struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY };
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
	            &attr, sizeof(attr)) == 0)
		return tree;
	e = errno;
	close(tree);
	errno = e;
	return -1;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		_exit(errno ? errno : EIO);
	close(fd);
}

/* An ordinary user may not make mounts.  A child does it for them: in a
 * user namespace of its own (their uid and gid mapped to themselves, so
 * it can open exactly what they can) it opens DIR again by its path,
 * clones it read-only and hands the descriptor back over a socket.  The
 * audit itself stays outside the namespace, so owners read as they are
 * (inside, root would be the overflow uid); the clone is checked to be
 * the directory that was walked to.  -1 with errno if it did not work. */
static int clone_ro_unprivileged(const char *dir, int walked,
                                 const struct statx *want)
{
	char ctl[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	                      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	struct statx got;
	int sv[2], status, tree = -1, e = EPERM;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		                        .resolve = RESOLVE_NO_SYMLINKS };
		uid_t uid = geteuid();
		gid_t gid = getegid();
		char map[64];
		int fd;

		/* The parent's descriptors are not the child's to hold. */
		close(sv[0]);
		close(walked);
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			_exit(errno);
		write_file("/proc/self/setgroups", "deny");
		(void)snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
		write_file("/proc/self/uid_map", map);
		(void)snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
		write_file("/proc/self/gid_map", map);
		fd = (int)syscall(SYS_openat2, AT_FDCWD, dir, &how, sizeof(how));
		if (fd < 0 || (tree = clone_ro(fd)) < 0)
			_exit(errno);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &tree, sizeof(int));
		_exit(sendmsg(sv[1], &msg, 0) == 1 ? 0 : errno);
	}
	close(sv[1]);
	if (recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC) == 1 &&
	    (cm = CMSG_FIRSTHDR(&msg)) != NULL && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&tree, CMSG_DATA(cm), sizeof(int));
	close(sv[0]);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) != 0)
		e = WEXITSTATUS(status);
	if (tree >= 0 && (sx(tree, "", &got) < 0 || got.stx_ino != want->stx_ino ||
	                  got.stx_dev_major != want->stx_dev_major ||
	                  got.stx_dev_minor != want->stx_dev_minor)) {
		close(tree);
		tree = -1;
		e = ESTALE;
	}
	errno = e;
	return tree;
}

/* The private read-only view of DIR (fd, reached by the walk from /). */
static int private_view(const char *dir, int fd, const struct statx *st)
{
	if (geteuid() == 0)
		return clone_ro(fd);
	return clone_ro_unprivileged(dir, fd, st);
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
		struct walkctx c = { 0 };
		int view = private_view(dir, fd, &st);

		if (view < 0)
			warnx("--audit: %s: no private read-only view of it (%s): "
			      "access times of what is read may change",
			      esc(&a, dir), strerror(errno));
		if (fstatfs(fd, &sf) == 0)
			c.mflags = (unsigned long)sf.f_flags;
		else
			audit_error(&a, errno, "fstatfs");
		a.origfd = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (view >= 0) {
			close(fd);
			fd = open_dir_at(&a, view, ".");
			a.rootfd = view;
		} else {
			a.rootfd = openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		if (fd < 0 || a.rootfd < 0 || a.origfd < 0)
			err(EXIT_CHDROP, "--audit: %s", esc(&a, dir));
		walk(&a, fd, &st, &c, NULL);
		loader_conf(&a, "/etc/ld.so.conf", 0);
		loader_preload(&a);
		audit_manifest(&a);
		close(a.rootfd);
		close(a.origfd);
		status = a.errors ? EXIT_CHDROP : a.hazards ? 1 : 0;
	}
	free(a.path);
	free(a.anc);
	free(a.ebuf);
	free(a.seen);
	free(a.lv);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warn("--audit: standard output");
		return EXIT_CHDROP;
	}
	return status;
}
