"""Shared fixtures: small FASTA files written on the fly, and CPU/CUDA device parametrisation."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


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
