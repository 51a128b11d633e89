"""What each task means for the model's outputs: the loss, the link to predictions, target tensors.

* ``binary`` / ``multiclass``: a logit per class, softmax, cross-entropy; targets are class indices.
* ``multilabel``: one logit per target, sigmoid, binary cross-entropy; targets are 0/1.
* ``regression``: one output per target, mean squared error on standardised targets.
* ``segment``: a logit per class and position ``(B, K, L)``, sigmoid, binary cross-entropy with
  the positive positions weighted (they are rare); targets are 0/1 per position.
* ``profile``: per track, profile logits and ``log(1 + total)`` ``(B, T, W + 1)``; the BPNet loss
  (multinomial NLL + ``count_weight`` x MSE of the log counts; :mod:`seqconv.core.profiles`);
  predictions are expected counts per base.
"""

from __future__ import annotations

import numpy as np
import torch

CLASSIFICATION = ("binary", "multiclass")


def is_classification(task: str) -> bool:
    """Whether the task predicts one class per sequence."""
    return task in CLASSIFICATION


def loss_function(
    task: str, pos_weight: list[float] | None = None, count_weight: float | None = None
) -> torch.nn.Module:
    """The training loss for ``task``, taking ``(B, n_outputs)`` outputs (``(B, K, L)`` for
    ``segment``, ``(B, T, W + 1)`` for ``profile``) and batch targets; ``pos_weight``: per class,
    the weight of positive positions; ``count_weight``: the weight of a profile's counts term."""
    if task == "profile":
        from seqconv.core.profiles import ProfileLoss

        return ProfileLoss(1.0 if count_weight is None else count_weight)
    if is_classification(task):
        return torch.nn.CrossEntropyLoss()
    if task == "segment":
        weight = torch.tensor(pos_weight)[:, None] if pos_weight else None
        return _DeviceBCE(weight)
    if task == "multilabel":
        return torch.nn.BCEWithLogitsLoss()
    return torch.nn.MSELoss()


class _DeviceBCE(torch.nn.Module):
    """Binary cross-entropy whose positive weights follow the outputs to their device."""

    def __init__(self, pos_weight: torch.Tensor | None) -> None:
        super().__init__()
        self.pos_weight = pos_weight

    def forward(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        weight = None if self.pos_weight is None else self.pos_weight.to(outputs.device)
        return torch.nn.functional.binary_cross_entropy_with_logits(
            outputs, targets, pos_weight=weight
        )


def reported_targets(task: str, names: list[str]) -> list[str]:
    """What a per-target output (a track, variant effects) shows by default: the positive (last)
    class of a binary task, whose other class is its complement; every class or target else."""
    return [names[-1]] if task == "binary" else list(names)


def build_for_task(name: str, task: str, **kwargs: object) -> torch.nn.Module:
    """The zoo model ``name`` for ``task``: a model that averages several networks (an option
    ``combine``, e.g. ``inception`` with ``ensemble=5``) averages the task's predictions
    (probabilities of classes or labels, or values) unless ``kwargs`` says otherwise."""
    from seqconv.models import build, defaults

    if "combine" in defaults(name) and "combine" not in kwargs:
        kwargs["combine"] = (
            "softmax" if is_classification(task) else "sigmoid" if task == "multilabel" else "mean"
        )
    return build(name, **kwargs)


def target_tensor(task: str, targets: np.ndarray) -> torch.Tensor:
    """Targets as the loss wants them: int64 ``(N,)`` for classes, float32 ``(N, T)`` otherwise."""
    if is_classification(task):
        return torch.as_tensor(targets, dtype=torch.long)
    return torch.as_tensor(targets, dtype=torch.float32)


def link(task: str, outputs: torch.Tensor) -> torch.Tensor:
    """Model outputs ``(B, n_outputs)`` to probabilities (classification) or values (regression)."""
    if is_classification(task):
        return outputs.float().softmax(dim=-1)
    if task == "profile":
        from seqconv.core.profiles import expected_counts

        return expected_counts(outputs)
    if task in ("multilabel", "segment"):
        return outputs.float().sigmoid()
    return outputs.float()


class TargetScaler:
    """Standardises regression targets with statistics of the training split.

    Parameters
    ----------
    mean, std
        ``(T,)`` per-target statistics.
    """

    def __init__(self, mean: np.ndarray, std: np.ndarray) -> None:
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.where(np.asarray(std, dtype=np.float32) > 0, std, 1.0).astype(np.float32)

    @classmethod
    def fit(cls, targets: np.ndarray) -> TargetScaler:
        """Fit on ``(N, T)`` training targets."""
        return cls(targets.mean(axis=0), targets.std(axis=0))

    @classmethod
    def identity(cls, n_targets: int) -> TargetScaler:
        return cls(np.zeros(n_targets), np.ones(n_targets))

    def scale(self, targets: np.ndarray) -> np.ndarray:
        return ((targets - self.mean) / self.std).astype(np.float32)

    def unscale(self, values: np.ndarray) -> np.ndarray:
        return values * self.std + self.mean

    def to_dict(self) -> dict:
        return {"mean": self.mean.tolist(), "std": self.std.tolist()}

    @classmethod
    def from_dict(cls, state: dict) -> TargetScaler:
        return cls(np.array(state["mean"]), np.array(state["std"]))
