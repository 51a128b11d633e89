"""Two processes with torchrun and the gloo backend on the CPU: DDP training end to end."""

import json
import os
import subprocess
import sys

import pytest

import seqconv


@pytest.mark.slow
def test_torchrun_two_processes_gloo(planted, tmp_path):
    run_dir = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "seqconv", "train", "--fasta", str(planted["labelled"]), "--arch", "deepbind",
        "-O", "filters=16", "-O", "kernel_size=8", "--epochs", "3", "--batch-size", "32",
        "--lr", "0.01", "--device", "cpu", "--out", str(run_dir), "--quiet",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    history = (run_dir / "history.csv").read_text().splitlines()
    assert len(history) == 4  # header + 3 epochs, written once (by rank 0)
    config = json.loads((run_dir / "config.json").read_text())
    assert config["result"]["epochs_run"] == 3
    run = seqconv.load(run_dir)
    predictions = run.predict(["ACGT" * 15, "TGACTCAG" * 8])
    assert predictions.shape == (2, 2)
