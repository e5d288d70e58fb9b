#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Edit the dynamic section of an x86-64 ELF file in place, for
tests/87-elfdeps.bats, where ld cannot write what a loader rule needs:

  elf-patch.py FILE runpath    the DT_SONAME entry becomes DT_RUNPATH (same
                               string): a file with DT_RPATH and DT_RUNPATH
  elf-patch.py FILE nodeflib   DF_1_NODEFLIB into DT_FLAGS_1 (ld ignores
                               -z nodeflib for an executable)
"""
import struct
import sys

DT_SONAME, DT_RUNPATH, DT_FLAGS_1, DF_1_NODEFLIB = 14, 29, 0x6ffffffb, 0x800

path, what = sys.argv[1], sys.argv[2]
with open(path, 'r+b') as f:
    b = bytearray(f.read())
    phoff, = struct.unpack_from('<Q', b, 32)
    phnum, = struct.unpack_from('<H', b, 56)
    done = False
    for i in range(phnum):
        t, _, off, _, _, fsz = struct.unpack_from('<IIQQQQ', b, phoff + 56 * i)
        if t != 2:  # PT_DYNAMIC
            continue
        for j in range(off, off + fsz, 16):
            tag, val = struct.unpack_from('<qQ', b, j)
            if what == 'runpath' and tag == DT_SONAME:
                struct.pack_into('<q', b, j, DT_RUNPATH)
                done = True
            elif what == 'nodeflib' and tag == DT_FLAGS_1:
                struct.pack_into('<qQ', b, j, tag, val | DF_1_NODEFLIB)
                done = True
    if not done:
        sys.exit('elf-patch: nothing to patch for %s in %s' % (what, path))
    f.seek(0)
    f.write(b)
