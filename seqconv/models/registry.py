"""Build models by name: a run's ``config.json`` stores ``{"name": ..., "kwargs": {...}}``."""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import torch
from torch import nn

from seqconv.errors import SeqconvError
from seqconv.models.protocol import is_dense
from seqconv.validation import did_you_mean

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
        raise SeqconvError(
            f"unknown model {name!r}{did_you_mean(str(name), names())}; valid names: "
            f"{', '.join(names())}"
        ) from None


def build(name: str, **kwargs: Any) -> nn.Module:
    """Build a registered model from JSON-serialisable keyword arguments.

    The returned module carries ``build_config = {"name": name, "kwargs": ...}``, the keyword
    arguments with every default filled in, so that a run directory stores exactly what rebuilds
    it, whatever later versions change in the defaults.

    Raises
    ------
    SeqconvError
        For an unknown name (the message lists the valid ones) or an unknown keyword argument
        (the message lists the accepted ones).
    """
    factory = check(name, **kwargs)
    try:
        model = factory(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure here comes from the user's options
        raise SeqconvError(f"model {name!r} cannot be built with {kwargs}: {exc}") from None
    # every argument, defaults included: a run must rebuild the same model after a default changes
    model.build_config = {"name": name, "kwargs": {**defaults(name), **kwargs}}
    return model


def check(name: str, **kwargs: Any) -> Callable[..., nn.Module]:
    """Check that ``build(name, **kwargs)`` can work, without allocating the model: the name,
    the keyword arguments, and the size (built on the meta device). Returns the factory.

    Raises
    ------
    SeqconvError
        As :func:`build` does.
    """
    factory = get(name)
    signature = inspect.signature(factory)
    try:
        signature.bind(**kwargs)
    except TypeError as exc:
        accepted = [p for p in signature.parameters if p not in ("self", "kwargs")]
        unknown = [k for k in kwargs if k not in signature.parameters]
        hint = did_you_mean(unknown[0], accepted) if unknown else ""
        raise SeqconvError(
            f"model {name!r}: {exc}{hint}; accepted options: {', '.join(accepted)}"
        ) from None
    _check_size(name, factory, kwargs)
    return factory


def builds_dense(name: str, **kwargs: Any) -> bool:
    """Whether ``build(name, **kwargs)`` gives a dense model (see :func:`is_dense`), found by
    building it on the meta device (no memory), so options can be checked before data is read.

    Raises
    ------
    SeqconvError
        As :func:`build` does.
    """
    factory = check(name, **kwargs)
    with torch.device("meta"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return is_dense(factory(**kwargs))


def max_parameters() -> int:
    """The most parameters a model may have here: 1e9, or what 1/16 of the RAM holds in fp32
    training (weights, gradients and two Adam moments are 16 bytes per parameter)."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not every platform reports it
        memory = 64 * 2**30
    return int(min(1e9, memory / 16))


def _check_size(name: str, factory: Callable[..., nn.Module], kwargs: dict[str, Any]) -> None:
    """Build on the meta device first (no memory) to refuse models that cannot fit, before a
    real build allocates them."""
    try:
        with torch.device("meta"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zero-size layers are refused below
            probe = factory(**kwargs)
    except Exception as exc:  # noqa: BLE001 - any failure here comes from the user's options
        raise SeqconvError(f"model {name!r} cannot be built with {kwargs}: {exc}") from None
    sizes = [p.numel() for p in probe.parameters()]
    if 0 in sizes:
        raise SeqconvError(f"model {name!r} with {kwargs} has a layer of size 0; sizes are >= 1")
    n = sum(sizes)
    if n > max_parameters():
        raise SeqconvError(
            f"model {name!r} with {kwargs} would have {n:,} parameters ({n * 4 / 2**30:.1f} GiB "
            f"in fp32), more than this machine can train (at most {max_parameters():,}); "
            "use fewer filters, channels or layers"
        )


def defaults(name: str) -> dict[str, Any]:
    """The default keyword arguments of a registered model (lists for sequences)."""
    out = {}
    for param in inspect.signature(get(name)).parameters.values():
        if param.default is inspect.Parameter.empty:
            continue
        value = param.default
        out[param.name] = list(value) if isinstance(value, tuple) else value
    return out
