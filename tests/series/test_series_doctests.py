"""The examples in the time-series modules' docstrings run as written."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "seqconv.series.container",
    "seqconv.series.timegrid",
    "seqconv.series.normalize",
    "seqconv.series.masks",
    "seqconv.series.quantize",
    "seqconv.series.windows",
    "seqconv.models.masking",
    "seqconv.rf.streaming",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
