/* SPDX-License-Identifier: ISC */
/* The manifest of a root built by chdrop-root: what was copied, from where,
 * and what it looked like then.  Shared by chdrop-root (writes it, reads
 * it back on update and check), chdrop (the launch-time --stale= check and
 * --audit).  The parser and the line writer are pure: no system call, no
 * global, no exit (manifest_parse allocates one scratch buffer).
 *
 * Location: ROOT/.chdrop/manifest, root-owned 0644, in ROOT/.chdrop,
 * root-owned 0755.  Readers open it through the root descriptor without
 * following symlinks and refuse it unless it is a regular file owned by
 * root and not writable by group or others (the --userdb=root care).
 *
 * Format, version 1 (ASCII text, '\n' after every line, the last too):
 *
 *     chdrop-manifest 1
 *     request PATH
 *     ...
 *     PATH KIND MODE UID GID SIZE SHA256 SOURCE HOST-ID COPY-ID PKG VER ORIGIN EXTRA
 *     ...
 *     end N
 *
 * "request" lines (before every entry, sorted, each once) keep the host
 * paths named to `chdrop-root add`, as named (they may run through
 * symlinks): update resolves them again.  Then one entry a line, fourteen
 * fields separated by one space, sorted by PATH (byte order, each PATH
 * once); N counts the entries, so a file cut at a line boundary is refused
 * too.  Every field is escaped: the bytes 0x21 to
 * 0x7e stand for themselves except '\', every other byte (space, tab,
 * newline, NUL, 0x80-0xff) and '\' are written \xHH (lowercase hex); an
 * absent value is "-" and a value that is exactly "-" is written \x2d.
 * The encoding is canonical (an escape where none is needed is refused),
 * so a hostile file name can neither forge a line nor a field, and
 * writing a parsed entry gives back the same bytes.
 *
 *   PATH     the entry inside ROOT: absolute, no "." or ".." or empty
 *            component, no trailing '/', no NUL ("/" itself is not an entry)
 *   KIND     file | dir | symlink | chardev
 *   MODE     four octal digits (permission bits).  Never setuid/setgid;
 *            group/other-writable only for a sticky dir or a chardev.
 *            A symlink's is 0777.
 *   UID GID  the copy's owner (0 except state directories)
 *   SIZE     bytes (file, symlink); 0 for dir and chardev
 *   SHA256   64 lowercase hex digits of a file's content; "-" otherwise
 *   SOURCE   the host path it was copied from; "-" when made by chdrop-root
 *   HOST-ID  the source's lstat() when copied: DEV:INO:MTIME:CTIME, times
 *            as SEC.NSEC (nine digits); "-" when there is no source
 *   COPY-ID  the copy's own lstat() after it was written, same shape; a
 *            copy whose identity still matches need not be hashed again
 *   PKG VER  Debian package and version that owns SOURCE, "-" when none
 *   ORIGIN   why it is there: add (named on the command line), need
 *            (brought in: closure, interpreter, symlink target, tree),
 *            user, dev, tmp, etc (the basics), state (a state directory)
 *   EXTRA    symlink: its target; chardev: MAJOR,MINOR; origin user: the
 *            user name the passwd/group lines were made for; "-" otherwise
 */
#ifndef CHDROP_MANIFEST_H
#define CHDROP_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#define MANIFEST_DIR     ".chdrop"
#define MANIFEST_NAME    "manifest"
#define MANIFEST_PATH    ".chdrop/manifest"   /* relative to ROOT */
#define MANIFEST_HEADER  "chdrop-manifest 1\n"
/* Refused above this size: a root of ~100,000 entries. */
#define MANIFEST_MAX     ((size_t)64 << 20)

enum mf_kind { MF_FILE, MF_DIR, MF_SYMLINK, MF_CHARDEV };
enum mf_origin { MF_ADD, MF_NEED, MF_USER, MF_DEV, MF_TMP, MF_ETC, MF_STATE };

struct mf_time { int64_t sec; uint32_t nsec; };
struct mf_id {
	bool set;                  /* false: "-" */
	uint64_t dev, ino;
	struct mf_time mtime, ctime;
};

struct mf_entry {
	const char *path;          /* NUL-terminated, decoded */
	enum mf_kind kind;
	uint32_t mode;             /* permission bits only (07777) */
	uint32_t uid, gid;
	uint64_t size;
	bool has_sha256;
	unsigned char sha256[32];
	const char *source;        /* NULL: none */
	struct mf_id host, copy;
	const char *pkg, *ver;     /* NULL: unknown */
	enum mf_origin origin;
	const char *extra;         /* NULL: none */
};

/* Parse a whole manifest (buf need not be NUL-terminated).  cb sees every
 * entry in file order; its strings live until it returns.  A non-zero
 * return from cb stops the walk and is returned.  Returns 0, or -1 with
 * *line (1-based) and *why (static text) set: nothing is skipped. */
int manifest_parse(const char *buf, size_t len,
                   int (*cb)(const struct mf_entry *, void *), void *arg,
                   size_t *line, const char **why);
/* The same, with the request lines handed to req (NULL: ignored). */
int manifest_parse_all(const char *buf, size_t len,
                       int (*req)(const char *path, void *),
                       int (*cb)(const struct mf_entry *, void *), void *arg,
                       size_t *line, const char **why);

/* Write one entry line / the header / the trailer.  The entry is checked
 * first (the rules above): -1 with *why and nothing written when it
 * breaks one, or when f fails (then *why says so, errno is kept). */
int manifest_write_header(FILE *f, const char **why);
int manifest_write_request(FILE *f, const char *path, const char **why);
int manifest_write_entry(FILE *f, const struct mf_entry *e, const char **why);
int manifest_write_end(FILE *f, size_t n, const char **why);

/* Is the entry's recorded host identity still what st (an lstat of
 * SOURCE) says?  Compares dev, ino, mtime and ctime; false when the entry
 * has no source. */
bool manifest_host_current(const struct mf_entry *e, const struct stat *st);
/* The same for the copy's own identity, plus its size. */
bool manifest_copy_current(const struct mf_entry *e, const struct stat *st);
/* The identity lstat() gave, in manifest form. */
void manifest_id_of(const struct stat *st, struct mf_id *id);

const char *manifest_kind_name(enum mf_kind k);
const char *manifest_origin_name(enum mf_origin o);
/* Check a PATH or SOURCE as the format requires (absolute, normal). */
int manifest_check_path(const char *p, const char **why);

#endif
