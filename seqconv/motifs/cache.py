"""Where seqconv keeps what it computes once per machine: converted motif databases and numba code.

``SEQCONV_CACHE_DIR`` overrides the folder; otherwise ``$XDG_CACHE_HOME/seqconv`` or
``~/.cache/seqconv``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cache_dir() -> Path:
    """The user cache folder of seqconv (not created here)."""
    explicit = os.environ.get("SEQCONV_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "seqconv"


def configure_numba_cache() -> Path:
    """Point numba's on-disk cache at ``<cache_dir>/numba`` unless ``NUMBA_CACHE_DIR`` is set.

    memelite compiles its Tomtom kernels with numba on the first call (about 100 s on two cores);
    with a writable cache folder that happens once per machine. Must run before memelite is
    imported, which :func:`import_tomtom` ensures.

    Returns
    -------
    Path
        The numba cache folder in use.
    """
    current = os.environ.get("NUMBA_CACHE_DIR")
    if current:
        return Path(current)
    folder = cache_dir() / "numba"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: numba falls back to its own locations
        return folder
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    if "numba" in sys.modules:  # numba reads its configuration at import
        from numba.core import config

        config.reload_config()
    return folder


def import_tomtom():
    """memelite's ``tomtom`` function, imported with the numba cache configured."""
    configure_numba_cache()
    from memelite import tomtom

    return tomtom


def warm_tomtom() -> float:
    """Compile (or load from the numba cache) memelite's Tomtom kernels; returns seconds taken.

    ``python -m seqconv.motifs.warm`` runs this, so CI and ``make test`` pay the one-time
    compile (about 100 s on two cores) in a step of its own.
    """
    import time

    import numpy as np

    start = time.perf_counter()
    tomtom = import_tomtom()
    rng = np.random.default_rng(0)
    queries = [np.ascontiguousarray(rng.dirichlet(np.ones(4), 8).T) for _ in range(2)]
    targets = [np.ascontiguousarray(rng.dirichlet(np.ones(4), 10).T) for _ in range(30)]
    tomtom(queries, targets, n_target_bins=None)  # as compare_motifs calls it
    return time.perf_counter() - start
