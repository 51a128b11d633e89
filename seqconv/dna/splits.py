"""Train/validation/test splits: whole chromosomes held out when ids carry coordinates.

Ids like ``chr1:100-300``, ``chr1:100-300(+)`` or ``chr1:100-300:-`` name a genomic interval.
Neighbouring peaks share sequence and signal, so a random split would leak; holding out whole
chromosomes does not. The defaults follow DeepSEA (Zhou & Troyanskaya 2015): validation ``chr7``,
test ``chr8`` and ``chr9``. When those chromosomes are absent (another genome, a subset), whole
chromosomes are drawn at random (seeded) until each held-out set has about 10 % of the records.
Without coordinates the split is random, stratified by class.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import train_test_split

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
    assignment
        ``(N,)`` array of ``"train"``, ``"valid"`` or ``"test"``.
    method
        ``"chromosome"`` or ``"random"``.
    valid_chroms, test_chroms
        Held-out chromosomes (chromosome splits).
    seed
        Seed of the random parts.
    """

    assignment: np.ndarray
    method: str
    valid_chroms: list[str]
    test_chroms: list[str]
    seed: int

    def indices(self, name: str) -> np.ndarray:
        """Record indices of one split (``"train"``, ``"valid"`` or ``"test"``)."""
        return np.flatnonzero(self.assignment == name)

    def counts(self) -> dict[str, int]:
        return {name: int((self.assignment == name).sum()) for name in SPLITS}

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
        Per record, the id that places it (records with the same group land in the same split).
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
    chroms = [chromosome_of(g) for g in groups]
    explicit = valid_chroms is not None or test_chroms is not None
    if all(c is not None for c in chroms):
        chosen = _choose_chromosomes(
            chroms,
            valid_chroms,
            test_chroms,
            valid_fraction,
            test_fraction,
            seed,  # type: ignore
        )
        if chosen is not None:
            valid, test = chosen
            assignment = np.array(
                ["valid" if c in valid else "test" if c in test else "train" for c in chroms]
            )
            return Split(assignment, "chromosome", sorted(valid), sorted(test), seed)
    elif explicit:
        bad = next(g for g, c in zip(groups, chroms, strict=True) if c is None)
        raise InputError(
            f"held-out chromosomes were given, but id {bad!r} has no coordinates "
            "(expected ids like chr1:100-300)"
        )
    return random_split(groups, strata, valid_fraction, test_fraction, seed)


def _choose_chromosomes(
    chroms: list[str],
    valid_chroms: Sequence[str] | None,
    test_chroms: Sequence[str] | None,
    valid_fraction: float,
    test_fraction: float,
    seed: int,
) -> tuple[set[str], set[str]] | None:
    names, counts = np.unique(np.array(chroms), return_counts=True)
    present = set(names.tolist())
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
    """A seeded random split, stratified by ``strata`` where every class is large enough.

    Records of the same group land in the same part; a fraction of 0 leaves that part empty.
    """
    unique, first, inverse = np.unique(np.asarray(groups), return_index=True, return_inverse=True)
    n = len(unique)
    held = valid_fraction + test_fraction
    labels = np.full(n, "train", dtype=object)
    if held > 0:
        if n < 1 + (valid_fraction > 0) + (test_fraction > 0):
            raise InputError(
                f"only {n} sequences: too few to split into train, validation and test"
            )
        group_strata = None if strata is None else np.asarray(strata)[first]
        train, rest = _draw(np.arange(n), held, group_strata, seed, min_class=3)
        if valid_fraction > 0 and test_fraction > 0:
            rest_strata = None if group_strata is None else group_strata[rest]
            valid, test = _draw(rest, test_fraction / held, rest_strata, seed)
        elif valid_fraction > 0:
            valid, test = rest, rest[:0]
        else:
            valid, test = rest[:0], rest
        labels[valid], labels[test] = "valid", "test"
    return Split(labels[inverse].astype(str), "random", [], [], seed)


def _draw(
    index: np.ndarray, fraction: float, strata: np.ndarray | None, seed: int, min_class: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """``index`` split in two with ``fraction`` in the second part, stratified when every class
    has ``min_class`` members or more (else plainly random)."""
    if (
        strata is not None
        and np.bincount(np.unique(strata, return_inverse=True)[1]).min() < min_class
    ):
        strata = None  # a class too small to stratify
    try:
        return train_test_split(index, test_size=fraction, random_state=seed, stratify=strata)
    except ValueError:  # too few rows for one of each class in both parts
        return train_test_split(index, test_size=fraction, random_state=seed)
