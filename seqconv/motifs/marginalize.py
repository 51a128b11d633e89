"""In-silico experiments on any DNA run (tangermeme's ``marginalize`` and ``space``, bpnet-lite's
``marginalize``): insert motifs into background sequences and measure what each output does.

Backgrounds are sequences without the motif's context: dinucleotide-shuffled copies of real
sequences (a FASTA, or BED regions on a genome), or genomic windows matched to the GC content of
peaks (``genome``); every one is ``run.length`` bp, seeded. A motif is inserted as its consensus
(a JASPAR id or name), or as a sequence given as such, at the centre of the window.

The effect on each output is measured in the units users compare effects in: log-odds for
classes and labels (as ``seqconv variants``), the value for regression, and for profile runs the
log2 fold change of each track's predicted total, ``log2((1 + with) / (1 + without))``, and the
average change of the predicted profile (the footprint). For a pair of motifs, ``B`` goes
downstream of ``A`` at each spacing (bases between ``A``'s end and ``B``'s start) in each
orientation of both; the cooperativity is the joint effect minus the sum of the two alone (0:
independent).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from seqconv.dna.encode import COMPLEMENT_CODE, encode_dna
from seqconv.errors import InputError

ORIENTATIONS = ("++", "+-", "-+", "--")
"""Strands of ``A`` and ``B`` in a pair (``+``: the motif as given)."""
_CONSENSUS = re.compile(r"[ACGTacgt]+")
EPSILON = 1e-6


@dataclass
class Inserted:
    """A motif to insert: its name and ``(W,)`` uint8 codes on its own strand."""

    name: str
    codes: np.ndarray

    @property
    def width(self) -> int:
        return len(self.codes)

    def strand(self, sign: str) -> np.ndarray:
        """Its codes on ``+`` or ``-`` (reverse complement)."""
        return self.codes if sign == "+" else COMPLEMENT_CODE[self.codes[::-1]]


def motif_to_insert(spec: str, release: str = "JASPAR2024", database=None,
                    notes: list[str] | None = None) -> Inserted:  # fmt: skip
    """A sequence given as is (only A/C/G/T letters), else the consensus of a JASPAR id or name
    (or of ``database``'s motif)."""
    if _CONSENSUS.fullmatch(spec.strip()):
        seq = spec.strip().upper()
        return Inserted(seq, encode_dna([seq])[0])
    from seqconv.motifs.database import resolve_motif

    motif = resolve_motif(spec, release, database, notes)
    name = f"{motif.name} ({motif.id})" if motif.name else motif.id
    return Inserted(name, encode_dna([motif.consensus])[0])


def insert(codes: np.ndarray, motif: np.ndarray, start: int) -> np.ndarray:
    """A copy of ``(N, L)`` codes with ``motif`` written from ``start`` in every row."""
    out = codes.copy()
    out[:, start : start + len(motif)] = motif
    return out


def centre_start(length: int, width: int) -> int:
    """Where a motif of ``width`` bases starts when centred in ``length``."""
    return length // 2 - width // 2


@dataclass
class Scores:
    """What a run says about a batch of sequences, in effect units.

    Attributes
    ----------
    values
        ``(N, K)`` scores whose differences are effects.
    names
        ``K`` output names.
    profiles
        ``(N, T, W)`` expected counts of a profile run, else ``None``.
    """

    values: np.ndarray
    names: list[str]
    profiles: np.ndarray | None = None


def effect_unit(task: str) -> str:
    """What an effect is, per task."""
    if task == "profile":
        return "log2 fold change of the predicted total count"
    if task == "regression":
        return "change of the predicted value"
    return "change of the log-odds"


def run_scores(run, codes: np.ndarray, batch_size: int = 256) -> Scores:
    """:class:`Scores` of ``(N, L)`` codes: log-odds of reported classes or labels, values for
    regression, ``log2(1 + total)`` per track and of all tracks for profile runs."""
    from seqconv.core.tasks import reported_targets

    if run.task == "segment":
        raise InputError(f"{run.path} is a segment run: in-silico experiments score one value "
                         "per sequence or profiles; segment runs have neither")  # fmt: skip
    if run.task == "profile":
        profiles = run.predict_codes(codes, batch_size)
        totals = profiles.sum(axis=-1).astype(np.float64)
        values = np.log2(1 + np.concatenate([totals, totals.sum(1, keepdims=True)], axis=1))
        return Scores(values, [*run.target_names, "total"], profiles)
    predictions = run.predict_codes(codes, batch_size).astype(np.float64)
    names = reported_targets(run.task, run.target_names)
    columns = [run.target_names.index(n) for n in names]
    values = predictions[:, columns]
    if run.task != "regression":
        p = np.clip(values, EPSILON, 1 - EPSILON)
        values = np.log(p) - np.log1p(-p)
    return Scores(values, names)


@dataclass
class MotifEffect:
    """The effect of one motif inserted at the centre of every background.

    Attributes
    ----------
    effects
        ``(N, K)`` per background and output.
    names
        Output names.
    footprint
        ``(T, W)`` mean change of a profile run's expected counts (``None`` otherwise).
    span
        The motif's bases relative to the window's centre, ``(first, last + 1)``.
    """

    motif: str
    effects: np.ndarray
    names: list[str]
    footprint: np.ndarray | None = None
    span: tuple[int, int] = (0, 0)

    def summary(self) -> list[dict]:
        """One row per output: mean effect, its spread and 95 % interval, share raised."""
        rows = []
        n = len(self.effects)
        for k, name in enumerate(self.names):
            e = self.effects[:, k]
            sd = float(e.std(ddof=1)) if n > 1 else float("nan")
            half = 1.96 * sd / np.sqrt(n) if n > 1 else float("nan")
            rows.append({"motif": self.motif, "output": name, "mean": float(e.mean()), "sd": sd,
                         "low": float(e.mean() - half), "high": float(e.mean() + half),
                         "raised": float((e > 0).mean()), "n": n})  # fmt: skip
        return rows


def marginalize(run, backgrounds: np.ndarray, motif: Inserted, batch_size: int = 256,
                base: Scores | None = None) -> MotifEffect:  # fmt: skip
    """Insert ``motif`` at the centre of each ``(N, L)`` background and score the change."""
    length = backgrounds.shape[1]
    if motif.width > length:
        raise InputError(f"motif {motif.name} ({motif.width} bp) is longer than the run's "
                         f"{length} bp input")  # fmt: skip
    base = base or run_scores(run, backgrounds, batch_size)
    start = centre_start(length, motif.width)
    with_motif = run_scores(run, insert(backgrounds, motif.codes, start), batch_size)
    footprint = None
    span = (start - length // 2, start - length // 2 + motif.width)
    if base.profiles is not None and with_motif.profiles is not None:
        footprint = (with_motif.profiles - base.profiles).mean(axis=0)
    return MotifEffect(motif.name, with_motif.values - base.values, base.names, footprint, span)


def parse_spacing(text: str) -> range:
    """``START:STOP[:STEP]`` (inclusive of ``STOP``) as a range of spacings in bp."""
    parts = text.split(":")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if (
        len(numbers) not in (2, 3)
        or numbers[0] < 0
        or numbers[1] < numbers[0]
        or (len(numbers) == 3 and numbers[2] < 1)
    ):
        raise InputError(f"--spacing {text!r}: give START:STOP or START:STOP:STEP in bp, "
                         "0 <= START <= STOP, e.g. 5:150 or 0:200:5")  # fmt: skip
    step = numbers[2] if len(numbers) == 3 else 1
    return range(numbers[0], numbers[1] + 1, step)


@dataclass
class PairEffects:
    """Effects of ``A`` at the centre and ``B`` downstream, per spacing and orientation.

    Attributes
    ----------
    rows
        One dict per spacing, orientation and output: ``joint``, ``a_alone``, ``b_alone``
        (mean effects), ``cooperativity`` (joint minus both alone) and ``sd`` of the joint
        effect.
    left_out
        Spacings asked for that do not fit in the input window.
    """

    a: str
    b: str
    rows: list[dict] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)


def pair_effects(run, backgrounds: np.ndarray, a: Inserted, b: Inserted, spacings: Sequence[int],
                 batch_size: int = 256, progress: bool = False) -> PairEffects:  # fmt: skip
    """Cooperativity of two motifs as a function of spacing and orientation (see the module
    docstring); spacings that do not fit in the window are left out (all: refused)."""
    from seqconv.progress import track

    length = backgrounds.shape[1]
    start_a = centre_start(length, a.width)
    fits = [s for s in spacings if start_a + a.width + s + b.width <= length]
    if not fits:
        raise InputError(f"no spacing of {b.name} after {a.name} fits in the run's {length} bp "
                         f"input (at most {length - start_a - a.width - b.width} bp)")  # fmt: skip
    base = run_scores(run, backgrounds, batch_size)
    fitting = set(fits)
    out = PairEffects(a.name, b.name, left_out=[s for s in spacings if s not in fitting])
    a_alone = {sa: run_scores(run, insert(backgrounds, a.strand(sa), start_a), batch_size).values
               - base.values for sa in "+-"}  # fmt: skip
    for s in track(fits, len(fits), "spacings", progress):
        start_b = start_a + a.width + s
        b_alone = {sb: run_scores(run, insert(backgrounds, b.strand(sb), start_b),
                                  batch_size).values - base.values for sb in "+-"}  # fmt: skip
        for orient in ORIENTATIONS:
            both = insert(insert(backgrounds, a.strand(orient[0]), start_a), b.strand(orient[1]),
                          start_b)  # fmt: skip
            joint = run_scores(run, both, batch_size).values - base.values
            for k, name in enumerate(base.names):
                ea, eb = a_alone[orient[0]][:, k], b_alone[orient[1]][:, k]
                out.rows.append({
                    "spacing": s, "orientation": orient, "output": name,
                    "joint": float(joint[:, k].mean()), "a_alone": float(ea.mean()),
                    "b_alone": float(eb.mean()),
                    "cooperativity": float((joint[:, k] - ea - eb).mean()),
                    "sd": float(joint[:, k].std(ddof=1)) if len(joint) > 1 else float("nan"),
                })  # fmt: skip
    return out
