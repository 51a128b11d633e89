"""Held-out metrics with bootstrap 95 % intervals, vectorised over classes and targets.

Classification: per class, auROC and auPR (average precision) of its probability against the rest,
and the accuracy, precision and recall of the ``prediction`` column users read (the most probable
class; for multi-label targets each label at 0.5); their macro averages and the overall accuracy.
Regression: MSE, Pearson and Spearman per target. ``metrics.json`` says what each number means
(:data:`DEFINITIONS`).
Values equal scikit-learn's (``roc_auc_score``, ``average_precision_score``); they are computed
for all classes at once because a thousand classes times 200 resamples of scikit-learn calls take
half an hour.
"""

from __future__ import annotations

import numpy as np

from seqconv.core.calibration import calibration_scores, prediction_accuracy
from seqconv.core.intervals import (
    correlation_interval,
    delong,
    logit_interval,
    mean_interval,
    wilson,
)
from seqconv.core.ranking import RankedColumns, bootstrap_counts
from seqconv.core.tasks import is_classification

DEFINITIONS = {
    "auroc": "area under the ROC curve of the target's probability, the target against the rest",
    "aupr": "average precision of the target's probability, the target against the rest",
    "accuracy": (
        "per target: the share of sequences on which the prediction column and the truth agree "
        "about this target (predicted as it and in it, or neither); the prediction is the most "
        "probable class (classification) or probability >= 0.5 (multi-label). "
        "summary: the share whose predicted class is right (multi-label: of all labels)"
    ),
    "precision": "of the sequences predicted as the target, the share that are in it",
    "recall": "of the sequences in the target, the share predicted as it",
    "positives": "sequences in the target",
    "ece": (
        "expected calibration error: the mean |observed rate - predicted probability| over 15 "
        "equal-width bins of the predicted class's probability (multi-label: of every "
        "probability), weighted by their counts; 0 is perfectly calibrated"
    ),
    "brier": (
        "Brier score: squared difference of the probabilities and the 0/1 truth, summed over "
        "classes (multi-label: averaged over labels), averaged over sequences; lower is better"
    ),
    "calibration": (
        "the logits refitted as a * z + b on the validation split after training (see "
        "seqconv.core.calibration); before/after: the same rows without and with it. valid (or "
        "valid_in_sample) are the rows of the fit itself, in-sample; without a test split the "
        "held-out figures are valid_cross_fitted: each validation row calibrated by a fit on the "
        "other folds"
    ),
    "mse": "mean squared error",
    "pearson": "Pearson correlation of predicted and true values",
    "spearman": "Spearman (rank) correlation of predicted and true values",
    "low, high": (
        "95 % interval: the percentile interval of bootstrap resamples of the sequences, or, where "
        "that would take too long (many rows and classes; metrics.json's 'intervals' says which), "
        "from each statistic's variance: DeLong for auROC, logit for auPR, Wilson for shares, "
        "Fisher's z for correlations"
    ),
}
"""What each number in ``metrics.json`` means (written there under ``definitions``)."""

# Numbers per working array when scoring many classes at once (about 32 MB in float64).
_BLOCK = 4_000_000


def _correlation(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Pearson r of each column pair of ``(N, T)`` arrays (NaN where a column is constant)."""
    yc, pc = y - y.mean(axis=0), p - p.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (yc * pc).sum(axis=0) / np.sqrt((yc**2).sum(axis=0) * (pc**2).sum(axis=0))
    return np.where(np.isfinite(r), np.clip(r, -1, 1), np.nan)


def _regression_scores(y: np.ndarray, p: np.ndarray) -> dict[str, np.ndarray]:
    """MSE, Pearson and Spearman per target of ``(N, T)`` values."""
    if len(y) == 0:
        nan = np.full(y.shape[1], np.nan)
        return {"mse": nan, "pearson": nan, "spearman": nan}
    from scipy import stats  # only for regression: importing SciPy costs about 1.3 s

    return {
        "mse": ((y - p) ** 2).mean(axis=0),
        "pearson": _correlation(y, p),
        "spearman": _correlation(stats.rankdata(y, axis=0), stats.rankdata(p, axis=0)),
    }


def _regression(
    y: np.ndarray, p: np.ndarray, names: list[str], n_bootstrap: int, rng: np.random.Generator
) -> dict[str, dict]:
    """Regression metrics per target with 95 % intervals: bootstrapped (resampling rows), or
    analytic where the bootstrap would be too much work (:func:`analytic_intervals`)."""
    values = _regression_scores(y, p)
    if analytic_intervals(len(y), len(names), n_bootstrap) and len(y) > 3:
        bounds = {
            "mse": mean_interval((y - p) ** 2),
            "pearson": correlation_interval(values["pearson"], len(y)),
            "spearman": correlation_interval(values["spearman"], len(y), spearman=True),
        }
        return {
            name: {m: _bounded(values[m][j], bounds[m][0][j], bounds[m][1][j]) for m in values}
            for j, name in enumerate(names)
        }
    samples = {m: np.full((n_bootstrap, len(names)), np.nan) for m in values}
    for b in range(n_bootstrap if len(y) else 0):
        pick = rng.integers(0, len(y), len(y))
        for m, v in _regression_scores(y[pick], p[pick]).items():
            samples[m][b] = v
    return {
        name: {m: _interval(values[m][j], samples[m][:, j]) for m in values}
        for j, name in enumerate(names)
    }


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
        ``{"n": N, "per_target": {name: {metric: {"value", "low", "high"}}}, "summary": {...},
        "definitions": {metric: meaning}}``.
    """
    rng = np.random.default_rng(seed)
    predictions = np.asarray(predictions, dtype=np.float64)
    per_target: dict[str, dict] = {}
    summary: dict[str, float] = {}
    if task == "regression":
        truth = np.asarray(targets, dtype=np.float64).reshape(len(targets), len(target_names))
        per_target = _regression(truth, predictions, target_names, n_bootstrap, rng)
        for m in ("mse", "pearson", "spearman"):
            summary[m] = _nanmean([per_target[n][m]["value"] for n in target_names])
        return _result(task, targets, per_target, summary, n_bootstrap)

    if is_classification(task):
        labels = np.asarray(targets, dtype=np.int64)
        indicator = np.zeros((len(labels), len(target_names)), dtype=np.float64)
        indicator[np.arange(len(labels)), labels] = 1
        chosen = np.zeros_like(indicator)
        if len(labels):
            chosen[np.arange(len(labels)), predictions.argmax(axis=1)] = 1
        summary["accuracy"] = prediction_accuracy(task, targets, predictions)
    else:
        indicator = np.asarray(targets, dtype=np.float64)
        chosen = (predictions >= 0.5).astype(np.float64)
    per_target.update(_per_class(indicator, chosen, predictions, target_names, n_bootstrap, rng))
    # With two classes both rows describe the same ranking: report the second (positive) class.
    headline = target_names[1:] if task == "binary" else target_names
    for m in ("auroc", "aupr"):
        summary[m] = _nanmean([per_target[n][m]["value"] for n in headline])
    if task == "multilabel":  # after the rankings, as before
        summary["accuracy"] = prediction_accuracy(task, targets, predictions)
    summary.update(calibration_scores(task, targets, predictions))
    return _result(task, targets, per_target, summary, n_bootstrap)


def _result(
    task: str, targets: np.ndarray, per_target: dict, summary: dict, n_bootstrap: int
) -> dict:
    names = {m for values in per_target.values() for m in values} | set(summary) | {"low, high"}
    definitions = {m: text for m, text in DEFINITIONS.items() if m in names}
    return {
        "task": task,
        "n": int(len(targets)),
        "per_target": per_target,
        "summary": summary,
        "intervals": intervals_used(len(targets), len(per_target), n_bootstrap),
        "definitions": definitions,
    }


def intervals_used(n_rows: int, n_columns: int, n_bootstrap: int) -> dict:
    """How the 95 % intervals were made (``metrics.json``'s ``intervals``)."""
    if n_bootstrap <= 0:
        return {"method": "none"}
    if analytic_intervals(n_rows, n_columns, n_bootstrap):
        steps = n_rows * max(n_columns, 1) * n_bootstrap
        return {
            "method": "analytic",
            "why": f"{n_bootstrap:,} bootstrap resamples of {n_rows:,} rows x {n_columns:,} "
            f"targets would take {steps:,} steps (more than {BOOTSTRAP_WORK:,})",
        }
    return {"method": "bootstrap", "resamples": n_bootstrap}


def _per_class(
    indicator: np.ndarray,
    chosen: np.ndarray,
    predictions: np.ndarray,
    names: list[str],
    n_bootstrap: int,
    rng: np.random.Generator,
) -> dict[str, dict]:
    """auROC and auPR of each class against the rest, and the accuracy, precision and recall of
    the predicted classes, with 95 % intervals.

    ``indicator`` and ``chosen`` are ``(N, K)`` 0/1: the true and the predicted classes. All
    classes are scored together (:mod:`seqconv.core.ranking`), in blocks of classes so that memory
    stays near ``_BLOCK`` numbers per array. The intervals are bootstrapped (resamples drawn a
    chunk at a time), unless that would take more than :data:`BOOTSTRAP_WORK` row-class-resample
    steps: then they come from each statistic's own variance (:mod:`seqconv.core.intervals`).
    """
    n = len(indicator)
    correct = (chosen == indicator).astype(np.float64)
    hits = chosen * indicator
    positives = indicator.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = correct.mean(axis=0) if n else np.full(len(names), np.nan)
        precision = hits.sum(axis=0) / chosen.sum(axis=0)
        recall = hits.sum(axis=0) / positives
    # only classes with both outcomes present have a ranking to score
    scored = np.flatnonzero((positives > 0) & (positives < n))
    analytic = analytic_intervals(n, len(scored), n_bootstrap)
    auroc, aupr = np.full(len(names), np.nan), np.full(len(names), np.nan)
    rows = 0 if analytic else n_bootstrap
    boot = {m: np.full((rows, len(names)), np.nan) for m in _PER_CLASS}
    bounds: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    step = max(1, _BLOCK // max(n, 1))
    draws = _Resamples(n, rows, rng)
    for first in range(0, len(scored), step):
        cols = scored[first : first + step]
        ranked = RankedColumns.build(indicator[:, cols], predictions[:, cols])
        auroc[cols], aupr[cols] = ranked.scores()
        if analytic:
            low, high = delong(ranked)
            bounds.setdefault("auroc", (np.full(len(names), np.nan), np.full(len(names), np.nan)))
            bounds["auroc"][0][cols], bounds["auroc"][1][cols] = low, high
            continue
        for b, counts in draws:
            boot["auroc"][b, cols], boot["aupr"][b, cols] = ranked.scores(counts)
    if analytic:
        bounds["aupr"] = logit_interval(aupr, positives)
        bounds["accuracy"] = wilson(correct.sum(axis=0), np.full(len(names), n))
        bounds["precision"] = wilson(hits.sum(axis=0), chosen.sum(axis=0))
        bounds["recall"] = wilson(hits.sum(axis=0), positives)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            for b, counts in draws:
                boot["accuracy"][b] = counts @ correct / max(n, 1)
                boot_hits = counts @ hits
                boot["precision"][b] = boot_hits / (counts @ chosen)
                boot["recall"][b] = boot_hits / (counts @ indicator)
    values = {"auroc": auroc, "aupr": aupr, "accuracy": accuracy, "precision": precision,
              "recall": recall}  # fmt: skip
    out: dict[str, dict] = {}
    for j, name in enumerate(names):
        out[name] = {
            m: (
                _bounded(values[m][j], bounds[m][0][j], bounds[m][1][j])
                if analytic
                else _interval(values[m][j], boot[m][:, j])
            )
            for m in _PER_CLASS
        }
        out[name]["positives"] = int(positives[j])
    return out


_PER_CLASS = ("auroc", "aupr", "accuracy", "precision", "recall")
BOOTSTRAP_WORK = 300_000_000
"""Row x class x resample steps beyond which intervals are analytic instead of bootstrapped
(1,000 resamples of 20,000 rows and 300 classes took 380 s where the metrics took 6)."""


def analytic_intervals(n_rows: int, n_columns: int, n_bootstrap: int) -> bool:
    """Whether a bootstrap of ``n_bootstrap`` resamples is too much work (see
    :data:`BOOTSTRAP_WORK`)."""
    return n_bootstrap > 0 and n_rows * max(n_columns, 1) * n_bootstrap > BOOTSTRAP_WORK


class _Resamples:
    """Bootstrap resamples as row counts, drawn a chunk at a time (at most about 2^21 numbers
    in memory) and the same on every pass."""

    def __init__(self, n: int, count: int, rng: np.random.Generator) -> None:
        self.n, self.count = n, count
        self.seed = int(rng.integers(2**63))
        self.chunk = max(1, (1 << 21) // max(n, 1))

    def __iter__(self):
        for first in range(0, self.count, self.chunk):
            rng = np.random.default_rng([self.seed, first])
            size = min(self.chunk, self.count - first)
            block = bootstrap_counts(self.n, size, rng)
            for offset in range(size):
                yield first + offset, block[offset]


def _bounded(value: float, low: float, high: float) -> dict[str, float]:
    """A value with an analytic interval (NaN where the value is undefined)."""
    if not np.isfinite(value):
        return {"value": float(value), "low": float("nan"), "high": float("nan")}
    return {"value": float(value), "low": float(low), "high": float(high)}


def _interval(value: float, samples: np.ndarray) -> dict[str, float]:
    """A value with the percentile 95 % interval of its finite bootstrap samples."""
    finite = samples[np.isfinite(samples)]
    if not np.isfinite(value) or finite.size == 0:
        return {"value": float(value), "low": float("nan"), "high": float("nan")}
    low, high = np.percentile(finite, [2.5, 97.5])
    return {"value": float(value), "low": float(low), "high": float(high)}


def _nanmean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def headline_metric(task: str) -> str:
    """The summary metric shown first for a task."""
    if task == "segment":  # positive positions are rare: auPR tells models apart, auROC less
        return "aupr"
    if task == "profile":  # bpnet-lite's headline: median per-region profile Pearson
        return "profile_pearson"
    return "pearson" if task == "regression" else "auroc"
