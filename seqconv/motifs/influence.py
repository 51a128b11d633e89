"""Filter influence (Basset, Kelley et al. 2016): how much the predictions change when one
first-layer filter's activation map is replaced by its mean.

For filter ``f`` the activation map ``a[:, f, :]`` is set to the mean of ``a[:, f, :]`` over all
(real) positions and sequences of the data, the model is run again and the change of its outputs
is measured. Several filters are ablated in one forward pass by stacking copies of a batch (one
copy per filter), so the Python loop runs over batches and filter groups, not sequences.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqconv.motifs.filters import _batches, _check_codes, _to_input, activation_stats
from seqconv.motifs.layer import FirstLayer, evaluating, find_first_layer, hooked, model_device
from seqconv.progress import track


@dataclass
class Influence:
    """Influence of every first-layer filter.

    Attributes
    ----------
    influence
        ``(F,)`` mean over sequences and outputs of the squared change of the outputs.
    per_output
        ``(F, T)`` mean squared change per output.
    mean_change
        ``(F, T)`` mean signed change per output (negative: the filter raises that output).
    means
        ``(F,)`` the replacement value of each filter (its mean activation).
    n_sequences
        Sequences used.
    """

    influence: np.ndarray
    per_output: np.ndarray
    mean_change: np.ndarray
    means: np.ndarray
    n_sequences: int

    def ranking(self) -> np.ndarray:
        """Filter indices, most influential first."""
        return np.argsort(-self.influence, kind="stable")


def _flatten(outputs: torch.Tensor) -> torch.Tensor:
    if isinstance(outputs, tuple | list):
        outputs = outputs[0]
    return outputs.reshape(outputs.shape[0], -1).double()


def filter_influence(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    means: np.ndarray | None = None,
    output_transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    show_progress: bool = False,
) -> Influence:
    """Change of the model's outputs when each first-layer filter is replaced by its mean.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)`` returning ``(N, T)`` (or ``(N, ...)``, which is
        flattened to ``T`` outputs).
    codes
        ``(N, L)`` uint8 DNA codes.
    means
        ``(F,)`` replacement values; default: computed on ``codes``
        (:func:`~seqconv.motifs.filters.activation_stats`).
    output_transform
        Applied to the outputs before comparing (e.g. ``torch.sigmoid`` to measure probabilities
        instead of logits).
    batch_size
        Forward-pass batch size (sequence copies, so ``batch_size // F`` sequences at a time when
        all filters fit in one pass).

    Returns
    -------
    Influence
    """
    _check_codes(codes)
    dev = model_device(model, device)
    with evaluating(model), torch.inference_mode():
        layer = find_first_layer(model, _to_input(codes[:1], dev))
    if means is None:
        means, _, _ = activation_stats(model, codes, layer, batch_size, dev)
    n_filters = layer.n_filters
    mean_t = torch.as_tensor(np.asarray(means), dtype=torch.float32, device=dev)
    transform = output_transform or (lambda t: t)
    group = max(1, min(n_filters, batch_size))
    seqs_per_pass = max(1, batch_size // group)
    sq_sum = mean_sum = None
    with evaluating(model), torch.inference_mode():
        steps = track(_batches(codes, seqs_per_pass), len(codes), "influence", show_progress)
        for _, batch in steps:
            x = _to_input(batch, dev)
            base = _flatten(transform(model(x)))
            if sq_sum is None:
                sq_sum = torch.zeros(n_filters, base.shape[1], dtype=torch.float64, device=dev)
                mean_sum = torch.zeros_like(sq_sum)
            for first in range(0, n_filters, group):
                filters = torch.arange(first, min(first + group, n_filters), device=dev)
                out = _ablated(model, layer, x, filters, mean_t)
                diff = _flatten(transform(out)).view(len(filters), len(x), -1) - base
                sq_sum[filters] += (diff**2).sum(1)
                mean_sum[filters] += diff.sum(1)
    n = len(codes)
    per_output = (sq_sum / n).cpu().numpy()
    return Influence(
        influence=per_output.mean(axis=1),
        per_output=per_output,
        mean_change=(mean_sum / n).cpu().numpy(),
        means=np.asarray(means, dtype=np.float64),
        n_sequences=n,
    )


def _ablated(
    model: nn.Module,
    layer: FirstLayer,
    x: torch.Tensor,
    filters: torch.Tensor,
    means: torch.Tensor,
) -> torch.Tensor:
    """Outputs for ``len(filters)`` stacked copies of ``x``, copy ``g`` with filter
    ``filters[g]`` set to its mean."""
    g, b = len(filters), len(x)

    def replace(act: torch.Tensor) -> torch.Tensor:
        act = act.clone().view(g, b, *act.shape[1:])
        act[torch.arange(g, device=act.device), :, filters, :] = (
            means[filters].view(g, 1, 1).to(act.dtype)
        )
        return act.view(g * b, *act.shape[2:])

    with hooked(layer, replace):
        return model(x.repeat(g, 1, 1))
