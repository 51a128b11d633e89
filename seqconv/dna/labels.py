"""Labels for sequences, from the ways people hold them.

* several FASTA files: each file is one class, named by its file stem;
* one file whose descriptions carry ``label=VALUE`` (``label=a,b`` multi-label, ``label=0.73``
  regression);
* a TSV/CSV table: column ``id`` plus one column per target;
* one file and no labels: positives against dinucleotide-shuffled negatives.

The task follows from the labels: ``binary`` / ``multiclass`` (one class per sequence, softmax over
the classes), ``multilabel`` (any number of targets, a sigmoid each) or ``regression``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from seqconv.dna.encode import PAD, Align, pack_codes
from seqconv.dna.fasta import EncodedFasta, read_fasta_codes
from seqconv.dna.shuffle import shuffle_codes
from seqconv.errors import InputError

Task = Literal["binary", "multiclass", "multilabel", "regression"]
TASKS: tuple[str, ...] = ("binary", "multiclass", "multilabel", "regression")
SHUFFLED_CLASS = "shuffled"
_LABEL_RE = re.compile(r"(?:^|\s)label=(\S*)")
# Integer labels with at most this many distinct values are classes; more are a quantity.
_MAX_INTEGER_CLASSES = 50


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


def is_number(text: str) -> bool:
    """Whether ``text`` parses as a float."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def infer_task(values: Sequence[str]) -> Task:
    """The task a column of label strings implies.

    Comma-separated values are multi-label (names or 0/1 indicators) or, when numeric and not
    all 0/1, several regression targets. Numbers that are not all integers, or integers with more
    than 50 distinct values, are regression; anything else is classes.
    """
    if any("," in v for v in values):
        items = [x for v in values for x in v.split(",") if x]
        if items and all(is_number(x) for x in items) and not set(items) <= {"0", "1"}:
            return "regression"
        return "multilabel"
    if all(is_number(v) for v in values):
        numbers = np.array([float(v) for v in values])
        if not np.all(numbers == np.round(numbers)) or len(set(values)) > _MAX_INTEGER_CLASSES:
            return "regression"
    return "binary" if len(set(values)) <= 2 else "multiclass"


def _class_order(names: set[str]) -> list[str]:
    """Classes in a stable order: numerically when all are numbers, else alphabetically."""
    if all(is_number(n) for n in names):
        return sorted(names, key=float)
    return sorted(names)


def parse_targets(
    values: Sequence[str],
    task: str | None,
    where: str,
    ids: Sequence[str],
    classes: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str], str]:
    """Turn label strings into targets.

    Parameters
    ----------
    values
        One label string per record (``"1"``, ``"a,b"``, ``"0.73"``, ``"0.1,0.2"``).
    task
        Force a task; ``None`` infers it (:func:`infer_task`).
    where
        Names the source in error messages.
    classes
        Fixed class/target names (evaluating a trained model): labels must be among them, and
        a single class is allowed.

    Returns
    -------
    targets, target_names, task
        See :class:`LabeledSequences`.
    """
    task = task or infer_task(values)
    if task not in TASKS:
        raise InputError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    if classes is not None and task != "regression":
        return _targets_for_classes(values, task, where, ids, list(classes)), list(classes), task
    if task in ("binary", "multiclass"):
        names = _class_order(set(values))
        if len(names) < 2:
            raise InputError(
                f"{where}: every sequence has the label {names[0]!r}; a classifier needs at least "
                "two classes (add negatives, e.g. --negatives shuffle, or another file)"
            )
        task = "binary" if len(names) == 2 else "multiclass"
        index = {n: i for i, n in enumerate(names)}
        return np.array([index[v] for v in values], dtype=np.int64), names, task
    if task == "multilabel":
        rows = [[x for x in v.split(",") if x] for v in values]
        items = {x for r in rows for x in r}
        if items <= {"0", "1"} and len({len(r) for r in rows}) == 1 and len(rows[0]) > 1:
            targets = np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
            return targets, [f"target_{i}" for i in range(targets.shape[1])], task
        names = _class_order(items)
        if not names:
            raise InputError(f"{where}: no labels found")
        index = {n: i for i, n in enumerate(names)}
        targets = np.zeros((len(rows), len(names)), dtype=np.float32)
        for i, r in enumerate(rows):
            targets[i, [index[x] for x in r]] = 1.0
        return targets, names, task
    rows = [v.split(",") for v in values]
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        odd = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise InputError(
            f"{where}: record {ids[odd]!r} has {len(rows[odd])} values but {ids[0]!r} has "
            f"{len(rows[0])}; regression targets need the same number of values everywhere"
        )
    try:
        targets = np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
    except ValueError:
        bad = next(i for i, r in enumerate(rows) if not all(is_number(x) for x in r))
        raise InputError(
            f"{where}: record {ids[bad]!r} has the non-numeric label {values[bad]!r} but the task "
            "is regression"
        ) from None
    names = ["value"] if targets.shape[1] == 1 else [f"value_{i}" for i in range(targets.shape[1])]
    return targets, names, task


def _targets_for_classes(
    values: Sequence[str], task: str, where: str, ids: Sequence[str], classes: list[str]
) -> np.ndarray:
    index = {name: i for i, name in enumerate(classes)}
    if task == "multilabel":
        rows = [[x for x in v.split(",") if x] for v in values]
        if all(set(r) <= {"0", "1"} and len(r) == len(classes) for r in rows) and len(classes) > 1:
            return np.array([[float(x) for x in r] for r in rows], dtype=np.float32)
        targets = np.zeros((len(rows), len(classes)), dtype=np.float32)
        for i, row in enumerate(rows):
            for name in row:
                if name not in index:
                    raise InputError(_unknown_class(where, ids[i], name, classes))
                targets[i, index[name]] = 1.0
        return targets
    for i, value in enumerate(values):
        if value not in index:
            raise InputError(_unknown_class(where, ids[i], value, classes))
    return np.array([index[v] for v in values], dtype=np.int64)


def _unknown_class(where: str, record: str, name: str, classes: list[str]) -> str:
    return (
        f"{where}: record {record!r} has the label {name!r}, which the model does not know "
        f"(its classes: {', '.join(classes)})"
    )


def header_labels(descriptions: Sequence[str]) -> list[str | None]:
    """The ``label=VALUE`` of each FASTA description (``None`` where there is none)."""
    out: list[str | None] = []
    for d in descriptions:
        m = _LABEL_RE.search(d)
        out.append(m.group(1) if m else None)
    return out


def read_label_table(path: str | Path) -> pd.DataFrame:
    """Read a TSV/CSV label table with an ``id`` column (separator detected from the content)."""
    path = Path(path)
    try:
        table = pd.read_csv(path, sep=None, engine="python", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read the label table ({exc})") from None
    table.columns = [str(c).strip() for c in table.columns]
    if "id" not in table.columns:
        raise InputError(
            f"{path}: the label table needs a column named 'id' (found: {', '.join(table.columns)})"
        )
    if table.shape[1] < 2:
        raise InputError(f"{path}: the label table has no target column besides 'id'")
    duplicated = table["id"][table["id"].duplicated()]
    if len(duplicated):
        raise InputError(f"{path}: id {duplicated.iloc[0]!r} appears more than once")
    return table.set_index("id")


def _table_targets(
    table: pd.DataFrame,
    ids: list[str],
    task: str | None,
    where: str,
    classes: list[str] | None = None,
) -> tuple[np.ndarray, list[str], str]:
    missing = [i for i in ids if i not in table.index]
    if missing:
        raise InputError(
            f"{where}: {len(missing)} sequence ids have no labels, e.g. {missing[:3]}; every "
            "sequence needs a row in the table"
        )
    extra = table.index.difference(pd.Index(ids))
    if len(extra):
        raise InputError(
            f"{where}: {len(extra)} labelled ids are not among the sequences, e.g. "
            f"{list(extra[:3])}; remove them or add their sequences"
        )
    rows = table.loc[ids]
    if classes is not None and rows.shape[1] > 1:
        absent = [c for c in classes if c not in rows.columns]
        if absent:
            raise InputError(f"{where}: the model's targets {absent} are not columns of the table")
        rows = rows[classes]
    if rows.shape[1] == 1:
        targets, names, task = parse_targets(rows.iloc[:, 0].tolist(), task, where, ids, classes)
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


def _concat(parts: list[EncodedFasta], length: int | None, align: Align) -> np.ndarray:
    widths = {p.codes.shape[1] for p in parts}
    if len(widths) > 1 and length is None:
        raise InputError(
            f"the files hold sequences of different lengths ({sorted(widths)}); give a length "
            "to pad or trim to (--length)"
        )
    return np.concatenate([p.codes for p in parts])


def load_labeled(
    fasta: Sequence[str | Path],
    labels: str | Path | None = None,
    negatives: str | Path | None = "shuffle",
    length: int | None = None,
    align: Align = "center",
    task: str | None = None,
    seed: int = 0,
    classes: Sequence[str] | None = None,
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
    ids = [i for p in parts for i in p.ids]
    sources = [str(path) for path, p in zip(paths, parts, strict=True) for _ in p.ids]
    _check_unique(ids, sources)
    codes = _concat(parts, length, align)
    descriptions = [d for p in parts for d in p.descriptions]
    notes: list[str] = []
    fixed = list(classes) if classes is not None else None

    if labels is not None:
        where = str(labels)
        targets, names, task = _table_targets(read_label_table(labels), ids, task, where, fixed)
        return LabeledSequences(ids, codes, targets, task, names, ids, sources, notes)

    from_headers = header_labels(descriptions)
    said = {v for v in from_headers if v is not None}
    if len(paths) > 1 and len(said) == 1:
        # e.g. two simulated or exported files that each say label=1: the files are the classes
        notes.append(f"every header says label={said.pop()}; classes are the files instead")
        from_headers = [None] * len(from_headers)
    if any(v is not None for v in from_headers):
        unlabeled = [i for i, v in zip(ids, from_headers, strict=True) if v is None]
        if unlabeled:
            raise InputError(
                f"{len(unlabeled)} records have no 'label=' in their header, e.g. "
                f"{unlabeled[:3]}; label every record or none"
            )
        where = ", ".join(str(p) for p in paths)
        targets, names, task = parse_targets(from_headers, task, where, ids, fixed)  # type: ignore
        return LabeledSequences(ids, codes, targets, task, names, ids, sources, notes)

    if len(paths) > 1:
        stems = [p.stem.removesuffix(".fa").removesuffix(".fasta") for p in paths]
        if len(set(stems)) != len(stems):
            raise InputError(f"two FASTA files share the name {stems}; each file names a class")
        per_record = [s for s, p in zip(stems, parts, strict=True) for _ in p.ids]
        targets, names, task = parse_targets(per_record, task or "multiclass", "files", ids, fixed)
        notes.append(f"classes from file names: {', '.join(stems)}")
        return LabeledSequences(ids, codes, targets, task, names, ids, sources, notes)

    if negatives is None:
        raise InputError(
            f"{paths[0]}: no labels: give several files (one per class), 'label=' in the headers, "
            "a table (--labels), or negatives (--negatives shuffle|FILE)"
        )
    stem = paths[0].stem.removesuffix(".fa").removesuffix(".fasta")
    if fixed is not None and len(fixed) != 2:
        raise InputError("negatives can only be added for a model with two classes")
    if negatives == "shuffle":
        rng = np.random.default_rng(seed)
        raw = [_unpadded(row) for row in codes]
        shuffled = shuffle_codes(raw, rng)
        offsets = np.r_[0, np.cumsum([len(s) for s in shuffled])]
        neg_codes = pack_codes(np.concatenate(shuffled), offsets, codes.shape[1], align)
        neg_ids = [f"{i}_shuffled" for i in ids]
        notes.append(
            f"no labels in {paths[0]}: training {stem} against {len(ids)} dinucleotide-shuffled "
            f"copies (seed {seed}); give --negatives FILE or --negatives none to change this"
        )
        return LabeledSequences(
            ids + neg_ids,
            np.concatenate([codes, neg_codes]),
            np.r_[np.ones(len(ids)), np.zeros(len(ids))].astype(np.int64),
            "binary",
            fixed or [SHUFFLED_CLASS, stem],
            ids + ids,
            sources + [SHUFFLED_CLASS] * len(ids),
            notes,
        )
    neg = read_fasta_codes(negatives, length if length is not None else codes.shape[1], align)
    _check_unique(ids + neg.ids, sources + [str(negatives)] * len(neg.ids))
    neg_stem = Path(negatives).stem
    notes.append(f"{stem} ({len(ids)}) against negatives from {negatives} ({len(neg.ids)})")
    return LabeledSequences(
        ids + neg.ids,
        np.concatenate([codes, neg.codes]),
        np.r_[np.ones(len(ids)), np.zeros(len(neg.ids))].astype(np.int64),
        "binary",
        fixed or [neg_stem if neg_stem != stem else "negative", stem],
        ids + neg.ids,
        sources + [str(negatives)] * len(neg.ids),
        notes,
    )


def _unpadded(row: np.ndarray) -> np.ndarray:
    keep = np.flatnonzero(row != PAD)
    return row[keep[0] : keep[-1] + 1] if keep.size else row[:0]


def _check_unique(ids: list[str], sources: list[str]) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: dict[str, str] = {}
    for record_id, source in zip(ids, sources, strict=True):
        if record_id in seen:
            raise InputError(
                f"id {record_id!r} appears in {seen[record_id]} and in {source}; ids must be unique"
            )
        seen[record_id] = source
