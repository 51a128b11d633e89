"""Errors that seqconv raises for bad input: the CLI turns them into a message and exit code 2."""


class SeqconvError(Exception):
    """Bad input or a bad request: the message says what was wrong and what to do."""


class InputError(SeqconvError, ValueError):
    """A file or argument that cannot be used as given (names the file, record or line)."""


class TrainingDiverged(SeqconvError, FloatingPointError):
    """Training met a non-finite loss (a learning rate too large, or extreme input values): the
    message says which and what to try."""
