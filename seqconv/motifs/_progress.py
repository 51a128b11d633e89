"""Progress bars on stderr (rich) for the long loops of motif analysis; silent when disabled."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], total: int, description: str, enabled: bool) -> Iterator[T]:
    """Yield ``items``; with ``enabled``, advance a transient bar by ``len(item[1])`` per item
    when items are ``(start, batch)`` pairs, else by one."""
    if not enabled:
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            step = len(item[1]) if isinstance(item, tuple) and len(item) == 2 else 1
            bar.advance(task, step)
