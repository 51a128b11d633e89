"""Encoded sequences with their targets: what every DNA label form is read into."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from seqconv.dna.strings import Strings

SHUFFLED_CLASS = "shuffled"
"""The class of dinucleotide-shuffled negatives."""


@dataclass
class LabeledSequences:
    """Encoded sequences with their targets.

    Attributes
    ----------
    ids
        Record ids, unique (a list, or :class:`~seqconv.dna.strings.Strings` for files).
    codes
        ``(N, L)`` uint8 codes (memory-mapped when read into a store folder).
    targets
        ``binary``/``multiclass``: ``(N,)`` int64 class index; ``multilabel``: ``(N, T)`` float32
        0/1; ``regression``: ``(N, T)`` float32.
    task
        One of ``binary``, ``multiclass``, ``multilabel``, ``regression``.
    target_names
        Class names (classification) or target names.
    groups
        Per record, the id whose coordinates place it in a split (a shuffled negative follows its
        source sequence; :class:`~seqconv.dna.strings.Gathered` shares the ids' storage).
    sources
        Per record, the file it came from (``"shuffled"`` for generated negatives); a
        ``pandas.Categorical`` for files (one byte per record).
    """

    ids: Sequence[str]
    codes: np.ndarray
    targets: np.ndarray
    task: str
    target_names: list[str]
    groups: Sequence[str]
    sources: Sequence[str]
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def against_negatives(
        cls,
        ids: Sequence[str],
        codes: np.ndarray,
        neg_ids: Sequence[str],
        neg_codes: np.ndarray,
        names: list[str],
        groups: Sequence[str],
        sources: Sequence[str],
        notes: list[str],
    ) -> LabeledSequences:
        """A binary set: the positives (class 1, ``names[1]``) then the negatives (class 0).

        ``groups`` and ``sources`` cover both, positives first; ``codes`` already holding both
        (``len(codes) == len(ids) + len(neg_ids)``, as when the negatives were appended to a
        store's codes) are used as they are."""
        both = (
            codes if len(codes) == len(ids) + len(neg_ids) else np.concatenate([codes, neg_codes])
        )
        return cls(
            _joined(ids, neg_ids),
            both,
            np.repeat(np.array([1, 0], np.int64), [len(ids), len(neg_ids)]),
            "binary",
            names,
            groups,
            sources,
            notes,
        )

    @property
    def n_outputs(self) -> int:
        """Model outputs needed: one per class or target."""
        return len(self.target_names)

    def class_counts(self) -> dict[str, int]:
        """Records per class (classification) or positives per target (multi-label)."""
        if self.task in ("binary", "multiclass"):
            counts = np.bincount(self.targets, minlength=len(self.target_names))
        elif self.task == "multilabel":
            counts = self.targets.sum(axis=0).astype(int)
        else:
            return {}
        return dict(zip(self.target_names, counts.tolist(), strict=True))


def _joined(first: Sequence[str], second: Sequence[str]) -> Sequence[str]:
    """Two id sequences one after the other (compact when both are
    :class:`~seqconv.dna.strings.Strings`)."""
    if isinstance(first, Strings) and isinstance(second, Strings):
        return Strings.concat([first, second])
    return list(first) + list(second)
