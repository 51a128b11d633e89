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
from seqconv.models.masking import is_masked
from seqconv.models.protocol import is_closed_form as is_closed_form  # read in one place
from seqconv.progress import Reporter, track
from seqconv.rundir import HISTORY, write_weights
from seqconv.train.distributed import Distributed
from seqconv.train.loop import FitResult, FitSettings
from seqconv.train.ridge import fit_temperature, ridge_cv

FEATURE_BATCH = 256


def _split_mask(model: nn.Module, x: Tensor) -> tuple[Tensor, Tensor | None]:
    """The encoded input of a masked model carries its mask as the last channel."""
    if is_masked(model):
        return x[:, :-1], x[:, -1] > 0.5
    return x, None


def _rows(model: nn.Module, inputs: InputStore, index: np.ndarray) -> tuple[Tensor, Tensor | None]:
    batch = torch.as_tensor(index, dtype=torch.long)
    return _split_mask(model, inputs.encode(inputs.gather(batch)))


@torch.no_grad()
def features(
    model: nn.Module, inputs: InputStore, index: np.ndarray, reporter: Reporter | None = None
) -> Tensor:
    """``(len(index), n_features)`` features of the rows ``index``, in batches."""
    parts = []
    batches = list(batch_indices(np.asarray(index), FEATURE_BATCH, shuffle=False))
    show = reporter is not None and not reporter.quiet
    for batch in track(batches, len(batches), "features", enabled=show):
        x, mask = _split_mask(model, inputs.encode(inputs.gather(batch)))
        parts.append(model.features(x, mask))
    return torch.cat(parts)


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
    picks = torch.randint(len(train_index), (model.n_pairs,), generator=generator)
    chosen, local = np.unique(picks.numpy(), return_inverse=True)
    x, mask = _rows(model, inputs, np.asarray(train_index)[chosen])
    model.fit_biases(x, mask, torch.as_tensor(local))
    train_x = features(model, inputs, train_index, reporter)
    y = targets[torch.as_tensor(train_index, device=targets.device)].to(train_x.device)
    if is_classification(task):
        n_classes = model.linear.out_features
        coded = -torch.ones(len(y), n_classes, dtype=torch.float64, device=train_x.device)
        coded[torch.arange(len(y)), y] = 1.0  # RidgeClassifier's -1/+1 coding
        ridge = ridge_cv(train_x, coded)
        temperature = fit_temperature(ridge.loo, y)
    else:
        ridge = ridge_cv(train_x, y)
        temperature = 1.0
    model.linear.weight.data.copy_((temperature * ridge.coef.T).to(model.linear.weight))
    model.linear.bias.data.copy_((temperature * ridge.intercept).to(model.linear.bias))
    fit_seconds = time.perf_counter() - started
    names = target_names or [str(i) for i in range(model.linear.out_features)]
    loss_fn = loss_function(task)
    loo_outputs = (temperature * ridge.loo).float().cpu()
    loo_loss = float(loss_fn(loo_outputs, y.cpu()))
    held_out = not np.array_equal(np.sort(valid_index), np.sort(train_index))
    if held_out:
        with torch.no_grad():
            outputs = model.linear(features(model, inputs, valid_index)).float().cpu()
        truth = targets[torch.as_tensor(valid_index, device=targets.device)].cpu()
    else:
        outputs, truth = loo_outputs, y.cpu()
    val_loss = float(loss_fn(outputs, truth))
    metric = headline_metric(task)
    scores = compute_metrics(task, truth.numpy(), link(task, outputs).numpy(), names, 0)["summary"]
    row = {
        "epoch": 1,
        "train_loss": loo_loss,
        "val_loss": val_loss,
        f"val_{metric}": scores.get(metric),
        "alpha": ridge.alpha,
        "temperature": temperature,
        "train_seq_per_s": len(train_index) / max(fit_seconds, 1e-9),
        "seconds": time.perf_counter() - started,
    }
    if is_classification(task):
        row["val_accuracy"] = scores.get("accuracy")
    kind = "validation" if held_out else "leave-one-out"
    reporter.info(
        f"{model.pool.n_features:,} features of {len(train_index):,} series; ridge penalty "
        f"{ridge.alpha:.3g} (least leave-one-out error of {len(ridge.errors)}); "
        f"{kind} loss {val_loss:.4g} in {fit_seconds:.1f} s"
    )
    if not math.isfinite(val_loss):
        raise TrainingDiverged("the ridge fit gave a non-finite loss; check the inputs")
    result = FitResult([row], 1, -val_loss, "val_loss", False)
    if not held_out:
        result.leave_one_out = (np.asarray(train_index), loo_outputs)
    out = Path(out_dir) if out_dir is not None else None
    if out is not None and dist.is_main:
        meta = {"epoch": 1, "val_loss": val_loss, "alpha": ridge.alpha}
        write_weights(out, weights_writer(model, meta))
        write_with(out / HISTORY, lambda tmp: pd.DataFrame([row]).to_csv(tmp, index=False))
    dist.barrier()
    return result
