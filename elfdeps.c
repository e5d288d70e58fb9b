/* SPDX-License-Identifier: ISC */
/* The ELF closure resolver shared by chdrop (-n) and chdrop-root (add,
 * update): what an ELF file needs, resolved as the host's glibc 2.36
 * loader resolves it.
 *
 * Why our own reader and not libelf: chdrop uses this for -n and must not
 * load libelf and libz at every launch (it links the C library alone), and
 * it reads hostile files from an untrusted root as root.  A small, pure,
 * bounds-checked parser over a buffer (elf_parse, ldcache_parse,
 * ldcache_lookup) can be fuzzed like parse.c (tests/fuzz/elf.c,
 * tests/fuzz/ldcache.c).  It reads only what the loader reads: the ELF
 * header, the program headers, PT_INTERP and the dynamic section with its
 * string table.
 *
 * The rest (elf_closure) follows glibc 2.36's elf/dl-load.c,
 * elf/dl-cache.c and elf/dl-hwcaps.c, read from Debian's glibc-source:
 * - breadth-first over DT_NEEDED, each object loaded once (matched by the
 *   names it was asked by, its path, its DT_SONAME, then by device and
 *   inode), its loader being the object that first needed it;
 * - a name with a slash is a path; otherwise, when the needing object has
 *   no DT_RUNPATH: the DT_RPATH of that object and of each object up its
 *   loading chain, then the executable's; then the needing object's own
 *   DT_RUNPATH; then ld.so.cache (not under the default directories when
 *   the needing object has DF_1_NODEFLIB); then the default directories
 *   (unless DF_1_NODEFLIB).  DT_RPATH is ignored in an object that has
 *   DT_RUNPATH;
 * - every search directory is tried with the glibc-hwcaps subdirectories
 *   the CPU supports (x86-64-v4/v3/v2, from CPUID as glibc decides), then
 *   the legacy hwcaps power set (tls, the platform, x86_64...), then
 *   itself; /etc/ld.so.nohwcap (Debian) turns all that off;
 * - $ORIGIN, $LIB and $PLATFORM are expanded (a path element whose token
 *   cannot be expanded is dropped); $ORIGIN of the program is the
 *   directory of its real path (the kernel's /proc/self/exe), of a library
 *   the directory of the path it was opened by;
 * - a file of the wrong class or machine is skipped and the search goes
 *   on; one with a bad ELF header ends the search for that name.
 * Not modelled, because no environment reaches a launch through chdrop in
 * a way that could be judged here: LD_LIBRARY_PATH, LD_PRELOAD,
 * GLIBC_TUNABLES, secure-mode (setuid) rules, and the PT_NOTE ABI tag
 * (a library asking for a newer kernel than the running one).  A relative
 * path (from "::" in an RPATH, or a relative DT_NEEDED path) is taken
 * relative to the tree's "/", which is where the program starts unless
 * --chdir says otherwise.  x86-64 programs only (the host's own kind);
 * others get an error, never a guess.
 *
 * No code of any file is executed: nothing is mapped, every path is
 * resolved through openat2(RESOLVE_IN_ROOT), files are looked at with
 * O_PATH before they are opened (a device node is never opened) and
 * reopened through /proc/self/fd, and read with pread. */
#define _GNU_SOURCE
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "elfdeps.h"

/* ------------------------------------------------------------------------ */
/* Pure: ELF                                                                  */
/* ------------------------------------------------------------------------ */

static uint64_t get(const unsigned char *p, unsigned n, unsigned char data)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[data == ELFDATA2MSB ? n - 1 - i : i] << (8 * i);
	return v;
}

/* The bytes [off, off+n) of the file, if one part holds them all; else
 * NULL, with *st 1 and the region noted in E for the caller to read, or
 * *st -1 when the region cannot exist. */
static const unsigned char *at(const struct elf_part *parts, size_t nparts,
                               uint64_t off, uint64_t n, struct elf_info *e, int *st)
{
	if (off > UINT64_MAX - n) {
		*st = -1;
		return NULL;
	}
	for (size_t i = 0; i < nparts; i++)
		if (off >= parts[i].off && off - parts[i].off <= parts[i].len &&
		    n <= parts[i].len - (off - parts[i].off))
			return parts[i].p + (off - parts[i].off);
	e->need_off = off;
	e->need_len = n;
	*st = 1;
	return NULL;
}

/* A string at OFF of a table [tab, tab+size): NUL-terminated inside it. */
static const char *table_str(const unsigned char *tab, uint64_t size, uint64_t off)
{
	if (off >= size || memchr(tab + off, '\0', (size_t)(size - off)) == NULL)
		return NULL;
	return (const char *)tab + off;
}

struct dyn_scan {
	uint64_t strtab, strsz, soname, rpath, runpath;
	bool has_strtab, has_strsz, has_soname, has_rpath, has_runpath;
	uint64_t needed[ELF_MAX_NEEDED];
};

/* File offset of virtual address ADDR through the PT_LOAD segments, with
 * SIZE bytes available there. */
static int vaddr_to_off(const unsigned char *phdrs, const struct elf_info *e,
                        unsigned phnum, unsigned phentsize,
                        uint64_t addr, uint64_t size, uint64_t *off)
{
	bool w = e->cls == ELFCLASS64;

	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = phdrs + (size_t)i * phentsize;
		uint64_t type = get(ph, 4, e->data);
		uint64_t o = get(ph + (w ? 8 : 4), w ? 8 : 4, e->data);
		uint64_t va = get(ph + (w ? 16 : 8), w ? 8 : 4, e->data);
		uint64_t fsz = get(ph + (w ? 32 : 16), w ? 8 : 4, e->data);

		if (type != PT_LOAD || addr < va || addr - va >= fsz)
			continue;
		if (size > fsz - (addr - va) || o > UINT64_MAX - (addr - va))
			return -1;
		*off = o + (addr - va);
		return 0;
	}
	return -1;
}

static int bad(const char **why, const char *what)
{
	*why = what;
	return ELF_BAD;
}

#define AT(ptr, off, n, what) do { \
		int st_ = 1; \
		if (((ptr) = at(parts, nparts, (off), (n), e, &st_)) == NULL) \
			return st_ < 0 ? bad(why, what) : ELF_SHORT; \
	} while (0)

struct phdr_scan {
	const unsigned char *phdrs;
	unsigned phnum, phentsize;
	uint64_t dynoff, dynsz;
	bool have_dyn;
};

/* e_ident, the ELF header and the program header table. */
static int parse_header(const struct elf_part *parts, size_t nparts,
                        struct elf_info *e, const char **why, struct phdr_scan *ps)
{
	const unsigned char *b;
	uint64_t phoff;
	bool w;

	AT(b, 0, EI_NIDENT, "file too short");
	e->cls = b[EI_CLASS];
	e->data = b[EI_DATA];
	e->version = b[EI_VERSION];
	e->osabi = b[EI_OSABI];
	e->abiversion = b[EI_ABIVERSION];
	e->pad_zero = true;
	for (unsigned i = EI_PAD; i < EI_NIDENT; i++)
		e->pad_zero = e->pad_zero && b[i] == 0;
	if (e->cls != ELFCLASS32 && e->cls != ELFCLASS64)
		return bad(why, "unknown ELF class");
	if (e->data != ELFDATA2LSB && e->data != ELFDATA2MSB)
		return bad(why, "unknown ELF data encoding");
	w = e->cls == ELFCLASS64;
	AT(b, 0, w ? 64 : 52, "file too short");
	e->type = (uint16_t)get(b + 16, 2, e->data);
	e->machine = (uint16_t)get(b + 18, 2, e->data);
	phoff = get(b + (w ? 32 : 28), w ? 8 : 4, e->data);
	ps->phentsize = (unsigned)get(b + (w ? 54 : 42), 2, e->data);
	ps->phnum = (unsigned)get(b + (w ? 56 : 44), 2, e->data);
	if (ps->phnum == 0)
		return ELF_OK;
	if (ps->phentsize != (w ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)))
		return bad(why, "ELF file's phentsize not the expected size");
	AT(ps->phdrs, phoff, (uint64_t)ps->phnum * ps->phentsize,
	   "program headers out of range");
	return ELF_OK;
}

/* PT_INTERP (the kernel's rules: 2..PATH_MAX bytes, NUL last; the first
 * one counts) and where PT_DYNAMIC is. */
static int scan_phdrs(const struct elf_part *parts, size_t nparts,
                      struct elf_info *e, const char **why, struct phdr_scan *ps)
{
	bool w = e->cls == ELFCLASS64;

	for (unsigned i = 0; i < ps->phnum; i++) {
		const unsigned char *ph = ps->phdrs + (size_t)i * ps->phentsize;
		uint64_t type = get(ph, 4, e->data);
		uint64_t o = get(ph + (w ? 8 : 4), w ? 8 : 4, e->data);
		uint64_t fsz = get(ph + (w ? 32 : 16), w ? 8 : 4, e->data);

		if (type == PT_INTERP && e->interp == NULL) {
			const unsigned char *ip;

			if (fsz < 2 || fsz > PATH_MAX)
				return bad(why, "PT_INTERP of a bad size");
			AT(ip, o, fsz, "PT_INTERP out of range");
			if (ip[fsz - 1] != '\0')
				return bad(why, "PT_INTERP not NUL-terminated");
			if (ip[0] == '\0')
				return bad(why, "empty PT_INTERP");
			e->interp = (const char *)ip;
		} else if (type == PT_DYNAMIC && !ps->have_dyn) {
			ps->have_dyn = true;
			ps->dynoff = o;
			ps->dynsz = fsz;
		}
	}
	return ELF_OK;
}

/* The dynamic entries the loader's search needs, up to DT_NULL. */
static int scan_dynamic(const struct elf_part *parts, size_t nparts,
                        struct elf_info *e, const char **why,
                        const struct phdr_scan *ps, struct dyn_scan *d)
{
	bool w = e->cls == ELFCLASS64;
	unsigned dynent = w ? 16 : 8;
	const unsigned char *dyn;

	if (ps->dynsz > (64u << 20))
		return bad(why, "PT_DYNAMIC too large");
	AT(dyn, ps->dynoff, ps->dynsz, "PT_DYNAMIC out of range");
	for (uint64_t i = 0; i + dynent <= ps->dynsz; i += dynent) {
		uint64_t tag = get(dyn + i, w ? 8 : 4, e->data);
		uint64_t val = get(dyn + i + (w ? 8 : 4), w ? 8 : 4, e->data);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			if (e->nneeded == ELF_MAX_NEEDED)
				return bad(why, "too many DT_NEEDED entries");
			d->needed[e->nneeded++] = val;
			break;
		case DT_STRTAB: d->strtab = val; d->has_strtab = true; break;
		case DT_STRSZ: d->strsz = val; d->has_strsz = true; break;
		case DT_SONAME: d->soname = val; d->has_soname = true; break;
		case DT_RPATH: d->rpath = val; d->has_rpath = true; break;
		case DT_RUNPATH: d->runpath = val; d->has_runpath = true; break;
		case DT_FLAGS_1: e->flags_1 = val; break;
		default: break;
		}
	}
	return ELF_OK;
}

/* One dynamic string: inside DT_STRTAB, NUL-terminated there. */
static int dyn_str(const unsigned char *strtab, uint64_t strsz, bool has,
                   uint64_t off, const char **out, const char **why)
{
	if (!has)
		return ELF_OK;
	if ((*out = table_str(strtab, strsz, off)) == NULL)
		return bad(why, "dynamic string out of its table");
	return ELF_OK;
}

/* DT_STRTAB through the PT_LOAD segments, and the strings in it. */
static int dyn_strings(const struct elf_part *parts, size_t nparts,
                       struct elf_info *e, const char **why,
                       const struct phdr_scan *ps, const struct dyn_scan *d)
{
	const unsigned char *strtab;
	uint64_t stroff = 0;
	int r = ELF_OK;

	if (e->nneeded == 0 && !d->has_soname && !d->has_rpath && !d->has_runpath)
		return ELF_OK;
	if (!d->has_strtab || !d->has_strsz)
		return bad(why, "dynamic section without a string table");
	if (d->strsz > (64u << 20))
		return bad(why, "DT_STRSZ too large");
	if (vaddr_to_off(ps->phdrs, e, ps->phnum, ps->phentsize, d->strtab,
	                 d->strsz, &stroff) < 0)
		return bad(why, "DT_STRTAB outside the loaded segments");
	AT(strtab, stroff, d->strsz, "DT_STRTAB out of range");
	for (size_t i = 0; r == ELF_OK && i < e->nneeded; i++)
		r = dyn_str(strtab, d->strsz, true, d->needed[i], &e->needed[i], why);
	if (r == ELF_OK)
		r = dyn_str(strtab, d->strsz, d->has_soname, d->soname, &e->soname, why);
	if (r == ELF_OK)
		r = dyn_str(strtab, d->strsz, d->has_rpath, d->rpath, &e->rpath, why);
	if (r == ELF_OK)
		r = dyn_str(strtab, d->strsz, d->has_runpath, d->runpath, &e->runpath, why);
	return r;
}

int elf_parse(const struct elf_part *parts, size_t nparts, struct elf_info *e,
              const char **why)
{
	static const unsigned char magic[SELFMAG] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
	struct phdr_scan ps;
	struct dyn_scan d;
	int r;

	memset(e, 0, sizeof(*e));
	memset(&ps, 0, sizeof(ps));
	*why = NULL;
	if (nparts == 0 || parts[0].off != 0)
		return bad(why, "no file start given");
	if (memcmp(parts[0].p, magic, parts[0].len < SELFMAG ? parts[0].len : SELFMAG) != 0)
		return ELF_NOT_ELF;
	if ((r = parse_header(parts, nparts, e, why, &ps)) != ELF_OK || ps.phnum == 0)
		return r;
	if ((r = scan_phdrs(parts, nparts, e, why, &ps)) != ELF_OK || !ps.have_dyn)
		return r;
	e->dynamic = true;
	memset(&d, 0, sizeof(d));
	if ((r = scan_dynamic(parts, nparts, e, why, &ps, &d)) != ELF_OK)
		return r;
	r = dyn_strings(parts, nparts, e, why, &ps, &d);
	if (r != ELF_OK)
		e->nneeded = 0;
	return r;
}
#undef AT

/* ------------------------------------------------------------------------ */
/* Pure: ld.so.cache                                                          */
/* ------------------------------------------------------------------------ */

#define CACHE_OLD_MAGIC "ld.so-1.7.0"
#define CACHE_NEW_MAGIC "glibc-ld.so.cache1.1"
#define CACHE_NEW_HDR 48u
#define CACHE_NEW_ENT 24u
#define CACHE_OLD_HDR 16u   /* magic[11], pad, nlibs (unsigned int) */
#define CACHE_OLD_ENT 12u
#define CACHE_EXT_MAGIC 0xeaa42174u
#define CACHE_EXT_HWCAPS 1u
#define CACHE_FLAGS_X8664 0x0303
#define HWCAP_EXTENSION (UINT64_C(1) << 62)
#define HWCAP_ISA_MASK 0x3ffu
#define HWCAP_TLS (UINT64_C(1) << 63)
#define HWCAP_PLATFORM_FIRST 48
#define HWCAP_PLATFORM_MASK (UINT64_C(0xf) << HWCAP_PLATFORM_FIRST)

static uint32_t le32(const unsigned char *p) { return (uint32_t)get(p, 4, ELFDATA2LSB); }

/* The extension directory of a new-format cache at offset 0; only the
 * glibc-hwcaps section is used.  An invalid directory means no hwcaps
 * data, as in glibc (cache_extension_load failing, then
 * cache_extension_verify dropping an empty or misaligned section). */
static void cache_ext(struct ldcache *c, uint32_t ext_off)
{
	const unsigned char *f = c->file;
	uint32_t count, hw_off = 0, hw_size = 0;
	bool have = false;

	if (ext_off == 0 || ext_off % 4 != 0 || (uint64_t)ext_off + 8 > c->size)
		return;
	if (le32(f + ext_off) != CACHE_EXT_MAGIC)
		return;
	count = le32(f + ext_off + 4);
	if ((uint64_t)ext_off + 8 + (uint64_t)count * 16 > c->size)
		return;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *s = f + ext_off + 8 + (uint64_t)i * 16;
		uint32_t tag = le32(s), off = le32(s + 8), size = le32(s + 12);

		if ((uint64_t)off + size > c->size)
			return;   /* glibc rejects the whole directory */
		if (tag == CACHE_EXT_HWCAPS) {
			have = true;
			hw_off = off;
			hw_size = size;
		}
	}
	if (!have || hw_size == 0 || hw_off % 4 != 0 || hw_size % 4 != 0)
		return;
	c->hwcaps = f + hw_off;
	c->nhwcaps = hw_size / 4;
}

int ldcache_parse(const void *buf, size_t len, struct ldcache *c, const char **why)
{
	const unsigned char *f = buf;

	memset(c, 0, sizeof(*c));
	c->file = f;
	c->size = len;
	if (len > CACHE_NEW_HDR && memcmp(f, CACHE_NEW_MAGIC, 20) == 0) {
		uint32_t n = le32(f + 20);

		if ((len - CACHE_NEW_HDR) / CACHE_NEW_ENT < n) {
			*why = "more entries than the file holds";
			return -1;
		}
		if (f[28] != 0 && (f[28] & 3) != 2) {
			*why = "not a little-endian cache";
			return -1;
		}
		c->entries = f + CACHE_NEW_HDR;
		c->nlibs = n;
		c->entsize = CACHE_NEW_ENT;
		c->strings = f;
		c->strings_size = len;
		cache_ext(c, le32(f + 32));
		return 0;
	}
	if (len > CACHE_OLD_HDR && memcmp(f, CACHE_OLD_MAGIC, 11) == 0) {
		uint32_t n = le32(f + 12);
		uint64_t off;

		if ((len - CACHE_OLD_HDR) / CACHE_OLD_ENT < n) {
			*why = "more entries than the file holds";
			return -1;
		}
		/* A new-format table may follow, aligned (ALIGN_CACHE). */
		off = CACHE_OLD_HDR + (uint64_t)n * CACHE_OLD_ENT;
		off = (off + 7) & ~(uint64_t)7;
		if (off + CACHE_NEW_HDR <= len &&
		    memcmp(f + off, CACHE_NEW_MAGIC, 20) == 0) {
			const unsigned char *nw = f + off;
			uint32_t nn = le32(nw + 20);

			if (nw[28] != 0 && (nw[28] & 3) != 2) {
				*why = "not a little-endian cache";
				return -1;
			}
			if ((len - off - CACHE_NEW_HDR) / CACHE_NEW_ENT < nn) {
				*why = "more entries than the file holds";
				return -1;
			}
			c->entries = nw + CACHE_NEW_HDR;
			c->nlibs = nn;
			c->entsize = CACHE_NEW_ENT;
			c->strings = nw;
			c->strings_size = len - (size_t)off;
			return 0;
		}
		c->entries = f + CACHE_OLD_HDR;
		c->nlibs = n;
		c->entsize = CACHE_OLD_ENT;
		c->strings = f + CACHE_OLD_HDR + (size_t)n * CACHE_OLD_ENT;
		c->strings_size = len - CACHE_OLD_HDR - (size_t)n * CACHE_OLD_ENT;
		return 0;
	}
	*why = "not an ld.so.cache file";
	return -1;
}

/* A run of digits as a number (capped: no overflow), advancing *p. */
static long digits(const unsigned char **p, const unsigned char *end)
{
	long v = 0;

	while (*p < end && **p >= '0' && **p <= '9') {
		if (v < 100000000)
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

static bool isdig(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* glibc's _dl_cache_libcmp: digits compare as numbers.  Bounded by the
 * string table's end (glibc trusts a terminator there). */
static int cache_libcmp(const char *name, const unsigned char *p2,
                        const unsigned char *end)
{
	const unsigned char *p1 = (const unsigned char *)name;
	const unsigned char *e1 = p1 + strlen(name);

	while (*p1 != '\0') {
		if (isdig(p1, e1) && isdig(p2, end)) {
			long v1 = digits(&p1, e1), v2 = digits(&p2, end);
			if (v1 != v2)
				return v1 < v2 ? -1 : 1;
		} else if (isdig(p1, e1)) {
			return 1;
		} else if (isdig(p2, end)) {
			return -1;
		} else if (p2 >= end || *p1 != *p2) {
			return *p1 - (p2 < end ? *p2 : 0);
		} else {
			++p1;
			++p2;
		}
	}
	return 0 - (p2 < end ? *p2 : 0);
}

/* The glibc-hwcaps subdirectories in preference order, and how many the
 * CPU supports (x86-64-v4 needs V4, ...). */
static const char *const hwcaps_subdirs[] = { "x86-64-v4", "x86-64-v3", "x86-64-v2" };
static const unsigned hwcaps_level[] = { 8, 4, 2 };

/* Priority of a named-hwcaps cache entry: 1 for the best supported
 * subdirectory, 0 for one not to use.  glibc merges the cache's list with
 * its own sorted by name (glibc_hwcaps_priorities_init); so do we, with
 * the same result for a cache whose list is out of order. */
static uint32_t hwcaps_priority(const struct ldcache *c, const struct elf_hw *hw,
                                uint32_t index)
{
	const char *names[3];
	uint32_t prio[3], n = 0, left = 0, right = 0, p = 0;

	if (hw->nohwcap)
		return 0;
	/* Supported subdirectories with their priority (1 best), sorted by
	 * name: x86-64-v2 < v3 < v4, the reverse of preference. */
	for (int i = 2; i >= 0; i--)
		if ((hw->isa_level & hwcaps_level[i]) == hwcaps_level[i]) {
			names[n] = hwcaps_subdirs[i];
			prio[n++] = (uint32_t)(i + 1);
		}
	for (uint32_t i = 0; i < n; i++)        /* renumber 1.. among active */
		prio[i] = n - i;
	while (left < c->nhwcaps && left <= index && right < n) {
		uint32_t off = le32(c->hwcaps + 4 * (size_t)left);
		int cmp = -1;

		if (off < c->size) {
			const char *s = (const char *)c->file + off;
			size_t max = c->size - off, sl = strnlen(s, max);
			size_t nl = strlen(names[right]);

			cmp = memcmp(s, names[right], sl < nl ? sl : nl);
			if (sl == max)
				cmp = -1;   /* unterminated: never equal */
			else if (cmp == 0)
				cmp = sl < nl ? -1 : sl > nl ? 1 : 0;
		}
		if (cmp == 0) {
			p = prio[right++];
		} else if (cmp > 0) {
			right++;
			continue;
		} else {
			p = 0;
		}
		if (left++ == index)
			return p;
	}
	return 0;
}

#define ENT(c, i) ((c)->entries + (size_t)(i) * (c)->entsize)

/* Entry I's name is NAME (its key a valid index). */
static bool key_is(const struct ldcache *c, long i, const char *name)
{
	uint32_t key = le32(ENT(c, i) + 4);

	return key < c->strings_size &&
	       cache_libcmp(name, c->strings + key, c->strings + c->strings_size) == 0;
}

/* search_cache's verdict on one entry of the right name.  0: skip it; 1:
 * take it and stop; 2: take it if better (*prio) and go on; 3: stop. */
static int judge(const struct ldcache *c, const struct elf_hw *hw,
                 const unsigned char *lib, bool have_best, uint32_t *prio)
{
	uint64_t hwcap, platform = UINT64_MAX, exclude;
	unsigned lvl;
	bool named;

	if ((int32_t)le32(lib) != CACHE_FLAGS_X8664 || le32(lib + 8) >= c->strings_size)
		return 0;
	if (c->entsize < CACHE_NEW_ENT)
		return 1;
	hwcap = get(lib + 16, 8, ELFDATA2LSB);
	lvl = (unsigned)(hwcap >> 32) & HWCAP_ISA_MASK;
	named = ((hwcap >> 32) & ~(uint64_t)HWCAP_ISA_MASK) == (HWCAP_EXTENSION >> 32);
	if (named && (lvl >= 32 || ((1u << lvl) & hw->isa_level) != (1u << lvl)))
		return 0;
	if (!named && have_best)
		return 3;
	if (hw->platform != NULL && strcmp(hw->platform, "haswell") == 0)
		platform = UINT64_C(1) << (HWCAP_PLATFORM_FIRST + 2);
	else if (hw->platform != NULL && strcmp(hw->platform, "xeon_phi") == 0)
		platform = UINT64_C(1) << (HWCAP_PLATFORM_FIRST + 3);
	exclude = ~(hw->hwcap | HWCAP_PLATFORM_MASK | HWCAP_TLS);
	if (((hwcap & exclude) && !named) || (hw->nohwcap && hwcap != 0))
		return 0;
	if ((hwcap & HWCAP_PLATFORM_MASK) != 0 && (hwcap & HWCAP_PLATFORM_MASK) != platform)
		return 0;
	if (named) {
		uint32_t p = hwcaps_priority(c, hw, (uint32_t)hwcap);
		if (p == 0 || (have_best && p >= *prio))
			return 0;
		*prio = p;
		return 2;
	}
	return 1;
}

const char *ldcache_lookup(const struct ldcache *c, const struct elf_hw *hw,
                           const char *name)
{
	long left = 0, right = (long)c->nlibs - 1, mid;
	const char *best = NULL;
	uint32_t prio = 0;

	/* Binary search for NAME, then back to its first entry. */
	for (;;) {
		uint32_t key;
		int cmp;

		if (left > right)
			return NULL;
		mid = (left + right) / 2;
		key = le32(ENT(c, mid) + 4);
		if (key >= c->strings_size)
			return NULL;
		cmp = cache_libcmp(name, c->strings + key, c->strings + c->strings_size);
		if (cmp == 0)
			break;
		if (cmp < 0)
			left = mid + 1;
		else
			right = mid - 1;
	}
	left = mid;
	while (mid > 0 && key_is(c, mid - 1, name))
		--mid;
	/* Each entry of that name, in order, as search_cache() judges it. */
	for (; mid <= right; mid++) {
		const unsigned char *lib = ENT(c, mid);
		const char *value;
		int v;

		if (mid > left && !key_is(c, mid, name))
			break;
		v = judge(c, hw, lib, best != NULL, &prio);
		if (v == 3)
			break;
		if (v == 0)
			continue;
		value = (const char *)c->strings + le32(lib + 8);
		/* The value must end inside the table. */
		if (memchr(value, '\0', c->strings_size - le32(lib + 8)) == NULL)
			continue;
		best = value;
		if (v == 1)
			break;
	}
	return best;
}
#undef ENT

/* ------------------------------------------------------------------------ */
/* The machine, as glibc 2.36 sees it (sysdeps/x86/cpu-features.c,          */
/* get-isa-level.h): CPUID bits, AVX and AVX-512 usable only when the OS    */
/* saves their state (XCR0).  Never by running the loader.                  */
/* ------------------------------------------------------------------------ */

#define ISA_BASELINE 1u
#define ISA_V2 2u
#define ISA_V3 4u
#define ISA_V4 8u
#define HWCAP_X86_64 (UINT64_C(1) << 1)
#define HWCAP_AVX512_1 (UINT64_C(1) << 2)

#define BIT(r, n) (((r) >> (n)) & 1u)

/* The CPU features glibc's choices depend on, "usable" as its
 * update_active() decides: AVX and what depends on it only when the OS
 * saves YMM state (XCR0), AVX-512 only with opmask and ZMM state too. */
struct cpu {
	bool intel;
	bool baseline;   /* FPU CX8 CMOV MMX FXSR SSE SSE2 */
	bool v2;         /* CMPXCHG16B LAHF-SAHF POPCNT SSE3 SSSE3 SSE4.1 SSE4.2 */
	bool avx, avx2, fma, f16c, bmi1, bmi2, lzcnt, movbe, popcnt;
	bool a512f, a512bw, a512cd, a512dq, a512vl, a512er, a512pf;
};

static void read_cpu(struct cpu *u)
{
	unsigned a, b0 = 0, c0 = 0, d0 = 0, c1 = 0, d1 = 0, b7 = 0, cx = 0, x;
	unsigned max = 0, maxx = 0;
	bool avx_ok = false, avx512_ok = false;

	memset(u, 0, sizeof(*u));
	__cpuid(0, max, b0, c0, d0);
	if (max >= 1)
		__cpuid(1, a, x, c1, d1);
	if (max >= 7)
		__cpuid_count(7, 0, a, b7, x, x);
	__cpuid(0x80000000, maxx, a, x, x);
	if (maxx >= 0x80000001)
		__cpuid(0x80000001, a, x, cx, x);
	if (BIT(c1, 27)) {   /* OSXSAVE: xgetbv is allowed */
		unsigned xcr0, hi;
		__asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
		avx_ok = (xcr0 & 6) == 6;
		avx512_ok = avx_ok && (xcr0 & 0xe0) == 0xe0;
	}
	u->intel = b0 == 0x756e6547 && d0 == 0x49656e69 && c0 == 0x6c65746e;
	u->baseline = BIT(d1, 0) && BIT(d1, 8) && BIT(d1, 15) && BIT(d1, 23) &&
	              BIT(d1, 24) && BIT(d1, 25) && BIT(d1, 26);
	u->popcnt = BIT(c1, 23);
	u->v2 = BIT(c1, 13) && BIT(cx, 0) && u->popcnt && BIT(c1, 0) &&
	        BIT(c1, 9) && BIT(c1, 19) && BIT(c1, 20);
	u->avx = avx_ok && BIT(c1, 28);
	u->avx2 = u->avx && BIT(b7, 5);
	u->fma = u->avx && BIT(c1, 12);
	u->f16c = u->avx && BIT(c1, 29);
	u->bmi1 = BIT(b7, 3);
	u->bmi2 = BIT(b7, 8);
	u->lzcnt = BIT(cx, 5);
	u->movbe = BIT(c1, 22);
	u->a512f = avx512_ok && BIT(b7, 16);
	u->a512dq = u->a512f && BIT(b7, 17);
	u->a512pf = u->a512f && BIT(b7, 26);
	u->a512er = u->a512f && BIT(b7, 27);
	u->a512cd = u->a512f && BIT(b7, 28);
	u->a512bw = u->a512f && BIT(b7, 30);
	u->a512vl = u->a512f && BIT(b7, 31);
}

/* get_isa_level() of sysdeps/x86/get-isa-level.h. */
static unsigned isa_level(const struct cpu *u)
{
	unsigned level = 0;

	if (!u->baseline)
		return level;
	level = ISA_BASELINE;
	if (!u->v2)
		return level;
	level |= ISA_V2;
	if (!(u->avx && u->avx2 && u->bmi1 && u->bmi2 && u->f16c && u->fma &&
	      u->lzcnt && u->movbe))
		return level;
	level |= ISA_V3;
	if (u->a512f && u->a512bw && u->a512cd && u->a512dq && u->a512vl)
		level |= ISA_V4;
	return level;
}

void elf_hw_detect(int treefd, struct elf_hw *hw)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
	                        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	struct cpu u;
	int fd;

	memset(hw, 0, sizeof(*hw));
	read_cpu(&u);
	hw->isa_level = isa_level(&u);
	/* Legacy hwcaps and the platform (init_cpu_features, x86_64): the
	 * kernel's AT_PLATFORM, replaced on Intel only. */
	hw->hwcap = HWCAP_X86_64;
	hw->platform = "x86_64";
	if (u.intel) {
		const char *platform = NULL;

		if (u.a512cd && u.a512er) {
			if (u.a512pf)
				platform = "xeon_phi";
		} else if (u.a512cd && u.a512bw && u.a512dq && u.a512vl) {
			hw->hwcap |= HWCAP_AVX512_1;
		}
		if (platform == NULL && u.avx2 && u.fma && u.bmi1 && u.bmi2 &&
		    u.lzcnt && u.movbe && u.popcnt)
			platform = "haswell";
		if (platform != NULL)
			hw->platform = platform;
	}
	fd = (int)syscall(SYS_openat2, treefd, "etc/ld.so.nohwcap", &how, sizeof(how));
	if (fd >= 0) {
		hw->nohwcap = true;
		close(fd);
	}
}

/* ------------------------------------------------------------------------ */
/* Paths inside the tree                                                      */
/* ------------------------------------------------------------------------ */

#define MAX_LINKS 40          /* the kernel's limit on symlinks in a walk */
#define MAX_OBJECTS 4096
#define MAX_READ (64u << 20)  /* no loader data beyond 64 MiB into a file */

struct ctx {
	int tree;
	struct elf_closure *c;
	size_t cap_obj, cap_links;
	struct elf_hw hw;
	unsigned char *cache_buf;
	struct ldcache cache;
	bool have_cache;
	const char *subdirs[64];  /* hwcaps subdirectories, each ending in '/' */
	char *subdir_store;
	size_t nsubdirs;
	struct lobj *lo;          /* per object: what the loader keeps */
	char *err;
	size_t errlen;
};

struct lobj {
	char **names; size_t nnames;   /* names it was asked by */
	char *soname, *rpath, *runpath, *origin;
	char **needed; size_t nneeded;
	uint64_t flags_1;
	dev_t dev; ino_t ino;
};

/* An error for the caller: the message in x->err, errno E, -1. */
#define fail(x, e, ...) \
	((void)snprintf((x)->err, (x)->errlen, __VA_ARGS__), errno = (e), -1)

static int openat2_in(int tree, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how = { .flags = (unsigned long long)flags | O_CLOEXEC,
	                        .resolve = resolve | RESOLVE_IN_ROOT |
	                                   RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, tree, path, &how, sizeof(how));
}

static int add_link(struct ctx *x, const char *path, const char *target)
{
	struct elf_closure *c = x->c;

	for (size_t i = 0; i < c->nlinks; i++)
		if (strcmp(c->links[i].path, path) == 0)
			return 0;
	if (c->nlinks == x->cap_links) {
		size_t n = x->cap_links ? 2 * x->cap_links : 16;
		struct elf_symlink *v = realloc(c->links, n * sizeof(*v));
		if (v == NULL)
			return -1;
		c->links = v;
		x->cap_links = n;
	}
	c->links[c->nlinks].path = strdup(path);
	c->links[c->nlinks].target = strdup(target);
	if (c->links[c->nlinks].path == NULL || c->links[c->nlinks].target == NULL) {
		free(c->links[c->nlinks].path);
		free(c->links[c->nlinks].target);
		return -1;
	}
	c->nlinks++;
	return 0;
}

/* Drop what walk() has consumed: REST becomes AFTER (a part of it). */
static int shift(char *rest, const char *after)
{
	memmove(rest, after, strlen(after) + 1);
	return 0;
}

static int too_long(void)
{
	errno = ENAMETOOLONG;
	return -1;
}

/* walk() met the symlink CAND (open as FD): note it, and walk on through
 * its target then AFTER; an absolute target starts again at the top. */
static int follow(struct ctx *x, int fd, const char *cand, char *cur,
                  char *rest, const char *after, size_t *links)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t tl;
	int n;

	if (++*links > MAX_LINKS) {
		errno = ELOOP;
		return -1;
	}
	tl = readlinkat(fd, "", target, sizeof(target));
	if (tl < 0)
		return -1;
	if ((size_t)tl >= sizeof(target))
		return too_long();
	target[tl] = '\0';
	if (add_link(x, cand, target) < 0)
		return -1;
	n = snprintf(next, sizeof(next), "%s%s", target, after);
	if (n < 0 || (size_t)n >= sizeof(next))
		return too_long();
	if (target[0] == '/')
		cur[0] = '\0';
	memcpy(rest, next, (size_t)n + 1);
	return 0;
}

/* One component COMP (N bytes, inside REST) of walk(): "." and ".." by
 * name (".." never above the top), a symlink through follow(), anything
 * else appended to CUR, the symlink-free path so far (*FD its O_PATH). */
static int step(struct ctx *x, char *cur, char *rest, const char *comp,
                size_t n, size_t *links, int *fd)
{
	const char *after = comp + n;
	char cand[PATH_MAX];
	struct stat st;
	int r;

	if (n == 1 && comp[0] == '.')
		return shift(rest, after);
	if (n == 2 && comp[0] == '.' && comp[1] == '.') {
		char *s = strrchr(cur, '/');
		if (s != NULL)
			*s = '\0';
		return shift(rest, after);
	}
	r = snprintf(cand, sizeof(cand), "%s/%.*s", cur, (int)n, comp);
	if (r < 0 || (size_t)r >= sizeof(cand))
		return too_long();
	if (*fd >= 0)
		close(*fd);
	*fd = openat2_in(x->tree, cand, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
	if (*fd < 0 || fstat(*fd, &st) < 0)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		r = follow(x, *fd, cand, cur, rest, after, links);
		close(*fd);
		*fd = -1;
		return r;
	}
	if (*after != '\0' && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	memcpy(cur, cand, (size_t)r + 1);
	return shift(rest, after);
}

/* Resolve PATH inside the tree as the kernel would with the tree as "/",
 * one component at a time, noting each symlink met.  Returns an O_PATH
 * descriptor of what it names and its real path in REAL (PATH_MAX), or
 * -1 with errno.  A relative PATH starts at "/". */
static int walk(struct ctx *x, const char *path, char *real)
{
	char rest[PATH_MAX], cur[PATH_MAX] = "";
	size_t links = 0, len = strlen(path);
	int fd = -1;

	if (len >= sizeof(rest))
		return too_long();
	memcpy(rest, path, len + 1);
	for (;;) {
		const char *comp = rest + strspn(rest, "/");
		size_t n = strcspn(comp, "/");

		if (n == 0)
			break;
		if (step(x, cur, rest, comp, n, &links, &fd) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			errno = e;
			return -1;
		}
	}
	if (fd < 0)   /* the tree's "/" itself */
		fd = openat2_in(x->tree, "/", O_PATH, 0);
	if (fd < 0)
		return -1;
	if (cur[0] == '\0')
		memcpy(real, "/", 2);
	else
		memcpy(real, cur, strlen(cur) + 1);
	return fd;
}

/* The parts of a file elf_parse() asked for, read with pread. */
#define MAX_PARTS 6
struct elf_read {
	struct elf_part part[MAX_PARTS];
	unsigned char *buf[MAX_PARTS];
	size_t n;
};

static void elf_read_free(struct elf_read *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->buf[i]);
	r->n = 0;
}

static int read_part(int fd, struct elf_read *r, uint64_t off, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	size_t have = 0;

	if (b == NULL)
		return -1;
	while (have < len) {
		ssize_t n = pread(fd, b + have, len - have, (off_t)(off + have));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(b);
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
	}
	r->buf[r->n] = b;
	r->part[r->n] = (struct elf_part){ b, off, have };
	r->n++;
	return 0;
}

/* Read the loader's part of a regular file given by an O_PATH descriptor:
 * reopened through /proc/self/fd (a device is never opened), then parsed,
 * reading each region the parse asks for.  ELF_* as elf_parse, or -2 with
 * errno when the file cannot be opened or read; the strings in *e live in
 * *rd until elf_read_free(). */
static int read_elf(int pathfd, struct elf_info *e, struct elf_read *rd,
                    struct stat *st, const char **why)
{
	char self[64];
	int fd, r = ELF_SHORT;

	rd->n = 0;
	if (fstat(pathfd, st) < 0)
		return -2;
	if (!S_ISREG(st->st_mode)) {
		*why = S_ISDIR(st->st_mode) ? "a directory" : "not a regular file";
		return ELF_BAD;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = open(self, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -2;
	if (read_part(fd, rd, 0, st->st_size < 4096 ? (size_t)st->st_size : 4096) < 0)
		r = -2;
	while (r == ELF_SHORT) {
		r = elf_parse(rd->part, rd->n, e, why);
		if (r != ELF_SHORT)
			break;
		if (e->need_off > (uint64_t)st->st_size ||
		    e->need_len > (uint64_t)st->st_size - e->need_off) {
			*why = "file too short";
			r = ELF_BAD;
		} else if (rd->n == MAX_PARTS) {
			*why = "loader data in too many places";
			r = ELF_BAD;
		} else if (read_part(fd, rd, e->need_off, (size_t)e->need_len) < 0) {
			r = -2;
		}
	}
	{
		int er = errno;
		close(fd);
		errno = er;
	}
	return r;
}

/* ------------------------------------------------------------------------ */
/* The closure                                                                */
/* ------------------------------------------------------------------------ */

/* The default directories of Debian's x86-64 glibc (ld.so --help). */
static const char *const system_dirs[] = {
	"/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/",
};
#define SYSTEM_DIRS "/lib/x86_64-linux-gnu/:/usr/lib/x86_64-linux-gnu/:/lib/:/usr/lib/"
#define DST_LIB "lib/x86_64-linux-gnu"

/* The search subdirectories, as _dl_important_hwcaps builds them:
 * glibc-hwcaps/x86-64-v4..v2 the CPU supports, then the power set of the
 * legacy names (hwcap bits, the platform, "tls"), largest first, the last
 * name outermost; "" last. */
static int build_subdirs(struct ctx *x)
{
	const char *temp[4];
	size_t cnt = 0;
	char *p;

	if (x->hw.nohwcap) {
		x->subdirs[0] = "";
		x->nsubdirs = 1;
		return 0;
	}
	if (x->hw.hwcap & HWCAP_X86_64)
		temp[cnt++] = "x86_64";
	if (x->hw.hwcap & HWCAP_AVX512_1)
		temp[cnt++] = "avx512_1";
	if (x->hw.platform != NULL)
		temp[cnt++] = x->hw.platform;
	temp[cnt++] = "tls";
	x->subdir_store = malloc(4096);
	if (x->subdir_store == NULL)
		return -1;
	p = x->subdir_store;
	for (int i = 0; i < 3; i++)
		if ((x->hw.isa_level & hwcaps_level[i]) == hwcaps_level[i]) {
			x->subdirs[x->nsubdirs++] = p;
			p += sprintf(p, "glibc-hwcaps/%s/", hwcaps_subdirs[i]) + 1;
		}
	for (unsigned m = (1u << cnt); m-- > 0;) {
		x->subdirs[x->nsubdirs++] = p;
		*p = '\0';
		for (size_t i = cnt; i-- > 0;)
			if (m & (1u << i))
				p += sprintf(p, "%s/", temp[i]);
		p++;
	}
	return 0;
}

/* glibc's is_dst: NAME (after '$') starts with REF as a whole token. */
static size_t is_dst(const char *in, const char *ref)
{
	bool curly = in[0] == '{';
	size_t rl = strlen(ref);
	char c;

	if (curly)
		in++;
	if (strncmp(in, ref, rl) != 0)
		return 0;
	c = in[rl];
	if (curly && c != '}')
		return 0;
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_')
		return 0;
	return curly ? rl + 2 : rl;
}

/* Expand $ORIGIN, $LIB, $PLATFORM in S into OUT (PATH_MAX).  0, or 1
 * when a known token has no value (the element is dropped), -1 too long. */
static int expand(const struct ctx *x, const char *origin, const char *s, char *out)
{
	size_t o = 0;

	for (; *s; s++) {
		const char *repl = NULL;
		size_t len = 0;

		if (*s == '$') {
			if ((len = is_dst(s + 1, "ORIGIN")) != 0)
				repl = origin;
			else if ((len = is_dst(s + 1, "PLATFORM")) != 0)
				repl = x->hw.platform;
			else if ((len = is_dst(s + 1, "LIB")) != 0)
				repl = DST_LIB;
		}
		if (len != 0 && repl == NULL)
			return 1;
		if (len != 0) {
			size_t rl = strlen(repl);
			if (o + rl >= PATH_MAX)
				return -1;
			memcpy(out + o, repl, rl);
			o += rl;
			s += len;
			continue;
		}
		if (o + 1 >= PATH_MAX)
			return -1;
		out[o++] = *s;
	}
	out[o] = '\0';
	return 0;
}

static char *dirname_of(const char *path)
{
	const char *s = strrchr(path, '/');
	char *d;

	if (s == NULL)
		return strdup("/");
	if (s == path)
		return strdup("/");
	d = strndup(path, (size_t)(s - path));
	return d;
}

static int new_object(struct ctx *x, enum elf_role role, const char *name, int parent)
{
	struct elf_closure *c = x->c;
	struct elf_object *o;

	if (c->nobj == MAX_OBJECTS)
		return fail(x, E2BIG, "more than %d objects", MAX_OBJECTS);
	if (c->nobj == x->cap_obj) {
		size_t n = x->cap_obj ? 2 * x->cap_obj : 32;
		struct elf_object *v = realloc(c->obj, n * sizeof(*v));
		struct lobj *l;

		if (v == NULL)
			return fail(x, ENOMEM, "out of memory");
		c->obj = v;
		l = realloc(x->lo, n * sizeof(*l));
		if (l == NULL)
			return fail(x, ENOMEM, "out of memory");
		x->lo = l;
		x->cap_obj = n;
	}
	o = &c->obj[c->nobj];
	memset(o, 0, sizeof(*o));
	memset(&x->lo[c->nobj], 0, sizeof(x->lo[0]));
	o->role = role;
	o->parent = parent;
	o->name = strdup(name);
	if (o->name == NULL)
		return fail(x, ENOMEM, "out of memory");
	c->nobj++;
	return (int)c->nobj - 1;
}

static int add_name(struct lobj *l, const char *name)
{
	char **v = realloc(l->names, (l->nnames + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	l->names = v;
	if ((v[l->nnames] = strdup(name)) == NULL)
		return -1;
	l->nnames++;
	return 0;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = true;
	return d;
}

/* Keep what the loader keeps of object I from its parsed header. */
static int keep_info(struct ctx *x, int i, const struct elf_info *e,
                     const struct stat *st)
{
	struct lobj *l = &x->lo[i];
	bool oom = false;

	l->dev = st->st_dev;
	l->ino = st->st_ino;
	l->flags_1 = e->flags_1;
	l->soname = dup_or_null(e->soname, &oom);
	l->runpath = dup_or_null(e->runpath, &oom);
	/* get-dynamic-info.h: with DT_RUNPATH, DT_RPATH is ignored. */
	l->rpath = e->runpath ? NULL : dup_or_null(e->rpath, &oom);
	if (e->nneeded > 0) {
		l->needed = calloc(e->nneeded, sizeof(*l->needed));
		oom = oom || l->needed == NULL;
		for (size_t k = 0; !oom && k < e->nneeded; k++) {
			l->needed[k] = strdup(e->needed[k]);
			oom = l->needed[k] == NULL;
			l->nneeded = k + 1;
		}
	}
	return oom ? fail(x, ENOMEM, "out of memory") : 0;
}

/* Does the loader take this file for the program (open_verify)?  0 yes,
 * 1 skip it and search on (wrong class or machine), -1 no, *why says. */
static int acceptable(const struct elf_info *e, const char **why)
{
	if (e->cls != ELFCLASS64 || e->machine != EM_X86_64)
		return 1;
	if (e->data != ELFDATA2LSB) {
		*why = "ELF file data encoding not little-endian";
		return -1;
	}
	if (e->version != EV_CURRENT) {
		*why = "ELF file version ident does not match current one";
		return -1;
	}
	if (!(e->osabi == ELFOSABI_SYSV && e->abiversion == 0) &&
	    !(e->osabi == ELFOSABI_GNU && e->abiversion < 4)) {
		*why = "ELF file OS ABI invalid";
		return -1;
	}
	if (!e->pad_zero) {
		*why = "nonzero padding in e_ident";
		return -1;
	}
	if (e->type != ET_DYN && e->type != ET_EXEC) {
		*why = "only ET_DYN and ET_EXEC can be loaded";
		return -1;
	}
	return 0;
}

/* One candidate path for object I.  0: taken (object filled in), 1: not
 * there or skipped, search on; 2: found but unusable (object's why set,
 * search ends); -1: error. */
static int try_path(struct ctx *x, int i, const char *cand)
{
	char real[PATH_MAX];
	struct elf_read rd = { .n = 0 };
	struct elf_info *e;
	struct stat st;
	const char *why = NULL;
	int fd, r, a;

	/* A quick look first: most candidates do not exist. */
	fd = openat2_in(x->tree, cand, O_PATH, 0);
	if (fd < 0)
		return errno == ENOMEM ? fail(x, ENOMEM, "out of memory") : 1;
	close(fd);
	fd = walk(x, cand, real);
	if (fd < 0)
		return 1;
	e = malloc(sizeof(*e));
	if (e == NULL) {
		close(fd);
		return fail(x, ENOMEM, "out of memory");
	}
	r = read_elf(fd, e, &rd, &st, &why);
	close(fd);
	if (r == -2) {          /* cannot open or read: the loader moves on */
		elf_read_free(&rd);
		free(e);
		return 1;
	}
	if (r == ELF_NOT_ELF)
		why = "invalid ELF header";
	a = r == ELF_OK ? acceptable(e, &why) : -1;
	if (a == 1) {
		elf_read_free(&rd);
		free(e);
		return 1;
	}
	/* The same file already loaded under another name (dev/ino). */
	for (size_t k = 0; a == 0 && k < x->c->nobj; k++) {
		if ((int)k == i || x->c->obj[k].path == NULL)
			continue;
		if (x->lo[k].dev == st.st_dev && x->lo[k].ino == st.st_ino) {
			elf_read_free(&rd);
			free(e);
			if (add_name(&x->lo[k], x->c->obj[i].name) < 0)
				return fail(x, ENOMEM, "out of memory");
			x->c->obj[k].asked = true;
			return 3;
		}
	}
	x->c->obj[i].path = strdup(cand);
	x->c->obj[i].real = strdup(real);
	if (x->c->obj[i].path == NULL || x->c->obj[i].real == NULL) {
		elf_read_free(&rd);
		free(e);
		return fail(x, ENOMEM, "out of memory");
	}
	if (a < 0) {
		x->c->obj[i].why = why;
		elf_read_free(&rd);
		free(e);
		return 2;
	}
	r = keep_info(x, i, e, &st);
	if (r == 0 && (x->lo[i].origin = dirname_of(cand)) == NULL)
		r = fail(x, ENOMEM, "out of memory");
	elf_read_free(&rd);
	free(e);
	return r;
}

/* Search NAME in a colon-separated path list of object OWNER (its $ORIGIN
 * for expansion), each directory with every subdirectory. */
static int search_list(struct ctx *x, int i, const char *list, int owner)
{
	char *copy = strdup(list), *elem;
	const char *dirs[256];
	char *store[256];
	size_t nd = 0;
	int r = 1;

	if (copy == NULL)
		return fail(x, ENOMEM, "out of memory");
	for (char *s = copy; (elem = strsep(&s, ":")) != NULL && nd < 256;) {
		char buf[PATH_MAX];
		size_t len;
		bool dup = false;

		buf[0] = '\0';
		if (*elem != '\0') {
			if (expand(x, x->lo[owner].origin, elem, buf) != 0)
				continue;
			len = strlen(buf);
			if (len == 0)
				continue;
			while (len > 1 && buf[len - 1] == '/')
				buf[--len] = '\0';
			if (buf[len - 1] != '/') {
				if (len + 1 >= PATH_MAX)
					continue;
				buf[len++] = '/';
				buf[len] = '\0';
			}
		}
		for (size_t k = 0; k < nd; k++)
			dup = dup || strcmp(dirs[k], buf) == 0;
		if (dup)
			continue;
		if ((store[nd] = strdup(buf)) == NULL) {
			r = fail(x, ENOMEM, "out of memory");
			goto out;
		}
		dirs[nd] = store[nd];
		nd++;
	}
	for (size_t k = 0; k < nd && r == 1; k++)
		for (size_t s = 0; s < x->nsubdirs && r == 1; s++) {
			char cand[PATH_MAX];
			if (snprintf(cand, sizeof(cand), "%s%s%s", dirs[k], x->subdirs[s],
			             x->c->obj[i].name) >= (int)sizeof(cand))
				continue;
			r = try_path(x, i, cand);
		}
out:
	for (size_t k = 0; k < nd; k++)
		free(store[k]);
	free(copy);
	return r;
}

static int search_system(struct ctx *x, int i)
{
	return search_list(x, i, SYSTEM_DIRS, 0);
}

static bool under_system_dir(const char *p)
{
	for (size_t k = 0; k < sizeof(system_dirs) / sizeof(system_dirs[0]); k++)
		if (strncmp(p, system_dirs[k], strlen(system_dirs[k])) == 0)
			return true;
	return false;
}

/* _dl_map_object for a name without a slash, needed by object L. */
static int search(struct ctx *x, int i, int l)
{
	int r = 1;

	if (x->lo[l].runpath == NULL) {
		bool did_main = false;

		for (int k = l; k >= 0 && r == 1; k = x->c->obj[k].parent)
			if (x->lo[k].rpath != NULL) {
				r = search_list(x, i, x->lo[k].rpath, k);
				did_main = did_main || k == 0;
			}
		if (r == 1 && !did_main && x->lo[0].rpath != NULL)
			r = search_list(x, i, x->lo[0].rpath, 0);
	}
	if (r == 1 && x->lo[l].runpath != NULL)
		r = search_list(x, i, x->lo[l].runpath, l);
	if (r == 1 && x->have_cache) {
		const char *cached = ldcache_lookup(&x->cache, &x->hw, x->c->obj[i].name);

		if (cached != NULL && (x->lo[l].flags_1 & DF_1_NODEFLIB) &&
		    under_system_dir(cached))
			cached = NULL;
		if (cached != NULL)
			r = try_path(x, i, cached);
	}
	if (r == 1 && !(x->lo[l].flags_1 & DF_1_NODEFLIB))
		r = search_system(x, i);
	return r;
}

/* Already loaded under NAME (its path, a name it was asked by, its
 * DT_SONAME)?  Missing objects never match (ldd's faked entries). */
static int loaded_as(const struct ctx *x, const char *name)
{
	for (size_t k = 0; k < x->c->nobj; k++) {
		const struct elf_object *o = &x->c->obj[k];
		const struct lobj *l = &x->lo[k];

		if (o->path == NULL || o->why != NULL)
			continue;
		if (k != 0 && strcmp(o->path, name) == 0)
			return (int)k;
		for (size_t n = 0; n < l->nnames; n++)
			if (strcmp(l->names[n], name) == 0)
				return (int)k;
		if (l->soname != NULL && strcmp(l->soname, name) == 0)
			return (int)k;
	}
	return -1;
}

static bool missing_already(const struct ctx *x, const char *name)
{
	for (size_t k = 0; k < x->c->nobj; k++)
		if (x->c->obj[k].why != NULL && strcmp(x->c->obj[k].name, name) == 0)
			return true;
	return false;
}

/* Map NAME as needed by object L (breadth-first caller). */
static int map_needed(struct ctx *x, int l, const char *raw)
{
	char name[PATH_MAX];
	int i, r, e;

	e = expand(x, x->lo[l].origin, raw, name);
	if (e < 0)
		return fail(x, ENAMETOOLONG, "%s: DT_NEEDED %s: too long",
		            x->c->obj[l].name, raw);
	if (e > 0 || name[0] == '\0') {
		if (missing_already(x, raw))
			return 0;
		if ((i = new_object(x, ELF_LIBRARY, raw, l)) < 0)
			return -1;
		x->c->obj[i].why = "empty dynamic string token substitution";
		return 0;
	}
	if ((i = loaded_as(x, name)) >= 0) {
		x->c->obj[i].asked = true;
		return 0;
	}
	if (missing_already(x, name))
		return 0;
	if ((i = new_object(x, ELF_LIBRARY, name, l)) < 0)
		return -1;
	x->c->obj[i].asked = true;
	if (add_name(&x->lo[i], name) < 0)
		return fail(x, ENOMEM, "out of memory");
	r = strchr(name, '/') != NULL ? try_path(x, i, name) : search(x, i, l);
	if (r < 0)
		return -1;
	if (r == 1)
		x->c->obj[i].why = "cannot open shared object file: No such file or directory";
	if (r == 3) {   /* another name of a loaded file: not a new object */
		struct lobj *lo = &x->lo[i];
		for (size_t n = 0; n < lo->nnames; n++)
			free(lo->names[n]);
		free(lo->names);
		free(x->c->obj[i].name);
		x->c->nobj--;
	}
	return 0;
}

static void free_lobj(struct lobj *l)
{
	for (size_t n = 0; n < l->nnames; n++)
		free(l->names[n]);
	for (size_t n = 0; n < l->nneeded; n++)
		free(l->needed[n]);
	free(l->names);
	free(l->needed);
	free(l->soname);
	free(l->rpath);
	free(l->runpath);
	free(l->origin);
}

static void load_cache(struct ctx *x)
{
	struct stat st;
	unsigned char *buf;
	size_t have = 0;
	const char *why;
	char self[64];
	int pfd, fd;

	pfd = openat2_in(x->tree, "/etc/ld.so.cache", O_PATH, 0);
	if (pfd < 0)
		return;
	if (fstat(pfd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_READ) {
		close(pfd);
		return;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	close(pfd);
	if (fd < 0)
		return;
	buf = malloc((size_t)st.st_size + 1);
	while (buf != NULL && have < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + have, (size_t)st.st_size - have, (off_t)have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	close(fd);
	if (buf == NULL)
		return;
	/* A cache glibc cannot use is no cache: it searches on without. */
	if (ldcache_parse(buf, have, &x->cache, &why) < 0) {
		free(buf);
		return;
	}
	x->cache_buf = buf;
	x->have_cache = true;
}

/* The program and its interpreter. */
static int start(struct ctx *x, const char *path)
{
	char real[PATH_MAX];
	struct elf_read rd = { .n = 0 };
	struct elf_info *e;
	struct stat st;
	const char *why = NULL;
	int fd, r, i;

	if ((i = new_object(x, ELF_PROGRAM, path, -1)) < 0)
		return -1;
	fd = walk(x, path, real);
	if (fd < 0)
		return fail(x, errno, "%s: %s", path, strerror(errno));
	if ((e = malloc(sizeof(*e))) == NULL) {
		close(fd);
		return fail(x, ENOMEM, "out of memory");
	}
	r = read_elf(fd, e, &rd, &st, &why);
	close(fd);
	if (r == -2) {
		r = fail(x, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	x->c->obj[i].path = strdup(path);
	x->c->obj[i].real = strdup(real);
	if (x->c->obj[i].path == NULL || x->c->obj[i].real == NULL) {
		r = fail(x, ENOMEM, "out of memory");
		goto out;
	}
	if (r == ELF_NOT_ELF) {
		r = 1;
		goto out;
	}
	x->c->is_elf = true;
	if (r == ELF_BAD) {
		r = fail(x, ENOEXEC, "%s: %s", path, why);
		goto out;
	}
	if (e->interp == NULL) {   /* static: the kernel runs it alone */
		r = 1;
		goto out;
	}
	if (e->cls != ELFCLASS64 || e->machine != EM_X86_64) {
		r = fail(x, ENOEXEC, "%s: not an x86-64 program (only the "
		         "host's kind is resolved)", path);
		goto out;
	}
	if ((r = keep_info(x, i, e, &st)) < 0)
		goto out;
	if ((x->lo[i].origin = dirname_of(real)) == NULL) {
		r = fail(x, ENOMEM, "out of memory");
		goto out;
	}
	/* The interpreter: l_name is the PT_INTERP string itself. */
	if ((i = new_object(x, ELF_INTERP, e->interp, 0)) < 0) {
		r = -1;
		goto out;
	}
	r = try_path(x, i, e->interp);
	if (r == 1)
		x->c->obj[i].why = "No such file or directory";
	if (r >= 0) {
		x->lo[i].nneeded = 0;   /* ld.so's own needs are none of ours */
		r = add_name(&x->lo[i], e->interp) < 0 ? fail(x, ENOMEM, "out of memory") : 0;
	}
out:
	elf_read_free(&rd);
	free(e);
	return r;
}

int elf_closure(int treefd, const char *path, struct elf_closure *c,
                char *err, size_t errlen)
{
	struct ctx x;
	int r;

	memset(c, 0, sizeof(*c));
	memset(&x, 0, sizeof(x));
	x.tree = treefd;
	x.c = c;
	x.err = err;
	x.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	elf_hw_detect(treefd, &x.hw);
	r = build_subdirs(&x);
	if (r < 0)
		r = fail(&x, ENOMEM, "out of memory");
	if (r == 0)
		r = start(&x, path);
	if (r == 0) {
		load_cache(&x);
		/* Breadth first: the program's needs, then each new object's. */
		for (size_t k = 0; r == 0 && k < c->nobj; k++)
			for (size_t n = 0; r == 0 && n < x.lo[k].nneeded; n++)
				r = map_needed(&x, (int)k, x.lo[k].needed[n]);
	}
	for (size_t k = 0; k < c->nobj; k++)
		free_lobj(&x.lo[k]);
	free(x.lo);
	free(x.cache_buf);
	free(x.subdir_store);
	if (r < 0) {
		int e = errno;
		elf_closure_free(c);
		errno = e;
		return -1;
	}
	return 0;
}

void elf_closure_free(struct elf_closure *c)
{
	for (size_t k = 0; k < c->nobj; k++) {
		free(c->obj[k].name);
		free(c->obj[k].path);
		free(c->obj[k].real);
	}
	for (size_t k = 0; k < c->nlinks; k++) {
		free(c->links[k].path);
		free(c->links[k].target);
	}
	free(c->obj);
	free(c->links);
	memset(c, 0, sizeof(*c));
}

int elf_missing(int treefd, const char *path, char *what, size_t whatlen)
{
	struct elf_closure c;
	int r = 0, n;

	if (elf_closure(treefd, path, &c, what, whatlen) < 0)
		return -1;
	for (size_t k = 1; k < c.nobj; k++) {
		const struct elf_object *o = &c.obj[k];

		if (o->why == NULL)
			continue;
		if (o->role == ELF_INTERP)
			n = snprintf(what, whatlen, "its ELF interpreter %s", o->name);
		else
			n = snprintf(what, whatlen, "library %s (needed by %s)",
			             o->name, c.obj[o->parent].path);
		if (n > 0 && (size_t)n < whatlen)
			snprintf(what + n, whatlen - (size_t)n, o->path == NULL ?
			         " is missing" : " cannot be loaded: %s", o->why);
		r = 1;
		break;
	}
	elf_closure_free(&c);
	return r;
}
