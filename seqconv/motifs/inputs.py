"""DNA codes as model input for the motif methods: checks, the device, batches, flat outputs.

Model outputs go through :func:`seqconv.core.predict.predict` (wrap the model in
:class:`FlatOutputs`); the loops that need more than outputs (first-layer activations, input
gradients) take their one-hot batches from :func:`code_batches`, which batches as ``predict`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from seqconv.core.predict import model_device
from seqconv.core.stores import CodesTensor, batch_indices
from seqconv.dna.encode import N_CODES, one_hot
from seqconv.errors import InputError

# Precision of predict() here: fp32, not "auto" (bf16 on CUDA). ISM and filter influence are small
# differences between outputs, which bf16's 8-bit mantissa would swamp.
PRECISION = "fp32"


def check_codes(codes: np.ndarray | torch.Tensor) -> None:
    """Raise :class:`~seqconv.errors.InputError` unless ``codes`` is ``(N, L)``, ``N >= 1``,
    integer codes in ``0..15``."""
    if codes.ndim != 2 or len(codes) == 0:
        raise InputError(f"expected codes of shape (N, L) with N >= 1, got {tuple(codes.shape)}")
    kind = str(codes.dtype)
    if "float" in kind or "bool" in kind or "complex" in kind:
        raise InputError(f"expected uint8 DNA codes, got {kind}")
    # Checked here because the batches are encoded by an embedding lookup, which on a GPU fails
    # with a device-side assert instead of an error naming the input.
    if codes.shape[1] > 0:
        low, high = int(codes.min()), int(codes.max())
        if low < 0 or high >= N_CODES:
            raise InputError(f"codes must lie in 0..{N_CODES - 1}, found {low}..{high}")


@contextmanager
def on_device(model: nn.Module, device: str | torch.device | None = None) -> Iterator[torch.device]:
    """Run ``model`` on ``device`` inside the ``with`` block; yields that device.

    ``None`` runs on the device of the model's first parameter and moves nothing (what a model
    split over devices needs). Otherwise the model is moved there for the block and back to where
    it was afterwards, on an error too: the caller's model is where the caller left it.
    """
    home = model_device(model)
    target = home if device is None else torch.device(device)
    moved = target != home
    if moved:
        model.to(target)
    try:
        yield target
    finally:
        if moved:
            model.to(home)


def example_input(codes: np.ndarray | torch.Tensor, device: torch.device) -> torch.Tensor:
    """The first sequence as a ``(1, 4, L)`` one-hot input on ``device`` (to trace the layers)."""
    return one_hot(torch.as_tensor(codes[:1]).to(device))


def code_batches(
    codes: np.ndarray | torch.Tensor, batch_size: int, device: torch.device
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Batches of ``(B, L)`` uint8 codes and their ``(B, 4, L)`` float32 one-hot, on ``device``.

    The codes are held in a :class:`~seqconv.core.stores.CodesTensor`, as for ``predict``.
    """
    store = CodesTensor(codes, device)
    for index in batch_indices(np.arange(len(store)), batch_size, shuffle=False):
        raw = store.gather(index)
        yield raw, store.encode(raw)


class FlatOutputs(nn.Module):
    """A model's outputs as ``(B, T)``: optionally transformed, the first element of a tuple,
    flattened; with ``target``, only that column ``(B,)``.

    ``predict`` sees the wrapped model's parameters (its device) and puts it in eval mode, and hooks
    on the model's layers still fire.
    """

    def __init__(
        self,
        model: nn.Module,
        transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
        target: int | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.transform = transform
        self.target = target
        # Not self.train(): that would set every submodule; predict restores this mode afterwards.
        self.training = model.training

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(x)
        if self.transform is not None:
            out = self.transform(out)
        if isinstance(out, tuple | list):
            out = out[0]
        out = out.reshape(out.shape[0], -1)
        if self.target is None:
            return out
        if not 0 <= self.target < out.shape[1]:
            raise InputError(
                f"target {self.target} is not an output of the model (it has {out.shape[1]})"
            )
        return out[:, self.target]
