"""Attribution maps for motifs that deeper layers learn: in-silico mutagenesis, gradient×input and
occlusion.

ISM and gradient×input give ``(N, 4, L)`` arrays (channels A, C, G, T) for one model output:

* **ISM**: ``ism[n, b, l]`` = output with base ``b`` at position ``l`` minus the output of the
  sequence itself; 0 at the observed base and at padding. All three substitutions of every
  position are batched into forward passes of ``batch_size`` mutants.
* **gradient×input**: ``d output / d x`` times the one-hot input ``x`` (non-zero at the observed
  base only).

* **occlusion** (:mod:`seqconv.motifs.occlusion`): ``(N, L)``, the output drop when a window
  covering the position is shuffled or zeroed, on the same scale and with the same sign as
  :func:`ism_importance`.

Logos (:func:`write_attributions`) show per position the observed base with height
``-mean(ism over the three substitutions)`` (how much the base contributes compared with the
average substitution), gradient×input and the occlusion score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from seqconv.atomic import write_npz
from seqconv.core.predict import predict
from seqconv.core.stores import CodesTensor
from seqconv.dna.encode import PAD, one_hot
from seqconv.errors import InputError
from seqconv.motifs.inputs import (
    PRECISION,
    FlatOutputs,
    check_codes,
    code_batches,
    on_device,
)
from seqconv.motifs.layer import evaluating
from seqconv.motifs.occlusion import OcclusionSettings, occlusion, occlusion_importance
from seqconv.progress import track
from seqconv.validation import Rule, check_value

METHODS = ("ism", "gradient", "occlusion")


def _codes(codes: np.ndarray | torch.Tensor) -> np.ndarray:
    check_codes(codes)
    return np.asarray(codes.cpu() if isinstance(codes, torch.Tensor) else codes, dtype=np.uint8)


def predict_target(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    target: int = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
) -> np.ndarray:
    """``(N,)`` float64 output ``target`` of the model for each sequence."""
    arr = _codes(codes)
    with on_device(model, device) as dev:
        scorer = FlatOutputs(model, target=target)
        out = predict(scorer, CodesTensor(arr, dev), batch_size=batch_size, precision=PRECISION)
        return out.double().numpy()


class _Mutants:
    """Single-base substitutions of one sequence as an input store for ``predict``: row ``i`` is
    the sequence with base ``bases[i]`` at ``positions[i]``, built on the device per batch (all
    ``3 L`` mutants at once would take ``12 L^2`` floats)."""

    can_reverse_complement = False

    def __init__(self, x: torch.Tensor, bases: torch.Tensor, positions: torch.Tensor) -> None:
        self.device = x.device
        self.x = x  # (4, L) one-hot
        self.bases = bases.to(self.device)
        self.positions = positions.to(self.device)
        self.eye = torch.eye(4, device=self.device)

    def __len__(self) -> int:
        return len(self.bases)

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        return index.to(self.device)

    def encode(self, index: torch.Tensor) -> torch.Tensor:
        """``(B,)`` row numbers -> ``(B, 4, L)`` one-hot mutants."""
        mutants = self.x.expand(len(index), *self.x.shape).clone()
        rows = torch.arange(len(index), device=self.device)
        mutants[rows, :, self.positions[index]] = self.eye[self.bases[index]]
        return mutants


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
    with on_device(model, device) as dev:
        scorer = FlatOutputs(model, target=target)
        reference = predict_target(model, arr, target, batch_size)
        result = np.zeros((len(arr), 4, arr.shape[1]))
        for i in track(range(len(arr)), len(arr), "mutagenesis", show_progress):
            x = one_hot(arr[i])  # (4, L)
            # Substitutions: base b at position l, except the observed base and padding.
            need = x != 1.0
            need[:, torch.as_tensor(arr[i] == PAD)] = False
            bases, positions = torch.nonzero(need, as_tuple=True)
            if len(bases) == 0:
                continue
            mutants = _Mutants(x.to(dev), bases, positions)
            values = predict(scorer, mutants, batch_size=batch_size, precision=PRECISION)
            result[i, bases.numpy(), positions.numpy()] = values.double().numpy() - reference[i]
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
    with on_device(model, device) as dev:
        scorer = FlatOutputs(model, target=target)
        out = []
        # Its own loop: predict runs without gradients.
        with evaluating(model), torch.enable_grad():
            for _, x in code_batches(arr, batch_size, dev):
                x.requires_grad_(True)
                # Only the input's gradient is computed; parameter .grad stays untouched.
                (grad,) = torch.autograd.grad(scorer(x).sum(), x)
                out.append((grad * x).detach().double().cpu())
        return torch.cat(out).numpy()


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
        ``(N, 4, L)`` or ``None`` when not computed.
    top
        Indices of the sequences with logos, highest prediction first.
    occlusion
        ``(N, L)`` or ``None`` when not computed.
    """

    ids: list[str]
    predictions: np.ndarray
    ism: np.ndarray | None
    grad_x_input: np.ndarray | None
    top: np.ndarray
    target: int
    occlusion: np.ndarray | None = None


def check_methods(methods: Sequence[str] | None, with_ism: bool = True) -> tuple[str, ...]:
    """The attribution methods to run, checked: ``methods`` (default ``ism`` and ``gradient``)
    without ``ism`` when ``with_ism`` is false."""
    chosen = ["ism", "gradient"] if not methods else list(methods)
    for name in chosen:
        check_value("method", name, Rule(str, choices=METHODS))
    if not with_ism:
        chosen = [m for m in chosen if m != "ism"]
        if not chosen:
            raise InputError("--no-ism leaves no method; add --method gradient or occlusion")
    return tuple(m for m in METHODS if m in chosen)


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
    target_name: str | None = None,
    methods: Sequence[str] | None = None,
    occlusion_settings: OcclusionSettings | None = None,
) -> Attributions:
    """Compute attribution maps and write them with logos of the top sequences.

    Writes ``attributions.npz`` (``ids``, ``codes`` ``(N, L)``, ``predictions`` ``(N,)``,
    ``target``, ``target_name``, ``methods``, and per method ``ism`` and ``grad_x_input``
    ``(N, 4, L)``, ``occlusion`` ``(N, L)`` with ``occlusion_window``, ``occlusion_stride``,
    ``occlusion_baseline``, ``occlusion_shuffles``, ``occlusion_seed``) and
    ``logos/<rank>_<id>.png`` (one row per method) for the ``top`` sequences with the highest
    output.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes; ``ids`` their names.
    target
        Index of the model output to explain.
    target_name
        Its name (the run's ``target_names[target]``), shown in the logos' titles; ``None``:
        ``output <target>``.
    top
        Sequences with logos.
    with_ism
        ISM costs ``3 L`` forward passes per sequence; ``False`` skips it.
    methods
        Any of ``ism``, ``gradient`` (gradient×input), ``occlusion``; default ``ism`` and
        ``gradient``.
    occlusion_settings
        Window, stride, baseline, shuffles and seed of occlusion (default: the defaults of
        :class:`~seqconv.motifs.occlusion.OcclusionSettings`).

    Returns
    -------
    Attributions
    """
    arr = _codes(codes)
    if len(ids) != len(arr):
        raise InputError(f"{len(ids)} ids for {len(arr)} sequences")
    chosen = check_methods(methods, with_ism)
    occ = occlusion_settings or OcclusionSettings()
    if "occlusion" in chosen:  # before any work: a window longer than the sequences is refused
        occ = occ.checked(arr.shape[1])
    out_dir = Path(out_dir)
    predictions = predict_target(model, arr, target, batch_size, device)
    gxi = gradient_x_input(model, arr, target, batch_size, device) if "gradient" in chosen else None
    ism_map = None
    if "ism" in chosen:
        ism_map = ism(model, arr, target, 2 * batch_size, device, show_progress)
    occ_map = None
    if "occlusion" in chosen:
        occ_map = occlusion(
            model, arr, target, occ.window, occ.stride, occ.baseline, occ.shuffles, occ.seed,
            2 * batch_size, device, show_progress=show_progress,
        )  # fmt: skip
    order = np.argsort(-predictions, kind="stable")[: max(0, top)]
    arrays = {
        "ids": np.array(list(ids)),
        "codes": arr,
        "predictions": predictions,
        "target": np.array(target),
        "target_name": np.array(target_name if target_name is not None else f"output {target}"),
        "methods": np.array(chosen),
    }
    if gxi is not None:
        arrays["grad_x_input"] = gxi
    if ism_map is not None:
        arrays["ism"] = ism_map
    if occ_map is not None:
        arrays["occlusion"] = occ_map
        for name in ("window", "stride", "baseline", "shuffles", "seed"):
            arrays[f"occlusion_{name}"] = np.array(getattr(occ, name))
    write_npz(out_dir / "attributions.npz", arrays, compressed=True)
    from seqconv.motifs.logos import attribution_logo

    rows = {
        "ISM": ism_importance(ism_map, arr) if ism_map is not None else None,
        "grad×input": gxi,
        "occlusion": occlusion_importance(occ_map, arr) if occ_map is not None else None,
    }
    label = target_name if target_name is not None else f"output {target}"
    for rank, i in enumerate(order, start=1):
        maps = {name: heights[i] for name, heights in rows.items() if heights is not None}
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in str(ids[i]))[:80]
        attribution_logo(
            maps,
            out_dir / "logos" / f"{rank:03d}_{safe}.png",
            title=f"{ids[i]} ({label} = {predictions[i]:.3g})",
        )
    return Attributions(list(ids), predictions, ism_map, gxi, order, target, occ_map)
