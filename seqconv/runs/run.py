"""A trained run, loaded from its directory without unpickling anything, and predictions from it.

>>> run = seqconv.load("runs/peaks-basset")            # doctest: +SKIP
>>> run.predict(["ACGT" * 50])                           # doctest: +SKIP
array([[0.03, 0.97]], dtype=float32)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from seqconv.dna.encode import encode_dna
from seqconv.errors import InputError, SeqconvError
from seqconv.atomic import atomic_path
from seqconv.dna.fasta import iter_fasta_codes
from seqconv.runs.stores import CodesTensor
from seqconv.train.checkpoint import load_weights
from seqconv.train.distributed import resolve_device
from seqconv.train.loop import WEIGHTS, predict_outputs
from seqconv.runs.tasks import TargetScaler, is_classification, link

CONFIG = "config.json"


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

    def encode(self, seqs: Sequence[str]) -> np.ndarray:
        """Sequences to the ``(N, L)`` codes this run expects (padded/trimmed to its length)."""
        return encode_dna(seqs, length=self.length, align=self.align)  # type: ignore[arg-type]

    def predict_codes(self, codes: np.ndarray, batch_size: int = 512) -> np.ndarray:
        """Predictions for ``(N, L)`` codes.

        Returns
        -------
        np.ndarray
            ``(N, n_outputs)`` float32: class probabilities, target probabilities (multi-label) or
            values (regression), averaged over both strands when the run was trained that way.
        """
        if codes.shape[0] == 0:
            return np.zeros((0, len(self.target_names)), dtype=np.float32)
        inputs = CodesTensor(codes, self.device)
        outputs = predict_outputs(
            self.model, inputs, np.arange(len(codes)), batch_size, self.rc_average
        )
        values = link(self.task, outputs).numpy()
        return self.scaler.unscale(values) if self.scaler is not None else values

    def predict(self, seqs: Sequence[str] | str, batch_size: int = 512) -> np.ndarray:
        """Predictions for sequences (strings, any length: padded or trimmed like in training).

        Returns
        -------
        np.ndarray
            ``(N, n_outputs)``; see :meth:`predict_codes`.
        """
        if isinstance(seqs, str):
            seqs = [seqs]
        return self.predict_codes(self.encode(seqs), batch_size)

    def iter_predict_fasta(
        self, path: str | Path, batch_size: int = 512
    ) -> Iterator[tuple[list[str], np.ndarray]]:
        """Stream ``(ids, predictions)`` for a FASTA/FASTQ file of any size, block by block."""
        for block in iter_fasta_codes(path, self.length, self.align):  # type: ignore[arg-type]
            yield block.ids, self.predict_codes(block.codes, batch_size)

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

    def predict_fasta(self, path: str | Path, out: str | Path, batch_size: int = 512) -> int:
        """Write predictions for a FASTA/FASTQ file to a TSV, streaming with constant memory.

        Returns
        -------
        int
            Number of sequences predicted.
        """
        n = 0
        with atomic_path(out) as tmp, open(tmp, "w") as handle:
            for ids, predictions in self.iter_predict_fasta(path, batch_size):
                frame = self.prediction_table(ids, predictions)
                frame.to_csv(handle, sep="\t", index=False, header=n == 0, float_format="%.6g")
                n += len(ids)
        return n


def read_config(path: str | Path) -> dict:
    """A run directory's ``config.json``, with a clear error when it is missing or broken."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such run directory")
    config_path = path / CONFIG
    if not config_path.is_file():
        raise InputError(
            f"{path}: not a run directory (no {CONFIG}); give the folder that seqconv train wrote"
        )
    try:
        config = json.loads(config_path.read_text())
    except json.JSONDecodeError as exc:
        raise SeqconvError(f"{config_path}: corrupt ({exc})") from None
    for key in ("model", "task", "target_names", "input"):
        if key not in config:
            raise SeqconvError(f"{config_path}: missing {key!r}; is this a seqconv run?")
    return config


def load(path: str | Path, device: str = "cpu") -> Run:
    """Load a run directory: rebuild the model from ``config.json``, weights from safetensors.

    Parameters
    ----------
    path
        Directory written by ``seqconv train``.
    device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.

    Returns
    -------
    Run
        A :class:`~seqconv.runs.series.SeriesRun` for time-series runs.
    """
    from seqconv.models import build

    path = Path(path)
    config = read_config(path)
    weights = path / WEIGHTS
    if not weights.is_file():
        raise InputError(f"{path}: no {WEIGHTS} (training stopped before its first epoch ended?)")
    model = build(config["model"]["name"], **config["model"]["kwargs"])
    load_weights(model, weights)
    target = resolve_device(device)
    if config["input"].get("kind") == "series":
        from seqconv.runs.series import load_series_run

        return load_series_run(path, config, model.to(target), target)
    return Run(path, config, model.to(target), target)
