import numpy as np
import pytest

import seqconv
from seqconv.dna.splits import chromosome_of, make_split


def test_coordinate_parsing():
    assert chromosome_of("chr1:100-300") == "chr1"
    assert chromosome_of("chrX:1,000-2,000(+)") == "chrX"
    assert chromosome_of("2L:5-10:-") == "2L"
    assert chromosome_of("peak_17") is None


def genome_ids(chroms, per_chrom=30):
    return [f"{c}:{i * 500}-{i * 500 + 200}" for c in chroms for i in range(per_chrom)]


def test_default_chromosome_split():
    ids = genome_ids([f"chr{i}" for i in range(1, 12)])
    split = make_split(ids)
    assert split.method == "chromosome"
    assert split.valid_chroms == ["chr7"] and split.test_chroms == ["chr8", "chr9"]
    chroms = np.array([chromosome_of(i) for i in ids])
    assert set(chroms[split.indices("test")]) == {"chr8", "chr9"}
    assert set(chroms[split.indices("valid")]) == {"chr7"}
    assert split.counts() == {"train": 240, "valid": 30, "test": 60}


def test_drawn_chromosomes_when_defaults_absent():
    ids = genome_ids(["chrI", "chrII", "chrIII", "chrIV", "chrV", "chrVI", "chrVII", "chrVIII"])
    split = make_split(ids, seed=3)
    assert split.method == "chromosome" and split.valid_chroms and split.test_chroms
    assert not set(split.valid_chroms) & set(split.test_chroms)
    assert np.array_equal(split.assignment, make_split(ids, seed=3).assignment)
    # whole chromosomes: no chromosome appears in two splits
    chroms = np.array([chromosome_of(i) for i in ids])
    for c in set(chroms):
        assert len(set(split.assignment[chroms == c])) == 1


def test_explicit_chromosomes_and_errors():
    ids = genome_ids(["chr1", "chr2", "chr3", "chr4"])
    split = make_split(ids, valid_chroms=["chr2"], test_chroms=["chr4"])
    assert split.counts() == {"train": 60, "valid": 30, "test": 30}
    with pytest.raises(seqconv.InputError, match="none of the test chromosomes"):
        make_split(ids, valid_chroms=["chr2"], test_chroms=["chr22"])
    with pytest.raises(seqconv.InputError, match="no coordinates"):
        make_split(["a", "b", "c"], test_chroms=["chr1"])


def test_random_stratified_split_is_seeded_and_groups_stay_together():
    rng = np.random.default_rng(0)
    ids = [f"seq{i}" for i in range(500)]
    strata = rng.integers(0, 2, 500)
    groups = ids[:250] + ids[:250]  # second half follows the first (like shuffled negatives)
    split = make_split(groups, strata=strata, seed=1)
    assert split.method == "random"
    counts = split.counts()
    assert counts["valid"] == pytest.approx(50, abs=4) and counts["test"] == pytest.approx(
        50, abs=4
    )
    assert np.array_equal(split.assignment[:250], split.assignment[250:])
    assert np.array_equal(split.assignment, make_split(groups, strata=strata, seed=1).assignment)
    assert not np.array_equal(
        split.assignment, make_split(groups, strata=strata, seed=2).assignment
    )


def test_stratification_keeps_class_balance():
    strata = np.r_[np.zeros(900, int), np.ones(100, int)]
    split = make_split([f"s{i}" for i in range(1000)], strata=strata, seed=0)
    for name in ("valid", "test"):
        assert strata[split.indices(name)].mean() == pytest.approx(0.1, abs=0.02)


def test_too_few_sequences():
    with pytest.raises(seqconv.InputError, match="too few"):
        make_split(["a", "b"])


def test_random_split_keeps_class_proportions_and_allows_empty_parts():
    """The one random splitter serves DNA and series runs (series train on everything by
    default: fractions of 0 leave those parts empty)."""
    from seqconv.dna.splits import random_split

    strata = np.array([0] * 30 + [1] * 10 + [2] * 5)
    groups = [str(i) for i in range(len(strata))]
    assignment = random_split(groups, strata, 0.2, 0.1, seed=0).assignment
    for k, n in {0: 30, 1: 10, 2: 5}.items():
        rows = assignment[strata == k]
        assert abs((rows == "valid").sum() - 0.2 * n) <= 1
        assert abs((rows == "test").sum() - 0.1 * n) <= 1
    again = random_split(groups, strata, 0.2, 0.1, seed=0).assignment
    assert (again == assignment).all()  # reproducible
    assert set(random_split(groups, strata, 0.0, 0.0, seed=0).assignment) == {"train"}
    valid_only = random_split(groups, strata, 0.2, 0.0, seed=0).assignment
    assert (valid_only == "test").sum() == 0 and (valid_only == "valid").sum() == 9
