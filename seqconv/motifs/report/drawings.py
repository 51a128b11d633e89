"""The report's logos, written to ``logos/`` and returned as PNG bytes for the page.

Per motif with a PFM: ``<id>.png`` (its logo, bits), ``<id>_match.png`` (the logo above its best
database match, aligned; only when that match has ``q`` below the cut-off: drawing costs ~0.2 s)
and ``<id>_map.png`` (its contribution map, where the source gives one).
"""

from __future__ import annotations

from pathlib import Path

from seqconv.motifs.compare import Annotation
from seqconv.motifs.database import MotifDatabase
from seqconv.motifs.logos import Renderer, attribution_logo, match_logo, motif_logo
from seqconv.motifs.report.found import Found


def draw_logos(
    found: Found,
    annotation: Annotation | None,
    database: MotifDatabase | None,
    folder: Path,
    renderer: Renderer = "fast",
) -> dict[str, dict[str, bytes]]:
    """Draw every entry's logos into ``folder``.

    Returns
    -------
    dict
        Motif id to ``{"logo": png, "match": png, "map": png}`` (the ones drawn).
    """
    best = annotation.best.set_index("query") if annotation is not None else None
    shown = set(best.index[best["q"] < annotation.q_cutoff]) if best is not None else set()
    targets = {m.id: m for m in database} if database is not None else {}
    folder.mkdir(parents=True, exist_ok=True)  # even when empty: every report has the folder
    drawn: dict[str, dict[str, bytes]] = {}
    for e in found.entries:
        pngs = drawn.setdefault(e.id, {})
        if e.motif is not None:
            pngs["logo"] = motif_logo(
                e.motif, folder / f"{e.id}.png", title=e.id, renderer=renderer
            )
            if e.id in shown:
                b = best.loc[e.id]
                pngs["match"] = match_logo(
                    e.motif, targets[b["target_id"]], int(b["offset"]), b["strand"],
                    folder / f"{e.id}_match.png", title=e.id, renderer=renderer,
                )  # fmt: skip
        if e.map is not None:
            pngs["map"] = attribution_logo(
                {found.map_label or "map": e.map}, folder / f"{e.id}_map.png",
                title=e.map_title or e.id, renderer=renderer,
            )  # fmt: skip
    return drawn
