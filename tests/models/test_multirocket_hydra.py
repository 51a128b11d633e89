"""MultiRocket and Hydra against aeon's transforms on fixed kernels (stored fixtures made by
scripts/make_rocket_fixtures.py), the CPU kernel against the torch code, masks, and the scaler."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from seqconv import models
from seqconv.models.feature_scaler import FeatureScaler, ScalerStats
from seqconv.models.masking import enable_masks, with_mask_channel
from seqconv.models.multirocket import multirocket_features

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rocket"


def _aeon_multirocket(name: str):
    data = np.load(FIXTURES / f"{name}.npz")
    x = torch.from_numpy(data["x"])
    n, c, length = x.shape
    model = models.build("multirocket", in_channels=c, n_outputs=2, length=length,
                         features=8 * 84 * 6).eval()  # fmt: skip
    assert model.pool.dilations == [list(data["dilations0"]), list(data["dilations1"])]
    assert model.pool.per_dilation == [list(data["per0"]), list(data["per1"])]
    model.pool.biases_series.copy_(torch.from_numpy(data["biases0"]))
    model.pool.biases_diff.copy_(torch.from_numpy(data["biases1"]))
    if c > 1:  # aeon's channel subsets (it transforms the difference with the series' ones)
        counts, index = data["channels0"], data["indices0"]
        for conv in model.trunk.reps():
            picked = torch.zeros_like(conv.combinations)
            start = 0
            for pair in range(len(conv.dilations) * 84):
                picked[pair // 84, pair % 84, index[start : start + counts[pair]]] = 1
                start += counts[pair]
            conv.combinations.copy_(picked)
    return model, x, torch.from_numpy(data["expected"]), torch.from_numpy(data["aeon"])


@pytest.mark.parametrize("name", ["multirocket_uni", "multirocket_multi"])
def test_multirocket_equals_aeon_on_fixed_kernels(name):
    model, x, expected, aeon = _aeon_multirocket(name)
    compiled = model.features(x)  # the CPU kernel
    torch.testing.assert_close(compiled, expected, rtol=1e-5, atol=1e-4)
    half = expected.shape[1] // 2  # the series' features are aeon's own output
    torch.testing.assert_close(compiled[:, :half], aeon[:, :half], rtol=1e-5, atol=1e-4)
    with torch.no_grad():  # the torch code (GPUs, tracing) and the trunk + head path
        traced = multirocket_features(model.trunk, model.pool, x.requires_grad_(True), None)
        torch.testing.assert_close(traced, expected, rtol=1e-5, atol=1e-4)
        torch.testing.assert_close(model.pool(model.trunk(x)), expected, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", ["hydra_uni", "hydra_multi"])
def test_hydra_equals_aeon_on_fixed_kernels(name):
    data = np.load(FIXTURES / f"{name}.npz")
    x = torch.from_numpy(data["x"])
    model = models.build("hydra", in_channels=x.shape[1], n_outputs=2, length=x.shape[2],
                         groups=16).eval()  # fmt: skip
    assert model.trunk.dilations == list(data["dilations"])
    model.trunk.weight.copy_(torch.from_numpy(data["weights"]))
    model.trunk.channels.copy_(torch.from_numpy(data["channels"]))
    aeon = torch.from_numpy(np.asarray(data["aeon"]))
    torch.testing.assert_close(model.features(x), aeon, rtol=1e-5, atol=1e-4)
    with torch.no_grad():
        torch.testing.assert_close(model.pool(model.trunk(x)), aeon, rtol=1e-5, atol=1e-4)


def _fitted(name: str, channels: int, length: int = 70, **kwargs):
    torch.manual_seed(0)
    model = models.build(name, in_channels=channels, n_outputs=2, length=length, **kwargs)
    x = torch.randint(-3, 4, (10, channels, length)).float().cumsum(-1)
    model.fit_biases(x, None, torch.randint(10, (model.n_pairs,)))
    return model.eval(), x


SMALL = {"multirocket": {"features": 672 * 3}, "hydra": {"groups": 8},
         "multirocket_hydra": {"features": 672 * 3, "groups": 8},
         "minirocket_hydra": {"features": 84 * 6, "groups": 8}}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SMALL))
@pytest.mark.parametrize("channels", [1, 3])
def test_unequal_length_features_equal_the_series_alone(name, channels):
    model, x = _fitted(name, channels, **SMALL[name])
    lengths = [70, 44, 12, 3]
    padded = torch.zeros(len(lengths), channels, 70)
    mask = torch.zeros(len(lengths), 70, dtype=torch.bool)
    for i, n in enumerate(lengths):
        padded[i, :, :n] = x[i, :, :n]
        mask[i, :n] = True
    together = model.features(padded, mask)
    for i, n in enumerate(lengths):
        torch.testing.assert_close(together[i], model.features(x[i : i + 1, :, :n])[0])
    with torch.no_grad():  # the torch code with masks, as on a GPU
        slow = model.pool(model.trunk(padded)) if name == "hydra" else None
        if name == "multirocket":
            slow = multirocket_features(model.trunk, model.pool, padded.requires_grad_(), mask)
        if slow is not None and name == "multirocket":
            torch.testing.assert_close(slow, together, rtol=1e-5, atol=1e-4)
    masked = enable_masks(model)
    with torch.no_grad():
        out = masked(with_mask_channel(padded, mask))
        alone = masked(with_mask_channel(x[1:2, :, :44], None))
    torch.testing.assert_close(out[1], alone[0], rtol=1e-4, atol=1e-4)


def test_lspv_is_the_reference_loop():
    """LSPV from widths of windows equals the reference's loop over steps, ties included."""
    model, _ = _fitted("multirocket", 1, length=30, features=672)
    steps = [0, 0, 1, 1, 1, 0, 2, 2, 2, 2, -1, 0, 0, 3, 3, 0, 0, 0, 1, 1] + [0] * 10
    x = torch.tensor([[steps]], dtype=torch.float32)
    feats = model.features(x)
    conv = model.trunk.series.convolve(x.double(), 0)[0, 0].numpy()  # kernel 0, whole series
    per = model.pool.per_dilation[0][0]
    n_biases = model.pool.n_biases[0]
    for j, b in enumerate(model.pool.biases_series[:per].double().numpy()):
        last, best = 0, 0
        for i, c in enumerate(conv):
            if c < b:
                best, last = max(best, i - last), i
        best = max(best, len(conv) - 1 - last)
        assert feats[0, n_biases + j] == best


def test_sparse_scaler_is_hydras_and_streams():
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 4, (40, 6), generator=g).float() * torch.rand(40, 6, generator=g)
    sparse = torch.tensor([True, True, True, False, False, False])
    stats = ScalerStats(sparse)
    for part in x.split(7):
        stats.update(part)
    scaler = FeatureScaler(sparse)
    scaler.fit(stats)
    s = x[:, :3].clamp(0).sqrt()  # aeon's _SparseScaler
    eps = (s == 0).float().mean(0) ** 4 + 1e-8
    expected = ((s - s.mean(0)) * (s != 0)) / (s.std(0) + eps)
    standard = (x[:, 3:] - x[:, 3:].mean(0)) / x[:, 3:].std(0, unbiased=False)
    torch.testing.assert_close(scaler(x), torch.cat([expected, standard], 1), rtol=1e-5,
                               atol=1e-5)  # fmt: skip


@pytest.mark.parametrize("channels", [1, 3])
def test_minirocket_hydra_is_hydra_beside_minirocket(channels):
    """The pair's features are Hydra's then MiniRocket's, each as the model alone computes
    them from the same seed, kernels and biases; state keys name both parts."""
    pair, x = _fitted("minirocket_hydra", channels, features=84 * 6, groups=8)
    hydra = models.build("hydra", in_channels=channels, n_outputs=2, length=70, groups=8)
    mini = models.build("minirocket", in_channels=channels, n_outputs=2, length=70,
                        features=84 * 6)  # fmt: skip
    mini.pool.biases.copy_(pair.pool.minirocket.biases)
    torch.testing.assert_close(hydra.trunk.weight, pair.trunk.hydra.weight)
    expected = torch.cat([hydra.features(x), mini.features(x)], dim=1)
    torch.testing.assert_close(pair.features(x), expected)
    assert pair.n_features == expected.shape[1] and pair.n_pairs == mini.n_pairs
    assert pair.scaler.sparse.sum() == hydra.pool.n_features
    keys = set(pair.state_dict())
    assert {"trunk.hydra.weight", "head.0.minirocket.biases"} <= keys
    multi = models.build("multirocket_hydra", length=70, features=672, groups=8)
    assert "head.0.multirocket.biases_series" in multi.state_dict()
