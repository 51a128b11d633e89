"""Exact dinucleotide-preserving shuffles (Altschul & Erickson 1985), vectorised over a batch.

A sequence is an Eulerian trail through the multigraph whose vertices are letters and whose edges
are its dinucleotides. A uniformly random trail with the same first letter is drawn by (1) choosing,
for every letter other than the last, which of its out-edges is used last, such that these edges
form a tree into the last letter (Altschul & Erickson's rejection step), (2) ordering the remaining
out-edges of every letter at random, and (3) walking. All sequences of a batch move in lockstep, so
the Python loop runs once per position, not once per sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from seqconv.dna.encode import PAD


def shuffle_rows(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Dinucleotide-shuffle every row of a batch of equal-length symbol arrays.

    Parameters
    ----------
    codes
        ``(N, L)`` small non-negative integers (uint8 codes, or bytes of a string).
    rng
        Source of randomness.

    Returns
    -------
    np.ndarray
        ``(N, L)`` same dtype; every row keeps its first and last symbol and the exact count of
        every dinucleotide.
    """
    codes = np.asarray(codes)
    n, length = codes.shape
    if length < 3 or n == 0:
        return codes.copy()
    k = int(codes.max()) + 1
    rows = np.arange(n)[:, None]
    counts = np.zeros((n, k), dtype=np.int64)
    np.add.at(counts, (np.broadcast_to(rows, (n, length - 1)), codes[:, :-1]), 1)
    group_start = np.cumsum(counts, axis=1) - counts
    # Each row's edges grouped by start letter, in random order within a group: the last edge of a
    # group is the one its letter leaves by for the last time.
    edge_order = _grouped_random_order(codes, rng)
    todo = np.arange(n)
    while todo.size:  # Altschul & Erickson: redraw the rows whose last edges form a cycle
        bad = todo[
            _rows_without_tree(codes[todo], edge_order[todo], counts[todo], group_start[todo])
        ]
        edge_order[bad] = _grouped_random_order(codes[bad], rng)
        todo = bad

    sorted_dst = np.take_along_axis(codes[:, 1:], edge_order, axis=1)
    next_edge = group_start.copy()
    out = np.empty_like(codes)
    out[:, 0] = codes[:, 0]
    row = rows[:, 0]
    for t in range(1, length):
        letter = out[:, t - 1]
        pick = next_edge[row, letter]
        next_edge[row, letter] += 1
        out[:, t] = sorted_dst[row, pick]
    return out


def _grouped_random_order(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(n, L - 1)`` edge indices of each row, sorted by start letter, random within a letter."""
    n, length = codes.shape
    perm = rng.permuted(np.broadcast_to(np.arange(length - 1), (n, length - 1)), axis=1)
    letters = np.take_along_axis(codes[:, :-1], perm, axis=1)
    return np.take_along_axis(perm, np.argsort(letters, axis=1, kind="stable"), axis=1)


def _rows_without_tree(
    codes: np.ndarray, edge_order: np.ndarray, counts: np.ndarray, group_start: np.ndarray
) -> np.ndarray:
    """Rows whose last out-edges do not form a tree into the row's last letter.

    Parameters
    ----------
    codes
        ``(n, L)`` symbols; ``edge_order`` ``(n, L - 1)`` from :func:`_grouped_random_order`;
        ``counts`` and ``group_start`` ``(n, k)`` out-edges per letter and where they begin.

    Returns
    -------
    np.ndarray
        Indices (into the ``n`` rows) of the rows to redraw.
    """
    n, k = counts.shape
    rows = np.arange(n)[:, None]
    present = counts > 0
    last_edge = np.take_along_axis(edge_order, np.maximum(group_start + counts - 1, 0), axis=1)
    parent = np.where(present, codes[rows, last_edge + 1], np.arange(k))
    root = codes[:, -1].astype(np.int64)
    parent[rows[:, 0], root] = root
    node = np.broadcast_to(np.arange(k), (n, k))
    for _ in range(k):  # a tree over at most k letters has depth below k
        node = parent[rows, node]
    return np.flatnonzero((present & (node != root[:, None])).any(axis=1))


def shuffle_codes(seqs: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Dinucleotide-shuffle sequences of any lengths (grouped by length, one batch per group).

    Parameters
    ----------
    seqs
        ``(L_i,)`` code arrays.

    Returns
    -------
    list of np.ndarray
        Shuffled copies in the input order.
    """
    out: list[np.ndarray] = [np.empty(0, dtype=np.uint8)] * len(seqs)
    by_length: dict[int, list[int]] = {}
    for i, s in enumerate(seqs):
        by_length.setdefault(len(s), []).append(i)
    for indices in by_length.values():
        shuffled = shuffle_rows(np.stack([seqs[i] for i in indices]), rng)
        for row, i in zip(shuffled, indices, strict=True):
            out[i] = row
    return out


def dinucleotide_shuffle(seq, seed: int | None = None):
    """Shuffle sequences keeping every dinucleotide count and the first and last letter.

    Parameters
    ----------
    seq
        A string (shuffled letter by letter, case kept), a list of strings, uint8 codes ``(L,)``,
        or a batch of codes ``(N, L)`` (padding codes are left in place at the ends).
    seed
        Seed of the random generator; the same seed gives the same shuffle.

    Returns
    -------
    The same type and shape as ``seq``.

    Examples
    --------
    >>> dinucleotide_shuffle("AACGTTACGA", seed=1)[0], len(dinucleotide_shuffle("AACGTTACGA"))
    ('A', 10)
    """
    rng = np.random.default_rng(seed)
    if isinstance(seq, str):
        return _shuffle_strings([seq], rng)[0]
    if isinstance(seq, list | tuple):
        return type(seq)(_shuffle_strings(list(seq), rng))
    codes = np.asarray(seq)
    if codes.ndim == 1:
        return shuffle_rows(codes[None], rng)[0]
    if codes.ndim != 2:
        raise ValueError(f"expected codes of shape (L,) or (N, L), got {codes.shape}")
    return (
        np.stack([_shuffle_unpadded(row, rng) for row in codes])
        if (codes == PAD).any()
        else (shuffle_rows(codes, rng))
    )


def _shuffle_unpadded(row: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    keep = np.flatnonzero(row != PAD)
    out = row.copy()
    if keep.size:
        start, stop = keep[0], keep[-1] + 1
        out[start:stop] = shuffle_rows(row[None, start:stop], rng)[0]
    return out


def _shuffle_strings(seqs: list[str], rng: np.random.Generator) -> list[str]:
    arrays = [np.frombuffer(s.encode("latin-1"), dtype=np.uint8) for s in seqs]
    return [a.tobytes().decode("latin-1") for a in shuffle_codes(arrays, rng)]
