"""The motif report from attributions: seqlet patterns per target, named against JASPAR with the
same control and clusters as filters, with PFM and CWM logos.

:func:`write_seqlet_report` is what ``seqconv motifs --method seqlets`` runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqconv.atomic import write_npz, write_text
from seqconv.motifs.clusters import MotifClusters, cluster_matched
from seqconv.motifs.compare import NO_MATCH, Annotation, annotate_motifs
from seqconv.motifs.database import MotifDatabase, load_database
from seqconv.motifs.formats import write_jaspar, write_meme
from seqconv.motifs.logos import Renderer, attribution_logo
from seqconv.motifs.report import write_tsv
from seqconv.motifs.report_html import COLUMN_LEGEND, _data_uri, motif_rows, render_html
from seqconv.motifs.seqlets import SeqletMotifs, seqlet_motifs
from seqconv.progress import status

PATTERN_COLUMNS = [
    "pattern",
    "target",
    "n_seqlets",
    "width",
    "information",
    "contribution",
    *NO_MATCH,  # the best-match columns (compare.Annotation.best_fields)
    "cluster",
    "consensus",
]

PATTERN_LEGEND = [
    ("rank", "Patterns by target, most seqlets first."),
    ("pattern", "The pattern and the model output (target) whose attributions it came from."),
    (
        "logo (bits) / CWM",
        "Top: the bases of the aligned seqlets as a sequence logo (bits). Bottom: the "
        "contribution weight matrix, the mean contribution of each base to the target's score.",
    ),
    ("seqlets", "How many seqlets (high-importance windows) were clustered into the pattern."),
    ("bits", "Total information content of the trimmed PFM (higher: a more specific motif)."),
    ("contribution", "Mean summed contribution of a seqlet's core window to the target's score."),
    *COLUMN_LEGEND[6:],
]
"""``(column, explanation)`` of the pattern table; matching columns as for filters."""


@dataclass
class SeqletReport:
    """What :func:`write_seqlet_report` computed and wrote.

    Attributes
    ----------
    patterns
        The ``patterns.tsv`` table.
    matches
        The ``matches.tsv`` table.
    result
        The seqlets and patterns (:class:`~seqconv.motifs.seqlets.SeqletMotifs`).
    """

    out_dir: Path
    patterns: pd.DataFrame
    matches: pd.DataFrame
    result: SeqletMotifs
    annotation: Annotation | None
    clusters: MotifClusters | None
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)

    def headline(self, q: float) -> str:
        """One line for the terminal."""
        seqlets = sum(r["seqlets"] for r in self.result.per_target)
        matched = int(self.patterns["matched"].sum())
        fdr = self.annotation.control.fdr if self.annotation is not None else float("nan")
        return (
            f"{len(self.patterns)} patterns from {seqlets} seqlets of "
            f"{len(self.result.per_target)} targets, {matched} matched at q < {q}"
            + (f" (empirical FDR {fdr:.2f})" if fdr == fdr else "")
        )


def _pattern_table(result: SeqletMotifs, annotation: Annotation | None) -> pd.DataFrame:
    rows = []
    for p in result.patterns:
        row = {
            "pattern": p.id,
            "target": p.target_name,
            "n_seqlets": p.n_seqlets,
            "width": p.motif.width,
            "information": round(p.motif.information, 3),
            "contribution": p.contribution,
            **(annotation.best_fields(p.id) if annotation is not None else NO_MATCH),
            "cluster": "",
            "consensus": p.motif.consensus,
        }
        rows.append(row)
    return pd.DataFrame(rows, columns=PATTERN_COLUMNS)


def write_seqlet_report(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    out_dir: str | Path,
    target_names: Sequence[str],
    classification: bool,
    db: MotifDatabase | str | Path | None = None,
    q: float = 0.05,
    n_shuffles: int = 50,
    control_alpha: float = 0.05,
    min_information: float = 6.0,
    seed: int = 0,
    device: str | torch.device | None = None,
    show_progress: bool = True,
    title: str = "seqconv motifs (seqlets)",
    renderer: Renderer = "fast",
    **seqlet_options,
) -> SeqletReport:
    """Find seqlet patterns per target, name them, and write the report.

    Writes into ``out_dir``: ``patterns.meme``, ``patterns.jaspar``, ``patterns.tsv``,
    ``matches.tsv``, ``clusters.tsv``, ``cwms.npz`` (``<pattern>``: its ``(4, W)`` CWM),
    ``seqlets.tsv`` (per target: sequences, threshold, seqlets, patterns),
    ``logos/<pattern>.png``, ``logos/<pattern>_cwm.png`` and ``report.html``.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes (e.g. the training FASTA).
    target_names, classification
        The run's outputs and whether it is a classifier
        (:func:`~seqconv.motifs.seqlets.seqlet_motifs`).
    db, q, n_shuffles, control_alpha, min_information, seed
        As for :func:`~seqconv.motifs.report.write_motif_report`.
    seqlet_options
        Passed to :func:`~seqconv.motifs.seqlets.seqlet_motifs`.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = seqlet_motifs(
        model,
        codes,
        target_names,
        classification,
        seed=seed,
        device=device,
        show_progress=show_progress,
        **seqlet_options,
    )
    notes = list(result.notes)
    motifs = [p.motif for p in result.patterns]
    database = annotation = clusters = None
    if motifs:
        with status(f"comparing {len(motifs)} patterns with the database", show_progress):
            database = db if isinstance(db, MotifDatabase) else load_database(db)
            notes += database.notes
            annotation = annotate_motifs(
                motifs, database, q, n_shuffles, control_alpha, seed,
                min_information=min_information,
            )  # fmt: skip
            notes += annotation.notes
            clusters = cluster_matched(annotation, motifs)
    table = _pattern_table(result, annotation)
    if clusters is not None:
        table["cluster"] = [clusters.of_query.get(p, "") for p in table["pattern"]]
    matches = pd.DataFrame(columns=["pattern", "target_id", "target_name"])
    if annotation is not None:
        matches = annotation.matches.rename(columns={"query": "pattern"})
    files = {
        "meme": write_meme(out_dir / "patterns.meme", motifs),
        "jaspar": write_jaspar(out_dir / "patterns.jaspar", motifs),
        "patterns": write_tsv(out_dir / "patterns.tsv", table),
        "matches": write_tsv(out_dir / "matches.tsv", matches),
        "seqlets": write_tsv(out_dir / "seqlets.tsv", pd.DataFrame(result.per_target)),
    }
    write_npz(out_dir / "cwms.npz", {p.id: p.cwm for p in result.patterns})
    files["cwms"] = out_dir / "cwms.npz"
    if clusters is not None:
        files["clusters"] = write_tsv(out_dir / "clusters.tsv", clusters.table)
    with status(f"drawing logos of {len(motifs)} patterns", show_progress):
        items = []
        for p, r in zip(result.patterns, table.itertuples(), strict=True):
            cwm = attribution_logo(
                {"CWM": p.cwm}, out_dir / "logos" / f"{p.id}_cwm.png", renderer=renderer
            )
            fields = {
                "name": f"{p.id} ({p.target_name})",
                "nsites": p.n_seqlets,
                "information": r.information,
                "influence": p.contribution,
                "matched": bool(r.matched),
                "cluster": r.cluster,
                "extra_logo": _data_uri(cwm),
            }
            items.append((fields, p.motif))
        rows = motif_rows(items, annotation, database, out_dir, q, renderer)
    info = _info(result, database, annotation, q)
    page = render_html(
        rows,
        info,
        notes,
        title,
        clusters.table if clusters is not None else None,
        legend=PATTERN_LEGEND,
        heading="Patterns by target, most seqlets first",
        unit="patterns",
    )
    write_text(out_dir / "report.html", page)
    files["html"] = out_dir / "report.html"
    return SeqletReport(out_dir, table, matches, result, annotation, clusters, files, notes)


def _info(
    result: SeqletMotifs,
    database: MotifDatabase | None,
    annotation: Annotation | None,
    q: float,
) -> list[tuple[str, str]]:
    info = [
        (
            "method",
            "integrated gradients from a dinucleotide-shuffled reference → seqlets above a "
            "shuffled-sequence FDR threshold → clusters → aligned PFMs and CWMs, per target",
        ),
    ]
    for r in result.per_target:
        info.append(
            (
                f"target {r['target']}",
                f"{r['seqlets']} seqlets in the top {r['sequences']} sequences "
                f"(window sum ≥ {r['threshold']:.3g}); {r['patterns']} patterns",
            )
        )
    if database is not None:
        info.append(("database", database.source))
    if annotation is not None:
        c = annotation.control
        info.append(
            (
                "matched patterns",
                f"{c.real_matched} (best match q < {q}, control p ≤ {annotation.control_alpha}, "
                f"at least {c.min_information:g} bits); empirical FDR "
                + ("n/a" if c.fdr != c.fdr else f"{c.fdr:.2f}"),
            )
        )
    return info
