"""A corpus of hand-written bad inputs through the command line: every one gets a clear message
(exit 2) or a valid result (exit 0) — never a traceback or an "internal error" — and nothing the
user owns is lost.

Each case is a function ``(ws, tmp) -> argv`` (or ``(argv, check)``, ``check`` run afterwards),
registered with the exit code and a pattern its output must contain.
"""

import gzip
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner

from seqconv.cli import app
from tests.conftest import plant, random_dna, write_fasta

runner = CliRunner()
TINY = ["--model", "deepbind", "-O", "filters=8", "-O", "kernel_size=6", "-O", "hidden=8",
        "--batch-size", "32", "--quiet"]  # fmt: skip
CASES = []


def case(code: int, pattern: str, stdin: str | None = None):
    """Register a case: its exit ``code`` and a regex its output must match."""

    def register(build):
        CASES.append(pytest.param(build, code, pattern, stdin, id=build.__name__))
        return build

    return register


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> SimpleNamespace:
    """Shared valid files and one small trained run (read-only for the cases)."""
    root = tmp_path_factory.mktemp("ws")
    rng = np.random.default_rng(0)
    pos = plant(rng, random_dna(rng, 150, 50), "TGACTCAG")
    neg = random_dna(rng, 150, 50)
    w = SimpleNamespace(root=root)
    w.pos = write_fasta(root / "pos.fa", [(f"p{i}", s) for i, s in enumerate(pos)])
    w.neg = write_fasta(root / "neg.fa", [(f"n{i}", s) for i, s in enumerate(neg)])
    w.run = root / "run"
    args = ["train", "--fasta", w.pos, "--fasta", w.neg, "--epochs", 1, "--out", w.run, *TINY]
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    table = ["id\tlabel"] + [f"p{i}\t1" for i in range(150)] + [f"n{i}\t0" for i in range(150)]
    w.labels = root / "labels.tsv"
    w.labels.write_text("\n".join(table) + "\n")
    return w


def copy_run(ws, tmp) -> Path:
    run = tmp / "run"
    shutil.copytree(ws.run, run)
    return run


def edit_config(run: Path, change) -> None:
    config = json.loads((run / "config.json").read_text())
    change(config)
    (run / "config.json").write_text(json.dumps(config))


def train(ws, *args):
    return ["train", "--fasta", ws.pos, "--fasta", ws.neg, *args]


# --- options and config values -------------------------------------------------------------


@case(2, r"--epochs must be an integer >= 1")
def epochs_zero(ws, tmp):
    return train(ws, "--epochs", "0")


@case(2, r"--epochs must be an integer >= 1.*not -1")
def epochs_negative(ws, tmp):
    return train(ws, "--epochs", "-1")


@case(2, r"--batch-size must be an integer >= 1")
def batch_size_zero(ws, tmp):
    return train(ws, "--batch-size", "0")


@case(2, r"--batch-size must be an integer >= 1")
def batch_size_negative(ws, tmp):
    return train(ws, "--batch-size", "-1")


@case(2, r"--lr must be a number > 0")
def lr_negative(ws, tmp):
    return train(ws, "--lr", "-0.1")


@case(2, r"--lr must be a number > 0.*not nan")
def lr_nan(ws, tmp):
    return train(ws, "--lr", "nan")


@case(2, r"--lr must be a number > 0 and <= 10")
def lr_huge(ws, tmp):
    return train(ws, "--lr", "1e300")


@case(2, r"--weight-decay must be a number >= 0")
def weight_decay_negative(ws, tmp):
    return train(ws, "--weight-decay", "-1")


@case(2, r"--length must be an integer >= 1")
def length_zero(ws, tmp):
    return train(ws, "--length", "0")


@case(2, r"--length must be an integer >= 1")
def length_negative(ws, tmp):
    return train(ws, "--length", "-5")


@case(2, r"--length must be .*<= 1,000,000, not 100000000")
def length_huge(ws, tmp):
    return train(ws, "--length", "100000000")


@case(2, r"--seed must be an integer >= 0")
def seed_negative(ws, tmp):
    return train(ws, "--seed", "-1")


@case(2, r"--max-shift must be an integer >= 0")
def max_shift_negative(ws, tmp):
    return train(ws, "--max-shift", "-3")


@case(2, r"--align must be one of center, left, right")
def align_unknown(ws, tmp):
    return train(ws, "--align", "middle")


@case(2, r"--task must be one of .*did you mean 'binary'")
def task_typo(ws, tmp):
    return train(ws, "--task", "binray")


@case(2, r"--precision must be one of auto, fp32, bf16")
def precision_unknown(ws, tmp):
    return train(ws, "--precision", "fp8")


@case(2, r"--arch must be one of .*did you mean 'motifnet'")
def model_typo(ws, tmp):
    return train(ws, "--model", "motifnte")


@case(2, r"unknown device 'tpu'")
def device_unknown(ws, tmp):
    return train(ws, "--device", "tpu", "--epochs", "1", *TINY)


@case(2, r"unknown device 'mps'")
def device_torch_knows_but_seqconv_does_not(ws, tmp):
    return train(ws, "--device", "mps", "--epochs", "1", *TINY)


@case(2, r"no CUDA GPU is available|cuda")
def device_cuda_without_gpu(ws, tmp):
    if os.environ.get("CUDA_VISIBLE_DEVICES", None) != "" and _has_cuda():
        pytest.skip("a GPU is present")
    return train(ws, "--device", "cuda:0", "--epochs", "1", *TINY)


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@case(2, r"would have [\d,]+ parameters")
def model_option_huge(ws, tmp):
    return train(ws, "-m", "deepbind", "-O", "filters=10000000", "-O", "hidden=1000000")


@case(2, r"did you mean 'filters'")
def model_option_typo(ws, tmp):
    return train(ws, "-m", "deepbind", "-O", "filtres=8")


@case(2, r"cannot be built|size 0")
def model_option_zero(ws, tmp):
    return train(ws, "-m", "deepbind", "-O", "filters=0")


@case(2, r"model option 'filters' is not KEY=VALUE")
def model_option_not_key_value(ws, tmp):
    return train(ws, "-O", "filters")


@case(2, r"c.json: 'epochs' must be an integer .*not 'ten' \(text\)")
def config_string_for_number(ws, tmp):
    (tmp / "c.json").write_text('{"epochs": "ten"}')
    return train(ws, "--config", tmp / "c.json")


@case(2, r"c.json: unknown option 'epohcs'; did you mean 'epochs'")
def config_unknown_key(ws, tmp):
    (tmp / "c.json").write_text('{"epohcs": 3}')
    return train(ws, "--config", tmp / "c.json")


@case(2, r"c.json: expected a mapping")
def config_not_a_mapping(ws, tmp):
    (tmp / "c.json").write_text("[1, 2]")
    return train(ws, "--config", tmp / "c.json")


@case(2, r"c.json: not valid JSON/YAML")
def config_broken_json(ws, tmp):
    (tmp / "c.json").write_text('{"epochs": 3')
    return train(ws, "--config", tmp / "c.json")


@case(2, r"c.yaml: not valid JSON/YAML")
def config_broken_yaml(ws, tmp):
    (tmp / "c.yaml").write_text("epochs: [3\n\tlr: x")
    return train(ws, "--config", tmp / "c.yaml")


@case(2, r"c.yaml: 'batch_size' must be an integer >= 1")
def config_yaml_zero_batch(ws, tmp):
    (tmp / "c.yaml").write_text("batch_size: 0\n")
    return train(ws, "--config", tmp / "c.yaml")


@case(2, r"missing.json")
def config_missing(ws, tmp):
    return train(ws, "--config", tmp / "missing.json")


@case(2, r"is a directory|cannot read")
def config_is_a_directory(ws, tmp):
    return train(ws, "--config", tmp)


@case(2, r"applies? to time series: add --series")
def series_option_on_dna(ws, tmp):
    return train(ws, "--window", "8")


# --- input files ----------------------------------------------------------------------------


@case(2, r"missing.fa")
def fasta_missing(ws, tmp):
    return ["train", "--fasta", tmp / "missing.fa"]


@case(2, r"is a directory")
def fasta_directory(ws, tmp):
    return ["train", "--fasta", tmp]


@case(2, r"empty.fa")
def fasta_empty(ws, tmp):
    (tmp / "empty.fa").write_text("")
    return ["train", "--fasta", tmp / "empty.fa", *TINY]


@case(2, r"garbage.fa")
def fasta_binary_garbage(ws, tmp):
    (tmp / "garbage.fa").write_bytes(bytes(range(256)) * 8)
    return ["train", "--fasta", tmp / "garbage.fa", *TINY]


@case(2, r"bad.fa.gz.*(gzip|corrupt|CRC)")
def fasta_gzip_bad_crc(ws, tmp):
    data = bytearray(gzip.compress(ws.pos.read_bytes()))
    data[-8] ^= 0xFF  # the CRC-32 in the trailer
    (tmp / "bad.fa.gz").write_bytes(bytes(data))
    return ["predict", "--model", ws.run, "--fasta", tmp / "bad.fa.gz", "--out", tmp / "p.tsv"]


@case(2, r"cut.fa.gz.*(gzip|truncated|corrupt)")
def fasta_gzip_truncated(ws, tmp):
    data = gzip.compress(ws.pos.read_bytes())
    (tmp / "cut.fa.gz").write_bytes(data[: len(data) // 2])
    return ["predict", "--model", ws.run, "--fasta", tmp / "cut.fa.gz", "--out", tmp / "p.tsv"]


@case(0, r"150 predictions")
def fasta_mac_line_endings(ws, tmp):
    (tmp / "mac.fa").write_bytes(ws.pos.read_bytes().replace(b"\n", b"\r"))
    return ["predict", "--model", ws.run, "--fasta", tmp / "mac.fa", "--out", tmp / "p.tsv"]


@case(0, r"150 predictions")
def fasta_windows_line_endings(ws, tmp):
    (tmp / "win.fa").write_bytes(ws.pos.read_bytes().replace(b"\n", b"\r\n"))
    return ["predict", "--model", ws.run, "--fasta", tmp / "win.fa", "--out", tmp / "p.tsv"]


@case(0, r"^id\t", stdin=">a\nACGTACGTAAAA\n>b\nTTTTGGGGCCCC\n")
def fasta_from_stdin(ws, tmp):
    return ["predict", "--model", ws.run, "--fasta", "-"]


@case(0, r"150 predictions")
def fasta_from_fifo(ws, tmp):
    fifo = tmp / "pipe.fa"
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as handle:
            handle.write(ws.pos.read_bytes())

    threading.Thread(target=feed, daemon=True).start()
    return ["predict", "--model", ws.run, "--fasta", fifo, "--out", tmp / "p.tsv"]


@case(2, r"loop.fa")
def fasta_symlink_loop(ws, tmp):
    os.symlink(tmp / "loop.fa", tmp / "loop.fa")
    return ["predict", "--model", ws.run, "--fasta", tmp / "loop.fa"]


@case(2, r"truncated|quality|FASTQ")
def fastq_truncated(ws, tmp):
    (tmp / "r.fq").write_text("@r1\nACGTACGT\n+\nIIIIIIII\n@r2\nACGTACGT\n+\n")
    return ["predict", "--model", ws.run, "--fasta", tmp / "r.fq"]


@case(2, r"nohead.fa")
def fasta_without_header(ws, tmp):
    (tmp / "nohead.fa").write_text("ACGTACGT\nACGTACGT\n")
    return ["predict", "--model", ws.run, "--fasta", tmp / "nohead.fa"]


@case(2, r"needs at least \d+ bp: pad them with --length \d+")
def sequences_of_one_base(ws, tmp):
    records = [(f"s{i}", "ACGT"[i % 4]) for i in range(200)]
    write_fasta(tmp / "short.fa", records)
    return ["train", "--fasta", tmp / "short.fa", "--model", "deepbind", "--quiet"]


@case(2, r"too few|only 5|at least")
def five_records(ws, tmp):
    write_fasta(tmp / "five.fa", [(f"s{i}", "ACGTTGCAAGTC" * 5) for i in range(5)])
    return ["train", "--fasta", tmp / "five.fa", *TINY]


@case(2, r"one.fa|too few|at least|N")
def one_all_n_sequence(ws, tmp):
    write_fasta(tmp / "one.fa", [("s1", "N" * 60)])
    return ["train", "--fasta", tmp / "one.fa", *TINY]


@case(2, r"one.tsv: all 150 sequences are class 'bound'.*two classes")
def labels_single_class(ws, tmp):
    table = ["id\tlabel"] + [f"p{i}\tbound" for i in range(150)]
    (tmp / "one.tsv").write_text("\n".join(table) + "\n")
    return ["train", "--fasta", ws.pos, "--labels", tmp / "one.tsv", *TINY]


@case(2, r"p3.*--drop-missing-labels")
def labels_nan(ws, tmp):
    text = ws.labels.read_text().replace("p3\t1", "p3\tNaN")
    (tmp / "nan.tsv").write_text(text)
    return ["train", "--fasta", ws.pos, "--fasta", ws.neg, "--labels", tmp / "nan.tsv", *TINY]


@case(2, r"p4.*--drop-missing-labels")
def labels_empty_cell(ws, tmp):
    text = ws.labels.read_text().replace("p4\t1", "p4\t")
    (tmp / "empty.tsv").write_text(text)
    return ["train", "--fasta", ws.pos, "--fasta", ws.neg, "--labels", tmp / "empty.tsv", *TINY]


@case(2, r"p5.*--drop-missing-labels")
def regression_target_inf(ws, tmp):
    table = ["id\tsignal"] + [f"p{i}\t{i / 10}" for i in range(150)]
    table[6] = "p5\tinf"
    (tmp / "reg.tsv").write_text("\n".join(table) + "\n")
    return ["train", "--fasta", ws.pos, "--labels", tmp / "reg.tsv", *TINY]


@case(2, r"noid.tsv.*id")
def labels_without_id_column(ws, tmp):
    (tmp / "noid.tsv").write_text("name\tlabel\np1\t1\n")
    return ["train", "--fasta", ws.pos, "--labels", tmp / "noid.tsv", *TINY]


@case(2, r"bin.tsv")
def labels_binary_garbage(ws, tmp):
    (tmp / "bin.tsv").write_bytes(b"\x00\xff\xfe" * 300)
    return ["train", "--fasta", ws.pos, "--labels", tmp / "bin.tsv", *TINY]


@case(2, r"other.tsv: none of the 150 sequence ids are in the table")
def labels_match_no_ids(ws, tmp):
    (tmp / "other.tsv").write_text("id\tlabel\nx1\t1\nx2\t0\n")
    return ["train", "--fasta", ws.pos, "--labels", tmp / "other.tsv", *TINY]


@case(2, r"labels_missing.tsv")
def labels_missing_file(ws, tmp):
    return ["train", "--fasta", ws.pos, "--labels", tmp / "labels_missing.tsv", *TINY]


@case(2, r"nope.fa")
def negatives_missing_file(ws, tmp):
    return ["train", "--fasta", ws.pos, "--negatives", tmp / "nope.fa", *TINY]


@case(2, r"--negatives .*neg.fa is for one FASTA file without labels.*drop --negatives")
def negatives_file_with_labelled_files(ws, tmp):
    return ["train", "--fasta", ws.pos, "--labels", ws.labels, "--negatives", ws.neg, *TINY]


@case(2, r"loop.fa: cannot follow it .*symbolic link loop")
def evaluate_fasta_symlink_loop(ws, tmp):
    os.symlink(tmp / "loop.fa", tmp / "loop.fa")
    return ["evaluate", "--model", ws.run, "--fasta", tmp / "loop.fa", "--fasta", ws.neg]


@case(2, r"dup.fa.*s1")
def duplicate_ids_in_one_file(ws, tmp):
    write_fasta(tmp / "dup.fa", [("s1", "ACGT" * 15), ("s1", "TTTT" * 15)] * 20)
    return ["train", "--fasta", tmp / "dup.fa", *TINY]


# --- outputs and run directories ------------------------------------------------------------


@case(2, r"input")
def predict_out_is_the_input(ws, tmp):
    target = tmp / "in.fa"
    shutil.copy(ws.pos, target)
    before = target.read_bytes()

    def unchanged():
        assert target.read_bytes() == before

    return ["predict", "--model", ws.run, "--fasta", target, "--out", target], unchanged


@case(2, r"is a directory; give a file name")
def predict_out_is_a_directory(ws, tmp):
    return ["predict", "--model", ws.run, "--fasta", ws.pos, "--out", tmp]


@case(2, r"--batch-size.*>= 1")
def predict_batch_size_zero(ws, tmp):
    return ["predict", "--model", ws.run, "--fasta", ws.pos, "--batch-size", "0"]


@case(2, r"--force")
def train_out_existing_run(ws, tmp):
    run = copy_run(ws, tmp)
    before = (run / "model.safetensors").read_bytes()

    def kept():
        assert (run / "model.safetensors").read_bytes() == before

    return train(ws, "--out", run, "--epochs", "1", *TINY), kept


@case(2, r"file")
def train_out_is_a_file(ws, tmp):
    (tmp / "f").write_text("mine")
    return train(ws, "--out", tmp / "f", "--epochs", "1", *TINY)


@case(2, r"being written by pid")
def train_out_locked_by_another_writer(ws, tmp):
    run = copy_run(ws, tmp)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    lock = {"pid": sleeper.pid, "host": socket.gethostname(), "started": "now", "command": "x"}
    (run / ".seqconv.lock").write_text(json.dumps(lock))

    def stop():
        sleeper.kill()

    return ["train", "--resume", run], stop


@case(2, r"no such run directory|not a run directory")
def predict_model_not_a_run(ws, tmp):
    return ["predict", "--model", tmp, "--fasta", ws.pos]


@case(2, r"config.json: corrupt")
def predict_config_corrupt(ws, tmp):
    run = copy_run(ws, tmp)
    (run / "config.json").write_text("{not json")
    return ["predict", "--model", run, "--fasta", ws.pos]


@case(2, r"SHA-256")
def predict_weights_flipped_bits(ws, tmp):
    run = copy_run(ws, tmp)
    data = bytearray((run / "model.safetensors").read_bytes())
    data[-10] ^= 0x10
    (run / "model.safetensors").write_bytes(bytes(data))
    return ["predict", "--model", run, "--fasta", ws.pos]


@case(2, r"config.json.*target")
def predict_config_targets_mismatch(ws, tmp):
    run = copy_run(ws, tmp)
    edit_config(run, lambda c: c.update(target_names=["a", "b", "c"]))
    return ["predict", "--model", run, "--fasta", ws.pos]


@case(2, r"config.json.*task")
def predict_config_task_unknown(ws, tmp):
    run = copy_run(ws, tmp)
    edit_config(run, lambda c: c.update(task="telepathy"))
    return ["predict", "--model", run, "--fasta", ws.pos]


@case(2, r"checkpoint|another model|weights do not fit")
def resume_after_model_changed(ws, tmp):
    run = copy_run(ws, tmp)
    edit_config(run, lambda c: c["model"]["kwargs"].update(filters=12))
    edit_config(run, lambda c: c["options"]["model_options"].update(filters=12))
    return ["train", "--resume", run]


@case(2, r"--bootstrap.*>= ?0|--bootstrap")
def evaluate_bootstrap_negative(ws, tmp):
    return ["evaluate", "--model", ws.run, "--fasta", ws.pos, "--fasta", ws.neg,
            "--bootstrap", "-1", "--out", tmp / "e.json"]  # fmt: skip


@case(2, r"--q")
def motifs_q_out_of_range(ws, tmp):
    return ["motifs", "--model", ws.run, "--fasta", ws.pos, "--q", "2", "--out", tmp / "m"]


@case(2, r"--method must be one of filters, seqlets, not 'modisco'")
def motifs_method_unknown(ws, tmp):
    return ["motifs", "--model", ws.run, "--fasta", ws.pos, "--method", "modisco",
            "--out", tmp / "m"]  # fmt: skip


@case(2, r"--target FOO: not an output of this run \(it has: ")
def motifs_target_unknown(ws, tmp):
    return ["motifs", "--model", ws.run, "--fasta", ws.pos, "--method", "seqlets",
            "--target", "FOO", "--out", tmp / "m"]  # fmt: skip


@case(0, r"patterns from \d+ seqlets of 2 targets")
def motifs_seqlets_on_a_small_run(ws, tmp):
    return ["motifs", "--model", ws.run, "--fasta", ws.pos, "--fasta", ws.neg, "--method",
            "seqlets", "--sequences", "40", "--out", tmp / "m"]  # fmt: skip


@case(2, r"db.meme")
def motifs_db_garbage(ws, tmp):
    (tmp / "db.meme").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(200)))
    return ["motifs", "--model", ws.run, "--fasta", ws.pos, "--db", tmp / "db.meme",
            "--out", tmp / "m"]  # fmt: skip


@case(0, r"told apart by file name, e.g. 'a.fa:s0'")
def shared_ids_across_class_files(ws, tmp):
    pos, neg = ws.pos.read_text().replace(">p", ">s"), ws.neg.read_text().replace(">n", ">s")
    (tmp / "a.fa").write_text(pos)
    (tmp / "b.fa").write_text(neg)
    return ["train", "--fasta", tmp / "a.fa", "--fasta", tmp / "b.fa", "--epochs", "1",
            "--out", tmp / "run", *TINY[:-1]]  # fmt: skip


@case(0, r"dropped 1 record with missing labels")
def labels_nan_dropped_on_request(ws, tmp):
    (tmp / "nan.tsv").write_text(ws.labels.read_text().replace("p3\t1", "p3\tNaN"))
    return ["train", "--fasta", ws.pos, "--fasta", ws.neg, "--labels", tmp / "nan.tsv",
            "--drop-missing-labels", "--epochs", "1", "--out", tmp / "run", *TINY[:-1]]  # fmt: skip


@case(0, r"^$")
def train_out_existing_run_with_force(ws, tmp):
    run = copy_run(ws, tmp)
    before = (run / "model.safetensors").read_bytes()

    def replaced():
        assert (run / "model.safetensors").read_bytes() != before

    args = train(ws, "--out", run, "--force", "--epochs", "1", "--seed", "1", *TINY)
    return args, replaced


@case(0, r"no checkpoint yet: starting .* again from epoch 1")
def resume_before_the_first_checkpoint(ws, tmp):
    run = copy_run(ws, tmp)
    for name in ("checkpoint.safetensors", "model.safetensors", "metrics.json", "history.csv"):
        (run / name).unlink()
    (run / ".checkpoint.safetensors.x1y2z3w4.tmp").write_bytes(b"half")

    def cleaned():
        assert not list(run.glob(".*.tmp")) and (run / "model.safetensors").is_file()

    return ["train", "--resume", run], cleaned


# --- time series ----------------------------------------------------------------------------


def series_table(tmp: Path, change=None) -> Path:
    rng = np.random.default_rng(1)
    rows = ["id,label," + ",".join(f"t{j}" for j in range(20))]
    for i in range(40):
        values = [f"{v:.3f}" for v in rng.standard_normal(20)]
        label = "up" if i % 2 else "down"
        row = [f"s{i}", label, *values]
        if change:
            row = change(i, row)
        rows.append(",".join(row))
    path = tmp / "series.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


@case(2, r"s3.*inf|inf.*s3")
def series_with_inf(ws, tmp):
    path = series_table(tmp, lambda i, r: r[:2] + ["inf"] + r[3:] if i == 3 else r)
    return ["train", "--series", path, "--target", "label", "--epochs", "1", "--quiet"]


@case(2, r"s4")
def series_all_missing(ws, tmp):
    path = series_table(tmp, lambda i, r: r[:2] + ["NaN"] * 20 if i == 4 else r)
    return ["train", "--series", path, "--target", "label", "--epochs", "1", "--quiet"]


@case(2, r"s5.*--drop-missing-labels")
def series_label_missing(ws, tmp):
    path = series_table(tmp, lambda i, r: [r[0], ""] + r[2:] if i == 5 else r)
    return ["train", "--series", path, "--target", "label", "--epochs", "1", "--quiet"]


@case(2, r"--window must be an integer >= 1")
def series_window_zero(ws, tmp):
    return ["train", "--series", series_table(tmp), "--task", "forecast", "--window", "0"]


@case(2, r"--valid-fraction must be a number")
def series_valid_fraction_too_big(ws, tmp):
    return ["train", "--series", series_table(tmp), "--valid-fraction", "1.5"]


@case(2, r"--levels must be 0 .* or at least 2")
def series_levels_one(ws, tmp):
    return ["train", "--series", series_table(tmp), "--task", "forecast", "--levels", "1",
            "--epochs", "1", "--quiet"]  # fmt: skip


@case(2, r"does not apply to --series")
def dna_option_on_series(ws, tmp):
    return ["train", "--series", series_table(tmp), "--length", "100"]


@case(2, r"missing.csv")
def series_missing_file(ws, tmp):
    return ["train", "--series", tmp / "missing.csv"]


@pytest.mark.parametrize(("build", "code", "pattern", "stdin"), CASES)
def test_bad_input_gets_a_clear_answer(build, code, pattern, stdin, ws, tmp_path):
    built = build(ws, tmp_path)
    args, check = built if isinstance(built, tuple) else (built, None)
    try:
        result = runner.invoke(app, [str(a) for a in args], input=stdin)
    finally:
        if check is not None and check.__name__ == "stop":
            check()
    output = result.output
    assert "internal error" not in output and "Traceback" not in output, output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{output}") from result.exception
    assert result.exit_code == code, output
    assert re.search(pattern, output, re.MULTILINE), output
    if os.environ.get("SEQCONV_CORPUS_LOG"):  # the table of cases and answers in the docs
        lines = [line for line in output.splitlines() if line.strip()] or ["(no output)"]
        answer = next((line for line in lines if line.startswith("error:")), lines[0])
        with open(os.environ["SEQCONV_CORPUS_LOG"], "a") as log:
            log.write(f"{build.__name__}\t{code}\t{answer.replace(str(tmp_path), 'TMP')}\n")
    if check is not None and check.__name__ != "stop":
        check()


def test_the_corpus_is_big_enough():
    assert len(CASES) >= 60


def test_a_closed_pipe_ends_quietly(ws):
    """``seqconv predict ... | head -1``: the reader leaves early; no error, no traceback."""
    command = f"{sys.executable} -m seqconv predict --model {ws.run} --fasta {ws.pos} | head -1"
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("id\t") and len(done.stdout.splitlines()) == 1
    assert done.stderr == "", done.stderr


def test_each_invocation_reads_its_own_standard_input(ws):
    """Standard input is spooled once per stream, not once per process (the library may run
    many commands in one process, as this test runner does)."""
    outputs = []
    for record in (">a\nACGTACGTAAAA\n", ">b\nTTTTGGGGCCCC\n>c\nACGT\n"):
        args = ["predict", "--model", str(ws.run), "--fasta", "-"]
        result = runner.invoke(app, args, input=record)
        assert result.exit_code == 0, result.output
        outputs.append([line.split("\t")[0] for line in result.output.splitlines()[1:]])
    assert outputs == [["a"], ["b", "c"]]
