"""Attribution maps for motifs that deeper layers learn: in-silico mutagenesis and gradient×input.

Both give ``(N, 4, L)`` arrays (channels A, C, G, T) for one model output:

* **ISM**: ``ism[n, b, l]`` = output with base ``b`` at position ``l`` minus the output of the
  sequence itself; 0 at the observed base and at padding. All three substitutions of every
  position are batched into forward passes of ``batch_size`` mutants.
* **gradient×input**: ``d output / d x`` times the one-hot input ``x`` (non-zero at the observed
  base only).

Logos (:func:`write_attributions`) show per position the observed base with height
``-mean(ism over the three substitutions)`` (how much the base contributes compared with the
average substitution) and gradient×input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from seqconv.atomic import write_with
from seqconv.dna.encode import PAD, one_hot
from seqconv.errors import InputError
from seqconv.motifs.layer import evaluating, model_device
from seqconv.progress import track


def _output(model: nn.Module, x: torch.Tensor, target: int) -> torch.Tensor:
    out = model(x)
    if isinstance(out, tuple | list):
        out = out[0]
    out = out.reshape(out.shape[0], -1)
    if not 0 <= target < out.shape[1]:
        raise InputError(f"target {target} is not an output of the model (it has {out.shape[1]})")
    return out[:, target]


def _codes(codes: np.ndarray | torch.Tensor) -> np.ndarray:
    arr = np.asarray(codes.cpu() if isinstance(codes, torch.Tensor) else codes, dtype=np.uint8)
    if arr.ndim != 2 or len(arr) == 0:
        raise InputError(f"expected codes of shape (N, L) with N >= 1, got {arr.shape}")
    return arr


def predict_target(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    target: int = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """``(N,)`` output ``target`` of the model for each sequence."""
    arr = _codes(codes)
    dev = model_device(model, device)
    out = []
    with evaluating(model), torch.inference_mode():
        for start in range(0, len(arr), batch_size):
            x = one_hot(torch.as_tensor(arr[start : start + batch_size]).to(dev))
            out.append(_output(model, x, target).double().cpu())
    return torch.cat(out).numpy()


def ism(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    target: int = 0,
    batch_size: int = 512,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> np.ndarray:
    """In-silico mutagenesis: every single-base substitution of every sequence.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``.
    codes
        ``(N, L)`` uint8 DNA codes.
    target
        Index of the (flattened) model output to explain.
    batch_size
        Mutants per forward pass.

    Returns
    -------
    np.ndarray
        ``(N, 4, L)`` float64: output of the mutant minus output of the reference. Zero at the
        observed base and at padding positions; at an ambiguous position (``N``, IUPAC) all four
        bases are substituted.
    """
    arr = _codes(codes)
    dev = model_device(model, device)
    n, length = arr.shape
    eye = torch.eye(4, device=dev)
    result = np.zeros((n, 4, length))
    with evaluating(model), torch.inference_mode():
        for i in track(range(n), n, "mutagenesis", show_progress):
            x = one_hot(torch.as_tensor(arr[i : i + 1]).to(dev))[0]  # (4, L)
            ref = float(_output(model, x[None], target)[0])
            # Substitutions: base b at position l, except the observed base and padding.
            need = ~(x == 1.0)
            need[:, torch.as_tensor(arr[i] == PAD, device=dev)] = False
            bases, positions = torch.nonzero(need, as_tuple=True)
            values = torch.empty(len(bases), dtype=torch.float64, device=dev)
            for start in range(0, len(bases), batch_size):
                b = bases[start : start + batch_size]
                p = positions[start : start + batch_size]
                mutants = x.expand(len(b), 4, length).clone()
                mutants[torch.arange(len(b), device=dev), :, p] = eye[b]
                values[start : start + len(b)] = _output(model, mutants, target).double()
            delta = torch.zeros(4, length, dtype=torch.float64, device=dev)
            delta[bases, positions] = values - ref
            result[i] = delta.cpu().numpy()
    return result


def gradient_x_input(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    target: int = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """Gradient of output ``target`` with respect to the one-hot input, times the input.

    Returns
    -------
    np.ndarray
        ``(N, 4, L)`` float64.
    """
    arr = _codes(codes)
    dev = model_device(model, device)
    out = []
    with evaluating(model), torch.enable_grad():
        for start in range(0, len(arr), batch_size):
            x = one_hot(torch.as_tensor(arr[start : start + batch_size]).to(dev))
            x.requires_grad_(True)
            # Only the input's gradient is computed; parameter .grad stays untouched.
            (grad,) = torch.autograd.grad(_output(model, x, target).sum(), x)
            out.append((grad * x).detach().double().cpu())
    return torch.cat(out).numpy()


def _savez(path: Path, arrays: dict) -> None:
    with open(path, "wb") as handle:  # a file object: np.savez would append .npz to a name
        np.savez_compressed(handle, **arrays)


def ism_importance(ism_map: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Observed-base heights from ISM: ``-mean`` of the substitution effects at each position.

    Parameters
    ----------
    ism_map
        ``(N, 4, L)`` from :func:`ism`.
    codes
        ``(N, L)`` codes of the same sequences.

    Returns
    -------
    np.ndarray
        ``(N, 4, L)``: non-zero only at observed A/C/G/T bases.
    """
    x = one_hot(np.asarray(codes, dtype=np.uint8), n_policy="zeros").numpy()
    observed = x == 1.0
    n_subs = np.maximum((~observed & (x.sum(1, keepdims=True) > 0)).sum(1, keepdims=True), 1)
    mean_sub = ism_map.sum(1, keepdims=True) / n_subs
    return np.where(observed, -mean_sub, 0.0)


@dataclass
class Attributions:
    """Attribution maps of a set of sequences for one output.

    Attributes
    ----------
    ids
        Sequence ids.
    predictions
        ``(N,)`` model output ``target``.
    ism
        ``(N, 4, L)`` or ``None`` when not computed.
    grad_x_input
        ``(N, 4, L)``.
    top
        Indices of the sequences with logos, highest prediction first.
    """

    ids: list[str]
    predictions: np.ndarray
    ism: np.ndarray | None
    grad_x_input: np.ndarray
    top: np.ndarray
    target: int


def write_attributions(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    ids: Sequence[str],
    out_dir: str | Path,
    target: int = 0,
    top: int = 10,
    with_ism: bool = True,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> Attributions:
    """Compute ISM and gradient×input maps and write them with logos of the top sequences.

    Writes ``attributions.npz`` (``ids``, ``codes`` ``(N, L)``, ``predictions`` ``(N,)``,
    ``ism`` and ``grad_x_input`` ``(N, 4, L)``, ``target``) and ``logos/<rank>_<id>.png`` for the
    ``top`` sequences with the highest output.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes; ``ids`` their names.
    target
        Index of the model output to explain.
    top
        Sequences with logos.
    with_ism
        ISM costs ``3 L`` forward passes per sequence; ``False`` skips it.

    Returns
    -------
    Attributions
    """
    arr = _codes(codes)
    if len(ids) != len(arr):
        raise InputError(f"{len(ids)} ids for {len(arr)} sequences")
    out_dir = Path(out_dir)
    predictions = predict_target(model, arr, target, batch_size, device)
    gxi = gradient_x_input(model, arr, target, batch_size, device)
    ism_map = ism(model, arr, target, 2 * batch_size, device, show_progress) if with_ism else None
    order = np.argsort(-predictions, kind="stable")[: max(0, top)]
    arrays = {
        "ids": np.array(list(ids)),
        "codes": arr,
        "predictions": predictions,
        "grad_x_input": gxi,
        "target": np.array(target),
    }
    if ism_map is not None:
        arrays["ism"] = ism_map
    write_with(out_dir / "attributions.npz", lambda tmp: _savez(tmp, arrays))
    from seqconv.motifs.logos import attribution_logo

    importance = ism_importance(ism_map, arr) if ism_map is not None else None
    for rank, i in enumerate(order, start=1):
        maps = {"grad×input": gxi[i]}
        if importance is not None:
            maps = {"ISM": importance[i], **maps}
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(ids[i]))[:80]
        attribution_logo(
            maps,
            out_dir / "logos" / f"{rank:03d}_{safe}.png",
            title=f"{ids[i]} (output {target} = {predictions[i]:.3g})",
        )
    return Attributions(list(ids), predictions, ism_map, gxi, order, target)
