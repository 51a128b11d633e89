"""Every docstring example in the package runs as written (``python -m doctest`` style)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import seqconv

SKIP = {"seqconv.__main__", "seqconv.motifs.warm"}  # running them starts a program
MODULES = sorted(
    m.name for m in pkgutil.walk_packages(seqconv.__path__, "seqconv.") if m.name not in SKIP
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(module, optionflags=flags, report=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_the_examples_are_found():
    """Guard against the collection above silently finding nothing."""
    attempted = sum(
        doctest.testmod(importlib.import_module(name), report=False).attempted
        for name in ("seqconv.dna.encode", "seqconv.rf.streaming", "seqconv.core.predict")
    )
    assert attempted >= 10
