"""Heads of the closed-form models for any number of series: features are made in chunks of
rows and never all held at once unless they are small.

* :class:`FeatureSource` hands out the features of a set of rows chunk by chunk: kept in memory
  when they take at most :data:`CACHE_BYTES`, else written once to a temporary file (float16,
  after scaling; read back chunk by chunk with plain reads, so the page cache is not counted in
  the process' memory).
* :func:`gram_ridge`: ridge regression from the Gram matrix ``X^T X`` and ``X^T Y`` accumulated
  over the chunks (one pass), its eigendecomposition, and the exact leave-one-out error of every
  penalty from a second pass (``h_ii`` and ``r_i / (1 - h_ii)`` chunk by chunk); equal to
  :func:`seqconv.train.ridge.ridge_cv` on the same rows (tested).
* :func:`logistic_head`: a linear softmax (or least-squares) head trained with Adam in
  mini-batches over the chunks, stopped on the validation loss; cheaper than either ridge when
  there are many series and many features (the Gram matrix of 50,000 features alone would take
  20 GB).

:func:`choose_head` picks one of these or the in-memory :func:`~seqconv.train.ridge.ridge_cv`.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import torch
from torch import Tensor, nn

from seqconv.train.ridge import ALPHAS, RidgeFit

CACHE_BYTES = 768 * 2**20
"""Features of a split kept in memory (float32) up to this size; beyond, on disk."""
CHUNK_BYTES = 48 * 2**20
"""Features made at once (float32)."""
PRIMAL_MAX = 6_000
"""Most features for the primal Gram ridge (``p^2`` float64 numbers: 288 MB, twice for the
eigenvectors)."""
PRIMAL_WORK = 2e12
"""Most multiply-adds (``2 n p^2``) the Gram ridge may take before the logistic head is used."""


class FeatureSource:
    """The features of ``index``'s rows, chunk by chunk, made once.

    Parameters
    ----------
    compute
        ``(b,) row index -> (b, p)`` raw features.
    index
        The rows.
    n_features
        ``p``.
    transform
        Applied to each chunk as it is handed out (the model's scaler), once it is fitted.
    """

    def __init__(
        self,
        compute: Callable[[np.ndarray], Tensor],
        index: np.ndarray,
        n_features: int,
        transform: Callable[[Tensor], Tensor] | None = None,
    ) -> None:
        self.compute, self.index, self.p = compute, np.asarray(index), n_features
        self.transform = transform or (lambda x: x)
        self.rows = max(1, CHUNK_BYTES // (4 * max(n_features, 1)))
        self.in_memory = len(self.index) * n_features * 4 <= CACHE_BYTES
        self._memory: list[Tensor] = []
        self._file = None
        self._spans: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self.index)

    def starts(self) -> range:
        return range(0, len(self.index), self.rows)

    def raw(self) -> Iterator[tuple[slice, Tensor]]:
        """Raw features, computed now (kept when they fit in memory)."""
        for start in self.starts():
            part = slice(start, min(start + self.rows, len(self.index)))
            x = self.compute(self.index[part]).float().cpu()
            if self.in_memory:
                self._memory.append(x)
            yield part, x

    def chunks(self) -> Iterator[tuple[slice, Tensor]]:
        """Transformed features; the first call computes them (and stores them on disk when
        they do not fit in memory), later calls read them back."""
        if self.in_memory and self._memory:
            for start, x in zip(self.starts(), self._memory, strict=True):
                yield slice(start, start + len(x)), self.transform(x)
            return
        if self._file is not None:
            for start, (offset, size) in zip(self.starts(), self._spans, strict=True):
                self._file.seek(offset)
                values = np.frombuffer(self._file.read(size), dtype=np.float16)
                x = torch.from_numpy(values.reshape(-1, self.p).astype(np.float32))
                yield slice(start, start + len(x)), x
            return
        if not self.in_memory:
            self._file = tempfile.TemporaryFile(prefix="seqconv-features-")
        for part, x in self.raw():
            x = self.transform(x)
            if self._file is not None:
                data = x.numpy().astype(np.float16).tobytes()
                self._spans.append((self._file.tell(), len(data)))
                self._file.write(data)
            yield part, x

    def all(self) -> Tensor:
        """Every row's transformed features at once (only for sources held in memory)."""
        return torch.cat([x for _, x in self.chunks()])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def choose_head(n: int, p: int) -> str:
    """``"dual"`` (in-memory ridge, fewer rows than features), ``"gram"`` (chunked primal
    ridge) or ``"logistic"`` (mini-batches), for ``n`` training rows of ``p`` features."""
    if n <= p and n * p * 4 <= CACHE_BYTES:
        return "dual"
    if p <= PRIMAL_MAX and 2.0 * n * p * p <= PRIMAL_WORK:
        return "gram"
    return "logistic"


@torch.no_grad()
def gram_ridge(
    source: FeatureSource, y: Tensor, alphas: Sequence[float] = ALPHAS, standardize: bool = True
) -> RidgeFit:
    """Ridge regression of ``y`` ``(n, t)`` on ``source``'s features with the penalty of least
    exact leave-one-out error, from chunks (what :func:`~seqconv.train.ridge.ridge_cv` gives
    with more rows than features)."""
    y = y.double().reshape(len(y), -1).cpu()
    p, n = source.p, len(source)
    gram = torch.zeros(p, p, dtype=torch.float64)
    sums = torch.zeros(p, dtype=torch.float64)
    cross = torch.zeros(p, y.shape[1], dtype=torch.float64)
    for part, x in source.chunks():
        x = x.double()
        gram.addmm_(x.T, x)
        sums += x.sum(dim=0)
        cross.addmm_(x.T, y[part])
    mean = sums / n
    y_mean = y.mean(dim=0)
    gram.sub_(n * torch.outer(mean, mean))  # centred
    scale = (gram.diagonal() / n).clamp_min(0).sqrt()
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    if not standardize:
        scale = torch.ones_like(scale)
    gram.div_(torch.outer(scale, scale))
    projected_x = (cross - torch.outer(sums, y_mean)) / scale[:, None]  # Xs^T Yc
    e, v = torch.linalg.eigh(gram)
    del gram
    e = e.clamp_min(0)
    projected = v.T @ projected_x  # (p, t)
    errors = torch.zeros(len(alphas), dtype=torch.float64)
    loo = torch.zeros(len(alphas), n, y.shape[1], dtype=torch.float32)
    for part, x in source.chunks():
        z = ((x.double() - mean) / scale) @ v  # (b, p)
        yc = y[part] - y_mean
        squared = z**2
        for a, alpha in enumerate(alphas):
            w = 1.0 / (e + alpha)
            fitted = z @ (w[:, None] * projected)
            leverage = squared @ w + 1.0 / n
            residual = (yc - fitted) / (1.0 - leverage).clamp_min(1e-12)[:, None]
            errors[a] += (residual**2).sum()
            loo[a, part] = (yc - residual + y_mean).float()
    errors /= n * y.shape[1]
    best = int(torch.argmin(errors))  # the first of equal errors
    w = 1.0 / (e + alphas[best])
    coef = (v @ (w[:, None] * projected)) / scale[:, None]
    intercept = y_mean - mean @ coef
    return RidgeFit(coef, intercept, float(alphas[best]), loo[best].double(), errors.tolist())


def logistic_head(
    train: FeatureSource,
    y: Tensor,
    valid: FeatureSource | None,
    valid_y: Tensor | None,
    classification: bool,
    n_outputs: int,
    seed: int = 0,
    epochs: int = 30,
    patience: int = 3,
    batch: int = 256,
    lr: float = 1e-3,
    device: torch.device | str = "cpu",
) -> tuple[nn.Linear, float, int]:
    """A linear head trained with Adam over mini-batches of the chunks.

    Classification minimises cross-entropy on class indices ``y`` ``(n,)``; regression the
    squared error on ``y`` ``(n, t)``. Stops after ``patience`` epochs without a lower loss on
    ``valid`` (else after ``epochs``) and keeps the best epoch's weights.

    Returns
    -------
    linear, best validation (or training) loss, epochs run
    """
    generator = torch.Generator().manual_seed(seed)
    linear = nn.Linear(train.p, n_outputs).to(device)
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    optimizer = torch.optim.Adam(linear.parameters(), lr=lr)
    loss_fn = nn.functional.cross_entropy if classification else nn.functional.mse_loss
    y = y.to(device)
    best, best_state, waited, run = math.inf, None, 0, 0
    for _ in range(epochs):
        run += 1
        total = 0.0
        for part, x in train.chunks():
            x, target = x.to(device), y[part]
            order = torch.randperm(len(x), generator=generator)
            for s in range(0, len(x), batch):
                rows = order[s : s + batch].to(device)
                loss = loss_fn(linear(x[rows]), target[rows])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(rows)
        score = total / len(train)
        if valid is not None and valid_y is not None:
            score = float(loss_fn(predict_linear(linear, valid), valid_y.to("cpu")))
        if score < best - 1e-6:
            best, waited = score, 0
            best_state = {k: v.detach().clone() for k, v in linear.state_dict().items()}
        else:
            waited += 1
            if waited >= patience:
                break
    if best_state is not None:
        linear.load_state_dict(best_state)
    return linear.cpu(), best, run


@torch.no_grad()
def predict_linear(linear: nn.Linear, source: FeatureSource) -> Tensor:
    """``linear`` over every row of ``source``: ``(n, outputs)`` on the CPU."""
    device = linear.weight.device
    return torch.cat([linear(x.to(device)).float().cpu() for _, x in source.chunks()])
