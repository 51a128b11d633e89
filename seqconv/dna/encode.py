"""DNA/RNA sequences as uint8 codes, one-hot by lookup table, reverse complement, pad/trim.

Codes are one byte per base: ``A C G T`` are 0-3, the IUPAC ambiguity codes
``R Y S W K M B D H V N`` are 4-14 and ``PAD`` (15) marks padding (and alignment gaps ``-``/``.``).
Upper and lower case are the same base and ``U`` is read as ``T``. One-hot rows are probabilities
over ``A C G T``: ``R`` is ``(0.5, 0, 0.5, 0)``, ``N`` is ``0.25`` each (or all zero) and padding
is all zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, TypeVar

import numpy as np
import torch

from seqconv.errors import InputError

ALPHABET = "ACGTRYSWKMBDHVN"
"""Letters in code order: code ``i`` is ``ALPHABET[i]``."""
PAD = 15
"""The padding code: all-zero one-hot, complement of itself."""
N_CODES = 16

Align = Literal["center", "left", "right"]
NPolicy = Literal["uniform", "zeros"]
T = TypeVar("T", str, list, tuple, np.ndarray, torch.Tensor)

# Which of A, C, G, T each IUPAC letter stands for.
_IUPAC_BASES = {
    "A": "A", "C": "C", "G": "G", "T": "T",
    "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC",
    "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
}  # fmt: skip
_COMPLEMENT = dict(zip("ACGTRYSWKMBDHVN", "TGCAYRSWMKVHDBN", strict=True))


def _byte_table() -> np.ndarray:
    table = np.full(256, 255, dtype=np.uint8)
    for code, letter in enumerate(ALPHABET):
        table[ord(letter)] = table[ord(letter.lower())] = code
    table[ord("U")] = table[ord("u")] = ALPHABET.index("T")
    table[ord("-")] = table[ord(".")] = PAD
    return table


BYTE_TO_CODE = _byte_table()
"""``(256,)`` uint8: ASCII byte to code; 255 marks a character outside IUPAC."""

COMPLEMENT_CODE = np.array(
    [ALPHABET.index(_COMPLEMENT[letter]) for letter in ALPHABET] + [PAD], dtype=np.uint8
)
"""``(16,)`` uint8: code to the code of its complement."""

_CODE_TO_BYTE = np.frombuffer((ALPHABET + "-").encode(), dtype=np.uint8)
_STR_COMPLEMENT = str.maketrans(
    "ACGTURYSWKMBDHVNacgturyswkmbdhvn", "TGCAAYRSWMKVHDBNtgcaayrswmkvhdbn"
)


def one_hot_table(n_policy: NPolicy = "uniform") -> torch.Tensor:
    """Probability rows for every code.

    Returns
    -------
    torch.Tensor
        ``(16, 4)`` float32; row ``c`` is the A, C, G, T probabilities of code ``c``.
    """
    if n_policy not in ("uniform", "zeros"):
        raise InputError(f"n_policy must be 'uniform' or 'zeros', not {n_policy!r}")
    table = torch.zeros(N_CODES, 4)
    for code, letter in enumerate(ALPHABET):
        if letter == "N" and n_policy == "zeros":
            continue
        bases = _IUPAC_BASES[letter]
        for base in bases:
            table[code, "ACGT".index(base)] = 1.0 / len(bases)
    return table


def _record_name(ids: Sequence[str] | None, index: int) -> str:
    return f"record {ids[index]!r}" if ids is not None else f"sequence #{index + 1}"


def _raise_bad_character(seq: str | bytes, name: str) -> None:
    text = seq.decode("latin-1") if isinstance(seq, bytes) else seq
    for pos, char in enumerate(text):
        if not char.isascii() or BYTE_TO_CODE[ord(char)] == 255:
            raise InputError(
                f"{name}: character {char!r} at position {pos + 1} is not a nucleotide or IUPAC "
                "code (allowed: ACGTU, RYSWKMBDHVN, '-' and '.', either case)"
            )


def codes_from_bytes(seq: bytes, name: str = "sequence") -> np.ndarray:
    """Encode one sequence given as ASCII bytes.

    Returns
    -------
    np.ndarray
        ``(L,)`` uint8 codes.
    """
    codes = BYTE_TO_CODE[np.frombuffer(seq, dtype=np.uint8)]
    if codes.size and codes.max() == 255:
        _raise_bad_character(seq, name)
    return codes


def fit_length(codes: np.ndarray, length: int, align: Align = "center") -> np.ndarray:
    """Pad (with ``PAD``) or trim one sequence's codes to ``length``.

    ``"center"`` keeps the middle of the sequence in the middle of the window (an odd surplus goes
    to the right), ``"left"`` keeps the start, ``"right"`` keeps the end.

    Parameters
    ----------
    codes
        ``(L_in,)`` uint8.

    Returns
    -------
    np.ndarray
        ``(length,)`` uint8.
    """
    n = codes.shape[0]
    if n == length:
        return codes
    out = np.full(length, PAD, dtype=np.uint8)
    if align == "left":
        m = min(n, length)
        out[:m] = codes[:m]
    elif align == "right":
        m = min(n, length)
        out[length - m :] = codes[n - m :]
    elif align == "center":
        if n > length:
            start = (n - length) // 2
            out[:] = codes[start : start + length]
        else:
            start = (length - n) // 2
            out[start : start + n] = codes
    else:
        raise InputError(f"align must be 'center', 'left' or 'right', not {align!r}")
    return out


def pack_codes(
    flat: np.ndarray, offsets: np.ndarray, length: int, align: Align = "center"
) -> np.ndarray:
    """Pad or trim concatenated sequences into one ``(N, length)`` array.

    Parameters
    ----------
    flat
        ``(total,)`` uint8 codes of all sequences, back to back.
    offsets
        ``(N + 1,)`` start of each sequence in ``flat`` and the end of the last.

    Returns
    -------
    np.ndarray
        ``(N, length)`` uint8, padded with ``PAD``.
    """
    lengths = np.diff(offsets)
    n = lengths.shape[0]
    if n and (lengths == length).all():
        return flat[offsets[0] : offsets[-1]].reshape(n, length)
    out = np.empty((n, length), dtype=np.uint8)
    for i in range(n):
        out[i] = fit_length(flat[offsets[i] : offsets[i + 1]], length, align)
    return out


def encode_dna(
    seqs: str | Iterable[str] | Iterable[bytes],
    length: int | None = None,
    align: Align = "center",
    ids: Sequence[str] | None = None,
) -> np.ndarray:
    """Encode DNA/RNA sequences as uint8 codes.

    Parameters
    ----------
    seqs
        One sequence or an iterable of sequences (str or ASCII bytes), any case; ``U`` is ``T``.
    length
        Pad (with ``PAD``) or trim every sequence to this length. ``None`` requires equal lengths.
    align
        Which part of a sequence to keep when trimming and where to place it when padding:
        ``"center"`` (default), ``"left"`` or ``"right"``.
    ids
        Record names used in error messages (defaults to the position in ``seqs``).

    Returns
    -------
    np.ndarray
        ``(N, L)`` uint8 codes (``(1, L)`` for a single string).

    Examples
    --------
    >>> encode_dna(["ACGTN", "acgu"], length=5, align="left").tolist()
    [[0, 1, 2, 3, 14], [0, 1, 2, 3, 15]]
    """
    if isinstance(seqs, str | bytes):
        seqs = [seqs]
    raw = [
        s.encode("latin-1") if isinstance(s, str) else bytes(s) for s in _checked_ascii(seqs, ids)
    ]
    if align not in ("center", "left", "right"):
        raise InputError(f"align must be 'center', 'left' or 'right', not {align!r}")
    lengths = {len(s) for s in raw}
    if not raw:
        return np.zeros((0, length or 0), dtype=np.uint8)
    if length is None and len(lengths) > 1:
        raise InputError(
            f"sequences have different lengths ({min(lengths)} to {max(lengths)} bp): "
            "give a length to pad or trim them to (--length)"
        )
    if length is not None and length < 1:
        raise InputError(f"length must be a positive number of bases, not {length}")
    if lengths == {length} or length is None:
        # Fast path: one lookup over the concatenation.
        width = len(raw[0])
        codes = BYTE_TO_CODE[np.frombuffer(b"".join(raw), dtype=np.uint8)].reshape(len(raw), width)
        if codes.size and codes.max() == 255:
            bad = int(np.flatnonzero((codes == 255).any(axis=1))[0])
            _raise_bad_character(raw[bad], _record_name(ids, bad))
        return codes
    out = np.empty((len(raw), length), dtype=np.uint8)
    for i, s in enumerate(raw):
        out[i] = fit_length(codes_from_bytes(s, _record_name(ids, i)), length, align)
    return out


def _checked_ascii(seqs: Iterable[str | bytes], ids: Sequence[str] | None) -> Iterable[str | bytes]:
    for i, s in enumerate(seqs):
        if isinstance(s, str) and not s.isascii():
            _raise_bad_character(s, _record_name(ids, i))
        yield s


def decode_dna(codes: np.ndarray | torch.Tensor) -> list[str]:
    """Turn ``(N, L)`` codes back into strings (padding becomes ``-``)."""
    arr = np.asarray(codes.cpu() if isinstance(codes, torch.Tensor) else codes, dtype=np.uint8)
    arr = np.atleast_2d(arr)
    letters = _CODE_TO_BYTE[arr]
    return [row.tobytes().decode() for row in letters]


# Elements per one-hot chunk on the CPU: the (rows, L, 4) intermediate stays in cache.
_CPU_CHUNK_ELEMENTS = 1 << 16


def one_hot(
    x: str | Sequence[str] | np.ndarray | torch.Tensor,
    n_policy: NPolicy = "uniform",
    out: torch.Tensor | None = None,
) -> torch.Tensor:
    """One-hot encode sequences or codes by table lookup, on the device of the input.

    Parameters
    ----------
    x
        A string (gives ``(4, L)``), a list of equal-length strings, or uint8 codes ``(..., L)``
        as numpy or torch (a torch input stays on its device).
    n_policy
        ``"uniform"``: ``N`` is 0.25 for each base; ``"zeros"``: ``N`` is all zero.
    out
        Optional float32 tensor of the result's shape to write into (saves allocating, and on the
        CPU the page faults of fresh memory, when encoding many batches).

    Returns
    -------
    torch.Tensor
        ``(..., 4, L)`` float32; ``(N, 4, L)`` for a batch. Channels are A, C, G, T.

    Examples
    --------
    >>> one_hot("ACN")[:, 2].tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    if isinstance(x, str):
        return one_hot(encode_dna(x)[0], n_policy)
    if isinstance(x, list | tuple):
        x = encode_dna(x)
    codes = torch.as_tensor(x)
    if codes.dtype != torch.uint8:
        if codes.dtype.is_floating_point or codes.dtype == torch.bool:
            raise InputError(f"one_hot needs uint8 codes or strings, got a {codes.dtype} tensor")
        if codes.numel() and (codes.min() < 0 or codes.max() >= N_CODES):
            raise InputError(f"codes must lie in 0..{N_CODES - 1}")
        codes = codes.to(torch.uint8)
    table = one_hot_table(n_policy).to(codes.device)
    shape = codes.shape
    flat = codes.reshape(-1, shape[-1]) if codes.dim() else codes.reshape(1, 1)
    result_shape = (*shape[:-1], 4, shape[-1])
    if out is not None and (tuple(out.shape) != result_shape or out.dtype != torch.float32):
        raise InputError(f"out must be a float32 tensor of shape {result_shape}")
    target = out if out is not None else torch.empty(result_shape, device=codes.device)
    flat_out = target.view(flat.shape[0], 4, flat.shape[-1])
    rows = (
        max(1, _CPU_CHUNK_ELEMENTS // max(1, flat.shape[-1]))
        if codes.device.type == "cpu"
        else max(1, flat.shape[0])
    )
    for start in range(0, flat.shape[0], rows):
        chunk = flat[start : start + rows].long()
        flat_out[start : start + rows] = torch.nn.functional.embedding(chunk, table).transpose(1, 2)
    return target


def reverse_complement(x: T) -> T:
    """Reverse complement of sequences in any representation seqconv uses.

    Parameters
    ----------
    x
        A string; a list of strings; uint8 codes ``(L,)`` or ``(N, L)`` (numpy or torch); or a
        one-hot/probability batch ``(4, L)`` or ``(N, 4, L)`` (float, channels A, C, G, T).

    Returns
    -------
    Same type and shape as ``x``. IUPAC codes map to their complements (``R``↔``Y``, ``K``↔``M``,
    ``B``↔``V``, ``D``↔``H``; ``S``, ``W``, ``N`` and padding map to themselves).

    Examples
    --------
    >>> reverse_complement("AACRN")
    'NYGTT'
    """
    if isinstance(x, str):
        return x.translate(_STR_COMPLEMENT)[::-1]
    if isinstance(x, list | tuple):
        return type(x)(reverse_complement(s) for s in x)
    if isinstance(x, np.ndarray):
        if x.dtype == np.uint8:
            return COMPLEMENT_CODE[x[..., ::-1]]
        return np.ascontiguousarray(x[..., ::-1, ::-1])
    if isinstance(x, torch.Tensor):
        if x.dtype == torch.uint8:
            lut = torch.as_tensor(COMPLEMENT_CODE, device=x.device)
            return lut[x.flip(-1).long()]
        # With channels ordered A, C, G, T the complement is the channel order reversed.
        return x.flip((-2, -1))
    raise InputError(f"reverse_complement cannot handle {type(x).__name__}")
