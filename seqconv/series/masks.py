"""Unequal lengths: pad series to one length and keep a mask of their real steps.

A batch of series of lengths ``l_i`` is padded to one length ``L`` (on the right, or on the left for
causal models, whose last output must see the last real step): values ``(N, C, L)`` and a mask
``(N, L)`` that is True on real steps. The model keeps the padding out of its output with the
hooks of :func:`seqconv.models.masking.enable_masks`. With left padding and strided layers, pad to
a multiple of the total stride (``multiple_of``) so that the series always starts at the same
phase of the stride.

Examples
--------
>>> import numpy as np
>>> from seqconv.series.masks import pad_series
>>> values = np.array([[[1.0, 2.0, np.nan]], [[3.0, 4.0, 5.0]]], dtype=np.float32)
>>> x, mask = pad_series(values, np.array([2, 3]), length=5)
>>> x[:, 0].tolist(), mask.sum(axis=1).tolist()
([[1.0, 2.0, 0.0, 0.0, 0.0], [3.0, 4.0, 5.0, 0.0, 0.0]], [2, 3])
>>> pad_series(values, np.array([2, 3]), length=4, side="left")[0][:, 0].tolist()
[[0.0, 0.0, 1.0, 2.0], [0.0, 3.0, 4.0, 5.0]]
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from seqconv.errors import InputError

Side = Literal["right", "left"]


def lengths_mask(lengths: np.ndarray, length: int, side: str = "right") -> np.ndarray:
    """``(N, length)`` bool, True on the real steps of each series.

    ``"right"``: series start at step 0; ``"left"``: series end at the last step.
    """
    lengths = np.minimum(np.asarray(lengths), length)
    steps = np.arange(length)[None, :]
    if side == "right":
        return steps < lengths[:, None]
    if side == "left":
        return steps >= length - lengths[:, None]
    raise InputError(f"padding side must be 'right' or 'left', not {side!r}")


def pad_series(
    values: np.ndarray,
    lengths: np.ndarray | None = None,
    length: int | None = None,
    side: str = "right",
    value: float = 0.0,
    multiple_of: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Pad (or trim) series to one length and return them with their mask.

    Parameters
    ----------
    values
        ``(N, C, L)``: series ``i`` is ``values[i, :, :lengths[i]]`` (right-padded, as
        :class:`~seqconv.series.container.SeriesData` stores it), missing values filled already.
    lengths
        ``(N,)``; ``None``: every series is ``L`` long.
    length
        Target length; ``None``: the longest series. A longer series is trimmed: ``"right"``
        keeps its start, ``"left"`` its end (the most recent steps, for causal models).
    side
        ``"right"`` pads after the series, ``"left"`` before it (causal models).
    value
        The padding value.
    multiple_of
        Round the target length up to a multiple of this (the total stride of a model).

    Returns
    -------
    x, mask
        ``(N, C, length)`` float32 and ``(N, length)`` bool (True on real steps).
    """
    values = np.asarray(values)
    n, c, width = values.shape
    lengths = np.full(n, width, dtype=np.int64) if lengths is None else np.asarray(lengths)
    if length is None:
        length = int(lengths.max()) if n else 0
    if length < 1:
        raise InputError(f"cannot pad to length {length}")
    length = -(-length // multiple_of) * multiple_of
    kept = np.minimum(lengths, length)
    inside = np.arange(width)[None, :] < lengths[:, None]
    if np.isnan(values).any() and (np.isnan(values) & inside[:, None, :]).any():
        raise InputError(
            "series still hold missing values (NaN): fill them first (fill_missing, policy zero, "
            "ffill or interpolate)"
        )
    out = np.full((n, c, length), value, dtype=np.float32)
    mask = lengths_mask(kept, length, side)
    for k in np.unique(kept):
        rows = np.flatnonzero(kept == k)
        k = int(k)
        if k == 0:
            continue
        src = (
            values[rows, :, :k] if side == "right" else _last_steps(values[rows], lengths[rows], k)
        )
        if side == "right":
            out[rows, :, :k] = src
        else:
            out[rows, :, length - k :] = src
    return out, mask


def _last_steps(values: np.ndarray, lengths: np.ndarray, k: int) -> np.ndarray:
    """The last ``k`` real steps of each right-padded series."""
    index = (lengths - k)[:, None] + np.arange(k)[None, :]
    return np.take_along_axis(values, index[:, None, :].repeat(values.shape[1], axis=1), axis=2)


__all__ = ["lengths_mask", "pad_series"]
