"""Time series from any supported file, by suffix: :func:`read_series`; UCR/UEA ``.ts`` files.

Every reader returns :class:`~seqconv.series.container.SeriesData` (importable from here too):
values ``(N, C, L)`` float32, right-padded with ``NaN`` beyond each series' length, and lengths
``(N,)``. ``.ts`` files are read by :func:`read_ts`, CSV/TSV/Parquet tables (wide, long and steps
layouts) by :func:`seqconv.series.tables.read_series_table`; time stamps are put on a regular grid
by :mod:`seqconv.series.timegrid`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seqconv.errors import InputError
from seqconv.files import display_name, is_stream, local_copy, open_input, read_text
from seqconv.series.checks import check_series
from seqconv.series.container import (
    LabelKind,
    SeriesData,
    default_channels,
    note_missing,
    pack_series,
)
from seqconv.series.tables import TABLE_SUFFIXES, Layout, read_series_table
from seqconv.series.timegrid import parse_times, regularise
from seqconv.series.ts import parse_ts

_KIND = "a time-series file (.ts, CSV, TSV or Parquet)"


def _ts_lines(path: Path) -> list[str]:
    """The lines of a ``.ts`` file (plain or gzip, ``-``, a FIFO) as checked UTF-8 text."""
    return read_text(path, _KIND).split("\n")


def read_ts(
    path: str | Path, fill_gaps: bool = True, drop_missing_labels: bool = False
) -> SeriesData:
    """Read a UCR/UEA ``.ts`` file (plain or gzipped).

    Parameters
    ----------
    path
        The file.
    fill_gaps
        With ``@timeStamps true``: put each series on a regular grid, absent steps missing.
    drop_missing_labels
        Drop cases whose label is missing (``?``, empty, infinite) instead of raising
        (:func:`seqconv.series.checks.check_series`).

    Returns
    -------
    SeriesData
        Labels are the class names (``label_kind="class"``) or regression targets
        (``"target"``) the file holds.
    """
    path = Path(path)
    local_copy(path, _KIND)  # a stream is spooled, so that it can be read again
    contents = parse_ts(_ts_lines(path), display_name(path))
    header = contents.header
    stem = "series" if is_stream(path) else path.name.split(".")[0]
    ids = [f"{stem}_{i}" for i in range(len(contents.series))]
    notes: list[str] = []
    arrays = contents.series
    times = None
    if contents.times is not None:
        times = [
            parse_times(t, f"{path}, line {n}")
            for t, n in zip(contents.times, contents.lines, strict=True)
        ]
        arrays, times = regularise(ids, arrays, times, str(path), notes, fill_gaps)
    if header.unknown_tags:
        notes.append(f"{path}: ignored unknown header tags {', '.join(header.unknown_tags)}")
    values, lengths = pack_series(arrays)
    kind: LabelKind | None = (
        "class" if header.class_label else "target" if header.target_label else None
    )
    data = SeriesData(
        ids,
        values,
        lengths,
        default_channels(values.shape[1]),
        contents.labels,
        kind,
        ["class" if kind == "class" else "target"] if kind else [],
        list(header.class_names),
        times,
        str(path),
        notes,
    )
    if (
        not header.missing
        and np.isnan(values).any()
        and (np.isnan(values) & data.mask()[:, None]).any()
    ):
        notes.append(f"{path}: the header says @missing false, but values are missing")
    data = check_series(data, drop_missing_labels)
    note_missing(data)
    return data


def read_series(
    path: str | Path,
    target: str | Sequence[str] | None = None,
    layout: Layout | None = None,
    **options,
) -> SeriesData:
    """Read time series from any supported file, chosen by its suffix.

    ``.ts`` (optionally ``.ts.gz``) goes to :func:`read_ts` (labels come from the file; ``target``
    must be ``None``), everything else to :func:`~seqconv.series.tables.read_series_table`.
    """
    path = Path(path)
    suffixes = _suffixes(path)
    if is_ts_file(path):
        if target is not None or layout is not None:
            raise InputError(
                f"{path}: a .ts file names its own labels and layout; drop --target and --layout"
            )
        return read_ts(path, **options)
    stem_suffix = (
        suffixes[-2]
        if suffixes[-1:] == [".gz"] and len(suffixes) > 1
        else suffixes[-1]
        if suffixes
        else ""
    )
    if stem_suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"{path}: unknown series format {stem_suffix or '(no suffix)'!r}; use .ts, "
            f"{', '.join(TABLE_SUFFIXES)} (optionally .gz)"
        )
    return read_series_table(path, target, layout, **options)


def _suffixes(path: Path) -> list[str]:
    local_copy(path, _KIND)  # a clear error for a missing path or a directory; spools a stream
    suffixes = [s.lower() for s in path.suffixes]
    if not suffixes and is_stream(path):
        suffixes = [_sniff_suffix(path)]
    return suffixes


def is_ts_file(path: str | Path) -> bool:
    """Whether ``path`` is a ``.ts`` file (``.ts``, ``.ts.gz``, or a stream that reads as one)."""
    suffixes = _suffixes(Path(path))
    return suffixes[-1:] == [".ts"] or suffixes[-2:] == [".ts", ".gz"]


def _sniff_suffix(path: Path) -> str:
    """The format of a stream without a suffix (``-``, a FIFO), from its first bytes: ``.ts``
    when the first line that is no comment is a ``@tag``, ``.parquet`` for Parquet, else a
    table with a sniffed separator."""
    with open_input(local_copy(path, _KIND), _KIND) as handle:
        head = handle.peek(1 << 16)
    if head[:4] == b"PAR1":
        return ".parquet"
    for line in re.split(rb"[\r\n]", head):  # old Mac files end lines with CR alone
        text = line.strip()
        if text and text[:1] not in b"#%":
            return ".ts" if text[:1] == b"@" else ".txt"
    return ".txt"


__all__ = ["SeriesData", "read_series", "read_ts"]
