"""PNG plots of a run: learning curves, ROC and precision-recall curves, regression scatter."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

from seqconv.atomic import write_with  # noqa: E402
from seqconv.runs.tasks import is_classification  # noqa: E402

_MAX_CURVES = 12
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
    """ROC and precision-recall curves per class (one against the rest) on held-out data."""
    indicator = np.eye(len(names))[targets] if is_classification(task) else targets
    shown = list(range(len(names)))[1:] if task == "binary" else list(range(len(names)))
    fig, (roc_ax, pr_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for j in shown[:_MAX_CURVES]:
        y, p = indicator[:, j], probabilities[:, j]
        if y.min() == y.max():
            continue
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        roc_ax.plot(fpr, tpr, label=names[j])
        pr_ax.plot(recall, precision, label=names[j])
    roc_ax.plot([0, 1], [0, 1], ":", color="grey")
    roc_ax.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC (test)")
    pr_ax.set(xlabel="recall", ylabel="precision", title="Precision-recall (test)")
    for ax in (roc_ax, pr_ax):
        ax.legend(fontsize="small")
    _save(fig, Path(path))


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
