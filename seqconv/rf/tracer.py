"""Run a module once and follow how every tensor's positions depend on the input's positions.

The module runs for real (batch of one, eval mode, no gradients) under a ``TorchFunctionMode``
that sees every torch function with its concrete arguments: ``conv1d`` with its stride, padding
and dilation, ``pad``, pooling, slicing, ``cat``, elementwise arithmetic, reshapes. Each result
derived from the input gets a :class:`~seqconv.rf.footprint.Footprint` computed by a rule for that
function. Running the code (rather than tracing it symbolically) means crops computed from shapes
(``x[..., -y.shape[-1]:]``), Python control flow and functional calls inside user modules are
all seen exactly as they execute. A function without a rule stops the analysis with a
``SeqconvError`` that names it; nothing is guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves
from torch.utils.weak import WeakIdKeyDictionary

from seqconv.errors import SeqconvError
from seqconv.rf.footprint import Footprint, strided, transposed, union


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


# Same shape in, same shape out (up to broadcasting), position by position.
ELEMENTWISE = frozenset(
    """
    relu relu_ relu6 leaky_relu leaky_relu_ elu elu_ selu selu_ celu celu_ gelu silu mish
    hardswish hardsigmoid hardtanh hardtanh_ softplus softsign tanhshrink softshrink hardshrink
    threshold threshold_ rrelu rrelu_ logsigmoid sigmoid sigmoid_ tanh tanh_ exp exp_ exp2 expm1
    log log_ log1p log2 log10 sqrt sqrt_ rsqrt square abs abs_ neg neg_ negative sign sgn sin cos
    erf erfc reciprocal pow pow_ float_power add add_ sub sub_ subtract mul mul_ multiply div div_
    divide true_divide floor_divide remainder fmod clamp clamp_ clamp_min clamp_min_ clamp_max
    clamp_max_ clip clip_ where maximum minimum fmax fmin lerp addcmul addcdiv prelu nan_to_num
    masked_fill masked_fill_ floor ceil round trunc frac eq ne gt lt ge le logical_and logical_or
    logical_not logical_xor isnan isfinite isinf bitwise_and bitwise_or
    dropout dropout_ alpha_dropout feature_alpha_dropout dropout1d dropout2d feature_dropout
    contiguous clone detach detach_ to type type_as float double half bfloat16 cpu cuda
    requires_grad_ copy_ zero_ fill_
    __add__ __radd__ __iadd__ __sub__ __rsub__ __isub__ __mul__ __rmul__ __imul__ __truediv__
    __rtruediv__ __itruediv__ __floordiv__ __rfloordiv__ __mod__ __neg__ __pos__ __pow__ __rpow__
    __ipow__ __abs__ __eq__ __ne__ __lt__ __le__ __gt__ __ge__ __and__ __or__ __invert__
    """.split()
)
# Results that do not depend on the input's values.
CONSTANT = frozenset(
    """
    zeros_like ones_like empty_like full_like rand_like randn_like randint_like new_zeros new_ones
    new_empty new_full new_tensor
    """.split()
)
REDUCTIONS = frozenset(
    """
    sum mean amax amin max min std var logsumexp prod norm median nansum nanmean std_mean
    var_mean any all count_nonzero argmax argmin
    """.split()
)
GLOBAL_POOLS = frozenset(
    """
    adaptive_avg_pool1d adaptive_max_pool1d adaptive_max_pool1d_with_indices
    """.split()
)


def _arg(args: tuple, kwargs: dict, index: int, key: str, default: Any = None) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(key, default)


def _int1(value: Any, default: int | None = None) -> int:
    """A 1-D layer parameter given as int, 1-tuple or list (``stride=()`` means the default)."""
    if value is None or (isinstance(value, (tuple, list)) and len(value) == 0):
        if default is None:
            raise SeqconvError("missing layer parameter")
        return default
    if isinstance(value, (tuple, list)):
        return int(value[0])
    return int(value)


def _norm_dim(dim: int, ndim: int) -> int:
    return dim + ndim if dim < 0 else dim


def _prod(values: Any) -> int:
    return math.prod(int(v) for v in values)


class Tracer(TorchFunctionMode):
    """Follows footprints through one forward pass of ``root``; see the module docstring."""

    def __init__(self, root: nn.Module, prefix: str = "") -> None:
        super().__init__()
        self.infos: WeakIdKeyDictionary = WeakIdKeyDictionary()
        self.rows: list[Row] = []
        # (footprint, rows so far, length) of the input of the first operation that removes
        # the length axis: the end of the trunk when the model has no ``trunk`` attribute.
        self.first_global: tuple[Info, int, int] | None = None
        self._stack: list[tuple[str, nn.Module, int]] = []
        self._calls = 0
        self._hooks = []
        for name, module in root.named_modules(prefix=prefix):
            self._hooks.append(module.register_forward_pre_hook(self._enter(name or "(model)")))
            self._hooks.append(module.register_forward_hook(self._leave, always_call=True))
        self._rules: dict[str, Callable[[str, tuple, dict, Any, list[Tensor]], None]] = {
            "conv1d": self._conv,
            "conv_transpose1d": self._conv_transpose,
            "max_pool1d": self._pool,
            "max_pool1d_with_indices": self._pool,
            "avg_pool1d": self._pool,
            "lp_pool1d": self._pool,
            "pad": self._pad,
            "constant_pad_nd": self._pad,
            "__getitem__": self._getitem,
            "__setitem__": self._setitem,
            "narrow": self._narrow,
            "select": self._select,
            "cat": self._cat,
            "concat": self._cat,
            "concatenate": self._cat,
            "stack": self._stack_op,
            "chunk": self._split,
            "split": self._split,
            "tensor_split": self._split,
            "unbind": self._split,
            "transpose": self._transpose,
            "swapaxes": self._transpose,
            "swapdims": self._transpose,
            "permute": self._permute,
            "movedim": self._movedim,
            "moveaxis": self._movedim,
            "t": self._transpose,
            "linear": self._linear,
            "batch_norm": self._batch_norm,
            "instance_norm": self._mixing_norm,
            "group_norm": self._mixing_norm,
            "layer_norm": self._layer_norm,
            "rms_norm": self._layer_norm,
            "softmax": self._dim_op,
            "log_softmax": self._dim_op,
            "softmin": self._dim_op,
            "normalize": self._dim_op,
            "glu": self._dim_op,
            "local_response_norm": self._elementwise,
            "interpolate": self._interpolate,
            "expand": self._expand,
            "expand_as": self._expand,
            "repeat": self._expand,
            "broadcast_to": self._expand,
        }
        for name in ELEMENTWISE:
            self._rules[name] = self._elementwise
        for name in REDUCTIONS:
            self._rules[name] = self._reduce
        for name in GLOBAL_POOLS:
            self._rules[name] = self._global_pool
        for name in (
            "view unsqueeze unsqueeze_ squeeze squeeze_ reshape flatten unflatten view_as "
            "reshape_as ravel"
        ).split():
            self._rules[name] = self._reshape
        for name in CONSTANT:
            self._rules[name] = self._constant

    # -- bookkeeping -------------------------------------------------------------------------
    def _enter(self, name: str) -> Callable:
        def hook(module: nn.Module, args: Any) -> None:
            self._calls += 1
            self._stack.append((name, module, self._calls))

        return hook

    def _leave(self, module: nn.Module, args: Any, output: Any) -> None:
        if self._stack and self._stack[-1][1] is module:
            self._stack.pop()

    def remove_hooks(self) -> None:
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()

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

    # -- the mode --------------------------------------------------------------------------
    def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[override]
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        leaves = [t for t in tree_leaves((args, kwargs)) if isinstance(t, Tensor)]
        tracked = self._tracked(leaves)
        if not tracked:
            return out
        name = getattr(func, "__name__", repr(func))
        if name == "__setitem__":
            self._setitem(name, args, kwargs, out, tracked)
            return out
        if not any(isinstance(t, Tensor) for t in tree_leaves(out)):
            return out  # size(), dim(), shape, item(): no tensor to follow
        if name == "__get__":  # a tensor attribute such as .T or .data
            name = getattr(getattr(func, "__self__", None), "__name__", "?")
            self._attribute(name, args, kwargs, out, tracked)
            return out
        rule = self._rules.get(name)
        if rule is None:
            raise self.unsupported(f"torch function {name!r}")
        rule(name, args, kwargs, out, tracked)
        return out

    # -- rules -----------------------------------------------------------------------------
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

    def _conv(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported("a convolution whose weights depend on the input")
        self._require_last(name, t, info)
        kernel = int(_arg(args, kwargs, 1, "weight").shape[-1])
        stride = _int1(_arg(args, kwargs, 3, "stride", 1), 1)
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
        t, info = self._only(name, tracked)
        if t is not args[0]:
            raise self.unsupported("a convolution whose weights depend on the input")
        self._require_last(name, t, info)
        kernel = int(_arg(args, kwargs, 1, "weight").shape[-1])
        stride = _int1(_arg(args, kwargs, 3, "stride", 1), 1)
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

    def _shift(self, name: str, out: Tensor, info: Info, ldim: int, start: int, step: int = 1,
               padding: str = "") -> None:  # fmt: skip
        if start == 0 and step == 1:
            self._set(out, Info(ldim, info.fp, info.mixed))
            return
        new = Info(ldim, strided(info.fp, 1, step, 1, -start), info.mixed)
        self._set(out, new)
        self._row(name, out, new, info.fp, None, step if step != 1 else None, None, padding)

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

    def _select(self, name: str, args: tuple, kwargs: dict, out: Tensor, tracked: list) -> None:
        t, info = self._only(name, tracked)
        dim = _norm_dim(int(_arg(args, kwargs, 1, "dim")), t.dim())
        if info.ldim is None:
            self._set(out, info)
        elif dim == info.ldim:
            self._set(out, self._global(t, info, "selecting one position"))
        else:
            self._set(out, Info(info.ldim - (dim < info.ldim), info.fp, info.mixed))

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
