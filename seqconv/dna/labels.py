"""Labels for sequences, from the ways people hold them.

* several FASTA files: each file is one class, named by its file stem (ids reused across files
  are told apart or merged: :mod:`seqconv.dna.class_files`);
* one file whose descriptions carry ``label=VALUE`` (``label=a,b`` multi-label, ``label=0.73``
  regression);
* a TSV/CSV table: column ``id`` plus one column per target (:mod:`seqconv.dna.label_tables`);
* one file and no labels: positives against dinucleotide-shuffled negatives.

The task follows from the labels (:mod:`seqconv.dna.targets`). Missing labels (empty, NaN,
infinite, or no ``label=``) stop with the records' ids unless they are to be dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.class_files import CombinedRecords, combine, few
from seqconv.dna.encode import PAD, Align, pack_codes
from seqconv.dna.fasta import EncodedFasta, read_fasta_codes
from seqconv.dna.label_tables import (
    DROP_HINT,
    align_table,
    is_missing,
    missing_message,
    read_label_table,
)
from seqconv.dna.shuffle import shuffle_codes
from seqconv.dna.targets import TASKS, Task, infer_task, is_number, parse_targets
from seqconv.errors import InputError

__all__ = [
    "SHUFFLED_CLASS",
    "TASKS",
    "LabeledSequences",
    "Task",
    "header_labels",
    "infer_task",
    "is_number",
    "load_labeled",
    "parse_targets",
    "read_label_table",
]

SHUFFLED_CLASS = "shuffled"
_LABEL_RE = re.compile(r"(?:^|\s)label=(\S*)")


@dataclass
class LabeledSequences:
    """Encoded sequences with their targets.

    Attributes
    ----------
    ids
        Record ids, unique.
    codes
        ``(N, L)`` uint8 codes.
    targets
        ``binary``/``multiclass``: ``(N,)`` int64 class index; ``multilabel``: ``(N, T)`` float32
        0/1; ``regression``: ``(N, T)`` float32.
    task
        One of ``binary``, ``multiclass``, ``multilabel``, ``regression``.
    target_names
        Class names (classification) or target names.
    groups
        Per record, the id whose coordinates place it in a split (a shuffled negative follows its
        source sequence).
    sources
        Per record, the file it came from (``"shuffled"`` for generated negatives).
    """

    ids: list[str]
    codes: np.ndarray
    targets: np.ndarray
    task: str
    target_names: list[str]
    groups: list[str]
    sources: list[str]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def against_negatives(
        cls,
        ids: list[str],
        codes: np.ndarray,
        neg_ids: list[str],
        neg_codes: np.ndarray,
        names: list[str],
        groups: list[str],
        sources: list[str],
        notes: list[str],
    ) -> LabeledSequences:
        """A binary set: the positives (class 1, ``names[1]``) then the negatives (class 0).

        ``groups`` and ``sources`` cover both, positives first."""
        return cls(
            ids + neg_ids,
            np.concatenate([codes, neg_codes]),
            np.r_[np.ones(len(ids)), np.zeros(len(neg_ids))].astype(np.int64),
            "binary",
            names,
            groups,
            sources,
            notes,
        )

    @property
    def n_outputs(self) -> int:
        """Model outputs needed: one per class or target."""
        return len(self.target_names)

    def class_counts(self) -> dict[str, int]:
        """Records per class (classification) or positives per target (multi-label)."""
        if self.task in ("binary", "multiclass"):
            counts = np.bincount(self.targets, minlength=len(self.target_names))
        elif self.task == "multilabel":
            counts = self.targets.sum(axis=0).astype(int)
        else:
            return {}
        return dict(zip(self.target_names, counts.tolist(), strict=True))


def header_labels(descriptions: Sequence[str]) -> list[str | None]:
    """The ``label=VALUE`` of each FASTA description (``None`` where there is none)."""
    out: list[str | None] = []
    for d in descriptions:
        m = _LABEL_RE.search(d)
        out.append(m.group(1) if m else None)
    return out


def _missing_headers(values: Sequence[str | None], task: str | None) -> np.ndarray:
    """Per record, whether its ``label=`` is absent, NaN/infinite (in any item), or empty where
    empty means nothing (an empty multi-label list is a record of no class)."""
    broken = [v is None or any(is_missing(x) for x in v.split(",") if x) for v in values]
    present = [v for v, b in zip(values, broken, strict=True) if not b and v]
    multilabel = task == "multilabel" or (
        task is None and bool(present) and infer_task(present) == "multilabel"  # type: ignore
    )
    return np.array(
        [b or (not v and not multilabel) for v, b in zip(values, broken, strict=True)], dtype=bool
    )


def _require_two_classes(
    values: Sequence[str], task: str | None, fixed: list[str] | None, where: str, hint: str
) -> None:
    """Refuse training a classifier on one class, saying how to add a second."""
    if fixed is not None or task in ("multilabel", "regression") or len(set(values)) != 1:
        return
    if (task or infer_task(values)) in ("binary", "multiclass"):
        raise InputError(
            f"{where}: all {len(values)} sequences are class {values[0]!r}: a classifier needs at "
            f"least two classes; give a second class ({hint})"
        )


def _table_targets(
    rows: pd.DataFrame,
    ids: list[str],
    task: str | None,
    where: str,
    classes: list[str] | None = None,
) -> tuple[np.ndarray, list[str], str]:
    """Targets from table rows already aligned to ``ids`` (:func:`align_table`)."""
    if classes is not None and rows.shape[1] > 1:
        absent = [c for c in classes if c not in rows.columns]
        if absent:
            raise InputError(f"{where}: the model's targets {absent} are not columns of the table")
        rows = rows[classes]
    if rows.shape[1] == 1:
        values = rows.iloc[:, 0].str.strip().tolist()
        _require_two_classes(values, task, classes, where, "rows with another label")
        targets, names, task = parse_targets(values, task, where, ids, classes)
        if task == "regression":
            names = [str(rows.columns[0])]
        return targets, names, task
    values = [",".join(r) for r in rows.itertuples(index=False)]
    chosen = task or infer_task(values)
    targets, _, chosen = parse_targets(
        values, chosen, where, ids, [str(c) for c in rows.columns] if classes else None
    )
    if chosen not in ("multilabel", "regression") or targets.shape[1] != rows.shape[1]:
        raise InputError(
            f"{where}: several target columns must hold 0/1 (multi-label) or numbers (regression)"
        )
    return targets, [str(c) for c in rows.columns], chosen


def _check_widths(paths: list[Path], parts: list[EncodedFasta], length: int | None) -> None:
    widths = {p.codes.shape[1] for p in parts}
    if len(widths) > 1 and length is None:
        raise InputError(
            f"the files hold sequences of different lengths ({sorted(widths)}); give a length "
            "to pad or trim to (--length)"
        )


def _stem(path: str | Path) -> str:
    return Path(path).stem.removesuffix(".fa").removesuffix(".fasta")


def load_labeled(
    fasta: Sequence[str | Path],
    labels: str | Path | None = None,
    negatives: str | Path | None = "shuffle",
    length: int | None = None,
    align: Align = "center",
    task: str | None = None,
    seed: int = 0,
    classes: Sequence[str] | None = None,
    *,
    drop_missing_labels: bool = False,
) -> LabeledSequences:
    """Read FASTA files and their labels into one labelled set.

    Parameters
    ----------
    fasta
        One or more FASTA/FASTQ files (plain or gzipped).
    labels
        A TSV/CSV table with an ``id`` column and one column per target.
    negatives
        With one file and no labels: ``"shuffle"`` adds one dinucleotide-shuffled copy of each
        sequence as the negative class; a path adds that file as the negative class; ``None``
        (``"none"``) refuses to train without labels.
    length, align
        Pad or trim every sequence (see :func:`seqconv.encode_dna`).
    task
        Force the task instead of inferring it.
    seed
        Seed for the shuffled negatives.
    classes
        The class or target names of a trained model (for evaluation): labels are mapped onto
        them, and data holding a single class is accepted.
    drop_missing_labels
        Drop records whose label is missing (no table row, an empty/NaN/infinite cell or
        ``label=``) and say so in ``notes``, instead of refusing them.

    Returns
    -------
    LabeledSequences
    """
    if not fasta:
        raise InputError("no FASTA file given (--fasta)")
    if negatives == "none":
        negatives = None
    paths = [Path(p) for p in fasta]
    parts = [read_fasta_codes(p, length, align) for p in paths]
    _check_widths(paths, parts, length)
    records = combine(paths, parts)
    fixed = list(classes) if classes is not None else None
    if labels is not None:
        _unused_negatives(negatives, f"the table {labels}")
        if records.notes:
            raise InputError(
                f"the FASTA files share ids ({records.notes[0]}); a label table needs each id "
                "to name one sequence: rename the records in one file"
            )
        return _from_table(records, paths, labels, task, fixed, drop_missing_labels)

    from_headers = header_labels(records.descriptions)
    said = {v for v in from_headers if v is not None}
    notes = list(records.notes)
    if len(paths) > 1 and len(said) == 1:
        # e.g. two simulated or exported files that each say label=1: the files are the classes
        notes.append(f"every header says label={said.pop()}; classes are the files instead")
        from_headers = [None] * len(from_headers)
    if any(v is not None for v in from_headers):
        _unused_negatives(negatives, "the label= headers")
        return _from_headers(records, paths, from_headers, task, fixed, drop_missing_labels, notes)
    if len(paths) > 1:
        _unused_negatives(negatives, "the files, one class each")
        return _from_files(records, paths, task, fixed, notes)
    return _with_negatives(records, paths[0], negatives, length, align, seed, fixed)


def _labeled(
    records: CombinedRecords,
    paths: Sequence[str | Path],
    keep: np.ndarray | None,
    targets: np.ndarray,
    task: str,
    names: list[str],
    notes: list[str],
) -> LabeledSequences:
    """The records kept (all when ``keep`` is ``None``) with their targets."""
    ids, codes, sources = records.ids, records.codes, records.sources(paths)
    if keep is not None and not keep.all():
        ids = [i for i, k in zip(ids, keep, strict=True) if k]
        sources = [s for s, k in zip(sources, keep, strict=True) if k]
        codes = codes[keep]
    return LabeledSequences(ids, codes, targets, task, names, ids, sources, notes)


def _from_table(
    records: CombinedRecords,
    paths: list[Path],
    labels: str | Path,
    task: str | None,
    fixed: list[str] | None,
    drop: bool,
) -> LabeledSequences:
    where = str(labels)
    rows, keep, notes = align_table(read_label_table(labels), records.ids, where, drop)
    kept_ids = rows.index.tolist()
    targets, names, task = _table_targets(rows, kept_ids, task, where, fixed)
    return _labeled(records, paths, keep, targets, task, names, notes)  # type: ignore[arg-type]


def _from_headers(
    records: CombinedRecords,
    paths: list[Path],
    values: list[str | None],
    task: str | None,
    fixed: list[str] | None,
    drop: bool,
    notes: list[str],
) -> LabeledSequences:
    where = ", ".join(str(p) for p in paths)
    missing = _missing_headers(values, task)
    keep = ~missing
    if missing.any():
        bad = [i for i, m in zip(records.ids, missing, strict=True) if m]
        if not drop:
            if all(values[i] is None for i in np.flatnonzero(missing)):
                raise InputError(
                    f"{where}: {len(bad)} records have no 'label=' in their header: {few(bad)}; "
                    f"label every record or none, or {DROP_HINT}"
                )
            absent = any(values[i] is None for i in np.flatnonzero(missing))
            what = "a missing or no label=" if absent else "a missing label="
            raise InputError(missing_message(where, bad, what))
        if keep.sum() == 0:
            raise InputError(f"{where}: every record's label is missing; nothing to train on")
        notes.append(
            f"dropped {len(bad)} record{'s' if len(bad) > 1 else ''} with missing labels: "
            f"ids {few(bad)}"
        )
    kept = [v for v, k in zip(values, keep, strict=True) if k]
    ids = [i for i, k in zip(records.ids, keep, strict=True) if k]
    _require_two_classes(
        kept,  # type: ignore[arg-type]
        task,
        fixed,
        where,
        "records with another label=, another --fasta, or no label= and --negatives shuffle",
    )
    targets, names, task = parse_targets(kept, task, where, ids, fixed)  # type: ignore[arg-type]
    return _labeled(records, paths, keep, targets, task, names, notes)


def _from_files(
    records: CombinedRecords,
    paths: list[Path],
    task: str | None,
    fixed: list[str] | None,
    notes: list[str],
) -> LabeledSequences:
    """Each file one class; a record shared by several files belongs to each (multi-label)."""
    stems = [_stem(p) for p in paths]
    if len(set(stems)) != len(stems):
        raise InputError(f"two FASTA files share the name {stems}; each file names a class")
    per_record = [",".join(stems[f] for f in files) for files in records.files]
    if records.shared:
        if task in ("binary", "multiclass"):
            raise InputError(
                f"--task {task}: but some records are in several class files with the same id and "
                "sequence (multi-label data); drop --task, or remove them from all but one file"
            )
        task = "multilabel"
        notes.append(
            "records in several class files make this a multilabel task: one sigmoid per file "
            f"({', '.join(stems)})"
        )
    targets, names, task = parse_targets(
        per_record, task or "multiclass", "files", records.ids, fixed
    )
    notes.append(f"classes from file names: {', '.join(stems)}")
    return _labeled(records, paths, None, targets, task, names, notes)


def _unused_negatives(negatives: str | Path | None, labels_from: str) -> None:
    """A negatives file is only for one unlabelled FASTA: say so rather than ignore it."""
    if negatives not in (None, "shuffle"):
        raise InputError(
            f"--negatives {negatives} is for one FASTA file without labels, but the labels here "
            f"come from {labels_from}: drop --negatives"
        )


def _with_negatives(
    records: CombinedRecords,
    path: Path,
    negatives: str | Path | None,
    length: int | None,
    align: Align,
    seed: int,
    fixed: list[str] | None,
) -> LabeledSequences:
    """One unlabelled file against shuffled copies or a file of negatives."""
    if negatives is None:
        raise InputError(
            f"{path}: no labels: give several files (one per class), 'label=' in the headers, "
            "a table (--labels), or negatives (--negatives shuffle|FILE)"
        )
    stem = _stem(path)
    if fixed is not None and len(fixed) != 2:
        raise InputError("negatives can only be added for a model with two classes")
    ids, codes, sources = records.ids, records.codes, records.sources([path])
    notes: list[str] = []
    if negatives == "shuffle":
        rng = np.random.default_rng(seed)
        raw = [_unpadded(row) for row in codes]
        shuffled = shuffle_codes(raw, rng)
        offsets = np.r_[0, np.cumsum([len(s) for s in shuffled])]
        neg_codes = pack_codes(np.concatenate(shuffled), offsets, codes.shape[1], align)
        neg_ids = [f"{i}_shuffled" for i in ids]
        notes.append(
            f"no labels in {path}: training {stem} against {len(ids)} dinucleotide-shuffled "
            f"copies (seed {seed}); give --negatives FILE or --negatives none to change this"
        )
        return LabeledSequences.against_negatives(
            ids, codes, neg_ids, neg_codes, fixed or [SHUFFLED_CLASS, stem], ids + ids,
            sources + [SHUFFLED_CLASS] * len(ids), notes,
        )  # fmt: skip
    neg = read_fasta_codes(negatives, length if length is not None else codes.shape[1], align)
    pos = EncodedFasta(records.ids, records.descriptions, records.codes, records.lengths)
    both = combine([path, Path(negatives)], [pos, neg])
    if both.shared:
        first = next(i for i, f in zip(both.ids, both.files, strict=True) if len(f) > 1)
        raise InputError(
            f"record {first!r} is in {path} and in the negatives {negatives} with the same "
            "sequence: a sequence cannot be both; remove it from one file"
        )
    is_positive = np.array([f[0] == 0 for f in both.files])
    neg_stem = Path(negatives).stem
    notes.extend(both.notes)
    notes.append(f"{stem} ({len(ids)}) against negatives from {negatives} ({len(neg.ids)})")
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


def _unpadded(row: np.ndarray) -> np.ndarray:
    keep = np.flatnonzero(row != PAD)
    return row[keep[0] : keep[-1] + 1] if keep.size else row[:0]
