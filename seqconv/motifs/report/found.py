"""What a source of motifs hands the report: its motifs in rank order, and how it found them.

Every source (:mod:`~seqconv.motifs.report.from_filters`, ``from_units``, ``from_seqlets``) turns a
model and sequences into a :class:`Found`; the rest of the report (naming, clusters, tables, logos,
page) is the same for all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from seqconv.motifs.motif import Motif

SOURCE_COLUMNS = {
    "target": "",
    "influence": np.nan,
    "max_activation": np.nan,
    "contribution": np.nan,
    "map_sequence": "",
    "map_start": np.nan,
}
"""Columns of ``motifs.tsv`` that a source fills where they apply, with their empty value:
``target`` the model output a pattern explains (seqlets); ``influence`` of a filter;
``max_activation`` of a filter or unit; ``contribution`` of a pattern's seqlets; ``map_sequence``
and ``map_start`` the sequence and input position of a unit's map."""


@dataclass
class Context:
    """What every source may use besides its own options.

    Attributes
    ----------
    seed
        Seed of anything random (influence subset, shuffles).
    device
        Where to run (``None``: where the model is); the model is put back afterwards.
    show_progress
        rich progress bars on stderr.
    ids
        ``(N,)`` sequence names (``map_sequence`` of units; default: indices).
    target_names
        Name of every model output (default: ``0``, ``1``, ...).
    classification
        The model is a classifier (seqlets explain logits minus their mean).
    output_transform
        Applied to the outputs before measuring filter influence (e.g. ``torch.sigmoid``).
    """

    seed: int = 0
    device: str | torch.device | None = None
    show_progress: bool = True
    ids: Sequence[str] | None = None
    target_names: Sequence[str] | None = None
    classification: bool = False
    output_transform: Callable[[torch.Tensor], torch.Tensor] | None = None


@dataclass
class Entry:
    """One row of the report: a filter, a unit or a pattern, with its PFM when it has one.

    Attributes
    ----------
    id
        ``filter3``, ``layer2_unit0``, ``pattern0``: the motif's id everywhere in the report.
    motif
        The trimmed PFM ``(4, W)`` named ``id``; ``None`` when too few sites gave none.
    nsites
        Sites (filters), windows (units) or seqlets (patterns) counted into the PFM.
    values
        The source's own columns (keys of :data:`SOURCE_COLUMNS`).
    map
        ``(4, W')`` contribution map drawn under the logo and kept in ``maps.npz`` (units: gradient
        × input of the strongest window; patterns: the CWM); ``None``: none.
    map_title
        Title of the map's logo (``""``: the id).
    eligible
        Whether the motif may be named at all (filters: used enough by the model).
    """

    id: str
    motif: Motif | None
    nsites: int
    values: dict[str, Any] = field(default_factory=dict)
    map: np.ndarray | None = None
    map_title: str = ""
    eligible: bool = True


@dataclass
class Found:
    """The motifs of one source, ranked, and what the report says about them.

    Attributes
    ----------
    source
        ``filters``, ``units`` or ``seqlets``.
    entries
        One per filter, unit or pattern, in the source's rank order (most important first).
    background
        ``(4,)`` base frequencies of the sequences (the MEME file's background).
    counts
        Start of the report's headline (``"64 filters, 50 with enough sites"``).
    noun
        What the entries are, plural (``filters``, ``units``, ``patterns``).
    info
        ``(label, text)`` lines for the page header, before the common ones.
    legend
        ``(column, explanation)`` of the page's first six columns: rank, name, logo, sites, bits
        and :attr:`score_column`.
    heading
        Heading of the page's table.
    score_column
        Column of ``motifs.tsv`` shown in the page's sixth column.
    map_label
        What the entries' maps are (``grad×input``, ``CWM``), the y label of their logos.
    ineligible
        Why an ineligible entry is not named (``"influence below ..."``).
    notes
        What was assumed or dropped.
    results
        The source's own results by name (``extraction``, ``influence``, ``seqlets``).
    """

    source: str
    entries: list[Entry]
    background: np.ndarray
    counts: str
    noun: str
    info: list[tuple[str, str]]
    legend: list[tuple[str, str]]
    heading: str
    score_column: str
    map_label: str = ""
    ineligible: str = ""
    notes: list[str] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)

    @property
    def motifs(self) -> list[Motif]:
        """The PFMs, in rank order."""
        return [e.motif for e in self.entries if e.motif is not None]
