"""One writer per run directory: a lock file created with ``O_EXCL``.

``.seqconv.lock`` holds who writes the run (pid, host, start time, command) so that a second
writer is told whom it waits for. A lock left by a process that died on this host (killed,
crashed, power cut) is stale: the next writer announces it and takes it over. A lock from another
host cannot be checked from here and is left alone.

This module uses the standard library only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from seqconv.errors import SeqconvError

LOCK = ".seqconv.lock"
_UNREADABLE_GRACE_S = 10.0  # a lock file being written right now is empty for microseconds


class RunBusyError(SeqconvError):
    """Another process writes the run directory."""


def _process_start(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, from /proc), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[19]  # field 22: starttime


def _alive(holder: dict[str, Any]) -> bool:
    """Whether the process that wrote ``holder`` (on this host) still runs."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    recorded, current = holder.get("process_start"), _process_start(pid)
    return recorded is None or current is None or recorded == current


def _read(path: Path) -> dict[str, Any] | None:
    """The lock's holder, ``None`` when the file is gone, ``{}`` when it cannot be read."""
    try:
        holder = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def describe(holder: dict[str, Any]) -> str:
    """``pid 1234 on host h since <time>``."""
    return (
        f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')} "
        f"since {holder.get('started', '?')}"
    )


def _stale(path: Path, holder: dict[str, Any]) -> bool:
    if not holder:  # unreadable: stale only when nobody has been writing it for a while
        try:
            age = datetime.now().timestamp() - path.stat().st_mtime
        except FileNotFoundError:
            return True
        return age > _UNREADABLE_GRACE_S
    return holder.get("host") == socket.gethostname() and not _alive(holder)


def _create(path: Path) -> bool:
    """Create the lock with our details; ``False`` when it exists."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        return False
    pid = os.getpid()
    holder = {
        "pid": pid,
        "host": socket.gethostname(),
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "process_start": _process_start(pid),
    }
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps(holder) + "\n")
    return True


def acquire(run_dir: str | Path, announce: Callable[[str], None] = print) -> Path:
    """Take the lock of ``run_dir`` (which must exist); returns the lock file.

    Raises
    ------
    RunBusyError
        When a live process (or one on another host) holds it.
    """
    run_dir = Path(run_dir)
    path = run_dir / LOCK
    for _ in range(5):
        if _create(path):
            return path
        holder = _read(path)
        if holder is None:  # released between our two looks
            continue
        if not _stale(path, holder):
            raise RunBusyError(_busy_message(run_dir, holder))
        with _takeover_guard(run_dir):
            # under the guard no other taker runs; re-read: a live writer may have won the race
            if _read(path) == holder:
                path.unlink(missing_ok=True)
                who = describe(holder) if holder else "an unreadable lock file"
                announce(f"{run_dir}: taking over the lock of {who}, which is no longer running")
    raise RunBusyError(f"{run_dir}: cannot take the lock {path}; another seqconv keeps taking it")


def _busy_message(run_dir: Path, holder: dict[str, Any]) -> str:
    message = (
        f"{run_dir} is being written by {describe(holder)}; wait for it or choose another --out"
    )
    if holder.get("host") != socket.gethostname():
        message += f" (if it is no longer running, delete {run_dir / LOCK})"
    return message


@contextlib.contextmanager
def _takeover_guard(run_dir: Path) -> Iterator[None]:
    """Serialise stale-lock take-overs on this host (stale locks are only judged on their host)."""
    fd = os.open(run_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the flock


def release(path: str | Path) -> None:
    """Remove the lock file if this process holds it."""
    path = Path(path)
    holder = _read(path)
    if holder and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def run_lock(run_dir: str | Path, announce: Callable[[str], None] = print) -> Iterator[Path]:
    """Hold the lock of ``run_dir`` for the ``with`` block (released on any exception too)."""
    path = acquire(run_dir, announce)
    try:
        yield path
    finally:
        release(path)
