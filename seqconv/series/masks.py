"""Unequal lengths: pad to a common length, keep a mask, and pool only over real steps.

A batch of series of lengths ``l_i`` is padded to one length ``L`` (on the right, or on the left for
causal models, whose last output must see the last real step) with a mask ``(N, L)`` that is True
on real steps. For padding to change nothing, a model

1. multiplies its activations by the mask after every layer (:func:`apply_mask`), so that a padded
   step holds exactly the zero a convolution's own zero padding would supply;
2. follows the mask through strided or pooling layers (:func:`downsample_mask`,
   :func:`module_mask`), which keeps the output steps that exist when the series is run alone;
3. pools with :func:`masked_mean_pool` / :func:`masked_max_pool`.

With right padding the output for each series then equals its output when run unpadded. With left
padding and strided layers, pad to a multiple of the total stride (``multiple_of``) so that the
series always starts at the same phase of the stride. Batch normalisation in training mode still
averages over padded steps; in evaluation mode it is a per-channel affine map and harmless.

Examples
--------
>>> import numpy as np, torch
>>> from seqconv.series.masks import pad_series, masked_mean_pool
>>> values = np.array([[[1.0, 2.0, np.nan]], [[3.0, 4.0, 5.0]]], dtype=np.float32)
>>> x, mask = pad_series(values, np.array([2, 3]), length=5)
>>> masked_mean_pool(torch.from_numpy(x), torch.from_numpy(mask)).tolist()
[[1.5], [4.0]]
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch
from torch import nn

from seqconv.errors import InputError

Side = Literal["right", "left"]
Padding = int | tuple[int, int] | str


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
        :class:`~seqconv.series.data.SeriesData` stores it), missing values filled already.
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


def apply_mask(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Zero the padded steps: ``x`` ``(N, C, L)`` times mask ``(N, L)``."""
    return x * mask.unsqueeze(1).to(x.dtype)


def masked_mean_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over the real steps: ``(N, C, L)``, ``(N, L)`` bool → ``(N, C)`` (0 without any)."""
    m = mask.unsqueeze(1).to(x.dtype)
    return (x * m).sum(dim=2) / m.sum(dim=2).clamp_min(1.0)


def masked_max_pool(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Maximum over the real steps: ``(N, C, L)``, ``(N, L)`` bool → ``(N, C)`` (0 without any)."""
    m = mask.unsqueeze(1)
    out = x.masked_fill(~m, float("-inf")).amax(dim=2)
    return torch.where(mask.any(dim=1, keepdim=True), out, torch.zeros_like(out))


def _padding_pair(padding: Padding, kernel_size: int, dilation: int) -> tuple[int, int]:
    span = dilation * (kernel_size - 1)
    if isinstance(padding, str):
        if padding == "same":
            return span // 2, span - span // 2  # as torch.nn.Conv1d(padding="same")
        if padding == "valid":
            return 0, 0
        if padding == "causal":
            return span, 0
        raise InputError("padding must be an int, (left, right), 'same', 'valid' or 'causal'")
    if isinstance(padding, int):
        return padding, padding
    left, right = padding
    return int(left), int(right)


def downsample_mask(
    mask: torch.Tensor,
    kernel_size: int,
    stride: int = 1,
    padding: Padding = 0,
    dilation: int = 1,
) -> torch.Tensor:
    """The mask at the output of a convolution or pooling layer.

    An output step is real when its window lies within the series extended by the layer's own
    padding: exactly the steps the layer produces when the series is run alone (right padding).
    ``"same"`` and ``"causal"`` stride-1 layers keep the mask as it is.

    Parameters
    ----------
    mask
        ``(N, L)`` bool; each row's True steps are contiguous.
    kernel_size, stride, padding, dilation
        The layer's; ``padding`` is an int (both sides), ``(left, right)``, ``"same"``,
        ``"valid"`` or ``"causal"`` (``dilation * (kernel_size - 1)`` on the left).

    Returns
    -------
    torch.Tensor
        ``(N, L_out)`` bool, ``L_out`` the layer's output length.
    """
    left, right = _padding_pair(padding, kernel_size, dilation)
    span = dilation * (kernel_size - 1)
    n, length = mask.shape
    out_len = (length + left + right - span - 1) // stride + 1
    if out_len < 1:
        raise InputError(f"input length {length} is shorter than the layer's window ({span + 1})")
    m = mask.bool()
    has = m.any(dim=1)
    first = torch.argmax(m.to(torch.int32), dim=1)
    end = length - torch.argmax(m.flip(1).to(torch.int32), dim=1)
    start = torch.arange(out_len, device=mask.device) * stride - left
    valid = (start[None, :] >= (first - left)[:, None]) & (
        (start + span)[None, :] <= (end - 1 + right)[:, None]
    )
    return valid & has[:, None]


def module_mask(mask: torch.Tensor, module: nn.Module) -> torch.Tensor:
    """:func:`downsample_mask` with the settings of a ``Conv1d``, ``MaxPool1d`` or ``AvgPool1d``.

    Layers that keep the length (activations, normalisation, dropout) return the mask unchanged.
    """
    if isinstance(module, nn.Conv1d):
        padding = module.padding if isinstance(module.padding, str) else module.padding[0]
        return downsample_mask(
            mask, module.kernel_size[0], module.stride[0], padding, module.dilation[0]
        )
    if isinstance(module, (nn.MaxPool1d, nn.AvgPool1d)):
        if getattr(module, "ceil_mode", False):
            raise InputError("masks do not follow ceil_mode pooling; use ceil_mode=False")
        k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
        s = module.stride if isinstance(module.stride, int) else module.stride[0]
        p = module.padding if isinstance(module.padding, int) else module.padding[0]
        d = getattr(module, "dilation", 1)
        d = d if isinstance(d, int) else d[0]
        return downsample_mask(mask, k, s, p, d)
    return mask
