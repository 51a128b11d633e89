"""Time series end to end through the command line: train, predict, evaluate, load, resume."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

import seqconv
from seqconv.cli import app
from seqconv.runs.series_run import SeriesRun
from seqconv.series.windows import ForecastWindows

runner = CliRunner()
SMALL_RESNET = ["--arch", "resnet", "-O", "filters=8,8", "-O", "kernel_sizes=5,3",
                "--batch-size", "8", "--lr", "0.01", "--quiet"]  # fmt: skip
SMALL_TCN = ["-O", "channels=8,8,8", "-O", "kernel_size=3", "--quiet"]


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def toy_series(rng, n: int, length: int) -> tuple[list[np.ndarray], list[str]]:
    """Class 'bump' has a bump in its first half, 'dip' a dip; noise elsewhere."""
    series, labels = [], []
    for i in range(n):
        label = "bump" if i % 2 else "dip"
        x = 0.3 * rng.standard_normal(length)
        at = int(rng.integers(2, length // 2 - 4))
        x[at : at + 4] += 3.0 if label == "bump" else -3.0
        series.append(x)
        labels.append(label)
    return series, labels


def write_ts(path, series, labels):
    lines = ["@problemName toy", "@timeStamps false", "@missing false", "@univariate true",
             "@equalLength false", "@classLabel true bump dip", "@data"]  # fmt: skip
    lines += [
        ",".join(f"{v:.5f}" for v in x) + f":{y}" for x, y in zip(series, labels, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def toy_ts(tmp_path):
    rng = np.random.default_rng(0)
    train, train_labels = toy_series(rng, 60, 24)
    test, test_labels = toy_series(rng, 30, 24)
    return (
        write_ts(tmp_path / "toy_TRAIN.ts", train, train_labels),
        write_ts(tmp_path / "toy_TEST.ts", test, test_labels),
    )


@pytest.mark.slow
def test_ts_classification_train_predict_evaluate_load(toy_ts, tmp_path):
    train, test = toy_ts
    run_dir = tmp_path / "run"
    invoke("train", "--series", train, "--epochs", 12, "--out", run_dir, *SMALL_RESNET)
    for name in ("config.json", "model.safetensors", "checkpoint.safetensors", "history.csv",
                 "metrics.json", "split.tsv", "learning_curves.png"):  # fmt: skip
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    assert config["input"]["kind"] == "series" and config["input"]["normalize"]["mode"] == "series"
    assert config["task"] == "binary" and config["target_names"] == ["bump", "dip"]
    assert config["model"]["name"] == "resnet"
    # a small file: every series trains and the training loss is monitored (Fawaz et al.)
    assert config["split"]["monitor"] == "training loss"
    assert (pd.read_csv(run_dir / "split.tsv", sep="\t")["split"] == "train").all()
    assert json.loads((run_dir / "metrics.json").read_text())["split"] == "train"

    preds = tmp_path / "preds.tsv"
    invoke("predict", "--run", run_dir, "--series", test, "--out", preds)
    table = pd.read_csv(preds, sep="\t")
    assert list(table.columns) == ["id", "bump", "dip", "prediction"]
    assert len(table) == 30
    np.testing.assert_allclose(table[["bump", "dip"]].sum(axis=1), 1, atol=1e-5)
    # the same file on standard input, with old Mac line ends: recognised as .ts from its content
    piped = runner.invoke(
        app, ["predict", "--run", str(run_dir), "--series", "-"],
        input=test.read_text().replace("\n", "\r"),
    )  # fmt: skip
    assert piped.exit_code == 0, piped.output

    def values(text):  # ids differ: a stream has no file name to number the series by
        return [line.split("\t")[1:] for line in text.splitlines()]

    assert values(piped.output) == values(preds.read_text())

    result = invoke("evaluate", "--run", run_dir, "--series", test, "--bootstrap", 20)
    assert "accuracy" in result.output
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["n"] == 30 and evaluation["summary"]["accuracy"] >= 0.8

    run = seqconv.load(run_dir)
    assert isinstance(run, SeriesRun)
    from_file = run.predict(test)
    one = run.predict(np.zeros((1, 1, 17), dtype=np.float32))  # any length
    assert from_file.shape == (30, 2) and one.shape == (1, 2)
    np.testing.assert_allclose(from_file, table[["bump", "dip"]].to_numpy(), atol=1e-5)


@pytest.mark.slow
def test_table_regression_with_unequal_lengths(tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(80):
        n = int(rng.integers(12, 30))
        level = rng.normal()
        values = level + 0.2 * rng.standard_normal(n)
        rows.append({"id": f"r{i}", "y": 2.0 * level, **{f"t{j}": v for j, v in enumerate(values)}})
    path = tmp_path / "levels.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    run_dir = tmp_path / "run"
    invoke("train", "--series", path, "--target", "y", "--normalize", "none", "--epochs", 15,
           "--valid-fraction", 0.2, "--out", run_dir, *SMALL_RESNET)  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["split"]["monitor"] == "validation loss" and config["split"]["valid"] == 16
    assert json.loads((run_dir / "metrics.json").read_text())["split"] == "valid"
    assert config["task"] == "regression" and config["target_names"] == ["y"]
    assert config["input"]["mask"] and config["input"]["pad_side"] == "right"
    invoke("evaluate", "--run", run_dir, "--series", path, "--bootstrap", 10)
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["summary"]["pearson"] > 0.8
    preds = tmp_path / "p.tsv"
    invoke("predict", "--run", run_dir, "--series", path, "--out", preds)
    assert list(pd.read_csv(preds, sep="\t").columns) == ["id", "y"]


def sines(tmp_path, n_series=2, length=300):
    rng = np.random.default_rng(2)
    t = np.arange(length)
    rows = []
    for i in range(n_series):
        values = np.sin(2 * np.pi * t / 20 + i) + 0.05 * rng.standard_normal(length) + t / 200
        rows.append([f"s{i}", *values])
    path = tmp_path / "sines.csv"
    frame = pd.DataFrame(rows, columns=["id"] + [f"t{j}" for j in range(length)])
    frame.to_csv(path, index=False)
    return path, frame.iloc[:, 1:].to_numpy()


@pytest.mark.slow
def test_point_forecast_no_leakage(tmp_path):
    path, values = sines(tmp_path)
    run_dir = tmp_path / "run"
    invoke("train", "--series", path, "--window", 32, "--horizon", 3, "--epochs", 8,
           "--out", run_dir, *SMALL_TCN)  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "forecast" and config["target_names"] == ["value+1", "value+2",
                                                                       "value+3"]  # fmt: skip
    split = pd.read_csv(run_dir / "split.tsv", sep="\t")
    assert split["valid_start"].tolist() == [240, 240] and split["test_start"].tolist() == [
        270,
        270,
    ]
    # the normaliser saw the training part only (the series trend upwards: the future differs)
    norm = config["input"]["normalize"]
    train_part = values[:, :240]
    assert norm["mode"] == "channel"
    np.testing.assert_allclose(norm["mean"][0], train_part.mean(), rtol=1e-4)
    np.testing.assert_allclose(norm["std"][0], train_part.std(), rtol=1e-4)
    assert abs(norm["mean"][0] - values.mean()) > 0.05
    windows = ForecastWindows.from_dict(config["split"], np.array([300, 300]))
    train = windows.indices("train")
    assert (windows.target_end[train] <= 240).all()
    assert (windows.target_end[windows.indices("valid")] <= 270).all()
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["split"] == "test" and metrics["summary"]["mse_all"] < 1.0

    result = invoke("predict", "--run", run_dir, "--series", path)
    table = pd.read_csv(pd.io.common.StringIO(result.stdout), sep="\t")
    assert list(table.columns) == ["id", "value+1", "value+2", "value+3"] and len(table) == 2
    invoke("evaluate", "--run", run_dir, "--series", path, "--bootstrap", 5)
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert {"mse", "mae", "naive_mse"} <= set(evaluation["summary"])

    # streaming: the forecast made at the last step equals predict's (receptive field 29 <= 32)
    run = seqconv.load(run_dir)
    stream = run.streamer()
    raw = torch.tensor(values[:, None, :], dtype=torch.float32)
    steps = torch.cat([stream.step(raw[..., :100]), stream.step(raw[..., 100:])], dim=-1)
    assert steps.shape == (2, 3, 300)
    np.testing.assert_allclose(steps[..., -1].numpy(), table.iloc[:, 1:].to_numpy(), atol=1e-4)


@pytest.mark.slow
def test_wavenet_level_forecast(tmp_path):
    path, _ = sines(tmp_path, n_series=1, length=200)
    run_dir = tmp_path / "run"
    invoke("train", "--series", path, "--arch", "wavenet", "--levels", 16, "--window", 32,
           "--horizon", 2, "--epochs", 3, "-O", "layers_per_stack=3", "-O", "stacks=1",
           "-O", "residual_channels=8", "-O", "gate_channels=8", "-O", "skip_channels=8",
           "--out", run_dir, "--quiet")  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["forecast"]["levels"] == 16 and config["forecast"]["quantizer"]["kind"] == "mulaw"
    assert config["model"]["kwargs"]["per_step"] is True
    assert config["model"]["kwargs"]["in_channels"] == 16
    run = seqconv.load(run_dir)
    forecast = run.predict(path)
    assert forecast.shape == (1, 2) and np.isfinite(forecast).all()


@pytest.mark.slow
def test_resume_and_config_repeat_series_runs(toy_ts, tmp_path):
    train, _ = toy_ts
    first, second = tmp_path / "a", tmp_path / "b"
    invoke("train", "--series", train, "--epochs", 2, "--patience", 50, "--out", first,
           *SMALL_RESNET)  # fmt: skip
    config = json.loads((first / "config.json").read_text())
    config["options"]["epochs"] = 3
    (first / "config.json").write_text(json.dumps(config))
    invoke("train", "--resume", first)
    assert pd.read_csv(first / "history.csv")["epoch"].tolist() == [1, 2, 3]
    invoke("train", "--config", first / "config.json", "--out", second)
    assert len(pd.read_csv(second / "history.csv")) == 3


def test_bad_series_input_exits_with_a_message(toy_ts, tmp_path):
    train, _ = toy_ts
    result = runner.invoke(app, ["train", "--series", str(tmp_path / "none.ts")])
    assert result.exit_code == 2 and "none.ts" in result.output
    result = runner.invoke(app, ["train", "--series", str(train), "--negatives", "none"])
    assert result.exit_code == 2 and "does not apply to --series" in result.output
    result = runner.invoke(app, ["train", "--fasta", "x.fa", "--window", "8"])
    assert result.exit_code == 2 and "add --series" in result.output
    bad = tmp_path / "bad.ts"
    bad.write_text(
        "@problemName x\n@univariate true\n@classLabel true a b\n@data\n1,2,3:a\n1,x,3:b\n"
    )
    result = runner.invoke(app, ["train", "--series", str(bad)])
    assert result.exit_code == 2 and "bad.ts" in result.output
    result = runner.invoke(app, ["train", "--series", str(train), "--task", "forecast",
                                 "--normalize", "series"])  # fmt: skip
    assert result.exit_code == 2 and "future" in result.output
    result = runner.invoke(app, ["predict", "--run", str(tmp_path), "--series", str(train)])
    assert result.exit_code == 2 and "not a run directory" in result.output
    result = runner.invoke(app, ["predict", "--run", str(tmp_path)])
    assert result.exit_code == 2 and "--fasta" in result.output


@pytest.mark.slow
def test_forecast_from_a_steps_table_with_forced_layout(tmp_path):
    """One series, a row per year (a numeric first column, so --layout steps says it is time);
    one unlabelled series is forecast without --task."""
    years = np.arange(1821, 1821 + 160)
    cycle = 1000 + 800 * np.sin(2 * np.pi * (years - 1821) / 10)
    path = tmp_path / "lynx.csv"
    pd.DataFrame({"year": years, "trapped": cycle.round()}).to_csv(path, index=False)
    run_dir = tmp_path / "run"
    invoke("train", "--series", path, "--layout", "steps", "--horizon", 2, "--epochs", 3,
           "--out", run_dir, *SMALL_TCN)  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "forecast" and config["data"]["layout"] == "steps"
    assert config["forecast"]["window"] == 40  # the default 64, capped at a quarter of 160
    assert config["target_names"] == ["trapped+1", "trapped+2"]
    result = invoke("predict", "--run", run_dir, "--series", path)
    table = pd.read_csv(pd.io.common.StringIO(result.stdout), sep="\t")
    assert table["id"].tolist() == ["lynx"] and np.isfinite(table.iloc[0, 1:].to_numpy()).all()
