"""The footprint simulator and the pieces of in-silico experiments."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.encode import encode_dna
from seqconv.dna.simulate_profiles import BORDER, site_affinity
from seqconv.errors import InputError
from seqconv.motifs.marginalize import (
    Inserted,
    centre_start,
    insert,
    motif_to_insert,
    pair_effects,
    parse_spacing,
    run_scores,
)
from tests.profile.profile_fixtures import simulate

runner = CliRunner()


def test_a_perfect_site_has_affinity_one_and_its_reverse_complement_too():
    ppm = np.full((4, 6), 0.02)
    ppm[[0, 1, 2, 3, 0, 1], range(6)] = 0.94
    assert site_affinity("ACGTAC", "+", ppm) == pytest.approx(1.0)
    assert site_affinity("GTACGT", "-", ppm) == pytest.approx(1.0)  # read on its strand
    assert site_affinity("ACGTAA", "+", ppm) < 0.2


def test_footprints_pile_up_beside_each_site(tmp_path):
    files = simulate(tmp_path, n_peaks=80, chrom_length=40_000)
    sim, prof = files["sim"], files["profiles"]
    site = sim.sites.iloc[int(np.argmax(prof.affinity))]
    plus, minus = prof.expected[site.chrom]
    lo, hi = site.start - 60, site.end + 60
    assert lo + int(np.argmax(plus[lo:hi])) == site.start - 1 - BORDER
    assert lo + int(np.argmax(minus[lo:hi])) == site.end + BORDER
    info = json.loads((tmp_path / "profiles.json").read_text())
    assert info["reads"]["plus"] > 0 and set(info["files"]) >= {"counts_plus", "expected_minus"}


def test_simulate_profiles_only_with_a_genome(tmp_path):
    result = runner.invoke(app, ["simulate", "--motif", "CTCF", "--profiles", "--out",
                                 str(tmp_path / "x.fa")])  # fmt: skip
    assert result.exit_code == 2 and "--profiles applies only with --genome" in result.output


def test_spacing_ranges_and_their_errors():
    assert list(parse_spacing("5:8")) == [5, 6, 7, 8]
    assert list(parse_spacing("0:20:10")) == [0, 10, 20]
    for bad in ("5", "9:5", "a:b", "0:10:0", "-1:4"):
        with pytest.raises(InputError, match="--spacing"):
            parse_spacing(bad)


def test_motifs_are_sequences_or_consensus_of_database_motifs(small_db):
    assert motif_to_insert("acgtt").name == "ACGTT"
    first = next(iter(small_db))
    assert (
        motif_to_insert(first.id, database=small_db).codes.tolist()
        == encode_dna([first.consensus])[0].tolist()
    )


class _Counter:
    """A stand-in run whose one output counts the A bases of each sequence."""

    task = "regression"
    target_names = ["a"]
    path = "fake"

    def predict_codes(self, codes, batch_size=256):
        return (codes == 0).sum(axis=1, keepdims=True).astype(np.float32)


def test_insertions_and_pairs_on_any_run():
    backgrounds = np.full((4, 40), 1, dtype=np.uint8)  # all C
    a, b = Inserted("AAA", encode_dna(["AAA"])[0]), Inserted("AT", encode_dna(["AT"])[0])
    start = centre_start(40, 3)
    assert (insert(backgrounds, a.codes, start)[:, start : start + 3] == 0).all()
    assert run_scores(_Counter(), backgrounds).values.tolist() == [[0.0]] * 4
    pair = pair_effects(_Counter(), backgrounds, a, b, [0, 5, 100])
    assert sorted({r["spacing"] for r in pair.rows}) == [0, 5]  # 100 does not fit
    assert pair.left_out == [100]
    row = pair.rows[0]
    assert (row["joint"], row["a_alone"], row["b_alone"], row["cooperativity"]) == (4, 3, 1, 0)
    with pytest.raises(InputError, match="no spacing"):
        pair_effects(_Counter(), backgrounds, a, b, [100])
    segment = _Counter()
    segment.task = "segment"
    with pytest.raises(InputError, match="segment run"):
        run_scores(segment, backgrounds)
