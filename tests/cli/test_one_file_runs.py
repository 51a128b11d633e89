"""A run trained on one FASTA file (against its dinucleotide-shuffled copies): evaluate and predict
on new files of the same kind, by the new option names and by the old ones."""

import numpy as np
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from tests.conftest import plant, random_dna, write_fasta

runner = CliRunner()
TINY = ["-O", "filters=8", "-O", "kernel_size=6", "-O", "hidden=8", "--batch-size", "32",
        "--quiet", "--threads", "2"]  # fmt: skip


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def one_file_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("one_file")
    rng = np.random.default_rng(1)
    reads = write_fasta(
        root / "reads.fa",
        [(f"r{i}", s) for i, s in enumerate(plant(rng, random_dna(rng, 120, 40), "TGACTCAG"))],
    )
    new = write_fasta(
        root / "new.fa",
        [(f"n{i}", s) for i, s in enumerate(plant(rng, random_dna(rng, 40, 40), "TGACTCAG"))],
    )
    run = root / "run"
    invoke("train", "--fasta", reads, "--arch", "deepbind", "--epochs", 1, "--out", run, *TINY)
    return run, new


def test_evaluate_one_file_uses_the_training_negatives(one_file_run, tmp_path):
    run, new = one_file_run
    result = invoke("evaluate", "--run", run, "--fasta", new, "--bootstrap", 10, "--out",
                    tmp_path / "e.json", "--threads", 1)  # fmt: skip
    assert "negatives: dinucleotide-shuffled copies, as in training" in result.stderr
    assert "80 sequences" in result.stdout  # 40 new reads and 40 shuffled copies
    result = runner.invoke(app, ["evaluate", "-r", str(run), "-f", str(new), "--negatives", "none",
                                 "--out", str(tmp_path / "e2.json")])  # fmt: skip
    assert result.exit_code == 2, result.output  # an explicit choice wins: one class alone


def test_predict_says_what_the_classes_mean(one_file_run, tmp_path):
    run, new = one_file_run
    out = tmp_path / "p.tsv"
    result = invoke("predict", "--run", run, "--fasta", new, "--out", out)
    note = "classes: 'reads' = like the training file, 'shuffled' = like its dinucleotide-shuffled"
    assert note in " ".join(result.stderr.split())
    assert out.read_text().startswith("id\t")


def test_old_option_names_still_work(one_file_run, tmp_path):
    run, new = one_file_run
    invoke("predict", "--model", run, "--fasta", new, "--out", tmp_path / "a.tsv")
    invoke("predict", "-m", run, "--fasta", new, "--out", tmp_path / "b.tsv")
    assert (tmp_path / "a.tsv").read_text() == (tmp_path / "b.tsv").read_text()
    invoke(
        "evaluate", "--model", run, "--fasta", new, "--bootstrap", 5, "--out", tmp_path / "e.json"
    )
    result = invoke("receptive-field", "--model", run)
    assert "deepbind" in result.stdout


def test_train_old_model_option_is_the_architecture(tmp_path):
    rng = np.random.default_rng(2)
    fasta = write_fasta(
        tmp_path / "x.fa", [(f"x{i}", s) for i, s in enumerate(random_dna(rng, 60, 30))]
    )
    invoke(
        "train", "--fasta", fasta, "-m", "deepbind", "--epochs", 1, "--out", tmp_path / "run", *TINY
    )
    assert '"name": "deepbind"' in (tmp_path / "run" / "config.json").read_text()
