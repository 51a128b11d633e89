import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from seqconv.core.metrics import compute_metrics


def test_binary_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p1 = np.clip(y * 0.3 + rng.random(400) * 0.7, 0, 1)
    probs = np.c_[1 - p1, p1]
    m = compute_metrics("binary", y, probs, ["neg", "pos"], n_bootstrap=200)
    assert m["summary"]["auroc"] == pytest.approx(roc_auc_score(y, p1))
    assert m["summary"]["aupr"] == pytest.approx(average_precision_score(y, p1))
    interval = m["per_target"]["pos"]["auroc"]
    assert interval["low"] < interval["value"] < interval["high"]
    assert m["summary"]["accuracy"] == pytest.approx(np.mean((p1 >= 0.5) == y))


def test_multiclass_and_multilabel():
    y = np.array([0, 1, 2, 2, 1, 0])
    probs = np.eye(3)[y] * 0.8 + 0.2 / 3
    m = compute_metrics("multiclass", y, probs, ["a", "b", "c"], n_bootstrap=0)
    assert m["summary"]["accuracy"] == 1 and m["summary"]["auroc"] == 1
    targets = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=np.float32)
    m = compute_metrics("multilabel", targets, targets * 0.9 + 0.05, ["x", "y"], n_bootstrap=0)
    assert m["per_target"]["y"]["auroc"]["value"] == 1 and m["summary"]["accuracy"] == 1


def test_regression_metrics():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(200, 1))
    pred = y + rng.normal(scale=0.1, size=(200, 1))
    m = compute_metrics("regression", y, pred, ["signal"], n_bootstrap=50)
    assert m["summary"]["pearson"] > 0.98 and m["summary"]["spearman"] > 0.97
    assert m["summary"]["mse"] == pytest.approx(np.mean((y - pred) ** 2))


def test_single_class_gives_nan_not_an_error():
    m = compute_metrics("binary", np.ones(5, int), np.full((5, 2), 0.5), ["a", "b"], n_bootstrap=10)
    assert np.isnan(m["summary"]["auroc"])


def test_per_class_figures_are_those_of_the_prediction_column():
    """Multiclass: per-class accuracy, precision and recall describe the argmax users read
    (the issue's run had a one-vs-rest-at-0.5 accuracy of 0.778 against 0.816 from the column)."""
    from sklearn.metrics import precision_score, recall_score

    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, 300)
    logits = rng.normal(size=(300, 3)) + 1.2 * np.eye(3)[labels]
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # many argmax below 0.5
    assert ((p.max(axis=1) < 0.5) & (p.argmax(axis=1) == labels)).any()
    m = compute_metrics("multiclass", labels, p, ["a", "b", "c"], n_bootstrap=30)
    predicted = p.argmax(axis=1)
    precision = precision_score(labels, predicted, average=None)
    recall = recall_score(labels, predicted, average=None)
    for k, name in enumerate("abc"):
        row = m["per_target"][name]
        assert row["accuracy"]["value"] == pytest.approx(np.mean((predicted == k) == (labels == k)))
        assert row["precision"]["value"] == pytest.approx(precision[k])
        assert row["recall"]["value"] == pytest.approx(recall[k])
        assert row["recall"]["low"] <= row["recall"]["value"] <= row["recall"]["high"]
    assert set(m["definitions"]) >= {"accuracy", "precision", "recall", "auroc", "low, high"}
    assert "most probable class" in m["definitions"]["accuracy"]
