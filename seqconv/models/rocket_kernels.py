"""CPU kernels of the MultiRocket features, compiled with numba (a dependency of memelite).

One pass per series and dilation computes each of the 84 MiniRocket kernels' convolution in
float64 (exact: the taps are -1 and 2) and pools it, for every bias of that (dilation, kernel)
pair, to the four MultiRocket features (Tan et al. 2022):

* PPV, the proportion of positive values ``c_j > b``;
* LSPV, the longest stretch of positive values, as the reference code defines it: the largest
  gap between consecutive steps with ``c_j < b``, the first and last steps counting as such;
  computed here as one plus the longest run of ``c_j >= b`` strictly inside the region, each
  step's widest window of values not below its own (all nearest smaller values, one stack pass)
  found once and shared by every bias;
* MPV, the mean of ``c_j + b`` over the positive values (0 when none; ``+ b`` as in the
  reference code, whose biases are the quantiles themselves);
* MIPV, the mean index of the positive values, counted from the region's start (-1 when none).

The per-bias loops are branch-free so that they vectorise. :mod:`seqconv.models.multirocket`
calls :func:`multirocket_features` on CPU tensors and its torch code elsewhere (GPUs, tracing);
the two agree (tests).
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange


@njit(cache=True, fastmath=True, error_model="numpy", boundscheck=False)
def _pool_row(c, start, n, biases, out, column, total):  # pragma: no cover - compiled
    """Pools ``c[start : start + n]`` for each bias into ``out[:, column + i]``."""
    f = biases.shape[0]
    if n <= 0:
        for i in range(f):
            out[0, column + i] = 0.0
            out[1, column + i] = 0.0
            out[2, column + i] = 0.0
            out[3, column + i] = -1.0
        return
    v = c[start : start + n]
    widths = np.zeros(n, dtype=np.float64)
    if n > 2:  # widest window around j (inside 1..n-2) of values >= v[j]
        left = np.empty(n, dtype=np.int64)
        stack = np.empty(n, dtype=np.int64)
        top = 0
        stack[0] = 0  # the first step counts as below every bias
        for j in range(1, n - 1):
            while top > 0 and v[stack[top]] >= v[j]:
                top -= 1
            left[j] = stack[top]
            top += 1
            stack[top] = j
        top = 0
        stack[0] = n - 1  # and so does the last
        for j in range(n - 2, 0, -1):
            while top > 0 and v[stack[top]] >= v[j]:
                top -= 1
            widths[j] = stack[top] - left[j] - 1
            top += 1
            stack[top] = j
    steps = np.arange(n).astype(np.float64)
    for i in range(f):  # two simple loops each: they vectorise
        b = biases[i]
        count = 0.0
        value = 0.0
        index = 0.0
        for j in range(n):
            m = v[j] > b
            count += m
            value += v[j] * m
            index += steps[j] * m
        run = 0.0
        for j in range(n):
            run = max(run, widths[j] * (v[j] >= b))
        out[0, column + i] = count / n
        out[1, column + i] = (run + 1.0) if n >= 2 else 0.0
        out[2, column + i] = value / count + b if count > 0 else 0.0
        out[3, column + i] = index / count if count > 0 else -1.0


@njit(cache=True, fastmath=True, error_model="numpy", boundscheck=False, inline="always")
def _add_kernel(conv, a, b, c, total, n):  # pragma: no cover - compiled
    """``conv += 3 (a + b + c) - total`` over the first ``n`` steps (one channel's kernel)."""
    for j in range(n):
        conv[j] += 3.0 * (a[j] + b[j] + c[j]) - total[j]


@njit(cache=True, parallel=True, fastmath=True, error_model="numpy", boundscheck=False)
def _features(x, lengths, dilations, per, taps, picked, biases, out):  # pragma: no cover
    """``x`` (N, C, L) float64, ``lengths`` (N,), ``dilations``/``per`` (D,), ``taps``
    (84, 3), ``picked`` (D, 84, C) 0/1, ``biases`` (84 * sum(per),) to ``out`` (N, 4, F)."""
    n_series, n_channels, length = x.shape
    total = out.shape[2]
    for s in prange(n_series):
        real = lengths[s]
        shifted = np.zeros((n_channels, 9, length), dtype=np.float64)
        sums = np.zeros((n_channels, length), dtype=np.float64)
        conv = np.empty(length, dtype=np.float64)
        column = 0
        for di in range(dilations.shape[0]):
            d = dilations[di]
            for ch in range(n_channels):  # the nine taps' inputs, zero beyond the ends
                for t in range(9):
                    lag = (t - 4) * d
                    for j in range(real):
                        k = j + lag
                        shifted[ch, t, j] = x[s, ch, k] if 0 <= k < real else 0.0
                for j in range(real):
                    acc = 0.0
                    for t in range(9):
                        acc += shifted[ch, t, j]
                    sums[ch, j] = acc
            for kernel in range(84):
                a, b, c = taps[kernel, 0], taps[kernel, 1], taps[kernel, 2]
                conv[:real] = 0.0
                for ch in range(n_channels):
                    if picked[di, kernel, ch] != 0:
                        _add_kernel(conv, shifted[ch, a], shifted[ch, b], shifted[ch, c],
                                    sums[ch], real)  # fmt: skip
                pad = 4 * d
                start, n = 0, real
                if (di + kernel) % 2 == 1 and real - 2 * pad > 0:
                    start, n = pad, real - 2 * pad
                f = per[di]
                _pool_row(conv, start, n, biases[column : column + f], out[s], column, total)
                column += f


def multirocket_features(
    x: np.ndarray,
    lengths: np.ndarray,
    dilations: list[int],
    per_dilation: list[int],
    taps: np.ndarray,
    picked: np.ndarray,
    biases: np.ndarray,
    threads: int = 1,
) -> np.ndarray:
    """The four MultiRocket features of one representation, on the CPU.

    Parameters
    ----------
    x
        ``(N, C, L)`` series, zero beyond each one's length.
    lengths
        ``(N,)`` real steps of each series.
    dilations, per_dilation
        The dilations and the biases per kernel at each.
    taps
        ``(84, 3)`` positions of the weight 2 in each kernel.
    picked
        ``(n_dilations, 84, C)`` 0/1: the channels each (dilation, kernel) pair sums.
    biases
        ``(84 * sum(per_dilation),)``, dilation-major, then kernel, then bias.
    threads
        numba threads.

    Returns
    -------
    numpy.ndarray
        ``(N, 4, F)`` float32: PPV, LSPV, MPV and MIPV of each of the ``F`` biases.
    """
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    out = np.empty((x.shape[0], 4, len(biases)), dtype=np.float64)
    _features(
        np.ascontiguousarray(x, dtype=np.float64),
        np.ascontiguousarray(lengths, dtype=np.int64),
        np.asarray(dilations, dtype=np.int64),
        np.asarray(per_dilation, dtype=np.int64),
        np.ascontiguousarray(taps, dtype=np.int64),
        np.ascontiguousarray(picked, dtype=np.float64),
        np.ascontiguousarray(biases, dtype=np.float64),
        out,
    )
    return out.astype(np.float32)
