"""Redundant matched motifs merged into clusters named by their TF family.

A trained network learns the same binding site in several filters (or patterns), and JASPAR names
one consensus several ways: a TGACTCA site matches MAFK, MAF and FOSL1::JUND, whose families
differ ("Maf-related", "Fos-related::Jun-related") while their structural class is the same
(bZIP), and a few filters of the same site match BNC2, a zinc finger whose JASPAR matrix
resembles it. Two matched motifs are linked when their best database matches have the same name
or when Tomtom calls them similar to each other (``q < link_q`` in either direction). Clusters are
then formed by average linkage: a group joins another only when at least half of the pairs
between them are linked (single linkage let one filter resembling both CTCF and REST merge the
two). A cluster's label is the TF family (families, for heterodimers) of at least 90 % of its
members' best matches, else the structural class of at least 60 % of them, else the most frequent
best-match name.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqconv.motifs.compare import Annotation, compare_motifs
from seqconv.motifs.motif import Motif

CLUSTER_COLUMNS = [
    "cluster",
    "label",
    "names",
    "tf_family",
    "tf_class",
    "n_members",
    "representative",
    "members",
]


@dataclass
class MotifClusters:
    """Clusters of matched motifs.

    Attributes
    ----------
    table
        One row per cluster (:data:`CLUSTER_COLUMNS`), largest first; ``members`` and ``names``
        are comma-separated, ``representative`` the first member given (the caller's ranking).
    of_query
        Query id to cluster id (``c1``, ``c2``, ...), matched queries only.
    """

    table: pd.DataFrame
    of_query: dict[str, str]

    def __len__(self) -> int:
        return len(self.table)

    def summary(self) -> list[str]:
        """One ``label (names; k members)`` string per cluster."""
        return [
            f"{r.label} ({r.names}; {r.n_members} member{'s' if r.n_members > 1 else ''})"
            for r in self.table.itertuples()
        ]


def _parts(text: str) -> set[str]:
    """A JASPAR family or class as a set (heterodimers list theirs with ``"; "`` or ``::``)."""
    return {p.strip() for p in text.replace("::", ";").split(";") if p.strip()}


def _shared(values: Sequence[str], share: float) -> str:
    """The families/classes held by at least ``share`` of the members, ``" + "``-joined (a
    POU::SOX heterodimer's cluster holds both), most frequent first; ``""`` when none."""
    counts = Counter(part for v in values for part in _parts(v))
    held = [part for part, n in counts.most_common() if n >= share * len(values)]
    return " + ".join(held)


def _groups(best: pd.DataFrame, motifs: list[Motif], link_q: float) -> np.ndarray:
    """``(M,)`` group number of each matched motif (see the module docstring)."""
    if len(motifs) == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    names = best["target_name"].astype(str).to_numpy()
    with warnings.catch_warnings():  # few targets: memelite warns, but only links are needed
        warnings.simplefilter("ignore", UserWarning)
        similar = compare_motifs(motifs, motifs).q < link_q
    linked = (names[:, None] == names[None, :]) | similar | similar.T
    distance = 1.0 - linked.astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return fcluster(tree, t=0.5, criterion="distance")


def cluster_matched(
    annotation: Annotation, motifs: Sequence[Motif], link_q: float = 1e-3
) -> MotifClusters:
    """Group the matched motifs of an annotation (see the module docstring).

    Parameters
    ----------
    annotation
        From :func:`~seqconv.motifs.compare.annotate_motifs` on ``motifs``.
    motifs
        The annotated motifs, in the order members should be listed (e.g. most influential
        first); ids as in ``annotation.best["query"]``.
    link_q
        Tomtom q-value (of one matched motif against the others) that links two motifs.

    Returns
    -------
    MotifClusters
    """
    best = annotation.best.set_index("query")
    matched = [m for m in motifs if m.id in best.index and bool(best.loc[m.id, "matched"])]
    if not matched:
        return MotifClusters(pd.DataFrame(columns=CLUSTER_COLUMNS), {})
    group = _groups(best.loc[[m.id for m in matched]], matched, link_q)
    rows = []
    for g in np.unique(group):
        members = [m.id for m, k in zip(matched, group, strict=True) if k == g]
        info = best.loc[members]
        families = list(info["tf_family"].fillna("").astype(str))
        classes = list(info["tf_class"].fillna("").astype(str))
        names = Counter(info["target_name"].astype(str))
        family, tf_class = _shared(families, 0.9), _shared(classes, 0.6)
        label = family or tf_class or names.most_common(1)[0][0]
        rows.append(
            {
                "label": label,
                "names": ", ".join(name for name, _ in names.most_common()),
                "tf_family": family,
                "tf_class": tf_class,
                "n_members": len(members),
                "representative": members[0],
                "members": ", ".join(members),
                "_first": min(np.flatnonzero(group == g)),
            }
        )
    table = pd.DataFrame(rows).sort_values(["n_members", "_first"], ascending=[False, True])
    table.insert(0, "cluster", [f"c{k}" for k in range(1, len(table) + 1)])
    of_query = {
        member: row.cluster for row in table.itertuples() for member in row.members.split(", ")
    }
    return MotifClusters(table[CLUSTER_COLUMNS].reset_index(drop=True), of_query)
