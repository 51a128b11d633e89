"""From FASTA files to a complete run directory: the job behind ``seqconv train --fasta``.

Reads and labels the sequences, splits them, builds the model, trains it, and writes the run
directory: ``config.json``, ``model.safetensors``, ``checkpoint.safetensors``, ``history.csv``,
``split.tsv``, ``metrics.json`` and plots.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np
import torch

from seqconv import rundir
from seqconv.core.predict import predict
from seqconv.core.stores import Augment, CodesTensor, read_ahead, scored_rows
from seqconv.core.tasks import (
    TargetScaler,
    build_for_task,
    is_classification,
    link,
    target_tensor,
)
from seqconv.dna.labels import LabeledSequences
from seqconv.dna.splits import Split, check_class_sizes, make_split, split_rows
from seqconv.errors import InputError, SeqconvError
from seqconv.models.probe import check_input_length
from seqconv.models.protocol import is_dense
from seqconv.option_table import fill
from seqconv.progress import Reporter
from seqconv.rf.receptive_field import receptive_field
from seqconv.train.loop import FitResult, FitSettings
from seqconv.train.preflight import check_fit
from seqconv.train.recipes.common import HeldOut, Job, RunContext, fit_settings, train_run
from seqconv.train.recipes.fasta_data import fasta_data
from seqconv.train.recipes.genome import (
    genome_config,
    load_genome_data,
    record_bed_files,
    write_gc_files,
)
from seqconv.train.train_options import TrainOptions, profile_of


def build_model(options: TrainOptions, n_outputs: int, task: str) -> torch.nn.Module:
    """The zoo model for ``options`` with the right input and output sizes."""
    kwargs = dict(options.model_options)
    kwargs.update(in_channels=4, n_outputs=n_outputs)
    model = build_for_task(options.model, task, **kwargs)
    if is_dense(model):
        raise InputError(
            f"--arch {options.model} predicts a label per position; for one label per sequence "
            "choose another model (seqconv models), or train it with --task segment --intervals"
        )
    return model


def check_receptive_field(model: torch.nn.Module, length: int, reporter: Reporter) -> dict:
    """Warn when the model sees more than the input; return size and jump for the config."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rf = receptive_field(model, input_length=length)
    except SeqconvError as exc:
        reporter.info(f"[yellow]note:[/] receptive field not computed ({exc})")
        return {}
    if rf.size > length:
        reporter.info(
            f"[yellow]warning:[/] the model's receptive field ({rf.size} bp) exceeds the input "
            f"length ({length} bp): its outer layers see mostly padding; use a longer --length or "
            "a smaller model"
        )
    return {"size": int(rf.size), "jump": float(rf.jump)}


def train(options: TrainOptions, reporter: Reporter | None = None, resume: bool = False) -> Path:
    """Train a model on FASTA data and write a run directory.

    Parameters
    ----------
    options
        See :class:`~seqconv.train.train_options.TrainOptions` (task defaults are filled in).
    reporter
        Where progress goes (``Reporter(quiet=True)`` for none).
    resume
        Continue the interrupted run in ``options.out`` from its last checkpoint.

    Returns
    -------
    Path
        The run directory.
    """
    options = fill(options, profile_of(options))
    return train_run(options, lambda ctx: prepare(options, ctx), reporter, resume)


def prepare(options: TrainOptions, ctx: RunContext) -> Job:
    """Read, label and split the sequences (into a store in the run directory, when there is
    one); build the model; describe the run."""
    device, reporter = ctx.device, ctx.reporter
    genome_data = None
    if options.bed:
        genome_data = load_genome_data(options, reporter)
        data, length = genome_data.data, genome_data.data.codes.shape[1]
    else:
        data, length = fasta_data(options, ctx, lambda *plan: _preflight(options, ctx, *plan))
    for note in data.notes:
        reporter.info(note)
    strata = data.targets if is_classification(data.task) else None
    if strata is not None:
        check_class_sizes(data.groups, strata, data.target_names)
    split = make_split(
        data.groups, strata, options.valid_chroms, options.test_chroms, seed=options.seed
    )
    for note in _check_split(split, data):
        reporter.info(note)
    counts = split.counts()
    reporter.info(
        f"{len(data):,} sequences of {length} bp, task {data.task} "
        f"({', '.join(data.target_names[:8])}{'…' if data.n_outputs > 8 else ''}); split "
        f"{split.method}: train {counts['train']:,}, validation {counts['valid']:,}, "
        f"test {counts['test']:,}"
    )
    scaler = None
    targets = data.targets
    if data.task == "regression":
        scaler = TargetScaler.fit(targets[split.indices("train")])
        targets = scaler.scale(targets)

    model = build_model(options, data.n_outputs, data.task).to(device)
    check_input_length(model, 4, length, fix="pad them with --length {n}")
    rf = check_receptive_field(model, length, reporter)
    inputs = CodesTensor(data.codes, device, Augment(options.reverse_complement, options.max_shift))
    settings = fit_settings(options)
    settings.block_shuffle = not read_ahead(data.codes, reporter.info)

    def outputs_of(rows: np.ndarray) -> torch.Tensor:
        return predict(model, inputs, rows, 512, options.reverse_complement, options.precision,
                       progress="scoring held-out sequences")  # fmt: skip

    def held_out(_: FitResult) -> HeldOut:
        test = scored_rows(split.indices("test"), options.seed, "test metrics", reporter.info)
        outputs = outputs_of(test)
        predictions = link(data.task, outputs).numpy()
        if scaler is not None:
            predictions = scaler.unscale(predictions)
        return HeldOut(data.task, data.targets[test], predictions, data.target_names, "test",
                       outputs=outputs)  # fmt: skip

    return Job(
        options=options,
        model=model,
        inputs=inputs,
        targets=target_tensor(data.task, targets),
        task=data.task,
        train_index=split.indices("train"),
        valid_index=split.indices("valid"),
        settings=settings,
        target_names=data.target_names,
        config=run_config(options, data, split, length, rf, model, scaler, settings)
        | genome_config(genome_data),
        split=split_rows(data.ids, split, data.sources),
        held_out=held_out,
        outputs=outputs_of,
        write_files=(lambda out: write_gc_files(genome_data, out)) if genome_data else None,
    )


def _preflight(
    options: TrainOptions, ctx: RunContext, n_records: int, length: int, store: Path | None,
    store_bytes: int,
) -> str:  # fmt: skip
    """What the run needs (a model of the run's kind stands in for the one the labels decide)."""
    stand_in = build_for_task(options.model, "multiclass", **(dict(options.model_options)
                              | {"in_channels": 4, "n_outputs": 2}))  # fmt: skip
    return check_fit(stand_in, 4, length, options.batch_size, n_records, ctx.device, store,
                     store_bytes)  # fmt: skip


def run_config(
    options: TrainOptions,
    data: LabeledSequences,
    split: Split,
    length: int,
    rf: dict,
    model: torch.nn.Module,
    scaler: TargetScaler | None,
    settings: FitSettings,
) -> dict:
    """The DNA part of ``config.json``: model, encoding, task, data files, split, training."""
    return {
        "model": model.build_config,
        "input": {"kind": "dna", "length": length, "align": options.align, "channels": "ACGT"},
        "task": data.task,
        "target_names": data.target_names,
        "target_scaler": scaler.to_dict() if scaler else None,
        "data": {
            "fasta": [rundir.file_record(p) for p in options.fasta],
            **record_bed_files(options),
            "labels": rundir.file_record(options.labels) if options.labels else None,
            "negatives": (
                options.negatives_used if len(options.fasta or options.bed) == 1 else None
            ),
            "negatives_file": (
                rundir.file_record(options.negatives)
                if options.negatives not in (None, "shuffle", "none", "genome")
                else None
            ),
            "records": len(data),
            "class_counts": data.class_counts(),
        },
        "split": {**split.describe(), "file": rundir.SPLIT},
        "receptive_field": rf,
        "train": dataclasses.asdict(settings)
        | {"reverse_complement": options.reverse_complement, "max_shift": options.max_shift},
    }


def _check_split(split: Split, data: LabeledSequences) -> list[str]:
    """Refuse a split that cannot train or validate; return notes on classes it leaves out."""
    counts = split.counts()
    empty = [name for name, n in counts.items() if n == 0]
    if empty:
        raise InputError(
            f"the {' and '.join(empty)} split is empty ({counts}); add sequences or choose "
            "--valid-chroms/--test-chroms that occur in the ids"
        )
    if data.task not in ("binary", "multiclass", "multilabel"):
        return []
    train = split.indices("train")
    everywhere = np.asarray(list(data.class_counts().values()))
    if data.task == "multilabel":
        in_train = data.targets[train].sum(axis=0)
    else:
        in_train = np.bincount(data.targets[train], minlength=data.n_outputs)
    names = np.asarray(data.target_names, dtype=object)
    absent = names[(in_train == 0) & (everywhere > 0)].tolist()
    if data.task != "multilabel" and np.count_nonzero(in_train) < 2:
        only = names[in_train > 0].tolist()
        raise InputError(
            f"the training split ({counts['train']} sequences) holds only class "
            f"{only[0] if only else '?'!r}; the sequences of {', '.join(map(repr, absent[:5]))} "
            f"all fell in validation or test ({split.method} split): add sequences of those "
            "classes (at least 10 each, for one in every split)"
            + (
                " or choose other --valid-chroms/--test-chroms"
                if split.method == "chromosome"
                else ""
            )
        )
    if data.task != "multilabel" and split.method == "chromosome":
        for held in ("valid", "test"):  # one class held out: auROC undefined, nothing validated
            present = np.unique(data.targets[split.indices(held)])
            if len(present) < 2:
                raise InputError(
                    f"the {'validation' if held == 'valid' else held} split ({counts[held]:,} "
                    f"sequence(s) on its chromosomes) holds only class "
                    f"{names[present[0]] if len(present) else '?'!r}: its scores would be "
                    f"undefined; add sequences of every class on those chromosomes, or choose "
                    f"--{'valid' if held == 'valid' else 'test'}-chroms where they are"
                )
    if not absent:
        return []
    return [
        f"[yellow]note:[/] {len(absent)} of {data.n_outputs} classes have no training sequence "
        f"({', '.join(map(repr, absent[:5]))}{', …' if len(absent) > 5 else ''}): the model "
        "cannot learn them; give each class at least 10 sequences"
    ]
