"""Tomtom comparison, q-values, the shuffled control, and recovery of planted PWMs by name."""

from __future__ import annotations

import numpy as np
import pytest
from motif_fixtures import PLANTED, pwm_conv
from torch import nn

from seqconv.dna.simulate import simulate
from seqconv.motifs.compare import (
    annotate_motifs,
    bh_qvalues,
    column_shuffled,
    compare_motifs,
    control_pvalues,
    expected_false_calls,
)
from seqconv.motifs.filters import extract_filter_motifs
from seqconv.motifs.motif import Motif
from seqconv.motifs.recovery import recovery

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_bh_qvalues_match_definition():
    rng = np.random.default_rng(0)
    p = rng.random((3, 40)) ** 3
    q = bh_qvalues(p)
    for row, qrow in zip(p, q, strict=True):
        ranks = (row[None, :] <= row[:, None]).sum(axis=1)
        adjusted = row * len(row) / ranks
        expected = [min(1.0, adjusted[row >= x].min()) for x in row]
        np.testing.assert_allclose(qrow, expected)
    assert (q >= p).all() and (q <= 1).all()


def test_control_pvalues():
    np.testing.assert_allclose(control_pvalues(np.array([0, 2]), 3), [1 / 4, 3 / 4])


def test_control_counts_copies_at_the_querys_best_target(small_db, warm_tomtom):
    """A short palindrome (the E-box) is judged by whether its shuffled copies match *its* target
    as well, not whether they match anything in the database as well."""
    counts = np.full((4, 6), 0.05)
    for column, base in enumerate("CACGTG"):
        counts["ACGT".index(base), column] = 0.85
    ebox = Motif("ebox", counts * 20)
    result = annotate_motifs([ebox], small_db, seed=4)
    row = result.best.iloc[0]
    assert row["target_name"] in {"MAX", "Arnt"} and row["matched"]  # both bHLH E-boxes
    copies = compare_motifs(column_shuffled([ebox], 50, seed=4), small_db)
    target = [m.id for m in small_db].index(row["target_id"])
    k = int((copies.p[:, target] <= row["p"]).sum())
    assert row["control_p"] == pytest.approx((1 + k) / 51)
    assert (copies.p.min(axis=1) <= row["p"]).sum() >= k  # best-of-database copies: more


def test_submotif_finds_its_source_with_offset_and_strand(small_db, warm_tomtom):
    ctcf = small_db.get("MA0139.2")
    part = ctcf.columns(3, 12)
    part.id = "part"
    flipped = part.reverse_complement()
    flipped.id = "flipped"
    result = compare_motifs([part, flipped], small_db)
    j = small_db.ids.index("MA0139.2")
    assert (result.best() == j).all()
    assert result.offsets[:, j].tolist() == [3, 3]
    assert result.strands[:, j].tolist() == ["+", "-"]
    assert result.overlaps[:, j].tolist() == [9, 9]
    np.testing.assert_allclose(result.E, result.p * len(small_db))
    table = result.table(q_cutoff=0.05)
    assert table.iloc[0]["target_id"] == "MA0139.2" and list(table["p"]) == sorted(table["p"])


def test_pvalues_do_not_depend_on_database_order(small_db, warm_tomtom):
    """Shuffling the database permutes the columns of every result and changes no value."""
    from seqconv.motifs.database import MotifDatabase

    queries = [small_db[0].columns(2, 9), *column_shuffled(list(small_db)[:6], seed=3)]
    order = np.random.default_rng(5).permutation(len(small_db))
    shuffled = MotifDatabase([small_db[int(i)] for i in order], "shuffled")
    a, b = compare_motifs(queries, small_db), compare_motifs(queries, shuffled)
    np.testing.assert_array_equal(b.p, a.p[:, order])
    np.testing.assert_array_equal(b.q, a.q[:, order])
    np.testing.assert_array_equal(b.offsets, a.offsets[:, order])
    assert [shuffled.ids[j] for j in b.best()] == [small_db.ids[j] for j in a.best()]


def test_column_shuffles_are_seeded_permutations(small_db):
    motifs = list(small_db)[:2]
    a, b = column_shuffled(motifs, 3, seed=1), column_shuffled(motifs, 3, seed=1)
    assert [m.id for m in a][:3] == [
        "MA0139.2_shuffled0",
        "MA0139.2_shuffled1",
        "MA0139.2_shuffled2",
    ]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.counts, y.counts)
    original = sorted(map(tuple, motifs[0].counts.T))
    assert sorted(map(tuple, a[0].counts.T)) == original


def test_random_filters_and_shuffled_motifs_are_rarely_matched(small_db, warm_tomtom):
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(300, 100)).astype(np.uint8)
    untrained = nn.Sequential(nn.Conv1d(4, 24, 15, padding=7), nn.ReLU())
    noise = [m.to_motif() for m in extract_filter_motifs(untrained, codes).motifs]
    decoys = column_shuffled(list(small_db)[:12], 1, seed=7)
    result = annotate_motifs(noise + decoys, small_db, seed=0)
    assert result.control.n_shuffles == 50
    significant = int((result.best["q"] < 0.05).sum())
    assert significant >= 2  # Tomtom alone calls noise significant
    # At most one copy in 50 may match as well (alpha 0.05): a null motif passes ~5 % of the time.
    assert result.best["matched"].sum() <= max(2, 0.1 * significant)
    assert set(result.best.columns) >= {"query", "target_id", "p", "q", "control_p", "matched"}


def test_fast_recovery_of_planted_pwms_by_name(small_db, warm_tomtom):
    """The issue's fast test: planted JASPAR PWMs as first-layer weights are recovered by name."""
    planted = [small_db.get(i) for i in PLANTED]
    sim = simulate(planted, n=600, length=100, motifs_per_seq=(1, 2), multi_label=True, seed=0)
    conv = pwm_conv(planted, n_random=3)
    model = nn.Sequential(conv, nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten())
    extraction = extract_filter_motifs(model, sim.codes())
    queries = [m.to_motif() for m in extraction.motifs]
    result = annotate_motifs(queries, small_db, q_cutoff=0.05, seed=0)
    best = result.best.set_index("query")
    for f, motif in enumerate(planted):
        row = best.loc[f"filter{f}"]
        assert row["target_name"] == motif.name, (f, row["target_name"])
        assert row["matched"], (f, row["q"], row["control_p"])
    matched_random = best.loc[[f"filter{f}" for f in (4, 5, 6) if f"filter{f}" in best.index]]
    assert matched_random["matched"].sum() <= 1
    assert result.control.real_matched >= 4
    found = recovery(result, planted)
    assert found.n_recovered == 4 and str(found) == "4/4"
    assert found.by_motif["MA0139.2"][0] == ("filter0", "MA0139.2", "same matrix")
    # A planted version that is not in the database is found through its base id or family.
    other = planted[0].columns(0, planted[0].width)
    other.id, other.tf_family = "MA0139.1", ""
    assert recovery(result, [other], small_db).by_motif["MA0139.1"][0][2] == "same matrix"


def test_expected_false_calls_judge_each_copy_against_the_others():
    others = np.array([[0, 1, 2, 3], [3, 3, 3, 3]])  # copies at least as good at each one's target
    q = np.array([[0.01, 0.2, 0.2, 0.2], [0.01, 0.01, 0.01, 0.01]])
    # Row 0: copy 0 beats the other three ((1 + 0) / 4 <= 0.25) and has q < 0.05: 1 of 4.
    # Row 1: all tie, so each has 3 others as good: (1 + 3) / 4 > 0.25: none.
    np.testing.assert_allclose(expected_false_calls(others, q, 0.05, 0.25), [0.25, 0.0])


def test_low_information_motifs_are_not_named(small_db, warm_tomtom):
    ctcf = small_db.get("MA0139.2")
    weak = ctcf.columns(0, ctcf.width)
    weak.id = weak.name = "weak"
    weak.counts = ctcf.ppm * 0.5 + 0.5 * 0.25  # same shape, 3.8 bits: q 3e-8 against CTCF
    strong = ctcf.columns(0, ctcf.width)
    strong.id = strong.name = "strong"
    assert weak.information < 6 <= strong.information
    result = annotate_motifs([weak, strong], small_db, seed=0)
    best = result.best.set_index("query")
    assert best.loc["weak", "q"] < 0.05  # Tomtom alone would name it CTCF
    assert not best.loc["weak", "matched"] and np.isnan(best.loc["weak", "control_p"])
    assert best.loc["strong", "matched"]
    assert result.control.real_matched == 1
    assert result.control.fdr <= 0.1 and not result.notes
    # The floor is a parameter: without it the weak copy is judged by its control alone.
    loose = annotate_motifs([weak, strong], small_db, seed=0, min_information=0)
    assert not np.isnan(loose.best.set_index("query").loc["weak", "control_p"])


def test_redundant_matches_merge_into_clusters_named_by_family(small_db, warm_tomtom):
    from seqconv.motifs.clusters import cluster_matched

    queries = []
    for motif_id, copies in (("MA0139.2", 3), ("MA0035.4", 2)):  # CTCF, GATA1
        source = small_db.get(motif_id)
        for k in range(copies):
            copy = source.columns(k, source.width - k)  # trimmed a little differently
            copy.id = copy.name = f"{source.name}_{k}"
            queries.append(copy)
    annotation = annotate_motifs(queries, small_db, seed=0)
    assert annotation.best["matched"].all()
    clusters = cluster_matched(annotation, queries)
    table = clusters.table.set_index("label")
    assert len(clusters) == 2
    ctcf = table.loc[small_db.get("MA0139.2").tf_family]
    assert ctcf["n_members"] == 3 and ctcf["members"] == "CTCF_0, CTCF_1, CTCF_2"
    assert clusters.of_query["GATA1_1"] == table.loc[small_db.get("MA0035.4").tf_family, "cluster"]
    assert clusters.summary()[0].endswith("3 members)")
