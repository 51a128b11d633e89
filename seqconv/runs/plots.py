"""PNG plots of a run: learning curves, ROC and precision-recall curves, regression scatter."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

from seqconv.atomic import write_with  # noqa: E402
from seqconv.runs.ranking import RankedColumns, macro_roc  # noqa: E402
from seqconv.runs.tasks import is_classification  # noqa: E402

_MAX_CURVES = 12
_FEW = 8  # classes drawn when there are more than _MAX_CURVES
_DISPLAY = {"auroc": "auROC", "aupr": "auPR", "pearson": "Pearson r", "accuracy": "accuracy"}


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    write_with(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)


def plot_history(history: list[dict], path: str | Path) -> None:
    """Training and validation loss, and the validation metric, per epoch."""
    epochs = [row["epoch"] for row in history]
    metric = next((k for k in history[0] if k.startswith("val_") and k != "val_loss"), None)
    fig, axes = plt.subplots(1, 2 if metric else 1, figsize=(10 if metric else 5, 3.6))
    axes = np.atleast_1d(axes)
    axes[0].plot(epochs, [r["train_loss"] for r in history], "o-", label="train")
    axes[0].plot(epochs, [r["val_loss"] for r in history], "o-", label="validation")
    axes[0].set(xlabel="epoch", ylabel="loss", title="Loss")
    axes[0].legend()
    if metric:
        axes[1].plot(epochs, [r[metric] for r in history], "o-", color="tab:green")
        axes[1].set(
            xlabel="epoch", ylabel=metric.removeprefix("val_"), title=f"Validation {metric[4:]}"
        )
    _save(fig, Path(path))


def plot_classification_curves(
    task: str, targets: np.ndarray, probabilities: np.ndarray, names: list[str], path: str | Path
) -> None:
    """ROC and precision-recall curves per class (one against the rest) on held-out data.

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
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for j in shown:
        y, p = indicator[:, j], probabilities[:, j]
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        roc_ax.plot(fpr, tpr, label=names[j])
        pr_ax.plot(recall, precision, label=names[j])
    title = "(test)"
    if many:
        grid = np.linspace(0, 1, 101)
        roc_ax.plot(grid, _macro_roc(indicator, probabilities, scored, grid), "k--", label="macro")
        title = f"(test; {len(shown)} of {len(scored)} classes)"
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title=f"ROC {title}")
    pr_ax.set(xlabel="recall", ylabel="precision", title=f"Precision-recall {title}")
    for ax in (roc_ax, pr_ax):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    _save(fig, Path(path))


def _macro_roc(
    indicator: np.ndarray, probabilities: np.ndarray, columns: np.ndarray, grid: np.ndarray
) -> np.ndarray:
    """Mean true positive rate of ``columns`` at false positive rates ``grid`` (blocks of
    columns are sorted together to bound memory)."""
    step = max(1, 4_000_000 // max(len(indicator), 1))
    total = np.zeros(grid.shape)
    for first in range(0, len(columns), step):
        cols = columns[first : first + step]
        ranked = RankedColumns.build(indicator[:, cols], probabilities[:, cols])
        total += macro_roc(ranked, list(range(len(cols))), grid) * len(cols)
    return total / max(len(columns), 1)


def plot_regression(
    targets: np.ndarray, predictions: np.ndarray, names: list[str], path: str | Path
) -> None:
    """Predicted against measured values per target on held-out data."""
    n = min(len(names), _MAX_CURVES)
    fig, axes = plt.subplots(1, n, figsize=(4 * n, 4), squeeze=False)
    for j, ax in enumerate(axes[0]):
        ax.scatter(targets[:, j], predictions[:, j], s=4, alpha=0.4)
        low = min(targets[:, j].min(), predictions[:, j].min())
        high = max(targets[:, j].max(), predictions[:, j].max())
        ax.plot([low, high], [low, high], ":", color="grey")
        ax.set(xlabel="measured", ylabel="predicted", title=f"{names[j]} (test)")
    _save(fig, Path(path))
