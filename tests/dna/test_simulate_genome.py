"""`seqconv simulate --genome`: isochores, GC-rich peaks, planted sites where the tables say, a
VCF whose REF is the genome's and whose classes are what they claim, seeded, and the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.bed import read_bed
from seqconv.dna.fasta import read_fasta
from seqconv.dna.simulate_genome import simulate_genome, write_genome_simulation
from seqconv.errors import InputError
from seqconv.motifs.database import fetch_jaspar
from seqconv.motifs.motif import ppm_from_counts

SMALL = {"chromosomes": 3, "chrom_length": 200_000, "n_peaks": 120, "n_variant_peaks": 60}
SMALL |= {"isochore_length": (30_000, 80_000), "seed": 1}


@pytest.fixture(scope="module")
def ctcf():
    return fetch_jaspar("MA0139.2")


@pytest.fixture(scope="module")
def written(ctcf, tmp_path_factory):
    """The small simulation, its files and the genome read back from ``genome.fa``."""
    sim = simulate_genome([ctcf], **SMALL)
    files = write_genome_simulation(sim, tmp_path_factory.mktemp("genome"), command="test")
    genome = {r.id: r.sequence for r in read_fasta(files["genome"])}
    return sim, files, genome


def _vcf(path) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t", comment=None, skiprows=_header_lines(path) - 1)
    info = table["INFO"].str.extract(r"EFFECT=(\w+);PEAK=(\w+)")
    return table.assign(effect=info[0], peak=info[1])


def _header_lines(path) -> int:
    return sum(line.startswith("#") for line in path.read_text().splitlines())


def _gc(seq: str) -> float:
    seq = seq.upper()
    return (seq.count("G") + seq.count("C")) / max(1, sum(seq.count(b) for b in "ACGT"))


def test_isochores_make_two_gc_levels_and_peaks_are_gc_richer(written):
    sim, files, genome = written
    levels = {"AT-rich": [], "GC-rich": []}
    for row in sim.isochores.itertuples():  # 10 kb windows inside one isochore
        for start in range(row.start, row.end - 10_000 + 1, 10_000):
            window = genome[row.chrom][start : start + 10_000]
            if window.upper().count("N") < 1000:
                levels[row.kind].append(_gc(window))
    at, rich = np.array(levels["AT-rich"]), np.array(levels["GC-rich"])
    assert len(at) >= 5 and len(rich) >= 5
    assert at.max() < 0.44 < 0.50 < rich.min()  # two levels, nothing in between
    assert abs(np.median(at) - 0.38) < 0.03 and abs(np.median(rich) - 0.55) < 0.03
    peaks = read_bed(files["peaks"])
    peak_gc = _gc("".join(genome[p.chrom][p.start : p.end] for p in peaks.itertuples()))
    genome_gc = _gc("".join(genome.values()))
    assert peak_gc > genome_gc + 0.02
    assert sim.stats["gc"]["peaks"] == pytest.approx(peak_gc, abs=1e-3)
    assert sim.stats["gc"]["genome"] == pytest.approx(genome_gc, abs=1e-3)


def test_genome_is_soft_masked_with_gaps_and_not_iid(written):
    sim, files, genome = written
    assert list(genome) == ["chr1", "chr2", "chr3"]
    assert {len(s) for s in genome.values()} == {200_000}
    lines = files["genome"].read_text().splitlines()
    assert {len(line) for line in lines if not line.startswith(">")} <= {60, 20}
    assert genome["chr1"][:1000] == "N" * 1000 and genome["chr3"][-1000:] == "N" * 1000
    masked = sum(c.islower() for s in genome.values() for c in s) / 600_000
    assert 0.1 < masked < 0.4
    joined = "".join(genome.values()).upper()
    cpg = joined.count("CG") / (joined.count("C") * joined.count("G") / len(joined))
    assert cpg < 0.6  # CpG depleted, as in vertebrate genomes
    assert "A" * 15 in joined and "T" * 15 in joined  # poly-A tails and runs


def test_narrowpeak_has_ten_columns_and_summits_inside(written):
    sim, files, genome = written
    table = pd.read_csv(files["peaks"], sep="\t", header=None)
    assert table.shape == (120, 10) and set(table[5]) == {"."}
    assert table[4].between(0, 1000).all() and (table[9] > 0).all()
    assert (table[9] < table[2] - table[1]).all()
    assert (table[2] - table[1]).between(200, 600).all()
    order = table[0].str[3:].astype(int) * 10**9 + table[1]
    assert order.is_monotonic_increasing
    for _, group in table.groupby(0):  # no overlaps
        assert (group[1].values[1:] >= group[2].values[:-1]).all()
    peaks = read_bed(files["peaks"])
    assert (peaks["summit"] == table[1] + table[9]).all()
    assert all("N" not in genome[p.chrom][p.start : p.end] for p in peaks.itertuples())
    assert sim.stats["peaks_in_gc_rich_isochores"] > 0.6 * len(table)


def test_planted_sites_lie_in_their_peaks_and_score_like_the_motif(written, ctcf):
    sim, files, genome = written
    sites = pd.read_csv(files["sites"], sep="\t")
    peaks = sim.peaks.set_index("name")
    log_odds = np.log2(ppm_from_counts(ctcf.counts, 1.0) / 0.25)
    best = log_odds.max(axis=0).sum()
    rows = np.arange(ctcf.width)
    scores = []
    for s in sites.itertuples():
        peak = peaks.loc[s.peak]
        assert peak.start <= s.start < s.end <= peak.end and s.chrom == peak.chrom
        assert abs((s.start + s.end) / 2 - (peak.start + peak.peak)) <= 50 + ctcf.width
        bases = genome[s.chrom][s.start : s.end]
        assert bases == s.site and bases.isupper()
        if s.strand == "-":
            bases = bases[::-1].translate(str.maketrans("ACGT", "TGCA"))
        scores.append(log_odds[["ACGT".index(b) for b in bases], rows].sum())
    scores = np.array(scores)
    assert (scores > 0).all() and np.median(scores) > 0.6 * best
    assert set(sites["strand"]) == {"+", "-"} and set(sites["motif_id"]) == {"MA0139.2"}
    without = (peaks["sites"] == 0).mean()
    assert 0.02 < without < 0.25 and peaks["sites"].max() == 2


def test_vcf_ref_is_the_genome_and_classes_are_what_they_claim(written, ctcf):
    sim, files, genome = written
    text = files["variants"].read_text()
    assert text.startswith("##fileformat=VCFv4.2\n")
    assert "##contig=<ID=chr2,length=200000>" in text
    assert "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" in text
    vcf = _vcf(files["variants"])
    assert list(vcf["ID"]) == [f"var{i + 1:06d}" for i in range(len(vcf))]
    order = vcf["#CHROM"].str[3:].astype(int) * 10**9 + vcf["POS"]
    assert order.is_monotonic_increasing
    for v in vcf.itertuples():
        assert genome[v[1]][v.POS - 1 : v.POS - 1 + len(v.REF)].upper() == v.REF
    sites = sim.sites
    bits_col = int(np.argmax(ctcf.bits))
    for v in vcf.itertuples():
        mine = sites[sites["peak"] == v.peak]
        pos = v.POS - 1
        if v.effect == "destroys":
            hit = mine[(mine["start"] <= pos) & (pos < mine["end"])]
            assert len(hit) == 1
            site = hit.iloc[0]
            col = pos - site.start if site.strand == "+" else site.end - 1 - pos
            assert col == bits_col and v.ALT != v.REF
        else:
            for p in range(pos, pos + len(v.REF)):  # every base the record touches
                for s, e in mine[["start", "end"]].values:
                    assert p < s - 29 or p > e - 1 + 29, (v.ID, p, s, e)
    snv = vcf[(vcf["REF"].str.len() == 1) & (vcf["ALT"].str.len() == 1)]
    assert (snv["effect"] == "destroys").sum() == (snv["effect"] == "elsewhere").sum() >= 50
    assert (vcf["ALT"].str.contains(",")).sum() == 1
    assert (vcf["REF"].str.len() > 1).sum() == 2 and (vcf["ALT"].str.len() > 1).sum() == 3


def test_same_seed_same_files_other_seed_differs(written, ctcf, tmp_path):
    sim, files, _ = written
    again = write_genome_simulation(simulate_genome([ctcf], **SMALL), tmp_path / "a", "test")
    for kind, path in files.items():
        assert again[kind].read_bytes() == path.read_bytes(), kind
    other = simulate_genome([ctcf], **(SMALL | {"seed": 2}))
    assert not np.array_equal(other.sequences["chr1"], sim.sequences["chr1"])


def test_bad_values_are_input_errors(ctcf):
    with pytest.raises(InputError, match="at least 20,000 bp"):
        simulate_genome([ctcf], chrom_length=10)
    with pytest.raises(InputError, match="could not place"):
        simulate_genome([ctcf], chromosomes=1, chrom_length=20_000, n_peaks=500)
    with pytest.raises(InputError, match="at least one motif"):
        simulate_genome([])


def test_cli_genome_mode(tmp_path):
    out = tmp_path / "g"
    args = ["simulate", "--genome", "--motif", "MA0139.2", "--chromosomes", "2"]
    args += ["--chrom-length", "60000", "--n", "20", "--seed", "3", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "20 peaks" in result.output
    provenance = json.loads((out / "simulation.json").read_text())
    assert provenance["command"].startswith("seqconv simulate --genome --motif MA0139.2")
    assert provenance["settings"]["chromosomes"] == 2 and provenance["peaks"] == 20
    assert {p.name for p in out.iterdir()} >= {"genome.fa", "peaks.narrowPeak", "variants.vcf"}
    wrong = CliRunner().invoke(app, [*args, "--length", "100"])
    assert wrong.exit_code == 2 and "--length does not apply with --genome" in wrong.output
    fasta_only = ["simulate", "--motif", "MA0139.2", "--chromosomes", "3", "--out", str(out)]
    wrong = CliRunner().invoke(app, fasta_only)
    assert wrong.exit_code == 2 and "--chromosomes applies only with --genome" in wrong.output
    tiny = CliRunner().invoke(app, ["simulate", "--genome", "--motif", "MA0139.2",
                                    "--chrom-length", "10", "--out", str(out)])  # fmt: skip
    assert tiny.exit_code == 2 and "at least 20,000 bp" in tiny.output
    assert "Traceback" not in tiny.output
