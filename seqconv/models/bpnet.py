"""BPNet (Avsec et al. 2021, Nat. Genet. 53:354): base-resolution profiles and total counts.

A wide first convolution and residual layers of doubling dilation make the trunk; a profile head
(one wide convolution over the trunk, with the control tracks beside it) gives each track's
logits at every base of the output window, and a counts head on the trunk pooled over the
window the profile head reads (with ``log(1 + control total)``) each track's ``log(1 + total)``.
The layout of the output is :mod:`seqconv.core.profiles`'s.

The counts head pools by ``logsumexp`` by default: a convolution as wide as the profile head's
gives each base of the output window a log rate, and the total is their sum (``log`` of the mean
of ``exp``, plus a learned offset), so one bound site counts in full. BPNet's own head
(``counts_pool="mean"``: the trunk averaged over the window, then a linear layer) dilutes a site
among the window's hundreds of positions, and its weights must grow as large as the window is
wide before the counts follow the sequence. On simulated footprints (``seqconv simulate
--genome --profiles``, 2,000 CTCF peaks, 4 layers of 32 filters, batch 64, lr 2e-3), the counts
MSE (variance 1.6) had not moved after 600 steps with BPNet's head; it fell below 0.5 after 450
steps with a pointwise ``logsumexp`` head and after 200 with this one.

Every convolution is unpadded ("valid", as chromBPNet's): each output base sees only real input,
and the input is wider than the output by the receptive field minus one (2,138 bp with the
defaults: ``seqconv receptive-field --arch bpnet``). bpnet-lite pads every layer and trims the
result instead, which computes the same outputs at more cost.

>>> from seqconv.models import build
>>> model = build("bpnet", n_outputs=2, filters=8, n_layers=2)
>>> model(torch.zeros(3, 4, 200)).shape  # 2 tracks, 200 - 20 - 12 - 74 = 94 bases, + counts
torch.Size([3, 2, 95])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import make_activation
from seqconv.models.protocol import trunk_of
from seqconv.models.registry import build, register

COUNTS_POOLS = ("logsumexp", "mean")


class _ValidResidual(nn.Module):
    """``x`` cropped to the output of ``conv`` plus ``relu(conv(x))``: an unpadded residual layer
    ``(N, C, L) -> (N, C, L - (k - 1) d)``."""

    def __init__(self, channels: int, kernel_size: int, dilation: int, activation: str) -> None:
        super().__init__()
        self.conv = nn.Conv1d(channels, channels, kernel_size, dilation=dilation)
        self.act = make_activation(activation)
        self.crop = (kernel_size - 1) * dilation // 2

    def forward(self, x: Tensor) -> Tensor:
        c = self.crop
        return x[:, :, c : x.shape[-1] - c] + self.act(self.conv(x))


class _ProfilePath(nn.Module):
    """The profile logits alone, ``(N, C, L) -> (N, T, W)`` (control tracks zero): what the
    receptive field describes. Made on each access of :attr:`BPNet.trunk`, so that the model's
    own modules are registered once."""

    def __init__(self, model: BPNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: Tensor) -> Tensor:
        return self.model.profile_only(x)


@register("bpnet")
class BPNet(nn.Module):
    """Profiles and counts of ``n_outputs`` tracks: ``(N, in_channels + n_control, L) ->
    (N, n_outputs, W + 1)``, ``W = L - (receptive field - 1)``.

    Defaults are BPNet's: 64 filters, a first convolution of width 21, nine residual layers of
    width 3 with dilations 2, 4, ..., 512, a profile head of width 75, a counts head on the
    trunk averaged over the ``W + 74`` positions the profile head reads, ReLU, no normalisation.

    Parameters
    ----------
    in_channels
        Sequence channels (4 for DNA).
    n_outputs
        Tracks predicted.
    n_control
        Control tracks, given as channels after the sequence's: the profile head sees them at
        every base, the counts head ``log(1 + their total)`` over its window. An input with only
        the sequence's channels gets zero control (what attribution and in-silico experiments on
        made-up sequences need, as bpnet-lite's ``ControlWrapper``).
    filters, first_kernel_size, n_layers, kernel_size
        The trunk: width of every layer, the first convolution, and ``n_layers`` residual layers
        of width ``kernel_size`` with dilations ``2 ** (i + 1)``.
    profile_kernel_size
        Width of the profile head.
    activation
        Of the trunk's layers (``relu``, BPNet's; ``exp`` after the first convolution makes its
        filters read as PWMs, ...).
    strands
        For each track, the track that holds its signal on the other strand (a stranded pair
        ``plus, minus`` is ``[1, 0]``); ``None``: every track is its own (unstranded). Used to
        read the outputs of a reverse-complemented input (:meth:`reverse_outputs`).
    counts_pool
        ``logsumexp`` (default: per-base log rates from a convolution of the profile head's
        width, summed) or ``mean`` (BPNet's: the trunk averaged over the window, then a linear
        layer); see the module docstring.
    trunk
        Another zoo model whose trunk (``seqconv models``) keeps the length, used instead of the
        dilated tower (``trunk_options``: its keyword arguments); its outputs are cropped by
        ``trunk_crop`` bases at each end (training sets it from the receptive-field calculator,
        so that no output base sees padding).
    """

    profile = True

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        n_control: int = 0,
        filters: int = 64,
        first_kernel_size: int = 21,
        n_layers: int = 9,
        kernel_size: int = 3,
        profile_kernel_size: int = 75,
        activation: str = "relu",
        strands: Sequence[int] | None = None,
        counts_pool: str = "logsumexp",
        trunk: str | None = None,
        trunk_options: dict[str, Any] | None = None,
        trunk_crop: int = 0,
    ) -> None:
        super().__init__()
        for name, size in (("first_kernel_size", first_kernel_size),
                           ("kernel_size", kernel_size),
                           ("profile_kernel_size", profile_kernel_size)):  # fmt: skip
            if size < 1 or size % 2 == 0:
                raise SeqconvError(f"{name} must be odd and at least 1, not {size}")
        if counts_pool not in COUNTS_POOLS:
            raise SeqconvError(f"counts_pool must be one of {', '.join(COUNTS_POOLS)}, not "
                               f"{counts_pool!r}")  # fmt: skip
        if n_outputs < 1 or n_control < 0 or n_layers < 0 or trunk_crop < 0:
            raise SeqconvError("n_outputs >= 1, n_control >= 0, n_layers >= 0, trunk_crop >= 0")
        self.in_channels = int(in_channels)
        self.n_outputs = int(n_outputs)
        self.n_control = int(n_control)
        self.strand_index = _strand_index(strands, self.n_outputs)
        if trunk is None:
            self.tower: nn.Module = nn.Sequential(
                nn.Conv1d(in_channels, filters, first_kernel_size),
                make_activation(activation),
                *(
                    _ValidResidual(filters, kernel_size, 2 ** (i + 1), activation)
                    for i in range(n_layers)
                ),  # fmt: skip
            )
            features = filters
        else:
            self.tower, features = _zoo_trunk(trunk, in_channels, trunk_options or {})
        self.trunk_crop = int(trunk_crop)
        self.counts_pool = counts_pool
        self.profile_head = nn.Conv1d(features + n_control, n_outputs, profile_kernel_size)
        if counts_pool == "mean":
            self.counts_head: nn.Module = nn.Linear(features + (1 if n_control else 0), n_outputs)
        else:
            self.counts_head = nn.Conv1d(features + n_control, n_outputs, profile_kernel_size)

    @property
    def trunk(self) -> nn.Module:
        """The path to the profile logits (``(N, C, L) -> (N, T, W)``): what the receptive field
        of the model is (protocol ``trunk``)."""
        return _ProfilePath(self)

    def _split(self, x: Tensor) -> tuple[Tensor, Tensor | None]:
        seq = x[:, : self.in_channels]
        if self.n_control == 0:
            return seq, None
        if x.shape[1] == self.in_channels:
            return seq, x.new_zeros(x.shape[0], self.n_control, x.shape[-1])
        if x.shape[1] != self.in_channels + self.n_control:
            raise SeqconvError(
                f"bpnet takes {self.in_channels} sequence channels and {self.n_control} control "
                f"tracks, not {x.shape[1]} channels"
            )
        return seq, x[:, self.in_channels :]

    def features(self, seq: Tensor) -> Tensor:
        """``(N, in_channels, L)`` -> ``(N, F, W + profile_kernel_size - 1)`` trunk outputs."""
        h = self.tower(seq)
        c = self.trunk_crop
        return h[:, :, c : h.shape[-1] - c] if c else h

    @staticmethod
    def _centre(control: Tensor, length: int) -> Tensor:
        """The central ``length`` bases of ``(N, K, L)`` control."""
        start = (control.shape[-1] - length) // 2
        return control[:, :, start : start + length]

    def profile_only(self, x: Tensor) -> Tensor:
        """``(N, T, W)`` profile logits."""
        seq, control = self._split(x)
        h = self.features(seq)
        if control is not None:
            h = torch.cat([h, self._centre(control, h.shape[-1])], dim=1)
        return self.profile_head(h)

    def forward(self, x: Tensor) -> Tensor:
        """``(N, in_channels [+ n_control], L)`` -> ``(N, T, W + 1)``: profile logits, then
        ``log(1 + total)`` per track."""
        seq, control = self._split(x)
        h = self.features(seq)
        local = None if control is None else self._centre(control, h.shape[-1])
        counts = self._counts(h, local)
        if local is not None:
            h = torch.cat([h, local], dim=1)
        profile = self.profile_head(h)
        return torch.cat([profile, counts[:, :, None]], dim=-1)

    def _counts(self, h: Tensor, control: Tensor | None) -> Tensor:
        """``(N, T)`` ``log(1 + total)`` from ``(N, F, n)`` trunk outputs (and control)."""
        if self.counts_pool == "mean":
            pooled = h.mean(dim=-1)
            if control is not None:
                total = torch.log1p(control.sum(dim=(1, 2)))[:, None]
                pooled = torch.cat([pooled, total], dim=1)
            return self.counts_head(pooled)
        if control is not None:
            h = torch.cat([h, control], dim=1)
        rates = self.counts_head(h)  # (N, T, W) log rates
        return torch.logsumexp(rates, dim=-1) - math.log(rates.shape[-1])

    def reverse_outputs(self, out: Tensor) -> Tensor:
        """Outputs of a reverse-complemented input ``(N, T, W + 1)`` in the forward strand's
        coordinates: each profile read backwards, stranded tracks swapped."""
        flipped = torch.cat([out[..., :-1].flip(-1), out[..., -1:]], dim=-1)
        return flipped[:, self.strand_index]


def _strand_index(strands: Sequence[int] | None, n: int) -> list[int]:
    if strands is None:
        return list(range(n))
    index = [int(s) for s in strands]
    if len(index) != n or sorted(index) != list(range(n)):
        raise SeqconvError(f"strands must be a permutation of 0..{n - 1}, not {list(strands)}")
    if any(index[index[i]] != i for i in range(n)):
        raise SeqconvError(f"strands must pair tracks (i <-> j both ways), not {index}")
    return index


def _zoo_trunk(name: str, in_channels: int, options: dict[str, Any]) -> tuple[nn.Module, int]:
    """The trunk of zoo model ``name`` and its output channels; refused when it changes the
    length of its input."""
    if name == "bpnet":
        raise SeqconvError("trunk=bpnet: give another zoo model's name, or leave trunk out")
    model = build(name, **({"in_channels": in_channels} | options))
    trunk = trunk_of(model)
    if trunk is None:
        raise SeqconvError(f"trunk={name}: that model has no trunk to use (seqconv models)")
    device = next(trunk.parameters(), torch.empty(0)).device
    probe = torch.zeros(1, in_channels, 512, device=device)
    with torch.no_grad():
        out = trunk(probe)
    if out.dim() != 3 or out.shape[-1] != probe.shape[-1]:
        raise SeqconvError(
            f"trunk={name}: its trunk changes the length of its input ({probe.shape[-1]} -> "
            f"{out.shape[-1] if out.dim() == 3 else 'no length'}); a profile needs one that "
            "keeps it, e.g. dilated_seg or dilated"
        )
    return trunk, int(out.shape[1])
