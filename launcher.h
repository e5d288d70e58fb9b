/* SPDX-License-Identifier: ISC */
/* chdrop — enter a root directory, drop privileges irrevocably, exec.
 *
 * The plan below is filled by parsing and resolution, checked as a whole,
 * and only then acted upon.  Every optional setting has an explicit *_set
 * flag: 0 is a real uid, never "unset".
 */
#ifndef CHDROP_LAUNCHER_H
#define CHDROP_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CHDROP_VERSION "0.1.0"

/* Exit codes, as coreutils chroot/env/nohup use them. */
enum {
	EXIT_CHDROP = 125,   /* chdrop itself failed; nothing was executed */
	EXIT_CANNOT_RUN = 126, /* PROGRAM found but could not be executed */
	EXIT_NOT_FOUND = 127,  /* PROGRAM not found */
};

/* PATH for the target when --reset-env (or its environment) sets none. */
#define SAFE_PATH "/usr/local/bin:/usr/bin:/bin"

#define MAX_GROUPS 65536   /* NGROUPS_MAX on Linux */
#define MAX_KEEP_FDS 64
#define MAX_ENV_SET 256
#define MAX_LISTEN_FDS 4096
#define MAX_MOUNTS 64

/* Per-run mounts (--bind-ro, --bind, --tmpfs), in command-line order. */
enum mount_kind { MOUNT_BIND_RO, MOUNT_BIND, MOUNT_TMPFS };
struct mount_spec {
	enum mount_kind kind;
	const char *opt;           /* the option as given, for messages */
	char *src;                 /* host path; NULL for a tmpfs */
	char *dst;                 /* path inside the root */
	bool exec;                 /* binds: no ":noexec"; tmpfs: ":exec" */
};

enum userdb { USERDB_HOST, USERDB_ROOT };
enum audit_format { AUDIT_TEXT, AUDIT_JSON };   /* --audit-format */
enum stale_mode { STALE_WARN, STALE_REFUSE, STALE_IGNORE };  /* --stale= */
/* What the launch-time check found (stale.c), for -n's stale= line. */
enum stale_found { STALE_NOT_RUN, STALE_NO_MANIFEST, STALE_CURRENT,
                   STALE_FOUND };

/* A subordinate id range from /etc/subuid or /etc/subgid (count 0: none). */
struct subid_range { uint32_t start, count; };

/* Landlock scoping (ABI >= 6), opt-in. */
enum { SCOPE_SIGNAL = 1u << 0, SCOPE_ABSTRACT_UNIX = 1u << 1 };

struct launch_plan {
	/* identity as given on the command line */
	const char *user_spec;     /* NULL: no -u */
	const char *group_spec;    /* NULL: no -g */
	const char *groups_spec;   /* NULL: no -G; "" means none */
	enum userdb userdb;
	bool allow_root;

	/* identity as resolved */
	uid_t uid;
	gid_t gid;
	size_t ngroups;
	gid_t *groups;
	char *user_name;           /* entry name, or the number as text */
	char *home;                /* from the entry, "" when none */
	char *shell;               /* from the entry, "" when none */

	/* root directory */
	const char *root;          /* NULL: no -r, privileges only */
	const char *chdir;         /* NULL: "/" inside a root, else unchanged */
	bool unsafe_root;
	bool pivot_root;
	enum stale_mode stale;     /* --stale=, default warn */
	bool stale_set;            /* --stale= was given */
	enum stale_found stale_found;
	const char *stale_path;    /* STALE_FOUND: the stale entry named */
	bool userns;
	bool map_root;             /* --map-root: uid and gid 0 in the namespace */
	struct subid_range subuid, subgid;  /* --map-root's ranges, if any */

	/* per-run mounts, in a private mount namespace (mounts.c) */
	struct mount_spec mounts[MAX_MOUNTS];
	size_t nmounts;
	bool dev;                  /* --dev: a fresh minimal /dev */
	bool host_program;         /* PROGRAM is a host path, run by descriptor */
	int host_fd;               /* its descriptor (-1 until opened) */

	/* capabilities to keep: bit n is capability n */
	uint64_t caps;

	/* hardening, each on by default */
	bool no_new_privs;
	bool securebits;
	bool close_fds;
	bool tty_guard;
	bool landlock;
	bool require_landlock;     /* --require-landlock: its absence is fatal */
	unsigned scope;            /* SCOPE_* bits, opt-in */
	bool new_session;
	int keep_fds[MAX_KEEP_FDS];
	size_t nkeep_fds;
	int listen_fds;            /* systemd socket activation: 3 .. 3+n-1 */

	/* environment */
	bool reset_env;
	const char *env_set[MAX_ENV_SET];  /* "NAME=VALUE" */
	size_t nenv_set;

	/* information */
	bool dry_run;
	const char *audit;         /* NULL: no --audit */
	enum audit_format audit_format;
	bool audit_format_set;
	bool audit_hazards_only;   /* --audit-level=hazard */
	bool audit_level_set;
	int verbose;

	char **argv;               /* PROGRAM [ARG]... */
};

/* Does the run need a private mount namespace (and so CAP_SYS_ADMIN)?
 * The pre-flight asks this; every option that mounts belongs here. */
static inline bool plan_needs_mount_ns(const struct launch_plan *p)
{
	return p->pivot_root || p->nmounts > 0 || p->dev;
}

/* parse.c — pure functions: no system calls, no globals, no exits.
 * Each returns 0 on success and -1 with *why set to a static message. */
int parse_id(const char *s, bool *numeric, uint32_t *id, const char **why);
int parse_name(const char *s, const char **why);
int parse_caps(const char *s, unsigned last_cap, uint64_t *caps, const char **why);
int parse_env_assign(const char *s, const char **why);
int parse_fd(const char *s, int *fd, const char **why);
int parse_scope(const char *s, unsigned *scope, const char **why);
int parse_mount(const char *s, bool tmpfs, size_t *src_len, size_t *dst_off,
                size_t *dst_len, bool *exec, const char **why);
int parse_listen_fds(const char *pid_s, const char *fds_s, pid_t self,
                     int *nfds, const char **why);
/* /etc/subuid or /etc/subgid: the first "owner:start:count" line whose
 * owner is name (may be NULL) or the number uid.  1 found, 0 none, -1 a
 * malformed line (*line says which). */
int parse_subid(const char *buf, size_t len, const char *name, uint32_t uid,
                struct subid_range *r, size_t *line, const char **why);

/* Plain-text account files (--userdb=root).  The callbacks see each entry
 * in file order; returning non-zero stops the walk.  A malformed line is an
 * error (*line says which), never silently skipped. */
struct pw_entry {
	const char *name; size_t name_len;
	uint32_t uid, gid;
	const char *home; size_t home_len;
	const char *shell; size_t shell_len;
};
struct gr_entry {
	const char *name; size_t name_len;
	uint32_t gid;
	const char *members; size_t members_len;  /* comma-separated */
};
int parse_passwd(const char *buf, size_t len,
                 int (*cb)(const struct pw_entry *, void *), void *arg,
                 size_t *line, const char **why);
int parse_group(const char *buf, size_t len,
                int (*cb)(const struct gr_entry *, void *), void *arg,
                size_t *line, const char **why);
bool member_of(const char *members, size_t len, const char *name);
/* /etc/nsswitch.conf: does NSS ask the "files" source first for database
 * DB ("passwd"), and return what it finds there?  True only for exactly
 * one line "DB:" whose first source is "files", with no [STATUS=ACTION]
 * after it and no comment on the line; anything unusual is false. */
bool nsswitch_files_first(const char *buf, size_t len, const char *db);
/* Every line plain: none starts with a space or a tab (glibc's files
 * source skips such leading blanks; parse_passwd() does not). */
bool lines_unindented(const char *buf, size_t len);
size_t sort_unique_gids(gid_t *v, size_t n);
const char *cap_name(unsigned cap);
int list_next(const char **cursor, const char **item, size_t *len,
              const char **why);
/* A name made safe to print.  escape_text: every byte that is not part of
 * a printable UTF-8 character (C0, DEL and C1 controls raw or encoded,
 * invalid UTF-8, the line separators and bidirectional controls) and every
 * backslash becomes \xNN; out holds 4 * strlen(in) + 1.  escape_json: the
 * body of a JSON string, controls as \uNNNN, a byte that is not UTF-8 as
 * \ufffd (*lossy set); out holds 6 * strlen(in) + 1.  Both return the
 * length written. */
size_t escape_text(char *out, const char *in);
size_t escape_json(char *out, const char *in, bool *lossy);

/* cli.c — options into the plan; the --dry-run report. */
void parse_args(int argc, char **argv, struct launch_plan *p);
void validate(struct launch_plan *p);
void print_plan(const struct launch_plan *p, char **envp);
void dry_run_loadable(const struct launch_plan *p, int rootfd, const char *path);

/* stale.c — the launch-time manifest check (ROOT/.chdrop/manifest, made
 * by chdrop-root): every entry's host source lstat()ed and compared with
 * the identity recorded when it was copied; no hashing.  Warns in one
 * line (STALE_WARN) or exits 125 (STALE_REFUSE) at the first stale entry;
 * an unreadable or malformed manifest exits 125 either way.  Sets
 * p->stale_found.  Call before any privilege changes. */
void check_stale(struct launch_plan *p, int rootfd);

/* userdb.c — the target's identity, resolved outside the root. */
void resolve_identity(struct launch_plan *p, int rootfd);
/* A regular file beneath the root, read whole with the --userdb=root care
 * (openat2 RESOLVE_IN_ROOT, no symlink, root-owned, not group/other-
 * writable, at most max bytes; NUL-terminated); what names the caller in
 * messages.  Exits 125 on any failure, except that a missing file gives
 * NULL when may_be_missing. */
char *read_in_root(const struct launch_plan *p, int rootfd, const char *name,
                   size_t max, bool may_be_missing, const char *what,
                   size_t *len);
void check_not_root(const struct launch_plan *p);
/* openat2(dirfd, path, how), or where openat2 answers ENOSYS (systemd's
 * RestrictSUIDSGID= and DynamicUser=, kernels before 5.6) the same lookup
 * one component at a time, each O_PATH|O_NOFOLLOW beneath the last, the
 * last opened with how->flags (*walked is then true).  The walk follows
 * no symlink and refuses "..": it reaches what openat2 would, or fails
 * with ELOOP where a symlink is on the way (only openat2 follows one
 * confined to the root) and EXDEV on "..". */
struct open_how;
int openat2_or_walk(int dirfd, const char *path, const struct open_how *how,
                    bool *walked);

/* confine.c — the layers beyond chroot; each exits on failure. */
void set_no_new_privs(const struct launch_plan *p);
void tty_guard(const struct launch_plan *p);
bool tty_guard_holds(void);
const char *tty_guard_probe(const struct launch_plan *p);
int landlock_probe(const char **why);
void landlock_preflight(const struct launch_plan *p);
void landlock(const struct launch_plan *p);
long caller_session_keyring(void);         /* its serial, or -1 */
void new_session_keyring(long caller);
void private_mount_ns(const struct launch_plan *p);
void enter_pivot_root(const struct launch_plan *p, int rootfd);

/* mounts.c — per-run mounts and --host-program; each exits on failure.
 * mount_dev() mounts a fresh read-only /dev holding null, zero, full,
 * random, urandom and tty on the directory devfd (an O_PATH descriptor),
 * plus an empty mount-point file for each name in extra[] (a later bind
 * such as /dev/log).  It needs a mount namespace of the caller's own; in
 * a user namespace, where mknod is refused, the host's nodes are bound
 * onto files instead, so call it while the host's /dev is still reachable.
 * check_mounts() resolves everything and mounts nothing (for -n). */
void mount_dev(int devfd, const char *const *extra, size_t nextra);
void check_mounts(const struct launch_plan *p, int rootfd);
void setup_mounts(const struct launch_plan *p, int rootfd);
void print_mounts(const struct launch_plan *p);
void open_host_program(struct launch_plan *p);
void exec_host_program(const struct launch_plan *p, char **envp)
	__attribute__((noreturn));
/* userns.c — --userns and --map-root.  lookup_subids() fills the plan's
 * ranges (validation time, so -n shows them); userns_trusts_owner() is the
 * ownership rule's exception for a root of your own; enter_userns() enters
 * the namespace (with --map-root: the PID namespace, /proc and /dev/pts,
 * after a fork whose parent only relays) and returns in the process that
 * goes on to exec the target. */
#define MAP_ROOT_CAPS ((UINT64_C(1) << 0) | (UINT64_C(1) << 1) | \
	(UINT64_C(1) << 2) | (UINT64_C(1) << 3) | (UINT64_C(1) << 4) | \
	(UINT64_C(1) << 5) | (UINT64_C(1) << 6) | (UINT64_C(1) << 7) | \
	(UINT64_C(1) << 31))  /* chown dac_override dac_read_search fowner
	                       * fsetid kill setgid setuid setfcap */
void lookup_subids(struct launch_plan *p);
bool userns_trusts_owner(const struct launch_plan *p, uid_t owner);
void enter_userns(struct launch_plan *p, int rootfd);

/* audit.c — chdrop --audit=DIR: report ways out of a root directory,
 * read only.  Returns the exit status: 0 nothing found, 1 a hazard found,
 * 125 the audit could not be completed. */
struct audit_opts {
	enum audit_format format;
	bool hazards_only;         /* --audit-level=hazard: no info lines */
	bool userns;               /* --userns: trusted are root and uid ("you") */
	bool target_set;           /* -u given: judge what that user can write */
	uid_t uid;
	gid_t gid;                 /* primary group */
	const gid_t *groups;       /* supplementary groups */
	size_t ngroups;
};
int audit_root(const char *dir, const struct audit_opts *o);

#endif
