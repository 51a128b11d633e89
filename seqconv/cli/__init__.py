"""The `seqconv` command line: a thin layer that parses options and calls the library.

Each sub-command lives in a module of its own and registers itself on `app`.
"""

from seqconv.cli import receptive_field_cmd  # noqa: F401  (registers the command)
from seqconv.cli.app import app

__all__ = ["app"]
