"""The ``N``-th convolution of a model, the activation that follows it, and the exact input window
of each of its output positions (for :mod:`seqconv.motifs.deep_units`).

Which layers count
    ``N`` numbers the ``nn.Conv1d`` instances in module registration order
    (``model.named_modules()``, a shared module once): 1 is the first layer, and 1x1 convolutions,
    residual shortcuts and convolutions in a head count too; ``nn.ConvTranspose1d`` and
    convolutions applied functionally in ``forward()`` do not (:func:`conv_layers`). The activation
    map is read from the first activation module that runs after that convolution (norms and
    dropout in between are passed), else from the last norm after it, else from the convolution
    itself: the rule of :func:`~seqconv.motifs.layer.find_first_layer`.

Windows
    The model cut after that activation is given to the receptive-field calculator
    (:func:`seqconv.rf.receptive_field.receptive_field`), which traces it at the data's length and
    gives the first input position of every output position's window and the window's size.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import torch
from torch import nn

from seqconv.errors import InputError, SeqconvError
from seqconv.motifs.layer import FirstLayer, first_layer_activations, layer_at
from seqconv.rf.receptive_field import receptive_field


def conv_layers(model: nn.Module) -> list[tuple[str, nn.Conv1d]]:
    """Every ``nn.Conv1d`` of ``model`` with its qualified name, in registration order.

    This is the numbering of ``layer=N`` (``N - 1`` indexes the list); see the module docstring.
    """
    return [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Conv1d)]


def _describe(convs: list[tuple[str, nn.Conv1d]]) -> str:
    shown = [
        f"{i}: {name or '(model)'} Conv1d({c.in_channels}, {c.out_channels}, "
        f"kernel {c.kernel_size[0]})"
        for i, (name, c) in enumerate(convs[:12], start=1)
    ]
    return "; ".join(shown) + (" ..." if len(convs) > 12 else "")


def find_conv_layer(model: nn.Module, n: int, example: torch.Tensor | None = None) -> FirstLayer:
    """The ``n``-th ``Conv1d`` (1-based, :func:`conv_layers`) and the module whose output is its
    activation map (the same rule as :func:`~seqconv.motifs.layer.find_first_layer`).

    Parameters
    ----------
    example
        ``(B, 4, L)`` input: when given, the modules that actually run after the conv are traced;
        otherwise registration order decides.

    Raises
    ------
    InputError
        ``n`` is not between 1 and the number of ``Conv1d`` layers (the message lists them), or
        the forward pass never calls that convolution.
    """
    convs = conv_layers(model)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(convs):
        if not convs:
            raise InputError("the model has no nn.Conv1d layer")
        raise InputError(
            f"layer {n!r} does not exist: the model has {len(convs)} nn.Conv1d layer"
            f"{'s' if len(convs) > 1 else ''} (layer 1 = the first), in registration order: "
            f"{_describe(convs)}"
        )
    conv_name, conv = convs[n - 1]
    index = next(i for i, (_, m) in enumerate(model.named_modules()) if m is conv)
    return layer_at(model, index, example, f"the convolution {conv_name!r}")


class _UpTo(nn.Module):
    """``model`` cut after one layer's activation: ``(N, 4, L) -> (N, U, L_out)``, so that the
    receptive-field calculator traces exactly the path to that layer."""

    def __init__(self, model: nn.Module, layer: FirstLayer) -> None:
        super().__init__()
        self.model = model
        self.layer = layer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return first_layer_activations(self.model, x, self.layer)[0]


@dataclass
class UnitLayer:
    """A convolution whose units are read, and the input window of each of its positions.

    Attributes
    ----------
    index
        ``N`` of ``layer=N`` (1-based).
    layer
        The conv and the module whose output is read (hooks as for the first layer).
    size
        Receptive field of one output position, in input positions (first to last).
    jump
        Input positions between neighbouring windows (the product of strides before the layer).
    starts
        ``(L_out,)`` int64 first input position of each output position's window (negative: in
        the left padding).
    n_convs
        Number of ``Conv1d`` layers of the model.
    notes
        What was assumed, for reports.
    """

    index: int
    layer: FirstLayer
    size: int
    jump: int | Fraction
    starts: np.ndarray
    n_convs: int
    notes: list[str] = field(default_factory=list)

    @property
    def n_units(self) -> int:
        return self.layer.n_filters

    def describe(self) -> str:
        """One line: the conv, the module read, and the receptive field."""
        c = self.layer.conv
        return (
            f"layer {self.index} of {self.n_convs}: {self.layer.conv_name} Conv1d("
            f"{c.in_channels}, {c.out_channels}, kernel {c.kernel_size[0]}, stride {c.stride[0]}, "
            f"dilation {c.dilation[0]}) → {self.layer.output_name}: "
            f"{type(self.layer.output).__name__}; receptive field {self.size} bp, jump {self.jump}"
        )


def unit_layer(model: nn.Module, n: int, example: torch.Tensor) -> UnitLayer:
    """Find the ``n``-th conv (:func:`find_conv_layer`) and the exact input window of each of its
    output positions for inputs like ``example`` ``(1, 4, L)``.

    Raises
    ------
    InputError
        Bad ``n``, or the receptive field up to that layer cannot be computed.
    """
    layer = find_conv_layer(model, n, example)
    notes = list(layer.notes)
    length = int(example.shape[-1])
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rf = receptive_field(_UpTo(model, layer), input_length=length, in_channels=4)
    except SeqconvError as exc:
        raise InputError(f"cannot compute the receptive field of layer {n}: {exc}") from None
    notes += [str(w.message) for w in caught]
    n_out = int(rf.output_length or 0)
    starts = np.full(n_out, np.iinfo(np.int64).min, dtype=np.int64)
    for i in range(n_out):
        window = rf.footprint.at(i)
        if window.size:
            starts[i] = window[0]
    if (starts == np.iinfo(np.int64).min).all():
        raise InputError(f"no position of layer {n} depends on the input")
    return UnitLayer(n, layer, int(rf.size), rf.jump, starts, len(conv_layers(model)), notes)
