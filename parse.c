/* SPDX-License-Identifier: ISC */
/* chdrop — pure parsers.
 *
 * Nothing here makes a system call, touches a global or exits: every
 * function takes text and returns a verdict, so each can be unit-tested and
 * fuzzed without privileges.  Errors come back as a short static reason.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cap-ng.h>

#include "launcher.h"

/* A uid or gid: decimal digits only, optionally "+" to force a number
 * where a name would also fit.  (uid_t)-1 is "no change" to the kernel, so
 * 4294967295 is refused rather than silently meaning "stay as I am". */
int parse_id(const char *s, bool *numeric, uint32_t *id, const char **why)
{
	const char *p = s;
	uint64_t v = 0;

	*numeric = false;
	if (*p == '+')
		p++;
	if (*p == '\0') {
		*why = "empty";
		return -1;
	}
	if (!isdigit((unsigned char)*p)) {
		if (p != s) {
			*why = "not a number";
			return -1;
		}
		return parse_name(s, why);
	}
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p)) {
			*why = "not a number";
			return -1;
		}
		v = v * 10 + (uint64_t)(*p - '0');
		if (v >= UINT32_MAX) {
			*why = "out of range";
			return -1;
		}
	}
	*numeric = true;
	*id = (uint32_t)v;
	return 0;
}

/* A user or group name as shadow-utils would accept it: no separators,
 * no white space, no control characters, not starting with '-'. */
int parse_name(const char *s, const char **why)
{
	size_t n = strlen(s);

	if (n == 0) {
		*why = "empty";
		return -1;
	}
	if (n > 256) {
		*why = "name too long";
		return -1;
	}
	if (s[0] == '-') {
		*why = "not a name or number";
		return -1;
	}
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c == ':' || c == ',' || c == '/' || c == 0x7f) {
			*why = "invalid character in name";
			return -1;
		}
	}
	return 0;
}

/* Iterate over a comma-separated list.  Returns 1 with the next item,
 * 0 at the end, -1 for an empty item ("a,,b", "a,", ",a"). */
int list_next(const char **cursor, const char **item, size_t *len,
              const char **why)
{
	const char *p = *cursor, *comma;

	if (p == NULL)
		return 0;
	comma = strchr(p, ',');
	*item = p;
	*len = comma ? (size_t)(comma - p) : strlen(p);
	*cursor = comma ? comma + 1 : NULL;
	if (*len == 0) {
		*why = "empty item in list";
		return -1;
	}
	return 1;
}

/* Capability names come from libcap-ng's table (capng_name_to_capability,
 * capng_capability_to_name), which touches no file and no process state:
 * this file stays pure.  A capability newer than that table is "unknown". */

/* The name of capability number cap, or "unknown". */
const char *cap_name(unsigned cap)
{
	const char *n = capng_capability_to_name(cap);

	return n != NULL ? n : "unknown";
}

/* Capability names, as capsh and systemd spell them: case-insensitive,
 * the CAP_ prefix optional.  A name the running kernel does not know
 * (above last_cap) is an error, not a no-op. */
int parse_caps(const char *s, unsigned last_cap, uint64_t *caps,
               const char **why)
{
	const char *item;
	size_t len;
	int r;

	*caps = 0;
	if (*s == '\0')
		return 0;
	while ((r = list_next(&s, &item, &len, why)) > 0) {
		char name[64];
		int cap;

		if (len >= 4 && strncasecmp(item, "cap_", 4) == 0) {
			item += 4;
			len -= 4;
		}
		if (len == 0 || len >= sizeof(name)) {
			*why = "unknown capability";
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)item[i];
			if (!isalpha(c) && c != '_') {
				*why = "unknown capability";
				return -1;
			}
			name[i] = (char)c;
		}
		name[len] = '\0';
		/* libcap-ng compares without case, but does not know the
		 * cap_ prefix: stripped above. */
		cap = capng_name_to_capability(name);
		if (cap < 0) {
			*why = "unknown capability";
			return -1;
		}
		if ((unsigned)cap > last_cap || cap > 63) {
			*why = "capability not supported by the running kernel";
			return -1;
		}
		*caps |= UINT64_C(1) << cap;
	}
	return r;
}

/* NAME=VALUE with a portable shell name. */
int parse_env_assign(const char *s, const char **why)
{
	const char *eq = strchr(s, '=');

	if (eq == NULL) {
		*why = "expected NAME=VALUE";
		return -1;
	}
	if (eq == s || isdigit((unsigned char)*s)) {
		*why = "invalid variable name";
		return -1;
	}
	for (const char *p = s; p < eq; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_') {
			*why = "invalid variable name";
			return -1;
		}
	}
	return 0;
}

static int parse_uint(const char *s, long max, long *out, const char **why)
{
	long v = 0;

	if (*s == '\0') {
		*why = "empty";
		return -1;
	}
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s)) {
			*why = "not a number";
			return -1;
		}
		v = v * 10 + (*s - '0');
		if (v > max) {
			*why = "out of range";
			return -1;
		}
	}
	*out = v;
	return 0;
}

int parse_fd(const char *s, int *fd, const char **why)
{
	long v;

	if (parse_uint(s, INT32_MAX, &v, why) < 0)
		return -1;
	*fd = (int)v;
	return 0;
}

int parse_scope(const char *s, unsigned *scope, const char **why)
{
	const char *item;
	size_t len;
	int r;

	*scope = 0;
	while ((r = list_next(&s, &item, &len, why)) > 0) {
		if (len == 6 && strncmp(item, "signal", 6) == 0)
			*scope |= SCOPE_SIGNAL;
		else if (len == 13 && strncmp(item, "abstract-unix", 13) == 0)
			*scope |= SCOPE_ABSTRACT_UNIX;
		else {
			*why = "unknown scope (signal, abstract-unix)";
			return -1;
		}
	}
	if (r < 0)
		return -1;
	if (*scope == 0) {
		*why = "empty";
		return -1;
	}
	return 0;
}

/* systemd's sd_listen_fds(3) protocol: the descriptors are ours only when
 * LISTEN_PID names this very process.  Malformed values are errors: a
 * service manager that sends garbage is not one to guess for. */
int parse_listen_fds(const char *pid_s, const char *fds_s, pid_t self,
                     int *nfds, const char **why)
{
	long pid, n;

	*nfds = 0;
	if (pid_s == NULL || fds_s == NULL)
		return 0;
	if (parse_uint(pid_s, INT32_MAX, &pid, why) < 0) {
		*why = "LISTEN_PID is not a process id";
		return -1;
	}
	if (pid != self)
		return 0;
	if (parse_uint(fds_s, MAX_LISTEN_FDS, &n, why) < 0) {
		*why = "LISTEN_FDS is not a small number";
		return -1;
	}
	*nfds = (int)n;
	return 0;
}

/* --- plain-text account files -------------------------------------------
 * Fields are split on ':' exactly; a line with the wrong field count or a
 * non-numeric id is an error.  Blank lines and '#' comments are skipped;
 * NIS compat lines ("+", "-") are refused since they mean "ask NSS". */

static int split_fields(const char *line, size_t len, const char **f,
                        size_t *flen, size_t want)
{
	size_t n = 0;
	const char *p = line, *end = line + len;

	for (;;) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (n == want)
			return -1;
		f[n] = p;
		flen[n] = c ? (size_t)(c - p) : (size_t)(end - p);
		n++;
		if (c == NULL)
			break;
		p = c + 1;
	}
	return n == want ? 0 : -1;
}

static int field_id(const char *s, size_t len, uint32_t *id)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

typedef int (*line_fn)(const char *line, size_t len, void *ctx,
                       const char **why);

/* Calls fn for each meaningful line; stops early when fn returns 1. */
static int each_line(const char *buf, size_t len, line_fn fn, void *ctx,
                     size_t *lineno, const char **why)
{
	const char *p = buf, *end = buf + len;

	*lineno = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		++*lineno;
		if (memchr(p, '\0', l) != NULL) {
			*why = "NUL byte in file";
			return -1;
		}
		/* cppcheck-suppress knownConditionTrueFalse ; 0 on an empty line */
		if (l > 0 && p[0] != '#') {
			int r;

			if (p[0] == '+' || p[0] == '-') {
				*why = "NIS compat entries are not supported";
				return -1;
			}
			r = fn(p, l, ctx, why);
			if (r < 0)
				return -1;
			if (r > 0)
				return 0;
		}
		p += l + 1;
	}
	*lineno = 0;
	return 0;
}

struct pw_walk {
	int (*cb)(const struct pw_entry *, void *);
	void *arg;
};

struct gr_walk {
	int (*cb)(const struct gr_entry *, void *);
	void *arg;
};

static int passwd_line(const char *line, size_t len, void *ctx,
                       const char **why)
{
	struct pw_walk *w = ctx;
	const char *f[7];
	size_t fl[7];
	struct pw_entry e;

	if (split_fields(line, len, f, fl, 7) < 0) {
		*why = "expected 7 fields";
		return -1;
	}
	if (fl[0] == 0 || field_id(f[2], fl[2], &e.uid) < 0 ||
	    field_id(f[3], fl[3], &e.gid) < 0) {
		*why = "malformed entry";
		return -1;
	}
	e.name = f[0];
	e.name_len = fl[0];
	e.home = f[5];
	e.home_len = fl[5];
	e.shell = f[6];
	e.shell_len = fl[6];
	return w->cb(&e, w->arg) ? 1 : 0;
}

static int group_line(const char *line, size_t len, void *ctx,
                      const char **why)
{
	struct gr_walk *w = ctx;
	const char *f[4];
	size_t fl[4];
	struct gr_entry e;

	if (split_fields(line, len, f, fl, 4) < 0) {
		*why = "expected 4 fields";
		return -1;
	}
	if (fl[0] == 0 || field_id(f[2], fl[2], &e.gid) < 0) {
		*why = "malformed entry";
		return -1;
	}
	e.name = f[0];
	e.name_len = fl[0];
	e.members = f[3];
	e.members_len = fl[3];
	return w->cb(&e, w->arg) ? 1 : 0;
}

int parse_passwd(const char *buf, size_t len,
                 int (*cb)(const struct pw_entry *, void *), void *arg,
                 size_t *line, const char **why)
{
	struct pw_walk w = { cb, arg };
	return each_line(buf, len, passwd_line, &w, line, why);
}

int parse_group(const char *buf, size_t len,
                int (*cb)(const struct gr_entry *, void *), void *arg,
                size_t *line, const char **why)
{
	struct gr_walk w = { cb, arg };
	return each_line(buf, len, group_line, &w, line, why);
}

/* --- /etc/nsswitch.conf ------------------------------------------------
 * Only enough to know when "files" answers first: glibc's syntax is
 * "database: source [STATUS=ACTION] source ...", '#' starting a comment.
 * A database's name is compared without case, as glibc does, so "Passwd:"
 * counts as a line for it (and, not being the plain form, makes it false). */

static bool blank(char c) { return c == ' ' || c == '\t'; }

bool nsswitch_files_first(const char *buf, size_t len, const char *db)
{
	const char *p = buf, *end = buf + len;
	size_t dblen = strlen(db), lines = 0;
	bool first = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p, *name;

		while (q < e && blank(*q))
			q++;
		name = q;
		/* cppcheck-suppress knownConditionTrueFalse ; false only on short lines */
		if ((size_t)(e - q) > dblen && strncasecmp(q, db, dblen) == 0) {
			q += dblen;
			while (q < e && blank(*q))
				q++;
			if (q < e && *q == ':') {
				/* A line for DB: the plain form, or false. */
				const char *s = q + 1, *t;

				lines++;
				first = name == p && q == name + dblen &&
				        strncmp(name, db, dblen) == 0 &&
				        memchr(p, '#', (size_t)(e - p)) == NULL &&
				        memchr(p, '\0', (size_t)(e - p)) == NULL;
				while (s < e && blank(*s))
					s++;
				for (t = s; t < e && !blank(*t); t++)
					;
				first = first && t - s == 5 && memcmp(s, "files", 5) == 0;
				while (t < e && blank(*t))
					t++;
				first = first && (t == e || *t != '[');
			}
		}
		p = e + 1;
	}
	return lines == 1 && first;
}

bool lines_unindented(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((i == 0 || buf[i - 1] == '\n') && blank(buf[i]))
			return false;
	return true;
}

/* --- /etc/subuid and /etc/subgid ----------------------------------------
 * "owner:start:count", owner a name or a uid; the same line rules as the
 * account files.  A range must hold at least one id and end below
 * 4294967295, which the kernel never maps. */

struct subid_find {
	const char *name;
	uint32_t uid;
	struct subid_range *r;
};

static int subid_line(const char *line, size_t len, void *ctx,
                      const char **why)
{
	struct subid_find *s = ctx;
	const char *f[3];
	size_t fl[3];
	uint32_t owner, start, count;
	bool match;

	if (split_fields(line, len, f, fl, 3) < 0) {
		*why = "expected 3 fields";
		return -1;
	}
	if (fl[0] == 0 || field_id(f[1], fl[1], &start) < 0 ||
	    field_id(f[2], fl[2], &count) < 0 || count == 0 ||
	    (uint64_t)start + count > UINT32_MAX) {
		*why = "malformed entry";
		return -1;
	}
	match = (s->name != NULL && fl[0] == strlen(s->name) &&
	         memcmp(f[0], s->name, fl[0]) == 0) ||
	        (field_id(f[0], fl[0], &owner) == 0 && owner == s->uid);
	if (!match)
		return 0;
	s->r->start = start;
	s->r->count = count;
	return 1;
}

int parse_subid(const char *buf, size_t len, const char *name, uint32_t uid,
                struct subid_range *r, size_t *line, const char **why)
{
	struct subid_find s = { name, uid, r };

	r->start = r->count = 0;
	if (each_line(buf, len, subid_line, &s, line, why) < 0)
		return -1;
	return r->count > 0;
}

/* Is name one of the comma-separated members? */
bool member_of(const char *members, size_t len, const char *name)
{
	size_t n = strlen(name);
	const char *p = members, *end = members + len;

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t l = c ? (size_t)(c - p) : (size_t)(end - p);
		if (l == n && memcmp(p, name, n) == 0)
			return true;
		p += l + 1;
	}
	return false;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return (x > y) - (x < y);
}

/* Sort a group list and drop repeats; returns the new length. */
size_t sort_unique_gids(gid_t *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(v[0]), cmp_gid);
	for (size_t i = 1; i < n; i++)
		if (v[i] != v[out])
			v[++out] = v[i];
	return out + 1;
}

/* A path of a per-run mount: absolute, no "." or ".." component (a DST is
 * resolved beneath the root and never climbs; a SRC is named as it is),
 * not "/" alone (a bind over the whole root, or of the whole host, is not
 * a per-run mount), shorter than PATH_MAX, with no control character
 * (messages show these paths). */
static int mount_path(const char *s, size_t len, const char **why)
{
	if (len == 0) {
		*why = "empty path";
		return -1;
	}
	if (s[0] != '/') {
		*why = "paths must be absolute";
		return -1;
	}
	if (len >= 4096) {
		*why = "path too long";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			*why = "control characters are not allowed in paths";
			return -1;
		}
	}
	for (size_t i = 0; i < len; ) {
		size_t n;

		while (i < len && s[i] == '/')
			i++;
		n = i;
		while (n < len && s[n] != '/')
			n++;
		if ((n - i == 1 && s[i] == '.') ||
		    (n - i == 2 && s[i] == '.' && s[i + 1] == '.')) {
			*why = "'.' and '..' are not allowed in paths";
			return -1;
		}
		i = n;
	}
	if (strspn(s, "/") == len) {
		*why = "'/' itself cannot be a per-run mount";
		return -1;
	}
	return 0;
}

/* --bind-ro=SRC[:DST][:noexec], --bind likewise, --tmpfs=DST[:exec].
 * Fields are split on ':' (so a path holding ':' cannot be named).  For a
 * bind, SRC is s[0, *src_len) and DST s[*dst_off, +*dst_len), the same as
 * SRC when not given; a tmpfs has DST only (*src_len is 0).  *exec says
 * whether programs may run from the mount. */
int parse_mount(const char *s, bool tmpfs, size_t *src_len, size_t *dst_off,
                size_t *dst_len, bool *exec, const char **why)
{
	const char *field[4];
	size_t flen[4], n = 0;
	const char *flag = tmpfs ? "exec" : "noexec";

	for (const char *p = s;; p++) {
		const char *end = p + strcspn(p, ":");
		if (n == 3) {
			*why = "too many ':' fields";
			return -1;
		}
		field[n] = p;
		flen[n++] = (size_t)(end - p);
		if (*end == '\0')
			break;
		p = end;
	}
	/* The last field may be the flag: a path is absolute, so it never
	 * reads "noexec" or "exec". */
	*exec = tmpfs ? false : true;
	if (n > 1 && flen[n - 1] == strlen(flag) &&
	    strncmp(field[n - 1], flag, flen[n - 1]) == 0) {
		*exec = !*exec;
		n--;
	}
	if (n > (tmpfs ? 1u : 2u)) {
		*why = tmpfs ? "expected DST[:exec]" : "expected SRC[:DST][:noexec]";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (mount_path(field[i], flen[i], why) < 0)
			return -1;
	*src_len = tmpfs ? 0 : flen[0];
	*dst_off = (size_t)(field[n - 1] - s);
	*dst_len = flen[n - 1];
	return 0;
}

/* --- escaping names for output ----------------------------------------- */

/* Length of the valid UTF-8 sequence at p (shortest form, no surrogates,
 * at most U+10FFFF), its code point in *cp; 0 if there is none. */
static size_t utf8_seq(const unsigned char *p, unsigned *cp)
{
	size_t n;
	unsigned c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) { n = 2; c = p[0] & 0x1fu; }
	else if (p[0] >= 0xe0 && p[0] <= 0xef) { n = 3; c = p[0] & 0x0fu; }
	else if (p[0] >= 0xf0 && p[0] <= 0xf4) { n = 4; c = p[0] & 0x07u; }
	else return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Code points a terminal or a reader must not get raw: C0, DEL and C1
 * controls, the line and paragraph separators, and the bidirectional
 * overrides and isolates (which reorder what follows them on screen). */
static bool unsafe_cp(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	       c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069);
}

static const char hexdig[] = "0123456789abcdef";

size_t escape_text(char *out, const char *in)
{
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		unsigned cp = 0;
		size_t n = utf8_seq(p, &cp);

		if (n == 0 || unsafe_cp(cp) || cp == '\\') {
			if (n == 0)
				n = 1;
			for (size_t i = 0; i < n; i++) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hexdig[p[i] >> 4];
				out[o++] = hexdig[p[i] & 15];
			}
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return o;
}

size_t escape_json(char *out, const char *in, bool *lossy)
{
	size_t o = 0;

	*lossy = false;
	for (const unsigned char *p = (const unsigned char *)in; *p;) {
		unsigned cp = 0;
		size_t n = utf8_seq(p, &cp);

		if (n == 0) {
			memcpy(out + o, "\\ufffd", 6);
			o += 6;
			*lossy = true;
			p++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			out[o++] = '\\';
			out[o++] = (char)cp;
		} else if (unsafe_cp(cp)) {
			memcpy(out + o, "\\u", 2);
			out[o + 2] = hexdig[cp >> 12 & 15];
			out[o + 3] = hexdig[cp >> 8 & 15];
			out[o + 4] = hexdig[cp >> 4 & 15];
			out[o + 5] = hexdig[cp & 15];
			o += 6;
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	return o;
}
