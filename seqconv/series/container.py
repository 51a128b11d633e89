"""The container every series reader returns: :class:`SeriesData`.

Values are ``(N, C, L)`` float32, right-padded with ``NaN`` beyond each series' length, with the
lengths ``(N,)`` that say where each series ends. ``NaN`` inside a series is a missing value;
``NaN`` at or after ``lengths[i]`` is padding. Labels stay raw strings (``"1"``, ``"walking"``,
``"0.73"``) until :meth:`SeriesData.targets` turns them into targets with the same conventions as
DNA labels (:func:`seqconv.dna.labels.parse_targets`).

Examples
--------
>>> import numpy as np
>>> from seqconv.series.container import SeriesData
>>> data = SeriesData.from_arrays([np.array([[1.0, 2.0, 3.0]]), np.array([[4.0, np.nan]])])
>>> data.values.shape, data.lengths.tolist()
((2, 1, 3), [3, 2])
>>> data.mask().tolist()
[[True, True, True], [True, True, False]]
>>> data.missing_counts()
{'value': 1}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from seqconv.dna.labels import parse_targets
from seqconv.errors import InputError

LabelKind = Literal["class", "target"]


@dataclass
class SeriesData:
    """Time series, possibly of unequal lengths, with optional labels.

    Attributes
    ----------
    ids
        ``N`` unique series ids.
    values
        ``(N, C, L)`` float32, ``L`` the longest length; ``NaN`` marks missing values inside a
        series and fills the padding after it.
    lengths
        ``(N,)`` int64: series ``i`` is ``values[i, :, :lengths[i]]``.
    channels
        ``C`` channel names.
    labels
        One raw label string per series, or ``None`` (forecasting, or prediction input).
    label_kind
        ``"class"``, ``"target"`` (regression) or ``None`` when the source does not say (a table
        column: :meth:`targets` infers the task).
    label_names
        The column(s) the labels came from (``[]`` without labels).
    class_names
        Classes declared by the source (``.ts`` ``@classLabel``), in its order; else ``[]``.
    times
        Per series, its ``(L_i,)`` time stamps (float64 or datetime64) when the source has them
        (long tables, ``.ts`` with ``@timeStamps true``); else ``None``.
    source
        The file read (``""`` when built from arrays).
    notes
        What the reader decided on the user's behalf (printed by the CLI).
    """

    ids: list[str]
    values: np.ndarray
    lengths: np.ndarray
    channels: list[str]
    labels: list[str] | None = None
    label_kind: LabelKind | None = None
    label_names: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    times: list[np.ndarray] | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        n, c, _ = self.values.shape
        if len(self.ids) != n or self.lengths.shape != (n,) or len(self.channels) != c:
            raise ValueError("ids, values, lengths and channels disagree on N or C")
        if self.labels is not None and len(self.labels) != n:
            raise ValueError("one label per series is needed")

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_channels(self) -> int:
        return self.values.shape[1]

    @property
    def max_length(self) -> int:
        return self.values.shape[2]

    @property
    def equal_length(self) -> bool:
        return bool(np.all(self.lengths == self.max_length))

    def series(self, i: int) -> np.ndarray:
        """Series ``i`` without padding, ``(C, L_i)``."""
        return self.values[i, :, : self.lengths[i]]

    def mask(self) -> np.ndarray:
        """``(N, L)`` bool: True on the steps of each series, False on its padding."""
        return np.arange(self.max_length)[None, :] < self.lengths[:, None]

    def missing_counts(self) -> dict[str, int]:
        """Missing values (padding excluded) per channel."""
        missing = np.isnan(self.values) & self.mask()[:, None, :]
        return dict(zip(self.channels, missing.sum(axis=(0, 2)).tolist(), strict=True))

    def subset(self, index: Sequence[int] | np.ndarray) -> SeriesData:
        """The series at ``index`` (e.g. one split), trimmed to their longest length."""
        index = np.asarray(index, dtype=np.int64)
        lengths = self.lengths[index]
        width = int(lengths.max()) if len(index) else 0
        return SeriesData(
            [self.ids[i] for i in index],
            self.values[index, :, :width],
            lengths,
            list(self.channels),
            None if self.labels is None else [self.labels[i] for i in index],
            self.label_kind,
            list(self.label_names),
            list(self.class_names),
            None if self.times is None else [self.times[i] for i in index],
            self.source,
            list(self.notes),
        )

    def targets(
        self, task: str | None = None, classes: Sequence[str] | None = None
    ) -> tuple[np.ndarray, list[str], str]:
        """Targets from the labels, as for DNA (:func:`seqconv.dna.labels.parse_targets`).

        Parameters
        ----------
        task
            ``binary``/``multiclass``/``regression``/…; ``None`` takes it from the source
            (``.ts`` ``@classLabel``/``@targetLabel``) or infers it from the values.
        classes
            Classification against known classes (a trained run's, when evaluating a test
            file): labels are indexed in this order, and a label outside it is an error. A test
            file may hold only some of the classes.

        Returns
        -------
        targets, target_names, task
            Classification: ``(N,)`` int64 class index; regression: ``(N, T)`` float32.
        """
        if self.labels is None:
            raise InputError(
                f"{self.source or 'the series'}: no labels; name the label column (--target) "
                "or use --task forecast"
            )
        if classes is not None:
            return self._class_index(list(classes), task)
        if task is None and self.label_kind == "class":
            task = "multiclass"  # parse_targets makes it binary with two classes
        elif task is None and self.label_kind == "target":
            task = "regression"
        targets, names, task = parse_targets(self.labels, task, self.source, self.ids)
        if task == "regression" and len(self.label_names) == targets.shape[1]:
            names = list(self.label_names)
        return targets, names, task

    def _class_index(
        self, classes: list[str], task: str | None
    ) -> tuple[np.ndarray, list[str], str]:
        index = {name: k for k, name in enumerate(classes)}
        unknown = [(i, v) for i, v in zip(self.ids, self.labels, strict=True) if v not in index]
        if unknown:
            raise InputError(
                f"{self.source or 'the series'}: series {unknown[0][0]!r} has the class "
                f"{unknown[0][1]!r}, which the model does not know (classes: "
                f"{', '.join(classes)}); {len(unknown)} series are affected"
            )
        targets = np.array([index[v] for v in self.labels], dtype=np.int64)
        return targets, classes, task or ("binary" if len(classes) == 2 else "multiclass")

    @classmethod
    def from_arrays(
        cls,
        series: np.ndarray | Sequence[np.ndarray],
        ids: Sequence[str] | None = None,
        labels: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
    ) -> SeriesData:
        """Build from an ``(N, C, L)``/``(N, L)`` array or a list of ``(C, L_i)`` arrays."""
        if isinstance(series, np.ndarray) and series.ndim in (2, 3):
            arrays = list(series[:, None, :] if series.ndim == 2 else series)
        else:
            arrays = [np.atleast_2d(np.asarray(s, dtype=np.float64)) for s in series]
        values, lengths = pack_series(arrays)
        n_channels = values.shape[1]
        return cls(
            [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(arrays))],
            values,
            lengths,
            list(channels) if channels is not None else default_channels(n_channels),
            None if labels is None else [str(v) for v in labels],
        )


def default_channels(n: int) -> list[str]:
    return ["value"] if n == 1 else [f"dim_{i}" for i in range(n)]


def pack_series(arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``(C, L_i)`` arrays into ``(N, C, max L)`` float32, NaN-padded on the right.

    Returns
    -------
    values, lengths
        ``(N, C, L)`` float32 and ``(N,)`` int64.
    """
    if not arrays:
        raise InputError("no series to read")
    channels = {a.shape[0] for a in arrays}
    if len(channels) != 1:
        raise InputError(f"series have different numbers of channels: {sorted(channels)}")
    lengths = np.array([a.shape[1] for a in arrays], dtype=np.int64)
    values = np.full((len(arrays), channels.pop(), int(lengths.max())), np.nan, dtype=np.float32)
    for i, a in enumerate(arrays):
        values[i, :, : a.shape[1]] = a
    return values, lengths


def note_missing(data: SeriesData) -> None:
    """Add a note counting the missing values (padding excluded) per channel."""
    counts = data.missing_counts()
    total = sum(counts.values())
    if total:
        per = ", ".join(f"{k}: {v}" for k, v in counts.items() if v)
        data.notes.append(f"{data.source}: {total} missing values ({per})")


__all__ = ["LabelKind", "SeriesData", "default_channels", "note_missing", "pack_series"]
