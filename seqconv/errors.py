"""Errors that seqconv raises for bad input: the CLI turns them into a message and exit code 2."""


class SeqconvError(Exception):
    """Bad input or a bad request: the message says what was wrong and what to do."""


class InputError(SeqconvError, ValueError):
    """A file or argument that cannot be used as given (names the file, record or line)."""


class TrainingDiverged(SeqconvError, FloatingPointError):
    """Training met a non-finite loss (a learning rate too large, or extreme input values): the
    message says which and what to try."""


class RunStopped(SeqconvError):
    """Training stopped on request (SIGTERM, Ctrl-C) after writing a checkpoint: not an error of
    the input; the message says how to continue and ``exit_code`` is what the process returns."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code
