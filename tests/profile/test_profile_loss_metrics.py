"""The BPNet loss and bpnet-lite's metrics, against their formulas written out here."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.spatial.distance import jensenshannon
from scipy.special import gammaln, log_softmax
from scipy.stats import pearsonr, spearmanr

from seqconv.core.profile_metrics import profile_scores, region_scores
from seqconv.core.profiles import (
    ProfileLoss,
    ProfileScore,
    count_weight_default,
    expected_counts,
    pack_targets,
)
from seqconv.core.tasks import loss_function


def _bpnet_lite_loss(logits, log_counts, counts, weight, lam):
    """bpnet-lite's MNLLLoss + lam * log1pMSELoss, one multinomial per track."""
    logp = log_softmax(logits, axis=-1)
    total = counts.sum(-1)
    nll = -gammaln(total + 1) + gammaln(counts + 1).sum(-1) - (counts * logp).sum(-1)
    profile = (nll.sum(-1) * weight).sum() / weight.sum()
    mse = ((log_counts - np.log1p(total)) ** 2).mean()
    return profile + lam * mse, profile, mse


def test_the_loss_is_the_multinomial_nll_plus_weighted_count_mse():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 2, 30))
    log_counts = rng.normal(3, 1, size=(6, 2))
    counts = rng.poisson(2.0, size=(6, 2, 30)).astype(float)
    weight = np.array([1, 1, 1, 0, 1, 0], dtype=float)  # two background windows
    outputs = torch.as_tensor(np.concatenate([logits, log_counts[..., None]], -1))
    targets = pack_targets(torch.as_tensor(counts), torch.as_tensor(weight))
    loss = loss_function("profile", count_weight=7.5)
    value = loss(outputs, targets)
    want, profile, mse = _bpnet_lite_loss(logits, log_counts, counts, weight, 7.5)
    assert float(value) == pytest.approx(want, rel=1e-6)
    assert float(loss.terms["profile_nll"]) == pytest.approx(profile, rel=1e-6)
    assert float(loss.terms["counts_mse"]) == pytest.approx(mse, rel=1e-6)
    assert isinstance(loss, ProfileLoss)


def test_count_weight_is_bpnet_lites_default():
    counts = torch.tensor([[[1.0, 2.0], [3.0, 0.0]], [[4.0, 4.0], [0.0, 2.0]]])
    assert count_weight_default(counts) == pytest.approx((3 + 3 + 8 + 2) / 4)


def test_expected_counts_are_probabilities_times_the_total():
    out = torch.randn(3, 2, 11)
    expected = expected_counts(out)
    assert torch.allclose(expected.sum(-1), torch.expm1(out[..., -1]).clamp(min=0), atol=1e-5)


def test_region_scores_follow_bpnet_lites_definitions():
    rng = np.random.default_rng(1)
    observed = rng.poisson(3.0, size=(5, 1, 40)).astype(float)
    logits = rng.normal(size=(5, 1, 40))
    scores = region_scores(logits, observed)
    probs = np.exp(log_softmax(logits, axis=-1))
    for i in range(5):
        p, o = probs[i, 0], observed[i, 0]
        assert scores["pearson"][i, 0] == pytest.approx(pearsonr(p, o)[0], abs=1e-9)
        # bpnet-lite ranks by argsort (ties by position); scipy averages ties: close, not equal
        assert scores["spearman"][i, 0] == pytest.approx(spearmanr(p, o)[0], abs=0.1)
        # bpnet-lite's "distance" is the divergence: scipy's distance squared (natural log)
        assert scores["jsd"][i, 0] == pytest.approx(jensenshannon(p, o) ** 2, abs=1e-9)


def test_summary_scores_a_stranded_pair_as_one_unit():
    rng = np.random.default_rng(2)
    observed = rng.poisson(5.0, size=(40, 2, 30)).astype(float)
    perfect_logits = np.log(observed + 1e-3)
    perfect_counts = np.log1p(observed.sum(-1))
    scores = profile_scores(perfect_logits, perfect_counts, observed, ["plus", "minus"],
                            [[0, 1]], n_bootstrap=20)  # fmt: skip
    unit = scores["per_target"]["plus+minus"]
    assert unit["counts_pearson"]["value"] == pytest.approx(1.0)
    assert unit["profile_pearson"]["value"] > 0.99 and unit["profile_jsd"]["value"] < 1e-3
    assert unit["profile_pearson"]["low"] <= unit["profile_pearson"]["value"]
    assert scores["summary"]["regions"] == 40
    # a flat prediction: no profile correlation (0 where one side is constant, as bpnet-lite)
    flat = profile_scores(np.zeros_like(observed), perfect_counts, observed, ["plus", "minus"],
                          [[0], [1]], n_bootstrap=0)  # fmt: skip
    assert flat["summary"]["profile_pearson"] == 0.0
    assert set(flat["per_target"]) == {"plus", "minus"}


def test_the_explained_scores_of_both_heads():
    class Fixed(torch.nn.Module):
        def forward(self, x):
            logits = x[:, :2, :5] * 3
            counts = x[:, 2:4, 0]
            return torch.cat([logits, counts[..., None]], -1)

    x = torch.randn(4, 4, 6)
    counts = ProfileScore(Fixed(), "counts")(x)
    assert torch.allclose(counts[:, :2], x[:, 2:4, 0])
    assert torch.allclose(counts[:, 2], torch.logsumexp(x[:, 2:4, 0], dim=-1))
    profile = ProfileScore(Fixed(), "profile")(x)
    logits = x[:, 0, :5] * 3
    centred = logits - logits.mean(-1, keepdim=True)
    assert torch.allclose(profile[:, 0], (centred * centred.softmax(-1)).sum(-1), atol=1e-6)
    assert profile.shape == (4, 3)
