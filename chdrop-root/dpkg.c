/* SPDX-License-Identifier: ISC */
/* Which Debian package (and version) a host file came from.
 *
 * Read from dpkg's own plain files, /var/lib/dpkg/info/PKG.list (the paths
 * each package installed) and /var/lib/dpkg/status (versions), rather than
 * through dpkg-query: one pass over the lists answers every file of a
 * root at once (dpkg-query -S costs a process and a full scan per call),
 * and dpkg-query matches paths literally, so on a merged-/usr system it
 * does not find /usr/lib/x86_64-linux-gnu/libc.so.6, which libc6 lists as
 * /lib/x86_64-linux-gnu/libc.so.6.  Here a listed path whose first
 * component is a symlink on the host (/lib -> usr/lib) is read through it.
 * dpkg-divert'ed files are not followed (the diverted path is named).
 * Only called when something is copied: a no-op update never reads them.
 * A dpkg database that cannot be read leaves the fields unknown ("-"). */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "root.h"

#define DPKG_INFO   "/var/lib/dpkg/info"
#define DPKG_STATUS "/var/lib/dpkg/status"

struct pv { char *pkg, *ver; };

/* An array of pointers, sized as sizeof *by_src: clang-tidy 14 takes that
 * for sizeof of a pointer where a struct was meant (the NOLINTs below). */
static struct want **by_src;
static size_t nsrc;

static int cmp_src(const void *a, const void *b)
{
	const struct want *const *x = a, *const *y = b;

	return strcmp((*x)->source, (*y)->source);
}

static int cmp_key(const void *k, const void *b)
{
	const struct want *const *y = b;

	return strcmp(k, (*y)->source);
}

static int cmp_pv(const void *a, const void *b)
{
	return strcmp(((const struct pv *)a)->pkg, ((const struct pv *)b)->pkg);
}

/* Installed package -> version, from the status file. */
static struct pv *read_status(size_t *n)
{
	FILE *f = fopen(DPKG_STATUS, "re");
	struct pv *v = NULL;
	char *line = NULL, *pkg = NULL, *ver = NULL;
	size_t cap = 0;
	bool inst = false;

	*n = 0;
	if (f == NULL)
		return NULL;
	for (;;) {
		ssize_t len = getline(&line, &cap, f);

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len <= 0) {          /* end of a stanza */
			if (pkg && ver && inst) {
				v = realloc(v, (*n + 1) * sizeof *v);
				if (v == NULL)
					die("realloc");
				v[(*n)++] = (struct pv){ pkg, ver };
				pkg = ver = NULL;
			}
			free(pkg);
			free(ver);
			pkg = ver = NULL;
			inst = false;
			if (len < 0)
				break;
			continue;
		}
		if (strncmp(line, "Package: ", 9) == 0) {
			free(pkg);
			pkg = strdup(line + 9);
		} else if (strncmp(line, "Version: ", 9) == 0) {
			free(ver);
			ver = strdup(line + 9);
		} else if (strncmp(line, "Status: ", 8) == 0) {
			inst = strstr(line, " installed") != NULL;
		}
	}
	free(line);
	(void)fclose(f);           /* read only */
	if (v)
		qsort(v, *n, sizeof *v, cmp_pv);
	return v;
}

/* "/lib/x" read through the host's top-level symlink /lib -> usr/lib. */
static const char *canon(const char *p, char *buf, size_t n)
{
	static struct { char name[64]; char target[64]; bool link; } top[32];
	static size_t ntop;
	const char *s = strchr(p + 1, '/');
	size_t cl = s ? (size_t)(s - p) : strlen(p);
	size_t i;

	if (p[0] != '/' || cl >= sizeof top[0].name)
		return p;
	for (i = 0; i < ntop; i++)
		if (strncmp(top[i].name, p, cl) == 0 && top[i].name[cl] == '\0')
			break;
	if (i == ntop) {
		ssize_t r;

		if (ntop == sizeof top / sizeof top[0])
			return p;
		memcpy(top[i].name, p, cl);
		top[i].name[cl] = '\0';
		r = readlink(top[i].name, top[i].target, sizeof top[i].target - 1);
		if (r > 0)
			top[i].target[r] = '\0';
		top[i].link = r > 0;
		ntop++;
	}
	if (!top[i].link)
		return p;
	snprintf(buf, n, "%s%s%s", top[i].target[0] == '/' ? "" : "/",
	         top[i].target, p + cl);
	return buf;
}

static void read_list(const char *file, const char *pkg, const struct pv *st,
                      size_t nst)
{
	FILE *f;
	char *line = NULL, buf[4096];
	size_t cap = 0;
	ssize_t len;
	int fd = openat(AT_FDCWD, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || (f = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		struct want **hit;
		const char *c;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		c = canon(line, buf, sizeof buf);
		hit = bsearch(c, by_src, nsrc, sizeof *by_src, cmp_key);  // NOLINT(bugprone-sizeof-expression)
		if (hit == NULL)
			continue;
		/* Several wants may share a source: walk to the first. */
		while (hit > by_src && strcmp(hit[-1]->source, c) == 0)
			hit--;
		for (; hit < by_src + nsrc && strcmp((*hit)->source, c) == 0; hit++) {
			struct pv key = { .pkg = (char *)pkg }, *v;

			if ((*hit)->pkg != NULL)
				continue;
			v = bsearch(&key, st, nst, sizeof *st, cmp_pv);
			(*hit)->pkg = strdup(pkg);
			(*hit)->ver = strdup(v ? v->ver : "?");
		}
	}
	free(line);
	(void)fclose(f);           /* read only */
}

void dpkg_lookup(struct want *v, size_t n)
{
	DIR *d;
	const struct dirent *de;
	struct pv *st;
	size_t nst;

	by_src = calloc(n ? n : 1, sizeof *by_src);  // NOLINT(bugprone-sizeof-expression)
	if (by_src == NULL)
		die("calloc");
	nsrc = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].source && v[i].kind != MF_DIR && v[i].pkg == NULL)
			by_src[nsrc++] = &v[i];
	if (nsrc == 0 || (d = opendir(DPKG_INFO)) == NULL) {
		free(by_src);
		return;
	}
	qsort(by_src, nsrc, sizeof *by_src, cmp_src);  // NOLINT(bugprone-sizeof-expression)
	st = read_status(&nst);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char *file, *pkg;

		if (l <= 5 || strcmp(de->d_name + l - 5, ".list") != 0)
			continue;
		pkg = strndup(de->d_name, l - 5);
		if (pkg == NULL || asprintf(&file, DPKG_INFO "/%s", de->d_name) < 0)
			die("malloc");
		pkg[strcspn(pkg, ":")] = '\0';   /* libc6:amd64 -> libc6 */
		read_list(file, pkg, st, nst);
		free(file);
		free(pkg);
	}
	closedir(d);
	for (size_t i = 0; i < nst; i++) {
		free(st[i].pkg);
		free(st[i].ver);
	}
	free(st);
	free(by_src);
}
