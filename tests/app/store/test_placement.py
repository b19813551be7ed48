"""A SQLite store on a network share is refused with a message (app.store.placement).

The Windows side is also checked for real under Wine: a drive configured as a network
drive refuses the store in ``returndesk.com find`` (packaging/wine/smoke.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.store import open_store
from app.store.placement import network_location

MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw 0 0
fs1:/export/returns /mnt/returns nfs4 rw,relatime 0 0
/dev/sdb1 /mnt/returns-local ext4 rw 0 0
//fs1/desk\\040share /mnt/desk\\040share cifs rw 0 0
/dev/sdc1 /mnt/returns/local-disk ext4 rw 0 0
"""


def remote(drives: str) -> object:
    return lambda root: 4 if root[0].upper() in drives else 3


@pytest.mark.parametrize(("path", "expected"), [
    (r"\\fs1\returns\desk.sqlite3", r"the network share \\fs1\returns"),
    ("//fs1/returns/desk.sqlite3", r"the network share \\fs1\returns"),
    (r"\\?\UNC\fs1\returns\desk.sqlite3", r"the network share \\fs1\returns"),
    (r"N:\returns\desk.sqlite3", "the network drive N:"),
    ("n:/desk.sqlite3", "the network drive N:"),
    (r"C:\Users\op\AppData\Local\returndesk\desk.sqlite3", None),
    (r"\\?\C:\very\long\desk.sqlite3", None),
    ("desk.sqlite3", None),
])
def test_windows_shares_and_network_drives(path: str, expected: str | None) -> None:
    assert network_location(path, platform="win32", drive_type=remote("N")) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("/mnt/returns/desk.sqlite3", "a network file system (nfs4) mounted at /mnt/returns"),
    ("/mnt/returns", "a network file system (nfs4) mounted at /mnt/returns"),
    ("/mnt/returns-local/desk.sqlite3", None),          # a longer name, not under it
    ("/mnt/returns/local-disk/desk.sqlite3", None),     # a local disk mounted inside it
    ("/mnt/desk share/desk.sqlite3", "a network file system (cifs) mounted at /mnt/desk share"),
    ("/home/op/desk.sqlite3", None),
])
def test_linux_network_mounts(path: str, expected: str | None) -> None:
    assert network_location(path, platform="linux", mounts=MOUNTS) == expected


def test_a_local_store_opens_and_this_machine_is_read_for_real(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    assert network_location(path) is None  # the real /proc/self/mounts: a local disk
    open_store(str(path)).close()

