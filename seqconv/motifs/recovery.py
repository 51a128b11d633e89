"""Which planted motifs a model's filters recovered (benchmarks on simulated data).

A planted motif counts as recovered when a *matched* filter (Tomtom q below the cut-off and
supported by the shuffled control, see :mod:`seqconv.motifs.compare`) has as its best match the
planted matrix (same JASPAR base id, any version) or a matrix of the same TF family. With
``any_match=True`` every match of a matched filter at ``q`` below the cut-off counts, not only its
best one (JASPAR gives near-identical motifs different families: an AP-1 filter from FOSL1,
"Fos-related", may match BACH2, "Jun-related", best).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seqconv.motifs.compare import Annotation
from seqconv.motifs.database import MotifDatabase
from seqconv.motifs.motif import Motif


def _families(text: str) -> set[str]:
    return {part.strip().lower() for part in text.split(";") if part.strip()}


def _base(motif_id: str) -> str:
    return motif_id.split(".")[0]


@dataclass
class Recovery:
    """Per planted motif, the filters that recovered it.

    Attributes
    ----------
    by_motif
        Planted motif id to ``[(filter id, best match id, "same matrix" | "same family")]``.
    """

    by_motif: dict[str, list[tuple[str, str, str]]]

    @property
    def recovered(self) -> list[str]:
        return [m for m, hits in self.by_motif.items() if hits]

    @property
    def n_recovered(self) -> int:
        return len(self.recovered)

    @property
    def n_same_matrix(self) -> int:
        """Planted motifs recovered by their own matrix (any version), not only by family."""
        return sum(any(h[2] == "same matrix" for h in hits) for hits in self.by_motif.values())

    def __str__(self) -> str:
        return f"{self.n_recovered}/{len(self.by_motif)}"


def recovery(
    annotation: Annotation,
    planted: Sequence[Motif],
    database: MotifDatabase | None = None,
    any_match: bool = False,
) -> Recovery:
    """Planted motifs recovered by matched filters (see the module docstring).

    Parameters
    ----------
    annotation
        Filters annotated against a database (:func:`~seqconv.motifs.compare.annotate_motifs`).
    planted
        The planted motifs (with ``tf_family``; a family missing on a planted motif is taken from
        ``database`` when its id is there).
    any_match
        Count every match at ``q`` below the cut-off of a matched filter, not only the best.
    """
    if any_match:
        matched = annotation.matches[annotation.matches["matched"]]
    else:
        matched = annotation.best[annotation.best["matched"]]
    out: dict[str, list[tuple[str, str, str]]] = {}
    for motif in planted:
        family = motif.tf_family
        if not family and database is not None:
            known = database.get(motif.id)
            family = known.tf_family if known is not None else ""
        wanted = _families(family)
        hits = []
        for row in matched.itertuples():
            if _base(row.target_id) == _base(motif.id):
                hits.append((row.query, row.target_id, "same matrix"))
            elif wanted and wanted & _families(row.tf_family):
                hits.append((row.query, row.target_id, "same family"))
        out[motif.id] = hits
    return Recovery(out)
