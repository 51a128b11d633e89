"""CNN with a wide first-layer pool (Koo & Eddy 2019, PLoS Comput. Biol. 15:e1007560)."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.blocks import SeparableConv1d
from seqconv.models.layers import GlobalPool, TrunkHead, make_activation, mlp_head, same_padding
from seqconv.models.registry import register


@register("motifnet")
class MotifNet(TrunkHead):
    """Koo & Eddy's CNN-25: a large first-layer max pool keeps deeper layers from assembling motifs
    out of partial ones, so first-layer filters learn whole motifs ("localist" representations).

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L >= pool_size``.

    Defaults follow the CNN-25 of the authors' code (``learning_sequence_motifs``,
    ``models/cnn_25.py``) but for a wider first layer: 128 filters of width 19 (CNN-25 has 30),
    batch norm, ReLU, max pool 25, dropout 0.1;
    128 filters of width 5, batch norm, ReLU, dropout 0.1; 512 hidden units with batch norm and
    dropout 0.5; "same" convolutions. CNN-25 follows the second convolution with a max pool of 4
    and flattens (200 bp inputs); here that is **global max pooling**, so any length works.

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size and number of output logits (12 TFs in the synthetic benchmark).
    filters, kernel_sizes
        Of the two convolution layers. On the Koo & Eddy set (12 motifs, 12,500 x 200 bp, seeds
        0-2, ``scripts/bench_motifs.py``) first-layer filters named 10/10/10 of the 12 planted
        motifs with 30 filters, 11/12/11 with 64 and 12/12/12 with 128 (controls at most 1/12),
        at test auROC 0.948-0.970, 0.976-0.979 and 0.976-0.980; the exponential activation
        gave 10/9/9 with 30 filters and 12/11/12 with 64 (an untrained control at 2/12).
    pool_size
        Width (and stride) of the first-layer max pool: 25 gives CNN-25, 4 gives CNN-4.
    hidden
        Width of the fully connected layer; 0 for none.
    conv_dropout, dropout
        Dropout after each convolution layer and after the hidden layer.
    first_activation
        ``"relu"`` (Koo & Eddy) or ``"exp"`` (Koo & Ploenzke 2021).
    separable
        Make the second convolution depthwise-separable
        (:class:`~seqconv.models.blocks.SeparableConv1d`, MobileNet style: depthwise, batch
        norm, ReLU, pointwise, batch norm, ReLU). The first layer stays a full convolution: its
        filters are the motifs. With the defaults this has 40 % fewer parameters and 20 % fewer
        multiply-adds at 1,000 bp (``seqconv models``), but is no faster on a CPU: the first
        layer, at full resolution, does most of the work (165 ms for both per 128 x 1 kbp
        forward pass on one thread).
    """

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        filters: Sequence[int] = (128, 128),
        kernel_sizes: Sequence[int] = (19, 5),
        pool_size: int = 25,
        hidden: int = 512,
        conv_dropout: float = 0.1,
        dropout: float = 0.5,
        first_activation: str = "relu",
        separable: bool = False,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if len(filters) != 2 or len(kernel_sizes) != 2:
            raise SeqconvError("motifnet has two convolution layers: give two filters and sizes")
        (f1, f2), (k1, k2) = filters, kernel_sizes
        second: list[nn.Module] = (
            [SeparableConv1d(f1, f2, k2, padding="same")]
            if separable
            else [nn.Conv1d(f1, f2, k2, padding=same_padding(k2)), nn.BatchNorm1d(f2), nn.ReLU()]
        )
        self.trunk = nn.Sequential(
            nn.Conv1d(in_channels, f1, k1, padding=same_padding(k1)),
            nn.BatchNorm1d(f1),
            make_activation(first_activation),
            nn.MaxPool1d(pool_size),
            nn.Dropout(conv_dropout),
            *second,
            nn.Dropout(conv_dropout),
        )
        self.head = mlp_head(
            GlobalPool("max"),
            f2,
            n_outputs,
            hidden=[hidden] if hidden else [],
            dropout=dropout,
            batch_norm=True,
        )
