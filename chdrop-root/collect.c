/* SPDX-License-Identifier: ISC */
/* The host side: from the paths named to `add` (and the basics), what
 * should be in the root.  Only lstat, readlink, readdir and reads of file
 * headers (through elfdeps.c for ELF files): no code of any file is run.
 * Every failure is one line and exit 125. */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdeps.h"
#include "root.h"

#define MAX_LINKS 40

struct walk {
	struct wantlist *l;
	void *seen;                /* tsearch() set of host paths done */
	int hostfd;
	bool elf_seen;
	int in_tree;               /* inside add_tree() */
	bool member;               /* adding a closure's members: their own
	                            * needs are in that closure already */
};

static void add_path(struct walk *w, const char *path, enum mf_origin origin);

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* First visit of PATH? */
static bool first_visit(struct walk *w, const char *path)
{
	char *k = strdup(path);
	char **slot;

	if (k == NULL)
		die("strdup");
	slot = tsearch(k, &w->seen, cmp_str);
	if (slot == NULL)
		die("tsearch");
	if (*slot != k) {
		free(k);
		return false;
	}
	return true;
}

static void push(struct walk *w, const char *path, const char *source,
                 enum mf_kind kind, uint32_t mode, enum mf_origin origin,
                 const char *extra, const struct stat *st)
{
	struct want x = {
		.path = (char *)path, .source = (char *)source, .kind = kind,
		.mode = mode, .origin = origin, .extra = (char *)extra,
	};

	if (st) {
		x.hst = *st;
		x.hst_set = true;
	}
	plan_push(w->l, &x);
}

/* Resolve PATH on the host as the kernel would, one component at a time
 * with lstat; every symlink met becomes an entry of its own (recreated in
 * the root), so the root resolves the same name the same way.  Returns the
 * symlink-free path (malloc'd), NULL with errno when it does not resolve. */
static char *resolve(struct walk *w, const char *path, enum mf_origin origin)
{
	char *todo = strdup(path), *cur = calloc(1, strlen(path) + 2);
	int links = 0;

	if (todo == NULL || cur == NULL)
		die("malloc");
	for (char *p = todo; ; ) {
		char *c, *cand, target[4096];
		struct stat st;
		ssize_t n;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		c = p;
		p += strcspn(p, "/");
		if (*p)
			*p++ = '\0';
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *s = strrchr(cur, '/');

			if (s)
				*s = '\0';
			continue;
		}
		if (asprintf(&cand, "%s/%s", cur, c) < 0)
			die("asprintf");
		if (lstat(cand, &st) < 0) {
			free(cand);
			free(todo);
			free(cur);
			return NULL;
		}
		if (!S_ISLNK(st.st_mode)) {
			free(cur);             /* the resolved prefix is now cand */
			cur = cand;
			continue;
		}
		if (++links > MAX_LINKS) {
			errno = ELOOP;
			free(cand);
			free(todo);
			free(cur);
			return NULL;
		}
		n = readlink(cand, target, sizeof target - 1);
		if (n <= 0)
			die("%s: readlink", shown(cand));
		target[n] = '\0';
		if (first_visit(w, cand))
			push(w, cand, cand, MF_SYMLINK, 0777,
			     *p == '\0' ? origin : MF_NEED, target, &st);
		{
			char *next;

			if (asprintf(&next, "%s%s%s/%s", target[0] == '/' ? "" : cur,
			             target[0] == '/' ? "" : "/", target, p) < 0)
				die("asprintf");
			free(todo);
			todo = next;
			p = todo;
			cur[0] = '\0';    /* todo now starts from / */
		}
		free(cand);
	}
	free(todo);
	if (cur[0] == '\0')
		memcpy(cur, "/", 2);   /* cur has 2 bytes at least: strlen(path)
		                        * + 2 at first, then some "/x" */
	return cur;
}

static uint32_t copy_mode(const struct stat *st)
{
	/* Never setuid/setgid/sticky, never group/other-writable. */
	return (uint32_t)(st->st_mode & 0755);
}

/* What an ELF file or a script needs: the loader's closure, or the #!
 * interpreter.  Nothing of the file is run. */
/* Stopgap: elf_closure() treats an ELF file without PT_INTERP as static
 * and resolves nothing for it; a shared object (a module loaded at run
 * time, a library) has none yet needs its DT_NEEDED libraries.  Until it
 * does, they are found here with elfdeps' own pure parsers, in the
 * loader's order: DT_RUNPATH (else DT_RPATH) with $ORIGIN, ld.so.cache,
 * then the default directories.  (No ELF reading of our own.) */
static bool found_in(const char *dir, const char *origin, const char *name,
                     char *out, size_t n)
{
	if (strncmp(dir, "$ORIGIN", 7) == 0)
		snprintf(out, n, "%s%s/%s", origin, dir + 7, name);
	else if (strncmp(dir, "${ORIGIN}", 9) == 0)
		snprintf(out, n, "%s%s/%s", origin, dir + 9, name);
	else
		snprintf(out, n, "%s/%s", dir, name);
	return access(out, F_OK) == 0;
}

static void module_deps(struct walk *w, const char *real)
{
	static const char *const defaults[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
	};
	static struct ldcache cache;
	static bool cache_ok, cache_tried;
	struct elf_info *e = calloc(1, sizeof *e);
	struct elf_hw hw;
	struct elf_part part;
	char *buf = NULL, origin[4096];
	size_t len = 0;
	const char *why;
	FILE *f;

	if (e == NULL)
		die("calloc");
	f = fopen(real, "re");
	if (f == NULL)
		die("%s", shown(real));
	for (size_t cap = 0; ; ) {
		size_t r;

		if (len == cap)
			buf = grow(buf, cap = cap ? cap * 2 : 1 << 16);
		r = fread(buf + len, 1, cap - len, f);
		if (r == 0)
			break;
		len += r;
	}
	(void)fclose(f);           /* read only */
	part = (struct elf_part){ (const unsigned char *)buf, 0, len };
	if (elf_parse(&part, 1, e, &why) != ELF_OK || !e->dynamic || e->interp) {
		free(buf);
		free(e);
		return;
	}
	if (!cache_tried) {
		cache_tried = true;
		f = fopen("/etc/ld.so.cache", "re");
		if (f) {
			struct stat st;
			static char *cache_buf;   /* lives as long as cache */

			if (fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
			    (cache_buf = malloc((size_t)st.st_size)) != NULL &&
			    fread(cache_buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size)
				cache_ok = ldcache_parse(cache_buf, (size_t)st.st_size,
				                         &cache, &why) == 0;
			(void)fclose(f);   /* read only */
		}
	}
	elf_hw_detect(w->hostfd, &hw);
	snprintf(origin, sizeof origin, "%s", real);
	*strrchr(origin, '/') = '\0';
	for (size_t i = 0; i < e->nneeded; i++) {
		const char *name = e->needed[i], *rp = e->runpath ? e->runpath : e->rpath;
		char path[4096];
		bool found = false;

		if (strchr(name, '/')) {
			add_path(w, name, MF_NEED);
			continue;
		}
		for (char *list = rp ? strdup(rp) : NULL, *save = NULL,
		     *d = list ? strtok_r(list, ":", &save) : NULL; d && !found;
		     d = strtok_r(NULL, ":", &save)) {
			found = found_in(d, origin, name, path, sizeof path);
			if (found || d == NULL)
				free(list);
		}
		if (!found && cache_ok) {
			const char *p = ldcache_lookup(&cache, &hw, name);

			if (p && access(p, F_OK) == 0) {
				snprintf(path, sizeof path, "%s", p);
				found = true;
			}
		}
		for (size_t k = 0; !found && k < sizeof defaults / sizeof defaults[0]; k++)
			found = found_in(defaults[k], origin, name, path, sizeof path);
		if (!found)
			diex("%s: needs %s, which the host's loader does "
			     "not find", shown(real), shown(name));
		add_path(w, path, MF_NEED);
	}
	w->elf_seen = true;
	free(buf);
	free(e);
}

/* in_tree: a file met in a directory's tree brings its ELF closure, not
 * its #! interpreter (trees hold scripts for other interpreters). */
static void file_deps(struct walk *w, const char *real, bool in_tree)
{
	struct elf_closure c = { 0 };
	char msg[512], head[256];
	int fd = open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		die("%s: open", shown(real));
	n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n < 0)
		die("%s: read", shown(real));
	head[n] = '\0';
	if (n > 2 && head[0] == '#' && head[1] == '!') {
		char *s = head + 2, *e;

		s += strspn(s, " \t");
		e = s + strcspn(s, " \t\n");
		*e = '\0';
		if (s[0] == '/' && !in_tree)
			add_path(w, s, MF_NEED);
		return;
	}
	/* Only the magic is looked at here: elfdeps.c reads ELF files. */
	if (n < 4 || memcmp(head, "\177ELF", 4) != 0)
		return;
	if (elf_closure(w->hostfd, real, &c, msg, sizeof msg) < 0)
		diex("%s", msg);
	if (c.nobj == 1)
		module_deps(w, real);
	for (size_t i = 1; i < c.nobj; i++) {
		bool was = w->member;

		if (c.obj[i].why != NULL || c.obj[i].path == NULL)
			diex("%s: needs %s, which the host's loader does "
			     "not find: %s", shown(real), shown(c.obj[i].name),
			     c.obj[i].why ? c.obj[i].why : "missing");
		w->member = true;
		add_path(w, c.obj[i].path, MF_NEED);
		w->member = was;
	}
	if (c.nobj > 1)
		w->elf_seen = true;
	elf_closure_free(&c);
}

static void add_tree(struct walk *w, const char *dir);

/* One host object at its symlink-free path REAL. */
static void add_real(struct walk *w, const char *real, enum mf_origin origin)
{
	struct stat st;

	if (!first_visit(w, real))
		return;
	if (lstat(real, &st) < 0)
		die("%s", shown(real));
	if (S_ISDIR(st.st_mode)) {
		push(w, real, real, MF_DIR, copy_mode(&st), origin, NULL, &st);
		w->in_tree++;
		add_tree(w, real);
		w->in_tree--;
	} else if (S_ISREG(st.st_mode)) {
		push(w, real, real, MF_FILE, copy_mode(&st), origin, NULL, &st);
		if (!w->member)
			file_deps(w, real, origin == MF_NEED && w->in_tree > 0);
	} else if (S_ISLNK(st.st_mode)) {
		add_path(w, real, origin);   /* replaced meanwhile: resolve again */
	} else {
		diex("%s: a %s: only files, directories and symlinks "
		     "are copied", shown(real), S_ISCHR(st.st_mode) ? "character "
		     "device" : S_ISBLK(st.st_mode) ? "block device" :
		     S_ISFIFO(st.st_mode) ? "FIFO" : "socket");
	}
}

static void add_tree(struct walk *w, const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *de;
	char **names = NULL;
	size_t n = 0;

	if (d == NULL)
		die("%s: opendir", shown(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = grow(names, (n + 1) * sizeof *names);
		if (asprintf(&names[n], "%s/%s", strcmp(dir, "/") ? dir : "",
		             de->d_name) < 0)
			die("malloc");
		n++;
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		if (lstat(names[i], &st) < 0)
			die("%s", shown(names[i]));
		if (S_ISLNK(st.st_mode)) {
			/* Recreated; its target comes too when it is there. */
			char *real = resolve(w, names[i], MF_NEED);

			if (real != NULL)
				add_real(w, real, MF_NEED);
			free(real);
		} else {
			add_real(w, names[i], MF_NEED);
		}
		free(names[i]);
	}
	free(names);
}

static void add_path(struct walk *w, const char *path, enum mf_origin origin)
{
	char *real;

	if (path[0] != '/')
		diex("%s: not an absolute path", shown(path));
	real = resolve(w, path, origin);
	if (real == NULL)
		die("%s", shown(path));
	if (strcmp(real, "/") == 0)
		diex("%s: the host's whole /", shown(path));
	add_real(w, real, origin);
	free(real);
}

static void push_data(struct walk *w, const char *path, enum mf_origin o,
                      const char *extra, const char *data)
{
	struct want x = {
		.path = (char *)path, .kind = MF_FILE, .mode = 0644,
		.origin = o, .extra = (char *)extra, .data = (char *)data,
		.datalen = strlen(data),
	};

	plan_push(w->l, &x);
}

/* passwd and group lines for root and USER only, from the host. */
static void add_user(struct walk *w, const char *user, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw;
	const struct group *gr;
	char *pwd, *grp, *rootline, *grroot;

	errno = 0;
	pw = getpwuid(0);
	if (pw == NULL)
		diex("root: not in the host's account database");
	if (asprintf(&rootline, "%s:x:0:0:%s:%s:%s\n", pw->pw_name, pw->pw_gecos,
	             pw->pw_dir, pw->pw_shell) < 0)
		die("asprintf");
	errno = 0;
	pw = getpwnam(user);
	if (pw == NULL)
		diex("--user=%s: no such user on the host", shown(user));
	if (pw->pw_uid == 0)
		diex("--user=%s: is root", shown(user));
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (asprintf(&pwd, "%s%s:x:%u:%u:%s:%s:%s\n", rootline, pw->pw_name,
	             (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, pw->pw_gecos,
	             pw->pw_dir, pw->pw_shell) < 0)
		die("asprintf");
	gr = getgrgid(0);
	if (asprintf(&grroot, "%s:x:0:\n", gr ? gr->gr_name : "root") < 0)
		die("asprintf");
	gr = getgrgid(*gid);
	if (gr == NULL)
		diex("--user=%s: primary group %u not in the host's "
		     "database", shown(user), (unsigned)*gid);
	if (asprintf(&grp, "%s%s:x:%u:\n", grroot, gr->gr_name,
	             (unsigned)*gid) < 0)
		die("asprintf");
	push_data(w, "/etc/passwd", MF_USER, user, pwd);
	push_data(w, "/etc/group", MF_USER, user, grp);
	free(pwd);
	free(grp);
	free(rootline);
	free(grroot);
}

static const struct { const char *name; const char *num; } devs[] = {
	{ "/dev/null", "1,3" }, { "/dev/zero", "1,5" }, { "/dev/full", "1,7" },
	{ "/dev/random", "1,8" }, { "/dev/urandom", "1,9" }, { "/dev/tty", "5,0" },
};

void collect(const struct basics *b, struct wantlist *l)
{
	struct walk w = { .l = l };
	uid_t uid = 0;
	gid_t gid = 0;
	const char *bad, *why;

	w.hostfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.hostfd < 0)
		die("open /");
	if (b->user)
		add_user(&w, b->user, &uid, &gid);
	for (size_t i = 0; i < b->nadds; i++)
		add_path(&w, b->adds[i], MF_ADD);
	if (w.elf_seen)            /* so the root's loader finds as the host's */
		add_path(&w, "/etc/ld.so.cache", MF_NEED);
	if (b->etc) {
		add_path(&w, "/etc/hosts", MF_ETC);
		add_path(&w, "/etc/localtime", MF_ETC);
		push_data(&w, "/etc/nsswitch.conf", MF_ETC, NULL,
		          "passwd: files\ngroup: files\nshadow: files\n"
		          "hosts: files\nnetworks: files\nprotocols: files\n"
		          "services: files\nethers: files\nrpc: files\n");
	}
	if (b->dev)
		for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
			struct want x = { .path = (char *)devs[i].name,
			                  .kind = MF_CHARDEV, .mode = 0666,
			                  .origin = MF_DEV, .extra = (char *)devs[i].num };

			plan_push(l, &x);
		}
	if (b->tmp) {
		struct want x = { .path = "/tmp", .kind = MF_DIR, .mode = 01777,
		                  .origin = MF_TMP };

		plan_push(l, &x);
	}
	for (size_t i = 0; i < b->nstate; i++) {
		struct want x = { .path = b->state[i], .kind = MF_DIR,
		                  .mode = 0750, .origin = MF_STATE,
		                  .uid = uid, .gid = gid };

		if (b->user == NULL)
			diex("--state=%s: needs --user", shown(b->state[i]));
		plan_push(l, &x);
	}
	close(w.hostfd);
	tdestroy(w.seen, free);
	if (plan_finish(l, &bad, &why) < 0)
		diex("%s: %s", shown(bad), why);
}
