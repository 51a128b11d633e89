"""seqconv: 1D convolutional networks for DNA sequences and time series.

Every tensor a model sees has the layout ``(N, C, L)``: batch, channels, length.
"""

from seqconv.dna.encode import decode_dna, encode_dna, one_hot, reverse_complement
from seqconv.dna.fasta import read_fasta, read_fasta_codes
from seqconv.dna.shuffle import dinucleotide_shuffle
from seqconv.errors import InputError, SeqconvError
from seqconv.rf.causality import check_causal
from seqconv.rf.receptive_field import receptive_field
from seqconv.rf.streaming import Streamer
from seqconv.runs.load import load
from seqconv.runs.run import Run
from seqconv.series.data import SeriesData, read_series
from seqconv.version import __version__

__all__ = [
    "InputError",
    "Run",
    "SeqconvError",
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
