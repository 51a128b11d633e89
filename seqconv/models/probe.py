"""Can a model take inputs of a given length? One forward pass of zeros says so before training,
and a bisection finds the shortest length it can take (pooling and valid convolutions need some).

>>> from seqconv.models import build
>>> min_input_length(build("motifnet", n_outputs=1), 4)
25
"""

from __future__ import annotations

import torch
from torch import nn

from seqconv.errors import InputError
from seqconv.models.protocol import model_name


def forward_error(model: nn.Module, in_channels: int, length: int) -> str | None:
    """Why ``model`` cannot run on a ``(2, in_channels, length)`` input, or ``None`` if it can."""
    device = next(model.parameters(), torch.empty(0)).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(2, in_channels, length, device=device))
    except (RuntimeError, ValueError, IndexError, ZeroDivisionError) as exc:
        return str(exc).splitlines()[0][:300]
    finally:
        model.train(was_training)
    return None


def min_input_length(
    model: nn.Module, in_channels: int, start: int = 1, upto: int = 1 << 14
) -> int | None:
    """The shortest input length ``model`` runs on, from ``start`` (``None``: none up to ``upto``).

    Assumes that a model that runs at one length runs at every longer one. Doubles from
    ``start`` until a length runs, then bisects: short inputs keep every pass cheap.
    """
    low, high = max(start, 1), max(start, 1)
    while forward_error(model, in_channels, high) is not None:
        if high >= upto:
            return None
        low, high = high + 1, min(2 * high, upto)
    while low < high:
        middle = (low + high) // 2
        if forward_error(model, in_channels, middle) is None:
            high = middle
        else:
            low = middle + 1
    return low


def check_input_length(
    model: nn.Module,
    in_channels: int,
    length: int,
    what: str = "sequences",
    unit: str = "bp",
    fix: str = "",
) -> None:
    """Refuse inputs of ``length`` that ``model`` cannot take, saying the shortest it can.

    Parameters
    ----------
    what, unit
        What the inputs are and their unit, for the message (``"sequences"``, ``"bp"``).
    fix
        How the user makes inputs longer (e.g. ``"pad them with --length {n}"``; ``{n}`` is the
        shortest length).

    Raises
    ------
    InputError
        When a forward pass at ``length`` fails.
    """
    error = forward_error(model, in_channels, length)
    if error is None:
        return
    name = model_name(model)
    shortest = min_input_length(model, in_channels, start=max(length, 1))
    if shortest is None:
        raise InputError(f"model {name!r} with these options cannot run ({error})")
    hint = ": " + fix.format(n=shortest) if fix else ""
    raise InputError(
        f"the {what} are {length} {unit} long, but model {name!r} needs at least {shortest} "
        f"{unit}{hint}"
    )
