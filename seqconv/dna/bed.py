"""Genomic intervals from BED, narrowPeak and bedGraph-like files, and windows centred on them.

Coordinates are 0-based and half-open, as in BED. ``track``, ``browser`` and ``#`` lines are
skipped. A narrowPeak file (10 columns, ``.narrowPeak`` or its 10th column an integer offset) gives
each peak a summit; windows are centred there, else on the region's centre.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.errors import InputError
from seqconv.files import open_input

BED_COLUMNS = ("chrom", "start", "end", "name", "score", "strand")
_SKIP = (b"#", b"track", b"browser")
MAX_POSITION = 2**40
"""Larger coordinates are on no genome (the longest chromosomes known are ~1e11 bp)."""


def read_bed(path: str | Path) -> pd.DataFrame:
    """Read a BED/narrowPeak file (plain or gzipped).

    Columns are separated by tabs (by any whitespace on a line without tabs). Lines may differ in
    their number of columns; a column a line lacks reads as empty. In a narrowPeak file (named
    so, or most of its lines with an integer 10th column) every line must have the 10th column,
    the summit's offset from the start (``-1``: none), and it must lie inside the peak.

    Returns
    -------
    pd.DataFrame
        ``chrom`` (str), ``start``/``end`` (int64), ``summit`` (int64, absolute position: the
        narrowPeak summit, else the centre), ``line`` (1-based line number in the file) and, when
        present, ``name``, ``score``, ``strand``.
    """
    path = Path(path)
    rows, numbers = [], []
    with open_input(path, "a BED file") as handle:
        for number, raw in enumerate(handle, start=1):
            stripped = raw.strip().removeprefix(b"\xef\xbb\xbf")  # a byte-order mark
            if not stripped or stripped.startswith(_SKIP):
                continue
            try:
                text = stripped.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError(
                    f"{path}, line {number}: not UTF-8 text; is this a binary file rather than a "
                    "BED file?"
                ) from None
            rows.append(text.split("\t") if "\t" in text else text.split())
            numbers.append(number)
    if not rows:
        raise InputError(f"{path}: no intervals (empty, or only header/track lines)")
    widths = np.array([len(r) for r in rows])
    if widths.min() < 3:
        bad = numbers[int(np.argmin(widths >= 3))]
        raise InputError(
            f"{path}, line {bad}: a BED line needs at least 3 columns (chrom, start, end), "
            "separated by tabs"
        )
    lines = np.array(numbers)
    out = pd.DataFrame({"chrom": [r[0].strip() for r in rows], "line": lines})
    starts = pd.Series([r[1] for r in rows])
    if pd.isna(pd.to_numeric(rows[0][1], errors="coerce")) and len(rows) > 1:
        if not pd.isna(pd.to_numeric(rows[1][1], errors="coerce")):
            raise InputError(
                f"{path}, line {numbers[0]}: start {rows[0][1]!r} is not a position: a header "
                "line? start it with '#' (BED has no header)"
            )
    out["start"], out["end"] = interval_bounds(
        starts, pd.Series([r[2] for r in rows]), lines, path, "BED is 0-based, half-open"
    )
    for col, name in zip(range(3, min(int(widths.max()), 6)), BED_COLUMNS[3:], strict=False):
        out[name] = [r[col] if len(r) > col else "" for r in rows]
    out["summit"] = (out["start"] + out["end"]) // 2
    if _is_narrow_peak(path, rows):
        out["summit"] = _summits(path, rows, lines, out)
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
        bad = values.isna() | (values < 0) | (values != values.round()) | (values > MAX_POSITION)
        bad = bad.to_numpy()
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise InputError(
                f"{where}, line {lines[row]}: {name} {column.iloc[row]!r} is not a non-negative "
                f"integer (at most {MAX_POSITION:,})"
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


def _is_narrow_peak(path: Path, rows: list[list[str]]) -> bool:
    """Named ``.narrowPeak`` with some 10-column lines, or most lines with an integer 10th
    column."""
    tenth = [r[9] for r in rows if len(r) >= 10]
    if not tenth:
        return False
    if ".narrowpeak" in path.name.lower():
        return True
    return 2 * int(pd.to_numeric(pd.Series(tenth), errors="coerce").notna().sum()) > len(rows)


def _summits(
    path: Path, rows: list[list[str]], lines: np.ndarray, table: pd.DataFrame
) -> np.ndarray:
    """Absolute summits of narrowPeak lines (the centre where the offset is -1); a line without
    the 10th column, or with an offset that is not a position inside its peak, stops."""
    short = [i for i, r in enumerate(rows) if len(r) < 10]
    if short:
        i = short[0]
        raise InputError(
            f"{path}, line {lines[i]}: {len(rows[i])} columns, but this is a narrowPeak file "
            f"(10 columns; the 10th is the summit's offset from the start, -1 for none) and "
            f"{len(short)} line(s) lack the summit; fix them, or give the file as plain BED "
            "(rename it .bed and cut it to 3-6 columns)"
        )
    offsets = pd.to_numeric(pd.Series([r[9] for r in rows]), errors="coerce").to_numpy()
    width = (table["end"] - table["start"]).to_numpy()
    bad = np.isnan(offsets) | (offsets != np.round(offsets)) | (offsets < -1) | (offsets >= width)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{path}, line {lines[i]}: summit offset {rows[i][9]!r} is not a position inside the "
            f"peak (0 to {width[i] - 1}, or -1 for none); the 10th narrowPeak column is the "
            "summit's offset from the start"
        )
    offsets = offsets.astype(np.int64)
    return np.where(offsets >= 0, table["start"].to_numpy() + offsets, table["summit"].to_numpy())


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
