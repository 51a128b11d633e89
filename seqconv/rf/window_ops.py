"""Rules for the torch functions that change windows along the length axis.

Convolutions (plain and transposed), max/average/LP pooling, padding, crops and strided slices
(``__getitem__``, ``narrow``), writes into part of a buffer (``__setitem__``) and nearest
interpolation: after each, an output position sees a different set of input positions than the
input position at the same index. These are the layers the per-layer table lists (none where the
window does not change, as for a 1x1 convolution).
"""

from __future__ import annotations

from typing import Any

from torch import Tensor
from torch.utils._pytree import tree_leaves

from seqconv.errors import SeqconvError
from seqconv.rf.footprint import strided, transposed, union
from seqconv.rf.state import Info, TraceState, _arg, _norm_dim


def _int1(value: Any, default: int | None = None) -> int:
    """A 1-D layer parameter given as int, 1-tuple or list (``stride=()`` means the default)."""
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        if default is None:
            raise SeqconvError("missing layer parameter")
        return default
    if isinstance(value, (tuple, list)):
        return int(value[0])
    return int(value)


class WindowRules(TraceState):
    """Rules (``name, args, kwargs, out, tracked``) for the functions that change windows."""

    def _conv_input(
        self, name: str, args: tuple, kwargs: dict, tracked: list
    ) -> tuple[Info, int, int]:
        """Input info, kernel size and stride of ``conv1d`` or ``conv_transpose1d``.

        Both take ``(input, weight, bias, stride, ...)``, so these checks and arguments are shared.
        """
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported("a convolution whose weights depend on the input")
        self._require_last(name, t, info)
        kernel = int(_arg(args, kwargs, 1, "weight").shape[-1])
        stride = _int1(_arg(args, kwargs, 3, "stride", 1), 1)
        return info, kernel, stride

    def _conv(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        info, kernel, stride = self._conv_input(name, args, kwargs, tracked)
        padding = _arg(args, kwargs, 4, "padding", 0)
        dilation = _int1(_arg(args, kwargs, 5, "dilation", 1), 1)
        if padding == "valid":
            left, shown = 0, "0"
        elif padding == "same":
            total = dilation * (kernel - 1)
            left, shown = total // 2, f"same ({total // 2}, {total - total // 2})"
        else:
            left = _int1(padding, 0)
            shown = str(left)
        new = Info(info.ldim, strided(info.fp, kernel, stride, dilation, left), info.mixed)
        self._set(out, new)
        self._row(name, out, new, info.fp, kernel, stride, dilation, shown)

    def _conv_transpose(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list):
        info, kernel, stride = self._conv_input(name, args, kwargs, tracked)
        padding = _int1(_arg(args, kwargs, 4, "padding", 0), 0)
        output_padding = _int1(_arg(args, kwargs, 5, "output_padding", 0), 0)
        dilation = _int1(_arg(args, kwargs, 7, "dilation", 1), 1)
        fp = transposed(info.fp, kernel, stride, dilation, padding)
        new = Info(info.ldim, fp, info.mixed)
        self._set(out, new)
        shown = f"{padding}" + (f" (+{output_padding} out)" if output_padding else "")
        self._row(name, out, new, info.fp, kernel, f"1/{stride}", dilation, shown)

    def _pool(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        t, info = self._only(name, tracked)
        self._require_last(name, t, info)
        if name == "lp_pool1d":
            kernel = _int1(_arg(args, kwargs, 2, "kernel_size"))
            stride = _int1(_arg(args, kwargs, 3, "stride"), kernel)
            padding, dilation, ceil = 0, 1, bool(_arg(args, kwargs, 4, "ceil_mode", False))
        else:
            kernel = _int1(_arg(args, kwargs, 1, "kernel_size"))
            stride = _int1(_arg(args, kwargs, 2, "stride"), kernel)
            padding = _int1(_arg(args, kwargs, 3, "padding", 0), 0)
            if name == "avg_pool1d":
                dilation, ceil = 1, bool(_arg(args, kwargs, 4, "ceil_mode", False))
            else:
                dilation = _int1(_arg(args, kwargs, 4, "dilation", 1), 1)
                ceil = bool(_arg(args, kwargs, 5, "ceil_mode", False))
        # ceil_mode only adds a last, partial window: it changes the length, not any window.
        new = Info(info.ldim, strided(info.fp, kernel, stride, dilation, padding), info.mixed)
        self._set(out, new)
        result = next(x for x in tree_leaves(out) if isinstance(x, Tensor))
        shown = f"{padding}" + (" ceil" if ceil else "")
        self._row(name, result, new, info.fp, kernel, stride, dilation, shown)

    def _pad(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported(f"{name} with an input-dependent fill value")
        if info.ldim is None:
            self._set(out, info)
            return
        pad = list(_arg(args, kwargs, 1, "pad"))
        j = t.dim() - 1 - info.ldim  # pad lists pairs from the last axis backwards
        left, right = (pad[2 * j], pad[2 * j + 1]) if 2 * j + 1 < len(pad) else (0, 0)
        mode = _arg(args, kwargs, 2, "mode", "constant")
        shown = f"({left}, {right})" + ("" if mode == "constant" else f" {mode}")
        self._shift("pad", out, info, info.ldim, -left, padding=shown)

    def _index_items(self, t: Tensor, index: Any) -> list[Any]:
        items = list(index) if isinstance(index, tuple) else [index]
        consumed = sum(1 for it in items if it is not None and it is not Ellipsis)
        if any(isinstance(it, bool) for it in items):
            raise self.unsupported("boolean indexing")
        expanded: list[Any] = []
        for it in items:
            if it is Ellipsis:
                expanded += [slice(None)] * (t.dim() - consumed)
            else:
                expanded.append(it)
        expanded += [slice(None)] * (t.dim() - sum(1 for it in expanded if it is not None))
        return expanded

    def _getitem(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported("indexing with input-dependent indices")
        if info.ldim is None:
            self._set(out, info)
            return
        in_dim = out_dim = 0
        new_ldim, crop = None, None
        advanced = 0
        for it in self._index_items(t, args[1]):
            if it is None:
                out_dim += 1
                continue
            is_ldim = in_dim == info.ldim
            if isinstance(it, slice):
                if is_ldim:
                    new_ldim, crop = out_dim, it.indices(t.shape[in_dim])
                out_dim += 1
            elif isinstance(it, int) or (isinstance(it, Tensor) and it.dim() == 0):
                if is_ldim:
                    self._set(out, self._global(t, info, "selecting one position"))
                    return
            else:  # an index list or tensor
                if is_ldim:
                    raise self.unsupported("indexing the length axis with a list or tensor")
                advanced += 1
                out_dim += 1
            in_dim += 1
        if advanced > 1:
            raise self.unsupported("several index lists in one indexing expression")
        start, stop, step = crop
        if step < 1:
            raise self.unsupported("reversing the length axis")
        self._shift("crop", out, info, new_ldim, start, step, padding=f"crop {start}:{stop}")

    def _setitem(self, name: str, args: tuple, kwargs: dict, out: Any, tracked: list) -> None:
        """``target[index] = value``: value position ``j`` lands at ``start + j`` on the length.

        Into a constant buffer (``buf[..., k:] = x``) this is a left pad by ``k``; into a tracked
        tensor (``out[..., :n] += skip``) the footprints are joined. Writing constants into a
        tracked tensor keeps its footprint.
        """
        target, index, value = args[0], args[1], args[2]
        if not (isinstance(value, Tensor) and value in self.infos):
            return
        v_info = self.infos[value]
        if v_info.ldim is None:
            old = self.infos[target] if target in self.infos else None
            if old is None or old.ldim is None:
                self.infos[target] = v_info
            else:
                self.infos[target] = Info(old.ldim, old.fp, old.mixed or v_info.mixed)
            return
        ldim = v_info.ldim + target.dim() - value.dim()
        start, step = 0, 1
        items = self._index_items(target, index)
        if len(items) > ldim and isinstance(items[ldim], slice):
            start, _, step = items[ldim].indices(target.shape[ldim])
        if step != 1 or any(not isinstance(it, (slice, type(None))) for it in items):
            raise self.unsupported("assignment into a strided or indexed part of a tensor")
        shifted = strided(v_info.fp, 1, 1, 1, start)
        old = self.infos[target] if target in self.infos else None
        if old is None:
            new = Info(ldim, shifted, v_info.mixed)
            self.infos[target] = new
            self._row("setitem", target, new, v_info.fp, padding=f"offset {start}")
        else:
            merged = union([old.fp, shifted], f"{self.where()} (setitem)")
            self.infos[target] = Info(old.ldim, merged, old.mixed or v_info.mixed)

    def _narrow(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        dim = _norm_dim(int(_arg(args, kwargs, 1, "dim")), t.dim())
        start = int(_arg(args, kwargs, 2, "start"))
        start = start + t.shape[dim] if start < 0 else start
        if info.ldim != dim:
            self._set(out, info)
            return
        length = int(_arg(args, kwargs, 3, "length"))
        self._shift("crop", out, info, dim, start, padding=f"crop {start}:{start + length}")

    def _interpolate(
        self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list
    ) -> None:
        t, info = self._only(name, tracked)
        self._require_last(name, t, info)
        mode = _arg(args, kwargs, 3, "mode", "nearest")
        n_in, n_out = int(t.shape[-1]), int(out.shape[-1])
        if mode not in ("nearest", "nearest-exact"):
            raise self.unsupported(f"interpolate(mode={mode!r}) (only nearest is supported)")
        if n_out % n_in == 0:
            s = n_out // n_in
            fp = transposed(info.fp, s, s, 1, 0)
            shown = f"1/{s}"
        elif n_in % n_out == 0:
            s = n_in // n_out
            fp = strided(info.fp, 1, s, 1, 0)
            shown = str(s)
        else:
            raise self.unsupported("interpolate by a non-integer factor")
        new = Info(info.ldim, fp, info.mixed)
        self._set(out, new)
        self._row(name, out, new, info.fp, None, shown, None, mode)
