"""Fixtures shared by the motif tests: a small JASPAR database and a warm Tomtom.

memelite compiles its numba kernels on the first call (about 100 s on two cores). seqconv points
numba's cache at ``~/.cache/seqconv/numba`` (or ``$SEQCONV_CACHE_DIR/numba``), so that happens once
per machine; :func:`warm_tomtom` makes the first call outside any single test's timing.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from torch import nn

from seqconv.motifs.cache import warm_tomtom as _warm
from seqconv.motifs.database import MotifDatabase, fetch_jaspar
from seqconv.motifs.motif import Motif, ppm_from_counts

# Planted in the recovery tests: distinct families.
PLANTED = ["MA0139.2", "MA0035.4", "MA0079.5", "MA0058.3"]  # CTCF, GATA1, SP1, MAX
# Distractors: 28 more JASPAR CORE vertebrate matrices from other families.
DISTRACTORS = [
    "MA0002.3", "MA0003.5", "MA0004.1", "MA0006.2", "MA0007.4", "MA0009.2", "MA0014.4",
    "MA0017.3", "MA0018.5", "MA0019.2", "MA0024.3", "MA0025.3", "MA0027.3", "MA0028.3",
    "MA0029.2", "MA0030.2", "MA0046.3", "MA0048.3", "MA0050.4", "MA0052.5", "MA0059.2",
    "MA0060.4", "MA0065.3", "MA0066.2", "MA0068.2", "MA0070.2", "MA0074.1", "MA0075.4",
]  # fmt: skip


@pytest.fixture(scope="session")
def small_db() -> MotifDatabase:
    """32 JASPAR matrices: the four planted ones and 28 distractors."""
    motifs = [fetch_jaspar(i) for i in PLANTED + DISTRACTORS]
    return MotifDatabase(motifs, "test database")


@pytest.fixture(scope="session")
def warm_tomtom() -> float:
    """Seconds memelite's first Tomtom call took (compile, or load from the numba cache)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _warm()


def pwm_conv(motifs: list[Motif], n_random: int = 0, seed: int = 0) -> nn.Conv1d:
    """A ``Conv1d(4, F, k, padding=k//2)`` whose first filters are the motifs' log-odds
    (centred in the kernel) and whose last ``n_random`` filters are random."""
    k = max(m.width for m in motifs)
    conv = nn.Conv1d(4, len(motifs) + n_random, k, padding=k // 2)
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.zero_()
        for f, m in enumerate(motifs):
            log_odds = np.log2(ppm_from_counts(m.counts, 1.0) / 0.25)
            start = (k - m.width) // 2
            conv.weight[f, :, start : start + m.width] = torch.as_tensor(log_odds)
        gen = torch.Generator().manual_seed(seed)
        conv.weight[len(motifs) :] = torch.randn(n_random, 4, k, generator=gen) * 0.5
    return conv
