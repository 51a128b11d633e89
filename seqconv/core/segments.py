"""Segmentation outputs: intervals called from per-position probabilities, and their scores.

A called interval is a run of positions whose probability of a class is at least the threshold
(0.5) and at least ``min_length`` long; its score is the mean probability over the run. A run
records ``min_length`` as half the shortest training interval of each class: a shorter call could
never overlap a true interval of that class by half of the longer of the two.

A true interval counts as found when a called interval of its class overlaps it reciprocally by at
least half (the overlap is at least half of each interval's length); a called interval is right
when it overlaps a true one so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

THRESHOLD = 0.5
OVERLAP = 0.5
DEFINITIONS = {
    "interval_recall": "fraction of true intervals overlapped reciprocally by >= 50 % by a called "
    "interval of their class (called: runs of probability >= 0.5)",
    "interval_precision": "fraction of called intervals that overlap a true interval of their "
    "class reciprocally by >= 50 %",
    "interval_f1": "harmonic mean of interval recall and precision",
}


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (half-open) of the runs of True in a ``(L,)`` boolean array."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def call_intervals(
    probs: np.ndarray, threshold: float = THRESHOLD, min_length: Sequence[int] | None = None
) -> list[tuple[int, int, int, float]]:
    """Intervals of one sequence.

    Parameters
    ----------
    probs
        ``(K, L)`` per-position probabilities.
    min_length
        ``(K,)`` shortest call per class (default 1).

    Returns
    -------
    list
        ``(start, end, class index, mean probability)``, by class then start.
    """
    out = []
    for k in range(probs.shape[0]):
        starts, ends = runs(probs[k] >= threshold)
        shortest = min_length[k] if min_length else 1
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            if e - s >= shortest:
                out.append((s, e, k, float(probs[k, s:e].mean())))
    return out


def _matched(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Per interval of ``a``, whether one of ``b`` overlaps it reciprocally by OVERLAP."""
    (s1, e1), (s2, e2) = a, b
    if len(s1) == 0 or len(s2) == 0:
        return np.zeros(len(s1), dtype=bool)
    inter = np.minimum(e1[:, None], e2[None, :]) - np.maximum(s1[:, None], s2[None, :])
    need = OVERLAP * np.maximum((e1 - s1)[:, None], (e2 - s2)[None, :])
    return ((inter > 0) & (inter >= need)).any(axis=1)


def interval_scores(
    truth: np.ndarray,
    probs: np.ndarray,
    threshold: float = THRESHOLD,
    min_length: Sequence[int] | None = None,
) -> dict:
    """Recall and precision of called intervals.

    Parameters
    ----------
    truth, probs
        ``(N, K, L)`` 0/1 labels and probabilities.

    Returns
    -------
    dict
        ``interval_recall``, ``interval_precision``, ``interval_f1``, ``true_intervals``,
        ``called_intervals``.
    """
    found = right = n_true = n_called = 0
    for n in range(truth.shape[0]):
        for k in range(truth.shape[1]):
            true = runs(truth[n, k] > 0)
            called = runs(probs[n, k] >= threshold)
            if min_length:
                long = (called[1] - called[0]) >= min_length[k]
                called = (called[0][long], called[1][long])
            found += int(_matched(true, called).sum())
            right += int(_matched(called, true).sum())
            n_true += len(true[0])
            n_called += len(called[0])
    recall = found / n_true if n_true else float("nan")
    precision = right / n_called if n_called else float("nan")
    f1 = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
    return {
        "interval_recall": recall,
        "interval_precision": precision,
        "interval_f1": f1,
        "true_intervals": n_true,
        "called_intervals": n_called,
    }


def per_position(truth: np.ndarray, probs: np.ndarray, keep: np.ndarray | None = None):
    """``(N, K, L)`` arrays as ``(M, K)`` rows of positions (``keep``: ``(N, L)`` positions to
    score, e.g. not padding), for per-position metrics."""
    t = np.moveaxis(truth, 1, -1).reshape(-1, truth.shape[1])
    p = np.moveaxis(probs, 1, -1).reshape(-1, probs.shape[1])
    if keep is not None:
        flat = keep.reshape(-1)
        t, p = t[flat], p[flat]
    return t.astype(np.float32), p


def interval_table(
    ids: Sequence[str],
    probs: np.ndarray,
    names: Sequence[str],
    shifts: np.ndarray,
    lengths: np.ndarray,
    threshold: float = THRESHOLD,
    min_length: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Called intervals in each record's own coordinates.

    Parameters
    ----------
    probs
        ``(N, K, L)`` probabilities in window coordinates.
    shifts, lengths
        ``(N,)`` where each record's position 0 lies in its window, and its length
        (:func:`seqconv.dna.intervals.offsets`).

    Returns
    -------
    pd.DataFrame
        ``id, start, end, label, score`` (0-based, half-open), a row per called interval.
    """
    rows = []
    for n, rid in enumerate(ids):
        for s, e, k, score in call_intervals(probs[n], threshold, min_length):
            s, e = max(s - int(shifts[n]), 0), min(e - int(shifts[n]), int(lengths[n]))
            if e > s:
                rows.append((rid, s, e, names[k], score))
    return pd.DataFrame(rows, columns=["id", "start", "end", "label", "score"])


def shortest_calls(labels: np.ndarray) -> list[int]:
    """Per class, half the shortest labelled interval (at least 1): the ``min_length`` of calls.

    ``labels``: ``(N, K, L)`` 0/1."""
    out = []
    for k in range(labels.shape[1]):
        widths = [e - s for row in labels[:, k] for s, e in zip(*runs(row > 0), strict=True)]
        out.append(max(1, int(np.ceil(min(widths) / 2))) if widths else 1)
    return out


def unweighted_logits(outputs, pos_weight: Sequence[float] | None):
    """Logits trained with positive positions weighted by ``w`` estimate ``log(w) + logit(p)``:
    subtract ``log(w)`` per class to read probabilities. ``outputs``: ``(N, K, L)`` tensor."""
    import torch

    if not pos_weight:
        return outputs
    shift = torch.log(torch.tensor(pos_weight, dtype=outputs.dtype, device=outputs.device))
    return outputs - shift[None, :, None]
