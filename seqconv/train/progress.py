"""Progress for long work: a rich bar per epoch (loss, sequences/s, ETA) and one line per epoch."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
