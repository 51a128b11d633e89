"""``import seqconv`` gives its subpackages lazily (PEP 562, issue 24): ``seqconv.models.build``
works in a fresh interpreter without importing ``seqconv.models`` first, and torch is loaded only
when a subpackage that needs it is used."""

from __future__ import annotations

import subprocess
import sys

SUBPACKAGES = ("cli", "dna", "models", "motifs", "rf", "runs", "series", "train")


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_zoo_model_is_built_through_the_package_alone():
    out = _fresh(
        "import seqconv; "
        "m = seqconv.models.build('tcn', channels=[4], kernel_size=3); "
        "print(type(m).__name__, seqconv.models.is_dense(m))"
    )
    assert out == "TCN False"


def test_every_subpackage_resolves_and_is_listed():
    out = _fresh(
        "import sys, types, seqconv; "
        f"names = {SUBPACKAGES!r}; "
        "assert set(names) <= set(dir(seqconv)), sorted(set(names) - set(dir(seqconv))); "
        "assert 'torch' not in sys.modules; "
        "assert all(isinstance(getattr(seqconv, n), types.ModuleType) for n in names); "
        "print(seqconv.series.__name__)"
    )
    assert out == "seqconv.series"


def test_an_unknown_name_is_still_an_attribute_error():
    out = _fresh(
        "import seqconv\ntry:\n    seqconv.nonexistent\nexcept AttributeError as e:\n    print(e)\n"
    )
    assert out == "module 'seqconv' has no attribute 'nonexistent'"
