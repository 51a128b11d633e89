"""The motif report: one pipeline for first-layer filters, a deeper layer's units and seqlets.

:func:`write_motif_report` is what ``seqconv motifs`` runs. A *source* finds motifs
(``from_filters``, ``from_units``, ``from_seqlets``: a :class:`~.found.Found`); the pipeline
names them against a database with the shuffled control, clusters and writes the same files and
columns for every source (``pipeline``: :data:`REPORT_FILES`; ``tables``, ``drawings``, ``page``).
Which option applies to which source is one table (``options``: :data:`APPLIES_TO`).
"""

from seqconv.motifs.report.options import (
    APPLIES_TO,
    SOURCES,
    applicable,
    check_options,
    choose_source,
)
from seqconv.motifs.report.pipeline import REPORT_FILES, MotifReport, write_motif_report
from seqconv.motifs.report.tables import MATCHES_COLUMNS, MOTIF_COLUMNS

__all__ = [
    "APPLIES_TO",
    "MATCHES_COLUMNS",
    "MOTIF_COLUMNS",
    "REPORT_FILES",
    "SOURCES",
    "MotifReport",
    "applicable",
    "check_options",
    "choose_source",
    "write_motif_report",
]
