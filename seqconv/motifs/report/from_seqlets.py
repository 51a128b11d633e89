"""Source ``seqlets``: patterns of high-importance windows from attributions, per model output, each
with its contribution weight matrix (CWM); by output, most seqlets first."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from seqconv.dna.encode import N_CODES, one_hot_table
from seqconv.motifs.inputs import FlatOutputs, example_input, on_device
from seqconv.motifs.layer import evaluating
from seqconv.motifs.report.found import Context, Entry, Found
from seqconv.motifs.seqlets import SeqletMotifs, seqlet_motifs

LEGEND = [
    ("rank", "Patterns by target, most seqlets first."),
    ("pattern", "The pattern and the model output (target) whose attributions it came from."),
    (
        "logo (bits) / CWM",
        "Top: the bases of the aligned seqlets as a sequence logo (bits). Bottom: the "
        "contribution weight matrix, the mean contribution of each base to the target's score.",
    ),
    ("seqlets", "How many seqlets (high-importance windows) were clustered into the pattern."),
    ("bits", "Total information content of the trimmed PFM (higher: a more specific motif)."),
    ("contribution", "Mean summed contribution of a seqlet's core window to the target's score."),
]
"""``(column, explanation)`` of the page's first columns for patterns."""

METHOD = (
    "integrated gradients from a dinucleotide-shuffled reference → seqlets above a "
    "shuffled-sequence FDR threshold → clusters → aligned PFMs and CWMs, per target"
)


def find_seqlets(
    model: nn.Module,
    codes: np.ndarray | torch.Tensor,
    context: Context,
    **seqlet_options,
) -> Found:
    """Seqlet patterns of every explained output.

    Parameters
    ----------
    model
        ``nn.Module`` on one-hot DNA ``(N, 4, L)``.
    codes
        ``(N, L)`` uint8 DNA codes.
    context
        Seed, device, progress, the outputs' names and whether the model is a classifier.
    seqlet_options
        ``targets``, ``n_sequences``, ``window``, ``flank``, ``fdr``, ``per_seq``,
        ``max_seqlets``, ``similarity``, ``min_seqlets``, ``trim``, ``steps``, ``batch_size``
        of :func:`~seqconv.motifs.seqlets.seqlet_motifs`.
    """
    names = context.target_names or _output_names(model, codes, context.device)
    result = seqlet_motifs(
        model, codes, list(names), context.classification, seed=context.seed,
        device=context.device, show_progress=context.show_progress, **seqlet_options,
    )  # fmt: skip
    entries = [
        Entry(
            id=p.id,
            motif=p.motif,
            nsites=p.n_seqlets,
            values={"target": p.target_name, "contribution": p.contribution},
            map=p.cwm,
        )
        for p in result.patterns
    ]
    seqlets = sum(r["seqlets"] for r in result.per_target)
    return Found(
        source="seqlets",
        entries=entries,
        background=base_frequencies(codes),
        counts=(
            f"{len(entries)} patterns from {seqlets} seqlets of {len(result.per_target)} targets"
        ),
        noun="patterns",
        info=[("method", METHOD), *_per_target(result)],
        legend=LEGEND,
        heading="Patterns by target, most seqlets first",
        score_column="contribution",
        map_label="CWM",
        notes=list(result.notes),
        results={"seqlets": result},
    )


def _per_target(result: SeqletMotifs) -> list[tuple[str, str]]:
    return [
        (
            f"target {r['target']}",
            f"{r['seqlets']} seqlets in the top {r['sequences']} sequences "
            f"(window sum ≥ {r['threshold']:.3g}); {r['patterns']} patterns",
        )
        for r in result.per_target
    ]


def _output_names(
    model: nn.Module, codes: np.ndarray | torch.Tensor, device: str | torch.device | None
) -> list[str]:
    """``0``, ``1``, ...: one name per (flattened) model output."""
    with on_device(model, device) as dev, evaluating(model), torch.inference_mode():
        n_outputs = FlatOutputs(model)(example_input(codes, dev)).shape[1]
    return [str(i) for i in range(n_outputs)]


def base_frequencies(codes: np.ndarray | torch.Tensor) -> np.ndarray:
    """``(4,)`` A, C, G, T frequencies of ``(N, L)`` codes (IUPAC codes spread over their bases,
    padding not counted); uniform when there are no bases."""
    if isinstance(codes, torch.Tensor):
        codes = codes.cpu().numpy()
    counts = np.zeros(N_CODES, dtype=np.int64)
    for start in range(0, len(codes), 4096):  # bincount copies its input as int64: in blocks
        counts += np.bincount(np.ravel(codes[start : start + 4096]), minlength=N_CODES)[:N_CODES]
    bases = counts @ one_hot_table().double().numpy()
    return bases / bases.sum() if bases.sum() > 0 else np.full(4, 0.25)
