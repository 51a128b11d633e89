"""DeepBind (Alipanahi et al. 2015, Nat. Biotechnol. 33:831)."""

from __future__ import annotations

from torch import nn

from seqconv.models.layers import GlobalPool, TrunkHead, make_activation, mlp_head
from seqconv.models.registry import register


@register("deepbind")
class DeepBind(TrunkHead):
    """One convolution of motif detectors, global pooling and a small fully connected layer.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L >= kernel_size``.

    Defaults follow Alipanahi et al. 2015: 16 motif detectors of width 24 (1.5x the longest motif
    expected), rectification, global max pooling (``pool="maxavg"`` concatenates max and average
    pooling, the paper's other option), one hidden layer of 32 ReLU units with dropout 0.5.
    DeepBind pads each sequence with ``kernel_size - 1`` uniform (``N``) columns on both sides so
    that motifs at the edges are scored; here ``padding="valid"`` leaves that to the caller, and
    ``padding="same"`` is available.

    Parameters
    ----------
    in_channels, n_outputs
        Input alphabet size (4 for one-hot DNA) and number of output logits.
    filters, kernel_size
        Number and width of the motif detectors.
    pool
        ``"max"``, ``"avg"`` or ``"maxavg"``.
    hidden
        Width of the hidden layer; 0 for none.
    dropout
        Dropout before the output layer.
    first_activation
        ``"relu"`` (DeepBind) or ``"exp"`` (Koo & Ploenzke 2021).
    padding
        ``"valid"`` or ``"same"`` for the convolution.
    """

    def __init__(
        self,
        in_channels: int = 4,
        n_outputs: int = 1,
        filters: int = 16,
        kernel_size: int = 24,
        pool: str = "max",
        hidden: int = 32,
        dropout: float = 0.5,
        first_activation: str = "relu",
        padding: str = "valid",
    ) -> None:
        super().__init__(in_channels, n_outputs)
        self.trunk = nn.Sequential(
            nn.Conv1d(in_channels, filters, kernel_size, padding=padding),
            make_activation(first_activation),
        )
        features = 2 * filters if pool == "maxavg" else filters
        self.head = mlp_head(
            GlobalPool(pool),
            features,
            n_outputs,
            hidden=[hidden] if hidden else [],
            dropout=dropout,
        )
