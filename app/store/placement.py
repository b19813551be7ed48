"""Where a SQLite store file lives: on this computer's own disk, or on a network share.

SQLite's write-ahead log needs memory shared between every program using the file, which a
network file system cannot give: several desks on one file on a share read torn pages, and
one desk there loses its locking guarantees. An IT department sharing one store between
desks by putting the file on ``\\\\fileserver\\returns`` gets corruption weeks later instead of
a message today, so the store refuses a network location with one (PostgreSQL is how desks
share a store).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

#: Linux file system types that are network (or otherwise remote) file systems.
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre",
    "fuse.sshfs", "fuse.rclone", "davfs", "fuse.davfs2", "ncpfs",
})
DRIVE_REMOTE = 4  # GetDriveTypeW


def network_location(path: str | Path, *, platform: str = sys.platform,
                     drive_type: Callable[[str], int] | None = None,
                     mounts: str | None = None) -> str | None:
    """Why ``path`` is on a network file system ("the network share \\\\server\\share",
    "the network drive N:", "a network file system (nfs4) mounted at /mnt/x"), or None when
    it is local (or unknown).

    ``drive_type`` (Windows: ``GetDriveTypeW`` of ``"N:\\\\"``) and ``mounts`` (Linux: the
    text of /proc/self/mounts) are read from the system unless given (tests)."""
    if platform == "win32":
        return _windows(str(path), drive_type or _get_drive_type)
    if platform.startswith("linux"):
        if mounts is None:
            try:
                mounts = Path("/proc/self/mounts").read_text(encoding="utf-8", errors="replace")
            except OSError:
                return None
        return _linux(PurePosixPath(os.path.abspath(path)), mounts)
    return None


def _windows(text: str, drive_type: Callable[[str], int]) -> str | None:
    text = text.replace("/", "\\")
    if text.startswith("\\\\?\\UNC\\"):  # the long-path form of a share
        text = "\\\\" + text[len("\\\\?\\UNC\\"):]
    elif text.startswith(("\\\\?\\", "\\\\.\\")):
        text = text[4:]
    if text.startswith("\\\\"):
        share = "\\".join(text.split("\\")[:4])
        return f"the network share {share}"
    drive = PureWindowsPath(text).drive
    if len(drive) == 2 and drive[1] == ":" and drive_type(drive + "\\") == DRIVE_REMOTE:
        return f"the network drive {drive.upper()}"
    return None


def _get_drive_type(root: str) -> int:
    import ctypes

    windll = getattr(ctypes, "windll", None)
    if windll is None:  # not Windows
        return 0
    return int(windll.kernel32.GetDriveTypeW(root))


def _unescape(field: str) -> str:
    """/proc/mounts writes spaces, tabs, newlines and backslashes as octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _linux(path: PurePosixPath, mounts: str) -> str | None:
    best: tuple[int, str, str] | None = None  # (length of the mount point, point, type)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point, kind = _unescape(fields[1]), fields[2]
        mount = PurePosixPath(point)
        if (path == mount or mount in path.parents) and (best is None or len(point) > best[0]):
            best = (len(point), point, kind)
    if best is not None and best[2] in NETWORK_FILESYSTEMS:
        return f"a network file system ({best[2]}) mounted at {best[1]}"
    return None
