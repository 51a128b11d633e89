"""The model protocol: what seqconv reads from a model besides its ``forward``.

A model is any ``nn.Module`` over ``(N, C, L)`` inputs. Zoo models (built on
:class:`~seqconv.models.layers.TrunkHead`) carry a few more attributes, and a user's module may
declare them to be treated the same way; every one is optional. :class:`SeqconvModel` writes them
down, and the functions below are the one place that reads them, each with the default a module
without the attribute gets (a value of the wrong kind counts as absent):

==================  ===========================  ==================================================
attribute           read by                      used for
==================  ===========================  ==================================================
``build_config``    :func:`build_config_of`,     ``config.json``'s model block; names in messages
                    :func:`model_name`
``closed_form``     :func:`is_closed_form`       fitted without gradients (MiniRocket)
``dense``           :func:`is_dense`             per-position logits ``(N, K, L)``
``profile``         :func:`is_profile`           profiles and counts ``(N, T, W + 1)``
``reverse_outputs`` :func:`strand_outputs`       outputs of the other strand read back
``trunk``           :func:`trunk_of`             receptive field, causality, motif hooks
``head``            :func:`head_of`              which side a padded series is padded on
``in_channels``     :func:`in_channels_of`       input channels when no ``Conv1d`` tells them
``n_outputs``       :func:`n_outputs_of`         outputs of an ensemble's members
``takes_mask``      :func:`takes_mask`           layers that pool with the padding mask
==================  ===========================  ==================================================

>>> from torch import nn
>>> plain = nn.Sequential(nn.Conv1d(4, 8, 5), nn.ReLU())
>>> is_dense(plain), is_closed_form(plain), trunk_of(plain), model_name(plain)
(False, False, None, 'Sequential')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from torch import Tensor, nn

__all__ = [
    "ATTRIBUTES",
    "SeqconvModel",
    "build_config_of",
    "head_of",
    "in_channels_of",
    "is_closed_form",
    "is_dense",
    "is_profile",
    "model_name",
    "n_outputs_of",
    "strand_outputs",
    "takes_mask",
    "trunk_of",
]


class SeqconvModel(Protocol):
    """A model as seqconv sees it: ``forward`` over ``(N, C, L)``, and optional attributes.

    Only ``forward`` is required; read the attributes through this module's functions, never
    with ``getattr`` of your own, so that every part of seqconv gives a module that lacks one the
    same default.

    Attributes
    ----------
    build_config
        ``{"name": ..., "kwargs": {...}}``: the registry name and every keyword argument, set by
        :func:`seqconv.models.build`; what ``config.json`` stores to rebuild the model. Default:
        none (a user's module is named by its class).
    closed_form
        ``True`` for models fitted in closed form (fixed features and a ridge head, e.g.
        ``minirocket``) by :mod:`seqconv.train.closed_form` instead of gradient descent.
        Default ``False``.
    dense
        ``True`` when the logits are per position, ``(N, K, L)`` (segmentation and per-step
        models), rather than one row per sequence, ``(N, K)``. Default ``False``.
    profile
        ``True`` when the outputs are base-resolution profiles and counts, ``(N, T, W + 1)``
        (:mod:`seqconv.core.profiles`). Default ``False``.
    reverse_outputs
        A method mapping the outputs of a reverse-complemented input back to the forward
        strand's coordinates (profiles read backwards, stranded tracks swapped). Default: dense
        outputs are read backwards, others taken as they are.
    trunk
        The module before global pooling, ``(N, C, L) -> (N, C', L')``: what the receptive field
        describes, what causality is checked on when the output is pooled, what motif extraction
        hooks. Default: none (the whole model is analysed).
    head
        The module after the trunk, ``(N, C', L') -> logits``; a head that reads the last step
        (:class:`~seqconv.models.layers.StepHead`, :class:`~seqconv.models.layers.LastStep`)
        makes padded series pad on the left. Default: none.
    in_channels
        Input channels ``C``, an ``int``. Default: none (the first ``Conv1d``'s are used).
    n_outputs
        Outputs ``K``, an ``int``. Default: none.
    takes_mask
        On a sub-module: ``True`` when it pools with the padding mask itself (MiniRocket's PPV
        pooling); :func:`seqconv.models.masking.enable_masks` then sets its ``mask`` attribute,
        ``(N, L)`` bool, for the length of each forward pass. Default ``False``.
    """

    build_config: dict[str, Any]
    closed_form: bool
    dense: bool
    profile: bool
    reverse_outputs: Callable[[Tensor], Tensor]
    trunk: nn.Module
    head: nn.Module
    in_channels: int
    n_outputs: int
    takes_mask: bool

    def forward(self, x: Tensor) -> Tensor:
        """``(N, C, L)`` inputs to ``(N, K)`` or, when :attr:`dense`, ``(N, K, L)`` logits."""
        ...


ATTRIBUTES: tuple[str, ...] = tuple(SeqconvModel.__annotations__)
"""The optional attributes of the protocol, in the order documented."""


def is_dense(model: nn.Module) -> bool:
    """Whether ``model`` returns per-position logits ``(N, K, L)`` rather than one row per
    sequence ``(N, K)``: its ``dense`` attribute, false when it has none.

    Examples
    --------
    >>> from seqconv.models import build
    >>> is_dense(build("unet", filters=[4, 8])), is_dense(build("motifnet"))
    (True, False)
    """
    return bool(getattr(model, "dense", False))


def is_profile(model: nn.Module) -> bool:
    """Whether ``model`` returns profiles and counts ``(N, T, W + 1)`` (its ``profile``
    attribute; default no)."""
    return bool(getattr(model, "profile", False))


def strand_outputs(model: nn.Module, outputs: Tensor) -> Tensor:
    """Outputs of ``model`` for reverse-complemented inputs in the forward strand's coordinates:
    its ``reverse_outputs`` when it has one; else per-position outputs ``(N, K, L)`` read
    backwards and per-sequence outputs as they are."""
    reverse = getattr(model, "reverse_outputs", None)
    if callable(reverse):
        return reverse(outputs)
    return outputs.flip(-1) if outputs.dim() == 3 else outputs


def is_closed_form(model: nn.Module) -> bool:
    """Whether ``model`` is fitted in closed form (its ``closed_form`` attribute; default no)."""
    return bool(getattr(model, "closed_form", False))


def takes_mask(module: nn.Module) -> bool:
    """Whether ``module`` pools with the padding mask itself (its ``takes_mask`` attribute)."""
    return bool(getattr(module, "takes_mask", False))


def trunk_of(model: nn.Module) -> nn.Module | None:
    """``model.trunk`` when it is a module, else ``None``."""
    trunk = getattr(model, "trunk", None)
    return trunk if isinstance(trunk, nn.Module) else None


def head_of(model: nn.Module) -> nn.Module | None:
    """``model.head`` when it is a module, else ``None``."""
    head = getattr(model, "head", None)
    return head if isinstance(head, nn.Module) else None


def _count(model: nn.Module, name: str) -> int | None:
    value = getattr(model, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def in_channels_of(model: nn.Module) -> int | None:
    """``model.in_channels`` when it is an ``int``, else ``None``."""
    return _count(model, "in_channels")


def n_outputs_of(model: nn.Module) -> int | None:
    """``model.n_outputs`` when it is an ``int``, else ``None``."""
    return _count(model, "n_outputs")


def build_config_of(model: nn.Module) -> dict[str, Any] | None:
    """``model.build_config`` (``{"name", "kwargs"}``) when it is one, else ``None``."""
    spec = getattr(model, "build_config", None)
    if isinstance(spec, dict) and isinstance(spec.get("name"), str):
        return spec
    return None


def model_name(model: nn.Module) -> str:
    """The registry name of a zoo model, else the class name of the module."""
    spec = build_config_of(model)
    return spec["name"] if spec is not None else type(model).__name__
