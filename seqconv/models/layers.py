"""Building blocks shared by the model zoo. Every tensor is ``(N, C, L)``: batch, channels, length.

Padding is a module of its own (:class:`Pad1d`) placed before an unpadded ``nn.Conv1d``, so what a
convolution sees is explicit and a later streaming implementation can replace the padding of a
:class:`CausalConv1d` by a state buffer without touching the convolution.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import weight_norm as _weight_norm

from seqconv.errors import InputError, SeqconvError

PaddingMode = Literal["valid", "same", "causal"]
PADDING_MODES: tuple[str, ...] = ("valid", "same", "causal")


def padding_amounts(kernel_size: int, dilation: int = 1, mode: str = "valid") -> tuple[int, int]:
    """Left and right padding of a convolution for a padding mode.

    Parameters
    ----------
    kernel_size, dilation
        Of the convolution; it spans ``(kernel_size - 1) * dilation + 1`` positions.
    mode
        ``"valid"``: none. ``"same"``: ``(kernel_size - 1) * dilation`` in total, split evenly; an
        odd total puts the extra position on the right (as PyTorch's and TensorFlow's ``"same"``),
        so output ``t`` of a stride-1 convolution is centred on input ``t`` or just left of it.
        ``"causal"``: all of it on the left, so output ``t`` sees inputs ``<= t`` only.

    Examples
    --------
    >>> padding_amounts(4, 1, "same"), padding_amounts(3, 2, "causal")
    ((1, 2), (4, 0))
    """
    if mode not in PADDING_MODES:
        raise SeqconvError(f"unknown padding {mode!r}; use one of {', '.join(PADDING_MODES)}")
    total = (kernel_size - 1) * dilation
    if mode == "valid":
        return 0, 0
    if mode == "causal":
        return total, 0
    return total // 2, total - total // 2


class Pad1d(nn.Module):
    """Constant padding of the length axis: ``(N, C, L) -> (N, C, left + L + right)``.

    Parameters
    ----------
    left, right
        Positions added before and after the sequence.
    value
        The fill value (zeros by default; an all-``N`` one-hot column would be ``0.25``).
    mode
        Only recorded for ``repr``: which convolution padding mode these amounts implement.
    """

    def __init__(self, left: int, right: int, value: float = 0.0, mode: str | None = None) -> None:
        super().__init__()
        if left < 0 or right < 0:
            raise SeqconvError(f"padding must be >= 0, got left={left}, right={right}")
        self.left, self.right, self.value, self.mode = int(left), int(right), float(value), mode

    @classmethod
    def for_conv(cls, kernel_size: int, dilation: int = 1, mode: str = "valid") -> Pad1d:
        """The padding that gives a convolution the semantics of ``mode``."""
        left, right = padding_amounts(kernel_size, dilation, mode)
        return cls(left, right, mode=mode)

    def forward(self, x: Tensor) -> Tensor:
        if self.left == 0 and self.right == 0:
            return x
        return F.pad(x, (self.left, self.right), value=self.value)

    def extra_repr(self) -> str:
        mode = f", mode={self.mode!r}" if self.mode else ""
        value = f", value={self.value}" if self.value else ""
        return f"left={self.left}, right={self.right}{value}{mode}"


class PaddedConv1d(nn.Module):
    """Padding module followed by an unpadded ``nn.Conv1d``: ``(N, C_in, L) -> (N, C_out, L')``.

    ``L' = floor((L + left + right - dilation * (kernel_size - 1) - 1) / stride) + 1``; with
    ``padding="same"`` or ``"causal"`` that is ``ceil(L / stride)``.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, stride, dilation, groups, bias
        As for ``nn.Conv1d``.
    padding
        ``"valid"``, ``"same"`` or ``"causal"``; see :func:`padding_amounts`.
    weight_norm
        Reparametrise the weight as ``g * v / ||v||`` (Salimans & Kingma 2016) through
        ``torch.nn.utils.parametrizations.weight_norm``.

    Examples
    --------
    >>> conv = PaddedConv1d(4, 8, 4, padding="same")
    >>> conv(torch.zeros(2, 4, 10)).shape
    torch.Size([2, 8, 10])
    """

    _rf_leaf = True  # the receptive-field table shows padding + convolution as one layer

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        stride: int = 1,
        dilation: int = 1,
        padding: str = "valid",
        groups: int = 1,
        bias: bool = True,
        weight_norm: bool = False,
    ) -> None:
        super().__init__()
        self.pad = Pad1d.for_conv(kernel_size, dilation, padding)
        self.conv = nn.Conv1d(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            dilation=dilation,
            groups=groups,
            bias=bias,
        )
        if weight_norm:
            apply_weight_norm(self.conv)

    @property
    def padding(self) -> str:
        """The padding mode (``"valid"``, ``"same"`` or ``"causal"``)."""
        return self.pad.mode or "valid"

    def forward(self, x: Tensor) -> Tensor:
        return self.conv(self.pad(x))


class CausalConv1d(PaddedConv1d):
    """Convolution whose output ``t`` depends on inputs ``t - (kernel_size - 1) * dilation .. t``.

    The input is padded on the left by ``(kernel_size - 1) * dilation`` and never on the right, so
    ``(N, C_in, L) -> (N, C_out, L)`` and no future position is ever read. Stride is fixed at 1:
    the output stays aligned with the input step by step.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        dilation: int = 1,
        groups: int = 1,
        bias: bool = True,
        weight_norm: bool = False,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            dilation=dilation,
            padding="causal",
            groups=groups,
            bias=bias,
            weight_norm=weight_norm,
        )


def apply_weight_norm(conv: nn.Conv1d) -> nn.Conv1d:
    """Weight-normalise ``conv`` in place; ``g`` starts at the norm of the current weight."""
    return _weight_norm(conv, name="weight", dim=0)


def same_padding(kernel_size: int, dilation: int = 1) -> int | str:
    """``nn.Conv1d`` padding for ``"same"``: an int for odd spans (symmetric), else ``"same"``."""
    total = (kernel_size - 1) * dilation
    return total // 2 if total % 2 == 0 else "same"


class SameMaxPool1d(nn.Module):
    """Max pooling with stride 1 that keeps the length: ``(N, C, L) -> (N, C, L)``.

    Output ``t`` is the maximum of inputs ``t - k // 2 .. t + k // 2`` that exist: the input is
    padded with ``-inf`` by ``k // 2`` on both sides (``max_pool1d``'s own padding), never with
    zeros, so a series of negative values is not lifted to 0 at its ends. This is the
    ``MaxPool1D(padding="same", strides=1)`` branch of InceptionTime. Under
    :func:`~seqconv.models.masking.enable_masks` padded steps are set to ``-inf`` before pooling
    and the padded steps of the output back to 0.

    Parameters
    ----------
    kernel_size
        Odd window, so the window is centred on its output step.

    Examples
    --------
    >>> SameMaxPool1d(3)(torch.tensor([[[-1.0, -3.0, -2.0, -5.0]]]))
    tensor([[[-1., -1., -2., -2.]]])
    """

    def __init__(self, kernel_size: int = 3) -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise SeqconvError(f"SameMaxPool1d needs an odd kernel_size >= 1, got {kernel_size}")
        self.kernel_size = int(kernel_size)

    def forward(self, x: Tensor) -> Tensor:
        if self.kernel_size == 1:
            return x
        return F.max_pool1d(x, self.kernel_size, stride=1, padding=self.kernel_size // 2)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}"


class Exp(nn.Module):
    """Exponential activation ``exp(x)`` (Koo & Ploenzke 2021, Nat. Mach. Intell. 3:258).

    Used after the first convolution it suppresses background and makes filters look like PWMs.
    """

    def forward(self, x: Tensor) -> Tensor:
        return torch.exp(x)


class GatedActivation(nn.Module):
    """WaveNet gate ``tanh(a) * sigmoid(b)`` of the channel halves: ``(N, 2C, L) -> (N, C, L)``."""

    def forward(self, x: Tensor) -> Tensor:
        if x.shape[1] % 2:
            raise InputError(f"gated activation needs an even channel count, got {x.shape[1]}")
        a, b = x.chunk(2, dim=1)
        return torch.tanh(a) * torch.sigmoid(b)


_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "exp": Exp,
    "gelu": nn.GELU,
    "elu": nn.ELU,
    "silu": nn.SiLU,
    "softplus": nn.Softplus,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}


def make_activation(name: str) -> nn.Module:
    """An activation module: relu, exp, gelu, elu, silu, softplus, tanh, sigmoid or identity."""
    try:
        return _ACTIVATIONS[name]()
    except KeyError:
        raise SeqconvError(
            f"unknown activation {name!r}; use one of {', '.join(_ACTIVATIONS)}"
        ) from None


def crop_to_match(a: Tensor, b: Tensor, align: str = "center") -> tuple[Tensor, Tensor]:
    """Crop the longer of two ``(N, C, L)`` tensors to the length of the shorter.

    ``align="center"`` drops ``(La - Lb) // 2`` positions at the start (the alignment of "valid"
    convolutions), ``"end"`` keeps the last positions (causal alignment), ``"start"`` the first.
    """
    la, lb = a.shape[-1], b.shape[-1]
    if la == lb:
        return a, b
    if align not in ("center", "end", "start"):
        raise SeqconvError(f"unknown alignment {align!r}; use center, end or start")
    longer, n = (a, lb) if la > lb else (b, la)
    extra = longer.shape[-1] - n
    start = {"center": extra // 2, "end": extra, "start": 0}[align]
    cropped = longer[..., start : start + n]
    return (cropped, b) if la > lb else (a, cropped)


class Residual(nn.Module):
    """``activation(body(x) + shortcut(x))`` with the longer branch cropped to the shorter.

    Parameters
    ----------
    body
        The main path ``(N, C, L) -> (N, C', L')``.
    shortcut
        Maps ``x`` to ``C'`` channels (e.g. a 1x1 convolution); identity when ``None``.
    activation
        Applied after the sum (ResNet, TCN); none when ``None``.
    align
        How to crop when the branch lengths differ; see :func:`crop_to_match`.
    """

    def __init__(
        self,
        body: nn.Module,
        shortcut: nn.Module | None = None,
        activation: nn.Module | None = None,
        align: str = "center",
    ) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
        self.align = align

    def forward(self, x: Tensor) -> Tensor:
        y = self.body(x)
        s = x if self.shortcut is None else self.shortcut(x)
        y, s = crop_to_match(y, s, self.align)
        out = y + s
        return out if self.activation is None else self.activation(out)


class GlobalPool(nn.Module):
    """Pool over the whole length: ``(N, C, L) -> (N, C)``; ``"maxavg"``: ``(N, 2C)``, max first."""

    def __init__(self, mode: str = "max") -> None:
        super().__init__()
        if mode not in ("max", "avg", "maxavg"):
            raise SeqconvError(f"unknown pooling {mode!r}; use max, avg or maxavg")
        self.mode = mode

    def forward(self, x: Tensor) -> Tensor:
        if self.mode == "max":
            return x.amax(dim=-1)
        if self.mode == "avg":
            return x.mean(dim=-1)
        return torch.cat([x.amax(dim=-1), x.mean(dim=-1)], dim=1)

    def extra_repr(self) -> str:
        return f"mode={self.mode!r}"


class StatsPool(nn.Module):
    """x-vector statistics pooling, mean and standard deviation: ``(N, C, L) -> (N, 2C)``.

    The standard deviation is the population one plus ``eps`` inside the root, so ``L = 1`` works.
    """

    def __init__(self, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        mean = x.mean(dim=-1)
        var = x.var(dim=-1, unbiased=False)
        return torch.cat([mean, torch.sqrt(var + self.eps)], dim=1)


class LastStep(nn.Module):
    """The last position of a causal sequence: ``(N, C, L) -> (N, C)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x[..., -1]


def mlp_head(
    pool: nn.Module,
    in_features: int,
    n_outputs: int,
    hidden: Sequence[int] = (),
    dropout: float = 0.0,
    batch_norm: bool = False,
) -> nn.Sequential:
    """Global pooling then ``Linear -> [BatchNorm] -> ReLU -> Dropout`` per hidden layer, then a
    ``Linear`` to ``n_outputs`` logits: ``(N, C, L) -> (N, n_outputs)`` for any ``L``."""
    layers: list[nn.Module] = [pool]
    width = in_features
    for units in hidden:
        layers.append(nn.Linear(width, units))
        if batch_norm:
            layers.append(nn.BatchNorm1d(units))
        layers.append(nn.ReLU())
        if dropout:
            layers.append(nn.Dropout(dropout))
        width = units
    if not hidden and dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


class StepHead(nn.Module):
    """Point-wise head of a causal model: ``(N, n_outputs, L)`` per step, or ``(N, n_outputs)``.

    ``net`` holds only 1x1 convolutions and point-wise activations, so the last-step output equals
    the last column of the per-step output and the same weights serve both; the last step is
    selected first because it is the cheaper order.
    """

    def __init__(self, net: nn.Module, per_step: bool = False) -> None:
        super().__init__()
        self.net = net
        self.per_step = per_step

    def forward(self, x: Tensor) -> Tensor:
        if self.per_step:
            return self.net(x)
        return self.net(x[..., -1:])[..., 0]

    def extra_repr(self) -> str:
        return f"per_step={self.per_step}"


class TrunkHead(nn.Module):
    """A model as ``head(trunk(x))``: ``(N, in_channels, L) -> (N, n_outputs)`` logits, or
    ``(N, n_outputs, L)`` per-position logits when ``dense`` is true.

    ``trunk`` is everything before global pooling, ``(N, C, L) -> (N, C', L')``; it is what the
    receptive field describes and what motif extraction hooks.
    """

    trunk: nn.Module
    head: nn.Module
    # True for models whose logits are per position, (N, n_outputs, L), not per sequence.
    dense: bool = False

    def __init__(self, in_channels: int, n_outputs: int) -> None:
        super().__init__()
        if in_channels < 1 or n_outputs < 1:
            raise SeqconvError(
                f"in_channels and n_outputs must be >= 1, got {in_channels} and {n_outputs}"
            )
        self.in_channels = in_channels
        self.n_outputs = n_outputs

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.in_channels:
            raise InputError(
                f"{type(self).__name__} expects input of shape (N, {self.in_channels}, L), "
                f"got {tuple(x.shape)}"
            )
        return self.head(self.trunk(x))
