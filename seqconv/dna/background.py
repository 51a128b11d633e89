"""Negatives from the genome: windows outside every peak, matched to the peaks' GC content.

A model trained against dinucleotide-shuffled or uniformly drawn genomic negatives learns sequence
composition as much as binding: peaks are GC-rich, the genome at large is not. Matching the GC
distribution (in bins, as chromBPNet and gReLU do) leaves the model only the sequence itself to
tell them apart.

Candidates are drawn uniformly over the genome (chromosomes weighted by length), rejected when
they overlap a peak (± ``flank``) or an excluded region, or hold more than ``max_n`` unknown
bases, and binned by GC; each bin then gets ``ratio`` times as many negatives as it has positives.
Bins the genome cannot fill borrow from their nearest neighbours, and the shortfall is announced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from seqconv.dna.bed import merge_intervals
from seqconv.dna.genome import Genome, gc_fraction
from seqconv.errors import InputError

GC_BINS = 50
"""Bins of 2 % GC: fine enough that matched sets differ by well under a percent in mean GC."""


@dataclass
class Background:
    """GC-matched negative windows.

    Attributes
    ----------
    chroms, starts
        ``(M,)`` chromosome names and window starts.
    gc
        ``(M,)`` GC fraction of each window.
    positive_gc
        ``(N,)`` GC fraction of the positive windows they were matched to.
    drawn
        Candidate windows examined.
    notes
        What the user should know (shortfalls, borrowed bins).
    """

    chroms: np.ndarray
    starts: np.ndarray
    gc: np.ndarray
    positive_gc: np.ndarray
    drawn: int
    notes: list[str] = field(default_factory=list)

    def gc_table(self) -> pd.DataFrame:
        """Counts per 2 % GC bin: ``gc_low, gc_high, positives, negatives``."""
        edges = np.linspace(0, 1, GC_BINS + 1)
        pos = np.bincount(gc_bin(self.positive_gc), minlength=GC_BINS)
        neg = np.bincount(gc_bin(self.gc), minlength=GC_BINS)
        return pd.DataFrame(
            {"gc_low": edges[:-1], "gc_high": edges[1:], "positives": pos, "negatives": neg}
        )

    def summary(self) -> dict:
        """Mean GC of both sets and the largest gap between their GC distribution functions."""
        grid = np.linspace(0, 1, 201)
        cdf_p = np.searchsorted(np.sort(self.positive_gc), grid, side="right") / max(
            len(self.positive_gc), 1
        )
        cdf_n = np.searchsorted(np.sort(self.gc), grid, side="right") / max(len(self.gc), 1)
        return {
            "positives": int(len(self.positive_gc)),
            "negatives": int(len(self.gc)),
            "positive_gc_mean": float(np.mean(self.positive_gc)) if len(self.positive_gc) else 0,
            "negative_gc_mean": float(np.mean(self.gc)) if len(self.gc) else 0,
            "ks_distance": float(np.abs(cdf_p - cdf_n).max()),
            "candidates_drawn": int(self.drawn),
        }


def gc_bin(gc: np.ndarray) -> np.ndarray:
    """The 2 % bin of each GC fraction, ``(N,)`` int in ``[0, GC_BINS)``."""
    return np.minimum((np.asarray(gc) * GC_BINS).astype(np.int64), GC_BINS - 1)


class _Blocked:
    """Per chromosome, sorted non-overlapping intervals no negative may touch."""

    def __init__(self, intervals: pd.DataFrame) -> None:
        merged = merge_intervals(
            intervals["chrom"].to_numpy(),
            intervals["start"].to_numpy(),
            intervals["end"].to_numpy(),
        )
        self._by_chrom = {
            chrom: (g["start"].to_numpy(), g["end"].to_numpy())
            for chrom, g in merged.groupby("chrom", sort=False)
        }

    def overlaps(self, chrom: str, starts: np.ndarray, length: int) -> np.ndarray:
        """``(K,)`` bool: whether ``[start, start + length)`` touches a blocked interval."""
        if chrom not in self._by_chrom:
            return np.zeros(len(starts), dtype=bool)
        lo, hi = self._by_chrom[chrom]
        # the last blocked interval starting before the window's end is the only candidate
        i = np.searchsorted(lo, starts + length, side="left") - 1
        return (i >= 0) & (hi[np.maximum(i, 0)] > starts)


def gc_matched_background(
    genome: Genome,
    peaks: pd.DataFrame,
    positive_gc: np.ndarray,
    length: int,
    ratio: float = 1.0,
    flank: int = 1000,
    exclude: pd.DataFrame | None = None,
    max_n: float = 0.01,
    seed: int = 0,
    max_candidates: int | None = None,
) -> Background:
    """Draw genomic windows matched to the positives' GC distribution.

    Parameters
    ----------
    genome
        The genome the peaks are on.
    peaks
        Every peak (``chrom``, ``start``, ``end``): negatives keep ``flank`` bp away from them.
    positive_gc
        ``(N,)`` GC fraction of the positive windows.
    length
        Window length.
    ratio
        Negatives per positive.
    exclude
        More regions to avoid (``chrom``, ``start``, ``end``; e.g. a blacklist).
    max_n
        Largest fraction of unknown bases in a negative.
    max_candidates
        Stop drawing after this many candidates (default: 100 per negative wanted, at least
        200,000).

    Returns
    -------
    Background
    """
    if ratio <= 0:
        raise InputError(f"--negatives-ratio must be above 0, not {ratio}")
    rng = np.random.default_rng(seed)
    want = np.round(np.bincount(gc_bin(positive_gc), minlength=GC_BINS) * ratio).astype(np.int64)
    total = int(want.sum())
    blocked_rows = [peaks.assign(start=peaks["start"] - flank, end=peaks["end"] + flank)]
    if exclude is not None:
        blocked_rows.append(exclude)
    blocked = _Blocked(pd.concat([b[["chrom", "start", "end"]] for b in blocked_rows]))
    names = np.array([c for c, n in genome.sizes.items() if n > length])
    if names.size == 0:
        raise InputError(f"{genome.path}: no chromosome is longer than the window ({length} bp)")
    weights = np.array([genome.sizes[c] - length for c in names], dtype=float)
    weights /= weights.sum()
    limit = max_candidates or max(200_000, 100 * total)

    pools: list[list[tuple[str, int, float]]] = [[] for _ in range(GC_BINS)]
    seen: set[tuple[str, int]] = set()
    drawn = 0
    while drawn < limit and any(len(p) < w for p, w in zip(pools, want, strict=True)):
        batch = int(min(max(4 * total, 5_000), limit - drawn))
        drawn += batch
        which = rng.choice(len(names), size=batch, p=weights)
        found: list[tuple[str, int, float]] = []
        for index in np.unique(which):
            chrom = str(names[index])
            count = int((which == index).sum())
            starts = rng.integers(0, genome.sizes[chrom] - length + 1, size=count)
            starts = starts[~blocked.overlaps(chrom, starts, length)]
            if starts.size == 0:
                continue
            codes, _ = genome.windows([chrom] * len(starts), starts, length)
            gc, n_frac = gc_fraction(codes)
            ok = n_frac <= max_n
            found.extend((chrom, s, g) for s, g in zip(starts[ok].tolist(), gc[ok].tolist(),
                                                        strict=True))  # fmt: skip
        # in draw order, not chromosome by chromosome: bins that fill up must not favour the
        # first chromosomes (the held-out ones would get too few negatives)
        bins = gc_bin(np.array([g for _, _, g in found]))
        for i in rng.permutation(len(found)):
            chrom, start, value = found[i]
            b = int(bins[i])
            if len(pools[b]) < want[b] and (chrom, start) not in seen:
                seen.add((chrom, start))
                pools[b].append(found[i])
    chosen, notes = _fill(pools, want, rng)
    if not chosen:
        raise InputError(
            f"{genome.path}: found no window of {length} bp outside the peaks (± {flank} bp) with "
            f"at most {max_n:.0%} N after {drawn:,} tries; use --negatives shuffle, a shorter "
            "--length or a smaller --flank"
        )
    chroms = np.array([c for c, _, _ in chosen])
    starts = np.array([s for _, s, _ in chosen], dtype=np.int64)
    gc = np.array([g for _, _, g in chosen])
    return Background(chroms, starts, gc, np.asarray(positive_gc, dtype=float), drawn, notes)


def _fill(
    pools: list[list[tuple[str, int, float]]], want: np.ndarray, rng: np.random.Generator
) -> tuple[list[tuple[str, int, float]], list[str]]:
    """Take each bin's quota; bins short of candidates borrow from the nearest bins with spare."""
    chosen: list[tuple[str, int, float]] = []
    spare = [list(p[w:]) for p, w in zip(pools, want, strict=True)]
    short = 0
    borrowed = 0
    for b, w in enumerate(want):
        take = pools[b][:w]
        chosen.extend(take)
        missing = int(w) - len(take)
        for d in range(1, GC_BINS):
            if missing == 0:
                break
            for nb in (b - d, b + d):
                if 0 <= nb < GC_BINS and missing and spare[nb]:
                    got = spare[nb][:missing]
                    spare[nb] = spare[nb][missing:]
                    chosen.extend(got)
                    borrowed += len(got)
                    missing -= len(got)
        short += missing
    notes = []
    if borrowed:
        notes.append(
            f"{borrowed} negatives come from a neighbouring GC bin: the genome outside the peaks "
            "has few windows as GC-rich (or GC-poor) as some peaks"
        )
    if short:
        notes.append(f"[yellow]warning:[/] {short} fewer negatives than asked: not enough windows")
    order = rng.permutation(len(chosen))
    return [chosen[i] for i in order], notes
