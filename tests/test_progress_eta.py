"""Training shows the whole run's elapsed time and a bound on the time left; bars show an ETA."""

import io

import pytest
from rich.console import Console

from seqconv import progress
from seqconv.progress import Reporter, RunClock, clock


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def captured(monkeypatch):
    """What the progress console prints (not a terminal: no bars, the lines only)."""
    buffer = io.StringIO()
    monkeypatch.setattr(progress, "console", Console(file=buffer, width=300))
    return buffer


def _run_epochs(reporter, fake, epochs, first=1, last=None, seconds=10.0):
    for epoch in range(first, (last or epochs) + 1):
        with reporter.epoch(epoch, epochs, 100):
            fake.now += seconds
        reporter.epoch_summary({"epoch": epoch, "train_loss": 0.5, "seconds": seconds})


def test_epoch_lines_show_elapsed_and_time_left_for_all_epochs(captured):
    fake = FakeClock()
    _run_epochs(Reporter(clock_fn=fake), fake, epochs=1500, last=3)
    lines = captured.getvalue().splitlines()
    assert "at most 1500 epochs" in lines[0] and "early stopping may end the run sooner" in lines[0]
    assert lines[1].endswith("| 1/1500 elapsed 0:00:10, ≤ 4:09:50 left")
    assert lines[3].endswith("| 3/1500 elapsed 0:00:30, ≤ 4:09:30 left")


def test_the_last_epoch_shows_no_time_left(captured):
    fake = FakeClock()
    _run_epochs(Reporter(clock_fn=fake), fake, epochs=2)
    assert captured.getvalue().splitlines()[-1].endswith("| 2/2 elapsed 0:00:20")


def test_a_resumed_run_times_only_its_own_epochs(captured):
    fake = FakeClock()
    _run_epochs(Reporter(clock_fn=fake), fake, epochs=100, first=41, last=42, seconds=60)
    assert captured.getvalue().splitlines()[-1].endswith("| 42/100 elapsed 0:02:00, ≤ 0:58:00 left")


def test_quiet_prints_nothing(captured):
    fake = FakeClock()
    _run_epochs(Reporter(quiet=True, clock_fn=fake), fake, epochs=10, last=2)
    assert captured.getvalue() == ""


def test_run_clock_before_any_epoch():
    run = RunClock(FakeClock())
    assert run.remaining(0) is None and run.summary(0) == "elapsed 0:00:00"


def test_clock_formats_long_durations():
    assert (
        clock(0) == "0:00:00" and clock(59.6) == "0:01:00" and clock(86400 * 2) == "2 days, 0:00:00"
    )


def test_track_bars_have_an_eta_column(monkeypatch):
    """On a terminal ``track`` draws a bar with elapsed time and time remaining."""
    buffer = io.StringIO()
    monkeypatch.setattr(progress, "console", Console(file=buffer, force_terminal=True, width=200))
    built = []
    real = progress.Progress

    def spy(*columns, **kwargs):
        built.append(columns)
        return real(*columns, **kwargs)

    monkeypatch.setattr(progress, "Progress", spy)
    assert list(progress.track(range(5), 5, "work")) == list(range(5))
    kinds = {type(c).__name__ for c in built[0]}
    assert {"TimeRemainingColumn", "TimeElapsedColumn"} <= kinds


def test_the_epoch_bar_on_a_terminal_shows_the_run(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(progress, "console", Console(file=buffer, force_terminal=True, width=250))
    fake = FakeClock()
    reporter = Reporter(clock_fn=fake)
    _run_epochs(reporter, fake, epochs=30, last=2)
    with reporter.epoch(3, 30, 100):
        reporter.advance(50, 0.4, 1000.0)
        reporter._progress.refresh()
    assert "run elapsed 0:00:20, ≤ 0:04:40 left" in buffer.getvalue()
