"""Records of several FASTA files combined into one set, ids shared between files resolved.

Class files made by different tools often reuse ids like ``seq1``. An id found in several files
with *different* sequences names different records: each is qualified by its file name
(``neg.fa:seq1``). The same id with the *same* sequence (as encoded: same length, same codes) is
one record that belongs to every file holding it. Within one file an id must be unique.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.fasta import EncodedFasta
from seqconv.dna.spool import Spool
from seqconv.dna.strings import Strings, first_repeat, repeats
from seqconv.errors import InputError


@dataclass
class CombinedRecords:
    """Records of several files in file order, shared records once.

    Attributes
    ----------
    ids
        Unique ids (clashing ids qualified as ``file:id``).
    codes, lengths, descriptions
        Per record, from the file it was first found in.
    file
        ``(N,)`` per record, the index of the (first) file that holds it.
    also
        Records held by several files: row to the indices of all its files.
    notes
        What was qualified or merged, for the user.
    """

    ids: Strings
    codes: np.ndarray
    lengths: np.ndarray
    descriptions: Strings
    file: np.ndarray
    also: dict[int, list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def files_of(self, row: int) -> list[int]:
        """The files that hold record ``row``."""
        return self.also.get(row, [int(self.file[row])])

    def sources(self, paths: Sequence[str | Path]) -> pd.Categorical:
        """Per record, its file (files joined by ``,`` for a shared record), one byte each."""
        names = [str(p) for p in paths]
        codes = np.asarray(self.file, dtype=np.int32).copy()
        for row, files in self.also.items():
            joined = ",".join(names[f] for f in files)
            if joined not in names:
                names.append(joined)
            codes[row] = names.index(joined)
        return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))

    @property
    def shared(self) -> bool:
        """Whether some record belongs to several files."""
        return bool(self.also)


def few(items: Sequence[str], shown: int = 5) -> str:
    """The first few items quoted, with ``…`` when there are more."""
    text = ", ".join(repr(str(i)) for i in list(items[:shown]))
    return text + (", …" if len(items) > shown else "")


def check_unique_within(path: str | Path, ids: Sequence[str]) -> None:
    """Refuse an id that occurs twice in one file, naming the file, the id and both records."""
    strings = ids if isinstance(ids, Strings) else Strings.from_list(ids)
    second = first_repeat(strings)
    if second is None:
        return
    record_id = strings[second]
    first = strings.index(record_id)
    raise InputError(
        f"{path}: id {record_id!r} appears more than once (records {first + 1} and "
        f"{second + 1}); ids must be unique within a file: rename or remove one"
    )


def combine(
    paths: Sequence[str | Path], parts: Sequence[EncodedFasta], into: Path | None = None
) -> CombinedRecords:
    """Records of ``parts`` (read from ``paths``) as one set; see the module docstring.

    ``into``: a folder for the combined codes of several files (one file's are used as they are).
    """
    for path, part in zip(paths, parts, strict=True):
        check_unique_within(path, part.ids)
    ids = Strings.concat([p.ids for p in parts]) if len(parts) > 1 else parts[0].ids
    descriptions = (
        Strings.concat([p.descriptions for p in parts]) if len(parts) > 1 else parts[0].descriptions
    )
    file_of = np.repeat(np.arange(len(parts), dtype=np.int32), [len(p.ids) for p in parts])
    codes = join_rows([p.codes for p in parts], into and into / "combined.codes")
    lengths = np.concatenate([p.lengths for p in parts])
    twice = repeats(ids) if len(parts) > 1 else np.zeros(0, dtype=np.int64)
    if twice.size == 0:
        return CombinedRecords(ids, codes, lengths, descriptions, file_of)
    rows: dict[str, list[int]] = defaultdict(list)
    for row, record_id in zip(twice.tolist(), ids.take(twice), strict=True):
        rows[record_id].append(row)
    keep = np.ones(len(ids), dtype=bool)
    also: dict[int, list[int]] = {}
    renamed: dict[int, str] = {}
    merged: list[str] = []
    qualified: list[str] = []
    for record_id, where in rows.items():
        first = where[0]
        same = all(
            lengths[r] == lengths[first] and np.array_equal(codes[r], codes[first])
            for r in where[1:]
        )
        if same:
            also[first] = [int(file_of[r]) for r in where]
            keep[where[1:]] = False
            merged.append(record_id)
        else:
            for r in where:
                renamed[r] = f"{Path(paths[file_of[r]]).name}:{record_id}"
            qualified.append(record_id)
    notes = []
    if qualified:
        notes.append(
            f"{len(qualified)} ids name different sequences in different files ({few(qualified)}): "
            "they are told apart by file name, e.g. "
            f"{renamed[rows[qualified[0]][0]]!r}, in the ids and split.tsv"
        )
    if merged:
        holders = ", ".join(str(paths[f]) for f in also[rows[merged[0]][0]])
        notes.append(
            f"{len(merged)} records are in several files with the same id and sequence "
            f"({few(merged)}; {merged[0]!r} is in {holders}): each is one record of all its files"
        )
    ids = replaced(ids, renamed)
    kept = np.flatnonzero(keep)
    if first_repeat(ids.take(kept)) is not None:  # e.g. two files of the same name elsewhere
        clash = ids.take(kept)[first_repeat(ids.take(kept))]
        raise InputError(
            f"id {clash!r} is still ambiguous after adding file names; rename the records"
        )
    new_row = np.cumsum(keep) - 1
    return CombinedRecords(
        ids.take(kept),
        codes[kept],
        lengths[kept],
        descriptions.take(kept),
        file_of[kept],
        {int(new_row[r]): files for r, files in also.items()},
        notes,
    )


def replaced(strings: Strings, new: dict[int, str]) -> Strings:
    """``strings`` with the entries at the positions of ``new`` replaced."""
    if not new:
        return strings
    pieces, start = [], 0
    for position in sorted(new):
        pieces += [strings[start:position], Strings.from_list([new[position]])]
        start = position + 1
    pieces.append(strings[start:])
    return Strings.concat(pieces)


def join_rows(arrays: Sequence[np.ndarray], path: Path | None = None) -> np.ndarray:
    """The rows of ``arrays`` one after another: one array as it is, several concatenated (into
    the file ``path`` when given, memory-mapped)."""
    if len(arrays) == 1:
        return arrays[0]
    if path is None:
        return np.concatenate(arrays)
    spool = Spool(arrays[0].dtype, arrays[0].shape[1:], path)
    for array in arrays:
        for start in range(0, len(array), 1 << 16):
            spool.append(array[start : start + (1 << 16)])
    return spool.finish()
