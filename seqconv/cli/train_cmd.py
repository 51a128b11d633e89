"""`seqconv train`: train a model from FASTA files or time series and write a run directory.

Its options are the fields of :class:`seqconv.train.train_options.TrainOptions`; this module only
registers the command.
"""

from __future__ import annotations

from typing import Any

from seqconv.cli.app import app
from seqconv.cli.generate import command
from seqconv.option_table import specs
from seqconv.train.train_options import TrainOptions


def train(given: dict[str, Any]) -> None:
    """Train a model on labelled DNA sequences or time series and write a run directory.

    DNA labels come from one FASTA per class, 'label=' in the headers, a --labels table, or (one
    file alone) dinucleotide-shuffled negatives. Peaks on a genome (--bed, --genome) are labelled
    the same ways, and one BED alone trains against GC-matched genomic windows. Time series
    (--series) carry their labels (.ts) or name them with --target; --task forecast trains on
    windows split by time. Defaults differ by task: --help lists each.
    """
    from seqconv.train.entry import train_from_options

    train_from_options(given)


command(
    app,
    specs(TrainOptions),
    train,
    given_only=True,
    name="train",
    epilog="Example: seqconv train --fasta peaks.fa --arch motifnet --out runs/peaks-motifnet\n\n"
    "Example: seqconv train --bed peaks.narrowPeak --genome hg38.fa --length 1000 --out "
    "runs/peaks\n\nExample: seqconv train --resume runs/peaks --epochs 300 --time-limit 2h",
)
