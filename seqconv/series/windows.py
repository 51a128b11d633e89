"""Forecasting windows over long series, split into train/validation/test by time.

Each series' time axis is cut in three: training up to ``valid_start``, validation up to
``test_start``, test to the end (by default the last 10 % of each series is test and the 10 %
before it validation). A window is ``window`` input steps followed by ``horizon`` target steps; it
belongs to the part that holds **all** of its targets, and windows whose targets cross a boundary
are dropped. So no training target lies at or after ``valid_start`` and no validation target at or
after ``test_start``; inputs may reach back into earlier parts (that is the past, which a forecaster
is allowed to see). Validation and test windows start with their first target exactly on the
boundary, then every ``stride`` steps.

Fit normalisers and quantisers on :meth:`ForecastWindows.train_mask` only, and interpolate missing
values with :meth:`ForecastWindows.cuts` so no later value bridges a boundary.

Examples
--------
>>> import numpy as np
>>> from seqconv.series.windows import make_forecast_windows, gather_windows
>>> w = make_forecast_windows(np.array([100]), window=10, horizon=5, stride=5)
>>> w.counts()
{'train': 14, 'valid': 2, 'test': 2}
>>> x, y = gather_windows(np.arange(100.0).reshape(1, 1, 100), w, w.indices("test"))
>>> x.shape, y[0].ravel().tolist()
((2, 1, 10), [90.0, 91.0, 92.0, 93.0, 94.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from seqconv.errors import InputError

SPLITS = ("train", "valid", "test")


@dataclass
class ForecastWindows:
    """Windows over ``N`` series and the time split they follow.

    Attributes
    ----------
    window, horizon, stride
        Input steps, target steps, and steps between consecutive windows.
    series
        ``(M,)`` int64: the series each window comes from.
    start
        ``(M,)`` int64: its first input step; targets are ``start + window`` to
        ``start + window + horizon - 1``.
    assignment
        ``(M,)`` ``"train"``, ``"valid"`` or ``"test"``.
    lengths
        ``(N,)`` series lengths.
    valid_start, test_start
        ``(N,)`` int64: first validation and first test step of each series.
    valid_fraction, test_fraction
        The fractions the boundaries came from (``None`` when given as steps).
    """

    window: int
    horizon: int
    stride: int
    series: np.ndarray
    start: np.ndarray
    assignment: np.ndarray
    lengths: np.ndarray
    valid_start: np.ndarray
    test_start: np.ndarray
    valid_fraction: float | None = 0.1
    test_fraction: float | None = 0.1

    def __len__(self) -> int:
        return len(self.start)

    @property
    def target_start(self) -> np.ndarray:
        """``(M,)`` first target step of each window."""
        return self.start + self.window

    @property
    def target_end(self) -> np.ndarray:
        """``(M,)`` one past the last target step of each window."""
        return self.start + self.window + self.horizon

    def indices(self, name: str) -> np.ndarray:
        """Window indices of one split."""
        if name not in SPLITS:
            raise InputError(f"split must be one of {', '.join(SPLITS)}, not {name!r}")
        return np.flatnonzero(self.assignment == name)

    def counts(self) -> dict[str, int]:
        return {name: int((self.assignment == name).sum()) for name in SPLITS}

    def train_mask(self, length: int | None = None) -> np.ndarray:
        """``(N, length)`` bool: the training part of each series (fit statistics on this)."""
        length = int(self.lengths.max()) if length is None else length
        return np.arange(length)[None, :] < self.valid_start[:, None]

    def cuts(self) -> np.ndarray:
        """``(N, 2)`` the boundaries (for :func:`seqconv.series.normalize.fill_missing`)."""
        return np.stack([self.valid_start, self.test_start], axis=1)

    def describe(self) -> dict:
        """JSON-ready description (stored in a run's config; :meth:`from_dict` rebuilds it)."""
        common = bool(
            np.all(self.valid_start == self.valid_start[0])
            and np.all(self.test_start == self.test_start[0])
        )
        return {
            "method": "time",
            "window": self.window,
            "horizon": self.horizon,
            "stride": self.stride,
            "valid_fraction": self.valid_fraction,
            "test_fraction": self.test_fraction,
            "valid_start": int(self.valid_start[0]) if common else self.valid_start.tolist(),
            "test_start": int(self.test_start[0]) if common else self.test_start.tolist(),
            "n_series": len(self.lengths),
            "counts": self.counts(),
        }

    @classmethod
    def from_dict(cls, state: dict, lengths: np.ndarray) -> ForecastWindows:
        """Rebuild the windows of :meth:`describe` for series of these ``lengths``."""
        if state.get("method") != "time":
            raise InputError(f"not a time split: {state.get('method')!r}")
        fractions = (
            state.get("valid_fraction") is not None and state.get("test_fraction") is not None
        )
        return make_forecast_windows(
            lengths,
            state["window"],
            state["horizon"],
            state["stride"],
            state.get("valid_fraction") or 0.0,
            state.get("test_fraction") or 0.0,
            None if fractions else state["valid_start"],
            None if fractions else state["test_start"],
        )


def _starts(first: int, last: int, stride: int) -> np.ndarray:
    """``first, first + stride, …`` up to ``last`` inclusive, skipping negatives in phase."""
    if first < 0:
        first += (-first + stride - 1) // stride * stride
    if last < first:
        return np.empty(0, dtype=np.int64)
    return np.arange(first, last + 1, stride, dtype=np.int64)


def _held_out(lengths: np.ndarray, fraction: float) -> np.ndarray:
    return np.ceil(np.asarray(lengths) * fraction - 1e-9).astype(np.int64)


def make_forecast_windows(
    lengths: Sequence[int] | np.ndarray,
    window: int,
    horizon: int = 1,
    stride: int = 1,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    valid_start: int | Sequence[int] | np.ndarray | None = None,
    test_start: int | Sequence[int] | np.ndarray | None = None,
) -> ForecastWindows:
    """Windows over series of the given lengths, split by time.

    Parameters
    ----------
    lengths
        ``(N,)`` series lengths (:attr:`seqconv.series.container.SeriesData.lengths`).
    window, horizon, stride
        Input steps, target steps (the forecast), steps between windows.
    valid_fraction, test_fraction
        Fractions of each series' length held out at its end: test the last ``test_fraction``,
        validation the ``valid_fraction`` before it (rounded up to whole steps).
    valid_start, test_start
        Instead of fractions: the first validation and test step, one number for all series
        (series aligned on a common time axis) or one per series.

    Returns
    -------
    ForecastWindows
    """
    lengths = np.asarray(lengths, dtype=np.int64).reshape(-1)
    for name, v in (("window", window), ("horizon", horizon), ("stride", stride)):
        if int(v) != v or v < 1:
            raise InputError(f"{name} must be a positive whole number of steps, not {v!r}")
    window, horizon, stride = int(window), int(horizon), int(stride)
    if (valid_start is None) != (test_start is None):
        raise InputError("give both the validation and the test start, or neither")
    if valid_start is None:
        if not (
            0 <= valid_fraction < 1
            and 0 <= test_fraction < 1
            and valid_fraction + test_fraction < 1
        ):
            raise InputError("validation and test fractions must be in [0, 1) and sum below 1")
        test_at = lengths - _held_out(lengths, test_fraction)
        valid_at = test_at - _held_out(lengths, valid_fraction)
        fractions: tuple[float | None, float | None] = (float(valid_fraction), float(test_fraction))
    else:
        valid_at = np.broadcast_to(np.asarray(valid_start, dtype=np.int64), lengths.shape).copy()
        test_at = np.broadcast_to(np.asarray(test_start, dtype=np.int64), lengths.shape).copy()
        if np.any(valid_at > test_at) or np.any(valid_at < 0):
            raise InputError("the validation start must lie at or before the test start, and >= 0")
        test_at = np.minimum(test_at, lengths)
        valid_at = np.minimum(valid_at, test_at)
        fractions = (None, None)
    span = window + horizon
    series, starts, parts = [], [], []
    for i, length in enumerate(lengths.tolist()):
        v, t = int(valid_at[i]), int(test_at[i])
        for name, first, last in (
            ("train", 0, v - span),
            ("valid", v - window, t - span),
            ("test", t - window, length - span),
        ):
            s = _starts(first, last, stride)
            series.append(np.full(len(s), i, dtype=np.int64))
            starts.append(s)
            parts.append(np.full(len(s), name))
    result = ForecastWindows(
        window,
        horizon,
        stride,
        np.concatenate(series),
        np.concatenate(starts),
        np.concatenate(parts).astype(str),
        lengths,
        valid_at.astype(np.int64),
        test_at.astype(np.int64),
        *fractions,
    )
    if result.counts()["train"] == 0:
        raise InputError(
            f"no training windows: series of lengths {int(lengths.min())}–{int(lengths.max())} "
            f"leave too few training steps for window {window} + horizon {horizon}; shorten the "
            "window or horizon, or hold out less"
        )
    return result


def gather_windows(
    values: np.ndarray | torch.Tensor,
    windows: ForecastWindows,
    index: np.ndarray | Sequence[int] | None = None,
    target_channels: Sequence[int] | None = None,
) -> tuple[np.ndarray | torch.Tensor, np.ndarray | torch.Tensor]:
    """Cut windows out of the series (numpy, or torch on its device, e.g. one batch at a time).

    Parameters
    ----------
    values
        ``(N, C, L)`` the encoded series.
    windows
        From :func:`make_forecast_windows`.
    index
        Which windows (e.g. ``windows.indices("train")`` or one batch of them); ``None``: all.
    target_channels
        Channels to forecast; ``None``: all.

    Returns
    -------
    x, y
        ``(M, C, window)`` inputs and ``(M, C_target, horizon)`` targets.
    """
    index = np.arange(len(windows)) if index is None else np.asarray(index, dtype=np.int64)
    steps = windows.start[index][:, None] + np.arange(windows.window + windows.horizon)[None, :]
    rows = windows.series[index][:, None]
    if isinstance(values, torch.Tensor):
        rows_t = torch.as_tensor(rows, device=values.device)
        steps_t = torch.as_tensor(steps, device=values.device)
        block = values.swapaxes(1, 2)[rows_t, steps_t].swapaxes(1, 2)
    else:
        block = np.asarray(values).swapaxes(1, 2)[rows, steps].swapaxes(1, 2)
    x = block[:, :, : windows.window]
    y = block[:, :, windows.window :]
    if target_channels is not None:
        y = y[:, list(target_channels)]
    return x, y
