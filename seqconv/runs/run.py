"""A trained run, loaded from its directory without unpickling anything, and predictions from it.

>>> run = seqconv.load("runs/peaks-basset")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd
import torch

from seqconv.atomic import atomic_path, write_npz
from seqconv.dna.encode import encode_dna
from seqconv.dna.fasta import iter_fasta_codes
from seqconv.dna.intervals import offsets
from seqconv.errors import InputError
from seqconv.outputs import check_output_file
from seqconv.runs.calibration import Calibration, calibrated
from seqconv.runs.predict import PRECISIONS, predict
from seqconv.runs.segments import interval_table, unweighted_logits
from seqconv.runs.stores import CodesTensor
from seqconv.runs.tasks import TargetScaler, is_classification, link
from seqconv.validation import Rule, check_value


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

    per_position: Path | None = None
    """Segment runs: where :meth:`predict_fasta` also writes every probability (``.npz``)."""

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
    def length(self) -> int:
        """Input length the model was trained on (sequences are padded or trimmed to it)."""
        return int(self.config["input"]["length"])

    @property
    def align(self) -> str:
        return self.config["input"].get("align", "center")

    @property
    def rc_average(self) -> bool:
        return bool(self.config.get("train", {}).get("reverse_complement", True))

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

    def _checked_precision(self, precision: str | None) -> str:
        """``precision`` checked (``auto``, ``fp32`` or ``bf16``); ``None``: :attr:`precision`."""
        if precision is None:
            return self.precision
        return check_value("precision", precision, Rule(str, choices=PRECISIONS), "precision")

    def target_index(self, target: str | None = None) -> int:
        """The output column of ``target`` (default: the last, the positive class)."""
        names = self.target_names
        if target is None:
            return len(names) - 1
        if target not in names:
            raise InputError(f"unknown target {target!r}; the model's: {', '.join(names)}")
        return names.index(target)

    def encode(self, seqs: Sequence[str]) -> np.ndarray:
        """Sequences to the ``(N, L)`` codes this run expects (padded/trimmed to its length)."""
        return encode_dna(seqs, length=self.length, align=self.align)  # type: ignore[arg-type]

    def predict_codes(
        self, codes: np.ndarray, batch_size: int = 512, precision: str | None = None
    ) -> np.ndarray:
        """Predictions for ``(N, L)`` codes.

        Parameters
        ----------
        codes
            ``(N, L)`` uint8 codes (:meth:`encode`).
        batch_size
            Sequences per forward pass.
        precision
            ``"fp32"``, ``"bf16"`` or ``"auto"`` (bf16 on a GPU); default: the run's own
            (:attr:`precision`), so a GPU and a CPU predict alike.

        Returns
        -------
        np.ndarray
            ``(N, n_outputs)`` float32: class probabilities, target probabilities (multi-label) or
            values (regression), averaged over both strands when the run was trained that way.
        """
        batch_size = check_value("batch_size", batch_size, Rule(int, low=1), "batch_size")
        precision = self._checked_precision(precision)
        if codes.shape[0] == 0:
            return np.zeros((0, len(self.target_names)), dtype=np.float32)
        inputs = CodesTensor(codes, self.device)
        outputs = predict(self.model, inputs, batch_size=batch_size, rc_average=self.rc_average,
                          precision=precision)  # fmt: skip
        return self.values(outputs)

    def values(self, outputs: torch.Tensor) -> np.ndarray:
        """``(N, n_outputs)`` raw model outputs to what users read: probabilities (calibrated
        when the run was) or values in the targets' units; ``(N, K, L)`` per-position
        probabilities for segment runs."""
        if self.task == "segment":
            weights = self.config.get("segment", {}).get("pos_weight")
            return link("segment", unweighted_logits(outputs, weights)).numpy()
        values = calibrated(self.task, outputs, self.calibration).numpy()
        return self.scaler.unscale(values) if self.scaler is not None else values

    def predict(
        self, seqs: Sequence[str] | str, batch_size: int = 512, precision: str | None = None
    ) -> np.ndarray:
        """Predictions for sequences (strings, any length: padded or trimmed like in training).

        ``precision``: default the run's (:attr:`precision`); see :meth:`predict_codes`.

        Returns
        -------
        np.ndarray
            ``(N, n_outputs)``; see :meth:`predict_codes`.
        """
        if isinstance(seqs, str):
            seqs = [seqs]
        return self.predict_codes(self.encode(seqs), batch_size, precision)

    def iter_predict_fasta(
        self, path: str | Path, batch_size: int = 512, precision: str | None = None
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        """Stream ``(ids, predictions)`` for a FASTA/FASTQ file of any size, block by block."""
        precision = self._checked_precision(precision)
        for block in iter_fasta_codes(path, self.length, self.align):  # type: ignore[arg-type]
            yield block.ids, self.predict_codes(block.codes, batch_size, precision)

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

    def predict_fasta(
        self,
        path: str | Path,
        out: str | Path | TextIO,
        batch_size: int = 512,
        precision: str | None = None,
    ) -> int:
        """Write predictions for a FASTA/FASTQ file as TSV to a file (atomically) or an open text
        stream, streaming with constant memory (``precision``: see :meth:`predict_codes`).

        The file ``out`` is checked first: it may not be the input nor a folder (``-``: standard
        output).

        Returns
        -------
        int
            Number of sequences predicted.
        """
        precision = self._checked_precision(precision)
        if isinstance(out, (str, Path)):
            out = check_output_file(out, [path], option="out", example="predictions.tsv")
        if out is None:
            out = sys.stdout
        if not isinstance(out, Path):
            return self._write_predictions(path, out, batch_size, precision)
        with atomic_path(out) as tmp, open(tmp, "w") as handle:
            return self._write_predictions(path, handle, batch_size, precision)

    def _write_predictions(
        self, path: str | Path, handle: TextIO, batch_size: int, precision: str
    ) -> int:
        if self.task == "segment":
            return self._write_intervals(path, handle, batch_size, precision)
        n = 0
        for ids, predictions in self.iter_predict_fasta(path, batch_size, precision):
            frame = self.prediction_table(ids, predictions)
            frame.to_csv(handle, sep="\t", index=False, header=n == 0, float_format="%.6g")
            n += len(ids)
        return n

    def _write_intervals(
        self, path: str | Path, handle: TextIO, batch_size: int, precision: str
    ) -> int:
        """Called intervals ``id, start, end, label, score`` in each record's coordinates (and,
        with :attr:`per_position` set to a path, every probability in an ``.npz``)."""
        n, kept = 0, []
        for block in iter_fasta_codes(path, self.length, self.align):  # type: ignore[arg-type]
            probs = self.predict_codes(block.codes, batch_size, precision)
            shifts = offsets(block.lengths, self.length, self.align)
            shortest = self.config.get("segment", {}).get("min_length")
            table = interval_table(block.ids, probs, self.target_names, shifts, block.lengths,
                                   min_length=shortest)  # fmt: skip
            table.to_csv(handle, sep="\t", index=False, header=n == 0, float_format="%.4g")
            if self.per_position is not None:
                kept.append((block.ids, probs))
            n += len(block.ids)
        if self.per_position is not None:
            ids = [i for part, _ in kept for i in part]
            probs = np.concatenate([p for _, p in kept]) if kept else np.zeros((0, 0, 0))
            write_npz(self.per_position, {"ids": np.array(ids), "probabilities": probs,
                                          "target_names": np.array(self.target_names)})  # fmt: skip
        return n
