"""The one batched inference function: model outputs for stored inputs or plain tensors.

Prediction, evaluation, validation during training, in-silico mutagenesis, filter influence and
forecasting all go through :func:`predict` (tangermeme's pattern: one ``predict`` reused by every
method that needs model outputs), so batching, precision, strand averaging and the device are
handled in one place.

>>> import torch
>>> model = torch.nn.Conv1d(4, 2, 3)
>>> predict(model, torch.zeros(5, 4, 10), batch_size=2).shape
torch.Size([5, 2, 8])
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqconv.core.stores import InputStore, TensorStore, batch_indices
from seqconv.models.protocol import strand_outputs
from seqconv.progress import track

PRECISIONS = ("auto", "fp32", "bf16")
"""``auto``: bf16 autocast on a CUDA device that supports it, fp32 elsewhere."""


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` on ``device`` (``None``: plain fp32)."""
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def resolved_precision(precision: str, device: torch.device) -> str:
    """What ``precision`` (``auto`` included) amounts to on ``device``: ``"bf16"`` or ``"fp32"``.

    Training records it in ``config.json`` (``train.precision_used``) so that a run predicts in
    the precision it was trained in, whatever device predicts
    (:attr:`seqconv.runs.run.Run.precision`).

    >>> resolved_precision("auto", torch.device("cpu"))
    'fp32'
    """
    return "fp32" if autocast_dtype(precision, device) is None else "bf16"


def model_device(model: nn.Module) -> torch.device:
    """The device of the model's first parameter or buffer (the CPU for a module with none)."""
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def predict(
    model: nn.Module,
    inputs: InputStore | torch.Tensor | np.ndarray,
    index: np.ndarray | None = None,
    batch_size: int = 512,
    rc_average: bool = False,
    precision: str = "fp32",
    progress: str | None = None,
) -> torch.Tensor:
    """Raw model outputs, batch by batch, in evaluation mode and without gradients.

    Parameters
    ----------
    model
        Any module over ``(B, C, L)`` inputs.
    inputs
        An input store (:class:`~seqconv.core.stores.CodesTensor`, series stores), or a float
        ``(N, C, L)`` tensor or array, moved batch by batch to the model's device.
    index
        Rows to predict (default: all).
    batch_size
        Rows per forward pass.
    rc_average
        Average the outputs of both strands (stores that can reverse-complement: DNA codes).
    precision
        ``"fp32"`` (default), ``"bf16"`` (autocast) or ``"auto"`` (bf16 on a CUDA device that
        supports it, else fp32). A trained run's outputs are computed in the precision it was
        trained in: :meth:`seqconv.runs.run.Run.predict` passes it.
    progress
        A description for a progress bar with an ETA (on a terminal), or ``None`` for none.

    Returns
    -------
    torch.Tensor
        ``(len(index), *output_shape)`` float32 on the CPU (``(0, 0)`` for no rows).
    """
    if isinstance(inputs, (torch.Tensor, np.ndarray)):
        inputs = TensorStore(inputs, model_device(model))
    if index is None:
        index = np.arange(len(inputs))
    dtype = autocast_dtype(precision, inputs.device)
    both = rc_average and inputs.can_reverse_complement
    was_training = model.training
    model.eval()
    chunks = []
    try:
        with (
            torch.inference_mode(),
            torch.autocast(
                inputs.device.type, dtype=dtype or torch.float32, enabled=dtype is not None
            ),
        ):
            batches = batch_indices(index, batch_size, shuffle=False)
            if progress is not None:
                batches = track(batches, len(index), progress, count=len)
            for batch in batches:
                raw = inputs.gather(batch)
                out = model(inputs.encode(raw)).float()
                if both:
                    back = model(inputs.encode(inputs.reverse_complement(raw))).float()
                    # per-position outputs run backwards; stranded profiles swap their tracks
                    back = strand_outputs(model, back)
                    out = (out + back) / 2
                chunks.append(out.cpu())
    finally:
        model.train(was_training)
    if not chunks:
        return torch.zeros(0, 0)
    return torch.cat(chunks)
