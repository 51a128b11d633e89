"""Exact receptive field of any 1D convolutional ``nn.Module``, derived by running the model.

>>> from torch import nn
>>> stack = nn.Sequential(
...     nn.Conv1d(4, 8, 5, dilation=2), nn.MaxPool1d(2),
...     nn.Conv1d(8, 8, 3, stride=2), nn.Conv1d(8, 8, 3, dilation=4))
>>> rf = receptive_field(stack)
>>> rf.size, rf.jump, rf.offset
(46, 4, 0)

How it works: the model (its ``trunk`` when it has one) runs once on a random input of one
sequence, and every torch function applied to data derived from the input is intercepted with its
concrete arguments (see :mod:`seqconv.rf.tracer`). Each intermediate tensor carries the exact set
of input positions each of its positions depends on, propagated by one rule per operation:
convolutions, transposed convolutions, max/average/LP pooling (any padding, dilation, ceil mode),
padding modules and ``F.pad``, crops and strided slices, ``cat`` (along channels, or with constant
blocks along the length, which is padding), elementwise arithmetic and activations (residual
adds and gates take the union of their inputs' windows), normalisation, dropout, reshapes and
transposes. Because it runs the code, crops computed from shapes and Python control flow are
followed as they execute; a function without a rule raises :class:`~seqconv.errors.SeqconvError`
naming it (no fallback guesses).

Coordinates: positions are those of the input, without boundaries (a negative position is left
padding). Output position ``i`` depends on input positions within
``[offset + i * jump, offset + i * jump + size - 1]``; the tests check this against a brute-force
perturbation probe. ``offset + size - 1 <= 0`` means no output sees an input after its own
position ``i * jump``: the model is causal.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import torch
from torch import nn
from torch.utils._pytree import tree_leaves

from seqconv.errors import SeqconvError
from seqconv.models.protocol import in_channels_of, trunk_of
from seqconv.rf.footprint import Footprint
from seqconv.rf.tracer import Info, Row, Tracer

__all__ = ["LayerRF", "ReceptiveField", "receptive_field"]

_PROBE_LENGTHS = (1024, 4096, 16384, 65536, 262144)


def _number(x: Fraction) -> int | Fraction:
    return int(x) if x.denominator == 1 else x


@dataclass(frozen=True)
class LayerRF:
    """One layer of the per-layer table and the cumulative receptive field after it.

    ``kernel``, ``stride``, ``dilation``, ``padding`` describe the layer (``stride`` "1/s" for a
    transposed convolution); ``length`` is its output length for the analysed input length;
    ``size``, ``jump``, ``offset`` are the receptive field of its output in input positions.
    """

    name: str
    op: str
    kernel: int | None
    stride: int | str | None
    dilation: int | None
    padding: str
    length: int | None
    size: int
    jump: int | Fraction
    offset: int | Fraction


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field of a model's convolutional trunk.

    Attributes
    ----------
    size
        Input positions spanned by the window of one output position, first to last (dilation
        can leave holes inside; :meth:`positions` lists the exact set).
    jump
        Input positions between the windows of neighbouring outputs (the product of strides);
        a ``Fraction`` below 1 after transposed convolutions.
    offset
        Input position where the window of output 0 starts: output ``i`` sees
        ``[offset + i*jump, offset + i*jump + size - 1]``. Negative: it reaches into the left
        padding. With transposed convolutions or mixed strides windows may differ between
        neighbouring outputs; then ``size`` is the widest and ``offset`` the lowest start, output
        ``i`` sees within ``[offset + i*jump, lookahead + i*jump]``, and :meth:`window` gives each
        output's exact span.
    layers
        Per-layer table (every layer that changes the window), in execution order.
    input_length, output_length
        The length analysed (``None`` when none was given) and the trunk's output length for it.
    warning
        Set when positions also depend on the whole input through an operation that is not a
        convolution (e.g. instance norm, a squeeze-excitation gate); ``size`` then covers the
        convolutional path only.
    """

    size: int
    jump: int | Fraction
    offset: int | Fraction
    layers: tuple[LayerRF, ...]
    input_length: int | None
    output_length: int | None
    warning: str | None = None
    footprint: Footprint = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    @property
    def lookahead(self) -> int | Fraction:
        """How far past ``i * jump`` output ``i`` can see; ``<= 0`` for a causal model."""
        if self.footprint is not None:
            return _number(self.footprint.reach())
        return _number(Fraction(self.offset) + self.size - 1)

    def positions(self, i: int) -> np.ndarray:
        """The exact input positions that output position ``i`` depends on (sorted)."""
        return self.footprint.at(i).copy()

    def window(self, i: int) -> tuple[int, int]:
        """First and last input position that output position ``i`` depends on."""
        pos = self.footprint.at(i)
        if pos.size == 0:
            raise SeqconvError(f"output position {i} does not depend on any input position")
        return int(pos[0]), int(pos[-1])

    def to_dataframe(self):  # -> pandas.DataFrame
        """The per-layer table as a ``pandas.DataFrame``."""
        import pandas as pd

        columns = [f for f in LayerRF.__dataclass_fields__]
        return pd.DataFrame(
            [[getattr(r, c) for c in columns] for r in self.layers], columns=columns
        )

    def summary(self) -> str:
        """One line: size, jump, offset and what output ``i`` sees."""
        start = _fmt_affine(self.offset, self.jump)
        end = _fmt_affine(self.lookahead, self.jump)  # windows that shift: the farthest end
        text = f"receptive field {self.size}, jump {self.jump}, offset {self.offset}"
        text += f": output i sees inputs [{start}, {end}]"
        if self.output_length is not None:
            text += f"; input length {self.input_length} -> output length {self.output_length}"
        return text

    def table(self) -> tuple[list[str], list[list[str]]]:
        """The per-layer table as a header and rows of strings (``length`` only with a length)."""
        header = ["layer", "op", "kernel", "stride", "dilation", "padding", "length"]
        header += ["size", "jump", "offset"]
        rows = []
        for r in self.layers:
            cells = [r.name, r.op, r.kernel, r.stride, r.dilation, r.padding, r.length]
            cells += [r.size, r.jump, r.offset]
            rows.append(["" if c is None else str(c) for c in cells])
        if self.input_length is None:
            del header[6]
            for row in rows:
                del row[6]
        return header, rows

    def __str__(self) -> str:
        header, rows = self.table()
        rows = [header, *rows]
        widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        return "\n".join([*(line.rstrip() for line in lines), self.summary()])


def _fmt_affine(offset: int | Fraction, jump: int | Fraction) -> str:
    offset, jump = Fraction(offset), Fraction(jump)
    term = "i" if jump == 1 else f"{_number(jump)}*i"
    if offset == 0:
        return term
    sign = "+" if offset > 0 else "-"
    return f"{term} {sign} {_number(abs(offset))}"


def _infer_in_channels(model: nn.Module) -> int:
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
            return int(module.in_channels)
    channels = in_channels_of(model)
    if channels is not None:
        return channels
    raise SeqconvError(
        "cannot tell how many input channels the model takes (no Conv1d found): "
        "pass in_channels=..."
    )


def _trunk(model: nn.Module) -> tuple[nn.Module, str]:
    trunk = trunk_of(model)
    if trunk is not None:
        return trunk, "trunk"
    return model, ""


def _trace(
    module: nn.Module, prefix: str, in_channels: int, length: int
) -> tuple[Info, list[Row], int]:
    """Run ``module`` once; the footprint of its length-bearing output, the table, the length."""
    params = [p for p in module.parameters() if p.is_floating_point()]
    dtype = params[0].dtype if params else torch.float32
    device = params[0].device if params else torch.device("cpu")
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, in_channels, length, generator=generator).to(device=device, dtype=dtype)
    modes = {m: m.training for m in module.modules()}
    tracer = Tracer(module, prefix)
    try:
        module.eval()  # batch-norm statistics and dropout would mix or drop positions
        with torch.no_grad(), tracer:
            tracer.infos[x] = Info(2, Footprint.identity())
            out = module(x)
    finally:
        tracer.remove_hooks()
        for m, training in modes.items():
            m.training = training
    leaves = [t for t in tree_leaves(out) if isinstance(t, torch.Tensor)]
    result = next((t for t in leaves if t in tracer.infos), None)
    info = tracer.infos[result] if result is not None else None
    if info is not None and info.ldim is not None:
        return info, tracer.rows, int(result.shape[info.ldim])
    if tracer.first_global is not None:
        source, n_rows, source_length = tracer.first_global
        return source, tracer.rows[:n_rows], source_length
    raise SeqconvError(
        "the model's output does not depend on its input through operations seqconv can follow "
        "(is it a TorchScript or compiled module?)"
    )


def receptive_field(
    model: nn.Module,
    input_length: int | None = None,
    in_channels: int | None = None,
) -> ReceptiveField:
    """The exact receptive field of a 1D convolutional model.

    Parameters
    ----------
    model
        Any ``nn.Module`` taking ``(N, C, L)``. If it has a ``trunk`` module, the trunk is
        analysed; otherwise the model up to its first global pooling, flatten, or selection of
        one position (or its output, if that keeps a length axis).
    input_length
        Analyse this input length: fills ``output_length`` and each layer's ``length``, and warns
        when the receptive field is larger than the input. Without it the model runs at a
        length it accepts (1,024 positions or more) and lengths are not reported.
    in_channels
        Input channels; by default those of the first ``Conv1d``.

    Returns
    -------
    ReceptiveField
        ``size``, ``jump``, ``offset``, the per-layer table and the output length.

    Raises
    ------
    SeqconvError
        When the model uses an operation whose effect along the length cannot be followed
        (attention, a cumulative sum, linear interpolation ...) or when ``input_length`` is too
        short for the model to run.
    """
    module, prefix = _trunk(model)
    channels = in_channels if in_channels is not None else _infer_in_channels(model)
    lengths: Sequence[int] = (input_length,) if input_length is not None else _PROBE_LENGTHS
    failure: Exception | None = None
    for length in lengths:
        try:
            info, rows, out_length = _trace(module, prefix, channels, int(length))
            break
        except SeqconvError:
            raise
        except RuntimeError as exc:  # too short for an unpadded stack, or a shape error
            failure = exc
    else:
        if input_length is not None:
            hint = ""
            try:
                size = receptive_field(model, None, channels).size
                hint = f" (its receptive field is {size} positions)"
            except SeqconvError:
                pass
            raise SeqconvError(
                f"the model does not run on inputs of length {input_length}{hint}: {failure}"
            ) from failure
        raise SeqconvError(f"the model does not run on inputs of length up to "
                           f"{_PROBE_LENGTHS[-1]}: {failure}") from failure  # fmt: skip
    size, offset = info.fp.summary()
    layers = tuple(_layer(r, input_length is not None) for r in rows)
    output_length = out_length if input_length is not None else None
    warning = None
    if info.mixed:
        warning = (
            f"positions also depend on the whole input through {info.mixed}; "
            "the receptive field covers the convolutional path only"
        )
        warnings.warn(warning, stacklevel=2)
    if input_length is not None and size > input_length:
        warnings.warn(
            f"the receptive field ({size} positions) exceeds the input length ({input_length}): "
            "no output sees a whole window of real input",
            stacklevel=2,
        )
    return ReceptiveField(
        size=size,
        jump=_number(info.fp.jump),
        offset=_number(offset),
        layers=layers,
        input_length=input_length,
        output_length=output_length,
        warning=warning,
        footprint=info.fp,
    )


def _layer(row: Row, with_length: bool) -> LayerRF:
    size, offset = row.fp.summary()
    return LayerRF(
        name=row.name,
        op=row.op,
        kernel=row.kernel,
        stride=row.stride,
        dilation=row.dilation,
        padding=row.padding,
        length=row.length if with_length else None,
        size=size,
        jump=_number(row.fp.jump),
        offset=_number(offset),
    )
