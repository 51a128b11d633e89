"""Held-out metrics from scikit-learn, with bootstrap 95 % intervals.

Classification: auROC, auPR (average precision) and accuracy per class (one class against the rest),
their macro averages and the overall accuracy. Regression: MSE, Pearson and Spearman per target.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats
from sklearn.metrics import accuracy_score, average_precision_score, roc_auc_score

from seqconv.runs.tasks import is_classification

Metric = Callable[[np.ndarray, np.ndarray], float]


def _pearson(y: np.ndarray, p: np.ndarray) -> float:
    if np.std(y) == 0 or np.std(p) == 0:
        return float("nan")
    return float(np.corrcoef(y, p)[0, 1])


def _spearman(y: np.ndarray, p: np.ndarray) -> float:
    if np.std(y) == 0 or np.std(p) == 0:
        return float("nan")
    return float(stats.spearmanr(y, p).statistic)


def _mse(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((y - p) ** 2))


def _binary_metrics() -> dict[str, Metric]:
    return {
        "auroc": lambda y, p: float(roc_auc_score(y, p)),
        "aupr": lambda y, p: float(average_precision_score(y, p)),
        "accuracy": lambda y, p: float(accuracy_score(y, p >= 0.5)),
    }


def _safe(metric: Metric, y: np.ndarray, p: np.ndarray, ranking: bool) -> float:
    """The metric, or NaN where it is undefined (a ranking metric with one class present)."""
    if ranking and (len(y) == 0 or y.min() == y.max()):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return metric(y, p)
        except ValueError:
            return float("nan")


def _with_interval(
    metric: Metric,
    y: np.ndarray,
    p: np.ndarray,
    n_bootstrap: int,
    rng: np.random.Generator,
    ranking: bool = False,
) -> dict[str, float]:
    """The metric and its percentile-bootstrap 95 % interval (resampling sequences)."""
    value = _safe(metric, y, p, ranking)
    if not np.isfinite(value):
        return {"value": value, "low": float("nan"), "high": float("nan")}
    samples = []
    for _ in range(n_bootstrap):
        pick = rng.integers(0, len(y), len(y))
        samples.append(_safe(metric, y[pick], p[pick], ranking))
    finite = np.array([s for s in samples if np.isfinite(s)])
    if finite.size == 0:
        return {"value": value, "low": float("nan"), "high": float("nan")}
    low, high = np.percentile(finite, [2.5, 97.5])
    return {"value": value, "low": float(low), "high": float(high)}


def compute_metrics(
    task: str,
    targets: np.ndarray,
    predictions: np.ndarray,
    target_names: list[str],
    n_bootstrap: int = 200,
    seed: int = 0,
) -> dict:
    """Metrics of predictions against targets.

    Parameters
    ----------
    task
        ``binary``, ``multiclass``, ``multilabel`` or ``regression``.
    targets
        Class indices ``(N,)`` (classification) or ``(N, T)`` values.
    predictions
        ``(N, n_outputs)`` probabilities (classification) or values (regression).
    target_names
        One name per output.
    n_bootstrap
        Bootstrap resamples for the 95 % intervals (0 for none).

    Returns
    -------
    dict
        ``{"n": N, "per_target": {name: {metric: {"value", "low", "high"}}}, "summary": {...}}``.
    """
    rng = np.random.default_rng(seed)
    predictions = np.asarray(predictions, dtype=np.float64)
    per_target: dict[str, dict] = {}
    summary: dict[str, float] = {}
    if task == "regression":
        for j, name in enumerate(target_names):
            y, p = targets[:, j].astype(np.float64), predictions[:, j]
            per_target[name] = {
                m: _with_interval(f, y, p, n_bootstrap, rng)
                for m, f in (("mse", _mse), ("pearson", _pearson), ("spearman", _spearman))
            }
        for m in ("mse", "pearson", "spearman"):
            summary[m] = _nanmean([per_target[n][m]["value"] for n in target_names])
        return {"task": task, "n": int(len(targets)), "per_target": per_target, "summary": summary}

    if is_classification(task):
        indicator = np.eye(len(target_names))[np.asarray(targets, dtype=np.int64)]
        summary["accuracy"] = _with_interval(
            lambda y, p: float(accuracy_score(y, p.argmax(axis=1))),
            np.asarray(targets),
            predictions,
            n_bootstrap,
            rng,
        )["value"]
    else:
        indicator = np.asarray(targets)
    for j, name in enumerate(target_names):
        per_target[name] = {
            m: _with_interval(
                f, indicator[:, j], predictions[:, j], n_bootstrap, rng, ranking=m != "accuracy"
            )
            for m, f in _binary_metrics().items()
        }
        per_target[name]["positives"] = int(indicator[:, j].sum())
    # With two classes both rows describe the same ranking: report the second (positive) class.
    headline = target_names[1:] if task == "binary" else target_names
    for m in ("auroc", "aupr"):
        summary[m] = _nanmean([per_target[n][m]["value"] for n in headline])
    if task == "multilabel":
        summary["accuracy"] = float(np.mean((predictions >= 0.5) == indicator))
    return {"task": task, "n": int(len(targets)), "per_target": per_target, "summary": summary}


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def headline_metric(task: str) -> str:
    """The summary metric shown first for a task."""
    return "pearson" if task == "regression" else "auroc"
