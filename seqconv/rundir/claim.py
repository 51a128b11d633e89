"""Taking a run directory to train into: nothing a user owns is lost, one writer at a time.

Before any data is read, :func:`claim` checks the folder, takes its lock
(:mod:`seqconv.rundir.lock`) and removes temporary files that a killed run left behind. A folder
that holds a run is only replaced when asked (``--force``), and only seqconv's own files go: a
folder that also holds anything else is refused, naming it. Resuming a run that stopped before its
first checkpoint starts it again from epoch 1.

>>> is_leftover(".model.safetensors.k2j4_x9a.tmp"), is_leftover("model.safetensors")
(True, False)
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from seqconv.errors import InputError
from seqconv.rundir import (
    CHECKPOINT,
    CONFIG,
    HISTORY,
    RUN_FILES,
    STORE,
    WEIGHTS,
    default_run_dir,
)
from seqconv.rundir.lock import LOCK, acquire, release

OUTPUT_FOLDERS = {
    "motifs": {
        "motifs.meme",
        "motifs.jaspar",
        "motifs.tsv",
        "matches.tsv",
        "clusters.tsv",
        "maps.npz",
        "report.html",
    },  # seqconv.motifs.report.REPORT_FILES (a test says)
    "attributions": {"attributions.npz"},
}
"""Folders that ``seqconv motifs`` and ``seqconv attribute`` write in a run by default (with
``logos/*.png``): they describe the run's weights, so they go when the run is replaced."""
_LEFTOVER = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # seqconv.atomic's mkstemp names
_SHOWN = 6


def is_leftover(name: str) -> bool:
    """Whether ``name`` is a temporary file of :mod:`seqconv.atomic` (``.<file>.<random>.tmp``)."""
    return bool(_LEFTOVER.match(name))


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the temporary files a killed writer left in ``folder``; returns their names.

    Call it holding the folder's lock: a live writer's temporary file must not go.
    """
    removed = []
    for path in folder.iterdir():
        if is_leftover(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return sorted(removed)


def _is_seqconv_folder(path: Path) -> bool:
    """A default ``motifs``/``attributions`` folder holding only what seqconv writes there."""
    names = OUTPUT_FOLDERS.get(path.name)
    if names is None or path.is_symlink() or not path.is_dir():
        return False
    for entry in path.iterdir():
        if entry.name == "logos" and entry.is_dir() and not entry.is_symlink():
            if any(e.suffix != ".png" or not e.is_file() for e in entry.iterdir()):
                return False
        elif not (entry.is_file() and (entry.name in names or is_leftover(entry.name))):
            return False
    return True


def is_store(path: Path) -> bool:
    """The run's store of encoded sequences (:mod:`seqconv.dna.store`), or the remains of one
    being built or replaced: a folder of raw arrays and their ``.json`` descriptions."""
    if path.name not in (STORE, STORE + ".partial", STORE + ".old"):
        return False
    if path.is_symlink() or not path.is_dir():
        return False
    return all(entry.is_file() and not entry.is_symlink() for entry in path.iterdir())


def _is_ours(path: Path) -> bool:
    if is_store(path):
        return True
    if path.name in RUN_FILES:
        return path.is_file()
    return _is_seqconv_folder(path)


def _names(paths: list[Path]) -> str:
    shown = sorted(p.name + ("/" if p.is_dir() else "") for p in paths)
    more = f", and {len(shown) - _SHOWN} more" if len(shown) > _SHOWN else ""
    return ", ".join(shown[:_SHOWN]) + more


def describe_run(folder: Path) -> str:
    """``a run of deepbind (created ...)``, or the seqconv files it holds when unreadable."""
    try:
        config = json.loads((folder / CONFIG).read_text())
        model, created = config["model"]["name"], config.get("created", "at an unknown time")
        return f"a run of {model} (created {created})"
    except (OSError, ValueError, KeyError, TypeError):
        files = sorted(p.name for p in folder.iterdir() if p.name in RUN_FILES)
        return f"the files of a seqconv run ({', '.join(files)})"


def replaceable(folder: Path, force: bool) -> list[Path]:
    """The files of an old run in ``folder`` that training may replace (empty for a new folder).

    Raises
    ------
    InputError
        When ``folder`` holds a run and not ``force``, or holds anything that is not seqconv's.
    """
    entries = [p for p in folder.iterdir() if p.name != LOCK and not is_leftover(p.name)]
    ours = [p for p in entries if _is_ours(p)]
    foreign = [p for p in entries if p not in ours]
    if foreign and ours:
        raise InputError(
            f"{folder} holds {describe_run(folder)} and files that are not seqconv's "
            f"({_names(foreign)}); seqconv never removes those: move them away, or choose "
            "another --out"
        )
    if foreign:
        raise InputError(
            f"{folder} is not a run directory and not empty ({_names(foreign)}); choose a new or "
            "empty folder as --out"
        )
    if ours and not force:
        raise InputError(
            f"{folder} holds {describe_run(folder)}; use --force to replace it, or another --out"
        )
    return ours


@dataclass
class Claim:
    """A run directory held for training (see :func:`claim`).

    Attributes
    ----------
    out
        The run directory.
    restart
        ``--resume`` found no checkpoint: training starts again from epoch 1.
    old
        The old run's files that :meth:`replace_old` removes (``--force``).
    """

    out: Path
    restart: bool = False
    old: list[Path] = field(default_factory=list)

    def replace_old(self) -> None:
        """Remove the old run's files (checked again: the lock keeps seqconv out, not users)."""
        if not self.old:
            return
        for path in replaceable(self.out, force=True):
            if path.name == STORE:  # the store replaces itself when its inputs differ
                continue
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
        self.old = []


def _make_folder(out: Path) -> bool:
    """Create ``out`` (and its parents) unless it exists; whether it was created."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file, not a run directory; choose another --out")
    if out.is_dir():
        return False
    try:
        out.mkdir(parents=True)
    except FileExistsError:  # created meanwhile by someone else: it is theirs
        return False
    except OSError as exc:
        raise InputError(f"--out {out}: cannot create the folder ({exc.strerror})") from None
    return True


def new_run_dir(stem: str, model: str, root: str | Path = "runs") -> Path:
    """Create and return ``runs/<stem>-<model>``, numbered when taken (even by a concurrent run)."""
    while True:
        path = default_run_dir(stem, model, root)
        try:
            path.mkdir(parents=True)
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{path}: cannot create the run directory ({exc.strerror})") from None
        return path


@contextlib.contextmanager
def claim(
    out: str | Path,
    force: bool = False,
    resume: bool = False,
    announce: Callable[[str], None] = print,
    made: bool = False,
) -> Iterator[Claim]:
    """Hold ``out`` for training: checked, locked, crash leftovers removed.

    Parameters
    ----------
    force
        Allow replacing a run in ``out`` (its files go when :meth:`Claim.replace_old` is called,
        once the new run's data has been read).
    resume
        ``out`` holds the run to continue; without a checkpoint it starts again (announced).
    announce
        Where notes go (stale locks taken over, leftovers removed, restarts).
    made
        The caller has just created ``out``: it is removed again if nothing was written.

    Raises
    ------
    InputError
        ``out`` is a file, holds a run (without ``force``) or files that are not seqconv's.
    seqconv.rundir.lock.RunBusyError
        Another process writes ``out``.
    """
    out = Path(out)
    made = _make_folder(out) or made
    try:
        lock = acquire(out, announce)
    except OSError as exc:  # a read-only folder, a full disk
        if made:
            _remove_if_empty(out)
        raise InputError(f"{out}: cannot write its lock file ({exc.strerror})") from None
    except BaseException:
        if made:
            _remove_if_empty(out)
        raise
    try:
        removed = remove_leftovers(out)
        if removed:
            announce(f"{out}: removed {len(removed)} temporary file(s) left by an interrupted run")
        held = Claim(out)
        if not resume:
            held.old = replaceable(out, force)
        elif not (out / CHECKPOINT).is_file():
            held.restart = True
            for name in (WEIGHTS, HISTORY):  # from the same run, never checkpointed
                (out / name).unlink(missing_ok=True)
            announce(f"no checkpoint yet: starting {out} again from epoch 1")
        yield held
    finally:
        release(lock)
        if made:
            _remove_if_empty(out)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()  # fails when anything is inside: then it stays
