"""``seqconv train --series steps.csv --task segment --target event``: a label per time step.

The table has a row per time step, an ``id`` column per series, the 0/1 label column(s) named by
``--target`` and a numeric column per input channel (:mod:`seqconv.series.step_labels`). As for
DNA (:mod:`seqconv.train.recipes.segment`): a dense model ``(N, C, L) -> (N, K, L)``, binary
cross-entropy per step and class with positive steps weighted by ``sqrt(negatives /
positives)`` (at most 20), and held-out series scored per step (auPR, auROC) and per interval
(recall and precision of called intervals at 50 % reciprocal overlap,
:mod:`seqconv.core.segments`).

The default model is ``dilated_seg``: its layers keep the length (stride 1, dilated
convolutions), so series of unequal length are padded after their end and masked
(:mod:`seqconv.models.masking`) and each series' output equals its output run alone, and it takes
any length; ``unet`` halves the length in its trunk, which masks cannot follow (refused with a
message). Padded steps are
labelled 0 and left out of the held-out scores. Series are z-normalised one by one, missing
values interpolated; 20 % of the series validate (every step is a validation row, so even a few
dozen series give a steady validation loss).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import torch

from seqconv import rundir
from seqconv.core.predict import predict
from seqconv.core.segments import shortest_calls
from seqconv.core.series_stores import SegmentSeries
from seqconv.dna.splits import random_split
from seqconv.errors import InputError, SeqconvError
from seqconv.models import registry
from seqconv.models.masking import enable_masks
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.series.normalize import Normalizer, encode_values
from seqconv.series.step_labels import read_step_labels
from seqconv.train.loop import FitResult
from seqconv.train.recipes.common import HeldOut, Job, fit_settings
from seqconv.train.recipes.segment import (
    corrected_probabilities,
    pos_weights,
    segment_held_out,
)
from seqconv.train.recipes.series_options import (
    build_series_model,
    check_series_options,
    data_summary,
    input_config,
)
from seqconv.train.train_options import TrainOptions

SEGMENT_MODEL = "dilated_seg"
NEEDS_TARGET = (
    "--task segment on series needs --target COLUMN[,COLUMN]: the per-step 0/1 label column(s) "
    "of a table with a row per time step and an id column per series"
)


def prepare(options: TrainOptions, device: torch.device, reporter: Reporter) -> Job:
    """Read the series and their step labels, split, build the dense model; describe the run."""
    if not options.target:
        raise InputError(NEEDS_TARGET)
    data, labels, names = read_step_labels(options.series, options.target)
    for note in data.notes:
        reporter.info(note)
    if len(data) == 0:
        raise InputError(f"{options.series}: no series")
    o = fill(options, "series-segment")
    check_series_options(o)
    if not registry.builds_dense(o.model, **(o.model_options | {"in_channels": data.n_channels})):
        raise InputError(
            f"--arch {o.model} predicts one label per series; --task segment needs a model with "
            "a label per step and layers that keep the length, e.g. dilated_seg"
        )
    groups = [str(i) for i in range(len(data))]
    assignment = random_split(groups, None, o.valid_fraction, o.test_fraction, o.seed).assignment
    train_idx, valid_idx = (np.flatnonzero(assignment == s) for s in ("train", "valid"))
    if len(valid_idx) == 0:
        raise InputError(
            f"{data.source}: {len(data)} series leave none for validation; add series or raise "
            "--valid-fraction"
        )
    o = fill(o, "series-segment", n_train=len(train_idx))
    mask = data.mask()
    weights = pos_weights(labels[train_idx])
    shortest = shortest_calls(labels[train_idx])
    model = build_series_model(o.model, o.model_options, data.n_channels, len(names), "segment")
    try:
        enable_masks(model)
    except SeqconvError as exc:
        raise InputError(
            f"--arch {o.model} changes the length inside (pooling), which the masks of padded "
            "series cannot follow; use --arch dilated_seg (the default)"
        ) from exc
    model = model.to(device)
    if o.normalize == "channel":
        normalizer = Normalizer.fit(data.values[train_idx], "channel", channels=data.channels)
    else:
        normalizer = Normalizer(o.normalize, channels=list(data.channels))
    encoded = encode_values(data.values, data.lengths, normalizer, o.missing, None, "right",
                            data.ids, data.source)  # fmt: skip
    if encoded.missing.total:
        reporter.info(encoded.missing.describe(data.channels))
    inputs = SegmentSeries(encoded.x, encoded.mask, labels, device)
    counts = {s: int((assignment == s).sum()) for s in ("train", "valid", "test")}
    covered = labels.sum(axis=(0, 2)) / max(int(mask.sum()), 1)
    reporter.info(
        f"{len(data):,} series of {data.n_channels} channel(s), "
        f"{int(data.lengths.min())}-{int(data.lengths.max())} steps, labels "
        f"{', '.join(f'{n} {c:.1%} of steps' for n, c in zip(names, covered, strict=True))}; "
        f"model {o.model}; split train {counts['train']}, validation {counts['valid']}, "
        f"test {counts['test']}"
    )
    o = dataclasses.replace(o, task="segment")
    settings = dataclasses.replace(fit_settings(o), pos_weight=weights)

    def outputs_of(rows: np.ndarray) -> torch.Tensor:
        return predict(model, inputs, rows, 256, False, o.precision)

    def held_out(_: FitResult) -> HeldOut:
        held = "test" if counts["test"] else "valid"
        rows = np.flatnonzero(assignment == held)
        keep = mask[rows]
        probs = corrected_probabilities(outputs_of(rows), weights) * keep[:, None, :]
        return segment_held_out(labels[rows], probs, keep, names, shortest, held, "steps",
                                f"{held} series", reporter)  # fmt: skip

    config = {
        "model": model.build_config,
        "input": input_config(data, normalizer, o.missing, "right", True, int(data.max_length)),
        "task": "segment",
        "target_names": names,
        "target_scaler": None,
        "segment": {"pos_weight": weights, "min_length": shortest},
        "data": data_summary(o, data) | {"label_columns": names, "layout": "steps"},
        "split": {
            "method": "random",
            **counts,
            "monitor": "validation loss",
            "file": rundir.SPLIT,
        },  # fmt: skip
        "train": dataclasses.asdict(settings),
    }
    return Job(
        options=o,
        model=model,
        inputs=inputs,
        targets=torch.as_tensor(labels, dtype=torch.float32),
        task="segment",
        train_index=train_idx,
        valid_index=valid_idx,
        settings=settings,
        target_names=names,
        config=config,
        split=pd.DataFrame({"id": data.ids, "split": assignment}),
        held_out=held_out,
    )
