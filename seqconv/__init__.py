"""seqconv: 1D convolutional networks for DNA sequences and time series.

Every tensor a model sees has the layout ``(N, C, L)``: batch, channels, length.
"""

from importlib.metadata import PackageNotFoundError, version

from seqconv.causality import check_causal
from seqconv.data.shuffle import dinucleotide_shuffle
from seqconv.encode.dna import decode_dna, encode_dna, one_hot, reverse_complement
from seqconv.errors import InputError, SeqconvError
from seqconv.io.fasta import read_fasta, read_fasta_codes
from seqconv.io.series import SeriesData, read_series
from seqconv.receptive_field import receptive_field
from seqconv.run import Run, load
from seqconv.streaming import Streamer

try:
    __version__ = version("seqconv")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

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
