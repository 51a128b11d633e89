"""How many CPU threads torch uses: ``--threads N`` on every command that computes, or a default
that leaves room for what else runs on the machine.

torch's own default (one thread per core) collapses on a shared machine: intra-op threads spin
waiting for cores that other processes hold.

>>> 1 <= default_threads() <= MAX_DEFAULT
True
"""

from __future__ import annotations

import os

from seqconv.errors import InputError

MAX_DEFAULT = 8
"""Beyond this, small 1D models gain little from more intra-op threads."""


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, else the CPU count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_threads() -> int:
    """The available cores not already busy (by the 1-minute load average), at least 1, at most
    :data:`MAX_DEFAULT`."""
    cores = available_cores()
    try:
        busy = int(round(os.getloadavg()[0]))
    except (AttributeError, OSError):
        busy = 0
    return max(1, min(cores - busy, MAX_DEFAULT))


def set_threads(threads: int | None = None) -> int:
    """Set torch's intra-op threads to ``threads`` (``None``: :func:`default_threads`).

    Returns
    -------
    int
        The number set.
    """
    if threads is None:
        threads = default_threads()
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise InputError(f"--threads must be an integer >= 1, not {threads!r}")
    import torch

    torch.set_num_threads(threads)
    return threads
