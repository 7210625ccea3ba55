"""The losses of torch.nn.functional beyond the basic ones (issue 12), re-exported by sh.losses.

Each is composed from tensor ops exactly as torch composes it (so values and gradients, the
target's too where torch gives one, are torch's), except ctc_loss, whose forward-backward
recursion lives in shaped/ops/ctc.py. The shape rules are in shaped/shapes_nn.py (the mypy
plugin runs the same ones). Static signatures: "mean" and "sum" give a scalar, "none" the
per-item shape; pure typing leaves the result's tape open (Any), the plugin computes it.
The static signatures of the basic losses' torch options (cross_entropy's weight, ...) are
here too, so that shaped/losses.py stays small; their functions are there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, Protocol, overload

from typing_extensions import TypeVar

from shaped import shapes, shapes_nn
from shaped.dtypes import NoTape, OwnedTape
from shaped.errors import DeviceError, DtypeError, ShapeError
from shaped.functions import where
from shaped.ops import ctc as _ctc
from shaped.ops.core import check_same
from shaped.tensor import Tensor

__all__ = [
    "cosine_embedding_loss",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

Tn = Tensor[Any, Any, Any, Any]
Reduce = Literal["mean", "sum"]
Scalar = tuple[()]
Items = tuple[Any, ...]
Lengths = Tensor[Any, Any, Any, Any] | Sequence[int] | int


# ---------------------------------------------------------------- static signatures
# first the basic losses with torch's options (their functions are in shaped/losses.py)


class _CrossEntropy(Protocol):
    """Logits with class indices (any int dtype) or probabilities; torch's options."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, NoTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, T],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, Any, Dev, OwnedTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, NoTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Items, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, T],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Items, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, Any, Dev, OwnedTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Items, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        reduction: str,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
        label_smoothing: float = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _BinaryLoss(Protocol):
    """Probabilities in [0, 1] and targets of their shape; weight broadcasts to them."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _BinaryLogitsLoss(Protocol):
    """Logits and targets of their shape; weight and pos_weight broadcast to them."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        pos_weight: Tensor[Any, D, Dev, Any] | None = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _KlDivLoss(Protocol):
    """log-probabilities in, probabilities (or log-probabilities: log_target) as target."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
        *,
        log_target: bool = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Reduce = ...,
        *,
        log_target: bool = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
        *,
        log_target: bool = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
        *,
        log_target: bool = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
        *,
        log_target: bool = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
        *,
        log_target: bool = ...,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
        *,
        log_target: bool = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _SoftMarginLoss(Protocol):
    """soft_margin_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _HingeEmbeddingLoss(Protocol):
    """hinge_embedding_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        margin: float = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        margin: float = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _PoissonNllLoss(Protocol):
    """poisson_nll_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        log_input: bool = ...,
        full: bool = ...,
        eps: float = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        log_input: bool = ...,
        full: bool = ...,
        eps: float = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _MultilabelSoftMarginLoss(Protocol):
    """multilabel_soft_margin_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _MultiMarginLoss(Protocol):
    """multi_margin_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        p: int = ...,
        margin: float = ...,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        p: int = ...,
        margin: float = ...,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _CosineEmbeddingLoss(Protocol):
    """cosine_embedding_loss: two inputs and a target of 1 and -1."""

    @overload
    def __call__(
        self,
        input1: Tensor[Any, D, Dev, Any],
        input2: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        margin: float = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input1: Tensor[Any, D, Dev, Any],
        input2: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        margin: float = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _MarginRankingLoss(Protocol):
    """margin_ranking_loss: two inputs and a target of 1 and -1 (of their dtype)."""

    @overload
    def __call__(
        self,
        input1: Tensor[Any, D, Dev, Any],
        input2: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        margin: float = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input1: Tensor[Any, D, Dev, Any],
        input2: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        margin: float = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _TripletLoss(Protocol):
    """triplet_margin_loss"""

    @overload
    def __call__(
        self,
        anchor: Tensor[Any, D, Dev, Any],
        positive: Tensor[Any, D, Dev, Any],
        negative: Tensor[Any, D, Dev, Any],
        margin: float = ...,
        p: float = ...,
        eps: float = ...,
        swap: bool = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        anchor: Tensor[Any, D, Dev, Any],
        positive: Tensor[Any, D, Dev, Any],
        negative: Tensor[Any, D, Dev, Any],
        margin: float = ...,
        p: float = ...,
        eps: float = ...,
        swap: bool = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _GaussianNllLoss(Protocol):
    """gaussian_nll_loss"""

    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        var: Tensor[Any, D, Dev, Any] | float,
        full: bool = ...,
        eps: float = ...,
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, Any]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        var: Tensor[Any, D, Dev, Any] | float,
        full: bool = ...,
        eps: float = ...,
        reduction: str = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _CtcLoss(Protocol):
    """ctc_loss"""

    @overload
    def __call__(
        self,
        log_probs: Tensor[Any, D, Dev, T],
        targets: Tensor[Any, Any, Dev, Any],
        input_lengths: Lengths,
        target_lengths: Lengths,
        blank: int = ...,
        reduction: Reduce = ...,
        zero_infinity: bool = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        log_probs: Tensor[Any, D, Dev, T],
        targets: Tensor[Any, Any, Dev, Any],
        input_lengths: Lengths,
        target_lengths: Lengths,
        blank: int = ...,
        reduction: str = ...,
        zero_infinity: bool = ...,
    ) -> Tensor[Items, D, Dev, T]: ...


def _soft_margin_loss(fn: Callable[..., Any]) -> _SoftMarginLoss:
    return fn


def _hinge_embedding_loss(fn: Callable[..., Any]) -> _HingeEmbeddingLoss:
    return fn


def _poisson_nll_loss(fn: Callable[..., Any]) -> _PoissonNllLoss:
    return fn


def _multilabel_soft_margin_loss(fn: Callable[..., Any]) -> _MultilabelSoftMarginLoss:
    return fn


def _multi_margin_loss(fn: Callable[..., Any]) -> _MultiMarginLoss:
    return fn


def _cosine_embedding_loss(fn: Callable[..., Any]) -> _CosineEmbeddingLoss:
    return fn


def _margin_ranking_loss(fn: Callable[..., Any]) -> _MarginRankingLoss:
    return fn


def _triplet_loss(fn: Callable[..., Any]) -> _TripletLoss:
    return fn


def _gaussian_nll_loss(fn: Callable[..., Any]) -> _GaussianNllLoss:
    return fn


def _ctc_loss(fn: Callable[..., Any]) -> _CtcLoss:
    return fn


# ---------------------------------------------------------------- shared checks


def _floats(op: str, *tensors: Tn) -> None:
    """Float tensors of one dtype and device, as torch requires of these inputs."""
    for x in tensors:
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")
        if x._data.dtype.kind != "f":
            raise DtypeError(
                f"{op}: the inputs must be float tensors, got {x.dtype.__name__}; convert with "
                ".to(sh.Float32)"
            )
    check_same(op, tensors)


def _labels(op: str, target: Tn, like: Tn) -> None:
    """A target of labels (1 and -1, any dtype) on the input's device."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{op}: target must be a Tensor, got {type(target).__name__}")
    if target._device is not like._device:
        raise DeviceError(
            f"{op}: tensors on different devices ({like._device!r} and {target._device!r}); "
            f"move one with .to({like._device!r})"
        )


def _reduce(per_item: Tn, reduction: str) -> Any:
    if reduction == "none":
        return per_item
    return per_item.sum() if reduction == "sum" else per_item.mean()


# ---------------------------------------------------------------- the losses


@_cosine_embedding_loss
def cosine_embedding_loss(
    input1: Tn, input2: Tn, target: Tn, margin: float = 0.0, reduction: str = "mean"
) -> Any:
    """1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1, as torch.

    Inputs (N, D) or (D,) of one shape, target (N,) or (); cos uses torch's 1e-12 guard on
    each squared norm.
    """
    op = "cosine_embedding_loss"
    _floats(op, input1, input2)
    _labels(op, target, input1)
    shapes_nn.cosine_embedding(op, input1.shape, input2.shape, target.shape)
    shapes.loss_output((), reduction)
    axis = input1.ndim - 1
    prod = (input1 * input2).sum(axis)
    squares = ((input1 * input1).sum(axis) + 1e-12) * ((input2 * input2).sum(axis) + 1e-12)
    cos = prod / squares.sqrt()
    per_item = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(0), 0.0)
    return _reduce(per_item, reduction)


@_margin_ranking_loss
def margin_ranking_loss(
    input1: Tn, input2: Tn, target: Tn, margin: float = 0.0, reduction: str = "mean"
) -> Any:
    """max(0, -target * (input1 - input2) + margin): all three of one rank, broadcasting."""
    op = "margin_ranking_loss"
    _floats(op, input1, input2, target)
    shapes_nn.margin_ranking(op, input1.shape, input2.shape, target.shape)
    shapes.loss_output((), reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(0), reduction)


def _pairwise_distance(a: Tn, b: Tn, p: float, eps: float) -> Tn:
    """torch's pairwise_distance: the p-norm of a - b + eps over the last axis."""
    return (a - b + eps).norm(p, -1)


@_triplet_loss
def triplet_margin_loss(
    anchor: Tn,
    positive: Tn,
    negative: Tn,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Any:
    """max(0, margin + d(a, pos) - d(a, neg)) with torch's pairwise distance d (p-norm of
    the difference + eps over the last axis); `swap` takes min(d(a, neg), d(pos, neg))."""
    op = "triplet_margin_loss"
    _floats(op, anchor, positive, negative)
    shapes_nn.triplet_margin(op, anchor.shape, positive.shape, negative.shape)
    shapes.loss_output((), reduction)
    if margin <= 0:
        raise ValueError(f"{op}: margin must be greater than 0, got {margin}")
    dist_pos = _pairwise_distance(anchor, positive, p, eps)
    dist_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_neg = dist_neg.minimum(_pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + dist_pos - dist_neg).clamp(0), reduction)


@_soft_margin_loss
def soft_margin_loss(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """log(1 + exp(-target * input)) for targets of 1 and -1, of the input's shape."""
    op = "soft_margin_loss"
    _floats(op, input, target)
    shapes.same_shape(op, input.shape, target.shape)
    shapes.loss_output((), reduction)
    return _reduce((-input * target).exp().log1p(), reduction)


@_hinge_embedding_loss
def hinge_embedding_loss(
    input: Tn, target: Tn, margin: float = 1.0, reduction: str = "mean"
) -> Any:
    """input where target is 1, max(0, margin - input) where it is -1 (both where neither)."""
    op = "hinge_embedding_loss"
    _floats(op, input)
    _labels(op, target, input)
    shapes.same_shape(op, input.shape, target.shape)
    shapes.loss_output((), reduction)
    below = where(target != 1, (margin - input).clamp(0), 0.0)
    return _reduce(below + where(target != -1, input, 0.0), reduction)


@_gaussian_nll_loss
def gaussian_nll_loss(
    input: Tn,
    target: Tn,
    var: Tn | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Any:
    """0.5 (log(var) + (input - target)**2 / var), + 0.5 log(2 pi) when `full`, as torch.

    `var` is the input's shape, the input's shape without the last axis, or size 1 on one
    axis (or a float); it is clamped to at least eps for the value, and, as torch (a clamp
    under no_grad), its gradient passes unclamped.
    """
    op = "gaussian_nll_loss"
    if not isinstance(var, Tensor):
        if var < 0:
            raise ValueError(f"{op}: var has negative entry/entries")
        var = input.new_full(input.shape, float(var)).detach()
    _floats(op, input, target, var)
    shapes_nn.gaussian_nll(op, input.shape, target.shape, var.shape)
    shapes.loss_output((), reduction)
    if bool((var._data < 0).any()):
        raise ValueError(f"{op}: var has negative entry/entries")
    if var.shape != input.shape and var.shape == input.shape[:-1]:
        var = var.unsqueeze(-1)
    floor = var.detach()
    var = var + (floor.clamp(eps) - floor)  # the clamped value, with the identity gradient
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


@_poisson_nll_loss
def poisson_nll_loss(
    input: Tn,
    target: Tn,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Any:
    """exp(input) - target * input (log_input), else input - target * log(input + eps); `full`
    adds the Stirling term target log(target) - target + 0.5 log(2 pi target) where target > 1.
    """
    op = "poisson_nll_loss"
    _floats(op, input, target)
    shapes.same_shape(op, input.shape, target.shape)
    shapes.loss_output((), reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        # as torch: the term is computed everywhere, then masked (a 0 target's gradient is NaN)
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0.0)
    return _reduce(loss, reduction)


@_multilabel_soft_margin_loss
def multilabel_soft_margin_loss(
    input: Tn, target: Tn, weight: Tn | None = None, reduction: str = "mean"
) -> Any:
    """-mean over C of (t log sigmoid(x) + (1 - t) log sigmoid(-x)) per row, as torch (input
    (N, C) or (C,), target of its shape; weight (C,) weighs each class)."""
    op = "multilabel_soft_margin_loss"
    _floats(op, input, target)
    shapes.same_shape(op, input.shape, target.shape)
    shapes.loss_output((), reduction)
    per_class = -(target * _logsigmoid(input) + (1 - target) * _logsigmoid(-input))
    if weight is not None:
        _floats(op, input, weight)
        per_class = per_class * weight
    axis = input.ndim - 1
    return _reduce(per_class.sum(axis) / input.shape[axis], reduction)


def _logsigmoid(x: Tn) -> Tn:
    """log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), stable for any x."""
    return x.clamp(max=0.0) - (-x.abs()).exp().log1p()


@_multi_margin_loss
def multi_margin_loss(
    input: Tn,
    target: Tn,
    p: int = 1,
    margin: float = 1.0,
    weight: Tn | None = None,
    reduction: str = "mean",
) -> Any:
    """sum over i != y of max(0, margin - x[y] + x[i])**p / C per row, as torch (input (N, C)
    or (C,), class-index targets (N,) or (); weight (C,) scales each row by weight[y])."""
    op = "multi_margin_loss"
    _floats(op, input)
    if p not in (1, 2):
        raise ValueError(f"{op}: only p == 1 and p == 2 are supported, got {p}")
    if not isinstance(target, Tensor) or target._data.dtype.kind not in "iu":
        raise DtypeError(f"{op}: class-index targets must be integers (sh.Int64)")
    if input.ndim not in (1, 2):
        raise ShapeError(f"{op}: input must be (N, C) or (C,), got {shapes.fmt(input.shape)}")
    per_item = shapes.class_target(op, input.shape, target.shape)
    shapes.loss_output(per_item, reduction)
    axis = input.ndim - 1
    classes = input.shape[axis]
    index = target.unsqueeze(-1)
    hinge = (margin - input.take_along_axis(index, axis) + input).clamp(0)
    if p == 2:
        hinge = hinge * hinge
    if weight is not None:
        _floats(op, input, weight)
        hinge = hinge * weight.take(target, 0).unsqueeze(-1)
    others = input._device.arange(classes).to(target.dtype) != index
    return _reduce(where(others, hinge, 0.0).sum(axis) / classes, reduction)


@_ctc_loss
def ctc_loss(
    log_probs: Tn,
    targets: Tn,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Any:
    """torch's F.ctc_loss (see shaped/ops/ctc.py): log_probs (T, N, C), targets (N, S) or
    concatenated, lengths as Int64 tensors or sequences of ints."""
    return _ctc.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity
    )
