"""Time axes: time stamps as numbers or dates, and series put on a regular time grid.

One series' stamps are ``(L,)`` float64 or datetime64[ns], strictly increasing, and its values
``(C, L)`` (one row of the ``(N, C, L)`` values of :class:`~seqconv.series.container.SeriesData`).
:func:`regular_grid` inserts ``NaN`` (missing) where a step is absent; dates on one day of the
month (or month ends) step by calendar months.

Examples
--------
>>> import numpy as np
>>> from seqconv.series.timegrid import parse_times, regular_grid
>>> times = parse_times(["0", "2", "3", "5"], "example")
>>> grid, values, inserted = regular_grid(times, np.array([[1.0, 2.0, 3.0, 4.0]]))
>>> grid.tolist(), values.tolist(), inserted
([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [[1.0, nan, 2.0, 3.0, nan, 4.0]], 2)
>>> months = parse_times(["2024-01-31", "2024-02-29", "2024-04-30"], "example")
>>> grid, values, inserted = regular_grid(months, np.array([[1.0, 2.0, 4.0]]))
>>> [str(t)[:10] for t in grid], inserted
(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30'], 1)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqconv.errors import InputError


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


def regularise(
    ids: list[str],
    arrays: list[np.ndarray],
    times: list[np.ndarray],
    source: str,
    notes: list[str],
    fill_gaps: bool,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Check that each series' stamps increase; with ``fill_gaps``, put it on a regular grid.

    ``arrays`` are ``(C, L_i)`` and ``times`` their ``(L_i,)`` stamps; both lists are updated in
    place (:func:`regular_grid`) and returned. What was filled is added to ``notes``.
    """
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


__all__ = ["parse_times", "regular_grid", "regularise"]
