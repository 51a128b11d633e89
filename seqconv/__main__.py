"""`python -m seqconv ...` (and `torchrun -m seqconv ...`) run the command line."""

from seqconv.cli import app

if __name__ == "__main__":
    app()
