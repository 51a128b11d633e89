"""A profile model trained on simulated footprints learns what the simulator planted (slow: about
a minute on 2 cores): destroying a footprinted site lowers the predicted counts, and inserting the
motif into backgrounds puts its footprint where the simulator puts a site's reads."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.simulate_profiles import BORDER
from tests.profile.profile_fixtures import simulate

pytestmark = pytest.mark.slow
runner = CliRunner()
WIDTH = 120


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("trained")
    sim = simulate(tmp / "sim", n_peaks=1500, chrom_length=300_000, seed=1)
    run = tmp / "run"
    invoke("train", "--bed", sim["peaks"], "--genome", sim["genome"], "--bigwig",
           sim["counts_plus"], "--bigwig", sim["counts_minus"], "--task", "profile", "--length",
           WIDTH, "-O", "n_layers=4", "-O", "filters=32", "--batch-size", "32", "--epochs", "20",
           "--patience", "20", "--quiet", "--out", run)  # fmt: skip
    return sim, run


def test_the_model_predicts_profiles_and_counts(trained):
    _, run = trained
    summary = json.loads((run / "metrics.json").read_text())["summary"]
    assert summary["profile_pearson"] > 0.5, summary
    assert summary["counts_pearson"] > 0.6, summary


def test_a_variant_that_destroys_a_footprinted_site_lowers_the_counts(trained, tmp_path):
    sim, run = trained
    out = tmp_path / "effects.tsv"
    invoke("variants", "--run", run, "--vcf", sim["variants"], "--genome", sim["genome"],
           "--out", out)  # fmt: skip
    effects = pd.read_csv(out, sep="\t")
    truth = sim["sim"].variants.set_index("id")["effect"]
    effects["effect"] = effects["id"].map(truth)
    change = effects["footprints.plus_log2fc"] + effects["footprints.minus_log2fc"]
    destroys, elsewhere = (
        change[effects["effect"] == "destroys"],
        change[effects["effect"] == "elsewhere"],
    )
    assert destroys.mean() < -0.3, destroys.describe()
    assert (destroys < 0).mean() > 0.8
    assert destroys.mean() < elsewhere.mean() - 0.3


def test_marginalizing_the_motif_recovers_its_footprint(trained, tmp_path):
    sim, run = trained
    out = tmp_path / "m"
    invoke("marginalize", "--run", run, "--motif", "MA0139.2", "--bed", sim["peaks"],
           "--genome", sim["genome"], "--background", "genome", "--n", "60",
           "--out", out)  # fmt: skip
    table = pd.read_csv(out / "effects.tsv", sep="\t").set_index("output")
    width = sim["sim"].motifs[0].width
    start = -(width // 2)  # the motif is centred in the window
    plus, minus = start - 1 - BORDER, start + width + BORDER  # the simulator's read modes
    assert abs(table.loc["footprints.plus", "peak_footprints.plus"] - plus) <= 3
    assert abs(table.loc["footprints.minus", "peak_footprints.minus"] - minus) <= 3
    assert table.loc["total", "mean"] > 1.0  # inserting a strong site raises the counts
    footprint = np.load(out / "effects.npz")["footprint_0"]
    assert footprint.shape == (2, WIDTH) and footprint.max() > 0
