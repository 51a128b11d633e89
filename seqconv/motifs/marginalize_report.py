"""The files of ``seqconv marginalize``: effects per motif and output, footprints of profile
runs, cooperativity of pairs by spacing and orientation, each as a table and a figure.

* ``effects.tsv``: ``motif, output, mean, sd, low, high, raised, n`` (``low``/``high``: 95 %
  interval of the mean; ``raised``: share of backgrounds where the output went up); profile runs
  add ``peak_<track>``, where the footprint peaks relative to the window's centre;
* ``effects.npz``: every background's effect (``effects_<k>``, ``(N, K)``), ``outputs``,
  ``motifs``; for profile runs the footprints (``footprint_<k>``, ``(T, W)``);
* ``footprint_<k>.png``: the average footprint of motif ``k`` (profile runs);
* ``spacing.tsv`` and ``spacing.png``: for a pair, per spacing, orientation and output, the
  joint effect, each motif's alone, and the cooperativity.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.atomic import write_npz, write_text
from seqconv.motifs.marginalize import ORIENTATIONS, MotifEffect, PairEffects

EFFECTS = "effects.tsv"
SPACING = "spacing.tsv"


def footprint_peaks(effect: MotifEffect, tracks: list[str]) -> dict[str, int]:
    """Per track, the position (relative to the window's centre) where the footprint rises
    most."""
    if effect.footprint is None:
        return {}
    width = effect.footprint.shape[-1]
    return {t: int(np.argmax(effect.footprint[k])) - width // 2 for k, t in enumerate(tracks)}


def write_effects(out: Path, effects: list[MotifEffect], tracks: list[str] | None = None,
                  units: list[list[int]] | None = None) -> Path:  # fmt: skip
    """``effects.tsv``, ``effects.npz`` and, for profile runs, ``footprint_<k>.png``."""
    rows = []
    arrays: dict[str, np.ndarray] = {"motifs": np.array([e.motif for e in effects])}
    for k, effect in enumerate(effects):
        peaks = footprint_peaks(effect, tracks or [])
        for row in effect.summary():
            rows.append(row | {f"peak_{t}": p for t, p in peaks.items()})
        arrays[f"effects_{k}"] = effect.effects
        if effect.footprint is not None:
            from seqconv.rundir.profile_plots import plot_footprint

            arrays[f"footprint_{k}"] = effect.footprint
            title = f"{effect.motif}: average footprint"
            plot_footprint(out / f"footprint_{k}.png", effect.footprint, tracks or [],
                           units or [], title, effect.span)  # fmt: skip
    arrays["outputs"] = np.array(effects[0].names if effects else [])
    write_npz(out / "effects.npz", arrays)
    table = pd.DataFrame(rows)
    write_text(out / EFFECTS, table.to_csv(sep="\t", index=False, float_format="%.5g"))
    return out / EFFECTS


def write_spacing(out: Path, pair: PairEffects, output: str) -> Path:
    """``spacing.tsv`` (every output) and ``spacing.png`` (the cooperativity of ``output``)."""
    table = pd.DataFrame(pair.rows)
    write_text(out / SPACING, table.to_csv(sep="\t", index=False, float_format="%.5g"))
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from seqconv.atomic import write_with

    fig, ax = plt.subplots(figsize=(8, 3.4))
    shown = table[table["output"] == output]
    for orient in ORIENTATIONS:
        part = shown[shown["orientation"] == orient]
        ax.plot(part["spacing"], part["cooperativity"], lw=1.2,
                label=f"{pair.a} {orient[0]}, {pair.b} {orient[1]}")  # fmt: skip
    ax.axhline(0, color="0.3", lw=0.5)
    ax.set(xlabel=f"spacing: bases between the end of {pair.a} and the start of {pair.b}",
           ylabel="joint - (each alone)", title=f"cooperativity on {output}")  # fmt: skip
    ax.legend(fontsize=7)
    fig.tight_layout()
    write_with(out / "spacing.png", lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    return out / SPACING
