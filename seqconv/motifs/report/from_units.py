"""Source ``units``: the units of a deeper convolution as PFMs of their top input windows, each with
a deconvolution-style map of its strongest activation, most informative first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from seqconv.motifs.deep_units import UnitExtraction, extract_unit_motifs
from seqconv.motifs.report.found import Context, Entry, Found

LEGEND = [
    ("rank", "Units with a PFM, most informative first; then units without one."),
    ("unit", "The unit: an output channel of the layer's convolution."),
    (
        "logo (bits) / map",
        "Top: the unit's PFM, the bases of the input windows (its receptive field) of the "
        "sequences where it fires most strongly, aligned by the unit's position, in bits. "
        "Bottom: the deconvolution-style map of its strongest activation: gradient × input over "
        "that one window (which bases the activation rests on; the scale is the activation's).",
    ),
    (
        "sites",
        "Sequences whose strongest activation of this unit exceeds the threshold (by default "
        "half its largest activation), one window each, the strongest first up to the cap.",
    ),
    ("bits", "Total information content of the trimmed PFM (higher: a more specific motif)."),
    ("max activation", "The unit's largest activation over the sequences."),
]
"""``(column, explanation)`` of the page's first columns for units."""

METHOD = (
    "per unit, the strongest position of each sequence; sequences above the threshold (strongest "
    "first, up to the cap) give their input windows, aligned by position, counted into a PFM and "
    "trimmed; the map is gradient × input of the strongest one"
)


def find_units(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    context: Context,
    layer: int = 2,
    **unit_options,
) -> Found:
    """PFMs and maps of the units of the model's ``layer``-th convolution.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``.
    codes
        ``(N, L)`` uint8 DNA codes.
    context
        Seed, device, progress, and the sequence ids the maps name.
    layer
        Which ``nn.Conv1d`` (1-based, registration order; :mod:`seqconv.motifs.deep_layer`).
    unit_options
        ``factor``, ``max_sites``, ``min_sites``, ``trim_bits``, ``min_width``, ``pseudocount``,
        ``maps``, ``batch_size`` of :func:`~seqconv.motifs.deep_units.extract_unit_motifs`.
    """
    extraction = extract_unit_motifs(
        model, codes, layer, device=context.device, show_progress=context.show_progress,
        **unit_options,
    )  # fmt: skip
    unit = extraction.layer
    notes = list(extraction.notes)
    if extraction.dropped:
        notes.append(
            f"{len(extraction.dropped)} of {unit.n_units} units have too few sites (sequences "
            "above threshold) and no PFM"
        )
    return Found(
        source="units",
        entries=_entries(extraction, context.ids),
        background=extraction.background,
        counts=(
            f"layer {unit.index}: {unit.n_units} units (receptive field {unit.size} bp), "
            f"{len(extraction.motifs)} with enough sites"
        ),
        noun="units",
        info=[
            ("layer", unit.describe()),
            ("method", METHOD),
            ("units with a PFM", f"{len(extraction.motifs)} of {unit.n_units}"),
        ],
        legend=LEGEND,
        heading=f"Units of layer {unit.index}, most informative first",
        score_column="max_activation",
        map_label="grad×input",
        notes=notes,
        results={"extraction": extraction},
    )


def _entries(extraction: UnitExtraction, ids: Sequence[str] | None) -> list[Entry]:
    """One entry per unit, most informative first (units without a PFM last), then by unit."""
    kept = extraction.by_unit()
    maps = extraction.maps
    where = {int(u): i for i, u in enumerate(maps.units)} if maps is not None else {}
    n_units = extraction.layer.n_units
    bits = np.array([kept[u].information if u in kept else -1.0 for u in range(n_units)])
    entries = []
    for u in np.lexsort((np.arange(n_units), -bits)):
        site = kept.get(int(u))
        entry = Entry(
            id=f"layer{extraction.layer.index}_unit{u}",
            motif=site.to_motif() if site is not None else None,
            nsites=int(extraction.nsites[u]),
            values={"max_activation": float(extraction.maxima[u])},
        )
        if int(u) in where:
            i = where[int(u)]
            seq, start = int(maps.sequence[i]), int(maps.start[i])
            name = ids[seq] if ids is not None else str(seq)
            entry.values.update(map_sequence=name, map_start=start)
            entry.map = maps.contribution[i]
            entry.map_title = f"{entry.id} at {name}:{start}"
        entries.append(entry)
    return entries
