"""Options that several commands share, spelled and explained the same way everywhere.

One name per concept: ``--run``/``-r`` is a run directory, ``--arch``/``-a`` an architecture.
The names of earlier versions (``--model``/``-m`` for both) still work as hidden aliases.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import typer

from seqconv.errors import InputError

T = TypeVar("T")

SHUFFLED = "shuffled"
"""The class of dinucleotide-shuffled negatives (``seqconv.dna.labels.SHUFFLED_CLASS``, not
imported here: that module loads torch)."""
DEVICE_HELP = "auto (a GPU if there is one), cpu, cuda or cuda:N."
THREADS_HELP = "CPU threads (default: the free cores, at most 8)."


def run_option(help: str = "Run directory from seqconv train (required).") -> Any:
    """``--run``/``-r``: a run directory, checked by :func:`require_run` rather than by click, so
    that the hidden alias can stand in for it."""
    return typer.Option(None, "--run", "-r", metavar="DIR", help=help, show_default=False)


def run_alias() -> Any:
    """``--model``/``-m``, the old name of ``--run`` (hidden)."""
    return typer.Option(None, "--model", "-m", metavar="DIR", hidden=True)


GENOME_FOR_BED = "Reference genome for --bed (plain or bgzip FASTA)."
BED_INSTEAD_OF_FASTA = (
    "Instead of --fasta: BED/narrowPeak regions on --genome (windows of the model's length "
    "centred on each)."
)


def genome_option(help: str = GENOME_FOR_BED) -> Any:
    """``--genome``: the reference FASTA that ``--bed`` regions are on."""
    return typer.Option(None, metavar="FASTA", help=help)


def bed_option(help: str = BED_INSTEAD_OF_FASTA) -> Any:
    """``--bed``: regions on ``--genome`` to read sequences from."""
    return typer.Option(None, "--bed", metavar="FILE", help=help)


def arch_alias() -> Any:
    """``--model``/``-m``, the old name of ``--arch`` in ``seqconv train`` (hidden)."""
    return typer.Option(None, "--model", "-m", metavar="NAME", hidden=True)


def device_option() -> Any:
    return typer.Option("auto", metavar="DEVICE", help=DEVICE_HELP)


def threads_option() -> Any:
    return typer.Option(None, metavar="N", help=THREADS_HELP, show_default=False)


def pick(value: T | None, alias: T | None, name: str, old: str = "--model") -> T | None:
    """The value of option ``name`` or of its old spelling ``old``; both given is an error."""
    if value is not None and alias is not None:
        raise InputError(f"{old} is the old name of {name}; give only {name}")
    return value if value is not None else alias


def require_run(run: Path | None, alias: Path | None) -> Path:
    """The run directory from ``--run`` (or ``--model``), which the command needs."""
    chosen = pick(run, alias, "--run")
    if chosen is None:
        raise InputError("give the run directory: --run DIR (the folder seqconv train wrote)")
    return chosen


def start_threads(threads: int | None) -> None:
    """Set torch's CPU threads (``None``: the default policy of :mod:`seqconv.threads`)."""
    from seqconv.threads import set_threads

    set_threads(threads)


def shuffled_negatives_run(run_dir: Path) -> list[str] | None:
    """The other classes of a run trained on one file against its dinucleotide-shuffled copies
    (``negatives: shuffle`` in its config.json and a ``shuffled`` class), else None."""
    from seqconv.runs.rundir import read_config

    config = read_config(run_dir)
    data = config.get("data")
    negatives = data.get("negatives") if isinstance(data, dict) else None
    names = config.get("target_names")
    if negatives != "shuffle" or not isinstance(names, list) or SHUFFLED not in names:
        return None
    return [str(n) for n in names if n != SHUFFLED]
