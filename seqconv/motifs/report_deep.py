"""The motif report of a deeper convolution's units: PFMs of their top input windows, named against
JASPAR with the same control and clusters as first-layer filters, with deconvolution-style maps.

:func:`write_unit_report` is what ``seqconv motifs --layer N`` (``N >= 2``) runs.
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
from seqconv.motifs.deep_units import UnitExtraction, extract_unit_motifs
from seqconv.motifs.formats import write_jaspar, write_meme
from seqconv.motifs.logos import Renderer, attribution_logo
from seqconv.motifs.report import write_tsv
from seqconv.motifs.report_html import COLUMN_LEGEND, _data_uri, motif_rows, render_html
from seqconv.progress import status

UNIT_COLUMNS = [
    "unit",
    "nsites",
    "max_activation",
    "width",
    "information",
    *NO_MATCH,  # the best-match columns (compare.Annotation.best_fields)
    "cluster",
    "consensus",
    "map_sequence",
    "map_start",
]

UNIT_LEGEND = [
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
    *COLUMN_LEGEND[6:],
]
"""``(column, explanation)`` of the unit table; matching columns as for filters."""


@dataclass
class UnitReport:
    """What :func:`write_unit_report` computed and wrote.

    Attributes
    ----------
    units
        The ``units.tsv`` table (one row per unit).
    matches
        The ``matches.tsv`` table.
    extraction
        The PFMs and maps (:class:`~seqconv.motifs.deep_units.UnitExtraction`).
    annotation, clusters
        Database matches with the shuffled control, and clusters of matched units (``None``
        when no unit has a PFM).
    files
        Name to path of everything written.
    """

    out_dir: Path
    units: pd.DataFrame
    matches: pd.DataFrame
    extraction: UnitExtraction
    annotation: Annotation | None
    clusters: MotifClusters | None
    files: dict[str, Path]
    notes: list[str] = field(default_factory=list)

    def headline(self, q: float) -> str:
        """One line for the terminal."""
        fdr = self.annotation.control.fdr if self.annotation is not None else float("nan")
        layer = self.extraction.layer
        return (
            f"layer {layer.index}: {layer.n_units} units (receptive field {layer.size} bp), "
            f"{len(self.extraction.motifs)} with enough sites, "
            f"{int(self.units['matched'].sum())} matched at q < {q}"
            + (f" (empirical FDR {fdr:.2f})" if fdr == fdr else "")
        )


def _unit_table(
    extraction: UnitExtraction, annotation: Annotation | None, ids: Sequence[str] | None
) -> pd.DataFrame:
    kept = extraction.by_unit()
    maps = extraction.maps
    where = {int(u): i for i, u in enumerate(maps.units)} if maps is not None else {}
    rows = []
    for u in range(extraction.layer.n_units):
        m = kept.get(u)
        row = {
            "unit": u,
            "nsites": int(extraction.nsites[u]),
            "max_activation": float(extraction.maxima[u]),
            "width": m.width if m else 0,
            "information": round(m.information, 3) if m else np.nan,
            **(annotation.best_fields(m.id) if m is not None and annotation else NO_MATCH),
            "cluster": "",
            "consensus": m.to_motif().consensus if m else "",
            "map_sequence": "",
            "map_start": np.nan,
        }
        if u in where:
            seq = int(maps.sequence[where[u]])
            row["map_sequence"] = ids[seq] if ids is not None else str(seq)
            row["map_start"] = int(maps.start[where[u]])
        rows.append(row)
    table = pd.DataFrame(rows, columns=UNIT_COLUMNS)
    order = np.lexsort((table["unit"].to_numpy(), -table["information"].fillna(-1).to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def write_unit_report(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    out_dir: str | Path,
    layer: int = 2,
    db: MotifDatabase | str | Path | None = None,
    q: float = 0.05,
    n_shuffles: int = 50,
    control_alpha: float = 0.05,
    min_information: float = 6.0,
    seed: int = 0,
    ids: Sequence[str] | None = None,
    device: str | torch.device | None = None,
    show_progress: bool = True,
    title: str = "seqconv motifs",
    renderer: Renderer = "fast",
    **unit_options,
) -> UnitReport:
    """Extract, annotate and draw the units of a model's ``layer``-th convolution.

    Writes into ``out_dir``: ``units.meme``, ``units.jaspar``, ``units.tsv``, ``matches.tsv``,
    ``clusters.tsv``, ``maps.npz`` (``unit``, ``sequence``, ``position``, ``start``,
    ``activation`` ``(M,)``; ``gradient``, ``contribution`` ``(M, 4, size)``: the
    deconvolution-style maps), ``logos/layerN_unitU.png``, ``logos/layerN_unitU_map.png``,
    ``logos/layerN_unitU_match.png`` (matches with ``q < q``) and ``report.html``.

    Parameters
    ----------
    codes
        ``(N, L)`` uint8 DNA codes (e.g. the training FASTA).
    layer
        Which ``nn.Conv1d`` (1-based; :mod:`seqconv.motifs.deep_layer`).
    db, q, n_shuffles, control_alpha, min_information, seed
        As for :func:`~seqconv.motifs.report.write_motif_report`.
    ids
        ``(N,)`` sequence names, for the ``map_sequence`` column (default: indices).
    unit_options
        Passed to :func:`~seqconv.motifs.deep_units.extract_unit_motifs` (``factor``,
        ``max_sites``, ``min_sites``, ``trim_bits``, ``min_width``, ``batch_size`` ...).
    """
    out_dir = Path(out_dir)
    extraction = extract_unit_motifs(
        model, codes, layer, device=device, show_progress=show_progress, **unit_options
    )
    out_dir.mkdir(parents=True, exist_ok=True)  # after the layer was found: no empty folder
    unit = extraction.layer
    notes = list(extraction.notes)
    if extraction.dropped:
        notes.append(
            f"{len(extraction.dropped)} of {unit.n_units} units have too few sites (sequences "
            "above threshold) and no PFM"
        )
    motifs = [m.to_motif() for m in extraction.motifs]
    database = annotation = clusters = None
    if motifs:
        with status(f"comparing {len(motifs)} units with the database", show_progress):
            database = db if isinstance(db, MotifDatabase) else load_database(db)
            notes += database.notes
            annotation = annotate_motifs(
                motifs, database, q, n_shuffles, control_alpha, seed,
                min_information=min_information,
            )  # fmt: skip
            notes += annotation.notes
    table = _unit_table(extraction, annotation, ids)
    if annotation is not None:
        by_id = {m.id: m for m in motifs}
        ranked = [by_id[i] for i in (f"layer{unit.index}_unit{u}" for u in table["unit"])
                  if i in by_id]  # fmt: skip
        clusters = cluster_matched(annotation, ranked)
        table["cluster"] = [
            clusters.of_query.get(f"layer{unit.index}_unit{u}", "") for u in table["unit"]
        ]
    matches = pd.DataFrame(columns=["unit", "target_id", "target_name", "tf_family"])
    if annotation is not None:
        matches = annotation.matches.copy()
        control = annotation.best.set_index("query")["control_p"]
        matches["control_p"] = [control[i] for i in matches["query"]]
        prefix = f"layer{unit.index}_unit"
        units = [int(str(i).removeprefix(prefix)) for i in matches.pop("query")]
        matches.insert(0, "unit", pd.Series(units, index=matches.index, dtype="int64"))
    files = {
        "meme": write_meme(out_dir / "units.meme", motifs, extraction.background),
        "jaspar": write_jaspar(out_dir / "units.jaspar", motifs),
        "units": write_tsv(out_dir / "units.tsv", table),
        "matches": write_tsv(out_dir / "matches.tsv", matches),
    }
    if clusters is not None:
        files["clusters"] = write_tsv(out_dir / "clusters.tsv", clusters.table)
    maps = extraction.maps
    if maps is not None:
        write_npz(
            out_dir / "maps.npz",
            {
                "unit": maps.units, "sequence": maps.sequence, "position": maps.position,
                "start": maps.start, "activation": maps.activation, "gradient": maps.gradient,
                "contribution": maps.contribution,
            },
        )  # fmt: skip
        files["maps"] = out_dir / "maps.npz"
    with status(f"drawing logos of {len(motifs)} units", show_progress):
        rows = _rows(extraction, table, annotation, database, out_dir, q, renderer)
    page = render_html(
        rows,
        _info(extraction, database, annotation, q),
        notes,
        title,
        clusters.table if clusters is not None else None,
        legend=UNIT_LEGEND,
        heading=f"Units of layer {unit.index}, most informative first",
        unit="units",
    )
    write_text(out_dir / "report.html", page)
    files["html"] = out_dir / "report.html"
    return UnitReport(out_dir, table, matches, extraction, annotation, clusters, files, notes)


def _rows(
    extraction: UnitExtraction,
    table: pd.DataFrame,
    annotation: Annotation | None,
    database: MotifDatabase | None,
    out_dir: Path,
    q: float,
    renderer: Renderer,
) -> list[dict]:
    """Rows of the HTML table (drawing the logos and maps), in the order of ``table``."""
    kept = extraction.by_unit()
    maps = extraction.maps
    where = {int(u): i for i, u in enumerate(maps.units)} if maps is not None else {}
    items = []
    for r in table.itertuples():
        m = kept.get(int(r.unit))
        name = f"layer{extraction.layer.index}_unit{int(r.unit)}"
        fields = {
            "name": name,
            "nsites": int(r.nsites),
            "information": r.information,
            "influence": r.max_activation,
            "matched": bool(r.matched),
            "cluster": r.cluster,
        }
        if int(r.unit) in where:
            png = attribution_logo(
                {"grad×input": maps.contribution[where[int(r.unit)]]},
                out_dir / "logos" / f"{name}_map.png",
                title=f"{name} at {r.map_sequence}:{int(r.map_start)}",
                renderer=renderer,
            )
            fields["extra_logo"] = _data_uri(png)
        items.append((fields, m.to_motif() if m is not None else None))
    return motif_rows(items, annotation, database, out_dir, q, renderer)


def _info(
    extraction: UnitExtraction,
    database: MotifDatabase | None,
    annotation: Annotation | None,
    q: float,
) -> list[tuple[str, str]]:
    unit = extraction.layer
    info = [
        ("layer", unit.describe()),
        (
            "method",
            "per unit, the strongest position of each sequence; sequences above the threshold "
            "(strongest first, up to the cap) give their input windows, aligned by position, "
            "counted into a PFM and trimmed; the map is gradient × input of the strongest one",
        ),
        ("sequences", f"{extraction.n_sequences}"),
        (
            "background",
            " ".join(f"{b} {p:.3f}" for b, p in zip("ACGT", extraction.background, strict=True)),
        ),
        ("units with a PFM", f"{len(extraction.motifs)} of {unit.n_units}"),
    ]
    if database is not None:
        info.append(("database", database.source))
    if annotation is not None:
        c = annotation.control
        info.append(
            (
                "matched units",
                f"{c.real_matched} (best match q < {q}, control p ≤ {annotation.control_alpha}, "
                f"at least {c.min_information:g} bits); {c.n_shuffles} column-shuffled copies "
                "per unit; empirical FDR " + ("n/a" if c.fdr != c.fdr else f"{c.fdr:.2f}"),
            )
        )
    return info
