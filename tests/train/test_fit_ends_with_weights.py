"""A training run ends with weights, or with a one-line message (exit 2): cases the valid-input
fuzzing (tests/fuzz/test_valid_training.py) found."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.core.stores import TensorStore
from seqconv.errors import InputError, TrainingDiverged
from seqconv.options import parse_duration
from seqconv.train.loop import FitSettings, fit

runner = CliRunner()
TINY = ["--arch", "deepbind", "-O", "filters=4", "-O", "kernel_size=5", "-O", "hidden=4",
        "--epochs", "3", "--threads", "1", "--quiet"]  # fmt: skip


def two_classes(tmp_path, n=40, length=30):
    rng = np.random.default_rng(0)
    paths = []
    for name in ("a", "b"):
        seqs = ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]
        path = tmp_path / f"{name}.fa"
        path.write_text("".join(f">{name}{i}\n{s}\n" for i, s in enumerate(seqs)))
        paths += ["--fasta", str(path)]
    return paths


def test_a_time_limit_shorter_than_an_epoch_still_trains_one(tmp_path):
    # a limit that had passed before the first epoch ended the run at "epoch 0": exit 0 and no
    # model.safetensors; the number as Python writes it (1e-09) was refused as a duration
    out = tmp_path / "run"
    result = runner.invoke(app, ["train", *two_classes(tmp_path), "--time-limit", "1e-09",
                                 "--out", str(out), *TINY])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "model.safetensors").is_file()
    result = json.loads((out / "config.json").read_text())["result"]
    assert result["epochs_run"] == 1 and result["best_epoch"] == 1


def test_durations_read_numbers_as_python_writes_them():
    assert parse_duration("1e-3") == 0.001 and parse_duration("2.5e1s") == 25.0
    assert parse_duration("5.") == 5.0 and parse_duration(".5m") == 30.0


def test_a_diverging_loss_is_a_message_not_an_internal_error(tmp_path):
    # values near float32's largest overflow the first layer: the loss is NaN from the start
    rng = np.random.default_rng(0)
    rows = [{"id": f"s{i}", "y": rng.normal()} | {f"t{j}": rng.normal() * 1e37 for j in range(20)}
            for i in range(30)]  # fmt: skip
    path = tmp_path / "huge.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    result = runner.invoke(app, ["train", "--series", str(path), "--target", "y", "--normalize",
                                 "none", "--arch", "resnet", "-O", "filters=4,4,4", "-O",
                                 "kernel_sizes=5,3,3", "--epochs", "2", "--threads", "1",
                                 "--out", str(tmp_path / "run")])  # fmt: skip
    assert result.exit_code == 2, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the training loss became nan in epoch 1 (step ")
    assert "try a smaller --lr" in last


class InfiniteWhenEvaluated(torch.nn.Module):
    """Finite while training, infinite outputs when evaluated: e.g. --lr 10 on a regression."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 1)

    def forward(self, x):
        y = self.linear(x.mean(dim=-1))
        return y if self.training else y * float("inf")


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_no_finite_validation_loss_is_a_message_not_a_run_without_weights(tmp_path):
    # every epoch's validation loss was inf: no epoch was ever "best", no model.safetensors was
    # written, and the command still said it had trained (exit 0)
    x, y = torch.randn(20, 3, 8), torch.randn(20, 1)
    settings = FitSettings(epochs=2, batch_size=4, rc_average=False, monitor="val_loss")
    with pytest.raises(TrainingDiverged, match="validation loss was inf at every validation"):
        fit(InfiniteWhenEvaluated(), TensorStore(x), y, "regression", np.arange(14),
            np.arange(14, 20), settings)  # fmt: skip


def test_one_training_row_under_batch_norm_is_a_message():
    # 3 records split 1/1/1: the one training row made a batch of one, which batch norm cannot
    # normalise (ValueError: an internal error)
    model = torch.nn.Sequential(
        torch.nn.Conv1d(3, 4, 3), torch.nn.BatchNorm1d(4), torch.nn.AdaptiveMaxPool1d(1),
        torch.nn.Flatten(), torch.nn.Linear(4, 1),
    )  # fmt: skip
    settings = FitSettings(epochs=1, batch_size=3, rc_average=False, monitor="val_loss")
    with pytest.raises(InputError, match="training split holds 1 row"):
        fit(model, TensorStore(torch.randn(3, 3, 8)), torch.randn(3, 1), "regression",
            np.arange(1), np.arange(1, 3), settings)  # fmt: skip


def test_levels_with_a_model_without_per_step_output_says_which_models_have_it(tmp_path):
    # it said "model 'resnet': got an unexpected keyword argument 'per_step'": an option the
    # user never gave
    rng = np.random.default_rng(0)
    path = tmp_path / "walk.csv"
    pd.DataFrame(
        {"id": ["s0"]} | {f"t{j}": [v] for j, v in enumerate(rng.normal(size=120))}
    ).to_csv(path, index=False)
    args = ["--task", "forecast", "--levels", "8", "--arch", "resnet", "--out", tmp_path / "r"]
    result = runner.invoke(app, ["train", "--series", str(path), *map(str, args)])
    assert result.exit_code == 2, result.output
    assert "--arch resnet cannot output: use --arch tcn, tdnn or wavenet" in result.stderr
