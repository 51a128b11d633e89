"""Model weights in safetensors files, with JSON metadata: nothing is ever unpickled."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from seqconv.atomic import write_with
from seqconv.errors import SeqconvError

META_KEY = "seqconv"


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return getattr(model, "module", model)  # DistributedDataParallel keeps the model in .module


def state_tensors(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The model's state dict as contiguous CPU tensors (what safetensors stores)."""
    return {k: v.detach().cpu().contiguous() for k, v in unwrap(model).state_dict().items()}


def weights_writer(model: torch.nn.Module, metadata: dict | None = None) -> Callable[[Path], None]:
    """A function that writes the model's weights (and ``metadata``) to the path it is given."""
    meta = {META_KEY: json.dumps(metadata or {})}
    tensors = state_tensors(model)
    return lambda path: save_file(tensors, str(path), metadata=meta)


def save_weights(model: torch.nn.Module, path: str | Path, metadata: dict | None = None) -> None:
    """Write the model's weights to ``path`` atomically."""
    write_with(path, weights_writer(model, metadata))


def mismatch(exc: BaseException) -> str:
    """The first problem of a failed ``load_state_dict`` (torch lists them all, one per line)."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Error(s) in loading state_dict"):
        more = f" (and {len(lines) - 2} more)" if len(lines) > 2 else ""
        return lines[1].rstrip(".") + more
    return (lines[0] if lines else type(exc).__name__)[:300]


def load_weights(model: torch.nn.Module, path: str | Path) -> dict:
    """Load weights from ``path`` into ``model`` (strictly) and return the stored metadata."""
    path = Path(path)
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), framework="pt") as handle:
            meta = handle.metadata() or {}
    except (SafetensorError, OSError) as exc:
        raise SeqconvError(
            f"{path}: cannot read the weights ({exc}); the file may be corrupt"
        ) from None
    try:
        unwrap(model).load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise SeqconvError(
            f"{path}: the weights do not fit the model in config.json ({mismatch(exc)})"
        ) from None
    return json.loads(meta.get(META_KEY, "{}"))
