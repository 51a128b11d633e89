"""``seqconv train --fasta seqs.fa --intervals sites.tsv --task segment``: a label per position.

Reads the sequences and the intervals table (:mod:`seqconv.dna.intervals`), builds a dense model
(``(N, 4, L) -> (N, K, L)``; default ``unet``), trains it with binary cross-entropy per position
and class, positive positions weighted by ``sqrt(negatives / positives)`` (at most 20), and scores
the held-out sequences per position (auPR, auROC) and per interval (recall and precision of the
called intervals at 50 % reciprocal overlap, :mod:`seqconv.core.segments`). Reverse-complement
and shift augmentation move the labels with the bases.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqconv import rundir
from seqconv.core.predict import predict
from seqconv.core.segments import (
    interval_scores,
    per_position,
    shortest_calls,
    unweighted_logits,
)
from seqconv.core.stores import Augment, SegmentCodes
from seqconv.core.tasks import link
from seqconv.dna.fasta import read_fasta_codes
from seqconv.dna.intervals import position_labels, read_intervals
from seqconv.dna.splits import make_split
from seqconv.errors import InputError
from seqconv.models import registry
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.train.loop import FitResult
from seqconv.train.recipes.common import HeldOut, Job, RunContext, fit_settings, train_run
from seqconv.train.recipes.dna import check_receptive_field
from seqconv.train.recipes.lengths import choose_length
from seqconv.train.train_options import TrainOptions

SEGMENT_MODEL = "unet"
MAX_POS_WEIGHT = 20.0


def train_segment(options: TrainOptions, reporter: Reporter | None = None,
                  resume: bool = False) -> Path:  # fmt: skip
    """Train a per-position model; see the module docstring. Returns the run directory."""
    reporter = reporter or Reporter(options.quiet)
    if options.model is None:
        reporter.info("--task segment: the dense model unet (choose with --arch)")
    options = fill(dataclasses.replace(options, task="segment"), "dna-segment")
    return train_run(options, lambda ctx: prepare(options, ctx), reporter, resume)


def pos_weights(labels: np.ndarray) -> list[float]:
    """Per class, ``sqrt(negative / positive positions)``, between 1 and :data:`MAX_POS_WEIGHT`
    (the logits are shifted back by ``log(weight)`` when read, so probabilities stay
    calibrated: :func:`seqconv.core.segments.unweighted_logits`)."""
    positives = labels.sum(axis=(0, 2)).astype(float)
    total = labels.shape[0] * labels.shape[2]
    ratio = (total - positives) / np.maximum(positives, 1.0)
    return np.clip(np.sqrt(ratio), 1.0, MAX_POS_WEIGHT).round(3).tolist()


def _check_dense(options: TrainOptions) -> None:
    if not registry.builds_dense(options.model, **options.model_options):
        raise InputError(
            f"--arch {options.model} predicts one label per sequence; --task segment needs a "
            f"model with a label per position, e.g. unet or dilated_seg"
        )


def prepare(options: TrainOptions, ctx: RunContext) -> Job:
    """Read sequences and intervals, split, build the dense model; describe the run."""
    device, reporter = ctx.device, ctx.reporter
    if len(options.fasta) != 1 or options.bed:
        raise InputError("--task segment takes one --fasta file and its --intervals table")
    _check_dense(options)
    fasta = options.fasta[0]
    length = options.length or choose_length(options.fasta, reporter)
    data = read_fasta_codes(fasta, length, options.align)
    table = read_intervals(options.intervals)
    labels, names, notes = position_labels(table, data.ids, data.lengths, length, options.align,
                                           str(options.intervals))  # fmt: skip
    for note in notes:
        reporter.info(note)
    split = make_split(data.ids, None, options.valid_chroms, options.test_chroms,
                       seed=options.seed)  # fmt: skip
    weights = pos_weights(labels[split.indices("train")])
    shortest = shortest_calls(labels[split.indices("train")])
    counts = split.counts()
    covered = labels.mean(axis=(0, 2))
    reporter.info(
        f"{len(data.ids):,} sequences of {length} bp, {len(table):,} intervals of "
        f"{len(names)} class(es) ({', '.join(f'{n} {c:.1%} of positions' for n, c in zip(names, covered, strict=True))}); "  # noqa: E501
        f"split {split.method}: train {counts['train']:,}, validation {counts['valid']:,}, "
        f"test {counts['test']:,}"
    )
    kwargs = dict(options.model_options) | {"in_channels": 4, "n_outputs": len(names)}
    model = registry.build(options.model, **kwargs).to(device)
    rf = check_receptive_field(model, length, reporter)
    inputs = SegmentCodes(data.codes, labels, device,
                          Augment(options.reverse_complement, options.max_shift))  # fmt: skip
    settings = dataclasses.replace(fit_settings(options), pos_weight=weights)
    targets = torch.as_tensor(labels, dtype=torch.float32)

    def outputs_of(rows: np.ndarray) -> torch.Tensor:
        return predict(model, inputs, rows, 64, options.reverse_complement, options.precision)

    def held_out(_: FitResult) -> HeldOut:
        test = split.indices("test")
        probs = corrected_probabilities(outputs_of(test), weights)
        keep = data.codes[test] != 15  # padding is not a position of the sequence
        return segment_held_out(labels[test], probs, keep, names, shortest, "test", "positions",
                                "test sequences", reporter)  # fmt: skip

    config = {
        "model": model.build_config,
        "input": {"kind": "dna", "length": length, "align": options.align, "channels": "ACGT"},
        "task": "segment",
        "target_names": names,
        "target_scaler": None,
        "segment": {"pos_weight": weights, "min_length": shortest},
        "data": {
            "fasta": [rundir.file_record(fasta)],
            "intervals": rundir.file_record(options.intervals),
            "records": len(data.ids),
            "intervals_count": len(table),
        },
        "split": {**split.describe(), "file": rundir.SPLIT},
        "receptive_field": rf,
        "train": dataclasses.asdict(settings)
        | {"reverse_complement": options.reverse_complement, "max_shift": options.max_shift},
    }
    return Job(
        options=options,
        model=model,
        inputs=inputs,
        targets=targets,
        task="segment",
        train_index=split.indices("train"),
        valid_index=split.indices("valid"),
        settings=settings,
        target_names=names,
        config=config,
        split=pd.DataFrame({"id": data.ids, "split": split.assignment, "source": str(fasta)}),
        held_out=held_out,
    )


def segment_held_out(
    truth: np.ndarray,
    probs: np.ndarray,
    keep: np.ndarray,
    names: list[str],
    shortest: list[int],
    split: str,
    unit: str,
    rows: str,
    reporter: Reporter,
) -> HeldOut:
    """Held-out scores of a segment run: per position (``keep``: ``(N, L)`` positions that are
    part of a sequence) as multi-label metrics, per interval as extra summary values (announced).

    ``truth`` and ``probs`` are ``(N, K, L)``; ``rows`` names the scored rows in the message.
    """
    flat_truth, flat_probs = per_position(truth, probs, keep)
    extra = interval_scores(truth, probs, min_length=shortest)
    reporter.info(
        f"intervals on {rows}: recall {extra['interval_recall']:.3f}, precision "
        f"{extra['interval_precision']:.3f} ({extra['true_intervals']} true, "
        f"{extra['called_intervals']} called)"
    )
    return HeldOut("multilabel", flat_truth, flat_probs, names, split, extra=extra, unit=unit)


def corrected_probabilities(outputs: torch.Tensor, weights: list[float]) -> np.ndarray:
    """``(N, K, L)`` logits trained with positive weights -> probabilities (see
    :func:`seqconv.core.segments.unweighted_logits`)."""
    return link("segment", unweighted_logits(outputs, weights)).numpy()
