"""``report.html``: the motifs beside their best matches, in rank order, for every source.

Self-contained: logos are embedded as base64 PNG data URIs and the CSS is inline, so the file
opens offline and can be mailed around.
"""

from __future__ import annotations

import base64
import html
import math

import numpy as np
import pandas as pd

from seqconv.motifs.compare import Annotation
from seqconv.motifs.report.found import Found

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

MATCH_LEGEND = [
    (
        "best match (aligned)",
        "The motif's logo above the database motif most similar to it (Tomtom-style comparison, "
        "both strands), at the aligned offset; drawn only when q is below the cut-off.",
    ),
    (
        "match",
        "That database motif: name, ID, TF family, and whether it counts as a match (green row).",
    ),
    ("p", "Tomtom p-value of the best alignment of the motif with that database motif."),
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
        "Shuffled control: the motif's columns are shuffled many times (same width, information "
        "and composition, no motif) and each copy is compared with the database too. Control p "
        "is the fraction of copies that match the motif's best database motif as well as the "
        "motif does, (1 + k) / (1 + copies); small means the order of its columns, not just "
        "their composition, makes the match.",
    ),
    ("cluster", "The motif cluster the row belongs to (matched motifs only; see above)."),
    (
        "green rows",
        "Matched: best match q below the cut-off, control p at most the control threshold and "
        "at least the minimum information (all in the header). Rows that pass q only are best "
        "candidates, not matches.",
    ),
]
"""``(column, explanation)`` of the matching columns, the same for every source; the last entry
explains the rows, not a column."""


def data_uri(png: bytes) -> str:
    """A PNG as an ``<img src>`` value."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _fmt(x: float | None, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return f"{x:.{digits}g}" if abs(x) < 1e-3 or abs(x) >= 1e4 else f"{x:.{digits + 1}g}"


def page_rows(
    found: Found,
    table: pd.DataFrame,
    annotation: Annotation | None,
    drawings: dict[str, dict[str, bytes]],
) -> list[dict]:
    """One dict per row of ``table`` (``motifs.tsv``, rank order) with what the page shows."""
    best = annotation.best.set_index("query") if annotation is not None else None
    eligible = {e.id: e.eligible for e in found.entries}
    rows = []
    for rank, r in enumerate(table.to_dict("records"), start=1):
        pngs = drawings.get(r["motif"], {})
        row = {
            "rank": rank,
            "name": r["motif"] + (f" ({r['target']})" if r["target"] else ""),
            "logo": data_uri(pngs["logo"]) if "logo" in pngs else "",
            "map": data_uri(pngs["map"]) if "map" in pngs else "",
            "match_logo": data_uri(pngs["match"]) if "match" in pngs else "",
            "nsites": r["nsites"],
            "information": r["information"],
            "score": r[found.score_column],
            "matched": bool(r["matched"]),
            "cluster": r["cluster"],
            "target_id": "",
            "p": np.nan,
            "E": np.nan,
            "q": np.nan,
            "control_p": np.nan,
        }
        if best is not None and r["motif"] in best.index:
            b = best.loc[r["motif"]]
            row.update(
                target_id=b["target_id"], target_name=b["target_name"], tf_family=b["tf_family"],
                strand=b["strand"], offset=int(b["offset"]), p=float(b["p"]), E=float(b["E"]),
                q=float(b["q"]), control_p=float(b["control_p"]),
                verdict=_verdict(b, annotation, eligible[r["motif"]], found.ineligible),
            )  # fmt: skip
        rows.append(row)
    return rows


def _verdict(best: pd.Series, annotation: Annotation, eligible: bool, ineligible: str) -> str:
    """Why a motif's best match counts or not."""
    if not best["q"] < annotation.q_cutoff:
        return "q ≥ cut-off (best candidate)"
    if best["information"] < annotation.control.min_information:
        return "too little information to be named"
    if not eligible:
        return f"not named: {ineligible}"
    return "matched" if best["matched"] else "not supported by the shuffled control"


def legend_html(legend: list[tuple[str, str]]) -> str:
    """The "How to read this table" block of the page."""
    esc = html.escape
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in legend)
    return f'<h2 id="legend">How to read this table</h2><dl class="legend">{items}</dl>'


def clusters_html(clusters: pd.DataFrame, noun: str) -> str:
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
        f"<h2>Motif clusters</h2><p class=muted>Matched {esc(noun)} that are similar to each "
        "other (Tomtom) or share their best match, grouped and labelled by the TF family their "
        "matches share (else the structural class, else the most frequent name).</p>"
        "<table><thead><tr><th>cluster</th><th>label</th><th>best matches</th>"
        f"<th>members</th><th>{esc(noun)}</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _row_html(r: dict) -> str:
    esc = html.escape
    css = ' class="matched"' if r["matched"] else ""
    logo = f'<img alt="{esc(r["name"])}" src="{r["logo"]}">' if r["logo"] else ""
    if r["map"]:
        logo += f'<img alt="{esc(r["name"])} map" src="{r["map"]}">'
    match = f'<img alt="match" src="{r["match_logo"]}">' if r["match_logo"] else ""
    if r["target_id"]:
        name = (
            f"<b>{esc(r['target_name'])}</b> {esc(r['target_id'])}<br>"
            f"<span class=muted>{esc(r['tf_family'])}</span><br>"
            f"<span class=muted>{esc(r['verdict'])}; strand {esc(r['strand'])}, "
            f"offset {r['offset']}</span>"
        )
    else:
        name = '<span class="muted">—</span>'
    return (
        f"<tr{css}><td class=num>{r['rank']}</td><td>{esc(r['name'])}</td>"
        f"<td>{logo}</td><td class=num>{r['nsites']}</td>"
        f"<td class=num>{_fmt(r['information'])}</td><td class=num>{_fmt(r['score'])}</td>"
        f"<td>{match}</td><td>{name}</td><td class=num>{_fmt(r['p'])}</td>"
        f"<td class=num>{_fmt(r['E'])}</td><td class=num>{_fmt(r['q'])}</td>"
        f"<td class=num>{_fmt(r['control_p'])}</td><td>{esc(r['cluster'])}</td></tr>"
    )


def render_page(
    rows: list[dict],
    info: list[tuple[str, str]],
    notes: list[str],
    title: str,
    legend: list[tuple[str, str]],
    heading: str = "Motifs",
    noun: str = "motifs",
    clusters: pd.DataFrame | None = None,
) -> str:
    """The page: a header of ``info`` pairs and ``notes``, the motif clusters, then one table row
    per motif (:func:`page_rows`) and the ``legend`` (one entry per column, then the rows')."""
    esc = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1><dl>",
        *(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in info),
        "</dl>",
    ]
    if notes:
        parts.append("<h2>Notes</h2><ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>")
    if clusters is not None:
        parts.append(clusters_html(clusters, noun))
    # The column heads carry their explanation as a tooltip too.
    heads = "".join(f'<th title="{esc(text)}">{esc(name)}</th>' for name, text in legend[:-1])
    parts.append(
        f"<h2>{esc(heading)}</h2>"
        '<p class="muted">Columns are explained under the table '
        f'(<a href="#legend">how to read this table</a>).</p><table><thead><tr>{heads}'
        "</tr></thead><tbody>"
    )
    parts += [_row_html(r) for r in rows]
    parts += ["</tbody></table>", legend_html(legend), "</body></html>"]
    return "\n".join(parts) + "\n"
