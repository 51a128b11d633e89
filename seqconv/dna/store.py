"""Labelled sequences encoded once, on disk: the store that training reads batches from.

A store is a folder of raw arrays (codes ``(N, L)`` uint8, ids, targets, split keys, sources) and
a ``store.json`` written last. Reading memory-maps the arrays: a process holds the pages it
touches, which the kernel may drop and read again, so resident memory no longer grows with the
number of records. Several processes (``torchrun`` ranks) map the same files and share their pages.

A store is identified by a key: the SHA-256 of what made it (input files' SHA-256, length,
alignment, negatives, seed, ...). A folder holding a complete store of the same key is reused
(a resumed run, or a second run with ``--store`` pointing at a shared folder); one of another key
is replaced. Building goes into a temporary folder renamed into place at the end: a killed build
leaves no store that looks complete, and the next start removes its remains.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.dna.labeled import LabeledSequences
from seqconv.dna.spool import open_array, save_array
from seqconv.dna.strings import Gathered, Strings
from seqconv.errors import InputError

MANIFEST = "store.json"
FORMAT = 1


def store_key(parts: dict) -> str:
    """The SHA-256 of what makes a store (a JSON-ready mapping)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def open_store(folder: Path, key: str) -> LabeledSequences | None:
    """The labelled sequences of the complete store in ``folder`` made with ``key``, or ``None``."""
    manifest = folder / MANIFEST
    try:
        meta = json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("key") != key or meta.get("format") != FORMAT:
        return None
    try:
        return _read(folder, meta)
    except (OSError, ValueError, KeyError):  # a damaged store is made again
        return None


def labeled_store(
    folder: Path, key: str, build: Callable[[Path], LabeledSequences], note: Callable[[str], None]
) -> LabeledSequences:
    """The store of ``key`` in ``folder``: opened when complete, else made by ``build`` (which
    reads its inputs into the folder it is given) and saved.

    Raises
    ------
    InputError
        When the folder cannot be written (the message names it and ``--store``).
    """
    found = open_store(folder, key)
    if found is not None:
        note(f"reusing the encoded sequences in {folder} (same files and options)")
        return found
    work = folder.with_name(folder.name + ".partial")
    try:
        shutil.rmtree(work, ignore_errors=True)  # the remains of a killed build
        work.mkdir(parents=True)
    except OSError as exc:
        raise InputError(
            f"{work}: cannot write the encoded sequences there ({exc.strerror}); choose another "
            "folder with --store DIR"
        ) from None
    try:
        data = build(work)
        _write(work, key, data)
        old = folder.with_name(folder.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if folder.exists():
            folder.rename(old)
        work.rename(folder)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    opened = open_store(folder, key)
    if opened is None:  # pragma: no cover - written just now
        raise InputError(f"{folder}: the store just written cannot be read back")
    return opened


def store_bytes(n_records: int, length: int) -> int:
    """Disk a store of ``n_records`` sequences of ``length`` needs (codes, ids and the rest)."""
    return n_records * (length + 64)


def _write(folder: Path, key: str, data: LabeledSequences) -> None:
    """Arrays of ``data`` not yet in files go in; ``store.json`` last, naming every file."""
    arrays = {
        "codes": _in_folder(folder, "codes", data.codes),
        "targets": _in_folder(folder, "targets", np.asarray(data.targets)),
    }
    ids = data.ids if isinstance(data.ids, Strings) else Strings.from_list(data.ids)
    if ids.offsets[0] != 0:  # a slice of larger strings
        ids = Strings(np.asarray(ids.data[ids.offsets[0] :]), ids.offsets - ids.offsets[0])
    arrays["ids.bytes"] = _in_folder(folder, "ids.bytes", ids.data)
    arrays["ids.offsets"] = _in_folder(folder, "ids.offsets", ids.offsets)
    groups = data.groups
    if isinstance(groups, Gathered) and groups.strings is data.ids:
        arrays["groups"] = _in_folder(folder, "groups", groups.index)
    elif list(groups[:1]) != list(data.ids[:1]) or len(groups) != len(data.ids):
        raise ValueError("a store keeps groups as the ids or as positions in them")
    sources = pd.Categorical(data.sources)
    arrays["sources"] = _in_folder(folder, "sources", sources.codes)
    meta = {
        "format": FORMAT,
        "key": key,
        "files": arrays,
        "task": data.task,
        "target_names": list(data.target_names),
        "source_names": [str(c) for c in sources.categories],
        "notes": list(data.notes),
        "records": len(data.ids),
    }
    (folder / MANIFEST).write_text(json.dumps(meta, indent=1))
    used = set(arrays.values())
    for path in folder.iterdir():  # what reading left behind (e.g. the ids before negatives)
        if path.name != MANIFEST and path.name.removesuffix(".json") not in used:
            path.unlink()


def _in_folder(folder: Path, name: str, array: np.ndarray) -> str:
    """The file of ``array`` within ``folder`` (written there unless it is a map of one)."""
    filename = getattr(array, "filename", None)
    if filename is not None and Path(filename).parent == folder.resolve():
        return Path(filename).name
    save_array(folder / name, np.asarray(array))
    return name


def _read(folder: Path, meta: dict) -> LabeledSequences:
    files = meta["files"]
    ids = Strings(
        open_array(folder / files["ids.bytes"]), open_array(folder / files["ids.offsets"])
    )
    groups = Gathered(ids, open_array(folder / files["groups"])) if "groups" in files else ids
    names = meta["source_names"]
    codes = np.asarray(open_array(folder / files["sources"]))
    sources = pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))
    return LabeledSequences(
        ids,
        open_array(folder / files["codes"]),
        open_array(folder / files["targets"]),
        meta["task"],
        list(meta["target_names"]),
        groups,
        sources,
        list(meta["notes"]),
    )
