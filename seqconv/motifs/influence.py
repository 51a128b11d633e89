"""Filter influence (Basset, Kelley et al. 2016): how much the predictions change when one
first-layer filter's activation map is replaced by its mean.

For filter ``f`` the activation map ``a[:, f, :]`` is set to the mean of ``a[:, f, :]`` over all
(real) positions and sequences of the data, the model is run again and the change of its outputs
is measured. The model runs through :func:`~seqconv.core.predict.predict` on (sequence, filter)
pairs, each row of a forward pass ablating its own filter, so no Python loop runs over filters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from seqconv.core.predict import predict
from seqconv.core.stores import CodesTensor
from seqconv.motifs.filters import activation_stats
from seqconv.motifs.inputs import PRECISION, FlatOutputs, check_codes, example_input, on_device
from seqconv.motifs.layer import find_first_layer, hooked
from seqconv.progress import track

_CHUNK_VALUES = 1 << 24  # ablated output values (sequences x filters x outputs) per predict call


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


class _Ablations:
    """(sequence, filter) pairs as an input store for ``predict``: row ``s * F + f`` is sequence
    ``s``, to be run with filter ``f`` replaced by its mean.

    :meth:`gather` records the filters of the batch in :attr:`filters`, which the replacing hook
    reads during the forward pass that follows.
    """

    can_reverse_complement = False

    def __init__(self, codes: CodesTensor, n_filters: int) -> None:
        self.codes = codes
        self.n_filters = n_filters
        self.device = codes.device
        self.filters = torch.zeros(0, dtype=torch.long, device=self.device)

    def __len__(self) -> int:
        return len(self.codes) * self.n_filters

    def gather(self, index: torch.Tensor) -> torch.Tensor:
        index = index.to(self.device)
        self.filters = index % self.n_filters
        return self.codes.gather(index // self.n_filters)

    def encode(self, raw: torch.Tensor) -> torch.Tensor:
        return self.codes.encode(raw)


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
        (sequence, filter) pairs per forward pass, so ``batch_size // F`` sequences at a time.

    Returns
    -------
    Influence
    """
    check_codes(codes)
    with on_device(model, device) as dev:
        layer = find_first_layer(model, example_input(codes, dev))
        if means is None:
            means, _, _ = activation_stats(model, codes, layer, batch_size, dev)
        n_filters = layer.n_filters
        mean_t = torch.as_tensor(np.asarray(means), dtype=torch.float32, device=dev)
        store = CodesTensor(codes, dev)
        scorer = FlatOutputs(model, transform=output_transform)
        base = predict(scorer, store, batch_size=batch_size, precision=PRECISION).double()
        n, n_outputs = base.shape
        pairs = _Ablations(store, n_filters)

        def replace(act: torch.Tensor) -> torch.Tensor:
            """``(B, F, L_out)`` activations with filter ``pairs.filters[b]`` of row ``b`` set to
            its mean."""
            act = act.clone()
            rows = torch.arange(len(act), device=act.device)
            act[rows, pairs.filters, :] = mean_t[pairs.filters, None].to(act.dtype)
            return act

        # Sequences per predict call: its (chunk, F, T) float32 result stays under 64 MiB, and the
        # progress bar moves at least every 64 forward passes.
        chunk = max(1, min(_CHUNK_VALUES // (n_filters * n_outputs), 64 * batch_size // n_filters))
        sq_sum = torch.zeros(n_filters, n_outputs, dtype=torch.float64)
        mean_sum = torch.zeros_like(sq_sum)
        chunks = ((s, range(s, min(s + chunk, n))) for s in range(0, n, chunk))
        with hooked(layer, replace):
            for start, seqs in track(chunks, n, "influence", show_progress):
                index = np.arange(start * n_filters, seqs.stop * n_filters)
                out = predict(scorer, pairs, index, batch_size, precision=PRECISION)
                out = out.double().view(len(seqs), n_filters, n_outputs)
                diff = out - base[start : seqs.stop, None]
                sq_sum += (diff**2).sum(0)
                mean_sum += diff.sum(0)
        per_output = (sq_sum / n).numpy()
        return Influence(
            influence=per_output.mean(axis=1),
            per_output=per_output,
            mean_change=(mean_sum / n).numpy(),
            means=np.asarray(means, dtype=np.float64),
            n_sequences=n,
        )
