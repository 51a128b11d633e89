"""Motifs a model learned (first-layer filters, deeper units, seqlets), named against JASPAR;
influence, logos, attribution.

Every matrix here has the layout ``(4, W)`` (rows A, C, G, T); every model input ``(N, 4, L)``.

Entry points
------------
:func:`write_motif_report`
    Everything ``seqconv motifs`` writes (PFMs, matches, clusters, maps, logos, HTML), for each
    source of motifs (:mod:`seqconv.motifs.report`).
:func:`extract_filter_motifs`, :func:`annotate_motifs`, :func:`filter_influence`
    The steps on their own.
:func:`write_attributions`
    ISM and gradient×input maps (``seqconv attribute``).
:func:`load_database`, :func:`read_motifs`, :func:`write_meme`, :func:`write_jaspar`,
:func:`write_transfac`
    Motif databases and files.
"""

from seqconv.motifs.attribution import gradient_x_input, ism, write_attributions
from seqconv.motifs.compare import annotate_motifs, compare_motifs
from seqconv.motifs.database import (
    MotifDatabase,
    fetch_jaspar,
    jaspar_database,
    load_database,
    resolve_motif,
)
from seqconv.motifs.filters import FilterExtraction, FilterMotif, extract_filter_motifs
from seqconv.motifs.formats import read_motifs, write_jaspar, write_meme, write_transfac
from seqconv.motifs.influence import Influence, filter_influence
from seqconv.motifs.layer import find_first_layer
from seqconv.motifs.motif import Motif
from seqconv.motifs.recovery import Recovery, recovery
from seqconv.motifs.report import MotifReport, write_motif_report

__all__ = [
    "FilterExtraction",
    "FilterMotif",
    "Influence",
    "Motif",
    "MotifDatabase",
    "MotifReport",
    "Recovery",
    "annotate_motifs",
    "compare_motifs",
    "extract_filter_motifs",
    "fetch_jaspar",
    "filter_influence",
    "find_first_layer",
    "gradient_x_input",
    "ism",
    "jaspar_database",
    "load_database",
    "read_motifs",
    "recovery",
    "resolve_motif",
    "write_attributions",
    "write_jaspar",
    "write_meme",
    "write_motif_report",
    "write_transfac",
]
