"""What huddle checks before a session writes to the database: where the file lives, and
whether it is sound.

SQLite's locking relies on the file system's byte-range locks and on shared memory for
the write-ahead log. On a network share (NFS, SMB/CIFS and the like) those are missing or
unreliable, so two terminals can corrupt the file between them: huddle says so loudly,
every time, though it still opens (a service may have nowhere else to keep it today).

A file that fails `PRAGMA quick_check` is damaged: writing to it can only spread the
damage, so the app refuses to start on it and says what to do instead.
"""

from __future__ import annotations

from pathlib import Path

from store import driver
from store.connection import Store
from store.errors import DAMAGED_ADVICE, StoreError

MOUNTS = Path("/proc/mounts")

# File-system types (as /proc/mounts names them) whose locks SQLite cannot rely on.
NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "davfs",
        "fuse.sshfs",
        "fuse.davfs2",
        "fuse.glusterfs",
        "fuse.rclone",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "vboxsf",
    }
)


def _unescape(field: str) -> str:
    """/proc/mounts writes a space in a mount point as \\040 (and tab, newline, \\ alike)."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def file_system_of(path: Path, mounts: str) -> str | None:
    """The type of the file system holding `path`: that of the longest mount point that
    contains it, from the text of /proc/mounts."""
    resolved = path.resolve()
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(_unescape(fields[1]))
        if resolved == point or point in resolved.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return best[1] if best else None


def network_share_warning(path: Path, mounts_file: Path | None = None) -> str | None:
    """A warning to show when the database sits on a network share; None on a local disk
    (or where the system does not say, as on macOS)."""
    if str(path).startswith(("\\\\", "//")):
        kind = "a Windows network share"
    else:
        try:
            found = file_system_of(path, (mounts_file or MOUNTS).read_text(encoding="utf-8"))
        except OSError:
            return None
        if found not in NETWORK_FILE_SYSTEMS:
            return None
        kind = f"a network file system ({found})"
    return (
        f"the database {path} is on {kind}. SQLite's locking is not reliable there, so two "
        "people using it at once can corrupt it. Move it to a local disk (huddle backup, "
        "then open the copy) and share the screen rather than the file"
    )


def refuse_if_damaged(store: Store) -> None:
    """`PRAGMA quick_check` (the fast part of integrity_check: every page and index entry is
    well formed, without cross-checking index contents) must say ok."""
    try:
        found = [row[0] for row in store.conn.execute("PRAGMA quick_check")]
    except driver.DatabaseError as error:
        found = [str(error)]
    if found != ["ok"]:
        raise StoreError(
            store.path,
            f"it is damaged (quick_check: {'; '.join(found[:3])}); {DAMAGED_ADVICE}",
        )
