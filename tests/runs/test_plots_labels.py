"""The run plots carry their numbers: auROC/auPR in legends, r and MSE in titles, integer epochs
and the best epoch marked."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from seqconv.rundir import plots


@pytest.fixture
def figures(monkeypatch):
    """The figures the plot functions would save (kept open for inspection)."""
    kept = []

    def keep(fig, path):
        kept.append(fig)
        fig.canvas.draw()  # tick labels exist only after a draw

    monkeypatch.setattr(plots, "_save", keep)
    yield kept
    for fig in kept:
        plots.plt.close(fig)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_roc_pr_legends_name_each_curves_value(figures, tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    probs = rng.random((200, 3))
    probs[np.arange(200), y] += 0.7
    names = ["CTCF", "GATA1", "SPI1"]
    plots.plot_classification_curves("multiclass", y, probs, names, tmp_path / "r.png")
    roc_ax, pr_ax = figures[0].axes
    roc_labels, pr_labels = _legend(roc_ax), _legend(pr_ax)
    for j, name in enumerate(names):
        truth = (y == j).astype(float)
        assert f"{name} (auROC {roc_auc_score(truth, probs[:, j]):.3f})" in roc_labels
        assert f"{name} (auPR {average_precision_score(truth, probs[:, j]):.3f})" in pr_labels


def test_binary_legend_shows_the_positive_class_only(figures, tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 100)
    p1 = np.clip(y * 0.3 + rng.random(100) * 0.7, 0, 1)
    probs = np.stack([1 - p1, p1], axis=1)
    plots.plot_classification_curves("binary", y, probs, ["neg", "bound"], tmp_path / "r.png")
    labels = _legend(figures[0].axes[0])
    assert labels == [f"bound (auROC {roc_auc_score(y, p1):.3f})"]


def test_many_classes_label_the_macro_curve(figures, tmp_path):
    rng = np.random.default_rng(2)
    y = rng.integers(0, 20, 400)
    probs = rng.random((400, 20))
    plots.plot_classification_curves(
        "multiclass", y, probs, [f"c{i}" for i in range(20)], tmp_path / "r.png"
    )
    labels = _legend(figures[0].axes[0])
    assert len(labels) == 9 and labels[-1].startswith("macro (mean auROC 0.")


def test_regression_titles_carry_r_and_mse(figures, tmp_path):
    rng = np.random.default_rng(3)
    truth = rng.normal(size=(50, 2))
    pred = truth + rng.normal(scale=0.5, size=(50, 2))
    truth[0, 1] = np.nan  # a missing label is left out, not a NaN statistic
    plots.plot_regression(truth, pred, ["expr", "acc"], tmp_path / "s.png")
    for j, ax in enumerate(figures[0].axes):
        known = np.isfinite(truth[:, j])
        r = np.corrcoef(truth[known, j], pred[known, j])[0, 1]
        mse = np.mean((truth[known, j] - pred[known, j]) ** 2)
        assert ax.get_title() == f"{['expr', 'acc'][j]} (test)\nPearson r {r:.3f}, MSE {mse:.4g}"


def _history(n):
    return [
        {"epoch": e, "train_loss": 1 / e, "val_loss": 1 / e + (e == 3), "val_auroc": 0.5 + 0.01 * e}
        for e in range(1, n + 1)
    ]


def test_learning_curves_have_integer_ticks_labels_and_the_best_epoch(figures, tmp_path):
    plots.plot_history(_history(3), tmp_path / "h.png", best_epoch=2)
    for ax in figures[0].axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
        assert ax.get_xlabel() == "epoch" and ax.get_ylabel()
        assert "best epoch (2)" in _legend(ax)
    assert figures[0].axes[1].get_ylabel() == "auROC"


def test_best_epoch_is_guessed_from_the_metric_and_undefined_scores_are_gaps(figures, tmp_path):
    history = _history(5)
    history[4]["val_auroc"] = None  # e.g. a validation set with one class
    plots.plot_history(history, tmp_path / "h.png")
    assert "best epoch (4)" in _legend(figures[0].axes[0])


def test_plot_history_writes_a_png(tmp_path):
    plots.plot_history(_history(1500), tmp_path / "h.png", best_epoch=1200)
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
