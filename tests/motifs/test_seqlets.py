"""Motifs from attributions: FDR threshold, aligned similarity, and recovery of planted motifs per
target in a small fast case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from motif_fixtures import PLANTED, pwm_conv
from torch import nn

from seqconv.dna.simulate import simulate
from seqconv.motifs.compare import annotate_motifs
from seqconv.motifs.report import write_motif_report
from seqconv.motifs.seqlets import (
    _rc,
    _unit,
    aligned_similarity,
    call_seqlets,
    fdr_threshold,
    seqlet_motifs,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_fdr_threshold_separates_a_planted_tail_from_the_null():
    rng = np.random.default_rng(0)
    null = rng.normal(size=20_000)
    real = np.concatenate([rng.normal(size=19_000), rng.normal(8.0, 1.0, size=1_000)])
    t = fdr_threshold(real, null, fdr=0.05)
    above_null = (null >= t).sum()
    above_real = (real >= t).sum()
    assert above_null <= 0.05 * above_real
    assert 2.5 < t < 6.0  # catches nearly all of the tail, not the bulk
    assert (
        fdr_threshold(null, null, 0.05) == np.inf
        or (null >= fdr_threshold(null, null, 0.05)).sum() <= 20
    )


def test_seqlets_do_not_overlap_and_stay_inside():
    sums = np.zeros((2, 86))
    sums[0, [10, 14, 60]] = [5.0, 4.0, 3.0]
    sums[1, 80] = 9.0
    found = call_seqlets(sums, threshold=2.0, window=15, flank=5, length=100, per_seq=4)
    rows = {(int(n), int(b)) for n, _, b in found}
    assert rows == {(0, 10), (0, 60), (1, 80)}  # 14 overlaps the window at 10
    assert (found[:, 1] >= 0).all() and (found[:, 1] + 25 <= 100).all()


def test_aligned_similarity_finds_shift_and_strand():
    gen = torch.Generator().manual_seed(0)
    base = torch.zeros(1, 4, 20)
    base[0, :, 5:13] = torch.randn(4, 8, generator=gen)
    shifted = torch.roll(base, 3, dims=2)
    both = _unit(torch.cat([base, shifted, _rc(base)]))
    sim, shift, strand = aligned_similarity(both[:1], both, max_shift=10)
    assert np.allclose(sim[0], 1.0, atol=1e-5)
    assert shift[0, 1] == -3 and strand[0, 1] == 0  # column k of the shifted copy on k - 3
    assert strand[0, 2] == 1


class MotifCounts(nn.Module):
    """One output per planted motif: the summed ReLU of its PWM scan (like a trained motif net)."""

    def __init__(self, motifs):
        super().__init__()
        self.conv = pwm_conv(motifs)

    def forward(self, x):
        return torch.relu(self.conv(x) - 4.0).sum(dim=2) / 10.0


@pytest.fixture(scope="module")
def planted_case(small_db):
    planted = [small_db.get(i) for i in PLANTED[:3]]  # CTCF, GATA1, SP1
    sim = simulate(planted, n=300, length=100, motifs_per_seq=(1, 2), multi_label=True, seed=1)
    return planted, sim.codes(), MotifCounts(planted).eval()


def test_seqlets_recover_planted_motifs_per_target(planted_case, small_db, warm_tomtom):
    planted, codes, model = planted_case
    names = [m.name for m in planted]
    result = seqlet_motifs(model, codes, names, classification=False, n_sequences=100, steps=4)
    assert {r["target"] for r in result.per_target} == set(names)
    annotation = annotate_motifs([p.motif for p in result.patterns], small_db, seed=0)
    best = annotation.best.set_index("query")
    for motif in planted:
        own = [p for p in result.patterns if p.target_name == motif.name]
        assert own, f"no pattern for {motif.name}"
        top = own[0]  # most seqlets first
        assert best.loc[top.id, "target_name"] == motif.name
        assert best.loc[top.id, "matched"]
        assert top.cwm.shape == top.motif.counts.shape
        assert top.contribution > 0


def test_seqlet_report_writes_tables_and_logos(planted_case, small_db, warm_tomtom, tmp_path):
    planted, codes, model = planted_case
    report = write_motif_report(
        model, codes, tmp_path, "seqlets", db=small_db, target_names=[m.name for m in planted],
        show_progress=False, n_sequences=100, steps=4,
    )  # fmt: skip
    for name in ("motifs.tsv", "matches.tsv", "clusters.tsv", "motifs.meme", "maps.npz",
                 "report.html"):  # fmt: skip
        assert (tmp_path / name).is_file(), name
    table = pd.read_csv(tmp_path / "motifs.tsv", sep="\t")
    assert set(table["target"]) == {m.name for m in planted}
    matched = table[table["matched"]]
    assert {"CTCF", "GATA1", "SP1"} <= set(matched["best_name"])
    assert (matched["cluster"].str.startswith("c")).all()
    page = (tmp_path / "report.html").read_text()
    assert "Motif clusters" in page and "CWM" in page
    cwms = np.load(tmp_path / "maps.npz")
    assert set(cwms.files) == set(table["motif"])
    assert "patterns from" in report.headline(0.05)


def test_seqlets_at_the_sequence_ends_are_kept_whole(small_db, warm_tomtom):
    """A site in the last bases of half the sequences: those seqlets are clipped inside the
    sequence and still join the pattern."""
    ctcf = small_db.get("MA0139.2")
    consensus = "".join("ACGT"[i] for i in ctcf.counts.argmax(axis=0))
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, size=(400, 60)).astype(np.uint8)
    site = ["ACGT".index(b) for b in consensus]
    codes[:200, -len(consensus) :] = site
    codes[200:, 20 : 20 + len(consensus)] = site
    model = MotifCounts([ctcf]).eval()
    result = seqlet_motifs(model, codes, ["CTCF"], classification=False, steps=2, min_seqlets=10)
    assert result.per_target[0]["seqlets"] >= 10
    assert result.patterns and result.patterns[0].motif.consensus in consensus
