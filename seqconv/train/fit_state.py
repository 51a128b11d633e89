"""What a training run carries from step to step, and its checkpoint: weights, optimizer, schedule,
random generators and the sampler's position, so that a run stopped at any batch continues with
the batch it would have trained next (on CPU, to the same weights as a run never stopped).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file
from torch import nn

from seqconv.atomic import write_with
from seqconv.rundir import CHECKPOINT, HISTORY, WEIGHTS
from seqconv.train.checkpoint import load_checkpoint, save_checkpoint
from seqconv.train.distributed import Distributed
from seqconv.train.sampler import Position


@dataclass
class FitResult:
    """What training produced: the history (a row per validation) and where the best weights
    came from.

    ``best_score`` is the best value of ``monitor``, signed so that higher is better (the negated
    loss when the loss is monitored). ``best_epoch`` counts epochs done when they were validated
    (a fraction when validation falls within an epoch), ``best_step`` optimizer steps.
    ``leave_one_out``: for a closed-form fit with nothing held out, the training rows and their
    ``(n, n_outputs)`` leave-one-out outputs (each row scored by the fit without it).
    """

    history: list[dict] = field(default_factory=list)
    best_epoch: float = 0
    best_score: float = -math.inf
    monitor: str = "val_loss"
    stopped_by: str = ""  # "patience", "time limit", "epochs" (the cap) or "fitted" (closed form)
    leave_one_out: tuple[np.ndarray, torch.Tensor] | None = None
    best_step: int = 0

    @property
    def stopped_early(self) -> bool:
        """Ended before ``--epochs``: by patience or the time limit."""
        return self.stopped_by in ("patience", "time limit")


@dataclass
class FitState:
    """Optimizer, schedule, generators, the best weights so far and where training stands."""

    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.ReduceLROnPlateau
    generators: dict[str, torch.Generator]
    result: FitResult
    best_state: dict | None = None
    wait: int = 0
    position: Position = field(default_factory=Position)
    last_validated_step: int = 0


def start_state(model: nn.Module, settings, device: torch.device, dist: Distributed) -> FitState:
    """A fresh state: AdamW, the plateau schedule, and seeded augmentation generators."""
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=settings.lr, weight_decay=settings.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="max", factor=settings.lr_factor, patience=settings.lr_patience
    )
    generators = {"cpu": torch.Generator().manual_seed(settings.seed)}
    if device.type != "cpu":
        generators[device.type] = torch.Generator(device=device).manual_seed(
            settings.seed + dist.rank
        )
    return FitState(optimizer, scheduler, generators, FitResult())


def restore_state(state: FitState, model: nn.Module, out: Path, batches_per_epoch: int) -> None:
    """Continue from the run's checkpoint (written by this version, or by one that checkpointed
    only at epoch ends: it continues at the next epoch)."""
    global_rng = torch.Generator()
    saved = load_checkpoint(out / CHECKPOINT, model, state.optimizer,
                            {**state.generators, "global": global_rng})  # fmt: skip
    state.scheduler.load_state_dict(saved["scheduler"])
    state.result = FitResult(saved["history"], saved["best_epoch"], saved["best_score"],
                             best_step=saved.get("best_step", 0))  # fmt: skip
    state.wait = saved["wait"]
    if "position" in saved:
        state.position = Position(**saved["position"])
        state.last_validated_step = saved.get("last_validated_step", state.position.step)
        torch.set_rng_state(global_rng.get_state())
    else:  # an epoch-end checkpoint of seqconv 0.2
        epochs = int(saved["epoch"])
        state.position = Position(epochs + 1, 0, epochs * batches_per_epoch)
        state.last_validated_step = state.position.step
    state.best_state = load_file(str(out / WEIGHTS)) if (out / WEIGHTS).exists() else None


def save_state(out: Path, model: nn.Module, state: FitState, settings) -> None:
    """The history and the checkpoint to resume from (at :attr:`FitState.position`), each
    rewritten atomically."""
    result = state.result
    write_with(out / HISTORY, lambda tmp: pd.DataFrame(result.history).to_csv(tmp, index=False))
    saved = {
        "epoch": state.position.epoch - 1,  # whole epochs done, as seqconv 0.2 read it
        "position": state.position.as_dict(),
        "last_validated_step": state.last_validated_step,
        "scheduler": state.scheduler.state_dict(),
        "history": result.history,
        "best_epoch": result.best_epoch,
        "best_step": result.best_step,
        "best_score": result.best_score,
        "wait": state.wait,
        "settings": asdict(settings),
    }
    global_rng = torch.Generator()
    global_rng.set_state(torch.get_rng_state())  # dropout draws from the global generator
    save_checkpoint(out / CHECKPOINT, model, state.optimizer, saved,
                    {**state.generators, "global": global_rng})  # fmt: skip
