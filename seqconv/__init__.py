"""seqconv: 1D convolutional networks for DNA sequences and time series.

Every tensor a model sees has the layout ``(N, C, L)``: batch, channels, length.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("seqconv")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from seqconv.causality import check_causal
from seqconv.receptive_field import receptive_field

__all__ = ["__version__", "check_causal", "receptive_field"]
