"""Writing files so that a reader never sees half of one: the one atomic write every saver uses."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

__all__ = ["write_atomically"]

NEW_FILE_PERMISSIONS = 0o644  # mkstemp's 0o600 would hide a new file from other users


def write_atomically(path, write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(stream)`` on a temporary file beside ``path``, then move it over ``path``.

    Readers see either the old file or the complete new one, never a partial write: the data is
    flushed and fsynced before the rename. The new file keeps the permissions of the one it
    replaces (``0o644`` for a new file). Returns ``path``.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            permissions = path.stat().st_mode & 0o777
        except OSError:
            permissions = NEW_FILE_PERMISSIONS
        os.chmod(temporary, permissions)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
