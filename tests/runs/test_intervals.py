"""Intervals without resampling for evaluations too large to bootstrap: they agree with the
bootstrap where both can be computed, and many rows times many classes no longer take minutes."""

from __future__ import annotations

import time

import numpy as np
import pytest

from seqconv.core import metrics
from seqconv.core.metrics import compute_metrics


def _multiclass(n: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), truth] += 1.0
    p = np.exp(logits - logits.max(1, keepdims=True))
    return truth, p / p.sum(1, keepdims=True), [f"c{i}" for i in range(k)]


def test_analytic_intervals_agree_with_the_bootstrap(monkeypatch):
    truth, p, names = _multiclass(3000, 3)
    boot = compute_metrics("multiclass", truth, p, names, n_bootstrap=1000, seed=1)
    assert boot["intervals"] == {"method": "bootstrap", "resamples": 1000}
    monkeypatch.setattr(metrics, "BOOTSTRAP_WORK", 0)
    exact = compute_metrics("multiclass", truth, p, names, n_bootstrap=1000)
    assert exact["intervals"]["method"] == "analytic"
    for name in names:
        for m in ("auroc", "aupr", "accuracy", "precision", "recall"):
            a, b = exact["per_target"][name][m], boot["per_target"][name][m]
            assert a["value"] == pytest.approx(b["value"])
            width = b["high"] - b["low"]  # the bounds agree to a fifth of the interval's width
            assert (
                abs(a["low"] - b["low"]) < 0.2 * width and abs(a["high"] - b["high"]) < 0.2 * width
            )


def test_regression_intervals_without_resampling(monkeypatch):
    rng = np.random.default_rng(0)
    y = rng.normal(size=(2000, 2))
    pred = y + rng.normal(size=(2000, 2))
    boot = compute_metrics("regression", y, pred, ["a", "b"], n_bootstrap=400)
    monkeypatch.setattr(metrics, "BOOTSTRAP_WORK", 0)
    exact = compute_metrics("regression", y, pred, ["a", "b"], n_bootstrap=400)
    for m in ("mse", "pearson", "spearman"):
        a, b = exact["per_target"]["a"][m], boot["per_target"]["a"][m]
        width = b["high"] - b["low"]
        assert abs(a["low"] - b["low"]) < 0.25 * width and abs(a["high"] - b["high"]) < 0.25 * width


def test_three_hundred_classes_are_scored_in_seconds_with_intervals():
    truth, p, names = _multiclass(20_000, 300)
    started = time.perf_counter()
    m = compute_metrics("multiclass", truth, p, names, n_bootstrap=1000)
    assert time.perf_counter() - started < 60  # a bootstrap took 380 s here
    assert m["intervals"]["method"] == "analytic" and "20,000 rows x 300" in m["intervals"]["why"]
    row = m["per_target"]["c7"]["auroc"]
    assert row["low"] < row["value"] < row["high"]
