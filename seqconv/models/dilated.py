"""Dilated residual tower in the style of BPNet (Avsec et al. 2021) and Basenji (Kelley 2018)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.models.layers import (
    GlobalPool,
    PaddedConv1d,
    Residual,
    TrunkHead,
    make_activation,
    mlp_head,
    same_padding,
)
from seqconv.models.registry import register


@register("dilated")
class Dilated(TrunkHead):
    """A wide first convolution, then residual layers ``x + act(conv_d(x))`` with doubling dilation.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L``; every layer is "same" padded,
    so the trunk keeps the input length and position ``t`` of the trunk is centred on base ``t``.

    Defaults are BPNet's (Avsec et al. 2021, Nat. Genet. 53:354): 64 filters, a first convolution
    of width 25, nine residual layers of width 3 with dilations 2, 4, ..., 512 (receptive field
    2,069 bp), ReLU, no normalisation, and BPNet's count head: global average pooling and a linear
    layer. ``batch_norm=True, activation="gelu"`` gives Basenji's style of layer
    (Kelley et al. 2018, Genome Res. 28:739): convolution, batch norm, GELU.

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size and number of output logits.
    filters
        Width of every layer.
    first_kernel_size
        Width of the first (motif) convolution.
    kernel_size, dilations
        Of the residual layers, one layer per dilation.
    activation
        Activation of every layer (``"relu"``, ``"gelu"``, ``"exp"``, ...).
    batch_norm
        Batch normalisation between each convolution and its activation.
    dropout
        Dropout at the end of each residual branch.
    """

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
        self.head = mlp_head(GlobalPool("avg"), filters, n_outputs)


def dilated_tower(
    in_channels: int,
    filters: int,
    first_kernel_size: int,
    kernel_size: int,
    dilations: Sequence[int],
    activation: str,
    batch_norm: bool,
    dropout: float,
) -> nn.Sequential:
    """A wide "same" convolution, then one residual layer ``x + act(conv_d(x))`` per dilation:
    ``(N, in_channels, L) -> (N, filters, L)``; see :class:`Dilated` for the parameters."""
    stem: list[nn.Module] = [
        nn.Conv1d(in_channels, filters, first_kernel_size, padding=same_padding(first_kernel_size))
    ]
    if batch_norm:
        stem.append(nn.BatchNorm1d(filters))
    stem.append(make_activation(activation))
    layers: list[nn.Module] = [nn.Sequential(*stem)]
    for d in dilations:
        body: list[nn.Module] = [
            PaddedConv1d(filters, filters, kernel_size, dilation=d, padding="same")
        ]
        if batch_norm:
            body.append(nn.BatchNorm1d(filters))
        body.append(make_activation(activation))
        if dropout:
            body.append(nn.Dropout(dropout))
        layers.append(Residual(nn.Sequential(*body)))
    return nn.Sequential(*layers)
