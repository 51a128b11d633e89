"""One unlabelled FASTA against negatives: dinucleotide-shuffled copies of its sequences
(Altschul-Erickson, seeded), or a FASTA of negatives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.class_files import CombinedRecords, combine
from seqconv.dna.encode import PAD, Align, pack_codes
from seqconv.dna.fasta import EncodedFasta, read_fasta_codes
from seqconv.dna.labeled import SHUFFLED_CLASS, LabeledSequences
from seqconv.dna.shuffle import shuffle_codes
from seqconv.dna.spool import Spool, StringSpool
from seqconv.dna.strings import Gathered, Strings
from seqconv.errors import InputError


def file_stem(path: str | Path) -> str:
    return Path(path).stem.removesuffix(".fa").removesuffix(".fasta")


def unused_negatives(negatives: str | Path | None, labels_from: str) -> None:
    """A negatives file is only for one unlabelled FASTA: say so rather than ignore it."""
    if negatives not in (None, "shuffle"):
        raise InputError(
            f"--negatives {negatives} is for one FASTA file without labels, but the labels here "
            f"come from {labels_from}: drop --negatives"
        )


def with_negatives(
    records: CombinedRecords,
    path: Path,
    negatives: str | Path | None,
    length: int | None,
    align: Align,
    seed: int,
    fixed: list[str] | None,
    into: Path | None = None,
) -> LabeledSequences:
    """One unlabelled file against shuffled copies or a file of negatives."""
    if negatives is None:
        raise InputError(
            f"{path}: no labels: give several files (one per class), 'label=' in the headers, "
            "a table (--labels), or negatives (--negatives shuffle|FILE)"
        )
    stem = file_stem(path)
    if fixed is not None and len(fixed) != 2:
        raise InputError("negatives can only be added for a model with two classes")
    ids, codes = records.ids, records.codes
    n = len(ids)
    if negatives == "shuffle":
        both = _append_shuffled(codes, align, seed, into)
        note = (
            f"no labels in {path}: training {stem} against {n} dinucleotide-shuffled copies "
            f"(seed {seed}); give --negatives FILE or --negatives none to change this"
        )
        sources = pd.Categorical.from_codes(
            np.repeat(np.array([0, 1], dtype=np.int8), [n, n]),
            categories=pd.Index([str(path), SHUFFLED_CLASS], dtype=object),
        )
        all_ids = _with_shuffled_ids(ids, into)
        groups = Gathered(all_ids, np.tile(np.arange(n, dtype=np.int64), 2))
        return LabeledSequences(
            all_ids, both, np.repeat(np.array([1, 0], np.int64), [n, n]), "binary",
            fixed or [SHUFFLED_CLASS, stem], groups, sources, [note],
        )  # fmt: skip
    width = length if length is not None else codes.shape[1]
    neg = read_fasta_codes(negatives, width, align, into=into)
    pos = EncodedFasta(records.ids, records.descriptions, records.codes, records.lengths)
    both = combine([path, Path(negatives)], [pos, neg], into)
    if both.shared:
        first = both.ids[min(both.also)]
        raise InputError(
            f"record {first!r} is in {path} and in the negatives {negatives} with the same "
            "sequence: a sequence cannot be both; remove it from one file"
        )
    is_positive = np.asarray(both.file) == 0
    neg_stem = Path(negatives).stem
    notes = [*both.notes, f"{stem} ({n}) against negatives from {negatives} ({len(neg.ids)})"]
    return LabeledSequences(
        both.ids,
        both.codes,
        is_positive.astype(np.int64),
        "binary",
        fixed or [neg_stem if neg_stem != stem else "negative", stem],
        both.ids,
        both.sources([path, negatives]),
        notes,
    )


def _with_shuffled_ids(ids: Sequence[str], into: Path | None) -> Sequence[str]:
    """The ids, then each with ``_shuffled`` (the ids of its shuffled copy): written into a
    folder a chunk at a time when there is one."""
    if into is None:
        return list(ids) + [f"{i}_shuffled" for i in ids]
    spool = StringSpool(into, "ids")
    strings = ids if isinstance(ids, Strings) else Strings.from_list(ids)
    spool.extend(strings)
    spool.extend(strings, "_shuffled")
    return spool.finish()


_SHUFFLE_ROWS = 1 << 15
"""Sequences shuffled at a time (bounded memory)."""


def _append_shuffled(codes: np.ndarray, align: Align, seed: int, into: Path | None) -> np.ndarray:
    """``(2N, L)``: the rows of ``codes``, then a dinucleotide-shuffled copy of each (padding
    kept out of the shuffle and put back around it), appended to the codes' own file when they
    are memory-mapped."""
    rng = np.random.default_rng(seed)
    spool = Spool.extending(codes) if into is not None else None
    shuffled = []
    for start in range(0, len(codes), _SHUFFLE_ROWS):
        rows = np.asarray(codes[start : start + _SHUFFLE_ROWS])
        raw = [_unpadded(row) for row in rows]
        parts = shuffle_codes(raw, rng)
        offsets = np.r_[0, np.cumsum([len(p) for p in parts])]
        block = pack_codes(np.concatenate(parts), offsets, codes.shape[1], align)
        if spool is not None:
            spool.append(block)
        else:
            shuffled.append(block)
    if spool is not None:
        return spool.finish()
    return np.concatenate([codes, *shuffled])


def _unpadded(row: np.ndarray) -> np.ndarray:
    keep = np.flatnonzero(row != PAD)
    return row[keep[0] : keep[-1] + 1] if keep.size else row[:0]
