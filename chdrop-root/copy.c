/* SPDX-License-Identifier: ISC */
/* The safe copier.  ROOT is held as a descriptor; everything beneath it is
 * reached with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), so a
 * symlink anywhere inside ROOT (planted by whoever owns a directory there)
 * stops the operation instead of redirecting it.  Each entry is staged
 * under TMP_PREFIX NAME in its own directory (O_CREAT|O_EXCL), written,
 * fsync()ed, given its owner and mode on the descriptor, and renamed into
 * place later by commit_entry().  Every failure is one line and exit 125
 * (main.c's exit handler removes what was staged). */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "root.h"

extern const char *g_root;     /* ROOT as the administrator wrote it */

#define FAIL(path, ...) do { \
	int e_ = errno; \
	char m_[512]; \
	snprintf(m_, sizeof m_, __VA_ARGS__); \
	errno = e_; \
	die("%s%s: %s", g_root, shown(path), m_); \
} while (0)
#define FAILX(path, ...) do { \
	char m_[512]; \
	snprintf(m_, sizeof m_, __VA_ARGS__); \
	diex("%s%s: %s", g_root, shown(path), m_); \
} while (0)

/* ROOT itself: every component a directory, owned by root, not writable
 * by group or others, walked without following symlinks (the rule chdrop
 * --root applies).  With create, a missing last component is made,
 * root-owned 0755. */
int open_root(const char *root, bool create, bool *created)
{
	char *p, *c, *next_c;
	int fd;
	struct stat st, slash;

	if (root[0] != '/')
		diex("%s: ROOT must be an absolute path", shown(root));
	for (const char *q = root; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			diex("%s: ROOT holds a control character", shown(root));
	p = strdup(root);
	if (p == NULL)
		die("strdup");
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		die("open /");
	for (c = p; ; c = next_c) {
		int next;

		if (fstat(fd, &st) < 0)
			die("%s: fstat", shown(root));
		if (!S_ISDIR(st.st_mode) || st.st_uid != 0 ||
		    (st.st_mode & (S_IWGRP | S_IWOTH)))
			diex("%s: a component of ROOT is not owned by root "
			     "or is writable by group or others", shown(root));
		while (*c == '/')
			c++;
		if (*c == '\0')
			break;
		next_c = c + strcspn(c, "/");
		if (*next_c)
			*next_c++ = '\0';
		if (strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
			diex("%s: ROOT holds . or ..", shown(root));
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create &&
		    next_c[strspn(next_c, "/")] == '\0') {
			if (mkdirat(fd, c, 0700) < 0)
				die("%s: mkdir", shown(root));
			if (created != NULL)
				*created = true;
			next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next >= 0 && (fchown(next, 0, 0) < 0 || fchmod(next, 0755) < 0))
				die("%s: fchown/fchmod", shown(root));
		}
		if (next < 0)
			die("%s%s", shown(root), errno == ELOOP ||
			    errno == ENOTDIR ? ": a component of ROOT is a symlink or "
			    "no directory" : "");
		close(fd);
		fd = next;
	}
	free(p);
	if (stat("/", &slash) == 0 && slash.st_dev == st.st_dev &&
	    slash.st_ino == st.st_ino)
		diex("%s: ROOT is the host's /", shown(root));
	return fd;
}

int open_beneath(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC | O_NOFOLLOW),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		           RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path[0] == '/' ? path + 1 : path;

	if (*rel == '\0')
		rel = ".";
	return (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
}

/* The directory holding PATH, opened beneath ROOT; *base is PATH's last
 * component. */
int open_parent(int rootfd, const char *path, const char **base)
{
	const char *s = strrchr(path, '/');
	char *dir;
	int fd;

	*base = s + 1;
	dir = strndup(path, (size_t)(s - path));
	if (dir == NULL)
		die("strndup");
	fd = open_beneath(rootfd, dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		FAIL(dir[0] ? dir : "/", "%s", errno == ELOOP || errno == EXDEV ?
		     "a symlink where a directory should be (refusing to follow it)" :
		     errno == ENOTDIR ? "not a directory" : "open");
	free(dir);
	return fd;
}

static char *tmpname(const char *base)
{
	char *t;

	if (strlen(base) + strlen(TMP_PREFIX) > 255)
		diex("%s: name too long to stage", shown(base));
	if (asprintf(&t, "%s%s", TMP_PREFIX, base) < 0)
		die("asprintf");
	return t;
}

void make_dir(int rootfd, const struct want *w, struct stat *out)
{
	const char *base;
	int pfd = open_parent(rootfd, w->path, &base), fd;

	if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST)
		FAIL(w->path, "mkdir");
	fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
		struct stat st;

		FAILX(w->path, "%s where a directory should be (refusing to "
		      "follow it)", fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		      S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	}
	if (fd < 0)
		FAIL(w->path, "open");
	if (fchown(fd, w->uid, w->gid) < 0)
		FAIL(w->path, "fchown");
	if (fchmod(fd, w->mode) < 0)
		FAIL(w->path, "fchmod");
	if (fstat(fd, out) < 0)
		FAIL(w->path, "fstat");
	close(fd);
	close(pfd);
}

int hash_fd(int fd, unsigned char sha[32])
{
	static unsigned char buf[1 << 16];
	SHA2_CTX ctx;
	ssize_t n;

	SHA256Init(&ctx);
	while ((n = read(fd, buf, sizeof buf)) > 0)
		SHA256Update(&ctx, buf, (size_t)n);
	SHA256Final(sha, &ctx);
	return n < 0 ? -1 : 0;
}

static void write_all(int fd, const char *path, const void *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			FAIL(path, "write");
		p = (const char *)p + w;
		n -= (size_t)w;
	}
}

/* Copy the host source (opened without following a symlink, checked to
 * be the file collect() saw, and unchanged while copied) into fd. */
static void copy_source(struct want *w, int fd, unsigned char sha[32])
{
	static unsigned char buf[1 << 16];
	SHA2_CTX ctx;
	struct stat a, b;
	ssize_t n;
	int src = open(w->source, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);

	if (src < 0)
		die("%s: open", shown(w->source));
	if (fstat(src, &a) < 0)
		die("%s: fstat", shown(w->source));
	if (!S_ISREG(a.st_mode) || a.st_dev != w->hst.st_dev ||
	    a.st_ino != w->hst.st_ino)
		diex("%s: replaced on the host while chdrop-root ran; "
		     "run it again", shown(w->source));
	SHA256Init(&ctx);
	while ((n = read(src, buf, sizeof buf)) > 0) {
		SHA256Update(&ctx, buf, (size_t)n);
		write_all(fd, w->path, buf, (size_t)n);
	}
	if (n < 0)
		die("%s: read", shown(w->source));
	SHA256Final(sha, &ctx);
	if (fstat(src, &b) < 0)
		die("%s: fstat", shown(w->source));
	if (b.st_size != a.st_size || b.st_mtim.tv_sec != a.st_mtim.tv_sec ||
	    b.st_mtim.tv_nsec != a.st_mtim.tv_nsec ||
	    b.st_ctim.tv_nsec != a.st_ctim.tv_nsec)
		diex("%s: changed on the host while being copied; run "
		     "chdrop-root again", shown(w->source));
	w->hst = b;                /* what the copy really holds */
	close(src);
}

/* Stage W as TMP_PREFIX NAME beside where it belongs; *out is the staged
 * copy's lstat, sha its content's hash (files). */
void stage(int rootfd, struct want *w, unsigned char sha[32], struct stat *out)
{
	const char *base;
	int pfd = open_parent(rootfd, w->path, &base), fd;
	char *tmp = tmpname(base);

	if (unlinkat(pfd, tmp, 0) < 0 && errno != ENOENT)
		FAIL(w->path, "unlink stale %s", tmp);
	switch (w->kind) {
	case MF_FILE:
		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		            O_CLOEXEC, 0600);
		if (fd < 0)
			FAIL(w->path, "create %s", tmp);
		if (w->source) {
			copy_source(w, fd, sha);
		} else {
			SHA2_CTX ctx;

			SHA256Init(&ctx);
			SHA256Update(&ctx, (const unsigned char *)w->data, w->datalen);
			SHA256Final(sha, &ctx);
			write_all(fd, w->path, w->data, w->datalen);
		}
		if (fchown(fd, w->uid, w->gid) < 0)
			FAIL(w->path, "fchown");
		if (fchmod(fd, w->mode) < 0)
			FAIL(w->path, "fchmod");
		/* No fsync here: main.c syncs ROOT's filesystem once (syncfs)
		 * before the commit point, so 1,500 copies cost one flush. */
		if (fstat(fd, out) < 0)
			FAIL(w->path, "fstat");
		close(fd);
		break;
	case MF_SYMLINK:
		if (symlinkat(w->extra, pfd, tmp) < 0)
			FAIL(w->path, "symlink");
		if (fchownat(pfd, tmp, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
			FAIL(w->path, "chown");
		if (fstatat(pfd, tmp, out, AT_SYMLINK_NOFOLLOW) < 0)
			FAIL(w->path, "lstat");
		break;
	case MF_CHARDEV: {
		unsigned ma, mi;

		/* From the host's own device node (collect.c), or a manifest
		 * line whose MAJOR,MINOR the parser checked. */
		if (sscanf(w->extra, "%u,%u", &ma, &mi) != 2)  // NOLINT(cert-err34-c)
			FAILX(w->path, "bad device number");
		if (mknodat(pfd, tmp, S_IFCHR | w->mode, makedev(ma, mi)) < 0)
			FAIL(w->path, "mknod");
		if (fchownat(pfd, tmp, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
			FAIL(w->path, "chown");
		if (fstatat(pfd, tmp, out, AT_SYMLINK_NOFOLLOW) < 0)
			FAIL(w->path, "lstat");
		break;
	}
	case MF_DIR:
		FAILX(w->path, "a directory is never staged");
	}
	free(tmp);
	close(pfd);
}

/* Rename the staged entry over PATH (no-op when nothing is staged: a
 * recovery may meet entries already in place). */
void commit_entry(int rootfd, const char *path)
{
	const char *base;
	int pfd = open_parent(rootfd, path, &base);
	char *tmp = tmpname(base);

	if (renameat(pfd, tmp, pfd, base) < 0 && errno != ENOENT)
		FAIL(path, "rename");
	free(tmp);
	close(pfd);
}

/* Remove a copy whose source is gone (a directory only when empty). */
void remove_entry(int rootfd, const char *path, enum mf_kind kind)
{
	const char *base;
	int pfd = open_parent(rootfd, path, &base);

	if (unlinkat(pfd, base, kind == MF_DIR ? AT_REMOVEDIR : 0) < 0 &&
	    errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		FAIL(path, "remove");
	close(pfd);
	(void)pfd;
}

/* Remove every staged name left in the directory PATH by a run that did
 * not finish.  A directory that is not there (any more) is no error. */
void sweep_dir(int rootfd, const char *path)
{
	int fd = open_beneath(rootfd, path, O_RDONLY | O_DIRECTORY, 0);
	DIR *d;
	const struct dirent *de;

	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return;
		FAIL(path, "open");
	}
	d = fdopendir(fd);
	if (d == NULL)
		FAIL(path, "fdopendir");
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
		    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			FAIL(path, "remove %s", de->d_name);
	closedir(d);
}
