/* SPDX-License-Identifier: ISC */
/* Test driver for elfdeps.c (built by make check): prints what
 * elf_closure() resolves, for tests/87-elfdeps.bats.
 *
 *   elfclosure [-r TREE] PATH...        every object and symlink
 *   elfclosure [-r TREE] -l PATH...     per PATH one line: PATH, a tab,
 *                                       the sorted set of resolved paths
 *                                       as ldd shows them ("not found:NAME"
 *                                       for a missing one; "static" when
 *                                       there is no interpreter; the
 *                                       interpreter only when a DT_NEEDED
 *                                       names it, as ldd lists it)
 *   elfclosure [-r TREE] -m PATH        elf_missing(): exit 1 and the
 *                                       message when something is missing
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdeps.h"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *role(enum elf_role r)
{
	return r == ELF_PROGRAM ? "program" : r == ELF_INTERP ? "interp" : "library";
}

static void full(const struct elf_closure *c)
{
	for (size_t k = 0; k < c->nobj; k++) {
		const struct elf_object *o = &c->obj[k];
		printf("%s %s path=%s real=%s parent=%d%s%s\n", role(o->role), o->name,
		       o->path ? o->path : "-", o->real ? o->real : "-", o->parent,
		       o->why ? " missing=" : "", o->why ? o->why : "");
	}
	for (size_t k = 0; k < c->nlinks; k++)
		printf("link %s -> %s\n", c->links[k].path, c->links[k].target);
}

static void ldd_set(const char *path, const struct elf_closure *c)
{
	char **v = calloc(c->nobj + 1, sizeof(*v));

	if (v == NULL)
		err(2, "calloc");
	printf("%s\t", path);
	if (c->nobj < 2) {
		printf("static\n");
		free(v);
		return;
	}
	for (size_t k = 1; k < c->nobj; k++) {
		const struct elf_object *o = &c->obj[k];
		if (o->role == ELF_INTERP && !o->asked) {
			v[k - 1] = strdup("");   /* sorts first, printed as nothing */
		} else if (o->why == NULL) {
			v[k - 1] = strdup(o->path);
		} else if (asprintf(&v[k - 1], "not found:%s", o->name) < 0) {
			v[k - 1] = NULL;
		}
		if (v[k - 1] == NULL)
			err(2, "strdup");
	}
	qsort(v, c->nobj - 1, sizeof(*v), cmp);
	for (size_t k = 0, n = 0; k + 1 < c->nobj; k++) {
		if (v[k][0] != '\0')
			printf("%s%s", n++ ? " " : "", v[k]);
		free(v[k]);
	}
	printf("\n");
	free(v);
}

int main(int argc, char **argv)
{
	const char *tree = "/";
	int opt, mode = 0, treefd, status = 0;

	while ((opt = getopt(argc, argv, "r:lm")) != -1) {
		switch (opt) {
		case 'r': tree = optarg; break;
		case 'l': mode = 'l'; break;
		case 'm': mode = 'm'; break;
		default: return 2;
		}
	}
	if (optind >= argc)
		errx(2, "usage: elfclosure [-r TREE] [-l|-m] PATH...");
	treefd = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (treefd < 0)
		err(2, "%s", tree);
	for (int i = optind; i < argc; i++) {
		struct elf_closure c;
		char msg[4096];

		if (mode == 'm') {
			int r = elf_missing(treefd, argv[i], msg, sizeof(msg));
			if (r < 0)
				errx(2, "%s", msg);
			if (r > 0) {
				printf("%s\n", msg);
				status = 1;
			}
			continue;
		}
		if (elf_closure(treefd, argv[i], &c, msg, sizeof(msg)) < 0) {
			warnx("%s", msg);
			status = 1;
			continue;
		}
		if (mode == 'l')
			ldd_set(argv[i], &c);
		else
			full(&c);
		elf_closure_free(&c);
	}
	return status;
}
