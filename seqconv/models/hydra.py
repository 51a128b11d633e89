"""Hydra (Dempster, Schmidt & Webb 2023, DMKD) as a torch module: groups of competing random
dilated kernels; each step counts for the kernel of its group with the largest response (adding
that response) and for the one with the smallest (adding one).

``g`` groups of ``k`` kernels of length 9 (normal weights, demeaned, unit L1 norm) per dilation
``2^0 .. 2^floor(log2((L - 1) / 8))``; half the groups see the series, half its first
difference. Multivariate series: each group sums a random draw (with replacement) of
``clip(C // 2, 2, 8)`` channels. Features: ``(dilations, 2, 2, g / 2, k)`` -- per dilation and
representation the max-counts then the min-counts -- ``1,024`` per dilation by default, as
aeon's ``HydraTransformer`` lays them out; they are scaled as Hydra's ``SparseScaler`` does
(:mod:`seqconv.models.feature_scaler`) before the linear head, fitted in closed form.

Series of unequal length are handled with masks: a padded series gets exactly the counts of the
same series alone.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.feature_scaler import FeatureScaler, ScaledHead
from seqconv.models.layers import TrunkHead
from seqconv.models.multirocket import difference
from seqconv.models.registry import register

CHUNK_NUMBERS = 8_000_000
"""Responses held at once by :func:`hydra_features`, ``(rows, L, k * g / 2)``."""


def hydra_dilations(length: int) -> list[int]:
    """``2^0 .. 2^floor(log2((length - 1) / 8))`` (at least ``[1]``), as the reference."""
    top = math.log2(max(length - 1, 1) / 8)
    return [2**i for i in range(max(int(top), 0) + 1)]


class HydraConv(nn.Module):
    """The random kernels: ``(N, C, L) -> (N, dilations * 2 * k * g / 2, L)`` responses,
    dilation-major, the series' groups then the difference's (padded with a zero at the end).

    Parameters
    ----------
    in_channels, length
        Input channels; the length the dilations are fitted to.
    kernels, groups
        ``k`` kernels per group, ``g`` groups per dilation (``g >= 2``: half per representation).
    max_channels
        Most channels a group sums.
    seed
        Draws the weights and channel subsets.
    """

    def __init__(self, in_channels: int, length: int, kernels: int = 8, groups: int = 64,
                 max_channels: int = 8, seed: int = 0) -> None:  # fmt: skip
        super().__init__()
        self.in_channels, self.kernels, self.half = in_channels, kernels, groups // 2
        self.dilations = hydra_dilations(length)
        g = torch.Generator().manual_seed(seed)
        # drawn on the CPU even under a meta-device probe, where torch would import its
        # compiler (~1.7 s) to draw from a CPU generator
        w = torch.randn(len(self.dilations), 2, kernels * self.half, 1, 9, generator=g,
                        device="cpu")  # fmt: skip
        w = w - w.mean(-1, keepdim=True)
        self.register_buffer("weight", w / w.abs().sum(-1, keepdim=True))
        per = int(np.clip(in_channels // 2, 2, max_channels))
        self.register_buffer("channels", torch.randint(in_channels, (len(self.dilations), 2,
                             self.half, per), generator=g, device="cpu"))  # fmt: skip
        self.register_buffer("step", torch.tensor([[[-1.0, 1.0]]]), persistent=False)

    def inputs(self, x: Tensor, index: int, rep: int) -> Tensor:
        """``(N, C, L)`` to the ``(N, 1 or g / 2, L)`` input of ``rep``'s groups at ``index``."""
        if self.in_channels == 1:
            return x
        return x[:, self.channels[index, rep]].sum(dim=2)  # (N, g / 2, L)

    def respond(self, x: Tensor, index: int, rep: int) -> Tensor:
        """``(N, 1 or g / 2, L)`` inputs to ``(N, k * g / 2, L)`` responses (``F.conv1d``)."""
        d = self.dilations[index]
        groups = 1 if x.shape[1] == 1 else self.half
        w = self.weight[index, rep].to(x.dtype)
        return F.conv1d(x, w, dilation=d, padding=4 * d, groups=groups)

    def forward(self, x: Tensor) -> Tensor:
        n, c, length = x.shape
        d = F.conv1d(x.reshape(n * c, 1, length), self.step.to(x.dtype)).reshape(n, c, -1)
        d = F.pad(d, (0, 1))
        parts = [self.respond(self.inputs(v, i, rep), i, rep)
                 for i in range(len(self.dilations)) for rep, v in enumerate((x, d))]  # fmt: skip
        return torch.cat(parts, dim=1)

    def extra_repr(self) -> str:
        return f"in_channels={self.in_channels}, dilations={self.dilations}"


def _counts(z: Tensor, real: Tensor, kernels: int) -> Tensor:
    """``(N, L, G * k)`` responses and ``(N, L)`` real steps to ``(N, 2, G * k)``: per group,
    the summed response of the kernel with the largest one, and how often each was smallest."""
    n, length, width = z.shape
    grouped = z.view(n, length, width // kernels, kernels)
    top, where_top = grouped.max(dim=-1)
    _, where_low = grouped.min(dim=-1)
    offset = torch.arange(0, width, kernels, device=z.device)
    weight = real.unsqueeze(-1).to(z.dtype)
    out = torch.zeros(n, 2, width, dtype=z.dtype, device=z.device)
    out[:, 0].scatter_add_(1, (where_top + offset).flatten(1), (top * weight).flatten(1))
    low = weight.expand(-1, -1, width // kernels)
    out[:, 1].scatter_add_(1, (where_low + offset).flatten(1), low.flatten(1))
    return out


class HydraPool(nn.Module):
    """Counts from responses: ``(N, dilations * 2 * k * g / 2, L) -> (N, features)``.

    With a mask (set by :func:`~seqconv.models.masking.enable_masks`) only real steps count
    (one fewer for the difference)."""

    takes_mask = True

    def __init__(self, n_dilations: int, kernels: int, groups: int) -> None:
        super().__init__()
        self.kernels, self.width = kernels, kernels * (groups // 2)
        self.n_features = n_dilations * 2 * 2 * self.width
        self.mask: Tensor | None = None

    def forward(self, x: Tensor) -> Tensor:
        n, _, length = x.shape
        real = self.mask if self.mask is not None else torch.ones(n, length, dtype=torch.bool,
                                                                   device=x.device)  # fmt: skip
        diff_real = F.pad(real[:, 1:] & real[:, :-1], (0, 1))
        parts = []
        for j, start in enumerate(range(0, x.shape[1], self.width)):
            z = x[:, start : start + self.width].transpose(1, 2)
            parts.append(_counts(z, diff_real if j % 2 else real, self.kernels).flatten(1))
        return torch.cat(parts, dim=1)


def hydra_features(conv: HydraConv, x: Tensor, mask: Tensor | None) -> Tensor:
    """``(N, C, L)`` series (zero where padded) and their ``(N, L)`` mask to ``(N, features)``
    raw counts, in chunks of series; each response is a matrix product of the ``(L, 9)`` windows
    of the input with the kernels (faster than a dilated ``conv1d`` on CPUs)."""
    n, c, length = x.shape
    real = mask if mask is not None else torch.ones(n, length, dtype=torch.bool, device=x.device)
    diff, diff_real = difference(x, real)
    width = conv.kernels * conv.half
    rows = max(1, CHUNK_NUMBERS // (width * max(length, 1)))
    chunks = []
    for s in range(0, max(n, 1), rows):
        parts = []
        for i, d in enumerate(conv.dilations):
            for rep, (values, steps) in enumerate(((x, real), (diff, diff_real))):
                v = conv.inputs(values[s : s + rows], i, rep)  # (b, 1 or G, L')
                windows = F.pad(v, (4 * d, 4 * d)).unfold(-1, 8 * d + 1, 1)[..., ::d]
                w = conv.weight[i, rep, :, 0].to(x.dtype)  # (G * k, 9)
                if v.shape[1] == 1:
                    z = windows[:, 0] @ w.T  # (b, L', G * k)
                else:
                    g = w.view(conv.half, conv.kernels, 9)
                    z = torch.einsum("bglt,gkt->blgk", windows, g).flatten(2)
                parts.append(_counts(z, steps[s : s + rows], conv.kernels).flatten(1))
        chunks.append(torch.cat(parts, dim=1))
    return torch.cat(chunks)


@register("hydra")
class Hydra(ScaledHead, TrunkHead):
    """Hydra: ``(N, in_channels, L) -> (N, n_outputs)`` scores from ``1,024`` counts per
    dilation (``k = 8``, ``g = 64``), sparse-scaled, then a linear layer fitted in closed form.

    Parameters
    ----------
    in_channels, n_outputs
        Input channels and outputs.
    length
        Series length the dilations are fitted to (training sets it to the longest series).
    kernels, groups
        Kernels per group and groups per dilation (even, at least 2).
    max_channels
        Most channels a group sums (multivariate series).
    seed
        Draws the kernels and channel subsets.
    """

    closed_form = True
    n_pairs = 0  # nothing drawn from training series

    def __init__(self, in_channels: int = 1, n_outputs: int = 1, length: int = 512,
                 kernels: int = 8, groups: int = 64, max_channels: int = 8,
                 seed: int = 0) -> None:  # fmt: skip
        super().__init__(in_channels, n_outputs)
        if length < 2 or kernels < 2 or groups < 2 or groups % 2 or max_channels < 1:
            raise SeqconvError(
                "hydra needs length >= 2, kernels >= 2, an even groups >= 2 and max_channels >= 1"
            )
        self.trunk = HydraConv(in_channels, length, kernels, groups, max_channels, seed)
        pool = HydraPool(len(self.trunk.dilations), kernels, groups)
        scaler = FeatureScaler(torch.ones(pool.n_features, dtype=torch.bool))
        self.head = nn.Sequential(pool, scaler, nn.Linear(pool.n_features, n_outputs))

    def features(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(N, C, L)`` series and their ``(N, L)`` mask (``None``: as set by
        :func:`~seqconv.models.masking.enable_masks`, or all real) to ``(N, n_features)``."""
        mask = mask if mask is not None else self.pool.mask
        return hydra_features(self.trunk, x, mask)

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """Nothing to fit: Hydra's kernels are drawn, not fitted."""

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"Hydra expects input of shape (N, {self.in_channels}, L), got {tuple(x.shape)}"
            )
        return self.linear(self.scaler(self.features(x)))
