"""Basset (Kelley, Snoek & Rinn 2016, Genome Res. 26:990)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import GlobalPool, TrunkHead, make_activation, mlp_head
from seqconv.models.registry import register


@register("basset")
class Basset(TrunkHead):
    """Three convolution / batch-norm / ReLU / max-pool layers and two fully connected layers.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L`` long enough for the three
    unpadded convolutions (``L >= 168``, the receptive field, with the defaults).

    Defaults are Basset's published architecture: 300, 200, 200 filters of widths 19, 11, 7, max
    pooling of widths 3, 4, 4, unpadded ("valid") convolutions as in the original Torch7 code, two
    hidden layers of 1000 units with dropout 0.3, and batch normalisation. Basset flattens the final
    ``200 x 10`` map of a 600 bp input into the first fully connected layer; here the map is
    **global max pooled** instead, so the same model takes any length (the first hidden layer
    has 200 inputs instead of 2000).

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size and number of output logits (Basset: 164 cell types).
    filters, kernel_sizes, pool_sizes
        Per convolution layer; the three lists have the same length.
    hidden
        Widths of the fully connected layers.
    dropout
        Dropout after each fully connected layer.
    first_activation
        ``"relu"`` (Basset) or ``"exp"`` (Koo & Ploenzke 2021).
    padding
        ``"valid"`` (Basset) or ``"same"``.
    """

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        filters: Sequence[int] = (300, 200, 200),
        kernel_sizes: Sequence[int] = (19, 11, 7),
        pool_sizes: Sequence[int] = (3, 4, 4),
        hidden: Sequence[int] = (1000, 1000),
        dropout: float = 0.3,
        first_activation: str = "relu",
        padding: str = "valid",
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if not len(filters) == len(kernel_sizes) == len(pool_sizes) >= 1:
            raise SeqconvError("filters, kernel_sizes and pool_sizes need the same length (>= 1)")
        layers: list[nn.Module] = []
        width = in_channels
        for i, (n, k, p) in enumerate(zip(filters, kernel_sizes, pool_sizes, strict=True)):
            layers += [
                nn.Conv1d(width, n, k, padding=padding),
                nn.BatchNorm1d(n),
                make_activation(first_activation) if i == 0 else nn.ReLU(),
            ]
            if p > 1:
                layers.append(nn.MaxPool1d(p))
            width = n
        self.trunk = nn.Sequential(*layers)
        self.head = mlp_head(
            GlobalPool("max"), width, n_outputs, hidden=hidden, dropout=dropout, batch_norm=True
        )
