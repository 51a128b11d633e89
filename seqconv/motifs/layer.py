"""Find a model's first convolution over DNA and read or replace its activations with hooks.

The convention: the first ``nn.Conv1d`` with 4 input channels (in module registration order) is
the motif layer; the first activation module registered after it (BatchNorm may come in between)
is its nonlinearity. Its output, the *activation map*, has shape ``(N, F, L_out)``. Models that
apply the activation functionally are still handled: the output of the conv (or of the BatchNorm
after it) is used, and :attr:`FirstLayer.notes` says so.

Hooks fire on the first call of the activation module *after* the conv ran, so one activation
instance shared by several layers is handled too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from seqconv.errors import InputError

_ACTIVATIONS = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Softplus,
    nn.Sigmoid,
    nn.Tanh,
    nn.Hardtanh,
    nn.Softsign,
)
_NORMS = (nn.BatchNorm1d, nn.InstanceNorm1d, nn.GroupNorm, nn.LayerNorm, nn.Identity)


def _is_activation(module: nn.Module) -> bool:
    name = type(module).__name__
    return isinstance(module, _ACTIVATIONS) or name in ("Exp", "Exponential", "ExpActivation")


@dataclass
class FirstLayer:
    """The first convolution over DNA and the module whose output is its activation map.

    Attributes
    ----------
    conv
        The ``nn.Conv1d(4, F, k, stride, padding, dilation)``.
    conv_name
        Its qualified name in the model.
    output
        The module whose output is read: the activation, else the norm after the conv, else the
        conv itself.
    output_name
        Its qualified name.
    notes
        What was assumed, for reports.
    """

    conv: nn.Conv1d
    conv_name: str
    output: nn.Module
    output_name: str
    notes: list[str] = field(default_factory=list)

    @property
    def n_filters(self) -> int:
        """Number of filters ``F``."""
        return self.conv.out_channels

    @property
    def kernel_size(self) -> int:
        return int(self.conv.kernel_size[0])

    @property
    def stride(self) -> int:
        return int(self.conv.stride[0])

    @property
    def dilation(self) -> int:
        return int(self.conv.dilation[0])

    @property
    def span(self) -> int:
        """Input bases from the first to the last tap: ``(k - 1) * dilation + 1``."""
        return (self.kernel_size - 1) * self.dilation + 1

    def padding(self) -> tuple[int, int]:
        """Zeros the conv adds on the left and the right of its input."""
        pad = self.conv.padding
        if isinstance(pad, str):
            if pad == "valid":
                return 0, 0
            total = self.dilation * (self.kernel_size - 1)  # PyTorch's "same"
            return total // 2, total - total // 2
        return int(pad[0]), int(pad[0])


def find_first_layer(model: nn.Module, example: torch.Tensor | None = None) -> FirstLayer:
    """Locate the first ``Conv1d`` over 4 channels and the activation that follows it.

    Parameters
    ----------
    model
        Any ``nn.Module`` taking one-hot DNA ``(N, 4, L)``.
    example
        ``(B, 4, L)`` input. When given, the modules that actually run after the conv are traced
        (so an activation registered elsewhere, or shared between layers, is found); otherwise
        module registration order decides.

    Returns
    -------
    FirstLayer

    Raises
    ------
    InputError
        The model has no ``Conv1d`` with 4 input channels, or it is grouped.
    """
    modules = list(model.named_modules())
    index = next(
        (i for i, (_, m) in enumerate(modules) if isinstance(m, nn.Conv1d) and m.in_channels == 4),
        None,
    )
    if index is None:
        raise InputError(
            "the model has no nn.Conv1d with 4 input channels; motif extraction needs a first "
            "convolution over one-hot DNA (channels A, C, G, T)"
        )
    name, module = modules[index]
    if module.groups != 1:
        raise InputError(f"the first convolution {name!r} is grouped (groups={module.groups})")
    return layer_at(model, index, example, "the first convolution")


def layer_at(
    model: nn.Module, index: int, example: torch.Tensor | None, what: str = "the convolution"
) -> FirstLayer:
    """The convolution ``list(model.named_modules())[index]`` and the module whose output is its
    activation map: the first activation module that runs after it (norms and dropout in between
    are passed), else the last norm after it, else the convolution itself.

    ``example`` as for :func:`find_first_layer`; ``what`` names the convolution in messages.
    """
    modules = list(model.named_modules())
    conv_name, conv = modules[index]
    leaves = [
        (n, m)
        for n, m in modules[index + 1 :]
        if not list(m.children()) and not n.startswith(conv_name + ".")
    ]
    if example is not None:
        leaves = _called_after(model, conv, example, what)
    output, output_name, notes = conv, conv_name, []
    for later_name, later in leaves:
        if _is_activation(later):
            output, output_name = later, later_name
            break
        if isinstance(later, _NORMS):
            output, output_name = later, later_name
            continue
        if isinstance(later, nn.Dropout):
            continue
        break
    if output is conv or isinstance(output, _NORMS):
        notes.append(
            f"no activation module follows {conv_name!r}; using the output of {output_name!r} "
            "(an activation applied functionally in forward() is not seen)"
        )
    return FirstLayer(conv, conv_name, output, output_name, notes)


def _called_after(
    model: nn.Module, conv: nn.Conv1d, example: torch.Tensor, what: str
) -> list[tuple[str, nn.Module]]:
    """Modules in the order their forward passes finish after the first call of ``conv``,
    without the modules that contain ``conv`` (they finish after everything inside them)."""
    named = list(model.named_modules())
    conv_name = next(n for n, m in named if m is conv)
    ancestors = {n for n, _ in named if conv_name.startswith(n + ".") or n == ""}
    order: list[tuple[str, nn.Module]] = []
    handles = [
        m.register_forward_hook(lambda mod, _a, _o, n=n: order.append((n, mod)))
        for n, m in named
        if n not in ancestors
    ]
    try:
        with torch.inference_mode(), evaluating(model):
            model(example)
    finally:
        for handle in handles:
            handle.remove()
    for i, (_, module) in enumerate(order):
        if module is conv:
            return order[i + 1 :]
    raise InputError(f"the forward pass never called {what}")


class _Stop(Exception):
    """Raised inside a hook to end a forward pass once the activations are captured."""


@contextmanager
def hooked(
    layer: FirstLayer,
    on_output: Callable[[torch.Tensor], torch.Tensor | None],
    on_input: Callable[[torch.Tensor], None] | None = None,
) -> Iterator[None]:
    """Call ``on_output`` with the activation map of every forward pass (and ``on_input`` with the
    conv's input).

    ``on_output`` receives ``(B, F, L_out)``; a tensor it returns replaces the activation map for
    the rest of the forward pass.
    """
    armed = [False]

    def conv_pre(_module, args):
        armed[0] = True
        if on_input is not None:
            on_input(args[0])

    def out_hook(_module, _args, output):
        if not armed[0]:
            return None
        armed[0] = False
        return on_output(output)

    handles = [layer.conv.register_forward_pre_hook(conv_pre)]
    handles.append(layer.output.register_forward_hook(out_hook))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def first_layer_activations(
    model: nn.Module, x: torch.Tensor, layer: FirstLayer
) -> tuple[torch.Tensor, torch.Tensor]:
    """Run ``model`` on ``x`` only as far as the first layer's activation.

    Parameters
    ----------
    x
        ``(B, 4, L)`` one-hot input.

    Returns
    -------
    activations, conv_input
        ``(B, F, L_out)`` activation map and ``(B, 4, L_c)`` the tensor the conv received (``x``
        itself unless the model pads or transforms it first).
    """
    seen: dict[str, torch.Tensor] = {}

    def grab_input(t: torch.Tensor) -> None:
        seen.setdefault("input", t)

    def grab_output(t: torch.Tensor) -> None:
        seen["output"] = t
        raise _Stop

    with hooked(layer, grab_output, grab_input):
        try:
            model(x)
        except _Stop:
            pass
    if "output" not in seen:
        raise InputError(
            f"the forward pass never reached {layer.output_name!r} after {layer.conv_name!r}"
        )
    return seen["output"], seen["input"]


@contextmanager
def evaluating(model: nn.Module) -> Iterator[nn.Module]:
    """Put ``model`` in eval mode and restore its previous mode afterwards."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)
