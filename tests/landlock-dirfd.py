#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""landlock-dirfd.py ROOT OUT UID GID: what Landlock covers through a
directory descriptor opened before it was applied.

Opens OUT (a directory outside ROOT), becomes UID:GID, applies the ruleset
chdrop applies (every filesystem right of ABI 1-5 handled, all of them
granted beneath ROOT only), then tries each operation through the
descriptor and prints NAME=ok or NAME=<strerror>.  The man page's SECURITY
table says which of these Landlock stops; 62-review.bats holds it to that.
"""
import ctypes
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
root, out, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
d = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
os.setgroups([])
os.setresgid(gid, gid, gid)
os.setresuid(uid, uid, uid)
if libc.syscall(444, None, 0, 1) < 5:
    print("abi=too-old")
    sys.exit(0)
rights = (1 << 16) - 1  # ABI 1-5: make_sym..refer, truncate, ioctl_dev
attr = struct.pack("=Q", rights)
rs = libc.syscall(444, attr, len(attr), 0)
pfd = os.open(root, os.O_PATH | os.O_DIRECTORY)
rule = struct.pack("=Qi", rights, pfd)
if (rs < 0 or libc.prctl(38, 1, 0, 0, 0) != 0 or
        libc.syscall(445, rs, 1, rule, 0) != 0 or libc.syscall(446, rs, 0) != 0):
    print("landlock=failed")
    sys.exit(1)


def t(name, f):
    try:
        f()
        print(f"{name}=ok")
    except OSError as e:
        print(f"{name}={os.strerror(e.errno)}")


def conn():
    s = socket.socket(socket.AF_UNIX)
    s.connect(f"/proc/self/fd/{d}/sock")


t("open", lambda: os.close(os.open("f", os.O_RDONLY, dir_fd=d)))
t("mkdir", lambda: os.mkdir("new", dir_fd=d))
t("unlink", lambda: os.unlink("g", dir_fd=d))
t("rename", lambda: os.rename("g", "h", src_dir_fd=d, dst_dir_fd=d))
t("truncate", lambda: os.truncate(f"/proc/self/fd/{d}/f", 0))
t("chmod", lambda: os.chmod("f", 0o666, dir_fd=d))
t("chown", lambda: os.chown("f", uid, gid, dir_fd=d))
t("utime", lambda: os.utime("f", (0, 0), dir_fd=d))
t("setxattr", lambda: os.setxattr(f"/proc/self/fd/{d}/f", "user.x", b"1"))
t("connect", conn)
