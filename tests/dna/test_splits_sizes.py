"""The random splitter answers every input size with a split or an InputError, never a
scikit-learn error (seqconv 0.1 passed sklearn's 'With n_samples=1, test_size=0.5' through)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import seqconv
from seqconv.dna.splits import make_split, random_split


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(0, 40),
    n_classes=st.integers(0, 6),
    valid=st.sampled_from([0.0, 0.1, 0.2, 0.5]),
    test=st.sampled_from([0.0, 0.1, 0.3]),
    seed=st.integers(0, 3),
)
def test_any_size_gives_a_split_or_an_input_error(n, n_classes, valid, test, seed):
    rng = np.random.default_rng(seed)
    strata = rng.integers(0, n_classes, n) if n_classes else None
    groups = [f"g{i}" for i in range(n)]
    needed = 1 + (valid > 0) + (test > 0)
    if n < needed and valid + test > 0:
        with pytest.raises(seqconv.InputError, match=f"only {n} sequence.*at least {needed}"):
            random_split(groups, strata, valid, test, seed)
        return
    counts = random_split(groups, strata, valid, test, seed).counts()
    assert sum(counts.values()) == n
    assert counts["train"] >= (1 if n else 0)
    assert (counts["valid"] > 0) == (valid > 0 and n > 0)
    assert (counts["test"] > 0) == (test > 0 and n > 0)


def test_five_sequences_with_shuffled_negatives_split():
    groups = [f"r{i}" for i in range(5)] * 2  # five records and their shuffled copies
    strata = np.r_[np.ones(5, int), np.zeros(5, int)]
    split = make_split(groups, strata)
    assert split.counts() == {"train": 6, "valid": 2, "test": 2}


def test_one_sequence_and_bad_fractions():
    with pytest.raises(seqconv.InputError, match=r"only 1 sequence: too few .* at least 3"):
        make_split(["s1", "s1"])
    with pytest.raises(seqconv.InputError, match="sum must be below 1"):
        random_split(["a", "b", "c"], None, 0.5, 0.5, 0)
    with pytest.raises(seqconv.InputError, match="validation fraction"):
        random_split(["a", "b", "c"], None, -0.1, 0.1, 0)


def test_rare_classes_do_not_turn_stratification_off():
    strata = np.r_[np.zeros(500, int), np.ones(100, int), [2, 3]]
    split = random_split([f"s{i}" for i in range(len(strata))], strata, 0.1, 0.1, 0)
    for name in ("valid", "test"):
        ones = (strata[split.indices(name)] == 1).sum()
        assert ones == pytest.approx(10, abs=1)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(6, 300),
    n_classes=st.integers(1, 4),
    seed=st.integers(0, 3),
)
def test_the_lean_draw_for_millions_splits_like_scikit_learn(n, n_classes, seed):
    """Above SORTED_KEYS groups the draw is seqconv's own (less memory): the same part sizes as
    scikit-learn's, each stratum within one of its share, groups together, seeded."""
    from seqconv.dna import splits

    rng = np.random.default_rng(seed)
    strata = rng.integers(0, n_classes, n)
    groups = [f"g{i // 2}" for i in range(n)]  # pairs of records share a group
    expected = np.bincount(random_split(groups, strata, 0.1, 0.1, seed).codes[0::2], minlength=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(splits, "SORTED_KEYS", 0)
        split = random_split(groups, strata, 0.1, 0.1, seed)
        again = random_split(groups, strata, 0.1, 0.1, seed)
    parts = np.asarray(split.codes)
    assert np.array_equal(np.bincount(parts[0::2], minlength=3), expected)  # groups per part
    assert np.array_equal(parts, again.codes)
    assert np.all(parts[0::2][: n // 2] == parts[1::2][: n // 2])  # a group stays together
    held = parts > 0
    first = strata[0::2]
    n_groups, n_held = len(first), int(held[0::2].sum())
    stratified = n_held >= len(np.unique(first))  # else neither draw can stratify
    for c in np.unique(first):
        if stratified and np.sum(first == c) >= 3:  # rarer classes are pooled before the draw
            share = np.sum(first == c) * n_held / n_groups
            assert abs(np.sum(held[0::2] & (first == c)) - share) <= 1 + 1e-9
