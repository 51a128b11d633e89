"""The motif report of a model: filter PFMs, database matches with the shuffled control, influence,
logos and a self-contained HTML page.

:func:`write_motif_report` is what ``seqconv motifs --run RUN --fasta F --out DIR`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqconv.atomic import write_text
from seqconv.motifs.clusters import MotifClusters, cluster_matched
from seqconv.motifs.compare import NO_MATCH, Annotation, annotate_motifs
from seqconv.motifs.database import MotifDatabase, load_database
from seqconv.motifs.filters import FilterExtraction, extract_filter_motifs
from seqconv.motifs.formats import write_jaspar, write_meme
from seqconv.motifs.influence import Influence, filter_influence
from seqconv.motifs.logos import Renderer
from seqconv.motifs.report_html import logos_and_rows, render_html, report_info
from seqconv.progress import status

FILTER_COLUMNS = [
    "filter",
    "nsites",
    "width",
    "information",
    "influence",
    *NO_MATCH,  # the best-match columns (compare.Annotation.best_fields)
    "cluster",
    "consensus",
]


@dataclass
class MotifReport:
    """What :func:`write_motif_report` computed and wrote.

    Attributes
    ----------
    filters
        The ``filters.tsv`` table (one row per filter, most influential first).
    matches
        The ``matches.tsv`` table.
    clusters
        Matched filters grouped by similarity and named by TF family (``clusters.tsv``).
    extraction, annotation, influence
        The underlying results (``annotation``/``influence`` ``None`` when skipped).
    files
        Name to path of everything written.
    """

    out_dir: Path
    filters: pd.DataFrame
    matches: pd.DataFrame
    extraction: FilterExtraction
    annotation: Annotation | None
    influence: Influence | None
    files: dict[str, Path]
    clusters: MotifClusters | None = None
    notes: list[str] = field(default_factory=list)

    def headline(self, q: float) -> str:
        """One line for the terminal."""
        s = self.summary()
        fdr = s["fdr"]
        return (
            f"{s['filters']} filters, {s['with_sites']} with enough sites, "
            f"{s['matched']} matched at q < {q}"
            + (f" (empirical FDR {fdr:.2f})" if fdr is not None and fdr == fdr else "")
        )

    def summary(self) -> dict:
        """Counts and the matched filters' names (for printing)."""
        matched = self.filters[self.filters["matched"]]
        control = self.annotation.control if self.annotation is not None else None
        return {
            "filters": len(self.filters),
            "with_sites": len(self.extraction.motifs),
            "matched": len(matched),
            "names": sorted(set(matched["best_name"])),
            "matched_filters": [
                (int(r.filter), r.best_match, r.best_name) for r in matched.itertuples()
            ],
            "clusters": self.clusters.summary() if self.clusters is not None else [],
            "fdr": None if control is None else control.fdr,
            "out_dir": str(self.out_dir),
        }


def _filter_table(
    extraction: FilterExtraction,
    annotation: Annotation | None,
    influence: Influence | None,
) -> pd.DataFrame:
    kept = extraction.by_filter()
    rows = []
    for f in range(extraction.layer.n_filters):
        motif = kept.get(f)
        annotated = motif is not None and annotation is not None
        rows.append(
            {
                "filter": f,
                "nsites": int(extraction.nsites[f]),
                "width": motif.width if motif else 0,
                "information": round(motif.information, 3) if motif else np.nan,
                "influence": float(influence.influence[f]) if influence is not None else np.nan,
                **(annotation.best_fields(motif.id) if annotated else NO_MATCH),
                "cluster": "",
                "consensus": motif.to_motif().consensus if motif else "",
            }
        )
    table = pd.DataFrame(rows, columns=FILTER_COLUMNS)
    key = table["influence"].fillna(-np.inf) if influence is not None else -table["nsites"]
    order = np.lexsort((table["filter"].to_numpy(), -key.to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def _match_table(annotation: Annotation | None) -> pd.DataFrame:
    if annotation is None:
        return pd.DataFrame(columns=["filter", "target_id", "target_name", "tf_family"])
    table = annotation.matches.copy()
    table.insert(0, "filter", table.pop("query").str.removeprefix("filter").astype(int))
    control = annotation.best.set_index("query")["control_p"]
    table["control_p"] = [control[f"filter{f}"] for f in table["filter"]]
    return table


def write_motif_report(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    out_dir: str | Path,
    db: MotifDatabase | str | Path | None = None,
    q: float = 0.05,
    n_shuffles: int = 50,
    control_alpha: float = 0.05,
    min_information: float = 6.0,
    min_influence: float = 0.02,
    seed: int = 0,
    compare: bool = True,
    mode: str = "basset",
    factor: float = 0.5,
    top_k: int = 200,
    min_sites: int = 10,
    trim_bits: float = 0.5,
    min_width: int = 4,
    influence: bool = True,
    influence_sequences: int | None = 2000,
    output_transform=None,
    batch_size: int = 512,
    device: str | torch.device | None = None,
    show_progress: bool = True,
    title: str = "seqconv motifs",
    renderer: Renderer = "fast",
) -> MotifReport:
    """Extract, annotate and rank a model's first-layer filters, and write the report.

    Writes into ``out_dir``: ``filters.meme``, ``filters.jaspar``, ``filters.tsv``,
    ``matches.tsv``, ``clusters.tsv`` (matched filters grouped by TF family),
    ``logos/filterN.png`` (and ``logos/filterN_match.png``, the filter above its best match,
    when that match has ``q < q``) and ``report.html`` (self-contained, logos embedded, filters
    by influence, with a legend that explains each column).

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)`` whose first layer is ``Conv1d(4, F, ...)``.
    codes
        ``(N, L)`` uint8 DNA codes of the sequences to scan (e.g. the training FASTA).
    db
        Motif database, or a MEME/JASPAR/TRANSFAC file; ``None``: JASPAR 2024 CORE vertebrates.
    q
        q-value cut-off for matches (Tomtom q; see
        :mod:`seqconv.motifs.compare`).
    n_shuffles, control_alpha, min_information, seed
        Shuffled control: column-shuffled copies per filter, the largest control p of a matched
        filter, the fewest bits of a matched filter, and the seed of the shuffles.
    min_influence
        Smallest influence of a matched filter, as a share of the most influential filter's
        (filters the model hardly uses are not named; needs ``influence``).
    compare
        ``False`` skips the database comparison.
    mode, factor, top_k, min_sites, trim_bits, min_width
        Site selection and trimming (:func:`~seqconv.motifs.filters.extract_filter_motifs`).
    influence
        Rank filters by influence (:func:`~seqconv.motifs.influence.filter_influence`).
    influence_sequences
        Random subset (seeded) used for influence; ``None``: all sequences.
    output_transform
        Applied to the model's outputs before measuring influence (e.g. ``torch.sigmoid``).
    show_progress
        rich progress bars on stderr.
    title
        Heading of ``report.html``.
    renderer
        Logo renderer: ``"fast"`` or ``"logomaker"`` (see :mod:`seqconv.motifs.logos`).

    Returns
    -------
    MotifReport
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    extraction = extract_filter_motifs(
        model,
        codes,
        mode=mode,
        factor=factor,
        top_k=top_k,
        min_sites=min_sites,
        trim_bits=trim_bits,
        min_width=min_width,
        batch_size=batch_size,
        device=device,
        show_progress=show_progress,
    )
    notes = list(extraction.notes)
    motifs = [m.to_motif() for m in extraction.motifs]
    if extraction.dropped:
        notes.append(
            f"{len(extraction.dropped)} of {extraction.layer.n_filters} filters have fewer than "
            f"{min_sites} sites and no PFM"
        )

    infl = None
    if influence:
        subset = codes
        if influence_sequences is not None and len(codes) > influence_sequences:
            pick = np.sort(
                np.random.default_rng(seed).choice(len(codes), influence_sequences, False)
            )
            subset = codes[pick]
            notes.append(
                f"influence measured on {influence_sequences} of {len(codes)} sequences "
                f"(random, seed {seed})"
            )
        infl = filter_influence(
            model,
            subset,
            means=extraction.means,
            output_transform=output_transform,
            batch_size=batch_size,
            device=device,
            show_progress=show_progress,
        )

    database = None
    annotation = None
    if compare and motifs:
        eligible = None
        if infl is not None and min_influence > 0:
            relative = infl.influence / max(float(infl.influence.max()), 1e-300)
            eligible = np.array([relative[m.filter] >= min_influence for m in extraction.motifs])
        with status(f"comparing {len(motifs)} filters with the database", show_progress):
            database = db if isinstance(db, MotifDatabase) else load_database(db)
            notes += database.notes
            annotation = annotate_motifs(
                motifs,
                database,
                q,
                n_shuffles,
                control_alpha,
                seed,
                min_information=min_information,
                eligible=eligible,
            )
        notes += annotation.notes
        if eligible is not None:
            quiet = int(((annotation.best["q"] < q) & ~eligible).sum())
            if quiet:
                notes.append(
                    f"{quiet} filters with a match at q < {q} are not named: their influence is "
                    f"below {min_influence:g} of the most influential filter's"
                )

    filters = _filter_table(extraction, annotation, infl)
    clusters = None
    if annotation is not None:
        by_id = {m.id: m for m in motifs}
        ranked = [by_id[f"filter{f}"] for f in filters["filter"] if f"filter{f}" in by_id]
        clusters = cluster_matched(annotation, ranked)  # members listed most influential first
        filters["cluster"] = [clusters.of_query.get(f"filter{f}", "") for f in filters["filter"]]
    matches = _match_table(annotation)
    files = {
        "meme": write_meme(out_dir / "filters.meme", motifs, extraction.background),
        "jaspar": write_jaspar(out_dir / "filters.jaspar", motifs),
    }
    files["filters"] = write_tsv(out_dir / "filters.tsv", filters)
    files["matches"] = write_tsv(out_dir / "matches.tsv", matches)
    if clusters is not None:
        files["clusters"] = write_tsv(out_dir / "clusters.tsv", clusters.table)

    with status(f"drawing logos of {len(motifs)} filters", show_progress):
        rows = logos_and_rows(filters, extraction, annotation, database, out_dir, q, renderer)
    info = report_info(extraction, database, annotation, infl, q)
    html_text = render_html(
        rows, info, notes, title, clusters.table if clusters is not None else None
    )
    write_text(out_dir / "report.html", html_text)
    files["html"] = out_dir / "report.html"
    return MotifReport(
        out_dir, filters, matches, extraction, annotation, infl, files, clusters, notes
    )


def write_tsv(path: Path, table: pd.DataFrame) -> Path:
    """Write a table as TSV (atomically), numbers to 4 significant digits."""
    write_text(path, table.to_csv(sep="\t", index=False, float_format="%.4g"))
    return path
