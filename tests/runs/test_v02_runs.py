"""Run directories written by seqconv 0.2 (tests/fixtures/v0_2: a default DNA run with its
calibration, a MiniRocket series run, a forecast and a DNA segment run, trained before the option
table and the ``runs/`` split) load with today's code and predict the numbers 0.2 wrote."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from Bio import SeqIO

import seqconv
from seqconv.rundir import read_config

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_2"
UCR = Path(__file__).resolve().parents[2] / "data" / "ucr"
CASES = {
    "dna": ("fasta", FIXTURES / "new20.fa"),
    "series": ("series", UCR / "ItalyPowerDemand_TEST.ts"),
    "forecast": ("series", FIXTURES.parent / "v0_1" / "sines.csv"),
    "segment": ("fasta", FIXTURES / "new20.fa"),
}


def _predict(name: str, out: Path, per_position: Path | None = None) -> None:
    from seqconv.runs.commands import predict_file

    kind, source = CASES[name]
    extra = {"per_position": per_position} if per_position is not None else {}
    predict_file(FIXTURES / name, out=out, **{kind: source}, **extra)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_0_2_run_predicts_what_0_2_predicted(name, tmp_path):
    assert read_config(FIXTURES / name)["format"] == 2
    out = tmp_path / "preds.tsv"
    _predict(name, out)
    expected = pd.read_csv(FIXTURES / f"{name}_pred.tsv", sep="\t")
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns) == list(expected.columns)
    assert got["id"].tolist() == expected["id"].tolist()
    if expected.empty:  # the one-epoch segment run calls no interval: the npz test compares it
        return
    values = [c for c in expected.columns if c not in ("id", "prediction", "label")]
    np.testing.assert_allclose(got[values].to_numpy(), expected[values].to_numpy(), atol=2e-6)
    if "prediction" in expected:
        labels = [frame["prediction"].astype(str).tolist() for frame in (got, expected)]
        assert labels[0] == labels[1]


def test_a_0_2_segment_run_writes_the_same_per_position_probabilities(tmp_path):
    npz = tmp_path / "p.npz"
    _predict("segment", tmp_path / "p.tsv", npz)
    got, expected = np.load(npz), np.load(FIXTURES / "segment_pred.npz")
    assert got["ids"].tolist() == expected["ids"].tolist()
    np.testing.assert_allclose(got["probabilities"], expected["probabilities"], atol=2e-6)


def test_a_0_2_calibrated_run_predicts_the_same_from_python():
    run = seqconv.load(FIXTURES / "dna")
    table = pd.read_csv(FIXTURES / "dna_pred.tsv", sep="\t")
    seqs = [str(record.seq) for record in SeqIO.parse(FIXTURES / "new20.fa", "fasta")]
    np.testing.assert_allclose(run.predict(seqs), table[run.target_names].to_numpy(), atol=2e-6)
