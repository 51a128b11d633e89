"""Options that several commands share, declared once (:class:`seqconv.option_table.Spec`) and so
spelled and explained the same way everywhere.

One name per concept: ``--run``/``-r`` is a run directory, ``--arch``/``-a`` an architecture.
The names of earlier versions (``--model``/``-m`` for both) still work as hidden aliases.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from seqconv.option_table import Spec
from seqconv.validation import Rule

SHUFFLED = "shuffled"
"""The class of dinucleotide-shuffled negatives (``seqconv.dna.labels.SHUFFLED_CLASS``, not
imported here: that module loads torch)."""

PATH = Rule(str, optional=True)
"""A file or folder path given on the command line (checked where it is opened)."""

RUN = Spec(
    "Run directory from seqconv train (required).",
    PATH, flags=("--run", "-r"), old_flags=("--model", "-m"), metavar="DIR", cli=Path,
    required="give the run directory: --run DIR (the folder seqconv train wrote)",
)  # fmt: skip
DEVICE = Spec(
    "auto (a GPU if there is one), cpu, cuda or cuda:N.",
    Rule(str), default="auto", metavar="DEVICE",
)  # fmt: skip
THREADS = Spec(
    "CPU threads (default: the free cores, at most 8).",
    Rule(int, 1, 4096, optional=True), metavar="N", cli=int,
)  # fmt: skip
GENOME = Spec("Reference genome for --bed (plain or bgzip FASTA).", PATH, metavar="FASTA", cli=Path)
BED = Spec(
    "Instead of --fasta: BED/narrowPeak regions on --genome (windows of the model's length "
    "centred on each).",
    PATH, flags=("--bed",), metavar="FILE", cli=Path,
)  # fmt: skip
FASTA = Spec("FASTA/FASTQ of sequences.", PATH, flags=("--fasta", "-f"), metavar="FILE", cli=Path)
OUT_TABLE = Spec(
    "Output TSV (default, or '-': standard output).",
    PATH, flags=("--out", "-o"), metavar="FILE", cli=Path,
)  # fmt: skip
SEED = Spec("Seed.", Rule(int, 0, 2**32 - 1), default=0, metavar="N", cli=int)
HEAD = Spec(
    "Profile runs: explain the counts head (log total counts; the default) or the profile head "
    "(softmax-weighted, mean-centred logits, as BPNet); their outputs are the run's tracks and "
    "'total' (every track together).",
    Rule(str, choices=("counts", "profile"), optional=True), metavar="HEAD",
)  # fmt: skip
RUNS_ON = {"device": DEVICE, "threads": THREADS}
"""What every command that computes takes last."""


def batch_size(default: int, help: str) -> Spec:
    """``--batch-size``: rows per forward pass."""
    return Spec(help, Rule(int, low=1), default=default, metavar="N", cli=int)


def out_folder(default: str) -> Spec:
    """``--out``: the folder a command writes its files into."""
    return Spec(f"Output folder (default: {default}).", PATH, flags=("--out", "-o"),
                metavar="DIR", cli=Path)  # fmt: skip


def with_help(spec: Spec, help: str, **changes: object) -> Spec:
    """``spec`` explained for one command (same flags, rule and placeholder)."""
    return dataclasses.replace(spec, help=help, **changes)


def start_threads(threads: int | None) -> None:
    """Set torch's CPU threads (``None``: the default policy of :mod:`seqconv.threads`)."""
    from seqconv.threads import set_threads

    set_threads(threads)


def shuffled_negatives_run(run_dir: Path) -> list[str] | None:
    """The other classes of a run trained on one file against its dinucleotide-shuffled copies
    (``negatives: shuffle`` in its config.json and a ``shuffled`` class), else None."""
    from seqconv.rundir import read_config

    config = read_config(run_dir)
    data = config.get("data")
    negatives = data.get("negatives") if isinstance(data, dict) else None
    names = config.get("target_names")
    if negatives != "shuffle" or not isinstance(names, list) or SHUFFLED not in names:
        return None
    return [str(n) for n in names if n != SHUFFLED]
