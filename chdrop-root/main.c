/* SPDX-License-Identifier: ISC */
/* chdrop-root: build roots from the host and keep them current.
 *
 *   chdrop-root add [--user=USER] [--dev] [--tmp] [--etc] [--state=DIR]... ROOT [PATH]...
 *   chdrop-root update ROOT | --all
 *   chdrop-root check [--format=text|json] ROOT
 *
 * One change, in order (sync()): lock ROOT/.chdrop; finish or undo a run
 * that was killed (recover()); plan what should be there (collect.c) and
 * compare with the manifest; write the intent (the new manifest, for the
 * next run to undo by); make directories and stage every new copy under a
 * temporary name (copy.c); write manifest.new (the commit point: from
 * here a killed run is finished by the next one); remove what goes and
 * rename the staged copies into place; write the manifest last.  A reader
 * (chdrop at launch) sees every copy in its old or its new version.
 * Exit: 0 done (check: current), 1 check found a problem, 125 failure. */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "root.h"

#ifndef CHDROP_ROOT_VERSION
#define CHDROP_ROOT_VERSION "unknown"
#endif
#define VERSION CHDROP_ROOT_VERSION

static const char *g_registry = REGISTRY;

const char *g_root = "";       /* ROOT, prefixed to paths in messages */

/* --- small helpers ------------------------------------------------------ */

/* S, escaped for a message (the manifest's escaping: no byte can forge a
 * line or fake a field).  Eight buffers in turn, for several per line. */
const char *shown(const char *s)
{
	static char buf[8][1024];
	static int k;
	char *o = buf[k = (k + 1) % 8], *e = o + sizeof buf[0] - 5;

	for (const unsigned char *c = (const unsigned char *)s; *c && o < e; c++)
		if (*c >= 0x21 && *c <= 0x7e && *c != '\\')
			*o++ = (char)*c;
		else
			o += sprintf(o, "\\x%02x", *c);
	*o = '\0';
	return buf[k];
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(EXIT_FAIL, fmt, ap);   /* exits: no va_end reached */
	// cppcheck-suppress va_end_missing ; verr() does not return
}

void diex(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrx(EXIT_FAIL, fmt, ap);
	// cppcheck-suppress va_end_missing ; verrx() does not return
}

static char *xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		die("strdup");
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("realloc");
	return p;
}

/* --- the manifest on disk ------------------------------------------------ */

struct state {
	char **req;
	size_t nreq;
	struct mf_entry *e;        /* strings owned */
	size_t n;
};

static int keep_req(const char *path, void *arg)
{
	struct state *s = arg;

	s->req = xrealloc(s->req, (s->nreq + 1) * sizeof *s->req);
	s->req[s->nreq++] = xstrdup(path);
	return 0;
}

static int keep_entry(const struct mf_entry *e, void *arg)
{
	struct state *s = arg;
	struct mf_entry *c;

	s->e = xrealloc(s->e, (s->n + 1) * sizeof *s->e);
	c = &s->e[s->n++];
	*c = *e;
	c->path = xstrdup(e->path);
	c->source = xstrdup(e->source);
	c->pkg = xstrdup(e->pkg);
	c->ver = xstrdup(e->ver);
	c->extra = xstrdup(e->extra);
	return 0;
}

/* Read ROOT/.chdrop/NAME into *s.  0, or -1 with errno ENOENT when there
 * is none; anything else wrong with it is fatal. */
static int read_state(int rootfd, const char *name, struct state *s)
{
	char path[64], *buf = NULL;
	size_t len = 0, line;
	const char *why;
	struct stat st;
	int fd;

	*s = (struct state){ 0 };
	snprintf(path, sizeof path, MANIFEST_DIR "/%s", name);
	fd = open_beneath(rootfd, path, O_RDONLY, 0);
	if (fd < 0 && errno == ENOENT)
		return -1;
	if (fd < 0)
		die("%s/%s: open", g_root, path);
	if (fstat(fd, &st) < 0)
		die("%s/%s: fstat", g_root, path);
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		diex("%s/%s: not a regular file owned by root and "
		     "writable by root alone", g_root, path);
	if ((size_t)st.st_size > MANIFEST_MAX)
		diex("%s/%s: too large", g_root, path);
	buf = xrealloc(NULL, (size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0)
			die("%s/%s: read", g_root, path);
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (manifest_parse_all(buf, len, keep_req, keep_entry, s, &line, &why) < 0)
		diex("%s/%s: line %zu: %s", g_root, path, line, why);
	free(buf);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return cmp_path(((const struct mf_entry *)a)->path,
	                ((const struct mf_entry *)b)->path);
}

static struct mf_entry *find_entry(const struct state *s, const char *path)
{
	struct mf_entry key = { .path = path };

	if (s->n == 0)             /* s->e may be NULL: bsearch's is nonnull */
		return NULL;
	return bsearch(&key, s->e, s->n, sizeof *s->e, cmp_entry);
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Write ROOT/.chdrop/NAME: NAME.tmp (O_EXCL), fsync, root 0644, rename. */
static void write_state(int rootfd, const char *name, const struct state *s)
{
	char tmp[64], path[64];
	const char *why = NULL;
	int dfd = open_beneath(rootfd, MANIFEST_DIR, O_RDONLY | O_DIRECTORY, 0);
	int fd;
	FILE *f;

	if (dfd < 0)
		die("%s/" MANIFEST_DIR, g_root);
	snprintf(tmp, sizeof tmp, "%s.tmp", name);
	snprintf(path, sizeof path, MANIFEST_DIR "/%s", name);
	if (unlinkat(dfd, tmp, 0) < 0 && errno != ENOENT)
		die("%s/%s.tmp: unlink", g_root, path);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	            0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		die("%s/%s.tmp: create", g_root, path);
	if (manifest_write_header(f, &why) < 0)
		goto bad;
	for (size_t i = 0; i < s->nreq; i++)
		if (manifest_write_request(f, s->req[i], &why) < 0)
			goto bad;
	for (size_t i = 0; i < s->n; i++)
		if (manifest_write_entry(f, &s->e[i], &why) < 0)
			goto bad;
	if (manifest_write_end(f, s->n, &why) < 0 || fflush(f) != 0)
		goto bad;
	if (fchown(fd, 0, 0) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		goto bad;
	if (fclose(f) != 0) {
		f = NULL;
		goto bad;
	}
	if (renameat(dfd, tmp, dfd, name) < 0 || fsync(dfd) < 0)
		die("%s/%s: rename", g_root, path);
	close(dfd);
	return;
bad:
	{
		int e = errno;

		if (f)
			(void)fclose(f);   /* failing already: errno is kept */
		unlinkat(dfd, tmp, 0);
		errno = e;
		if (why && strcmp(why, "write failed") != 0)
			diex("%s/%s: %s", g_root, path, why);
		die("%s/%s: write", g_root, path);
	}
}

static void unlink_state(int rootfd, const char *name)
{
	int dfd = open_beneath(rootfd, MANIFEST_DIR, O_RDONLY | O_DIRECTORY, 0);

	if (dfd < 0)
		die("%s/" MANIFEST_DIR, g_root);
	if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
		die("%s/" MANIFEST_DIR "/%s: unlink", g_root, name);
	if (fsync(dfd) < 0)
		die("%s/" MANIFEST_DIR ": fsync", g_root);
	close(dfd);
}

/* lstat of PATH inside ROOT, without following any symlink. */
static int lstat_in(int rootfd, const char *path, struct stat *st)
{
	int pfd = open_beneath(rootfd, path, O_PATH, 0);

	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) < 0) {
		close(pfd);
		return -1;
	}
	close(pfd);
	return 0;
}

/* --- recovery ------------------------------------------------------------ */

/* Is this a copy the manifest does not describe? (used by check) */
static bool interrupted(int rootfd)
{
	struct stat st;

	return lstat_in(rootfd, MANIFEST_DIR "/intent", &st) == 0 ||
	       lstat_in(rootfd, MANIFEST_DIR "/manifest.new", &st) == 0;
}

static void sweep_dirs(int rootfd, const struct state *s)
{
	sweep_dir(rootfd, "/");
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].kind == MF_DIR && s->e[i].origin != MF_STATE)
			sweep_dir(rootfd, s->e[i].path);
}

/* Finish what was committed (manifest.new there), or undo what was only
 * staged (intent there), so ROOT is again what its manifest says. */
static void roll_forward(int rootfd, struct state *old, struct state *nw);

static void recover(int rootfd, struct state *old)
{
	struct state nw, intent;

	if (read_state(rootfd, "manifest.new", &nw) == 0) {
		roll_forward(rootfd, old, &nw);
		if (syncfs(rootfd) < 0)
			die("%s: syncfs", g_root);
		write_state(rootfd, MANIFEST_NAME, &nw);
		unlink_state(rootfd, "manifest.new");
		*old = nw;
	}
	if (read_state(rootfd, "intent", &intent) == 0) {
		sweep_dirs(rootfd, old);
		sweep_dirs(rootfd, &intent);
		/* Directories made for copies that never came, deepest first. */
		for (size_t i = intent.n; i-- > 0; )
			if (intent.e[i].kind == MF_DIR && !find_entry(old, intent.e[i].path))
				remove_entry(rootfd, intent.e[i].path, MF_DIR);
		unlink_state(rootfd, "intent");
	}
}

/* From the committed manifest.new: remove what goes, rename the staged
 * copies into place, record their identity. */
static void roll_forward(int rootfd, struct state *old, struct state *nw)
{
	for (size_t i = old->n; i-- > 0; ) {
		const struct mf_entry *o = &old->e[i], *n = find_entry(nw, o->path);

		if (n == NULL || (n->kind != o->kind && o->kind == MF_DIR))
			remove_entry(rootfd, o->path, o->kind);
	}
	for (size_t i = 0; i < nw->n; i++) {
		struct mf_entry *n = &nw->e[i];
		struct stat st;

		if (n->kind == MF_DIR)
			continue;
		commit_entry(rootfd, n->path);
		if (lstat_in(rootfd, n->path, &st) == 0 &&
		    (!n->copy.set || n->copy.ino == (uint64_t)st.st_ino))
			manifest_id_of(&st, &n->copy);  /* rename moved its ctime */
	}
}

/* --- planning a change --------------------------------------------------- */

enum act { A_NONE, A_REFRESH, A_CREATE, A_REPLACE, A_RESTORE };

struct change {
	enum act act;
	const struct mf_entry *old;
	const char *why;
};

static bool hash_in(int rootfd, const char *path, unsigned char sha[32])
{
	int fd = open_beneath(rootfd, path, O_RDONLY | O_NOCTTY, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = hash_fd(fd, sha) == 0;
	close(fd);
	return ok;
}

static bool hash_host(const char *path, unsigned char sha[32])
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = hash_fd(fd, sha) == 0;
	close(fd);
	return ok;
}

static bool symlink_is(int rootfd, const char *path, const char *target)
{
	const char *base;
	char buf[4096];
	int pfd = open_parent(rootfd, path, &base);
	ssize_t n = readlinkat(pfd, base, buf, sizeof buf - 1);

	close(pfd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

static bool devnum_is(const char *extra, dev_t rdev)
{
	unsigned a, b;

	/* extra passed the manifest parser's MAJOR,MINOR check. */
	return extra && sscanf(extra, "%u,%u", &a, &b) == 2 &&  // NOLINT(cert-err34-c)
	       major(rdev) == a && minor(rdev) == b;
}

static void gen_hash(const struct want *w, unsigned char sha[32])
{
	SHA2_CTX ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const unsigned char *)w->data, w->datalen);
	SHA256Final(sha, &ctx);
}

/* Is the copy of entry O (recorded) what is in ROOT now?  Stat first;
 * content only when the copy's identity moved. */
static bool copy_intact(int rootfd, const struct mf_entry *o, bool *missing)
{
	struct stat st;
	unsigned char sha[32];

	*missing = false;
	if (lstat_in(rootfd, o->path, &st) < 0) {
		*missing = errno == ENOENT;
		return false;
	}
	if ((st.st_mode & 07777) != o->mode || st.st_uid != o->uid ||
	    st.st_gid != o->gid)
		return o->kind == MF_SYMLINK && S_ISLNK(st.st_mode) &&
		       st.st_uid == o->uid && symlink_is(rootfd, o->path, o->extra);
	switch (o->kind) {
	case MF_DIR:
		return S_ISDIR(st.st_mode);
	case MF_CHARDEV:
		return S_ISCHR(st.st_mode) && devnum_is(o->extra, st.st_rdev);
	case MF_SYMLINK:
		return S_ISLNK(st.st_mode) && symlink_is(rootfd, o->path, o->extra);
	case MF_FILE:
		if (!S_ISREG(st.st_mode))
			return false;
		if (manifest_copy_current(o, &st))
			return true;
		return (uint64_t)st.st_size == o->size && hash_in(rootfd, o->path, sha) &&
		       memcmp(sha, o->sha256, 32) == 0;
	}
	return false;
}

static void decide(int rootfd, struct want *w, const struct mf_entry *o,
                   struct change *c)
{
	bool missing;

	c->old = o;
	c->why = NULL;
	if (o == NULL) {
		c->act = A_CREATE;
		return;
	}
	if (o->kind != w->kind || o->mode != w->mode || o->uid != w->uid ||
	    o->gid != w->gid || (w->extra == NULL) != (o->extra == NULL) ||
	    (w->extra && strcmp(w->extra, o->extra) != 0) ||
	    (w->source == NULL) != (o->source == NULL) ||
	    (w->source && strcmp(w->source, o->source) != 0)) {
		c->act = A_REPLACE;
		return;
	}
	if (w->kind == MF_FILE) {
		bool host_same = w->source ? manifest_host_current(o, &w->hst) : true;

		if (!host_same || w->source == NULL) {
			unsigned char sha[32];
			bool ok = true;

			if (w->source)
				ok = hash_host(w->source, sha);
			else
				gen_hash(w, sha);
			if (!ok || memcmp(sha, o->sha256, 32) != 0) {
				c->act = A_REPLACE;
				return;
			}
		}
		if (!copy_intact(rootfd, o, &missing)) {
			c->act = A_RESTORE;
			c->why = missing ? "missing" : "altered in the root";
			return;
		}
		c->act = host_same ? A_NONE : A_REFRESH;
		return;
	}
	if (!copy_intact(rootfd, o, &missing)) {
		c->act = A_RESTORE;
		c->why = missing ? "missing" : "altered in the root";
		return;
	}
	c->act = (w->source && !manifest_host_current(o, &w->hst)) ? A_REFRESH
	                                                          : A_NONE;
}

/* --- doing a change ------------------------------------------------------ */

static void entry_of(const struct want *w, struct mf_entry *e)
{
	*e = (struct mf_entry){
		.path = xstrdup(w->path), .kind = w->kind, .mode = w->mode,
		.uid = w->uid, .gid = w->gid, .source = xstrdup(w->source),
		.origin = w->origin, .extra = xstrdup(w->extra),
	};
	if (w->kind == MF_SYMLINK)
		e->size = strlen(w->extra);
	if (w->source && w->hst_set)
		manifest_id_of(&w->hst, &e->host);
}

static const char *pv(const char *pkg, const char *ver, char *buf, size_t n)
{
	if (pkg == NULL)
		return "";
	snprintf(buf, n, " (%s %s)", shown(pkg), shown(ver));
	return buf;
}

/* Processes whose root is ROOT and that still map an old copy. */
struct gone { uint64_t dev, ino; const char *path; };

static void name_mappers(int rootfd, const struct gone *g, size_t ng)
{
	struct stat rst;
	DIR *proc;
	const struct dirent *de;

	if (ng == 0 || fstat(rootfd, &rst) < 0 || (proc = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(proc)) != NULL) {
		char p[300], comm[64] = "?", *line = NULL;
		size_t cap = 0;
		struct stat st;
		FILE *f;
		bool named = false;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(p, sizeof p, "/proc/%s/root", de->d_name);
		if (stat(p, &st) < 0 || st.st_dev != rst.st_dev || st.st_ino != rst.st_ino)
			continue;
		snprintf(p, sizeof p, "/proc/%s/comm", de->d_name);
		if ((f = fopen(p, "re")) != NULL) {
			if (fgets(comm, sizeof comm, f))
				comm[strcspn(comm, "\n")] = '\0';
			(void)fclose(f);   /* read only */
		}
		snprintf(p, sizeof p, "/proc/%s/maps", de->d_name);
		if ((f = fopen(p, "re")) == NULL)
			continue;
		while (!named && getline(&line, &cap, f) > 0) {
			unsigned ma, mi;
			unsigned long long ino;

			/* The kernel's own text: hex MAJOR:MINOR, then the inode. */
			if (sscanf(line, "%*s %*s %*s %x:%x %llu", &ma, &mi, &ino) != 3)  // NOLINT(cert-err34-c)
				continue;
			for (size_t i = 0; i < ng; i++)
				if (g[i].ino == ino && g[i].dev == makedev(ma, mi)) {
					printf("%s: pid %s (%s) still maps the old %s: restart it\n",
					       g_root, de->d_name, shown(comm), shown(g[i].path));
					named = true;
					break;
				}
		}
		free(line);
		(void)fclose(f);           /* read only */
	}
	closedir(proc);
}

static struct state *g_staging;   /* intent written, not committed yet */
static int g_rootfd = -1;

/* On any failure before the commit point: remove what was staged. */
static void undo_staging(void)
{
	struct state old;

	if (g_staging == NULL)
		return;
	g_staging = NULL;
	if (read_state(g_rootfd, MANIFEST_NAME, &old) < 0)
		old = (struct state){ 0 };
	recover(g_rootfd, &old);
}

static void ensure_meta_dir(int rootfd)
{
	struct want w = { .path = "/" MANIFEST_DIR, .kind = MF_DIR, .mode = 0755 };
	struct stat st;

	make_dir(rootfd, &w, &st);
}

static int lock_root(int rootfd)
{
	int fd = open_beneath(rootfd, MANIFEST_DIR, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0)
		die("%s/" MANIFEST_DIR, g_root);
	if (flock(fd, LOCK_EX) < 0)
		die("%s/" MANIFEST_DIR ": flock", g_root);
	return fd;
}

/* The basics a root was built with, read back from its manifest. */
static void basics_of(const struct state *s, struct basics *b)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct mf_entry *e = &s->e[i];

		switch (e->origin) {
		case MF_USER: b->user = b->user ? b->user : e->extra; break;
		case MF_DEV: b->dev = true; break;
		case MF_TMP: b->tmp = true; break;
		case MF_ETC: b->etc = true; break;
		case MF_STATE:
			b->state = xrealloc(b->state, (b->nstate + 1) * sizeof *b->state);
			b->state[b->nstate++] = (char *)e->path;
			break;
		case MF_ADD: case MF_NEED: break;
		}
	}
}

static void add_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = (char *)s;
}

/* The no-op update, stat only: every host source has the identity it had
 * when copied, every copy the identity it had when made.  (Anything else,
 * including a copy whose identity moved but whose content may not have,
 * goes the slow way: closures resolved again, contents hashed.)  The
 * passwd, group and nsswitch.conf that chdrop-root made are made again
 * only then: a host account change alone does not reach the root. */
static bool all_current(int rootfd, const struct state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct mf_entry *e = &s->e[i];
		struct stat st;

		if (e->source && (lstat(e->source, &st) < 0 ||
		                  !manifest_host_current(e, &st)))
			return false;
		if (lstat_in(rootfd, e->path, &st) < 0)
			return false;
		if (e->kind == MF_DIR) {
			if (!S_ISDIR(st.st_mode) || (st.st_mode & 07777) != e->mode ||
			    st.st_uid != e->uid || st.st_gid != e->gid)
				return false;
		} else if (!manifest_copy_current(e, &st)) {
			return false;
		}
	}
	return true;
}

/* add (b holds the new options and PATHs) and update (b empty). */
static bool g_quiet_adds;      /* add: a summary, not a line per entry */

/* A failed add leaves nothing it made: ROOT/.chdrop when this run made
 * it, then ROOT when this run made it, each removed only if empty (after
 * undo_staging has put back what was staged).  Cleared when add
 * succeeds; a run that fails after its commit point leaves the manifest
 * there, so the directory is not empty and stays. */
static struct { char meta[PATH_MAX]; const char *root; } g_made;

static void undo_made(void)
{
	if (g_made.meta[0] != '\0')
		(void)rmdir(g_made.meta);
	if (g_made.root != NULL)
		(void)rmdir(g_made.root);
}

static int sync_root(const char *root, struct basics *b, bool create)
{
	bool made_root = false;
	int rootfd = open_root(root, create, &made_root), lockfd;
	struct state old, nw = { 0 };
	struct wantlist l = { 0 };
	struct change *ch;
	struct gone *gone = NULL;
	size_t ngone = 0, nchanges = 0;
	char pb1[256];
	bool any = false;

	g_root = root;
	g_rootfd = rootfd;
	if (create) {
		if (lstat_in(rootfd, MANIFEST_DIR, &(struct stat){ 0 }) < 0 &&
		    (size_t)snprintf(g_made.meta, sizeof g_made.meta, "%s/%s",
		                     root, MANIFEST_DIR) >= sizeof g_made.meta)
			g_made.meta[0] = '\0';
		g_made.root = made_root ? root : NULL;
		ensure_meta_dir(rootfd);
	} else if (lstat_in(rootfd, MANIFEST_PATH, &(struct stat){ 0 }) < 0)
		diex("%s: no %s (make the root with chdrop-root add)",
		     shown(root), MANIFEST_PATH);
	lockfd = lock_root(rootfd);
	if (read_state(rootfd, MANIFEST_NAME, &old) < 0)
		old = (struct state){ 0 };
	recover(rootfd, &old);

	if (!create && all_current(rootfd, &old)) {
		close(lockfd);
		return 0;              /* current: nothing written, nothing said */
	}

	/* What should be there: the old requests and basics, and the new. */
	{
		struct basics ob = { 0 };

		basics_of(&old, &ob);
		if (b->user && ob.user && strcmp(b->user, ob.user) != 0)
			diex("--user=%s: ROOT was made for %s", shown(b->user),
			     shown(ob.user));
		b->user = b->user ? b->user : ob.user;
		b->dev |= ob.dev;
		b->tmp |= ob.tmp;
		b->etc |= ob.etc;
		for (size_t i = 0; i < ob.nstate; i++)
			add_unique(&b->state, &b->nstate, ob.state[i]);
		for (size_t i = 0; i < old.nreq; i++)
			add_unique(&b->adds, &b->nadds, old.req[i]);
		qsort(b->adds, b->nadds, sizeof *b->adds, cmp_strp);
	}
	collect(b, &l);
	if (plan_find(&l, "/" MANIFEST_DIR))
		diex("/" MANIFEST_DIR ": reserved for chdrop-root's own files");

	nw.req = b->adds;
	nw.nreq = b->nadds;
	nw.e = xrealloc(NULL, l.n * sizeof *nw.e);
	nw.n = l.n;
	ch = xrealloc(NULL, l.n * sizeof *ch);
	for (size_t i = 0; i < l.n; i++) {
		decide(rootfd, &l.v[i], find_entry(&old, l.v[i].path), &ch[i]);
		entry_of(&l.v[i], &nw.e[i]);
		if (ch[i].act == A_NONE || ch[i].act == A_REFRESH) {
			const struct mf_entry *o = ch[i].old;

			nw.e[i].copy = o->copy;
			nw.e[i].size = o->size;
			nw.e[i].has_sha256 = o->has_sha256;
			memcpy(nw.e[i].sha256, o->sha256, 32);
			nw.e[i].pkg = xstrdup(o->pkg);
			nw.e[i].ver = xstrdup(o->ver);
			if (ch[i].act == A_NONE)
				nw.e[i].host = o->host;
			any |= ch[i].act == A_REFRESH;
		} else {
			nchanges++;
			nw.e[i].copy.set = true;   /* zero until made */
			nw.e[i].has_sha256 = l.v[i].kind == MF_FILE;
		}
	}
	for (size_t i = 0; i < old.n; i++)
		if (!plan_find(&l, old.e[i].path))
			nchanges++;
	if (nchanges == 0 && !any && old.nreq == nw.nreq) {
		close(lockfd);
		return 0;              /* current: nothing written, nothing said */
	}

	/* The intent, then every new copy staged beside its place. */
	write_state(rootfd, "intent", &nw);
	g_staging = &nw;
	for (size_t i = 0; i < l.n; i++) {
		struct stat st;
		struct mf_entry *e = &nw.e[i];

		if (ch[i].act == A_NONE || ch[i].act == A_REFRESH)
			continue;
		if (l.v[i].kind == MF_DIR) {
			if (ch[i].old && ch[i].old->kind != MF_DIR)
				remove_entry(rootfd, l.v[i].path, ch[i].old->kind);
			make_dir(rootfd, &l.v[i], &st);
		} else {
			stage(rootfd, &l.v[i], e->sha256, &st);
			if (l.v[i].kind == MF_FILE)
				e->size = (uint64_t)st.st_size;
		}
		manifest_id_of(&st, &e->copy);
		if (l.v[i].source && l.v[i].hst_set)
			manifest_id_of(&l.v[i].hst, &e->host);
	}
	dpkg_lookup(l.v, l.n);
	for (size_t i = 0; i < l.n; i++)
		if (ch[i].act != A_NONE && ch[i].act != A_REFRESH && l.v[i].pkg) {
			nw.e[i].pkg = xstrdup(l.v[i].pkg);
			nw.e[i].ver = xstrdup(l.v[i].ver);
		}
	if (syncfs(rootfd) < 0)    /* every staged copy on disk first */
		die("%s: syncfs", g_root);
	write_state(rootfd, "manifest.new", &nw);   /* the commit point */
	g_staging = NULL;

	for (size_t i = 0; i < old.n; i++) {
		const struct mf_entry *o = &old.e[i];
		const struct want *w = plan_find(&l, o->path);

		/* decide() set every ch[i].act above (the analyzer does not
		 * follow that loop). */
		if (o->kind == MF_FILE && o->copy.set &&
		    (w == NULL || ch[w - l.v].act == A_REPLACE ||  // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult)
		     ch[w - l.v].act == A_RESTORE)) {
			gone = xrealloc(gone, (ngone + 1) * sizeof *gone);
			gone[ngone++] = (struct gone){ o->copy.dev, o->copy.ino, o->path };
		}
	}
	roll_forward(rootfd, &old, &nw);
	if (syncfs(rootfd) < 0)    /* the renames on disk before the manifest */
		die("%s: syncfs", g_root);
	write_state(rootfd, MANIFEST_NAME, &nw);
	unlink_state(rootfd, "manifest.new");
	unlink_state(rootfd, "intent");

	for (size_t i = 0; i < l.n; i++) {
		const struct mf_entry *o = ch[i].old, *e = &nw.e[i];

		if (ch[i].act == A_CREATE && g_quiet_adds)
			continue;
		if (ch[i].act == A_CREATE)
			printf("%s: added %s%s\n", shown(root), shown(e->path),
			       pv(e->pkg, e->ver, pb1, sizeof pb1));
		else if (ch[i].act == A_REPLACE && o->ver && e->ver &&
		         strcmp(o->ver, e->ver) != 0)
			printf("%s: replaced %s (%s %s -> %s)\n", shown(root),
			       shown(e->path), shown(e->pkg), shown(o->ver), shown(e->ver));
		else if (ch[i].act == A_REPLACE)
			printf("%s: replaced %s%s\n", shown(root), shown(e->path),
			       pv(e->pkg, e->ver, pb1, sizeof pb1));
		else if (ch[i].act == A_RESTORE)
			printf("%s: restored %s (%s)\n", shown(root), shown(e->path),
			       ch[i].why);
	}
	for (size_t i = 0; i < old.n; i++)
		if (!plan_find(&l, old.e[i].path))
			printf("%s: removed %s%s\n", shown(root), shown(old.e[i].path),
			       pv(old.e[i].pkg, old.e[i].ver, pb1, sizeof pb1));
	if (g_quiet_adds) {
		size_t added = 0;

		for (size_t i = 0; i < l.n; i++)
			added += ch[i].act == A_CREATE;
		printf("%s: added %zu entries (%zu in all)\n", shown(root), added, l.n);
	}
	name_mappers(rootfd, gone, ngone);
	if (fflush(stdout) != 0)
		die("stdout");
	close(lockfd);
	close(rootfd);
	return 0;
}

/* --- check --------------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\u%04x", *c);   /* bytes, not code points: see man */
		else
			putchar(*c);
	putchar('"');
}

struct problem { const char *state, *path, *source, *pkg, *ver; };

static int check_root(const char *root, bool json)
{
	int rootfd = open_root(root, false, NULL);
	struct state s;
	struct problem *p = NULL;
	size_t np = 0;
	bool intr;

	g_root = root;
	if (read_state(rootfd, MANIFEST_NAME, &s) < 0)
		diex("%s: no %s (make the root with chdrop-root add)",
		     shown(root), MANIFEST_PATH);
	intr = interrupted(rootfd);
	for (size_t i = 0; i < s.n; i++) {
		const struct mf_entry *e = &s.e[i];
		const char *st = NULL;
		struct stat hs;
		bool missing;

		if (e->source && lstat(e->source, &hs) < 0)
			st = "gone";
		else if (e->source && !manifest_host_current(e, &hs))
			st = "stale";
		if (st == NULL && !copy_intact(rootfd, e, &missing))
			st = missing ? "missing" : "altered";
		if (st == NULL)
			continue;
		p = xrealloc(p, (np + 1) * sizeof *p);
		p[np++] = (struct problem){ st, e->path, e->source, e->pkg, e->ver };
	}
	if (json) {
		printf("{\"root\":");
		json_str(root);
		printf(",\"current\":%s,\"interrupted\":%s,\"entries\":%zu,\"problems\":[",
		       np || intr ? "false" : "true", intr ? "true" : "false", s.n);
		for (size_t i = 0; i < np; i++) {
			printf("%s{\"state\":\"%s\",\"path\":", i ? "," : "", p[i].state);
			json_str(p[i].path);
			if (p[i].source) {
				printf(",\"source\":");
				json_str(p[i].source);
			}
			if (p[i].pkg) {
				printf(",\"package\":");
				json_str(p[i].pkg);
				printf(",\"version\":");
				json_str(p[i].ver);
			}
			putchar('}');
		}
		printf("]}\n");
	} else {
		char pb[256];

		if (intr)
			printf("interrupted %s: an update did not finish\n", shown(root));
		for (size_t i = 0; i < np; i++) {
			if (strcmp(p[i].state, "stale") == 0)
				printf("stale %s: the host's %s changed since it was copied%s\n",
				       shown(p[i].path), shown(p[i].source),
				       pv(p[i].pkg, p[i].ver, pb, sizeof pb));
			else if (strcmp(p[i].state, "gone") == 0)
				printf("gone %s: the host's %s is not there any more\n",
				       shown(p[i].path), shown(p[i].source));
			else if (strcmp(p[i].state, "missing") == 0)
				printf("missing %s: not in the root\n", shown(p[i].path));
			else
				printf("altered %s: differs from the copy chdrop-root made\n",
				       shown(p[i].path));
		}
		if (np || intr)
			printf("%s: %zu of %zu entries not current; run: chdrop-root "
			       "update %s\n", shown(root), np, s.n, shown(root));
	}
	if (fflush(stdout) != 0)
		die("stdout");
	return np || intr ? 1 : 0;
}

/* --- the registry of roots (for update --all) ---------------------------- */

static char **read_registry(size_t *n)
{
	FILE *f = fopen(g_registry, "re");
	char **v = NULL, *line = NULL;
	size_t cap = 0;
	ssize_t len;

	*n = 0;
	if (f == NULL) {
		if (errno == ENOENT)
			return NULL;
		die("%s", g_registry);
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = xstrdup(line);
	}
	free(line);
	(void)fclose(f);                   /* read only */
	return v;
}

/* Add ROOT to the registry (drop: remove it), atomically, under a lock
 * on the registry's directory. */
static void register_root(const char *root, bool drop)
{
	char *dir = xstrdup(g_registry), *base = strrchr(dir, '/'), tmp[300];
	size_t n;
	char **v;
	int dfd, fd;
	FILE *f;
	bool there = false;

	*base++ = '\0';
	if (strcmp(g_registry, REGISTRY) == 0 && mkdir(REGISTRY_DIR, 0755) < 0 &&
	    errno != EEXIST)
		die("%s", REGISTRY_DIR);
	dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || flock(dfd, LOCK_EX) < 0)
		die("%s", dir);
	v = read_registry(&n);
	for (size_t i = 0; i < n; i++)
		there |= strcmp(v[i], root) == 0;
	if (there != drop) {
		close(dfd);
		return;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", base);
	unlinkat(dfd, tmp, 0);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	            O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		die("%s.tmp", g_registry);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], root) != 0)
			fprintf(f, "%s\n", v[i]);
	if (!drop)
		fprintf(f, "%s\n", root);
	if (fflush(f) != 0 || fsync(fd) < 0 || fclose(f) != 0 ||
	    renameat(dfd, tmp, dfd, base) < 0)
		die("%s", g_registry);
	close(dfd);
	free(dir);
}

/* update --all: each root in a process of its own, so one failing root
 * is reported and the others are still brought up to date. */
static int update_all(void)
{
	size_t n;
	char **v = read_registry(&n);
	int status = 0;

	for (size_t i = 0; i < n; i++) {
		pid_t pid;
		int ws;

		(void)fflush(stdout);  /* so the child does not print it again;
		                        * a lost line must not stop the updates */
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			struct basics b = { 0 };
			struct stat st;

			/* A root removed by its administrator leaves the registry
			 * (said, not an error: there is nothing left to update). */
			if (lstat(v[i], &st) < 0 && errno == ENOENT) {
				register_root(v[i], true);
				printf("%s: not there any more; removed from %s\n",
				       shown(v[i]), g_registry);
				exit(0);
			}
			exit(sync_root(v[i], &b, false));
		}
		if (waitpid(pid, &ws, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
			warnx("%s: NOT updated (see above); it keeps its old copies",
			      shown(v[i]));
			status = EXIT_FAIL;
		}
	}
	return status;
}

/* --- main ---------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: chdrop-root add [OPTION]... ROOT [PATH]...\n"
"       chdrop-root update ROOT | --all\n"
"       chdrop-root check [--format=text|json] ROOT\n"
"Build a root directory from host files and keep it current.\n"
"\n"
"  add      copy each host PATH to the same path in ROOT, with what it needs:\n"
"           an ELF file its interpreter and libraries (as the host's loader\n"
"           finds them), a script its #! interpreter, a directory its tree,\n"
"           a symlink its target.  Creates ROOT (root-owned 0755) if missing\n"
"           and registers it for update --all.\n"
"    --user=USER   passwd and group lines for root and USER only\n"
"    --dev         device nodes null zero full random urandom tty\n"
"    --tmp         /tmp, mode 1777\n"
"    --etc         hosts, localtime and a files-only nsswitch.conf\n"
"    --state=DIR   a directory owned by USER (repeatable; needs --user)\n"
"  update   replace every copy whose host source changed, restore altered\n"
"           ones, remove those whose source is gone; one line per change.\n"
"           --all: every registered root (" REGISTRY ")\n"
"    --registry=FILE  the list of roots add registers in and update --all\n"
"                     reads (default " REGISTRY ")\n"
"  check    exit 0 when current, 1 listing what is stale, altered or missing\n"
"\n"
"  -h, --help     this text\n"
"  -V, --version  version\n"
"Exit status: 0 done (check: current), 1 check found something, 125 failure.\n"
"See chdrop-root(1).\n");
}

int main(int argc, char **argv)
{
	enum { O_USER = 256, O_DEV, O_TMP, O_ETC, O_STATE, O_ALL, O_FORMAT,
	       O_REGISTRY };
	static const struct option opts[] = {
		{ "user", required_argument, NULL, O_USER },
		{ "dev", no_argument, NULL, O_DEV },
		{ "tmp", no_argument, NULL, O_TMP },
		{ "etc", no_argument, NULL, O_ETC },
		{ "state", required_argument, NULL, O_STATE },
		{ "all", no_argument, NULL, O_ALL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "registry", required_argument, NULL, O_REGISTRY },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct basics b = { 0 };
	const char *cmd, *why;
	bool all = false, json = false, basics_given = false;
	int c;

	umask(0);                  /* every mode is set explicitly */
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
	}
	if (argc > 1 && (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("chdrop-root " VERSION "\n");
		return fflush(stdout) == 0 ? 0 : EXIT_FAIL;
	}
	if (argc < 2)
		diex("no command (add, update or check); see --help");
	cmd = argv[1];
	if (strcmp(cmd, "add") != 0 && strcmp(cmd, "update") != 0 &&
	    strcmp(cmd, "check") != 0)
		diex("%s: unknown command (add, update or check)", shown(cmd));
	optind = 2;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		bool for_add = c == O_USER || c == O_DEV || c == O_TMP ||
		               c == O_ETC || c == O_STATE;

		if (for_add && strcmp(cmd, "add") != 0)
			diex("%s: only for add", argv[optind - 1]);
		basics_given |= for_add;
		switch (c) {
		case O_USER:
			if (optarg[0] == '\0' || strpbrk(optarg, ":\n/ ") != NULL)
				diex("--user=%s: not a user name", shown(optarg));
			b.user = optarg;
			break;
		case O_DEV: b.dev = true; break;
		case O_TMP: b.tmp = true; break;
		case O_ETC: b.etc = true; break;
		case O_STATE:
			if (manifest_check_path(optarg, &why) < 0)
				diex("--state=%s: %s", shown(optarg), why);
			b.state = xrealloc(b.state, (b.nstate + 1) * sizeof *b.state);
			b.state[b.nstate++] = optarg;
			break;
		case O_ALL:
			if (strcmp(cmd, "update") != 0)
				diex("--all: only for update");
			all = true;
			break;
		case O_FORMAT:
			if (strcmp(cmd, "check") != 0)
				diex("--format: only for check");
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "text") != 0)
				diex("--format=%s: text or json", shown(optarg));
			break;
		case O_REGISTRY:
			if (optarg[0] != '/' || strrchr(optarg, '/')[1] == '\0')
				diex("--registry=%s: an absolute file name",
				     shown(optarg));
			g_registry = optarg;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("chdrop-root " VERSION "\n"); return 0;
		default: usage(stderr); return EXIT_FAIL;
		}
	}
	if (strcmp(cmd, "update") == 0 && all) {
		if (optind != argc)
			diex("update --all takes no ROOT");
		return update_all();
	}
	if (optind >= argc)
		diex("%s: no ROOT given", cmd);
	if (strcmp(cmd, "add") != 0 && optind + 1 != argc)
		diex("%s: one ROOT only (%s?)", cmd, shown(argv[optind + 1]));
	{
		const char *root = argv[optind];
		size_t rl = strlen(root);
		char *r = xstrdup(root);

		while (rl > 1 && r[rl - 1] == '/')
			r[--rl] = '\0';
		if (r[0] != '/')
			diex("%s: ROOT must be an absolute path", shown(root));
		if (strcmp(cmd, "check") == 0)
			return check_root(r, json);
		for (int i = optind + 1; i < argc; i++) {
			if (argv[i][0] != '/')
				diex("%s: not an absolute path", shown(argv[i]));
			if (manifest_check_path(argv[i], &why) < 0)
				diex("%s: %s", shown(argv[i]), why);
			add_unique(&b.adds, &b.nadds, argv[i]);
		}
		if (strcmp(cmd, "add") == 0 && b.nadds == 0 && !basics_given)
			diex("add: nothing to add (PATH or a basic option)");
		if (atexit(undo_made) != 0 ||   /* runs after undo_staging */
		    atexit(undo_staging) != 0)
			diex("atexit failed");
		if (strcmp(cmd, "add") == 0) {
			g_quiet_adds = true;
			if (sync_root(r, &b, true) != 0)
				return EXIT_FAIL;
			g_made.meta[0] = '\0';
			g_made.root = NULL;
			register_root(r, false);
			return 0;
		}
		return sync_root(r, &b, false);
	}
}
