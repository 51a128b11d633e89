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
from seqconv.progress import Reporter
from seqconv.runs.metrics import compute_metrics, headline_metric
from seqconv.runs.stores import InputStore, batch_indices
from seqconv.runs.tasks import is_classification, link, loss_function
from seqconv.train.checkpoint import load_checkpoint, save_checkpoint, save_weights
from seqconv.train.distributed import Distributed

WEIGHTS = "model.safetensors"
CHECKPOINT = "checkpoint.safetensors"
HISTORY = "history.csv"


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


@dataclass
class FitResult:
    """What training produced: per-epoch history and where the best weights came from.

    ``best_score`` is the best value of ``monitor``, signed so that higher is better (the negated
    loss when the loss is monitored).
    """

    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -math.inf
    monitor: str = "val_loss"
    stopped_early: bool = False


def autocast_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast dtype for ``precision`` on ``device`` (``None``: plain fp32)."""
    if precision == "fp32":
        return None
    if precision == "bf16":
        return torch.bfloat16
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def predict_outputs(
    model: nn.Module,
    inputs: InputStore,
    index: np.ndarray,
    batch_size: int = 512,
    rc_average: bool = True,
    precision: str = "auto",
) -> torch.Tensor:
    """Raw model outputs for rows ``index`` of ``inputs``.

    Returns
    -------
    torch.Tensor
        ``(len(index), n_outputs)`` float32 on the CPU; the mean of both strands' outputs when
        ``rc_average`` and the inputs are DNA.
    """
    dtype = autocast_dtype(precision, inputs.device)
    both = rc_average and inputs.can_reverse_complement
    was_training = model.training
    model.eval()
    chunks = []
    with (
        torch.inference_mode(),
        torch.autocast(inputs.device.type, dtype=dtype or torch.float32, enabled=dtype is not None),
    ):
        for batch in batch_indices(index, batch_size, shuffle=False):
            raw = inputs.gather(batch)
            out = model(inputs.encode(raw)).float()
            if both:
                out = (out + model(inputs.encode(inputs.reverse_complement(raw))).float()) / 2
            chunks.append(out.cpu())
    model.train(was_training)
    if not chunks:
        return torch.zeros(0, 0)
    return torch.cat(chunks)


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
        Training and validation inputs (see :class:`~seqconv.runs.stores.CodesTensor`).
    targets
        Targets of every row of ``inputs`` (see :func:`~seqconv.runs.tasks.target_tensor`).
    task
        ``binary``, ``multiclass``, ``multilabel`` or ``regression``.
    train_index, valid_index
        Rows to train on and to validate on.
    out_dir
        Where ``model.safetensors`` (best weights), ``checkpoint.safetensors`` and ``history.csv``
        are written after every epoch (rank 0 only); ``None`` keeps everything in memory.
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
    reporter = reporter or Reporter(quiet=True)
    dist = distributed or Distributed()
    device = inputs.device
    out = Path(out_dir) if out_dir is not None else None
    names = target_names or [str(i) for i in range(_n_outputs(targets, task))]
    loss_fn = loss_function(task)
    targets = targets.to(device)
    dtype = autocast_dtype(settings.precision, device)

    net = dist.wrap(model)
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
    aug_generator = generators.get(device.type, generators["cpu"])

    result = FitResult()
    best_state = None
    wait = 0
    start_epoch = 1
    if resume and out is not None and (out / CHECKPOINT).exists():
        state = load_checkpoint(out / CHECKPOINT, model, optimizer, generators)
        scheduler.load_state_dict(state["scheduler"])
        result = FitResult(state["history"], state["best_epoch"], state["best_score"])
        wait, start_epoch = state["wait"], state["epoch"] + 1
        best_state = _load_best(out)
        reporter.info(f"resuming after epoch {state['epoch']} from {out / CHECKPOINT}")

    metric = headline_metric(task)
    result.monitor = f"val_{metric}" if task != "regression" else "val_loss"
    if settings.monitor == "val_loss":
        result.monitor = "val_loss"
    for epoch in range(start_epoch, settings.epochs + 1):
        if wait >= settings.patience:
            result.stopped_early = True
            break
        shard = dist.shard(train_index, generators["cpu"])
        seen, loss_sum, started = 0, 0.0, time.perf_counter()
        net.train()
        with reporter.epoch(epoch, settings.epochs, len(shard)):
            for batch in batch_indices(shard, settings.batch_size, shuffle=False):
                raw = inputs.augment(inputs.gather(batch), aug_generator)
                x = inputs.encode(raw)
                with torch.autocast(
                    device.type, dtype=dtype or torch.float32, enabled=dtype is not None
                ):
                    output = net(x)
                loss = loss_fn(output.float(), targets[batch.to(device)])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                n = batch.numel()
                seen += n
                loss_sum += loss.item() * n
                elapsed = time.perf_counter() - started
                reporter.advance(n, loss_sum / seen, seen / max(elapsed, 1e-9))
        train_seconds = time.perf_counter() - started
        if not math.isfinite(loss_sum):
            raise FloatingPointError(
                f"the training loss became {loss_sum} in epoch {epoch}; try a smaller --lr"
            )

        outputs, index = dist.gather_predictions(
            lambda part: predict_outputs(
                model,
                inputs,
                part,
                4 * settings.batch_size,
                settings.rc_average,
                settings.precision,
            ),
            valid_index,
        )
        val_targets = targets[torch.as_tensor(index, device=device)].cpu()
        val_loss = float(loss_fn(outputs, val_targets))
        if outputs.dim() == 3:  # per-step outputs (teacher forcing): every step is scored
            scores = _per_step_scores(task, outputs, val_targets)
        else:
            scores = compute_metrics(
                task, val_targets.numpy(), link(task, outputs).numpy(), names, n_bootstrap=0
            )["summary"]
        score = -val_loss if result.monitor == "val_loss" else scores.get(metric, math.nan)
        if not math.isfinite(score):  # e.g. a validation set holding one class
            score = -val_loss
        scheduler.step(score)
        improved = score > result.best_score + 1e-6
        if improved:
            result.best_score, result.best_epoch, wait = score, epoch, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            wait += 1
        row = {
            "epoch": epoch,
            "train_loss": loss_sum / max(seen, 1),
            "val_loss": val_loss,
            f"val_{metric}": scores.get(metric),
            "lr": optimizer.param_groups[0]["lr"],
            "train_seq_per_s": seen * dist.world_size / max(train_seconds, 1e-9),
            "seconds": time.perf_counter() - started,
        }
        if is_classification(task):
            row["val_accuracy"] = scores.get("accuracy")
        result.history.append(row)
        reporter.epoch_summary(row)
        if out is not None and dist.is_main:
            if improved:
                save_weights(model, out / WEIGHTS, {"epoch": epoch, result.monitor: abs(score)})
            _write_history(out / HISTORY, result.history)
            state = {
                "epoch": epoch,
                "scheduler": scheduler.state_dict(),
                "history": result.history,
                "best_epoch": result.best_epoch,
                "best_score": result.best_score,
                "wait": wait,
                "settings": asdict(settings),
            }
            save_checkpoint(out / CHECKPOINT, model, optimizer, state, generators)
    else:
        result.stopped_early = wait >= settings.patience
    if best_state is not None:
        model.load_state_dict(best_state)
    dist.barrier()
    return result


def _per_step_scores(task: str, outputs: torch.Tensor, targets: torch.Tensor) -> dict:
    """Validation scores of per-step outputs ``(N, n_outputs, L)``: accuracy over all steps."""
    if is_classification(task):
        return {"accuracy": float((outputs.argmax(dim=1) == targets).float().mean())}
    return {}


def _n_outputs(targets: torch.Tensor, task: str) -> int:
    if is_classification(task):
        return int(targets.max()) + 1
    return targets.shape[1]


def _load_best(out: Path) -> dict | None:
    return load_file(str(out / WEIGHTS)) if (out / WEIGHTS).exists() else None


def _write_history(path: Path, history: list[dict]) -> None:
    write_with(path, lambda tmp: pd.DataFrame(history).to_csv(tmp, index=False))
