"""Build models by name: a run's ``config.json`` stores ``{"name": ..., "kwargs": {...}}``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from torch import nn

from seqconv.errors import SeqconvError

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}

F = TypeVar("F", bound=Callable[..., nn.Module])


def register(name: str) -> Callable[[F], F]:
    """Class decorator that makes a model buildable as ``build(name, **kwargs)``.

    Examples
    --------
    >>> from torch import nn
    >>> @register("tiny")
    ... class Tiny(nn.Module):
    ...     def __init__(self, in_channels: int = 4, n_outputs: int = 1): ...
    """

    def decorator(factory: F) -> F:
        if name in _REGISTRY and _REGISTRY[name] is not factory:
            raise SeqconvError(f"a model named {name!r} is already registered")
        _REGISTRY[name] = factory
        return factory

    return decorator


def names() -> list[str]:
    """Sorted names of every registered model."""
    return sorted(_REGISTRY)


def get(name: str) -> Callable[..., nn.Module]:
    """The class (or factory) registered under ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise SeqconvError(f"unknown model {name!r}; valid names: {', '.join(names())}") from None


def build(name: str, **kwargs: Any) -> nn.Module:
    """Build a registered model from JSON-serialisable keyword arguments.

    The returned module carries ``build_config = {"name": name, "kwargs": kwargs}`` so that a run
    directory can store exactly what rebuilds it.

    Raises
    ------
    SeqconvError
        For an unknown name (the message lists the valid ones) or an unknown keyword argument
        (the message lists the accepted ones).
    """
    factory = get(name)
    signature = inspect.signature(factory)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        accepted = ", ".join(p for p in signature.parameters if p not in ("self", "kwargs"))
        raise SeqconvError(f"model {name!r}: {exc}; accepted options: {accepted}") from None
    try:
        model = factory(**kwargs)
    except (TypeError, ValueError) as exc:
        raise SeqconvError(f"model {name!r} cannot be built with {kwargs}: {exc}") from exc
    model.build_config = {"name": name, "kwargs": dict(kwargs)}
    return model


def defaults(name: str) -> dict[str, Any]:
    """The default keyword arguments of a registered model (lists for sequences)."""
    out = {}
    for param in inspect.signature(get(name)).parameters.values():
        if param.default is inspect.Parameter.empty:
            continue
        value = param.default
        out[param.name] = list(value) if isinstance(value, tuple) else value
    return out
