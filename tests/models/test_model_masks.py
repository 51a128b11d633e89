"""Padded series give the same predictions as the same series run alone (models with masks)."""

import numpy as np
import pytest
import torch
from torch import nn

from seqconv import models
from seqconv.core.series_stores import SeriesTensor
from seqconv.errors import SeqconvError
from seqconv.models.masking import enable_masks, padding_side, with_mask_channel
from seqconv.series.masks import pad_series

CASES = {
    "resnet": {"filters": [6, 8], "kernel_sizes": [8, 5, 3]},
    "tcn": {"channels": [6, 6], "kernel_size": 3},
    "wavenet": {
        "residual_channels": 6,
        "gate_channels": 6,
        "skip_channels": 6,
        "layers_per_stack": 3,
        "stacks": 1,
    },  # fmt: skip
    "tdnn": {"channels": [8, 8], "kernel_sizes": [5, 3], "dilations": [1, 2], "embedding": [8]},
    "tdnn_causal": {
        "channels": [8, 8],
        "kernel_sizes": [5, 3],
        "dilations": [1, 2],
        "embedding": [8],
        "causal": True,
    },  # fmt: skip
}


def _model(name: str) -> nn.Module:
    torch.manual_seed(0)
    model = models.build(name.split("_")[0], in_channels=2, n_outputs=3, **CASES[name])
    g = torch.Generator().manual_seed(1)
    for m in model.modules():  # batch norm that is not the identity in evaluation mode
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g))
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
    return enable_masks(model).eval()


@pytest.mark.parametrize("name", sorted(CASES))
def test_padded_equals_alone(name):
    model = _model(name)
    side = padding_side(model)
    assert side == ("left" if name in ("tcn", "wavenet") else "right")
    rng = np.random.default_rng(0)
    lengths = np.array([7, 30, 19, 12])
    values = np.full((4, 2, 30), np.nan, dtype=np.float32)
    for i, n in enumerate(lengths):
        values[i, :, :n] = rng.standard_normal((2, n))
    x, mask = pad_series(values, lengths, side=side)
    with torch.no_grad():
        padded = model(SeriesTensor(x, mask).data)
        # the same series padded further still gives the same output
        longer, mask2 = pad_series(values, lengths, length=41, side=side)
        more = model(SeriesTensor(longer, mask2).data)
        for i, n in enumerate(lengths):
            alone = model(with_mask_channel(torch.from_numpy(values[i : i + 1, :, :n]), None))
            torch.testing.assert_close(padded[i : i + 1], alone, rtol=1e-4, atol=1e-5)
            torch.testing.assert_close(more[i : i + 1], alone, rtol=1e-4, atol=1e-5)


def test_unmasked_model_sees_padding():
    """The control: without masks, padding does change the prediction."""
    torch.manual_seed(0)
    model = models.build("resnet", in_channels=1, n_outputs=2, filters=[4], kernel_sizes=[3])
    model.eval()
    x = torch.randn(1, 1, 10)
    padded = torch.cat([x, torch.zeros(1, 1, 5)], dim=-1)
    assert not torch.allclose(model(x), model(padded), atol=1e-4)


def test_masks_refuse_length_changing_models():
    with pytest.raises(SeqconvError, match="keep the length"):
        enable_masks(models.build("basset", in_channels=1, n_outputs=2))
