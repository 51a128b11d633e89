"""Records of several FASTA files combined into one set, ids shared between files resolved.

Class files made by different tools often reuse ids like ``seq1``. An id found in several files
with *different* sequences names different records: each is qualified by its file name
(``neg.fa:seq1``). The same id with the *same* sequence (as encoded: same length, same codes) is
one record that belongs to every file holding it. Within one file an id must be unique.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from seqconv.dna.fasta import EncodedFasta
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
    files
        Per record, the indices of the files that hold it (several for a shared record).
    notes
        What was qualified or merged, for the user.
    """

    ids: list[str]
    codes: np.ndarray
    lengths: np.ndarray
    descriptions: list[str]
    files: list[list[int]]
    notes: list[str] = field(default_factory=list)

    def sources(self, paths: Sequence[str | Path]) -> list[str]:
        """Per record, its file (files joined by ``,`` for a shared record)."""
        return [",".join(str(paths[f]) for f in fs) for fs in self.files]

    @property
    def shared(self) -> bool:
        """Whether some record belongs to several files."""
        return any(len(fs) > 1 for fs in self.files)


def few(items: Sequence[str], shown: int = 5) -> str:
    """The first few items quoted, with ``…`` when there are more."""
    text = ", ".join(repr(str(i)) for i in items[:shown])
    return text + (", …" if len(items) > shown else "")


def check_unique_within(path: str | Path, ids: Sequence[str]) -> None:
    """Refuse an id that occurs twice in one file, naming the file, the id and both records."""
    if len(set(ids)) == len(ids):
        return
    first: dict[str, int] = {}
    for index, record_id in enumerate(ids):
        if record_id in first:
            raise InputError(
                f"{path}: id {record_id!r} appears more than once (records {first[record_id] + 1} "
                f"and {index + 1}); ids must be unique within a file: rename or remove one"
            )
        first[record_id] = index


def combine(paths: Sequence[str | Path], parts: Sequence[EncodedFasta]) -> CombinedRecords:
    """Records of ``parts`` (read from ``paths``) as one set; see the module docstring."""
    for path, part in zip(paths, parts, strict=True):
        check_unique_within(path, part.ids)
    ids = [i for p in parts for i in p.ids]
    file_of = np.repeat(np.arange(len(parts)), [len(p.ids) for p in parts])
    codes = np.concatenate([p.codes for p in parts])
    lengths = np.concatenate([p.lengths for p in parts])
    descriptions = [d for p in parts for d in p.descriptions]
    if len(set(ids)) == len(ids):
        return CombinedRecords(ids, codes, lengths, descriptions, [[int(f)] for f in file_of])
    rows: dict[str, list[int]] = defaultdict(list)
    for row, record_id in enumerate(ids):
        rows[record_id].append(row)
    keep = np.ones(len(ids), dtype=bool)
    files = [[int(f)] for f in file_of]
    out_ids = list(ids)
    merged: list[str] = []
    qualified: list[str] = []
    for record_id, where in rows.items():
        if len(where) == 1:
            continue
        first = where[0]
        same = all(
            lengths[r] == lengths[first] and np.array_equal(codes[r], codes[first])
            for r in where[1:]
        )
        if same:
            files[first] = [int(file_of[r]) for r in where]
            keep[where[1:]] = False
            merged.append(record_id)
        else:
            for r in where:
                out_ids[r] = f"{Path(paths[file_of[r]]).name}:{record_id}"
            qualified.append(record_id)
    notes = []
    if qualified:
        notes.append(
            f"{len(qualified)} ids name different sequences in different files ({few(qualified)}): "
            "they are told apart by file name, e.g. "
            f"{out_ids[rows[qualified[0]][0]]!r}, in the ids and split.tsv"
        )
    if merged:
        holders = ", ".join(str(paths[f]) for f in files[rows[merged[0]][0]])
        notes.append(
            f"{len(merged)} records are in several files with the same id and sequence "
            f"({few(merged)}; {merged[0]!r} is in {holders}): each is one record of all its files"
        )
    kept = np.flatnonzero(keep)
    clashes = [i for i, n in Counter(out_ids[r] for r in kept).items() if n > 1]
    if clashes:  # e.g. two files of the same name in different folders
        raise InputError(
            f"id {clashes[0]!r} is still ambiguous after adding file names; rename the records"
        )
    return CombinedRecords(
        [out_ids[r] for r in kept],
        codes[kept],
        lengths[kept],
        [descriptions[r] for r in kept],
        [files[r] for r in kept],
        notes,
    )
