"""Opening input files in one place, so every reader gives the same clear errors.

:func:`open_input` opens a path, ``-`` (standard input), a FIFO or a process substitution
(``/dev/fd/63``) for reading bytes, decompressing gzip (and multi-member bgzip) detected from the
magic bytes, and turning old Mac (CR-only) line ends into ``\\n``. Every failure, at opening or
while reading (a corrupt gzip stream), is an :class:`~seqconv.errors.InputError` naming the path.
:func:`local_copy` spools a stream to a temporary file once per process, for readers that read a
file more than once. :func:`decode_text` checks that bytes are UTF-8 text and says where they
are not.
"""

from __future__ import annotations

import atexit
import errno
import gzip
import io
import os
import shutil
import stat
import sys
import tempfile
import zlib
from pathlib import Path
from typing import BinaryIO

from seqconv.errors import InputError

STDIN = "-"
_BUFFER = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
_copies: dict[tuple, Path] = {}
_spool_dir: Path | None = None


def _name(path: str | Path) -> str:
    return "standard input (-)" if str(path) == STDIN else str(path)


def os_error(path: str | Path, exc: OSError, kind: str = "an input file") -> InputError:
    """The :class:`InputError` for an OS error on ``path``: what the OS says, in words."""
    name = _name(path)
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return InputError(
                f"{name}: a symbolic link to {os.readlink(path)!r}, which does not exist"
            )
        return InputError(f"{name}: no such file")
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{name}: is a directory, expected {kind}")
    if isinstance(exc, PermissionError):
        return InputError(f"{name}: permission denied; check the file's read permissions")
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        reason += ": a symbolic link loop?"
    return InputError(f"{name}: cannot read it ({reason})")


def is_stream(path: str | Path) -> bool:
    """True for ``-``, a FIFO, a character device or a socket: data that can be read once."""
    if str(path) == STDIN:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _check_path(path: str | Path, kind: str) -> None:
    """Raise the clear error for a path that is missing, a directory or cannot be reached."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise os_error(path, exc, kind) from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{_name(path)}: is a directory, expected {kind}")


class _Checked(io.RawIOBase):
    """A raw stream over ``inner`` that turns read errors into :class:`InputError` and, with
    ``cr_to_lf``, old Mac line ends into ``\\n``."""

    def __init__(self, inner: BinaryIO, name: str, compressed: bool, cr_to_lf: bool = False):
        self._inner, self._name, self._compressed, self.cr_to_lf = inner, name, compressed, cr_to_lf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (gzip.BadGzipFile, zlib.error, EOFError) as exc:
            raise InputError(
                f"{self._name}: corrupt or truncated gzip data ({exc}); check the download or "
                "recompress the file"
            ) from None
        except OSError as exc:
            if self._compressed:
                raise InputError(
                    f"{self._name}: corrupt or truncated gzip data ({exc}); check the download or "
                    "recompress the file"
                ) from None
            raise os_error(self._name, exc) from None
        if self.cr_to_lf:
            data = data.replace(b"\r", b"\n")
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_input(path: str | Path, kind: str = "an input file") -> io.BufferedReader:
    """Open ``path`` for reading bytes: plain or gzip (from the magic bytes), ``-`` for stdin.

    Works on non-seekable streams (FIFOs, process substitution): the format is detected with a
    buffered peek. A file whose first 64 KiB hold ``\\r`` but no ``\\n`` (old Mac line ends) is
    read with ``\\n`` line ends.

    Parameters
    ----------
    path
        The file, or ``-`` for standard input.
    kind
        What the file should be (``"a FASTA/FASTQ file"``), for the message about a directory.

    Returns
    -------
    io.BufferedReader
        Supports ``peek``, ``readline`` and iteration; read errors are :class:`InputError`.

    Raises
    ------
    InputError
        Missing, a directory, unreadable, or corrupt gzip data (at open or while reading).
    """
    name = _name(path)
    if is_stream(path):  # a stream read before is read again from its copy
        path = _copies.get(_stream_identity(str(path)), path)
    if str(path) == STDIN:
        handle = sys.stdin.buffer
        if not hasattr(handle, "peek"):  # a replaced stdin (a test runner, a notebook)
            handle = io.BufferedReader(handle, _BUFFER)  # type: ignore[arg-type]
    else:
        _check_path(path, kind)
        try:
            handle = open(path, "rb", buffering=_BUFFER)  # noqa: SIM115 - returned wrapped
        except OSError as exc:
            raise os_error(path, exc, kind) from None
    try:
        compressed = handle.peek(2)[:2] == _GZIP_MAGIC  # type: ignore[attr-defined]
    except OSError as exc:
        handle.close()
        raise os_error(path, exc, kind) from None
    inner = gzip.GzipFile(fileobj=handle, mode="rb") if compressed else handle
    raw = _Checked(inner, name, compressed)  # type: ignore[arg-type]
    reader = io.BufferedReader(raw, buffer_size=_BUFFER)
    head = reader.peek(_BUFFER)
    raw.cr_to_lf = b"\r" in head and b"\n" not in head
    if raw.cr_to_lf:
        # the bytes already buffered were read untranslated; start again on a fresh buffer
        reader = io.BufferedReader(_Prefixed(head.replace(b"\r", b"\n"), reader), _BUFFER)
    return reader


class _Prefixed(io.RawIOBase):
    """``prefix`` (already translated), then the rest of ``reader`` after it."""

    def __init__(self, prefix: bytes, reader: io.BufferedReader):
        reader.read(len(prefix))  # drop what the prefix replaces
        self._prefix, self._reader = prefix, reader

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._prefix:
            data, self._prefix = self._prefix[: len(buffer)], self._prefix[len(buffer) :]
        else:
            data = self._reader.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._reader.close()
        super().close()


def _cleanup() -> None:
    if _spool_dir is not None:
        shutil.rmtree(_spool_dir, ignore_errors=True)


def local_copy(path: str | Path, kind: str = "an input file") -> Path:
    """A path that can be read more than once: ``path`` itself for a regular file, else (``-``,
    a FIFO, a character device) a temporary copy of its bytes, made once per process and
    removed at exit.

    The copy keeps the bytes as read (gzip stays gzip), so :func:`open_input` reads it as it
    would have read the stream.
    """
    global _spool_dir
    key = str(path)
    if not is_stream(path):
        if key != STDIN:
            _check_path(path, kind)
        return Path(path)
    identity = _stream_identity(key)
    if identity in _copies:
        return _copies[identity]
    if _spool_dir is None:
        _spool_dir = Path(tempfile.mkdtemp(prefix="seqconv-input-"))
        atexit.register(_cleanup)
    target = _spool_dir / f"{len(_copies)}{''.join(Path(key).suffixes) if key != STDIN else ''}"
    try:
        source = sys.stdin.buffer if key == STDIN else open(path, "rb")  # noqa: SIM115
        with open(target, "wb") as out:
            shutil.copyfileobj(source, out, _BUFFER)
        if key != STDIN:
            source.close()
    except OSError as exc:
        raise os_error(path, exc, kind) from None
    _copies[identity] = target
    return target


def _stream_identity(key: str) -> tuple:
    """What tells one stream from the next under the same name: standard input is the current
    ``sys.stdin`` object (a test runner swaps it); a pipe is its inode (``<(...)`` makes a new
    pipe each time; a named FIFO read again in one process gives its first copy)."""
    if key == STDIN:
        return (key, id(sys.stdin))
    try:
        info = os.stat(key)
    except OSError:
        return (key,)
    return (key, info.st_dev, info.st_ino)


def decode_text(data: bytes, name: str) -> str:
    """``data`` as UTF-8 text (a BOM dropped), or an :class:`InputError` naming line and byte.

    A NUL byte means a binary file and is reported as such.
    """
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = _line_column(data, nul)
        raise InputError(
            f"{name}, line {line}: a NUL byte at byte {column} of the line (byte {nul + 1} of the "
            "file); this is a binary file, not text"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line, column = _line_column(data, start)
        raise InputError(
            f"{name}, line {line}: byte {column} of the line ({data[start : start + 1]!r}) is "
            "not UTF-8 text; is this a binary file? (save text files as UTF-8)"
        ) from None


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte-in-line of ``offset``."""
    return data.count(b"\n", 0, offset) + 1, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


def read_text(path: str | Path, kind: str = "a text file") -> str:
    """The whole of ``path`` (plain or gzip, ``-``, a FIFO) as checked UTF-8 text."""
    with open_input(path, kind) as handle:
        data = handle.read()
    return decode_text(data, _name(path))


def display_name(path: str | Path) -> str:
    """How messages name ``path`` (``-`` is standard input)."""
    return _name(path)


__all__ = [
    "STDIN",
    "decode_text",
    "display_name",
    "is_stream",
    "local_copy",
    "open_input",
    "os_error",
    "read_text",
]


def absolute(path: str | Path) -> Path:
    """``path`` made absolute with symbolic links followed (for provenance and comparisons).

    Raises
    ------
    InputError
        For a symbolic link loop, which :meth:`pathlib.Path.resolve` reports as a RuntimeError.
    """
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError) as exc:
        raise InputError(f"{path}: cannot follow it ({exc}): a symbolic link loop?") from None
