"""Calibration: fitted on a synthetic miscalibrated model, it fixes the probabilities and the
prediction column without changing the ranking; broken stored calibrations are refused."""

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from seqconv.core.calibration import (
    Calibration,
    calibrated,
    calibration_scores,
    fit_calibration,
)
from seqconv.errors import InputError


def _binary(n: int, seed: int) -> tuple[torch.Tensor, np.ndarray]:
    """Logits of an overconfident model shifted towards class 1: true log-odds ``s``, the
    model says ``4 s + 2``."""
    rng = np.random.default_rng(seed)
    s = rng.normal(0, 1.5, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-s))).astype(np.int64)
    z = 4 * s + 2
    return torch.tensor(np.stack([np.zeros(n), z], axis=1), dtype=torch.float32), y


def test_platt_fixes_an_overconfident_shifted_binary_model():
    valid_z, valid_y = _binary(2_000, 0)
    test_z, test_y = _binary(4_000, 1)
    fit = fit_calibration("binary", valid_z, valid_y)
    assert fit.method == "platt" and fit.bias[0] == 0
    assert fit.scale[1] == pytest.approx(0.25, rel=0.15)  # undoes the 4x
    assert fit.bias[1] == pytest.approx(-0.5, abs=0.2)  # and the +2 shift (2 / 4)
    before = calibrated("binary", test_z, None).numpy()
    after = calibrated("binary", test_z, fit).numpy()
    b, a = calibration_scores("binary", test_y, before), calibration_scores("binary", test_y, after)
    assert a["ece"] < 0.03 < 0.1 < b["ece"] and a["brier"] < b["brier"]
    # the prediction column gets right what the best threshold gets right; the ranking stays
    accuracy = lambda p: np.mean(p.argmax(axis=1) == test_y)  # noqa: E731
    best = max(np.mean((test_z[:, 1].numpy() > t) == test_y) for t in np.linspace(-5, 9, 141))
    assert accuracy(before) < best - 0.02 and accuracy(after) > best - 0.01
    assert roc_auc_score(test_y, after[:, 1]) == pytest.approx(roc_auc_score(test_y, before[:, 1]))


def test_vector_scaling_of_a_multiclass_model():
    rng = np.random.default_rng(2)
    n, k = 3_000, 4
    true_logits = rng.normal(0, 1.2, (n, k))
    y = np.array([rng.choice(k, p=np.exp(r) / np.exp(r).sum()) for r in true_logits])
    z = torch.tensor(3 * true_logits + np.array([1.5, 0, 0, -1]), dtype=torch.float32)
    fit = fit_calibration("multiclass", z[:1500], y[:1500])
    assert fit.method == "vector" and len(fit.scale) == k
    after = calibrated("multiclass", z[1500:], fit).numpy()
    before = calibrated("multiclass", z[1500:], None).numpy()
    np.testing.assert_allclose(after.sum(axis=1), 1, atol=1e-5)
    b = calibration_scores("multiclass", y[1500:], before)
    a = calibration_scores("multiclass", y[1500:], after)
    assert a["ece"] < b["ece"] / 2 and a["brier"] < b["brier"]


def test_platt_per_label_and_a_separable_validation_set_stays_finite():
    rng = np.random.default_rng(3)
    s = rng.normal(size=(500, 2))
    y = (s > 0).astype(np.int64)  # perfectly separated by the logits
    fit = fit_calibration("multilabel", torch.tensor(10 * s, dtype=torch.float32), y)
    assert fit.method == "platt per label"
    assert all(np.isfinite(fit.scale)) and max(fit.scale) < 100  # Platt's targets bound it
    near = np.abs(s) < 0.05  # logits within 0.5 of the boundary: not pushed to 0 or 1
    p = calibrated("multilabel", torch.tensor(10 * s, dtype=torch.float32), fit).numpy()
    assert near.any() and (0.01 < p[near]).all() and (p[near] < 0.99).all()


def test_calibration_scores_by_hand():
    p = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]])
    y = np.array([0, 1, 1])
    scores = calibration_scores("binary", y, p)
    # bins: 0.7 (right), 0.8 (wrong), 0.9 (right): |1-.7| + |0-.8| + |1-.9| over 3
    assert scores["ece"] == pytest.approx((0.3 + 0.8 + 0.1) / 3)
    assert scores["brier"] == pytest.approx((0.02 + 1.28 + 0.18) / 3)


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"method": "platt", "scale": [1.0]}, "'calibration' must hold"),
        ({"method": "platt", "scale": [1.0], "bias": [0.0]}, "1 scale(s) and 1 bias(es) for 2"),
        ({"method": "platt", "scale": [1.0, -1.0], "bias": [0.0, 0.0]}, "positive"),
        ("nonsense", "'calibration' must hold"),
    ],
)
def test_broken_stored_calibration_is_a_clear_error(spec, message):
    with pytest.raises(InputError, match="config.json: ") as error:
        Calibration.from_dict(spec, 2, "run/config.json")
    assert message in str(error.value)


def test_a_refit_that_raises_the_validation_log_loss_is_not_kept(monkeypatch, tmp_path):
    """Training keeps a refit only when it lowers the log-loss of the real validation labels."""
    from types import SimpleNamespace

    import seqconv.core.calibration as calibration
    from seqconv.progress import Reporter
    from seqconv.train.recipes.common import _calibrate

    z, y = _binary(400, 0)
    job = SimpleNamespace(outputs=lambda rows: z[rows], valid_index=np.arange(200),
                          train_index=np.arange(200, 400), targets=torch.as_tensor(y),
                          settings=SimpleNamespace(seed=0))  # fmt: skip
    held = SimpleNamespace(task="binary", outputs=z[200:], truth=y[200:], split="test",
                           predictions=calibrated("binary", z[200:], None).numpy())  # fmt: skip
    config: dict = {}
    report = _calibrate(tmp_path, config, job, held, Reporter(quiet=True))
    assert config["calibration"]["method"] == "platt"  # the 4x overconfident model: kept
    assert report["valid_log_loss"]["after"] < report["valid_log_loss"]["before"]
    assert (tmp_path / "reliability.png").is_file()

    worse = Calibration("platt", [0.01, 0.01], [0.0, 3.0])
    monkeypatch.setattr(calibration, "fit_calibration", lambda *args: worse)
    config = {}
    (tmp_path / "reliability.png").unlink()
    report = _calibrate(tmp_path, config, job, held, Reporter(quiet=True))
    assert "calibration" not in config and report["method"] == "none"
    assert "already calibrated" in report["reason"]
    assert (tmp_path / "reliability.png").is_file()  # the diagram of the probabilities as trained
