"""The one skeleton every training recipe runs on.

A recipe (DNA, labelled series, forecasting) only *prepares* a :class:`Job`: data, model, inputs,
targets, split and the task-specific part of ``config.json``. :func:`train_run` does the rest the
same way for all of them: processes and devices (``torchrun`` included), the run directory
(through :mod:`seqconv.rundir`, its one owner), training with resume, held-out metrics,
plots and the closing summary.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqconv import rundir
from seqconv.core.predict import resolved_precision
from seqconv.core.stores import InputStore, scored_rows
from seqconv.errors import SeqconvError
from seqconv.progress import Reporter
from seqconv.rundir.claim import Claim, claim, new_run_dir
from seqconv.train.closed_form import fit_closed_form, is_closed_form
from seqconv.train.distributed import Distributed
from seqconv.train.loop import FitResult, FitSettings, fit
from seqconv.train.train_options import TrainOptions


def fit_settings(o: TrainOptions) -> FitSettings:
    """How to train, from options whose task defaults are filled in
    (:func:`seqconv.option_table.fill`). Series runs monitor the loss and have no strands."""
    series = o.data == "series"
    return FitSettings(
        epochs=int(o.epochs),
        batch_size=int(o.batch_size),
        lr=float(o.lr),
        weight_decay=float(o.weight_decay),
        patience=int(o.patience),
        lr_patience=int(o.lr_patience),
        precision=o.precision,
        rc_average=o.reverse_complement and not series,
        seed=o.seed,
        monitor="val_loss" if series else "auto",
        time_limit=o.time_limit,
        val_every=o.val_every,
    )


@dataclass
class HeldOut:
    """Held-out predictions to score when training ends.

    Attributes
    ----------
    task
        The task the metrics follow (forecasts are scored as ``regression``).
    truth, predictions
        ``(M,)`` class indices or ``(M, T)`` targets; ``(M, T)`` predictions in the units users
        read (probabilities, unscaled values).
    split
        ``test``, ``valid``, ``train`` or ``train-loo`` (training rows scored leave-one-out):
        which rows they are.
    extra
        More summary values (e.g. forecast scores).
    unit
        What a row is, for the closing message (``sequences``, ``series``, ``windows``).
    outputs
        ``(M, K)`` raw model outputs (logits) the predictions came from, for classifiers that can
        be calibrated (:attr:`Job.outputs` set); the skeleton recomputes the predictions from
        them through the calibration.
    metrics
        Scores the recipe computed itself (profile runs: :mod:`seqconv.core.profile_metrics`),
        written as they are instead of the task's standard metrics.
    """

    task: str
    truth: np.ndarray
    predictions: np.ndarray
    names: list[str]
    split: str
    extra: dict[str, float] | None = None
    unit: str = "sequences"
    outputs: torch.Tensor | None = None
    metrics: dict | None = None


@dataclass
class Job:
    """What a recipe hands the skeleton.

    Attributes
    ----------
    options
        The :class:`~seqconv.train.train_options.TrainOptions` actually used (task defaults
        filled in): repeated in ``config.json``.
    model, inputs, targets, task, train_index, valid_index, settings, target_names
        What :func:`~seqconv.train.loop.fit` trains (``task`` is the loss's task).
    config
        The recipe's part of ``config.json`` (model, input, task, targets, data, split, ...).
    split
        The table written as ``split.tsv``.
    held_out
        Called on the main process after training with its result (the model holds the best
        weights).
    outputs
        Raw outputs ``(len(rows), K)`` of the trained model for rows, computed as held-out
        scoring computes them; set by classifier recipes, whose probabilities are then calibrated
        on the validation rows (:mod:`seqconv.core.calibration`).
    write_files
        Writes the recipe's own files into the run directory at the end (e.g. GC plots).
    """

    options: TrainOptions
    model: nn.Module
    inputs: InputStore
    targets: torch.Tensor
    task: str
    train_index: np.ndarray
    valid_index: np.ndarray
    settings: FitSettings
    target_names: list[str]
    config: dict[str, Any]
    split: pd.DataFrame
    held_out: Callable[[FitResult], HeldOut]
    outputs: Callable[[np.ndarray], torch.Tensor] | None = None
    write_files: Callable[[Path], None] | None = None


@dataclass
class RunContext:
    """Where a recipe prepares its job.

    Attributes
    ----------
    device
        The training device of this process.
    reporter
        Where notes go (quiet on every process but the first).
    dist
        The process group (one process without ``torchrun``).
    out
        The run directory, when it is known before the data is read (DNA runs: their data go
        into a store there, :mod:`seqconv.dna.store`); ``None`` otherwise.
    """

    device: torch.device
    reporter: Reporter
    dist: Distributed
    out: Path | None = None


Prepare = Callable[[RunContext], Job]
T = TypeVar("T")

_HELD_LABEL = {
    "test": "test",
    "valid": "validation (no test split)",
    "train": "training data (nothing held out)",
    "train-loo": "training data, leave-one-out (nothing held out)",
}


def fit_run(out: Path, reporter: Reporter, job: Job, resume: bool, dist: Distributed) -> FitResult:
    """:func:`~seqconv.train.loop.fit` into the run directory ``out``; interrupted (Ctrl-C), it
    says how to continue before re-raising."""
    try:
        if is_closed_form(job.model):
            return fit_closed_form(
                job.model, job.inputs, job.targets, job.task, job.train_index, job.valid_index,
                job.settings, out, job.target_names, reporter, dist,
            )  # fmt: skip
        return fit(
            job.model,
            job.inputs,
            job.targets,
            job.task,
            job.train_index,
            job.valid_index,
            job.settings,
            out_dir=out,
            target_names=job.target_names,
            reporter=reporter,
            resume=resume,
            distributed=dist,
        )
    except KeyboardInterrupt:
        reporter.info(f"interrupted: continue with  seqconv train --resume {out}")
        raise


def on_main(dist: Distributed, action: Callable[[], T]) -> T:
    """Run ``action`` on the main process and hand its result, or its error, to every process
    (a rank that fails alone would leave the others waiting for it)."""
    value, problem, error = None, None, None
    if dist.is_main:
        try:
            value = action()
        except SeqconvError as exc:
            problem, error = str(exc), exc
    value, problem = dist.broadcast((value, problem))
    if error is not None:
        raise error
    if problem is not None:
        raise SeqconvError(problem)
    return value  # type: ignore[return-value]


def train_run(
    options: Any, prepare: Prepare, reporter: Reporter | None = None, resume: bool = False
) -> Path:
    """Prepare a job, train it into a run directory, and score it on held-out data.

    The run directory is checked and locked before any data is read (see
    :func:`seqconv.rundir.claim.claim`): a folder holding another run is replaced only with
    ``options.force``, one process writes it at a time, and temporary files left by a killed run
    are removed. A default run directory (no ``out``) is named before the data is read when the
    model is known (DNA), else once the data is read.

    Parameters
    ----------
    options
        The recipe's options (``device``, ``seed``, ``out``, ``force``, ``quiet`` are read here).
    prepare
        The recipe: :class:`RunContext` -> :class:`Job`.
    reporter
        Where progress goes (quiet on every process but the first).
    resume
        Continue the interrupted run in ``options.out`` from its last checkpoint (from epoch 1
        when it stopped before its first).

    Returns
    -------
    Path
        The run directory.
    """
    dist = Distributed.from_environment(options.device)
    reporter = reporter or Reporter(quiet=options.quiet)
    if not dist.is_main:
        reporter = Reporter(quiet=True)
    device = dist.device(options.device)
    torch.manual_seed(options.seed)
    force = bool(getattr(options, "force", False))
    with ExitStack() as stack:

        def take(out: Path, made: bool = False) -> Claim:
            return stack.enter_context(claim(out, force, resume, reporter.info, made))

        held = on_main(dist, lambda: take(Path(options.out))) if options.out else None
        if held is None and options.model is not None:
            held = on_main(dist, lambda: take(_new_dir(options, reporter), made=True))
        if held is not None and held.restart:
            resume = False
        known = Path(dist.broadcast(str(held.out))) if held is not None else None
        job = prepare(RunContext(device, reporter, dist, known))
        if held is None:
            held = on_main(dist, lambda: take(_new_dir(job.options, reporter), made=True))
        out = Path(dist.broadcast(str(held.out)))
        resume = bool(dist.broadcast(resume))
        config = rundir.provenance(job.options.repeatable()) | job.config
        # what "auto" became here: the run predicts in it on any device (Run.precision)
        used = resolved_precision(job.settings.precision, device)
        config["train"] = config.get("train", {}) | {"precision_used": used}
        if dist.is_main:
            held.replace_old()
            rundir.start(out, config, job.split, resume)
            reporter.info(f"run directory: {out}")
        dist.barrier()
        result = fit_run(out, reporter, job, resume, dist)
        if dist.is_main:
            _finish(out, config, result, job, options.seed, reporter)
        dist.barrier()
    dist.close()
    return out


def _new_dir(options: TrainOptions, reporter: Reporter) -> Path:
    """A new default run directory, announced when numbered (the plain name was taken)."""
    out = new_run_dir(options.stem, options.model)
    plain = rundir.run_dir_name(options.stem, options.model)
    if out.name != plain:
        reporter.info(f"{out.parent / plain} exists: this run goes to {out}")
    return out


def _finish(
    out: Path, config: dict, result: FitResult, job: Job, seed: int, reporter: Reporter
) -> None:
    """Calibration, held-out metrics, plots and the result block; the closing line."""
    held = job.held_out(result)
    if job.write_files is not None:
        job.write_files(out)
    report = _calibrate(out, config, job, held, reporter)
    summary = {
        "best_epoch": result.best_epoch,
        "monitor": result.monitor,
        "best_score": abs(result.best_score),
        # epochs done when training ended (a fraction when it stopped within one)
        "epochs_run": result.history[-1].get("epoch", len(result.history)) if result.history else 0,
        "validations": len(result.history),
        "steps": result.history[-1].get("step") if result.history else 0,
        "best_step": result.best_step,
        "stopped_early": result.stopped_early,
        "stopped_by": result.stopped_by,
        "history": result.history,
    }
    metrics = rundir.finish(
        out, config, summary, held.task, held.truth, held.predictions, held.names,
        held.split, seed, held.extra, report, held.metrics,
    )  # fmt: skip
    scores = ", ".join(f"{k} {v:.4g}" for k, v in metrics["summary"].items())
    reporter.info(
        f"best epoch {result.best_epoch}; {_HELD_LABEL[held.split]} "
        f"({len(held.truth):,} {held.unit}): {scores}"
    )


def _calibrate(out: Path, config: dict, job: Job, held: HeldOut, reporter: Reporter) -> dict | None:
    """Fit the calibration of a classifier on the validation rows, store it in ``config``, apply
    it to ``held``'s predictions and draw the reliability diagram; the ``calibration`` block of
    ``metrics.json`` (``None`` when the task or the data have nothing to calibrate).

    Calibration figures are never reported on the rows the fit used. With a test split the block
    holds ``valid`` (the fit's own rows, in-sample: see ``fitted_on``) and ``test``. When the
    held-out rows are the validation rows themselves (series without a test split), it holds
    ``valid_in_sample`` (the fit's own figures) and ``valid_cross_fitted`` (each row calibrated by
    a fit on the other folds, :func:`~seqconv.core.calibration.cross_fitted`), and ``held`` gets
    the cross-fitted probabilities, so that ``metrics.json``'s summary is not in-sample either.
    """
    from seqconv.core.calibration import (
        CALIBRATED_TASKS,
        CROSS_FIT_FOLDS,
        MIN_ROWS,
        Calibration,
        calibrated,
        calibration_scores,
        cross_fitted,
        fit_calibration,
        log_loss,
        prediction_accuracy,
    )
    from seqconv.rundir.plots import plot_reliability

    if job.outputs is None or held.outputs is None or held.task not in CALIBRATED_TASKS:
        return None
    rows = np.setdiff1d(job.valid_index, job.train_index)  # series monitor the training rows
    rows = scored_rows(rows, job.settings.seed, "calibrating", reporter.info)
    if len(rows) < MIN_ROWS:
        reason = f"{len(rows)} validation rows apart from the training rows (< {MIN_ROWS})"
        reporter.info(f"probabilities not calibrated: {reason}")
        return {"method": "none", "reason": reason}
    valid_outputs = job.outputs(rows)
    valid_truth = job.targets[torch.as_tensor(rows)].cpu().numpy()
    fitted = fit_calibration(held.task, valid_outputs, valid_truth)
    without = log_loss(held.task, valid_outputs, valid_truth, None)
    with_fit = log_loss(held.task, valid_outputs, valid_truth, fitted)
    if not with_fit < without:
        reason = (
            f"already calibrated: validation log-loss {without:.4f} as trained, {with_fit:.4f} "
            "refitted"
        )
        reporter.info(f"probabilities left as they are ({reason})")
        plot_reliability(held.task, held.truth, held.predictions, None,
                         out / rundir.RELIABILITY, _HELD_LABEL[held.split])  # fmt: skip
        return {"method": "none", "reason": reason}
    config["calibration"] = fitted.to_dict()
    before = held.predictions  # linked as trained
    in_sample = held.split == "valid"  # the held-out rows are the rows of the fit
    if in_sample:
        held.predictions = cross_fitted(held.task, held.outputs, held.truth).numpy()
    else:
        held.predictions = calibrated(held.task, held.outputs, fitted).numpy()

    def scores(truth: np.ndarray, p: np.ndarray) -> dict:
        accuracy = prediction_accuracy(held.task, truth, p)
        return {**calibration_scores(held.task, truth, p), "accuracy": accuracy}

    def valid_scores(fit: Calibration | None) -> dict:
        return scores(valid_truth, calibrated(held.task, valid_outputs, fit).numpy())

    fit_rows = "valid_in_sample" if in_sample else "valid"
    shown = "valid_cross_fitted" if in_sample else held.split
    report = {
        **fitted.to_dict(),
        "fitted_on": {"split": "valid", "n": int(len(rows))},
        "valid_log_loss": {"before": without, "after": with_fit},
        fit_rows: {"before": valid_scores(None), "after": valid_scores(fitted)},
        shown: {
            "before": scores(held.truth, before),
            "after": scores(held.truth, held.predictions),
        },
    }
    label = _HELD_LABEL[held.split]
    if in_sample:
        report[shown]["folds"] = min(CROSS_FIT_FOLDS, len(held.truth))
        label = f"{label}, cross-fitted"
    plot_reliability(held.task, held.truth, before, held.predictions, out / rundir.RELIABILITY,
                     label)  # fmt: skip
    b, a = report[shown]["before"], report[shown]["after"]
    where = f"{held.split} ({report[shown]['folds']}-fold cross-fitted)" if in_sample else shown
    reporter.info(
        f"probabilities calibrated on {len(rows):,} validation rows ({fitted.method}): "
        f"{where} ECE {b['ece']:.3f} -> {a['ece']:.3f}, Brier {b['brier']:.3f} -> "
        f"{a['brier']:.3f}, accuracy of the prediction column {b['accuracy']:.3f} -> "
        f"{a['accuracy']:.3f}"
    )
    return report
