"""A run's data files, checked against what ``config.json`` recorded before ``--resume`` reads
them again: a run continues on the data it started on, or says why not.

Training records each data file in ``config.json``'s ``data`` block as ``{"path", "sha256"}``.
Before a resumed run reads a file named in its options, the file must be one the block records
(an ``options`` entry naming another file means ``config.json`` was edited: it is refused
without being opened) and must still have the recorded SHA-256 (a changed file is refused,
unless ``--force``, which uses it and says so). Files recorded by path only (runs of earlier
versions) are used as they are, announced.

>>> sorted(recorded({"data": {"fasta": [{"path": "/d/a.fa", "sha256": "ab"}], "genome": "/g.fa"}}))
['/d/a.fa', '/g.fa']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from seqconv.errors import InputError
from seqconv.files import absolute

DATA_OPTIONS = ("fasta", "labels", "negatives", "bed", "genome", "bigwig", "control", "exclude",
                "intervals", "series")  # fmt: skip
"""Options of ``seqconv train`` that name data files."""
NOT_FILES = ("shuffle", "none", "genome")
"""Values of ``--negatives`` that name no file."""
DATA_KEYS = {"negatives": "negatives_file"}
"""Where the ``data`` block records the file of an option, when not under its own name."""


def recorded(config: dict[str, Any]) -> dict[str, str | None]:
    """Every file that ``config.json``'s ``data`` block names: absolute path to its SHA-256
    (``None`` where only the path was recorded)."""
    out: dict[str, str | None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("path"), str):
                digest = value.get("sha256")
                out[value["path"]] = digest if isinstance(digest, str) else None
                return
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and value.startswith("/") and value not in out:
            out[value] = None

    data = config.get("data")
    walk(data if isinstance(data, dict) else {})
    return out


def _named(options: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(option, path)`` of every data file the options name."""
    for name in DATA_OPTIONS:
        value = options.get(name)
        for path in value if isinstance(value, list) else [value]:
            if isinstance(path, str) and path and not (name == "negatives" and path in NOT_FILES):
                yield name, path


def verify_data(
    run_dir: str | Path,
    config: dict[str, Any],
    options: dict[str, Any],
    force: bool = False,
    announce: Callable[[str], None] = print,
) -> None:
    """Check the data files a resumed run will read against ``config.json``.

    Parameters
    ----------
    options
        The run's stored options (field names, paths absolute).
    force
        Use files whose SHA-256 changed (announced) instead of refusing them.

    Raises
    ------
    InputError
        A file the ``data`` block does not record (``config.json`` edited), a file that is
        gone, or (without ``force``) one whose SHA-256 differs from the recorded one.
    """
    from seqconv.rundir import CONFIG, sha256

    source = Path(run_dir) / CONFIG
    files = recorded(config)
    block = config.get("data") if isinstance(config.get("data"), dict) else {}
    unchecked = []
    for name, path in _named(options):
        flag = "--" + name.replace("_", "-")
        key = path if path in files else str(absolute(path))
        if key not in files and block.get(DATA_KEYS.get(name, name)) is None:
            unchecked.append(path)  # an earlier seqconv recorded no such file
            continue
        if key not in files:
            known = ", ".join(sorted(files)[:4]) or "none"
            raise InputError(
                f"{source}: options name {path} as {flag}, but the run was not trained on it "
                f"(the data block records {known}); config.json was edited: restore it, or "
                f"train a new run (--config {source} --out NEW_DIR)"
            )
        if not Path(path).is_file():  # checked, never opened, before it is known to be the run's
            raise InputError(
                f"{path}: the run's {flag} file is gone (moved or deleted); put it back to "
                "resume the run"
            )
        digest = files[key]
        if digest is None:
            unchecked.append(path)
        elif sha256(path) != digest:
            if not force:
                raise InputError(
                    f"{path}: changed since the run was trained (its SHA-256 differs from the "
                    f"one in {source}); restore it, train a new run, or add --force to resume "
                    "on the file as it is now"
                )
            announce(
                f"warning: {path} changed since the run was trained (SHA-256 differs from "
                f"{CONFIG}): resuming on it as it is now (--force)"
            )
    if unchecked:
        announce(
            f"note: {CONFIG} records no SHA-256 for {', '.join(unchecked)} (an earlier "
            "seqconv): used as it is now, unchecked"
        )
