"""MiniRocket: the paper's kernel bank and dilations, PPV pooling, masks, and the ridge head."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from seqconv import models
from seqconv.models.masking import enable_masks, with_mask_channel
from seqconv.models.minirocket import (
    N_KERNELS,
    bias_quantiles,
    channel_combinations,
    dilation_schedule,
    kernel_bank,
)
from seqconv.train.ridge import ALPHAS, fit_temperature, ridge_cv


def test_kernel_bank_is_the_papers():
    bank = kernel_bank()
    assert bank.shape == (84, 1, 9) and N_KERNELS == 84 == math.comb(9, 3)
    assert torch.all(bank.sum(dim=-1) == 0)  # -1 * 6 + 2 * 3: a constant input gives zero
    positions = [tuple((k[0] == 2).nonzero().flatten().tolist()) for k in bank]
    assert positions == list(itertools.combinations(range(9), 3))
    assert set(bank.unique().tolist()) == {-1.0, 2.0}


# aeon 1.6's _fit_dilations(L, 10_000, 32), printed once in its own environment
REFERENCE = {
    24: ([1, 2], [79, 40]),
    150: (
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18],
        [30, 15, 12, 12, 4, 8, 8, 4, 4, 4, 3, 3, 3, 3, 3, 3],
    ),
    10_000: (
        [1, 2, 3, 5, 6, 7, 9, 12, 15, 19, 25, 31, 39, 49, 62, 79, 99, 125, 157, 198, 249, 314,
         395, 498, 626, 788, 993, 1249],
        [15, 4, 8, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3],
    ),
}  # fmt: skip


@pytest.mark.parametrize("length", sorted(REFERENCE))
def test_dilations_are_the_reference_codes(length):
    dilations, per = dilation_schedule(length)
    assert (dilations, per) == REFERENCE[length]
    assert sum(per) == 10_000 // 84 == 119
    assert dilations[-1] <= (length - 1) / 8


def test_dilations_of_series_shorter_than_a_kernel():
    assert dilation_schedule(5) == ([1], [119])


def test_quantiles_are_low_discrepancy():
    q = bias_quantiles(1000).numpy()
    assert q.min() > 0 and q.max() < 1
    assert np.histogram(q, bins=10, range=(0, 1))[0].min() >= 98  # near-uniform


def test_channel_subsets():
    one = channel_combinations(1, 3, seed=0)
    assert torch.all(one == 1)
    many = channel_combinations(12, 5, seed=0)
    counts = many.sum(dim=-1)
    assert counts.min() >= 1 and counts.max() <= 9  # at most min(C, 9) channels
    assert torch.equal(many, channel_combinations(12, 5, seed=0))
    assert not torch.equal(many, channel_combinations(12, 5, seed=1))


def _fitted(length: int = 60, channels: int = 1, n: int = 12, seed: int = 0):
    torch.manual_seed(seed)
    model = models.build("minirocket", in_channels=channels, n_outputs=2, length=length)
    x = torch.randn(n, channels, length).cumsum(-1)
    model.fit_biases(x, None, torch.randint(n, (model.n_pairs,)))
    return model.eval(), x


def test_ppv_equals_counting_positive_values():
    model, x = _fitted()
    feats = model.features(x)
    assert feats.shape == (12, 84 * 119)
    # dilation 1, kernel 0 pools over the whole series; kernel 1 only where it does not overhang
    conv = model.trunk.convolve(x, 0)
    b = model.pool.biases
    per = model.pool.per_dilation[0]
    whole = (conv[:, 0, :, None] > b[:per]).float().mean(dim=1)
    inner = (conv[:, 1, 4:-4, None] > b[per : 2 * per]).float().mean(dim=1)
    assert torch.allclose(feats[:, :per], whole)
    assert torch.allclose(feats[:, per : 2 * per], inner)
    assert torch.equal(model.pool(model.trunk(x)), feats)  # head(trunk(x)) agrees


def test_biases_are_quantiles_of_the_picked_series():
    model, x = _fitted()
    picks = torch.zeros(model.n_pairs, dtype=torch.long)  # every pair draws from series 0
    model.fit_biases(x, None, picks)
    conv = model.trunk(x[:1])[0].double().numpy()
    q = bias_quantiles(model.pool.n_features).numpy()
    per = model.pool.per_dilation[0]
    expected = np.quantile(conv[3], q[3 * per : 4 * per])  # dilation 1, kernel 3
    assert np.allclose(model.pool.biases[3 * per : 4 * per].numpy(), expected, atol=1e-5)


@pytest.mark.parametrize("channels", [1, 3])
def test_unequal_length_features_equal_the_series_alone(channels):
    model, x = _fitted(length=80, channels=channels)
    lengths = [80, 57, 31, 6]
    padded = torch.zeros(len(lengths), channels, 80)
    mask = torch.zeros(len(lengths), 80, dtype=torch.bool)
    for i, n in enumerate(lengths):
        padded[i, :, :n] = x[i, :, :n]
        mask[i, :n] = True
    together = model.features(padded, mask)
    for i, n in enumerate(lengths):
        alone = model.features(x[i : i + 1, :, :n])
        assert torch.allclose(together[i], alone[0]), n
    # and through the model with masks enabled, as training and prediction call it
    masked = enable_masks(model)
    with torch.no_grad():
        out = masked(with_mask_channel(padded, mask))
        first = masked(with_mask_channel(x[1:2, :, :57], None))
    assert torch.allclose(out[1], first[0], atol=1e-5)


def test_ridge_matches_scikit_learn_and_picks_a_sensible_alpha():
    from sklearn.linear_model import RidgeCV
    from sklearn.preprocessing import StandardScaler

    g = torch.Generator().manual_seed(0)
    for n, p, noise in ((40, 200, 0.1), (400, 30, 3.0)):
        x = torch.randn(n, p, generator=g, dtype=torch.float64) * 2 + 1
        y = x[:, :5].sum(1, keepdim=True) + noise * torch.randn(
            n, 1, generator=g, dtype=torch.float64
        )
        fit = ridge_cv(x, y)
        xs = StandardScaler().fit_transform(x.numpy())
        sk = RidgeCV(alphas=np.array(ALPHAS)).fit(xs, y.numpy()[:, 0])
        assert fit.alpha == pytest.approx(sk.alpha_)
        assert np.allclose((x @ fit.coef + fit.intercept).numpy()[:, 0], sk.predict(xs))
    # noisier targets call for a stronger penalty
    x = torch.randn(60, 100, generator=g, dtype=torch.float64)
    signal = x[:, :1]
    quiet = ridge_cv(x, signal + 0.01 * torch.randn(60, 1, generator=g, dtype=torch.float64))
    noisy = ridge_cv(x, signal + 3.0 * torch.randn(60, 1, generator=g, dtype=torch.float64))
    assert quiet.alpha < noisy.alpha
    # leave-one-out predictions really leave the row out
    direct = ridge_cv(x[1:], signal[1:] + 0.1)
    full = ridge_cv(x, signal + 0.1, alphas=[direct.alpha])
    assert full.loo[0, 0] == pytest.approx(float(x[:1] @ direct.coef + direct.intercept), rel=0.2)


def test_temperature_is_finite_for_separable_scores():
    scores = torch.tensor([[2.0, -2.0]] * 10 + [[-2.0, 2.0]] * 10)
    classes = torch.tensor([0] * 10 + [1] * 10)
    t = fit_temperature(scores, classes)
    p = torch.softmax(t * scores, dim=1)[0, 0]
    assert 0.9 < float(p) < 0.99  # Platt's targets: 11/12 for a class of 10


@pytest.mark.parametrize("channels", [1, 3])
def test_pair_convolutions_are_the_diagonal_of_the_full_ones(channels):
    model, _ = _fitted(channels=channels)
    x = torch.randn(84, channels, 50)
    for index in (0, 3):
        full = model.trunk.convolve(x, index)  # (84 series, 84 kernels, L)
        diagonal = full[torch.arange(84), torch.arange(84)]
        pairs = model.trunk.convolve_pairs(x, index)
        assert pairs.dtype == torch.float64
        assert torch.equal(pairs.float(), diagonal)  # exact: both sum in float64


def test_biases_of_padded_series_equal_those_of_the_series_alone():
    torch.manual_seed(1)
    model = models.build("minirocket", n_outputs=2, length=40)
    short = torch.randn(1, 1, 30).cumsum(-1)
    padded = torch.cat([short, torch.zeros(1, 1, 10)], dim=-1)
    mask = torch.arange(40)[None] < 30
    picks = torch.zeros(model.n_pairs, dtype=torch.long)
    model.fit_biases(padded, mask, picks)
    from_padded = model.pool.biases.clone()
    alone = models.build("minirocket", n_outputs=2, length=40)
    alone.fit_biases(short, None, picks)
    assert torch.allclose(from_padded, alone.pool.biases, atol=1e-5)
