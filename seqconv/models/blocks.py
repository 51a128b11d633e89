"""Blocks for dense (per-position) and lighter models. Every tensor is ``(N, C, L)``.

* :class:`UpsampleBlock`: learned upsampling by an integer factor with a transposed convolution,
  output length exactly ``factor * L`` so a decoder lines up with its encoder's skips.
* :class:`SeparableConv1d`: depthwise-separable convolution (MobileNet, Howard et al. 2017), a
  per-channel convolution then a 1x1 one, ``k * C_in + C_in * C_out`` weights instead of
  ``k * C_in * C_out``.
* :class:`Maxout`: the maximum over groups of ``k`` consecutive channels (Goodfellow et al. 2013).
* :func:`make_pool`: max, average or L2 (``nn.LPPool1d``) pooling by name.

The receptive-field tracer (:mod:`seqconv.rf`) follows all of them exactly: transposed
convolutions, crops, LP pooling, and maxout's reshape and channel maximum.
"""

from __future__ import annotations

from torch import Tensor, nn

from seqconv.errors import InputError, SeqconvError
from seqconv.models.layers import PaddedConv1d, make_activation, padding_amounts

POOLS: tuple[str, ...] = ("max", "avg", "l2")


class UpsampleBlock(nn.Module):
    """Transposed convolution with stride ``factor``, then batch norm and activation:
    ``(N, C_in, L) -> (N, C_out, factor * L)`` for every ``L``.

    ``nn.ConvTranspose1d`` gives ``(L - 1) * factor + kernel_size`` positions; the
    ``kernel_size - factor`` extra ones are cropped explicitly, split as "same" padding splits
    (:func:`~seqconv.models.layers.padding_amounts`: an odd extra goes on the right), so the
    length is the same whatever the kernel. With ``kernel_size == factor`` (the default) nothing is
    cropped and output ``t`` depends on input ``t // factor`` only: the inverse of a pool of
    ``factor``, with learned weights per phase. Wider kernels (``2 * factor``) let neighbouring
    inputs overlap and avoid checkerboard patterns (Odena et al. 2016, Distill).

    Parameters
    ----------
    in_channels, out_channels
        Channels in and out.
    factor
        Upsampling factor (the stride of the transposed convolution), ``>= 1``.
    kernel_size
        Width of the transposed convolution, ``>= factor`` (narrower kernels leave outputs that
        see no input at all); ``None``: ``factor``.
    batch_norm
        Batch normalisation after the convolution (its bias is then dropped: the norm has one).
    activation
        Name of the activation after the norm (see
        :func:`~seqconv.models.layers.make_activation`); ``None`` for none.

    Examples
    --------
    >>> import torch
    >>> up = UpsampleBlock(8, 4, factor=2, kernel_size=5)
    >>> up(torch.zeros(2, 8, 13)).shape
    torch.Size([2, 4, 26])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        factor: int = 2,
        kernel_size: int | None = None,
        *,
        batch_norm: bool = True,
        activation: str | None = "relu",
    ) -> None:
        super().__init__()
        kernel = factor if kernel_size is None else kernel_size
        if factor < 1 or kernel < factor:
            raise SeqconvError(
                f"upsampling needs factor >= 1 and kernel_size >= factor, got factor={factor}, "
                f"kernel_size={kernel}"
            )
        self.factor, self.kernel_size = int(factor), int(kernel)
        self.conv = nn.ConvTranspose1d(
            in_channels, out_channels, kernel, stride=factor, bias=not batch_norm
        )
        # The crop of kernel - factor positions is the "same" split of a kernel that wide.
        self.crop = padding_amounts(kernel - factor + 1, 1, "same")
        self.norm = nn.BatchNorm1d(out_channels) if batch_norm else None
        self.activation = make_activation(activation) if activation else None

    def forward(self, x: Tensor) -> Tensor:
        y = self.conv(x)
        left, right = self.crop
        if left or right:
            y = y[..., left : y.shape[-1] - right]
        if self.norm is not None:
            y = self.norm(y)
        return y if self.activation is None else self.activation(y)

    def extra_repr(self) -> str:
        return f"factor={self.factor}, crop={self.crop}"


class SeparableConv1d(nn.Module):
    """Depthwise-separable convolution: ``(N, C_in, L) -> (N, C_out, L')``.

    A depthwise convolution (``groups=in_channels``: one filter of width ``kernel_size`` per
    channel, ``depth_multiplier`` of them) mixes positions, then a 1x1 pointwise convolution mixes
    channels. Weights: ``k * C_in * m + C_in * m * C_out`` against ``k * C_in * C_out`` for a plain
    convolution, so about ``1 / C_out + 1 / k`` of them (and as many multiply-adds). As in
    MobileNet (Howard et al. 2017, arXiv:1704.04861) each step is followed by batch norm and the
    activation; ``between=False`` gives Xception's form (Chollet 2017), nothing between the two.

    ``L'`` is that of :class:`~seqconv.models.layers.PaddedConv1d` with the same kernel, stride,
    dilation and padding: ``ceil(L / stride)`` for ``"same"`` and ``"causal"``.

    Parameters
    ----------
    in_channels, out_channels, kernel_size
        As for ``nn.Conv1d``.
    stride, dilation, padding
        Of the depthwise convolution; ``padding`` is ``"valid"``, ``"same"`` or ``"causal"``
        (see :func:`~seqconv.models.layers.padding_amounts`).
    depth_multiplier
        Depthwise filters per input channel.
    batch_norm
        Batch norm after each convolution (whose bias is then dropped).
    activation
        Name of the activation after each convolution (after the last only, when
        ``between=False``); ``None`` for none.
    between
        Norm and activation after the depthwise step too (MobileNet); ``False``: Xception.

    Examples
    --------
    >>> import torch
    >>> conv = SeparableConv1d(16, 32, 5)
    >>> conv(torch.zeros(2, 16, 50)).shape
    torch.Size([2, 32, 50])
    >>> sum(p.numel() for p in conv.parameters()) < 16 * 32 * 5
    True
    """

    _rf_leaf = True  # the receptive-field table shows the block as one layer

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        *,
        stride: int = 1,
        dilation: int = 1,
        padding: str = "same",
        depth_multiplier: int = 1,
        batch_norm: bool = True,
        activation: str | None = "relu",
        between: bool = True,
    ) -> None:
        super().__init__()
        if depth_multiplier < 1:
            raise SeqconvError(f"depth_multiplier must be >= 1, got {depth_multiplier}")
        mid = in_channels * depth_multiplier
        layers: list[nn.Module] = [
            PaddedConv1d(
                in_channels,
                mid,
                kernel_size,
                stride=stride,
                dilation=dilation,
                padding=padding,
                groups=in_channels,
                bias=not (batch_norm and between),
            )
        ]
        if between:
            layers += self._norm_act(mid, batch_norm, activation)
        layers.append(nn.Conv1d(mid, out_channels, 1, bias=not batch_norm))
        layers += self._norm_act(out_channels, batch_norm, activation)
        self.layers = nn.Sequential(*layers)

    @staticmethod
    def _norm_act(channels: int, batch_norm: bool, activation: str | None) -> list[nn.Module]:
        out: list[nn.Module] = [nn.BatchNorm1d(channels)] if batch_norm else []
        return out + ([make_activation(activation)] if activation else [])

    @property
    def depthwise(self) -> PaddedConv1d:
        """The depthwise convolution."""
        return self.layers[0]

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


class Maxout(nn.Module):
    """Maximum over groups of ``pool_size`` consecutive channels: ``(N, C, L) -> (N, C / k, L)``.

    Cross-channel maxout (Goodfellow et al. 2013, ICML): output channel ``j`` is the maximum of
    input channels ``j * k .. j * k + k - 1`` at the same position, so it is a learned,
    piecewise-linear activation and does not change the receptive field.

    Examples
    --------
    >>> import torch
    >>> Maxout(2)(torch.tensor([[[1.0, -2.0], [0.0, 3.0], [5.0, 5.0], [-1.0, 6.0]]]))
    tensor([[[1., 3.],
             [5., 6.]]])
    """

    def __init__(self, pool_size: int = 2) -> None:
        super().__init__()
        if pool_size < 1:
            raise SeqconvError(f"maxout pool_size must be >= 1, got {pool_size}")
        self.pool_size = int(pool_size)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] % self.pool_size:
            raise InputError(
                f"maxout over groups of {self.pool_size} channels needs (N, C, L) input with C a "
                f"multiple of {self.pool_size}, got {tuple(x.shape)}"
            )
        return x.unflatten(1, (-1, self.pool_size)).amax(dim=2)

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}"


def make_pool(kind: str, kernel_size: int, stride: int | None = None) -> nn.Module:
    """A pooling layer by name: ``(N, C, L) -> (N, C, floor((L - k) / stride) + 1)``.

    ``"max"``, ``"avg"`` or ``"l2"``: ``nn.LPPool1d(2, ...)``, the root of the sum of squares
    in each window (Sermanet et al. 2012), between average and max pooling in how much one large
    value dominates. ``stride`` defaults to ``kernel_size``.

    Examples
    --------
    >>> import torch
    >>> make_pool("l2", 2)(torch.tensor([[[3.0, 4.0, 0.0, 1.0]]]))
    tensor([[[5., 1.]]])
    """
    stride = kernel_size if stride is None else stride
    if kind == "max":
        return nn.MaxPool1d(kernel_size, stride)
    if kind == "avg":
        return nn.AvgPool1d(kernel_size, stride)
    if kind == "l2":
        return nn.LPPool1d(2, kernel_size, stride)
    raise SeqconvError(f"unknown pooling {kind!r}; use one of {', '.join(POOLS)}")
