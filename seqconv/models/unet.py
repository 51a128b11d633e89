"""U-Net for per-position prediction (Ronneberger, Fischer & Brox 2015, MICCAI).

In one dimension as in U-Time (Perslev et al. 2019, NeurIPS) for sleep staging.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.blocks import POOLS, UpsampleBlock, make_pool
from seqconv.models.layers import PaddedConv1d, TrunkHead, make_activation
from seqconv.models.registry import register

DOWNSAMPLES: tuple[str, ...] = (*POOLS, "conv")


def conv_block(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    batch_norm: bool,
    activation: str,
    dropout: float,
) -> nn.Sequential:
    """Two "same" convolutions, each followed by [batch norm and] the activation, then
    [dropout]: ``(N, C_in, L) -> (N, C_out, L)``."""
    layers: list[nn.Module] = []
    for c_in in (in_channels, out_channels):
        conv = PaddedConv1d(c_in, out_channels, kernel_size, padding="same", bias=not batch_norm)
        layers += [conv, nn.BatchNorm1d(out_channels)] if batch_norm else [conv]
        layers.append(make_activation(activation))
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class UNetTrunk(nn.Module):
    """Encoder, bottleneck and decoder with concatenated skips: ``(N, C, L) -> (N, F_0, L)``.

    The input is padded on the right with zeros to a multiple of ``factor ** depth``, so every
    downsampling divides exactly and each upsampled tensor has its skip's length; the output is
    cropped back to ``L``. Right padding keeps position ``t`` of the output on input ``t``.
    """

    def __init__(
        self,
        in_channels: int,
        filters: Sequence[int],
        kernel_size: int,
        factor: int,
        downsample: str,
        upsample_kernel_size: int | None,
        batch_norm: bool,
        activation: str,
        dropout: float,
    ) -> None:
        super().__init__()
        self.multiple = factor ** (len(filters) - 1)
        block = {"kernel_size": kernel_size, "batch_norm": batch_norm, "activation": activation}
        self.encoder, self.down = nn.ModuleList(), nn.ModuleList()
        width = in_channels
        for n in filters[:-1]:
            self.encoder.append(conv_block(width, n, **block, dropout=dropout))
            if downsample == "conv":
                self.down.append(nn.Conv1d(n, n, factor, stride=factor))
            else:
                self.down.append(make_pool(downsample, factor))
            width = n
        self.bottleneck = conv_block(width, filters[-1], **block, dropout=dropout)
        self.up, self.decoder = nn.ModuleList(), nn.ModuleList()
        for n, below in zip(filters[-2::-1], filters[:0:-1], strict=True):
            self.up.append(
                UpsampleBlock(
                    below,
                    n,
                    factor,
                    upsample_kernel_size,
                    batch_norm=batch_norm,
                    activation=activation,
                )
            )
            self.decoder.append(conv_block(2 * n, n, **block, dropout=0.0))

    def forward(self, x: Tensor) -> Tensor:
        length = x.shape[-1]
        extra = -length % self.multiple
        if extra:
            x = F.pad(x, (0, extra))
        skips = []
        for encode, down in zip(self.encoder, self.down, strict=True):
            x = encode(x)
            skips.append(x)
            x = down(x)
        x = self.bottleneck(x)
        for up, decode, skip in zip(self.up, self.decoder, reversed(skips), strict=True):
            x = up(x)
            # Lengths agree by construction (the input was padded to a multiple).
            x = decode(torch.cat([skip, x], dim=1))
        return x[..., :length] if extra else x


@register("unet")
class UNet(TrunkHead):
    """U-Net: a pooled (or strided) encoder, a transposed-convolution decoder, and skips that
    concatenate each encoder level's output to the decoder's input at the same resolution.

    ``(N, in_channels, L) -> (N, n_outputs, L)`` per-position logits for any ``L >= 1``: the trunk
    pads to a multiple of ``factor ** (len(filters) - 1)`` and crops back, so ``L`` need not be
    divisible. The head is a 1x1 convolution, so position ``t``'s logits come from trunk position
    ``t`` alone.

    Defaults (for base-resolution DNA tasks): four levels of 16, 32, 64, 128 filters, "same"
    convolutions of width 9, each followed by batch norm and ReLU, two per level (as Ronneberger et
    al.); max pooling by 2 between levels; transposed convolutions of width 2, stride 2 up. The
    receptive field is 360 positions (``seqconv receptive-field``).

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size and number of logits per position (classes of a segmentation).
    filters
        Width of each level, finest first; ``len(filters) - 1`` downsamplings.
    kernel_size
        Width of every convolution.
    factor
        Down- and upsampling factor between levels.
    downsample
        ``"max"``, ``"avg"``, ``"l2"`` (LP pooling, ``p = 2``) or ``"conv"`` (a learned
        convolution of width and stride ``factor``).
    upsample_kernel_size
        Width of the transposed convolutions (``>= factor``; wider ones overlap); ``None``:
        ``factor``.
    batch_norm, activation
        Batch norm after each convolution and the activation's name.
    dropout
        Dropout at the end of each encoder level and the bottleneck.
    """

    dense = True

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        filters: Sequence[int] = (16, 32, 64, 128),
        kernel_size: int = 9,
        factor: int = 2,
        downsample: str = "max",
        upsample_kernel_size: int | None = None,
        batch_norm: bool = True,
        activation: str = "relu",
        dropout: float = 0.0,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if len(filters) < 1:
            raise SeqconvError("unet needs at least one level in filters")
        if factor < 2:
            raise SeqconvError(f"unet needs factor >= 2, got {factor}")
        if downsample not in DOWNSAMPLES:
            raise SeqconvError(
                f"unknown downsample {downsample!r}; use one of {', '.join(DOWNSAMPLES)}"
            )
        self.trunk = UNetTrunk(
            in_channels,
            filters,
            kernel_size,
            factor,
            downsample,
            upsample_kernel_size,
            batch_norm,
            activation,
            dropout,
        )
        self.head = nn.Conv1d(filters[0], n_outputs, 1)
