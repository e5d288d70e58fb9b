/* SPDX-License-Identifier: ISC */
/* Messages and small kernel queries that every part of chdrop (and
 * chdrop-root) may use.  The file holding main() uses these; it is never
 * used by them. */
#ifndef CHDROP_MSG_H
#define CHDROP_MSG_H

/* -v: how much to narrate on stderr (0: nothing). */
extern int chdrop_verbose;

/* One narration line on stderr, "PROG: ...", only under -v. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, "PROG: notice: ...", at every verbosity: for a
 * layer that is not in force, which the administrator must see. */
void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The highest capability the running kernel knows. */
unsigned last_cap(void);

#endif
