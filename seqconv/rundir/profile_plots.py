"""Figures of profile runs: observed against predicted profiles of held-out regions, and the
average footprint of an in-silico experiment.

Stranded pairs are drawn as BPNet's figures draw them: the plus strand above the axis, the minus
strand mirrored below it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from seqconv.atomic import write_with  # noqa: E402
from seqconv.rundir import PROFILE_PLOT  # noqa: E402, F401 - where training draws them


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def _label(name: str, sign: float) -> str:
    return f"{name} (mirrored below)" if sign < 0 else name


def _signs(units: Sequence[Sequence[int]], n_tracks: int) -> np.ndarray:
    """+1 per track, -1 for the second track of each stranded pair (drawn below the axis)."""
    sign = np.ones(n_tracks)
    for unit in units:
        if len(unit) == 2:
            sign[unit[1]] = -1
    return sign


def chosen_regions(pearson: np.ndarray) -> list[tuple[str, int]]:
    """``(label, row)`` of the best, the median and the worst region by ``(M,)`` scores (NaN
    last)."""
    finite = np.flatnonzero(np.isfinite(pearson))
    if finite.size == 0:
        return []
    order = finite[np.argsort(pearson[finite], kind="stable")]
    picks = [("best", order[-1]), ("median", order[len(order) // 2]), ("worst", order[0])]
    return [(label, int(row)) for label, row in picks]


def plot_profile_examples(
    path: str | Path,
    ids: Sequence[str],
    observed: np.ndarray,
    expected: np.ndarray,
    pearson: np.ndarray,
    names: Sequence[str],
    units: Sequence[Sequence[int]],
) -> None:
    """Observed counts (grey) and predicted expected counts (a line per track) of the best, the
    median and the worst held-out region by profile Pearson.

    Parameters
    ----------
    ids
        ``M`` region ids.
    observed, expected
        ``(M, T, W)`` observed and predicted counts.
    pearson
        ``(M,)`` per-region profile Pearson (the mean over tracks).
    """
    picks = chosen_regions(np.asarray(pearson, dtype=float))
    fig, axes = plt.subplots(max(len(picks), 1), 1, figsize=(9, 2.4 * max(len(picks), 1)),
                             squeeze=False)  # fmt: skip
    sign = _signs(units, observed.shape[1])
    x = np.arange(observed.shape[-1]) - observed.shape[-1] // 2
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (label, row) in zip(axes[:, 0], picks, strict=False):
        for t, name in enumerate(names):
            colour = colours[t % len(colours)]
            ax.fill_between(x, sign[t] * observed[row, t], step="mid", color="0.75",
                            label="observed" if t == 0 else None)  # fmt: skip
            ax.plot(x, sign[t] * expected[row, t], color=colour, lw=1.2,
                    label=f"predicted {_label(name, sign[t])}")  # fmt: skip
        ax.axhline(0, color="0.3", lw=0.5)
        ax.set_title(f"{label}: {ids[row]} (profile Pearson {pearson[row]:.2f})", fontsize=9)
        ax.set_ylabel("counts")
        ax.legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("position relative to the summit (bp)")
    _save(fig, Path(path))


def plot_footprint(
    path: str | Path,
    footprint: np.ndarray,
    names: Sequence[str],
    units: Sequence[Sequence[int]],
    title: str,
    motif_span: tuple[int, int] | None = None,
) -> None:
    """The average change of the predicted profile ``(T, W)`` when a motif is inserted, the
    motif's bases shaded."""
    fig, ax = plt.subplots(figsize=(8, 3))
    sign = _signs(units, footprint.shape[0])
    x = np.arange(footprint.shape[-1]) - footprint.shape[-1] // 2
    for t, name in enumerate(names):
        ax.plot(x, sign[t] * footprint[t], lw=1.2, label=_label(name, sign[t]))
    if motif_span is not None:
        ax.axvspan(motif_span[0], motif_span[1], color="gold", alpha=0.3, label="motif")
    ax.axhline(0, color="0.3", lw=0.5)
    ax.set(xlabel="position relative to the window's centre (bp)",
           ylabel="predicted counts: with - without", title=title)  # fmt: skip
    ax.legend(fontsize=7)
    _save(fig, Path(path))
