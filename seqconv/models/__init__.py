"""The model zoo: every model maps ``(N, C, L)`` float input to logits and is built by name.

Logits are ``(N, K)``, one row per sequence, or ``(N, K, L)``, one column per position, for
dense models (``unet``, ``dilated_seg``, ``per_step=True``): :func:`is_dense` tells them apart.
Profile models (``bpnet``) give ``(N, T, W + 1)``: per track, profile logits over the output
window and ``log(1 + total)`` (:mod:`seqconv.core.profiles`).
The optional attributes seqconv reads from a model (``dense``, ``closed_form``, ``trunk``, ...)
are written down in :mod:`seqconv.models.protocol`, which alone reads them.

>>> from seqconv import models
>>> model = models.build("tcn", channels=[8, 8], kernel_size=3)
>>> kwargs = model.build_config["kwargs"]  # every argument: rebuilds it in any later version
>>> kwargs["channels"], kwargs["kernel_size"], kwargs["dropout"]
([8, 8], 3, 0.0)
"""

# Importing the model modules registers them.
from seqconv.models import (  # noqa: F401
    basset,
    bpnet,
    deepbind,
    dilated,
    dilated_seg,
    hydra,
    inception,
    minirocket,
    motifnet,
    multirocket,
    multirocket_hydra,
    resnet,
    tcn,
    tdnn,
    unet,
    wavenet,
)
from seqconv.models.protocol import SeqconvModel, is_closed_form, is_dense
from seqconv.models.registry import build, builds_dense, defaults, get, names, register

__all__ = [
    "SeqconvModel",
    "build",
    "builds_dense",
    "defaults",
    "get",
    "is_closed_form",
    "is_dense",
    "names",
    "register",
]
