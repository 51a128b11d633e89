"""The numbers of the shuffled control: column-shuffled copies of motifs, control p-values and
the expected false calls behind the empirical FDR (the rule itself is described in
:mod:`seqconv.motifs.compare`, which compares the copies with the database).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqconv.motifs.motif import Motif


def column_shuffled(motifs: Sequence[Motif], n_copies: int = 1, seed: int = 0) -> list[Motif]:
    """Decoys: copies of each motif with its columns in a random order.

    Each motif's shuffles are seeded by ``seed`` and the motif's own counts, so a motif gets the
    same copies whatever other motifs are annotated with it.

    Returns
    -------
    list of Motif
        ``n_copies`` per motif, ids ``<id>_shuffled<k>``, motif by motif.
    """
    out = []
    for motif in motifs:
        own = zlib.crc32(np.ascontiguousarray(motif.counts, dtype=np.float64).tobytes())
        rng = np.random.default_rng([seed, own])
        for k in range(n_copies):
            order = rng.permutation(motif.width)
            copy = motif.columns(0, motif.width)
            copy.counts = motif.counts[:, order].copy()
            copy.id = copy.name = f"{motif.id}_shuffled{k}"
            out.append(copy)
    return out


def control_pvalues(k: np.ndarray, n_shuffles: int) -> np.ndarray:
    """``(1 + k) / (1 + n_shuffles)``: ``k`` of a query's copies match its best target as well.

    Parameters
    ----------
    k
        ``(Q,)`` shuffled copies of each query whose p-value against the query's best target is
        at most the query's own.
    """
    return (1 + np.asarray(k, dtype=np.float64)) / (1 + n_shuffles)


def expected_false_calls(
    others: np.ndarray, decoy_best_q: np.ndarray, q_cutoff: float, control_alpha: float
) -> np.ndarray:
    """Per query, the share of its shuffled copies that the matching rule would call matched.

    A copy is judged as a query would be: its best match has ``q < q_cutoff`` and it beats the
    query's other copies at that target, ``(1 + k) / n_shuffles <= control_alpha``.

    Parameters
    ----------
    others
        ``(Q, n_shuffles)`` for every copy, ``k``: how many of the other copies match the copy's
        best target at least as well.
    decoy_best_q
        ``(Q, n_shuffles)`` best q of each copy.

    Returns
    -------
    np.ndarray
        ``(Q,)`` in ``[0, 1]``; summed over queries, the expected number of chance matches.
    """
    n = np.shape(others)[1]
    called = (np.asarray(decoy_best_q) < q_cutoff) & ((1 + np.asarray(others)) / n <= control_alpha)
    return called.mean(axis=1)


@dataclass
class ControlSummary:
    """The shuffled control of an annotation.

    Attributes
    ----------
    n_shuffles
        Decoys per query.
    real_matched
        Queries that count as matched.
    expected_false
        Decoys the same rule calls matched, summed over queries (per set of decoys).
    fdr
        ``expected_false / real_matched`` (``nan`` when no query matched).
    min_information
        The information floor (bits).
    """

    n_shuffles: int
    real_matched: int
    expected_false: float
    fdr: float
    seed: int
    min_information: float = 0.0
