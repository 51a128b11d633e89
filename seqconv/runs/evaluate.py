"""Evaluate a trained run on labelled sequences (FASTA, or peaks on a genome labelled as in
training): metrics with bootstrap 95 % intervals."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from seqconv.core.metrics import compute_metrics
from seqconv.dna.genome_labels import GenomeOptions
from seqconv.dna.labeled import LabeledSequences
from seqconv.dna.labels import load_labeled
from seqconv.errors import InputError
from seqconv.runs.run import Run


def evaluate(
    run: Run,
    fasta: Sequence[str | Path],
    labels: str | Path | None = None,
    negatives: str | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> dict:
    """Metrics of a run's predictions on labelled FASTA data.

    Parameters
    ----------
    run
        A loaded run (:func:`seqconv.load`).
    fasta, labels, negatives
        As for training (:func:`seqconv.dna.labels.load_labeled`); the labels are mapped onto the
        run's classes or targets, and data of a single class is accepted. Class files that reuse
        ids are read as in training: different sequences told apart by file name, the same
        sequence one record of several classes (for a multilabel run only).
    n_bootstrap
        Resamples for the 95 % intervals.

    Returns
    -------
    dict
        See :func:`seqconv.core.metrics.compute_metrics`, plus ``files``.
    """
    with tempfile.TemporaryDirectory(prefix="seqconv-evaluate-") as folder:
        # the sequences go into a folder and are mapped from there: memory stays that of a
        # block of the files, whatever their size
        data = load_labeled(
            fasta,
            labels=labels,
            negatives=negatives,
            length=run.length,
            align=run.align,  # type: ignore[arg-type]
            task=run.task if run.task in ("multilabel", "regression") else None,
            seed=seed,
            classes=None if run.task == "regression" else run.target_names,
            into=Path(folder),
        )
        metrics = score(run, data, n_bootstrap, seed)
        del data
    metrics["files"] = [str(p) for p in fasta] + ([str(labels)] if labels else [])
    return metrics


def evaluate_bed(
    run: Run, options: GenomeOptions, n_bootstrap: int = 1000, seed: int = 0,
    notes: list[str] | None = None,
) -> dict:  # fmt: skip
    """Metrics of a run on peaks on a genome, labelled as in training from peaks
    (:func:`seqconv.dna.genome_labels.load_bed_labeled` with the run's classes).

    Parameters
    ----------
    options
        The peaks, genome and label form; ``length`` and ``classes`` are set from the run.
    notes
        Where what the labelling skipped or drew goes.

    Returns
    -------
    dict
        See :func:`seqconv.core.metrics.compute_metrics`, plus ``files``.
    """
    from seqconv.dna.genome_labels import load_bed_labeled

    options = replace(
        options,
        length=run.length,
        classes=None if run.task == "regression" and not options.bigwig else run.target_names,
        task=run.task if run.task in ("multilabel", "regression") else None,
    )
    loaded = load_bed_labeled(options)
    if notes is not None:
        notes.extend(loaded.data.notes)
    metrics = score(run, loaded.data, n_bootstrap, seed)
    metrics["files"] = [str(p) for p in options.bed] + [str(options.genome)]
    if loaded.background is not None:
        metrics["negatives"] = loaded.background.summary()
    return metrics


def score(run: Run, data: LabeledSequences, n_bootstrap: int, seed: int) -> dict:
    """Metrics of ``run``'s predictions for labelled sequences (labels on the run's classes)."""
    if run.task in ("binary", "multiclass") and data.task == "multilabel":
        shared = [i for i, s in zip(data.ids, data.sources, strict=True) if "," in s]
        if not shared:
            raise InputError(
                f"the labels are multi-label (some windows have several classes), but the model "
                f"predicts one class per sequence ({run.task}); keep each window in one file"
            )
        raise InputError(
            f"{len(shared)} records are in several class files with the same id and sequence "
            f"(e.g. {shared[0]!r} in {data.sources[list(data.ids).index(shared[0])]}), but the "
            f"model predicts one class per sequence ({run.task}); keep each in one file"
        )
    predictions = run.predict_codes(data.codes, progress="scoring")
    if data.targets.ndim == 2 and data.targets.shape[1] != predictions.shape[1]:
        raise InputError(
            f"the labels have {data.targets.shape[1]} targets but the model predicts "
            f"{predictions.shape[1]} ({', '.join(run.target_names)})"
        )
    return compute_metrics(
        run.task, data.targets, predictions, run.target_names, n_bootstrap=n_bootstrap, seed=seed
    )
