"""Before a run reads its data: what it will need (memory, GPU memory, disk for its store), said
in one line, and a refusal that says what to change when it cannot fit.

Estimates, not promises: memory is a fixed part (the interpreter, torch, the model and its
optimizer) plus the batch's activations plus about :data:`BYTES_PER_RECORD` per sequence (indices,
targets, the split; the sequences themselves are mapped from the store's file, not held).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
from torch import nn

from seqconv.errors import InputError
from seqconv.progress import size_text
from seqconv.resources import available_memory

FIXED_BYTES = 600 * 2**20
"""The interpreter, torch and numpy loaded, before any data."""
BYTES_PER_RECORD = 48
"""Anonymous memory per stored sequence while training (measured: scripts/bench_scale.py)."""


def activation_bytes(model: nn.Module, in_channels: int, length: int, batch_size: int) -> int:
    """Memory a training step's activations and gradients take at ``batch_size``: every module's
    output on a batch of two, scaled (kept for the backward pass, and its gradient)."""
    total = 0

    def count(module: nn.Module, inputs: tuple, output: object) -> None:
        nonlocal total
        if isinstance(output, torch.Tensor) and not list(module.children()):
            total += output.numel() * output.element_size()

    hooks = [m.register_forward_hook(count) for m in model.modules()]
    training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(2, in_channels, length, device=_device_of(model)))
    except Exception:  # noqa: BLE001 - an estimate: a model that cannot run says so later
        return 0
    finally:
        for hook in hooks:
            hook.remove()
        model.train(training)
    return total // 2 * batch_size * 2


def model_bytes(model: nn.Module) -> int:
    """Weights, their gradients and AdamW's two moments."""
    return 4 * sum(p.numel() * p.element_size() for p in model.parameters())


def check_fit(
    model: nn.Module,
    in_channels: int,
    length: int,
    batch_size: int,
    n_records: int,
    device: torch.device,
    store: Path | None = None,
    store_bytes: int = 0,
) -> str:
    """What the run needs, in one line; refuse when it cannot fit.

    Raises
    ------
    InputError
        When memory, GPU memory or the store's disk is short, saying what to change.
    """
    steps = activation_bytes(model, in_channels, length, batch_size)
    weights = model_bytes(model)
    ram = (
        FIXED_BYTES
        + BYTES_PER_RECORD * n_records
        + (0 if device.type == "cuda" else steps + weights)
    )
    parts = [f"memory about {size_text(ram)}"]
    free = available_memory()
    if free is not None:
        parts[-1] += f" ({size_text(free)} available)"
        if ram > free:
            raise InputError(
                f"this run needs about {size_text(ram)} of memory ({n_records:,} sequences of "
                f"{length:,} bp, batches of {batch_size:,}) and {size_text(free)} is available: "
                "use a smaller --batch-size or --length, or a machine with more memory"
            )
    if device.type == "cuda":
        gpu = steps + weights
        total = torch.cuda.get_device_properties(device).total_memory
        parts.append(f"GPU memory about {size_text(gpu)} of {size_text(total)}")
        if gpu > 0.9 * total:
            raise InputError(
                f"a training step needs about {size_text(gpu)} of GPU memory (batches of "
                f"{batch_size:,} x {length:,} bp) and {device} has {size_text(total)}: use a "
                "smaller --batch-size or --length"
            )
    if store is not None and store_bytes:
        room = shutil.disk_usage(_existing(store)).free
        parts.append(f"disk {size_text(store_bytes)} for the store in {store} "
                     f"({size_text(room)} free)")  # fmt: skip
        if store_bytes > room:
            raise InputError(
                f"the encoded sequences need {size_text(store_bytes)} of disk in {store} and "
                f"{size_text(room)} is free there: give another folder with --store DIR, or a "
                "shorter --length"
            )
    return "this run needs " + ", ".join(parts)


def _existing(path: Path) -> Path:
    """``path`` or its nearest existing parent (the disk it will be on)."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _device_of(model: nn.Module) -> torch.device:
    for tensor in model.parameters():
        return tensor.device
    return torch.device("cpu")
