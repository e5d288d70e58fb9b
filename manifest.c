/* SPDX-License-Identifier: ISC */
/* The manifest format (manifest.h): a strict pure parser and its writer.
 * No system call (beyond malloc and the caller's FILE), no global, no
 * exit: fuzzed by tests/fuzz/manifest.c. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

#define NFIELDS 14

static const char *const kinds[] = { "file", "dir", "symlink", "chardev" };
static const char *const origins[] = {
	"add", "need", "user", "dev", "tmp", "etc", "state"
};

const char *manifest_kind_name(enum mf_kind k)
{
	return (unsigned)k < sizeof kinds / sizeof kinds[0] ? kinds[k] : "?";
}

const char *manifest_origin_name(enum mf_origin o)
{
	return (unsigned)o < sizeof origins / sizeof origins[0] ? origins[o] : "?";
}

/* A byte that stands for itself in a field. */
static bool plain(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '\\';
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;                 /* uppercase too: one spelling only */
}

/* Decode one raw field [s, s+n) into out (NUL-terminated, *outlen bytes
 * before it).  Returns 0, 1 for the absent value "-", -1 when not
 * canonical or when it decodes to a NUL byte.  chdrop parses every line
 * at each launch (stale.c), so this loop is on its path: one pass, the
 * common byte first. */
static int decode(const char *s, size_t n, char *out, size_t *outlen,
                  const char **why)
{
	size_t o = 0, i = 0;

	if (n == 0) {
		*why = "empty field";
		return -1;
	}
	if (n == 1 && s[0] == '-')
		return 1;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		int hi, lo;

		if (plain(c)) {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (c != '\\') {
			*why = "unescaped byte in field";
			return -1;
		}
		if (i + 3 >= n) {
			*why = "truncated escape";
			return -1;
		}
		if (s[i + 1] != 'x' || (hi = hexval((unsigned char)s[i + 2])) < 0 ||
		    (lo = hexval((unsigned char)s[i + 3])) < 0) {
			*why = "bad escape";
			return -1;
		}
		c = (unsigned char)(hi << 4 | lo);
		if (plain(c) && !(c == '-' && n == 4)) {
			*why = "needless escape";
			return -1;
		}
		if (c == '\0') {
			*why = "NUL byte in field";
			return -1;
		}
		out[o++] = (char)c;
		i += 4;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

int manifest_check_path(const char *p, const char **why)
{
	const char *c;

	if (p[0] != '/') {
		*why = "path not absolute";
		return -1;
	}
	if (p[1] == '\0') {
		*why = "path is /";
		return -1;
	}
	for (c = p; *c; ) {
		const char *e;
		size_t n;

		c++;                   /* past '/' */
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0) {
			*why = "empty path component";
			return -1;
		}
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			*why = "dot component in path";
			return -1;
		}
		c += n;
	}
	return 0;
}

/* Decimal [s, s+n): no sign, no leading zero, at most max. */
static int num_n(const char *s, size_t n, uint64_t max, uint64_t *v,
                 const char **why)
{
	uint64_t x = 0;

	if (n == 0 || (s[0] == '0' && n > 1)) {
		*why = "bad number";
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)((unsigned char)s[i] - '0');

		if (d > 9) {
			*why = "bad number";
			return -1;
		}
		if (x > (max - d) / 10) {
			*why = "number out of range";
			return -1;
		}
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int num(const char *s, uint64_t max, uint64_t *v, const char **why)
{
	return num_n(s, strlen(s), max, v, why);
}

/* SEC.NSEC, SEC with an optional '-', NSEC nine digits; read in place
 * (two of them in every line a launch parses). */
static int timestamp(const char *s, size_t n, struct mf_time *t,
                     const char **why)
{
	const char *dot = n < 32 ? memchr(s, '.', n) : NULL;
	bool neg = n > 0 && s[0] == '-';
	uint64_t sec, nsec = 0;

	if (dot == NULL || (size_t)(s + n - (dot + 1)) != 9)
		return *why = "bad time", -1;
	if (num_n(s + neg, (size_t)(dot - s) - neg, INT64_MAX, &sec, why) < 0 ||
	    (neg && sec == 0))
		return *why = "bad time", -1;
	for (const char *d = dot + 1; d < s + n; d++) {
		unsigned v = (unsigned)((unsigned char)*d - '0');

		if (v > 9)
			return *why = "bad time", -1;
		nsec = nsec * 10 + v;
	}
	t->sec = neg ? -(int64_t)sec : (int64_t)sec;
	t->nsec = (uint32_t)nsec;
	return 0;
}

/* DEV:INO:MTIME:CTIME, exactly three ':' */
static int identity(const char *s, struct mf_id *id, const char **why)
{
	const char *p[4], *c = s;
	size_t l[4];
	uint64_t v[2];

	for (int i = 0; i < 4; i++) {
		p[i] = c;
		while (*c != '\0' && *c != ':')
			c++;
		if ((*c == '\0') != (i == 3))
			return *why = "bad identity", -1;
		l[i] = (size_t)(c - p[i]);
		if (*c != '\0')
			c++;
	}
	for (int i = 0; i < 2; i++) {
		if (l[i] >= 32)
			return *why = "bad identity", -1;
		if (num_n(p[i], l[i], UINT64_MAX, &v[i], why) < 0)
			return -1;
	}
	if (timestamp(p[2], l[2], &id->mtime, why) < 0 ||
	    timestamp(p[3], l[3], &id->ctime, why) < 0)
		return -1;
	id->dev = v[0];
	id->ino = v[1];
	id->set = true;
	return 0;
}

static int lookup(const char *s, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

/* MAJOR,MINOR */
static bool devnum(const char *s)
{
	const char *c = strchr(s, ',');
	char buf[16];
	uint64_t v;
	const char *why;

	if (c == NULL || (size_t)(c - s) >= sizeof buf)
		return false;
	memcpy(buf, s, (size_t)(c - s));
	buf[c - s] = '\0';
	return num(buf, 0xfff, &v, &why) == 0 && num(c + 1, 0xfffff, &v, &why) == 0;
}

/* The rules every entry keeps, for the parser and the writer alike. */
static int check_entry(const struct mf_entry *e, const char **why)
{
	if (manifest_check_path(e->path, why) < 0)
		return -1;
	if (e->source && manifest_check_path(e->source, why) < 0)
		return *why = "bad source", -1;
	if ((unsigned)e->kind > MF_CHARDEV || (unsigned)e->origin > MF_STATE)
		return *why = "bad kind or origin", -1;
	if (e->mode & ~07777u)
		return *why = "bad mode", -1;
	if (e->mode & (S_ISUID | S_ISGID))
		return *why = "setuid or setgid mode", -1;
	if ((e->mode & (S_IWGRP | S_IWOTH)) && e->kind != MF_CHARDEV &&
	    e->kind != MF_SYMLINK &&
	    !(e->kind == MF_DIR && (e->mode & S_ISVTX)))
		return *why = "group or other writable mode", -1;
	if (e->has_sha256 != (e->kind == MF_FILE))
		return *why = "sha256 present exactly for files", -1;
	if (e->host.set != (e->source != NULL))
		return *why = "host identity present exactly with a source", -1;
	if ((e->pkg == NULL) != (e->ver == NULL))
		return *why = "package without version", -1;
	switch (e->kind) {
	case MF_FILE:
		if (e->extra && e->origin != MF_USER)
			return *why = "extra field on a file", -1;
		break;
	case MF_DIR:
	case MF_CHARDEV:
		if (e->size != 0)
			return *why = "size on a dir or chardev", -1;
		if (e->kind == MF_CHARDEV && (e->extra == NULL || !devnum(e->extra)))
			return *why = "chardev without MAJOR,MINOR", -1;
		if (e->kind == MF_DIR && e->extra)
			return *why = "extra field on a dir", -1;
		break;
	case MF_SYMLINK:
		if (e->extra == NULL || e->extra[0] == '\0')
			return *why = "symlink without target", -1;
		if (e->mode != 0777)
			return *why = "symlink mode not 0777", -1;
		if (e->size != strlen(e->extra))
			return *why = "symlink size not its target's length", -1;
		break;
	}
	if (e->origin == MF_USER && e->extra == NULL)
		return *why = "user entry without a user name", -1;
	if (e->kind != MF_DIR && e->origin == MF_STATE)
		return *why = "state entry not a dir", -1;
	return 0;
}

/* Split a line into its fields and decode each into out; d[i] is NULL
 * for an absent field. */
static int split_line(const char *s, size_t n, char *out, char **d,
                      const char **why)
{
	for (int i = 0; i < NFIELDS; i++) {
		const char *sp = memchr(s, ' ', n);
		size_t fl = sp ? (size_t)(sp - s) : n, dl = 0;
		int r;

		if ((sp == NULL) != (i == NFIELDS - 1))
			return *why = "wrong number of fields", -1;
		r = decode(s, fl, out, &dl, why);
		if (r < 0)
			return -1;
		d[i] = NULL;
		if (r == 0) {
			d[i] = out;
			out += dl + 1;
		}
		if (sp) {
			n -= fl + 1;
			s = sp + 1;
		}
	}
	return 0;
}

static int sha256_field(const char *s, unsigned char *h, const char **why)
{
	if (strlen(s) != 64)
		return *why = "bad sha256", -1;
	for (size_t i = 0; i < 32; i++) {
		int hi = hexval((unsigned char)s[i * 2]);
		int lo = hexval((unsigned char)s[i * 2 + 1]);

		if (hi < 0 || lo < 0)
			return *why = "bad sha256", -1;
		h[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int parse_line(const char *s, size_t n, char *out, struct mf_entry *e,
                      const char **why)
{
	char *d[NFIELDS] = { 0 };
	uint64_t v;
	int k;

	if (split_line(s, n, out, d, why) < 0)
		return -1;
	for (int i = 0; i < NFIELDS; i++)   /* fields never absent */
		if ((i < 6 || i == 9 || i == 12) && d[i] == NULL)
			return *why = "required field absent", -1;
	memset(e, 0, sizeof *e);
	e->path = d[0];
	if ((k = lookup(d[1], kinds, sizeof kinds / sizeof kinds[0])) < 0)
		return *why = "unknown kind", -1;
	e->kind = (enum mf_kind)k;
	if (strlen(d[2]) != 4 || strspn(d[2], "01234567") != 4)
		return *why = "bad mode", -1;
	e->mode = (uint32_t)strtoul(d[2], NULL, 8);
	if (num(d[3], UINT32_MAX - 1, &v, why) < 0)
		return -1;
	e->uid = (uint32_t)v;
	if (num(d[4], UINT32_MAX - 1, &v, why) < 0)
		return -1;
	e->gid = (uint32_t)v;
	if (num(d[5], UINT64_MAX, &e->size, why) < 0)
		return -1;
	if (d[6] && sha256_field(d[6], e->sha256, why) < 0)
		return -1;
	e->has_sha256 = d[6] != NULL;
	e->source = d[7];
	if (d[8] && identity(d[8], &e->host, why) < 0)
		return -1;
	if (identity(d[9], &e->copy, why) < 0)
		return -1;
	e->pkg = d[10];
	e->ver = d[11];
	if ((k = lookup(d[12], origins, sizeof origins / sizeof origins[0])) < 0)
		return *why = "unknown origin", -1;
	e->origin = (enum mf_origin)k;
	e->extra = d[13];
	return check_entry(e, why);
}

/* "end N": 1 when s is an end line counting count entries, 0 when it is
 * no end line at all, -1 when it is a wrong one. */
static int end_line(const char *s, size_t n, size_t count, const char **why)
{
	uint64_t v;

	if (n < 4 || memcmp(s, "end ", 4) != 0)
		return 0;
	/* The count in place, every byte a digit: a copy read as a C
	 * string once took "end 0", a NUL and anything after for "end 0"
	 * (found by fuzz-manifest). */
	if (n - 4 >= 24)
		return *why = "bad end line", -1;
	if (num_n(s + 4, n - 4, SIZE_MAX, &v, why) < 0 || v != count)
		return *why = "end line does not count the entries", -1;
	return 1;
}

/* Strictly after the previous path (kept in prev, *prevlen bytes; the
 * first entry has *prevlen == SIZE_MAX)? */
static int in_order(char *prev, size_t *prevlen, const char *path,
                    const char **why)
{
	size_t pl = strlen(path);

	if (*prevlen != SIZE_MAX) {
		size_t m = pl < *prevlen ? pl : *prevlen;
		int c = memcmp(prev, path, m);

		if (c > 0 || (c == 0 && pl <= *prevlen))
			return *why = "entries not sorted by path, or a path twice", -1;
	}
	memcpy(prev, path, pl + 1);
	*prevlen = pl;
	return 0;
}

int manifest_parse(const char *buf, size_t len,
                   int (*cb)(const struct mf_entry *, void *), void *arg,
                   size_t *line, const char **why)
{
	return manifest_parse_all(buf, len, NULL, cb, arg, line, why);
}

/* "request PATH": 1 when s is one (decoded into out), 0 when not. */
static int request_line(const char *s, size_t n, char *out, const char **why)
{
	size_t dl = 0;
	int r;

	if (n < 8 || memcmp(s, "request ", 8) != 0)
		return 0;
	if (memchr(s + 8, ' ', n - 8) != NULL)
		return *why = "bad request line", -1;
	r = decode(s + 8, n - 8, out, &dl, why);
	if (r != 0)
		return *why = "bad request path", -1;
	if (manifest_check_path(out, why) < 0)
		return -1;
	return 1;
}

static size_t longest_line(const char *buf, size_t len)
{
	size_t pos = 0, longest = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		longest = n > longest ? n : longest;
		pos += n + 1;
	}
	return longest;
}

int manifest_parse_all(const char *buf, size_t len,
                       int (*req)(const char *path, void *),
                       int (*cb)(const struct mf_entry *, void *), void *arg,
                       size_t *line, const char **why)
{
	const size_t hl = sizeof MANIFEST_HEADER - 1;
	char *scratch = NULL, *prev = NULL;
	size_t pos, count = 0, prevlen = SIZE_MAX, longest;
	int r = -1, ended = 0, q;
	bool requests = true;

	*line = 1;
	if (len > MANIFEST_MAX)
		return *why = "manifest too large", -1;
	if (len < hl || memcmp(buf, MANIFEST_HEADER, hl) != 0)
		return *why = "not a version 1 manifest header", -1;
	/* Decoded fields are never longer than their line, nor is a path:
	 * buffers for the longest line, not the file (a launch parses the
	 * manifest, and each page touched is a fault). */
	longest = longest_line(buf + hl, len - hl);
	scratch = malloc(longest + NFIELDS + 1);
	prev = malloc(longest + 1);
	if (scratch == NULL || prev == NULL) {
		*why = "out of memory";
		goto out;
	}
	for (pos = hl; pos < len; ) {
		const char *s = buf + pos, *nl = memchr(s, '\n', len - pos);
		size_t n;
		struct mf_entry e;

		++*line;
		if (nl == NULL) {
			*why = "last line without newline";
			goto out;
		}
		n = (size_t)(nl - s);
		pos += n + 1;
		if (ended) {
			*why = "line after end";
			goto out;
		}
		if ((ended = end_line(s, n, count, why)) != 0) {
			if (ended < 0)
				goto out;
			continue;
		}
		if (requests && (q = request_line(s, n, scratch, why)) != 0) {
			if (q < 0 || in_order(prev, &prevlen, scratch, why) < 0)
				goto out;
			if (req && (r = req(scratch, arg)) != 0)
				goto out;
			r = -1;
			continue;
		}
		if (requests) {
			requests = false;
			prevlen = SIZE_MAX;   /* entries sort on their own */
		}
		if (parse_line(s, n, scratch, &e, why) < 0 ||
		    in_order(prev, &prevlen, e.path, why) < 0)
			goto out;
		count++;
		if (cb && (r = cb(&e, arg)) != 0)
			goto out;
		r = -1;
	}
	if (!ended) {
		*why = "no end line";
		goto out;
	}
	r = 0;
out:
	free(scratch);
	free(prev);
	return r;
}

/* --- writer --------------------------------------------------------- */

static int put_field(FILE *f, const char *s, bool last)
{
	int r;

	if (s == NULL) {
		r = fputs("-", f);
	} else if (strcmp(s, "-") == 0) {
		r = fputs("\\x2d", f);
	} else {
		r = 0;
		for (const unsigned char *c = (const unsigned char *)s; *c && r >= 0; c++)
			r = plain(*c) ? fputc(*c, f) : fprintf(f, "\\x%02x", *c);
	}
	if (r >= 0)
		r = fputc(last ? '\n' : ' ', f);
	return r < 0 ? -1 : 0;
}

static void fmt_id(char *buf, size_t n, const struct mf_id *id)
{
	snprintf(buf, n, "%" PRIu64 ":%" PRIu64 ":%" PRId64 ".%09" PRIu32
	         ":%" PRId64 ".%09" PRIu32, id->dev, id->ino,
	         id->mtime.sec, id->mtime.nsec, id->ctime.sec, id->ctime.nsec);
}

int manifest_write_header(FILE *f, const char **why)
{
	if (fputs(MANIFEST_HEADER, f) < 0)
		return *why = "write failed", -1;
	return 0;
}

int manifest_write_request(FILE *f, const char *path, const char **why)
{
	if (manifest_check_path(path, why) < 0)
		return -1;
	if (fputs("request ", f) < 0 || put_field(f, path, true) < 0)
		return *why = "write failed", -1;
	return 0;
}

int manifest_write_end(FILE *f, size_t n, const char **why)
{
	if (fprintf(f, "end %zu\n", n) < 0)
		return *why = "write failed", -1;
	return 0;
}

int manifest_write_entry(FILE *f, const struct mf_entry *e, const char **why)
{
	char mode[8], uid[16], gid[16], size[24], hash[65], host[96], copy[96];
	const char *fields[NFIELDS];

	if (check_entry(e, why) < 0)
		return -1;
	if (!e->copy.set || e->host.mtime.nsec > 999999999 ||
	    e->host.ctime.nsec > 999999999 || e->copy.mtime.nsec > 999999999 ||
	    e->copy.ctime.nsec > 999999999)
		return *why = "bad identity", -1;
	snprintf(mode, sizeof mode, "%04o", (unsigned)e->mode);
	snprintf(uid, sizeof uid, "%" PRIu32, e->uid);
	snprintf(gid, sizeof gid, "%" PRIu32, e->gid);
	snprintf(size, sizeof size, "%" PRIu64, e->size);
	if (e->uid == UINT32_MAX || e->gid == UINT32_MAX)
		return *why = "bad owner", -1;
	for (int i = 0; i < 32; i++)
		snprintf(hash + (size_t)i * 2, 3, "%02x", e->sha256[i]);
	fmt_id(host, sizeof host, &e->host);
	fmt_id(copy, sizeof copy, &e->copy);
	fields[0] = e->path;
	fields[1] = manifest_kind_name(e->kind);
	fields[2] = mode;
	fields[3] = uid;
	fields[4] = gid;
	fields[5] = size;
	fields[6] = e->has_sha256 ? hash : NULL;
	fields[7] = e->source;
	fields[8] = e->host.set ? host : NULL;
	fields[9] = copy;
	fields[10] = e->pkg;
	fields[11] = e->ver;
	fields[12] = manifest_origin_name(e->origin);
	fields[13] = e->extra;
	for (int i = 0; i < NFIELDS; i++)
		if (put_field(f, fields[i], i == NFIELDS - 1) < 0)
			return *why = "write failed", -1;
	return 0;
}

/* --- identities ----------------------------------------------------- */

void manifest_id_of(const struct stat *st, struct mf_id *id)
{
	id->set = true;
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->mtime.sec = (int64_t)st->st_mtim.tv_sec;
	id->mtime.nsec = (uint32_t)st->st_mtim.tv_nsec;
	id->ctime.sec = (int64_t)st->st_ctim.tv_sec;
	id->ctime.nsec = (uint32_t)st->st_ctim.tv_nsec;
}

static bool same_id(const struct mf_id *a, const struct stat *st)
{
	struct mf_id b;

	manifest_id_of(st, &b);
	return a->set && a->dev == b.dev && a->ino == b.ino &&
	       a->mtime.sec == b.mtime.sec && a->mtime.nsec == b.mtime.nsec &&
	       a->ctime.sec == b.ctime.sec && a->ctime.nsec == b.ctime.nsec;
}

bool manifest_host_current(const struct mf_entry *e, const struct stat *st)
{
	return e->source != NULL && same_id(&e->host, st);
}

bool manifest_copy_current(const struct mf_entry *e, const struct stat *st)
{
	return same_id(&e->copy, st) && (e->kind == MF_DIR ||
	       e->kind == MF_CHARDEV || (uint64_t)st->st_size == e->size);
}
