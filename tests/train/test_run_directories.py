"""Training never loses a run: an existing run is replaced only with --force (and only seqconv's
files go), --out may not be a file, the weights' SHA-256 is recorded, crash leftovers are cleaned,
and --resume copes with a run that never reached its first checkpoint or whose model changed."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import plant, random_dna, write_fasta
from typer.testing import CliRunner

import seqconv
from seqconv.cli import app
from seqconv.rundir import sha256
from seqconv.rundir.lock import LOCK

runner = CliRunner()
TINY = ["--epochs", "1", "--batch-size", "32", "--lr", "0.01", "-O", "filters=4",
        "-O", "kernel_size=4", "--device", "cpu", "--quiet"]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_bootstrap(monkeypatch):
    """The closing metrics' 1,000 bootstrap resamples cost seconds; these tests check files."""
    import seqconv.core.metrics as metrics

    monkeypatch.setattr(
        metrics, "compute_metrics", functools.partial(metrics.compute_metrics, n_bootstrap=0)
    )


@pytest.fixture
def fasta(tmp_path) -> Path:
    rng = np.random.default_rng(0)
    pos = plant(rng, random_dna(rng, 40, 30), "TGACTCAG")
    neg = random_dna(rng, 40, 30)
    records = [(f"s{i} label={i % 2}", pos[i] if i % 2 else neg[i]) for i in range(40)]
    return write_fasta(tmp_path / "tiny.fa", records)


def train(fasta: Path, out: Path, *extra: object, model: str = "deepbind"):
    args = ["train", "--fasta", fasta, "--out", out, "--arch", model, *TINY, *extra]
    return runner.invoke(app, [str(a) for a in args])


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def config_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "config.json").read_text())


def test_an_existing_run_is_replaced_only_with_force(fasta, tmp_path):
    run_dir = tmp_path / "run"
    ok(train(fasta, run_dir))
    first = config_of(run_dir)
    weights = (run_dir / "model.safetensors").read_bytes()
    result = train(fasta, run_dir, "-O", "filters=6")
    assert result.exit_code == 2
    assert (
        f"{run_dir} holds a run of deepbind (created {first['created']}); use --force to replace "
        "it, or another --out"
    ) in result.output
    assert (run_dir / "model.safetensors").read_bytes() == weights  # nothing touched
    (run_dir / "motifs" / "logos").mkdir(parents=True)  # seqconv motifs' default output
    (run_dir / "motifs" / "report.html").write_text("<html/>")
    (run_dir / "motifs" / "logos" / "filter0.png").write_bytes(b"png")
    ok(train(fasta, run_dir, "-O", "filters=6", "--force"))
    assert config_of(run_dir)["model"]["kwargs"]["filters"] == 6
    assert "force" not in config_of(run_dir)["options"]  # a repeated run must not replace
    assert not (run_dir / "motifs").exists()  # it described the old weights
    assert not (run_dir / LOCK).exists()


def test_force_never_removes_files_that_are_not_seqconvs(fasta, tmp_path):
    run_dir = tmp_path / "run"
    ok(train(fasta, run_dir))
    (run_dir / "notes.txt").write_text("mine")
    (run_dir / "motifs").mkdir()
    (run_dir / "motifs" / "my_figure.svg").write_text("mine")
    result = train(fasta, run_dir, "--force")
    assert result.exit_code == 2
    assert (
        "and files that are not seqconv's (motifs/, notes.txt); seqconv never removes those: "
        "move them away, or choose another --out"
    ) in result.output
    assert (run_dir / "notes.txt").read_text() == "mine"
    assert (run_dir / "model.safetensors").exists()


def test_out_may_not_be_a_file_nor_a_folder_of_other_files(fasta, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("mine")
    result = train(fasta, plain)
    assert result.exit_code == 2
    assert f"--out {plain} is a file, not a run directory; choose another --out" in result.output
    assert plain.read_text() == "mine"
    result = train(fasta, tmp_path, "--force")  # the folder holding the data itself
    assert result.exit_code == 2
    assert f"{tmp_path} is not a run directory and not empty (" in result.output
    assert "tiny.fa" in result.output


def test_a_refused_out_is_checked_before_the_data_is_read(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("mine")
    result = train(tmp_path / "missing.fa", plain)
    assert result.exit_code == 2 and "is a file, not a run directory" in result.output


def test_a_second_writer_is_refused(fasta, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    holder = {"pid": 1, "host": "elsewhere", "started": "2026-01-01T00:00:00+00:00"}
    (run_dir / LOCK).write_text(json.dumps(holder))
    result = train(fasta, run_dir)
    assert result.exit_code == 2
    assert (
        f"{run_dir} is being written by pid 1 on host elsewhere since 2026-01-01T00:00:00+00:00; "
        "wait for it or choose another --out"
    ) in result.output
    assert json.loads((run_dir / LOCK).read_text()) == holder


def test_weights_hash_is_recorded_and_leftovers_are_removed(fasta, tmp_path):
    run_dir = tmp_path / "run"
    ok(train(fasta, run_dir, "--epochs", 2, "--patience", 5))
    record = config_of(run_dir)["weights"]
    assert record == {"file": "model.safetensors", "sha256": sha256(run_dir / "model.safetensors")}
    stray = run_dir / ".checkpoint.safetensors.a1b2c3d4.tmp"  # a run killed mid-write
    stray.write_bytes(b"half")
    config = config_of(run_dir)
    config["options"]["epochs"] = 3
    (run_dir / "config.json").write_text(json.dumps(config))
    result = ok(runner.invoke(app, ["train", "--resume", str(run_dir)]))
    assert not stray.exists()
    assert "removed 1 temporary file(s) left by an interrupted run" in result.output
    assert config_of(run_dir)["weights"]["sha256"] == sha256(run_dir / "model.safetensors")
    assert config_of(run_dir)["result"]["epochs_run"] == 3
    seqconv.load(run_dir)


def test_resume_before_the_first_checkpoint_starts_again(fasta, tmp_path):
    run_dir = tmp_path / "run"
    ok(train(fasta, run_dir))
    for name in ("checkpoint.safetensors", "model.safetensors", "history.csv", "metrics.json"):
        (run_dir / name).unlink()  # as if killed during epoch 1
    result = ok(runner.invoke(app, ["train", "--resume", str(run_dir)]))
    assert f"no checkpoint yet: starting {run_dir} again from epoch 1" in result.output
    assert config_of(run_dir)["result"]["epochs_run"] == 1
    seqconv.load(run_dir)


def test_resume_with_a_checkpoint_of_another_model_says_so(fasta, tmp_path):
    run_dir = tmp_path / "run"
    ok(train(fasta, run_dir))
    config = config_of(run_dir)
    config["options"]["model_options"]["filters"] = 7  # config.json now describes another model
    config["options"]["epochs"] = 2
    (run_dir / "config.json").write_text(json.dumps(config))
    result = runner.invoke(app, ["train", "--resume", str(run_dir)])
    assert result.exit_code == 2, result.output
    assert (
        f"{run_dir / 'checkpoint.safetensors'}: the checkpoint was written by another model than "
        "the run's config.json describes"
    ) in result.output
    assert "train into another --out, or start this run again with --force" in result.output


def test_the_default_run_directory_is_numbered_and_announced(fasta, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["train", "--fasta", str(fasta), "--arch", "deepbind", *TINY[:-1]]
    ok(runner.invoke(app, args))
    result = ok(runner.invoke(app, args))
    assert "runs/tiny-deepbind exists: this run goes to runs/tiny-deepbind-2" in result.output
    assert (tmp_path / "runs" / "tiny-deepbind-2" / "model.safetensors").is_file()
