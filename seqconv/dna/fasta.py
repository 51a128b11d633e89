"""Streaming FASTA/FASTQ reading, plain or gzipped, with errors that name the file and line.

The FASTA parser reads large blocks, splits them at record boundaries with bytes operations and
strips line breaks with one numpy pass per block, so memory stays constant (one block plus one
record) and only a few Python operations run per record.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

import numpy as np

from seqconv.dna.encode import BYTE_TO_CODE, Align, pack_codes
from seqconv.dna.spool import Spool, StringSpool
from seqconv.dna.strings import first_repeat
from seqconv.errors import InputError
from seqconv.files import display_name, local_copy, open_input

_BLOCK_BYTES = 1 << 22
_CODE_TABLE = BYTE_TO_CODE.tobytes()
_FASTQ_BLOCK_RECORDS = 16384
_KIND = "a FASTA/FASTQ file"


class FastaRecord(NamedTuple):
    """One record: ``id`` is the header up to the first whitespace, ``description`` the rest."""

    id: str
    description: str
    sequence: str


@dataclass
class EncodedFasta:
    """Sequences as codes, with their names.

    Attributes
    ----------
    ids, descriptions
        One entry per record, in file order (a list per block while streaming;
        :class:`~seqconv.dna.strings.Strings` for a whole file).
    codes
        ``(N, L)`` uint8 (see :mod:`seqconv.dna.encode`).
    lengths
        ``(N,)`` int64 length of each record before padding or trimming.
    """

    ids: Sequence[str]
    descriptions: Sequence[str]
    codes: np.ndarray
    lengths: np.ndarray


@dataclass
class _Block:
    """Records of one block: headers and all sequence bytes back to back."""

    ids: list[str]
    descriptions: list[str]
    sequence: bytearray  # all letters back to back, line breaks and blanks removed
    offsets: np.ndarray  # (N + 1,) int64 start of each record's sequence
    first_index: int  # index of the first record in the file


def open_binary(path: str | Path) -> BinaryIO:
    """Open a plain or gzip-compressed FASTA/FASTQ file for reading bytes (detected from its
    content); ``-`` and FIFOs are read from a local copy (:func:`seqconv.files.local_copy`), so
    the file can be read again for messages."""
    handle = open_input(local_copy(path, _KIND), _KIND)
    if handle.peek(3)[:3] == b"\xef\xbb\xbf":  # a UTF-8 byte-order mark (Windows editors)
        handle.read(3)
    return handle  # type: ignore[return-value]


def _skip_blank(handle: BinaryIO) -> bytes:
    """Consume leading whitespace and return the first other byte without consuming it."""
    while True:
        head = handle.peek(1)[:1]  # type: ignore[attr-defined]
        if not head or not head.isspace():
            return head
        handle.read(1)


def _fasta_blocks(handle: BinaryIO, path: Path) -> Iterator[_Block]:
    first = _skip_blank(handle)
    if not first:
        return
    if first != b">":
        if not 32 < first[0] < 127:
            raise InputError(
                f"{display_name(path)}, line {_line_of_first_content(path)}: starts with the "
                f"byte {first!r}, not '>' or '@': this looks like a binary file, not a FASTA/FASTQ "
                "file"
            )
        raise InputError(
            f"{display_name(path)}, line {_line_of_first_content(path)}: expected a FASTA "
            f"header starting with '>' but found {first.decode('latin-1')!r}; is this a FASTA "
            "file?"
        )
    pending: list[bytes] = []
    index = 0
    while True:
        data = handle.read(_BLOCK_BYTES)
        if not data:
            break
        cut = data.rfind(b"\n>")
        if cut < 0:
            pending.append(data)
            continue
        block = _split_fasta(b"".join([*pending, data[: cut + 1]]), index)
        pending = [data[cut + 1 :]]
        index += len(block.ids)
        yield block
    tail = b"".join(pending)
    if tail.strip():
        yield _split_fasta(tail, index)


def _split_fasta(text: bytes, first_index: int) -> _Block:
    """Parse ``text``, which starts with ``>`` and ends at a record boundary.

    Vectorised over the block: header positions come from the ``>`` that start a line, and all
    sequence lines are joined and stripped of line breaks in one ``translate`` pass.
    """
    raw = np.frombuffer(text, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    starts = np.flatnonzero(raw == 62)
    # A '>' inside a line is not a header: it stays in the sequence and is reported as invalid.
    starts = starts[(starts == 0) | (raw[starts - 1] == 10)]
    ends = np.append(newlines, raw.size)[np.searchsorted(newlines, starts)]
    headers = b"\n".join(
        [text[a:b] for a, b in zip((starts + 1).tolist(), ends.tolist(), strict=True)]
    )
    seq_starts = np.minimum(ends + 1, raw.size)
    seq_ends = np.append(starts[1:], raw.size)
    breaks = np.searchsorted(newlines, seq_ends) - np.searchsorted(newlines, seq_starts)
    chunks = [text[a:b] for a, b in zip(seq_starts.tolist(), seq_ends.tolist(), strict=True)]
    return _compact(chunks, breaks, first_index, np.frombuffer(headers, dtype=np.uint8))


_BLANKS = b"\n\r\t\x0b\x0c "


def _compact(
    chunks: list[bytes], breaks: np.ndarray, first_index: int, headers: np.ndarray
) -> _Block:
    """Join sequence chunks, dropping line breaks and blanks.

    Parameters
    ----------
    chunks
        Each record's sequence lines as read.
    breaks
        ``(N,)`` line breaks in each chunk (the sequence lengths follow without a second pass
        unless other blanks occur).
    headers
        uint8 array of the newline-separated headers.
    """
    joined = bytearray().join(chunks)
    sequence = joined.translate(None, _BLANKS)
    lengths = np.fromiter(map(len, chunks), dtype=np.int64, count=len(chunks))
    if len(joined) - len(sequence) == breaks.sum():
        kept = lengths - breaks
    else:
        # a trailing zero keeps the start of an empty last chunk (== size) a valid index
        keep = np.append(np.frombuffer(joined, dtype=np.uint8) > 32, False)
        starts = np.r_[0, np.cumsum(lengths)[:-1]]
        kept = np.add.reduceat(keep, starts, dtype=np.int64)
        # reduceat returns the element at the index itself for an empty chunk: count zero there.
        kept = np.where(lengths > 0, kept, 0)
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum(kept, out=offsets[1:])
    return _Block(*_parse_headers(headers), sequence, offsets, first_index)


def _parse_headers(raw: np.ndarray) -> tuple[list[str], list[str]]:
    """Ids (up to the first blank) and descriptions (the rest) of newline-separated headers.

    ``raw`` is a uint8 array. Plain ASCII headers are cut at positions found with numpy; anything
    else (tabs, CR, leading blanks, non-ASCII) goes through ``str`` methods line by line.
    """
    text = raw.tobytes()
    line_starts = np.r_[0, np.flatnonzero(raw == 10) + 1]
    line_ends = np.r_[line_starts[1:] - 1, raw.size]
    if (
        not text.isascii()
        or b"\t" in text
        or b"\r" in text
        or (raw.size and (raw[np.minimum(line_starts, raw.size - 1)] == 32).any())
    ):
        lines = text.decode("utf-8", errors="replace").replace("\r", "").split("\n")
        parts = [line.strip().split(None, 1) for line in lines]
        return [p[0] if p else "" for p in parts], [p[1] if len(p) > 1 else "" for p in parts]
    if b" " not in text:
        return text.decode("ascii").split("\n"), [""] * line_starts.size
    # Make the first blank of every line a newline (inserting one where a line has none), so that
    # one split gives id, description, id, description, ...
    spaces = np.append(np.flatnonzero(raw == 32), raw.size)
    first_blank = spaces[np.searchsorted(spaces, line_starts)]
    has_blank = first_blank < line_ends
    cut = raw.copy()
    cut[first_blank[has_blank]] = 10
    cut = np.insert(cut, line_ends[~has_blank], 10)
    parts = cut.tobytes().decode("ascii").split("\n")
    ids, descriptions = parts[0::2], parts[1::2]
    if b"  " in text or b" \n" in text or text.endswith(b" "):
        descriptions = [d.strip() for d in descriptions]
    return ids, descriptions


def _fastq_blocks(handle: BinaryIO, path: Path) -> Iterator[_Block]:
    """FASTQ with four lines per record (sequence and quality on one line each)."""
    headers: list[bytes] = []
    seqs: list[bytes] = []
    index = number = 0
    lines = iter(handle)
    for header in lines:
        number += 1
        if not header.strip():
            continue
        seq, plus, qual = next(lines, b""), next(lines, b""), next(lines, b"")
        if header[:1] == b"@" and not qual:
            raise InputError(
                f"{display_name(path)}, line {number}: the file ends inside the FASTQ record "
                f"{_fastq_name(header)!r} (truncated file?); a record is '@id', sequence, '+', "
                "quality on four lines"
            )
        if header[:1] != b"@" or plus[:1] != b"+":
            raise InputError(
                f"{display_name(path)}, line {number}: malformed FASTQ record (expected '@id', "
                "sequence, '+', quality on four lines)"
            )
        if len(qual.rstrip()) != len(seq.rstrip()):
            raise InputError(
                f"{display_name(path)}, line {number}: sequence and quality of "
                f"{_fastq_name(header)!r} differ "
                "in length"
            )
        number += 3
        headers.append(header[1:].rstrip())
        seqs.append(seq.rstrip(b"\r\n"))
        if len(headers) >= _FASTQ_BLOCK_RECORDS:
            yield _fastq_block(seqs, index, headers)
            index += len(headers)
            headers, seqs = [], []
    if headers:
        yield _fastq_block(seqs, index, headers)


def _fastq_name(header: bytes) -> str:
    return header[1:].split(None, 1)[0].decode("latin-1") if header[1:].strip() else "?"


def _fastq_block(seqs: list[bytes], index: int, headers: list[bytes]) -> _Block:
    joined_headers = np.frombuffer(b"\n".join(headers), dtype=np.uint8)
    return _compact(seqs, np.zeros(len(seqs), dtype=np.int64), index, joined_headers)


def _line_of_first_content(path: Path) -> int:
    with open_binary(path) as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                return number
    return 1


def _line_of_record(path: Path, index: int) -> int:
    """Line number of the header of the ``index``-th (0-based) record, for error messages."""
    with open_binary(path) as handle:
        fastq = _skip_blank(handle) == b"@"
        seen = -1
        for number, line in enumerate(handle, 1):
            if fastq and (number - 1) % 4:
                continue
            if line[:1] in (b">", b"@"):
                seen += 1
                if seen == index:
                    return number
    return 0


def _blocks(path: str | Path) -> Iterator[_Block]:
    """Checked blocks of raw records (FASTA or FASTQ, detected from the first character)."""
    path = Path(path)
    with open_binary(path) as handle:
        parser = _fastq_blocks if _skip_blank(handle) == b"@" else _fasta_blocks
        for block in parser(handle, path):
            empty = np.flatnonzero(np.diff(block.offsets) == 0)
            if not all(block.ids):
                i = block.ids.index("")
                line = _line_of_record(path, block.first_index + i)
                raise InputError(f"{display_name(path)}, line {line}: header without an id")
            if empty.size:
                i = int(empty[0])
                line = _line_of_record(path, block.first_index + i)
                name = block.ids[i]
                raise InputError(
                    f"{display_name(path)}, line {line}: record {name!r} has an empty sequence"
                )
            yield block


def read_fasta(path: str | Path) -> Iterator[FastaRecord]:
    """Stream the records of a FASTA or FASTQ file (plain or gzipped).

    Wrapped lines, CRLF line ends and blank lines are accepted. Memory stays constant.

    Parameters
    ----------
    path
        FASTA (``>id description``) or FASTQ (``@id``; four lines per record) file.

    Yields
    ------
    FastaRecord
        ``(id, description, sequence)``; the sequence as written (case kept).

    Raises
    ------
    InputError
        No ``>`` header, a header without id, or an empty sequence; the message names file and line.
    """
    for block in _blocks(path):
        text = block.sequence.decode("latin-1")
        bounds = block.offsets.tolist()
        for i, record_id in enumerate(block.ids):
            yield FastaRecord(record_id, block.descriptions[i], text[bounds[i] : bounds[i + 1]])


def iter_fasta_codes(
    path: str | Path, length: int | None = None, align: Align = "center"
) -> Iterator[EncodedFasta]:
    """Stream a FASTA/FASTQ file as batches of codes with constant memory.

    Parameters
    ----------
    length
        Pad or trim every sequence to this length; ``None`` requires one length across the file.
    align
        ``"center"``, ``"left"`` or ``"right"`` (see :func:`seqconv.encode_dna`).

    Yields
    ------
    EncodedFasta
        One batch per block of the file (a few MB of input); ``codes`` of shape ``(B, L)``.
    """
    path = Path(path)
    reference: tuple[str, int] | None = None  # the first record, when all must share its length
    for block in _blocks(path):
        ids = block.ids
        lengths = np.diff(block.offsets)
        if length is None:
            reference = reference or (ids[0], int(lengths[0]))
            if (lengths != reference[1]).any():
                odd = int(np.flatnonzero(lengths != reference[1])[0])
                raise InputError(
                    f"{display_name(path)}: sequences differ in length ({reference[0]!r} has "
                    f"{reference[1]} bp, {ids[odd]!r} has {lengths[odd]} bp); give a length to "
                    "pad or trim to (--length)"
                )
        codes = np.frombuffer(block.sequence.translate(_CODE_TABLE), dtype=np.uint8)
        if codes.size and codes.max() == 255:
            _raise_bad_character(path, block, ids, codes)
        width = length if length is not None else reference[1]  # type: ignore[index]
        yield EncodedFasta(
            ids, block.descriptions, pack_codes(codes, block.offsets, width, align), lengths
        )


def _raise_bad_character(path: Path, block: _Block, ids: list[str], codes: np.ndarray) -> None:
    pos = int(np.argmax(codes == 255))
    i = int(np.searchsorted(block.offsets, pos, side="right")) - 1
    char = chr(block.sequence[pos])
    raise InputError(
        f"{display_name(path)}, record {ids[i]!r} "
        f"(line {_line_of_record(path, block.first_index + i)}): "
        f"character {char!r} at position {pos - block.offsets[i] + 1} is not a nucleotide or IUPAC "
        "code (allowed: ACGTU, RYSWKMBDHVN, '-' and '.', either case)"
    )


def read_fasta_codes(
    path: str | Path,
    length: int | None = None,
    align: Align = "center",
    unique_ids: bool = True,
    into: Path | None = None,
) -> EncodedFasta:
    """Read a whole FASTA/FASTQ file into codes (the fast ingest path).

    Parameters
    ----------
    length, align
        As in :func:`seqconv.encode_dna`: pad/trim to ``length``; ``None`` requires equal lengths.
    unique_ids
        Raise if two records share an id.
    into
        A folder to write codes, ids and descriptions into as they are read (then memory-mapped:
        memory stays that of one block, whatever the file's size); ``None`` keeps them in memory.

    Returns
    -------
    EncodedFasta
        ``codes`` of shape ``(N, L)``; ``ids`` and ``descriptions`` as
        :class:`~seqconv.dna.strings.Strings`.
    """
    path = Path(path)
    stem = path.name.replace(".", "_")
    ids = StringSpool(into, f"{stem}.ids", keys=unique_ids)
    descriptions = StringSpool(into, f"{stem}.descriptions")
    codes = lengths = None
    try:
        for part in iter_fasta_codes(path, length, align):
            if codes is None:
                codes = Spool(np.uint8, part.codes.shape[1:], into and into / f"{stem}.codes")
                lengths = Spool(np.int64, (), into and into / f"{stem}.lengths")
            ids.append(part.ids)
            descriptions.append(part.descriptions)
            codes.append(part.codes)
            lengths.append(part.lengths)  # type: ignore[union-attr]
    except BaseException:
        for spool in (ids, descriptions, codes, lengths):
            if spool is not None:
                spool.close()
        raise
    if codes is None:
        raise InputError(f"{display_name(path)}: no sequences found (empty file?)")
    read = EncodedFasta(ids.finish(), descriptions.finish(), codes.finish(), lengths.finish())
    if unique_ids:
        index = first_repeat(read.ids)
        if index is not None:
            raise InputError(
                f"{display_name(path)}, line {_line_of_record(path, index)}: duplicate id "
                f"{read.ids[index]!r}; ids must be unique"
            )
    return read


def fasta_lengths(path: str | Path) -> np.ndarray:
    """``(N,)`` int64 length of every record of a FASTA/FASTQ file, streamed."""
    parts = [np.diff(block.offsets) for block in _blocks(path)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
