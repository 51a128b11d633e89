"""Tomtom-style comparison of motifs with a database (memelite), with a shuffled control.

Statistics
    ``p`` is memelite's Tomtom p-value of the best alignment of a query with a target (both
    strands, complete score, Euclidean column distance on probabilities); ``E = p × number of
    targets``; ``q`` is the Benjamini–Hochberg adjustment of a query's p-values over all targets.
    ``offset`` and ``overlap`` are memelite's: query column ``i`` is aligned with target column
    ``i + offset`` of the target as given (strand ``+``) or of its reverse complement (strand
    ``-``); ``overlap`` is the number of aligned columns. Target columns are not merged into
    approximate bins (memelite's ``n_target_bins``): with merging, the column that stands for a
    bin is the first in database order, so reordering JASPAR changed p-values up to 68,000-fold
    and the best match of 2 of 128 queries; exact columns cost about 1.5x the time.

Shuffled control
    Tomtom p-values call noise significant (a long, low-information filter easily gets
    ``p < 1e-8`` against long database motifs), and a short motif matches *something* among
    ~900 targets surprisingly well. So every query is also compared as ``n_shuffles``
    column-shuffled copies of itself (same columns, hence the same width, information content and
    composition, in a random order; seeded). A query's *control p* is
    ``(1 + k) / (1 + n_shuffles)``, where ``k`` of its copies match **the query's best target** at
    least as well (p-value at most the query's): does the order of the columns matter for this
    match, or would any arrangement of them do? **A query counts as matched when its best match
    has ``q < q_cutoff``, its control p is at most ``control_alpha`` and it holds at least
    ``min_information`` bits.**

    With the defaults (50 copies, ``control_alpha`` 0.05) at most one of 50 copies may match the
    query's best target as well as the query (requiring all 50 made a real ARID3A filter's call
    depend on which copies were drawn). seqconv 0.1 asked a query to beat all 50 copies at
    matching *anything in the database*. That
    punished short motifs, palindromes above all: ~10 % of any 6-mer's rearrangements match some
    JASPAR motif as well as the E-box does (planted CACGTG at 85 % per base: control p 0.075
    against 200 copies), yet almost none matches MYC's E-box as well (0.005). A GC-rich motif
    whose copies match its SP/KLF target as well as it does is still rejected (GGGGCGGGG: 0.12),
    as composition alone explains it. The information floor rejects
    long filters of a few bits, which match long database motifs by accident (CTCF diluted to 3.8
    bits still gets q 3e-8 against CTCF): a site of under 6 bits occurs every 64 bp by chance.

    The **empirical FDR** is the expected number of copies the same rule would call matched (each
    copy judged at its own best target against the other copies of its query, for the queries
    above the information floor) divided by the number of matched queries.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from seqconv.errors import InputError
from seqconv.motifs.cache import import_tomtom
from seqconv.motifs.control import (
    ControlSummary,
    column_shuffled,
    control_pvalues,
    expected_false_calls,
)
from seqconv.motifs.database import MotifDatabase
from seqconv.motifs.motif import Motif

MATCH_COLUMNS = [
    "query",
    "target_id",
    "target_name",
    "tf_family",
    "tf_class",
    "p",
    "E",
    "q",
    "offset",
    "strand",
    "overlap",
]


def bh_qvalues(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values along the last axis.

    Parameters
    ----------
    p
        ``(..., T)`` p-values.

    Returns
    -------
    np.ndarray
        Same shape; ``q = min over j >= rank of p_(j) * T / j``, capped at 1.
    """
    p = np.asarray(p, dtype=np.float64)
    n = p.shape[-1]
    order = np.argsort(p, axis=-1, kind="stable")
    ranked = np.take_along_axis(p, order, axis=-1) * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[..., ::-1], axis=-1)[..., ::-1]
    q = np.empty_like(p)
    np.put_along_axis(q, order, np.minimum(ranked, 1.0), axis=-1)
    return q


@dataclass
class Comparison:
    """Every query against every target.

    Attributes
    ----------
    queries, targets
        The motifs compared.
    p, E, q
        ``(Q, T)`` float64.
    offsets, overlaps
        ``(Q, T)`` int64 (see the module docstring).
    strands
        ``(Q, T)`` ``"+"`` or ``"-"``.
    """

    queries: list[Motif]
    targets: list[Motif]
    p: np.ndarray
    E: np.ndarray
    q: np.ndarray
    offsets: np.ndarray
    overlaps: np.ndarray
    strands: np.ndarray

    def best(self) -> np.ndarray:
        """``(Q,)`` index of each query's best target (lowest p)."""
        return np.argmin(self.p, axis=1)

    def table(self, q_cutoff: float | None = None) -> pd.DataFrame:
        """Query–target pairs (those with ``q < q_cutoff`` when given), lowest p first."""
        rows, cols = (
            np.nonzero(self.q < q_cutoff)
            if q_cutoff is not None
            else np.indices(self.p.shape).reshape(2, -1)
        )
        order = np.lexsort((rows, self.p[rows, cols]))
        rows, cols = rows[order], cols[order]
        return pd.DataFrame(
            {
                "query": [self.queries[i].id for i in rows],
                "target_id": [self.targets[j].id for j in cols],
                "target_name": [self.targets[j].name for j in cols],
                "tf_family": [self.targets[j].tf_family for j in cols],
                "tf_class": [self.targets[j].tf_class for j in cols],
                "p": self.p[rows, cols],
                "E": self.E[rows, cols],
                "q": self.q[rows, cols],
                "offset": self.offsets[rows, cols],
                "strand": self.strands[rows, cols],
                "overlap": self.overlaps[rows, cols],
            },
            columns=MATCH_COLUMNS,
        )


def _ppm(motif: Motif) -> np.ndarray:
    return np.ascontiguousarray(motif.ppm, dtype=np.float64)


def compare_motifs(
    queries: Sequence[Motif],
    database: MotifDatabase | Sequence[Motif],
    n_jobs: int = -1,
) -> Comparison:
    """Tomtom (memelite) p-values of every query against every target, both strands.

    Parameters
    ----------
    queries
        Motifs to annotate; compared as probabilities (:attr:`Motif.ppm`).
    database
        Targets.
    n_jobs
        numba threads (``-1``: all).

    Returns
    -------
    Comparison
    """
    queries = list(queries)
    targets = list(database)
    if not queries:
        raise InputError("no query motifs to compare")
    if not targets:
        raise InputError("the motif database is empty")
    tomtom = import_tomtom()
    with warnings.catch_warnings():
        if len(targets) >= 25:
            warnings.simplefilter("ignore", RuntimeWarning)
        p, _scores, offsets, overlaps, strands = tomtom(
            [_ppm(m) for m in queries],
            [_ppm(m) for m in targets],
            n_target_bins=None,  # exact target columns: p-values independent of database order
            n_jobs=n_jobs,
        )
    p = np.clip(np.nan_to_num(p, nan=1.0), 0.0, 1.0)
    return Comparison(
        queries=queries,
        targets=targets,
        p=p,
        E=p * len(targets),
        q=bh_qvalues(p),
        offsets=offsets.astype(np.int64),
        overlaps=overlaps.astype(np.int64),
        strands=np.where(strands.astype(np.int64) == 1, "-", "+"),
    )


@dataclass
class Annotation:
    """Database matches of a set of motifs (filters, patterns) with the shuffled control.

    Attributes
    ----------
    comparison
        Every query against every target.
    best
        One row per query: ``query, target_id, target_name, tf_family, tf_class, p, E, q,
        offset, strand, overlap, information, control_p, matched``.
    matches
        All pairs with ``q < q_cutoff``, lowest p first (columns as in :data:`MATCH_COLUMNS`
        plus ``matched``: whether the query counts as matched).
    control
        Summary of the decoys.
    q_cutoff, control_alpha
        The cut-offs used.
    """

    comparison: Comparison
    best: pd.DataFrame
    matches: pd.DataFrame
    control: ControlSummary
    q_cutoff: float
    control_alpha: float
    notes: list[str] = field(default_factory=list)

    @property
    def matched(self) -> pd.DataFrame:
        """Rows of :attr:`best` that count as matched."""
        return self.best[self.best["matched"]]

    def best_fields(self, query: str) -> dict:
        """The best-match columns of a motif table for one query (:data:`NO_MATCH` when the
        query was not annotated)."""
        if query not in self._best_by_query.index:
            return dict(NO_MATCH)
        b = self._best_by_query.loc[query]
        return {
            "best_match": b["target_id"],
            "best_name": b["target_name"],
            "tf_family": b["tf_family"],
            "tf_class": b["tf_class"],
            "p": float(b["p"]),
            "q": float(b["q"]),
            "control_p": float(b["control_p"]),
            "matched": bool(b["matched"]),
        }

    @cached_property
    def _best_by_query(self) -> pd.DataFrame:
        return self.best.set_index("query")


NO_MATCH = {
    "best_match": "",
    "best_name": "",
    "tf_family": "",
    "tf_class": "",
    "p": np.nan,
    "q": np.nan,
    "control_p": np.nan,
    "matched": False,
}
"""Best-match columns of a motif without an annotation."""


HIGH_FDR = 0.1


def annotate_motifs(
    queries: Sequence[Motif],
    database: MotifDatabase | Sequence[Motif],
    q_cutoff: float = 0.05,
    n_shuffles: int = 50,
    control_alpha: float = 0.05,
    seed: int = 0,
    n_jobs: int = -1,
    min_information: float = 6.0,
    eligible: np.ndarray | None = None,
) -> Annotation:
    """Compare motifs with a database and decide which are matched (see module docstring).

    Parameters
    ----------
    queries
        Motifs (e.g. filter PFMs: :meth:`FilterMotif.to_motif`).
    database
        Targets (:func:`seqconv.motifs.database.load_database`).
    q_cutoff
        Tomtom q-value cut-off.
    n_shuffles
        Column-shuffled copies per query (``0`` disables the control: then ``control_p`` is
        ``nan`` and a query is matched on its q-value and information alone). Costs
        ``n_shuffles`` times the comparison of the queries themselves.
    control_alpha
        Largest control p of a matched query; needs ``n_shuffles >= 1/control_alpha - 1``.
    seed
        Seed of the shuffles.
    min_information
        Fewest bits (total information content) of a matched query.
    eligible
        ``(Q,)`` bool: queries that may be named at all (e.g. influential filters); ``None``: all.

    Returns
    -------
    Annotation
    """
    queries = list(queries)
    targets = list(database)
    real = compare_motifs(queries, targets, n_jobs)
    n = len(queries)
    best_idx = real.best()
    rows = np.arange(n)
    best = pd.DataFrame(
        {
            "query": [m.id for m in queries],
            "target_id": [targets[j].id for j in best_idx],
            "target_name": [targets[j].name for j in best_idx],
            "tf_family": [targets[j].tf_family for j in best_idx],
            "tf_class": [targets[j].tf_class for j in best_idx],
            "p": real.p[rows, best_idx],
            "E": real.E[rows, best_idx],
            "q": real.q[rows, best_idx],
            "offset": real.offsets[rows, best_idx],
            "strand": real.strands[rows, best_idx],
            "overlap": real.overlaps[rows, best_idx],
            "information": [m.information for m in queries],
        }
    )
    informative = best["information"].to_numpy() >= min_information
    if eligible is not None:
        informative &= np.asarray(eligible, dtype=bool)
    significant = (best["q"].to_numpy() < q_cutoff) & informative
    notes = []
    expected_false = 0.0
    if n_shuffles > 0:
        decoys = column_shuffled(
            [queries[i] for i in np.flatnonzero(informative)], n_shuffles, seed
        )
        control_p = np.full(n, np.nan)
        if decoys:
            k, others, decoy_q = _decoy_statistics(
                decoys, targets, n_shuffles, best_idx[informative],
                best["p"].to_numpy()[informative], n_jobs,
            )  # fmt: skip
            control_p[informative] = control_pvalues(k, n_shuffles)
            expected_false = float(
                expected_false_calls(others, decoy_q, q_cutoff, control_alpha).sum()
            )
        best["control_p"] = control_p
        best["matched"] = significant & (np.nan_to_num(control_p, nan=1.0) <= control_alpha)
        if 1 / (1 + n_shuffles) > control_alpha:
            notes.append(
                f"{n_shuffles} shuffled copies cannot give a control p <= {control_alpha}: "
                f"no motif can count as matched; use at least {math.ceil(1 / control_alpha) - 1}"
            )
    else:
        best["control_p"] = np.nan
        best["matched"] = significant
    real_matched = int(best["matched"].sum())
    fdr = expected_false / real_matched if real_matched and n_shuffles else np.nan
    if real_matched and fdr > HIGH_FDR:
        notes.append(
            f"empirical FDR {fdr:.2f}: about {expected_false:.1f} of the {real_matched} matched "
            "motifs could be chance matches; read the names with care (a stricter --q or "
            "--control-alpha, or more informative motifs, lower it)"
        )
    matches = real.table(q_cutoff)
    matched_ids = set(best.loc[best["matched"], "query"])
    matches["matched"] = matches["query"].isin(matched_ids)
    control = ControlSummary(
        n_shuffles, real_matched, expected_false, float(fdr), seed, float(min_information)
    )
    return Annotation(
        real, best, matches.reset_index(drop=True), control, q_cutoff, control_alpha, notes
    )


def _decoy_statistics(
    decoys: list[Motif],
    targets: list[Motif],
    n_shuffles: int,
    best_target: np.ndarray,
    best_p: np.ndarray,
    n_jobs: int,
    cells: int = 2_000_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the control needs from the shuffled copies, compared with the database in chunks of
    about ``cells`` copy-target pairs (all copies at once would take gigabytes).

    Returns
    -------
    tuple of np.ndarray
        ``(Q,)`` copies matching their query's best target at least as well as the query;
        ``(Q, n)`` for every copy, the other copies matching the copy's own best target at least
        as well; ``(Q, n)`` best q of every copy.
    """
    n_queries, n = len(best_p), n_shuffles
    k = np.zeros(n_queries, dtype=np.int64)
    others = np.zeros((n_queries, n), dtype=np.int64)
    best_q = np.zeros((n_queries, n))
    step = max(1, cells // max(len(targets) * n, 1))  # queries per chunk
    for start in range(0, n_queries, step):
        stop = min(n_queries, start + step)
        part = compare_motifs(decoys[start * n : stop * n], targets, n_jobs)
        p = part.p.reshape(stop - start, n, -1)
        q = part.q.reshape(stop - start, n, -1)
        for i in range(stop - start):
            k[start + i] = (p[i, :, best_target[start + i]] <= best_p[start + i]).sum()
            own = p[i].argmin(axis=1)
            at_own = p[i][:, own]  # (other copies, copies): every copy at each copy's target
            others[start + i] = (at_own <= p[i][np.arange(n), own][None, :]).sum(axis=0) - 1
            best_q[start + i] = q[i].min(axis=1)
    return k, others, best_q
