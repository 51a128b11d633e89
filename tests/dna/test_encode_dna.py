import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import seqconv
from seqconv.dna.encode import ALPHABET, PAD, fit_length

IUPAC = "ACGTRYSWKMBDHVN"
dna = st.text(alphabet=IUPAC + IUPAC.lower() + "Uu", min_size=1, max_size=60)
codes_2d = arrays(
    np.uint8, st.tuples(st.integers(1, 5), st.integers(1, 40)), elements=st.integers(0, 15)
)


def test_codes_for_every_letter_case_and_u():
    codes = seqconv.encode_dna([ALPHABET, ALPHABET.lower()])
    assert codes.dtype == np.uint8 and codes.shape == (2, 15)
    assert codes[0].tolist() == list(range(15)) == codes[1].tolist()
    assert seqconv.encode_dna("UuT").tolist() == [[3, 3, 3]]


def test_ambiguity_codes_are_distinct_and_pad_is_separate():
    codes = seqconv.encode_dna("RYSWKMBDHVN")[0]
    assert len(set(codes.tolist())) == 11
    assert PAD not in codes


@pytest.mark.parametrize(
    ("align", "expected"),
    [("center", "-ACG--"), ("left", "ACG---"), ("right", "---ACG")],
)
def test_padding_positions(align, expected):
    codes = seqconv.encode_dna(["ACG", "ACGTAC"], length=6, align=align)
    assert seqconv.decode_dna(codes)[0] == expected


@pytest.mark.parametrize(
    ("align", "expected"), [("center", "CGTA"), ("left", "AACG"), ("right", "TACC")]
)
def test_trimming_positions(align, expected):
    codes = seqconv.encode_dna("AACGTACC", length=4, align=align)
    assert seqconv.decode_dna(codes)[0] == expected


def test_unequal_lengths_without_length_is_an_error():
    with pytest.raises(seqconv.InputError, match="different lengths"):
        seqconv.encode_dna(["ACGT", "ACG"])


def test_bad_character_names_record_and_position():
    with pytest.raises(seqconv.InputError, match=r"'s2'.*'X' at position 3"):
        seqconv.encode_dna(["ACGT", "ACXT"], ids=["s1", "s2"])
    with pytest.raises(seqconv.InputError, match=r"sequence #1.*position 2"):
        seqconv.encode_dna(["AéGT"])


def test_one_hot_iupac_probabilities_and_padding():
    x = seqconv.one_hot("ACGTRN")
    assert x.shape == (4, 6) and x.dtype == torch.float32
    assert torch.equal(x[:, :4], torch.eye(4))
    assert x[:, 4].tolist() == [0.5, 0, 0.5, 0]
    assert x[:, 5].tolist() == [0.25] * 4
    assert seqconv.one_hot("N", n_policy="zeros").sum() == 0
    padded = seqconv.one_hot(seqconv.encode_dna("AC", length=4))
    assert padded.shape == (1, 4, 4) and padded[0].sum(0).tolist() == [0, 1, 1, 0]
    for letter, members in {"B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "W": "AT"}.items():
        col = seqconv.one_hot(letter)[:, 0]
        expected = [1 / len(members) if b in members else 0 for b in "ACGT"]
        assert col.tolist() == pytest.approx(expected)


def test_one_hot_accepts_strings_numpy_and_torch_alike(device):
    seqs = ["ACGTN", "TTRAA"]
    codes = seqconv.encode_dna(seqs)
    from_strings = seqconv.one_hot(seqs)
    from_numpy = seqconv.one_hot(codes)
    from_torch = seqconv.one_hot(torch.as_tensor(codes, device=device))
    assert from_torch.device.type == device
    assert torch.equal(from_strings, from_numpy) and torch.equal(from_numpy, from_torch.cpu())
    assert from_strings.shape == (2, 4, 5)


def test_one_hot_rejects_floats():
    with pytest.raises(seqconv.InputError):
        seqconv.one_hot(np.zeros((2, 3), dtype=np.float32))


def test_reverse_complement_of_each_representation():
    assert seqconv.reverse_complement("AACGTRYKMBDHVNSW") == "WSNBDHVKMRYACGTT"
    assert seqconv.reverse_complement("acgu") == "acgt"
    assert seqconv.reverse_complement(["AAC", "GT"]) == ["GTT", "AC"]
    codes = seqconv.encode_dna(["AACGR", "TTTGN"])
    rc = seqconv.reverse_complement(codes)
    assert seqconv.decode_dna(rc) == ["YCGTT", "NCAAA"]
    rc_torch = seqconv.reverse_complement(torch.as_tensor(codes))
    assert np.array_equal(rc_torch.numpy(), rc)
    # a batch: each row reversed on its own, not the batch order
    assert seqconv.decode_dna(seqconv.reverse_complement(codes[::-1].copy())) == ["NCAAA", "YCGTT"]


@settings(max_examples=60, deadline=None)
@given(codes_2d)
def test_reverse_complement_is_an_involution(codes):
    assert np.array_equal(seqconv.reverse_complement(seqconv.reverse_complement(codes)), codes)
    x = seqconv.one_hot(codes)
    assert torch.equal(seqconv.reverse_complement(seqconv.reverse_complement(x)), x)
    strings = seqconv.decode_dna(codes)
    assert seqconv.reverse_complement(seqconv.reverse_complement(strings)) == strings


@settings(max_examples=60, deadline=None)
@given(codes_2d)
def test_one_hot_commutes_with_reverse_complement(codes):
    left = seqconv.one_hot(seqconv.reverse_complement(codes))
    right = seqconv.reverse_complement(seqconv.one_hot(codes))
    assert torch.equal(left, right)
    assert torch.equal(
        seqconv.one_hot(seqconv.reverse_complement(torch.as_tensor(codes))),
        seqconv.reverse_complement(seqconv.one_hot(torch.as_tensor(codes))),
    )


@settings(max_examples=100, deadline=None)
@given(dna, st.integers(1, 80))
def test_pad_and_trim_keep_the_centre(seq, length):
    out = seqconv.decode_dna(seqconv.encode_dna(seq, length=length))[0]
    assert len(out) == length
    n = len(seq)
    canonical = seqconv.decode_dna(seqconv.encode_dna(seq))[0]
    if n >= length:
        start = (n - length) // 2
        assert out == canonical[start : start + length]
    else:
        start = (length - n) // 2
        assert out[start : start + n] == canonical
        assert set(out[:start] + out[start + n :]) <= {"-"}
    # the centre of the output window is (within half a base) the centre of the input
    centre_in = (n - 1) / 2
    offset = (n - length) // 2  # input index of output position 0
    assert abs((length - 1) / 2 + offset - centre_in) <= 0.5


@settings(max_examples=60, deadline=None)
@given(dna)
def test_encode_decode_round_trip(seq):
    expected = seq.upper().replace("U", "T")
    assert seqconv.decode_dna(seqconv.encode_dna(seq))[0] == expected


def test_fit_length_rejects_unknown_alignment():
    with pytest.raises(seqconv.InputError):
        fit_length(np.zeros(3, np.uint8), 5, align="middle")


def test_one_hot_into_a_given_tensor():
    codes = seqconv.encode_dna(["ACGTN", "RRYYA"])
    out = torch.full((2, 4, 5), 7.0)
    assert seqconv.one_hot(codes, out=out) is out
    assert torch.equal(out, seqconv.one_hot(codes))
    with pytest.raises(seqconv.InputError, match="shape"):
        seqconv.one_hot(codes, out=torch.empty(2, 4, 4))
