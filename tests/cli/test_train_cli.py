"""End to end through the command line: train, predict, evaluate, resume, repeat from a config."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from Bio import SeqIO
from typer.testing import CliRunner

import seqconv
from seqconv.cli import app
from seqconv.core.predict import predict
from seqconv.core.stores import CodesTensor

runner = CliRunner()
SMALL = ["--arch", "deepbind", "-O", "filters=16", "-O", "kernel_size=8", "--batch-size", "32",
         "--lr", "0.01", "--quiet"]  # fmt: skip


def invoke(*args: str):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.slow
def test_two_files_as_classes_train_predict_evaluate(planted, tmp_path):
    run_dir = tmp_path / "run"
    invoke("train", "--fasta", planted["bound"], "--fasta", planted["unbound"], "--epochs", 8,
           "--out", run_dir, *SMALL)  # fmt: skip
    for name in ("config.json", "model.safetensors", "checkpoint.safetensors", "history.csv",
                 "metrics.json", "split.tsv", "learning_curves.png", "roc_pr.png"):  # fmt: skip
        assert (run_dir / name).is_file(), name
    config = json.loads((run_dir / "config.json").read_text())
    assert config["task"] == "binary" and config["target_names"] == ["bound", "unbound"]
    assert config["model"]["name"] == "deepbind"
    given = {"filters": 16, "kernel_size": 8, "in_channels": 4, "n_outputs": 2}
    assert given.items() <= config["model"]["kwargs"].items()  # and every default
    assert len(config["data"]["fasta"][0]["sha256"]) == 64
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["summary"]["auroc"] > 0.8

    preds = tmp_path / "preds.tsv"
    invoke("predict", "--run", run_dir, "--fasta", planted["bound"], "--out", preds)
    table = pd.read_csv(preds, sep="\t")
    assert list(table.columns) == ["id", "bound", "unbound", "prediction"]
    assert len(table) == 300 and (table["prediction"] == "bound").mean() > 0.7
    assert np.allclose(table[["bound", "unbound"]].sum(axis=1), 1, atol=1e-5)

    result = invoke("evaluate", "--run", run_dir, "--fasta", planted["bound"], "--fasta",
                    planted["unbound"], "--bootstrap", 50)  # fmt: skip
    assert "auroc" in result.output
    evaluation = json.loads((run_dir / "evaluation.json").read_text())
    assert evaluation["summary"]["auroc"] > 0.8
    low, high = (evaluation["per_target"]["unbound"]["auroc"][k] for k in ("low", "high"))
    assert low <= evaluation["per_target"]["unbound"]["auroc"]["value"] <= high


@pytest.mark.slow
def test_label_headers_and_python_api(planted, tmp_path):
    run_dir = tmp_path / "run"
    invoke("train", "--fasta", planted["labelled"], "--epochs", 6, "--out", run_dir, *SMALL)
    run = seqconv.load(run_dir)
    assert run.target_names == ["0", "1"]
    motif = "TGACTCAG"
    probs = run.predict(["A" * 26 + motif + "A" * 26, "A" * 60])
    assert probs.shape == (2, 2) and probs[0, 1] > probs[1, 1]
    # any length: padded or trimmed to the training length
    assert run.predict("ACGT" * 40).shape == (1, 2)


@pytest.mark.slow
def test_resume_continues_the_history(planted, tmp_path):
    run_dir = tmp_path / "run"
    common = ["--fasta", planted["labelled"], "--out", run_dir, "--patience", 50, *SMALL]
    invoke("train", "--epochs", 2, *common)
    config = json.loads((run_dir / "config.json").read_text())
    config["options"]["epochs"] = 4  # as if the first run had been asked for 4 and interrupted
    (run_dir / "config.json").write_text(json.dumps(config))
    invoke("train", "--resume", run_dir)
    history = pd.read_csv(run_dir / "history.csv")
    assert history["epoch"].tolist() == [1, 2, 3, 4]


@pytest.mark.slow
def test_config_file_repeats_a_run(planted, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    invoke("train", "--fasta", planted["labelled"], "--epochs", 2, "--out", first, *SMALL)
    invoke("train", "--config", first / "config.json", "--out", second)
    a = pd.read_csv(first / "history.csv")
    b = pd.read_csv(second / "history.csv")
    assert np.allclose(a["train_loss"], b["train_loss"], rtol=1e-5)
    assert (first / "split.tsv").read_text() == (second / "split.tsv").read_text()


def test_bad_inputs_exit_with_a_message(planted, tmp_path):
    result = runner.invoke(app, ["train", "--fasta", str(planted["bound"]), "--arch", "nope"])
    assert result.exit_code == 2 and "--arch must be one of" in result.output
    assert "'nope'" in result.output
    result = runner.invoke(app, ["predict", "--run", str(tmp_path), "--fasta", "x.fa"])
    assert result.exit_code == 2 and "not a run directory" in result.output
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{")
    result = runner.invoke(app, ["predict", "--run", str(broken), "--fasta", "x.fa"])
    assert result.exit_code == 2 and "corrupt" in result.output
    result = runner.invoke(app, ["train", "--fasta", str(tmp_path / "missing.fa")])
    assert result.exit_code == 2 and "no such file" in result.output


@pytest.mark.slow
def test_corrupt_weights_are_reported(planted, tmp_path):
    run_dir = tmp_path / "run"
    invoke("train", "--fasta", planted["labelled"], "--epochs", 1, "--out", run_dir, *SMALL)
    (run_dir / "model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(seqconv.SeqconvError, match="SHA-256 differs from config.json"):
        seqconv.load(run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    del config["weights"]  # as in a seqconv 0.1 run: no hash, the file itself is checked
    (run_dir / "config.json").write_text(json.dumps(config))
    with pytest.raises(seqconv.SeqconvError, match="cannot read the weights"):
        seqconv.load(run_dir)


@pytest.mark.slow
def test_a_run_killed_mid_training_leaves_loadable_files_and_resumes(planted, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    run_dir = tmp_path / "killed"
    command = [sys.executable, "-m", "seqconv", "train", "--fasta", str(planted["labelled"]),
               "--epochs", "400", "--patience", "400", "--out", str(run_dir), *SMALL]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "OMP_NUM_THREADS": "1"})  # fmt: skip
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            history = run_dir / "history.csv"
            if history.exists() and len(history.read_text().splitlines()) >= 3:
                break
            time.sleep(0.05)
        time.sleep(0.37)  # land somewhere inside a later epoch (or a write)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    seqconv.load(run_dir).predict(["ACGT" * 15])  # the weights on disk are whole
    epochs_before = len(pd.read_csv(run_dir / "history.csv"))
    config = json.loads((run_dir / "config.json").read_text())
    config["options"]["epochs"] = epochs_before + 1
    (run_dir / "config.json").write_text(json.dumps(config))
    invoke("train", "--resume", run_dir)
    history = pd.read_csv(run_dir / "history.csv")
    assert history["epoch"].tolist() == list(range(1, epochs_before + 2))


def test_probabilities_are_calibrated_on_validation_and_applied_everywhere(planted, tmp_path):
    """The run stores a Platt calibration fitted on its validation rows; metrics.json reports
    ECE and Brier before and after; predict, evaluate and load().predict all apply it."""
    run_dir = tmp_path / "run"
    invoke("train", "--fasta", planted["bound"], "--fasta", planted["unbound"], "--epochs", 2,
           "--out", run_dir, *SMALL)  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    fit = config["calibration"]
    assert fit["method"] == "platt" and fit["scale"][0] == fit["scale"][1] > 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    block = metrics["calibration"]
    assert block["fitted_on"] == {"split": "valid", "n": config["split"]["counts"]["valid"]}
    for split in ("valid", "test"):
        assert set(block[split]) == {"before", "after"}
        assert set(block[split]["after"]) == {"ece", "brier", "accuracy"}
    assert block["valid"]["after"]["ece"] <= block["valid"]["before"]["ece"] + 1e-9
    assert metrics["summary"]["ece"] == pytest.approx(block["test"]["after"]["ece"])
    assert "calibration" in metrics["definitions"] and "ece" in metrics["definitions"]
    assert (run_dir / "reliability.png").stat().st_size > 1000

    preds = tmp_path / "preds.tsv"
    invoke("predict", "--run", run_dir, "--fasta", planted["bound"], "--out", preds)
    table = pd.read_csv(preds, sep="\t")
    run = seqconv.load(run_dir)
    codes = run.encode([str(r.seq) for r in SeqIO.parse(planted["bound"], "fasta")])
    outputs = predict(run.model, CodesTensor(codes, run.device), rc_average=run.rc_average)
    expected = torch.softmax(outputs * torch.tensor(fit["scale"]) + torch.tensor(fit["bias"]), 1)
    np.testing.assert_allclose(run.predict_codes(codes), expected.numpy(), atol=1e-5)
    np.testing.assert_allclose(table[["bound", "unbound"]].to_numpy(), expected.numpy(), atol=1e-5)
    uncalibrated = torch.softmax(outputs, 1).numpy()
    assert np.abs(uncalibrated - expected.numpy()).max() > 1e-3  # the calibration is applied
    evaluation = invoke("evaluate", "--run", run_dir, "--fasta", planted["bound"], "--fasta",
                        planted["unbound"], "--bootstrap", 0)  # fmt: skip
    assert "recall" in evaluation.output


def test_runs_keep_their_model_when_a_default_changes(planted, tmp_path):
    """Format 2 stores every model argument; a format-1 motifnet run (which stored only the
    given ones) is rebuilt with the 30 first-layer filters it was trained with."""
    run_dir = tmp_path / "run"
    invoke("train", "--fasta", planted["labelled"], "--epochs", 1, "-O", "filters=30,128",
           "--out", run_dir, "--quiet")  # fmt: skip
    config = json.loads((run_dir / "config.json").read_text())
    assert config["format"] == 2
    kwargs = config["model"]["kwargs"]
    assert kwargs["filters"] == [30, 128] and kwargs["pool_size"] == 25  # defaults stored too
    before = seqconv.load(run_dir).predict(["ACGT" * 15])
    config["format"] = 1
    config["model"]["kwargs"] = {"in_channels": 4, "n_outputs": 2}
    (run_dir / "config.json").write_text(json.dumps(config))
    run = seqconv.load(run_dir)
    assert run.model.trunk[0].weight.shape[0] == 30
    np.testing.assert_allclose(run.predict(["ACGT" * 15]), before, atol=1e-6)
