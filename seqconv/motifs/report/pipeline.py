"""The one motif report: a source finds motifs; the rest is the same for every source.

1. **Find** (the source, :mod:`~seqconv.motifs.report.options`): PFMs of first-layer filters,
   of a deeper layer's units, or of seqlet patterns, ranked, with what is particular to them
   (influence, maps, CWMs).
2. **Name**: every PFM against the database (Tomtom via memelite) with the shuffled control
   (:func:`~seqconv.motifs.compare.annotate_motifs`).
3. **Cluster** the matched motifs by TF family, members in rank order
   (:func:`~seqconv.motifs.clusters.cluster_matched`).
4. **Write** the same files and columns for every source (:data:`REPORT_FILES`): tables, motif
   files, maps, logos and a self-contained HTML page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqconv.atomic import write_npz, write_text
from seqconv.motifs.clusters import CLUSTER_COLUMNS, MotifClusters, cluster_matched
from seqconv.motifs.compare import Annotation, annotate_motifs
from seqconv.motifs.database import MotifDatabase, load_database
from seqconv.motifs.formats import write_jaspar, write_meme
from seqconv.motifs.logos import Renderer
from seqconv.motifs.report.drawings import draw_logos
from seqconv.motifs.report.found import Context, Found
from seqconv.motifs.report.from_filters import find_filters
from seqconv.motifs.report.from_seqlets import find_seqlets
from seqconv.motifs.report.from_units import find_units
from seqconv.motifs.report.options import source_options
from seqconv.motifs.report.page import MATCH_LEGEND, page_rows, render_page
from seqconv.motifs.report.tables import match_table, motif_table, write_tsv
from seqconv.progress import status

FINDERS: dict[str, Callable[..., Found]] = {
    "filters": find_filters,
    "units": find_units,
    "seqlets": find_seqlets,
}
"""Source name to the function that finds its motifs."""

REPORT_FILES = {
    "meme": "motifs.meme",
    "jaspar": "motifs.jaspar",
    "motifs": "motifs.tsv",
    "matches": "matches.tsv",
    "clusters": "clusters.tsv",
    "maps": "maps.npz",
    "html": "report.html",
}
"""What every report writes (besides ``logos/*.png``), by key of :attr:`MotifReport.files`."""


@dataclass
class MotifReport:
    """What :func:`write_motif_report` computed and wrote.

    Attributes
    ----------
    out_dir
        The folder written.
    found
        What the source found (:class:`~seqconv.motifs.report.found.Found`; its ``results``
        hold the source's own objects: ``extraction``, ``influence``, ``seqlets``).
    motifs, matches
        The ``motifs.tsv`` and ``matches.tsv`` tables.
    annotation, clusters
        Database matches with the shuffled control, and clusters of matched motifs (``None``
        when nothing was compared).
    files
        Name to path of everything written (:data:`REPORT_FILES`).
    notes
        What the terminal and the page say besides the numbers.
    """

    out_dir: Path
    found: Found
    motifs: pd.DataFrame
    matches: pd.DataFrame
    annotation: Annotation | None
    clusters: MotifClusters | None
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)

    def headline(self, q: float | None = None) -> str:
        """One line for the terminal: what was found, how many matched, the empirical FDR."""
        if q is None:
            if self.annotation is None:
                return f"{self.found.counts}, none compared with a database"
            q = self.annotation.q_cutoff
        fdr = self.annotation.control.fdr if self.annotation is not None else float("nan")
        return f"{self.found.counts}, {int(self.motifs['matched'].sum())} matched at q < {q}" + (
            f" (empirical FDR {fdr:.2f})" if fdr == fdr else ""
        )

    def summary(self) -> dict:
        """Counts and the matched motifs' names (for printing)."""
        matched = self.motifs[self.motifs["matched"]]
        return {
            "source": self.found.source,
            "motifs": len(self.motifs),
            "with_pfm": len(self.found.motifs),
            "matched": len(matched),
            "names": sorted(set(matched["best_name"])),
            "matched_motifs": [(r.motif, r.best_match, r.best_name) for r in matched.itertuples()],
            "clusters": self.clusters.summary() if self.clusters is not None else [],
            "fdr": self.annotation.control.fdr if self.annotation is not None else None,
            "out_dir": str(self.out_dir),
        }


def write_motif_report(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    out_dir: str | Path,
    source: str = "filters",
    *,
    db: MotifDatabase | str | Path | None = None,
    q: float = 0.05,
    n_shuffles: int = 50,
    control_alpha: float = 0.05,
    min_information: float = 6.0,
    seed: int = 0,
    compare: bool = True,
    ids: Sequence[str] | None = None,
    target_names: Sequence[str] | None = None,
    classification: bool = False,
    output_transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    device: str | torch.device | None = None,
    show_progress: bool = True,
    title: str = "seqconv motifs",
    renderer: Renderer = "fast",
    **options,
) -> MotifReport:
    """Find a model's motifs, name them against a database, cluster them and write the report.

    Writes into ``out_dir``, for every source: ``motifs.meme`` (with the sequences' background),
    ``motifs.jaspar``, ``motifs.tsv`` (one row per filter, unit or pattern, rank order;
    :data:`~seqconv.motifs.report.tables.MOTIF_COLUMNS`), ``matches.tsv``, ``clusters.tsv``,
    ``maps.npz`` (motif id to its ``(4, W)`` contribution map: a unit's gradient × input, a
    pattern's CWM; none for filters), ``logos/<id>.png``, ``logos/<id>_match.png`` (best match
    with ``q < q``), ``logos/<id>_map.png`` and ``report.html`` (self-contained).

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``; left on the device it is on.
    codes
        ``(N, L)`` uint8 DNA codes of the sequences (e.g. the training set).
    source
        ``"filters"`` (first layer), ``"units"`` (a deeper layer: ``layer=N``) or ``"seqlets"``
        (attributions); see :mod:`~seqconv.motifs.report.options`.
    db
        Motif database, or a MEME/JASPAR/TRANSFAC file; ``None``: JASPAR 2024 CORE vertebrates.
    q, n_shuffles, control_alpha, min_information, seed
        Naming rule (:func:`~seqconv.motifs.compare.annotate_motifs`): q-value cut-off,
        column-shuffled copies per motif, largest control p, fewest bits of a matched motif, and
        the seed of the shuffles (and of the influence subset).
    compare
        ``False`` skips the database comparison.
    ids, target_names, classification, output_transform
        About the data and the model, used by the sources that need them
        (:class:`~seqconv.motifs.report.found.Context`).
    device, show_progress
        Where to run (``None``: where the model is), and rich progress bars on stderr.
    title, renderer
        Heading of ``report.html``; logo renderer ``"fast"`` or ``"logomaker"``.
    options
        The source's own options (:data:`~seqconv.motifs.report.options.APPLIES_TO`); one that
        does not apply to ``source`` is an :class:`~seqconv.errors.InputError`.

    Returns
    -------
    MotifReport
    """
    options = source_options(source, options)
    out_dir = Path(out_dir)
    context = Context(
        seed=seed, device=device, show_progress=show_progress, ids=ids,
        target_names=target_names, classification=classification,
        output_transform=output_transform,
    )  # fmt: skip
    found = FINDERS[source](model, codes, context, **options)
    out_dir.mkdir(parents=True, exist_ok=True)  # after the source: a bad --layer leaves no folder
    notes = list(found.notes)
    database = annotation = clusters = None
    motifs = found.motifs
    if compare and motifs:
        with status(f"comparing {len(motifs)} {found.noun} with the database", show_progress):
            database = db if isinstance(db, MotifDatabase) else load_database(db)
            eligible = np.array([e.eligible for e in found.entries if e.motif is not None])
            annotation = annotate_motifs(
                motifs, database, q, n_shuffles, control_alpha, seed,
                min_information=min_information, eligible=eligible,
            )  # fmt: skip
            clusters = cluster_matched(annotation, motifs)  # members in rank order
        notes += database.notes + annotation.notes + _unnamed(found, annotation, eligible)
    table, matches = motif_table(found, annotation, clusters), match_table(annotation)
    cluster_table = (
        clusters.table if clusters is not None else pd.DataFrame(columns=CLUSTER_COLUMNS)
    )
    files = _write_tables(out_dir, found, table, matches, cluster_table)
    with status(f"drawing logos of {len(motifs)} {found.noun}", show_progress):
        drawings = draw_logos(found, annotation, database, out_dir / "logos", renderer)
    page = render_page(
        page_rows(found, table, annotation, drawings),
        [*found.info, *_info(found, len(codes), database, annotation)],
        notes,
        title,
        [*found.legend, *MATCH_LEGEND],
        found.heading,
        found.noun,
        cluster_table,
    )
    write_text(files["html"], page)
    return MotifReport(out_dir, found, table, matches, annotation, clusters, files, notes)


def _write_tables(
    out_dir: Path,
    found: Found,
    table: pd.DataFrame,
    matches: pd.DataFrame,
    clusters: pd.DataFrame,
) -> dict[str, Path]:
    """Write every file of :data:`REPORT_FILES` but the page; returns them all by key."""
    files = {key: out_dir / name for key, name in REPORT_FILES.items()}
    write_meme(files["meme"], found.motifs, found.background)
    write_jaspar(files["jaspar"], found.motifs)
    write_tsv(files["motifs"], table)
    write_tsv(files["matches"], matches)
    write_tsv(files["clusters"], clusters)
    write_npz(files["maps"], {e.id: e.map for e in found.entries if e.map is not None})
    return files


def _unnamed(found: Found, annotation: Annotation, eligible: np.ndarray) -> list[str]:
    """A note on the motifs with a good match that the source keeps from being named."""
    quiet = int(((annotation.best["q"] < annotation.q_cutoff).to_numpy() & ~eligible).sum())
    if not quiet:
        return []
    return [
        f"{quiet} {found.noun} with a match at q < {annotation.q_cutoff} are not named: "
        + found.ineligible
    ]


def _info(
    found: Found,
    n_sequences: int,
    database: MotifDatabase | None,
    annotation: Annotation | None,
) -> list[tuple[str, str]]:
    """The page header's lines after the source's own: data, database, naming rule, control."""
    info = [
        ("sequences", f"{n_sequences}"),
        (
            "background",
            " ".join(f"{b} {p:.3f}" for b, p in zip("ACGT", found.background, strict=True)),
        ),
    ]
    if database is not None:
        info.append(("database", database.source))
    if annotation is not None:
        c, q = annotation.control, annotation.q_cutoff
        fdr = "n/a" if c.fdr != c.fdr else f"{c.fdr:.2f}"
        info += [
            ("q cut-off", f"{q}"),
            (
                f"matched {found.noun}",
                f"{c.real_matched} (best match q < {q}, control p ≤ {annotation.control_alpha}, "
                f"at least {c.min_information:g} bits)",
            ),
            (
                "shuffled control",
                f"{c.n_shuffles} column-shuffled copies per motif (seed {c.seed}); the same rule "
                f"calls {c.expected_false:.2f} of them matched per set of copies, against "
                f"{c.real_matched} real {found.noun}: empirical FDR {fdr}",
            ),
        ]
    return info
