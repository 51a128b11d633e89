"""First-layer filters to PFMs: window mapping, site selection and counting against brute force."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from seqconv.dna.encode import PAD, encode_dna, one_hot
from seqconv.errors import InputError
from seqconv.motifs.filters import extract_filter_motifs, window_positions
from seqconv.motifs.layer import find_first_layer
from seqconv.motifs.motif import information_content, ppm_from_counts, trim_bounds

GEOMETRIES = [  # kernel, stride, padding, dilation
    (5, 1, 0, 1),
    (5, 1, 2, 1),
    (4, 2, 3, 1),
    (3, 1, 2, 2),
    (3, 2, 1, 3),
    (6, 3, 5, 2),
]


def brute_force_windows(length: int, k: int, stride: int, padding: int, dilation: int):
    """Input index read by (output position, tap), found by perturbing each input position."""
    conv_out = (length + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    table = np.full((conv_out, k), -999)
    probes = torch.eye(length).unsqueeze(1)  # (L, 1, L): input i set to 1
    for j in range(k):
        weight = torch.zeros(1, 1, k)
        weight[0, 0, j] = 1.0
        out = F.conv1d(probes, weight, stride=stride, padding=padding, dilation=dilation)[:, 0]
        for i, p in zip(*np.nonzero(out.numpy()), strict=True):
            table[p, j] = i
    return table


@pytest.mark.parametrize("k,stride,padding,dilation", GEOMETRIES)
def test_window_positions_match_perturbation(k, stride, padding, dilation):
    length = 17
    reference = brute_force_windows(length, k, stride, padding, dilation)
    mapped = window_positions(np.arange(len(reference)), k, stride, padding, dilation)
    inside = (mapped >= 0) & (mapped < length)
    assert (mapped[inside] == reference[inside]).all()
    assert (reference[~inside] == -999).all()  # outside the sequence: padding, read nowhere
    span = window_positions(np.arange(len(reference)), k, stride, padding, dilation, "span")
    assert span.shape[1] == (k - 1) * dilation + 1
    assert (span[:, ::dilation] == mapped).all()


def reference_counts(codes, conv, activations, sites, layout):
    """Count bases of the selected sites one by one."""
    k, stride, dilation = conv.kernel_size[0], conv.stride[0], conv.dilation[0]
    padding = conv.padding[0]
    n_filters = activations.shape[1]
    width = k if layout == "taps" else (k - 1) * dilation + 1
    x = one_hot(codes).numpy()
    counts = np.zeros((n_filters, 4, width))
    for n, f, p in zip(*np.nonzero(sites), strict=True):
        positions = window_positions(np.array([p]), k, stride, padding, dilation, layout)[0]
        for col, i in enumerate(positions):
            if 0 <= i < codes.shape[1]:
                counts[f, :, col] += x[n, :, i]
    return counts


def conv_model(k, stride, padding, dilation, n_filters=5, seed=0):
    torch.manual_seed(seed)
    conv = nn.Conv1d(4, n_filters, k, stride=stride, padding=padding, dilation=dilation)
    return nn.Sequential(conv, nn.ReLU(), nn.AdaptiveMaxPool1d(1), nn.Flatten())


@pytest.mark.parametrize("k,stride,padding,dilation", GEOMETRIES)
@pytest.mark.parametrize("layout", ["taps", "span"])
def test_counts_match_brute_force(k, stride, padding, dilation, layout):
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 4, size=(40, 23)).astype(np.uint8)
    codes[3, :5] = PAD  # padding codes count nothing
    codes[5, 7] = 14  # N counts 0.25 of each base
    model = conv_model(k, stride, padding, dilation)
    conv = model[0]
    ex = extract_filter_motifs(model, codes, min_sites=1, trim_bits=-1, layout=layout, batch_size=7)
    with torch.no_grad():
        act = torch.relu(conv(one_hot(codes))).double().numpy()
    # Reference selection: Basset threshold over the positions whose window holds a real base.
    real = (codes != PAD).astype(float)[:, None, :]
    any_real = F.conv1d(
        torch.as_tensor(real), torch.ones(1, 1, k, dtype=torch.float64), stride=stride,
        padding=padding, dilation=dilation,
    ).numpy() > 0  # fmt: skip
    masked = np.where(any_real, act, np.nan)
    mean, top = np.nanmean(masked, axis=(0, 2)), np.nanmax(masked, axis=(0, 2))
    threshold = (mean + 0.5 * (top - mean)).astype(np.float32)
    sites = (act.astype(np.float32) > threshold[None, :, None]) & any_real
    expected = reference_counts(codes, conv, act, sites, layout)
    assert (ex.nsites == sites.sum(axis=(0, 2))).all()
    np.testing.assert_allclose(ex.means, mean, rtol=1e-5)
    for motif in ex.motifs:
        assert motif.offset == 0
        np.testing.assert_allclose(motif.untrimmed, expected[motif.filter], atol=1e-4)
        np.testing.assert_allclose(motif.counts, expected[motif.filter], atol=1e-4)
    taps = ex.motifs[0].taps
    assert taps.tolist() == (list(range(0, (k - 1) * dilation + 1, dilation)) if layout ==
                             "span" else list(range(k)))  # fmt: skip


def test_selection_modes():
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 4, size=(30, 50)).astype(np.uint8)
    model = conv_model(7, 1, 3, 1, n_filters=3)
    with torch.no_grad():
        act = torch.relu(model[0](one_hot(codes))).numpy()
    top = extract_filter_motifs(model, codes, mode="top_k", top_k=25, min_sites=1)
    assert (top.nsites == 25).all()
    frac = extract_filter_motifs(model, codes, mode="max_frac", factor=0.8, min_sites=1)
    expected = (act > 0.8 * act.max(axis=(0, 2))[None, :, None]).sum(axis=(0, 2))
    assert (frac.nsites == expected).all()
    strict = extract_filter_motifs(model, codes, mode="max_frac", factor=0.8, min_sites=10**6)
    assert strict.motifs == [] and strict.dropped == [0, 1, 2]
    with pytest.raises(InputError, match="mode"):
        extract_filter_motifs(model, codes, mode="best")


def test_dead_filter_is_dropped():
    codes = np.random.default_rng(3).integers(0, 4, size=(10, 30)).astype(np.uint8)
    model = conv_model(5, 1, 2, 1, n_filters=2)
    with torch.no_grad():
        model[0].bias[1] = -1e3  # never fires after the ReLU
    ex = extract_filter_motifs(model, codes, min_sites=1)
    assert 1 in ex.dropped and ex.nsites[1] == 0


class UserNet(nn.Module):
    """User-style module: the activation is registered before the conv and shared."""

    def __init__(self):
        super().__init__()
        self.act = nn.ReLU()
        self.conv1 = nn.Conv1d(4, 3, 5, padding=2)
        self.bn = nn.BatchNorm1d(3)
        self.conv2 = nn.Conv1d(3, 2, 3)
        self.pad = nn.ConstantPad1d((4, 0), 0.0)

    def forward(self, x):
        x = self.act(self.bn(self.conv1(self.pad(x))))
        return self.act(self.conv2(x)).amax(-1)


def test_user_module_with_shared_activation_and_input_padding():
    codes = np.random.default_rng(4).integers(0, 4, size=(20, 30)).astype(np.uint8)
    model = UserNet().eval()
    layer = find_first_layer(model, one_hot(codes[:1]))
    assert layer.conv_name == "conv1" and layer.output_name == "act"
    ex = extract_filter_motifs(model, codes, mode="top_k", top_k=10, min_sites=1, trim_bits=-1)
    with torch.no_grad():
        x = one_hot(codes)
        act = model.act(model.bn(model.conv1(model.pad(x)))).numpy()
    for motif in ex.motifs:
        flat = act[:, motif.filter].ravel()
        chosen = np.argsort(-flat)[:10]
        counts = np.zeros((4, 5))
        padded = F.pad(F.pad(x, (4, 0)), (2, 2)).numpy()  # the module's pad, then the conv's
        for index in chosen:
            n, p = divmod(index, act.shape[2])
            counts += padded[n, :, p : p + 5]
        np.testing.assert_allclose(motif.counts, counts, atol=1e-5)


def test_functional_activation_is_noted():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(4, 2, 3)

        def forward(self, x):
            return torch.relu(self.conv(x)).amax(-1)

    layer = find_first_layer(Functional(), torch.zeros(1, 4, 10))
    assert layer.output_name == "conv" and "functionally" in layer.notes[0]


def test_model_without_dna_conv_is_refused():
    with pytest.raises(InputError, match="4 input channels"):
        find_first_layer(nn.Sequential(nn.Conv1d(1, 2, 3)))


def test_planted_pwm_filter_recovers_the_motif():
    rng = np.random.default_rng(5)
    site = "TGACTCAG"
    seqs = []
    for _ in range(200):
        s = list("".join(rng.choice(list("ACGT"), 60)))
        p = rng.integers(0, 52)
        s[p : p + 8] = site
        seqs.append("".join(s))
    conv = nn.Conv1d(4, 1, 8, padding=4)
    with torch.no_grad():
        conv.weight[0] = one_hot(site) * 2 - 1
        conv.bias.zero_()
    model = nn.Sequential(conv, nn.ReLU())
    ex = extract_filter_motifs(model, encode_dna(seqs))
    motif = ex.motifs[0]
    assert motif.nsites >= 200
    assert motif.to_motif().consensus == site
    assert motif.information > 12


def test_trim_bounds():
    bits = np.array([0.1, 0.2, 1.5, 0.1, 1.2, 0.3, 0.0])
    assert trim_bounds(bits, 0.5, 2) == (2, 5)
    assert trim_bounds(bits, 0.5, 5) == (1, 6)
    assert trim_bounds(np.zeros(6), 0.5, 3) in {(0, 3), (1, 4), (2, 5), (3, 6)}
    assert trim_bounds(bits, 0.5, 10) == (0, 7)
    ppm = ppm_from_counts(np.array([[10.0, 0], [0, 0], [0, 0], [0, 0]]), 0.0)
    np.testing.assert_allclose(information_content(ppm), [2.0, 0.0])


def test_extraction_on_each_device(device):
    codes = np.random.default_rng(6).integers(0, 4, size=(30, 40)).astype(np.uint8)
    codes[0, :3] = PAD
    on_cpu = extract_filter_motifs(conv_model(5, 2, 2, 2), codes, min_sites=1, trim_bits=-1)
    here = extract_filter_motifs(
        conv_model(5, 2, 2, 2), codes, min_sites=1, trim_bits=-1, device=device
    )
    assert (on_cpu.nsites == here.nsites).all()
    for a, b in zip(on_cpu.motifs, here.motifs, strict=True):
        np.testing.assert_allclose(a.counts, b.counts, atol=1e-4)
