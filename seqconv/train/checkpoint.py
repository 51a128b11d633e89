"""Weights and resumable training state in safetensors files: nothing is ever unpickled.

``model.safetensors`` holds the best weights. ``checkpoint.safetensors`` holds the last epoch's
weights, optimizer tensors and random-generator state, with everything else (epoch, optimizer
hyper-parameters, scheduler and early-stopping state) as JSON in the file's metadata, so one atomic
rename replaces the whole checkpoint at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from seqconv.atomic import write_with
from seqconv.core.weights import META_KEY, mismatch, state_tensors, unwrap
from seqconv.errors import SeqconvError


def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    state: dict[str, Any],
    generators: dict[str, torch.Generator],
) -> None:
    """Write everything needed to resume training, atomically.

    Parameters
    ----------
    state
        JSON-ready training state (epoch, scheduler, early stopping, history).
    generators
        The generators that drive shuffling and augmentation, by name.
    """
    tensors = {f"model.{k}": v for k, v in state_tensors(model).items()}
    opt = optimizer.state_dict()
    scalars: dict[str, dict[str, Any]] = {}
    for index, param_state in opt["state"].items():
        for name, value in param_state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars.setdefault(str(index), {})[name] = value
    for name, generator in generators.items():
        tensors[f"generator.{name}"] = generator.get_state()
    meta = {
        "state": state,
        "optimizer_groups": opt["param_groups"],
        "optimizer_scalars": scalars,
    }
    write_with(
        path,
        lambda tmp: save_file(tensors, str(tmp), metadata={META_KEY: json.dumps(meta)}),
    )


def load_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    generators: dict[str, torch.Generator],
) -> dict[str, Any]:
    """Restore model, optimizer and generators from :func:`save_checkpoint`; return the state."""
    path = Path(path)
    try:
        tensors = load_file(str(path))
        with safe_open(str(path), framework="pt") as handle:
            meta = json.loads((handle.metadata() or {})[META_KEY])
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError) as exc:
        raise SeqconvError(f"{path}: cannot read the checkpoint ({exc})") from None
    model_state = {k[6:]: v for k, v in tensors.items() if k.startswith("model.")}
    opt_state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            opt_state.setdefault(int(index), {})[name] = value
    try:
        unwrap(model).load_state_dict(model_state, strict=True)
        for index, extra in meta["optimizer_scalars"].items():
            opt_state.setdefault(int(index), {}).update(extra)
        optimizer.load_state_dict({"state": opt_state, "param_groups": meta["optimizer_groups"]})
        state = meta["state"]
    except (RuntimeError, ValueError, KeyError, TypeError) as exc:
        raise SeqconvError(
            f"{path}: the checkpoint was written by another model than the run's config.json "
            f"describes ({mismatch(exc)}); train into another --out, or start this run again "
            f"with --force"
        ) from None
    for name, generator in generators.items():
        saved = tensors.get(f"generator.{name}")
        if saved is not None:  # resumed on another kind of device: that generator starts afresh
            generator.set_state(saved)
    return state
