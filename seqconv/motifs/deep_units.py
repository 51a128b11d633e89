"""Units of deeper convolutions as motifs: aligned input windows of their top activations.

A unit (output channel) of the ``N``-th convolution looks at a window of the input, its receptive
field, which the receptive-field calculator gives exactly: the size and start of every output
position's window (:func:`~seqconv.motifs.deep_layer.unit_layer`). For each unit, the sequences
where it fires most strongly are found (at most one site per sequence: its strongest position),
the input windows of those sites are aligned by the unit's position and their bases counted into
a PFM, which is trimmed and named against a database like a first-layer filter
(:func:`extract_unit_motifs`).

Which layers count
    ``layer=N`` is the ``N``-th ``nn.Conv1d`` in module registration order, 1 being the first
    layer; the unit's activation is read after the activation module that follows it
    (:mod:`seqconv.motifs.deep_layer`).

Deconvolution-style map
    For each unit with a PFM, the gradient of its strongest activation with respect to the one-hot
    input of the sequence that produced it, times that input, over the unit's window
    (:class:`UnitMaps`): which bases of that one window the activation rests on.

Padding
    A deeper unit's window is wide and often reaches past the ends of a sequence (or into padding
    codes). Such positions are counted as the input's background frequencies, so every column
    holds ``nsites`` counts and a column seen by few sites stays near the background instead of
    showing the letters of those few (:attr:`UnitMotif.coverage` keeps the share of real bases).
    First-layer filters count nothing there; their windows rarely leave the sequence.

Blur
    After pooling (``jump > 1``), the pattern a unit responds to can sit anywhere within a pool
    window of its position, so aligned windows show it at shifted places and the PFM blurs; the
    map of one site shows it sharply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from seqconv.dna.encode import PAD, one_hot_table
from seqconv.errors import InputError
from seqconv.motifs.deep_layer import UnitLayer, unit_layer
from seqconv.motifs.inputs import check_codes, code_batches, example_input, on_device
from seqconv.motifs.layer import evaluating, first_layer_activations
from seqconv.motifs.motif import (
    SiteCounts,
    information_content,
    ppm_from_counts,
    trim_bounds,
)
from seqconv.progress import track


@dataclass
class UnitMotif(SiteCounts):
    """The PFM of one unit: bases of the aligned windows of its top sites.

    Attributes
    ----------
    layer, unit
        ``N`` of the layer and the unit's channel.
    counts
        ``(4, W)`` float64 base counts after trimming (rows A, C, G, T; no pseudocounts).
    nsites
        Windows counted.
    offset
        Column of the untrimmed window where ``counts`` starts.
    untrimmed
        ``(4, size)`` counts over the whole receptive field.
    coverage
        ``(size,)`` share of the sites with a real base (not padding) in each untrimmed column.
    threshold, max_activation
        Activation a site had to exceed and the unit's largest activation.
    background, pseudocount
        ``(4,)`` base frequencies of the input and the total pseudocount per column.
    """

    layer: int
    unit: int
    counts: np.ndarray
    nsites: int
    offset: int
    untrimmed: np.ndarray
    coverage: np.ndarray
    threshold: float
    max_activation: float
    background: np.ndarray
    pseudocount: float

    @property
    def id(self) -> str:
        return f"layer{self.layer}_unit{self.unit}"


@dataclass
class UnitMaps:
    """Deconvolution-style maps: each unit's strongest activation explained on its input window.

    Attributes
    ----------
    units, sequence, position, activation
        ``(M,)`` the unit, the sequence index and output position of its strongest activation,
        and that activation.
    start
        ``(M,)`` input position where the window starts (column 0 of the maps).
    gradient
        ``(M, 4, size)`` float32 gradient of the activation w.r.t. the one-hot input, over the
        window (zeros past the sequence ends).
    contribution
        ``(M, 4, size)`` gradient × input: non-zero at the observed base only.
    """

    units: np.ndarray
    sequence: np.ndarray
    position: np.ndarray
    activation: np.ndarray
    start: np.ndarray
    gradient: np.ndarray
    contribution: np.ndarray


@dataclass
class UnitExtraction:
    """PFMs of the units of one convolution.

    Attributes
    ----------
    motifs
        One :class:`UnitMotif` per unit with at least ``min_sites`` sites, by unit.
    nsites, thresholds, maxima
        ``(U,)`` per unit: sites counted, activation threshold, largest activation.
    dropped
        Units with too few sites.
    background
        ``(4,)`` base frequencies of the input.
    layer
        The layer read and its windows.
    maps
        :class:`UnitMaps` of the units with a PFM (``None`` when not computed).
    n_sequences
        Sequences scanned.
    notes
        Assumptions worth reporting.
    """

    motifs: list[UnitMotif]
    nsites: np.ndarray
    thresholds: np.ndarray
    maxima: np.ndarray
    dropped: list[int]
    background: np.ndarray
    layer: UnitLayer
    maps: UnitMaps | None
    n_sequences: int
    notes: list[str] = field(default_factory=list)

    def by_unit(self) -> dict[int, UnitMotif]:
        return {m.unit: m for m in self.motifs}


def _real_windows(batch: torch.Tensor, starts: torch.Tensor, size: int) -> torch.Tensor:
    """``(B, 1, L_out)`` True where an output position's window holds at least one real base."""
    real = torch.nn.functional.pad((batch != PAD).long().cumsum(1), (1, 0))  # (B, L + 1)
    length = batch.shape[1]
    lo = starts.clamp(0, length)
    hi = (starts + size).clamp(0, length)
    return ((real[:, hi] - real[:, lo]) > 0).unsqueeze(1)


def _top_sites(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    unit: UnitLayer,
    k: int,
    batch_size: int,
    dev: torch.device,
    show_progress: bool,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, np.ndarray]:
    """Per unit, the ``k`` sequences with the strongest activation (one position each).

    Returns
    -------
    values, sequences, positions
        ``(U, k')`` float32, int64, int64 (``k' = min(k, N)``), strongest first.
    background
        ``(4,)`` base frequencies of the input.
    """
    starts = torch.as_tensor(unit.starts, device=dev)
    values = seqs = pos = None
    bases = torch.zeros(4, dtype=torch.float64, device=dev)
    offset = 0
    with evaluating(model), torch.inference_mode():
        steps = track(code_batches(codes, batch_size, dev), len(codes), "unit sites", show_progress)
        for batch, x in steps:
            bases += x.sum(2).sum(0).double()
            act = first_layer_activations(model, x, unit.layer)[0].float()
            if act.shape[-1] != len(starts):
                raise InputError(
                    f"layer {unit.index} gave {act.shape[-1]} positions, the receptive field "
                    f"analysis {len(starts)}: the model's geometry depends on the input"
                )
            act = act.masked_fill(~_real_windows(batch, starts, unit.size), -torch.inf)
            best, where = act.max(2)  # (B, U): one site per sequence
            rows = torch.arange(offset, offset + len(batch), device=dev)
            offset += len(batch)
            cand_v = best.T if values is None else torch.cat([values, best.T], 1)
            cand_s = (
                rows.expand_as(best.T)
                if seqs is None
                else torch.cat([seqs, rows.expand_as(best.T)], 1)
            )
            cand_p = where.T if pos is None else torch.cat([pos, where.T], 1)
            values, keep = cand_v.topk(min(k, cand_v.shape[1]), dim=1)
            seqs, pos = cand_s.gather(1, keep), cand_p.gather(1, keep)
    background = bases.cpu().numpy()
    background = background / background.sum() if background.sum() > 0 else np.full(4, 0.25)
    return values, seqs, pos, background


def _rows(codes: np.ndarray | torch.Tensor, index: np.ndarray, dev: torch.device) -> torch.Tensor:
    """``(n, L)`` uint8 codes of the sequences ``index``, on ``dev``."""
    if isinstance(codes, torch.Tensor):
        return codes.index_select(0, torch.as_tensor(index, device=codes.device)).to(dev)
    return torch.as_tensor(np.asarray(codes)[index]).to(dev)


def _windows(values: torch.Tensor, starts: torch.Tensor, size: int, fill: float) -> torch.Tensor:
    """``(n, ..., L)`` values cut to ``(n, ..., size)`` windows from ``starts`` ``(n,)``; past the
    ends filled with ``fill``."""
    length = values.shape[-1]
    left = max(0, -int(starts.min()))
    right = max(0, int(starts.max()) + size - length)
    padded = torch.nn.functional.pad(values, (left, right), value=fill)
    index = (starts + left)[:, None] + torch.arange(size, device=starts.device)
    index = index.view(len(starts), *([1] * (values.dim() - 2)), size)
    return padded.gather(-1, index.expand(*values.shape[:-1], size))


def unit_maps(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    unit: UnitLayer,
    units: np.ndarray,
    sequences: np.ndarray,
    positions: np.ndarray,
    batch_size: int = 64,
    device: str | torch.device | None = None,
) -> UnitMaps:
    """Gradient (and gradient × input) of one activation per unit w.r.t. its one-hot input.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes.
    units, sequences, positions
        ``(M,)``: activation ``a[sequences[m], units[m], positions[m]]`` of ``unit``'s layer is
        explained over its input window.

    Returns
    -------
    UnitMaps
        Maps ``(M, 4, unit.size)``.
    """
    with on_device(model, device) as dev:
        starts_all = torch.as_tensor(unit.starts, device=dev)
        grads, contribs, acts = [], [], []
        with evaluating(model), torch.enable_grad():
            for lo in range(0, len(units), batch_size):
                sl = slice(lo, lo + batch_size)
                x = torch.nn.functional.embedding(
                    _rows(codes, sequences[sl], dev).long(), one_hot_table().to(dev)
                ).transpose(1, 2)
                x.requires_grad_(True)
                act = first_layer_activations(model, x, unit.layer)[0]
                rows = torch.arange(len(x), device=dev)
                u = torch.as_tensor(units[sl], device=dev)
                p = torch.as_tensor(positions[sl], device=dev)
                chosen = act[rows, u, p]
                (grad,) = torch.autograd.grad(chosen.sum(), x)
                starts = starts_all[p]
                grads.append(_windows(grad.detach().float(), starts, unit.size, 0.0).cpu())
                contribs.append(_windows((grad * x).detach().float(), starts, unit.size, 0.0).cpu())
                acts.append(chosen.detach().float().cpu())
        return UnitMaps(
            units=np.asarray(units, dtype=np.int64),
            sequence=np.asarray(sequences, dtype=np.int64),
            position=np.asarray(positions, dtype=np.int64),
            activation=torch.cat(acts).numpy() if acts else np.zeros(0, np.float32),
            start=unit.starts[np.asarray(positions, dtype=np.int64)],
            gradient=torch.cat(grads).numpy() if grads else np.zeros((0, 4, unit.size), np.float32),
            contribution=(
                torch.cat(contribs).numpy() if contribs else np.zeros((0, 4, unit.size), np.float32)
            ),
        )


def extract_unit_motifs(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    layer: int = 2,
    factor: float = 0.5,
    max_sites: int = 1000,
    min_sites: int = 10,
    pseudocount: float = 1.0,
    trim_bits: float = 0.5,
    min_width: int = 4,
    maps: bool = True,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> UnitExtraction:
    """PFMs of the units of a model's ``layer``-th convolution from their top input windows.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``.
    codes
        ``(N, L)`` uint8 DNA codes (:func:`seqconv.read_fasta_codes`).
    layer
        Which ``nn.Conv1d`` (1-based, registration order; see the module docstring). Layer 1 works
        too (windows are then the filters' spans), though
        :func:`~seqconv.motifs.filters.extract_filter_motifs` is the first layer's method.
    factor
        A unit's sites are sequences whose strongest activation exceeds ``factor`` × the unit's
        largest activation over the data (units whose largest activation is ``<= 0`` have none).
    max_sites
        At most this many sites per unit, the strongest.
    min_sites
        Units with fewer sites get no PFM (listed in :attr:`UnitExtraction.dropped`).
    pseudocount, trim_bits, min_width
        As for :func:`~seqconv.motifs.filters.extract_filter_motifs`: pseudocount for
        probabilities and bits; edge columns under ``trim_bits`` bits are trimmed.
    maps
        Also compute the deconvolution-style maps (:func:`unit_maps`).
    batch_size
        Sequences per forward pass.
    device
        Where to run (the model is moved there and back afterwards); default: where the model is.

    Returns
    -------
    UnitExtraction
        PFMs ``(4, W)`` with ``W <= size`` of the layer's receptive field.
    """
    check_codes(codes)
    if not 0 < factor <= 1:
        raise InputError(f"factor must be in (0, 1], not {factor!r}")
    for name, value in (("max_sites", max_sites), ("min_sites", min_sites)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be an integer >= 1, not {value!r}")
    with on_device(model, device) as dev:
        unit = unit_layer(model, layer, example_input(codes, dev))
        values, seqs, pos, background = _top_sites(
            model, codes, unit, max_sites, batch_size, dev, show_progress
        )
        maxima = values[:, 0].double().cpu().numpy()
        thresholds = np.where(maxima > 0, factor * maxima, np.inf)
        table = one_hot_table().to(dev).double()
        starts = torch.as_tensor(unit.starts, device=dev)
        motifs, dropped, nsites = [], [], np.zeros(unit.n_units, dtype=np.int64)
        values_np = values.cpu().numpy()
        capped = 0
        for u in range(unit.n_units):
            # Activations are compared in float32, as the model computes them.
            chosen = np.flatnonzero(values_np[u] > np.float32(thresholds[u]))
            nsites[u] = len(chosen)
            capped += len(chosen) == max_sites and len(codes) > max_sites
            if len(chosen) < min_sites:
                dropped.append(u)
                continue
            index = torch.as_tensor(chosen, device=dev)
            rows = _rows(codes, seqs[u, index].cpu().numpy(), dev)
            windows = _windows(rows, starts[pos[u, index]], unit.size, PAD)
            real = table[windows.long()].sum(0).T.cpu().numpy()  # (4, size)
            outside = (windows == PAD).sum(0).cpu().numpy()  # (size,) padding per column
            full = real + outside[None, :] * background[:, None]
            bits = information_content(ppm_from_counts(full, pseudocount, background), background)
            start, stop = trim_bounds(bits, trim_bits, min_width)
            motifs.append(
                UnitMotif(
                    layer=layer,
                    unit=u,
                    counts=full[:, start:stop].copy(),
                    nsites=len(chosen),
                    offset=start,
                    untrimmed=full,
                    coverage=1.0 - outside / len(chosen),
                    threshold=float(thresholds[u]),
                    max_activation=float(maxima[u]),
                    background=background,
                    pseudocount=pseudocount,
                )
            )
        notes = list(unit.notes)
        if capped:
            notes.append(
                f"{capped} units fire above threshold in more than {max_sites} sequences; "
                f"their {max_sites} strongest are counted"
            )
        if unit.jump != 1:
            notes.append(
                f"layer {layer}'s positions are {unit.jump} bp apart (strides or pooling before "
                "it): a unit's pattern can sit at different places in its aligned windows, which "
                "blurs the PFMs; the maps show single sites sharply"
            )
        unit_map = None
        if maps and motifs:
            kept = np.array([m.unit for m in motifs])
            unit_map = unit_maps(
                model, codes, unit, kept, seqs[kept, 0].cpu().numpy(), pos[kept, 0].cpu().numpy(),
                batch_size=min(batch_size, 64), device=dev,
            )  # fmt: skip
        return UnitExtraction(
            motifs=motifs,
            nsites=nsites,
            thresholds=thresholds,
            maxima=maxima,
            dropped=dropped,
            background=background,
            layer=unit,
            maps=unit_map,
            n_sequences=len(codes),
            notes=notes,
        )
