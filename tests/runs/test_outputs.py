"""Outputs are checked before any work: never an input, never a folder for a file (or a file for a
folder), never a run's own file; numeric options in range; '-' is standard output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.errors import InputError
from seqconv.outputs import check_output_dir, check_output_file
from seqconv.runs.commands import evaluate_files, predict_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1"
runner = CliRunner()


@pytest.fixture
def run_dir(tmp_path) -> Path:
    """A copy of a small DNA run (seqconv 0.1) and a FASTA to score."""
    shutil.copytree(FIXTURES / "dna", tmp_path / "run")
    shutil.copy(FIXTURES / "new20.fa", tmp_path / "new20.fa")
    return tmp_path / "run"


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_predict_refuses_to_write_over_its_input(run_dir, tmp_path):
    fasta = tmp_path / "new20.fa"
    before = fasta.read_bytes()
    result = cli("predict", "--run", run_dir, "--fasta", fasta, "--out", fasta)
    assert result.exit_code == 2
    assert f"--out {fasta} is the input file {fasta}; choose another name" in result.output
    assert fasta.read_bytes() == before
    # the same file under another name (a symbolic link, a detour through ..)
    link = tmp_path / "link.fa"
    link.symlink_to(fasta)
    for other in (link, tmp_path / "run" / ".." / "new20.fa"):
        with pytest.raises(InputError, match="is the input file"):
            predict_file(run_dir, fasta=fasta, out=other)
    assert fasta.read_bytes() == before


def test_predict_into_a_folder_or_a_run_file_is_refused(run_dir, tmp_path):
    result = cli("predict", "--run", run_dir, "--fasta", tmp_path / "new20.fa", "--out", tmp_path)
    assert result.exit_code == 2
    example = tmp_path / "predictions.tsv"
    assert f"--out {tmp_path} is a directory; give a file name (e.g. {example})" in result.output
    config = run_dir / "config.json"
    with pytest.raises(InputError, match=f"--out {config} would replace {config}"):
        predict_file(run_dir, fasta=tmp_path / "new20.fa", out=config)


def test_predict_dash_is_standard_output_and_missing_folders_are_made(run_dir, tmp_path):
    result = cli("predict", "--run", run_dir, "--fasta", tmp_path / "new20.fa", "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("id\tCTCF\tNrf1\tREST\tTP53")
    assert not Path("-").exists()
    deep = tmp_path / "a" / "b" / "preds.tsv"
    assert predict_file(run_dir, fasta=tmp_path / "new20.fa", out=deep) == 20
    assert deep.is_file()


def test_predict_batch_size_must_be_positive(run_dir, tmp_path):
    result = cli("predict", "--run", run_dir, "--fasta", tmp_path / "new20.fa",
                 "--batch-size", 0)  # fmt: skip
    assert result.exit_code == 2
    assert "--batch-size must be an integer >= 1, not 0" in result.output
    with pytest.raises(InputError, match="--batch-size must be an integer >= 1, not -3"):
        predict_file(run_dir, fasta=tmp_path / "new20.fa", batch_size=-3)


def test_evaluate_out_checks(run_dir, tmp_path):
    fasta = tmp_path / "new20.fa"
    with pytest.raises(InputError, match="is the input file"):
        evaluate_files(run_dir, fasta=[fasta], out=fasta)
    weights = run_dir / "model.safetensors"
    with pytest.raises(InputError, match="would replace"):
        evaluate_files(run_dir, fasta=[fasta], out=weights)
    with pytest.raises(InputError, match="--bootstrap must be an integer >= 0, not -1"):
        evaluate_files(run_dir, fasta=[fasta], n_bootstrap=-1)


def test_output_paths_below_a_file_or_unwritable(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("mine")
    with pytest.raises(InputError, match=f"{plain} is a file, not a directory"):
        check_output_file(plain / "sub" / "out.tsv")
    with pytest.raises(InputError, match=f"--out {plain} is a file, not a directory"):
        check_output_dir(plain)
    assert check_output_file(None) is None and check_output_file("-") is None
    assert check_output_dir(tmp_path / "new" / "folder") == tmp_path / "new" / "folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_output_in_a_read_only_folder_is_refused(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(InputError, match=f"--out {locked}/out.tsv: no permission to write in"):
            check_output_file(locked / "out.tsv")
    finally:
        locked.chmod(0o700)


def test_motifs_and_attribute_out_must_be_a_folder(run_dir, tmp_path):
    fasta = tmp_path / "new20.fa"
    for command in ("motifs", "attribute"):
        result = cli(command, "--run", run_dir, "--fasta", fasta, "--out", fasta)
        assert result.exit_code == 2
        assert f"--out {fasta} is the input file {fasta}" in result.output
        other = tmp_path / "notes.txt"
        other.write_text("mine")
        result = cli(command, "--run", run_dir, "--fasta", fasta, "--out", other)
        assert result.exit_code == 2, result.output
        assert f"--out {other} is a file, not a directory; choose another --out" in result.output
        assert other.read_text() == "mine"


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--q", 0, "--q must be a number > 0 and <= 1, not 0"),
        ("--shuffles", 0, "--shuffles must be an integer >= 1 and <= 100,000, not 0"),
        ("--shuffles", 10**6, "--shuffles must be an integer >= 1 and <= 100,000, not 1000000"),
        ("--min-sites", -1, "--min-sites must be an integer >= 1 and <= 100,000,000, not -1"),
    ],
)
def test_motifs_numeric_options(run_dir, tmp_path, option, value, message):
    result = cli("motifs", "--run", run_dir, "--fasta", tmp_path / "new20.fa", option, value)
    assert result.exit_code == 2 and message in result.output, result.output


def test_simulate_refuses_to_write_over_its_background(tmp_path):
    background = tmp_path / "bg.fa"
    background.write_text(">a\nACGTACGTACGT\n")
    result = cli("simulate", "--motif", "MA0079.3", "--background", background,
                 "--out", background, "--n", 4, "--length", 12)  # fmt: skip
    assert result.exit_code == 2
    assert f"--out {background} is the input file {background}" in result.output
    assert background.read_text() == ">a\nACGTACGTACGT\n"
    result = cli("simulate", "--motif", "MA0079.3", "--out", tmp_path, "--n", 4)
    assert result.exit_code == 2 and "is a directory; give a file name" in result.output
