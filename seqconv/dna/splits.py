"""Train/validation/test splits: whole chromosomes held out when ids carry coordinates.

Ids like ``chr1:100-300``, ``chr1:100-300(+)`` or ``chr1:100-300:-`` name a genomic interval.
Neighbouring peaks share sequence and signal, so a random split would leak; holding out whole
chromosomes does not. The defaults follow DeepSEA (Zhou & Troyanskaya 2015): validation ``chr7``,
test ``chr8`` and ``chr9``. When those chromosomes are absent (another genome, a subset), whole
chromosomes are drawn at random (seeded) until each held-out set has about 10 % of the records.
Without coordinates the split is random, stratified by class.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqconv.dna.strings import Gathered, Strings
from seqconv.errors import InputError

COORDINATE_RE = re.compile(
    r"^(?P<chrom>[^\s:]+):(?P<start>[\d,]+)-(?P<end>[\d,]+)(?:[(:](?P<strand>[+.-])\)?)?$"
)
DEFAULT_VALID_CHROMS = ("chr7",)
DEFAULT_TEST_CHROMS = ("chr8", "chr9")
SPLITS = ("train", "valid", "test")


@dataclass
class Split:
    """Which records train, validate and test, and how that was decided.

    Attributes
    ----------
    codes
        ``(N,)`` uint8: 0 train, 1 valid, 2 test (:data:`SPLITS`), one byte per record.
    method
        ``"chromosome"`` or ``"random"``.
    valid_chroms, test_chroms
        Held-out chromosomes (chromosome splits).
    seed
        Seed of the random parts.
    """

    codes: np.ndarray
    method: str
    valid_chroms: list[str]
    test_chroms: list[str]
    seed: int

    @property
    def assignment(self) -> np.ndarray:
        """``(N,)`` ``"train"``, ``"valid"`` or ``"test"`` per record (a string each)."""
        return np.array(SPLITS)[self.codes]

    def indices(self, name: str) -> np.ndarray:
        """Record indices of one split (``"train"``, ``"valid"`` or ``"test"``)."""
        return np.flatnonzero(self.codes == SPLITS.index(name))

    def counts(self) -> dict[str, int]:
        found = np.bincount(self.codes, minlength=len(SPLITS))
        return {name: int(found[i]) for i, name in enumerate(SPLITS)}

    def describe(self) -> dict:
        """A JSON-ready record of the split (stored in a run's config)."""
        return {
            "method": self.method,
            "valid_chroms": self.valid_chroms,
            "test_chroms": self.test_chroms,
            "seed": self.seed,
            "counts": self.counts(),
        }


def chromosome_of(record_id: str) -> str | None:
    """The chromosome of an id like ``chr1:100-300`` (``None`` without coordinates)."""
    match = COORDINATE_RE.match(record_id)
    return match.group("chrom") if match else None


def chromosome_codes(groups: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Per record, the index of its id's chromosome in the sorted list of chromosomes (``-1``:
    no coordinates), read with bounded memory from compact ids
    (:class:`~seqconv.dna.strings.Gathered` ids are parsed once per distinct record)."""
    if isinstance(groups, Gathered):
        codes, names = chromosome_codes(groups.strings)
        return codes[groups.index], names
    found: dict[str, int] = {}
    codes = np.empty(len(groups), dtype=np.int32)
    chunks = groups.chunks() if isinstance(groups, Strings) else [list(groups)]
    position = 0
    for chunk in chunks:
        for record_id in chunk:
            chrom = chromosome_of(record_id)
            codes[position] = -1 if chrom is None else found.setdefault(chrom, len(found))
            position += 1
    names = sorted(found)
    rank = np.array([names.index(c) for c in found] + [-1], dtype=np.int32)  # -1 -> -1
    return rank[codes], names


SORTED_KEYS = 1_000_000
"""Up to this many records, groups are keyed in the sorted order of their ids (the random
split of a seed stays what it was); beyond, by hash (sorting millions of strings costs memory)."""


def group_keys(groups: Sequence[str]) -> np.ndarray:
    """``(N,)`` int64 dense keys ``0..G-1``: records with the same group get the same key, and
    keys follow the order of what they stand for (``np.unique``'s inverse)."""
    if isinstance(groups, Gathered) and len(groups.strings) > SORTED_KEYS:
        return _dense(np.asarray(groups.index, dtype=np.int64))
    if isinstance(groups, Strings) and len(groups) > SORTED_KEYS:
        return _dense(groups.hashes())
    return _dense(np.asarray(list(groups), dtype=str))


def _dense(values: np.ndarray) -> np.ndarray:
    """``np.unique(values, return_inverse=True)[1]`` as int64, skipping the sort (a few times
    the array's memory) where ``values`` are already the integers ``0..G-1``."""
    if values.dtype.kind == "i" and len(values) and values.min() >= 0:
        if np.bincount(values).all():
            return values
    return np.unique(values, return_inverse=True)[1].astype(np.int64, copy=False).ravel()


def make_split(
    groups: Sequence[str],
    strata: np.ndarray | None = None,
    valid_chroms: Sequence[str] | None = None,
    test_chroms: Sequence[str] | None = None,
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
    seed: int = 0,
) -> Split:
    """Split records into train, validation and test sets.

    Parameters
    ----------
    groups
        Per record, the id that places it (records with the same group land in the same split):
        a list, or compact :class:`~seqconv.dna.strings.Strings` /
        :class:`~seqconv.dna.strings.Gathered` ids.
    strata
        ``(N,)`` class per record to stratify a random split by (``None``: unstratified).
    valid_chroms, test_chroms
        Chromosomes to hold out; ``None`` uses the defaults (or a random draw where absent).
    valid_fraction, test_fraction
        Target fractions for random splits and for drawn chromosomes.
    seed
        Seed for every random choice.

    Returns
    -------
    Split
    """
    codes, names = chromosome_codes(groups)
    explicit = valid_chroms is not None or test_chroms is not None
    if len(codes) and (codes >= 0).all():
        counts = np.bincount(codes, minlength=len(names))
        chosen = _choose_chromosomes(names, counts, valid_chroms, test_chroms, valid_fraction,
                                     test_fraction, seed)  # fmt: skip
        if chosen is not None:
            valid, test = chosen
            part = np.array([2 if c in test else 1 if c in valid else 0 for c in names], np.uint8)
            return Split(part[codes], "chromosome", sorted(valid), sorted(test), seed)
    elif explicit:
        bad = groups[int(np.flatnonzero(codes < 0)[0])]
        raise InputError(
            f"held-out chromosomes were given, but id {bad!r} has no coordinates "
            "(expected ids like chr1:100-300)"
        )
    return random_split(groups, strata, valid_fraction, test_fraction, seed)


def _choose_chromosomes(
    names: list[str],
    counts: np.ndarray,
    valid_chroms: Sequence[str] | None,
    test_chroms: Sequence[str] | None,
    valid_fraction: float,
    test_fraction: float,
    seed: int,
) -> tuple[set[str], set[str]] | None:
    present = set(names)
    if valid_chroms is not None or test_chroms is not None:
        valid, test = set(valid_chroms or ()), set(test_chroms or ())
        for label, wanted in (("validation", valid), ("test", test)):
            if not wanted & present:
                raise InputError(
                    f"none of the {label} chromosomes {sorted(wanted)} occur in the ids "
                    f"(present: {', '.join(sorted(present)[:10])}…)"
                )
        if valid & test:
            raise InputError(f"chromosomes {sorted(valid & test)} are both validation and test")
        return valid, test
    valid, test = set(DEFAULT_VALID_CHROMS) & present, set(DEFAULT_TEST_CHROMS) & present
    if valid and test and len(present - valid - test) > 0:
        return valid, test
    if len(present) < 3:
        return None
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(names))
    total = counts.sum()
    valid, test = set(), set()
    filled = {"test": 0, "valid": 0}
    for i in order:
        target = "test" if filled["test"] < test_fraction * total else "valid"
        if target == "valid" and filled["valid"] >= valid_fraction * total:
            break
        (test if target == "test" else valid).add(str(names[i]))
        filled[target] += counts[i]
    if not valid or not test or len(present - valid - test) == 0:
        return None
    return valid, test


def random_split(
    groups: Sequence[str],
    strata: np.ndarray | None,
    valid_fraction: float,
    test_fraction: float,
    seed: int,
) -> Split:
    """A seeded random split, stratified by ``strata`` where the classes are large enough.

    Records of the same group land in the same part; a fraction of 0 leaves that part empty, any
    other fraction gives its part at least one group.

    Raises
    ------
    InputError
        When the fractions are out of range, or there are fewer groups than non-empty parts.
    """
    for name, value in (("validation", valid_fraction), ("test", test_fraction)):
        if not 0 <= value < 1:
            raise InputError(f"the {name} fraction must be at least 0 and below 1, not {value}")
    held = valid_fraction + test_fraction
    if held >= 1:
        raise InputError(
            f"validation and test fractions ({valid_fraction} + {test_fraction}) leave nothing "
            "to train on; their sum must be below 1"
        )
    keys = group_keys(groups)
    n = int(keys.max()) + 1 if len(keys) else 0
    labels = np.zeros(n, dtype=np.uint8)
    if held > 0:
        parts = ["training"] + [
            name for name, f in (("validation", valid_fraction), ("test", test_fraction)) if f > 0
        ]
        if n < len(parts):
            raise InputError(
                f"only {n} sequence{'' if n == 1 else 's'}: too few for a random split into "
                f"{', '.join(parts[:-1])} and {parts[-1]}, which needs at least {len(parts)} "
                "(one for each); add sequences"
            )
        group_strata = None if strata is None else np.asarray(strata)[_first_of(keys, n)]
        # sklearn's own rounding (ceil), kept inside 1..n-1 so that no part comes out empty
        n_rest = min(max(math.ceil(held * n), len(parts) - 1), n - 1)
        train, rest = _draw(np.arange(n), n_rest, group_strata, seed, min_class=3)
        if len(parts) == 3:
            rest_strata = None if group_strata is None else group_strata[rest]
            n_test = min(max(math.ceil(test_fraction / held * n_rest), 1), n_rest - 1)
            valid, test = _draw(rest, n_test, rest_strata, seed)
        elif valid_fraction > 0:
            valid, test = rest, rest[:0]
        else:
            valid, test = rest[:0], rest
        labels[valid], labels[test] = 1, 2
    return Split(labels[keys], "random", [], [], seed)


def _first_of(keys: np.ndarray, n: int) -> np.ndarray:
    """``(n,)`` the first record of each of the dense ``keys`` (``np.unique``'s index)."""
    first = np.full(n, len(keys), dtype=np.int64)
    np.minimum.at(first, keys, np.arange(len(keys)))
    return first


def _draw(
    index: np.ndarray, n_second: int, strata: np.ndarray | None, seed: int, min_class: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``index`` split in two with ``n_second`` (1 to ``len(index) - 1``) in the second part.

    Stratified by ``strata`` with classes of fewer than ``min_class`` members pooled into one
    stratum; plainly random where stratifying cannot work (a stratum of one, or more strata than
    either part has members), so that scikit-learn is never asked for the impossible.
    """
    if strata is not None:
        _, codes, sizes = np.unique(strata, return_inverse=True, return_counts=True)
        rare = sizes[codes] < min_class
        codes = np.where(rare, -1, codes)
        kinds, sizes = np.unique(codes, return_counts=True)
        if sizes.min() < 2 or len(kinds) > min(n_second, len(index) - n_second):
            strata = None
        else:
            strata = codes
    if len(index) > SORTED_KEYS:
        return _draw_lean(index, n_second, strata, seed)
    from sklearn.model_selection import train_test_split  # only here: it loads SciPy (~1.5 s)

    return train_test_split(index, test_size=n_second, random_state=seed, stratify=strata)


def _draw_lean(
    index: np.ndarray, n_second: int, strata: np.ndarray | None, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_draw` for millions of groups: scikit-learn's stratified draw holds about 110
    bytes per group (440 MB for 4 million), this about 20. Each stratum gives its share of
    ``n_second`` (largest remainders round), drawn at random."""
    rng = np.random.default_rng(seed)
    n = len(index)
    if strata is None:
        strata = np.zeros(n, dtype=np.int64)
    _, codes = np.unique(strata, return_inverse=True)
    sizes = np.bincount(codes)
    exact = sizes * (n_second / n)
    quota = np.floor(exact).astype(np.int64)
    short = n_second - int(quota.sum())
    quota[np.argsort(quota - exact, kind="stable")[:short]] += 1
    second = np.zeros(n, dtype=bool)
    for k, take in enumerate(quota):
        members = np.flatnonzero(codes == k)
        second[rng.choice(members, int(take), replace=False)] = True
    return index[~second], index[second]


def check_class_sizes(
    groups: Sequence[str],
    strata: np.ndarray,
    names: Sequence[str],
    valid_fraction: float = 0.1,
    test_fraction: float = 0.1,
) -> None:
    """Refuse classes too small to reach every split, before any split is drawn.

    A class needs about ``1 / fraction`` sequences (10 at the default 10 %) for one to land in
    each held-out split. A binary task needs both classes that large; with more classes, two of
    them (smaller classes are allowed, and reported if they miss the training split).

    Raises
    ------
    InputError
        Saying which classes are too small and how many sequences they need.
    """
    labels = np.asarray(strata)
    keys = group_keys(groups)
    if labels.ndim != 1 or (int(keys.max()) + 1 if len(keys) else 0) < len(SPLITS):
        return  # too few for any split: make_split says so, counting all sequences
    held = [f for f in (valid_fraction, test_fraction) if f > 0]
    need = max(len(SPLITS), math.ceil(1 / min(held) - 1e-9)) if held else 1
    # one integer per (group, class) pair, sorted: numpy 2's np.unique without an inverse hashes,
    # which took 8 s and 450 MB for 8 million records; sorting takes 0.1 s in place
    pairs = np.sort(keys * len(names) + labels)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]]
    sizes = np.bincount(pairs % len(names), minlength=len(names))
    present = np.flatnonzero(sizes)
    large = np.flatnonzero(sizes >= need)
    rule = (
        f"with {valid_fraction:.0%} held out for validation and {test_fraction:.0%} for test, "
        f"a class needs at least {need} sequences to have one in each split"
    )
    if len(present) == 2 and len(large) < 2:
        small = ", ".join(f"{names[j]!r} has {sizes[j]}" for j in present if sizes[j] < need)
        raise InputError(f"too few sequences per class to split: {small}; {rule}; add sequences")
    if len(present) > 2 and len(large) < 2:
        raise InputError(
            f"too few sequences per class to split: only {len(large)} of the {len(present)} "
            f"classes have {need} or more, and a classifier needs two such classes; {rule}; "
            "add sequences"
        )


def split_rows(
    ids: Sequence[str], split: Split, sources: Sequence[str] | None = None, size: int = 1 << 16
) -> Iterator[pd.DataFrame]:
    """The rows of ``split.tsv`` (``id``, ``split``[, ``source``]) ``size`` records at a time,
    so that millions of records are written with bounded memory."""
    names = np.array(SPLITS)
    for start in range(0, len(split.codes), size):
        stop = min(start + size, len(split.codes))
        columns = {"id": list(ids[start:stop]), "split": names[split.codes[start:stop]]}
        if sources is not None:
            columns["source"] = np.asarray(sources[start:stop], dtype=object)
        yield pd.DataFrame(columns)
