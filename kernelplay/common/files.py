"""The files a user names: read within limits, written atomically, and a sentence for every failure.

A reader (kernel files, model files, IDX files, images) opens its file with :func:`open_user_file`
or :func:`read_user_file` and gets its own error class with a sentence naming the file, never
Python's or the system's raw text; text from outside (a file, the settings) is parsed by
:func:`parse_json`. Every saver writes through :func:`write_atomically`, whose
:class:`FileSaveError` names the user's path, never the temporary file beside it.
"""
from __future__ import annotations

import errno
import json
import os
import re
import secrets
import stat
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from kernelplay.common.text import sentence

__all__ = ["FileSaveError", "MAX_JSON_DEPTH", "fill_from", "open_user_file", "open_zip_archive", "parse_json", "read_user_file",
           "save_failure", "write_atomically"]

MAX_JSON_DEPTH = 16  # kernel files nest 4 deep and model configs 3; far deeper is damage or an attack
MAX_JSON_DIGITS = 20  # longer whole numbers are read as floats: none is a weight or a size
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


# ---------------------------------------------------------------------------------------------
# Reading


def _read_failure(error: OSError) -> str:
    """Why a file could not be opened or read, as a clause for the person who chose it."""
    reasons = {
        errno.ENOENT: "there is no such file",
        errno.ENOTDIR: "there is no such file (part of that path is a file, not a folder)",
        errno.ELOOP: "it is a symbolic link loop (following its links never reaches a file)",
        errno.EACCES: "kernelplay is not allowed to read it",
        errno.EPERM: "kernelplay is not allowed to read it",
    }
    return reasons.get(error.errno, error.strerror or "the system gave no reason")


def _too_large(max_bytes: int) -> str:
    return f"it is too large (kernelplay reads at most {max_bytes:,} bytes of it)"


def open_user_file(path, kind: str, error: Callable[[str], Exception], max_bytes: int | None = None) -> BinaryIO:
    """The regular file at ``path`` open for reading (binary), or ``error(message)`` saying why not
    (``"cannot read kernel file k.json: there is no such file"``): missing, a folder, a symbolic
    link loop, a pipe or device, not allowed, or more than ``max_bytes``.

    ``kind`` names what the file should be (``"kernel file"``). A pipe is opened without waiting
    for a writer, so nothing here can block.
    """
    path = Path(path)
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error(f"cannot read {kind} {path}: {_read_failure(exc)}") from None
    info = os.fstat(handle)
    reason = None
    if stat.S_ISDIR(info.st_mode):
        reason = "it is a folder"
    elif not stat.S_ISREG(info.st_mode):
        reason = "it is a pipe or a device, not a file"
    elif max_bytes is not None and info.st_size > max_bytes:
        reason = _too_large(max_bytes)
    if reason is not None:
        os.close(handle)
        raise error(f"cannot read {kind} {path}: {reason}")
    return os.fdopen(handle, "rb")


def read_user_file(path, kind: str, error: Callable[[str], Exception], max_bytes: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them; otherwise
    ``error(message)`` as :func:`open_user_file` raises it."""
    with open_user_file(path, kind, error, max_bytes) as stream:
        try:
            data = stream.read(max_bytes + 1)
        except OSError as exc:
            raise error(f"cannot read {kind} {path}: {_read_failure(exc)}") from None
    if len(data) > max_bytes:  # it grew after it was opened
        raise error(f"cannot read {kind} {path}: {_too_large(max_bytes)}")
    return data


_ZIP_END_RECORD_BYTES = 22
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
"""What ``zipfile`` may raise on damaged bytes."""


def open_zip_archive(stream: BinaryIO, path, kind: str, error: Callable[[str], Exception],
                     max_directory_bytes: int) -> zipfile.ZipFile:
    """The zip archive (an ``.npz``) in the open ``stream`` of the file at ``path``, once its
    directory — which ``zipfile`` reads whole — proves at most ``max_directory_bytes``; otherwise
    ``error(message)`` (``"run.npz is not a kernelplay training run (it is not an .npz archive)"``).

    numpy writes no archive comment, so the end-of-directory record is the file's last 22 bytes.
    """
    name = Path(path).name
    not_npz = error(f"{name} is not a kernelplay {kind} (it is not an .npz archive)")
    if os.fstat(stream.fileno()).st_size < _ZIP_END_RECORD_BYTES:
        raise not_npz
    stream.seek(-_ZIP_END_RECORD_BYTES, os.SEEK_END)
    end_record = stream.read(_ZIP_END_RECORD_BYTES)
    if end_record[:4] != b"PK\x05\x06":
        raise not_npz
    if int.from_bytes(end_record[12:16], "little") > max_directory_bytes:
        raise error(f"{name} is not a kernelplay {kind} (its archive lists far more entries than a {kind} holds)")
    try:
        return zipfile.ZipFile(stream)
    except ZIP_DAMAGE:
        raise not_npz from None


def fill_from(stream: BinaryIO, array: np.ndarray) -> int:
    """Read from ``stream`` into the contiguous ``array`` until it is full or the stream ends;
    returns the bytes read (``array.nbytes`` when it is full). Never reads past the array."""
    view, filled = memoryview(array.reshape(-1, order="A").view(np.uint8)), 0
    while filled < len(view):
        count = stream.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


def _nesting_depth(text: str) -> int:
    """How deep the brackets of JSON ``text`` nest; brackets inside strings do not count."""
    skeleton = np.frombuffer(_JSON_STRING.sub("", text).encode("utf-8", "surrogatepass"), np.uint8)
    steps = (skeleton == ord("[")).astype(np.int32) + (skeleton == ord("{"))
    steps -= (skeleton == ord("]")) + (skeleton == ord("}"))
    return int(np.cumsum(steps).max(initial=0))


def _whole_number(digits: str) -> int | float:
    # Python refuses to convert more than 4,300 digits, and an int too large for a float overflows
    # later; a long whole number becomes a float (perhaps inf), as JavaScript reads JSON.
    return int(digits) if len(digits.lstrip("-")) <= MAX_JSON_DIGITS else float(digits)


def parse_json(text: str | bytes) -> object:
    """``json.loads`` for text from outside (a user's file, the settings), or ``ValueError`` with a
    clause (``"it is not valid JSON (…)"``) when the bytes are not UTF-8 text, are not JSON, or
    nest deeper than :data:`MAX_JSON_DEPTH`: never a ``RecursionError``. A whole number of more
    than :data:`MAX_JSON_DIGITS` digits comes back as a float, NaN and Infinity as floats: the
    caller checks the values it wants."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValueError("it is not text") from None
    depth = _nesting_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"its brackets nest {depth:,} deep, and kernelplay reads at most {MAX_JSON_DEPTH}")
    try:
        return json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc.msg} on line {exc.lineno})") from None


# ---------------------------------------------------------------------------------------------
# Writing


class FileSaveError(OSError):
    """A file could not be saved; ``str(error)`` is a sentence naming the user's path."""


def _save_error(error: OSError, path: Path) -> FileSaveError:
    folder = path.absolute().parent
    reasons = {
        errno.ENOENT: f"the folder {folder} does not exist",
        errno.ENOTDIR: f"{folder} is not a folder",
        errno.EACCES: f"kernelplay is not allowed to write in {folder}",
        errno.EPERM: f"kernelplay is not allowed to write in {folder}",
        errno.EISDIR: f"{path} is a folder",
        errno.ENOSPC: "the disk is full",
        errno.EROFS: f"{folder} is on a disk that cannot be written to",
        errno.ENAMETOOLONG: "the name is too long",
    }
    return FileSaveError(f"cannot save {path.name}: {reasons.get(error.errno, error.strerror or 'the system gave no reason')}")


def save_failure(path, error: Exception) -> str:
    """The message for a save of ``path`` that raised ``error``: one sentence naming the file and
    the reason once (``"Cannot save c.csv: the folder /x does not exist."``), as the playground's.

    A :class:`FileSaveError` is that clause already; a ``"cannot save as '.xyz': …"`` gets the
    file's name (``"cannot save o.xyz as '.xyz': …"``); another error gives the reason (an
    ``OSError``'s ``strerror``, else its text)."""
    clause, name, saying = str(error), Path(path).name, "cannot save "
    if not clause.lower().startswith(saying):
        reason = error.strerror if isinstance(error, OSError) and error.strerror else clause
        clause = f"{saying}{name}: {reason}"
    elif name not in clause:
        clause = f"{saying}{name} {clause[len(saying):]}"
    return sentence(clause)


def write_atomically(path, write: Callable[[BinaryIO], object]) -> Path:
    """Call ``write(stream)`` on a temporary file beside ``path``, then move it over ``path``.

    Readers see either the old file or the complete new one, never a partial write: the data is
    flushed and fsynced before the rename. A new file gets the permissions the user's umask gives
    any new file (``0o666 & ~umask``); a replaced one keeps its own. A failure of the file system
    raises :class:`FileSaveError` (an ``OSError``) naming ``path``, and leaves no temporary file.
    Returns ``path``.
    """
    path = Path(path)
    # Created like any new file (0o666 less the umask, applied by the system), where mkstemp
    # would give 0o600 and hide the file from other users.
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        handle = os.open(temporary, flags, 0o666)
    except OSError as error:
        raise _save_error(error, path) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if error.errno is None:  # not the file system's doing (e.g. Pillow refusing to write a mode)
            raise
        raise _save_error(error, path) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
