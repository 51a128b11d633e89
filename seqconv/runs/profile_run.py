"""A run of ``seqconv train --task profile``: expected counts per base of each track.

Predictions are ``(N, T, W)`` expected counts (profile probabilities times the predicted total)
over the output window, the central ``W`` bases of the model's input; the table of ``seqconv
predict`` has one column per track with the predicted total, and ``--per-position`` writes every
base's expected counts to an ``.npz`` (``profiles``).

>>> run = seqconv.load("runs/footprints-bpnet")        # doctest: +SKIP
>>> run.predict(["ACGT" * 1000]).shape                   # doctest: +SKIP
(1, 2, 400)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqconv.atomic import write_npz
from seqconv.core.profiles import HEADS, ProfileScore, expected_counts
from seqconv.dna.fasta import iter_fasta_codes
from seqconv.errors import InputError
from seqconv.runs.dna_run import DnaRun

TOTAL = "total"
"""The name of the score of every track together (attribution of a profile run)."""


class ProfileRun(DnaRun):
    """A DNA run whose task is ``profile`` (see the module docstring)."""

    @property
    def profile(self) -> dict:
        return self.config.get("profile") or {}

    @property
    def width(self) -> int:
        """The output window ``W``: the central bases of the input that are predicted."""
        return int(self.profile.get("width", self.length))

    @property
    def units(self) -> list[list[int]]:
        """Tracks scored together: stranded pairs, and every other track alone."""
        default = [[i] for i in range(len(self.target_names))]
        return [list(u) for u in self.profile.get("units", default)]

    @property
    def control_names(self) -> list[str]:
        return list(self.profile.get("control") or [])

    @property
    def control_files(self) -> list[str]:
        """The control bigWigs the run trained with (``config.json``'s data block)."""
        records = (self.config.get("data") or {}).get("control") or []
        return [r["path"] if isinstance(r, dict) else str(r) for r in records]

    def predict_windows(
        self,
        codes: np.ndarray,
        control: np.ndarray | None = None,
        batch_size: int = 512,
        precision: str | None = None,
        rc_average: bool | None = None,
    ) -> np.ndarray:
        """Expected counts ``(N, T, W)`` for ``(N, L)`` input windows and their ``(N, C, L)``
        control counts (``None``: zero control, as for sequences without a genome position).
        ``rc_average``: average both strands (default: as the run trained)."""
        from seqconv.core.predict import predict
        from seqconv.core.profile_store import ProfileStore

        batch_size, precision = self.checked(batch_size, precision)
        n, t = codes.shape[0], len(self.target_names)
        if n == 0:
            return np.zeros((0, t, self.width), dtype=np.float32)
        strands = self.profile.get("strands") or list(range(t))
        store = ProfileStore(codes, np.zeros((n, t, 1), np.float32), np.zeros(n, np.float32),
                             control, 0, strands, self.profile.get("control_strands") or [],
                             self.device, False)  # fmt: skip
        both = self.rc_average if rc_average is None else rc_average
        outputs = predict(self.model, store, batch_size=batch_size, rc_average=both,
                          precision=precision)  # fmt: skip
        return self.values(outputs)

    def predict_codes(
        self,
        codes: np.ndarray,
        batch_size: int = 512,
        precision: str | None = None,
        progress: str | None = None,
    ) -> np.ndarray:
        """Expected counts ``(N, T, W)`` for ``(N, L)`` codes (zero control)."""
        return self.predict_windows(codes, None, batch_size, precision)

    def values(self, outputs: torch.Tensor) -> np.ndarray:
        """``(N, T, W + 1)`` outputs -> ``(N, T, W)`` expected counts."""
        return expected_counts(outputs).numpy()

    def prediction_table(self, ids: list[str], predictions: np.ndarray) -> pd.DataFrame:
        """``id`` and each track's predicted total count over the output window."""
        frame = pd.DataFrame(predictions.sum(axis=-1), columns=self.target_names)
        frame.insert(0, "id", ids)
        return frame

    @property
    def writes_positions(self) -> bool:
        return True

    def write_positions(self, path: str | Path, kept: list[tuple[list[str], np.ndarray]]) -> None:
        """``ids``, ``profiles`` ``(N, T, W)`` expected counts in input order, ``target_names``
        and ``width``."""
        write_profiles(path, kept, self.target_names, self.width)

    def prediction_blocks(
        self, path: str | Path, batch_size: int, precision: str
    ) -> Iterator[tuple[list[str], np.ndarray, pd.DataFrame]]:
        """Blocks of a FASTA/FASTQ file: every record at least as long as the output window
        (shorter ones stop with their name), centred and padded with N to the input length."""
        for block in iter_fasta_codes(path, self.length, self.align):  # type: ignore[arg-type]
            short = np.flatnonzero(np.asarray(block.lengths) < self.width)
            if short.size:
                i = int(short[0])
                raise InputError(
                    f"{path}: record {block.ids[i]!r} is {int(block.lengths[i])} bp, narrower than "
                    f"the model's output ({self.width} bp); profiles cover {self.width} bp of "
                    "each sequence: give sequences at least that long (or regions with --bed)"
                )
            predictions = self.predict_codes(block.codes, batch_size, precision)
            yield block.ids, predictions, self.prediction_table(block.ids, predictions)

    def explained(self, head: str) -> tuple[torch.nn.Module, list[str]]:
        """The model as scores to explain (:class:`~seqconv.core.profiles.ProfileScore`): one
        per track and :data:`TOTAL`, the last, for all of them."""
        if head not in HEADS:
            raise InputError(f"--head {head!r}: use counts or profile")
        return ProfileScore(self.model, head).eval(), [*self.target_names, TOTAL]


def write_profiles(path: str | Path, kept: list[tuple[list[str], np.ndarray]],
                   names: list[str], width: int) -> None:  # fmt: skip
    """The ``.npz`` of ``--per-position`` for a profile run (see
    :meth:`ProfileRun.write_positions`)."""
    ids = [i for part, _ in kept for i in part]
    arrays = [p for _, p in kept]
    profiles = (np.concatenate(arrays) if arrays else np.zeros((0, len(names), width))).astype(
        np.float32
    )
    write_npz(path, {"ids": np.array(ids), "profiles": profiles, "target_names": np.array(names),
                     "width": np.array(width)})  # fmt: skip


def effect_columns(names: list[str]) -> list[str]:
    """Per track: predicted total of each allele, their log2 fold change and the Jensen-Shannon
    divergence of their profiles (``seqconv variants`` on a profile run)."""
    return [f"{n}_{c}" for n in names for c in ("ref", "alt", "log2fc", "jsd")]


def profile_effects(ref: np.ndarray, alt: np.ndarray) -> list[np.ndarray]:
    """The columns of :func:`effect_columns` from ``(N, T, W)`` expected counts of both alleles:
    totals, ``log2((1 + alt) / (1 + ref))`` and the Jensen-Shannon divergence (natural log) of
    the two profiles, each normalised (:func:`seqconv.core.profile_metrics.jensen_shannon`)."""
    from seqconv.core.profile_metrics import jensen_shannon

    ref, alt = ref.astype(np.float64), alt.astype(np.float64)
    r_total, a_total = ref.sum(axis=-1), alt.sum(axis=-1)
    log2fc = np.log2((1 + a_total) / (1 + r_total))
    jsd = jensen_shannon(ref, alt)
    columns = []
    for t in range(ref.shape[1]):
        columns += [r_total[:, t], a_total[:, t], log2fc[:, t], jsd[:, t]]
    return columns


def explained_outputs(run, head: str | None) -> tuple[torch.nn.Module, list[str], str | None]:
    """What attribution and motif extraction explain for a run: ``(model, output names, default
    output)``. A profile run's counts or profile scores (``head``, default ``counts``) per track
    and for all of them (:data:`TOTAL`, the default); any other run's own outputs (``head`` is
    refused), its default output its last."""
    if run.task != "profile":
        if head is not None:
            raise InputError(f"--head is for profile runs; {run.path} is a {run.task} run")
        return run.model, list(run.target_names), None
    model, names = run.explained(head or "counts")
    return model, names, TOTAL
