"""train --bed / predict --bed / scan through the command line, on a tiny genome."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from genome_fixtures import rewrite, write_genome, write_peaks
from typer.testing import CliRunner

from seqconv.cli import app

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture(scope="module")
def genome_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("genome")
    chroms = {f"chr{i}": 60_000 for i in range(1, 10)}
    seqs = write_genome(tmp / "g.fa", chroms, seed=2)
    bed, seqs = write_peaks(tmp / "peaks.narrowPeak", seqs, n=270)
    rewrite(tmp / "g.fa", seqs)
    result = invoke(
        "train", "--bed", bed, "--genome", tmp / "g.fa", "--length", 100, "--epochs", 3,
        "--arch", "deepbind", "-O", "filters=8", "-O", "kernel_size=12", "--out", tmp / "run",
        "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp


def test_train_from_peaks_writes_gc_files_and_splits_by_chromosome(genome_run):
    run = genome_run / "run"
    config = json.loads((run / "config.json").read_text())
    assert config["target_names"] == ["background", "peaks"]
    assert config["split"]["method"] == "chromosome"
    negatives = config["genome"]["negatives"]
    assert negatives["negatives"] == negatives["positives"] == 270
    assert abs(negatives["positive_gc_mean"] - negatives["negative_gc_mean"]) < 0.02
    assert (run / "gc.png").stat().st_size > 1000
    table = pd.read_csv(run / "gc.tsv", sep="\t")
    assert table["positives"].sum() == table["negatives"].sum() == 270
    split = pd.read_csv(run / "split.tsv", sep="\t")
    assert set(split.loc[split["split"] == "test", "id"].str.split(":").str[0]) == {"chr8", "chr9"}
    assert config["options"]["negatives"] is None and config["data"]["negatives"] == "genome"


def test_predict_bed_and_scan(genome_run, tmp_path):
    run, genome = genome_run / "run", genome_run / "g.fa"
    regions = tmp_path / "r.bed"
    regions.write_text("chr8\t30000\t30500\nchr8\t30400\t31000\nchr9\t0\t120\n")
    out = tmp_path / "p.tsv"
    assert invoke("predict", "--model", run, "--bed", regions, "--genome", genome,
                  "--out", out).exit_code == 0  # fmt: skip
    table = pd.read_csv(out, sep="\t")
    assert table["id"].tolist() == ["chr8:30000-30500", "chr8:30400-31000", "chr9:0-120"]
    assert list(table.columns) == ["id", "background", "peaks", "prediction"]

    track = tmp_path / "t.bedgraph"
    result = invoke("scan", "--model", run, "--genome", genome, "--regions", regions,
                    "--stride", 50, "--out", track)  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = pd.read_csv(track, sep="\t", skiprows=1, header=None)
    # overlapping regions merged: chr8 30000-31000 in 20 bins, chr9 0-120 in 3 (the last clipped)
    assert len(rows) == 23
    assert rows.iloc[-1].tolist()[:3] == ["chr9", 100, 120]
    assert rows[3].between(0, 1).all()
    # a scan value is the prediction of the window centred on the bin
    bins = tmp_path / "one.bed"
    bins.write_text("chr8\t30000\t30050\n")
    invoke("predict", "--model", run, "--bed", bins, "--genome", genome, "--out", out)
    assert pd.read_csv(out, sep="\t")["peaks"].iloc[0] == pytest.approx(rows[3].iloc[0], abs=1e-5)

    bw = tmp_path / "t.bw"
    assert invoke("scan", "--model", run, "--genome", genome, "--regions", regions,
                  "--out", bw).exit_code == 0  # fmt: skip
    import pyBigWig

    handle = pyBigWig.open(str(bw))
    assert handle.stats("chr8", 30000, 30050)[0] == pytest.approx(rows[3].iloc[0], abs=1e-4)
    handle.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bed", "{bed}"], "--bed needs --genome"),
        (["--bed", "{bed}", "--genome", "{genome}", "--fasta", "{bed}"], "not both"),
        (["--fasta", "{bed}", "--exclude", "{bed}"], "--exclude: only with --bed"),
        (["--bed", "{bad}", "--genome", "{genome}"], "chromosome name.*not in the genome"),
        (["--bed", "{bed}", "--genome", "{genome}", "--negatives", "x"], "use genome"),
        (["--bed", "{bed}", "--genome", "{genome}", "--negatives-ratio", "0"], "ratio"),
    ],
)
def test_bad_train_options_are_messages(genome_run, tmp_path, args, message):
    bad = tmp_path / "bad.bed"
    bad.write_text("1\t10\t200\n")
    values = {"bed": genome_run / "peaks.narrowPeak", "genome": genome_run / "g.fa", "bad": bad}
    result = invoke("train", *[a.format(**values) for a in args], "--out", tmp_path / "r")
    assert result.exit_code == 2, result.output
    assert result.output.count("error") == 1
    import re

    assert re.search(message, result.output.replace("\n", " ")), result.output


def test_scan_regions_past_the_end_and_bad_suffix(genome_run, tmp_path):
    run, genome = genome_run / "run", genome_run / "g.fa"
    regions = tmp_path / "r.bed"
    regions.write_text("chr8\t59000\t61000\n")
    result = invoke("scan", "--model", run, "--genome", genome, "--regions", regions,
                    "--out", tmp_path / "t.bedgraph")  # fmt: skip
    assert result.exit_code == 2 and "ends past the chromosome" in result.output
    result = invoke("scan", "--model", run, "--genome", genome, "--out", tmp_path / "t.txt")
    assert result.exit_code == 2 and ".bedgraph" in result.output


def test_windows_past_chromosome_ends_are_padded_and_counted(genome_run, tmp_path):
    bed = tmp_path / "edge.bed"
    rows = [f"chr{i}\t{s}\t{s + 100}" for i in range(1, 10) for s in (0, 59_950, 30_000)]
    bed.write_text("\n".join(rows * 4) + "\n")
    result = invoke("train", "--bed", bed, "--genome", genome_run / "g.fa", "--length", 200,
                    "--negatives", "shuffle", "--epochs", 1, "--arch", "deepbind",
                    "-O", "filters=4", "--out", tmp_path / "r")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "18 windows reach past a chromosome end: padded with N" in result.output
    assert "share a 200 bp window" in result.output
    np.testing.assert_equal(
        json.loads((tmp_path / "r" / "config.json").read_text())["target_names"],
        ["shuffled", "edge"],
    )


def test_intervals_past_the_chromosome_end_are_skipped_and_announced(genome_run, tmp_path):
    run, genome = genome_run / "run", genome_run / "g.fa"
    regions = tmp_path / "r.bed"
    regions.write_text("chr8\t100\t300\nchr8\t70000\t70100\nchr9\t500\t600\n")
    out = tmp_path / "p.tsv"
    result = invoke("predict", "--run", run, "--bed", regions, "--genome", genome, "--out", out)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "1 interval(s) of" in text and "line 2: chr8:70000" in text and "skipped" in text
    assert pd.read_csv(out, sep="\t")["id"].tolist() == ["chr8:100-300", "chr9:500-600"]
    regions.write_text("chr8\t70000\t70100\n")
    result = invoke("train", "--bed", regions, "--genome", genome, "--out", tmp_path / "r")
    assert result.exit_code == 2 and "intervals start past the end" in result.output


def test_motifs_from_peaks_on_the_genome(genome_run, tmp_path, warm_tomtom):
    run, genome = genome_run / "run", genome_run / "g.fa"
    out = tmp_path / "motifs"
    result = invoke("motifs", "--run", run, "--bed", genome_run / "peaks.narrowPeak",
                    "--genome", genome, "--shuffles", 5, "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "matches.tsv").exists()
    result = invoke("motifs", "--run", run, "--bed", genome_run / "peaks.narrowPeak")
    assert result.exit_code == 2 and "--bed needs --genome" in result.output


def test_attribute_regions_on_the_genome(genome_run, tmp_path):
    regions = tmp_path / "r.bed"
    regions.write_text("chr8\t30000\t30200\nchr9\t1000\t1200\n")
    out = tmp_path / "attr"
    result = invoke("attribute", "--run", genome_run / "run", "--bed", regions,
                    "--genome", genome_run / "g.fa", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    arrays = np.load(out / "attributions.npz")
    assert arrays["ids"].tolist() == ["chr8:30000-30200", "chr9:1000-1200"]
    result = invoke("attribute", "--run", genome_run / "run", "--out", out)
    assert result.exit_code == 2 and "--fasta" in result.output
