"""Run a module once and follow how every tensor's positions depend on the input's positions.

The module runs for real (batch of one, eval mode, no gradients) under a ``TorchFunctionMode``
that sees every torch function with its concrete arguments: ``conv1d`` with its stride, padding
and dilation, ``pad``, pooling, slicing, ``cat``, elementwise arithmetic, reshapes. Each result
derived from the input gets a :class:`~seqconv.rf.footprint.Footprint` computed by a rule for that
function. Running the code (rather than tracing it symbolically) means crops computed from shapes
(``x[..., -y.shape[-1]:]``), Python control flow and functional calls inside user modules are
all seen exactly as they execute. A function without a rule stops the analysis with a
``SeqconvError`` that names it; nothing is guessed.

This module holds the mode and the table from function names to rules; the rules are in
:mod:`seqconv.rf.window_ops` (functions that change windows) and :mod:`seqconv.rf.shape_ops`
(functions that keep them), the per-tensor records in :mod:`seqconv.rf.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import Tensor, nn
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves

from seqconv.rf.shape_ops import ShapeRules
from seqconv.rf.state import Info, Row
from seqconv.rf.window_ops import WindowRules

# Info and Row live in seqconv.rf.state so the rule modules need not import this one; callers
# read them back from a Tracer, so they are importable from here too.
__all__ = ["Info", "Row", "Tracer"]


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


class Tracer(WindowRules, ShapeRules, TorchFunctionMode):
    """Follows footprints through one forward pass of ``root``; see the module docstring."""

    def __init__(self, root: nn.Module, prefix: str = "") -> None:
        super().__init__()  # TraceState: infos, rows, first_global, the module stack
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

    # -- module hooks: the call stack rows are named by ------------------------------------
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
