"""A run stops at any batch and loses nothing: SIGTERM or Ctrl-C write a checkpoint where they
come, --resume continues from that very batch, and on CPU the resumed run ends with the weights
of a run never stopped, bit for bit. --time-limit is honoured within an interval; --val-every sets
the interval in batches."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from seqconv.core.stores import Augment, CodesTensor
from seqconv.errors import RunStopped
from seqconv.rundir import CHECKPOINT, HISTORY, WEIGHTS
from seqconv.train.loop import FitSettings, fit
from tests.conftest import write_fasta


class Small(nn.Module):
    """A convolution, dropout (drawn from the global generator) and a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 5)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(6, 2)
        self.calls = 0
        self.kill_at: int | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training:
            self.calls += 1
            if self.calls == self.kill_at:
                os.kill(os.getpid(), signal.SIGTERM)  # as a scheduler would, mid-epoch
        return self.head(self.drop(torch.relu(self.conv(x)).amax(-1)))


def _data(n: int = 200, length: int = 30):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (n, length)).astype(np.uint8)
    targets = torch.as_tensor((codes[:, 10] == 2).astype(np.int64))
    store = CodesTensor(codes, torch.device("cpu"), Augment(True, 2))
    return store, targets, np.arange(160), np.arange(160, 200)


def _train(out, kill_at=None, resume=False, epochs=3):
    torch.manual_seed(0)
    model = Small()
    model.kill_at = kill_at
    store, targets, train, valid = _data()
    settings = FitSettings(epochs=epochs, batch_size=16, val_every="7", seed=3, patience=50)
    return model, fit(model, store, targets, "multiclass", train, valid, settings, out_dir=out,
                      resume=resume)  # fmt: skip


@pytest.fixture
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # floating-point sums in the same order in both runs
    yield
    torch.set_num_threads(threads)


def test_a_run_stopped_mid_epoch_and_resumed_ends_bit_for_bit_as_one_never_stopped(
    tmp_path, one_thread
):
    _train(tmp_path / "whole")
    with pytest.raises(RunStopped, match=r"SIGTERM at epoch 2, batch 3 \(step 13\).*--resume"):
        _train(tmp_path / "stopped", kill_at=13)
    assert (tmp_path / "stopped" / CHECKPOINT).is_file()
    _, result = _train(tmp_path / "stopped", resume=True)
    steps = pd.read_csv(tmp_path / "stopped" / HISTORY)["step"].tolist()
    assert steps == pd.read_csv(tmp_path / "whole" / HISTORY)["step"].tolist()
    assert steps == [7, 14, 21, 28, 30]  # the step count continues across the stop
    for name in (WEIGHTS, CHECKPOINT):
        whole, stopped = (load_file(str(tmp_path / d / name)) for d in ("whole", "stopped"))
        assert whole.keys() == stopped.keys()
        for key in whole:
            assert torch.equal(whole[key], stopped[key]), (name, key)


def test_the_time_limit_ends_a_run_within_its_interval_with_weights(tmp_path):
    store, targets, train, valid = _data(10_000)
    settings = FitSettings(epochs=100, batch_size=4, time_limit=0.2, val_every="epoch")
    result = fit(Small(), store, targets, "multiclass", np.arange(9_600), np.arange(9_600, 10_000),
                 settings, out_dir=tmp_path)  # fmt: skip
    assert len(result.history) == 1 and result.stopped_early
    assert result.stopped_by == "time limit"
    assert result.history[0]["step"] < 2_400  # stopped inside the first epoch (2,400 batches)
    assert 0 < result.history[0]["epoch"] < 1
    assert (tmp_path / WEIGHTS).is_file()


@pytest.mark.slow
def test_sigterm_to_seqconv_train_leaves_a_checkpoint_and_resume_continues(tmp_path):
    rng = np.random.default_rng(1)
    seqs = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(3000)]
    fasta = write_fasta(tmp_path / "reads.fa", [(f"r{i}", s) for i, s in enumerate(seqs)])
    run = tmp_path / "run"
    seqconv = [sys.executable, "-m", "seqconv"]
    train = [*seqconv, "train", "--fasta", str(fasta), "--arch", "deepbind", "--out", str(run),
             "--epochs", "50", "--batch-size", "8", "--val-every", "50",
             "--threads", "1"]  # fmt: skip
    process = subprocess.Popen(train, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while not (run / HISTORY).is_file() and time.time() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert f"continue with seqconv train --resume {run}" in " ".join(err.split())
    done = pd.read_csv(run / HISTORY)["step"].max()
    resumed = subprocess.run([*seqconv, "train", "--resume", str(run), "--epochs", "1"],
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    steps = pd.read_csv(run / HISTORY)["step"].tolist()
    assert steps[0] == 50 and steps == sorted(steps) and steps[-1] > done


@pytest.mark.parametrize(("patience", "epochs", "stopped_by"), [(1, 30, "patience"),
                                                                (50, 2, "epochs")])  # fmt: skip
def test_the_result_says_what_ended_training(tmp_path, patience, epochs, stopped_by):
    store, targets, train, valid = _data()
    torch.manual_seed(0)
    settings = FitSettings(epochs=epochs, batch_size=16, seed=3, patience=patience)
    result = fit(Small(), store, targets, "multiclass", train, valid, settings, out_dir=tmp_path)
    assert result.stopped_by == stopped_by
    assert result.stopped_early == (stopped_by == "patience")
