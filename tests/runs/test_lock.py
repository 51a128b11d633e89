"""One writer per run directory: a second process is refused, a dead one's lock is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from seqconv.rundir.lock import LOCK, RunBusyError, acquire, release, run_lock

SEQCONV = Path(__file__).resolve().parents[2] / "seqconv"

# the holder imports seqconv.rundir.lock alone (stdlib only), not the whole package: it starts fast
HOLDER = textwrap.dedent(
    f"""
    import sys, types
    packages = (("seqconv", {str(SEQCONV)!r}), ("seqconv.runs", {str(SEQCONV / "runs")!r}))
    for name, folder in packages:
        module = types.ModuleType(name)
        module.__path__ = [folder]
        sys.modules[name] = module
    from seqconv.rundir.lock import acquire
    acquire(sys.argv[1])
    print("locked", flush=True)
    sys.stdin.read()
    """
)


@pytest.fixture
def holder(tmp_path):
    """A second process holding the lock of ``tmp_path / 'run'`` until killed."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(run_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "locked"
    yield run_dir, process
    process.kill()
    process.wait()


def test_a_second_writer_is_refused_with_who_holds_it(holder):
    run_dir, process = holder
    with pytest.raises(RunBusyError) as caught:
        acquire(run_dir)
    message = str(caught.value)
    assert f"{run_dir} is being written by pid {process.pid} on host {socket.gethostname()}" in (
        message
    )
    assert "wait for it or choose another --out" in message
    assert json.loads((run_dir / LOCK).read_text())["pid"] == process.pid  # left alone


def test_the_lock_of_a_killed_process_is_announced_and_taken_over(holder):
    run_dir, process = holder
    process.kill()
    process.wait()
    dead = json.loads((run_dir / LOCK).read_text())
    notes: list[str] = []
    path = acquire(run_dir, notes.append)
    assert json.loads(path.read_text())["pid"] == os.getpid()
    assert notes == [
        f"{run_dir}: taking over the lock of pid {process.pid} on host {socket.gethostname()} "
        f"since {dead['started']}, which is no longer running"
    ]
    release(path)
    assert not path.exists()


def test_the_lock_is_released_on_an_exception(tmp_path):
    with pytest.raises(KeyboardInterrupt), run_lock(tmp_path):
        assert (tmp_path / LOCK).is_file()
        raise KeyboardInterrupt
    assert not (tmp_path / LOCK).exists()
    with run_lock(tmp_path):  # and can be taken again
        with pytest.raises(RunBusyError):  # but not twice, even by the same process
            acquire(tmp_path)


def test_a_lock_from_another_host_is_left_alone(tmp_path):
    holder = {"pid": 1, "host": "elsewhere", "started": "2026-01-01T00:00:00+00:00"}
    (tmp_path / LOCK).write_text(json.dumps(holder))
    with pytest.raises(RunBusyError, match=r"on host elsewhere .*delete .*\.seqconv\.lock"):
        acquire(tmp_path)


def test_a_reused_pid_does_not_keep_a_lock_alive(tmp_path):
    # our own pid, but recorded as a process that started at another time: the writer is gone
    holder = {"pid": os.getpid(), "host": socket.gethostname(), "process_start": "-1"}
    (tmp_path / LOCK).write_text(json.dumps(holder))
    notes: list[str] = []
    release(acquire(tmp_path, notes.append))
    assert len(notes) == 1 and "taking over" in notes[0]
