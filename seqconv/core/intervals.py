"""95 % intervals without resampling, for evaluations too large to bootstrap in reasonable time
(millions of rows, hundreds of classes): each from the statistic's own variance.

* auROC: DeLong et al. 1988, from the placement of each positive among the negatives and of each
  negative among the positives (ties counted half), one pass over the ranking.
* Average precision: the logit interval of Boyd et al. 2013, ``logit(AP) ± 1.96 /
  sqrt(n_pos AP (1 - AP))``.
* Proportions (accuracy, precision, recall): Wilson score intervals.
* Pearson and Spearman correlations: Fisher's z (Spearman with Bonett and Wright's variance);
  MSE: the normal interval of the mean of squared errors.

>>> low, high = wilson(np.array([80.0]), np.array([100.0]))
>>> round(float(low[0]), 3), round(float(high[0]), 3)
(0.711, 0.867)
"""

from __future__ import annotations

import numpy as np

from seqconv.core.ranking import RankedColumns

Z = 1.959963984540054
"""The 97.5 % quantile of the standard normal."""


def delong(ranked: RankedColumns) -> tuple[np.ndarray, np.ndarray]:
    """``(T,)`` low and high of each column's auROC (NaN where a class is absent)."""
    positive = ranked.positive
    negative = 1 - positive
    tp = np.cumsum(positive, axis=0)
    fp = np.cumsum(negative, axis=0)
    n_pos, n_neg = tp[-1], fp[-1]
    fp_end = np.take_along_axis(fp, ranked.group_end, axis=0)
    tp_end = np.take_along_axis(tp, ranked.group_end, axis=0)
    start = np.maximum(ranked.group_start - 1, 0)
    fp_before = np.where(ranked.group_start > 0, np.take_along_axis(fp, start, axis=0), 0.0)
    tp_before = np.where(ranked.group_start > 0, np.take_along_axis(tp, start, axis=0), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        # a positive's share of negatives ranked below it; a negative's of positives above it
        v10 = 1 - (fp_before + fp_end) / 2 / n_neg
        v01 = (tp_before + tp_end) / 2 / n_pos
        auc = (positive * v10).sum(axis=0) / n_pos
        s10 = (positive * (v10 - auc) ** 2).sum(axis=0) / (n_pos - 1)
        s01 = (negative * (v01 - auc) ** 2).sum(axis=0) / (n_neg - 1)
        sd = np.sqrt(s10 / n_pos + s01 / n_neg)
    return np.clip(auc - Z * sd, 0, 1), np.clip(auc + Z * sd, 0, 1)


def logit_interval(value: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The logit interval of proportions-like ``value`` from ``n`` observations (Boyd et al.)."""
    value = np.clip(np.asarray(value, dtype=np.float64), 1e-9, 1 - 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.log(value / (1 - value))
        half = Z / np.sqrt(n * value * (1 - value))
    return 1 / (1 + np.exp(-(centre - half))), 1 / (1 + np.exp(-(centre + half)))


def wilson(successes: np.ndarray, trials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``successes / trials`` (NaN for no trials)."""
    successes, trials = np.asarray(successes, float), np.asarray(trials, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = successes / trials
        centre = (p + Z**2 / (2 * trials)) / (1 + Z**2 / trials)
        half = Z * np.sqrt(p * (1 - p) / trials + Z**2 / (4 * trials**2)) / (1 + Z**2 / trials)
    return centre - half, centre + half


def correlation_interval(
    r: np.ndarray, n: int, spearman: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Fisher's z interval of correlations ``r`` from ``n`` pairs."""
    r = np.clip(np.asarray(r, dtype=np.float64), -0.999999, 0.999999)
    variance = (1 + r**2 / 2) / (n - 3) if spearman else 1 / (n - 3)
    with np.errstate(invalid="ignore", divide="ignore"):
        z, half = np.arctanh(r), Z * np.sqrt(variance)
    return np.tanh(z - half), np.tanh(z + half)


def mean_interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normal interval of each column's mean of ``(N, T)`` values."""
    n = len(values)
    mean = values.mean(axis=0)
    half = Z * values.std(axis=0, ddof=1) / np.sqrt(n) if n > 1 else np.full_like(mean, np.nan)
    return mean - half, mean + half
