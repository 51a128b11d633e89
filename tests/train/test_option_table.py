"""Each ``seqconv train`` option is declared once (seqconv.train.train_options): the command line,
--help, config files, --resume and each task's defaults come from that one table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.core.stores import CodesTensor, batch_indices
from seqconv.errors import InputError
from seqconv.option_table import PROFILES, default_of, fill, specs
from seqconv.train.entry import new_options
from seqconv.train.loop import FitSettings, fit
from seqconv.train.train_options import TrainOptions
from tests.conftest import write_fasta

runner = CliRunner()
TABLE = specs(TrainOptions)


def help_text() -> str:
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_every_option_of_the_table_is_on_the_command_line_with_its_help():
    text = help_text()
    for name, spec in TABLE.items():
        assert spec.flag(name) in text, name
        assert spec.help.split(".")[0] in text, name


def test_help_shows_the_default_each_task_uses():
    text = help_text()
    assert "AdamW weight decay. [default: 0.01 (DNA); 0 (DNA profile); 0 (series)]" in text
    assert "[default: 0.003 (DNA); 0.001 (DNA profile); 0.001 (series)]" in text
    assert (
        "[default: 128 (DNA); 64 (DNA profile); a tenth of the training series, 4 to 64 "
        "(series); 64 (forecast)]" in text
    )
    assert "[default: 5 (DNA); 200 (series); 10 (forecast); 10 (series segment)]" in text
    assert "[default: motifnet (DNA); unet (DNA segment); bpnet (DNA profile); " \
           "minirocket_hydra, or minirocket for one-step series (series); tcn; wavenet with " \
           "--levels (forecast); dilated_seg (series segment)]" in text  # fmt: skip


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_filling_a_profile_leaves_no_default_unset(profile):
    data = "dna" if profile.startswith("dna") else "series"
    context = {"n_series": 50, "n_train": 40, "shortest": 100, "length": 400}
    filled = fill(TrainOptions(), profile, **context)
    for name, spec in TABLE.items():
        if spec.by_task and data in spec.data and default_of(spec, profile) is not None:
            assert getattr(filled, name) is not None, (profile, name)


def test_given_values_are_never_replaced_by_a_default():
    given = TrainOptions(series="x.csv", patience=3, epochs=7, batch_size=2, valid_fraction=0.0)
    for profile in ("series", "forecast", "series-segment"):
        filled = fill(given, profile, n_series=5000, n_train=4000, shortest=1000)
        assert (filled.patience, filled.epochs, filled.batch_size) == (3, 7, 2)
        assert filled.valid_fraction == 0.0  # 0 is a value, not "unset"


def test_series_defaults_follow_the_data():
    few = fill(TrainOptions(series="x"), "series", n_series=200, n_train=200)
    many = fill(TrainOptions(series="x"), "series", n_series=5000, n_train=4000)
    assert (few.valid_fraction, few.batch_size, many.valid_fraction, many.batch_size) == (
        0.0, 20, 0.2, 64
    )  # fmt: skip
    assert few.model == "minirocket_hydra" and few.normalize == "none"
    one_step = fill(TrainOptions(series="x"), "series", n_series=20, longest=1)
    assert one_step.model == "minirocket" and one_step.normalize == "none"
    deep = fill(TrainOptions(series="x", model="resnet"), "series", n_series=10, n_train=10)
    assert deep.normalize == "series" and deep.batch_size == 4
    forecast = fill(TrainOptions(series="x"), "forecast", shortest=40)
    assert (forecast.model, forecast.levels, forecast.window) == ("tcn", 0, 10)
    wavenet = fill(TrainOptions(series="x", model="wavenet"), "forecast", shortest=1000)
    assert (wavenet.levels, wavenet.window) == (256, 64)


@pytest.mark.parametrize("flag", ["--patience", "--epochs", "--batch-size"])
def test_zero_is_refused_where_it_would_train_nothing(flag, tmp_path):
    fasta = write_fasta(tmp_path / "a.fa", [("a", "ACGT" * 10)])
    for data in (["--fasta", str(fasta)], ["--series", str(tmp_path / "x.csv")]):
        result = runner.invoke(app, ["train", *data, flag, "0"])
        assert result.exit_code == 2, result.output
        assert f"{flag} must be an integer >= 1" in " ".join(result.output.split())


def test_a_run_stores_only_its_own_kind_of_options(tmp_path):
    dna = TrainOptions(fasta=["a.fa"]).repeatable()
    series = TrainOptions(series="a.csv").repeatable()
    assert "window" not in dna and "series" not in dna and "fasta" in dna
    assert "fasta" not in series and "max_shift" not in series and "window" in series
    assert not {"force", "quiet", "config", "resume"} & (set(dna) | set(series))


def test_options_from_a_file_are_checked_and_overridden(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"series": "s.csv", "lr_patience": 4, "time_limit": "2m"}))
    options = new_options({"epochs": 3}, config)
    assert (options.data, options.lr_patience, options.time_limit, options.epochs) == (
        "series", 4, 120.0, 3
    )  # fmt: skip
    config.write_text(json.dumps({"series": "s.csv", "length": 10}))
    with pytest.raises(InputError, match=r"c.json: length does not apply to --series"):
        new_options({}, config)


# -- --resume ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    rng = np.random.default_rng(0)
    records = [(f"s{i}", "".join(rng.choice(list("ACGT"), 40))) for i in range(60)]
    fasta = write_fasta(tmp / "a.fa", records)
    run = tmp / "run"
    args = ["train", "--fasta", fasta, "--arch", "deepbind", "-O", "filters=4", "-O", "hidden=4",
            "--epochs", "1", "--out", run, "--quiet"]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return run


def test_resume_applies_run_control_options_and_records_them(stopped_run):
    args = ["train", "--resume", str(stopped_run), "--epochs", "2", "--patience", "9",
            "--threads", "1", "--precision", "fp32", "--time-limit", "10m", "--quiet"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    config = json.loads((stopped_run / "config.json").read_text())
    assert config["options"]["epochs"] == 2 and config["options"]["time_limit"] == 600
    assert config["result"]["epochs_run"] == 2
    changed = config["resumed"][-1]["changed"]
    assert changed["epochs"] == [1, 2] and changed["patience"] == [5, 9]
    assert changed["threads"] == [None, 1] and changed["precision"] == ["auto", "fp32"]


def test_resume_refuses_data_and_model_options_by_name(stopped_run):
    before = (stopped_run / "config.json").read_text()
    result = runner.invoke(
        app, ["train", "--resume", str(stopped_run), "--lr", "0.1", "--arch", "basset", "-q"]
    )
    text = " ".join(result.output.split())
    assert result.exit_code == 2, result.output
    assert "--arch, --lr cannot change when a run is resumed" in text
    assert "--epochs" in text and "--time-limit" in text  # what may change
    assert (stopped_run / "config.json").read_text() == before


def test_resume_with_config_is_refused(stopped_run):
    result = runner.invoke(app, ["train", "--resume", str(stopped_run), "--config", "c.json"])
    assert result.exit_code == 2 and "leave out --config" in result.output


# -- no training batch of one row ----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 600), st.integers(1, 130))
def test_training_batches_never_end_in_a_lone_row(n, batch_size):
    batches = list(batch_indices(np.arange(n), batch_size, shuffle=False, no_lone_row=True))
    sizes = [len(b) for b in batches]
    assert sorted(torch.cat(batches).tolist()) == list(range(n))
    assert sizes[-1] > 1 or n == 1 or batch_size == 1
    assert max(sizes) <= batch_size + 1


@pytest.mark.parametrize("n_train", [2 * 8 + 1, 8 + 1, 3 * 8 - 1, 3 * 8, 3 * 8 + 1, 3 * 8 + 2])
def test_batch_norm_models_train_on_every_size_near_a_batch_multiple(n_train):
    from seqconv.models import build

    torch.manual_seed(0)
    model = build("motifnet", n_outputs=2, filters=[4, 4], hidden=4)
    codes = np.random.default_rng(0).integers(0, 4, (n_train + 4, 30)).astype(np.uint8)
    targets = torch.as_tensor(np.arange(n_train + 4) % 2)
    index = np.arange(n_train)
    result = fit(model, CodesTensor(codes, torch.device("cpu")), targets, "multiclass", index,
                 np.arange(n_train, n_train + 4), FitSettings(epochs=1, batch_size=8))  # fmt: skip
    assert len(result.history) == 1


def test_batch_size_one_with_batch_norm_is_refused():
    from seqconv.models import build

    model = build("motifnet", n_outputs=2, filters=[4, 4], hidden=4)
    codes = np.zeros((6, 30), dtype=np.uint8)
    with pytest.raises(InputError, match="--batch-size 1 cannot train this model"):
        fit(
            model,
            CodesTensor(codes, torch.device("cpu")),
            torch.zeros(6, dtype=torch.long),
            "multiclass",
            np.arange(4),
            np.arange(4, 6),
            FitSettings(epochs=1, batch_size=1),
        )


def test_the_table_is_the_only_place_options_are_declared():
    source = (Path(__file__).parents[2] / "seqconv" / "cli" / "train_cmd.py").read_text()
    assert "typer.Option" not in source
    fields = {f.name for f in dataclasses.fields(TrainOptions)}
    assert fields == set(TABLE)
