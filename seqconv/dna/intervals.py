"""Per-position labels from an intervals table: the targets of ``--task segment``.

The table has columns ``id, start, end`` and optionally ``label`` (0-based, half-open, in the
coordinates of each record as it is in the FASTA); ``seqconv simulate`` writes its planted sites
this way (``<stem>.sites.tsv``). Without ``label`` every interval is of one class, ``site``.
Positions follow the sequences through padding or trimming to the run's length.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.bed import interval_bounds
from seqconv.errors import InputError
from seqconv.files import display_name, read_text

DEFAULT_CLASS = "site"


def read_intervals(path: str | Path) -> pd.DataFrame:
    """Read and check an intervals table (TSV/CSV).

    Returns
    -------
    pd.DataFrame
        ``id`` (str), ``start``, ``end`` (int64), ``label`` (str) and ``line`` (1-based line of
        the row in the file).
    """
    name = display_name(path)
    text = read_text(path, "a TSV/CSV intervals table")
    header = text.split("\n", 1)[0]
    sep = "\t" if "\t" in header else ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{name}: cannot read the intervals table ({str(exc).strip()})") from None
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in ("id", "start", "end") if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: an intervals table needs columns id, start, end (and optionally label); "
            f"missing {', '.join(missing)} (has {', '.join(map(str, table.columns[:8]))})"
        )
    if table.empty:
        raise InputError(
            f"{name}: no intervals, only the header; list one interval per line (id, start, end"
            "[, label]): the records' sites to learn"
        )
    out = pd.DataFrame({"id": table["id"].astype(str), "line": np.arange(len(table)) + 2})
    out["start"], out["end"] = interval_bounds(
        table["start"], table["end"], out["line"].to_numpy(), path, "0-based, half-open"
    )
    out["label"] = table["label"].astype(str) if "label" in table.columns else DEFAULT_CLASS
    return out


def offsets(lengths: np.ndarray, length: int, align: str) -> np.ndarray:
    """Where position 0 of each record lands after padding/trimming to ``length``.

    Returns
    -------
    np.ndarray
        ``(N,)`` int64: add to a record's coordinates to get window coordinates (negative when
        the start was trimmed away); matches :func:`seqconv.dna.encode.fit_length`.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    if align == "left":
        return np.zeros_like(lengths)
    if align == "right":
        return length - lengths
    return np.where(lengths <= length, (length - lengths) // 2, -((lengths - length) // 2))


def position_labels(
    table: pd.DataFrame,
    ids: Sequence[str],
    lengths: np.ndarray,
    length: int,
    align: str,
    where: str,
    classes: Sequence[str] | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Per-position 0/1 labels of every record.

    Parameters
    ----------
    table
        From :func:`read_intervals`.
    ids, lengths
        The records (``(N,)`` original lengths) in their order.
    classes
        Fixed class names (a trained run's); default: the labels in the table, sorted.

    Returns
    -------
    tuple
        ``(N, K, length)`` uint8 labels, the ``K`` class names, and notes.
    """
    names = list(classes) if classes is not None else sorted(set(table["label"]))
    index = {name: i for i, name in enumerate(ids)}
    unknown = sorted(set(table["id"]) - set(index))
    if unknown:
        raise InputError(
            f"{where}: {len(unknown)} interval id(s) are not records of the FASTA: "
            f"{', '.join(unknown[:5])}{', …' if len(unknown) > 5 else ''}"
        )
    strange = sorted(set(table["label"]) - set(names))
    if strange:
        raise InputError(f"{where}: labels {strange[:5]} are not classes of the model: {names}")
    notes = []
    rec_len = np.asarray(lengths)[[index[i] for i in table["id"]]]
    past = table["end"].to_numpy() > rec_len
    if past.any():
        row = table[past].iloc[0]
        raise InputError(
            f"{where}, line {row['line']}: interval {row['start']}-{row['end']} ends past record "
            f"{row['id']!r} ({rec_len[np.flatnonzero(past)[0]]} bp)"
        )
    labels = np.zeros((len(ids), len(names), length), dtype=np.uint8)
    shift = offsets(lengths, length, align)
    cut = 0
    klass = {name: k for k, name in enumerate(names)}
    for rid, start, end, label in zip(table["id"], table["start"], table["end"],
                                      table["label"], strict=True):  # fmt: skip
        r = index[rid]
        lo, hi = start + shift[r], end + shift[r]
        cut += lo < 0 or hi > length
        labels[r, klass[label], max(lo, 0) : max(min(hi, length), 0)] = 1
    if cut:
        notes.append(f"{cut} intervals lie partly or wholly outside the {length} bp windows")
    return labels, names, notes
