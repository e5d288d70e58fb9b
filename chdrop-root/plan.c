/* SPDX-License-Identifier: ISC */
/* The planner: what should be in a root, as a sorted list of entries with
 * every parent directory, each path once.  Pure: no system call beyond
 * malloc, no exit (a list that cannot hold more memory aborts). */
#include <stdlib.h>
#include <string.h>

#include "root.h"

/* realloc, or abort: a planner out of memory has nothing to say. */
void *grow(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		abort();
	return q;
}

static char *dup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

/* Takes a copy of *w (its strings too). */
void plan_push(struct wantlist *l, const struct want *w)
{
	struct want *n;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = grow(l->v, l->cap * sizeof *l->v);
	}
	n = &l->v[l->n++];
	*n = *w;
	n->path = dup(w->path);
	n->source = dup(w->source);
	n->extra = dup(w->extra);
	n->pkg = dup(w->pkg);
	n->ver = dup(w->ver);
	if (w->data) {
		n->data = grow(NULL, w->datalen ? w->datalen : 1);
		memcpy(n->data, w->data, w->datalen);
	}
}

static void free_want(struct want *w)
{
	free(w->path);
	free(w->source);
	free(w->extra);
	free(w->data);
	free(w->pkg);
	free(w->ver);
}

void plan_free(struct wantlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free_want(&l->v[i]);
	free(l->v);
	*l = (struct wantlist){ 0 };
}

int cmp_path(const char *a, const char *b)
{
	return strcmp(a, b);       /* byte order, as the manifest is sorted */
}

static int cmp_want(const void *a, const void *b)
{
	const struct want *x = a, *y = b;

	return cmp_path(x->path, y->path);
}

const struct want *plan_find(const struct wantlist *l, const char *path)
{
	struct want key = { .path = (char *)path };

	return bsearch(&key, l->v, l->n, sizeof *l->v, cmp_want);
}

/* How strongly an origin holds its entry: a path named on the command
 * line stays "add" even when something else also needs it. */
static int strength(enum mf_origin o)
{
	return o == MF_NEED ? 0 : o == MF_ADD ? 2 : 1;
}

static bool same_thing(const struct want *a, const struct want *b)
{
	if (a->kind != b->kind)
		return false;
	if ((a->extra == NULL) != (b->extra == NULL) ||
	    (a->extra && strcmp(a->extra, b->extra) != 0))
		return false;
	if ((a->source == NULL) != (b->source == NULL) ||
	    (a->source && strcmp(a->source, b->source) != 0))
		return false;
	return true;
}

/* Add every missing parent directory, sort, merge duplicates.  Returns 0,
 * or -1 with *bad (a path in the list) and *why. */
int plan_finish(struct wantlist *l, const char **bad, const char **why)
{
	size_t n = l->n, o;

	for (size_t i = 0; i < n; i++) {
		char *p = strdup(l->v[i].path);

		if (p == NULL)
			abort();
		for (char *s = strrchr(p, '/'); s && s != p; s = strrchr(p, '/')) {
			struct want d = { .path = p, .kind = MF_DIR, .mode = 0755,
			                  .origin = MF_NEED };

			*s = '\0';
			plan_push(l, &d);
		}
		free(p);
	}
	qsort(l->v, l->n, sizeof *l->v, cmp_want);
	for (o = 0, n = 0; n < l->n; n++) {
		struct want *w = &l->v[n];
		const char *base = strrchr(w->path, '/') + 1;

		if (strncmp(base, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
			*bad = w->path;
			*why = "name reserved for chdrop-root's temporary files";
			return -1;
		}
		if (o > 0 && cmp_path(l->v[o - 1].path, w->path) == 0) {
			struct want *k = &l->v[o - 1];

			/* A parent made here gives way to the real directory. */
			if (k->kind == MF_DIR && w->kind == MF_DIR &&
			    (k->source == NULL || w->source == NULL)) {
				if (k->source == NULL && strength(w->origin) >= strength(k->origin)) {
					free_want(k);
					*k = *w;
				} else {
					free_want(w);
				}
				continue;
			}
			if (!same_thing(k, w)) {
				*bad = w->path;
				*why = "wanted twice as different things";
				return -1;
			}
			if (strength(w->origin) > strength(k->origin))
				k->origin = w->origin;
			free_want(w);
			continue;
		}
		l->v[o++] = *w;
	}
	l->n = o;
	/* A parent must be a directory, and nothing is managed inside a
	 * state directory (its owner may change it at any time). */
	for (size_t i = 0; i < l->n; i++) {
		const struct want *w = &l->v[i], *up;
		char *p = strdup(w->path), *s;

		if (p == NULL)
			abort();
		s = strrchr(p, '/');
		if (s == p) {
			free(p);
			continue;
		}
		*s = '\0';
		up = plan_find(l, p);
		free(p);
		if (up == NULL || up->kind != MF_DIR) {
			*bad = up ? up->path : w->path;
			*why = "not a directory, yet something is wanted beneath it";
			return -1;
		}
		if (up->origin == MF_STATE) {
			*bad = w->path;
			*why = "inside a state directory";
			return -1;
		}
	}
	return 0;
}
