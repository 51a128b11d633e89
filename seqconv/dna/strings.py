"""Many short strings (record ids, descriptions) in two arrays instead of one Python object each.

A Python ``str`` of a 10-character id costs about 60 bytes plus an 8-byte list slot; millions of
ids cost more memory than the sequences they name. :class:`Strings` keeps their UTF-8 bytes back
to back with an offset per string (about 10 + 8 bytes each), in memory or in files of an on-disk
store, and reads like a sequence of ``str``.

>>> ids = Strings.from_list(["r1", "r2", "chr1:5-9"])
>>> len(ids), ids[2], list(ids[:2]), ids.index("r2")
(3, 'chr1:5-9', ['r1', 'r2'], 1)
>>> list(Strings.concat([ids[:1], ids[2:]]))
['r1', 'chr1:5-9']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

CHUNK = 65_536
"""Strings decoded at a time when iterating (bounded memory)."""


class Strings(Sequence[str]):
    """A read-only sequence of strings stored as ``data`` (uint8 UTF-8 bytes) and ``offsets``.

    Attributes
    ----------
    data
        ``(total,)`` uint8: every string's bytes back to back.
    offsets
        ``(N + 1,)`` int64: string ``i`` is ``data[offsets[i]:offsets[i + 1]]``.
    """

    def __init__(
        self, data: np.ndarray, offsets: np.ndarray, keys: np.ndarray | None = None
    ) -> None:
        self.data = data
        self.offsets = offsets
        self.keys = keys  # each string's hash, when known already (see hashes())

    @classmethod
    def from_list(cls, items: Iterable[str]) -> Strings:
        encoded = [s.encode() for s in items]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(), offsets)

    @classmethod
    def concat(cls, parts: Sequence[Strings]) -> Strings:
        """The strings of ``parts`` one after the other."""
        if not parts:
            return cls.from_list([])
        data = np.concatenate([np.asarray(p.data[p.offsets[0] : p.offsets[-1]]) for p in parts])
        sizes = np.concatenate([np.diff(p.offsets) for p in parts])
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        return cls(data, offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, (int, np.integer)):
            n = len(self)
            i = int(key) + n if key < 0 else int(key)
            if not 0 <= i < n:
                raise IndexError(key)
            return bytes(self.data[self.offsets[i] : self.offsets[i + 1]]).decode()
        if isinstance(key, slice):
            start, stop, step = key.indices(len(self))
            if step == 1:
                return Strings(self.data, self.offsets[start : max(start, stop) + 1])
            key = np.arange(start, stop, step)
        return self.take(np.asarray(key))

    def take(self, index: np.ndarray) -> Strings:
        """The strings at ``index`` (integer positions, or a boolean mask), copied."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        starts, ends = self.offsets[index], self.offsets[index + 1]
        sizes = ends - starts
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        # every byte's source position: its string's start plus its place in the string
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], sizes)
        source = np.repeat(starts, sizes) + within
        return Strings(np.asarray(self.data)[source] if len(source) else np.zeros(0, np.uint8),
                       offsets)  # fmt: skip

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), CHUNK):
            yield from self._decode(start, min(start + CHUNK, len(self)))

    def _decode(self, start: int, stop: int) -> list[str]:
        low, high = int(self.offsets[start]), int(self.offsets[stop])
        text = bytes(self.data[low:high])
        bounds = (np.asarray(self.offsets[start : stop + 1]) - low).tolist()
        return [text[a:b].decode() for a, b in zip(bounds, bounds[1:], strict=False)]

    def chunks(self, size: int = CHUNK) -> Iterator[list[str]]:
        """The strings as lists of at most ``size`` (to write or scan with bounded memory)."""
        for start in range(0, len(self), size):
            yield self._decode(start, min(start + size, len(self)))

    def index(self, value: str, start: int = 0, stop: int | None = None) -> int:  # type: ignore[override]
        stop = len(self) if stop is None else stop
        for first in range(start, stop, CHUNK):
            part = self._decode(first, min(first + CHUNK, stop))
            if value in part:
                return first + part.index(value)
        raise ValueError(f"{value!r} is not in the strings")

    def hashes(self) -> np.ndarray:
        """``(N,)`` uint64 hash of each string (equal strings, equal hashes; for finding
        repeats without a set of every string)."""
        if self.keys is not None and len(self.keys) == len(self):
            return np.asarray(self.keys)
        out = np.empty(len(self), dtype=np.uint64)
        for start in range(0, len(self), CHUNK):
            part = self._decode(start, min(start + CHUNK, len(self)))
            out[start : start + len(part)] = np.fromiter(
                (hash(s) for s in part), dtype=np.int64, count=len(part)
            ).view(np.uint64)
        return out

    def tolist(self) -> list[str]:
        return list(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Strings, list, tuple)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # compared like a list, so not hashable

    def __repr__(self) -> str:
        shown = list(self[:3])
        return f"Strings({shown}{' ...' if len(self) > 3 else ''}, n={len(self)})"


def repeats(strings: Strings) -> np.ndarray:
    """Positions of strings that occur more than once (all their occurrences), found by hash and
    confirmed by value; ``(M,)`` int64 ascending."""
    keys = strings.hashes()
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    candidates = np.unique(np.r_[order[1:][same], order[:-1][same]])
    values = strings.take(candidates).tolist()
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return candidates[[counts[v] > 1 for v in values]]


def first_repeat(strings: Strings) -> int | None:
    """The position of the first string that occurred earlier, or ``None``."""
    seen: set[str] = set()
    candidates = repeats(strings)
    for position, value in zip(candidates.tolist(), strings.take(candidates), strict=True):
        if value in seen:
            return position
        seen.add(value)
    return None


class Gathered(Sequence[str]):
    """``strings[index[i]]`` for each ``i``, without copying a string: e.g. the id that places
    each record in a split, a shuffled negative naming its source.

    >>> ids = Strings.from_list(["a", "b"])
    >>> list(Gathered(ids, np.array([0, 1, 0, 1])))
    ['a', 'b', 'a', 'b']
    """

    def __init__(self, strings: Sequence[str], index: np.ndarray) -> None:
        self.strings, self.index = strings, np.asarray(index)

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, (int, np.integer)):
            return self.strings[int(self.index[key])]
        return Gathered(self.strings, self.index[key])

    def __iter__(self) -> Iterator[str]:
        for start in range(0, len(self), CHUNK):
            part = self.index[start : start + CHUNK]
            if isinstance(self.strings, Strings):
                yield from self.strings.take(part)
            else:
                yield from (self.strings[i] for i in part)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Sequence, np.ndarray)) and not isinstance(other, str):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
