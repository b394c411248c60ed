#!/usr/bin/python3
# failfs: a FUSE passthrough filesystem whose reads and writes fail with
# EIO over chosen byte ranges of any file, for the fault tests.
# Copyright (C) 2026 the fallocate developers.
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   FAILFS_READ=START:END FAILFS_WRITE=START:END failfs.py MNT -o root=DIR
#
# mirrors DIR at MNT; a read (write) that touches [START, END) of a file
# fails with EIO.  It has no fallocate(2), no FIEMAP and no leases, as
# many FUSE filesystems.  Unmount with `umount MNT`.

import os
import errno

import fuse
from fuse import Fuse

fuse.fuse_python_api = (0, 2)


def span(name):
    """The range [START, END) in the environment variable NAME, or None."""
    text = os.environ.get(name)
    if not text:
        return None
    start, end = text.split(':')
    return int(start), int(end)


READ_FAILS = span('FAILFS_READ')
WRITE_FAILS = span('FAILFS_WRITE')


def touches(bad, offset, length):
    return bad is not None and offset < bad[1] and bad[0] < offset + length


class FailFS(Fuse):
    def __init__(self, *args, **kw):
        Fuse.__init__(self, *args, **kw)
        self.root = '/'

    def fsinit(self):
        os.chdir(self.root)

    def getattr(self, path):
        return os.lstat('.' + path)

    def readdir(self, path, offset):
        for name in os.listdir('.' + path):
            yield fuse.Direntry(name)

    def unlink(self, path):
        os.unlink('.' + path)

    def rename(self, path, new):
        os.rename('.' + path, '.' + new)

    def truncate(self, path, length):
        os.truncate('.' + path, length)

    def chmod(self, path, mode):
        os.chmod('.' + path, mode)

    def utime(self, path, times):
        os.utime('.' + path, times)

    def utimens(self, path, atime, mtime):
        st = os.lstat('.' + path)
        ns = [st.st_atime_ns, st.st_mtime_ns]
        for i, ts in enumerate((atime, mtime)):
            if ts is not None:
                ns[i] = ts.tv_sec * 10**9 + ts.tv_nsec
        os.utime('.' + path, ns=tuple(ns))

    def statfs(self):
        return os.statvfs('.')

    class File(object):
        def __init__(self, path, flags, *mode):
            self.fd = os.open('.' + path, flags, *mode)

        def read(self, length, offset):
            if touches(READ_FAILS, offset, length):
                return -errno.EIO
            return os.pread(self.fd, length, offset)

        def write(self, buf, offset):
            if touches(WRITE_FAILS, offset, len(buf)):
                return -errno.EIO
            return os.pwrite(self.fd, buf, offset)

        def fgetattr(self):
            return os.fstat(self.fd)

        def ftruncate(self, length):
            os.ftruncate(self.fd, length)

        def fsync(self, datasync):
            os.fsync(self.fd)

        def flush(self):
            pass

        def release(self, flags):
            os.close(self.fd)

    def main(self, *a, **kw):
        self.file_class = self.File
        return Fuse.main(self, *a, **kw)


def main():
    server = FailFS(usage='failfs MNT -o root=DIR', dash_s_do='setsingle')
    server.multithreaded = False
    server.parser.add_option(mountopt='root', metavar='DIR', default='/')
    server.parse(values=server, errex=1)
    server.main()


if __name__ == '__main__':
    main()
