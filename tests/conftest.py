"""Shared fixtures: small FASTA files written on the fly, and CPU/CUDA device parametrisation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from seqconv.dna.encode import reverse_complement

pytest_plugins = ["motif_fixtures"]  # small JASPAR database, warm Tomtom

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.fixture(autouse=True)
def _seeded():
    """Seed torch and numpy per test so that random initialisations cannot make a test flaky."""
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - code under test may use the legacy global generator


@pytest.fixture(params=DEVICES)
def device(request) -> str:
    """Run a test on the CPU and, where one is present, on a CUDA device."""
    return request.param


def write_fasta(path: Path, records: list[tuple[str, str]], width: int | None = None) -> Path:
    """Write ``(header, sequence)`` records, wrapping lines at ``width``."""
    lines = []
    for header, seq in records:
        lines.append(f">{header}")
        if width:
            lines.extend(seq[i : i + width] for i in range(0, len(seq), width))
        else:
            lines.append(seq)
    path.write_text("\n".join(lines) + "\n")
    return path


def random_dna(rng, n: int, length: int) -> list[str]:
    letters = np.array(list("ACGT"))
    return ["".join(row) for row in letters[rng.integers(0, 4, (n, length))]]


def plant(rng, seqs: list[str], motif: str) -> list[str]:
    """Insert ``motif`` (or its reverse complement) at a random position of each sequence."""
    out = []
    for s in seqs:
        site = motif if rng.random() < 0.5 else reverse_complement(motif)
        p = int(rng.integers(0, len(s) - len(site)))
        out.append(s[:p] + site + s[p + len(site) :])
    return out


@pytest.fixture
def planted(tmp_path) -> dict[str, Path]:
    """Small planted-motif data: two class files, one label= file, one file of positives."""
    rng = np.random.default_rng(0)
    n, length = 300, 60
    pos = plant(rng, random_dna(rng, n, length), "TGACTCAG")
    neg = random_dna(rng, n, length)
    files = {
        "bound": write_fasta(tmp_path / "bound.fa", [(f"b{i}", s) for i, s in enumerate(pos)]),
        "unbound": write_fasta(tmp_path / "unbound.fa", [(f"u{i}", s) for i, s in enumerate(neg)]),
    }
    mixed = [(f"s{i} label={i % 2}", pos[i] if i % 2 else neg[i]) for i in range(n)]
    files["labelled"] = write_fasta(tmp_path / "labelled.fa", mixed)
    return files
