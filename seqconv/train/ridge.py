"""Ridge regression with the penalty chosen by exact leave-one-out error, in closed form on any
device (what scikit-learn's ``RidgeCV``/``RidgeClassifierCV`` do by default, in torch).

Features are standardised and the intercept is not penalised. One eigendecomposition of the
smaller Gram matrix (``n x n`` when there are fewer rows than features, else ``p x p``) serves
every penalty: the fitted values, the leverages and so the leave-one-out residuals
``r_i / (1 - h_ii)`` follow for each penalty at the cost of a few matrix products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from seqconv.core.calibration import smoothed_class_targets

ALPHAS: tuple[float, ...] = tuple(
    float(a) for a in torch.logspace(-3, 3, 10, dtype=torch.float64).tolist()
)
"""The penalties tried by default (MiniRocket's ``RidgeClassifierCV(np.logspace(-3, 3, 10))``)."""


@dataclass
class RidgeFit:
    """A fitted ridge model in the units of the raw features.

    Attributes
    ----------
    coef, intercept
        ``(p, t)`` and ``(t,)``: predictions are ``x @ coef + intercept``.
    alpha
        The chosen penalty.
    loo
        ``(n, t)`` leave-one-out predictions of the training rows at ``alpha``.
    errors
        Mean squared leave-one-out error of every penalty tried, in order.
    """

    coef: Tensor
    intercept: Tensor
    alpha: float
    loo: Tensor
    errors: list[float]


def ridge_cv(
    x: Tensor, y: Tensor, alphas: Sequence[float] = ALPHAS, standardize: bool = True
) -> RidgeFit:
    """Fit ridge regression of ``y`` on ``x`` for each penalty; keep the best by LOO error.

    Parameters
    ----------
    x
        ``(n, p)`` features (any float dtype; computed in float64 on ``x``'s device).
    y
        ``(n, t)`` targets (``-1/+1`` one-hot columns for a classifier).
    alphas
        Penalties to try; ties go to the first.
    standardize
        Scale each feature to unit variance first (``False``: features already scaled, only
        centred, as scikit-learn's ``RidgeCV`` on scaled features).

    Returns
    -------
    RidgeFit
    """
    x = x.double()
    y = y.to(x).reshape(len(y), -1)
    n = x.shape[0]
    mean = x.mean(dim=0)
    scale = x.std(dim=0, unbiased=False)
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    if not standardize:
        scale = torch.ones_like(scale)
    xs = (x - mean) / scale
    y_mean = y.mean(dim=0)
    yc = y - y_mean
    if (
        n <= x.shape[1]
    ):  # dual: K = X X^T = Q diag(e) Q^T, (X^T X + a)^-1 X^T = X^T Q (e + a)^-1 Q^T
        e, q = torch.linalg.eigh(xs @ xs.T)
        basis, projected = q, q.T @ yc  # fitted = Q diag(e / (e + a)) Q^T y
        shrink = lambda a: e.clamp_min(0) / (e.clamp_min(0) + a)  # noqa: E731
    else:  # primal: X^T X = V diag(e) V^T; fitted = (XV) diag(1 / (e + a)) (XV)^T y
        e, v = torch.linalg.eigh(xs.T @ xs)
        xv = xs @ v
        basis, projected = xv, xv.T @ yc
        shrink = lambda a: 1.0 / (e.clamp_min(0) + a)  # noqa: E731
    squared_basis = basis**2
    best = None
    errors = []
    for alpha in alphas:
        w = shrink(alpha)
        fitted = basis @ (w[:, None] * projected)
        leverage = squared_basis @ w + 1.0 / n  # + 1/n: the unpenalised intercept
        residual = (yc - fitted) / (1.0 - leverage).clamp_min(1e-12)[:, None]
        error = float((residual**2).mean())
        errors.append(error)
        if best is None or error < best[0]:
            best = (error, alpha, w, yc - residual)
    _, alpha, w, loo_centered = best
    if n <= x.shape[1]:
        coef_scaled = xs.T @ (q @ (projected / (e.clamp_min(0) + alpha)[:, None]))
    else:
        coef_scaled = v @ (w[:, None] * projected)
    coef = coef_scaled / scale[:, None]
    intercept = y_mean - mean @ coef
    return RidgeFit(coef, intercept, float(alpha), loo_centered + y_mean, errors)


def fit_temperature(scores: Tensor, classes: Tensor) -> float:
    """The ``T > 0`` whose ``softmax(T * scores)`` has the least cross-entropy (a grid search).

    Ridge scores of a classifier rank well but are not log-odds; fitted on leave-one-out scores,
    one temperature turns them into probabilities without changing which class wins. The
    targets are Platt's (1999) smoothed ones, ``(n_k + 1) / (n_k + 2)`` for a series' own class
    ``k``, so scores that separate every training series do not drive ``T`` (and the
    probabilities) to infinity.

    Parameters
    ----------
    scores
        ``(n, K)`` scores; ``classes``: ``(n,)`` class indices.
    """
    s = scores.double()
    classes = classes.to(s.device)
    soft = smoothed_class_targets(torch.nn.functional.one_hot(classes, s.shape[1]).to(s))
    grid = torch.logspace(-2, 4, 241, dtype=torch.float64, device=s.device)
    losses = torch.stack([torch.nn.functional.cross_entropy(t * s, soft) for t in grid])
    return float(grid[int(torch.argmin(losses))])
