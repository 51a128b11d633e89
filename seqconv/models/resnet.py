"""Residual network for time-series classification (Wang, Yan & Oates 2017, IJCNN)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import GlobalPool, PaddedConv1d, Residual, TrunkHead, mlp_head
from seqconv.models.registry import register


def _block(c_in: int, c_out: int, kernel_sizes: Sequence[int]) -> Residual:
    body: list[nn.Module] = []
    width = c_in
    for i, k in enumerate(kernel_sizes):
        body += [PaddedConv1d(width, c_out, k, padding="same"), nn.BatchNorm1d(c_out)]
        if i < len(kernel_sizes) - 1:
            body.append(nn.ReLU())
        width = c_out
    # Fawaz et al.'s reference code: a 1x1 convolution where the width changes, else batch norm.
    shortcut = (
        nn.Sequential(nn.Conv1d(c_in, c_out, 1), nn.BatchNorm1d(c_out))
        if c_in != c_out
        else nn.BatchNorm1d(c_out)
    )
    return Residual(nn.Sequential(*body), shortcut, activation=nn.ReLU())


@register("resnet")
class ResNet(TrunkHead):
    """Three residual blocks of three "same" convolutions, global average pooling, a linear layer.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L``.

    Defaults are Wang et al.'s: blocks of 64, 128, 128 filters, kernel sizes 8, 5, 3 in every
    block, batch normalisation after each convolution, ReLU, a shortcut per block (1x1 convolution
    plus batch norm where the width changes, batch norm otherwise, as in Fawaz et al. 2019's
    reference implementation), and global average pooling. The even kernel 8 is padded 3 left and
    4 right (see :func:`~seqconv.models.layers.padding_amounts`).

    Parameters
    ----------
    in_channels, n_outputs
        Number of input series (1 for a univariate series) and of output logits.
    filters
        Width of each residual block.
    kernel_sizes
        Kernel sizes of the convolutions inside every block.
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        filters: Sequence[int] = (64, 128, 128),
        kernel_sizes: Sequence[int] = (8, 5, 3),
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if not filters or not kernel_sizes:
            raise SeqconvError("resnet needs at least one block and one kernel size")
        blocks = []
        width = in_channels
        for n in filters:
            blocks.append(_block(width, n, kernel_sizes))
            width = n
        self.trunk = nn.Sequential(*blocks)
        self.head = mlp_head(GlobalPool("avg"), width, n_outputs)
