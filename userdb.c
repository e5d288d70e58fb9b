/* SPDX-License-Identifier: ISC */
/* chdrop — who the target is: user, group and supplementary groups,
 * resolved outside the root, through the host's NSS or (--userdb=root) by
 * reading the root's passwd and group files as plain text.  No code from
 * the root is ever loaded. */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "launcher.h"

#define MAX_ACCOUNT_FILE (16u << 20)

/* openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)
 * without openat2, for where it answers ENOSYS: systemd's
 * RestrictSUIDSGID= (and DynamicUser=, which implies it) refuses openat2
 * so, since it cannot see the flags in its struct; so does a kernel before
 * 5.6.  With no symlink allowed anywhere and ".." refused, a walk one
 * component at a time, each opened O_PATH|O_NOFOLLOW beneath the last,
 * reaches the same file or fails (ELOOP on a symlink, as openat2 would).
 * NAME is taken beneath ROOTFD, a leading '/' included (a fixed name like
 * "etc/passwd", a home, a --chdir); its last component is opened with
 * FLAGS. */
static int open_no_symlinks(int rootfd, const char *name, int flags)
{
	char buf[PATH_MAX], *save = NULL, *comp, *next;
	struct stat st = { 0 };
	int fd;

	if (strlen(name) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, name);  /* NOLINT(clang-analyzer-security.insecureAPI.strcpy): bounded above */
	if ((fd = dup(rootfd)) < 0)
		return -1;
	for (comp = strtok_r(buf, "/", &save); comp != NULL; comp = next) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, "..") == 0) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		int nfd = openat(fd, comp, (next != NULL ? O_PATH : flags) |
		                 O_NOFOLLOW | O_CLOEXEC), e = errno;

		/* O_DIRECTORY on a symlink says ENOTDIR: say what it is. */
		if (nfd < 0 && e == ENOTDIR &&
		    fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			e = ELOOP;
		close(fd);
		if (nfd < 0) {
			errno = e;
			return -1;
		}
		fd = nfd;
		/* O_PATH|O_NOFOLLOW opens a symlink itself: refuse it here. */
		if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode) ||
		    (next != NULL && !S_ISDIR(st.st_mode))) {
			e = errno;
			if (S_ISLNK(st.st_mode))
				e = ELOOP;
			else if (next != NULL && !S_ISDIR(st.st_mode))
				e = ENOTDIR;
			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}

int openat2_or_walk(int dirfd, const char *path, const struct open_how *how,
                    bool *walked)
{
	int fd = (int)syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
	int start;

	*walked = false;
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	*walked = true;
	/* Under RESOLVE_IN_ROOT "/..." is dirfd's; else from "/" (below). */
	start = (how->resolve & RESOLVE_IN_ROOT) || path[0] != '/' ? dirfd
	                                                          : AT_FDCWD;
	if (start == AT_FDCWD) {
		int dfd = open(path[0] == '/' ? "/" : ".",
		               O_PATH | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0)
			return -1;
		fd = open_no_symlinks(dfd, path, (int)how->flags);
		int e = errno;
		close(dfd);
		errno = e;
		return fd;
	}
	return open_no_symlinks(start, path, (int)how->flags);
}

/* NAME beneath the root, every component resolved as if the root were "/"
 * and no symlink followed, opened with FLAGS. */
static int open_beneath(int rootfd, const char *name, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
		           RESOLVE_NO_SYMLINKS,
	};
	bool walked;

	return openat2_or_walk(rootfd, name, &how, &walked);
}

/* fstat, or exit 125 naming the file, fd closed first (every refusal
 * closes what it opened: an error exit would leave it to the kernel, and
 * check-valgrind counts it). */
static void fstat_or_exit(const struct launch_plan *p, int fd, struct stat *st,
                          const char *name, const char *what)
{
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		err(EXIT_CHDROP, "%s: fstat %s/%s", what, p->root, name);
	}
}

/* Open a file beneath the root (open_beneath) and read it whole.  Shared
 * with stale.c (the manifest); what names the caller in every message. */
char *read_in_root(const struct launch_plan *p, int rootfd, const char *name,
                   size_t max, bool may_be_missing, const char *what,
                   size_t *len)
{
	struct stat st, seen;
	char *buf;
	size_t got = 0;
	int pathfd, fd;

	/* O_PATH first: opening a device node for real (a watchdog, say)
	 * has effects, so the file is looked at before it is opened. */
	pathfd = open_beneath(rootfd, name, O_PATH);
	if (pathfd < 0 && errno == ENOENT && may_be_missing) {
		*len = 0;
		return NULL;
	}
	if (pathfd < 0 && errno == ELOOP)
		errx(EXIT_CHDROP, "%s: %s/%s: reached through a symlink", what,
		     p->root, name);
	if (pathfd < 0)
		err(EXIT_CHDROP, "%s: %s/%s", what, p->root, name);
	fstat_or_exit(p, pathfd, &seen, name, what);
	close(pathfd);
	if (!S_ISREG(seen.st_mode))
		errx(EXIT_CHDROP, "%s: %s/%s: not a regular file", what,
		     p->root, name);
	/* Then the same name is opened for reading, and must be the file
	 * just looked at.  Not a reopen through /proc/self/fd: a new
	 * process's /proc entries are built on first use, and that cost
	 * 30-50 us of every launch here (the manifest is read each time).
	 * Only someone who can write the directory could swap in another
	 * node between the two opens; it is refused below, and O_NONBLOCK
	 * and O_NOCTTY keep a FIFO or a terminal from blocking or becoming
	 * chdrop's. */
	fd = open_beneath(rootfd, name, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		err(EXIT_CHDROP, "%s: %s/%s", what, p->root, name);
	fstat_or_exit(p, fd, &st, name, what);
	if (st.st_dev != seen.st_dev || st.st_ino != seen.st_ino ||
	    !S_ISREG(st.st_mode)) {
		close(fd);
		errx(EXIT_CHDROP, "%s: %s/%s: replaced while it was opened",
		     what, p->root, name);
	}
	if (!p->unsafe_root &&
	    ((st.st_uid != 0 && !userns_trusts_owner(p, st.st_uid)) ||
	     (st.st_mode & (S_IWGRP | S_IWOTH)))) {
		close(fd);
		errx(EXIT_CHDROP, "%s: %s/%s: not owned by root or writable by "
		     "group or others", what, p->root, name);
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		errx(EXIT_CHDROP, "%s: %s/%s: too large", what, p->root, name);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		err(EXIT_CHDROP, "malloc");
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			errno = e;
			err(EXIT_CHDROP, "%s: read %s/%s", what, p->root, name);
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';  /* the byte allocated for it: strndup() on the
	                    * last field must find an end inside the buffer */
	close(fd);
	*len = got;
	return buf;
}

/* --- identity ---------------------------------------------------------- */

/* The account database, either source, reduced to what chdrop needs. */
struct account { bool found; char *name; uid_t uid; gid_t gid; char *home, *shell; };

struct pw_query { const char *name; bool by_id; uint32_t id; struct account *out; };

static char *xstrndup(const char *s, size_t n)
{
	char *r = strndup(s, n);
	if (r == NULL)
		err(EXIT_CHDROP, "strndup");
	return r;
}

static int pw_match(const struct pw_entry *e, void *arg)
{
	struct pw_query *q = arg;

	if (q->by_id ? e->uid != q->id
	             : (strlen(q->name) != e->name_len ||
	                memcmp(q->name, e->name, e->name_len) != 0))
		return 0;
	q->out->found = true;
	q->out->name = xstrndup(e->name, e->name_len);
	q->out->uid = e->uid;
	q->out->gid = e->gid;
	q->out->home = xstrndup(e->home, e->home_len);
	q->out->shell = xstrndup(e->shell, e->shell_len);
	return 1;
}

struct gr_query {
	const char *name; bool by_id; uint32_t id; bool found; gid_t gid;
	const char *member; gid_t *list; size_t n;
};

static int gr_match(const struct gr_entry *e, void *arg)
{
	struct gr_query *q = arg;

	if (q->member != NULL) {  /* collecting memberships */
		if (member_of(e->members, e->members_len, q->member)) {
			if (q->n == MAX_GROUPS)
				errx(EXIT_CHDROP, "--userdb=root: %s is in more than "
				     "%d groups", q->member, MAX_GROUPS);
			q->list[q->n++] = e->gid;
		}
		return 0;
	}
	if (q->by_id ? e->gid != q->id
	             : (strlen(q->name) != e->name_len ||
	                memcmp(q->name, e->name, e->name_len) != 0))
		return 0;
	q->found = true;
	q->gid = e->gid;
	return 1;
}

struct userdb_files { char *passwd, *group; size_t passwd_len, group_len; };

static void root_db_load(const struct launch_plan *p, int rootfd,
                         struct userdb_files *db)
{
	db->passwd = read_in_root(p, rootfd, "etc/passwd", MAX_ACCOUNT_FILE,
	                          false, "--userdb=root", &db->passwd_len);
	db->group = read_in_root(p, rootfd, "etc/group", MAX_ACCOUNT_FILE,
	                         false, "--userdb=root", &db->group_len);
}

static void walk_passwd(const struct userdb_files *db, struct pw_query *q)
{
	size_t line;
	const char *why;

	if (parse_passwd(db->passwd, db->passwd_len, pw_match, q, &line, &why) < 0)
		errx(EXIT_CHDROP, "--userdb=root: etc/passwd line %zu: %s", line, why);
}

static void walk_group(const struct userdb_files *db, struct gr_query *q)
{
	size_t line;
	const char *why;

	if (parse_group(db->group, db->group_len, gr_match, q, &line, &why) < 0)
		errx(EXIT_CHDROP, "--userdb=root: etc/group line %zu: %s", line, why);
}

/* A host file read whole, or NULL on any failure (the caller then asks
 * NSS, which reports its own errors). */
static char *read_host_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n = -1;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uintmax_t)st.st_size < MAX_ACCOUNT_FILE &&
	    (buf = malloc((size_t)st.st_size + 1)) != NULL)
		n = read(fd, buf, (size_t)st.st_size + 1);
	close(fd);
	/* One read of a regular file returns it whole; a file that grew
	 * since the fstat() is not trusted to be whole. */
	if (n < 0 || n > st.st_size) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The host's account from /etc/passwd itself, when NSS would return it
 * from there: glibc's NSS machinery (nsswitch.conf, two connect attempts
 * to nscd, its stdio and allocations) measured about 200 us of a 1.9 ms
 * launch of the dynamic build, this about 10 us (issue 14,
 * docs/performance.md).  Taken only when /etc/nsswitch.conf's one passwd
 * line starts with "files" and no action (nss_files then answers first
 * and its answer is final), and the account is in /etc/passwd with every
 * line up to it in the plain form parse_passwd() reads, so the first
 * match is the entry nss_files returns.  Anything else (another source
 * first, a malformed or indented line, an account only LDAP, SSSD or
 * systemd knows) goes to NSS, as it always did. */
static bool host_files_lookup(const char *spec, bool numeric, uint32_t id,
                              struct account *a)
{
	struct pw_query q = { spec, numeric, id, a };
	size_t len, line;
	const char *why;
	char *buf = read_host_file("/etc/nsswitch.conf", &len);
	bool first = buf != NULL && nsswitch_files_first(buf, len, "passwd");

	free(buf);
	if (!first || (buf = read_host_file("/etc/passwd", &len)) == NULL)
		return false;
	if (!lines_unindented(buf, len) ||
	    parse_passwd(buf, len, pw_match, &q, &line, &why) < 0)
		a->found = false;   /* nothing matched before the bad line */
	free(buf);
	return a->found;
}

static void lookup_user(const struct userdb_files *db, const char *spec,
                        bool numeric, uint32_t id, struct account *a)
{
	memset(a, 0, sizeof(*a));
	if (db != NULL) {
		struct pw_query q = { spec, numeric, id, a };
		walk_passwd(db, &q);
		return;
	}
	if (host_files_lookup(spec, numeric, id, a))
		return;
	errno = 0;
	struct passwd *pw = numeric ? getpwuid(id) : getpwnam(spec);
	if (pw == NULL) {
		if (errno != 0 && errno != ENOENT && errno != ESRCH)
			err(EXIT_CHDROP, "--user=%s: account lookup", spec);
		return;
	}
	a->found = true;
	a->name = xstrndup(pw->pw_name, strlen(pw->pw_name));
	a->uid = pw->pw_uid;
	a->gid = pw->pw_gid;
	a->home = xstrndup(pw->pw_dir, strlen(pw->pw_dir));
	a->shell = xstrndup(pw->pw_shell, strlen(pw->pw_shell));
}

/* A group spec (name or number) to a gid.  A number is a number. */
static gid_t resolve_group(const struct userdb_files *db, const char *spec,
                           size_t len, const char *opt)
{
	char *s = xstrndup(spec, len);
	const char *why;
	bool numeric;
	uint32_t id;
	gid_t gid;

	if (parse_id(s, &numeric, &id, &why) < 0)
		errx(EXIT_CHDROP, "%s: '%s': %s", opt, s, why);
	if (numeric) {
		free(s);
		return (gid_t)id;
	}
	if (db != NULL) {
		struct gr_query q = { .name = s };
		walk_group(db, &q);
		if (!q.found)
			errx(EXIT_CHDROP, "%s: %s: no such group in %s", opt, s,
			     "the root's etc/group");
		gid = q.gid;
	} else {
		errno = 0;
		struct group *gr = getgrnam(s);
		if (gr == NULL) {
			if (errno != 0 && errno != ENOENT && errno != ESRCH)
				err(EXIT_CHDROP, "%s: %s: group lookup", opt, s);
			errx(EXIT_CHDROP, "%s: %s: no such group", opt, s);
		}
		gid = gr->gr_gid;
	}
	free(s);
	return gid;
}

static void default_groups(struct launch_plan *p, const struct userdb_files *db,
                           const struct account *a)
{
	p->groups = calloc(MAX_GROUPS, sizeof(gid_t));
	if (p->groups == NULL)
		err(EXIT_CHDROP, "calloc");
	if (!a->found)
		return;
	if (db != NULL) {
		/* As initgroups(3) would: the primary group, then every group
		 * that lists the user as a member. */
		struct gr_query q = { .member = a->name, .list = p->groups, .n = 1 };
		p->groups[0] = p->gid;
		walk_group(db, &q);
		p->ngroups = q.n;
		return;
	}
	int n = MAX_GROUPS;
	if (getgrouplist(a->name, p->gid, p->groups, &n) < 0)
		errx(EXIT_CHDROP, "--user=%s: more than %d groups", a->name, MAX_GROUPS);
	p->ngroups = (size_t)n;
}

/* Under --userns the target is the caller: the same uid, gid and groups.
 * Under --map-root it is root of the namespace (uid and gid 0, no
 * supplementary groups, root's name, home and shell from the host's
 * entry); those ids are the caller's own or their subordinate ids. */
static void userns_identity(struct launch_plan *p)
{
	int n;

	if (p->map_root) {
		if (p->uid != 0)
			errx(EXIT_CHDROP, "--map-root: runs as root of the "
			     "namespace, not as --user=%s", p->user_spec);
		p->gid = 0;
		p->ngroups = 0;
		return;
	}
	if (p->uid != getuid())
		errx(EXIT_CHDROP, "--userns: runs as yourself (uid %u), not as "
		     "--user=%s", (unsigned)getuid(), p->user_spec);
	p->gid = getgid();
	n = getgroups(MAX_GROUPS, p->groups);
	if (n < 0)
		err(EXIT_CHDROP, "getgroups");
	p->ngroups = (size_t)n;
}

/* For the hint only, on the way out: does the root's etc/passwd name
 * USER?  Read as plain text like --userdb=root, but quietly: any doubt
 * (missing, not a regular file, too large, malformed) just means no hint. */
struct name_query { const char *name; bool found; };

static int name_match(const struct pw_entry *e, void *arg)
{
	struct name_query *q = arg;

	q->found = e->name_len == strlen(q->name) &&
	           memcmp(e->name, q->name, e->name_len) == 0;
	return q->found;
}

static bool root_names_user(int rootfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
		           RESOLVE_NO_SYMLINKS,
	};
	static char buf[1u << 20];
	struct name_query q = { name, false };
	char self[64];
	const char *why;
	struct stat st;
	size_t line, got = 0;
	ssize_t r;
	int pathfd, fd;

	if (rootfd < 0)
		return false;
	pathfd = (int)syscall(SYS_openat2, rootfd, "etc/passwd", &how, sizeof(how));
	if (pathfd < 0)
		return false;
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = fstat(pathfd, &st) == 0 && S_ISREG(st.st_mode)
	     ? open(self, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
	close(pathfd);
	if (fd < 0)
		return false;
	while (got < sizeof(buf) && (r = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	close(fd);
	return got < sizeof(buf) &&
	       parse_passwd(buf, got, name_match, &q, &line, &why) == 0 && q.found;
}

void resolve_identity(struct launch_plan *p, int rootfd)
{
	struct userdb_files files, *db = NULL;
	const char *spec = p->user_spec ? p->user_spec : "0";
	struct account a;
	const char *why;
	bool numeric;
	uint32_t id;

	if (parse_id(spec, &numeric, &id, &why) < 0)
		errx(EXIT_CHDROP, "--user=%s: %s", spec, why);
	if (p->userdb == USERDB_ROOT) {
		root_db_load(p, rootfd, &files);
		db = &files;
	}
	lookup_user(db, spec, numeric, id, &a);
	if (!a.found && !numeric && db == NULL && root_names_user(rootfd, spec))
		errx(EXIT_CHDROP, "--user=%s: no such user on the host; the root's "
		     "etc/passwd has it: --userdb=root to use that", spec);
	if (!a.found && !numeric)
		errx(EXIT_CHDROP, "--user=%s: no such user%s", spec,
		     db ? " in the root's etc/passwd" : "");
	if (!a.found && p->group_spec == NULL && !p->userns)
		errx(EXIT_CHDROP, "--user=%s: no account entry, so no primary "
		     "group: give --group", spec);
	p->uid = a.found ? a.uid : (uid_t)id;
	p->gid = p->group_spec ? resolve_group(db, p->group_spec,
	                                       strlen(p->group_spec), "--group")
	                       : a.gid;
	if (a.found) {
		p->user_name = a.name;
		p->home = a.home;
		p->shell = a.shell;
	} else {
		if (asprintf(&p->user_name, "%u", (unsigned)p->uid) < 0)
			err(EXIT_CHDROP, "asprintf");
		p->home = xstrndup("", 0);
		p->shell = xstrndup("", 0);
	}
	if (p->groups_spec != NULL) {
		const char *cur = p->groups_spec, *item;
		size_t len;
		int r;

		p->groups = calloc(MAX_GROUPS, sizeof(gid_t));
		if (p->groups == NULL)
			err(EXIT_CHDROP, "calloc");
		if (*cur == '\0')
			cur = NULL;
		while ((r = list_next(&cur, &item, &len, &why)) > 0) {
			if (p->ngroups == MAX_GROUPS)
				errx(EXIT_CHDROP, "--groups: too many");
			p->groups[p->ngroups++] = resolve_group(db, item, len, "--groups");
		}
		if (r < 0)
			errx(EXIT_CHDROP, "--groups=%s: %s", p->groups_spec, why);
	} else {
		default_groups(p, db, &a);
	}
	if (db != NULL) {
		free(files.passwd);
		free(files.group);
	}
	if (p->userns)
		userns_identity(p);
	/* One entry per group: the kernel keeps repeats, and a list with
	 * repeats is no list to compare against. */
	p->ngroups = sort_unique_gids(p->groups, p->ngroups);
}

/* uid 0 walks out of any chroot; gid 0 and group 0 open root's files. */
void check_not_root(const struct launch_plan *p)
{
	bool root = p->uid == 0 || p->gid == 0;

	if (p->map_root)
		return;  /* root of a user namespace: the point of the option */
	for (size_t i = 0; i < p->ngroups; i++)
		root = root || p->groups[i] == 0;
	if (!root)
		return;
	if (!p->allow_root)
		errx(EXIT_CHDROP, "target uid %u, gid %u or a group is 0 (root): "
		     "refused without --allow-root", (unsigned)p->uid,
		     (unsigned)p->gid);
	warnx("warning: the target keeps root (uid, gid or a group 0); "
	      "root can leave a chroot");
}
