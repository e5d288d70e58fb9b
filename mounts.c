/* SPDX-License-Identifier: ISC */
/* chdrop — per-run mounts (--bind-ro, --bind, --tmpfs, --dev) and
 * --host-program.
 *
 * Everything here happens in the private mount namespace main() created
 * before the root was opened: nothing propagates to the host, and the
 * mounts go away with the last process of the namespace (the target).
 * The new mount API works on descriptors throughout: a source is opened
 * on the host with no symlink followed and cloned (open_tree), made
 * nosuid, nodev (and read-only, noexec) while still detached
 * (mount_setattr), and moved onto a destination opened beneath the root
 * descriptor with no symlink followed (openat2 RESOLVE_IN_ROOT |
 * RESOLVE_NO_SYMLINKS), which must already exist: chdrop creates nothing
 * inside the root.  Each step exits 125 naming the option at fault.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "launcher.h"
#include "msg.h"

/* The new mount API's constants, where the C library lacks them (musl). */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 1
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 1
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#endif
#ifndef MS_PRIVATE
#define MS_PRIVATE (1 << 18)
#endif

/* struct mount_attr, which musl does not have (cppcheck does not see the
 * members used through a designated initializer). */
struct mnt_attr {
	uint64_t attr_set;     /* cppcheck-suppress unusedStructMember */
	uint64_t attr_clr;     /* cppcheck-suppress unusedStructMember */
	uint64_t propagation;  /* cppcheck-suppress unusedStructMember */
	uint64_t userns_fd;    /* cppcheck-suppress unusedStructMember */
};

/* --- the system calls, by number (musl has no wrappers) --------------------- */

static int sys_openat2(int dfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };

	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

/* A detached copy of the mount tree at fd (its submounts too). */
static int clone_tree(int fd)
{
	return (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE |
	                    OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
}

/* Set attr on the mount at fd and every mount beneath it, and make them
 * private: a clone joins its source's peer group, and a mount made on top
 * of it later would otherwise propagate back to the host. */
static int set_attr(int fd, uint64_t attr)
{
	struct mnt_attr a = { .attr_set = attr, .propagation = MS_PRIVATE };

	return (int)syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
	                    &a, sizeof(a));
}

static int attach(int tree, int dst)
{
	return (int)syscall(SYS_move_mount, tree, "", dst, "",
	                    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* A fresh tmpfs as a detached mount with the given attributes. */
static int new_tmpfs(const char *opt, const char *mode, const char *size,
                     uint64_t attr)
{
	int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC), mnt;

	if (fs < 0)
		err(EXIT_CHDROP, "%s: fsopen(tmpfs)", opt);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", mode, 0) < 0)
		err(EXIT_CHDROP, "%s: fsconfig(mode=%s)", opt, mode);
	if (size != NULL &&
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", size, 0) < 0)
		err(EXIT_CHDROP, "%s: fsconfig(size=%s)", opt, size);
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		err(EXIT_CHDROP, "%s: fsconfig(create)", opt);
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attr);
	if (mnt < 0)
		err(EXIT_CHDROP, "%s: fsmount", opt);
	close(fs);
	return mnt;
}

/* --- resolving ---------------------------------------------------------------- */

/* DST beneath the root, as the root would see it, with no symlink (nor
 * /proc magic link) followed anywhere on the way; it must exist and be a
 * directory exactly when want_dir. */
static int open_dst(int rootfd, const char *opt, const char *dst, bool want_dir)
{
	int fd = sys_openat2(rootfd, dst, O_PATH | O_CLOEXEC,
	                     RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
	                     RESOLVE_NO_MAGICLINKS);
	struct stat st;

	if (fd < 0) {
		switch (errno) {
		case ELOOP:
			errx(EXIT_CHDROP, "%s: %s inside the root is a symlink or "
			     "has one on the way: refused", opt, dst);
		case ENOENT:
			errx(EXIT_CHDROP, "%s: %s does not exist inside the root "
			     "(chdrop creates no mount point)", opt, dst);
		case ENOTDIR:
			errx(EXIT_CHDROP, "%s: %s inside the root: a component on "
			     "the way is not a directory", opt, dst);
		case EXDEV:
			errx(EXIT_CHDROP, "%s: %s leads outside the root: refused",
			     opt, dst);
		default:
			err(EXIT_CHDROP, "%s: open %s inside the root", opt, dst);
		}
	}
	if (fstat(fd, &st) < 0)
		err(EXIT_CHDROP, "%s: fstat %s", opt, dst);
	if (want_dir && !S_ISDIR(st.st_mode))
		errx(EXIT_CHDROP, "%s: %s inside the root is not a directory",
		     opt, dst);
	if (!want_dir && S_ISDIR(st.st_mode))
		errx(EXIT_CHDROP, "%s: %s inside the root is a directory, the "
		     "source is not", opt, dst);
	return fd;
}

/* SRC on the host, with no symlink followed anywhere on the way. */
static int open_src(const char *opt, const char *src, bool *is_dir)
{
	int fd = sys_openat2(AT_FDCWD, src, O_PATH | O_CLOEXEC,
	                     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	struct stat st;

	if (fd < 0) {
		if (errno == ELOOP)
			errx(EXIT_CHDROP, "%s: %s is a symlink or has one on the "
			     "way: refused (name the real path)", opt, src);
		err(EXIT_CHDROP, "%s: %s", opt, src);
	}
	if (fstat(fd, &st) < 0)
		err(EXIT_CHDROP, "%s: fstat %s", opt, src);
	*is_dir = S_ISDIR(st.st_mode);
	return fd;
}

/* --- --dev ---------------------------------------------------------------------- */

static const struct {
	const char *name;
	unsigned major, minor;
} dev_nodes[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};
#define NDEV (sizeof(dev_nodes) / sizeof(dev_nodes[0]))

/* The host's node, checked to be the device it claims, bound onto the
 * file of the same name in the new /dev (dirfd: attached already). */
static void bind_host_node(int dirfd, size_t i)
{
	char host[32];
	struct stat st;
	int src, tree, dst;

	snprintf(host, sizeof(host), "/dev/%s", dev_nodes[i].name);
	src = sys_openat2(AT_FDCWD, host, O_PATH | O_CLOEXEC,
	                  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (src < 0)
		err(EXIT_CHDROP, "--dev: %s", host);
	if (fstat(src, &st) < 0)
		err(EXIT_CHDROP, "--dev: fstat %s", host);
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != dev_nodes[i].major ||
	    minor(st.st_rdev) != dev_nodes[i].minor)
		errx(EXIT_CHDROP, "--dev: the host's %s is not character device "
		     "%u:%u", host, dev_nodes[i].major, dev_nodes[i].minor);
	tree = clone_tree(src);
	if (tree < 0)
		err(EXIT_CHDROP, "--dev: open_tree(%s)", host);
	if (set_attr(tree, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) < 0)
		err(EXIT_CHDROP, "--dev: mount_setattr(%s)", host);
	dst = openat(dirfd, dev_nodes[i].name, O_PATH | O_CLOEXEC);
	if (dst < 0)
		err(EXIT_CHDROP, "--dev: open the new %s", host);
	if (attach(tree, dst) < 0)
		err(EXIT_CHDROP, "--dev: move_mount(%s)", host);
	close(dst);
	close(tree);
	close(src);
}

/* Make a node, or (with binds) an empty file for one; false when mknod is
 * refused (a user namespace, or CAP_MKNOD taken away). */
static bool make_node(int mnt, size_t i, bool binds)
{
	const char *name = dev_nodes[i].name;
	int fd;

	if (!binds) {
		if (mknodat(mnt, name, S_IFCHR | 0666,
		            makedev(dev_nodes[i].major, dev_nodes[i].minor)) == 0) {
			/* the mode, whatever the umask */
			if (fchmodat(mnt, name, 0666, 0) < 0)
				err(EXIT_CHDROP, "--dev: chmod %s", name);
			return true;
		}
		if (errno != EPERM)
			err(EXIT_CHDROP, "--dev: mknod %s", name);
		return false;
	}
	fd = openat(mnt, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		err(EXIT_CHDROP, "--dev: create %s", name);
	close(fd);
	return true;
}

void mount_dev(int devfd, const char *const *extra, size_t nextra)
{
	bool binds = false;
	int mnt;

	/* Device nodes work here, so it is not nodev; it is nosuid and noexec
	 * and, once filled, read-only: the target cannot add a node. */
	mnt = new_tmpfs("--dev", "0755", "64k", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	/* The first mknod decides: refused, every node is a bind. */
	binds = !make_node(mnt, 0, false);
	for (size_t i = binds ? 0 : 1; i < NDEV; i++)
		if (!make_node(mnt, i, binds))
			errx(EXIT_CHDROP, "--dev: mknod %s refused, %s was not",
			     dev_nodes[i].name, dev_nodes[0].name);
	for (size_t i = 0; i < nextra; i++) {
		size_t len = strlen(extra[i]);
		int fd;

		if (len > 1 && extra[i][len - 1] == '/') {
			char name[256];
			snprintf(name, sizeof(name), "%.*s", (int)(len - 1), extra[i]);
			if (mkdirat(mnt, name, 0755) < 0)
				err(EXIT_CHDROP, "--dev: mkdir %s", name);
			continue;
		}
		fd = openat(mnt, extra[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			err(EXIT_CHDROP, "--dev: create %s", extra[i]);
		close(fd);
	}
	if (attach(mnt, devfd) < 0)
		err(EXIT_CHDROP, "--dev: move_mount");
	for (size_t i = 0; binds && i < NDEV; i++)
		bind_host_node(mnt, i);
	if (set_attr(mnt, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) < 0)
		err(EXIT_CHDROP, "--dev: mount_setattr(read-only)");
	close(mnt);
	say("--dev: a fresh read-only /dev, %s", binds ?
	    "the host's nodes bound (mknod refused)" : "nodes made by mknod");
}

/* --- binds and tmpfs ---------------------------------------------------------- */

/* A DST that is a name directly in /dev, with --dev: its mount point is
 * made in the fresh /dev (ours, not the root's), as a file or directory. */
static bool in_new_dev(const struct launch_plan *p, const char *dst)
{
	return p->dev && strncmp(dst, "/dev/", 5) == 0 && dst[5] != '\0' &&
	       strchr(dst + 5, '/') == NULL;
}

static void bind_one(const struct mount_spec *m, int rootfd)
{
	bool ro = m->kind == MOUNT_BIND_RO, is_dir;
	uint64_t attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
	                (ro ? MOUNT_ATTR_RDONLY : 0) |
	                (m->exec ? 0 : MOUNT_ATTR_NOEXEC);
	int src = open_src(m->opt, m->src, &is_dir);
	int dst = open_dst(rootfd, m->opt, m->dst, is_dir);
	int tree = clone_tree(src);
	struct statvfs sv;

	if (tree < 0)
		err(EXIT_CHDROP, "%s: open_tree(%s)", m->opt, m->src);
	if (set_attr(tree, attr) < 0)
		err(EXIT_CHDROP, "%s: cannot be made %snosuid,nodev", m->opt,
		    ro ? "read-only, " : "");
	if (ro && (fstatvfs(tree, &sv) < 0 || !(sv.f_flag & ST_RDONLY)))
		errx(EXIT_CHDROP, "%s: cannot be made read-only", m->opt);
	if (attach(tree, dst) < 0)
		err(EXIT_CHDROP, "%s: move_mount onto %s", m->opt, m->dst);
	close(tree);
	close(dst);
	close(src);
	say("%s: %s on %s", m->opt, m->src, m->dst);
}

static void tmpfs_one(const struct mount_spec *m, int rootfd)
{
	int dst = open_dst(rootfd, m->opt, m->dst, true);
	int mnt = new_tmpfs(m->opt, "1777", NULL, MOUNT_ATTR_NOSUID |
	                    MOUNT_ATTR_NODEV | (m->exec ? 0 : MOUNT_ATTR_NOEXEC));

	if (attach(mnt, dst) < 0)
		err(EXIT_CHDROP, "%s: move_mount onto %s", m->opt, m->dst);
	close(mnt);
	close(dst);
	say("%s: a tmpfs on %s", m->opt, m->dst);
}

/* --dev: the fresh /dev, with the names other mounts will land on in it.
 * Its own function, not inlined: its 17 KiB of names would otherwise be
 * part of every launch's stack frame, and each page of it a fault
 * (-fstack-clash-protection probes them all), with or without --dev. */
static void __attribute__((noinline)) setup_dev(const struct launch_plan *p,
                                                int rootfd)
{
	const char *extra[MAX_MOUNTS];
	char names[MAX_MOUNTS][256];
	size_t nextra = 0;
	int devfd = open_dst(rootfd, "--dev", "/dev", true);

	for (size_t i = 0; i < p->nmounts; i++) {
		const struct mount_spec *m = &p->mounts[i];
		bool dir = m->kind == MOUNT_TMPFS;

		if (!in_new_dev(p, m->dst))
			continue;
		if (!dir) {
			int fd = open_src(m->opt, m->src, &dir);
			close(fd);
		}
		snprintf(names[nextra], sizeof(names[0]), "%s%s", m->dst + 5,
		         dir ? "/" : "");
		extra[nextra] = names[nextra];
		nextra++;
	}
	mount_dev(devfd, extra, nextra);
	close(devfd);
}

/* --dev first (a bind may land on a name in it), then the others in
 * command-line order: each DST is resolved through the mounts before it. */
void setup_mounts(const struct launch_plan *p, int rootfd)
{
	if (p->dev)
		setup_dev(p, rootfd);
	for (size_t i = 0; i < p->nmounts; i++) {
		if (p->mounts[i].kind == MOUNT_TMPFS)
			tmpfs_one(&p->mounts[i], rootfd);
		else
			bind_one(&p->mounts[i], rootfd);
	}
}

/* --- -n ----------------------------------------------------------------------- */

/* A path as /proc/self/mountinfo writes one: space, tab, newline and
 * backslash (and any other control byte) as \ooo, so one mount is one line
 * with its fields apart. */
static void put_escaped(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c <= ' ' || c == '\\' || c == 0x7f)
			printf("\\%03o", c);
		else
			putchar(c);
	}
}

void print_mounts(const struct launch_plan *p)
{
	static const char *const kinds[] = { "bind-ro", "bind", "tmpfs" };
	size_t n = 0;

	if (p->dev)
		printf("mount.%zu=dev - /dev ro,nosuid,noexec\n", n++);
	for (size_t i = 0; i < p->nmounts; i++, n++) {
		const struct mount_spec *m = &p->mounts[i];

		printf("mount.%zu=%s ", n, kinds[m->kind]);
		put_escaped(m->src != NULL ? m->src : "-");
		putchar(' ');
		put_escaped(m->dst);
		printf(" %snosuid,nodev%s\n", m->kind == MOUNT_BIND_RO ? "ro," : "",
		       m->exec ? "" : ",noexec");
	}
	printf("mounts=%zu\n", n);
	printf("host_program=%d\n", p->host_program);
}

/* --- --host-program -------------------------------------------------------------- */

/* PROGRAM, a host path, opened now (before entering the root) with no
 * symlink followed; it must be a root-owned regular file nobody else can
 * write, not setuid or setgid, and an ELF executable: a script's #!
 * interpreter would be looked up inside the root, by the kernel, as a path
 * the target controls.  The descriptor is close-on-exec, so it never
 * reaches the target. */
void open_host_program(struct launch_plan *p)
{
	const char *prog = p->argv[0];
	unsigned char head[4];
	struct stat st;
	int fd;

	if (!p->host_program)
		return;
	fd = sys_openat2(AT_FDCWD, prog, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	                 O_CLOEXEC, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0) {
		if (errno == ELOOP)
			errx(EXIT_CHDROP, "--host-program: %s is a symlink or has "
			     "one on the way: refused (name the real path)", prog);
		err(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CHDROP,
		    "--host-program: %s", prog);
	}
	if (fstat(fd, &st) < 0)
		err(EXIT_CHDROP, "--host-program: fstat %s", prog);
	if (!S_ISREG(st.st_mode))
		errx(EXIT_CHDROP, "--host-program: %s: not a regular file", prog);
	if (st.st_uid != 0)
		errx(EXIT_CHDROP, "--host-program: %s: owned by uid %u, not root",
		     prog, (unsigned)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		errx(EXIT_CHDROP, "--host-program: %s: writable by group or "
		     "others", prog);
	if (st.st_mode & (S_ISUID | S_ISGID))
		errx(EXIT_CHDROP, "--host-program: %s: setuid or setgid: refused",
		     prog);
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head))
		errx(EXIT_CANNOT_RUN, "--host-program: %s: too short to be a "
		     "program", prog);
	if (head[0] == '#' && head[1] == '!')
		errx(EXIT_CHDROP, "--host-program: %s: a script: its #! "
		     "interpreter would be looked up inside the root; refused",
		     prog);
	if (memcmp(head, ELFMAG, SELFMAG) != 0)
		errx(EXIT_CANNOT_RUN, "--host-program: %s: not an ELF executable",
		     prog);
	if (!(st.st_mode & 0111))
		errx(EXIT_CANNOT_RUN, "--host-program: %s: not executable", prog);
	p->host_fd = fd;
	say("--host-program: %s opened on the host", prog);
}

/* The ELF interpreter PROGRAM names (PT_INTERP), or "" for a static one. */
static void elf_interp(int fd, char *buf, size_t size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	buf[0] = '\0';
	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(ph))
		return;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		ssize_t n;

		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
		    (ssize_t)sizeof(ph))
			return;
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz == 0 || ph.p_filesz > size - 1)
			return;
		n = pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset);
		buf[n > 0 ? (size_t)n : 0] = '\0';
		return;
	}
}

/* Exec by descriptor (execveat AT_EMPTY_PATH): the kernel loads the file
 * we opened on the host, whatever the root holds.  A dynamic program's
 * interpreter is still looked up inside the root: ENOENT names it. */
void exec_host_program(const struct launch_plan *p, char **envp)
{
	int e;

	syscall(SYS_execveat, p->host_fd, "", p->argv, envp, AT_EMPTY_PATH);
	e = errno;
	if (e == ENOENT) {
		char interp[256];

		elf_interp(p->host_fd, interp, sizeof(interp));
		errx(EXIT_CANNOT_RUN, "exec %s: its ELF interpreter %s is missing "
		     "inside the root", p->argv[0], interp[0] ? interp : "(none?)");
	}
	errno = e;
	err(EXIT_CANNOT_RUN, "exec %s", p->argv[0]);
}
