"""Labels from BED files themselves: one class per file (named by its stem), or a column.

Pure table work, no genome: :mod:`seqconv.dna.genome_labels` cuts the windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.bed import centred_starts
from seqconv.errors import InputError

LABEL_COLUMNS = {"name": 3, "score": 4}
BED_NAMES = {3: "name", 4: "score", 5: "strand"}
_EMPTY = ("", ".", "nan")


def stem(path: str | Path) -> str:
    """A BED file's class name: its name without ``.bed``/``.narrowPeak``/``.gz``."""
    name = Path(path).name
    for suffix in (".gz", ".bgz", ".bed", ".narrowPeak", ".narrowpeak", ".broadPeak", ".txt"):
        name = name.removesuffix(suffix)
    return name


def unique_windows(table: pd.DataFrame, length: int, notes: list[str]) -> pd.DataFrame:
    """One row per window: intervals with the same summit give the same window."""
    duplicated = table.duplicated(["chrom", "summit"])
    if duplicated.any():
        notes.append(
            f"{int(duplicated.sum())} intervals share a {length} bp window with an earlier one "
            "(same summit or centre): each window is used once"
        )
        table = table[~duplicated].reset_index(drop=True)
    return table


def class_windows(
    paths: Sequence[str], tables: list[pd.DataFrame], length: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Windows of every file; a window in several files lists each file's class.

    Returns
    -------
    tuple
        ``(N,)`` chromosomes, ``(N,)`` window starts and ``N`` labels (``"a"`` or ``"a,b"``).
    """
    stems = [stem(p) for p in paths]
    if len(set(stems)) != len(stems):
        raise InputError(f"two BED files share the name {stems}; each file names a class")
    classes: dict[tuple[str, int], list[str]] = {}
    for name, table in zip(stems, tables, strict=True):
        for chrom, start in zip(
            table["chrom"], centred_starts(table, length).tolist(), strict=True
        ):
            labels = classes.setdefault((chrom, start), [])
            if name not in labels:
                labels.append(name)
    chroms = np.array([c for c, _ in classes], dtype=object)
    starts = np.array([s for _, s in classes], dtype=np.int64)
    return chroms, starts, [",".join(v) for v in classes.values()]


def label_values(table: pd.DataFrame, column: str, where: str) -> list[str]:
    """The labels in a BED column: ``name``, ``score`` or a 1-based column number (4-6); an
    empty cell (``.``, or a line without the column) stops with its line."""
    key = LABEL_COLUMNS.get(column.lower())
    name = BED_NAMES.get(key) if key is not None else None
    if name is None and column.isdigit() and int(column) >= 1:
        name = BED_NAMES.get(int(column) - 1)
    if name is None:
        raise InputError(f"--label-column {column!r}: use name, score, or a column number 4-6")
    if name not in table.columns:
        raise InputError(f"{where}: has no {name} column (column {column_number(name)})")
    values = table[name].astype(str).str.strip().tolist()
    empty = [i for i, v in enumerate(values) if v.lower() in _EMPTY]
    if empty:
        line = int(table["line"].iloc[empty[0]])
        raise InputError(
            f"{where}, line {line}: the {name} column (column {column_number(name)}) is empty "
            f"('.' or missing) on {len(empty)} line(s); label every interval"
        )
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    infinite = np.flatnonzero(np.isinf(numbers))
    if infinite.size:
        line = int(table["line"].iloc[infinite[0]])
        raise InputError(
            f"{where}, line {line}: the {name} column holds {values[infinite[0]]!r}; a label is "
            "a class name or a finite number"
        )
    return values


def column_number(name: str) -> int:
    """The 1-based BED column of ``name``, ``score`` or ``strand``."""
    return next(k for k, v in BED_NAMES.items() if v == name) + 1
