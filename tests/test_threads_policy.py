"""The default thread policy: free cores by the 1-minute load average, at least 1, at most 8."""

import os

import pytest
import torch

from seqconv import threads
from seqconv.errors import InputError


@pytest.fixture
def machine(monkeypatch):
    """Set the cores this process may use and the load average it sees."""

    def set_machine(cores: int, load: float) -> None:
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load), raising=False)

    return set_machine


@pytest.mark.parametrize(
    ("cores", "load", "expected"),
    [
        (2, 0.0, 2),  # idle: every core
        (2, 0.4, 2),  # a little noise rounds away
        (2, 0.6, 1),
        (2, 2.0, 1),  # all busy: one thread, never zero
        (2, 7.5, 1),  # oversubscribed
        (16, 0.0, 8),  # capped
        (16, 10.2, 6),
        (1, 0.0, 1),
    ],
)
def test_default_threads_follow_free_cores(machine, cores, load, expected):
    machine(cores, load)
    assert threads.default_threads() == expected


def test_without_affinity_or_load_average_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.delattr(os, "getloadavg", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert threads.available_cores() == 4 and threads.default_threads() == 4


def test_unreadable_load_average_counts_as_idle(machine, monkeypatch):
    machine(3, 0.0)

    def fail():
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", fail)
    assert threads.default_threads() == 3


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_set_threads_sets_torch(machine, restore_threads):
    machine(4, 1.0)
    assert threads.set_threads() == 3 and torch.get_num_threads() == 3
    assert threads.set_threads(1) == 1 and torch.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "4"])
def test_set_threads_rejects_non_positive_integers(bad, restore_threads):
    before = torch.get_num_threads()
    with pytest.raises(InputError, match="--threads must be an integer >= 1"):
        threads.set_threads(bad)
    assert torch.get_num_threads() == before
