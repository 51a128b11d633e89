"""Arrays that grow block by block, in memory or straight into a file (then memory-mapped), so that
reading a file of any size holds one block at a time.

>>> spool = Spool(np.uint8, (3,))
>>> spool.append(np.zeros((2, 3), np.uint8)); spool.append(np.ones((1, 3), np.uint8))
>>> spool.finish().tolist()
[[0, 0, 0], [0, 0, 0], [1, 1, 1]]
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from seqconv.dna.strings import Strings


class Spool:
    """Rows of one dtype and shape appended in blocks; :meth:`finish` gives the whole array.

    Parameters
    ----------
    dtype, row
        Element type and the shape of one row (``()`` for a vector).
    path
        A file to write the rows to (raw bytes; a ``.json`` beside it records dtype and shape);
        ``None`` keeps them in memory.
    """

    def __init__(self, dtype: np.dtype | type, row: tuple[int, ...] = (), path: Path | None = None):
        self.dtype, self.row, self.path = np.dtype(dtype), tuple(row), path
        self.rows = 0
        self.parts: list[np.ndarray] = []
        self.handle = open(path, "wb") if path is not None else None  # noqa: SIM115

    @classmethod
    def extending(cls, array: np.ndarray) -> Spool:
        """A spool that appends to the file of ``array`` (a memory map from :class:`Spool` or
        :func:`save_array`); :meth:`finish` maps the longer file."""
        path = Path(array.filename)  # type: ignore[attr-defined]
        spool = cls(array.dtype, array.shape[1:])
        spool.path, spool.rows = path, len(array)
        spool.handle = open(path, "ab")  # noqa: SIM115
        return spool

    def append(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype).reshape((-1, *self.row))
        self.rows += len(block)
        if self.handle is not None:
            self.handle.write(block.tobytes())
        else:
            self.parts.append(block)

    def finish(self) -> np.ndarray:
        """``(rows, *row)``: an array, or a copy-on-write memory map of the file."""
        if self.handle is None:
            if not self.parts:
                return np.zeros((0, *self.row), dtype=self.dtype)
            return np.concatenate(self.parts)
        self.handle.close()
        self.handle = None
        shape = (self.rows, *self.row)
        describe(self.path, self.dtype, shape)
        return open_array(self.path)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def describe(path: Path, dtype: np.dtype, shape: tuple[int, ...]) -> None:
    Path(f"{path}.json").write_text(json.dumps({"dtype": dtype.str, "shape": list(shape)}))


def save_array(path: Path, array: np.ndarray) -> np.ndarray:
    """Write ``array`` as raw bytes plus its description; return it memory-mapped."""
    array = np.ascontiguousarray(array)
    with open(path, "wb") as handle:
        handle.write(array.tobytes())
    describe(path, array.dtype, array.shape)
    return open_array(path)


def open_array(path: Path) -> np.ndarray:
    """An array written by :class:`Spool` or :func:`save_array`, memory-mapped copy-on-write
    (writes stay in memory, never reach the file)."""
    spec = json.loads(Path(f"{path}.json").read_text())
    shape = tuple(spec["shape"])
    if 0 in shape:
        return np.zeros(shape, dtype=np.dtype(spec["dtype"]))
    return np.memmap(path, dtype=np.dtype(spec["dtype"]), mode="c", shape=shape)


class StringSpool:
    """Strings appended in blocks (see :class:`~seqconv.dna.strings.Strings`)."""

    def __init__(self, folder: Path | None = None, name: str = "strings", keys: bool = False):
        self.folder, self.name = folder, name
        self.data = Spool(np.uint8, (), folder / f"{name}.bytes" if folder else None)
        self.sizes = Spool(np.int64, (), folder / f"{name}.sizes" if folder else None)
        # each string's hash, taken while it is a str anyway: finds repeats without decoding
        self.keys = (
            Spool(np.int64, (), folder / f"{name}.keys" if folder else None) if keys else None
        )

    def extend(self, strings: Strings, suffix: str = "") -> None:
        """Append ``strings`` (each with ``suffix``), a chunk at a time."""
        for chunk in strings.chunks():
            self.append([s + suffix for s in chunk] if suffix else chunk)

    def append(self, items: list[str]) -> None:
        joined = "".join(items).encode()
        if len(joined) == sum(map(len, items)):  # ASCII (ids nearly always): a byte a character
            sizes = np.fromiter(map(len, items), np.int64, len(items))
        else:
            encoded = [item.encode() for item in items]
            sizes = np.fromiter(map(len, encoded), np.int64, len(encoded))
        self.data.append(np.frombuffer(joined, dtype=np.uint8))
        self.sizes.append(sizes)
        if self.keys is not None:
            self.keys.append(np.fromiter(map(hash, items), np.int64, len(items)))

    def finish(self) -> Strings:
        data, sizes = self.data.finish(), self.sizes.finish()
        keys = self.keys.finish().view(np.uint64) if self.keys is not None else None
        if self.folder is None:
            offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=offsets[1:])
            return Strings(data, offsets, keys)
        spool = Spool(np.int64, (), self.folder / f"{self.name}.offsets")
        spool.append(np.zeros(1, np.int64))
        running = 0
        for start in range(0, len(sizes), 1 << 20):  # the running sum a block at a time
            part = np.cumsum(sizes[start : start + (1 << 20)]) + running
            spool.append(part)
            running = int(part[-1])
        return Strings(data, spool.finish(), keys)

    def close(self) -> None:
        for spool in (self.data, self.sizes, self.keys):
            if spool is not None:
                spool.close()
