"""The model zoo: every model maps ``(N, C, L)`` float input to logits and is built by name.

>>> from seqconv import models
>>> model = models.build("tcn", channels=[8, 8], kernel_size=3)
>>> kwargs = model.build_config["kwargs"]  # every argument: rebuilds it in any later version
>>> kwargs["channels"], kwargs["kernel_size"], kwargs["dropout"]
([8, 8], 3, 0.0)
"""

# Importing the model modules registers them.
from seqconv.models import (  # noqa: F401
    basset,
    deepbind,
    dilated,
    inception,
    minirocket,
    motifnet,
    resnet,
    tcn,
    tdnn,
    wavenet,
)
from seqconv.models.registry import build, defaults, get, names, register

__all__ = ["build", "defaults", "get", "names", "register"]
