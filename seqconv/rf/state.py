"""What the receptive-field tracer knows, and the bookkeeping its op rules share.

:class:`Info` is attached to every tensor derived from the input and :class:`Row` is one line of
the per-layer table. :class:`TraceState` holds both, with the module call stack the table names
layers by, and the helpers every rule uses to record a result, add a row or refuse an operation.
The rules themselves live in :mod:`seqconv.rf.window_ops` and :mod:`seqconv.rf.shape_ops`, and
the mode that dispatches to them in :mod:`seqconv.rf.tracer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from torch import Tensor, nn
from torch.utils._pytree import tree_leaves
from torch.utils.weak import WeakIdKeyDictionary

from seqconv.errors import SeqconvError
from seqconv.rf.footprint import Footprint, strided


@dataclass(frozen=True)
class Info:
    """What is known about one tensor derived from the input.

    ``ldim`` is the length axis (``None`` once it has been pooled, flattened or selected away);
    ``mixed`` names an operation through which the tensor also depends on *every* input position
    (statistics over the length, a broadcast global feature); for a global tensor it names the
    operation that removed the length axis.
    """

    ldim: int | None
    fp: Footprint | None
    mixed: str | None = None


@dataclass
class Row:
    """One layer that changes the footprint, with the cumulative footprint after it."""

    name: str
    op: str
    kernel: int | None
    stride: Any
    dilation: int | None
    padding: str
    length: int | None
    fp: Footprint
    call: int | None = None  # which module call produced it (rows of one call are merged)


def _arg(args: tuple, kwargs: dict, index: int, key: str, default: Any = None) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(key, default)


def _norm_dim(dim: int, ndim: int) -> int:
    return dim + ndim if dim < 0 else dim


class TraceState:
    """Footprints of the tracked tensors, the table so far, and the helpers rules share."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.rows: list[Row] = []
        # (info, rows so far, length) of the input of the first operation that removes the
        # length axis: the end of the trunk when the model has no ``trunk`` attribute.
        self.first_global: tuple[Info, int, int] | None = None
        # (name, module, call number) of the module calls in progress, outermost first.
        self._stack: list[tuple[str, nn.Module, int]] = []

    def where(self) -> str:
        return self._stack[-1][0] if self._stack else "(model)"

    def _row(
        self,
        op: str,
        out: Tensor,
        info: Info,
        before: Footprint | None,
        kernel: int | None = None,
        stride: Any = None,
        dilation: int | None = None,
        padding: str = "",
    ) -> None:
        """Add a table row for a layer that changed the footprint (``before`` -> ``info.fp``)."""
        if before is not None and before == info.fp:
            return  # 1x1 convolutions, zero padding: nothing to report
        length = int(out.shape[info.ldim]) if info.ldim is not None else None
        # A module with ``_rf_leaf = True`` (PaddedConv1d: padding + convolution) is reported as
        # one layer; otherwise a leaf module is named by its class (Conv1d, MaxPool1d) and code in
        # a composite module's forward by the function it called (add, crop, cat).
        leaf = next((e for e in self._stack if getattr(e[1], "_rf_leaf", False)), None)
        if leaf is not None:
            name, module, call = leaf
            op = type(module).__name__
            last = self.rows[-1] if self.rows else None
            if last is not None and last.call == call:
                self.rows[-1] = Row(
                    name,
                    op,
                    kernel if kernel is not None else last.kernel,
                    stride if stride is not None else last.stride,
                    dilation if dilation is not None else last.dilation,
                    last.padding if padding in ("", "0") else padding,
                    length,
                    info.fp,
                    call,
                )
                return
        else:
            name, module, call = self._stack[-1] if self._stack else ("(model)", None, None)
            if module is not None and not any(True for _ in module.children()):
                op = type(module).__name__
        self.rows.append(Row(name, op, kernel, stride, dilation, padding, length, info.fp, call))

    def _shift(self, name: str, out: Tensor, info: Info, ldim: int, start: int, step: int = 1,
               padding: str = "") -> None:  # fmt: skip
        """Record ``out`` as ``info`` moved to ``ldim``, position ``i`` at ``start + i * step``."""
        if start == 0 and step == 1:
            self._set(out, Info(ldim, info.fp, info.mixed))
            return
        new = Info(ldim, strided(info.fp, 1, step, 1, -start), info.mixed)
        self._set(out, new)
        self._row(name, out, new, info.fp, None, step if step != 1 else None, None, padding)

    def unsupported(self, what: str) -> SeqconvError:
        return SeqconvError(
            f"receptive field: {self.where()} uses {what}, which seqconv cannot follow along the "
            "length axis; analyse a sub-module that stops before it (e.g. model.trunk)"
        )

    def _tracked(self, tensors: list[Tensor]) -> list[tuple[Tensor, Info]]:
        return [(t, self.infos[t]) for t in tensors if t in self.infos]

    def _set(self, out: Any, info: Info) -> None:
        for t in tree_leaves(out):
            if isinstance(t, Tensor):
                self.infos[t] = info

    def _global(self, t: Tensor, source: Info, op: str) -> Info:
        if source.ldim is not None and self.first_global is None:
            self.first_global = (source, len(self.rows), int(t.shape[source.ldim]))
        return Info(None, None, source.mixed or op)

    def _only(self, name: str, tracked: list[tuple[Tensor, Info]]) -> tuple[Tensor, Info]:
        if len(tracked) != 1:
            raise self.unsupported(f"{name} with several input-dependent tensors")
        return tracked[0]

    def _require_last(self, name: str, t: Tensor, info: Info) -> None:
        if info.ldim is None:
            raise self.unsupported(f"{name} after the length axis was pooled away")
        if info.ldim != t.dim() - 1:
            raise self.unsupported(f"{name} over an axis other than the length axis")
