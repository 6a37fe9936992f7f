#!/usr/bin/env python3
"""nosys.py - run a command with chosen system calls failing (a seccomp filter; x86-64 only).

usage: nosys.py NAME=ERRNO[,NAME=ERRNO...] -- COMMAND [ARG...]
  NAME is a system call of the table below, ERRNO a name such as ENOSYS or EINVAL.
Every thread of COMMAND gets -1/ERRNO from those calls; every other call runs as usual.
Exit 2 on a bad argument, 3 where the machine cannot do it (not x86-64, no seccomp).
"""
import ctypes
import errno
import os
import platform
import struct
import sys

SYSCALLS = {"epoll_wait": 232, "epoll_pwait": 281, "epoll_pwait2": 441,
            "sendto": 44, "recvfrom": 45, "write": 1, "writev": 20,
            "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427}

AUDIT_ARCH_X86_64 = 0xC000003E
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
# classic BPF opcodes
LD_W_ABS = 0x20
JEQ_K = 0x15
RET_K = 0x06


def insn(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def program(fails):
    """A filter: other architectures and unlisted calls pass, listed calls fail."""
    p = [insn(LD_W_ABS, 0, 0, 4),                       # seccomp_data.arch
         insn(JEQ_K, 1, 0, AUDIT_ARCH_X86_64),
         insn(RET_K, 0, 0, SECCOMP_RET_ALLOW),
         insn(LD_W_ABS, 0, 0, 0)]                       # seccomp_data.nr
    for nr, err in fails:
        p.append(insn(JEQ_K, 0, 1, nr))
        p.append(insn(RET_K, 0, 0, SECCOMP_RET_ERRNO | err))
    p.append(insn(RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(p)


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--":
        sys.stderr.write(__doc__)
        return 2
    fails = []
    for item in args[0].split(","):
        name, _, err = item.partition("=")
        if name not in SYSCALLS or not hasattr(errno, err):
            sys.stderr.write("nosys.py: unknown system call or errno: '%s'\n" % item)
            return 2
        fails.append((SYSCALLS[name], getattr(errno, err)))
    if platform.machine() != "x86_64":
        sys.stderr.write("nosys.py: x86-64 only\n")
        return 3
    code = program(fails)
    buf = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(len(code) // 8, ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or \
       libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        sys.stderr.write("nosys.py: seccomp: %s\n" % os.strerror(ctypes.get_errno()))
        return 3
    os.execvp(args[2], args[2:])


if __name__ == "__main__":
    sys.exit(main())
