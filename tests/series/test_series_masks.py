"""Padding series of unequal lengths to one length, and the mask of their real steps.

That padding then changes no model's prediction is tested with the model hooks
(``tests/models/test_model_masks.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from seqconv.errors import InputError
from seqconv.series.masks import lengths_mask, pad_series


def test_pad_right_left_and_trim():
    values = np.full((2, 1, 5), np.nan, np.float32)
    values[0, 0, :3] = [1, 2, 3]
    values[1, 0, :] = [1, 2, 3, 4, 5]
    lengths = np.array([3, 5])
    x, mask = pad_series(values, lengths, 6)
    assert x[0, 0].tolist() == [1, 2, 3, 0, 0, 0] and mask[0].sum() == 3
    x, mask = pad_series(values, lengths, 6, side="left")
    assert x[0, 0].tolist() == [0, 0, 0, 1, 2, 3] and mask[0].tolist() == [0, 0, 0, 1, 1, 1]
    x, mask = pad_series(values, lengths, 4)  # trimmed: keeps the start
    assert x[1, 0].tolist() == [1, 2, 3, 4] and mask.all(axis=1).tolist() == [False, True]
    x, mask = pad_series(values, lengths, 4, side="left")  # trimmed: keeps the end
    assert x[1, 0].tolist() == [2, 3, 4, 5] and x[0, 0].tolist() == [0, 1, 2, 3]
    x, _ = pad_series(values, lengths, multiple_of=4)
    assert x.shape == (2, 1, 8)
    values[0, 0, 1] = np.nan
    with pytest.raises(InputError, match="fill them first"):
        pad_series(values, lengths)


def test_lengths_mask_right_left_and_longer_series():
    lengths = np.array([0, 2, 5])
    assert lengths_mask(lengths, 4).astype(int).tolist() == [
        [0, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 1, 1],  # longer than the mask: every step is real
    ]
    assert lengths_mask(lengths, 4, side="left").astype(int).tolist() == [
        [0, 0, 0, 0],
        [0, 0, 1, 1],
        [1, 1, 1, 1],
    ]
    with pytest.raises(InputError, match="padding side"):
        lengths_mask(lengths, 4, side="middle")
