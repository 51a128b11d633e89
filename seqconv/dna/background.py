"""Negatives from the genome: windows outside every peak, matched to the peaks' GC content.

A model trained against dinucleotide-shuffled or uniformly drawn genomic negatives learns sequence
composition as much as binding: peaks are GC-rich, the genome at large is not. Matching the GC
distribution (in bins, as chromBPNet and gReLU do) leaves the model only the sequence itself to
tell them apart.

Candidates are drawn uniformly over every window start that keeps clear of the peaks (±
``flank``) and the excluded regions, rejected when they hold more than ``max_n`` unknown bases,
and binned by GC; each bin then gets ``ratio`` times as many negatives as it has positives. Bins
the genome cannot fill borrow from their nearest neighbours, and the shortfall is announced. A
request the genome cannot hold (more negatives than fit side by side outside the peaks) is
refused before any drawing, with the largest ratio that fits; drawing stops when three batches in
a row add nothing, and reads candidates in batches of at most 64 MiB.
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


MAX_BATCH_BYTES = 1 << 26
"""Candidate windows are read in batches of at most this many bytes of codes (64 MiB)."""


class _FreeStarts:
    """Where a negative window may start: per chromosome, the stretches outside every blocked
    interval (peaks ± flank, excluded regions) that hold a whole window.

    Attributes
    ----------
    chroms, lo, hi
        ``(S,)`` stretches: a window may start anywhere in ``[lo, hi]``.
    room
        Windows that fit side by side without overlapping, over every stretch.
    """

    def __init__(self, sizes: dict[str, int], blocked: pd.DataFrame, length: int) -> None:
        merged = merge_intervals(
            blocked["chrom"].to_numpy(), blocked["start"].to_numpy(), blocked["end"].to_numpy()
        )
        by_chrom = {c: g for c, g in merged.groupby("chrom", sort=False)}
        chroms, los, his, room = [], [], [], 0
        for chrom, size in sizes.items():
            block = by_chrom.get(chrom)
            cuts_lo = np.clip(block["start"].to_numpy(), 0, size) if block is not None else []
            cuts_hi = np.clip(block["end"].to_numpy(), 0, size) if block is not None else []
            free_lo = np.r_[0, cuts_hi].astype(np.int64)
            free_hi = np.r_[cuts_lo, size].astype(np.int64)  # free stretches [free_lo, free_hi)
            fits = free_hi - free_lo >= length
            room += int(((free_hi - free_lo)[fits] // length).sum())
            chroms.extend([chrom] * int(fits.sum()))
            los.append(free_lo[fits])
            his.append(free_hi[fits] - length)
        self.chroms = np.array(chroms, dtype=object)
        self.lo = np.concatenate(los) if los else np.zeros(0, dtype=np.int64)
        self.hi = np.concatenate(his) if his else np.zeros(0, dtype=np.int64)
        self.room = room
        self._ends = np.cumsum(self.hi - self.lo + 1)

    def draw(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` window starts drawn uniformly over every free start: ``(n,)`` chromosome
        indices into :attr:`chroms` and ``(n,)`` starts."""
        u = rng.integers(0, int(self._ends[-1]), size=n)
        which = np.searchsorted(self._ends, u, side="right")
        before = np.where(which > 0, self._ends[np.maximum(which - 1, 0)], 0)
        return which, self.lo[which] + (u - before)


def _covered(intervals: pd.DataFrame | None, sizes: dict[str, int]) -> int:
    """Bases of the genome covered by ``intervals`` (overlaps once)."""
    if intervals is None or intervals.empty:
        return 0
    merged = merge_intervals(
        intervals["chrom"].to_numpy(), intervals["start"].to_numpy(), intervals["end"].to_numpy()
    )
    size = merged["chrom"].map(sizes)
    kept = size.notna().to_numpy()
    lo = np.clip(merged["start"].to_numpy()[kept], 0, size[kept].to_numpy())
    hi = np.clip(merged["end"].to_numpy()[kept], 0, size[kept].to_numpy())
    return int((hi - lo).sum())


def _no_room(
    genome: Genome,
    peaks: pd.DataFrame,
    exclude: pd.DataFrame | None,
    length: int,
    flank: int,
    wanted: int,
    ratio: float,
    room: int,
    alternative: str,
) -> InputError:
    """What keeps negatives from fitting, with the option that frees room."""
    total = max(genome.total_length, 1)
    near = peaks.assign(start=peaks["start"] - flank, end=peaks["end"] + flank)
    peak_share = _covered(near, genome.sizes) / total
    exclude_share = _covered(exclude, genome.sizes) / total
    blocked = f"the peaks ± {flank:,} bp (--flank) cover {peak_share:.0%} of {genome.path.name}"
    if exclude is not None:
        blocked += f", --exclude {exclude_share:.0%}"
    if exclude is not None and exclude_share >= 0.5:
        fix = (
            "--exclude names regions no negative may touch (a blacklist), not the regions to "
            "draw from: give a smaller --exclude file"
        )
    elif peak_share >= 0.5 and flank > length:
        fix = "use a smaller --flank"
    else:
        fix = f"use a smaller --negatives-ratio, a smaller --flank or {alternative}"
    if room == 0:
        return InputError(
            f"no {length} bp window for a negative lies outside the peaks: {blocked}; {fix}"
        )
    largest = max(np.floor(room / max(len(peaks), 1) * 10) / 10, 0.1)
    others = (", or a smaller --flank" if flank else "") + (
        ", or a smaller --exclude" if exclude_share >= 0.5 else ""
    )
    return InputError(
        f"--negatives-ratio {ratio:g} asks for {wanted:,} genomic negatives of {length} bp, but "
        f"outside the peaks there is room for about {room:,} side by side ({blocked}); use "
        f"--negatives-ratio {largest:g} or less{others}"
    )


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
    alternative: str = "--negatives shuffle",
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
    alternative
        The option that does without genomic negatives, for messages.

    Raises
    ------
    InputError
        The negatives asked for do not fit outside the peaks (and excluded regions), or no
        candidate has few enough unknown bases.

    Returns
    -------
    Background
    """
    if ratio <= 0:
        raise InputError(f"--negatives-ratio must be above 0, not {ratio}")
    rng = np.random.default_rng(seed)
    want = np.round(np.bincount(gc_bin(positive_gc), minlength=GC_BINS) * ratio).astype(np.int64)
    total = int(want.sum())
    if total == 0:
        note = (f"--negatives-ratio {ratio:g} x {len(positive_gc):,} windows rounds to no "
                "genomic negative")  # fmt: skip
        empty = np.zeros(0, dtype=np.int64)
        return Background(np.array([], dtype=str), empty, empty.astype(float),
                          np.asarray(positive_gc, dtype=float), 0, [note])  # fmt: skip
    blocked_rows = [peaks.assign(start=peaks["start"] - flank, end=peaks["end"] + flank)]
    if exclude is not None:
        blocked_rows.append(exclude)
    free = _FreeStarts(
        genome.sizes, pd.concat([b[["chrom", "start", "end"]] for b in blocked_rows]), length
    )
    if free.room == 0 or total > free.room:
        raise _no_room(genome, peaks, exclude, length, flank, total, ratio, free.room, alternative)
    limit = max_candidates or max(200_000, 100 * total)
    most = max(MAX_BATCH_BYTES // length, 1)

    pools: list[list[tuple[str, int, float]]] = [[] for _ in range(GC_BINS)]
    seen: set[tuple[str, int]] = set()
    drawn = idle = 0
    while drawn < limit and idle < 3 and any(len(p) < w for p, w in zip(pools, want, strict=True)):
        batch = int(min(max(4 * total, 5_000), limit - drawn, most))
        drawn += batch
        which, all_starts = free.draw(rng, batch)
        found: list[tuple[str, int, float]] = []
        for chrom in np.unique(free.chroms[which]):
            starts = np.sort(all_starts[free.chroms[which] == chrom])
            codes, _ = genome.windows([chrom] * len(starts), starts, length)
            gc, n_frac = gc_fraction(codes)
            ok = n_frac <= max_n
            kept = zip(starts[ok].tolist(), gc[ok].tolist(), strict=True)
            found.extend((str(chrom), s, g) for s, g in kept)
        # in draw order, not chromosome by chromosome: bins that fill up must not favour the
        # first chromosomes (the held-out ones would get too few negatives)
        bins = gc_bin(np.array([g for _, _, g in found]))
        before = sum(len(p) for p in pools)
        for i in rng.permutation(len(found)):
            chrom, start, value = found[i]
            b = int(bins[i])
            if len(pools[b]) < want[b] and (chrom, start) not in seen:
                seen.add((chrom, start))
                pools[b].append(found[i])
        idle = idle + 1 if sum(len(p) for p in pools) == before else 0
    chosen, notes = _fill(pools, want, rng)
    if not chosen:
        raise InputError(
            f"{genome.path}: found no window of {length} bp outside the peaks (± {flank} bp) with "
            f"at most {max_n:.0%} N after {drawn:,} tries (the genome outside them is unknown "
            f"bases, N); use {alternative}, or a genome with sequence there"
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
