"""Time-series values into model input: z-normalisation and missing values.

Arrays follow :class:`seqconv.series.container.SeriesData`: ``(N, C, L)`` with ``NaN`` for
missing values and for the padding after each series. The order is normalise, then fill:
statistics skip ``NaN``, and ``"zero"`` then means "the mean" (of the series or of the training
data).

Related encoders live in modules of their own:

* :mod:`seqconv.series.quantize` — mu-law companding to levels, one-hot ``(N, Q, L)``;
* :mod:`seqconv.series.windows` — forecasting windows with train/validation/test split by time;
* :mod:`seqconv.series.masks` — padding to a common length and the mask of real steps.

Examples
--------
>>> import numpy as np
>>> from seqconv.series.normalize import Normalizer, fill_missing
>>> values = np.array([[[1.0, 2.0, np.nan, 4.0]]], dtype=np.float32)
>>> norm = Normalizer.fit(values, mode="channel")
>>> z, loc, scale = norm.transform(values)
>>> filled, report = fill_missing(z, policy="ffill")
>>> report.total
1
>>> Normalizer.from_dict(norm.to_dict()).mean.tolist()
[2.3333332538604736]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from seqconv.errors import InputError
from seqconv.series.masks import lengths_mask, pad_series

NormMode = Literal["series", "channel", "none"]
NORM_MODES: tuple[str, ...] = ("series", "channel", "none")
MissingPolicy = Literal["zero", "ffill", "interpolate", "error"]
MISSING_POLICIES: tuple[str, ...] = ("zero", "ffill", "interpolate", "error")


def _nan_stats(values: np.ndarray, axes: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation over ``axes``, skipping NaN (0 and 1 where nothing is seen)."""
    seen = ~np.isnan(values)
    count = seen.sum(axis=axes, keepdims=True)
    safe = np.where(seen, values, 0.0).astype(np.float64)
    mean = safe.sum(axis=axes, keepdims=True) / np.maximum(count, 1)
    var = (np.where(seen, (safe - mean) ** 2, 0.0)).sum(axis=axes, keepdims=True)
    std = np.sqrt(var / np.maximum(count, 1))
    return mean, std


@dataclass
class Normalizer:
    """z-normalisation: per series, or per channel with statistics fitted on training data.

    Attributes
    ----------
    mode
        ``"series"``: each channel of each series by its own mean and standard deviation (the
        UCR convention; nothing is fitted, so nothing from other series leaks in). ``"channel"``:
        each channel by the mean and standard deviation of the training data (:meth:`fit`).
        ``"none"``: values pass through.
    mean, std
        ``(C,)`` float32 statistics (``"channel"`` mode), else ``None``.
    channels
        Channel names the statistics belong to.
    eps
        A standard deviation below ``eps`` (a constant series or channel) scales by 1 instead.
    fitted_on
        How many series and steps the statistics came from.
    """

    mode: str = "series"
    mean: np.ndarray | None = None
    std: np.ndarray | None = None
    channels: list[str] = field(default_factory=list)
    eps: float = 1e-8
    fitted_on: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mode not in NORM_MODES:
            raise InputError(
                f"normalisation must be one of {', '.join(NORM_MODES)}, not {self.mode!r}"
            )
        if self.mode == "channel" and (self.mean is None or self.std is None):
            raise InputError("a 'channel' normaliser needs fitted statistics: use Normalizer.fit")

    @classmethod
    def fit(
        cls,
        values: np.ndarray,
        mode: str = "channel",
        mask: np.ndarray | None = None,
        channels: Sequence[str] | None = None,
        eps: float = 1e-8,
    ) -> Normalizer:
        """Fit on training data.

        Parameters
        ----------
        values
            ``(N, C, L)`` training series only (``NaN`` missing or padding).
        mode
            See the class attributes.
        mask
            ``(N, L)`` bool: only these steps count (e.g. the training part of each series'
            time axis in forecasting); ``None`` uses every non-``NaN`` value.
        channels
            Channel names (checked again at transform time by the caller).
        """
        values = np.asarray(values, dtype=np.float32)
        names = list(channels) if channels is not None else [str(i) for i in range(values.shape[1])]
        if mode != "channel":
            return cls(mode, None, None, names, eps)
        if mask is not None:
            values = np.where(np.asarray(mask, dtype=bool)[:, None, :], values, np.nan)
        mean, std = _nan_stats(values, (0, 2))
        steps = int((~np.isnan(values)).any(axis=1).sum())
        return cls(
            "channel",
            mean.reshape(-1).astype(np.float32),
            std.reshape(-1).astype(np.float32),
            names,
            eps,
            {"series": int(values.shape[0]), "steps": steps},
        )

    def statistics(
        self, values: np.ndarray, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The location and scale that :meth:`transform` uses, each ``(N, C, 1)`` float32.

        ``mask`` (``(N, L)`` bool) restricts the steps ``"series"`` statistics come from (in
        forecasting: the input window, never the targets).
        """
        values = np.asarray(values, dtype=np.float32)
        n, c = values.shape[:2]
        if self.mode == "none":
            return np.zeros((n, c, 1), np.float32), np.ones((n, c, 1), np.float32)
        if self.mode == "channel":
            if len(self.mean) != c:
                raise InputError(
                    f"the normaliser was fitted on {len(self.mean)} channels, the data has {c}"
                )
            loc = np.broadcast_to(self.mean.reshape(1, c, 1), (n, c, 1))
            scale = np.broadcast_to(self.std.reshape(1, c, 1), (n, c, 1))
        else:
            if mask is not None:
                values = np.where(np.asarray(mask, dtype=bool)[:, None, :], values, np.nan)
            loc, scale = _nan_stats(values, (2,))
        scale = np.where(scale < self.eps, 1.0, scale)
        return loc.astype(np.float32), scale.astype(np.float32)

    def transform(
        self, values: np.ndarray, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Normalise ``(N, C, L)`` values; ``NaN`` stays ``NaN``.

        Returns
        -------
        normalised, loc, scale
            ``(N, C, L)`` float32 and the ``(N, C, 1)`` statistics used, so that
            ``values == normalised * scale + loc`` (:meth:`inverse`).
        """
        loc, scale = self.statistics(values, mask)
        out = (np.asarray(values, dtype=np.float32) - loc) / scale
        return out.astype(np.float32, copy=False), loc, scale

    @staticmethod
    def inverse(values: np.ndarray, loc: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """Back to the original units: ``values * scale + loc`` (e.g. for forecasts)."""
        return (np.asarray(values, dtype=np.float32) * scale + loc).astype(np.float32)

    def to_dict(self) -> dict:
        """JSON-ready state (stored in a run's ``config.json``)."""
        return {
            "mode": self.mode,
            "channels": list(self.channels),
            "mean": None if self.mean is None else [float(v) for v in self.mean],
            "std": None if self.std is None else [float(v) for v in self.std],
            "eps": self.eps,
            "fitted_on": dict(self.fitted_on),
        }

    @classmethod
    def from_dict(cls, state: dict) -> Normalizer:
        mean, std = state.get("mean"), state.get("std")
        return cls(
            state["mode"],
            None if mean is None else np.asarray(mean, dtype=np.float32),
            None if std is None else np.asarray(std, dtype=np.float32),
            list(state.get("channels", [])),
            float(state.get("eps", 1e-8)),
            dict(state.get("fitted_on", {})),
        )


@dataclass
class MissingReport:
    """Missing values found (padding excluded), and what was done about them.

    Attributes
    ----------
    total
        Missing values.
    per_channel
        Missing values per channel index.
    series
        Series with at least one missing value.
    empty
        (series, channel) pairs with no value at all (filled with 0, the mean after
        normalisation).
    policy
        The policy applied.
    """

    total: int
    per_channel: list[int]
    series: int
    empty: int
    policy: str

    def to_dict(self) -> dict:
        return {
            "total": self.total,
            "per_channel": list(self.per_channel),
            "series": self.series,
            "empty": self.empty,
            "policy": self.policy,
        }

    def describe(self, channels: Sequence[str] | None = None) -> str:
        """One line for the user (``""`` when nothing was missing)."""
        if not self.total:
            return ""
        names = channels or [str(i) for i in range(len(self.per_channel))]
        per = ", ".join(f"{n}: {k}" for n, k in zip(names, self.per_channel, strict=True) if k)
        action = {"zero": "set to 0", "ffill": "filled forward", "interpolate": "interpolated"}
        return (
            f"{self.total} missing values in {self.series} series ({per}); "
            f"{action.get(self.policy, self.policy)}"
        )


def _ffill_row(row: np.ndarray) -> np.ndarray:
    seen = ~np.isnan(row)
    index = np.where(seen, np.arange(len(row)), 0)
    np.maximum.accumulate(index, out=index)
    out = row[index]
    first = np.argmax(seen)
    out[:first] = row[first]  # back fill the start
    return out


def _interpolate_row(row: np.ndarray, cuts: Sequence[int]) -> np.ndarray:
    out = row.copy()
    bounds = [0, *[c for c in cuts if 0 < c < len(row)], len(row)]
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        part = row[lo:hi]
        seen = ~np.isnan(part)
        if not seen.any() or seen.all():
            continue
        steps = np.arange(hi - lo)
        out[lo:hi] = np.interp(steps, steps[seen], part[seen])  # edges: nearest value
    return out


def fill_missing(
    values: np.ndarray,
    lengths: np.ndarray | None = None,
    policy: str = "zero",
    ids: Sequence[str] | None = None,
    source: str = "",
    cuts: np.ndarray | None = None,
) -> tuple[np.ndarray, MissingReport]:
    """Fill missing values inside each series; the padding after ``lengths`` stays ``NaN``.

    Parameters
    ----------
    values
        ``(N, C, L)`` float, normalised already (``"zero"`` then fills with the mean).
    lengths
        ``(N,)``; ``None``: every series fills the whole axis.
    policy
        ``"zero"``; ``"ffill"`` (forward fill, then back fill the start; causal except there);
        ``"interpolate"`` (linear between neighbours, nearest value at the ends); ``"error"``
        (stop, naming the first missing value). A (series, channel) with no value at all
        becomes 0.
    ids, source
        Name series and file in messages.
    cuts
        ``(N, K)`` step indices (e.g. a forecasting split's validation and test starts) that
        ``"interpolate"`` does not bridge, so that no later value fills an earlier gap across a
        split boundary.

    Returns
    -------
    filled, report
        ``(N, C, L)`` float32 and a :class:`MissingReport`.
    """
    if policy not in MISSING_POLICIES:
        raise InputError(f"missing-value policy must be one of {', '.join(MISSING_POLICIES)}")
    values = np.array(values, dtype=np.float32, copy=True)
    n, c, length = values.shape
    lengths = np.full(n, length) if lengths is None else np.asarray(lengths)
    inside = np.arange(length)[None, :] < lengths[:, None]
    missing = np.isnan(values) & inside[:, None, :]
    counts = missing.sum(axis=(0, 2))
    per_series = missing.any(axis=(1, 2))
    empty_pairs = missing.sum(axis=2) == lengths[:, None]
    empty_pairs &= lengths[:, None] > 0
    report = MissingReport(
        int(counts.sum()), counts.tolist(), int(per_series.sum()), int(empty_pairs.sum()), policy
    )
    if not report.total:
        return values, report
    if policy == "error":
        i, ch, t = (int(v[0]) for v in np.nonzero(missing))
        name = f"series {ids[i]!r}" if ids is not None else f"series #{i + 1}"
        raise InputError(
            f"{source + ': ' if source else ''}{name} has a missing value at step {t + 1} "
            f"(channel {ch + 1}; {report.total} missing in all); choose a missing-value policy "
            "(zero, ffill or interpolate) or fix the data"
        )
    if policy == "zero":
        values[missing] = 0.0
        return values, report
    for i in np.flatnonzero(per_series):
        end = int(lengths[i])
        for ch in np.flatnonzero(missing[i].any(axis=1)):
            row = values[i, ch, :end]
            if np.isnan(row).all():
                values[i, ch, :end] = 0.0
            elif policy == "ffill":
                values[i, ch, :end] = _ffill_row(row)
            else:
                row_cuts = [] if cuts is None else np.asarray(cuts)[i].tolist()
                values[i, ch, :end] = _interpolate_row(row, row_cuts)
    return values, report


@dataclass
class EncodedSeries:
    """Model input from :func:`encode_values`.

    Attributes
    ----------
    x
        ``(N, C, L)`` float32, normalised, filled, padded with 0.
    mask
        ``(N, L)`` bool, True on real steps.
    loc, scale
        ``(N, C, 1)`` normalisation statistics (to invert forecasts).
    missing
        What was missing and how it was filled.
    """

    x: np.ndarray
    mask: np.ndarray
    loc: np.ndarray
    scale: np.ndarray
    missing: MissingReport


def encode_values(
    values: np.ndarray,
    lengths: np.ndarray,
    normalizer: Normalizer,
    missing: str = "zero",
    length: int | None = None,
    side: str = "right",
    ids: Sequence[str] | None = None,
    source: str = "",
) -> EncodedSeries:
    """Normalise, fill and pad series for a classifier or regressor.

    Not for forecasting: per-series statistics of a whole series would carry the future into its
    past. There, fit a ``"channel"`` normaliser on :meth:`ForecastWindows.train_mask`, or
    normalise each window by its inputs alone (``z, loc, scale = norm.transform(x)``, targets
    ``(y - loc) / scale``, forecasts back with :meth:`Normalizer.inverse`).

    Parameters
    ----------
    values, lengths
        ``(N, C, L)`` with ``NaN`` padding and ``(N,)``, as in
        :class:`~seqconv.series.container.SeriesData`.
    normalizer
        A fitted :class:`Normalizer` (``"series"`` needs no fitting).
    missing
        The missing-value policy (:func:`fill_missing`).
    length, side
        Pad (or trim) to ``length`` on the right, or on the left for causal models
        (:func:`~seqconv.series.masks.pad_series`).

    Returns
    -------
    EncodedSeries
    """
    inside = lengths_mask(lengths, values.shape[2])
    normalised, loc, scale = normalizer.transform(values, inside)
    filled, report = fill_missing(normalised, lengths, missing, ids, source)
    x, mask = pad_series(filled, lengths, length, side)
    return EncodedSeries(x, mask, loc, scale, report)


__all__ = [
    "MISSING_POLICIES",
    "NORM_MODES",
    "EncodedSeries",
    "MissingReport",
    "Normalizer",
    "encode_values",
    "fill_missing",
]
