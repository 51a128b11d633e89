from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import seqconv
from seqconv.dna.encode import PAD
from seqconv.dna.shuffle import shuffle_codes, shuffle_rows


def dinucleotides(seq) -> Counter:
    return Counter(zip(seq[:-1], seq[1:], strict=True))


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ACGTN", min_size=0, max_size=120), st.integers(0, 2**31))
def test_string_shuffle_keeps_dinucleotides_and_ends(seq, seed):
    out = seqconv.dinucleotide_shuffle(seq, seed=seed)
    assert len(out) == len(seq)
    assert dinucleotides(out) == dinucleotides(seq)
    if seq:
        assert out[0] == seq[0] and out[-1] == seq[-1]


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.uint8, st.tuples(st.integers(1, 30), st.integers(1, 50)), elements=st.integers(0, 14)
    ),
    st.integers(0, 2**31),
)
def test_batch_shuffle_keeps_each_row(codes, seed):
    out = seqconv.dinucleotide_shuffle(codes, seed=seed)
    assert out.shape == codes.shape and out.dtype == np.uint8
    for before, after in zip(codes, out, strict=True):
        assert dinucleotides(after.tolist()) == dinucleotides(before.tolist())
        assert after[0] == before[0] and after[-1] == before[-1]


def test_seeded_and_actually_shuffles():
    rng = np.random.default_rng(0)
    seq = "".join(rng.choice(list("ACGT"), 200))
    a = seqconv.dinucleotide_shuffle(seq, seed=3)
    assert a == seqconv.dinucleotide_shuffle(seq, seed=3)
    assert a != seqconv.dinucleotide_shuffle(seq, seed=4)
    assert sum(x != y for x, y in zip(a, seq, strict=True)) > 100


def test_case_is_kept_for_strings():
    out = seqconv.dinucleotide_shuffle("acgtACGTacgtACGT", seed=0)
    assert sorted(out) == sorted("acgtACGTacgtACGT")


def test_padded_rows_shuffle_only_the_sequence():
    codes = seqconv.encode_dna(["ACGTTGCAAC", "ACG"], length=10)
    out = seqconv.dinucleotide_shuffle(codes, seed=1)
    assert np.array_equal(out == PAD, codes == PAD)
    inner = out[1][out[1] != PAD]
    assert inner.tolist() == codes[1][codes[1] != PAD].tolist()  # 3 bases: nothing to permute


def test_shuffle_is_uniform_over_eulerian_paths():
    """ACAGA has two dinucleotide-preserving orders (ACAGA, AGACA): both appear about equally."""
    counts = Counter(seqconv.dinucleotide_shuffle(["ACAGA"] * 4000, seed=0))
    assert set(counts) == {"ACAGA", "AGACA"}
    assert abs(counts["ACAGA"] - 2000) < 200


def test_variable_lengths_in_one_call():
    rng = np.random.default_rng(1)
    seqs = [rng.integers(0, 4, n).astype(np.uint8) for n in (5, 9, 5, 40, 1, 2)]
    out = shuffle_codes(seqs, rng)
    for before, after in zip(seqs, out, strict=True):
        assert dinucleotides(after.tolist()) == dinucleotides(before.tolist())


def test_rejects_three_dimensional_input():
    with pytest.raises(ValueError):
        seqconv.dinucleotide_shuffle(np.zeros((2, 2, 2), np.uint8))


def test_shuffle_rows_deterministic_given_generator():
    codes = np.random.default_rng(2).integers(0, 4, (50, 30)).astype(np.uint8)
    a = shuffle_rows(codes, np.random.default_rng(5))
    b = shuffle_rows(codes, np.random.default_rng(5))
    assert np.array_equal(a, b)
