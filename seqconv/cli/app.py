"""The typer application and the error handling shared by every sub-command."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import typer
from rich.console import Console

from seqconv.errors import RunStopped, SeqconvError

app = typer.Typer(
    name="seqconv",
    help="1D convolutional networks for DNA sequences and time series.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True, soft_wrap=True)
DEBUG_ENV = "SEQCONV_DEBUG"
"""Set to 1 (or pass ``seqconv --debug``) to see Python tracebacks instead of short messages."""


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn seqconv's input errors into a one-line message and exit code 2.

    Anything else is a bug in seqconv: a short message with exit code 1, and the traceback only
    with ``--debug`` or ``SEQCONV_DEBUG=1``.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RunStopped as exc:  # asked to stop; the checkpoint is written
            err_console.print(f"[bold yellow]stopped:[/] {exc}", highlight=False)
            sys.exit(exc.exit_code)
        except SeqconvError as exc:
            if debugging():
                raise
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            sys.exit(2)
        except FileNotFoundError as exc:
            err_console.print(
                f"[bold red]error:[/] file not found: {exc.filename}", highlight=False
            )
            sys.exit(2)
        except BrokenPipeError:  # e.g. `seqconv predict ... | head`: the reader has all it wants
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
            sys.exit(141)
        except KeyboardInterrupt:
            err_console.print("[bold red]interrupted[/]", highlight=False)
            sys.exit(130)
        except MemoryError:
            err_console.print(
                "[bold red]error:[/] out of memory; try a smaller --batch-size, --length or model",
                highlight=False,
            )
            sys.exit(3)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
            if is_gpu_out_of_memory(exc):
                err_console.print(
                    "[bold red]error:[/] the GPU ran out of memory; try a smaller --batch-size "
                    "(or --device cpu)",
                    highlight=False,
                )
                sys.exit(3)
            if debugging():
                raise
            if is_cpu_out_of_memory(exc):
                err_console.print(
                    "[bold red]error:[/] out of memory; try a smaller --batch-size, --length or "
                    "model",
                    highlight=False,
                )
                sys.exit(3)
            err_console.print(
                f"[bold red]internal error:[/] {type(exc).__name__}: {str(exc)[:500]}\n"
                f"This is a bug in seqconv, not in your input. Rerun with {DEBUG_ENV}=1 (or "
                "seqconv --debug) for the traceback, and report it.",
                highlight=False,
            )
            sys.exit(1)

    return wrapper


def is_gpu_out_of_memory(exc: BaseException) -> bool:
    """torch's CUDA out-of-memory error, told by its class so that the CLI need not import torch
    to start."""
    return any(
        cls.__name__ == "OutOfMemoryError" and cls.__module__.split(".")[0] == "torch"
        for cls in type(exc).__mro__
    )


# torch's CPU allocator when malloc fails (c10/core/impl/alloc_cpu.cpp): "DefaultCPUAllocator:
# can't allocate memory: you tried to allocate N bytes. Error code 12 (Cannot allocate memory)";
# on Windows "DefaultCPUAllocator: not enough memory: you tried to allocate N bytes".
_CPU_ALLOCATION_FAILURES = (
    "DefaultCPUAllocator: can't allocate memory",
    "DefaultCPUAllocator: not enough memory",
    "Error code 12 (Cannot allocate memory)",
)


def is_cpu_out_of_memory(exc: BaseException) -> bool:
    """torch's failure to allocate CPU memory (a ``RuntimeError`` from its CPU allocator), told
    apart from other errors that merely mention allocating.

    >>> is_cpu_out_of_memory(RuntimeError("DefaultCPUAllocator: can't allocate memory: you "
    ...                                   "tried to allocate 8589934592 bytes."))
    True
    >>> is_cpu_out_of_memory(RuntimeError("failed to allocate a free port"))
    False
    """
    if not isinstance(exc, RuntimeError):
        return False
    message = str(exc)
    return any(marker in message for marker in _CPU_ALLOCATION_FAILURES)


def explicit_options(ctx: typer.Context) -> dict[str, Any]:
    """The options the user gave (on the command line), not their defaults."""
    return {
        name: value
        for name, value in ctx.params.items()
        if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
    }


def _print_version(value: bool) -> None:
    if value:
        from seqconv.version import __version__

        typer.echo(f"seqconv {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False,
        "--version",
        metavar="",
        is_eager=True,  # before the check for a command: `seqconv --version` alone works
        callback=_print_version,
        help="Print the version and exit.",
    ),
    debug: bool = typer.Option(
        False, "--debug", metavar="", help=f"Show Python tracebacks (same as {DEBUG_ENV}=1)."
    ),
) -> None:
    """1D convolutional networks for DNA sequences and time series.

    Train from FASTA in one command, predict on new sequences, and see which motifs a model learned.
    """
    if debug:
        os.environ[DEBUG_ENV] = "1"
