/* SPDX-License-Identifier: ISC */
/* chdrop — the launch-time staleness check (--stale=warn|refuse|ignore).
 *
 * A root built by chdrop-root carries ROOT/.chdrop/manifest, which records
 * for every copy the identity of its host source when it was copied
 * (device, inode, mtime, ctime).  Before anything privileged changes,
 * each recorded source is lstat()ed on the host and compared: stat only,
 * never a hash (chdrop-root check hashes), so a launch stays cheap.  A
 * source that is gone counts as stale.  The manifest is read through the
 * root descriptor with the --userdb=root care; one that fails it, or does
 * not parse, is refused, never skipped. */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "launcher.h"
#include "manifest.h"

/* Fixed buffers, not the heap: what is found lives until the exec, and a
 * name longer than PATH_MAX cannot be lstat()ed anyway (it is cut, with
 * "..." at the end, only in the message). */
struct stale {
	bool set, gone, has_pkg;
	char path[PATH_MAX], source[PATH_MAX], pkg[256];
};
struct walk { struct stale pkg, file, dir; };
/* One check per process; kept here, what it found lives to the exec. */
static struct walk found;

static void keep(char *dst, size_t size, const char *a, const char *b)
{
	int n = snprintf(dst, size, "%s%s%s", a, b ? " " : "", b ? b : "");

	if (n < 0 || (size_t)n >= size)
		memcpy(dst + size - 4, "...", 4);
}

/* Every entry is parsed (a malformed line anywhere is refused), but the
 * host is asked about entries only until the first stale one a Debian
 * package owns.  The line names that one if any (what a security update
 * replaced, with its recorded version), else the first other stale file
 * (/etc/ld.so.cache, which every ldconfig rewrites, is such a file), and
 * a directory (its mtime moves with every file added or removed) only
 * when nothing else is stale. */
static int entry(const struct mf_entry *e, void *arg)
{
	struct walk *w = &found;
	struct stale *s = e->kind == MF_DIR ? &w->dir
	                  : e->pkg != NULL ? &w->pkg : &w->file;
	struct stat st;
	bool gone;

	(void)arg;
	if (w->pkg.set || s->set || e->source == NULL)
		return 0;
	gone = lstat(e->source, &st) < 0;
	if (!gone && manifest_host_current(e, &st))
		return 0;
	keep(s->path, sizeof(s->path), e->path, NULL);
	keep(s->source, sizeof(s->source), e->source, NULL);
	s->has_pkg = e->pkg != NULL;
	if (s->has_pkg)
		keep(s->pkg, sizeof(s->pkg), e->pkg, e->ver);
	s->set = true;
	s->gone = gone;
	return 0;
}

static char *escaped(const char *s)
{
	char *e = malloc(4 * strlen(s) + 1);

	if (e == NULL)
		err(EXIT_CHDROP, "malloc");
	escape_text(e, s);
	return e;
}

void check_stale(struct launch_plan *p, int rootfd)
{
	struct walk *w = &found;
	struct stale *s;
	const char *why = NULL;
	size_t len = 0, line = 0;
	char *buf, *root, *path, *source, *pv;

	if (p->root == NULL || rootfd < 0)
		return;
	if (p->stale == STALE_IGNORE) {
		p->stale_found = STALE_NOT_RUN;
		return;
	}
	buf = read_in_root(p, rootfd, MANIFEST_PATH, MANIFEST_MAX, true,
	                   "--stale", &len);
	if (buf == NULL) {
		p->stale_found = STALE_NO_MANIFEST;
		return;
	}
	root = escaped(p->root);
	if (manifest_parse(buf, len, entry, NULL, &line, &why) < 0)
		errx(EXIT_CHDROP, "--stale: %s/%s: malformed at line %zu: %s "
		     "(--stale=ignore skips the check)", root, MANIFEST_PATH,
		     line, why);
	free(buf);
	s = w->pkg.set ? &w->pkg : w->file.set ? &w->file : &w->dir;
	if (!s->set) {
		p->stale_found = STALE_CURRENT;
		free(root);
		return;
	}
	p->stale_found = STALE_FOUND;
	p->stale_path = s->path;
	path = escaped(s->path);
	source = escaped(s->source);
	pv = escaped(s->has_pkg ? s->pkg : "");
	if (p->stale == STALE_REFUSE)
		errx(EXIT_CHDROP, "--stale=refuse: %s%s is stale: the host's %s "
		     "%s%s%s%s (chdrop-root update %s brings it up to date)", root,
		     path, source, s->gone ? "is gone" : "changed since it was "
		     "copied", *pv ? " (" : "", pv, *pv ? ")" : "", root);
	warnx("warning: %s%s is stale: the host's %s %s%s%s%s (chdrop-root "
	      "update %s brings it up to date)", root, path, source,
	      s->gone ? "is gone" : "changed since it was copied",
	      *pv ? " (" : "", pv, *pv ? ")" : "", root);
	free(root);
	free(path);
	free(source);
	free(pv);
}
