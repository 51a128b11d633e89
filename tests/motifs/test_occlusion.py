"""Occlusion maps: closed forms on an additive model, window edges and padding, agreement with ISM
on planted sites, the writer and ``seqconv attribute --method occlusion``."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from motif_fixtures import pwm_conv
from torch import nn
from typer.testing import CliRunner

from seqconv.cli import app
from seqconv.dna.encode import PAD, encode_dna, one_hot
from seqconv.dna.simulate import simulate
from seqconv.errors import InputError
from seqconv.motifs.attribution import ism, ism_importance, write_attributions
from seqconv.motifs.database import fetch_jaspar
from seqconv.motifs.occlusion import OcclusionSettings, occlusion, window_starts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1"


class Additive(nn.Module):
    """output = sum of w * one-hot: a window's drop is the sum of w at its observed bases."""

    def __init__(self, length: int):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, length, generator=torch.Generator().manual_seed(0)))

    def forward(self, x):
        return (x * self.w).sum((1, 2))[:, None]


def expected_zero_map(w: np.ndarray, codes: np.ndarray, window: int, stride: int) -> np.ndarray:
    """The zero-baseline map of :class:`Additive`, window by window."""
    n, length = codes.shape
    x = one_hot(codes).numpy()
    contribution = (x * w).sum(1)  # (N, L)
    out = np.zeros((n, length))
    count = np.zeros(length)
    for s in window_starts(length, window, stride):
        drop = contribution[:, s : s + window].sum(1)
        out[:, s : s + window] += drop[:, None]
        count[s : s + window] += 1
    return np.where(codes == PAD, 0.0, out / count)


def test_zero_baseline_matches_the_windows_and_covers_both_ends(device):
    length, window, stride = 13, 4, 3  # starts 0, 3, 6, 9 (the last one at L - W = 9)
    model = Additive(length)
    codes = encode_dna(["ACGTACGTNACGA", "TTTTGGGGCCAAC", "GATTACAGATTAC"])
    codes[1, :2] = PAD  # padding at both ends: 0 there, the real bases still scored
    codes[1, -3:] = PAD
    result = occlusion(
        model.to(device), codes, window=window, stride=stride, baseline="zero", batch_size=5,
        device=device,
    )  # fmt: skip
    w = model.w.detach().cpu().numpy().astype(np.float64)
    np.testing.assert_allclose(result, expected_zero_map(w, codes, window, stride), atol=1e-5)
    contribution = (one_hot(codes).numpy() * w).sum(1)
    # First and last positions lie under one window each: exactly that window's drop.
    assert result[0, 0] == pytest.approx(contribution[0, :4].sum(), abs=1e-5)
    assert result[0, -1] == pytest.approx(contribution[0, -4:].sum(), abs=1e-5)
    assert (result[1, :2] == 0).all() and (result[1, -3:] == 0).all()
    assert window_starts(13, 4, 3).tolist() == [0, 3, 6, 9]
    assert window_starts(13, 13, 1).tolist() == [0]


def test_a_window_of_one_is_the_drop_of_each_base():
    model = Additive(6)
    codes = encode_dna(["ACGTAC"])
    result = occlusion(model, codes, window=1, baseline="zero")
    expected = (one_hot(codes).numpy() * model.w.detach().numpy()).sum(1)
    np.testing.assert_allclose(result, expected, atol=1e-5)


def test_shuffle_baseline_is_seeded_and_independent_of_the_batch_size():
    model = Additive(40)
    codes = np.random.default_rng(0).integers(0, 4, size=(5, 40)).astype(np.uint8)
    codes[2, 30:] = PAD
    a = occlusion(model, codes, window=6, shuffles=3, seed=1, batch_size=7)
    b = occlusion(model, codes, window=6, shuffles=3, seed=1, batch_size=512)
    c = occlusion(model, codes, window=6, shuffles=3, seed=2)
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert not np.allclose(a, c)
    assert (a[2, 30:] == 0).all() and np.abs(a[2, :30]).sum() > 0


class Reversed(nn.Module):
    """The model seen from the other strand."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x.flip((1, 2)))


def test_strand_average_is_the_mean_of_both_strands():
    model = nn.Sequential(nn.Conv1d(4, 2, 5), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 26, 1))
    codes = np.random.default_rng(3).integers(0, 4, size=(3, 30)).astype(np.uint8)
    both = occlusion(model, codes, window=5, baseline="zero", rc_average=True)
    forward = occlusion(model, codes, window=5, baseline="zero")
    backward = occlusion(Reversed(model), codes, window=5, baseline="zero")
    np.testing.assert_allclose(both, (forward + backward) / 2, atol=1e-5)


class StrandMax(nn.Module):
    """A PWM scan of both strands, max-pooled: the output is the best site's log-odds score."""

    def __init__(self, motif):
        super().__init__()
        self.conv = pwm_conv([motif])

    def forward(self, x):
        return torch.maximum(self.conv(x).amax(2), self.conv(x.flip((1, 2))).amax(2))


@pytest.fixture(scope="module")
def planted_sites():
    motif = fetch_jaspar("MA0139.2")  # CTCF, 15 bp
    sim = simulate([motif], n=100, length=100, motifs_per_seq=1, negatives_fraction=0.0, seed=1)
    sites = np.array([(r.sites[0].start, r.sites[0].end) for r in sim.records])
    return StrandMax(motif).eval(), sim.codes(), sites


def _inside(scores: np.ndarray, sites: np.ndarray) -> np.ndarray:
    peak = scores.argmax(1)
    return (sites[:, 0] <= peak) & (peak < sites[:, 1])


@pytest.mark.parametrize("baseline", ["shuffle", "zero"])
def test_occlusion_and_ism_agree_on_the_planted_site(planted_sites, baseline):
    model, codes, sites = planted_sites
    occ = occlusion(model, codes, window=10, baseline=baseline)
    ism_scores = ism_importance(ism(model, codes), codes).sum(1)
    occ_in, ism_in = _inside(occ, sites), _inside(ism_scores, sites)
    assert occ_in.mean() >= 0.9 and ism_in.mean() >= 0.9
    assert (occ_in & ism_in).mean() >= 0.9  # the same sequences: they agree


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (OcclusionSettings(window=0), "--window must be an integer >= 1, not 0"),
        (OcclusionSettings(window=31), "--window 31 is longer than the sequences (30 positions)"),
        (OcclusionSettings(window=5, stride=6), "--stride 6 is longer than --window 5"),
        (OcclusionSettings(baseline="mean"), "--baseline must be one of shuffle, zero"),
        (OcclusionSettings(shuffles=0), "--shuffles must be an integer >= 1"),
    ],
)
def test_bad_settings_are_input_errors(settings, message):
    codes = np.zeros((2, 30), dtype=np.uint8)
    with pytest.raises(InputError) as caught:
        occlusion(Additive(30), codes, **vars(settings))
    assert message in str(caught.value)


def test_writer_with_occlusion_only(tmp_path):
    model = Additive(30)
    codes = np.random.default_rng(4).integers(0, 4, size=(3, 30)).astype(np.uint8)
    settings = OcclusionSettings(window=5, baseline="zero")
    result = write_attributions(
        model, codes, ["a", "b", "c"], tmp_path, top=2, methods=["occlusion"],
        occlusion_settings=settings,
    )  # fmt: skip
    saved = np.load(tmp_path / "attributions.npz")
    assert (
        saved["occlusion"].shape == (3, 30) and "ism" not in saved and "grad_x_input" not in saved
    )
    assert saved["methods"].tolist() == ["occlusion"] and int(saved["occlusion_window"]) == 5
    assert str(saved["occlusion_baseline"]) == "zero"
    np.testing.assert_allclose(result.occlusion, occlusion(model, codes, window=5, baseline="zero"))
    assert len(list((tmp_path / "logos").iterdir())) == 2
    with pytest.raises(InputError, match="--method must be one of ism, gradient, occlusion"):
        write_attributions(model, codes, ["a", "b", "c"], tmp_path, methods=["occlude"])


runner = CliRunner()


@pytest.fixture
def run_dir(tmp_path) -> Path:
    """A copy of a small DNA run (200 bp, 4 outputs) and a FASTA of 20 sequences."""
    shutil.copytree(FIXTURES / "dna", tmp_path / "run")
    shutil.copy(FIXTURES / "new20.fa", tmp_path / "new20.fa")
    return tmp_path / "run"


def test_cli_writes_occlusion_maps_and_logos(run_dir, tmp_path):
    out = tmp_path / "attr"
    args = ["attribute", "--run", run_dir, "--fasta", tmp_path / "new20.fa", "--out", out,
            "--method", "occlusion", "--method", "gradient", "--window", 20, "--stride", 5,
            "--shuffles", 2, "--top", 2]  # fmt: skip
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    saved = np.load(out / "attributions.npz")
    assert saved["occlusion"].shape == (20, 200) and saved["grad_x_input"].shape == (20, 4, 200)
    assert "ism" not in saved and int(saved["occlusion_stride"]) == 5
    assert np.abs(saved["occlusion"]).sum() > 0
    assert len(list((out / "logos").glob("*.png"))) == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--window", "0"], "--window must be an integer >= 1, not 0"),
        (["--window", "500"], "--window 500 is longer than the sequences (200 positions)"),
        (["--stride", "11"], "--stride 11 is longer than --window 10"),
        (["--baseline", "zeros"], "--baseline must be one of shuffle, zero, not 'zeros'"),
    ],
)
def test_cli_bad_occlusion_options_exit_2(run_dir, tmp_path, extra, message):
    args = ["attribute", "--run", str(run_dir), "--fasta", str(tmp_path / "new20.fa"),
            "--out", str(tmp_path / "attr"), "--method", "occlusion", *extra]  # fmt: skip
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "attr" / "attributions.npz").exists()
