"""PNG plots of a run: learning curves, ROC and precision-recall curves, regression scatter.

Each plot carries its numbers: the legend of a curve names its auROC or auPR, a scatter's title
its Pearson r and mean squared error, and the learning curves mark the epoch whose weights were
kept.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from seqconv.atomic import write_with  # noqa: E402
from seqconv.core.ranking import RankedColumns, macro_roc  # noqa: E402
from seqconv.core.tasks import is_classification  # noqa: E402

_MAX_CURVES = 12
_FEW = 8  # classes drawn when there are more than _MAX_CURVES
_DISPLAY = {"auroc": "auROC", "aupr": "auPR", "pearson": "Pearson r", "accuracy": "accuracy"}
_LOSS_COLUMNS = ("train_loss", "val_loss")


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def _values(history: list[dict], key: str) -> list[float]:
    """A history column, ``None`` (an undefined score) as NaN so the line shows a gap."""
    return [math.nan if row.get(key) is None else float(row[key]) for row in history]


def _guess_best_epoch(history: list[dict], metric: str | None) -> int | None:
    """The epoch early stopping would keep: the best validation metric, else the lowest loss."""
    for key, pick in ((metric, np.nanargmax), ("val_loss", np.nanargmin)):
        values = np.array(_values(history, key)) if key else np.array([])
        if values.size and np.isfinite(values).any():
            return int(history[int(pick(values))]["epoch"])
    return None


def plot_history(history: list[dict], path: str | Path, best_epoch: int | None = None) -> None:
    """Training and validation loss, and the validation metric, per epoch.

    Parameters
    ----------
    history
        The per-epoch rows (``epoch``, ``train_loss``, ``val_loss``, ``val_<metric>``, ...).
    best_epoch
        The epoch whose weights were kept, marked on each panel; ``None``: the best validation
        metric (else the lowest validation loss).
    """
    epochs = [int(row["epoch"]) for row in history]
    metric = next((k for k in history[0] if k.startswith("val_") and k != "val_loss"), None)
    if best_epoch not in epochs:  # None, or 0 from a run without a better epoch
        best_epoch = _guess_best_epoch(history, metric)
    fig, axes = plt.subplots(1, 2 if metric else 1, figsize=(10 if metric else 5, 3.6))
    axes = np.atleast_1d(axes)
    style = "o-" if len(epochs) <= 60 else "-"  # markers blur into a band on long runs
    axes[0].plot(epochs, _values(history, "train_loss"), style, label="train")
    axes[0].plot(epochs, _values(history, "val_loss"), style, label="validation")
    axes[0].set(xlabel="epoch", ylabel="loss", title="Loss")
    if metric:
        name = metric.removeprefix("val_")
        axes[1].plot(epochs, _values(history, metric), style, color="tab:green", label="validation")
        axes[1].set(xlabel="epoch", ylabel=_DISPLAY.get(name, name))
        axes[1].set_title(f"Validation {_DISPLAY.get(name, name)}")
    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if best_epoch is not None:
            ax.axvline(best_epoch, color="grey", ls="--", lw=1, label=f"best epoch ({best_epoch})")
        ax.legend(fontsize="small")
    _save(fig, Path(path))


def plot_classification_curves(
    task: str, targets: np.ndarray, probabilities: np.ndarray, names: list[str], path: str | Path
) -> None:
    """ROC and precision-recall curves per class (one against the rest) on held-out data, each
    labelled with its auROC or auPR (average precision, as in ``metrics.json``).

    With more than 12 classes only the 8 with most held-out positives are drawn, beside the
    macro-average ROC curve over every class that has positives and negatives.
    """
    if is_classification(task):
        indicator = np.zeros((len(targets), len(names)))
        indicator[np.arange(len(targets)), np.asarray(targets, dtype=np.int64)] = 1
    else:
        indicator = np.asarray(targets, dtype=np.float64)
    positives = indicator.sum(axis=0)
    scored = np.flatnonzero((positives > 0) & (positives < len(indicator)))
    if task == "binary":
        scored = scored[scored == 1]
    many = len(scored) > _MAX_CURVES
    shown = scored[np.argsort(-positives[scored], kind="stable")[:_FEW]] if many else scored
    auroc, aupr = _scores(indicator, probabilities, shown)
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for k, j in enumerate(shown):
        # seqconv's own ranking instead of scikit-learn's curves: importing scikit-learn (and
        # the SciPy it loads) adds about 1.5 s to every command that plots
        ranked = RankedColumns.build(indicator[:, [j]], probabilities[:, [j]])
        fpr, tpr = ranked.roc_points(0)
        recall, precision = ranked.pr_points(0)
        roc_ax.plot(fpr, tpr, label=f"{names[j]} (auROC {auroc[k]:.3f})")
        pr_ax.plot(recall, precision, label=f"{names[j]} (auPR {aupr[k]:.3f})")
    title = "(test)"
    if many:
        grid = np.linspace(0, 1, 101)
        mean_auroc = float(np.nanmean(_scores(indicator, probabilities, scored)[0]))
        roc_ax.plot(
            grid,
            _macro_roc(indicator, probabilities, scored, grid),
            "k--",
            label=f"macro (mean auROC {mean_auroc:.3f})",
        )
        title = f"(test; {len(shown)} of {len(scored)} classes)"
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC {title}")
    pr_ax.set(xlabel="recall", ylabel="precision", title=f"Precision-recall {title}")
    for ax in (roc_ax, pr_ax):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    _save(fig, Path(path))


def _blocks(n_rows: int, columns: np.ndarray) -> list[np.ndarray]:
    """``columns`` in blocks small enough to sort together (bounded memory)."""
    step = max(1, 4_000_000 // max(n_rows, 1))
    return [columns[first : first + step] for first in range(0, len(columns), step)]


def _scores(
    indicator: np.ndarray, probabilities: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """auROC and average precision of ``columns`` (the same numbers as ``metrics.json``)."""
    parts = [
        RankedColumns.build(indicator[:, cols], probabilities[:, cols]).scores()
        for cols in _blocks(len(indicator), columns)
    ]
    if not parts:
        return np.array([]), np.array([])
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _macro_roc(
    indicator: np.ndarray, probabilities: np.ndarray, columns: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """Mean true positive rate of ``columns`` at false positive rates ``grid``."""
    total = np.zeros(grid.shape)
    for cols in _blocks(len(indicator), columns):
        ranked = RankedColumns.build(indicator[:, cols], probabilities[:, cols])
        total += macro_roc(ranked, list(range(len(cols))), grid) * len(cols)
    return total / max(len(columns), 1)


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r, NaN when either side is constant."""
    if len(x) < 2 or np.std(x) == 0 or np.std(y) == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def plot_regression(
    targets: np.ndarray, predictions: np.ndarray, names: list[str], path: str | Path
) -> None:
    """Predicted against measured values per target on held-out data, with Pearson r and the
    mean squared error in each title."""
    n = min(len(names), _MAX_CURVES)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 4), squeeze=False)
    for j, ax in enumerate(axes[0]):
        truth = np.asarray(targets[:, j], dtype=np.float64)
        pred = np.asarray(predictions[:, j], dtype=np.float64)
        known = np.isfinite(truth) & np.isfinite(pred)  # missing labels are NaN
        truth, pred = truth[known], pred[known]
        if not len(truth):
            ax.set_title(f"{names[j]} (test): no labelled rows")
            continue
        ax.scatter(truth, pred, s=4, alpha=0.4)
        low, high = min(truth.min(), pred.min()), max(truth.max(), pred.max())
        ax.plot([low, high], [low, high], ":", color="grey")
        r, mse = _pearson(truth, pred), float(np.mean((truth - pred) ** 2))
        ax.set(xlabel="measured", ylabel="predicted")
        ax.set_title(f"{names[j]} (test)\nPearson r {r:.3f}, MSE {mse:.4g}")
    _save(fig, Path(path))


def plot_reliability(
    task: str,
    truth: np.ndarray,
    before: np.ndarray,
    after: np.ndarray | None,
    path: str | Path,
    split: str = "test",
) -> None:
    """Reliability diagram: observed rate against predicted probability, before and after
    calibration, with the number of predictions per bin below.

    ``before`` and ``after`` are ``(N, K)`` probabilities (``after`` ``None``: not calibrated,
    one curve); classes are judged by the predicted class's probability, labels (multi-label) by
    every probability.
    """
    from seqconv.core.calibration import (
        ECE_BINS,
        calibration_scores,
        confidence_hits,
        reliability_bins,
    )

    fig, (ax, hist) = plt.subplots(
        2, 1, figsize=(5, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="perfect")
    edges = np.linspace(0, 1, ECE_BINS + 1)
    curves = [("before calibration", before, "o-"), ("after calibration", after, "s-")]
    if after is None:
        curves = [("as trained, not recalibrated", before, "o-")]
    for name, p, style in curves:
        mean_conf, rate, count = reliability_bins(*confidence_hits(task, truth, p))
        seen = count > 0
        scores = calibration_scores(task, truth, p)
        label = f"{name} (ECE {scores['ece']:.3f}, Brier {scores['brier']:.3f})"
        ax.plot(mean_conf[seen], rate[seen], style, markersize=4, label=label)
        hist.stairs(count, edges, label=name)
    what = "predicted class" if is_classification(task) else "label"
    ax.set_ylabel(f"observed rate ({what} right)" if is_classification(task) else "observed rate")
    ax.set_title(f"Reliability on {split} data")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    hist.set_yscale("symlog")
    hist.set_xlabel(f"predicted probability ({what})")
    hist.set_ylabel("count")
    fig.tight_layout()
    _save(fig, Path(path))
