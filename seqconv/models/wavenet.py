"""WaveNet (van den Oord et al. 2016, arXiv:1609.03499)."""

from __future__ import annotations

from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import CausalConv1d, GatedActivation, StepHead, TrunkHead
from seqconv.models.registry import register


class WaveNetLayer(nn.Module):
    """Dilated causal convolution, gate ``tanh * sigmoid``, 1x1 residual and 1x1 skip outputs.

    ``(N, R, L) -> ((N, R, L), (N, S, L))``: the residual stream and this layer's skip output.
    ``residual=False`` (the last layer, whose residual stream nobody reads) omits the residual
    convolution, so every parameter gets a gradient (distributed training requires it).
    """

    def __init__(
        self,
        residual_channels: int,
        gate_channels: int,
        skip_channels: int,
        kernel_size: int,
        dilation: int,
        residual: bool = True,
    ) -> None:
        super().__init__()
        self.conv = CausalConv1d(
            residual_channels, 2 * gate_channels, kernel_size, dilation=dilation
        )
        self.gate = GatedActivation()
        self.residual = nn.Conv1d(gate_channels, residual_channels, 1) if residual else None
        self.skip = nn.Conv1d(gate_channels, skip_channels, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.gate(self.conv(x))
        if self.residual is not None:
            x = x + self.residual(h)
        return x, self.skip(h)


class WaveNetTrunk(nn.Module):
    """Causal input convolution and the stack of :class:`WaveNetLayer`.

    ``(N, C, L) -> (N, skip_channels, L)``: the sum of all skip outputs.
    """

    def __init__(
        self,
        in_channels: int,
        residual_channels: int,
        gate_channels: int,
        skip_channels: int,
        kernel_size: int,
        input_kernel_size: int,
        dilations: list[int],
    ) -> None:
        super().__init__()
        self.input = CausalConv1d(in_channels, residual_channels, input_kernel_size)
        last = len(dilations) - 1
        self.layers = nn.ModuleList(
            WaveNetLayer(residual_channels, gate_channels, skip_channels, kernel_size, d, i < last)
            for i, d in enumerate(dilations)
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.input(x)
        total = None
        for layer in self.layers:
            x, skip = layer(x)
            total = skip if total is None else total + skip
        return total


@register("wavenet")
class WaveNet(TrunkHead):
    """Causal dilated gated convolutions with residual and skip connections.

    ``(N, in_channels, L) -> (N, n_outputs)`` logits taken at the last step, or
    ``(N, n_outputs, L)`` with ``per_step=True``; output ``t`` depends only on inputs ``<= t``.
    The head (ReLU, 1x1, ReLU, 1x1 on the summed skips) is point-wise, so the last-step logits
    equal the last column of the per-step ones and a model trained either way serves both.

    Defaults follow van den Oord et al. 2016: filter width 2, dilations 1, 2, ..., 512 repeated
    (here ``stacks=2``), gated ``tanh * sigmoid`` units, 1x1 residual and skip convolutions, and
    the ReLU-1x1-ReLU-1x1 output. Channel widths are those of the widely used tensorflow-wavenet
    configuration (32 residual and gate channels) with 64 skip channels, which is small enough to
    train on a CPU. Receptive field with the defaults: 2,048 steps.

    Parameters
    ----------
    in_channels, n_outputs
        Input series (1 for a univariate series; 256 for one-hot mu-law audio) and output logits.
    residual_channels, gate_channels, skip_channels
        Widths of the residual stream, the gate and the skip sum.
    kernel_size
        Width of the dilated convolutions.
    input_kernel_size
        Width of the causal input convolution.
    layers_per_stack, stacks
        Dilations ``1, 2, ..., 2**(layers_per_stack-1)``, repeated ``stacks`` times.
    per_step
        Return per-step outputs instead of the last step.
    """

    def __init__(
        self,
        in_channels: int = 1,
        n_outputs: int = 1,
        residual_channels: int = 32,
        gate_channels: int = 32,
        skip_channels: int = 64,
        kernel_size: int = 2,
        input_kernel_size: int = 2,
        layers_per_stack: int = 10,
        stacks: int = 2,
        per_step: bool = False,
    ) -> None:
        super().__init__(in_channels, n_outputs)
        if layers_per_stack < 1 or stacks < 1:
            raise SeqconvError("wavenet needs layers_per_stack >= 1 and stacks >= 1")
        self.per_step = self.dense = per_step
        dilations = [2**i for i in range(layers_per_stack)] * stacks
        self.trunk = WaveNetTrunk(
            in_channels,
            residual_channels,
            gate_channels,
            skip_channels,
            kernel_size,
            input_kernel_size,
            dilations,
        )
        net = nn.Sequential(
            nn.ReLU(),
            nn.Conv1d(skip_channels, skip_channels, 1),
            nn.ReLU(),
            nn.Conv1d(skip_channels, n_outputs, 1),
        )
        self.head = StepHead(net, per_step=per_step)
