"""The HTML page of a motif report: filter logos beside their best matches, sorted by influence.

Self-contained: logos are embedded as base64 PNG data URIs and the CSS is inline, so the file
opens offline and can be mailed around.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.motifs.compare import Annotation
from seqconv.motifs.database import MotifDatabase
from seqconv.motifs.filters import FilterExtraction
from seqconv.motifs.influence import Influence
from seqconv.motifs.logos import Renderer, match_logo, motif_logo
from seqconv.motifs.motif import Motif


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _fmt(x: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}g}" if abs(x) < 1e-3 or abs(x) >= 1e4 else f"{x:.{digits + 1}g}"


_CSS = """
body{font-family:system-ui,Helvetica,Arial,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em} h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;font-size:13px}
td,th{border-bottom:1px solid #ddd;padding:4px 8px;vertical-align:middle;text-align:left}
th{background:#f4f4f4;position:sticky;top:0}
tr.matched td{background:#f3fbf3} .num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#888} img{display:block;max-height:150px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px} dt{font-weight:600}
dl.legend{max-width:60em;font-size:13px} dl.legend dd{margin:0}
"""


COLUMN_LEGEND = [
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
    (
        "best match (aligned)",
        "The filter's logo above the database motif most similar to it (Tomtom-style comparison, "
        "both strands), at the aligned offset; drawn only when q is below the cut-off.",
    ),
    (
        "match",
        "That database motif: name, ID, TF family, and whether it counts as a match (green row).",
    ),
    ("p", "Tomtom p-value of the best alignment of the filter with that database motif."),
    (
        "E",
        "Expected number of database motifs matching this well by chance: p × the number of "
        "motifs in the database.",
    ),
    (
        "q",
        "False discovery rate of the match: the Benjamini–Hochberg adjusted p-value over all the "
        "database's motifs. A match is considered when q is below the cut-off.",
    ),
    (
        "control p",
        "Shuffled control: the filter's columns are shuffled many times (same width, information "
        "and composition, no motif) and each copy is compared with the database too. Control p "
        "is the fraction of copies that match the filter's best database motif as well as the "
        "filter does, (1 + k) / (1 + copies); small means the order of its columns, not just "
        "their composition, makes the match.",
    ),
    ("cluster", "The motif cluster the filter belongs to (matched filters only; see above)."),
    (
        "green rows",
        "Matched: best match q below the cut-off, control p at most the control threshold and "
        "at least the minimum information (all in the header). Rows that pass q only are best "
        "candidates, not matches.",
    ),
]
"""``(column, explanation)`` for the legend under the table of ``report.html``."""


def legend_html(legend: list[tuple[str, str]] | None = None) -> str:
    """The "How to read this table" block of the page."""
    esc = html.escape
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in legend or COLUMN_LEGEND)
    return f'<h2 id="legend">How to read this table</h2><dl class="legend">{items}</dl>'


def clusters_html(clusters: pd.DataFrame, unit: str = "filters") -> str:
    """The "Motif clusters" table: one row per cluster of matched motifs."""
    esc = html.escape
    if clusters.empty:
        return ""
    rows = "".join(
        f"<tr class=matched><td>{esc(r.cluster)}</td><td><b>{esc(r.label)}</b></td>"
        f"<td>{esc(r.names)}</td><td class=num>{r.n_members}</td><td>{esc(r.members)}</td></tr>"
        for r in clusters.itertuples()
    )
    return (
        f"<h2>Motif clusters</h2><p class=muted>Matched {unit} that are similar to each other "
        "(Tomtom) or share their best match, grouped and labelled by the TF family their matches "
        "share (else the structural class, else the most frequent name).</p>"
        "<table><thead><tr><th>cluster</th><th>label</th><th>best matches</th>"
        f"<th>members</th><th>{esc(unit)}</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def render_html(
    report_rows: list[dict],
    info: list[tuple[str, str]],
    notes: list[str],
    title: str,
    clusters: pd.DataFrame | None = None,
    legend: list[tuple[str, str]] | None = None,
    heading: str = "Filters, most influential first",
    unit: str = "filters",
) -> str:
    """The page: a header of ``info`` pairs and ``notes``, the motif clusters, then one table row
    per motif (filters by default; ``legend``, ``heading`` and ``unit`` name other kinds)."""
    legend = legend or COLUMN_LEGEND
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1><dl>",
    ]
    parts += [f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in info]
    parts.append("</dl>")
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if clusters is not None:
        parts.append(clusters_html(clusters, unit))
    # The column heads carry their explanation as a tooltip too.
    heads = "".join(f'<th title="{esc(text)}">{esc(name)}</th>' for name, text in legend[:-1])
    parts.append(
        f"<h2>{esc(heading)}</h2>"
        '<p class="muted">Columns are explained under the table '
        f'(<a href="#legend">how to read this table</a>).</p><table><thead><tr>{heads}'
        "</tr></thead><tbody>"
    )
    for r in report_rows:
        css = ' class="matched"' if r["matched"] else ""
        logo = f'<img alt="{esc(r["name"])}" src="{r["logo"]}">' if r["logo"] else ""
        if r.get("extra_logo"):
            logo += f'<img alt="{esc(r["name"])} CWM" src="{r["extra_logo"]}">'

        match = f'<img alt="match" src="{r["match_logo"]}">' if r["match_logo"] else ""
        if r["target_id"]:
            verdict = "matched" if r["matched"] else "not supported by the shuffled control"
            if r["information"] < r.get("min_information", 0.0):
                verdict = "too little information to be named"
            if not r["significant"]:
                verdict = "q ≥ cut-off (best candidate)"
            name = (
                f"<b>{esc(r['target_name'])}</b> {esc(r['target_id'])}<br>"
                f"<span class=muted>{esc(r['tf_family'])}</span><br>"
                f"<span class=muted>{esc(verdict)}; strand {esc(r['strand'])}, "
                f"offset {r['offset']}</span>"
            )
        else:
            name = '<span class="muted">—</span>'
        parts.append(
            f"<tr{css}><td class=num>{r['rank']}</td><td>{esc(r['name'])}</td>"
            f"<td>{logo}</td><td class=num>{r['nsites']}</td>"
            f"<td class=num>{_fmt(r['information'])}</td><td class=num>{_fmt(r['influence'])}</td>"
            f"<td>{match}</td><td>{name}</td><td class=num>{_fmt(r['p'])}</td>"
            f"<td class=num>{_fmt(r['E'])}</td><td class=num>{_fmt(r['q'])}</td>"
            f"<td class=num>{_fmt(r['control_p'])}</td><td>{esc(r.get('cluster', ''))}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(legend_html(legend))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def motif_rows(
    items: list[tuple[dict, Motif | None]],
    annotation: Annotation | None,
    database: MotifDatabase | None,
    out_dir: Path,
    q: float,
    renderer: Renderer = "fast",
) -> list[dict]:
    """Draw ``logos/<id>.png`` (and ``<id>_match.png`` for matches with ``q < q``) of every motif
    and return one row of numbers and data-URI logos per item, in the order given.

    ``items`` pairs the row's own fields (``name``, ``nsites``, ``information``, ``influence``,
    ``matched``, ``cluster``; optionally ``extra_logo``: a data URI shown under the logo) with
    the motif (``None``: a row without one).
    """
    best = annotation.best.set_index("query") if annotation is not None else None
    targets = {m.id: m for m in database} if database is not None else {}
    min_information = annotation.control.min_information if annotation is not None else 0.0
    rows = []
    for rank, (fields, motif) in enumerate(items, start=1):
        row = {
            "rank": rank,
            "min_information": min_information,
            "logo": "",
            "match_logo": "",
            "target_id": "",
            "p": np.nan,
            "E": np.nan,
            "q": np.nan,
            "control_p": np.nan,
            **fields,
        }
        if motif is not None:
            png = motif_logo(
                motif, out_dir / "logos" / f"{motif.id}.png", title=motif.id, renderer=renderer
            )
            row["logo"] = _data_uri(png)
            if best is not None and motif.id in best.index:
                b = best.loc[motif.id]
                row.update(
                    target_id=b["target_id"],
                    target_name=b["target_name"],
                    tf_family=b["tf_family"],
                    strand=b["strand"],
                    offset=int(b["offset"]),
                    p=float(b["p"]),
                    E=float(b["E"]),
                    q=float(b["q"]),
                    control_p=float(b["control_p"]),
                    significant=bool(b["q"] < q),
                )
                if b["q"] < q:  # drawing costs ~0.2 s: only for matches worth showing
                    png = match_logo(
                        motif,
                        targets[b["target_id"]],
                        int(b["offset"]),
                        b["strand"],
                        out_dir / "logos" / f"{motif.id}_match.png",
                        title=motif.id,
                        renderer=renderer,
                    )
                    row["match_logo"] = _data_uri(png)
        rows.append(row)
    return rows


def logos_and_rows(
    filters: pd.DataFrame,
    extraction: FilterExtraction,
    annotation: Annotation | None,
    database: MotifDatabase | None,
    out_dir: Path,
    q: float,
    renderer: Renderer = "fast",
) -> list[dict]:
    """:func:`motif_rows` of the filters, in the order of ``filters``."""
    kept = extraction.by_filter()
    items = []
    for r in filters.itertuples():
        fm = kept.get(int(r.filter))
        fields = {
            "name": f"filter{int(r.filter)}",
            "nsites": int(r.nsites),
            "information": r.information,
            "influence": r.influence,
            "matched": bool(r.matched),
            "cluster": r.cluster,
        }
        items.append((fields, fm.to_motif() if fm is not None else None))
    return motif_rows(items, annotation, database, out_dir, q, renderer)


def report_info(
    extraction: FilterExtraction,
    database: MotifDatabase | None,
    annotation: Annotation | None,
    influence: Influence | None,
    q: float,
) -> list[tuple[str, str]]:
    """``(label, text)`` pairs for the page header: layer, data, database, control, influence."""
    layer = extraction.layer
    pl, pr = layer.padding()
    info = [
        (
            "first layer",
            f"{layer.conv_name}: Conv1d(4, {layer.n_filters}, kernel {layer.kernel_size}, "
            f"stride {layer.stride}, padding {pl}+{pr}, dilation {layer.dilation}) → "
            f"{layer.output_name}: {type(layer.output).__name__}",
        ),
        ("sequences", f"{extraction.n_sequences}"),
        (
            "background",
            " ".join(f"{b} {p:.3f}" for b, p in zip("ACGT", extraction.background, strict=True)),
        ),
        ("filters with a PFM", f"{len(extraction.motifs)} of {layer.n_filters}"),
    ]
    if database is not None:
        info.append(("database", database.source))
    if annotation is not None:
        c = annotation.control
        info += [
            ("q cut-off", f"{q}"),
            (
                "matched filters",
                f"{c.real_matched} (best match q < {q}, control p ≤ {annotation.control_alpha}, "
                f"at least {c.min_information:g} bits)",
            ),
            (
                "shuffled control",
                f"{c.n_shuffles} column-shuffled copies per filter (seed {c.seed}); the same "
                f"rule calls {c.expected_false:.2f} of them matched per set of copies, against "
                f"{c.real_matched} real filters: empirical FDR "
                + ("n/a" if math.isnan(c.fdr) else f"{c.fdr:.2f}"),
            ),
        ]
    if influence is not None:
        info.append(
            (
                "influence",
                "mean squared change of the outputs when a filter's activation is replaced by "
                f"its mean ({influence.n_sequences} sequences)",
            )
        )
    return info
