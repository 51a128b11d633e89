"""Checks every series reader applies to what it read: labels that are missing, values that are
infinite, series with no value at all. Each is an :class:`~seqconv.errors.InputError` naming the
series; series without a usable label may be dropped instead (``drop_missing_labels``)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from seqconv.errors import InputError
from seqconv.series.container import SeriesData

_SHOWN = 5
_MISSING_WORDS = {"", "?", "na", "nan"}


def name_some(ids: Sequence[str], shown: int = _SHOWN) -> str:
    """``'a', 'b', 'c'`` or ``'a', 'b', … (12 in all)``: the first few ids and the count."""
    head = ", ".join(repr(i) for i in ids[:shown])
    return head if len(ids) <= shown else f"{head}, … ({len(ids)} in all)"


def _count(ids: Sequence[str], one: str = "has", many: str = "have") -> str:
    return f"{len(ids)} series {one if len(ids) == 1 else many}"


def is_missing_label(value: str) -> bool:
    """True for an empty label, ``?``, ``NA``, ``NaN`` or an infinite number."""
    text = value.strip()
    if text.lower() in _MISSING_WORDS:
        return True
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def missing_labels(data: SeriesData) -> np.ndarray:
    """``(N,)`` bool: the series whose label (or one of whose targets) is missing."""
    if data.labels is None:
        return np.zeros(len(data), dtype=bool)
    declared = set(data.class_names)
    several = len(data.label_names) > 1
    out = np.zeros(len(data), dtype=bool)
    for i, label in enumerate(data.labels):
        if label in declared:
            continue
        parts = label.split(",") if several else [label]
        out[i] = any(is_missing_label(p) for p in parts)
    return out


def check_series(data: SeriesData, drop_missing_labels: bool = False) -> SeriesData:
    """Raise for unusable series, or drop those without a label when asked to.

    Parameters
    ----------
    data
        What a reader read.
    drop_missing_labels
        Drop series whose label is empty, ``NaN``/``?`` or infinite (with a note) instead of
        raising.

    Returns
    -------
    SeriesData
        ``data``, or the series that have labels.

    Raises
    ------
    InputError
        Series with missing labels (unless dropped), with infinite values, or with every value
        missing; the message names the first few series and the count.
    """
    source = data.source or "the series"
    missing = missing_labels(data)
    if missing.any():
        ids = [data.ids[i] for i in np.flatnonzero(missing)]
        if not drop_missing_labels:
            where = f" in {', '.join(map(repr, data.label_names))}" if data.label_names else ""
            raise InputError(
                f"{source}: {_count(ids)} no usable label{where} (empty, NaN or infinite): "
                f"{name_some(ids)}; drop them with --drop-missing-labels or fix the file"
            )
        if missing.all():
            raise InputError(f"{source}: no series has a usable label; nothing is left to train on")
        notes = list(data.notes)
        data = data.subset(np.flatnonzero(~missing))
        data.notes = [
            *notes,
            f"{source}: dropped {len(ids)} series with missing labels: {name_some(ids)}",
        ]
    inside = data.mask()[:, None, :]
    infinite = (np.isinf(data.values) & inside).any(axis=(1, 2))
    if infinite.any():
        ids = [data.ids[i] for i in np.flatnonzero(infinite)]
        i = int(np.flatnonzero(infinite)[0])
        channel, step = np.argwhere(np.isinf(data.values[i]))[0]
        raise InputError(
            f"{source}: {_count(ids, 'holds', 'hold')} infinite values: {name_some(ids)} (the "
            f"first in channel {data.channels[channel]!r} at step {step + 1}); write a "
            "missing value (empty, ? or NaN) or a number instead"
        )
    observed = (~np.isnan(data.values) & inside).any(axis=(1, 2))
    if not observed.all():
        ids = [data.ids[i] for i in np.flatnonzero(~observed)]
        raise InputError(
            f"{source}: {_count(ids)} every value missing: {name_some(ids)}; no "
            "--missing policy can fill them; remove them from the file"
        )
    return data


__all__ = ["check_series", "is_missing_label", "missing_labels", "name_some"]
