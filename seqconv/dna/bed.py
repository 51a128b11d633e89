"""Genomic intervals from BED, narrowPeak and bedGraph-like files, and windows centred on them.

Coordinates are 0-based and half-open, as in BED. ``track``, ``browser`` and ``#`` lines are
skipped. A narrowPeak file (10 columns, ``.narrowPeak`` or its 10th column an integer offset) gives
each peak a summit; windows are centred there, else on the region's centre.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.errors import InputError
from seqconv.files import open_input

BED_COLUMNS = ("chrom", "start", "end", "name", "score", "strand")
_SKIP = (b"#", b"track", b"browser")


def read_bed(path: str | Path) -> pd.DataFrame:
    """Read a BED/narrowPeak file (plain or gzipped).

    Returns
    -------
    pd.DataFrame
        ``chrom`` (str), ``start``/``end`` (int64), ``summit`` (int64, absolute position: the
        narrowPeak summit, else the centre), ``line`` (1-based line number in the file) and, when
        present, ``name``, ``score``, ``strand``.
    """
    path = Path(path)
    with open_input(path, "a BED file") as handle:
        lines, numbers = [], []
        for number, raw in enumerate(handle, start=1):
            stripped = raw.strip()
            if not stripped or stripped.startswith(_SKIP):
                continue
            lines.append(raw)
            numbers.append(number)
    if not lines:
        raise InputError(f"{path}: no intervals (empty, or only header/track lines)")
    widths = {len(line.split()) for line in lines}
    if min(widths) < 3:
        bad = next(n for n, line in zip(numbers, lines, strict=True) if len(line.split()) < 3)
        raise InputError(
            f"{path}, line {bad}: a BED line needs at least 3 columns (chrom, start, end)"
        )
    n_cols = min(widths)
    table = pd.read_csv(
        io.BytesIO(b"".join(lines)),
        sep=r"\s+",
        header=None,
        usecols=range(n_cols),
        dtype=str,
        engine="python" if len(widths) > 1 else "c",
    )
    table["line"] = numbers
    out = pd.DataFrame({"chrom": table[0].astype(str), "line": table["line"]})
    out["start"], out["end"] = interval_bounds(
        table[1], table[2], table["line"].to_numpy(), path, "BED is 0-based, half-open"
    )
    for col, name in zip(range(3, min(n_cols, 6)), BED_COLUMNS[3:], strict=False):
        out[name] = table[col].values
    out["summit"] = (out["start"] + out["end"]) // 2
    if _is_narrow_peak(path, table, n_cols):
        offset = pd.to_numeric(table[9], errors="coerce").fillna(-1).astype(np.int64).values
        inside = (offset >= 0) & (out["start"].values + offset < out["end"].values)
        out.loc[inside, "summit"] = out["start"].values[inside] + offset[inside]
    return out


def interval_bounds(
    starts: pd.Series, ends: pd.Series, lines: np.ndarray, where: str | Path, convention: str
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end columns as ``(N,)`` int64, each a non-negative integer and the end after the
    start; the first bad row stops with its file and line (``lines``: ``(N,)`` line numbers;
    ``convention`` is named when an interval is empty)."""
    parsed = []
    for name, column in (("start", starts), ("end", ends)):
        values = pd.to_numeric(column, errors="coerce")
        bad = (values.isna() | (values < 0) | (values != values.round())).to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{where}, line {lines[row]}: {name} {column.iloc[row]!r} is not a non-negative "
                "integer"
            )
        parsed.append(values.to_numpy().astype(np.int64))
    start, end = parsed
    empty = np.flatnonzero(end <= start)
    if empty.size:
        row = int(empty[0])
        raise InputError(
            f"{where}, line {lines[row]}: end {end[row]} is not after start {start[row]} "
            f"({convention})"
        )
    return start, end


def _is_narrow_peak(path: Path, table: pd.DataFrame, n_cols: int) -> bool:
    if n_cols < 10:
        return False
    if ".narrowpeak" in path.name.lower():
        return True
    return bool(pd.to_numeric(table[9], errors="coerce").notna().all())


def centred_starts(intervals: pd.DataFrame, length: int) -> np.ndarray:
    """Start of the ``length``-bp window centred on each interval's summit.

    Returns
    -------
    np.ndarray
        ``(N,)`` int64 (may be negative, or reach past a chromosome end: the genome pads with N).
    """
    return intervals["summit"].to_numpy(dtype=np.int64) - length // 2


def window_ids(chroms, starts: np.ndarray, length: int) -> list[str]:
    """``chrom:start-end`` ids for windows (what chromosome splits and predictions read)."""
    return [f"{c}:{s}-{s + length}" for c, s in zip(chroms, starts.tolist(), strict=True)]


def merge_intervals(chroms: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pd.DataFrame:
    """Union of intervals per chromosome, sorted.

    Returns
    -------
    pd.DataFrame
        ``chrom``, ``start``, ``end`` of non-overlapping intervals.
    """
    frame = pd.DataFrame({"chrom": chroms, "start": starts, "end": ends})
    frame = frame.sort_values(["chrom", "start"], kind="stable")
    out = []
    for chrom, group in frame.groupby("chrom", sort=False):
        s, e = group["start"].to_numpy(), group["end"].to_numpy()
        # a new block starts where an interval begins after everything before it has ended
        reach = np.maximum.accumulate(e)
        new = np.r_[True, s[1:] > reach[:-1]]
        out.append(
            pd.DataFrame(
                {
                    "chrom": chrom,
                    "start": s[new],
                    "end": np.maximum.reduceat(e, np.flatnonzero(new)),
                }
            )
        )
    return pd.concat(out, ignore_index=True) if out else frame.iloc[:0]
