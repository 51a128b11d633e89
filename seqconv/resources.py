"""What this machine can give a run: memory available now.

>>> available_memory() is None or available_memory() > 0
True
"""

from __future__ import annotations

from pathlib import Path


def available_memory() -> int | None:
    """Bytes of memory available to new allocations (Linux ``MemAvailable``: free memory and the
    page cache the kernel can give back), or ``None`` where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
