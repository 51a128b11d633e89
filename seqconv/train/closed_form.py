"""Fitting models that are not trained by gradients (``closed_form = True``, e.g. MiniRocket):
features of the training rows, then a ridge head whose penalty is chosen by exact leave-one-out
error (:mod:`seqconv.train.ridge`).

It writes what :func:`~seqconv.train.loop.fit` writes (``model.safetensors`` with its SHA-256 in
``config.json``, a one-row ``history.csv``) and returns the same :class:`FitResult`, so the run
directory, ``predict``, ``evaluate`` and ``load().predict`` do not know the difference. The
history row's losses are leave-one-out losses of the training rows when nothing is held out for
validation (a model fitted on a row scores it too well).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import Tensor, nn

from seqconv.atomic import write_with
from seqconv.core.metrics import compute_metrics, headline_metric
from seqconv.core.stores import InputStore, batch_indices
from seqconv.core.tasks import is_classification, link, loss_function
from seqconv.core.weights import weights_writer
from seqconv.errors import InputError, TrainingDiverged
from seqconv.models.feature_scaler import FeatureScaler, ScalerStats
from seqconv.models.masking import is_masked
from seqconv.models.protocol import is_closed_form as is_closed_form  # read in one place
from seqconv.progress import Reporter, track
from seqconv.rundir import HISTORY, write_weights
from seqconv.train.distributed import Distributed
from seqconv.train.loop import FitResult, FitSettings
from seqconv.train.ridge import fit_temperature, ridge_cv
from seqconv.train.streamed import (
    FeatureSource,
    choose_head,
    gram_ridge,
    logistic_head,
    predict_linear,
)

FEATURE_BATCH = 256
SCALER_ROWS = 4096
"""Training series the feature scaler is fitted on when the features do not fit in memory."""


def _split_mask(model: nn.Module, x: Tensor) -> tuple[Tensor, Tensor | None]:
    """The encoded input of a masked model carries its mask as the last channel."""
    if is_masked(model):
        return x[:, :-1], x[:, -1] > 0.5
    return x, None


def _rows(model: nn.Module, inputs: InputStore, index: np.ndarray) -> tuple[Tensor, Tensor | None]:
    batch = torch.as_tensor(index, dtype=torch.long)
    return _split_mask(model, inputs.encode(inputs.gather(batch)))


@torch.no_grad()
def features(model: nn.Module, inputs: InputStore, index: np.ndarray) -> Tensor:
    """``(len(index), n_features)`` raw features of the rows ``index``, made on the model's
    device in batches of :data:`FEATURE_BATCH` series, returned on the CPU."""
    parts = []
    for batch in batch_indices(np.asarray(index), FEATURE_BATCH, shuffle=False):
        x, mask = _split_mask(model, inputs.encode(inputs.gather(batch)))
        parts.append(model.features(x, mask).float().cpu())
    return torch.cat(parts) if parts else torch.zeros(0, model.linear.in_features)


def tracked(source: FeatureSource, label: str, show: bool) -> FeatureSource:
    """``source`` whose first pass shows progress (features made chunk by chunk)."""
    if not show or source.in_memory:
        return source
    chunks = source.chunks
    total = len(source.starts())

    def shown():
        yield from track(chunks(), total, label, enabled=True)

    source.chunks = shown  # type: ignore[method-assign]
    return source


def _fit_scaler(
    model: nn.Module, inputs: InputStore, train: FeatureSource, seed: int, reporter: Reporter
) -> None:
    """The model's feature scaler from the training features: all of them when they are kept
    in memory (computed here, once), else from :data:`SCALER_ROWS` training series drawn at
    random."""
    stats = ScalerStats(model.scaler.sparse)
    if train.in_memory:
        chunks = train.raw()
        total = len(train.starts())
        for _, x in track(chunks, total, "features", enabled=not reporter.quiet):
            stats.update(x)
    else:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(train.index, min(SCALER_ROWS, len(train)), replace=False))
        for start in range(0, len(sample), train.rows):
            stats.update(features(model, inputs, sample[start : start + train.rows]))
    model.scaler.fit(stats)


def fit_closed_form(
    model: nn.Module,
    inputs: InputStore,
    targets: Tensor,
    task: str,
    train_index: np.ndarray,
    valid_index: np.ndarray,
    settings: FitSettings,
    out_dir: str | Path | None = None,
    target_names: list[str] | None = None,
    reporter: Reporter | None = None,
    distributed: Distributed | None = None,
) -> FitResult:
    """Fit ``model``'s biases and its ridge head on the training rows.

    Parameters
    ----------
    model
        A closed-form model (``fit_biases``, ``features``, ``linear``, ``n_pairs``).
    inputs, targets, task, train_index, valid_index, settings, out_dir, target_names
        As for :func:`~seqconv.train.loop.fit` (only ``settings.seed`` is read).
    reporter, distributed
        Progress; under ``torchrun`` every process fits the same model, one writes it.

    Returns
    -------
    FitResult
        One "epoch"; ``best_score`` is minus the validation (or leave-one-out) loss.
    """
    if task == "multilabel":
        raise InputError(f"{model.build_config['name']} does not fit multi-label targets yet")
    reporter = reporter or Reporter(quiet=True)
    dist = distributed or Distributed()
    started = time.perf_counter()
    model.eval()
    generator = torch.Generator().manual_seed(settings.seed)
    if model.n_pairs:
        picks = torch.randint(len(train_index), (model.n_pairs,), generator=generator)
        chosen, local = np.unique(picks.numpy(), return_inverse=True)
        x, mask = _rows(model, inputs, np.asarray(train_index)[chosen])
        model.fit_biases(x, mask, torch.as_tensor(local))
    n_features = model.linear.in_features
    scaler = getattr(model, "scaler", None)
    transform = scaler if isinstance(scaler, FeatureScaler) else None

    def compute(rows: np.ndarray) -> Tensor:
        return features(model, inputs, rows)

    train = FeatureSource(compute, train_index, n_features, transform)
    if transform is not None:
        _fit_scaler(model, inputs, train, settings.seed, reporter)
    y = targets[torch.as_tensor(train_index, device=targets.device)].cpu()
    classify = is_classification(task)
    n_out = model.linear.out_features
    coded = y
    if classify:
        coded = -torch.ones(len(y), n_out, dtype=torch.float64)
        coded[torch.arange(len(y)), y] = 1.0  # RidgeClassifier's -1/+1 coding
    head = choose_head(len(train_index), n_features)
    held_out = not np.array_equal(np.sort(valid_index), np.sort(train_index))
    valid = FeatureSource(compute, valid_index, n_features, transform) if held_out else None
    valid_outputs = None
    show = not reporter.quiet
    if head == "logistic":
        valid_y = None
        if valid is not None:
            valid_y = targets[torch.as_tensor(valid_index, device=targets.device)].cpu()
            valid_y = valid_y if classify else valid_y.float().reshape(len(valid_y), -1)
        fit_y = y if classify else y.float().reshape(len(y), -1)
        device = model.linear.weight.device
        linear, _, epochs = logistic_head(
            train, fit_y, valid, valid_y, classify, n_out, settings.seed, device=device
        )
        scores = predict_linear(linear, valid if valid is not None else train)
        truth = valid_y if valid is not None else fit_y
        temperature = fit_temperature(scores, truth) if classify else 1.0
        weight, bias = linear.weight.detach().double(), linear.bias.detach().double()
        alpha, errors, loo = float("nan"), [], None
        valid_outputs = temperature * scores if valid is not None else None
        how = f"logistic head, {epochs} epochs of mini-batches"
    else:
        if head == "dual":
            ridge = ridge_cv(train.all(), coded, standardize=transform is None)
        else:
            ridge = gram_ridge(tracked(train, "ridge", show), coded, standardize=transform is None)
        temperature = fit_temperature(ridge.loo, y) if classify else 1.0
        weight, bias, alpha, errors = ridge.coef.T, ridge.intercept, ridge.alpha, ridge.errors
        loo = ridge.loo
        how = f"ridge penalty {alpha:.3g} (least leave-one-out error of {len(errors)})"
    model.linear.weight.data.copy_((temperature * weight).to(model.linear.weight))
    model.linear.bias.data.copy_((temperature * bias).to(model.linear.bias))
    train.close()
    fit_seconds = time.perf_counter() - started
    names = target_names or [str(i) for i in range(model.linear.out_features)]
    loss_fn = loss_function(task)
    if held_out:
        if valid_outputs is None:
            valid_outputs = predict_linear(model.linear, valid)
        outputs = valid_outputs.float().cpu()
        truth = targets[torch.as_tensor(valid_index, device=targets.device)].cpu()
        valid.close()
    if loo is not None:
        loo_outputs = (temperature * loo).float().cpu()
        loo_loss = float(loss_fn(loo_outputs, y))
    else:  # the logistic head: the training loss of the fitted head
        loo_outputs, loo_loss = None, float("nan")
    if not held_out:
        outputs, truth = (loo_outputs, y) if loo_outputs is not None else (None, y)
        if outputs is None:
            outputs = predict_linear(
                model.linear, FeatureSource(compute, train_index, n_features, transform)
            )
    val_loss = float(loss_fn(outputs, truth))
    metric = headline_metric(task)
    scores = compute_metrics(task, truth.numpy(), link(task, outputs).numpy(), names, 0)["summary"]
    row = {
        "epoch": 1,
        "train_loss": loo_loss,
        "val_loss": val_loss,
        f"val_{metric}": scores.get(metric),
        "alpha": alpha,
        "temperature": temperature,
        "train_seq_per_s": len(train_index) / max(fit_seconds, 1e-9),
        "seconds": time.perf_counter() - started,
    }
    if is_classification(task):
        row["val_accuracy"] = scores.get("accuracy")
    kind = "validation" if held_out else "leave-one-out" if loo is not None else "training"
    reporter.info(
        f"{n_features:,} features of {len(train_index):,} series; {how}; "
        f"{kind} loss {val_loss:.4g} in {fit_seconds:.1f} s"
    )
    if not math.isfinite(val_loss):
        raise TrainingDiverged("the ridge fit gave a non-finite loss; check the inputs")
    result = FitResult([row], 1, -val_loss, "val_loss", stopped_by="fitted")
    if not held_out and loo_outputs is not None:
        result.leave_one_out = (np.asarray(train_index), loo_outputs)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None and dist.is_main:
        meta = {"epoch": 1, "val_loss": val_loss, "alpha": alpha}
        write_weights(out, weights_writer(model, meta))
        write_with(out / HISTORY, lambda tmp: pd.DataFrame([row]).to_csv(tmp, index=False))
    dist.barrier()
    return result
