from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import chisquare

import seqconv
from seqconv.dna import shuffle as shuffle_module
from seqconv.dna.encode import PAD
from seqconv.dna.shuffle import _last_exits, shuffle_codes, shuffle_rows


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


def trails(seq: str) -> list[str]:
    """Every sequence with the first letter and dinucleotide counts of ``seq``."""
    left = dinucleotides(seq)
    found: list[str] = []

    def extend(path: list[str]) -> None:
        if len(path) == len(seq):
            found.append("".join(path))
        for a, b in list(left):
            if a == path[-1] and left[a, b]:
                left[a, b] -= 1
                extend([*path, b])
                left[a, b] += 1

    extend([seq[0]])
    return found


UNIFORM_CASE = "ACAGTCATGACT"  # 78 sequences share its first letter and dinucleotide counts


def uniformity_p(shuffled: list[str], seq: str = UNIFORM_CASE) -> float:
    """Chi-square p-value of the shuffles of ``seq`` against uniform over all its trails."""
    every = trails(seq)
    counts = Counter(shuffled)
    assert set(counts) <= set(every)
    return chisquare([counts[t] for t in every]).pvalue


def draw(how: str, n: int, seed: int = 0) -> list[str]:
    """``n`` shuffles of UNIFORM_CASE in one batch of equal rows, or among longer other rows."""
    rng = np.random.default_rng(seed)
    row = np.frombuffer(UNIFORM_CASE.encode(), dtype=np.uint8)
    if how == "rows":
        return [r.tobytes().decode() for r in shuffle_rows(np.tile(row, (n, 1)), rng)]
    # Among longer sequences it is padded in a batch, and starts after them in the walk.
    others = [rng.choice(np.frombuffer(b"ACGTN", np.uint8), len(row) + 2) for _ in range(n // 4)]
    order = rng.permutation(n + len(others))
    seqs = [row] * n + others
    out = shuffle_codes([seqs[i] for i in order], rng)
    return [out[j].tobytes().decode() for j in np.flatnonzero(order < n)]


@pytest.mark.parametrize("how", ["rows", "ragged"])
def test_shuffle_is_uniform_over_eulerian_paths(how):
    assert len(trails(UNIFORM_CASE)) == 78
    assert uniformity_p(draw(how, 60 * 78)) > 1e-3


def test_shuffle_of_two_paths_is_fair():
    """ACAGA has two dinucleotide-preserving orders (ACAGA, AGACA): both appear about equally."""
    counts = Counter(seqconv.dinucleotide_shuffle(["ACAGA"] * 4000, seed=0))
    assert set(counts) == {"ACAGA", "AGACA"}
    assert abs(counts["ACAGA"] - 2000) < 200


def _unweighted_tree(pairs, root, rng):
    """Tree drawn ignoring how often each dinucleotide occurs."""
    return _last_exits((pairs > 0).astype(pairs.dtype), root, rng)


def _original_tree(pairs, root, rng):
    """Each letter leaves last as in the input, as deeplift's and tangermeme's shuffles do."""
    letters = sorted(set(UNIFORM_CASE))
    tree = np.tile(np.arange(pairs.shape[1]), (len(pairs), 1))
    for a, b in zip(UNIFORM_CASE[:-1], UNIFORM_CASE[1:], strict=True):
        tree[:, letters.index(a)] = letters.index(b)
    tree[np.arange(len(root)), root] = root
    return tree


@pytest.mark.parametrize("biased", [_unweighted_tree, _original_tree])
def test_uniformity_check_catches_biased_trees(monkeypatch, biased):
    monkeypatch.setattr(shuffle_module, "_last_exits", biased)
    assert uniformity_p(draw("rows", 60 * 78)) < 1e-9


def test_long_repeats_do_not_stall_the_tree_step():
    """Each cluster of (AC)n and (TG)n has one exit: rejection would redraw ~10^5 times."""
    seq = "AC" * 300 + "G" + "TG" * 300 + "N"
    for out in seqconv.dinucleotide_shuffle([seq] * 20, seed=0):
        assert dinucleotides(out) == dinucleotides(seq) and out[0] == "A" and out[-1] == "N"


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


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=60), max_size=12),
    st.sampled_from([np.uint8, np.int64]),
    st.integers(0, 2**31),
)
def test_sequences_of_any_lengths_keep_dinucleotides(seqs, dtype, seed):
    """Several lengths in one call (padded batches) and alphabets past the 8-letter fast path."""
    arrays_in = [np.array(s, dtype=dtype) for s in seqs]
    out = shuffle_codes(arrays_in, np.random.default_rng(seed))
    for before, after in zip(arrays_in, out, strict=True):
        assert after.dtype == before.dtype and len(after) == len(before)
        assert dinucleotides(after.tolist()) == dinucleotides(before.tolist())
        if len(before):
            assert after[0] == before[0] and after[-1] == before[-1]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.lists(st.integers(0, 4), max_size=25), st.integers(0, 5)),
        min_size=1,
        max_size=10,
    ),
    st.integers(0, 2**31),
)
def test_padded_batch_shuffles_between_the_pads(rows, seed):
    width = max(a + len(s) + b for a, s, b in rows)
    codes = np.full((len(rows), width), PAD, dtype=np.uint8)
    for i, (a, s, _) in enumerate(rows):
        codes[i, a : a + len(s)] = s
    out = seqconv.dinucleotide_shuffle(codes, seed=seed)
    assert np.array_equal(out == PAD, codes == PAD)
    for before, after in zip(codes, out, strict=True):
        assert dinucleotides(after.tolist()) == dinucleotides(before.tolist())


def test_too_many_symbols_in_one_batch():
    with pytest.raises(ValueError, match="distinct symbols"):
        shuffle_rows(np.arange(600).reshape(2, 300), np.random.default_rng(0))
