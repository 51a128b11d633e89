"""Time-delay neural network (Waibel et al. 1989), x-vector frame layers (Snyder et al. 2018)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import (
    PaddedConv1d,
    StatsPool,
    StepHead,
    TrunkHead,
)
from seqconv.models.registry import register


@register("tdnn")
class TDNN(TrunkHead):
    """Frame layers with growing temporal context, then statistics pooling and segment layers.

    A TDNN layer sees the frames ``{t + d * j}`` for ``j`` in ``-(k-1)/2 .. (k-1)/2``: a dilated
    convolution. ``(N, in_channels, L) -> (N, n_outputs)`` logits, or ``(N, n_outputs, L)`` with
    ``per_step=True``.

    Defaults are the x-vector network (Snyder et al. 2018, ICASSP): five frame layers of 512, 512,
    512, 512, 1500 units with contexts ``[t-2, t+2]``, ``{t-2, t, t+2}``, ``{t-3, t, t+3}``,
    ``{t}``, ``{t}`` (kernel sizes 5, 3, 3, 1, 1; dilations 1, 2, 3, 1, 1), each followed by ReLU
    and batch norm; statistics pooling (mean and standard deviation); two segment layers of 512
    units (affine, ReLU, batch norm) and a linear output. Frames are "same" padded so the trunk
    keeps the length.

    ``causal=True`` pads every layer on the left only: frame ``t`` then sees ``t - 14 .. t``
    (15 frames, the same span as the x-vector context) and never a future frame.

    Parameters
    ----------
    in_channels, n_outputs
        Features per frame (1 for a univariate series; 24 MFCCs in the x-vector paper) and number
        of output logits.
    channels, kernel_sizes, dilations
        Per frame layer (same lengths).
    embedding
        Widths of the segment layers after statistics pooling.
    dropout
        Dropout after each frame and segment layer.
    causal
        Use only past context (left padding); required for streaming.
    per_step
        Return per-frame outputs ``(N, n_outputs, L)`` through a 1x1 convolution instead of
        pooling; with ``causal=True`` output ``t`` depends only on frames ``<= t``.
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        channels: Sequence[int] = (512, 512, 512, 512, 1500),
        kernel_sizes: Sequence[int] = (5, 3, 3, 1, 1),
        dilations: Sequence[int] = (1, 2, 3, 1, 1),
        embedding: Sequence[int] = (512, 512),
        dropout: float = 0.0,
        causal: bool = False,
        per_step: bool = False,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if not len(channels) == len(kernel_sizes) == len(dilations) >= 1:
            raise SeqconvError("channels, kernel_sizes and dilations need the same length (>= 1)")
        self.causal, self.per_step, self.dense = causal, per_step, per_step
        padding = "causal" if causal else "same"
        layers: list[nn.Module] = []
        width = in_channels
        for n, k, d in zip(channels, kernel_sizes, dilations, strict=True):
            frame = [PaddedConv1d(width, n, k, dilation=d, padding=padding), nn.ReLU()]
            frame.append(nn.BatchNorm1d(n))
            if dropout:
                frame.append(nn.Dropout(dropout))
            layers.append(nn.Sequential(*frame))
            width = n
        self.trunk = nn.Sequential(*layers)
        if per_step:
            self.head = StepHead(nn.Conv1d(width, n_outputs, 1), per_step=True)
        else:
            self.head = _segment_head(width, n_outputs, embedding, dropout)


def _segment_head(
    width: int, n_outputs: int, embedding: Sequence[int], dropout: float
) -> nn.Module:
    layers: list[nn.Module] = [StatsPool()]
    features = 2 * width
    for units in embedding:
        # x-vector order: affine, ReLU, then batch norm.
        layers += [nn.Linear(features, units), nn.ReLU(), nn.BatchNorm1d(units)]
        if dropout:
            layers.append(nn.Dropout(dropout))
        features = units
    layers.append(nn.Linear(features, n_outputs))
    return nn.Sequential(*layers)
