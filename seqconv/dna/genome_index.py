"""A genome FASTA opened through its ``.fai`` (and, bgzip, ``.gzi``) index, which is checked
against the FASTA each time: an index never sends a read to the wrong place.

An index goes stale when the FASTA is rewritten after indexing (other line widths, other
chromosomes), or belongs to another FASTA copied beside it. Reading through it would either
fail deep inside (a window one base too long) or, worse, succeed: every window from the wrong
place. So before use, every record of the index (up to :data:`CHECKED` of them, spread over the
file, when the index is newer than the FASTA; all of them otherwise) is checked where it points:
its header line names it, its lines are as wide as the index says, and it ends where the next
record's header begins (or the file ends). An index that fails is rebuilt, atomically and
announced; one that cannot be rebuilt (a folder this user cannot write in) is refused with the
command that fixes it. An index older than its FASTA that passes the full check gets the time of
now, so that the next open samples it.

The FASTA itself must be a regular file (an index needs random access: a pipe cannot be read
twice) and, when compressed, compressed with bgzip and named ``.gz``/``.bgz``.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path

from seqconv.atomic import atomic_path
from seqconv.errors import InputError
from seqconv.files import os_error

CHECKED = 2000
"""Records checked when the index is newer than the FASTA (all of them when it is older)."""
_GZIP = b"\x1f\x8b"
_HEADER_READ = 4096
_LONGEST_HEADER = 1 << 20


def compression(path: Path) -> str:
    """``"bgzip"``, ``"gzip"`` or ``"none"``, from the file's first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(18)
    except OSError as exc:
        raise os_error(path, exc, "a genome FASTA") from None
    if head[:2] != _GZIP:
        return "none"
    # bgzip: gzip with the FEXTRA flag and a 'BC' subfield (SAM/BAM specification, 4.1)
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzip"
    return "gzip"


def check_random_access(path: Path) -> str:
    """Refuse what cannot be indexed: a missing file, a folder, a stream, plain gzip, or a
    compression that the file name hides. Returns :func:`compression`."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(f"{path}: no such genome file") from None
    except OSError as exc:
        raise os_error(path, exc, "a genome FASTA") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a directory, expected a genome FASTA")
    if not stat.S_ISREG(mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise InputError(
            f"{path}: {kind}, but a genome is read at random through its .fai index, which "
            "needs the file itself; save the stream to a file and give that"
        )
    if os.stat(path).st_size == 0:
        raise InputError(f"{path}: empty file, expected a genome FASTA")
    kind = compression(path)
    named_gz = path.name.lower().endswith((".gz", ".bgz"))
    if kind == "gzip":
        raise InputError(
            f"{path}: compressed with plain gzip, which cannot be read at random; recompress it "
            f"with bgzip (zcat {path.name} | bgzip > genome.fa.gz) or decompress it (gunzip)"
        )
    if kind == "bgzip" and not named_gz:
        raise InputError(
            f"{path}: compressed with bgzip, but its name does not end in .gz; rename it "
            f"(mv {path.name} {path.name}.gz) so that it is read as compressed"
        )
    if kind == "none" and named_gz:
        raise InputError(
            f"{path}: named .gz but not compressed; rename it without .gz, or compress it with "
            "bgzip"
        )
    return kind


def index_paths(path: Path, kind: str) -> tuple[Path, Path | None]:
    """The ``.fai`` and (bgzip) ``.gzi`` beside ``path``."""
    return Path(f"{path}.fai"), (Path(f"{path}.gzi") if kind == "bgzip" else None)


def open_indexed(path: Path, announce: Callable[[str], None]) -> object:
    """A ``pyfaidx.Faidx`` of ``path`` whose index describes it (checked, else rebuilt).

    Parameters
    ----------
    announce
        Told when an index is rebuilt (and why).

    Raises
    ------
    InputError
        The file cannot be indexed (see :func:`check_random_access`, and malformed FASTA), or
        its index is wrong and cannot be rewritten.
    """
    kind = check_random_access(path)
    fai, gzi = index_paths(path, kind)
    if fai.exists() and (gzi is None or gzi.exists()):
        older = _older(fai, path) or (gzi is not None and _older(gzi, path))
        try:
            faidx = _faidx(path)
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - an unreadable index is rebuilt below
            faidx, problem = None, f"it cannot be read ({type(exc).__name__})"
        else:
            problem = index_problem(faidx, limit=None if older else CHECKED)
            if problem is None:
                if older:  # checked in full: the next open samples it
                    _touch(fai, gzi)
                return faidx
            faidx.close()  # type: ignore[attr-defined]
        _rebuild(path, fai, gzi, problem)
        announce(
            f"note: {fai.name} did not describe {path.name} (the FASTA changed after it was "
            f"indexed, or the index is another file's: {problem}): rebuilt it"
        )
    else:
        _build(path, fai, gzi)
    faidx = _faidx(path)
    problem = index_problem(faidx, limit=None)
    if problem is not None:  # a fresh index that does not describe its FASTA: pyfaidx's bug
        raise InputError(f"{path}: cannot index this FASTA reliably ({problem})")
    return faidx


def _touch(*indexes: Path | None) -> None:
    for index in indexes:
        if index is not None:
            try:
                os.utime(index)
            except OSError:  # another user's index: checked in full each time
                pass


def _older(index: Path, path: Path) -> bool:
    try:
        return index.stat().st_mtime < path.stat().st_mtime
    except OSError:
        return True


def _faidx(path: Path) -> object:
    """pyfaidx on an existing index, with its errors in words."""
    import pyfaidx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "index older than FASTA": checked by content here
            return pyfaidx.Faidx(str(path), as_raw=True, rebuild=False, build_index=False)
    except pyfaidx.FastaIndexingError as exc:
        raise _not_indexable(path, exc) from None
    except ValueError as exc:
        _duplicate(path, exc)
        raise


def _duplicate(path: Path, exc: ValueError) -> None:
    """pyfaidx's ``Duplicate key "chr1"`` in words."""
    if "Duplicate key" in str(exc):
        name = str(exc).split('"')[1] if '"' in str(exc) else "?"
        raise InputError(
            f"{path}: the chromosome name {name!r} occurs twice; names must be unique"
        ) from None


def _not_indexable(path: Path, exc: Exception) -> InputError:
    """pyfaidx's indexing errors in words, with the line and the fix."""
    text = str(exc).replace(str(path), path.name)
    line = re.search(r"at line ([\d,]+)", text)
    where = f"{path}, line {line.group(1)}" if line else str(path)
    if "not consistent" in text:
        name = re.search(r">(\S+)", text)
        return InputError(
            f"{where}: a line of another width inside "
            f"{'>' + name.group(1) if name else 'a sequence'} (an indexed FASTA has lines of one "
            "width in each sequence); rewrap it (e.g. seqkit seq -w 60 in.fa > out.fa)"
        )
    if "before the first sequence" in text or "does not contain a valid" in text:
        return InputError(
            f"{where}: not a FASTA header ('>name') where the first sequence should begin; is "
            "this a FASTA file?"
        )
    return InputError(f"{path}: not a FASTA genome that can be indexed ({text})")


def _build(path: Path, fai: Path, gzi: Path | None) -> None:
    """Build the index into temporary files beside the FASTA, then rename them in place."""
    import pyfaidx

    try:
        with atomic_path(fai) as tmp_fai:
            tmp_fai.unlink()  # pyfaidx builds an index only where none exists
            if gzi is None:
                pyfaidx.Faidx(str(path), indexname=str(tmp_fai), as_raw=True).close()
                return
            with atomic_path(gzi) as tmp_gzi:
                tmp_gzi.unlink()
                pyfaidx.Faidx(str(path), indexname=str(tmp_fai), gzi_indexname=str(tmp_gzi),
                              as_raw=True).close()  # fmt: skip
    except pyfaidx.FastaIndexingError as exc:
        raise _not_indexable(path, exc) from None
    except PermissionError as exc:
        raise InputError(
            f"{path}: cannot write its index ({Path(exc.filename or fai).parent}): permission "
            "denied; copy the genome to a folder you can write to, or index it there with "
            "samtools faidx"
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not text (a byte that is not UTF-8); is this a FASTA file?"
        ) from None
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename).resolve() == path.resolve():
            raise os_error(path, exc, "a genome FASTA") from None
        raise InputError(
            f"{fai}: cannot write the index of {path.name} there ({exc.strerror or exc}); "
            f"remove it (seqconv builds it again), or index the genome with samtools faidx"
        ) from None
    except (ValueError, zlib.error) as exc:
        if isinstance(exc, ValueError):
            _duplicate(path, exc)
        raise InputError(f"{path}: not a FASTA genome that can be indexed ({exc})") from None


def _rebuild(path: Path, fai: Path, gzi: Path | None, problem: str) -> None:
    try:
        _build(path, fai, gzi)
    except InputError as exc:
        if "permission denied" not in str(exc):
            raise
        raise InputError(
            f"{fai} does not describe {path} ({problem}: the FASTA changed after it was indexed, "
            "or the index is another file's) and cannot be rebuilt here (permission denied); "
            f"rebuild it with samtools faidx {path}, or copy the genome to a folder you can "
            "write to"
        ) from None


# --- checking an index against its FASTA ---------------------------------------------------


def _reader(faidx) -> Callable[[int, int], bytes]:
    """``read(position, n)``: up to ``n`` bytes at an uncompressed position of the FASTA."""
    handle = faidx.file
    if not faidx._bgzf:

        def read_plain(position: int, n: int) -> bytes:
            handle.seek(position)
            return handle.read(n)

        return read_plain
    from pyfaidx import make_virtual_offset

    blocks = faidx.gzi_index

    def read_bgzf(position: int, n: int) -> bytes:
        i = bisect.bisect_left(blocks, position)
        block = blocks[i] if i == 0 else blocks[i - 1]
        if i < len(blocks) and blocks[i].ustart == position:
            block = blocks[i]
        handle.seek(make_virtual_offset(block.cstart, position - block.ustart))
        return handle.read(n)

    return read_bgzf


def index_problem(faidx, limit: int | None = CHECKED) -> str | None:
    """Why ``faidx``'s index does not describe its FASTA, or ``None`` when it does.

    Parameters
    ----------
    limit
        Check at most this many records (evenly spread, the first and last included; the
        chaining from one record to the next only between neighbours); ``None``: all.
    """
    try:
        return _problem(faidx, limit)
    except (OSError, ValueError, EOFError, zlib.error, IndexError) as exc:
        return f"reading where it points fails ({type(exc).__name__})"


def _problem(faidx, limit: int | None) -> str | None:
    read = _reader(faidx)
    records = sorted(faidx.index.items(), key=lambda item: item[1].offset)
    if not records:
        return "it lists no sequence"
    chosen = range(len(records))
    if limit is not None and len(records) > limit:
        step = len(records) / limit
        chosen = sorted({int(i * step) for i in range(limit)} | {len(records) - 1})
    header_starts: dict[int, int] = {}
    for k in chosen:
        name, rec = records[k]
        start = _header_start(read, name, rec.offset)
        if start is None:
            return f"{name!r} is not at byte {rec.offset:,}"
        header_starts[k] = start
    for k in chosen:
        name, rec = records[k]
        problem = _record_problem(read, name, rec)
        if problem is not None:
            return problem
        after = _next_text(read, _record_end(rec))
        if k == len(records) - 1:
            if after is not None:
                return f"the file goes on after {name!r}, the last sequence it lists"
        elif k + 1 in header_starts and after != header_starts[k + 1]:
            return f"{name!r} does not end where the next sequence begins"
    return None


def _header_start(read, name: str, offset: int) -> int | None:
    """Where the header line of the record whose bases start at ``offset`` begins, if it names
    ``name``; ``None`` otherwise."""
    size = _HEADER_READ
    while True:
        lo = max(0, offset - size)
        chunk = read(lo, offset - lo)
        if len(chunk) != offset - lo or not chunk.endswith(b"\n"):
            return None
        cut = chunk.rfind(b"\n", 0, len(chunk) - 1)
        if cut >= 0 or lo == 0:
            line = chunk[cut + 1 :].rstrip(b"\r\n")
            words = line[1:].split()
            ok = line.startswith(b">") and words and words[0].decode("utf-8", "replace") == name
            return lo + cut + 1 if ok else None
        if size >= _LONGEST_HEADER:
            return None
        size *= 4


def _record_problem(read, name: str, rec) -> str | None:
    """The line width and the end of one record."""
    if rec.rlen == 0:
        return None
    if rec.lenc <= 0 or rec.lenb - rec.lenc not in (1, 2):
        return f"{name!r} has line widths {rec.lenc}/{rec.lenb} bytes"
    ending = b"\n" if rec.lenb - rec.lenc == 1 else b"\r\n"
    if rec.rlen > rec.lenc:
        around = read(rec.offset + rec.lenc - 1, 1 + len(ending))
        if around[:1] in (b"\n", b"\r", b">", b"") or around[1:] != ending:
            return f"the lines of {name!r} are not {rec.lenc} bases wide"
    last = rec.offset + (rec.rlen - 1) // rec.lenc * rec.lenb + (rec.rlen - 1) % rec.lenc
    tail = read(last, 1 + len(ending))
    if tail[:1] in (b"\n", b"\r", b">", b"") or tail[1:] not in (ending, b"", b"\n"):
        return f"{name!r} is not {rec.rlen:,} bases long"
    return None


def _record_end(rec) -> int:
    """The byte after the last line (terminator included) of a record."""
    if rec.rlen == 0:
        return rec.offset
    lines = -(-rec.rlen // rec.lenc)
    return rec.offset + rec.rlen + lines * (rec.lenb - rec.lenc)


def _next_text(read, position: int) -> int | None:
    """The position of the first byte at or after ``position`` that is not a line end or
    space (``None``: the end of the file)."""
    while True:
        chunk = read(position, 4096)
        if not chunk:
            return None
        stripped = chunk.lstrip(b"\r\n \t")
        if stripped:
            return position + len(chunk) - len(stripped)
        position += len(chunk)
