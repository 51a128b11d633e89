"""Several processes (``torchrun``): DistributedDataParallel with one shard of the data per rank.

Under ``torchrun`` the environment carries ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK``; outside it
:class:`Distributed` describes a single process and every method is a no-op.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as tdist
from torch import nn

from seqconv.core.device import resolve_device


@dataclass
class Distributed:
    """The process group this process belongs to (a group of one outside ``torchrun``)."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @classmethod
    def from_environment(cls, device: str = "auto") -> Distributed:
        """Join the process group ``torchrun`` set up (NCCL on GPUs, gloo on CPUs)."""
        world = int(os.environ.get("WORLD_SIZE", "1"))
        if world <= 1:
            return cls()
        rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = torch.cuda.is_available() and device != "cpu"
        if not tdist.is_initialized():
            tdist.init_process_group("nccl" if use_cuda else "gloo")
        if use_cuda:
            torch.cuda.set_device(local)
        return cls(rank, world, local)

    @property
    def enabled(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Whether this process writes files and talks to the user."""
        return self.rank == 0

    def device(self, requested: str) -> torch.device:
        """This rank's device: its own GPU under DDP, else the requested one."""
        if self.enabled and torch.cuda.is_available() and requested != "cpu":
            return torch.device("cuda", self.local_rank)
        return resolve_device(requested)

    def wrap(self, model: nn.Module) -> nn.Module:
        """The model wrapped for gradient averaging across ranks (itself when alone)."""
        if not self.enabled:
            return model
        device = next(model.parameters()).device
        ids = [device.index] if device.type == "cuda" else None
        return nn.parallel.DistributedDataParallel(model, device_ids=ids)

    def gather_predictions(
        self, predict: Callable[[np.ndarray], torch.Tensor], index: np.ndarray
    ) -> tuple[torch.Tensor, np.ndarray]:
        """Predict ``index`` split across ranks; every rank gets all outputs, in ``index`` order."""
        if not self.enabled:
            return predict(index), np.asarray(index)
        part = np.asarray(index)[self.rank :: self.world_size]
        gathered: list = [None] * self.world_size
        tdist.all_gather_object(gathered, (part, predict(part).numpy()))
        parts = np.concatenate([g[0] for g in gathered])
        outputs = np.concatenate([g[1] for g in gathered if len(g[0])])
        return torch.from_numpy(outputs), parts

    def barrier(self) -> None:
        if self.enabled:
            tdist.barrier()

    def broadcast(self, obj):
        """Rank 0's value of ``obj`` on every rank."""
        if not self.enabled:
            return obj
        box = [obj]
        tdist.broadcast_object_list(box, src=0)
        return box[0]

    def close(self) -> None:
        if self.enabled and tdist.is_initialized():
            tdist.destroy_process_group()
