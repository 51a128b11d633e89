"""The report's tables: ``motifs.tsv`` (one row per filter, unit or pattern, in rank order) and
``matches.tsv`` (every database match with ``q`` below the cut-off), the same columns for every
source."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from seqconv.atomic import write_text
from seqconv.motifs.clusters import MotifClusters
from seqconv.motifs.compare import MATCH_COLUMNS, NO_MATCH, Annotation
from seqconv.motifs.report.found import SOURCE_COLUMNS, Found

MOTIF_COLUMNS = [
    "motif",
    "target",
    "nsites",
    "width",
    "information",
    "influence",
    "max_activation",
    "contribution",
    *NO_MATCH,  # the best-match columns (compare.Annotation.best_fields)
    "cluster",
    "consensus",
    "map_sequence",
    "map_start",
]
"""Columns of ``motifs.tsv``; a source-specific one (:data:`~.found.SOURCE_COLUMNS`) is empty where
it does not apply."""

MATCHES_COLUMNS = ["motif", *MATCH_COLUMNS[1:], "matched", "control_p"]
"""Columns of ``matches.tsv``: the match, whether its motif counts as matched, and the motif's
control p."""


def motif_table(
    found: Found, annotation: Annotation | None, clusters: MotifClusters | None
) -> pd.DataFrame:
    """One row per entry of ``found``, in its order (:data:`MOTIF_COLUMNS`)."""
    rows = []
    for e in found.entries:
        m = e.motif
        rows.append(
            {
                "motif": e.id,
                "nsites": e.nsites,
                "width": m.width if m is not None else 0,
                "information": round(m.information, 3) if m is not None else float("nan"),
                **SOURCE_COLUMNS,
                **e.values,
                **(annotation.best_fields(e.id) if annotation is not None else NO_MATCH),
                "cluster": clusters.of_query.get(e.id, "") if clusters is not None else "",
                "consensus": m.consensus if m is not None else "",
            }
        )
    table = pd.DataFrame(rows, columns=MOTIF_COLUMNS)
    # Positions stay integers in the file (a float column would print 12345 as 1.234e+04).
    table["map_start"] = table["map_start"].astype("Int64")
    return table


def match_table(annotation: Annotation | None) -> pd.DataFrame:
    """Every match with ``q`` below the cut-off, lowest p first (:data:`MATCHES_COLUMNS`)."""
    if annotation is None:
        return pd.DataFrame(columns=MATCHES_COLUMNS)
    table = annotation.matches.rename(columns={"query": "motif"})
    control = annotation.best.set_index("query")["control_p"]
    table["control_p"] = table["motif"].map(control)
    return table[MATCHES_COLUMNS]


def write_tsv(path: Path, table: pd.DataFrame) -> Path:
    """Write a table as TSV (atomically), numbers to 4 significant digits."""
    write_text(path, table.to_csv(sep="\t", index=False, float_format="%.4g"))
    return path
