"""The labelled sequences of ``seqconv train --fasta``, read once into a store on disk.

The store (:mod:`seqconv.dna.store`) goes into the run directory (``store/``), or into ``--store
DIR`` under a key of its inputs, where later runs on the same files and options find it. One
process builds it (under ``torchrun``, the first); every process then maps the same files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from seqconv import rundir
from seqconv.dna.fasta import fasta_lengths
from seqconv.dna.labels import LabeledSequences, load_labeled
from seqconv.dna.store import labeled_store, open_store, store_bytes, store_key
from seqconv.errors import InputError
from seqconv.train.recipes.common import RunContext, on_main
from seqconv.train.recipes.lengths import choose_length
from seqconv.train.train_options import TrainOptions


def fasta_data(
    options: TrainOptions,
    ctx: RunContext,
    plan: Callable[[int, int, Path | None, int], str] | None = None,
) -> tuple[LabeledSequences, int]:
    """The sequences and labels of ``options.fasta``, and the length they are padded or trimmed
    to; in memory when the run has no folder yet (a recipe called from Python without one).

    ``plan(records, length, store_folder, store_bytes)`` says what the run needs (and refuses
    what cannot fit: :func:`seqconv.train.preflight.check_fit`) once the records are counted,
    before they are encoded.
    """
    lengths = np.concatenate([fasta_lengths(p) for p in options.fasta])
    length = options.length or choose_length(options.fasta, ctx.reporter, lengths)
    n_records = len(lengths)
    if len(options.fasta) == 1 and not options.labels:
        negatives = options.negatives_used
        if negatives == "shuffle":
            n_records *= 2
        elif negatives not in ("none", "genome"):
            n_records += len(fasta_lengths(negatives))

    def read(into: Path | None) -> LabeledSequences:
        return load_labeled(
            options.fasta,
            labels=options.labels,
            negatives=options.negatives_used,
            length=length,
            align=options.align,  # type: ignore[arg-type]
            task=options.task,
            seed=options.seed,
            drop_missing_labels=options.drop_missing_labels,
            into=into,
        )

    if ctx.out is None and options.store is None:
        if plan is not None:
            ctx.reporter.info(plan(n_records, length, None, 0))
        return read(None), length
    key = store_key(_what_makes_it(options, length))
    folder = Path(options.store) / key[:16] if options.store else ctx.out / rundir.STORE
    if plan is not None:
        made = open_store(folder, key) is not None
        ctx.reporter.info(
            plan(n_records, length, folder, 0 if made else store_bytes(n_records, length))
        )
    on_main(ctx.dist, lambda: labeled_store(folder, key, read, ctx.reporter.info) and None)
    data = open_store(folder, key)
    if data is None:
        raise InputError(f"{folder}: the store of encoded sequences cannot be read")
    return data, length


def _what_makes_it(options: TrainOptions, length: int) -> dict:
    """The inputs and options a store depends on (files by their SHA-256)."""
    negatives = options.negatives_used
    if negatives not in ("shuffle", "none", "genome"):
        negatives = rundir.file_record(negatives)["sha256"]
    return {
        "fasta": [rundir.file_record(p)["sha256"] for p in options.fasta],
        "labels": rundir.file_record(options.labels)["sha256"] if options.labels else None,
        "negatives": negatives,
        "length": length,
        "align": options.align,
        "task": options.task,
        "seed": options.seed,
        "drop_missing_labels": options.drop_missing_labels,
    }
