"""Run directories written by seqconv 0.1 (tests/fixtures/v0_1, trained before the layout
change) load with today's code and predict the same numbers 0.1 wrote."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import seqconv
from seqconv.errors import SeqconvError
from seqconv.rundir import FORMAT, read_config
from seqconv.runs.commands import predict_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1"
UCR = Path(__file__).resolve().parents[2] / "data" / "ucr"
CASES = {
    "dna": ("fasta", FIXTURES / "new20.fa"),
    "series": ("series", UCR / "ItalyPowerDemand_TEST.ts"),
    "forecast": ("series", FIXTURES / "sines.csv"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_0_1_run_predicts_what_0_1_predicted(name, tmp_path):
    kind, source = CASES[name]
    config = read_config(FIXTURES / name)
    assert "format" not in config and FORMAT >= 1  # written before config.json had a format
    out = tmp_path / "preds.tsv"
    predict_file(FIXTURES / name, out=out, **{kind: source})
    expected = pd.read_csv(FIXTURES / f"{name}_pred.tsv", sep="\t")
    got = pd.read_csv(out, sep="\t")
    assert list(got.columns) == list(expected.columns)
    assert got["id"].tolist() == expected["id"].tolist()
    values = [c for c in expected.columns if c not in ("id", "prediction")]
    np.testing.assert_allclose(got[values].to_numpy(), expected[values].to_numpy(), atol=2e-6)
    if "prediction" in expected:
        labels = [frame["prediction"].astype(str).tolist() for frame in (got, expected)]
        assert labels[0] == labels[1]


def test_a_0_1_run_loads_from_python():
    run = seqconv.load(FIXTURES / "dna")
    assert run.target_names == ["CTCF", "Nrf1", "REST", "TP53"] and run.length == 200
    assert run.predict(["ACGT" * 50]).shape == (1, 4)


@pytest.mark.parametrize("version", [FORMAT + 1, "1"])
def test_a_config_of_an_unknown_format_is_refused(tmp_path, version):
    config = json.loads((FIXTURES / "dna" / "config.json").read_text()) | {"format": version}
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(SeqconvError, match="format"):
        read_config(tmp_path)
