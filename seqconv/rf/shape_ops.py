"""Rules for the torch functions that keep each position's window.

Elementwise arithmetic and activations (a join of several inputs takes the union of their
windows), concatenation, stacking and splitting, axis moves and reshapes, reductions, linear
layers and normalisation. These move the length axis, join windows position by position, mark a
tensor as also depending on every input position (``Info.mixed``), or remove the length axis.
Two add a row to the per-layer table: ``cat`` with constant blocks along the length (padding)
and a join that widens the window beyond every input's.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor
from torch.utils._pytree import tree_leaves

from seqconv.rf.footprint import union
from seqconv.rf.state import Info, TraceState, _arg, _norm_dim


def _prod(values: Any) -> int:
    return math.prod(int(v) for v in values)


class ShapeRules(TraceState):
    """Rules (``name, args, kwargs, out, tracked``) for the functions that keep windows."""

    def _constant(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        pass  # the result does not depend on the input's values

    def _elementwise(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        result = next(t for t in tree_leaves(out) if isinstance(t, Tensor))
        entries = []
        for t, info in tracked:
            if info.ldim is None:
                entries.append((info, None, True))
            else:
                ldim = info.ldim + result.dim() - t.dim()  # broadcasting aligns trailing axes
                entries.append((info, ldim, t.shape[info.ldim] == result.shape[ldim]))
        self._combine(name, result, out, entries)

    def _combine(self, name: str, result: Tensor, out: Any, entries: list) -> None:
        """Position-wise union of inputs; ``entries`` are ``(info, ldim in out, aligned)``."""
        local, mixed = [], None
        for info, ldim, aligned in entries:
            if info.ldim is None:
                mixed = mixed or info.mixed
            elif not aligned:
                mixed = mixed or f"{name} broadcasting a length-1 tensor along the length"
            else:
                mixed = mixed or info.mixed
                local.append((ldim, info.fp))
        if not local:
            self._set(out, Info(None, None, mixed))
            return
        if len({ldim for ldim, _ in local}) > 1:
            raise self.unsupported(f"{name} on tensors whose length axes do not line up")
        fps = [fp for _, fp in local]
        fp = fps[0] if len(fps) == 1 else union(fps, f"{self.where()} ({name})")
        info = Info(local[0][0], fp, mixed)
        self._set(out, info)
        if len(fps) > 1 and all(f != fp for f in fps):
            # Only a join that widens the window beyond every branch is a layer of its own; a
            # residual add whose body already contains the shortcut's window is not.
            self._row(name, result, info, None)

    def _cat(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        tensors = list(_arg(args, kwargs, 0, "tensors"))
        dim = _norm_dim(int(_arg(args, kwargs, 1, "dim", 0)), tensors[0].dim())
        infos = [self.infos[t] if t in self.infos else None for t in tensors]
        ldims = {i.ldim for i in infos if i is not None and i.ldim is not None}
        if ldims == {dim}:
            local = [k for k, i in enumerate(infos) if i is not None]
            if len(local) > 1:
                raise self.unsupported("concatenating input-dependent tensors along the length")
            k = local[0]
            before = sum(int(t.shape[dim]) for t in tensors[:k])
            after = sum(int(t.shape[dim]) for t in tensors[k + 1 :])
            self._shift("cat", out, infos[k], dim, -before, padding=f"({before}, {after})")
            return
        self._elementwise(name, args, kwargs, out, tracked)

    def _stack_op(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        tensors = list(_arg(args, kwargs, 0, "tensors"))
        dim = _norm_dim(int(_arg(args, kwargs, 1, "dim", 0)), tensors[0].dim() + 1)
        entries = []
        for _, info in tracked:
            ldim = None if info.ldim is None else info.ldim + (dim <= info.ldim)
            entries.append((info, ldim, True))
        self._combine(name, out, out, entries)

    def _split(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        t, info = self._only(name, tracked)
        index = 1 if name == "unbind" else 2
        dim = _norm_dim(int(_arg(args, kwargs, index, "dim", 0)), t.dim())
        if info.ldim is None or dim != info.ldim:
            ldim = info.ldim
            if name == "unbind" and ldim is not None and dim < ldim:
                ldim -= 1
            self._set(out, Info(ldim, info.fp, info.mixed))
            return
        raise self.unsupported(f"{name} along the length axis")

    def _select(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        dim = _norm_dim(int(_arg(args, kwargs, 1, "dim")), t.dim())
        if info.ldim is None:
            self._set(out, info)
        elif dim == info.ldim:
            self._set(out, self._global(t, info, "selecting one position"))
        else:
            self._set(out, Info(info.ldim - (dim < info.ldim), info.fp, info.mixed))

    def _moved(self, out: Any, info: Info, ldim: int | None) -> None:
        self._set(out, Info(ldim, info.fp, info.mixed))

    def _transpose(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if name == "t":
            a, b = 0, max(t.dim() - 1, 0)
        else:
            a = _norm_dim(int(_arg(args, kwargs, 1, "dim0")), t.dim())
            b = _norm_dim(int(_arg(args, kwargs, 2, "dim1")), t.dim())
        ldim = info.ldim
        if ldim is not None:
            ldim = b if ldim == a else a if ldim == b else ldim
        self._moved(out, info, ldim)

    def _permute(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        dims = args[1] if len(args) == 2 else args[1:] if len(args) > 2 else kwargs["dims"]
        dims = [_norm_dim(int(d), t.dim()) for d in dims]
        self._moved(out, info, None if info.ldim is None else dims.index(info.ldim))

    def _movedim(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        src, dst = _arg(args, kwargs, 1, "source"), _arg(args, kwargs, 2, "destination")
        src = [src] if isinstance(src, int) else list(src)
        dst = [dst] if isinstance(dst, int) else list(dst)
        n = t.dim()
        order = [d for d in range(n) if d not in {_norm_dim(s, n) for s in src}]
        for s, d in sorted(zip(dst, src, strict=True), key=lambda p: _norm_dim(p[0], n)):
            order.insert(_norm_dim(s, n), _norm_dim(d, n))
        ldim = None if info.ldim is None else order.index(info.ldim)
        self._moved(out, info, ldim)

    def _attribute(self, attribute: str, args: tuple, kwargs: dict, out: Any, tracked: list):
        t, info = self._only(attribute, tracked)
        if attribute in ("data", "real"):
            self._set(out, info)
        elif attribute in ("T", "mT", "mH", "H"):
            n, ldim = t.dim(), info.ldim
            if ldim is not None:
                if attribute in ("T", "H"):
                    ldim = n - 1 - ldim
                else:
                    ldim = {n - 1: n - 2, n - 2: n - 1}.get(ldim, ldim)
            self._moved(out, info, ldim)
        elif attribute != "grad":
            raise self.unsupported(f"tensor attribute {attribute!r}")

    def _reshape(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if info.ldim is None:
            self._set(out, info)
            return
        before, length = _prod(t.shape[: info.ldim]), int(t.shape[info.ldim])
        after = _prod(t.shape[info.ldim + 1 :])
        acc = 1
        for k, size in enumerate(out.shape):
            if acc == before and size == length and _prod(out.shape[k + 1 :]) == after:
                self._moved(out, info, k)
                return
            acc *= int(size)
        self._set(out, self._global(t, info, name))  # the length axis was merged away: flatten

    def _expand(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if info.ldim is None:
            self._set(out, info)
            return
        ldim = info.ldim + out.dim() - t.dim()
        if out.shape[ldim] != t.shape[info.ldim]:
            self._set(out, Info(None, None, info.mixed or f"{name} along the length axis"))
            return
        self._moved(out, info, ldim)

    def _reduce(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        if name in ("max", "min") and isinstance(_arg(args, kwargs, 1, "other"), Tensor):
            self._elementwise(name, args, kwargs, out, tracked)
            return
        t, info = self._only(name, tracked)
        dim = _arg(args, kwargs, 1, "dim")
        if name in ("std", "var", "std_mean", "var_mean") and isinstance(dim, bool):
            dim = kwargs.get("dim")  # std(x, unbiased) positional form
        if info.ldim is None:
            self._set(out, info)
            return
        dims = (
            list(range(t.dim()))
            if dim is None
            else [
                _norm_dim(int(d), t.dim())
                for d in (dim if isinstance(dim, (list, tuple)) else [dim])
            ]
        )
        if info.ldim in dims:
            self._set(out, self._global(t, info, name))
            return
        keepdim = bool(kwargs.get("keepdim", args[2] if len(args) > 2 else False))
        ldim = info.ldim if keepdim else info.ldim - sum(d < info.ldim for d in dims)
        self._moved(out, info, ldim)

    def _global_pool(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        t, info = self._only(name, tracked)
        self._set(out, self._global(t, info, name))

    def _linear(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported("a linear layer whose weights depend on the input")
        if info.ldim is not None and info.ldim == t.dim() - 1:
            self._set(out, self._global(t, info, "linear over the length axis"))
        else:
            self._set(out, info)

    def _batch_norm(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        training = _arg(args, kwargs, 5, "training", False)
        if training or _arg(args, kwargs, 1, "running_mean") is None:
            self._mixing_norm("batch_norm with batch statistics", args, kwargs, out, tracked)
        else:
            self._set(out, info)

    def _mixing_norm(
        self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list
    ) -> None:
        t, info = self._only(name, tracked)
        if info.ldim is None:
            self._set(out, info)
        else:
            self._set(out, Info(info.ldim, info.fp, info.mixed or f"{name} statistics"))

    def _layer_norm(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        shape = _arg(args, kwargs, 1, "normalized_shape")
        n = len(shape) if isinstance(shape, (list, tuple, torch.Size)) else 1
        if info.ldim is not None and info.ldim >= t.dim() - n:
            self._mixing_norm(name, args, kwargs, out, tracked)
        else:
            self._set(out, info)

    def _dim_op(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        dim = _arg(args, kwargs, 1, "dim", -1 if name == "glu" else 1)
        if name == "normalize":
            dim = kwargs.get("dim", args[2] if len(args) > 2 else 1)
        dim = _norm_dim(int(dim), t.dim())
        if info.ldim is None or dim != info.ldim:
            self._set(out, info)
        elif name == "glu":
            raise self.unsupported("glu over the length axis")
        else:
            self._mixing_norm(name, args, kwargs, out, tracked)
