"""The training loop: any ``nn.Module`` over ``(N, C, L)`` inputs, on CPU, a GPU or several (DDP).

Early stopping on a validation score (auROC for classification, where the loss is a noisy guide,
the loss for regression), learning rate halved when it stalls (``ReduceLROnPlateau``), AdamW, bf16
autocast on CUDA, evaluation averaged over both strands.
Each epoch rewrites the best weights, the checkpoint and the history atomically, so an interrupted
run can be resumed and never leaves a broken file.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file
from torch import nn

from seqconv.atomic import write_with
from seqconv.core.metrics import compute_metrics, headline_metric
from seqconv.core.predict import autocast_dtype, predict
from seqconv.core.stores import InputStore, batch_indices
from seqconv.core.tasks import is_classification, link, loss_function
from seqconv.core.weights import weights_writer
from seqconv.errors import InputError, TrainingDiverged
from seqconv.progress import Reporter
from seqconv.rundir import CHECKPOINT, HISTORY, WEIGHTS, write_weights
from seqconv.train.checkpoint import load_checkpoint, save_checkpoint
from seqconv.train.distributed import Distributed


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
        Epochs without a better validation score before stopping.
    lr_patience, lr_factor
        Epochs without improvement before the learning rate is multiplied by ``lr_factor``.
    precision
        ``"auto"`` (bf16 autocast on CUDA, fp32 elsewhere), ``"fp32"`` or ``"bf16"``.
    rc_average
        Average validation predictions over both strands (DNA only).
    seed
        Seeds weights initialisation (by the caller), shuffling and augmentation.
    monitor
        What early stopping, the learning-rate schedule and the choice of the best weights
        follow: ``"auto"`` (the validation auROC for classification, the loss for regression) or
        ``"val_loss"`` (the loss of the validation rows, whatever the task).
    time_limit
        Seconds of training (this process) after which no new epoch starts; ``None``: no limit.
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


@dataclass
class FitResult:
    """What training produced: per-epoch history and where the best weights came from.

    ``best_score`` is the best value of ``monitor``, signed so that higher is better (the negated
    loss when the loss is monitored). ``leave_one_out``: for a closed-form fit with nothing held
    out, the training rows and their ``(n, n_outputs)`` leave-one-out outputs (each row scored by
    the fit without it), an honest score where no row is held out.
    """

    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -math.inf
    monitor: str = "val_loss"
    stopped_early: bool = False
    leave_one_out: tuple[np.ndarray, torch.Tensor] | None = None


@dataclass
class _State:
    """What one training run carries from epoch to epoch (and into its checkpoint)."""

    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.ReduceLROnPlateau
    generators: dict[str, torch.Generator]
    result: FitResult
    best_state: dict | None = None
    wait: int = 0
    start_epoch: int = 1


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
        are written after every epoch (rank 0 only); ``None`` keeps everything in memory. Each
        new ``model.safetensors`` has its SHA-256 recorded in the folder's ``config.json``.
    resume
        Continue from ``out_dir/checkpoint.safetensors``.
    distributed
        Process group information under ``torchrun`` (each rank trains on its shard).

    Returns
    -------
    FitResult
        The history; the model holds the best weights on return.
    """
    settings = settings or FitSettings()
    check_batch_size(model, settings.batch_size)
    reporter = reporter or Reporter(quiet=True)
    dist = distributed or Distributed()
    out = Path(out_dir) if out_dir is not None else None
    names = target_names or [str(i) for i in range(_n_outputs(targets, task))]
    targets = targets.to(inputs.device)
    net = dist.wrap(model)
    state = _start(model, settings, inputs.device, dist)
    if resume and out is not None and (out / CHECKPOINT).exists():
        _restore(state, model, out)
        reporter.info(f"resuming after epoch {state.start_epoch - 1} from {out / CHECKPOINT}")
    result = state.result
    metric = headline_metric(task)
    result.monitor = f"val_{metric}" if task != "regression" else "val_loss"
    if settings.monitor == "val_loss":
        result.monitor = "val_loss"
    clock = time.perf_counter()
    for epoch in range(state.start_epoch, settings.epochs + 1):
        if state.wait >= settings.patience:
            result.stopped_early = True
            break
        spent = time.perf_counter() - clock
        # the limit ends a run after an epoch, never before its first: a run ends with weights
        limited = settings.time_limit is not None and epoch > state.start_epoch
        if limited and spent >= settings.time_limit:
            result.stopped_early = True
            reporter.info(
                f"time limit reached after epoch {epoch - 1} ({spent:,.0f} s): stopping with the "
                f"best weights (epoch {result.best_epoch})"
            )
            break
        started = time.perf_counter()
        seen, loss_sum = _train_epoch(
            net, inputs, targets, task, train_index, settings, state, dist, reporter, epoch
        )
        train_seconds = time.perf_counter() - started
        val_loss, scores = _validate(model, inputs, targets, task, valid_index, settings, dist,
                                     names)  # fmt: skip
        score = -val_loss if result.monitor == "val_loss" else scores.get(metric, math.nan)
        if not math.isfinite(score):  # e.g. a validation set holding one class
            score = -val_loss
        state.scheduler.step(score)
        improved = score > result.best_score + 1e-6
        if improved:
            result.best_score, result.best_epoch, state.wait = score, epoch, 0
            state.best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            state.wait += 1
        row = {
            "epoch": epoch,
            "train_loss": loss_sum / max(seen, 1),
            "val_loss": val_loss,
            f"val_{metric}": scores.get(metric),
            "lr": state.optimizer.param_groups[0]["lr"],
            "train_seq_per_s": seen * dist.world_size / max(train_seconds, 1e-9),
            "seconds": time.perf_counter() - started,
        }
        if is_classification(task):
            row["val_accuracy"] = scores.get("accuracy")
        result.history.append(row)
        reporter.epoch_summary(row)
        if out is not None and dist.is_main:
            if improved:
                meta = {"epoch": epoch, result.monitor: abs(score)}
                write_weights(out, weights_writer(model, meta))  # its SHA-256 into config.json
            _save_epoch(out, model, state, epoch, settings)
    else:
        result.stopped_early = state.wait >= settings.patience
        if result.history and not result.stopped_early and settings.epochs > 1:
            reporter.info(
                f"reached the epoch cap ({settings.epochs}) before {result.monitor} stopped "
                f"improving (best epoch {result.best_epoch}): a larger --epochs may give a "
                "better model"
            )
    if state.best_state is not None:
        model.load_state_dict(state.best_state)
    dist.barrier()
    return result


def check_batch_size(model: nn.Module, batch_size: int) -> None:
    """Batch norm normalises each batch by its own statistics: one row has none."""
    if batch_size < 2 and any(
        isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules()
    ):
        raise InputError(
            f"--batch-size {batch_size} cannot train this model: its batch normalisation needs at "
            "least 2 rows per batch; use --batch-size 2 or more"
        )


def _start(
    model: nn.Module, settings: FitSettings, device: torch.device, dist: Distributed
) -> _State:
    """Optimizer, learning-rate schedule and the seeded generators of shuffling and augmentation."""
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="max", factor=settings.lr_factor, patience=settings.lr_patience
    )
    generators = {"cpu": torch.Generator().manual_seed(settings.seed)}
    if device.type != "cpu":
        generators[device.type] = torch.Generator(device=device).manual_seed(
            settings.seed + dist.rank
        )
    return _State(optimizer, scheduler, generators, FitResult())


def _restore(state: _State, model: nn.Module, out: Path) -> None:
    """Continue from the run's checkpoint: weights, optimizer, schedule, generators, history."""
    saved = load_checkpoint(out / CHECKPOINT, model, state.optimizer, state.generators)
    state.scheduler.load_state_dict(saved["scheduler"])
    state.result = FitResult(saved["history"], saved["best_epoch"], saved["best_score"])
    state.wait, state.start_epoch = saved["wait"], saved["epoch"] + 1
    state.best_state = load_file(str(out / WEIGHTS)) if (out / WEIGHTS).exists() else None


def _train_epoch(
    net: nn.Module,
    inputs: InputStore,
    targets: torch.Tensor,
    task: str,
    train_index: np.ndarray,
    settings: FitSettings,
    state: _State,
    dist: Distributed,
    reporter: Reporter,
    epoch: int,
) -> tuple[int, float]:
    """One pass over this process's shard; returns rows seen and the summed loss."""
    device = inputs.device
    dtype = autocast_dtype(settings.precision, device)
    loss_fn = loss_function(task, settings.pos_weight)
    aug_generator = state.generators.get(device.type, state.generators["cpu"])
    shard = dist.shard(train_index, state.generators["cpu"])
    seen, loss_sum, started = 0, 0.0, time.perf_counter()
    net.train()
    with reporter.epoch(epoch, settings.epochs, len(shard)):
        for batch in batch_indices(shard, settings.batch_size, shuffle=False, no_lone_row=True):
            raw = inputs.augment(inputs.gather(batch), aug_generator)
            with torch.autocast(
                device.type, dtype=dtype or torch.float32, enabled=dtype is not None
            ):
                output = net(inputs.encode(raw))
            # stores whose targets move with augmentation (per-position labels) give their own
            truth = (
                inputs.targets_of(raw)
                if hasattr(inputs, "targets_of")
                else targets[batch.to(device)]
            )
            if output.shape[0] != truth.shape[0]:  # an ensemble: each member scores every row
                members = output.shape[0] // truth.shape[0]
                truth = truth.repeat(members, *([1] * (truth.dim() - 1)))
            loss = loss_fn(output.float(), truth)
            state.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            state.optimizer.step()
            n = batch.numel()
            seen += n
            loss_sum += loss.item() * n
            reporter.advance(n, loss_sum / seen, seen / max(time.perf_counter() - started, 1e-9))
    if not math.isfinite(loss_sum):
        raise TrainingDiverged(
            f"the training loss became {loss_sum} in epoch {epoch}; try a smaller --lr (or "
            "inputs on a smaller scale)"
        )
    return seen, loss_sum


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
    val_loss = float(loss_function(task, settings.pos_weight)(outputs, val_targets))
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


def _save_epoch(
    out: Path, model: nn.Module, state: _State, epoch: int, settings: FitSettings
) -> None:
    """History and the checkpoint to resume from, rewritten atomically after every epoch."""
    result = state.result
    write_with(out / HISTORY, lambda tmp: pd.DataFrame(result.history).to_csv(tmp, index=False))
    saved = {
        "epoch": epoch,
        "scheduler": state.scheduler.state_dict(),
        "history": result.history,
        "best_epoch": result.best_epoch,
        "best_score": result.best_score,
        "wait": state.wait,
        "settings": asdict(settings),
    }
    save_checkpoint(out / CHECKPOINT, model, state.optimizer, saved, state.generators)


def _per_step_scores(task: str, outputs: torch.Tensor, targets: torch.Tensor) -> dict:
    """Validation scores of per-step outputs ``(N, n_outputs, L)``: accuracy over all steps."""
    if is_classification(task):
        return {"accuracy": float((outputs.argmax(dim=1) == targets).float().mean())}
    return {}


def _n_outputs(targets: torch.Tensor, task: str) -> int:
    if is_classification(task):
        return int(targets.max()) + 1
    return targets.shape[1]
