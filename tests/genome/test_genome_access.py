"""Genome random access, BED reading and GC-matched negatives."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from genome_fixtures import write_genome

from seqconv.dna.background import gc_matched_background
from seqconv.dna.bed import centred_starts, merge_intervals, read_bed
from seqconv.dna.encode import decode_dna
from seqconv.dna.genome import Genome, gc_fraction
from seqconv.errors import InputError


@pytest.fixture
def genome(tmp_path):
    seqs = write_genome(tmp_path / "g.fa", {"chr1": 20_000, "chr2": 12_345})
    return tmp_path / "g.fa", seqs


def test_fetch_matches_the_sequence_and_pads_past_the_ends(genome):
    path, seqs = genome
    g = Genome(path)
    assert g.sizes == {"chr1": 20_000, "chr2": 12_345}
    assert decode_dna(g.fetch("chr2", 100, 190)[None])[0] == seqs["chr2"][100:190]
    left = decode_dna(g.fetch("chr1", -5, 5)[None])[0]
    assert left == "NNNNN" + seqs["chr1"][:5]
    codes, outside = g.windows(["chr2", "chr2", "chr1"], np.array([12_340, 0, -1]), 10)
    assert outside == 2
    assert decode_dna(codes[:1])[0] == seqs["chr2"][12_340:] + "NNNNN"


def test_bgzip_genome_is_read_and_plain_gzip_refused(genome, tmp_path):
    from Bio import bgzf

    path, seqs = genome
    with bgzf.BgzfWriter(str(tmp_path / "b.fa.gz"), "wb") as out:
        out.write(path.read_bytes())
    g = Genome(tmp_path / "b.fa.gz")
    assert decode_dna(g.fetch("chr1", 15_000, 15_050)[None])[0] == seqs["chr1"][15_000:15_050]
    (tmp_path / "p.fa.gz").write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(InputError, match="plain gzip.*bgzip"):
        Genome(tmp_path / "p.fa.gz")


def test_chromosome_names_checked_with_a_hint(genome):
    g = Genome(genome[0])
    with pytest.raises(InputError, match=r"peaks.bed: 2 chromosome.*1, 2.*add the 'chr' prefix"):
        g.check_chromosomes(["1", "2", "chr1"], "peaks.bed")
    g.check_chromosomes(["chr1"], "peaks.bed")


def test_missing_genome_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such genome"):
        Genome(tmp_path / "absent.fa")


def test_read_bed_narrowpeak_summits_and_skipped_lines(tmp_path):
    path = tmp_path / "x.narrowPeak"
    path.write_text(
        "track name=x\n# comment\nchr1\t100\t300\tp1\t5\t.\t1\t2\t3\t50\n"
        "chr1\t400\t500\tp2\t5\t.\t1\t2\t3\t-1\n"
    )
    table = read_bed(path)
    assert table["summit"].tolist() == [150, 450]
    assert table["line"].tolist() == [3, 4]
    assert centred_starts(table, 100).tolist() == [100, 400]


@pytest.mark.parametrize(
    "text, message",
    [
        ("chr1\t100\n", "line 1: a BED line needs at least 3 columns"),
        ("chr1\t1\t5\nchr1\tx\t9\n", "line 2: start 'x' is not a non-negative integer"),
        ("chr1\t50\t10\n", "line 1: end 10 is not after start 50"),
        ("track x\n", "no intervals"),
    ],
)
def test_bad_bed_lines_name_the_line(tmp_path, text, message):
    path = tmp_path / "bad.bed"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_bed(path)


def test_merge_intervals():
    out = merge_intervals(
        np.array(["a", "a", "a", "b"]), np.array([0, 5, 20, 0]), np.array([10, 12, 30, 1])
    )
    assert out.values.tolist() == [["a", 0, 12], ["a", 20, 30], ["b", 0, 1]]


def test_gc_matched_negatives_match_avoid_peaks_and_excluded(tmp_path):
    write_genome(tmp_path / "g.fa", {"chr1": 200_000, "chr2": 200_000}, seed=3)
    g = Genome(tmp_path / "g.fa")
    rng = np.random.default_rng(0)
    # GC-rich positives from the second halves: the genome at large is half AT-rich
    starts = np.sort(rng.choice(np.arange(100_000, 199_000, 500), 150, replace=False))
    peaks = pd.DataFrame({"chrom": "chr1", "start": starts, "end": starts + 200})
    codes, _ = g.windows(["chr1"] * len(starts), starts, 200)
    positive_gc, _ = gc_fraction(codes)
    exclude = pd.DataFrame({"chrom": ["chr2"], "start": [150_000], "end": [200_000]})
    bg = gc_matched_background(g, peaks, positive_gc, 200, flank=300, exclude=exclude, seed=1)
    summary = bg.summary()
    assert summary["negatives"] == 150
    assert abs(summary["positive_gc_mean"] - summary["negative_gc_mean"]) < 0.01
    assert summary["ks_distance"] < 0.1
    genome_gc = gc_fraction(g.windows(["chr1"] * 500, rng.integers(0, 199_000, 500), 200)[0])[0]
    assert genome_gc.mean() < summary["positive_gc_mean"] - 0.05  # matching did something
    for chrom, start in zip(bg.chroms, bg.starts, strict=True):
        if chrom == "chr1":
            assert np.all((start + 200 <= starts - 300) | (start >= starts + 200 + 300))
        else:
            assert start + 200 <= 150_000
    again = gc_matched_background(g, peaks, positive_gc, 200, flank=300, exclude=exclude, seed=1)
    assert again.starts.tolist() == bg.starts.tolist()
    table = bg.gc_table()
    assert table["positives"].sum() == 150 and table["negatives"].sum() == 150


def test_negatives_come_from_every_chromosome_in_proportion(tmp_path):
    """Bins fill in draw order: the first chromosomes must not take every negative (the held-out
    chromosomes would get none)."""
    write_genome(tmp_path / "g.fa", {"chr1": 100_000, "chr2": 100_000}, seed=4)
    g = Genome(tmp_path / "g.fa")
    starts = np.arange(60_000, 70_000, 1000)
    peaks = pd.DataFrame({"chrom": "chr1", "start": starts, "end": starts + 200})
    positive_gc, _ = gc_fraction(g.windows(["chr1"] * len(starts), starts, 200)[0])
    bg = gc_matched_background(g, peaks, positive_gc, 200, ratio=20, flank=0, seed=0)
    assert len(bg.starts) == 200
    assert 0.3 < np.mean(bg.chroms == "chr1") < 0.7
    none = gc_matched_background(g, peaks, positive_gc, 200, ratio=0.01, flank=0, seed=0)
    assert len(none.starts) == 0 and "rounds to no genomic negative" in none.notes[0]
