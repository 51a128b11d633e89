"""The model zoo: every model maps ``(N, C, L)`` float input to logits and is built by name.

>>> from seqconv import models
>>> model = models.build("tcn", channels=[8, 8], kernel_size=3)
>>> model.build_config
{'name': 'tcn', 'kwargs': {'channels': [8, 8], 'kernel_size': 3}}
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
