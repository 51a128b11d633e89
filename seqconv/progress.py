"""Progress for long work, on stderr: training epochs, loops and spinners.

Bars and spinners show only on a terminal; in logs and pipes they stay silent (no blank lines), and
the one-line summaries remain. Every bar shows the time elapsed and an ETA; training's per-epoch
lines also show the whole run's elapsed time and the time left if it runs all its epochs (early
stopping usually ends it sooner).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator
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


def track(
    items: Iterable[T],
    total: int,
    description: str,
    enabled: bool = True,
    count: Callable[[T], int] | None = None,
) -> Iterator[T]:
    """Yield ``items`` with a transient bar; an item counts ``count(item)`` towards ``total``
    (default: ``len(batch)`` of an item ``(start, batch)``, else 1)."""
    if not enabled or not console.is_terminal:
        yield from items
        return
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            if count is not None:
                step = count(item)
            else:
                step = len(item[1]) if isinstance(item, tuple) and len(item) == 2 else 1
            bar.advance(task, step)


def status(message: str, enabled: bool = True) -> contextlib.AbstractContextManager:
    """A spinner while a step without a progress bar runs."""
    if not enabled or not console.is_terminal:
        return contextlib.nullcontext()
    return console.status(message)


def clock(seconds: float) -> str:
    """``H:MM:SS`` (``D days, H:MM:SS`` beyond a day).

    >>> clock(3725.4), clock(90061)
    ('1:02:05', '1 day, 1:01:01')
    """
    import datetime

    return str(datetime.timedelta(seconds=round(max(seconds, 0.0))))


def size_text(n_bytes: float) -> str:
    """A size in words, decimal units.

    >>> size_text(950), size_text(7_200_000), size_text(3.1e12)
    ('950 bytes', '7.2 MB', '3.1 TB')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes:,.0f} bytes"


class RunClock:
    """Elapsed and remaining time of a training run of at most ``epochs`` epochs.

    The remaining time assumes every epoch up to ``epochs`` runs, at the mean duration of the
    epochs timed so far in this process (a resumed run counts from where it resumed).
    """

    def __init__(self, clock_fn: Callable[[], float] = time.monotonic) -> None:
        self._now = clock_fn
        self.started: float | None = None
        self.first_epoch = 1
        self.epochs = 0

    def start_epoch(self, epoch: int, epochs: int) -> None:
        """Called as epoch ``epoch`` of at most ``epochs`` begins."""
        if self.started is None:
            self.started, self.first_epoch = self._now(), epoch
        self.epochs = epochs

    def elapsed(self) -> float:
        """Seconds since the first epoch of this process began."""
        return 0.0 if self.started is None else self._now() - self.started

    def remaining(self, done: int) -> float | None:
        """Seconds left after epoch ``done`` if all epochs run; ``None`` before any is timed."""
        timed = done - self.first_epoch + 1
        if self.started is None or timed < 1:
            return None
        return self.elapsed() / timed * max(self.epochs - done, 0)

    def summary(self, done: int) -> str:
        """``elapsed 0:12:03, ≤ 2:01:10 left`` (the bound of a run early stopping may end)."""
        left = self.remaining(done)
        text = f"elapsed {clock(self.elapsed())}"
        if left is not None and done < self.epochs:
            text += f", ≤ {clock(left)} left"
        return text


class Reporter:
    """Shows training progress; silent when ``quiet`` (or on non-zero distributed ranks)."""

    def __init__(self, quiet: bool = False, clock_fn: Callable[[], float] = time.monotonic) -> None:
        self.quiet = quiet
        self.run = RunClock(clock_fn)
        self._progress: Progress | None = None
        self._task = None
        self._noted = False

    def info(self, message: str) -> None:
        """A line for the user (announcements, notes)."""
        if not self.quiet:
            console.print(message, highlight=False)

    @contextmanager
    def epoch(self, epoch: int, epochs: int, total: int) -> Iterator[None]:
        """A progress bar over ``total`` sequences for one epoch (on a terminal only), with the
        epoch's ETA and the whole run's elapsed time and bound on what is left."""
        self.run.start_epoch(epoch, epochs)
        if self.quiet:
            yield
            return
        if not self._noted and epochs > 1:
            self._noted = True
            self.info(
                f"training for at most {epochs} epochs; the time left shown is for all of them "
                "(≤): early stopping may end the run sooner"
            )
        if not console.is_terminal:
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
            TextColumn(f"[dim]run {self.run.summary(epoch - 1)}"),
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
        if self.run.started is not None:
            parts.append(f"| {row['epoch']}/{self.run.epochs} {self.run.summary(row['epoch'])}")
        console.print("  ".join(parts), highlight=False)
