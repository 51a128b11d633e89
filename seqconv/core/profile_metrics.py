"""Held-out scores of profile runs, as bpnet-lite computes them (``bpnetlite.performance``).

Per region and track: the Pearson and Spearman correlation of the predicted probabilities
(softmax of the logits) with the observed counts (0 where either is constant, as bpnet-lite),
the Jensen-Shannon divergence of the two normalised profiles (bpnet-lite's
``jensen_shannon_distance``, natural log; undefined where nothing was observed) and the
multinomial NLL of the counts. Per region: the predicted and observed ``log(1 + total)``, whose
Pearson and Spearman correlation across regions and MSE are the count scores.

Tracks are scored in *units*: a stranded pair together (its counts summed over both strands, as
bpnet-lite's one count; its profile scores the median over both strands), any other track
alone. The summary averages the units; the headline numbers are the median per-region profile
Pearson and the counts Pearson.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> observed = rng.poisson(3.0, (20, 1, 50)).astype(float)
>>> logits = np.log(observed + 1)             # predictions that follow the observed shape
>>> counts = np.log1p(observed.sum(-1))
>>> scores = profile_scores(logits, counts, observed, ["signal"], [[0]], n_bootstrap=0)
>>> scores["summary"]["counts_pearson"] > 0.99, scores["summary"]["profile_pearson"] > 0.5
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFINITIONS = {
    "profile_pearson": (
        "median over regions (and the tracks of the unit) of the Pearson correlation, across "
        "the bases of the output window, of the predicted profile probabilities with the "
        "observed counts (0 where either is constant, as bpnet-lite)"
    ),
    "profile_pearson_mean": "the same correlations averaged (what bpnet-lite's evaluate prints)",
    "profile_spearman": "as profile_pearson, with Spearman (rank) correlation",
    "profile_jsd": (
        "median Jensen-Shannon divergence (natural log) of the predicted and the observed "
        "profile, each normalised to sum to 1 (bpnet-lite's jensen_shannon_distance; regions "
        "without observed counts left out); 0 is identical, log(2) disjoint"
    ),
    "profile_mnll": "mean multinomial negative log-likelihood of the observed counts per region",
    "counts_pearson": (
        "Pearson correlation across regions of predicted and observed log(1 + total count) "
        "(a stranded pair: both strands' total)"
    ),
    "counts_spearman": "as counts_pearson, with Spearman (rank) correlation",
    "counts_mse": "mean squared error of predicted and observed log(1 + total count)",
    "regions": "regions scored (peaks on the held-out chromosomes)",
    "low, high": "95 % percentile interval of bootstrap resamples of the regions",
}

PROFILE_MEASURES = ("profile_pearson", "profile_pearson_mean", "profile_spearman",
                    "profile_jsd", "profile_mnll")  # fmt: skip
COUNT_MEASURES = ("counts_pearson", "counts_spearman", "counts_mse")


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r along the last axis of two same-shape arrays; 0 where either is constant."""
    da = a - a.mean(axis=-1, keepdims=True)
    db = b - b.mean(axis=-1, keepdims=True)
    num = (da * db).sum(axis=-1)
    den = np.sqrt((da * da).sum(axis=-1) * (db * db).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
    return np.clip(r, -1.0, 1.0)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Ordinal ranks along the last axis (ties broken by position, as bpnet-lite's argsort)."""
    return x.argsort(axis=-1, kind="stable").argsort(axis=-1, kind="stable").astype(np.float64)


def jensen_shannon(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence (natural log) along the last axis of two non-negative arrays,
    each normalised to sum to 1; NaN where either sums to 0."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    ps, qs = p.sum(axis=-1, keepdims=True), q.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p, q = p / ps, q / qs
        m = 0.5 * (p + q)

        def kl(a: np.ndarray) -> np.ndarray:
            return np.where(a > 0, a * np.log(np.where(a > 0, a, 1.0) / np.where(m > 0, m, 1.0)),
                            0.0).sum(axis=-1)  # fmt: skip

        out = 0.5 * (kl(p) + kl(q))
    bad = (ps[..., 0] <= 0) | (qs[..., 0] <= 0)
    return np.where(bad, np.nan, out)


def region_scores(logits: np.ndarray, observed: np.ndarray) -> dict[str, np.ndarray]:
    """Per region and track scores of predicted profiles.

    Parameters
    ----------
    logits
        ``(N, T, W)`` predicted profile logits (or log probabilities).
    observed
        ``(N, T, W)`` observed counts.

    Returns
    -------
    dict
        ``pearson``, ``spearman``, ``jsd``, ``mnll``: each ``(N, T)`` float64.
    """
    logits = np.asarray(logits, dtype=np.float64)
    observed = np.asarray(observed, dtype=np.float64)
    probs = _softmax(logits)
    logp = np.log(np.clip(probs, 1e-300, None))
    from scipy.special import gammaln

    total = observed.sum(axis=-1)
    mnll = -gammaln(total + 1) + gammaln(observed + 1).sum(axis=-1) - (observed * logp).sum(-1)
    return {
        "pearson": _rowwise_pearson(probs, observed),
        "spearman": _rowwise_pearson(_ranks(probs), _ranks(observed)),
        "jsd": jensen_shannon(probs, observed),
        "mnll": mnll,
    }


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _unit_values(regions: dict[str, np.ndarray], pred: np.ndarray, true: np.ndarray,
                 rows: np.ndarray) -> dict[str, float]:  # fmt: skip
    """Every measure of one unit on the regions ``rows``."""
    from scipy.stats import rankdata

    def median(values: np.ndarray) -> float:
        finite = values[rows].ravel()
        finite = finite[np.isfinite(finite)]
        return float(np.median(finite)) if finite.size else float("nan")

    p, t = pred[rows], true[rows]
    return {
        "profile_pearson": median(regions["pearson"]),
        "profile_pearson_mean": float(np.mean(regions["pearson"][rows])),
        "profile_spearman": median(regions["spearman"]),
        "profile_jsd": median(regions["jsd"]),
        "profile_mnll": float(np.mean(regions["mnll"][rows].sum(axis=-1))),
        "counts_pearson": _pearson(p, t),
        "counts_spearman": _pearson(rankdata(p), rankdata(t)),
        "counts_mse": float(np.mean((p - t) ** 2)),
    }


def profile_scores(
    logits: np.ndarray,
    log_counts: np.ndarray,
    observed: np.ndarray,
    names: Sequence[str],
    units: Sequence[Sequence[int]],
    n_bootstrap: int = 200,
    seed: int = 0,
) -> dict:
    """Held-out scores of profile predictions (see the module docstring).

    Parameters
    ----------
    logits
        ``(N, T, W)`` predicted profile logits.
    log_counts
        ``(N, T)`` predicted ``log(1 + total)`` per track.
    observed
        ``(N, T, W)`` observed counts.
    names
        One name per track.
    units
        Track indices scored together (a stranded pair ``[0, 1]``, a single track ``[2]``).
    n_bootstrap
        Resamples of the regions for the 95 % intervals (0: none).

    Returns
    -------
    dict
        ``{"n", "per_target": {unit: {measure: {"value", "low", "high"}}}, "summary",
        "definitions"}`` as :func:`seqconv.core.metrics.compute_metrics`; a unit is named by its
        tracks joined with ``+``.
    """
    observed = np.asarray(observed, dtype=np.float64)
    log_counts = np.asarray(log_counts, dtype=np.float64)
    regions = region_scores(logits, observed)
    rng = np.random.default_rng(seed)
    n = observed.shape[0]
    per_target: dict[str, dict] = {}
    every = np.arange(n)
    picks = [rng.integers(0, n, n) for _ in range(n_bootstrap if n > 1 else 0)]
    for unit in units:
        unit = list(unit)
        name = "+".join(names[i] for i in unit)
        sub = {k: v[:, unit] for k, v in regions.items()}
        pred = np.log1p(np.expm1(log_counts[:, unit]).clip(min=0).sum(axis=-1))
        true = np.log1p(observed[:, unit].sum(axis=(1, 2)))
        values = _unit_values(sub, pred, true, every)
        samples = [_unit_values(sub, pred, true, pick) for pick in picks]
        per_target[name] = {m: _with_interval(v, [s[m] for s in samples])
                            for m, v in values.items()}  # fmt: skip
    summary = {
        m: _mean([per_target[u][m]["value"] for u in per_target])
        for m in (*PROFILE_MEASURES, *COUNT_MEASURES)
    }
    summary["regions"] = float(n)
    return {"n": int(n), "per_target": per_target, "summary": summary,
            "definitions": DEFINITIONS}  # fmt: skip


def _with_interval(value: float, samples: list[float]) -> dict[str, float]:
    finite = np.array([s for s in samples if np.isfinite(s)])
    if not np.isfinite(value) or finite.size == 0:
        return {"value": float(value), "low": float("nan"), "high": float("nan")}
    low, high = np.percentile(finite, [2.5, 97.5])
    return {"value": float(value), "low": float(low), "high": float(high)}


def _mean(values: list[float]) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def validation_profile_scores(outputs, targets) -> dict[str, float]:
    """What training validates on: the summary of :func:`profile_scores` (without intervals,
    each track its own unit) over the peaks of ``(N, T, W + 1)`` outputs and packed targets
    (:mod:`seqconv.core.profiles`); background windows are left out, as from the held-out
    scores."""
    from seqconv.core.profiles import log_counts, profile_logits, split_targets

    counts, weight = split_targets(targets)
    peaks = (weight > 0).cpu().numpy()
    if not peaks.any():
        return {}
    logits = profile_logits(outputs).cpu().numpy()[peaks]
    observed = counts.cpu().numpy()[peaks]
    names = [str(i) for i in range(observed.shape[1])]
    units = [[i] for i in range(observed.shape[1])]
    return profile_scores(logits, log_counts(outputs).cpu().numpy()[peaks], observed, names,
                          units, n_bootstrap=0)["summary"]  # fmt: skip
