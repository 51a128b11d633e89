"""Temporal convolutional network (Bai, Kolter & Koltun 2018, arXiv:1803.01271)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import CausalConv1d, StepHead, TrunkHead, apply_weight_norm
from seqconv.models.registry import register


def _causal_conv(c_in: int, c_out: int, k: int, d: int, weight_norm: bool) -> CausalConv1d:
    conv = CausalConv1d(c_in, c_out, k, dilation=d)
    # Bai et al. draw weights from N(0, 0.01) and then normalise, so g starts at ||v||.
    nn.init.normal_(conv.conv.weight, 0.0, 0.01)
    if weight_norm:
        apply_weight_norm(conv.conv)
    return conv


class TemporalBlock(nn.Module):
    """Two causal dilated convolutions with ReLU and dropout, plus a residual connection.

    ``(N, C_in, L) -> (N, C_out, L)``: ``relu(net(x) + downsample(x))`` where ``downsample`` is a
    1x1 convolution when the width changes (identity otherwise).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        dilation: int,
        dropout: float,
        weight_norm: bool,
    ) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _causal_conv(in_channels, out_channels, kernel_size, dilation, weight_norm),
            nn.ReLU(),
            nn.Dropout(dropout),
            _causal_conv(out_channels, out_channels, kernel_size, dilation, weight_norm),
            nn.ReLU(),
            nn.Dropout(dropout),
        )
        self.downsample = None
        if in_channels != out_channels:
            self.downsample = nn.Conv1d(in_channels, out_channels, 1)
            nn.init.normal_(self.downsample.weight, 0.0, 0.01)
        self.relu = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(self.net(x) + residual)


@register("tcn")
class TCN(TrunkHead):
    """A stack of :class:`TemporalBlock` with dilation ``2**i`` at level ``i``.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits from the last step (as Bai et al. do for
    sequence-to-label tasks such as the adding problem), or ``(N, n_outputs, L)`` with
    ``per_step=True``; output ``t`` depends only on inputs ``<= t``. The head is one 1x1
    convolution (a linear layer applied per step), so both modes share the same weights.

    Defaults are the adding-problem configuration of Bai et al. (and locuslab/TCN
    ``adding_problem/add_test.py``): 8 levels of 30 channels, kernel size 7, no dropout, weight
    normalisation, weights initialised from N(0, 0.01). Receptive field with the defaults:
    ``1 + 2 * 6 * (2**8 - 1) = 3,061`` steps.

    Parameters
    ----------
    in_channels, n_outputs
        Input series (2 for the adding problem) and output logits.
    channels
        Width of each level; the number of levels is its length.
    kernel_size
        Width of every causal convolution.
    dropout
        Dropout after each convolution (locuslab/TCN's class default is 0.2).
    weight_norm
        Weight-normalise the convolutions.
    per_step
        Return per-step outputs instead of the last step.
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        channels: Sequence[int] = (30,) * 8,
        kernel_size: int = 7,
        dropout: float = 0.0,
        weight_norm: bool = True,
        per_step: bool = False,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if not channels:
            raise SeqconvError("tcn needs at least one level in channels")
        self.per_step = self.dense = per_step
        blocks = []
        width = in_channels
        for i, n in enumerate(channels):
            blocks.append(TemporalBlock(width, n, kernel_size, 2**i, dropout, weight_norm))
            width = n
        self.trunk = nn.Sequential(*blocks)
        head = nn.Conv1d(width, n_outputs, 1)
        nn.init.normal_(head.weight, 0.0, 0.01)
        self.head = StepHead(head, per_step=per_step)
