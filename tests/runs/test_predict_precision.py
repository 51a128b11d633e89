"""A run predicts in the precision it was trained in unless told otherwise (issue 24): a run
trained in fp32 predicts in fp32 on a GPU too, old runs that did not record what training used
predict in fp32, and ``seqconv predict --batch-size`` reaches series runs."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import torch

import seqconv
import seqconv.runs.dna_run as run_module
import seqconv.runs.series_run as series_module
from seqconv.core.predict import autocast_dtype, predict, resolved_precision
from seqconv.errors import InputError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_2"
UCR = Path(__file__).resolve().parents[2] / "data" / "ucr"
SEQS = ["ACGT" * 50, "TTGACA" * 30]


@pytest.fixture
def bf16_gpu(monkeypatch):
    """A CUDA device that supports bf16, as far as the choice of the autocast dtype can tell."""
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *args, **kwargs: True)
    return torch.device("cuda")


@pytest.fixture
def spy(monkeypatch):
    """Record the ``batch_size`` and ``precision`` every run's prediction hands ``predict``."""
    calls: list[dict] = []

    default = inspect.signature(predict).parameters["precision"].default

    def recording(model, inputs, index=None, batch_size=512, rc_average=False, precision=None,
                  progress=None):  # fmt: skip
        precision = default if precision is None else precision  # not given: predict's own
        calls.append({"batch_size": batch_size, "precision": precision})
        return predict(model, inputs, index, batch_size, rc_average, precision)

    monkeypatch.setattr(run_module, "predict", recording)
    monkeypatch.setattr(series_module, "predict", recording)
    return calls


def _dna_run(train: dict | None = None):
    run = seqconv.load(FIXTURES / "dna")
    if train is not None:
        run.config["train"] = train
    return run


def test_training_records_what_auto_resolved_to(bf16_gpu):
    assert resolved_precision("auto", bf16_gpu) == "bf16"
    assert resolved_precision("auto", torch.device("cpu")) == "fp32"
    assert resolved_precision("fp32", bf16_gpu) == "fp32"
    assert resolved_precision("bf16", torch.device("cpu")) == "bf16"


@pytest.mark.parametrize(
    ("train", "expected"),
    [
        ({"precision": "fp32"}, "fp32"),
        ({"precision": "auto", "precision_used": "fp32"}, "fp32"),  # auto on a CPU
        ({"precision": "auto", "precision_used": "bf16"}, "bf16"),  # auto on a GPU
        ({"precision": "bf16"}, "bf16"),
        ({"precision": "auto"}, "fp32"),  # older runs: what auto became is not known
        ({}, "fp32"),
    ],
)
def test_a_run_predicts_in_the_precision_it_was_trained_in(train, expected, bf16_gpu, spy):
    run = _dna_run(train)
    assert run.precision == expected
    run.predict(SEQS)
    assert spy[-1]["precision"] == expected
    wanted = None if expected == "fp32" else torch.bfloat16
    assert autocast_dtype(spy[-1]["precision"], bf16_gpu) is wanted


def test_a_0_2_run_trained_with_auto_predicts_in_fp32_on_a_gpu(bf16_gpu, spy):
    run = seqconv.load(FIXTURES / "dna")  # "precision": "auto", nothing recorded
    run.predict(SEQS)
    assert autocast_dtype(spy[-1]["precision"], bf16_gpu) is None


def test_the_precision_can_be_chosen_when_predicting(spy):
    run = _dna_run({"precision": "fp32"})
    run.predict(SEQS, precision="bf16")
    assert spy[-1]["precision"] == "bf16"
    run.predict_codes(run.encode(SEQS), precision="auto")
    assert spy[-1]["precision"] == "auto"
    with pytest.raises(InputError, match="precision"):
        run.predict(SEQS, precision="fp16")


def test_a_series_run_predicts_in_its_training_precision_unless_told(spy):
    run = seqconv.load(FIXTURES / "series")
    run.config["train"] = {"precision": "auto", "precision_used": "bf16"}
    run.predict(UCR / "ItalyPowerDemand_TEST.ts")
    assert spy[-1]["precision"] == "bf16"
    run.predict(UCR / "ItalyPowerDemand_TEST.ts", precision="fp32")
    assert spy[-1]["precision"] == "fp32"


def test_series_predict_uses_the_batch_size_given(spy, tmp_path):
    from seqconv.runs.commands import predict_file

    out = tmp_path / "preds.tsv"
    predict_file(FIXTURES / "series", series=UCR / "ItalyPowerDemand_TEST.ts", out=out,
                 batch_size=7)  # fmt: skip
    assert [call["batch_size"] for call in spy] == [7]
    assert spy[0]["precision"] == "fp32"  # a 0.2 run: "auto", what it became not recorded
