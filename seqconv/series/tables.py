"""Time series from CSV/TSV and Parquet tables: :func:`read_series_table`.

It returns :class:`~seqconv.series.container.SeriesData`: values ``(N, C, L)`` float32,
NaN-padded after each series, and lengths ``(N,)``. Tables come in three layouts:

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

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from seqconv.dna.labels import is_number
from seqconv.errors import InputError
from seqconv.files import decode_text, display_name, local_copy, open_input
from seqconv.series.checks import check_series
from seqconv.series.container import SeriesData, note_missing, pack_series
from seqconv.series.timegrid import parse_times, regularise

Layout = Literal["wide", "long", "steps"]
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq")
_LABEL_COLUMNS = ("label", "target")
_TIME_COLUMNS = ("date", "datetime", "timestamp", "ds")
_KIND = "a table (CSV, TSV or Parquet)"


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
    name = display_name(path)
    local_copy(path, _KIND)  # a stream is spooled, so that it can be read again
    if kind in (".parquet", ".pq") or (not kind and _is_parquet(path)):
        table = _read_parquet(path, name)
    else:
        with open_input(path, _KIND) as handle:
            text = decode_text(handle.read(), name)
        if not text.strip():
            raise InputError(f"{name}: the file is empty")
        sep = {".csv": ",", ".tsv": "\t", ".tab": "\t"}.get(kind)
        options = {"sep": sep} if sep else {"sep": None, "engine": "python"}
        table = _read_csv(text, name, options)
        names = [str(c).strip() for c in table.columns]
        default = names == [str(i) for i in range(len(names))]
        if names and not default and all(is_number(n) for n in names):
            table = _read_csv(text, name, {**options, "header": None})
    table.columns = [str(c).strip() for c in table.columns]
    if table.columns.duplicated().any():
        raise InputError(
            f"{name}: column {table.columns[table.columns.duplicated()][0]!r} appears twice"
        )
    if table.empty:
        raise InputError(f"{name}: the table has no rows (only a header?)")
    return table


def _is_parquet(path: Path) -> bool:
    """Whether a file without a suffix (``-``, a FIFO) holds Parquet (its magic bytes)."""
    with open_input(local_copy(path, _KIND), _KIND) as handle:
        return handle.peek(4)[:4] == b"PAR1"


def _read_csv(text: str, name: str, options: dict) -> pd.DataFrame:
    try:
        return pd.read_csv(io.StringIO(text), **options)
    except pd.errors.EmptyDataError:
        raise InputError(f"{name}: the file holds no table (no columns)") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        raise InputError(f"{name}: cannot read it as a table ({_one_line(exc)})") from None


def _read_parquet(path: Path, name: str) -> pd.DataFrame:
    local = local_copy(path, _KIND)
    try:
        import pyarrow
    except ImportError as exc:
        raise InputError(
            f"{name}: reading Parquet needs pyarrow ({exc}); pip install pyarrow, or give a CSV"
        ) from None
    try:
        return pd.read_parquet(local)
    # pyarrow raises its own errors, and KeyError/TypeError/... from damaged pandas metadata:
    # whatever it raises on a file means a file it cannot read
    except Exception as exc:  # noqa: BLE001
        known = isinstance(exc, pyarrow.ArrowException | ValueError | OSError)
        reason = _one_line(exc) if known else f"{type(exc).__name__}: {_one_line(exc)}"
        raise InputError(
            f"{name}: cannot read it as Parquet ({reason}); is it a Parquet file?"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:200] + "…"


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
    # an empty cell reads as NaN and becomes "nan": check_series reports (or drops) those series
    cells = table[columns]
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
    arrays, times = regularise(ids, arrays, times, source, notes, fill_gaps)
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
    arrays, grids = regularise(ids, [values], [times[order]], source, notes, fill_gaps)
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
    drop_missing_labels: bool = False,
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
    drop_missing_labels
        Drop series whose label is empty, NaN or infinite instead of raising
        (:func:`seqconv.series.checks.check_series`).

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
    data = check_series(data, drop_missing_labels)
    note_missing(data)
    return data


__all__ = ["TABLE_SUFFIXES", "Layout", "detect_layout", "read_series_table", "read_table"]
