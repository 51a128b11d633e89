"""MiniRocket (Dempster, Schmidt & Webb 2021, KDD) as a torch module: fixed dilated convolutions,
proportion-of-positive-values (PPV) pooling and a linear classifier fitted in closed form.

The 84 kernels have length 9 and the weights -1, with 2 at three of the nine positions (every
choice of three). Dilations grow exponentially up to the series length; each (dilation, kernel)
pair gets a few biases, drawn as quantiles of its convolution of a random training series, and
each bias gives one feature: the proportion of positions where the convolution exceeds it.
Half of the (dilation, kernel) pairs pool over the whole series (zero padding at both ends), the
other half only over the positions where the kernel does not overhang an end, as in the paper.
Multivariate series: each (dilation, kernel) pair sums the convolutions of a random subset of
the channels (as ``MiniRocketMultivariate`` does).

Nothing here is trained by gradients: :func:`seqconv.train.closed_form.fit_closed_form` fits the
biases and then a ridge head with a cross-validated penalty. Series of unequal length are
handled with masks (:mod:`seqconv.models.masking`): a padded series gives exactly the features
of the same series alone.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.layers import TrunkHead
from seqconv.models.registry import register

KERNEL_LENGTH = 9
POSITIVE_TAPS: tuple[tuple[int, int, int], ...] = tuple(
    itertools.combinations(range(KERNEL_LENGTH), 3)
)
N_KERNELS = len(POSITIVE_TAPS)  # 84
_GOLDEN = (math.sqrt(5) + 1) / 2


def kernel_bank() -> Tensor:
    """The 84 MiniRocket kernels: ``(84, 1, 9)``, -1 with 2 at three positions (lexicographic)."""
    weights = torch.full((N_KERNELS, 1, KERNEL_LENGTH), -1.0)
    for k, taps in enumerate(POSITIVE_TAPS):
        weights[k, 0, list(taps)] = 2.0
    return weights


def dilation_schedule(
    length: int, features: int = 10_000, max_dilations: int = 32
) -> tuple[list[int], list[int]]:
    """Dilations and features per (dilation, kernel) pair, as in the reference ``_fit_dilations``.

    Parameters
    ----------
    length
        Series length the dilations are fitted to (the longest training series).
    features
        Features wanted; ``84 * (features // 84)`` are made.
    max_dilations
        At most this many distinct dilations.

    Returns
    -------
    dilations, per_dilation
        Increasing dilations ``1 .. ~(length - 1) / 8`` and, for each, the biases per kernel.

    Examples
    --------
    >>> dilation_schedule(24)
    ([1, 2], [79, 40])
    """
    per_kernel = features // N_KERNELS
    if per_kernel < 1:
        raise SeqconvError(f"minirocket needs features >= {N_KERNELS}, not {features}")
    n = min(per_kernel, max_dilations)
    multiplier = per_kernel / n
    max_exponent = max(0.0, math.log2(max(length - 1, 1) / (KERNEL_LENGTH - 1)))
    raw = np.logspace(0, max_exponent, n, base=2).astype(np.int32)
    dilations, counts = np.unique(raw, return_counts=True)
    per_dilation = (counts * multiplier).astype(np.int32)
    remainder = per_kernel - int(per_dilation.sum())
    i = 0
    while remainder > 0:
        per_dilation[i] += 1
        remainder -= 1
        i = (i + 1) % len(per_dilation)
    return [int(d) for d in dilations], [int(f) for f in per_dilation]


def bias_quantiles(n: int) -> Tensor:
    """The low-discrepancy quantiles of the reference code: ``frac(j * golden ratio)``, j = 1..n."""
    j = torch.arange(1, n + 1, dtype=torch.float64)
    return torch.remainder(j * _GOLDEN, 1.0)


def channel_combinations(in_channels: int, n_dilations: int, seed: int) -> Tensor:
    """Which channels each (dilation, kernel) pair sums: ``(n_dilations, 84, in_channels)`` 0/1.

    One channel: all ones. Several: ``floor(2 ** U(0, log2(min(C, 9) + 1)))`` channels drawn
    without replacement, as ``MiniRocketMultivariate`` draws them.
    """
    if in_channels == 1:
        return torch.ones(n_dilations, N_KERNELS, 1)
    rng = np.random.default_rng(seed)
    out = torch.zeros(n_dilations, N_KERNELS, in_channels)
    top = math.log2(min(in_channels, KERNEL_LENGTH) + 1)
    for d in range(n_dilations):
        for k in range(N_KERNELS):
            count = min(int(2 ** rng.uniform(0, top)), in_channels)
            out[d, k, rng.choice(in_channels, count, replace=False)] = 1.0
    return out


CHUNK_NUMBERS = 2_000_000
"""Convolution values held at once by :meth:`MiniRocket.features` (16 MB in float64)."""


def sorted_rows(y: Tensor) -> Tensor:
    """``y`` sorted along its last axis.

    On a CPU numpy's sort is about 11x faster than torch's for rows of a few hundred (measured
    with torch 2.13, one thread: 0.075 s against 0.86 s for 200 x 84 x 427); torch's sorts on
    GPUs, under autograd and while the receptive-field tracer follows the model (a torch function
    mode is active then, and a detour through numpy would hide the operation from it).
    """
    tracing = torch.overrides._is_torch_function_mode_enabled()
    if y.device.type == "cpu" and not y.requires_grad and not tracing:
        return torch.from_numpy(np.sort(y.numpy(), axis=-1))
    return y.sort(dim=-1).values


class MiniRocketConv(nn.Module):
    """The fixed convolutions: ``(N, C, L) -> (N, 84 * n_dilations, L)``, dilation-major.

    Zero padding of ``4 * dilation`` at both ends keeps the length; channels are summed per
    (dilation, kernel) pair as :func:`channel_combinations` says.
    """

    def __init__(self, in_channels: int, dilations: list[int], seed: int = 0) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.dilations = list(dilations)
        self.register_buffer("weight", kernel_bank(), persistent=False)
        self.register_buffer(
            "combinations", channel_combinations(in_channels, len(self.dilations), seed)
        )

    def convolve(self, x: Tensor, index: int) -> Tensor:
        """``(N, C, L) -> (N, 84, L)``: the kernels at the ``index``-th dilation, in ``x``'s dtype.

        Computed in float64, where sums of float32 values times the weights -1 and 2 are exact:
        a window gets the same value wherever and however it is convolved (one series or a batch,
        fitting biases or features), and a flat stretch gets exactly 0. In float32 the rounding
        depends on the convolution algorithm, so on quantised series (many equal windows, biases
        equal to convolution values) PPVs flipped at ties and cost 2-4 points of accuracy.
        """
        n, c, length = x.shape
        d = self.dilations[index]
        y = F.conv1d(x.double().reshape(n * c, 1, length), self.weight.double(), padding=4 * d,
                     dilation=d).reshape(n, c, N_KERNELS, length)  # fmt: skip
        if c == 1:
            return y[:, 0].to(x.dtype)
        w = self.combinations[index].double().t().reshape(1, c, N_KERNELS, 1)
        return (y * w).sum(dim=1).to(x.dtype)  # each kernel sums its own subset of the channels

    def convolve_pairs(self, x: Tensor, index: int) -> Tensor:
        """``(84, C, L)`` one series per kernel to ``(84, L)`` float64: kernel ``k`` of the
        ``index``-th dilation on series ``k`` alone (row ``k`` of ``convolve(x, index)[k]``), as
        a grouped convolution that skips the other 83 kernels of each series; exact, as
        :meth:`convolve` is."""
        _, c, length = x.shape
        d = self.dilations[index]
        picked = self.combinations[index].double()  # (84, C): the channels each kernel sums
        weight = self.weight.double() * picked[:, :, None]  # (84, C, 9)
        y = F.conv1d(x.double().reshape(1, N_KERNELS * c, length), weight, padding=4 * d,
                     dilation=d, groups=N_KERNELS)  # fmt: skip
        return y[0]

    def forward(self, x: Tensor) -> Tensor:
        return torch.cat([self.convolve(x, i) for i in range(len(self.dilations))], dim=1)

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, dilations={self.dilations}"


class PPVPool(nn.Module):
    """Proportion of positive values per bias: ``(N, 84 * n_dilations, L) -> (N, features)``.

    Kernel ``k`` of dilation ``i`` pools over every real step when ``i + k`` is even, else over
    the steps ``4 * dilation`` away from both ends (the whole series when none are). With a mask
    (set by :func:`~seqconv.models.masking.enable_masks`) only real steps count.
    """

    takes_mask = True

    def __init__(self, dilations: list[int], per_dilation: list[int]) -> None:
        super().__init__()
        self.dilations = list(dilations)
        self.per_dilation = list(per_dilation)
        self.n_features = N_KERNELS * sum(self.per_dilation)
        self.register_buffer("biases", torch.zeros(self.n_features))
        self.mask: Tensor | None = None

    def regions(self, x: Tensor, index: int) -> Tensor:
        """``(N, 84, L)`` bool: the steps each kernel of dilation ``index`` pools over."""
        n, _, length = x.shape
        steps = torch.arange(length, device=x.device)
        real = self.mask if self.mask is not None else torch.ones(n, length, dtype=torch.bool,
                                                                   device=x.device)  # fmt: skip
        lengths = real.sum(dim=1, keepdim=True)
        pad = 4 * self.dilations[index]
        inner = real & (steps >= pad) & (steps < lengths - pad)
        inner = torch.where(inner.any(dim=1, keepdim=True), inner, real)
        whole = (torch.arange(N_KERNELS, device=x.device) + index) % 2 == 0
        return torch.where(whole.view(1, -1, 1), real.unsqueeze(1), inner.unsqueeze(1))

    def pool(self, y: Tensor, index: int) -> Tensor:
        """``(N, 84, L)`` convolutions of the ``index``-th dilation to ``(N, 84 * f)`` PPVs."""
        per = self.per_dilation[index]
        start = N_KERNELS * sum(self.per_dilation[:index])
        biases = self.biases[start : start + N_KERNELS * per].view(N_KERNELS, per)
        if self.mask is None or bool(self.mask.all()):  # equal lengths: no sort of -inf fills
            return self._pool_equal(y, index, biases)
        region = self.regions(y, index)
        # Steps outside the region (-inf) are never above a bias.
        outside = y.masked_fill(~region, float("-inf"))
        return _ppv(outside, biases, region.sum(dim=-1, keepdim=True)).flatten(1)

    def _pool_equal(self, y: Tensor, index: int, biases: Tensor) -> Tensor:
        """:meth:`pool` without a mask: the regions are slices, nothing is masked or copied."""
        length = y.shape[-1]
        pad = 4 * self.dilations[index]
        whole = slice(index % 2, None, 2)  # kernels k with k + index even
        inner = slice(1 - index % 2, None, 2)
        out = torch.empty(y.shape[0], N_KERNELS, biases.shape[1], dtype=y.dtype, device=y.device)
        trimmed = y[:, inner, pad : length - pad] if length > 2 * pad else y[:, inner]
        for kernels, part in ((whole, y[:, whole]), (inner, trimmed)):
            count = torch.full((1, 1, 1), part.shape[-1], device=y.device)
            out[:, kernels] = _ppv(part, biases[kernels], count)
        return out.flatten(1)

    def forward(self, x: Tensor) -> Tensor:
        parts = [
            self.pool(x[:, i * N_KERNELS : (i + 1) * N_KERNELS], i)
            for i in range(len(self.per_dilation))
        ]
        return torch.cat(parts, dim=1)

    def extra_repr(self) -> str:
        return f"features={self.n_features}"


@register("minirocket")
class MiniRocket(TrunkHead):
    """MiniRocket: ``(N, in_channels, L) -> (N, n_outputs)`` scores from ~10,000 PPV features.

    ``trunk`` is the fixed convolutions (what the receptive field describes); ``head`` is PPV
    pooling then a linear layer. Fitted in closed form (``closed_form = True``): biases from
    quantiles of training convolutions, then ridge regression with a cross-validated penalty
    (:mod:`seqconv.train.closed_form`); classifiers get a temperature so that the softmax of the
    scores is a probability.

    Parameters
    ----------
    in_channels, n_outputs
        Input channels and outputs (classes, or regression targets).
    length
        Series length the dilations are fitted to (training sets it to the longest series).
    features
        Number of features (rounded down to a multiple of 84; 9,996 by default, as published).
    max_dilations
        Most distinct dilations per kernel.
    seed
        Draws the channel subsets of multivariate series (biases are drawn at fit time).
    """

    closed_form = True

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        length: int = 512,
        features: int = 10_000,
        max_dilations: int = 32,
        seed: int = 0,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if length < 1 or max_dilations < 1:
            raise SeqconvError("minirocket needs length >= 1 and max_dilations >= 1")
        dilations, per_dilation = dilation_schedule(length, features, max_dilations)
        self.trunk = MiniRocketConv(in_channels, dilations, seed)
        pool = PPVPool(dilations, per_dilation)
        self.head = nn.Sequential(pool, nn.Linear(pool.n_features, n_outputs))

    @property
    def pool(self) -> PPVPool:
        return self.head[0]

    @property
    def linear(self) -> nn.Linear:
        return self.head[1]

    def features(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(N, C, L)`` series (zero on padded steps) and their ``(N, L)`` bool mask (``None``:
        as set by :func:`~seqconv.models.masking.enable_masks`, or all real) to ``(N, features)``
        PPVs (:func:`minirocket_features`)."""
        return minirocket_features(self.trunk, self.pool, x, mask)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"MiniRocket expects input of shape (N, {self.in_channels}, L), "
                f"got {tuple(x.shape)}"
            )
        return self.linear(self.features(x))

    @property
    def n_pairs(self) -> int:
        """(dilation, kernel) pairs: each draws its biases from one training series."""
        return N_KERNELS * len(self.pool.dilations)

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """Biases from quantiles of the convolutions of training series
        (:func:`fit_minirocket_biases`)."""
        fit_minirocket_biases(self.trunk, self.pool, examples, mask, picks)


def minirocket_features(
    conv: MiniRocketConv, pool: PPVPool, x: Tensor, mask: Tensor | None = None
) -> Tensor:
    """``(N, C, L)`` series (zero on padded steps) and their ``(N, L)`` bool mask (``None``: as
    set on ``pool`` by :func:`~seqconv.models.masking.enable_masks`, or all real) to
    ``(N, features)`` PPVs, one dilation and a few series at a time.

    The convolutions of one dilation are ``(rows, 84, L)`` float64 numbers: rows are taken
    ``CHUNK_NUMBERS // (84 * C * L)`` at a time so that they stay in the CPU's caches (ACSF1,
    100 x 1,460 steps, one thread: 4.9 s at once, 2.2-2.7 s in chunks).
    """
    saved = pool.mask
    mask = mask if mask is not None else saved
    rows = max(1, CHUNK_NUMBERS // (N_KERNELS * x.shape[1] * max(x.shape[2], 1)))
    chunks = []
    try:
        for start in range(0, max(len(x), 1), rows):
            part = x[start : start + rows]
            pool.mask = None if mask is None else mask[start : start + rows]
            dilations = range(len(pool.dilations))
            chunks.append(torch.cat([pool.pool(conv.convolve(part, i), i) for i in dilations],
                                    dim=1))  # fmt: skip
    finally:
        pool.mask = saved
    return torch.cat(chunks)


@torch.no_grad()
def fit_minirocket_biases(
    conv: MiniRocketConv, pool: PPVPool, examples: Tensor, mask: Tensor | None, picks: Tensor
) -> None:
    """Biases from quantiles of the convolutions of training series, into ``pool``.

    Parameters
    ----------
    conv, pool
        The convolutions and their PPV pooling.
    examples
        ``(M, C, L)`` training series (zero on padded steps).
    mask
        ``(M, L)`` bool, real steps; ``None``: all real.
    picks
        ``(84 * n_dilations,)`` index into ``examples``: the series each (dilation, kernel)
        pair takes its biases from (the reference code draws one at random per pair).
    """
    quantiles = bias_quantiles(pool.n_features)
    picks = picks.to(examples.device)
    counted = (
        mask.sum(dim=1).cpu()
        if mask is not None
        else torch.full((len(examples),), examples.shape[-1])
    )
    parts, start = [], 0
    for i, per in enumerate(pool.per_dilation):
        rows = picks[i * N_KERNELS : (i + 1) * N_KERNELS]
        y = conv.convolve_pairs(examples[rows], i)
        if mask is not None:  # padded steps sort last, beyond each row's counted steps
            y = y.masked_fill(~mask[rows], float("inf"))
        ordered = sorted_rows(y.double().cpu()).repeat_interleave(per, dim=0)
        n = counted[rows.cpu()].repeat_interleave(per)
        parts.append(_quantile_rows(ordered, quantiles[start : start + N_KERNELS * per], n))
        start += N_KERNELS * per
    pool.biases.copy_(torch.cat(parts).to(pool.biases))


def _ppv(values: Tensor, biases: Tensor, count: Tensor) -> Tensor:
    """Proportion of values above each bias: ``(N, K, L)`` values (``-inf`` where not counted),
    ``(K, f)`` biases and the ``(N, K, 1)`` number of counted steps to ``(N, K, f)``."""
    return (_count_above(values, biases) / count).to(values.dtype)


def _count_above(values: Tensor, biases: Tensor) -> Tensor:
    """``(N, K, L)`` values and ``(K, f)`` biases to ``(N, K, f)`` counts of values above each.

    On a CPU with few biases per kernel (3 or 4 at most dilations), numpy's comparisons and
    ``count_nonzero`` are about 2.5x faster than a sort (one thread, 100 x 42 x 1,460: 0.021 s
    against 0.059 s at 3 biases; even at 8). Otherwise the rows are sorted once and the biases
    searched in them: ``L log L + f log L`` per row instead of ``f * L`` comparisons.
    """
    f = biases.shape[1]
    if values.device.type == "cpu" and f < 8:
        v = values.detach().numpy()
        b = biases.to(values.dtype).cpu().numpy()
        counts = [np.count_nonzero(v > b[None, :, j, None], axis=-1) for j in range(f)]
        return torch.from_numpy(np.stack(counts, axis=-1))
    ordered = sorted_rows(values)
    below = torch.searchsorted(
        ordered, biases.to(ordered.dtype).expand(ordered.shape[0], -1, -1).contiguous(), right=True
    )
    return ordered.shape[-1] - below


def _quantile_rows(ordered: Tensor, q: Tensor, n: Tensor | None = None) -> Tensor:
    """``np.quantile``'s linear interpolation, one quantile per sorted row.

    ``(R, L)`` sorted rows, ``(R,)`` quantiles and the ``(R,)`` number of leading values of each
    row to take them of (``None``: all ``L``) to ``(R,)`` values.
    """
    last = (n if n is not None else torch.full_like(q, ordered.shape[1])).to(q.dtype) - 1
    position = q * last
    lo = position.floor().long()
    hi = torch.minimum(lo + 1, last.long())
    a = ordered.gather(1, lo[:, None])[:, 0]
    b = ordered.gather(1, hi[:, None])[:, 0]
    return a + (position - lo) * (b - a)
