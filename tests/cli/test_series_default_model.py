"""The default series model (MiniRocket + Hydra, fitted in closed form) end to end: train, predict,
evaluate, load; unequal lengths, multivariate series, regression; and --time-limit."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import seqconv
from seqconv.cli import app
from tests.cli.test_series_cli import toy_series, write_ts

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def unequal_ts(tmp_path):
    """Bump/dip series of 12 to 40 steps: lengths that differ, as aeon's MiniRocket refuses."""
    rng = np.random.default_rng(0)

    def make(n):
        series, labels = toy_series(rng, n, 40)
        return [x[: int(rng.integers(12, 41))] for x in series], labels

    return (
        write_ts(tmp_path / "toy_TRAIN.ts", *make(60)),
        write_ts(tmp_path / "toy_TEST.ts", *make(40)),
    )


def test_default_is_minirocket_hydra_fitted_once(unequal_ts, tmp_path):
    train, test = unequal_ts
    run_dir = tmp_path / "run"
    result = invoke("train", "--series", train, "--out", run_dir, "--threads", 1)
    assert "model minirocket_hydra (the default" in result.output
    assert "ridge penalty" in result.output
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"]["name"] == "minirocket_hydra"
    assert config["model"]["kwargs"]["length"] == 40  # dilations fitted to the longest series
    assert config["input"]["normalize"]["mode"] == "none" and config["input"]["mask"]
    history = pd.read_csv(run_dir / "history.csv")
    assert len(history) == 1 and history["alpha"].iloc[0] > 0
    assert config["result"]["best_epoch"] == 1 and config["result"]["stopped_by"] == "fitted"
    # nothing held out: the metrics are the ridge's leave-one-out scores, not the training fit
    assert "training data, leave-one-out" in result.output
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["split"] == "train-loo" and metrics["summary"]["accuracy"] < 1.0

    preds = tmp_path / "preds.tsv"
    invoke("predict", "--run", run_dir, "--series", test, "--out", preds)
    table = pd.read_csv(preds, sep="\t")
    assert list(table.columns) == ["id", "bump", "dip", "prediction"]
    probabilities = table[["bump", "dip"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    assert 0.5 < probabilities.max(axis=1).mean() < 0.999  # calibrated, not 0/1

    invoke("evaluate", "--run", run_dir, "--series", test, "--bootstrap", 0)
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["summary"]["accuracy"] >= 0.9

    run = seqconv.load(run_dir)
    np.testing.assert_allclose(run.predict(test), probabilities, atol=1e-5)
    # a series scored alone gets what it gets among padded neighbours
    first = test.read_text().split("@data\n")[1].splitlines()[0]
    values = np.array([float(v) for v in first.split(":")[0].split(",")], dtype=np.float32)
    np.testing.assert_allclose(run.predict(values[None, None, :])[0], probabilities[0], atol=1e-5)


def test_inception_ensemble_end_to_end(unequal_ts, tmp_path):
    """``-O ensemble=3``: three InceptionTime networks trained side by side, probabilities
    averaged in predict, evaluate and load().predict; unequal lengths masked."""
    train, test = unequal_ts
    run_dir = tmp_path / "run"
    invoke("train", "--series", train, "--arch", "inception", "-O", "ensemble=3", "-O",
           "filters=2", "-O", "bottleneck=2", "-O", "depth=3", "--epochs", 2, "--out", run_dir,
           "--quiet")  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"]["kwargs"]["ensemble"] == 3
    assert config["model"]["kwargs"]["combine"] == "softmax"
    preds = tmp_path / "preds.tsv"
    invoke("predict", "--run", run_dir, "--series", test, "--out", preds)
    probabilities = pd.read_csv(preds, sep="\t")[["bump", "dip"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    run = seqconv.load(run_dir)
    np.testing.assert_allclose(run.predict(test), probabilities, atol=1e-5)
    assert len(run.model.members) == 3
    invoke("evaluate", "--run", run_dir, "--series", test, "--bootstrap", 0)


def test_multivariate_regression_table(tmp_path):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(120):
        level = rng.normal()
        a = level * np.sin(np.arange(30) / 3) + 0.1 * rng.normal(size=30)
        b = rng.normal(size=30)
        for channel, values in (("a", a), ("b", b)):
            for t, v in enumerate(values):
                rows.append({"id": f"s{i}", "time": t, "channel": channel, "value": v, "y": level})
    path = tmp_path / "long.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    run_dir = tmp_path / "run"
    invoke("train", "--series", path, "--target", "y", "--out", run_dir, "--quiet",
           "--valid-fraction", 0.25)  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "regression" and config["model"]["kwargs"]["in_channels"] == 2
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["split"] == "valid" and metrics["summary"]["pearson"] > 0.9


def test_time_limit_stops_a_deep_model(tmp_path):
    rng = np.random.default_rng(0)
    train = write_ts(tmp_path / "t.ts", *toy_series(rng, 40, 24))
    run_dir = tmp_path / "run"
    result = invoke("train", "--series", train, "--arch", "resnet", "-O", "filters=4,4",
                    "--epochs", 1000, "--time-limit", "0.5s", "--out", run_dir)  # fmt: skip
    assert "time limit reached" in result.output
    history = pd.read_csv(run_dir / "history.csv")
    assert 1 <= len(history) < 1000
    config = json.loads((run_dir / "config.json").read_text())
    assert config["options"]["time_limit"] == 0.5 and config["result"]["stopped_early"]
    assert config["result"]["stopped_by"] == "time limit"


@pytest.mark.parametrize("value", ["0", "-3m", "soon", "5 weeks"])
def test_bad_time_limit_is_refused(tmp_path, value):
    result = runner.invoke(
        app, ["train", "--series", str(tmp_path / "x.ts"), "--time-limit", value]
    )
    assert result.exit_code == 2
    assert "--time-limit must be a positive duration" in result.output


def test_a_run_that_reaches_the_epoch_cap_while_improving_says_so(tmp_path):
    rng = np.random.default_rng(1)
    train = write_ts(tmp_path / "t.ts", *toy_series(rng, 40, 24))
    result = invoke("train", "--series", train, "--arch", "resnet", "-O", "filters=4,4",
                    "--epochs", 3, "--patience", 50, "--out", tmp_path / "run")  # fmt: skip
    assert "reached the epoch cap (3) before" in result.output
    assert "a larger --epochs may give a better model" in result.output


@pytest.mark.parametrize(("steps", "model"), [(1, "minirocket"), (2, "minirocket_hydra")])
def test_the_default_fits_series_of_one_and_two_steps(tmp_path, steps, model):
    """Hydra reads the first difference: one-step series get MiniRocket alone."""
    rng = np.random.default_rng(0)
    labels = ["bump", "dip"] * 15  # the class names write_ts declares
    series = [rng.normal(1.0 if y == "bump" else -1.0, 0.3, size=steps) for y in labels]
    train = write_ts(tmp_path / "short_TRAIN.ts", series, labels)
    result = invoke("train", "--series", train, "--out", tmp_path / "run", "--threads", 1)
    assert f"model {model} (the default" in result.output
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["summary"]["accuracy"] > 0.8
