"""seqconv: 1D convolutional networks for DNA sequences and time series.

Every tensor a model sees has the layout ``(N, C, L)``: batch, channels, length.

The names below, and the subpackages (``seqconv.models``, ``seqconv.dna``, ``seqconv.series``,
``seqconv.rf``, ``seqconv.runs``, ``seqconv.motifs``, ``seqconv.train``, ``seqconv.cli``), are
imported on first use (PEP 562), so that ``import seqconv`` and the command line's ``--help``
start without loading torch::

    import seqconv
    model = seqconv.models.build("tcn", channels=[8, 8], kernel_size=3)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seqconv.errors import InputError, SeqconvError
from seqconv.version import __version__

_LAZY = {
    "DnaRun": "seqconv.runs.dna_run",
    "Run": "seqconv.runs.run",
    "SeriesRun": "seqconv.runs.series_run",
    "SeriesData": "seqconv.series.data",
    "Streamer": "seqconv.rf.streaming",
    "check_causal": "seqconv.rf.causality",
    "decode_dna": "seqconv.dna.encode",
    "dinucleotide_shuffle": "seqconv.dna.shuffle",
    "encode_dna": "seqconv.dna.encode",
    "load": "seqconv.runs.load",
    "one_hot": "seqconv.dna.encode",
    "read_fasta": "seqconv.dna.fasta",
    "read_fasta_codes": "seqconv.dna.fasta",
    "read_series": "seqconv.series.data",
    "receptive_field": "seqconv.rf.receptive_field",
    "reverse_complement": "seqconv.dna.encode",
}

_SUBPACKAGES = ("cli", "dna", "models", "motifs", "rf", "runs", "series", "train")
"""Imported when first used as an attribute: ``seqconv.models.build(...)``."""

if TYPE_CHECKING:  # for type checkers and IDEs: the eager imports
    from seqconv.dna.encode import decode_dna, encode_dna, one_hot, reverse_complement
    from seqconv.dna.fasta import read_fasta, read_fasta_codes
    from seqconv.dna.shuffle import dinucleotide_shuffle
    from seqconv.rf.causality import check_causal
    from seqconv.rf.receptive_field import receptive_field
    from seqconv.rf.streaming import Streamer
    from seqconv.runs.dna_run import DnaRun
    from seqconv.runs.load import load
    from seqconv.runs.run import Run
    from seqconv.runs.series_run import SeriesRun
    from seqconv.series.data import SeriesData, read_series


def __getattr__(name: str) -> Any:
    if name in _SUBPACKAGES:
        # importing a subpackage binds it here too, so later look-ups skip this function
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _LAZY:
        raise AttributeError(f"module 'seqconv' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBPACKAGES))


__all__ = [
    "InputError",
    "DnaRun",
    "Run",
    "SeqconvError",
    "SeriesRun",
    "SeriesData",
    "Streamer",
    "__version__",
    "check_causal",
    "decode_dna",
    "dinucleotide_shuffle",
    "encode_dna",
    "load",
    "one_hot",
    "read_fasta",
    "read_fasta_codes",
    "read_series",
    "receptive_field",
    "reverse_complement",
]
