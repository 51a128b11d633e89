"""Where a command writes, checked before any work starts: nothing a user owns is lost.

An output file may not be one of the command's inputs (compared as files: links and ``..``
included), nor an input's index beside it (``genome.fa.fai``, ``.gzi``, ``.tbi``), nor an existing
folder; an output folder may not be an existing file. The nearest
existing folder above an output must be a folder this user can write in; missing folders are
created when the output is written. ``-`` means standard output where a command streams.

>>> check_output_file("-") is None
True
>>> check_output_file("x.fa", inputs=["x.fa"])
Traceback (most recent call last):
...
seqconv.errors.InputError: --out x.fa is the input file x.fa; choose another name
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from seqconv.errors import InputError
from seqconv.files import absolute

STDOUT = "-"
SIDECARS = (".fai", ".gzi", ".tbi", ".csi")
"""Index files that live beside an input (``genome.fa.fai``): an output never replaces one."""
_NOT_FILES = (STDOUT, "none", "shuffle", "uniform")  # values of options that may also name files


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name the same file (existing: the same inode; else the same place)."""
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return absolute(a) == absolute(b)


def _files(paths: Iterable[str | Path | None]) -> list[Path]:
    return [Path(p) for p in paths if p is not None and str(p) not in _NOT_FILES]


def _not_an_input(path: Path, inputs: Iterable[str | Path | None], option: str) -> None:
    """Refuse an output that is one of ``inputs`` or an index beside one (:data:`SIDECARS`)."""
    for source in _files(inputs):
        if same_file(path, source):
            raise InputError(f"{option} {path} is the input file {source}; choose another name")
        for suffix in SIDECARS:
            if same_file(path, f"{source}{suffix}"):
                raise InputError(
                    f"{option} {path} would replace {source}{suffix}, the index of the input "
                    f"file {source}; choose another name"
                )


def check_writable(path: Path, option: str = "--out") -> None:
    """The nearest existing folder above ``path`` is a folder this user may write in."""
    parent = Path(os.path.abspath(path)).parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(
            f"{option} {path}: {parent} is a file, not a directory; choose another name"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{option} {path}: no permission to write in {parent}")


def check_output_file(
    path: str | Path | None,
    inputs: Iterable[str | Path | None] = (),
    option: str = "--out",
    keep: Iterable[str | Path] = (),
    example: str = "out.tsv",
) -> Path | None:
    """Check an output file before any work starts; ``None`` for standard output (``None``, ``-``).

    Parameters
    ----------
    inputs
        The command's input files (``None`` and ``-`` are skipped).
    option
        The option that named ``path``, for messages.
    keep
        Other files the output must not replace (a run's own files).
    example
        A file name to suggest when ``path`` is a folder.

    Raises
    ------
    InputError
        ``path`` is an input or an input's index, one of ``keep``, an existing folder, or below
        a file or a folder this user cannot write in.
    """
    if path is None or str(path) == STDOUT:
        return None
    path = Path(path)
    if path.is_dir():
        raise InputError(
            f"{option} {path} is a directory; give a file name (e.g. {path / example})"
        )
    _not_an_input(path, inputs, option)
    for other in _files(keep):
        if same_file(path, other):
            raise InputError(f"{option} {path} would replace {other}; choose another name")
    check_writable(path, option)
    return path


def check_output_dir(
    path: str | Path, inputs: Iterable[str | Path | None] = (), option: str = "--out"
) -> Path:
    """Check an output folder before any work starts (it may exist, or will be created).

    Raises
    ------
    InputError
        ``path`` is an existing file (an input or not), or below a file or a folder this user
        cannot write in.
    """
    path = Path(path)
    _not_an_input(path, inputs, option)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path} is a file, not a directory; choose another {option}")
    check_writable(path / "x", option)
    return path
