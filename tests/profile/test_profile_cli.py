"""``--task profile`` end to end on a small simulated genome with stranded footprints: training,
predict (TSV and npz), scan, variants, attribution of both heads, marginalize, and one-line
errors for the bad inputs a profile run meets."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from tests.conftest import random_dna, write_fasta
from tests.profile.profile_fixtures import simulate, write_bigwig

runner = CliRunner()
TINY = ["-O", "n_layers=3", "-O", "filters=16", "--epochs", "2", "--batch-size", "32", "--quiet"]


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    return result


def error_line(result) -> str:
    """The one ``error:`` line of a refused command (exit 2)."""
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    return simulate(tmp_path_factory.mktemp("footprints"))


@pytest.fixture(scope="module")
def run(sim, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "profile"
    result = invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"], "--bigwig",
                    sim["counts_plus"], "--bigwig", sim["counts_minus"], "--task", "profile",
                    "--length", "120", *TINY, "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def test_a_profile_run_records_its_task_loss_and_scores(run):
    config = json.loads((run / "config.json").read_text())
    profile = config["profile"]
    assert config["task"] == "profile" and config["model"]["name"] == "bpnet"
    assert profile["width"] == 120 and profile["strands"] == [1, 0]
    assert profile["units"] == [[0, 1]] and profile["count_weight_from"] == "bpnet-lite"
    assert config["input"]["length"] == 120 + config["receptive_field"]["size"] - 1
    history = pd.read_csv(run / "history.csv")
    for column in ("train_profile_nll", "train_counts_mse", "val_profile_nll", "val_counts_mse",
                   "val_profile_pearson", "val_counts_pearson"):  # fmt: skip
        assert column in history, column
    metrics = json.loads((run / "metrics.json").read_text())
    for name in ("profile_pearson", "profile_spearman", "profile_jsd", "counts_pearson",
                 "counts_spearman", "counts_mse"):  # fmt: skip
        assert name in metrics["summary"], name
    assert "footprints.plus+footprints.minus" in metrics["per_target"]
    assert (run / "test_profiles.png").stat().st_size > 0


def test_predict_writes_totals_and_profiles_in_bed_order(run, sim, tmp_path):
    bed = tmp_path / "regions.bed"
    peaks = pd.read_csv(sim["peaks"], sep="\t", header=None).iloc[[7, 2, 5]]
    peaks.iloc[:, :3].to_csv(bed, sep="\t", header=False, index=False)
    out, npz = tmp_path / "p.tsv", tmp_path / "p.npz"
    result = invoke("predict", "--run", run, "--bed", bed, "--genome", sim["genome"], "--out",
                    out, "--per-position", npz)  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep="\t")
    saved = np.load(npz)
    assert list(table.columns) == ["id", "footprints.plus", "footprints.minus"]
    assert saved["profiles"].shape == (3, 2, 120)
    wanted = [f"{c}:{s}-{e}" for c, s, e in peaks.iloc[:, :3].itertuples(index=False)]
    assert list(table["id"]) == wanted and list(saved["ids"]) == wanted
    assert np.allclose(saved["profiles"].sum(-1), table.iloc[:, 1:].to_numpy(), rtol=1e-4)
    same = invoke("predict", "--run", run, "--bed", bed, "--genome", sim["genome"], "--out", out,
                  "--per-position", out)  # fmt: skip
    assert "--per-position" in error_line(same) and "is also --out" in error_line(same)


def test_fasta_records_narrower_than_the_output_are_refused(run, tmp_path):
    rng = np.random.default_rng(0)
    fasta = write_fasta(tmp_path / "s.fa", [("long", random_dna(rng, 1, 400)[0]),
                                           ("short", random_dna(rng, 1, 80)[0])])  # fmt: skip
    ok = write_fasta(tmp_path / "ok.fa", [("long", random_dna(rng, 1, 400)[0])])
    assert invoke("predict", "--run", run, "--fasta", ok, "--out", tmp_path / "o.tsv",
                  "--per-position", tmp_path / "o.npz").exit_code == 0  # fmt: skip
    text = error_line(invoke("predict", "--run", run, "--fasta", fasta, "--out",
                             tmp_path / "p.tsv"))  # fmt: skip
    assert "record 'short' is 80 bp, narrower than the model's output (120 bp)" in text


def test_scan_writes_each_track_at_every_base(run, sim, tmp_path):
    import pyBigWig

    regions = tmp_path / "r.bed"
    regions.write_text("chr2\t1000\t1300\n")
    out = tmp_path / "scan.bw"
    result = invoke("scan", "--run", run, "--genome", sim["genome"], "--regions", regions,
                    "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    bw = pyBigWig.open(str(tmp_path / "scan.footprints.plus.bw"))
    values = bw.values("chr2", 1000, 1300, numpy=True)
    assert np.isfinite(values).all() and (values >= 0).all()
    text = error_line(invoke("scan", "--run", run, "--genome", sim["genome"], "--regions",
                             regions, "--out", out, "--stride", "10"))  # fmt: skip
    assert "--stride" in text and "predicts every base" in text


def test_variants_report_log_fold_changes_and_profile_distances(run, sim, tmp_path):
    out = tmp_path / "v.tsv"
    result = invoke("variants", "--run", run, "--vcf", sim["variants"], "--genome",
                    sim["genome"], "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, sep="\t")
    for column in ("footprints.plus_ref", "footprints.plus_alt", "footprints.plus_log2fc",
                   "footprints.plus_jsd", "footprints.minus_log2fc"):  # fmt: skip
        assert column in table, column
    assert (table["footprints.plus_jsd"].dropna() >= 0).all()
    expected = np.log2((1 + table["footprints.plus_alt"]) / (1 + table["footprints.plus_ref"]))
    assert np.allclose(table["footprints.plus_log2fc"], expected, atol=1e-4)


@pytest.mark.parametrize("head", ["counts", "profile"])
def test_both_heads_can_be_explained(run, sim, tmp_path, head):
    bed = tmp_path / "r.bed"
    bed.write_text("chr2\t1000\t1200\nchr3\t5000\t5200\n")
    out = tmp_path / head
    result = invoke("attribute", "--run", run, "--bed", bed, "--genome", sim["genome"], "--out",
                    out, "--method", "gradient", "--head", head)  # fmt: skip
    assert result.exit_code == 0, result.output
    saved = np.load(out / "attributions.npz")
    assert str(saved["target_name"]) == "total" and saved["grad_x_input"].shape[0] == 2


def test_marginalize_a_profile_run_gives_effects_and_a_footprint(run, sim, tmp_path):
    out = tmp_path / "m"
    result = invoke("marginalize", "--run", run, "--motif", "MA0139.2", "--bed", sim["peaks"],
                    "--genome", sim["genome"], "--n", "8", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "effects.tsv", sep="\t")
    assert list(table["output"]) == ["footprints.plus", "footprints.minus", "total"]
    assert {"peak_footprints.plus", "peak_footprints.minus", "sd", "low", "high"} <= set(table)
    assert (out / "footprint_0.png").is_file()
    assert np.load(out / "effects.npz")["footprint_0"].shape == (2, 120)


def test_marginalize_any_run_and_pairs_over_spacing(tmp_path):
    rng = np.random.default_rng(0)
    seqs = random_dna(rng, 120, 60)
    site = "GGGACTTTCC"
    records = [(f"s{i} label={i % 2}", s[:25] + site + s[35:] if i % 2 else s)
               for i, s in enumerate(seqs)]  # fmt: skip
    fasta = write_fasta(tmp_path / "a.fa", records)
    run = tmp_path / "cls"
    trained = invoke("train", "--fasta", fasta, "--arch", "deepbind", "-O", "filters=8",
                     "-O", "hidden=8", "--epochs", "2", "--quiet", "--out", run)  # fmt: skip
    assert trained.exit_code == 0, trained.output
    out = tmp_path / "m"
    result = invoke("marginalize", "--run", run, "--motif", site, "--motif", "TTTT",
                    "--spacing", "0:10:5", "--fasta", fasta, "--n", "6", "--out", out)  # fmt: skip
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(out / "effects.tsv", sep="\t", dtype={"output": str})
    assert list(effects["motif"]) == [site, "TTTT"] and list(effects["output"]) == ["1", "1"]
    spacing = pd.read_csv(out / "spacing.tsv", sep="\t")
    assert sorted(spacing["spacing"].unique()) == [0, 5, 10]
    assert set(spacing["orientation"]) == {"++", "+-", "-+", "--"}
    joint = spacing["joint"] - spacing["a_alone"] - spacing["b_alone"]
    assert np.allclose(spacing["cooperativity"], joint, atol=1e-4)
    text = error_line(invoke("attribute", "--run", run, "--fasta", fasta, "--head", "counts"))
    assert "--head is for profile runs" in text
    text = error_line(invoke("marginalize", "--run", run, "--motif", site, "--out", out))
    assert "from --fasta sequences or --bed regions (with --genome): give one" in text
    text = error_line(invoke("marginalize", "--run", run, "--motif", site, "--fasta", fasta,
                             "--bed", fasta, "--genome", fasta, "--out", out))  # fmt: skip
    assert "(with --genome): not both" in text
    wide = invoke("marginalize", "--run", run, "--motif", site, "--motif", "TTTT", "--spacing",
                  "0:100:50", "--fasta", fasta, "--n", "4", "--out", out)  # fmt: skip
    assert wide.exit_code == 0 and "left out 2 spacing(s) from 50 bp on" in wide.output


def _train(sim, *extra):
    return invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"], "--task",
                  "profile", "--length", "120", *TINY, *extra)  # fmt: skip


def test_bad_profile_inputs_get_one_line(sim, tmp_path):
    sizes = dict(sim["sim"].sequences.items())
    sizes = {c: len(v) for c, v in sizes.items()}
    plus = write_bigwig(tmp_path / "x.plus.bw", sizes, {"chr1": np.ones(100)})
    fewer = {c: n for c, n in sizes.items() if c != "chr3"}
    minus = write_bigwig(tmp_path / "x.minus.bw", fewer, {"chr1": np.ones(100)})
    text = error_line(_train(sim, "--bigwig", plus, "--bigwig", minus))
    assert "stranded pair but cover different chromosomes (only x.plus.bw has chr3)" in text
    text = error_line(_train(sim, "--bigwig", minus, "--out", tmp_path / "r1"))
    assert re.search(r"x.minus.bw \(--bigwig\): no chromosome chr3, where the peaks", text)
    text = error_line(invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"],
                             "--control", plus, "--out", tmp_path / "r2"))  # fmt: skip
    assert "--control: only with --task profile" in text
    text = error_line(_train(sim, "--bigwig", plus, "--log1p"))
    assert "--log1p: not with --task profile" in text
    text = error_line(_train(sim, "--bigwig", plus, "--negatives", "shuffle"))
    assert "--negatives shuffle: --task profile takes genome" in text
    text = error_line(invoke("train", "--fasta", tmp_path / "x.fa", "--task", "profile"))
    assert "--task profile reads peaks on a genome" in text
    text = error_line(invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"],
                             "--bigwig", plus, "--task", "profile", "--arch",
                             "motifnet"))  # fmt: skip
    assert "needs a profile model" in text
    text = error_line(_train(sim, "--bigwig", plus, "--stranded"))
    assert "--stranded: x.plus.bw (--bigwig) has no partner" in text
    text = error_line(_train(sim, "--bigwig", plus, "--bigwig", plus))
    assert "x.plus.bw (--bigwig): given twice" in text
    longest = max(sizes.values())
    text = error_line(invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"],
                             "--bigwig", plus, "--task", "profile", "--negatives", "none",
                             "--length", str(longest + 1)))  # fmt: skip
    assert re.search(rf"--length {longest + 1:,}: longer than chr\d+ \(", text)
