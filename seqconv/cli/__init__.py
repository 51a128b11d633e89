"""The `seqconv` command line: a thin layer that parses options and calls the library.

Each sub-command lives in a module of its own and registers itself on `app`.
"""

# Importing a command module registers its command.
from seqconv.cli import (  # noqa: F401
    attribute_cmd,
    evaluate_cmd,
    marginalize_cmd,
    models_cmd,
    motifs_cmd,
    predict_cmd,
    receptive_field_cmd,
    scan_cmd,
    simulate_cmd,
    train_cmd,
    variants_cmd,
)
from seqconv.cli.app import app

__all__ = ["app"]
