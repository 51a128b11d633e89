"""Filter influence (mean replacement) and attribution maps (ISM, gradient×input)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from seqconv.dna.encode import PAD, encode_dna, one_hot
from seqconv.errors import InputError
from seqconv.motifs.attribution import (
    gradient_x_input,
    ism,
    ism_importance,
    predict_target,
    write_attributions,
)
from seqconv.motifs.influence import filter_influence


def two_filter_model() -> nn.Module:
    """Filter 0 feeds the output strongly, filter 1 not at all, filter 2 weakly."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv1d(4, 3, 5, padding=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(3, 2),
    )
    with torch.no_grad():
        model[4].weight.copy_(torch.tensor([[5.0, 0.0, 0.5], [-3.0, 0.0, 0.2]]))
    return model.eval()


def brute_force_influence(model, codes, means):
    x = one_hot(codes)
    with torch.no_grad():
        base = model(x)
        act = model[1](model[0](x))
        out = []
        for f in range(act.shape[1]):
            ablated = act.clone()
            ablated[:, f] = means[f]
            out.append(((model[4](model[3](model[2](ablated))) - base) ** 2).mean(0).numpy())
    return np.array(out)


def test_influence_ranks_the_filter_that_matters(device):
    codes = np.random.default_rng(0).integers(0, 4, size=(50, 40)).astype(np.uint8)
    model = two_filter_model().to(device)
    result = filter_influence(model, codes, batch_size=32, device=device)
    assert result.ranking().tolist() == [0, 2, 1]
    assert result.influence[1] == 0.0
    model = model.cpu()
    expected = brute_force_influence(model, codes, result.means)
    np.testing.assert_allclose(result.per_output, expected, rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(result.influence, expected.mean(1), rtol=1e-4, atol=1e-9)
    with torch.no_grad():
        act = model[1](model[0](one_hot(codes)))
    np.testing.assert_allclose(result.means, act.mean((0, 2)).numpy(), rtol=1e-5)


def test_influence_with_output_transform_and_groups():
    codes = np.random.default_rng(1).integers(0, 4, size=(9, 30)).astype(np.uint8)
    model = two_filter_model()
    full = filter_influence(model, codes, output_transform=torch.sigmoid)
    grouped = filter_influence(model, codes, output_transform=torch.sigmoid, batch_size=2)
    np.testing.assert_allclose(full.per_output, grouped.per_output, rtol=1e-4, atol=1e-12)
    assert full.mean_change.shape == (3, 2)


class Linear(nn.Module):
    """output = sum of w * one-hot: ISM and gradient×input have closed forms."""

    def __init__(self, length: int):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, length, generator=torch.Generator().manual_seed(0)))

    def forward(self, x):
        return (x * self.w).sum((1, 2))[:, None] ** 1


def test_ism_equals_hand_computed_differences():
    model = Linear(12)
    codes = encode_dna(["ACGTACGTNNAC", "TTTTGGGGCCAA"])
    codes[1, -2:] = PAD
    result = ism(model, codes, batch_size=5)
    w = model.w.detach().numpy().astype(np.float64)
    for n, row in enumerate(codes):
        for pos, code in enumerate(row):
            for base in range(4):
                if code == PAD:
                    expected = 0.0
                elif code == 14:  # N: 0.25 of each base
                    expected = w[base, pos] - w[:, pos].mean()
                elif base == code:
                    expected = 0.0
                else:
                    expected = w[base, pos] - w[code, pos]
                assert result[n, base, pos] == pytest.approx(expected, abs=1e-5)


def test_ism_on_a_conv_model_matches_explicit_mutants():
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(3)).eval()
    seq = "ACGTTGCAAG"
    model(one_hot([seq]))
    result = ism(model, encode_dna([seq]), target=2)
    with torch.no_grad():
        ref = float(model(one_hot([seq]))[0, 2])
        for pos in range(len(seq)):
            for b, base in enumerate("ACGT"):
                mutant = seq[:pos] + base + seq[pos + 1 :]
                expected = float(model(one_hot([mutant]))[0, 2]) - ref
                assert result[0, b, pos] == pytest.approx(expected, abs=1e-5)


def test_gradient_x_input_of_a_linear_model(device):
    model = Linear(8)
    codes = encode_dna(["ACGTACGA", "GGGGTTTT"])
    expected = one_hot(codes).numpy() * model.w.detach().numpy()
    result = gradient_x_input(model, codes, device=device)
    np.testing.assert_allclose(result, expected, rtol=1e-6)
    assert model.w.grad is None
    maps = ism(model, codes, device=device)
    np.testing.assert_allclose(maps, ism(model.cpu(), codes), atol=1e-5)


def test_ism_importance_and_write_attributions(tmp_path):
    model = Linear(8)
    codes = encode_dna(["ACGTACGA", "GGGGTTTT", "CCCCAAAA"])
    maps = ism(model, codes)
    importance = ism_importance(maps, codes)
    w = model.w.detach().numpy()
    assert importance[0, 0, 0] == pytest.approx(-(w[1:, 0].sum() - 3 * w[0, 0]) / 3, abs=1e-5)
    assert (importance[0, 1:, 0] == 0).all()
    result = write_attributions(model, codes, ["a", "b", "c/d"], tmp_path, top=2)
    saved = np.load(tmp_path / "attributions.npz")
    assert saved["ism"].shape == (3, 4, 8) and saved["grad_x_input"].shape == (3, 4, 8)
    np.testing.assert_allclose(saved["predictions"], predict_target(model, codes))
    logos = sorted(p.name for p in (tmp_path / "logos").iterdir())
    assert len(logos) == 2 and logos[0].startswith("001_")
    assert result.top.tolist() == np.argsort(-result.predictions)[:2].tolist()
    with pytest.raises(InputError, match="target 5"):
        predict_target(model, codes, target=5)


class TupleOutputs(nn.Module):
    """Returns ``(outputs, extra)`` like multi-head models: only the first element is explained."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x), x.sum()


def test_tuple_outputs_and_chunks_give_the_same_influence_and_ism(monkeypatch):
    from seqconv.motifs import influence as influence_module

    codes = np.random.default_rng(2).integers(0, 4, size=(11, 30)).astype(np.uint8)
    model = two_filter_model()
    plain = filter_influence(model, codes, batch_size=4)
    monkeypatch.setattr(influence_module, "_CHUNK_VALUES", 3 * 2 * 2)  # two sequences per call
    chunked = filter_influence(TupleOutputs(model), codes, batch_size=4)
    np.testing.assert_allclose(chunked.per_output, plain.per_output, rtol=1e-4, atol=1e-9)
    np.testing.assert_allclose(chunked.mean_change, plain.mean_change, atol=1e-7)
    np.testing.assert_allclose(ism(TupleOutputs(model), codes, 1), ism(model, codes, 1), atol=1e-7)


def test_modes_are_restored_and_padding_only_rows_have_no_mutants():
    model = two_filter_model().train()
    codes = np.random.default_rng(3).integers(0, 4, size=(4, 20)).astype(np.uint8)
    codes[2] = PAD
    maps = ism(model, codes)
    assert (maps[2] == 0).all() and np.abs(maps[0]).sum() > 0
    filter_influence(model, codes)
    gradient_x_input(model, codes)
    assert all(m.training for m in model.modules())


@pytest.mark.parametrize(
    "codes, match",
    [
        (np.full((2, 5), 16, dtype=np.uint8), "0..15"),
        (np.zeros((2, 5), dtype=np.float32), "uint8"),
        (np.zeros((0, 5), dtype=np.uint8), "N >= 1"),
    ],
)
def test_bad_codes_are_input_errors(codes, match):
    model = two_filter_model()
    for run in (ism, gradient_x_input, filter_influence):
        with pytest.raises(InputError, match=match):
            run(model, codes)
