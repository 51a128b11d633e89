"""Which option applies to which source of motifs; an option given to a source it does not apply to
is refused, never silently ignored.

Sources
    ``filters``: the first convolution's filters (``--method filters``, ``--layer 1``);
    ``units``: the units of a deeper convolution (``--layer N``, ``N >= 2``);
    ``seqlets``: patterns of high-importance windows from attributions (``--method seqlets``).

What every source takes (the database, ``q``, the shuffled control, the seed, the device) are
arguments of :func:`~seqconv.motifs.report.write_motif_report`; :data:`APPLIES_TO` lists the rest.

>>> check_options("filters", ["--mode", "--q"])  # --q: every source
>>> applicable("units", {"mode": "basset", "factor": 0.5})
{'factor': 0.5}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from seqconv.errors import InputError

SOURCES = ("filters", "units", "seqlets")

DESCRIBED = {
    "filters": "first-layer filters (--method filters)",
    "units": "units of a deeper layer (--layer N >= 2)",
    "seqlets": "seqlets (--method seqlets)",
}

_SITES = ("filters", "units")  # sources whose motifs are sites of a convolution

APPLIES_TO: dict[str, tuple[str, ...]] = {
    # filters: extract_filter_motifs, and filter_influence for ranking and naming
    "mode": ("filters",),
    "top_k": ("filters",),
    "layout": ("filters",),
    "min_influence": ("filters",),
    "influence": ("filters",),
    "influence_sequences": ("filters",),
    # filters and units: sites of a convolution counted into PFMs
    "factor": _SITES,
    "min_sites": _SITES,
    "trim_bits": _SITES,
    "min_width": _SITES,
    "pseudocount": _SITES,
    # units: extract_unit_motifs
    "layer": ("units",),
    "max_sites": ("units",),
    "maps": ("units",),
    # seqlets: seqlet_motifs
    "targets": ("seqlets",),
    "n_sequences": ("seqlets",),
    "window": ("seqlets",),
    "flank": ("seqlets",),
    "fdr": ("seqlets",),
    "per_seq": ("seqlets",),
    "max_seqlets": ("seqlets",),
    "similarity": ("seqlets",),
    "min_seqlets": ("seqlets",),
    "trim": ("seqlets",),
    "steps": ("seqlets",),
    "batch_size": SOURCES,
}
"""Option (keyword of :func:`~seqconv.motifs.report.write_motif_report`) to the sources it applies
to."""

FLAGS = {"targets": "--target", "n_sequences": "--sequences"}
"""Command-line flags not spelled ``--<option>``."""


def flag(option: str) -> str:
    """The command-line flag of an option (``min_sites`` → ``--min-sites``)."""
    return FLAGS.get(option, "--" + option.replace("_", "-"))


_BY_FLAG = {flag(option): option for option in APPLIES_TO}


def choose_source(method: str, layer: int | None = None) -> str:
    """The source that ``--method`` and ``--layer`` select (see the module docstring)."""
    if method not in ("filters", "seqlets"):
        raise InputError(f"--method must be one of filters, seqlets, not {method!r}")
    if method == "seqlets":
        if layer is not None:
            raise InputError(
                "--layer reads one convolution's filters or units and goes with --method filters; "
                "seqlets come from attributions of the whole model: leave out --layer"
            )
        return "seqlets"
    return "units" if layer is not None and layer >= 2 else "filters"


def check_options(source: str, given: Iterable[str]) -> None:
    """Refuse the options in ``given`` that do not apply to ``source``.

    Parameters
    ----------
    source
        One of :data:`SOURCES`.
    given
        Options the user gave, as keywords (``min_sites``) or flags (``--min-sites``); those in no
        row of :data:`APPLIES_TO` apply to every source.

    Raises
    ------
    InputError
        Naming the first option that does not apply, and what it applies to.
    """
    if source not in SOURCES:
        raise InputError(
            f"the source of motifs must be one of {', '.join(SOURCES)}, not {source!r}"
        )
    for name in given:
        sources = APPLIES_TO.get(_BY_FLAG.get(name, name))
        if sources is not None and source not in sources:
            where = " and ".join(DESCRIBED[s] for s in sources)
            raise InputError(
                f"{name} applies to {where} only, not to {DESCRIBED[source]}: leave it out"
            )


def source_options(source: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` checked for ``source``: an unknown option or one that does not apply is an
    :class:`~seqconv.errors.InputError`."""
    unknown = sorted(set(options) - set(APPLIES_TO))
    if unknown:
        raise InputError(
            f"unknown option {unknown[0]!r} of the motif report; the options of {source}: "
            + ", ".join(o for o, s in APPLIES_TO.items() if source in s)
        )
    check_options(source, options)
    return dict(options)


def applicable(source: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``values`` (option to value) that apply to ``source``."""
    return {option: v for option, v in values.items() if source in APPLIES_TO.get(option, ())}
