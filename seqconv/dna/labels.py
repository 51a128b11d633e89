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
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.class_files import CombinedRecords, combine, few
from seqconv.dna.encode import Align
from seqconv.dna.fasta import EncodedFasta, read_fasta_codes
from seqconv.dna.label_tables import (
    DROP_HINT,
    align_table,
    is_missing,
    missing_message,
    read_label_table,
)
from seqconv.dna.labeled import SHUFFLED_CLASS, LabeledSequences
from seqconv.dna.negatives import file_stem, unused_negatives, with_negatives
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

_LABEL_RE = re.compile(r"(?:^|\s)label=(\S*)")


def header_labels(descriptions: Sequence[str]) -> list[str | None]:
    """The ``label=VALUE`` of each FASTA description (``None`` where there is none); equal values
    are one object (millions of records with a few labels cost a list slot each)."""
    out: list[str | None] = []
    seen: dict[str, str] = {}
    for d in descriptions:
        m = _LABEL_RE.search(d)
        value = m.group(1) if m else None
        out.append(None if value is None else seen.setdefault(value, value))
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
    into: Path | None = None,
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
    into
        A folder to read codes and ids into (memory-mapped from there: memory stays bounded by a
        block of the file, not its size); ``None`` keeps everything in memory.

    Returns
    -------
    LabeledSequences
    """
    if not fasta:
        raise InputError("no FASTA file given (--fasta)")
    if negatives == "none":
        negatives = None
    paths = [Path(p) for p in fasta]
    parts = [read_fasta_codes(p, length, align, into=into) for p in paths]
    _check_widths(paths, parts, length)
    records = combine(paths, parts, into)
    fixed = list(classes) if classes is not None else None
    if labels is not None:
        unused_negatives(negatives, f"the table {labels}")
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
        unused_negatives(negatives, "the label= headers")
        return _from_headers(records, paths, from_headers, task, fixed, drop_missing_labels, notes)
    if len(paths) > 1:
        unused_negatives(negatives, "the files, one class each")
        return _from_files(records, paths, task, fixed, notes)
    return with_negatives(records, paths[0], negatives, length, align, seed, fixed, into)


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
        ids, sources, codes = ids.take(keep), sources[keep], codes[keep]
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
    keep = None if keep is None else np.asarray(keep, dtype=bool)
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
        bad = records.ids.take(missing).tolist()
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
    kept = [v for v, k in zip(values, keep.tolist(), strict=True) if k]
    ids = records.ids.take(keep) if not keep.all() else records.ids
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
    stems = [file_stem(p) for p in paths]
    if len(set(stems)) != len(stems):
        raise InputError(f"two FASTA files share the name {stems}; each file names a class")
    per_record = [stems[f] for f in records.file.tolist()]  # the stems themselves, not copies
    for row, files in records.also.items():
        per_record[row] = ",".join(stems[f] for f in files)
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
