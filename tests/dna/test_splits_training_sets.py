"""Degenerate training sets stop with what is needed, before scikit-learn or a model sees them;
a table of 1,000 classes gets through set-up and held-out metrics."""

import numpy as np
import pandas as pd
import pytest
import torch

import seqconv
from seqconv.core.metrics import compute_metrics
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.train.distributed import Distributed
from seqconv.train.recipes.common import RunContext
from seqconv.train.recipes.dna import TrainOptions, prepare
from tests.conftest import write_fasta


def random_seqs(n, length=30, seed=0):
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


def options(tmp_path, fasta, **kw):
    return TrainOptions(
        fasta=[str(f) for f in fasta], model="deepbind", out=str(tmp_path / "r"), **kw
    )


def run_prepare(opts):
    context = RunContext(torch.device("cpu"), Reporter(quiet=True), Distributed())
    return prepare(fill(opts, "dna"), context)


def test_five_records_are_too_few_ten_are_enough(tmp_path):
    path = write_fasta(tmp_path / "five.fa", [(f"r{i}", s) for i, s in enumerate(random_seqs(5))])
    with pytest.raises(seqconv.InputError, match=r"'five' has 5.* needs at least 10 sequences"):
        run_prepare(options(tmp_path, [path]))
    path = write_fasta(tmp_path / "ten.fa", [(f"r{i}", s) for i, s in enumerate(random_seqs(10))])
    job = run_prepare(options(tmp_path, [path]))
    assert len(job.train_index) == 16 and len(job.valid_index) == 2


def test_one_sequence_is_too_few(tmp_path):
    path = write_fasta(tmp_path / "one.fa", [("s1", "N" * 30)])
    with pytest.raises(seqconv.InputError, match=r"only 1 sequence: too few .* at least 3"):
        run_prepare(options(tmp_path, [path]))


def test_a_class_too_small_for_the_splits(tmp_path):
    seqs = random_seqs(22)
    a = write_fasta(tmp_path / "a.fa", [(f"a{i}", s) for i, s in enumerate(seqs[:20])])
    b = write_fasta(tmp_path / "b.fa", [(f"b{i}", s) for i, s in enumerate(seqs[20:])])
    with pytest.raises(seqconv.InputError, match=r"'b' has 2; with 10% held out"):
        run_prepare(options(tmp_path, [a, b]))


def test_class_absent_from_training_split(tmp_path):
    seqs = random_seqs(40)
    chroms = ["chr1"] * 20 + ["chr2"] * 10 + ["chr3"] * 10
    records = [
        (f"{c}:{i * 100}-{i * 100 + 30}", s)
        for i, (c, s) in enumerate(zip(chroms, seqs, strict=True))
    ]
    table = tmp_path / "t.tsv"
    rows = [
        f"{r[0]}\t{'x' if c == 'chr1' else 'y'}\n" for r, c in zip(records, chroms, strict=True)
    ]
    table.write_text("id\tlabel\n" + "".join(rows))
    path = write_fasta(tmp_path / "c.fa", records)
    opts = options(tmp_path, [path], labels=str(table), valid_chroms=["chr2"], test_chroms=["chr3"])
    with pytest.raises(seqconv.InputError, match=r"training split .* holds only class 'x'.*'y'"):
        run_prepare(opts)


def test_drop_missing_labels_reaches_load_labeled(tmp_path):
    seqs = random_seqs(30)
    path = write_fasta(tmp_path / "r.fa", [(f"s{i}", s) for i, s in enumerate(seqs)])
    table = tmp_path / "y.tsv"
    table.write_text(
        "id\ty\n" + "".join(f"s{i}\t{'nan' if i == 3 else i * 0.1}\n" for i in range(30))
    )
    with pytest.raises(seqconv.InputError, match="drop them with --drop-missing-labels"):
        run_prepare(options(tmp_path, [path], labels=str(table)))
    job = run_prepare(options(tmp_path, [path], labels=str(table), drop_missing_labels=True))
    table = pd.concat(list(job.split))
    assert "s3" not in table["id"].tolist() and len(table) == 29


def test_thousand_classes_set_up_and_metrics(tmp_path):
    rng = np.random.default_rng(0)
    n, k = 5000, 1000
    bases = rng.integers(0, 4, (n, 100))
    path = tmp_path / "big.fa"
    path.write_text(
        "".join(f">s{i}\n{''.join('ACGT'[b] for b in row)}\n" for i, row in enumerate(bases))
    )
    table = tmp_path / "big.tsv"
    table.write_text("id\tlabel\n" + "".join(f"s{i}\tc{rng.integers(k)}\n" for i in range(n)))
    job = run_prepare(options(tmp_path, [path], labels=str(table)))
    assert job.task == "multiclass" and len(job.target_names) == len(set(job.target_names)) > 900
    counts = job.config["data"]["class_counts"]
    assert sum(counts.values()) == n
    test = pd.concat(list(job.split))["split"].to_numpy() == "test"
    truth = job.targets.numpy()[test]
    probs = rng.random((int(test.sum()), len(job.target_names)))
    m = compute_metrics("multiclass", truth, probs, job.target_names, n_bootstrap=20)
    assert len(m["per_target"]) == len(job.target_names)
