"""Profile inputs: stranded pairs told by name, bigWig checks, and the store that jitters and
reverse-complements windows with their counts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqconv.core.profile_store import ProfileStore
from seqconv.dna.profile_signal import Tracks, choose_strands, strand_partners, units_of
from seqconv.errors import InputError
from tests.profile.profile_fixtures import write_bigwig


@pytest.mark.parametrize("names, partners", [
    (["a.plus.bw", "a.minus.bw"], [1, 0]),
    (["x_pos.bw", "y.bw", "x_neg.bw"], [2, 1, 0]),
    (["s.fwd.bigWig", "s.rev.bigWig"], [1, 0]),
    (["chip+.bw", "chip-.bw"], [1, 0]),
    (["Sample.PLUS.bw", "Sample.MINUS.bw"], [1, 0]),
    (["position.bw", "negation.bw"], [0, 1]),  # words inside words are not strands
    (["a.plus.bw", "a.minus.bw", "b.minus.bw"], [1, 0, 2]),
])  # fmt: skip
def test_stranded_pairs_are_told_by_their_names(names, partners):
    assert strand_partners(names) == partners


def test_stranded_and_unstranded_override_the_names():
    assert choose_strands(["a.plus.bw", "a.minus.bw"], False, "--bigwig") == [0, 1]
    with pytest.raises(InputError, match=r"--stranded: c.bw \(--bigwig\) has no partner"):
        choose_strands(["a.plus.bw", "a.minus.bw", "c.bw"], True, "--bigwig")
    assert units_of([1, 0, 2]) == [[0, 1], [2]]


def test_tracks_read_counts_and_refuse_what_is_not_counts(tmp_path):
    sizes = {"chr1": 50, "chr2": 40}
    values = {"chr1": np.arange(50.0), "chr2": np.ones(40)}
    good = write_bigwig(tmp_path / "s.plus.bw", sizes, values)
    with Tracks([good]) as tracks:
        counts = tracks.read(["chr1", "chr2"], np.array([45, -2]), 10)
    assert counts.shape == (2, 1, 10)
    assert counts[0, 0].tolist() == [45, 46, 47, 48, 49, 0, 0, 0, 0, 0]  # past the end: 0
    assert counts[1, 0].tolist() == [0, 0] + [1] * 8
    bad = write_bigwig(tmp_path / "neg.bw", sizes, {"chr1": -np.ones(50)})
    with Tracks([bad]) as tracks, pytest.raises(InputError, match="not below 0"):
        tracks.read(["chr1"], np.array([0]), 5)


def test_pairs_must_cover_the_same_chromosomes_and_the_peaks(tmp_path):
    plus = write_bigwig(tmp_path / "s.plus.bw", {"chr1": 50, "chr2": 40}, {"chr1": np.ones(50)})
    minus = write_bigwig(tmp_path / "s.minus.bw", {"chr1": 50}, {"chr1": np.ones(50)})
    with Tracks([plus, minus]) as tracks:
        with pytest.raises(InputError, match="stranded pair but cover different chromosomes "
                                             r"\(only s.plus.bw has chr2\)"):  # fmt: skip
            tracks.check_pairs([1, 0])
        with pytest.raises(InputError, match=r"s.minus.bw \(--bigwig\): no chromosome chr2"):
            tracks.check_chromosomes(["chr1", "chr2"], "the peaks")


def _store(jitter: int, rc: bool) -> tuple[ProfileStore, int, int]:
    """Rows whose plus counts are the base codes (0-3) of the aligned input bases and whose minus
    counts are their complements: any crop or reverse complement must keep that."""
    rng = np.random.default_rng(0)
    n, length, width = 6, 30, 10
    codes = rng.integers(0, 4, size=(n, length + 2 * jitter)).astype(np.uint8)
    lo = (length - width) // 2
    aligned = codes[:, lo : lo + width + 2 * jitter].astype(np.float32)
    counts = np.stack([aligned, 3 - aligned], axis=1)
    store = ProfileStore(codes, counts, np.ones(n, np.float32), None, jitter, [1, 0], (), "cpu",
                         rc)  # fmt: skip
    return store, lo, width


def test_jitter_and_reverse_complements_keep_counts_on_their_bases():
    store, lo, width = _store(jitter=4, rc=True)
    generator = torch.Generator().manual_seed(0)
    for _ in range(5):
        raw = store.augment(store.gather(torch.arange(len(store))), generator)
        bases = store.encode(raw).argmax(dim=1)[:, lo : lo + width].float()
        targets = store.targets_of(raw)
        assert torch.equal(targets[:, 0, :width], bases)
        assert torch.equal(targets[:, 1, :width], 3 - bases)
        assert torch.equal(targets[:, 0, width], torch.ones(len(store)))  # the profile weight
    assert len(set(raw.offset.tolist())) > 1  # the rows moved by different amounts


def test_prediction_sees_the_centre_and_the_other_strand_mirrored():
    store, lo, width = _store(jitter=3, rc=False)
    raw = store.gather(torch.arange(len(store)))
    assert torch.equal(raw.offset, torch.full((len(store),), 3))
    back = store.reverse_complement(raw)
    centre = store.encode(raw).argmax(1)
    other = store.encode(back).argmax(1)
    assert torch.equal(other, 3 - centre.flip(-1))
    assert torch.equal(store.centre_targets()[:, 0, :width], centre[:, lo : lo + width].float())
