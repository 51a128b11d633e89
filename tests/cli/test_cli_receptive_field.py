"""`seqconv receptive-field` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.options import parse_options, parse_value

runner = CliRunner()


def test_parse_values():
    assert parse_value("32") == 32 and parse_value("0.5") == 0.5
    assert parse_value("true") is True and parse_value("False") is False
    assert parse_value("1,2,4") == [1, 2, 4] and parse_value("[3, 5]") == [3, 5]
    assert parse_value("none") is None and parse_value("exp") == "exp"
    assert parse_options(["--channels", "8,8", "--per-step", "--kernel-size=3"]) == {
        "channels": [8, 8],
        "per_step": True,
        "kernel_size": 3,
    }


def test_tcn_table_and_summary():
    result = runner.invoke(app, ["receptive-field", "--arch", "tcn", "--channels", "4,4"])
    assert result.exit_code == 0, result.output
    assert "CausalConv1d" in result.stdout
    assert (
        "receptive field 37, jump 1, offset -36: output i sees inputs [i - 36, i]" in result.stdout
    )


def test_options_become_build_arguments_and_length_warns():
    args = ["receptive-field", "--arch", "tdnn", "--causal", "true", "--channels", "8,8,8"]
    args += ["--kernel-sizes", "3,3,3", "--dilations", "1,2,4", "--length", "10"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "offset -14" in result.stdout and "output length 10" in result.stdout
    assert "exceeds the input length" in result.stderr


def test_model_run_directory(tmp_path):
    config = {"model": {"name": "wavenet", "kwargs": {"layers_per_stack": 3, "stacks": 1}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    result = runner.invoke(app, ["receptive-field", "--run", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "receptive field 9, jump 1, offset -8" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arch", "lenet"], "valid names: basset, bpnet, deepbind, dilated"),
        (["--arch", "tcn", "--kernel", "3"], "accepted options"),
        ([], "either --arch NAME or --run DIR"),
        (["--arch", "tcn", "stray"], "unexpected argument 'stray'"),
    ],
)
def test_errors_exit_2(args, message):
    result = runner.invoke(app, ["receptive-field", *args])
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())


def test_missing_run_directory(tmp_path):
    result = runner.invoke(app, ["receptive-field", "--run", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such run directory" in result.stderr
