/* SPDX-License-Identifier: ISC */
/* chdrop-root's own declarations: the plan (what should be in a root),
 * the host side (collect.c: what the host has), the safe copier (copy.c:
 * writing beneath the root descriptor), the dpkg lookup (dpkg.c). */
#ifndef CHDROP_ROOT_H
#define CHDROP_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "../manifest.h"

#define EXIT_FAIL 125
/* Temporary names inside ROOT: NAME is staged as TMP_PREFIX NAME in the
 * same directory; the next run removes any it finds after a crash. */
#define TMP_PREFIX ".chdrop-tmp."
#define REGISTRY_DIR "/var/lib/chdrop-root"
#define REGISTRY REGISTRY_DIR "/roots"

/* One thing that should be in the root. */
struct want {
	char *path;                /* inside ROOT, absolute */
	char *source;              /* host path, NULL: made by chdrop-root */
	enum mf_kind kind;
	uint32_t mode, uid, gid;
	enum mf_origin origin;
	char *extra;               /* symlink target, MAJOR,MINOR, user name */
	bool hst_set;
	struct stat hst;           /* lstat of source when collected */
	char *data;                /* generated file content (source NULL) */
	size_t datalen;
	char *pkg, *ver;           /* dpkg, filled in for copies made now */
};

struct wantlist {
	struct want *v;
	size_t n, cap;
};

/* The options a root was built with, kept across updates (they are read
 * back from the manifest's origins). */
struct basics {
	const char *user;          /* NULL: no --user */
	bool dev, tmp, etc;
	char **state;              /* --state=DIR, owned by user */
	size_t nstate;
	char **adds;               /* the PATHs named to add */
	size_t nadds;
};

/* plan.c — pure. */
void plan_push(struct wantlist *l, const struct want *w);
int plan_finish(struct wantlist *l, const char **bad, const char **why);
const struct want *plan_find(const struct wantlist *l, const char *path);
void plan_free(struct wantlist *l);
void *grow(void *p, size_t n);
int cmp_path(const char *a, const char *b);

/* collect.c — the host side.  Each exits 125 with one line on failure. */
void collect(const struct basics *b, struct wantlist *l);

/* copy.c — beneath the root descriptor, never through a symlink. */
/* create: make ROOT (its last component) when missing, and say so in
 * *created (may be NULL). */
int open_root(const char *root, bool create, bool *created);
int open_beneath(int rootfd, const char *path, int flags, mode_t mode);
int open_parent(int rootfd, const char *path, const char **base);
void make_dir(int rootfd, const struct want *w, struct stat *out);
void stage(int rootfd, struct want *w, unsigned char sha[32],
           struct stat *out);
void commit_entry(int rootfd, const char *path);
void remove_entry(int rootfd, const char *path, enum mf_kind kind);
void sweep_dir(int rootfd, const char *path);
int hash_fd(int fd, unsigned char sha[32]);

/* dpkg.c — package and version owning each source (plain files). */
void dpkg_lookup(struct want *v, size_t n);

/* One line on stderr, "chdrop-root: ...", and exit 125 (die: with
 * errno's text).  Every failure of chdrop-root goes through these. */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void diex(const char *fmt, ...);

/* Say a host path or a path in ROOT safely (escaped as in the manifest). */
const char *shown(const char *s);

#endif
