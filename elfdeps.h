/* SPDX-License-Identifier: ISC */
/* What an ELF file needs to run, resolved as the host's glibc loader
 * resolves it, inside a tree given as a directory descriptor (the host
 * "/" for chdrop-root, the root for chdrop -n).  See elfdeps.c. */
#ifndef CHDROP_ELFDEPS_H
#define CHDROP_ELFDEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- pure: one ELF file in a buffer -------------------------------------- */

#define ELF_MAX_NEEDED 1024

enum { ELF_OK = 0, ELF_NOT_ELF = 1, ELF_SHORT = 2, ELF_BAD = -1 };

struct elf_info {
	unsigned char cls;        /* ELFCLASS32 or ELFCLASS64 */
	unsigned char data;       /* ELFDATA2LSB or ELFDATA2MSB */
	unsigned char version;    /* e_ident[EI_VERSION] */
	unsigned char osabi, abiversion;
	bool pad_zero;            /* e_ident[EI_PAD...] all zero */
	uint16_t type;            /* ET_EXEC, ET_DYN, ... */
	uint16_t machine;         /* EM_X86_64, ... */
	bool dynamic;             /* has a PT_DYNAMIC segment */
	/* Strings below point into the buffer, each NUL-terminated there;
	 * NULL when absent. */
	const char *interp;       /* PT_INTERP */
	const char *soname;       /* DT_SONAME */
	const char *rpath;        /* DT_RPATH (ignored by the loader when
	                           * DT_RUNPATH is present: see elf_closure) */
	const char *runpath;      /* DT_RUNPATH */
	uint64_t flags_1;         /* DT_FLAGS_1 (DF_1_NODEFLIB...) */
	size_t nneeded;
	const char *needed[ELF_MAX_NEEDED];  /* DT_NEEDED, in file order */
	uint64_t need_off, need_len;  /* with ELF_SHORT: the region of the
	                           * file the parse needs next */
};

/* Parts of a file: LEN bytes read from offset OFF.  The first part must
 * start at offset 0. */
struct elf_part { const unsigned char *p; uint64_t off; size_t len; };

/* Parse what the loader reads of a file, given as parts (the whole file,
 * or the regions asked for so far).  ELF_OK: *e filled in.  ELF_NOT_ELF:
 * no ELF magic.  ELF_SHORT: add the region e->need_off, e->need_len as a
 * part and call again.  ELF_BAD: malformed, *why says how.  Pure: no
 * system calls, no globals; every read is bounds-checked against a part. */
int elf_parse(const struct elf_part *parts, size_t nparts, struct elf_info *e,
              const char **why);

/* --- pure: glibc's ld.so.cache ("glibc-ld.so.cache1.1") ----------------- */

/* What the loader knows of the machine, for the cache's hwcaps entries and
 * the search subdirectories (elf_hw_detect() fills it from CPUID). */
struct elf_hw {
	unsigned isa_level;       /* GNU_PROPERTY_X86_ISA_1_{BASELINE,V2,V3,V4} */
	uint64_t hwcap;           /* legacy: HWCAP_X86_64 (1<<1), AVX512_1 (1<<2) */
	const char *platform;     /* "x86_64", or "haswell"/"xeon_phi" on Intel */
	bool nohwcap;             /* /etc/ld.so.nohwcap exists (Debian) */
};

struct ldcache {
	const unsigned char *file; size_t size;   /* the whole file */
	const unsigned char *entries;             /* nlibs entries of entsize */
	uint32_t nlibs, entsize;
	const unsigned char *strings; size_t strings_size;  /* key/value base */
	const unsigned char *hwcaps; uint32_t nhwcaps;  /* uint32 offsets into file */
};

/* Check a cache file and locate its parts.  0, or -1 with *why. */
int ldcache_parse(const void *buf, size_t len, struct ldcache *c,
                  const char **why);
/* The path the cache gives for NAME on machine HW, as glibc 2.36's
 * _dl_load_cache_lookup() picks it (glibc-hwcaps priority, ISA level,
 * flags 0x303 for x86-64); NULL if none.  The string lies in the cache. */
const char *ldcache_lookup(const struct ldcache *c, const struct elf_hw *hw,
                           const char *name);

/* --- the closure, through a directory descriptor -------------------------- */

enum elf_role { ELF_PROGRAM, ELF_INTERP, ELF_LIBRARY };

struct elf_object {
	enum elf_role role;
	char *name;      /* the program's path, PT_INTERP, or the DT_NEEDED name
	                  * (after $ORIGIN/$LIB/$PLATFORM expansion) */
	char *path;      /* the path the loader opens (its l_name); NULL if missing */
	char *real;      /* that path with every symlink resolved in the tree */
	int parent;      /* index of the object that needed it first; -1: none */
	const char *why; /* NULL when found, else why it cannot be loaded */
	bool asked;      /* a DT_NEEDED names it (for the interpreter, which the
	                  * kernel loads anyway: ldd lists it only then) */
};

/* A symlink met on the way to an object: PATH (symlink-free up to its last
 * component) holds TARGET. */
struct elf_symlink { char *path; char *target; };

struct elf_closure {
	bool is_elf;                 /* false: the program is no ELF file */
	struct elf_object *obj;      /* [0] the program, then the interpreter,
	                              * then libraries in the loader's order */
	size_t nobj;
	struct elf_symlink *links;   /* each once */
	size_t nlinks;
};

/* The closure of PATH (absolute, inside the tree TREEFD).  Returns 0 (a
 * missing interpreter or library is an object with why set), or -1 with a
 * message in ERR (errno set; ENOENT when PATH itself is not there).
 * Nothing found is executed; every path is resolved with
 * RESOLVE_IN_ROOT, so absolute symlinks stay inside the tree. */
int elf_closure(int treefd, const char *path, struct elf_closure *c,
                char *err, size_t errlen);
void elf_closure_free(struct elf_closure *c);

/* For chdrop -n: 1 with the first missing interpreter or library named in
 * WHAT ("library NAME (needed by PATH) is missing", "its ELF interpreter
 * NAME is missing", "... cannot be loaded: WHY"), 0 when everything is
 * there (or PATH is no ELF file, or static), -1 with the error in WHAT as
 * elf_closure. */
int elf_missing(int treefd, const char *path, char *what, size_t whatlen);

/* The machine as glibc 2.36 sees it (CPUID, XCR0), for TREEFD's
 * /etc/ld.so.nohwcap. */
void elf_hw_detect(int treefd, struct elf_hw *hw);

#endif
