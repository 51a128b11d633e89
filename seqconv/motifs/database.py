"""Motif databases: JASPAR from the pyjaspar SQLite files (offline), or a MEME/JASPAR/TRANSFAC file.

The default is **JASPAR 2024 CORE vertebrates**, latest version of each matrix
(``jaspardb(release="JASPAR2024")``; the release is pinned so results do not change when pyjaspar
ships a newer one). Building it from SQLite takes about 2 s, so the converted database is cached
as ``.npz`` under :func:`seqconv.motifs.cache.cache_dir` (``SEQCONV_CACHE_DIR``).

Motifs from a file whose ids are JASPAR matrix ids (``MA0079.3``) get their TF class and family
from the pinned release.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from seqconv.atomic import write_npz
from seqconv.errors import InputError
from seqconv.motifs.cache import cache_dir
from seqconv.motifs.formats import read_motifs
from seqconv.motifs.motif import BASES, Motif

DEFAULT_RELEASE = "JASPAR2024"
DEFAULT_COLLECTION = "CORE"
DEFAULT_TAX_GROUP = "vertebrates"
_CACHE_FORMAT = 1
_JASPAR_ID = re.compile(r"^(M[A-Z]\d{4})(?:\.(\d+))?$", re.I)


@dataclass
class MotifDatabase:
    """Target motifs for comparison.

    Attributes
    ----------
    motifs
        The motifs, counts ``(4, W)``.
    source
        What they came from (``"JASPAR2024 CORE vertebrates (879 motifs)"`` or a path).
    """

    motifs: list[Motif]
    source: str
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.motifs)

    def __iter__(self) -> Iterator[Motif]:
        return iter(self.motifs)

    def __getitem__(self, index: int) -> Motif:
        return self.motifs[index]

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.motifs]

    def get(self, motif_id: str) -> Motif | None:
        """The motif with this id (``None`` if absent)."""
        return next((m for m in self.motifs if m.id == motif_id), None)

    def subset(self, ids: Sequence[str]) -> MotifDatabase:
        """A database of the given ids, in that order."""
        by_id = {m.id: m for m in self.motifs}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise InputError(f"{self.source}: no motifs {missing}")
        return MotifDatabase([by_id[i] for i in ids], f"{len(ids)} motifs of {self.source}")


def _jaspardb(release: str):
    from pyjaspar import jaspar_releases, jaspardb

    if release not in jaspar_releases:
        raise InputError(
            f"unknown JASPAR release {release!r}; pyjaspar has {', '.join(sorted(jaspar_releases))}"
        )
    return jaspardb(release=release)


@lru_cache(maxsize=8)
def _connection(release: str):
    return _jaspardb(release).conn


def _from_jaspar_motif(record) -> Motif:
    counts = np.array([record.counts[b] for b in BASES], dtype=np.float64)
    return Motif(
        record.matrix_id,
        counts,
        name=record.name,
        nsites=float(counts.sum(axis=0).max()),
        tf_class="; ".join(record.tf_class or []),
        tf_family="; ".join(record.tf_family or []),
    )


def _cache_path(release: str, collection: str, tax_group: str) -> Path:
    import pyjaspar

    version = getattr(pyjaspar, "__version__", "0")
    name = f"{release}_{collection}_{tax_group}_pyjaspar{version}_v{_CACHE_FORMAT}.npz"
    return cache_dir() / "motif-db" / name.replace("/", "_")


def _save(path: Path, motifs: list[Motif]) -> None:
    arrays = {
        "ids": np.array([m.id for m in motifs]),
        "names": np.array([m.name for m in motifs]),
        "classes": np.array([m.tf_class for m in motifs]),
        "families": np.array([m.tf_family for m in motifs]),
        "widths": np.array([m.width for m in motifs], dtype=np.int64),
        "counts": np.concatenate([m.counts for m in motifs], axis=1),
    }
    try:
        write_npz(path, arrays)
    except OSError:  # a read-only cache is not an error: the database is rebuilt next time
        pass


def _load(path: Path) -> list[Motif] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            bounds = np.r_[0, np.cumsum(data["widths"])]
            counts = data["counts"]
            return [
                Motif(
                    str(i),
                    counts[:, bounds[k] : bounds[k + 1]],
                    name=str(n),
                    nsites=float(counts[:, bounds[k] : bounds[k + 1]].sum(0).max()),
                    tf_class=str(c),
                    tf_family=str(f),
                )
                for k, (i, n, c, f) in enumerate(
                    zip(data["ids"], data["names"], data["classes"], data["families"], strict=True)
                )
            ]
    except (OSError, KeyError, ValueError):
        return None


def jaspar_database(
    release: str = DEFAULT_RELEASE,
    collection: str = DEFAULT_COLLECTION,
    tax_group: str | None = DEFAULT_TAX_GROUP,
    use_cache: bool = True,
) -> MotifDatabase:
    """JASPAR matrices from pyjaspar's bundled SQLite files, latest version of each.

    Parameters
    ----------
    release
        ``"JASPAR2024"`` (default, pinned), ``"JASPAR2022"``, ...
    collection
        ``"CORE"`` (default) or ``"UNVALIDATED"``.
    tax_group
        ``"vertebrates"`` (default), ``"insects"``, ``"plants"``, ...; ``None`` for all.
    use_cache
        Read/write the converted database under the cache folder.

    Returns
    -------
    MotifDatabase
        Motifs with id, name, TF class and family.
    """
    tax = tax_group or "all"
    path = _cache_path(release, collection, tax)
    motifs = _load(path) if use_cache and path.is_file() else None
    if motifs is None:
        db = _jaspardb(release)
        records = db.fetch_motifs(
            collection=collection,
            tax_group=[tax_group] if tax_group else None,
            all_versions=False,
        )
        motifs = sorted((_from_jaspar_motif(r) for r in records), key=lambda m: m.id)
        if not motifs:
            raise InputError(f"{release} has no {collection} motifs for tax group {tax_group!r}")
        if use_cache:
            _save(path, motifs)
    return MotifDatabase(motifs, f"{release} {collection} {tax} ({len(motifs)} motifs)")


def fetch_jaspar(motif_id: str, release: str = DEFAULT_RELEASE) -> Motif:
    """One JASPAR matrix by id: ``MA0151.1`` (that version) or ``MA0151`` (latest version).

    Versions no longer in ``release`` are looked up in the other releases pyjaspar ships.
    """
    match = _JASPAR_ID.match(motif_id.strip())
    if not match:
        raise InputError(f"{motif_id!r} is not a JASPAR matrix id (like MA0079.3 or MA0079)")
    wanted = match.group(1).upper() + (f".{match.group(2)}" if match.group(2) else "")
    from pyjaspar import jaspar_releases

    others = sorted((r for r in jaspar_releases if r != release), reverse=True)
    for rel in [release, *others]:
        with warnings.catch_warnings():  # pyjaspar warns for every release that lacks the id
            warnings.simplefilter("ignore")
            record = _jaspardb(rel).fetch_motif_by_id(wanted)
        if record is not None:
            return _from_jaspar_motif(record)
    raise InputError(f"JASPAR has no matrix {wanted!r} (searched {release} and older releases)")


def find_jaspar_by_name(
    name: str, release: str = DEFAULT_RELEASE, notes: list[str] | None = None
) -> Motif:
    """The latest CORE version of the matrix named ``name`` (case-insensitive).

    Several matrices may carry a name (``GATA1`` is MA0035 and MA2388): vertebrate matrices are
    preferred, then the lowest base id; the choice and the alternatives are appended to ``notes``.
    """
    conn = _connection(release)
    rows = conn.execute(
        "SELECT m.BASE_ID, MAX(m.VERSION), "
        "  (SELECT a.VAL FROM MATRIX_ANNOTATION a WHERE a.ID = m.ID AND a.TAG = 'tax_group') "
        "FROM MATRIX m WHERE m.COLLECTION = 'CORE' AND upper(m.NAME) = upper(?) "
        "GROUP BY m.BASE_ID",
        (name.strip(),),
    ).fetchall()
    if not rows:
        raise InputError(
            f"no {release} CORE matrix is named {name!r}; give a matrix id (MA0079.3) or "
            "check the spelling (names are TF symbols like SP1, GATA1, CTCF)"
        )
    rows.sort(key=lambda r: (r[2] != "vertebrates", r[0]))
    motif = fetch_jaspar(rows[0][0], release)
    if len(rows) > 1 and notes is not None:
        others = ", ".join(r[0] for r in rows[1:])
        notes.append(f"{name!r} is {motif.id} (also the name of {others})")
    return motif


def resolve_motif(
    spec: str,
    release: str = DEFAULT_RELEASE,
    database: MotifDatabase | None = None,
    notes: list[str] | None = None,
) -> Motif:
    """A motif from a JASPAR id (any version), a base id (latest version) or a TF name.

    With ``database``, the id or name is looked up there instead of in JASPAR.
    """
    spec = spec.strip()
    if database is not None:
        for motif in database:
            if motif.id == spec or motif.id.split(".")[0] == spec:
                return motif
        named = [m for m in database if m.name.upper() == spec.upper()]
        if named:
            return named[0]
        raise InputError(f"{database.source}: no motif with id or name {spec!r}")
    if _JASPAR_ID.match(spec):
        return fetch_jaspar(spec, release)
    return find_jaspar_by_name(spec, release, notes)


def annotate_from_jaspar(motifs: list[Motif], release: str = DEFAULT_RELEASE) -> int:
    """Fill in TF class and family of motifs whose ids are JASPAR matrix ids (in place).

    Returns
    -------
    int
        How many motifs were annotated.
    """
    wanted = {}
    for motif in motifs:
        match = _JASPAR_ID.match(motif.id)
        if match and match.group(2) and not (motif.tf_class or motif.tf_family):
            wanted[(match.group(1).upper(), int(match.group(2)))] = motif
    if not wanted:
        return 0
    conn = _connection(release)
    rows = conn.execute(
        "SELECT m.BASE_ID, m.VERSION, a.TAG, a.VAL FROM MATRIX m "
        "JOIN MATRIX_ANNOTATION a ON a.ID = m.ID WHERE a.TAG IN ('class', 'family') "
        "ORDER BY a.ID, a.LOCAL_ID"
    ).fetchall()
    found: dict[tuple[str, int], dict[str, list[str]]] = {}
    for base, version, tag, value in rows:
        key = (base, int(version))
        if key in wanted:
            found.setdefault(key, {"class": [], "family": []})[tag].append(value)
    for key, tags in found.items():
        wanted[key].tf_class = "; ".join(tags["class"])
        wanted[key].tf_family = "; ".join(tags["family"])
    return len(found)


def load_database(path: str | Path | None = None, release: str = DEFAULT_RELEASE) -> MotifDatabase:
    """The motif database for comparison.

    Parameters
    ----------
    path
        A MEME, JASPAR or TRANSFAC file; ``None`` for JASPAR 2024 CORE vertebrates
        (:func:`jaspar_database`).
    release
        JASPAR release used for the default database and for annotating JASPAR ids in a file.
    """
    if path is None:
        return jaspar_database(release)
    motifs = read_motifs(path)
    annotated = annotate_from_jaspar(motifs, release)
    notes = [f"TF class and family of {annotated} motifs from {release}"] if annotated else []
    return MotifDatabase(motifs, f"{path} ({len(motifs)} motifs)", notes)
