"""What a model costs: parameters, and multiply-adds of one forward pass at a given length.

>>> from torch import nn
>>> multiply_adds(nn.Conv1d(4, 8, 5), in_channels=4, length=100)  # 96 positions x 8 x 4 x 5
15360
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def parameter_count(model: nn.Module) -> int:
    """Number of parameters (weights and biases; buffers such as batch-norm statistics excluded)."""
    return sum(p.numel() for p in model.parameters())


def _macs(module: nn.Module, inputs: tuple, output: Tensor) -> int:
    x = inputs[0]
    if isinstance(module, nn.Conv1d):
        # each output value is a dot product over its group's channels and the kernel
        return output.numel() * (module.in_channels // module.groups) * module.kernel_size[0]
    if isinstance(module, nn.ConvTranspose1d):
        # each input value is scattered onto kernel_size positions of its group's channels
        return x.numel() * (module.out_channels // module.groups) * module.kernel_size[0]
    if isinstance(module, nn.Linear):
        return output.numel() * module.in_features
    return 0


def multiply_adds(model: nn.Module, in_channels: int, length: int) -> int:
    """Multiply-adds of the convolutions and linear layers for one sequence of ``length``
    positions, ``(1, in_channels, length)``, counted in one forward pass (evaluation mode, no
    gradients). Pooling, normalisation and activations are left out: they cost a few operations
    per value against one per weight for the layers counted. A FLOP count is about twice this.
    """
    total = 0

    def hook(module: nn.Module, inputs: tuple, output: Tensor) -> None:
        nonlocal total
        total += _macs(module, inputs, output)

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, (nn.Conv1d, nn.ConvTranspose1d, nn.Linear))
    ]
    params = next(model.parameters(), None)
    device = params.device if params is not None else torch.device("cpu")
    dtype = params.dtype if params is not None else torch.float32
    modes = {m: m.training for m in model.modules()}
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(1, in_channels, length, device=device, dtype=dtype))
    finally:
        for m, training in modes.items():
            m.training = training
        for handle in handles:
            handle.remove()
    return total


def runs_at(model: nn.Module, in_channels: int, length: int) -> int | None:
    """:func:`multiply_adds`, or ``None`` when the model cannot run at ``length`` (too short
    for its pooling or valid convolutions)."""
    try:
        return multiply_adds(model, in_channels, length)
    except (RuntimeError, ValueError):
        return None


def saving(plain: int, lighter: int) -> str:
    """How ``lighter`` compares with ``plain`` as text, e.g. ``"40 % fewer"``."""
    if plain <= 0:
        return "n/a"
    change = 1 - lighter / plain
    return f"{abs(change) * 100:.0f} % {'fewer' if change >= 0 else 'more'}"
