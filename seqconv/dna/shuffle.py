"""Exact dinucleotide-preserving shuffles (Altschul & Erickson 1985), vectorised over a batch.

A sequence is an Eulerian trail through the multigraph whose vertices are letters and whose edges
are its dinucleotides. A uniformly random trail with the same first letter is drawn by (1) choosing,
for every letter other than the last, which of its out-edges is used last, such that these edges
form a tree into the last letter, with probability proportional to the product of their
multiplicities, (2) ordering the remaining out-edges of every letter uniformly at random, and (3)
walking. Every trail arises from exactly one choice in (1) and (2), and all such choices are equally
likely, so the trails are exactly uniform.

(1) is Altschul & Erickson's tree step. Instead of their rejection loop (redraw every last edge
until they form a tree), it uses Wilson's algorithm (loop-erased random walks, Propp & Wilson 1998),
which draws the same distribution exactly on the ``(N, k, k)`` dinucleotide counts, in time bounded
by hitting times rather than by the rejection rate (which collapses on repeats such as ``(CA)n``).
(2) is one random permutation of every row followed by a stable radix sort by letter, so the
out-edges of each letter come out in uniformly random order. (3) moves all rows in lockstep, one
Python iteration of five array operations per position. Sequences of different lengths are padded
into batches of similar length; a walk stops moving a row at the row's end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from seqconv.dna.encode import PAD

_CHUNK_CELLS = 1 << 22  # rows per call are capped so the int64 sort order stays ~32 MB
_BUCKET_RATIO = 0.8  # sequences of different lengths share a batch when within this ratio
_MAX_SYMBOLS = 256  # the tree step holds (k, k) dinucleotide counts per row


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
        every dinucleotide, and is uniform over all rows that do.
    """
    codes = np.asarray(codes)
    n, length = codes.shape
    if length < 3 or n == 0:
        return codes.copy()
    out = np.empty_like(codes)
    step = max(1, _CHUNK_CELLS // length)
    for start in range(0, n, step):
        out[start : start + step] = _shuffle_batch(codes[start : start + step], None, rng)
    return out


def shuffle_codes(seqs: Sequence[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """Dinucleotide-shuffle sequences of any lengths, batched by similar length.

    Parameters
    ----------
    seqs
        ``(L_i,)`` code arrays.

    Returns
    -------
    list of np.ndarray
        Shuffled copies in the input order.
    """
    out = [np.array(s, copy=True) for s in seqs]
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    for batch in _length_batches(lengths):
        width = int(lengths[batch[0]])
        dtype = np.result_type(*(out[i].dtype for i in batch))
        # Padding repeats each row's first symbol so it adds no new letter to the batch.
        padded = np.repeat(np.array([out[i][0] for i in batch], dtype=dtype)[:, None], width, 1)
        padded[np.arange(width) < lengths[batch, None]] = np.concatenate([out[i] for i in batch])
        shuffled = _shuffle_batch(padded, lengths[batch], rng)
        for row, i in zip(shuffled, batch, strict=True):
            out[i] = row[: lengths[i]].astype(out[i].dtype, copy=False)
    return out


def _length_batches(lengths: np.ndarray) -> Iterator[np.ndarray]:
    """Indices of sequences to shuffle together, longest first within a batch.

    Only sequences of at least 3 symbols are yielded (shorter ones have a single trail). A batch
    spans lengths within ``_BUCKET_RATIO`` of its longest, which bounds the padding, and at most
    ``_CHUNK_CELLS`` padded cells.
    """
    order = np.argsort(-lengths, kind="stable")
    order = order[lengths[order] >= 3]
    descending = lengths[order]
    start = 0
    while start < order.size:
        width = int(descending[start])
        stop = int(np.searchsorted(-descending, -_BUCKET_RATIO * width, side="right"))
        stop = min(max(stop, start + 1), start + max(1, _CHUNK_CELLS // width))
        yield order[start:stop]
        start = stop


def _shuffle_batch(
    codes: np.ndarray, lengths: np.ndarray | None, rng: np.random.Generator
) -> np.ndarray:
    """Shuffle ``(n, W)`` rows, each of its first ``lengths`` symbols (descending; None: all W).

    Symbols are renumbered ``0..k-1`` over the batch, shuffled by :func:`_shuffle_dense` in chunks
    of rows that bound its ``(rows, ~4 k^2)`` counts, and mapped back. Cells past a row's length
    come back as arbitrary symbols of the batch.
    """
    top = int(codes.max())
    if top < 8 and codes.dtype == np.uint8:
        # DNA codes without PAD: an absent letter costs nothing, so skip the two lookups.
        symbols, dense, k = None, codes, top + 1
    else:
        if top < 1 << 16:
            symbols = np.flatnonzero(np.bincount(codes.ravel(), minlength=top + 1))
        else:
            symbols = np.unique(codes)
        k = symbols.size
        if k > _MAX_SYMBOLS:
            raise ValueError(f"at most {_MAX_SYMBOLS} distinct symbols per batch, got {k}")
        if top < 1 << 16:
            lookup = np.zeros(top + 1, dtype=np.uint8)
            lookup[symbols] = np.arange(k)
            dense = np.take(lookup, codes)
        else:
            dense = np.searchsorted(symbols, codes).astype(np.uint8)
    n = codes.shape[0]
    out = np.empty(codes.shape, dtype=np.uint8)
    step = max(1, _CHUNK_CELLS // _key_layout(k)[1])
    for i in range(0, n, step):
        rows = slice(i, i + step)
        out[rows] = _shuffle_dense(dense[rows], None if lengths is None else lengths[rows], k, rng)
    return out if symbols is None else np.take(symbols.astype(codes.dtype), out)


def _shuffle_dense(
    dense: np.ndarray, lengths: np.ndarray | None, k: int, rng: np.random.Generator
) -> np.ndarray:
    """The three steps of the module docstring on letters ``0..k-1``.

    Parameters
    ----------
    dense
        ``(n, W)`` letters below ``k``; row ``i`` is its first ``lengths[i]`` letters (lengths
        descending, each at least 3), or all ``W`` when ``lengths`` is None.

    Returns
    -------
    np.ndarray
        ``(n, W)`` shuffled letters, uint8 (cells past a row's length are 0).
    """
    n, width = dense.shape
    n_edges = width - 1
    rows = np.arange(n)
    shift, n_keys = _key_layout(k)
    key_type = np.uint8 if n_keys <= 1 << 8 else np.uint16 if n_keys <= 1 << 16 else np.uint32
    edges = dense[:, :-1].astype(key_type)
    edges <<= shift + 1
    edges |= dense[:, 1:]
    if lengths is not None:
        edges[np.arange(n_edges) >= lengths[:, None] - 1] = k << (shift + 1)
    sorted_edges = np.sort(edges, axis=1, kind="stable")  # radix sort for 8 and 16-bit keys
    first = _key_starts(sorted_edges, n_keys)
    counts = np.diff(first, axis=1, append=n_edges)
    # Dinucleotide counts (n, k, k): keys with the flag clear, start letter and end letter below k.
    pairs = counts.reshape(n, k + 1, 2, 1 << shift)[:, :k, 0, :k]
    last_letter = dense[rows, n_edges if lengths is None else lengths - 1].astype(np.intp)
    exit_to = _last_exits(pairs, last_letter, rng)

    # The tree's edge out of a letter is flagged so it sorts last among that letter's out-edges.
    # Which edge of its dinucleotide carries the flag cannot matter (they are interchangeable), so
    # it is the first one of the sorted row, flagged before the rows are permuted.
    letter = np.arange(k)
    has_exit = exit_to != letter
    where = first[rows[:, None], (letter << (shift + 1)) | exit_to][has_exit]
    sorted_edges[np.nonzero(has_exit)[0], where] |= 1 << shift
    # A uniform permutation of the row, restricted to one letter's unflagged edges, orders them
    # uniformly; the stable sort then groups them by letter without disturbing that order.
    permuted = rng.permuted(sorted_edges, axis=1, out=sorted_edges)
    order = np.argsort(permuted >> shift, axis=1, kind="stable")
    order += (rows * n_edges)[:, None]
    ends = np.take(permuted, order, mode="clip")  # one flat gather: take_along_axis is slower
    ends &= (1 << shift) - 1
    ends = ends.astype(dense.dtype, copy=False)

    if lengths is None:
        n_active = np.full(width, n)
    else:
        n_active = n - np.cumsum(np.bincount(lengths, minlength=width))[:width]
    block_start = first[:, letter << (shift + 1)]
    return _walk(ends, block_start, dense[:, 0], n_active, k).T


def _key_starts(sorted_edges: np.ndarray, n_keys: int) -> np.ndarray:
    """``(n, n_keys)`` where each key begins in each ``(n, E)`` sorted row (absent: where the
    next present key begins, or ``E``), from the few places where a row changes value."""
    n, n_edges = sorted_edges.shape
    change = np.ones((n, n_edges), dtype=bool)
    np.not_equal(sorted_edges[:, 1:], sorted_edges[:, :-1], out=change[:, 1:])
    row, at = np.nonzero(change)
    first = np.full((n, n_keys), n_edges, dtype=np.intp)
    first[row, sorted_edges[row, at]] = at
    return np.minimum.accumulate(first[:, ::-1], axis=1)[:, ::-1]


def _key_layout(k: int) -> tuple[int, int]:
    """Bits of an end letter, and number of edge keys, for ``k`` letters.

    An edge's sort key packs (start letter, "used last" flag, end letter) into one small integer,
    so that one radix sort orders edges by start letter with the last-used edge at the end. Start
    letter ``k`` marks the padding edges of short rows, which sort after all others.
    """
    shift = max(1, (k - 1).bit_length())
    return shift, (k + 1) << (shift + 1)


def _last_exits(pairs: np.ndarray, root: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random arborescence into ``root``: the letter each letter leaves by for the last time.

    Wilson's algorithm: from each letter not yet in the tree, a random walk (each step picks an
    out-edge uniformly, self-loops excluded) runs until it reaches the tree, and its loop-erased
    path joins the tree. A tree comes out with probability proportional to the product of its
    edges' multiplicities, as in Altschul & Erickson's rejection step (self-loops, never tree
    edges, only change how often that step rejects).

    Parameters
    ----------
    pairs
        ``(n, k, k)`` dinucleotide counts of each row.
    root
        ``(n,)`` last letter of each row.

    Returns
    -------
    np.ndarray
        ``(n, k)`` the end letter of each letter's last out-edge; a letter without out-edges, and
        the root, map to themselves.
    """
    n, k, _ = pairs.shape
    exits = pairs.copy()
    exits[:, np.arange(k), np.arange(k)] = 0
    cum = np.cumsum(exits, axis=2)
    rows = np.arange(n)
    done = cum[:, :, -1] == 0  # absent letters; in a real sequence only the root may lack exits
    done[rows, root] = True
    exit_to = np.broadcast_to(np.arange(k), (n, k)).copy()
    for start in range(k):
        walking = np.flatnonzero(~done[:, start])
        at = np.full(walking.size, start)
        while walking.size:
            bounds = cum[walking, at]
            step = (bounds <= rng.integers(0, bounds[:, -1])[:, None]).sum(axis=1)
            exit_to[walking, at] = step  # a later visit overwrites: this erases the loops
            going = ~done[walking, step]
            walking, at = walking[going], step[going]
        tracing = np.flatnonzero(~done[:, start])
        at = np.full(tracing.size, start)
        while tracing.size:
            done[tracing, at] = True
            at = exit_to[tracing, at]
            going = ~done[tracing, at]
            tracing, at = tracing[going], at[going]
    return exit_to


def _walk(
    ends: np.ndarray, block_start: np.ndarray, first: np.ndarray, n_active: np.ndarray, k: int
) -> np.ndarray:
    """Follow every row's out-edges in order, all rows in lockstep.

    Parameters
    ----------
    ends
        ``(n, E)`` end letters of each row's edges, grouped by start letter (``block_start``
        ``(n, k)`` where each group begins), in the order they are to be used.
    first
        ``(n,)`` first letters.
    n_active
        ``(E + 1,)`` how many rows (a prefix) are still walking at each position.

    Returns
    -------
    np.ndarray
        ``(E + 1, n)`` letters, position-major so each step writes one contiguous row.
    """
    n, n_edges = ends.shape
    out = np.zeros((n_edges + 1, n), dtype=ends.dtype)
    out[0] = first
    flat = ends.ravel()
    next_edge = (block_start + (np.arange(n) * n_edges)[:, None]).ravel()
    base = np.arange(n) * k
    at = base + first  # index of (row, current letter) into next_edge
    active = n
    for t in range(1, n_edges + 1):
        if n_active[t] < active:
            active = int(n_active[t])
            at, base = at[:active], base[:active]
        edge = np.take(next_edge, at, mode="clip")  # "clip": no bounds check, no buffering
        letters = out[t, :active]
        np.take(flat, edge, out=letters, mode="clip")
        edge += 1
        next_edge[at] = edge
        at = base + letters
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
    return _shuffle_unpadded(codes, rng) if (codes == PAD).any() else shuffle_rows(codes, rng)


def _shuffle_unpadded(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``(N, L)`` rows shuffled from their first to their last non-PAD code, in one batch."""
    real = codes != PAD
    has = real.any(axis=1)
    start = np.where(has, real.argmax(axis=1), 0)
    stop = np.where(has, codes.shape[1] - real[:, ::-1].argmax(axis=1), 0)
    out = codes.copy()
    shuffled = shuffle_codes([row[a:b] for row, a, b in zip(codes, start, stop, strict=True)], rng)
    for row, a, b, s in zip(out, start, stop, shuffled, strict=True):
        row[a:b] = s
    return out


def _shuffle_strings(seqs: list[str], rng: np.random.Generator) -> list[str]:
    arrays = [np.frombuffer(s.encode("latin-1"), dtype=np.uint8) for s in seqs]
    return [a.tobytes().decode("latin-1") for a in shuffle_codes(arrays, rng)]
