"""Source ``filters``: the first convolution's filters as PFMs (Basset), ranked by influence.

A filter the model hardly uses (influence below ``min_influence`` of the most influential
filter's) is not named, however well it matches.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqconv.motifs.filters import FilterExtraction, extract_filter_motifs
from seqconv.motifs.influence import Influence, filter_influence
from seqconv.motifs.report.found import Context, Entry, Found

LEGEND = [
    ("rank", "Filters sorted by influence, most influential first."),
    ("filter", "The first-layer convolution filter (its channel number)."),
    (
        "logo (bits)",
        "The filter's position frequency matrix as a sequence logo: the bases of the windows "
        "where the filter fires strongly, letter height in bits of information.",
    ),
    (
        "sites",
        "How many windows (sequence, position) activated the filter strongly enough to be "
        "counted into its PFM (by default: above the mean plus half the way to the maximum "
        "activation); few sites make a noisy logo.",
    ),
    ("bits", "Total information content of the trimmed PFM (higher: a more specific motif)."),
    (
        "influence",
        "Mean squared change of the model's outputs when this filter's activation is replaced by "
        "its mean over the sequences: how much the predictions rely on it (0: not at all).",
    ),
]
"""``(column, explanation)`` of the page's first columns for filters."""


def find_filters(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    context: Context,
    min_influence: float = 0.02,
    influence: bool = True,
    influence_sequences: int | None = 2000,
    batch_size: int = 512,
    **site_options,
) -> Found:
    """PFMs of the first-layer filters, most influential first.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)`` whose first layer is ``Conv1d(4, F, ...)``.
    codes
        ``(N, L)`` uint8 DNA codes of the sequences to scan.
    context
        Seed, device, progress and the output transform for influence.
    min_influence
        Smallest influence of a named filter, as a share of the most influential filter's
        (``0``: no floor; needs ``influence``).
    influence
        Rank filters by influence (:func:`~seqconv.motifs.influence.filter_influence`); else by
        sites.
    influence_sequences
        Random subset (seeded) used for influence; ``None``: all sequences.
    site_options
        ``mode``, ``factor``, ``top_k``, ``min_sites``, ``trim_bits``, ``min_width``,
        ``pseudocount``, ``layout`` of :func:`~seqconv.motifs.filters.extract_filter_motifs`.
    """
    extraction = extract_filter_motifs(
        model, codes, batch_size=batch_size, device=context.device,
        show_progress=context.show_progress, **site_options,
    )  # fmt: skip
    n_filters = extraction.layer.n_filters
    notes = list(extraction.notes)
    if extraction.dropped:
        notes.append(
            f"{len(extraction.dropped)} of {n_filters} filters have fewer than "
            f"{site_options.get('min_sites', 10)} sites and no PFM"
        )
    infl = None
    if influence:
        subset = codes
        if influence_sequences is not None and len(codes) > influence_sequences:
            rng = np.random.default_rng(context.seed)
            subset = codes[np.sort(rng.choice(len(codes), influence_sequences, False))]
            notes.append(
                f"influence measured on {influence_sequences} of {len(codes)} sequences "
                f"(random, seed {context.seed})"
            )
        infl = filter_influence(
            model, subset, means=extraction.means, output_transform=context.output_transform,
            batch_size=batch_size, device=context.device, show_progress=context.show_progress,
        )  # fmt: skip
    entries = _entries(extraction, infl, min_influence)
    legend = list(LEGEND)
    if infl is None:
        legend[0] = ("rank", "Filters sorted by sites, most first (influence was not measured).")
    return Found(
        source="filters",
        entries=entries,
        background=extraction.background,
        counts=f"{n_filters} filters, {len(extraction.motifs)} with enough sites",
        noun="filters",
        info=_info(extraction, infl),
        legend=legend,
        heading="Filters, most influential first" if infl is not None else "Filters",
        score_column="influence",
        ineligible=f"influence below {min_influence:g} of the most influential filter's",
        notes=notes,
        results={"extraction": extraction, "influence": infl},
    )


def _entries(
    extraction: FilterExtraction, infl: Influence | None, min_influence: float
) -> list[Entry]:
    """One entry per filter, by influence (else by sites), then by filter number."""
    kept = extraction.by_filter()
    n_filters = extraction.layer.n_filters
    if infl is not None:
        key = infl.influence
        relative = key / max(float(key.max()), 1e-300)
    else:
        key, relative = extraction.nsites.astype(np.float64), np.ones(n_filters)
    entries = []
    for f in np.lexsort((np.arange(n_filters), -key)):
        site = kept.get(int(f))
        entries.append(
            Entry(
                id=f"filter{f}",
                motif=site.to_motif() if site is not None else None,
                nsites=int(extraction.nsites[f]),
                values={
                    "influence": float(infl.influence[f]) if infl is not None else np.nan,
                    "max_activation": float(extraction.maxima[f]),
                },
                eligible=bool(relative[f] >= min_influence) if infl is not None else True,
            )
        )
    return entries


def _info(extraction: FilterExtraction, infl: Influence | None) -> list[tuple[str, str]]:
    layer = extraction.layer
    pl, pr = layer.padding()
    info = [
        (
            "first layer",
            f"{layer.conv_name}: Conv1d(4, {layer.n_filters}, kernel {layer.kernel_size}, "
            f"stride {layer.stride}, padding {pl}+{pr}, dilation {layer.dilation}) → "
            f"{layer.output_name}: {type(layer.output).__name__}",
        ),
        ("filters with a PFM", f"{len(extraction.motifs)} of {layer.n_filters}"),
    ]
    if infl is not None:
        info.append(
            (
                "influence",
                "mean squared change of the outputs when a filter's activation is replaced by "
                f"its mean ({infl.n_sequences} sequences)",
            )
        )
    return info
