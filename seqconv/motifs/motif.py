"""A motif as a position frequency matrix, and the arithmetic on it (probabilities, bits, trimming).

Every matrix in :mod:`seqconv.motifs` has the layout ``(4, W)``: rows are the bases A, C, G, T
(the channel order of one-hot sequences), columns are positions. This is also memelite's layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from seqconv.errors import InputError

BASES = "ACGT"
UNIFORM = np.full(4, 0.25)


def as_background(background: np.ndarray | None) -> np.ndarray:
    """A checked ``(4,)`` float64 background distribution (uniform when ``None``)."""
    if background is None:
        return UNIFORM.copy()
    bg = np.asarray(background, dtype=np.float64).reshape(-1)
    if bg.shape != (4,) or (bg < 0).any() or bg.sum() <= 0:
        raise InputError(f"a background needs four non-negative frequencies (A, C, G, T), got {bg}")
    return bg / bg.sum()


def ppm_from_counts(
    counts: np.ndarray, pseudocount: float = 0.0, background: np.ndarray | None = None
) -> np.ndarray:
    """Column-normalised probabilities.

    Parameters
    ----------
    counts
        ``(4, W)`` non-negative counts (rows A, C, G, T).
    pseudocount
        Total pseudocount added to each column, spread over the bases as the background.
    background
        ``(4,)`` base frequencies; uniform when ``None``. A column without counts becomes it.

    Returns
    -------
    np.ndarray
        ``(4, W)`` float64; every column sums to 1.
    """
    bg = as_background(background)
    smoothed = np.asarray(counts, dtype=np.float64) + pseudocount * bg[:, None]
    totals = smoothed.sum(axis=0, keepdims=True)
    empty = totals[0] <= 0
    out = np.divide(smoothed, totals, out=np.zeros_like(smoothed), where=totals > 0)
    out[:, empty] = bg[:, None]
    return out


def information_content(ppm: np.ndarray, background: np.ndarray | None = None) -> np.ndarray:
    """Relative entropy of each column against the background, in bits.

    Parameters
    ----------
    ppm
        ``(4, W)`` probabilities.

    Returns
    -------
    np.ndarray
        ``(W,)`` bits; at most 2 for a uniform background.
    """
    bg = as_background(background)[:, None]
    p = np.asarray(ppm, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p / bg), 0.0)
    return np.maximum(terms.sum(axis=0), 0.0)


def trim_bounds(bits: np.ndarray, min_bits: float = 0.5, min_width: int = 4) -> tuple[int, int]:
    """Columns to keep after dropping low-information edges.

    The kept range runs from the first to the last column with at least ``min_bits``; when it is
    narrower than ``min_width`` it is widened around its centre (or, when no column reaches
    ``min_bits``, placed on the most informative window of that width).

    Parameters
    ----------
    bits
        ``(W,)`` information content of each column.

    Returns
    -------
    tuple of int
        ``(start, stop)``: keep columns ``start:stop``.
    """
    width = len(bits)
    min_width = max(1, min(min_width, width))
    strong = np.flatnonzero(bits >= min_bits)
    if strong.size:
        start, stop = int(strong[0]), int(strong[-1]) + 1
    else:
        sums = np.convolve(bits, np.ones(min_width), mode="valid")
        start = int(np.argmax(sums))
        stop = start + min_width
    missing = min_width - (stop - start)
    if missing > 0:
        start = max(0, start - missing // 2)
        stop = start + min_width
        if stop > width:
            start, stop = width - min_width, width
    return start, stop


class CountsMatrix:
    """What follows from ``counts`` ``(4, W)``, ``pseudocount`` and ``background`` (a mixin)."""

    counts: np.ndarray
    pseudocount: float
    background: np.ndarray

    @property
    def width(self) -> int:
        """Number of columns ``W``."""
        return self.counts.shape[1]

    @property
    def ppm(self) -> np.ndarray:
        """``(4, W)`` probabilities (with :attr:`pseudocount`)."""
        return ppm_from_counts(self.counts, self.pseudocount, self.background)

    @property
    def bits(self) -> np.ndarray:
        """``(W,)`` information content per column against :attr:`background`."""
        return information_content(self.ppm, self.background)

    @property
    def information(self) -> float:
        """Total information content in bits."""
        return float(self.bits.sum())


class SiteCounts(CountsMatrix):
    """Base counts of a model's aligned sites (a filter's, a unit's): what makes them a
    :class:`Motif`. Subclasses give ``id`` and ``nsites``."""

    nsites: int

    @property
    def id(self) -> str:
        raise NotImplementedError

    def to_motif(self) -> Motif:
        """As a :class:`Motif` named by :attr:`id`."""
        return Motif(
            self.id,
            self.counts,
            nsites=self.nsites,
            pseudocount=self.pseudocount,
            background=self.background,
        )


@dataclass
class Motif(CountsMatrix):
    """A named position frequency matrix.

    Attributes
    ----------
    id
        Identifier (``MA0079.3``, ``filter12``).
    counts
        ``(4, W)`` float64 counts (or probabilities) with rows A, C, G, T.
    name
        Human name (``SP1``); defaults to ``id``.
    nsites
        Number of sites the counts come from (``None``: unknown).
    tf_class, tf_family
        Transcription-factor structural class and family (JASPAR), ``""`` when unknown.
    pseudocount
        Total pseudocount per column used by :attr:`ppm` (spread as ``background``).
    background
        ``(4,)`` base frequencies used for pseudocounts and information content.
    """

    id: str
    counts: np.ndarray
    name: str = ""
    nsites: float | None = None
    tf_class: str = ""
    tf_family: str = ""
    pseudocount: float = 0.0
    background: np.ndarray = field(default_factory=lambda: UNIFORM.copy())

    def __post_init__(self) -> None:
        counts = np.asarray(self.counts, dtype=np.float64)
        if counts.ndim != 2 or counts.shape[0] != 4 or counts.shape[1] < 1:
            raise InputError(
                f"motif {self.id!r}: expected a (4, W) matrix with rows A, C, G, T, "
                f"got shape {counts.shape}"
            )
        if not np.isfinite(counts).all() or (counts < 0).any():
            raise InputError(f"motif {self.id!r}: counts must be finite and non-negative")
        self.counts = counts
        self.background = as_background(self.background)
        self.name = self.name or self.id

    @property
    def consensus(self) -> str:
        """Most probable base of each column."""
        return "".join(BASES[i] for i in self.ppm.argmax(axis=0))

    def reverse_complement(self) -> Motif:
        """The motif on the other strand (columns reversed, A↔T, C↔G)."""
        flipped = self.counts[::-1, ::-1].copy()
        return replace(self, counts=flipped, background=self.background[::-1].copy())

    def columns(self, start: int, stop: int) -> Motif:
        """The motif restricted to columns ``start:stop``."""
        return replace(self, counts=self.counts[:, start:stop].copy())
