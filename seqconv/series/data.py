"""Time series from ``.ts`` (UCR/UEA), CSV/TSV and Parquet files, into one container.

Every reader returns :class:`SeriesData`: values ``(N, C, L)`` float32, right-padded with ``NaN``
beyond each series' length, and the lengths ``(N,)`` that say where each series ends. ``NaN``
inside a series is a missing value; ``NaN`` at or after ``lengths[i]`` is padding. Labels stay raw
strings (``"1"``, ``"walking"``, ``"0.73"``) until :meth:`SeriesData.targets` turns them into
targets with the same conventions as DNA labels (:func:`seqconv.dna.labels.parse_targets`).

Tables come in three layouts:

* **wide**: one row per series; an optional ``id`` column, optional label column(s) named by
  ``target``, an optional ``channel`` column (several rows per id make a multivariate series), and
  every other column is a time step, in column order. Empty cells at the end of a row end a shorter
  series (the UCR convention for unequal lengths); empty cells inside it are missing values.
* **long**: one row per observation, columns ``id, time, value`` and optionally ``channel``; rows
  may come in any order and are sorted by time. A label column must hold one value per id.

* **steps**: one series, one row per time step: a time column (dates or numbers; named ``time``,
  ``date``, ``datetime``, ``timestamp`` or ``ds``, or a first column of dates) and one numeric
  column per channel, the layout of most forecasting data (``Date,Passengers``).

A table with ``id``, ``time`` and ``value`` columns is long; one without an ``id`` column but
with a time column as above is steps; any other is wide. ``layout`` overrides.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from seqconv.dna.labels import is_number, parse_targets
from seqconv.errors import InputError
from seqconv.series.ts import parse_ts

Layout = Literal["wide", "long", "steps"]
LabelKind = Literal["class", "target"]
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq")
_LABEL_COLUMNS = ("label", "target")
_TIME_COLUMNS = ("date", "datetime", "timestamp", "ds")


@dataclass
class SeriesData:
    """Time series, possibly of unequal lengths, with optional labels.

    Attributes
    ----------
    ids
        ``N`` unique series ids.
    values
        ``(N, C, L)`` float32, ``L`` the longest length; ``NaN`` marks missing values inside a
        series and fills the padding after it.
    lengths
        ``(N,)`` int64: series ``i`` is ``values[i, :, :lengths[i]]``.
    channels
        ``C`` channel names.
    labels
        One raw label string per series, or ``None`` (forecasting, or prediction input).
    label_kind
        ``"class"``, ``"target"`` (regression) or ``None`` when the source does not say (a table
        column: :meth:`targets` infers the task).
    label_names
        The column(s) the labels came from (``[]`` without labels).
    class_names
        Classes declared by the source (``.ts`` ``@classLabel``), in its order; else ``[]``.
    times
        Per series, its ``(L_i,)`` time stamps (float64 or datetime64) when the source has them
        (long tables, ``.ts`` with ``@timeStamps true``); else ``None``.
    source
        The file read (``""`` when built from arrays).
    notes
        What the reader decided on the user's behalf (printed by the CLI).
    """

    ids: list[str]
    values: np.ndarray
    lengths: np.ndarray
    channels: list[str]
    labels: list[str] | None = None
    label_kind: LabelKind | None = None
    label_names: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    times: list[np.ndarray] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n, c, _ = self.values.shape
        if len(self.ids) != n or self.lengths.shape != (n,) or len(self.channels) != c:
            raise ValueError("ids, values, lengths and channels disagree on N or C")
        if self.labels is not None and len(self.labels) != n:
            raise ValueError("one label per series is needed")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_channels(self) -> int:
        return self.values.shape[1]

    @property
    def max_length(self) -> int:
        return self.values.shape[2]

    @property
    def equal_length(self) -> bool:
        return bool(np.all(self.lengths == self.max_length))

    def series(self, i: int) -> np.ndarray:
        """Series ``i`` without padding, ``(C, L_i)``."""
        return self.values[i, :, : self.lengths[i]]

    def mask(self) -> np.ndarray:
        """``(N, L)`` bool: True on the steps of each series, False on its padding."""
        return np.arange(self.max_length)[None, :] < self.lengths[:, None]

    def missing_counts(self) -> dict[str, int]:
        """Missing values (padding excluded) per channel."""
        missing = np.isnan(self.values) & self.mask()[:, None, :]
        return dict(zip(self.channels, missing.sum(axis=(0, 2)).tolist(), strict=True))

    def subset(self, index: Sequence[int] | np.ndarray) -> SeriesData:
        """The series at ``index`` (e.g. one split), trimmed to their longest length."""
        index = np.asarray(index, dtype=np.int64)
        lengths = self.lengths[index]
        width = int(lengths.max()) if len(index) else 0
        return SeriesData(
            [self.ids[i] for i in index],
            self.values[index, :, :width],
            lengths,
            list(self.channels),
            None if self.labels is None else [self.labels[i] for i in index],
            self.label_kind,
            list(self.label_names),
            list(self.class_names),
            None if self.times is None else [self.times[i] for i in index],
            self.source,
            list(self.notes),
        )

    def targets(
        self, task: str | None = None, classes: Sequence[str] | None = None
    ) -> tuple[np.ndarray, list[str], str]:
        """Targets from the labels, as for DNA (:func:`seqconv.dna.labels.parse_targets`).

        Parameters
        ----------
        task
            ``binary``/``multiclass``/``regression``/…; ``None`` takes it from the source
            (``.ts`` ``@classLabel``/``@targetLabel``) or infers it from the values.
        classes
            Classification against known classes (a trained run's, when evaluating a test
            file): labels are indexed in this order, and a label outside it is an error. A test
            file may hold only some of the classes.

        Returns
        -------
        targets, target_names, task
            Classification: ``(N,)`` int64 class index; regression: ``(N, T)`` float32.
        """
        if self.labels is None:
            raise InputError(
                f"{self.source or 'the series'}: no labels; name the label column (--target) "
                "or use --task forecast"
            )
        if classes is not None:
            return self._class_index(list(classes), task)
        if task is None and self.label_kind == "class":
            task = "multiclass"  # parse_targets makes it binary with two classes
        elif task is None and self.label_kind == "target":
            task = "regression"
        targets, names, task = parse_targets(self.labels, task, self.source, self.ids)
        if task == "regression" and len(self.label_names) == targets.shape[1]:
            names = list(self.label_names)
        return targets, names, task

    def _class_index(
        self, classes: list[str], task: str | None
    ) -> tuple[np.ndarray, list[str], str]:
        index = {name: k for k, name in enumerate(classes)}
        unknown = [(i, v) for i, v in zip(self.ids, self.labels, strict=True) if v not in index]
        if unknown:
            raise InputError(
                f"{self.source or 'the series'}: series {unknown[0][0]!r} has the class "
                f"{unknown[0][1]!r}, which the model does not know (classes: "
                f"{', '.join(classes)}); {len(unknown)} series are affected"
            )
        targets = np.array([index[v] for v in self.labels], dtype=np.int64)
        return targets, classes, task or ("binary" if len(classes) == 2 else "multiclass")

    @classmethod
    def from_arrays(
        cls,
        series: np.ndarray | Sequence[np.ndarray],
        ids: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
    ) -> SeriesData:
        """Build from an ``(N, C, L)``/``(N, L)`` array or a list of ``(C, L_i)`` arrays."""
        if isinstance(series, np.ndarray) and series.ndim in (2, 3):
            arrays = list(series[:, None, :] if series.ndim == 2 else series)
        else:
            arrays = [np.atleast_2d(np.asarray(s, dtype=np.float64)) for s in series]
        values, lengths = pack_series(arrays)
        n_channels = values.shape[1]
        return cls(
            [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(arrays))],
            values,
            lengths,
            list(channels) if channels is not None else default_channels(n_channels),
            None if labels is None else [str(v) for v in labels],
        )


def default_channels(n: int) -> list[str]:
    return ["value"] if n == 1 else [f"dim_{i}" for i in range(n)]


def pack_series(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``(C, L_i)`` arrays into ``(N, C, max L)`` float32, NaN-padded on the right.

    Returns
    -------
    values, lengths
        ``(N, C, L)`` float32 and ``(N,)`` int64.
    """
    if not arrays:
        raise InputError("no series to read")
    channels = {a.shape[0] for a in arrays}
    if len(channels) != 1:
        raise InputError(f"series have different numbers of channels: {sorted(channels)}")
    lengths = np.array([a.shape[1] for a in arrays], dtype=np.int64)
    values = np.full((len(arrays), channels.pop(), int(lengths.max())), np.nan, dtype=np.float32)
    for i, a in enumerate(arrays):
        values[i, :, : a.shape[1]] = a
    return values, lengths


def _missing_note(data: SeriesData) -> None:
    counts = data.missing_counts()
    total = sum(counts.values())
    if total:
        per = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
        data.notes.append(f"{data.source}: {total} missing values ({per})")


# ---------------------------------------------------------------- time stamps


def parse_times(raw: Sequence | np.ndarray | pd.Series, where: str) -> np.ndarray:
    """Time stamps as float64 (numbers) or datetime64[ns] (dates; with a time zone: in UTC)."""
    stamps = pd.Series(raw).reset_index(drop=True)
    if stamps.isna().any():
        row = int(np.flatnonzero(stamps.isna().to_numpy())[0])
        raise InputError(f"{where}: row {row + 1} has no time; every observation needs one")
    if pd.api.types.is_datetime64_any_dtype(stamps.dtype):
        if stamps.dt.tz is not None:
            stamps = stamps.dt.tz_convert(None)
        return stamps.to_numpy(dtype="datetime64[ns]")
    if pd.api.types.is_numeric_dtype(stamps.dtype) and not pd.api.types.is_bool_dtype(stamps.dtype):
        return stamps.to_numpy(dtype=np.float64)
    numeric = pd.to_numeric(stamps, errors="coerce")
    if not numeric.isna().any():
        return numeric.to_numpy(dtype=np.float64)
    try:
        dates = pd.to_datetime(stamps.astype(str), format="mixed", utc=True)
    except (ValueError, TypeError):
        bad = stamps[numeric.isna()].iloc[0]
        raise InputError(f"{where}: time {bad!r} is neither a number nor a date") from None
    return dates.dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")


def regular_grid(times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Put one series on a regular time grid, inserting NaN where a step is absent.

    Parameters
    ----------
    times
        ``(L,)`` strictly increasing float64 or datetime64 stamps.
    values
        ``(C, L)``.

    Returns
    -------
    times, values, inserted
        The grid (step = the smallest gap; calendar months or years when the dates fall on one
        day of the month), the values on it and the number of steps inserted. When some gap is
        not a whole number of steps, or the grid would be more than ten times longer than the
        series, the series is returned as it is (``-1`` inserted): its steps are then
        observations in time order.
    """
    if len(times) < 3:
        return times, values, 0
    position = _grid_positions(times.astype(np.float64) if times.dtype.kind != "M" else times)
    months = None
    if position is None and times.dtype.kind == "M":
        months = _month_numbers(times)
        position = _grid_positions(months)
    if position is None or position[-1] + 1 > 10 * len(times):
        return times, values, -1
    if position[-1] + 1 == len(times):
        return times, values, 0
    grid = np.full((values.shape[0], int(position[-1]) + 1), np.nan, dtype=values.dtype)
    grid[:, position] = values
    new_times = np.empty(grid.shape[1], dtype=times.dtype)
    new_times[position] = times
    absent = np.setdiff1d(np.arange(grid.shape[1]), position)
    if months is None:
        new_times[absent] = np.interp(absent, position, times.astype(np.float64)).astype(
            times.dtype
        )
    else:  # calendar arithmetic: month lengths differ
        step = int(np.diff(months).min())
        start = pd.Timestamp(times[0])
        new_times[absent] = [start + pd.DateOffset(months=int(k) * step) for k in absent]
    return new_times, grid, grid.shape[1] - len(times)


def _grid_positions(stamps: np.ndarray) -> np.ndarray | None:
    """Step numbers ``(L,)`` of increasing stamps on the grid of their smallest gap, or None."""
    gaps = np.diff(stamps).astype(np.float64)
    ratio = gaps / gaps.min()
    whole = np.round(ratio)
    if not np.allclose(ratio, whole, rtol=0, atol=1e-6):
        return None
    return np.r_[0, np.cumsum(whole.astype(np.int64))]


def _month_numbers(times: np.ndarray) -> np.ndarray:
    """Months since year 0 for dates on one day of the month (or month ends), else NaN."""
    stamps = pd.DatetimeIndex(times)
    same_time = (stamps - stamps.normalize()).nunique() == 1
    same_day = stamps.day.nunique() == 1 or bool(stamps.is_month_end.all())
    if not (same_time and same_day):
        return np.full(len(times), np.nan)
    return (stamps.year * 12 + stamps.month).to_numpy(dtype=np.float64)


def _regularise(
    ids: list[str],
    arrays: list[np.ndarray],
    times: list[np.ndarray],
    source: str,
    notes: list[str],
    fill_gaps: bool,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    for i, t in enumerate(times):
        gaps = np.diff(t)
        if len(gaps) and not np.all(gaps > gaps.dtype.type(0)):
            bad = int(np.flatnonzero(~(gaps > gaps.dtype.type(0)))[0])
            raise InputError(
                f"{source}: series {ids[i]!r} has the time {t[bad + 1]} after {t[bad]}; the time "
                "stamps of a series must increase (one value per time and channel)"
            )
    if not fill_gaps:
        return arrays, times
    inserted, irregular = 0, []
    for i in range(len(arrays)):
        times[i], arrays[i], added = regular_grid(times[i], arrays[i])
        if added < 0:
            irregular.append(ids[i])
        else:
            inserted += added
    if inserted:
        notes.append(
            f"{source}: {inserted} absent time steps filled as missing values (regular grid)"
        )
    if irregular:
        notes.append(
            f"{source}: {len(irregular)} series have irregular time steps (e.g. {irregular[0]!r}); "
            "their values are used in time order as if equally spaced: resample them first if "
            "the spacing matters"
        )
    return arrays, times


# ---------------------------------------------------------------- .ts


def _open_text(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8-sig")
    return open(path, encoding="utf-8-sig")  # noqa: SIM115


def read_ts(path: str | Path, fill_gaps: bool = True) -> SeriesData:
    """Read a UCR/UEA ``.ts`` file (plain or gzipped).

    Parameters
    ----------
    path
        The file.
    fill_gaps
        With ``@timeStamps true``: put each series on a regular grid, absent steps missing.

    Returns
    -------
    SeriesData
        Labels are the class names (``label_kind="class"``) or regression targets
        (``"target"``) the file holds.
    """
    path = Path(path)
    try:
        with _open_text(path) as handle:
            contents = parse_ts(handle, str(path))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a text file in UTF-8 ({exc.reason})") from None
    header = contents.header
    stem = path.name.split(".")[0]
    ids = [f"{stem}_{i}" for i in range(len(contents.series))]
    notes: list[str] = []
    arrays = contents.series
    times = None
    if contents.times is not None:
        times = [
            parse_times(t, f"{path}, line {n}")
            for t, n in zip(contents.times, contents.lines, strict=True)
        ]
        arrays, times = _regularise(ids, arrays, times, str(path), notes, fill_gaps)
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
    _missing_note(data)
    return data


# ---------------------------------------------------------------- tables


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV/TSV (separator from the suffix, sniffed for ``.txt``) or Parquet file.

    Cells are kept as read. A file whose first row is all numbers has no header (unless that row
    is exactly ``0, 1, …, n-1``, the header pandas writes for unnamed columns), and its columns are
    named ``0, 1, …`` (a UCR ``.tsv`` then has its class in column ``"0"``).
    """
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    kind = (
        suffixes[-2]
        if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1
        else (suffixes[-1] if suffixes else "")
    )
    try:
        if kind in (".parquet", ".pq"):
            table = pd.read_parquet(path)
        else:
            sep = {".csv": ",", ".tsv": "\t", ".tab": "\t"}.get(kind)
            options = {"sep": sep} if sep else {"sep": None, "engine": "python"}
            table = pd.read_csv(path, **options)
            names = [str(c).strip() for c in table.columns]
            default = names == [str(i) for i in range(len(names))]
            if names and not default and all(is_number(n) for n in names):
                table = pd.read_csv(path, header=None, **options)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except ImportError as exc:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow ({exc}); pip install pyarrow, or give a CSV"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot read it as a table ({exc})") from None
    table.columns = [str(c).strip() for c in table.columns]
    if table.columns.duplicated().any():
        raise InputError(
            f"{path}: column {table.columns[table.columns.duplicated()][0]!r} appears twice"
        )
    if table.empty:
        raise InputError(f"{path}: the table has no rows")
    return table


def _find_column(table: pd.DataFrame, name: str) -> str | None:
    """The column called ``name``, case-insensitively."""
    matches = [c for c in table.columns if c.lower() == name.lower()]
    return matches[0] if matches else None


def _label_columns(
    table: pd.DataFrame, target: str | Sequence[str] | None, source: str, notes: list[str]
) -> list[str]:
    if target is None:
        found = [c for c in (_find_column(table, n) for n in _LABEL_COLUMNS) if c is not None]
        if found:
            notes.append(
                f"{source}: labels from column {found[0]!r} (give target= to choose another)"
            )
        return found[:1]
    names = [target] if isinstance(target, str) else list(target)
    columns = []
    for name in names:
        column = name if name in table.columns else _find_column(table, name)
        if column is None:
            raise InputError(
                f"{source}: no column {name!r} for the target (columns: "
                f"{', '.join(list(table.columns)[:12])}{'…' if len(table.columns) > 12 else ''})"
            )
        columns.append(column)
    return columns


def _label_strings(
    table: pd.DataFrame, columns: list[str], rows_name: Sequence[str], source: str
) -> list[str] | None:
    if not columns:
        return None
    cells = table[columns]
    empty = cells.isna().any(axis=1) | cells.astype(str).apply(lambda c: c.str.strip() == "").any(
        axis=1
    )
    if empty.any():
        i = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            f"{source}: series {rows_name[i]!r} has no value in the target column(s) "
            f"{', '.join(columns)}; every series needs a label"
        )
    return [",".join(_label_text(v) for v in row) for row in cells.itertuples(index=False)]


def _label_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_ids(ids: list[str], source: str) -> None:
    seen = pd.Index(ids)
    if seen.has_duplicates:
        raise InputError(
            f"{source}: id {seen[seen.duplicated()][0]!r} appears more than once; ids must be "
            "unique"
        )


def _numeric(
    frame: pd.DataFrame, source: str, rows: Sequence[str], row_kind: str = "series"
) -> np.ndarray:
    """Numeric cells as float64; empty cells are NaN; text is an error naming row and column."""
    numeric = [
        pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t) for t in frame.dtypes
    ]
    if all(numeric):  # the usual case: the file held numbers only
        return frame.to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.empty(frame.shape, dtype=np.float64)
    for j, column in enumerate(frame.columns):
        col = frame[column]
        if numeric[j]:
            out[:, j] = col.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        converted = pd.to_numeric(col, errors="coerce")
        bad = converted.isna() & col.notna() & (col.astype(str).str.strip() != "")
        bad &= ~col.astype(str).str.strip().str.lower().isin(["?", "nan", "na"])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{source}: column {column!r} of {row_kind} {rows[i]!r} holds {col.iloc[i]!r}, "
                "not a number; name label columns with target=, the id column 'id', and remove "
                "other text columns"
            )
        out[:, j] = converted.to_numpy(dtype=np.float64, na_value=np.nan)
    return out


def _wide(
    table: pd.DataFrame, source: str, target, id_column: str, channel_column: str
) -> SeriesData:
    notes: list[str] = []
    label_cols = _label_columns(table, target, source, notes)
    id_col = _find_column(table, id_column)
    ch_col = _find_column(table, channel_column)
    step_cols = [c for c in table.columns if c not in {id_col, ch_col, *label_cols}]
    if not step_cols:
        raise InputError(f"{source}: no time-step columns besides id/label/channel")
    row_ids = (
        table[id_col].astype(str).str.strip().tolist()
        if id_col
        else [str(i) for i in range(len(table))]
    )
    values = _numeric(table[step_cols], source, row_ids)
    observed = ~np.isnan(values)
    row_len = np.where(
        observed.any(axis=1), values.shape[1] - np.argmax(observed[:, ::-1], axis=1), 0
    )
    if ch_col is None:
        _check_ids(row_ids, source)
        ids, channels = row_ids, ["value"]
        arrays = [values[i, None, : row_len[i]] for i in range(len(ids))]
        label_rows = table
    else:
        if id_col is None:
            raise InputError(
                f"{source}: a {ch_col!r} column needs an id column to group rows into series"
            )
        channel_values = table[ch_col].astype(str).str.strip()
        channels = pd.unique(channel_values).tolist()
        ids = list(dict.fromkeys(row_ids))
        order = {c: k for k, c in enumerate(channels)}
        rows_of: dict[str, list[int]] = {}
        for r, i in enumerate(row_ids):
            rows_of.setdefault(i, []).append(r)
        arrays = []
        for i in ids:
            rows = rows_of[i]
            have = sorted(channel_values.iloc[rows])
            if have != sorted(channels):
                raise InputError(
                    f"{source}: series {i!r} has channels {have} but the table has "
                    f"{sorted(channels)}; "
                    "every series needs one row per channel"
                )
            length = int(row_len[rows].max())
            block = np.full((len(channels), length), np.nan)
            for r in rows:
                block[order[channel_values.iloc[r]]] = values[r, :length]
            arrays.append(block)
        label_rows = table.iloc[[rows_of[i][0] for i in ids]]
        for col in label_cols:
            varying = table.groupby(id_col, sort=False)[col].nunique(dropna=False)
            if (varying > 1).any():
                raise InputError(
                    f"{source}: series {varying.index[varying > 1][0]!r} has several values in "
                    f"the target column {col!r}; a series has one label"
                )
    empty = [ids[k] for k, a in enumerate(arrays) if a.shape[1] == 0]
    if empty:
        raise InputError(f"{source}: series {empty[0]!r} has no values")
    labels = _label_strings(label_rows, label_cols, ids, source)
    values_arr, lengths = pack_series(arrays)
    if len(set(lengths.tolist())) > 1:
        notes.append(
            f"{source}: unequal lengths {int(lengths.min())}–{int(lengths.max())} (empty cells at "
            "the end of a row end the series)"
        )
    return SeriesData(
        ids, values_arr, lengths, channels, labels, None, label_cols, [], None, source, notes
    )


def _long(
    table: pd.DataFrame,
    source: str,
    target,
    id_column: str,
    time_column: str,
    value_column: str,
    channel_column: str,
    fill_gaps: bool,
) -> SeriesData:
    notes: list[str] = []
    cols = {}
    for role, name in (("id", id_column), ("time", time_column), ("value", value_column)):
        found = _find_column(table, name)
        if found is None:
            raise InputError(
                f"{source}: a long table needs columns {id_column!r}, {time_column!r} and "
                f"{value_column!r}; no {name!r} among {', '.join(table.columns)}"
            )
        cols[role] = found
    ch_col = _find_column(table, channel_column)
    label_cols = _label_columns(table, target, source, notes)
    frame = pd.DataFrame(
        {
            "id": table[cols["id"]].astype(str).str.strip(),
            "time": parse_times(table[cols["time"]], f"{source}, column {cols['time']!r}"),
            "channel": table[ch_col].astype(str).str.strip() if ch_col else "value",
        }
    )
    frame["value"] = _numeric(table[[cols["value"]]], source, frame["id"].tolist())[:, 0]
    duplicated = frame.duplicated(["id", "channel", "time"])
    if duplicated.any():
        row = frame[duplicated].iloc[0]
        raise InputError(
            f"{source}: series {row['id']!r} has two values at time {row['time']} "
            f"(channel {row['channel']!r}); one value per series, channel and time"
        )
    channels = pd.unique(frame["channel"]).tolist()
    ids = pd.unique(frame["id"]).tolist()
    frame["order"] = pd.Index(ids).get_indexer(frame["id"])
    wide = frame.set_index(["order", "time", "channel"])["value"].unstack("channel")
    wide = wide.sort_index().reindex(columns=channels)
    order = wide.index.get_level_values(0).to_numpy()
    stamps = wide.index.get_level_values(1).to_numpy()
    block = wide.to_numpy(dtype=np.float64)
    bounds = np.flatnonzero(np.diff(order)) + 1
    arrays = [b.T.copy() for b in np.split(block, bounds)]
    times = list(np.split(stamps, bounds))
    arrays, times = _regularise(ids, arrays, times, source, notes, fill_gaps)
    labels = None
    if label_cols:
        per_id = table.assign(_id=frame["id"]).groupby("_id", sort=False)[label_cols]
        varying = per_id.nunique(dropna=False).max(axis=1)
        if (varying > 1).any():
            raise InputError(
                f"{source}: series {varying.index[varying > 1][0]!r} has several values in the "
                f"target column(s) {', '.join(label_cols)}; a series has one label"
            )
        labels = _label_strings(per_id.first().reindex(ids), label_cols, ids, source)
    values, lengths = pack_series(arrays)
    return SeriesData(
        ids, values, lengths, channels, labels, None, label_cols, [], times, source, notes
    )


def _steps(table: pd.DataFrame, source: str, time_col: str, fill_gaps: bool) -> SeriesData:
    notes: list[str] = []
    channels = [c for c in table.columns if c != time_col]
    if not channels:
        raise InputError(f"{source}: no value columns besides the time column {time_col!r}")
    times = parse_times(table[time_col], f"{source}, column {time_col!r}")
    order = np.argsort(times, kind="stable")
    stamps = [str(t) for t in table[time_col].iloc[order]]
    values = _numeric(table[channels].iloc[order], source, stamps, "the row at time").T
    ids = [Path(source).name.split(".")[0] or "series"]
    arrays, grids = _regularise(ids, [values], [times[order]], source, notes, fill_gaps)
    packed, lengths = pack_series(arrays)
    notes.append(
        f"{source}: one series of {int(lengths[0]):,} steps, one row per time step "
        f"(time column {time_col!r}; channels {', '.join(channels)})"
    )
    return SeriesData(ids, packed, lengths, channels, None, None, [], [], grids, source, notes)


def _time_column(table: pd.DataFrame, time_column: str) -> str | None:
    """The time column of a steps table: named like one, or a first column of dates."""
    for name in (time_column, *_TIME_COLUMNS):
        found = _find_column(table, name)
        if found is not None:
            return found
    first = table[table.columns[0]].head(100)  # a sample decides; the reader parses them all
    if pd.api.types.is_datetime64_any_dtype(first.dtype):
        return table.columns[0]
    text = first.dtype == object or pd.api.types.is_string_dtype(first.dtype)
    if text and pd.to_numeric(first, errors="coerce").isna().all():
        try:
            pd.to_datetime(first.astype(str), format="mixed")
        except (ValueError, TypeError):
            return None
        return table.columns[0]
    return None


def detect_layout(
    table: pd.DataFrame,
    id_column: str = "id",
    time_column: str = "time",
    value_column: str = "value",
) -> Layout:
    """``"long"`` with id, time and value columns; ``"steps"`` with a time column and no id
    column (see :func:`_time_column`); else ``"wide"``."""
    names = (id_column, time_column, value_column)
    if all(_find_column(table, n) is not None for n in names):
        return "long"
    if _find_column(table, id_column) is None and _time_column(table, time_column) is not None:
        return "steps"
    return "wide"


def read_series_table(
    path: str | Path,
    target: str | Sequence[str] | None = None,
    layout: Layout | None = None,
    id_column: str = "id",
    time_column: str = "time",
    value_column: str = "value",
    channel_column: str = "channel",
    fill_gaps: bool = True,
) -> SeriesData:
    """Read series from a CSV/TSV/Parquet table: wide, long or steps (module docstring).

    Parameters
    ----------
    path
        ``.csv``, ``.tsv``/``.tab``, ``.txt`` (separator sniffed), each optionally ``.gz``, or
        ``.parquet``/``.pq``.
    target
        Label column(s). ``None`` uses a column named ``label`` or ``target`` if there is one.
    layout
        ``"wide"``, ``"long"`` or ``"steps"``; ``None`` detects it (:func:`detect_layout`).
    id_column, time_column, value_column, channel_column
        Column names (matched case-insensitively).
    fill_gaps
        Long and steps tables: put each series on a regular time grid, absent steps missing.

    Returns
    -------
    SeriesData
    """
    source = str(path)
    table = read_table(path)
    layout = layout or detect_layout(table, id_column, time_column, value_column)
    if layout == "long":
        data = _long(
            table, source, target, id_column, time_column, value_column, channel_column, fill_gaps
        )
    elif layout == "wide":
        data = _wide(table, source, target, id_column, channel_column)
    elif layout == "steps":
        # asked for by name, a first column of numbers (years, seconds) is the time too
        time_col = _time_column(table, time_column) or table.columns[0]
        if target is not None:
            raise InputError(
                f"{source}: one series with one row per time step has no per-series labels; "
                "forecast it (--task forecast; --target then names the channels to forecast)"
            )
        data = _steps(table, source, time_col, fill_gaps)
    else:
        raise InputError(f"layout must be 'wide', 'long' or 'steps', not {layout!r}")
    if (
        layout == "wide"
        and target is None
        and not data.labels
        and set(table.columns) == {str(i) for i in range(len(table.columns))}
    ):
        data.notes.append(
            f"{source}: no header, so every column is a time step; for a UCR .tsv whose first "
            "column is the class, give target='0'"
        )
    _missing_note(data)
    return data


def read_series(
    path: str | Path,
    target: str | Sequence[str] | None = None,
    layout: Layout | None = None,
    **options,
) -> SeriesData:
    """Read time series from any supported file, chosen by its suffix.

    ``.ts`` (optionally ``.ts.gz``) goes to :func:`read_ts` (labels come from the file; ``target``
    must be ``None``), everything else to :func:`read_series_table`.
    """
    path = Path(path)
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".ts"] or suffixes[-2:] == [".ts", ".gz"]:
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


__all__ = [
    "SeriesData",
    "detect_layout",
    "pack_series",
    "parse_times",
    "read_series",
    "read_series_table",
    "read_table",
    "read_ts",
    "regular_grid",
]
