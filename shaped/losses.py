"""Loss functions with torch.nn.functional's semantics: `(input, target, reduction="mean")`.

Each loss is one record: the per-item loss and its closed-form gradient are computed
together, and the reduction ("mean", "sum" or "none") only scales the upstream gradient.
A traced float target gets a gradient, as in PyTorch; integer class targets get none.
cross_entropy fuses log-softmax and NLL, so its gradient is (softmax - onehot) / N.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol, overload

from typing_extensions import TypeVar

from shaped import shapes
from shaped.dtypes import NoTape, OwnedTape
from shaped.errors import DtypeError, ShapeError
from shaped.ops.core import Array, check_same, nary
from shaped.ops.nn import _log_softmax
from shaped.tensor import Tensor

__all__ = [
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")

Tn = Tensor[Any, Any, Any, Any]
Reduce = Literal["mean", "sum"]
Scalar = tuple[()]
Items = tuple[Any, ...]


# ---------------------------------------------------------------- static signatures
# The tape of the result is the input's, or OwnedTape when only the target is traced;
# reduction "none" keeps the per-item shape, "mean" and "sum" give a scalar; a reduction
# known only at run time (a `str`) gives a tensor of unknown rank.


class _PairLoss(Protocol):
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self, input: Tensor[S, D, Dev, T], target: Tensor[Any, D, Dev, T], reduction: Reduce = ...
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _HuberLoss(Protocol):
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
        delta: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Reduce = ...,
        delta: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
        delta: float = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
        delta: float = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
        delta: float = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
        delta: float = ...,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
        delta: float = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _SmoothL1Loss(Protocol):
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Reduce = ...,
        beta: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Reduce = ...,
        beta: float = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Reduce = ...,
        beta: float = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, NoTape],
        reduction: Literal["none"],
        beta: float = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, D, Dev, T],
        reduction: Literal["none"],
        beta: float = ...,
    ) -> Tensor[S, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, D, Dev, OwnedTape],
        reduction: Literal["none"],
        beta: float = ...,
    ) -> Tensor[S, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, D, Dev, Any],
        reduction: str,
        beta: float = ...,
    ) -> Tensor[Items, D, Dev, Any]: ...


class _ClassLoss(Protocol):
    """Logits or log-probabilities with class indices (any int dtype) or probabilities."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, NoTape],
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self, input: Tensor[S, D, Dev, T], target: Tensor[Any, Any, Dev, T], reduction: Reduce = ...
    ) -> Tensor[Scalar, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, Any, Dev, OwnedTape],
        reduction: Reduce = ...,
    ) -> Tensor[Scalar, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, NoTape],
        reduction: Literal["none"],
    ) -> Tensor[Items, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, T],
        reduction: Literal["none"],
    ) -> Tensor[Items, D, Dev, T]: ...
    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, Any],
        target: Tensor[Any, Any, Dev, OwnedTape],
        reduction: Literal["none"],
    ) -> Tensor[Items, D, Dev, OwnedTape]: ...
    @overload
    def __call__(
        self,
        input: Tensor[Any, D, Dev, Any],
        target: Tensor[Any, Any, Dev, Any],
        reduction: str,
    ) -> Tensor[Items, D, Dev, Any]: ...


# Each loss is written once with plain types; these give it the overloaded signature above.
def _pair_loss(fn: Callable[..., Any]) -> _PairLoss:
    return fn


def _huber_loss(fn: Callable[..., Any]) -> _HuberLoss:
    return fn


def _smooth_l1_loss(fn: Callable[..., Any]) -> _SmoothL1Loss:
    return fn


def _class_loss(fn: Callable[..., Any]) -> _ClassLoss:
    return fn


# ---------------------------------------------------------------- shared machinery

Grads = Callable[[Array, tuple[bool, ...]], tuple[Array | None, ...]]


def _need_float(op: str, x: Tn, what: str = "input") -> None:
    if x._data.dtype.kind != "f":
        raise DtypeError(
            f"{op}: the {what} must be a float tensor, got {x.dtype.__name__}; "
            "convert with .to(sh.Float32)"
        )


def _pair(op: str, input: Tn, target: Tn, reduction: str) -> tuple[Array, Array]:
    """Checks for an elementwise loss: float, one dtype and device, equal shapes, a valid reduction."""
    _need_float(op, input)
    check_same(op, (input, target))
    x, t = input._data, target._data
    if x.shape != t.shape:
        shapes.same_shape(op, x.shape, t.shape)
    shapes.loss_output(x.shape, reduction)
    return x, t


def _finish(inputs: tuple[Tn, ...], per_item: Array, reduction: str, grads: Grads) -> Any:
    """Reduce the per-item losses; `grads(g_item, needs)` gets the upstream gradient per item
    (a full array for "none", a 0-d array otherwise, already divided by the count for "mean")."""
    xp = inputs[0]._device.xp
    if reduction == "none":  # an unbatched item is a numpy scalar: keep a 0-d array
        return nary(inputs, xp.asarray(per_item), grads)
    count = per_item.size
    total = per_item.sum()
    if reduction == "sum":
        out = xp.asarray(total, dtype=per_item.dtype)
        return nary(inputs, out, grads)
    out = xp.asarray(total / count if count else xp.nan, dtype=per_item.dtype)
    scale = 1.0 / count if count else 0.0
    return nary(inputs, out, lambda g, needs: grads(g * scale, needs))


# ---------------------------------------------------------------- elementwise losses


@_pair_loss
def mse_loss(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """mean((input - target) ** 2)."""
    x, t = _pair("mse_loss", input, target, reduction)
    diff = x - t

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        gx = 2.0 * diff * g
        return gx, (-gx if needs[1] else None)

    return _finish((input, target), diff * diff, reduction, grads)


@_pair_loss
def l1_loss(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """mean(|input - target|); the gradient at 0 is 0, as torch."""
    x, t = _pair("l1_loss", input, target, reduction)
    xp = input._device.xp
    diff = x - t

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        gx = xp.sign(diff) * g
        return gx, (-gx if needs[1] else None)

    return _finish((input, target), xp.abs(diff), reduction, grads)


@_huber_loss
def huber_loss(input: Tn, target: Tn, reduction: str = "mean", delta: float = 1.0) -> Any:
    """0.5 d**2 where |d| < delta, else delta * (|d| - 0.5 delta), for d = input - target."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair("huber_loss", input, target, reduction)
    xp = input._device.xp
    diff = x - t
    size = xp.abs(diff)
    per_item = xp.where(size < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta))

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        gx = xp.clip(diff, -delta, delta) * g
        return gx, (-gx if needs[1] else None)

    return _finish((input, target), per_item, reduction, grads)


@_smooth_l1_loss
def smooth_l1_loss(input: Tn, target: Tn, reduction: str = "mean", beta: float = 1.0) -> Any:
    """0.5 d**2 / beta where |d| < beta, else |d| - 0.5 beta; beta == 0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    x, t = _pair("smooth_l1_loss", input, target, reduction)
    xp = input._device.xp
    diff = x - t
    size = xp.abs(diff)
    if beta == 0:
        per_item, slope = size, xp.sign(diff)
    else:
        per_item = xp.where(size < beta, 0.5 * diff * diff / beta, size - 0.5 * beta)
        slope = xp.clip(diff / beta, -1.0, 1.0)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        gx = slope * g
        return gx, (-gx if needs[1] else None)

    return _finish((input, target), per_item, reduction, grads)


@_pair_loss
def binary_cross_entropy_with_logits(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), computed stably for any logits."""
    x, t = _pair("binary_cross_entropy_with_logits", input, target, reduction)
    xp = input._device.xp
    decay = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    per_item = xp.maximum(x, 0) - x * t + xp.log1p(decay)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        sigmoid = xp.where(x >= 0, 1.0, decay) / (1.0 + decay)
        return (
            (sigmoid - t) * g if needs[0] else None,
            -x * g if needs[1] else None,
        )

    return _finish((input, target), per_item, reduction, grads)


@_pair_loss
def kl_div(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """torch's kl_div (log_target=False): target * (log(target) - input), 0 where target is 0.

    `input` holds log-probabilities, `target` probabilities; "mean" averages over every
    element, as torch's default. As in torch, the target's gradient is NaN where it is 0.
    """
    x, t = _pair("kl_div", input, target, reduction)
    xp = input._device.xp
    zero = t == 0
    # xlogy(t, t): 0 * log 0 counts as 0; a negative target is NaN, as torch (without a warning)
    log_t = xp.where(t < 0, xp.nan, xp.log(xp.where(t > 0, t, 1)))
    per_item = t * log_t - t * x

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        return (
            -t * g if needs[0] else None,
            (log_t + xp.where(zero, xp.nan, 1.0) - x) * g if needs[1] else None,
        )

    return _finish((input, target), per_item, reduction, grads)


# ---------------------------------------------------------------- class losses


def _class_indices(op: str, logits: Tn, target: Tn, reduction: str) -> tuple[Array, int]:
    """Checks for class-index targets; returns them and the class axis (1, or 0 unbatched)."""
    x, t = logits._data, target._data
    if t.dtype.kind not in "iu":
        raise DtypeError(
            f"{op}: class-index targets must be integers (sh.Int64), got {target.dtype.__name__}"
        )
    if target._device is not logits._device:
        check_same(op, (logits, target))
    per_item = shapes.class_target(op, x.shape, t.shape)
    shapes.loss_output(per_item, reduction)
    axis = 0 if x.ndim == 1 else 1
    classes = x.shape[axis]
    if t.size:
        bad = (t < 0) | (t >= classes)
        if bad.any():
            first = int(t[bad].ravel()[0])
            raise ShapeError(
                f"{op}: class index {first} is out of range for {classes} classes "
                f"(logits {shapes.fmt(x.shape)}); valid indices are 0..{classes - 1}"
            )
    return t, axis


def _onehot(xp: Any, t: Array, axis: int, classes: int, ndim: int) -> Array:
    """Bool (t == class) with the class axis at `axis`."""
    shape = [1] * ndim
    shape[axis] = classes
    return xp.arange(classes).reshape(shape) == xp.expand_dims(t, axis)


def _per_class(xp: Any, g: Array, axis: int) -> Array:
    """The per-item upstream gradient with the class axis put back, to broadcast over it."""
    return xp.expand_dims(g, axis) if g.ndim else g


@_class_loss
def cross_entropy(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """log-softmax over the class axis and NLL in one record.

    `input` is logits (N, C, d1, ...) or unbatched (C,); `target` is integer class indices
    (N, d1, ...) or (), or float probabilities of the logits' shape. "mean" divides by the
    number of items N * d1 * ...; the logits' gradient is (softmax - onehot) / N.
    """
    op = "cross_entropy"
    _need_float(op, input, "logits")
    x = input._data
    if x.ndim == 0:
        shapes.class_target(op, x.shape, target._data.shape)
    xp = input._device.xp
    axis = 0 if x.ndim == 1 else 1
    if target._data.dtype.kind == "f":
        check_same(op, (input, target))
        t = target._data
        if t.shape != x.shape:
            shapes.same_shape(op, x.shape, t.shape)
        shapes.loss_output(x.shape[:axis] + x.shape[axis + 1 :], reduction)
        log_probs = _log_softmax(xp, x, axis)
        per_item = -(t * log_probs).sum(axis=axis)

        def soft_grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
            g = _per_class(xp, g, axis)
            gx = None
            if needs[0]:
                gx = (xp.exp(log_probs) * t.sum(axis=axis, keepdims=True) - t) * g
            return gx, (-log_probs * g if needs[1] else None)

        return _finish((input, target), per_item, reduction, soft_grads)
    t, axis = _class_indices(op, input, target, reduction)
    log_probs = _log_softmax(xp, x, axis)
    picked = xp.take_along_axis(log_probs, xp.expand_dims(t, axis), axis=axis)
    per_item = -picked.squeeze(axis)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        if not needs[0]:
            return None, None
        onehot = _onehot(xp, t, axis, x.shape[axis], x.ndim)
        return (xp.exp(log_probs) - onehot) * _per_class(xp, g, axis), None

    return _finish((input, target), per_item, reduction, grads)


@_class_loss
def nll_loss(input: Tn, target: Tn, reduction: str = "mean") -> Any:
    """-input[target] along the class axis: `input` holds log-probabilities (N, C, ...) or (C,)."""
    op = "nll_loss"
    _need_float(op, input, "log-probabilities")
    x = input._data
    t, axis = _class_indices(op, input, target, reduction)
    xp = input._device.xp
    per_item = -xp.take_along_axis(x, xp.expand_dims(t, axis), axis=axis).squeeze(axis)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        if not needs[0]:
            return None, None
        onehot = _onehot(xp, t, axis, x.shape[axis], x.ndim)
        return onehot * -_per_class(xp, g, axis), None

    return _finish((input, target), per_item, reduction, grads)
