"""Streaming inference for causal models: feed new steps, get the outputs for those steps.

A causal model (``wavenet``, ``tcn``, ``tdnn`` with ``causal=True``; any module built from
:class:`~seqconv.models.layers.CausalConv1d` and point-wise layers) computes output ``t`` from
inputs ``<= t``. Offline, each causal convolution pads its input on the left with
``(kernel_size - 1) * dilation`` zeros. A :class:`Streamer` replaces that padding by a buffer per
convolution holding the last ``(kernel_size - 1) * dilation`` inputs it has seen, initialised with
the same zeros: so the outputs for the first steps of a stream equal the offline outputs exactly,
and every later chunk costs only its own steps, not the whole receptive field again. Residual and
skip paths, 1x1 convolutions, gates, activations and batch norm (in evaluation mode) act on each
step alone and need no state.

>>> import torch
>>> from seqconv import models
>>> model = models.build("tcn", in_channels=2, channels=[8, 8], kernel_size=3, per_step=True)
>>> x = torch.randn(4, 2, 50)                       # 4 series, 2 channels, 50 steps
>>> stream = Streamer(model)
>>> chunks = [x[..., :1], x[..., 1:20], x[..., 20:]]  # any chunking, one step or many
>>> y = torch.cat([stream.step(c) for c in chunks], dim=-1)
>>> bool(torch.allclose(y, model.eval()(x), atol=1e-5)), tuple(y.shape)
(True, (4, 1, 50))
>>> stream.reset()                                  # a new batch of streams starts from zeros
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils import parametrize

from seqconv.errors import InputError, SeqconvError
from seqconv.models.layers import GlobalPool, LastStep, PaddedConv1d, StatsPool, StepHead

__all__ = ["Pointwise1d", "StreamingConv1d", "Streamer", "streaming_copy"]

# Layers that mix steps without a causal padding in front of them: they cannot run step by step.
_NOT_STREAMABLE = (
    nn.MaxPool1d,
    nn.AvgPool1d,
    nn.AdaptiveMaxPool1d,
    nn.AdaptiveAvgPool1d,
    nn.ConvTranspose1d,
    nn.Upsample,
    nn.RNNBase,
    nn.MultiheadAttention,
    GlobalPool,
    StatsPool,
    LastStep,
)


class StreamingConv1d(nn.Module):
    """A causal convolution with memory: ``(N, C_in, T) -> (N, C_out, T)`` for any chunk ``T``.

    Holds the last ``left = (kernel_size - 1) * dilation`` inputs of every series (zeros, the
    offline causal padding, before the first chunk). Short chunks are computed as one matrix
    product over the ``kernel_size`` taps of each step, which avoids the fixed cost of a
    convolution call (about 0.2 ms on a CPU); long chunks use ``conv1d``.
    """

    #: Chunks of at most this many steps use the matrix product.
    matmul_steps = 128

    def __init__(self, conv: nn.Conv1d, left: int, value: float = 0.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(conv.weight.detach().clone(), requires_grad=False)
        self.bias = (
            None
            if conv.bias is None
            else nn.Parameter(conv.bias.detach().clone(), requires_grad=False)
        )
        self.kernel_size, self.dilation, self.groups = (
            conv.kernel_size[0],
            conv.dilation[0],
            conv.groups,
        )
        self.left, self.value = int(left), float(value)
        self.buffer: Tensor | None = None

    def reset(self) -> None:
        self.buffer = None

    def _history(self, x: Tensor) -> Tensor:
        if self.buffer is None:
            self.buffer = x.new_full((x.shape[0], x.shape[1], self.left), self.value)
        elif self.buffer.shape[0] != x.shape[0]:
            raise InputError(
                f"this stream holds {self.buffer.shape[0]} series but a chunk of "
                f"{x.shape[0]} arrived; call reset() before streaming a new batch"
            )
        seq = torch.cat([self.buffer, x], dim=-1)
        self.buffer = seq[..., seq.shape[-1] - self.left :]
        return seq

    def forward(self, x: Tensor) -> Tensor:
        seq = self._history(x) if self.left else x
        n, c, steps = x.shape
        if steps > self.matmul_steps or self.groups != 1:
            return F.conv1d(seq, self.weight, self.bias, dilation=self.dilation, groups=self.groups)
        k, d = self.kernel_size, self.dilation
        taps = seq.unfold(2, (k - 1) * d + 1, 1)[..., ::d]  # (N, C, T, k), a view
        taps = taps.permute(0, 2, 1, 3).reshape(n * steps, c * k)
        out = F.linear(taps, self.weight.reshape(self.weight.shape[0], c * k), self.bias)
        return out.reshape(n, steps, -1).transpose(1, 2)

    def extra_repr(self) -> str:
        return (
            f"{self.weight.shape[1]}, {self.weight.shape[0]}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, history={self.left}"
        )


class Pointwise1d(nn.Module):
    """A 1x1 convolution as a linear map per step (cheaper than ``conv1d`` on short chunks)."""

    def __init__(self, conv: nn.Conv1d) -> None:
        super().__init__()
        self.weight = nn.Parameter(conv.weight.detach()[..., 0].clone(), requires_grad=False)
        self.bias = (
            None
            if conv.bias is None
            else nn.Parameter(conv.bias.detach().clone(), requires_grad=False)
        )

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x.transpose(1, 2), self.weight, self.bias).transpose(1, 2)


def _check_streamable(model: nn.Module) -> None:
    """Raise when a layer of ``model`` reads future steps; the message names the layer."""
    inside: set[int] = set()
    for name, module in model.named_modules():
        label = name or "the model"
        if isinstance(module, _NOT_STREAMABLE):
            raise SeqconvError(
                f"{label} ({type(module).__name__}) mixes all steps of the input, so the model "
                "cannot stream; build causal models with per_step=True (e.g. tdnn causal=True "
                "per_step=True), or stream the trunk only"
            )
        if isinstance(module, PaddedConv1d):
            conv, pad = module.conv, module.pad
            inside.add(id(conv))
            span = (conv.kernel_size[0] - 1) * conv.dilation[0]
            if conv.stride[0] != 1:
                raise SeqconvError(f"{label} has stride {conv.stride[0]}: streaming needs 1")
            if pad.right > 0 or pad.left != span:
                raise SeqconvError(
                    f"{label} is padded {pad.left} left and {pad.right} right (mode "
                    f"{pad.mode!r}): it reads future steps; streaming needs causal padding"
                )
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv1d) and id(module) not in inside:
            k, d = module.kernel_size[0], module.dilation[0]
            padding = module.padding if isinstance(module.padding, str) else module.padding[0]
            if (k - 1) * d > 0 or module.stride[0] != 1 or padding not in (0, "valid"):
                raise SeqconvError(
                    f"{name or 'the model'} is a Conv1d with kernel {k}, dilation {d}, stride "
                    f"{module.stride[0]}, padding {padding!r} outside a CausalConv1d: it cannot "
                    "stream; use CausalConv1d for convolutions that span several steps"
                )


def streaming_copy(model: nn.Module) -> nn.Module:
    """A copy of ``model`` for step-by-step inference (the model itself is not touched).

    The copy is in evaluation mode; every causal convolution becomes a :class:`StreamingConv1d`
    (weight normalisation folded into its weight), every 1x1 convolution a :class:`Pointwise1d`,
    and a :class:`~seqconv.models.layers.StepHead` returns per-step outputs.

    Raises
    ------
    SeqconvError
        When a layer looks at future steps ("same" padding, pooling over the length, a strided
        convolution): the message names the layer.
    """
    _check_streamable(model)
    stream = copy.deepcopy(model).eval()
    for parent in list(stream.modules()):
        if isinstance(parent, StepHead):
            parent.per_step = True
        for name, child in list(parent.named_children()):
            if isinstance(child, PaddedConv1d):
                setattr(parent, name, StreamingConv1d(child.conv, child.pad.left, child.pad.value))
            elif isinstance(child, nn.Conv1d) and child.groups == 1:
                setattr(parent, name, Pointwise1d(child))
    return stream


class Streamer:
    """Incremental inference: per-step outputs of a causal model, chunk by chunk.

    Parameters
    ----------
    model
        A causal model whose outputs are per step: ``wavenet``, ``tcn`` or ``tdnn`` with
        ``causal=True`` (with or without ``per_step``: a point-wise
        :class:`~seqconv.models.layers.StepHead` is switched to per-step outputs; a pooling head
        such as the default tdnn's statistics pooling cannot stream), or any module of causal
        convolutions and point-wise layers (e.g. a model's ``trunk``). The streamer works on a
        copy (:func:`streaming_copy`): later changes to ``model`` are not seen.
    input_transform, output_transform
        Optional functions applied to each chunk before the model and to each output after it
        (a run's normalisation and output link; see
        :meth:`seqconv.runs.series_run.SeriesRun.streamer`).

    Notes
    -----
    Outputs equal ``model(x)`` computed offline on the whole series (with ``per_step=True``) to
    float round-off, from the first step on. State is one buffer per causal convolution holding
    its last ``(kernel_size - 1) * dilation`` inputs for each of the ``N`` series of the stream.
    """

    def __init__(
        self,
        model: nn.Module,
        input_transform: Callable[[Tensor], Tensor] | None = None,
        output_transform: Callable[[Tensor], Tensor] | None = None,
    ) -> None:
        self.model = streaming_copy(model)
        self.input_transform = input_transform
        self.output_transform = output_transform
        self._pads = [m for m in self.model.modules() if isinstance(m, StreamingConv1d)]
        self.steps = 0
        first = next(self.model.parameters(), None)
        self.device = first.device if first is not None else torch.device("cpu")

    @property
    def state_size(self) -> int:
        """Steps of history kept per series, summed over all causal convolutions."""
        return sum(p.left for p in self._pads)

    def reset(self) -> None:
        """Forget the history: the next chunk starts new streams (as at the start of a series)."""
        for pad in self._pads:
            pad.reset()
        self.steps = 0

    def step(self, x: Tensor) -> Tensor:
        """Outputs for the next steps of every stream.

        Parameters
        ----------
        x
            ``(N, C, T)`` the next ``T >= 1`` steps of ``N`` series (``(N, C)`` for one step);
            ``N`` stays the same until :meth:`reset`.

        Returns
        -------
        Tensor
            ``(N, n_outputs, T)``: the outputs for those steps.
        """
        x = torch.as_tensor(x)
        if x.dim() == 2:
            x = x.unsqueeze(-1)
        if x.dim() != 3:
            raise InputError(f"a stream chunk must be (N, C, T) or (N, C), got {tuple(x.shape)}")
        x = x.to(self.device)
        if not x.is_floating_point():
            x = x.float()
        with torch.inference_mode():
            if self.input_transform is not None:
                x = self.input_transform(x)
            with parametrize.cached():
                y = self.model(x)
            if self.output_transform is not None:
                y = self.output_transform(y)
        self.steps += x.shape[-1]
        return y

    __call__ = step
