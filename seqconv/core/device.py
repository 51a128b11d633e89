"""Which device a command runs on: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``, checked."""

from __future__ import annotations

import torch

from seqconv.errors import InputError


def resolve_device(requested: str = "auto") -> torch.device:
    """``auto`` -> the first GPU if there is one, else the CPU; ``cuda:N`` checked to exist."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(requested)
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):  # torch knows mps, meta, xpu, ...
        raise InputError(f"unknown device {requested!r}; use auto, cpu, cuda or cuda:N")
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise InputError(f"device {requested!r} asked for, but no CUDA GPU is available")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise InputError(
                f"device {requested!r} asked for, but only {torch.cuda.device_count()} GPUs exist"
            )
    return device
