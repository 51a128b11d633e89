"""A trained run, loaded from its directory without unpickling anything: what DNA and series runs
share (:class:`~seqconv.runs.dna_run.DnaRun`, :class:`~seqconv.runs.series_run.SeriesRun`).

Both predict with one signature: ``predict(inputs, batch_size, precision)`` returns the values
users read, ``predict_file(path, out, batch_size, precision, per_position)`` writes the table of
``seqconv predict`` (and, for segment runs, every per-position probability when asked).

>>> run = seqconv.load("runs/peaks-basset")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
import torch

from seqconv.atomic import atomic_path, write_npz
from seqconv.core.calibration import Calibration, calibrated
from seqconv.core.predict import PRECISIONS
from seqconv.core.segments import unweighted_logits
from seqconv.core.tasks import TargetScaler, is_classification, link
from seqconv.errors import InputError
from seqconv.outputs import check_output_file
from seqconv.progress import track
from seqconv.validation import Rule, check_value

BATCH_SIZE = 512
"""Inputs per forward pass unless told."""


class Run:
    """A trained model with everything needed to encode inputs and interpret outputs.

    Attributes
    ----------
    path
        The run directory.
    config
        Its ``config.json``.
    model
        The model with the best weights, in eval mode, on ``device``.
    """

    def __init__(self, path: Path, config: dict, model: torch.nn.Module, device: torch.device):
        self.path = path
        self.config = config
        self.model = model.eval()
        self.device = device
        scaler = config.get("target_scaler")
        self.scaler = TargetScaler.from_dict(scaler) if scaler else None
        spec = config.get("calibration")
        self.calibration = (
            Calibration.from_dict(spec, len(config["target_names"]), str(path / "config.json"))
            if spec
            else None
        )

    @property
    def task(self) -> str:
        return self.config["task"]

    @property
    def target_names(self) -> list[str]:
        return list(self.config["target_names"])

    @property
    def precision(self) -> str:
        """The precision the run was trained in, ``"fp32"`` or ``"bf16"``: the default of its
        predictions, on any device.

        Training records what ``auto`` amounted to (``train.precision_used``: bf16 only on a
        GPU); runs that did not record it predict in fp32 unless they asked for ``bf16``.
        """
        train = self.config.get("train")
        train = train if isinstance(train, dict) else {}
        for value in (train.get("precision_used"), train.get("precision")):
            if value in ("fp32", "bf16"):
                return value
        return "fp32"

    def checked(self, batch_size: int, precision: str | None) -> tuple[int, str]:
        """``batch_size`` and ``precision`` checked (``None``: :attr:`precision`)."""
        batch_size = check_value("batch_size", batch_size, Rule(int, low=1), "batch_size")
        if precision is None:
            return batch_size, self.precision
        return batch_size, check_value(
            "precision", precision, Rule(str, choices=PRECISIONS), "precision"
        )

    def target_index(self, target: str | None = None) -> int:
        """The output column of ``target`` (default: the last, the positive class)."""
        names = self.target_names
        if target is None:
            return len(names) - 1
        if target not in names:
            raise InputError(f"unknown target {target!r}; the model's: {', '.join(names)}")
        return names.index(target)

    def values(self, outputs: torch.Tensor) -> np.ndarray:
        """``(N, n_outputs)`` raw model outputs to what users read: probabilities (calibrated
        when the run was) or values in the targets' units; ``(N, K, L)`` per-position
        probabilities for segment runs."""
        if self.task == "segment":
            weights = self.config.get("segment", {}).get("pos_weight")
            return link("segment", unweighted_logits(outputs, weights)).numpy()
        values = calibrated(self.task, outputs, self.calibration).numpy()
        return self.scaler.unscale(values) if self.scaler is not None else values

    def prediction_table(self, ids: list[str], predictions: np.ndarray) -> pd.DataFrame:
        """``id``, one column per class/target, and ``prediction`` for classification."""
        frame = pd.DataFrame(predictions, columns=self.target_names)
        frame.insert(0, "id", ids)
        names = np.array(self.target_names)
        if is_classification(self.task):
            frame["prediction"] = names[predictions.argmax(axis=1)]
        elif self.task == "multilabel":
            frame["prediction"] = [",".join(names[row >= 0.5]) for row in predictions]
        return frame

    def predict(
        self, inputs: Any, batch_size: int = BATCH_SIZE, precision: str | None = None
    ) -> np.ndarray:
        """Predictions for ``inputs`` (sequences, or series), in the units users read.

        ``precision``: ``"fp32"``, ``"bf16"`` or ``"auto"`` (bf16 on a GPU); default the run's
        own (:attr:`precision`), so a GPU and a CPU predict alike.
        """
        raise NotImplementedError

    def predict_file(
        self,
        path: str | Path,
        out: str | Path | TextIO | None = None,
        batch_size: int = BATCH_SIZE,
        precision: str | None = None,
        per_position: str | Path | None = None,
        progress: bool = False,
    ) -> int:
        """Write the prediction table of the file ``path`` as TSV to ``out`` (a file, written
        atomically; an open text stream; ``None`` or ``-``: standard output), with a progress bar
        and its ETA on a terminal when ``progress``.

        Segment runs write their called intervals ``id, start, end, label, score`` instead, and
        with ``per_position`` every per-position probability to that ``.npz`` (``ids``,
        ``probabilities (N, K, L)``, ``target_names``).

        Returns
        -------
        int
            The number of records predicted.
        """
        batch_size, precision = self.checked(batch_size, precision)
        if per_position is not None and not self.writes_positions:
            raise InputError(
                f"--per-position is for segment and profile runs; {self.path} is {self.task}"
            )
        if isinstance(out, (str, Path)) and str(out) != "-":
            out = check_output_file(out, [path], option="out", example="predictions.tsv")
        kept: list[tuple[list[str], np.ndarray]] = []
        n = 0
        blocks = self.prediction_blocks(path, batch_size, precision)
        total = self.count_records(path) if progress else None
        if total is not None:
            blocks = track(blocks, total, "predicting", count=lambda block: len(block[0]))
        with _text_output(out) as handle:
            for ids, predictions, table in blocks:
                digits = "%.4g" if self.task == "segment" else "%.6g"
                table.to_csv(handle, sep="\t", index=False, header=n == 0, float_format=digits)
                if per_position is not None:
                    kept.append((ids, predictions))
                n += len(ids)
        if per_position is not None:
            self.write_positions(per_position, kept)
        return n

    @property
    def writes_positions(self) -> bool:
        """Whether the run has per-position predictions to write (``--per-position``)."""
        return self.task == "segment"

    def write_positions(self, path: str | Path, kept: list[tuple[list[str], np.ndarray]]) -> None:
        """The ``--per-position`` file from ``(ids, predictions)`` blocks."""
        _write_positions(path, kept, self.target_names)

    def prediction_blocks(
        self, path: str | Path, batch_size: int, precision: str
    ) -> Iterator[tuple[list[str], np.ndarray, pd.DataFrame]]:
        """``(ids, predictions, table rows)`` of the file ``path``, block by block."""
        raise NotImplementedError

    def count_records(self, path: str | Path) -> int | None:
        """How many records the file ``path`` holds, for a progress bar (``None``: no bar)."""
        return None


@contextmanager
def _text_output(out: str | Path | TextIO | None) -> Iterator[TextIO]:
    """An open text stream for ``out``: a file replaced atomically when done, standard output
    for ``None`` or ``-``, or ``out`` itself when it is a stream."""
    if out is None or str(out) == "-":
        yield sys.stdout
    elif isinstance(out, (str, Path)):
        with atomic_path(Path(out)) as tmp, open(tmp, "w") as handle:
            yield handle
    else:
        yield out


def _write_positions(
    path: str | Path, kept: list[tuple[list[str], np.ndarray]], names: list[str]
) -> None:
    """Every per-position probability of a segment run, ``(N, K, L)``, in input order."""
    ids = [i for part, _ in kept for i in part]
    probs = np.concatenate([p for _, p in kept]) if kept else np.zeros((0, len(names), 0))
    write_npz(path, {"ids": np.array(ids), "probabilities": probs,
                     "target_names": np.array(names)})  # fmt: skip
