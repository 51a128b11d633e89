"""Full-resolution dilated residual network for per-position prediction (BPNet, Avsec 2021).

Dilated rather than downsampled context, as for segmentation in Yu & Koltun 2016 (ICLR).
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.models.dilated import dilated_tower
from seqconv.models.layers import TrunkHead
from seqconv.models.registry import register


@register("dilated_seg")
class DilatedSeg(TrunkHead):
    """The tower of :class:`~seqconv.models.dilated.Dilated` (a wide first convolution, residual
    layers with doubling dilation, all "same" padded, no downsampling) with a per-position head.

    ``(N, in_channels, L) -> (N, n_outputs, L)`` logits for any ``L``: every layer keeps the
    length, so output ``t`` is centred on input ``t`` and nothing is lost to pooling and
    upsampling. The cost is that every layer runs at full resolution (against a U-Net, which
    reaches a similar context with most of its work at coarse resolutions).

    Defaults are BPNet's tower: 64 filters, a first convolution of width 25, nine residual
    layers of width 3 with dilations 2 .. 512 (receptive field 2,069 positions), ReLU, no
    normalisation. The head is a 1x1 convolution, so position ``t``'s logits come from trunk
    position ``t`` alone and the trunk's receptive field is the model's (BPNet's profile head is
    75 wide instead; add a dilation for more context).

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size and number of logits per position.
    filters, first_kernel_size, kernel_size, dilations, activation, batch_norm, dropout
        Of the tower, as for ``dilated``.
    """

    dense = True

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        filters: int = 64,
        first_kernel_size: int = 25,
        kernel_size: int = 3,
        dilations: Sequence[int] = (2, 4, 8, 16, 32, 64, 128, 256, 512),
        activation: str = "relu",
        batch_norm: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        self.trunk = dilated_tower(
            in_channels,
            filters,
            first_kernel_size,
            kernel_size,
            dilations,
            activation,
            batch_norm,
            dropout,
        )
        self.head = nn.Conv1d(filters, n_outputs, 1)
