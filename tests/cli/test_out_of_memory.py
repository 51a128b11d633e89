"""Only torch's real CPU allocation failures are reported as out of memory (issue 24); another
error that merely contains the word "allocate" is an internal error, not a memory problem."""

from __future__ import annotations

import pytest

from seqconv.cli.app import DEBUG_ENV, friendly_errors, is_cpu_out_of_memory

LINUX = (
    "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you "
    "tried to allocate 85899345920 bytes. Error code 12 (Cannot allocate memory)"
)
WINDOWS = (
    "[enforce fail at C:\\actions-runner\\_work\\pytorch\\c10\\core\\impl\\alloc_cpu.cpp:72] data."
    " DefaultCPUAllocator: not enough memory: you tried to allocate 85899345920 bytes."
)
NOT_MEMORY = [
    "Trying to allocate a tensor on a device that was not initialised",
    "failed to allocate a free port for the process group",
    "could not reallocate the sampler's buffer: it is frozen",
]


def _exit_of(message: str, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.delenv(DEBUG_ENV, raising=False)

    @friendly_errors
    def command() -> None:
        raise RuntimeError(message)

    with pytest.raises(SystemExit) as stop:
        command()
    return stop.value.code, " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize("message", [LINUX, WINDOWS])
def test_torch_cpu_allocation_failures_are_out_of_memory(message, monkeypatch, capsys):
    assert is_cpu_out_of_memory(RuntimeError(message))
    code, err = _exit_of(message, monkeypatch, capsys)
    assert code == 3 and "out of memory" in err and "--batch-size" in err


@pytest.mark.parametrize("message", NOT_MEMORY)
def test_other_errors_that_mention_allocate_are_internal_errors(message, monkeypatch, capsys):
    assert not is_cpu_out_of_memory(RuntimeError(message))
    code, err = _exit_of(message, monkeypatch, capsys)
    assert code == 1 and "internal error" in err and "out of memory" not in err
    assert message[:40] in err


def test_a_memory_message_on_another_exception_type_is_no_allocation_failure():
    assert not is_cpu_out_of_memory(ValueError(LINUX))


def test_a_real_failed_cpu_allocation_is_recognised():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as failed:
        torch.empty(2**50, dtype=torch.uint8)  # a pebibyte: more than any address space holds
    assert is_cpu_out_of_memory(failed.value)
