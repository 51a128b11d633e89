"""First-layer filters to position frequency matrices (Basset / Kelley et al. 2016).

For each filter, the activation map of the first convolution is computed over the sequences,
*sites* (sequence, output position) are selected where the filter fires strongly, and the bases of
each site's input window are counted.

Window mapping
    Output position ``p`` of ``Conv1d(4, F, k, stride=s, padding=P, dilation=d)`` reads input
    positions ``p*s - P + j*d`` for taps ``j = 0..k-1`` (:func:`window_positions`). Positions
    outside the sequence (the conv's padding, or padding codes) count nothing, so a column's
    total can be smaller than ``nsites`` at the edges.

Dilated filters
    With ``layout="span"`` (default) a PFM has one column per base of the span
    ``(k - 1)*d + 1``: the taps are columns ``0, d, 2d, ...`` (:attr:`FilterMotif.taps`) and the
    bases between them are counted as well, so the PFM is an ordinary contiguous motif that can be
    compared with a database. ``layout="taps"`` gives one column per tap (``k`` columns).

Counting is one call of the convolution's weight gradient per batch (sum over selected sites of
the one-hot window), so no Python loop runs over sites.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from seqconv.dna.encode import PAD
from seqconv.errors import InputError
from seqconv.motifs.inputs import check_codes, code_batches, example_input, on_device
from seqconv.motifs.layer import FirstLayer, evaluating, find_first_layer, first_layer_activations
from seqconv.motifs.motif import (
    SiteCounts,
    information_content,
    ppm_from_counts,
    trim_bounds,
)
from seqconv.progress import track

SiteMode = Literal["basset", "max_frac", "top_k"]
Layout = Literal["span", "taps"]


def window_positions(
    positions: np.ndarray,
    kernel_size: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    layout: Layout = "taps",
) -> np.ndarray:
    """Input positions read by conv output positions.

    Parameters
    ----------
    positions
        ``(n,)`` output positions.
    kernel_size, stride, padding, dilation
        The conv's geometry; ``padding`` is the left padding.
    layout
        ``"taps"``: the ``k`` positions the weights see; ``"span"``: every position from the first
        to the last tap (``(k - 1)*dilation + 1``).

    Returns
    -------
    np.ndarray
        ``(n, k)`` or ``(n, span)`` int64 input positions; values ``< 0`` or ``>= L`` fall in
        padding.
    """
    start = np.asarray(positions, dtype=np.int64)[:, None] * stride - padding
    if layout == "taps":
        return start + np.arange(kernel_size) * dilation
    return start + np.arange((kernel_size - 1) * dilation + 1)


@dataclass
class FilterMotif(SiteCounts):
    """The PFM of one first-layer filter.

    Attributes
    ----------
    filter
        Index of the filter in the first convolution.
    counts
        ``(4, W)`` float64 base counts after trimming (rows A, C, G, T; no pseudocounts). ``N``
        contributes 0.25 to each base.
    nsites
        Number of sites counted.
    offset
        Column of the untrimmed layout where ``counts`` starts.
    untrimmed
        ``(4, W_full)`` counts before trimming (``span`` or ``k`` columns).
    taps
        Columns of the untrimmed layout that the filter's weights see.
    threshold
        Activation a site had to exceed (``nan`` in top-k mode).
    max_activation
        Largest activation of the filter over the data.
    background, pseudocount
        ``(4,)`` base frequencies of the input and the total pseudocount per column.
    """

    filter: int
    counts: np.ndarray
    nsites: int
    offset: int
    untrimmed: np.ndarray
    taps: np.ndarray
    threshold: float
    max_activation: float
    background: np.ndarray
    pseudocount: float

    @property
    def id(self) -> str:
        return f"filter{self.filter}"


@dataclass
class FilterExtraction:
    """PFMs of all first-layer filters of a model.

    Attributes
    ----------
    motifs
        One :class:`FilterMotif` per filter with at least ``min_sites`` sites, by filter index.
    nsites, thresholds, means, maxima
        ``(F,)`` per filter (all filters): sites found, activation threshold, mean and maximum
        activation over the data.
    dropped
        Indices of filters with too few sites.
    background
        ``(4,)`` base frequencies of the input.
    layer
        The first layer that was read.
    n_sequences
        Sequences scanned.
    notes
        Assumptions worth reporting.
    """

    motifs: list[FilterMotif]
    nsites: np.ndarray
    thresholds: np.ndarray
    means: np.ndarray
    maxima: np.ndarray
    dropped: list[int]
    background: np.ndarray
    layer: FirstLayer
    n_sequences: int
    notes: list[str] = field(default_factory=list)

    def by_filter(self) -> dict[int, FilterMotif]:
        return {m.filter: m for m in self.motifs}


def _valid_positions(
    conv_input: torch.Tensor, layer: FirstLayer, batch: torch.Tensor
) -> torch.Tensor | None:
    """``(B, 1, L_out)`` True where an output window holds at least one real base; ``None`` when
    every window does (no padding codes and conv padding shorter than the span)."""
    pl, pr = layer.padding()
    short_pad = max(pl, pr) < layer.span
    if short_pad and conv_input.shape[-1] == batch.shape[-1] and not bool((batch == PAD).any()):
        return None  # the conv reads the sequences as given, and they hold no padding
    real = conv_input.abs().sum(1) > 0
    if short_pad and bool(real.all()):
        return None
    real = F.pad(real, (pl, pr))
    windows = real.unfold(-1, layer.span, layer.stride)[..., :: layer.dilation]
    return windows.any(-1).unsqueeze(1)


def activation_stats(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    layer: FirstLayer | None = None,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and maximum of every filter's activation over all (real) positions and sequences.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes.

    Returns
    -------
    means, maxima, background
        ``(F,)``, ``(F,)`` float64 and the ``(4,)`` base frequencies of the input.
    """
    check_codes(codes)
    with on_device(model, device) as dev:
        layer = layer or find_first_layer(model, example_input(codes, dev))
        with evaluating(model), torch.inference_mode():
            n_filters = layer.n_filters
            total = torch.zeros(n_filters, dtype=torch.float64, device=dev)
            count = torch.zeros((), dtype=torch.float64, device=dev)
            maxima = torch.full((n_filters,), -torch.inf, dtype=torch.float64, device=dev)
            bases = torch.zeros(4, dtype=torch.float64, device=dev)
            steps = track(
                code_batches(codes, batch_size, dev), len(codes), "activations", show_progress
            )
            for batch, x in steps:
                bases += x.sum(2).sum(0).double()
                act, conv_input = first_layer_activations(model, x, layer)
                valid = _valid_positions(conv_input, layer, batch)
                if valid is None:
                    total += act.sum(2).sum(0).double()
                    count += act.shape[0] * act.shape[2]
                    maxima = torch.maximum(maxima, act.amax(2).amax(0).double())
                else:
                    total += (act * valid).sum(2).sum(0).double()
                    count += valid.sum()
                    best = act.masked_fill(~valid, -torch.inf).amax(2).amax(0)
                    maxima = torch.maximum(maxima, best.double())
        means = (total / count.clamp(min=1)).cpu().numpy()
        background = bases.cpu().numpy()
        background = background / background.sum() if background.sum() > 0 else np.full(4, 0.25)
        return means, maxima.cpu().numpy(), background


def _top_k_thresholds(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    layer: FirstLayer,
    k: int,
    batch_size: int,
    dev: torch.device,
) -> np.ndarray:
    """Per filter, the k-th largest activation over all real positions."""
    best = None
    with evaluating(model), torch.inference_mode():
        for batch, x in code_batches(codes, batch_size, dev):
            act, conv_input = first_layer_activations(model, x, layer)
            valid = _valid_positions(conv_input, layer, batch)
            if valid is not None:
                act = act.masked_fill(~valid, -torch.inf)
            flat = act.transpose(0, 1).reshape(act.shape[1], -1)
            merged = flat if best is None else torch.cat([best, flat], dim=1)
            best = merged.topk(min(k, merged.shape[1]), dim=1).values
    return best[:, -1].float().cpu().numpy()


def extract_filter_motifs(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    mode: SiteMode = "basset",
    factor: float = 0.5,
    top_k: int = 200,
    min_sites: int = 10,
    pseudocount: float = 1.0,
    trim_bits: float = 0.5,
    min_width: int = 4,
    layout: Layout = "span",
    batch_size: int = 512,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> FilterExtraction:
    """PFMs of a model's first-layer filters from the sequences that activate them.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)`` whose first layer is ``Conv1d(4, F, ...)``
        (zoo or user-written; see :mod:`seqconv.motifs.layer`).
    codes
        ``(N, L)`` uint8 DNA codes (:func:`seqconv.encode_dna`, :func:`seqconv.read_fasta_codes`).
    mode
        Site selection per filter, over all real positions of all sequences:
        ``"basset"``: activation ``> mean + factor*(max - mean)`` (Kelley et al. 2016, factor 0.5);
        ``"max_frac"``: activation ``> factor*max``;
        ``"top_k"``: the ``top_k`` highest activations (ties at the k-th value included).
    factor
        See ``mode``.
    min_sites
        Filters with fewer sites are dropped (listed in :attr:`FilterExtraction.dropped`).
    pseudocount
        Total pseudocount per column, spread as the input's base frequencies (for probabilities
        and information content; ``counts`` stay raw).
    trim_bits, min_width
        Edge columns below ``trim_bits`` bits are trimmed, keeping at least ``min_width``
        columns (:func:`~seqconv.motifs.motif.trim_bounds`).
    layout
        Columns of a dilated filter's PFM: ``"span"`` or ``"taps"`` (see the module docstring).
    batch_size
        Sequences per forward pass.
    device
        Where to run (the model is moved there and back afterwards); default: where the model is.

    Returns
    -------
    FilterExtraction
    """
    check_codes(codes)
    if mode not in ("basset", "max_frac", "top_k"):
        raise InputError(f"mode must be 'basset', 'max_frac' or 'top_k', not {mode!r}")
    if layout not in ("span", "taps"):
        raise InputError(f"layout must be 'span' or 'taps', not {layout!r}")
    with on_device(model, device) as dev:
        layer = find_first_layer(model, example_input(codes, dev))
        means, maxima, background = activation_stats(
            model, codes, layer, batch_size, dev, show_progress
        )
        if mode == "basset":
            thresholds = means + factor * (maxima - means)
        elif mode == "max_frac":
            thresholds = factor * maxima
        else:
            kth = _top_k_thresholds(model, codes, layer, top_k, batch_size, dev)
            thresholds = np.nextafter(kth, np.float32(-np.inf))  # ">" keeps the k-th value itself

        n_filters = layer.n_filters
        dilation = layer.dilation if layout == "taps" else 1
        columns = layer.kernel_size if layout == "taps" else layer.span
        # Activations are compared in float32, as the model computes them.
        thr = torch.as_tensor(np.asarray(thresholds, dtype=np.float32), device=dev).view(1, -1, 1)
        counts = torch.zeros(n_filters, 4, columns, dtype=torch.float64, device=dev)
        nsites = torch.zeros(n_filters, dtype=torch.float64, device=dev)
        pl, pr = layer.padding()
        with evaluating(model), torch.inference_mode():
            steps = track(
                code_batches(codes, batch_size, dev), len(codes), "filter sites", show_progress
            )
            for batch, x in steps:
                act, conv_input = first_layer_activations(model, x, layer)
                sites = act > thr
                valid = _valid_positions(conv_input, layer, batch)
                if valid is not None:
                    sites &= valid
                sites = sites.to(conv_input.dtype)
                nsites += sites.sum(2).sum(0).double()
                if pl != pr:
                    conv_input = F.pad(conv_input, (pl, pr))
                counts += torch.nn.grad.conv1d_weight(
                    conv_input,
                    (n_filters, 4, columns),
                    sites,
                    stride=layer.stride,
                    padding=pl if pl == pr else 0,
                    dilation=dilation,
                ).double()
        counts_np = counts.cpu().numpy()
        nsites_np = nsites.cpu().numpy().astype(np.int64)
        taps = np.arange(layer.kernel_size) * (layer.dilation if layout == "span" else 1)
        motifs, dropped = [], []
        for f in range(n_filters):
            if nsites_np[f] < max(1, min_sites):
                dropped.append(f)
                continue
            full = counts_np[f]
            bits = information_content(ppm_from_counts(full, pseudocount, background), background)
            start, stop = trim_bounds(bits, trim_bits, min_width)
            motifs.append(
                FilterMotif(
                    filter=f,
                    counts=full[:, start:stop].copy(),
                    nsites=int(nsites_np[f]),
                    offset=start,
                    untrimmed=full,
                    taps=taps,
                    threshold=float(thresholds[f]) if mode != "top_k" else float("nan"),
                    max_activation=float(maxima[f]),
                    background=background,
                    pseudocount=pseudocount,
                )
            )
        notes = list(layer.notes)
        if layout == "span" and layer.dilation > 1:
            notes.append(
                f"dilated filters (dilation {layer.dilation}): PFMs span {layer.span} bases; the "
                f"filter's taps are columns {taps.tolist()} of the untrimmed PFM"
            )
        return FilterExtraction(
            motifs=motifs,
            nsites=nsites_np,
            thresholds=np.asarray(thresholds, dtype=np.float64),
            means=means,
            maxima=maxima,
            dropped=dropped,
            background=background,
            layer=layer,
            n_sequences=len(codes),
            notes=notes,
        )
