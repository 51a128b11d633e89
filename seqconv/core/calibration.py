"""Calibrated probabilities: a per-output scale and shift of the logits, fitted on validation data.

A network trained to a low loss ranks well but its probabilities are often off (Guo et al. 2017):
on Oct4 vs MafK peaks the held-out auROC was 0.998 while the ``prediction`` column was right for
90.5 % of sequences and the best threshold on the same scores for 98 %. After training, the
logits ``z`` of the validation rows are refitted as ``z' = a * z + b`` (``a > 0``), by the least
cross-entropy:

* ``binary``: Platt scaling of the logit difference (``a`` shared, ``b`` on the positive class);
* ``multiclass``: vector scaling (an ``a`` and a ``b`` per class);
* ``multilabel``: Platt scaling per label.

Targets are Platt's (1999) smoothed ones, so a validation set that the network separates does not
drive ``a`` to infinity; the fit is kept only when it lowers the validation log-loss against the
real labels (a network that is right 99.5 % of the time is better left as it is than pulled
towards the smoothed targets: Oct4 vs MafK, validation Brier 0.008 without, 0.011 with).
With ``a > 0`` the ranking of each output is unchanged for binary and
multi-label tasks (auROC and auPR stay as they were); the threshold moves. Regression is left as
it is. The fit is stored in ``config.json`` (``calibration``) and applied wherever a run predicts.

Also here: the expected calibration error and the Brier score that ``metrics.json`` reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from seqconv.core.tasks import is_classification
from seqconv.errors import InputError

CALIBRATED_TASKS = ("binary", "multiclass", "multilabel")
MIN_ROWS = 20
"""Fewer validation rows than this: no calibration (a fit on a handful of rows does more harm)."""
CROSS_FIT_FOLDS = 5
"""Parts of :func:`cross_fitted` (each fit sees 80 % of the validation rows)."""
METHODS = {"binary": "platt", "multiclass": "vector", "multilabel": "platt per label"}
ECE_BINS = 15


@dataclass
class Calibration:
    """``(N, K)`` logits to calibrated logits: ``outputs * scale + bias``.

    Attributes
    ----------
    method
        ``platt``, ``vector`` or ``platt per label`` (see the module).
    scale, bias
        ``(K,)`` each, one per model output.
    """

    method: str
    scale: list[float]
    bias: list[float]

    def apply(self, outputs: Tensor) -> Tensor:
        """``(N, K)`` logits to calibrated ``(N, K)`` logits (float32, on ``outputs``' device)."""
        out = outputs.float()
        scale = torch.tensor(self.scale, dtype=out.dtype, device=out.device)
        bias = torch.tensor(self.bias, dtype=out.dtype, device=out.device)
        return out * scale + bias

    def to_dict(self) -> dict:
        return {"method": self.method, "scale": list(self.scale), "bias": list(self.bias)}

    @classmethod
    def from_dict(cls, spec: object, n_outputs: int, where: str) -> Calibration:
        """Read ``config.json``'s ``calibration``, with a clear error for a broken one."""
        try:
            method = str(spec["method"])  # type: ignore[index]
            scale = [float(v) for v in spec["scale"]]  # type: ignore[index]
            bias = [float(v) for v in spec["bias"]]  # type: ignore[index]
        except (KeyError, TypeError, ValueError) as error:
            raise InputError(
                f"{where}: 'calibration' must hold 'method', 'scale' and 'bias' lists "
                f"({type(error).__name__}: {error})"
            ) from None
        if len(scale) != n_outputs or len(bias) != n_outputs:
            raise InputError(
                f"{where}: 'calibration' has {len(scale)} scale(s) and {len(bias)} bias(es) for "
                f"{n_outputs} output(s)"
            )
        if not all(np.isfinite(scale + bias)) or min(scale) <= 0:
            raise InputError(f"{where}: 'calibration' scales must be positive and finite")
        return cls(method, scale, bias)


def calibrated(task: str, outputs: Tensor, calibration: Calibration | None) -> Tensor:
    """``(N, K)`` logits to probabilities (or values), through ``calibration`` when there is one."""
    from seqconv.core.tasks import link

    return link(task, calibration.apply(outputs) if calibration is not None else outputs)


def fit_calibration(task: str, outputs: Tensor, truth: np.ndarray) -> Calibration:
    """Fit the calibration of ``task`` to validation logits.

    Parameters
    ----------
    outputs
        ``(N, K)`` logits of validation rows.
    truth
        ``(N,)`` class indices (binary, multiclass) or ``(N, K)`` 0/1 labels (multilabel).
    """
    z = outputs.detach().double().cpu()
    n, k = z.shape
    if is_classification(task):
        labels = torch.as_tensor(np.asarray(truth), dtype=torch.long)
        onehot = torch.nn.functional.one_hot(labels, k).double()
    else:
        onehot = torch.as_tensor(np.asarray(truth), dtype=torch.float64).reshape(n, k)
    if task == "binary":  # Platt on the logit difference, as a sigmoid of one score
        a, b = _fit_platt((z[:, 1] - z[:, 0])[:, None], onehot[:, 1:])
        return Calibration(METHODS[task], [a[0], a[0]], [0.0, b[0]])
    if task == "multilabel":
        a, b = _fit_platt(z, onehot)
        return Calibration(METHODS[task], a, b)
    a, b = _fit_vector(z, onehot)
    return Calibration(METHODS[task], a, b)


def log_loss(task: str, outputs: Tensor, truth: np.ndarray, fit: Calibration | None) -> float:
    """Mean cross-entropy of ``(N, K)`` logits (through ``fit``) against the real 0/1 truth."""
    z = fit.apply(outputs) if fit is not None else outputs.float()
    z = z.double().cpu()
    if is_classification(task):
        labels = torch.as_tensor(np.asarray(truth), dtype=torch.long)
        return float(torch.nn.functional.cross_entropy(z, labels))
    y = torch.as_tensor(np.asarray(truth), dtype=torch.float64).reshape(z.shape)
    return float(torch.nn.functional.binary_cross_entropy_with_logits(z, y))


def cross_fitted(
    task: str, outputs: Tensor, truth: np.ndarray, folds: int = CROSS_FIT_FOLDS, seed: int = 0
) -> Tensor:
    """Probabilities of rows each calibrated by a fit that did not see it (cross-fitting).

    The rows are dealt at random into ``folds`` parts; each part is calibrated by the fit on the
    others, kept only when it lowers their log-loss, as training keeps its fit. When the rows a
    run is scored on are the rows its calibration was fitted on (no test split), these are the
    probabilities whose ECE and Brier can be reported: the fit's own are in-sample.

    Parameters
    ----------
    outputs
        ``(N, K)`` logits.
    truth
        ``(N,)`` class indices (binary, multiclass) or ``(N, K)`` 0/1 labels (multilabel).
    folds
        Parts (at most ``N``; at least 2).

    Returns
    -------
    Tensor
        ``(N, K)`` float32 probabilities.
    """
    n = len(outputs)
    folds = max(2, min(int(folds), n))
    truth = np.asarray(truth)
    order = np.random.default_rng(seed).permutation(n)
    probabilities = torch.zeros(outputs.shape, dtype=torch.float32)
    for part in np.array_split(order, folds):
        rest = np.setdiff1d(order, part)
        fit_rows = torch.as_tensor(rest)
        fit = fit_calibration(task, outputs[fit_rows], truth[rest])
        if not log_loss(task, outputs[fit_rows], truth[rest], fit) < log_loss(
            task, outputs[fit_rows], truth[rest], None
        ):
            fit = None
        rows = torch.as_tensor(part)
        probabilities[rows] = calibrated(task, outputs[rows], fit).float().cpu()
    return probabilities


def smoothed_class_targets(onehot: Tensor) -> Tensor:
    """Platt's (1999) smoothed targets for classes: ``(N, K)`` one-hot rows to ``(N, K)``, a row's
    own class ``k`` at ``(n_k + 1) / (n_k + 2)`` (``n_k`` rows of that class), the rest shared
    evenly by the other classes."""
    counts = onehot.sum(dim=0)
    own = (onehot * ((counts + 1) / (counts + 2))).sum(dim=1, keepdim=True)
    return torch.where(onehot > 0, own, (1 - own) / max(onehot.shape[1] - 1, 1))


def _smoothed(onehot: Tensor) -> Tensor:
    """Platt's targets per column: ``(n+ + 1) / (n+ + 2)`` for positives, ``1 / (n- + 2)`` else."""
    positives = onehot.sum(dim=0)
    negatives = len(onehot) - positives
    return torch.where(onehot > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))


def _minimise(params: list[Tensor], loss_fn) -> None:
    """L-BFGS with a line search: a handful of parameters, converges in a few dozen steps."""
    optimizer = torch.optim.LBFGS(params, lr=1, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    optimizer.step(closure)


def _fit_platt(z: Tensor, onehot: Tensor) -> tuple[list[float], list[float]]:
    """Per column, ``sigmoid(a * z + b)`` against smoothed targets; ``a = exp(log_a) > 0``."""
    target = _smoothed(onehot)
    log_a = torch.zeros(z.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(z.shape[1], dtype=torch.float64, requires_grad=True)
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    _minimise([log_a, b], lambda: bce(z * log_a.exp() + b, target))
    return log_a.exp().tolist(), b.tolist()


def _fit_vector(z: Tensor, onehot: Tensor) -> tuple[list[float], list[float]]:
    """``softmax(a * z + b)`` against smoothed class targets; a light pull of ``a`` towards one
    and ``b`` towards zero keeps a class with few validation rows from running away."""
    n, k = z.shape
    soft = smoothed_class_targets(onehot)
    log_a = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    penalty = 1.0 / n

    def loss() -> Tensor:
        ce = -(soft * torch.log_softmax(z * log_a.exp() + b, dim=1)).sum(dim=1).mean()
        return ce + penalty * ((log_a**2).sum() + (b**2).sum())

    _minimise([log_a, b], loss)
    return log_a.exp().tolist(), b.tolist()


def calibration_scores(task: str, truth: np.ndarray, probabilities: np.ndarray) -> dict:
    """Expected calibration error and Brier score of probabilities.

    ``binary``/``multiclass``: ECE of the predicted class's probability against whether it is
    right (15 equal-width bins), Brier as the squared error summed over classes, averaged over
    rows. ``multilabel``: every (row, label) probability against its 0/1 label, both averaged.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if len(p) == 0:
        return {"ece": float("nan"), "brier": float("nan")}
    if is_classification(task):
        onehot = np.eye(p.shape[1])[np.asarray(truth, dtype=np.int64)]
        brier = float(((p - onehot) ** 2).sum(axis=1).mean())
    else:
        onehot = np.asarray(truth, dtype=np.float64).reshape(p.shape)
        brier = float(((p - onehot) ** 2).mean())
    return {"ece": _ece(*confidence_hits(task, truth, p)), "brier": brier}


def confidence_hits(
    task: str, truth: np.ndarray, probabilities: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What calibration judges: the predicted class's probability and whether the class is
    right (``(N,)`` each), or for multi-label targets every probability and its 0/1 label."""
    p = np.asarray(probabilities, dtype=np.float64)
    if is_classification(task):
        hit = (p.argmax(axis=1) == np.asarray(truth, dtype=np.int64)).astype(np.float64)
        return p.max(axis=1), hit
    return p.ravel(), np.asarray(truth, dtype=np.float64).ravel()


def prediction_accuracy(task: str, truth: np.ndarray, probabilities: np.ndarray) -> float:
    """Share of right ``prediction`` values: the most probable class, or each label at 0.5."""
    p = np.asarray(probabilities)
    if len(p) == 0:
        return float("nan")
    if is_classification(task):
        return float(np.mean(p.argmax(axis=1) == np.asarray(truth)))
    return float(np.mean((p >= 0.5) == (np.asarray(truth).reshape(p.shape) > 0)))


def reliability_bins(confidence: np.ndarray, hit: np.ndarray, bins: int = ECE_BINS):
    """Per equal-width bin of ``confidence``: mean confidence, observed rate and count."""
    which = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    count = np.bincount(which, minlength=bins).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(which, confidence, minlength=bins) / count
        rate = np.bincount(which, hit, minlength=bins) / count
    return mean_conf, rate, count


def _ece(confidence: np.ndarray, hit: np.ndarray) -> float:
    mean_conf, rate, count = reliability_bins(confidence, hit)
    seen = count > 0
    return float((count[seen] * np.abs(rate[seen] - mean_conf[seen])).sum() / count.sum())
