"""Masks for padded series, without changing a model's code or weights.

:func:`enable_masks` makes a model take its padding mask as one extra, last input channel:
``(N, C + 1, L)``, the channels and then 1.0 on real steps and 0.0 on padding. Hooks (the weights
and the ``state_dict`` stay as they are) then

* strip the mask channel before the model runs, so the model sees ``(N, C, L)``;
* zero the padded steps of the input of every convolution that spans several steps, so a padded
  step holds exactly the zero that the convolution's own padding supplies at the end (or start)
  of an unpadded series;
* set the padded steps to ``-inf`` before a
  :class:`~seqconv.models.layers.SameMaxPool1d` (the value its own padding supplies at the ends
  of an unpadded series) and the padded steps of its output back to 0, so no ``-inf`` reaches a
  later layer (``-inf * 0`` in a 1x1 convolution would be NaN);
* pool only over real steps (:class:`~seqconv.models.layers.GlobalPool`,
  :class:`~seqconv.models.layers.StatsPool`).

Together, for a model whose layers keep the length (stride 1, "same" or "causal" padding: resnet,
inception, tcn, wavenet, tdnn, ...) and in evaluation mode, the output for a padded series equals
its output run alone. Right padding suits pooled models; causal models that read their last step
pad on the left (:func:`padding_side`). In training mode, batch norm still averages over padded
steps.

>>> import torch
>>> from seqconv import models
>>> model = enable_masks(models.build("resnet", filters=[4], kernel_sizes=[3])).eval()
>>> x = torch.randn(1, 1, 20)
>>> padded = torch.cat([torch.cat([x, torch.zeros(1, 1, 7)], -1),
...                     (torch.arange(27) < 20).float().view(1, 1, 27)], dim=1)
>>> alone = torch.cat([x, torch.ones(1, 1, 20)], dim=1)
>>> bool(torch.allclose(model(padded), model(alone), atol=1e-5))
True
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.layers import (
    GlobalPool,
    LastStep,
    PaddedConv1d,
    SameMaxPool1d,
    StatsPool,
    StepHead,
)
from seqconv.models.protocol import head_of, takes_mask

__all__ = ["enable_masks", "is_masked", "padding_side", "with_mask_channel"]

_STATE = "_seqconv_mask_state"


class _MaskState:
    mask: Tensor | None = None


def is_masked(model: nn.Module) -> bool:
    """Whether :func:`enable_masks` was applied to ``model``."""
    return hasattr(model, _STATE)


def padding_side(model: nn.Module) -> str:
    """``"left"`` for models that read their last step (causal heads), else ``"right"``."""
    head = head_of(model)
    if isinstance(head, (StepHead, LastStep)) or any(
        isinstance(m, LastStep) for m in model.modules()
    ):
        return "left"
    return "right"


def with_mask_channel(x: Tensor, mask: Tensor | None) -> Tensor:
    """``(N, C, L)`` and an ``(N, L)`` mask (``None``: all real) to the ``(N, C + 1, L)`` input."""
    if mask is None:
        m = x.new_ones(x.shape[0], 1, x.shape[2])
    else:
        m = mask.to(device=x.device, dtype=x.dtype).unsqueeze(1)
    return torch.cat([x * m, m], dim=1)


def _span(module: nn.Conv1d) -> int:
    return (module.kernel_size[0] - 1) * module.dilation[0]


def _check_length_preserving(model: nn.Module) -> None:
    inside = {id(m.conv) for m in model.modules() if isinstance(m, PaddedConv1d)}
    for name, module in model.named_modules():
        bad = False
        if isinstance(module, PaddedConv1d):
            span = _span(module.conv)
            bad = module.conv.stride[0] != 1 or module.pad.left + module.pad.right != span
        elif isinstance(module, nn.Conv1d) and id(module) not in inside:
            padding = module.padding
            total = padding if isinstance(padding, str) else 2 * padding[0]
            bad = module.stride[0] != 1 or total not in ("same", _span(module))
        elif isinstance(module, (nn.MaxPool1d, nn.AvgPool1d, nn.Upsample, nn.ConvTranspose1d)):
            bad = True  # SameMaxPool1d is no nn.MaxPool1d: stride 1 and its padding keep L
        if bad:
            raise SeqconvError(
                f"masks for padded series need a model whose layers keep the length, but "
                f"{name or 'the model'} ({type(module).__name__}) changes it; use a model such "
                "as resnet, tcn, wavenet or tdnn, or give series of equal length"
            )


def enable_masks(model: nn.Module) -> nn.Module:
    """Let ``model`` take its padding mask as an extra last input channel (in place).

    Parameters
    ----------
    model
        A model over ``(N, C, L)`` whose layers keep the length.

    Returns
    -------
    nn.Module
        The same model; it now takes ``(N, C + 1, L)`` (see :func:`with_mask_channel`).

    Raises
    ------
    SeqconvError
        When a layer changes the length (strides, pooling inside the trunk, "valid" padding).
    """
    if is_masked(model):
        return model
    _check_length_preserving(model)
    state = _MaskState()
    setattr(model, _STATE, state)

    # Layers that pool with the mask themselves (``takes_mask = True``, e.g. MiniRocket's PPV
    # pooling) get it as their ``mask`` attribute for the length of one forward pass.
    readers = [m for m in model.modules() if takes_mask(m)]

    def split(module: nn.Module, args: tuple) -> tuple:
        x = args[0]
        state.mask = x[:, -1] > 0.5
        for reader in readers:
            reader.mask = state.mask
        return (x[:, :-1], *args[1:])

    def clear(module: nn.Module, args: tuple, output: Tensor) -> None:
        state.mask = None
        for reader in readers:
            reader.mask = None

    def zero_padding(module: nn.Module, args: tuple) -> tuple | None:
        mask = state.mask
        if mask is None or args[0].shape[-1] != mask.shape[-1]:
            return None
        return (args[0] * mask.unsqueeze(1).to(args[0].dtype), *args[1:])

    def pad_with_minus_inf(module: nn.Module, args: tuple) -> tuple | None:
        mask = state.mask
        if mask is None or args[0].shape[-1] != mask.shape[-1]:
            return None
        # masked_fill rather than arithmetic: 0 * -inf is NaN.
        return (args[0].masked_fill(~mask.unsqueeze(1), float("-inf")), *args[1:])

    def zero_pooled_padding(module: nn.Module, args: tuple, output: Tensor) -> Tensor | None:
        mask = state.mask
        if mask is None or output.shape[-1] != mask.shape[-1]:
            return None
        # Deep in the padding every window is -inf; later 1x1 convolutions and batch norm would
        # turn that into NaN (and a NaN loss), so padded steps go back to the usual 0.
        return output.masked_fill(~mask.unsqueeze(1), 0.0)

    def pool(module: nn.Module, args: tuple, output: Tensor) -> Tensor | None:
        mask = state.mask
        x = args[0]
        if mask is None or x.shape[-1] != mask.shape[-1]:
            return None
        m = mask.unsqueeze(1).to(x.dtype)
        count = m.sum(dim=-1).clamp_min(1.0)
        mean = (x * m).sum(dim=-1) / count
        if isinstance(module, StatsPool):
            var = (((x - mean.unsqueeze(-1)) ** 2) * m).sum(dim=-1) / count
            return _cat_features(mean, (var + module.eps).sqrt())
        if module.mode == "avg":
            return mean
        top = x.masked_fill(~mask.unsqueeze(1), float("-inf")).amax(dim=-1)
        return top if module.mode == "max" else _cat_features(top, mean)

    model.register_forward_pre_hook(split)
    model.register_forward_hook(clear)
    inside: set[int] = set()
    for module in model.modules():
        if isinstance(module, PaddedConv1d):
            inside.add(id(module.conv))
            if _span(module.conv) > 0:
                module.register_forward_pre_hook(zero_padding)
        elif isinstance(module, nn.Conv1d) and id(module) not in inside and _span(module) > 0:
            module.register_forward_pre_hook(zero_padding)
        elif isinstance(module, SameMaxPool1d) and module.kernel_size > 1:
            module.register_forward_pre_hook(pad_with_minus_inf)
            module.register_forward_hook(zero_pooled_padding)
        elif isinstance(module, (GlobalPool, StatsPool)):
            module.register_forward_hook(pool)
    return model


def _cat_features(a: Tensor, b: Tensor) -> Tensor:
    return torch.cat([a, b], dim=1)
