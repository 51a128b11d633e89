"""The training loop: any ``nn.Module`` over ``(N, C, L)`` inputs, on CPU, a GPU or several (DDP).

Training runs in intervals of batches: after each (an epoch by default; ``val_every`` batches or
seconds), the validation score is computed (auROC for classification, where the loss is a noisy
guide; the loss for regression), the learning rate halved when it stalls (``ReduceLROnPlateau``),
the best weights, the checkpoint and the history rewritten atomically, and training stops after
``patience`` intervals without improvement. AdamW, bf16 autocast on CUDA, validation averaged over
both strands.

A run can stop at any moment and lose nothing: ``time_limit`` is checked after every batch (the
run then validates and stops), and SIGTERM or Ctrl-C write a checkpoint at the batch where they
came and stop with the ``--resume`` command (:class:`~seqconv.errors.RunStopped`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from seqconv.core.metrics import compute_metrics, headline_metric
from seqconv.core.predict import autocast_dtype, predict
from seqconv.core.stores import InputStore, scored_rows
from seqconv.core.tasks import is_classification, link, loss_function
from seqconv.core.weights import weights_writer
from seqconv.errors import InputError, RunStopped, TrainingDiverged
from seqconv.progress import Reporter, clock
from seqconv.rundir import CHECKPOINT, write_weights
from seqconv.train.distributed import Distributed
from seqconv.train.fit_state import FitResult, FitState, restore_state, save_state, start_state
from seqconv.train.sampler import EpochSampler
from seqconv.train.stopping import EXIT_CODES, StopSignals

__all__ = ["FitResult", "FitSettings", "fit"]

VALIDATE_AT_LEAST_EVERY = 600.0
"""Seconds: with ``val_every="epoch"``, epochs longer than this are validated within."""


@dataclass
class FitSettings:
    """How to train.

    Attributes
    ----------
    epochs
        Upper bound on epochs; early stopping usually ends sooner.
    batch_size
        Sequences per optimisation step (per process under DDP).
    lr, weight_decay
        AdamW learning rate and decoupled weight decay.
    patience
        Validations without a better score before stopping.
    lr_patience, lr_factor
        Validations without improvement before the learning rate is multiplied by ``lr_factor``.
    precision
        ``"auto"`` (bf16 autocast on CUDA, fp32 elsewhere), ``"fp32"`` or ``"bf16"``.
    rc_average
        Average validation predictions over both strands (DNA only).
    seed
        Seeds weights initialisation (by the caller), the order of batches and augmentation.
    monitor
        What early stopping, the learning-rate schedule and the choice of the best weights
        follow: ``"auto"`` (the validation auROC for classification, the loss for regression) or
        ``"val_loss"`` (the loss of the validation rows, whatever the task).
    time_limit
        Seconds of training (this process) after which the run validates and stops.
    val_every
        ``"epoch"`` (and at least every 10 minutes), a number of batches (``"5000"``) or seconds
        (``"600s"``) between validations.
    block_shuffle
        Shuffle by blocks of the store (data larger than memory; :mod:`seqconv.train.sampler`).
    count_weight
        ``profile`` task: the weight of the counts term of the loss (:mod:`seqconv.core.profiles`).
    """

    epochs: int = 30
    batch_size: int = 128
    lr: float = 3e-3
    weight_decay: float = 1e-2
    patience: int = 5
    lr_patience: int = 2
    lr_factor: float = 0.5
    precision: str = "auto"
    rc_average: bool = True
    seed: int = 0
    monitor: str = "auto"
    time_limit: float | None = None
    pos_weight: list[float] | None = None
    val_every: str = "epoch"
    count_weight: float | None = None
    block_shuffle: bool = False

    def interval(self) -> tuple[int | None, float | None]:
        """``(batches, seconds)`` between validations (``None``: not that way); ``(None, 600)``
        for ``"epoch"``, where epoch ends validate too."""
        if self.val_every == "epoch":
            return None, VALIDATE_AT_LEAST_EVERY
        if self.val_every.endswith("s"):
            return None, float(self.val_every[:-1])
        return int(self.val_every), None


def fit(
    model: nn.Module,
    inputs: InputStore,
    targets: torch.Tensor,
    task: str,
    train_index: np.ndarray,
    valid_index: np.ndarray,
    settings: FitSettings | None = None,
    out_dir: str | Path | None = None,
    target_names: list[str] | None = None,
    reporter: Reporter | None = None,
    resume: bool = False,
    distributed: Distributed | None = None,
) -> FitResult:
    """Train ``model`` with early stopping on the validation score.

    Parameters
    ----------
    model
        Maps ``(B, C, L)`` to ``(B, n_outputs)``; already on ``inputs.device``.
    inputs
        Training and validation inputs (see :class:`~seqconv.core.stores.CodesTensor`).
    targets
        Targets of every row of ``inputs`` (see :func:`~seqconv.core.tasks.target_tensor`).
    task
        ``binary``, ``multiclass``, ``multilabel`` or ``regression``.
    train_index, valid_index
        Rows to train on and to validate on.
    out_dir
        Where ``model.safetensors`` (best weights), ``checkpoint.safetensors`` and ``history.csv``
        are written after every validation (rank 0 only); ``None`` keeps everything in memory.
        Each new ``model.safetensors`` has its SHA-256 recorded in the folder's ``config.json``.
    resume
        Continue from ``out_dir/checkpoint.safetensors``, at the batch where it was written.
    distributed
        Process group information under ``torchrun`` (each rank trains on its shard).

    Returns
    -------
    FitResult
        The history; the model holds the best weights on return.

    Raises
    ------
    RunStopped
        SIGTERM or Ctrl-C came: a checkpoint was written; the message says how to continue.
    """
    settings = settings or FitSettings()
    check_batch_size(model, settings.batch_size, len(train_index))
    reporter = reporter or Reporter(quiet=True)
    dist = distributed or Distributed()
    out = Path(out_dir) if out_dir is not None else None
    names = target_names or [str(i) for i in range(_n_outputs(targets, task))]
    targets = targets.to(inputs.device)
    net = dist.wrap(model)
    sampler = EpochSampler(train_index, settings.batch_size, settings.seed, dist.rank,
                           dist.world_size, settings.block_shuffle)  # fmt: skip
    state = start_state(model, settings, inputs.device, dist)
    if resume and out is not None and (out / CHECKPOINT).exists():
        restore_state(state, model, out, sampler.n_batches)
        p = state.position
        reporter.info(f"resuming at epoch {p.epoch}, batch {p.batch:,} (step {p.step:,}) "
                      f"from {out / CHECKPOINT}")  # fmt: skip
    result = state.result
    metric = headline_metric(task)
    loss_monitored = settings.monitor == "val_loss" or task == "regression"
    result.monitor = "val_loss" if loss_monitored else f"val_{metric}"
    valid_rows = scored_rows(valid_index, settings.seed, "validating", reporter.info)
    trainer = _Trainer(net, inputs, targets, task, settings, state, dist, reporter, sampler)
    with StopSignals() as stop:
        trainer.stop = stop
        while True:
            ended = trainer.train_interval()
            if ended == "stop":
                _stop(out, model, state, settings, dist, stop.requested or "Ctrl-C")
            if trainer.trained == 0:  # nothing since the last validation: the epoch cap
                result.stopped_by = "epochs"
                _say_cap(result, settings, reporter)
                break
            improved = _validate_and_record(model, inputs, targets, task, valid_rows, settings,
                                            dist, names, state, trainer, metric)  # fmt: skip
            if out is not None and dist.is_main:
                if improved:
                    meta = {"epoch": result.best_epoch, "step": result.best_step,
                            result.monitor: abs(result.best_score)}  # fmt: skip
                    write_weights(out, weights_writer(model, meta))  # SHA-256 into config.json
                save_state(out, model, state, settings)
            if state.wait >= settings.patience:
                result.stopped_by = "patience"
                break
            if ended == "time":
                result.stopped_by = "time limit"
                reporter.info(
                    f"time limit reached at step {state.position.step:,} ({clock(trainer.spent)}): "
                    f"stopping with the best weights (epoch {result.best_epoch})"
                )
                break
            if ended == "done":
                result.stopped_by = "epochs"
                _say_cap(result, settings, reporter)
                break
    if result.history and result.best_step == 0 and result.best_epoch == 0:
        raise TrainingDiverged(
            f"the validation loss was {result.history[-1]['val_loss']} at every validation "
            f"({len(result.history)}); try a smaller --lr (or inputs on a smaller scale)"
        )
    if state.best_state is not None:
        model.load_state_dict(state.best_state)
    dist.barrier()
    return result


class _Trainer:
    """Runs batches until a validation is due, keeping the position, loss and time."""

    def __init__(self, net, inputs, targets, task, settings, state, dist, reporter, sampler):
        self.net, self.inputs, self.targets, self.task = net, inputs, targets, task
        self.settings, self.state, self.dist, self.reporter = settings, state, dist, reporter
        self.sampler = sampler
        self.stop: StopSignals | None = None
        self.spent = 0.0  # seconds of training in this process
        self.trained, self.loss_sum, self.interval_spent = 0, 0.0, 0.0
        self.interval_started = time.perf_counter()
        self.every_batches, self.every_seconds = settings.interval()
        device = inputs.device
        self.dtype = autocast_dtype(settings.precision, device)
        self.loss_fn = loss_function(task, settings.pos_weight, settings.count_weight)
        self.term_sums: dict[str, float] = {}  # the terms of a loss that reports them
        self.aug = state.generators.get(device.type, state.generators["cpu"])
        self.timed = False

    def train_interval(self) -> str:
        """Train until a validation is due; why it stopped: ``"due"`` (batches or seconds),
        ``"epoch"``, ``"time"`` (the limit), ``"stop"`` (a signal) or ``"done"`` (the cap)."""
        state, settings, p = self.state, self.settings, self.state.position
        self.trained, self.loss_sum, self.interval_spent = 0, 0.0, 0.0
        self.term_sums = {}
        since = self.interval_started = time.perf_counter()
        self.net.train()
        while p.epoch <= settings.epochs:
            total = self.sampler.per_rank
            with self.reporter.epoch(p.epoch, settings.epochs, total):
                for batch in self.sampler.batches(p.epoch, p.batch):
                    started = time.perf_counter()
                    self._step(batch)
                    took = time.perf_counter() - started
                    self.spent += took
                    self.interval_spent += took
                    p.batch += 1
                    p.step += 1
                    self._announce_pace()
                    if self._stop_requested():
                        return "stop"
                    if settings.time_limit is not None and self.spent >= settings.time_limit:
                        return "time"
                    if self.every_batches and p.step - state.last_validated_step >= (
                        self.every_batches
                    ):
                        return "due"
                    if self.every_seconds and time.perf_counter() - since >= self.every_seconds:
                        return "due"
            p.epoch, p.batch = p.epoch + 1, 0
            if settings.val_every == "epoch":
                return "epoch"
        return "done"

    def _step(self, batch: torch.Tensor) -> None:
        inputs, device = self.inputs, self.inputs.device
        raw = inputs.augment(inputs.gather(batch), self.aug)
        with torch.autocast(device.type, dtype=self.dtype or torch.float32,
                            enabled=self.dtype is not None):  # fmt: skip
            output = self.net(inputs.encode(raw))
        # stores whose targets move with augmentation (per-position labels) give their own
        truth = inputs.targets_of(raw) if hasattr(inputs, "targets_of") else (
            self.targets[batch.to(device)]
        )  # fmt: skip
        if output.shape[0] != truth.shape[0]:  # an ensemble: each member scores every row
            members = output.shape[0] // truth.shape[0]
            truth = truth.repeat(members, *([1] * (truth.dim() - 1)))
        loss = self.loss_fn(output.float(), truth)
        self.state.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.state.optimizer.step()
        n = batch.numel()
        value = loss.item()
        if not math.isfinite(value):
            raise TrainingDiverged(
                f"the training loss became {value} in epoch {self.state.position.epoch} (step "
                f"{self.state.position.step + 1:,}); try a smaller --lr (or inputs on a smaller "
                "scale)"
            )
        self.trained += n
        self.loss_sum += value * n
        for name, term in getattr(self.loss_fn, "terms", {}).items():
            self.term_sums[name] = self.term_sums.get(name, 0.0) + float(term) * n
        rate = self.trained / max(self.interval_spent, 1e-9)
        self.reporter.advance(n, self.loss_sum / self.trained, rate)

    def _stop_requested(self) -> bool:
        asked = self.stop is not None and self.stop.requested is not None
        if not self.dist.enabled:
            return asked
        flag = torch.tensor([float(asked)], device=self.inputs.device)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
        if flag.item() and self.stop is not None and self.stop.requested is None:
            self.stop.requested = "SIGTERM"  # another rank was told
        return bool(flag.item())

    def _announce_pace(self) -> None:
        """Once, after a few timed batches: how long an epoch takes at this pace."""
        done = self.state.position.step
        if self.timed or self.trained < 20 * self.settings.batch_size or self.interval_spent < 2:
            return
        self.timed = True
        per_batch = self.interval_spent / max(self.trained / self.settings.batch_size, 1)
        epoch = per_batch * self.sampler.n_batches
        every = self.settings.val_every
        cadence = "after each epoch" if every == "epoch" else f"every {every}"
        if every == "epoch" and epoch > VALIDATE_AT_LEAST_EVERY:
            cadence = f"every {VALIDATE_AT_LEAST_EVERY / 60:.0f} min (epochs are longer)"
        self.reporter.info(
            f"about {clock(epoch)} per epoch ({self.sampler.n_batches:,} batches of "
            f"{self.settings.batch_size:,} at {self.trained / self.interval_spent:,.0f} "
            "sequences/s, "
            f"step {done:,}); validating {cadence}"
        )


def _validate_and_record(model, inputs, targets, task, rows, settings, dist, names, state,
                         trainer, metric) -> bool:  # fmt: skip
    """Validate, step the schedule, keep the best weights; the history row. Whether it improved."""
    result, p = state.result, state.position
    val_loss, scores = _validate(model, inputs, targets, task, rows, settings, dist, names)
    score = -val_loss if result.monitor == "val_loss" else scores.get(metric, math.nan)
    if not math.isfinite(score):  # e.g. a validation set holding one class
        score = -val_loss
    state.scheduler.step(score)
    epoch = (p.epoch - 1) + p.batch / max(trainer.sampler.n_batches, 1)
    epoch = int(epoch) if float(epoch).is_integer() else round(epoch, 4)
    improved = score > result.best_score + 1e-6
    if improved:
        result.best_score, result.best_epoch, result.best_step = score, epoch, p.step
        state.wait = 0
        state.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    else:
        state.wait += 1
    state.last_validated_step = p.step
    row = {
        "epoch": epoch,
        "step": p.step,
        "train_loss": trainer.loss_sum / max(trainer.trained, 1),
        "val_loss": val_loss,
        f"val_{metric}": scores.get(metric),
        "lr": state.optimizer.param_groups[0]["lr"],
        "train_seq_per_s": trainer.trained * dist.world_size / max(trainer.interval_spent, 1e-9),
        "seconds": time.perf_counter() - trainer.interval_started,  # training and validating
    }
    if is_classification(task):
        row["val_accuracy"] = scores.get("accuracy")
    for name, total in trainer.term_sums.items():  # a loss of several terms: each of them
        row[f"train_{name}"] = total / max(trainer.trained, 1)
        row[f"val_{name}"] = scores.get(name)
    if task == "profile":
        row["val_counts_pearson"] = scores.get("counts_pearson")
    result.history.append(row)
    trainer.reporter.epoch_summary(row)
    return improved


def _stop(out: Path | None, model: nn.Module, state: FitState, settings: FitSettings,
          dist: Distributed, why: str) -> None:  # fmt: skip
    """Write the checkpoint at this batch and stop, saying how to continue."""
    p = state.position
    if out is not None and dist.is_main:
        save_state(out, model, state, settings)
    dist.barrier()
    where = f"at epoch {p.epoch}, batch {p.batch:,} (step {p.step:,})"
    if out is None:
        raise RunStopped(f"{why} {where}", EXIT_CODES[why])
    raise RunStopped(
        f"{why} {where}; checkpoint written: continue with  seqconv train --resume {out}",
        EXIT_CODES[why],
    )


def _say_cap(result: FitResult, settings: FitSettings, reporter: Reporter) -> None:
    if len(result.history) > 1 and settings.epochs > 1:
        reporter.info(
            f"reached the epoch cap ({settings.epochs}) before {result.monitor} stopped "
            f"improving (best epoch {result.best_epoch}): a larger --epochs may give a better "
            "model"
        )


def check_batch_size(model: nn.Module, batch_size: int, n_train: int | None = None) -> None:
    """Batch norm normalises each batch by its own statistics: one row has none (a batch size
    of 1, or a training split of one row)."""
    if not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        return
    if batch_size < 2:
        raise InputError(
            f"--batch-size {batch_size} cannot train this model: its batch normalisation needs at "
            "least 2 rows per batch; use --batch-size 2 or more"
        )
    if n_train is not None and n_train < 2:
        raise InputError(
            f"the training split holds {n_train} row{'' if n_train == 1 else 's'}, but this "
            "model's batch normalisation needs at least 2 rows per batch: add data, or choose a "
            "model without batch norm"
        )


def _validate(
    model: nn.Module,
    inputs: InputStore,
    targets: torch.Tensor,
    task: str,
    valid_index: np.ndarray,
    settings: FitSettings,
    dist: Distributed,
    names: list[str],
) -> tuple[float, dict]:
    """Validation loss and scores, the validation rows split across processes and gathered."""
    outputs, index = dist.gather_predictions(
        lambda part: predict(
            model, inputs, part, 4 * settings.batch_size, settings.rc_average, settings.precision
        ),
        valid_index,
    )
    val_targets = targets[torch.as_tensor(index, device=targets.device)].cpu()
    loss_fn = loss_function(task, settings.pos_weight, settings.count_weight)
    val_loss = float(loss_fn(outputs, val_targets))
    if task == "profile":  # scores of the peaks; each term of the loss
        from seqconv.core.profile_metrics import validation_profile_scores

        terms = {k: float(v) for k, v in getattr(loss_fn, "terms", {}).items()}
        return val_loss, validation_profile_scores(outputs, val_targets) | terms
    if task == "segment":  # every position of every validation sequence is a row
        from seqconv.core.segments import per_position

        truth, probs = per_position(val_targets.numpy(), link(task, outputs).numpy())
        return val_loss, compute_metrics("multilabel", truth, probs, names, n_bootstrap=0)[
            "summary"
        ]
    if outputs.dim() == 3:  # per-step outputs (teacher forcing): every step is scored
        return val_loss, _per_step_scores(task, outputs, val_targets)
    scores = compute_metrics(
        task, val_targets.numpy(), link(task, outputs).numpy(), names, n_bootstrap=0
    )["summary"]
    return val_loss, scores


def _per_step_scores(task: str, outputs: torch.Tensor, targets: torch.Tensor) -> dict:
    """Validation scores of per-step outputs ``(N, n_outputs, L)``: accuracy over all steps."""
    if is_classification(task):
        return {"accuracy": float((outputs.argmax(dim=1) == targets).float().mean())}
    return {}


def _n_outputs(targets: torch.Tensor, task: str) -> int:
    if is_classification(task):
        return int(targets.max()) + 1
    return targets.shape[1]
