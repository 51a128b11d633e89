import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from seqconv.core.metrics import compute_metrics
from seqconv.core.ranking import RankedColumns
from seqconv.rundir.plots import plot_classification_curves


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4)), min_size=2, max_size=40),
)
def test_ranking_scores_equal_sklearn_with_ties(rows):
    y = np.array([r[0] for r in rows], dtype=float)
    p = np.array([r[1] for r in rows], dtype=float) / 4  # few distinct values: many ties
    auroc, ap = RankedColumns.build(y[:, None], p[:, None]).scores()
    if y.min() == y.max():
        assert np.isnan(auroc[0]) and np.isnan(ap[0])
        return
    assert auroc[0] == pytest.approx(roc_auc_score(y, p))
    assert ap[0] == pytest.approx(average_precision_score(y, p))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 4)), min_size=2, max_size=40),
)
def test_curve_points_equal_sklearn_with_ties(rows):
    """The plots draw seqconv's own curve points; they are scikit-learn's."""
    y = np.array([r[0] for r in rows], dtype=float)
    p = np.array([r[1] for r in rows], dtype=float) / 4
    if y.min() == y.max():
        return
    ranked = RankedColumns.build(y[:, None], p[:, None])
    fpr, tpr = ranked.roc_points(0)
    want_fpr, want_tpr, _ = roc_curve(y, p, drop_intermediate=False)
    assert np.allclose(fpr, want_fpr[-len(fpr) :]) and np.allclose(tpr, want_tpr[-len(tpr) :])
    recall, precision = ranked.pr_points(0)
    want_precision, want_recall, _ = precision_recall_curve(y, p)
    assert np.allclose(recall, want_recall[::-1]) and np.allclose(precision, want_precision[::-1])


def test_weights_equal_a_resample():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, (50, 4)).astype(float)
    p = np.round(rng.random((50, 4)), 1)
    pick = rng.integers(0, 50, 50)
    counts = np.bincount(pick, minlength=50)
    weighted = RankedColumns.build(y, p).scores(counts)
    resampled = RankedColumns.build(y[pick], p[pick]).scores()
    for a, b in zip(weighted, resampled, strict=True):
        np.testing.assert_allclose(a, b)


def test_thousand_classes_metrics_and_plots(tmp_path):
    rng = np.random.default_rng(0)
    n, k = 500, 1000
    y = rng.integers(0, k, n)
    probs = rng.random((n, k))
    probs[np.arange(n), y] += 2  # informative: the true class ranks high
    probs /= probs.sum(axis=1, keepdims=True)
    names = [f"c{i}" for i in range(k)]
    m = compute_metrics("multiclass", y, probs, names, n_bootstrap=20)
    assert len(m["per_target"]) == k and m["summary"]["auroc"] > 0.9
    present = names[y[0]]
    assert m["per_target"][present]["positives"] >= 1
    absent = next(name for i, name in enumerate(names) if i not in set(y))
    assert np.isnan(m["per_target"][absent]["auroc"]["value"])
    assert m["summary"]["accuracy"] == pytest.approx(np.mean(probs.argmax(1) == y))
    plot_classification_curves("multiclass", y, probs, names, tmp_path / "roc.png")
    assert (tmp_path / "roc.png").stat().st_size > 0


def test_multilabel_intervals_bracket_the_value():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (300, 3)).astype(np.float32)
    p = np.clip(y * 0.4 + rng.random((300, 3)) * 0.6, 0, 1)
    m = compute_metrics("multilabel", y, p, ["a", "b", "c"], n_bootstrap=100)
    for name, j in (("a", 0), ("c", 2)):
        row = m["per_target"][name]
        assert row["auroc"]["value"] == pytest.approx(roc_auc_score(y[:, j], p[:, j]))
        assert row["auroc"]["low"] < row["auroc"]["value"] < row["auroc"]["high"]
        assert row["aupr"]["low"] < row["aupr"]["value"] < row["aupr"]["high"]


def test_empty_held_out_set_gives_nan():
    m = compute_metrics("binary", np.zeros(0, int), np.zeros((0, 2)), ["a", "b"], n_bootstrap=5)
    assert np.isnan(m["summary"]["auroc"]) and m["n"] == 0
    r = compute_metrics("regression", np.zeros((0, 1)), np.zeros((0, 1)), ["v"], n_bootstrap=5)
    assert np.isnan(r["summary"]["pearson"])
