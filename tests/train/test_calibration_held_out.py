"""Calibration figures are never reported on the rows the fit used (issue 24): with 1,000+
series and no test split the held-out rows are the validation rows the calibration was fitted
on, so metrics.json reports the fit's in-sample figures under a key that says so, and figures on
those rows from fits that did not see them (cross-fitted), never overwriting either."""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from seqconv.cli import app

runner = CliRunner()
SMALL = ["--arch", "resnet", "-O", "filters=4,", "-O", "kernel_sizes=3,", "--epochs", "1",
         "--batch-size", "64", "--lr", "0.01", "--device", "cpu", "--quiet"]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_bootstrap(monkeypatch):
    import seqconv.core.metrics as metrics

    monkeypatch.setattr(
        metrics, "compute_metrics", functools.partial(metrics.compute_metrics, n_bootstrap=0)
    )


def _noisy_classes(tmp_path, n: int = 1200, length: int = 16):
    """Two classes told apart by a weak shift of the level: a model cannot be sure."""
    rng = np.random.default_rng(4)
    labels = np.where(np.arange(n) % 2, "up", "down")
    shift = np.where(labels == "up", 0.4, -0.4)[:, None]
    values = shift + rng.standard_normal((n, length))
    frame = pd.DataFrame(values, columns=[f"t{j}" for j in range(length)])
    frame.insert(0, "label", labels)
    frame.insert(0, "id", [f"s{i}" for i in range(n)])
    path = tmp_path / "classes.csv"
    frame.to_csv(path, index=False)
    return path


def test_no_calibration_figure_on_the_rows_of_the_fit(tmp_path):
    run_dir = tmp_path / "run"
    args = ["train", "--series", _noisy_classes(tmp_path), "--target", "label", "--normalize",
            "none", "--out", run_dir, *SMALL]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    config = json.loads((run_dir / "config.json").read_text())
    metrics = json.loads((run_dir / "metrics.json").read_text())
    n_valid = config["split"]["valid"]
    assert config["split"]["test"] == 0 and n_valid >= 200 and metrics["split"] == "valid"
    assert config["train"]["precision"] == "auto" and config["train"]["precision_used"] == "fp32"
    assert "calibration" in config, "the test needs a calibration that is kept"

    block = metrics["calibration"]
    assert block["fitted_on"] == {"split": "valid", "n": n_valid}
    assert "valid" not in block  # neither the held-out name for in-sample figures, nor overwritten
    inside, crossed = block["valid_in_sample"], block["valid_cross_fitted"]
    assert set(inside) == {"before", "after"}
    assert set(crossed) == {"before", "after", "folds"} and crossed["folds"] >= 2
    assert inside["before"] == crossed["before"]  # the same rows, as trained
    assert crossed["after"] != inside["after"]  # figures of fits that did not see the row
    # the summary's ECE and Brier are those of the cross-fitted probabilities, not in-sample
    assert metrics["summary"]["ece"] == pytest.approx(crossed["after"]["ece"])
    assert metrics["summary"]["brier"] == pytest.approx(crossed["after"]["brier"])
