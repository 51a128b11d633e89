"""InceptionTime for time-series classification (Ismail Fawaz et al. 2020, Data Min. Knowl. Disc.).

``build("inception")`` is one network; ``build("inception", ensemble=5)`` is the paper's ensemble
of five differently initialised networks whose predicted probabilities are averaged
(:class:`~seqconv.models.ensemble.Ensemble`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.ensemble import Ensemble
from seqconv.models.layers import (
    GlobalPool,
    PaddedConv1d,
    Residual,
    SameMaxPool1d,
    TrunkHead,
    mlp_head,
)
from seqconv.models.registry import register


class InceptionModule(nn.Module):
    """Parallel convolutions of several widths and a max-pool branch: ``(N, C, L) -> (N, C', L)``.

    ``x -> [1x1 bottleneck] -> conv k1 | conv k2 | conv k3`` and ``x -> max pool 3 -> 1x1 conv``,
    concatenated along channels (``C' = (len(kernel_sizes) + 1) * filters``), batch norm, ReLU.
    Every convolution is "same" (even kernels pad one more step on the right, as Keras does) and
    has no bias, because the batch norm that follows adds one.

    Parameters
    ----------
    in_channels
        Channels of the input.
    filters
        Output channels of each branch.
    kernel_sizes
        Kernel sizes of the convolution branches.
    bottleneck
        Channels of the 1x1 convolution in front of the convolution branches; it is left out when
        the input has a single channel (nothing to reduce) or when ``bottleneck`` is 0.
    """

    def __init__(
        self, in_channels: int, filters: int, kernel_sizes: Sequence[int], bottleneck: int
    ) -> None:
        super().__init__()
        # The reference code skips the bottleneck on univariate input: a 1x1 convolution of one
        # channel would only scale it.
        use_bottleneck = bottleneck > 0 and in_channels > 1
        self.bottleneck = (
            nn.Conv1d(in_channels, bottleneck, 1, bias=False) if use_bottleneck else nn.Identity()
        )
        width = bottleneck if use_bottleneck else in_channels
        self.convs = nn.ModuleList(
            PaddedConv1d(width, filters, k, padding="same", bias=False) for k in kernel_sizes
        )
        # As in the paper, the pool branch reads the module input, not the bottleneck output.
        self.pool = nn.Sequential(SameMaxPool1d(3), nn.Conv1d(in_channels, filters, 1, bias=False))
        self.norm = nn.BatchNorm1d(filters * (len(kernel_sizes) + 1))
        self.activation = nn.ReLU()

    def forward(self, x: Tensor) -> Tensor:
        z = self.bottleneck(x)
        branches = [conv(z) for conv in self.convs]
        branches.append(self.pool(x))
        return self.activation(self.norm(torch.cat(branches, dim=1)))


def _shortcut(c_in: int, c_out: int) -> nn.Sequential:
    # Always a 1x1 convolution plus batch norm, even where the widths agree, as in the reference
    # code (ResNet uses batch norm alone there).
    return nn.Sequential(nn.Conv1d(c_in, c_out, 1, bias=False), nn.BatchNorm1d(c_out))


class InceptionTime(TrunkHead):
    """Inception modules with a shortcut every few modules, global average pooling, a linear layer.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits for any ``L >= 1``.

    Defaults are the authors' reference code: six Inception modules (see
    :class:`InceptionModule`) of 32 filters per branch, kernel sizes 40, 20 and 10 (their kernel
    size 41 minus 1, halved twice), a 32-channel bottleneck, and after every third module a
    shortcut from the input of those three modules (1x1 convolution plus batch norm, no bias),
    added before a ReLU. Every layer keeps the length, so
    :func:`~seqconv.models.masking.enable_masks` applies. At the defaults the receptive field is
    235 steps (6 modules of span 39, plus 1). Batch norm keeps PyTorch's defaults (momentum 0.1,
    eps 1e-5), where the Keras reference has momentum 0.99 (PyTorch's 0.01) and eps 1e-3.

    Parameters
    ----------
    in_channels, n_outputs
        Number of input series (1 for a univariate series) and of output logits.
    filters
        Output channels of each of the ``len(kernel_sizes) + 1`` branches of a module; a module
        outputs ``(len(kernel_sizes) + 1) * filters`` channels.
    depth
        Number of Inception modules.
    kernel_sizes
        Kernel sizes of the convolution branches of every module.
    bottleneck
        Channels of the 1x1 bottleneck convolution; 0 leaves it out.
    residual_every
        Modules per shortcut; 0 leaves the shortcuts out. Modules left over after the last full
        group (``depth % residual_every``) have no shortcut.
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        filters: int = 32,
        depth: int = 6,
        kernel_sizes: Sequence[int] = (40, 20, 10),
        bottleneck: int = 32,
        residual_every: int = 3,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if filters < 1 or depth < 1 or not kernel_sizes or min(kernel_sizes) < 1:
            raise SeqconvError(
                "inception needs filters >= 1, depth >= 1 and kernel sizes >= 1, got "
                f"filters={filters}, depth={depth}, kernel_sizes={list(kernel_sizes)}"
            )
        if bottleneck < 0 or residual_every < 0:
            raise SeqconvError(
                f"bottleneck and residual_every must be >= 0 (0: none), got {bottleneck} and "
                f"{residual_every}"
            )
        width_out = filters * (len(kernel_sizes) + 1)
        stages: list[nn.Module] = []
        group: list[nn.Module] = []
        width = group_in = in_channels
        for d in range(depth):
            group.append(InceptionModule(width, filters, kernel_sizes, bottleneck))
            width = width_out
            if residual_every and len(group) == residual_every:
                shortcut = _shortcut(group_in, width_out)
                stages.append(Residual(nn.Sequential(*group), shortcut, activation=nn.ReLU()))
                group, group_in = [], width_out
            elif d == depth - 1:
                stages.extend(group)
        self.trunk = nn.Sequential(*stages)
        self.head = mlp_head(GlobalPool("avg"), width_out, n_outputs)


@register("inception")
def inception(
    in_channels: int = 1,
    n_outputs: int = 1,
    filters: int = 32,
    depth: int = 6,
    kernel_sizes: Sequence[int] = (40, 20, 10),
    bottleneck: int = 32,
    residual_every: int = 3,
    ensemble: int = 1,
    combine: str = "softmax",
) -> nn.Module:
    """:class:`InceptionTime`, or with ``ensemble > 1`` an
    :class:`~seqconv.models.ensemble.Ensemble` of that many (the paper's InceptionTime is 5).

    ``combine`` is how the members' predictions average (``softmax``, ``sigmoid`` or ``mean``);
    training sets it from the task. The other parameters are :class:`InceptionTime`'s.
    """
    if ensemble < 1:
        raise SeqconvError(f"ensemble must be >= 1 (networks), got {ensemble}")
    args = (in_channels, n_outputs, filters, depth, kernel_sizes, bottleneck, residual_every)
    if ensemble == 1:
        return InceptionTime(*args)
    return Ensemble([InceptionTime(*args) for _ in range(ensemble)], combine)
