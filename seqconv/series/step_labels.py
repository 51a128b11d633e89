"""Series with a 0/1 label per time step (``seqconv train --series --task segment``).

The table is a **steps** table of several series: a row per time step, an ``id`` column naming
the series (absent: the whole table is one series), optionally a time column (``time``, ``date``,
``datetime``, ``timestamp`` or ``ds``; rows are sorted by it within each series, else kept in
file order), the label column(s) named by ``target`` and one numeric column per input channel::

    id,time,x,y,event
    s1,0,0.12,-0.40,0
    s1,1,0.93,0.71,1

A label cell holds 0 or 1; an empty cell counts as 0. Series of unequal length are padded after
their end (values ``NaN`` as in :class:`~seqconv.series.container.SeriesData`, labels 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.errors import InputError
from seqconv.series.checks import check_series
from seqconv.series.container import SeriesData, note_missing, pack_series
from seqconv.series.tables import _TIME_COLUMNS, _find_column, _numeric, read_table
from seqconv.series.timegrid import parse_times


def read_step_labels(
    path: str | Path, target: Sequence[str], required: bool = True, id_column: str = "id"
) -> tuple[SeriesData, np.ndarray | None, list[str]]:
    """Series and their per-step labels from a steps table (module docstring).

    Parameters
    ----------
    target
        The label column(s).
    required
        Refuse a table without them; otherwise (prediction input) read it without labels.

    Returns
    -------
    tuple
        The series; ``(N, K, L)`` uint8 labels (``None`` when absent and not ``required``); the
        label columns as found in the table.
    """
    source = str(path)
    table = read_table(path)
    label_cols = [_find_column(table, name) for name in target]
    if None in label_cols:
        if required or any(c is not None for c in label_cols):
            missing = [n for n, c in zip(target, label_cols, strict=True) if c is None]
            raise InputError(
                f"{source}: no label column {', '.join(map(repr, missing))} (columns: "
                f"{', '.join(list(table.columns)[:12])}); --target names the per-step 0/1 "
                "label column(s)"
            )
        label_cols = []
    id_col = _find_column(table, id_column)
    time_col = next((c for c in (_find_column(table, n) for n in ("time", *_TIME_COLUMNS)) if c),
                    None)  # fmt: skip
    channels = [c for c in table.columns if c not in (id_col, time_col, *label_cols)]
    if not channels:
        raise InputError(f"{source}: no input channel columns besides id, time and the labels")
    ids = (table[id_col].astype(str).str.strip() if id_col
           else pd.Series([Path(source).name.split(".")[0] or "series"] * len(table)))  # fmt: skip
    order_of_id = pd.Index(pd.unique(ids)).get_indexer(ids)
    keys = [order_of_id]
    if time_col is not None:
        keys.insert(0, parse_times(table[time_col], f"{source}, column {time_col!r}"))
    order = np.lexsort(keys)  # by series (first appearance), then time; stable
    table = table.iloc[order].reset_index(drop=True)
    ids, order_of_id = ids.iloc[order].reset_index(drop=True), order_of_id[order]
    rows = [f"{i} (line {order[k] + 2})" for k, i in enumerate(ids)]
    values = _numeric(table[channels], source, rows, "series")
    labels = _labels(table, label_cols, source, ids, order) if label_cols else None
    bounds = np.flatnonzero(np.diff(order_of_id)) + 1
    arrays = [block.T.copy() for block in np.split(values, bounds)]
    packed, lengths = pack_series(arrays)
    names = pd.unique(ids).tolist()
    data = SeriesData(names, packed, lengths, channels, None, None, [], [], None, source, [])
    out = None
    if labels is not None:
        out = np.zeros((len(names), len(label_cols), packed.shape[2]), dtype=np.uint8)
        for n, block in enumerate(np.split(labels, bounds)):
            out[n, :, : block.shape[0]] = block.T
    note_missing(data)
    check_series(data)
    if out is not None and required:
        empty = [c for k, c in enumerate(label_cols) if not out[:, k].any()]
        if empty:
            raise InputError(
                f"{source}: label column(s) {', '.join(map(repr, empty))} hold no 1 in any of "
                f"{len(names)} series: there is nothing to find; check --target, or give series "
                "with events"
            )
    return data, out, label_cols


def _labels(
    table: pd.DataFrame, columns: list[str], source: str, ids: pd.Series, order: np.ndarray
) -> np.ndarray:
    """``(rows, K)`` uint8 labels; anything but 0, 1 or empty is an error naming the line."""
    out = np.zeros((len(table), len(columns)), dtype=np.uint8)
    for j, column in enumerate(columns):
        cells = table[column]
        numbers = pd.to_numeric(cells, errors="coerce")
        empty = cells.isna() | (cells.astype(str).str.strip() == "")
        bad = ~empty & ~numbers.isin([0, 1])
        if bad.any():
            k = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{source}: line {int(order[k]) + 2} (series {ids.iloc[k]!r}) holds "
                f"{str(cells.iloc[k]).strip()!r} in label column {column!r}; per-step labels "
                "are 0 or 1 (an empty cell counts as 0)"
            )
        out[:, j] = numbers.fillna(0).to_numpy().astype(np.uint8)
    return out
