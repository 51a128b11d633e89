"""The length DNA sequences are padded or trimmed to when ``--length`` is not given."""

from __future__ import annotations

import numpy as np

from seqconv.dna.fasta import fasta_lengths
from seqconv.errors import InputError
from seqconv.progress import Reporter


def choose_length(paths: list[str], reporter: Reporter, lengths: np.ndarray | None = None) -> int:
    """The common length of all sequences, or their median length (announced) when they differ
    (``lengths``: theirs, when already read)."""
    if lengths is None:
        lengths = np.concatenate([fasta_lengths(p) for p in paths])
    if lengths.size == 0:
        raise InputError(f"no sequences in {', '.join(paths)}")
    if (lengths == lengths[0]).all():
        return int(lengths[0])
    length = int(np.median(lengths))
    reporter.info(
        f"sequences are {lengths.min()}-{lengths.max()} bp long: centring and padding/trimming all "
        f"to the median, {length} bp (set --length to choose)"
    )
    return length
