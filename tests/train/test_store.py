"""Sequences are encoded once into a store on disk and read from there: reused by --resume and
by later runs with --store, replaced when the inputs change, never half-written."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.labels import load_labeled
from seqconv.dna.store import labeled_store, open_store, store_key
from tests.conftest import write_fasta

runner = CliRunner()
TINY = ["--arch", "deepbind", "-O", "filters=4", "-O", "hidden=4", "--epochs", "1"]


@pytest.fixture
def reads(tmp_path):
    rng = np.random.default_rng(0)
    records = [(f"r{i}", "".join(rng.choice(list("ACGT"), 40))) for i in range(120)]
    return write_fasta(tmp_path / "reads.fa", records)


def train(*args):
    result = runner.invoke(app, ["train", *map(str, args), *TINY])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_store_folder_is_reused_by_a_second_run_on_the_same_files(reads, tmp_path):
    stores = tmp_path / "stores"
    first = train("--fasta", reads, "--store", stores, "--out", tmp_path / "a")
    assert "reusing" not in first
    (made,) = list(stores.iterdir())
    assert (made / "store.json").is_file() and not (tmp_path / "a" / "store").exists()
    second = train("--fasta", reads, "--store", stores, "--out", tmp_path / "b")
    assert f"reusing the encoded sequences in {made}" in second
    other = train("--fasta", reads, "--store", stores, "--out", tmp_path / "c", "--seed", 3)
    assert "reusing" not in other and len(list(stores.iterdir())) == 2  # other negatives


def test_resume_reads_the_runs_store_not_the_fasta(reads, tmp_path):
    run = tmp_path / "run"
    train("--fasta", reads, "--out", run)
    assert (run / "store" / "store.json").is_file()
    again = runner.invoke(app, ["train", "--resume", str(run), "--epochs", "2", "--quiet"])
    assert again.exit_code == 0, again.output


def test_the_store_maps_its_arrays_and_holds_the_labels(reads, tmp_path):
    key = store_key({"reads": 1})
    data = labeled_store(tmp_path / "s", key, lambda into: load_labeled([reads], into=into),
                         lambda note: None)  # fmt: skip
    memory = load_labeled([reads])
    assert isinstance(data.codes, np.memmap) and isinstance(data.targets, np.memmap)
    assert np.array_equal(np.asarray(data.codes), memory.codes)
    assert list(data.ids) == list(memory.ids) and list(data.groups) == list(memory.groups)
    assert np.array_equal(np.asarray(data.targets), memory.targets)
    assert list(data.sources) == list(memory.sources) and data.notes == memory.notes
    assert open_store(tmp_path / "s", "another key") is None


def test_a_killed_build_leaves_nothing_that_looks_complete(reads, tmp_path):
    def killed(into):
        load_labeled([reads], into=into)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        labeled_store(tmp_path / "s", "k", killed, lambda note: None)
    assert not (tmp_path / "s").exists() and not (tmp_path / "s.partial").exists()
    (tmp_path / "s.partial").mkdir()  # what SIGKILL leaves: removed at the next start
    (tmp_path / "s.partial" / "codes").write_bytes(b"half")
    labeled_store(tmp_path / "s", "k", lambda into: load_labeled([reads], into=into), print)
    assert open_store(tmp_path / "s", "k") is not None and not (tmp_path / "s.partial").exists()
