"""A run trained on DNA: sequences encoded as in training (padded or trimmed to its length),
predicted on both strands where it was trained so, files streamed with constant memory.

>>> run = seqconv.load("runs/peaks-motifnet")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
>>> run.predict_file("new.fa", "preds.tsv")               # doctest: +SKIP
2000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqconv.core.predict import predict
from seqconv.core.segments import interval_table
from seqconv.core.stores import CodesTensor
from seqconv.dna.encode import encode_dna
from seqconv.dna.fasta import fasta_lengths, iter_fasta_codes
from seqconv.dna.intervals import offsets
from seqconv.runs.run import BATCH_SIZE, Run


class DnaRun(Run):
    """A run of ``seqconv train --fasta`` or ``--bed`` (``config["input"]["kind"] == "dna"``)."""

    @property
    def length(self) -> int:
        """Input length the model was trained on (sequences are padded or trimmed to it)."""
        return int(self.config["input"]["length"])

    @property
    def align(self) -> str:
        return self.config["input"].get("align", "center")

    @property
    def rc_average(self) -> bool:
        """Whether predictions average both strands (runs trained with reverse complements)."""
        return bool(self.config.get("train", {}).get("reverse_complement", True))

    def encode(self, seqs: Sequence[str]) -> np.ndarray:
        """Sequences to the ``(N, L)`` codes this run expects (padded/trimmed to its length)."""
        return encode_dna(seqs, length=self.length, align=self.align)  # type: ignore[arg-type]

    def predict_codes(
        self,
        codes: np.ndarray,
        batch_size: int = BATCH_SIZE,
        precision: str | None = None,
        progress: str | None = None,
    ) -> np.ndarray:
        """Predictions for ``(N, L)`` uint8 codes (:meth:`encode`); ``progress``: a description
        for a progress bar with an ETA (on a terminal).

        Returns
        -------
        np.ndarray
            ``(N, n_outputs)`` float32: class probabilities, target probabilities (multi-label) or
            values (regression), averaged over both strands when the run was trained that way;
            ``(N, K, L)`` per-position probabilities for segment runs.
        """
        batch_size, precision = self.checked(batch_size, precision)
        if codes.shape[0] == 0:
            return np.zeros((0, len(self.target_names)), dtype=np.float32)
        inputs = CodesTensor(codes, self.device)
        outputs = predict(self.model, inputs, batch_size=batch_size, rc_average=self.rc_average,
                          precision=precision, progress=progress)  # fmt: skip
        return self.values(outputs)

    def predict(
        self, inputs: Sequence[str] | str, batch_size: int = BATCH_SIZE,
        precision: str | None = None,
    ) -> np.ndarray:  # fmt: skip
        """Predictions for sequences (strings of any length: padded or trimmed as in training);
        see :meth:`predict_codes`."""
        if isinstance(inputs, str):
            inputs = [inputs]
        return self.predict_codes(self.encode(inputs), batch_size, precision)

    def count_records(self, path: str | Path) -> int | None:
        """The records of a plain file (a quick pass over it; a pipe cannot be read twice)."""
        if not Path(path).is_file():
            return None
        return len(fasta_lengths(path))

    def prediction_blocks(
        self, path: str | Path, batch_size: int, precision: str
    ) -> Iterator[tuple[list[str], np.ndarray, pd.DataFrame]]:
        """Blocks of a FASTA/FASTQ file of any size: predictions and their table rows (called
        intervals in each record's coordinates for segment runs)."""
        shortest = self.config.get("segment", {}).get("min_length")
        for block in iter_fasta_codes(path, self.length, self.align):  # type: ignore[arg-type]
            predictions = self.predict_codes(block.codes, batch_size, precision)
            if self.task == "segment":
                shifts = offsets(block.lengths, self.length, self.align)
                table = interval_table(block.ids, predictions, self.target_names, shifts,
                                       block.lengths, min_length=shortest)  # fmt: skip
            else:
                table = self.prediction_table(block.ids, predictions)
            yield block.ids, predictions, table
