"""MultiRocket (Tan, Dempster, Bergmeir & Webb 2022, DMKD) as a torch module: MiniRocket's 84
fixed kernels over the series and over its first difference, each (dilation, kernel) pair pooled
at each of its biases by four operators (PPV, LSPV, MPV, MIPV; see
:mod:`seqconv.models.rocket_kernels`), a per-feature standard scaler and a linear head fitted in
closed form.

The layout of the features is the reference code's: for the series then its difference, the
PPVs of every bias, then the LSPVs, the MPVs and the MIPVs. Each representation has its own
dilations (fitted to its length), biases (quantiles of the convolution of a training series)
and, for multivariate series, channel subsets. 50,000 features by default (74 biases per
kernel and representation: 49,728), as published.

Series of unequal length are handled with masks, as in :mod:`seqconv.models.minirocket`: a
padded series gets exactly the features of the same series alone; its difference has one step
fewer. On a CPU the features come from a compiled kernel; on other devices (and under the
receptive-field tracer) from the torch code of :class:`MultiRocketPool`; the two agree.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.feature_scaler import FeatureScaler, ScaledHead
from seqconv.models.layers import TrunkHead
from seqconv.models.minirocket import (
    N_KERNELS,
    POSITIVE_TAPS,
    MiniRocketConv,
    _quantile_rows,
    bias_quantiles,
    dilation_schedule,
    sorted_rows,
)
from seqconv.models.registry import register

POOLS = ("ppv", "lspv", "mpv", "mipv")
CHUNK_NUMBERS = 4_000_000
"""Values of the torch pooling held at once, ``(rows, 84, biases, L)``."""


def difference(x: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor | None]:
    """First difference along the length, ``(N, C, L) -> (N, C, L - 1)``, zero where a padded
    series has ended (its difference has one step fewer), and the matching mask."""
    d = x[..., 1:] - x[..., :-1]
    if mask is None:
        return d, None
    inner = mask[:, 1:] & mask[:, :-1]
    return d * inner.unsqueeze(1).to(d.dtype), inner


class MultiRocketConv(nn.Module):
    """The fixed convolutions of both representations: ``(N, C, L) -> (N, 84 * (D0 + D1), L)``.

    The first ``84 * D0`` channels convolve the series, the others its first difference
    (padded with one zero at the end to keep the length). For analysis (receptive field,
    :class:`MultiRocketPool`); :meth:`MultiRocket.features` uses the compiled kernel on CPUs.
    """

    def __init__(self, in_channels: int, dilations: list[list[int]], seed: int = 0) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.series = MiniRocketConv(in_channels, dilations[0], seed)
        self.diff = MiniRocketConv(in_channels, dilations[1], seed + 1)
        self.register_buffer("step", torch.tensor([[[-1.0, 1.0]]]), persistent=False)

    def reps(self) -> tuple[MiniRocketConv, MiniRocketConv]:
        return self.series, self.diff

    def forward(self, x: Tensor) -> Tensor:
        n, c, length = x.shape
        d = F.conv1d(x.reshape(n * c, 1, length), self.step.to(x.dtype)).reshape(n, c, -1)
        d = F.pad(d, (0, 1))
        parts = []
        for conv, values in ((self.series, x), (self.diff, d)):
            parts += [conv.convolve(values.double(), i) for i in range(len(conv.dilations))]
        return torch.cat(parts, dim=1).to(x.dtype)


class MultiRocketPool(nn.Module):
    """The four pooling operators of both representations: convolutions ``(N, 84 * (D0 + D1),
    L)`` to ``(N, 8 * 84 * per_kernel)`` features (torch code; any device).

    With a mask (set by :func:`~seqconv.models.masking.enable_masks`) the series' steps are its
    real ones and its difference's one fewer.
    """

    takes_mask = True

    def __init__(self, dilations: list[list[int]], per_dilation: list[list[int]]) -> None:
        super().__init__()
        self.dilations = [list(d) for d in dilations]
        self.per_dilation = [list(p) for p in per_dilation]
        self.n_biases = [N_KERNELS * sum(p) for p in self.per_dilation]
        self.n_features = 4 * sum(self.n_biases)
        self.register_buffer("biases_series", torch.zeros(self.n_biases[0]))
        self.register_buffer("biases_diff", torch.zeros(self.n_biases[1]))
        self.mask: Tensor | None = None

    def biases(self, rep: int) -> Tensor:
        return self.biases_series if rep == 0 else self.biases_diff

    def pool(self, y: Tensor, rep: int, index: int, lengths: Tensor) -> Tensor:
        """``(N, 84, L)`` convolutions of dilation ``index`` of representation ``rep`` and each
        series' ``(N,)`` real length to ``(N, 4, 84 * f)`` features (the reference's order)."""
        n, _, length = y.shape
        per = self.per_dilation[rep][index]
        start = N_KERNELS * sum(self.per_dilation[rep][:index])
        b = self.biases(rep)[start : start + N_KERNELS * per].view(1, N_KERNELS, per, 1)
        b = b.to(torch.float64)
        steps = torch.arange(length, device=y.device)
        pad = 4 * self.dilations[rep][index]
        lengths = lengths.view(n, 1, 1).to(y.device)
        inner = (lengths - 2 * pad) > 0
        whole = (torch.arange(N_KERNELS, device=y.device) + index) % 2 == 0
        use_inner = inner & ~whole.view(1, -1, 1)  # (N, 84, 1)
        first = torch.where(use_inner, pad, 0)
        last = torch.where(use_inner, lengths - pad, lengths)  # region [first, last)
        count = (last - first).clamp_min(0)
        region = (steps >= first) & (steps < last)  # (N, 84, L)
        v = y.double().masked_fill(~region, float("-inf")).unsqueeze(2)  # (N, 84, 1, L)
        above = v > b
        positive = above.sum(-1).double()
        total = torch.where(above, v + b, 0.0).sum(-1)
        index_sum = torch.where(above, steps.double(), 0.0).sum(-1) - positive * first
        interior = region & (steps > first) & (steps < last - 1)
        low = ~((y.double().unsqueeze(2) >= b) & interior.unsqueeze(2))  # counts as below
        marks = torch.where(low, steps, 0).cummax(dim=-1).values
        gaps = (steps[1:] - marks[..., :-1]).amax(dim=-1) if length > 1 else positive * 0
        lspv = torch.where(count >= 2, gaps.double(), 0.0)
        safe = positive.clamp_min(1)
        out = torch.stack(
            [
                torch.where(count > 0, positive / count.clamp_min(1), 0.0),
                lspv,
                torch.where(positive > 0, total / safe, 0.0),
                torch.where(positive > 0, index_sum / safe, -1.0),
            ],
            dim=1,
        )  # (N, 4, 84, f)
        return out.flatten(2).to(y.dtype)

    def forward(self, x: Tensor) -> Tensor:
        n, _, length = x.shape
        real = self.mask if self.mask is not None else torch.ones(n, length, dtype=torch.bool,
                                                                   device=x.device)  # fmt: skip
        lengths = real.sum(dim=1)
        reps, offset = [], 0
        for rep in (0, 1):
            parts = []
            for i in range(len(self.dilations[rep])):
                y = x[:, offset : offset + N_KERNELS]
                parts.append(self.pool(y, rep, i, lengths - rep))
                offset += N_KERNELS
            reps.append(torch.cat(parts, dim=2).flatten(1))
        return torch.cat(reps, dim=1)

    def extra_repr(self) -> str:
        return f"features={self.n_features}"


def multirocket_features(
    conv: MultiRocketConv, pool: MultiRocketPool, x: Tensor, mask: Tensor | None
) -> Tensor:
    """``(N, C, L)`` series (zero where padded) and their ``(N, L)`` mask (``None``: all real)
    to ``(N, 8 * 84 * per_kernel)`` raw features, on ``x``'s device, in ``x``'s dtype."""
    n, _, length = x.shape
    lengths = mask.sum(dim=1) if mask is not None else torch.full((n,), length, device=x.device)
    diff, _ = difference(x, mask)
    reps = ((x, lengths), (diff, (lengths - 1).clamp_min(0)))
    out = []
    tracing = torch.overrides._is_torch_function_mode_enabled()
    for rep, ((values, real), mini) in enumerate(zip(reps, conv.reps(), strict=True)):
        if x.device.type == "cpu" and not x.requires_grad and not tracing:
            from seqconv.models.rocket_kernels import multirocket_features as compiled

            taps = np.asarray(POSITIVE_TAPS)
            got = compiled(values.detach().numpy(), real.cpu().numpy(), mini.dilations,
                           pool.per_dilation[rep], taps, mini.combinations.cpu().numpy(),
                           pool.biases(rep).double().cpu().numpy(),
                           torch.get_num_threads())  # fmt: skip
            out.append(torch.from_numpy(got).reshape(n, -1).to(x.dtype))
            continue
        rows = max(1, CHUNK_NUMBERS // (N_KERNELS * max(pool.per_dilation[rep]) * max(length, 1)))
        chunks = []
        for s in range(0, max(n, 1), rows):
            part, parts = values[s : s + rows], []
            for i in range(len(mini.dilations)):
                y = mini.convolve(part.double(), i)
                parts.append(pool.pool(y, rep, i, real[s : s + rows]))
            chunks.append(torch.cat(parts, dim=2).flatten(1).to(x.dtype))
        out.append(torch.cat(chunks))
    return torch.cat(out, dim=1)


@torch.no_grad()
def fit_multirocket_biases(
    conv: MultiRocketConv,
    pool: MultiRocketPool,
    examples: Tensor,
    mask: Tensor | None,
    picks: Tensor,
) -> None:
    """Biases of both representations from quantiles of training convolutions.

    ``picks`` ``(84 * (D0 + D1),)`` indexes ``examples`` ``(M, C, L)``: the series each
    (representation, dilation, kernel) triple draws its biases from, as the reference draws.
    """
    diff, diff_mask = difference(examples, mask)
    full = torch.full((len(examples),), examples.shape[-1])
    counted = [mask.sum(dim=1).cpu() if mask is not None else full,
               diff_mask.sum(dim=1).cpu() if diff_mask is not None else full - 1]  # fmt: skip
    picks = picks.to(examples.device)
    offset = 0
    for rep, (values, m, mini) in enumerate(
        zip((examples, diff), (mask, diff_mask), conv.reps(), strict=True)
    ):
        quantiles = bias_quantiles(pool.n_biases[rep])
        parts, start = [], 0
        for i, per in enumerate(pool.per_dilation[rep]):
            rows = picks[offset : offset + N_KERNELS]
            offset += N_KERNELS
            y = mini.convolve_pairs(values[rows], i)
            if m is not None:
                y = y.masked_fill(~m[rows], float("inf"))
            ordered = sorted_rows(y.double().cpu()).repeat_interleave(per, dim=0)
            n = counted[rep][rows.cpu()].clamp_min(1).repeat_interleave(per)
            parts.append(_quantile_rows(ordered, quantiles[start : start + N_KERNELS * per], n))
            start += N_KERNELS * per
        pool.biases(rep).copy_(torch.cat(parts).to(pool.biases(rep)))


@register("multirocket")
class MultiRocket(ScaledHead, TrunkHead):
    """MultiRocket: ``(N, in_channels, L) -> (N, n_outputs)`` scores from ~50,000 features.

    ``trunk`` is the fixed convolutions of the series and of its difference; ``head`` is the
    pooling, a standard scaler and a linear layer, fitted in closed form (``closed_form =
    True``; :mod:`seqconv.train.closed_form`).

    Parameters
    ----------
    in_channels, n_outputs
        Input channels and outputs.
    length
        Series length the dilations are fitted to (training sets it to the longest series).
    features
        Features wanted: ``8 * 84 * (features // 672)`` are made (49,728 by default).
    max_dilations
        Most distinct dilations per kernel.
    seed
        Draws the channel subsets of multivariate series.
    """

    closed_form = True

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        length: int = 512,
        features: int = 50_000,
        max_dilations: int = 32,
        seed: int = 0,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if length < 2 or max_dilations < 1 or features < 8 * N_KERNELS:
            raise SeqconvError(
                f"multirocket needs length >= 2, max_dilations >= 1 and features >= {8 * N_KERNELS}"
            )
        wanted = N_KERNELS * (features // (8 * N_KERNELS))  # biases per representation
        schedules = [dilation_schedule(n, wanted, max_dilations) for n in (length, length - 1)]
        dilations = [s[0] for s in schedules]
        per = [s[1] for s in schedules]
        self.trunk = MultiRocketConv(in_channels, dilations, seed)
        pool = MultiRocketPool(dilations, per)
        scaler = FeatureScaler(torch.zeros(pool.n_features, dtype=torch.bool))
        self.head = nn.Sequential(pool, scaler, nn.Linear(pool.n_features, n_outputs))

    @property
    def n_pairs(self) -> int:
        """(representation, dilation, kernel) triples, each drawing biases from one series."""
        return N_KERNELS * sum(len(d) for d in self.pool.dilations)

    def features(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """``(N, C, L)`` series and their ``(N, L)`` mask (``None``: as set by
        :func:`~seqconv.models.masking.enable_masks`, or all real) to ``(N, n_features)`` raw
        (unscaled) features."""
        mask = mask if mask is not None else self.pool.mask
        return multirocket_features(self.trunk, self.pool, x, mask)

    def fit_biases(self, examples: Tensor, mask: Tensor | None, picks: Tensor) -> None:
        """See :func:`fit_multirocket_biases`."""
        fit_multirocket_biases(self.trunk, self.pool, examples, mask, picks)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"MultiRocket expects input of shape (N, {self.in_channels}, L), "
                f"got {tuple(x.shape)}"
            )
        return self.linear(self.scaler(self.features(x)))
