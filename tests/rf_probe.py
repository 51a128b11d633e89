"""Brute-force receptive-field probes, independent of seqconv's calculator.

Both probes only run the model: they write NaN into some input positions (float64, eval mode) and
look at which output positions turn NaN. NaN propagates through every multiply-add, max, ReLU
and batch norm regardless of weight values (``nan * 0`` is ``nan``), so an output turns NaN
exactly when it structurally depends on a poisoned input.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

Fn = Callable[[torch.Tensor], torch.Tensor]


def _nan_at(fn: Fn, x: torch.Tensor) -> np.ndarray:
    """``(N, L_out)`` bool: which output positions are NaN in any channel."""
    with torch.no_grad():
        y = fn(x)
    return torch.isnan(y).any(dim=1).numpy()


def dependency_matrix(fn: Fn, channels: int, length: int, chunk: int = 256) -> np.ndarray:
    """``M[x, i]``: poisoning input position ``x`` alone changes output position ``i``."""
    rows = []
    base = torch.randn(1, channels, length, dtype=torch.float64)
    for start in range(0, length, chunk):
        stop = min(start + chunk, length)
        x = base.repeat(stop - start, 1, 1)
        idx = torch.arange(stop - start)
        x[idx, :, torch.arange(start, stop)] = float("nan")
        rows.append(_nan_at(fn, x))
    return np.concatenate(rows, axis=0)


def _search(fn: Fn, channels: int, length: int, out: int, prefix: bool, width: int = 32) -> int:
    """Smallest ``a`` such that NaN in ``x[:a+1]`` reaches output ``out`` (``prefix``), or the
    largest ``a`` such that NaN in ``x[a:]`` does (suffix): a k-ary search over ``a``."""
    base = torch.randn(1, channels, length, dtype=torch.float64)
    lo, hi = 0, length - 1  # the answer lies in [lo, hi]
    while True:
        candidates = np.unique(np.linspace(lo, hi, min(width, hi - lo + 1)).round().astype(int))
        x = base.repeat(len(candidates), 1, 1)
        for b, a in enumerate(candidates):
            if prefix:
                x[b, :, : a + 1] = float("nan")
            else:
                x[b, :, a:] = float("nan")
        hit = _nan_at(fn, x)[:, out]
        if prefix:
            assert hit[-1], "output does not depend on the input at all"
            j = int(np.argmax(hit))  # first candidate that reaches the output
            if j == 0 or candidates[j] - candidates[j - 1] == 1:
                return int(candidates[j])
            lo, hi = int(candidates[j - 1]) + 1, int(candidates[j])
        else:
            assert hit[0], "output does not depend on the input at all"
            j = len(hit) - 1 - int(np.argmax(hit[::-1]))  # last candidate that reaches it
            if j == len(hit) - 1 or candidates[j + 1] - candidates[j] == 1:
                return int(candidates[j])
            lo, hi = int(candidates[j]), int(candidates[j + 1]) - 1


def probe_window(fn: Fn, channels: int, length: int, out: int) -> tuple[int, int]:
    """First and last input position that output position ``out`` depends on."""
    return (
        _search(fn, channels, length, out, prefix=True),
        _search(fn, channels, length, out, prefix=False),
    )


def _touches_edges(fn: Fn, channels: int, length: int, outputs: range) -> bool:
    """Whether poisoning the first or the last input position reaches any of ``outputs``."""
    x = torch.randn(2, channels, length, dtype=torch.float64)
    x[0, :, 0] = x[1, :, -1] = float("nan")
    return bool(_nan_at(fn, x)[:, outputs.start : outputs.stop].any())


def interior_windows(
    fn: Fn, channels: int, n_outputs: int = 3, start: int = 64, limit: int = 1 << 15
) -> tuple[int, dict[int, tuple[int, int]]]:
    """Double the input length until the middle outputs' windows are clear of both edges.

    Clear means neither the first nor the last input reaches them. (A window with a dilation
    hole exactly at an edge could still be cut unnoticed; that shows up as a mismatch, never as
    a false agreement.) Returns the length and the probed windows of ``n_outputs`` consecutive
    middle outputs.
    """
    length = start
    while length <= limit:
        try:
            with torch.no_grad():
                out_len = fn(torch.zeros(1, channels, length, dtype=torch.float64)).shape[-1]
        except RuntimeError:  # too short for an unpadded model
            length *= 2
            continue
        mid = out_len // 2
        outputs = range(mid, mid + n_outputs)
        if mid + n_outputs <= out_len and not _touches_edges(fn, channels, length, outputs):
            windows = {i: probe_window(fn, channels, length, i) for i in outputs}
            return length, windows
        length *= 2
    raise AssertionError("no interior output found")
