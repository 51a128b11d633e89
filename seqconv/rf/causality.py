"""Check by perturbation that a per-step model never looks into the future.

>>> from seqconv import models
>>> check_causal(models.build("tcn", channels=[4, 4], per_step=True)).causal
True
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from seqconv.errors import SeqconvError
from seqconv.models.protocol import in_channels_of, trunk_of

__all__ = ["CausalityReport", "check_causal"]


@dataclass(frozen=True)
class CausalityReport:
    """Outcome of :func:`check_causal`.

    Attributes
    ----------
    causal
        No output changed when only later inputs changed.
    leak_position
        The earliest output position that changed (``None`` when causal).
    perturbed_after
        For that output, the last ``t`` such that changing only inputs after ``t`` changed it:
        output ``leak_position`` reads input ``perturbed_after + 1``.
    max_change
        Largest absolute change seen at an output position ``<= t`` over all ``t``.
    length
        Sequence length tested.
    """

    causal: bool
    leak_position: int | None
    perturbed_after: int | None
    max_change: float
    length: int

    def __bool__(self) -> bool:
        return self.causal


def _per_step(model: nn.Module, x: Tensor) -> Tensor:
    y = model(x)
    if isinstance(y, Tensor) and y.dim() == 3 and y.shape[-1] == x.shape[-1]:
        return y
    trunk = trunk_of(model)
    if trunk is not None:
        y = trunk(x)
        if y.dim() == 3 and y.shape[-1] == x.shape[-1]:
            return y
    shape = tuple(y.shape) if isinstance(y, Tensor) else type(y).__name__
    raise SeqconvError(
        f"check_causal needs per-step outputs (N, C, {x.shape[-1]}) for input length "
        f"{x.shape[-1]}, got {shape}; build the model with per_step=True"
    )


def check_causal(
    model: nn.Module,
    length: int = 64,
    in_channels: int | None = None,
    n_trials: int = 2,
    seed: int = 0,
    rtol: float = 1e-9,
    raise_on_leak: bool = False,
) -> CausalityReport:
    """Check that output ``t`` does not change when inputs after ``t`` change.

    For every ``t`` in ``0 .. length-2`` the inputs ``t+1 ..`` of a random sequence are replaced by
    fresh random values (one batch row per ``t``, ``n_trials`` times) and outputs ``0 .. t`` are
    compared with those of the unperturbed sequence. The check runs on a float64 copy in eval mode
    (so dropout is off and batch norm uses running statistics); the model itself is not touched.

    Parameters
    ----------
    model
        A model whose output is per step, ``(N, C, L) -> (N, C', L)``: a causal zoo model built
        with ``per_step=True``, or any module. If the output is pooled, ``model.trunk`` is used.
    length
        Sequence length to test; use at least the receptive field to exercise every layer.
    in_channels
        Input channels; by default the model's ``in_channels`` or its first ``Conv1d``'s.
    n_trials
        Independent random sequences.
    seed
        Seed of the random sequences.
    rtol
        A change counts when larger than ``rtol * (1 + |output|)`` (float64 round-off is ~1e-16).
    raise_on_leak
        Raise :class:`~seqconv.errors.SeqconvError` naming the first leaking position instead of
        returning a report.

    Returns
    -------
    CausalityReport
    """
    if length < 2:
        raise SeqconvError(f"check_causal needs length >= 2, got {length}")
    channels = in_channels or in_channels_of(model)
    if channels is None:
        conv = next((m for m in model.modules() if isinstance(m, nn.Conv1d)), None)
        if conv is None:
            raise SeqconvError("cannot tell the model's input channels: pass in_channels=...")
        channels = conv.in_channels
    probe = copy.deepcopy(model).double().eval()
    device = next((p.device for p in probe.parameters()), torch.device("cpu"))
    generator = torch.Generator().manual_seed(seed)  # on the CPU: same sequences on any device
    leak: tuple[int, int] | None = None  # (t, earliest changed output)
    max_change = 0.0
    steps = torch.arange(length - 1)
    with torch.no_grad():
        for _ in range(n_trials):
            x = torch.randn(1, channels, length, generator=generator, dtype=torch.float64)
            noise = torch.randn(length - 1, channels, length, generator=generator, dtype=x.dtype)
            x, noise = x.to(device), noise.to(device)
            reference = _per_step(probe, x)
            batch = x.repeat(length - 1, 1, 1)
            future = (torch.arange(length)[None, :] > steps[:, None]).to(device)  # row t: > t
            batch = torch.where(future[:, None, :], noise, batch)
            y = _per_step(probe, batch)
            past = ~future  # row t: outputs 0..t
            change = (y - reference).abs().amax(dim=1)
            change = torch.where(past, change, torch.zeros_like(change))
            max_change = max(max_change, float(change.max()))
            tolerance = rtol * (1 + reference.abs().amax(dim=1))
            bad = (change > tolerance) & past
            if bad.any():
                rows, cols = torch.nonzero(bad.cpu(), as_tuple=True)
                first = int(cols.min())
                t = int(rows[cols == first].max())  # how far ahead output `first` looks
                if leak is None or (first, -t) < (leak[1], -leak[0]):
                    leak = (t, first)
    report = CausalityReport(
        causal=leak is None,
        leak_position=None if leak is None else leak[1],
        perturbed_after=None if leak is None else leak[0],
        max_change=max_change,
        length=length,
    )
    if raise_on_leak and not report.causal:
        raise SeqconvError(
            f"model is not causal: output {report.leak_position} changed when only inputs after "
            f"position {report.perturbed_after} changed"
        )
    return report
