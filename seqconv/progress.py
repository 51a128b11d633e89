"""Progress for long work, on stderr: training epochs, loops and spinners.

Bars and spinners show only on a terminal; in logs and pipes they stay silent (no blank lines), and
the one-line summaries remain.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")


def track(items: Iterable[T], total: int, description: str, enabled: bool = True) -> Iterator[T]:
    """Yield ``items`` with a transient bar (an item ``(start, batch)`` counts ``len(batch)``)."""
    if not enabled or not console.is_terminal:
        yield from items
        return
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            step = len(item[1]) if isinstance(item, tuple) and len(item) == 2 else 1
            bar.advance(task, step)


def status(message: str, enabled: bool = True) -> contextlib.AbstractContextManager:
    """A spinner while a step without a progress bar runs."""
    if not enabled or not console.is_terminal:
        return contextlib.nullcontext()
    return console.status(message)


class Reporter:
    """Shows training progress; silent when ``quiet`` (or on non-zero distributed ranks)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self._progress: Progress | None = None
        self._task = None

    def info(self, message: str) -> None:
        """A line for the user (announcements, notes)."""
        if not self.quiet:
            console.print(message, highlight=False)

    @contextmanager
    def epoch(self, epoch: int, epochs: int, total: int) -> Iterator[None]:
        """A progress bar over ``total`` sequences for one epoch (on a terminal only)."""
        if self.quiet or not console.is_terminal:
            yield
            return
        progress = Progress(
            TextColumn(f"epoch {epoch}/{epochs}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]:.4f}"),
            TextColumn("{task.fields[rate]:,.0f} seq/s"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        )
        self._progress = progress
        self._task = progress.add_task("train", total=total, loss=float("nan"), rate=0.0)
        with progress:
            yield
        self._progress = None

    def advance(self, n: int, loss: float, rate: float) -> None:
        """``n`` more sequences done; running loss and throughput."""
        if self._progress is not None:
            self._progress.update(self._task, advance=n, loss=loss, rate=rate)

    def epoch_summary(self, row: dict) -> None:
        """One line per epoch."""
        if self.quiet:
            return
        parts = [f"epoch {row['epoch']:>3}"]
        for key, value in row.items():
            if key == "epoch" or value is None:
                continue
            if isinstance(value, float):
                text = f"{value:,.0f}" if key == "train_seq_per_s" else f"{value:.4g}"
            else:
                text = str(value)
            parts.append(f"{key} {text}")
        console.print("  ".join(parts), highlight=False)
