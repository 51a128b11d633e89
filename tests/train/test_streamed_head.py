"""The closed-form heads for any number of series: the chunked Gram ridge equals the in-memory
one (penalty, coefficients, leave-one-out scores), features on disk read back as written, the
logistic head, and which head is chosen."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqconv.train import streamed
from seqconv.train.ridge import ridge_cv
from seqconv.train.streamed import FeatureSource, choose_head, gram_ridge, logistic_head


def _source(x: torch.Tensor, rows: int, transform=None) -> FeatureSource:
    source = FeatureSource(lambda index: x[torch.as_tensor(index)], np.arange(len(x)),
                           x.shape[1], transform)  # fmt: skip
    source.rows = rows  # several chunks
    return source


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("noise", [0.05, 3.0])
def test_chunked_leave_one_out_choice_equals_the_in_memory_one(standardize, noise):
    g = torch.Generator().manual_seed(1)
    x = torch.randn(300, 40, generator=g) * torch.linspace(0.5, 3, 40) + 1
    classes = (x[:, :3].sum(1) + noise * torch.randn(300, generator=g) > 3).long()
    y = -torch.ones(300, 2, dtype=torch.float64)
    y[torch.arange(300), classes] = 1.0
    memory = ridge_cv(x, y, standardize=standardize)
    chunked = gram_ridge(_source(x, 37), y, standardize=standardize)
    assert chunked.alpha == memory.alpha
    np.testing.assert_allclose(chunked.errors, memory.errors, rtol=1e-6)
    torch.testing.assert_close(chunked.coef, memory.coef, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(chunked.intercept, memory.intercept, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(chunked.loo, memory.loo, rtol=1e-4, atol=1e-5)


def test_features_on_disk_read_back(monkeypatch):
    monkeypatch.setattr(streamed, "CACHE_BYTES", 0)
    calls = []
    x = torch.randn(50, 8)

    def compute(index):
        calls.append(len(index))
        return x[torch.as_tensor(index)]

    source = FeatureSource(compute, np.arange(50), 8, lambda v: 2 * v)
    source.rows = 16
    assert not source.in_memory
    first = torch.cat([v for _, v in source.chunks()])
    second = torch.cat([v for _, v in source.chunks()])
    assert calls == [16, 16, 16, 2]  # made once
    torch.testing.assert_close(first, 2 * x)
    torch.testing.assert_close(second, 2 * x, rtol=1e-3, atol=1e-3)  # float16 on disk
    source.close()


def test_logistic_head_separates_classes():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(600, 20, generator=g)
    y = (x[:, 0] - x[:, 1] > 0).long()
    train, valid = _source(x[:500], 64), _source(x[500:], 64)
    linear, loss, epochs = logistic_head(train, y[:500], valid, y[500:], True, 2, lr=1e-2)
    with torch.no_grad():
        accuracy = (linear(x[500:]).argmax(1) == y[500:]).float().mean()
    assert accuracy > 0.9 and loss < 0.4 and 1 <= epochs <= 30


def test_the_head_follows_the_sizes():
    assert choose_head(500, 50_000) == "dual"
    assert choose_head(20_000, 2_000) == "gram"
    assert choose_head(200_000, 50_000) == "logistic"
    assert choose_head(200_000, 9_996) == "logistic"
