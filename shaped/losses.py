"""Loss functions with torch.nn.functional's semantics: `(input, target, reduction="mean")`.

Each loss is one record: the per-item loss and its closed-form gradient are computed
together, and the reduction ("mean", "sum" or "none") only scales the upstream gradient.
A traced float target gets a gradient, as in PyTorch; integer class targets get none.
cross_entropy fuses log-softmax and NLL, so its gradient is (softmax - onehot) / N; with
torch's weight, ignore_index and label_smoothing it stays one record. torch's options are
keywords here (the third positional argument is `reduction`). The losses of more operands
(triplet, CTC, ...) live in shaped/losses_more.py and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol, overload

from typing_extensions import TypeVar

from shaped import shapes, shapes_nn
from shaped.dtypes import NoTape, OwnedTape
from shaped.errors import DtypeError, ShapeError
from shaped.losses_more import _BinaryLogitsLoss, _BinaryLoss, _CrossEntropy, _KlDivLoss
from shaped.ops.core import Array, check_same, nary
from shaped.ops.nn import _log_softmax
from shaped.tensor import Tensor

__all__ = [
    "binary_cross_entropy",
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
    """Log-probabilities with class indices (any int dtype); weight and ignore_index as torch."""

    @overload
    def __call__(
        self,
        input: Tensor[S, D, Dev, T],
        target: Tensor[Any, Any, Dev, NoTape],
        reduction: Reduce = ...,
        *,
        weight: Tensor[Any, D, Dev, Any] | None = ...,
        ignore_index: int = ...,
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


def _cross_entropy(fn: Callable[..., Any]) -> _CrossEntropy:
    return fn


def _kl_div_loss(fn: Callable[..., Any]) -> _KlDivLoss:
    return fn


def _binary_loss(fn: Callable[..., Any]) -> _BinaryLoss:
    return fn


def _binary_logits_loss(fn: Callable[..., Any]) -> _BinaryLogitsLoss:
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


def _finish(
    inputs: tuple[Tn, ...], per_item: Array, reduction: str, grads: Grads, count: Any = None
) -> Any:
    """Reduce the per-item losses; `grads(g_item, needs)` gets the upstream gradient per item
    (a full array for "none", a 0-d array otherwise, already divided by the count for "mean").
    `count` is the divisor of "mean" (default: the number of items; a weight sum for weighted
    class losses), as torch: a zero count gives NaN."""
    xp = inputs[0]._device.xp
    if reduction == "none":  # an unbatched item is a numpy scalar: keep a 0-d array
        return nary(inputs, xp.asarray(per_item), grads)
    count = per_item.size if count is None else count
    total = per_item.sum()
    if reduction == "sum":
        out = xp.asarray(total, dtype=per_item.dtype)
        return nary(inputs, out, grads)
    out = xp.asarray(total / count if count else xp.nan, dtype=per_item.dtype)
    scale = 1.0 / count if count else 0.0
    return nary(inputs, out, lambda g, needs: grads(g * scale, needs))


def _constant(op: str, name: str, tensor: Tn | None, like: Tn, shape: tuple[int, ...]) -> Any:
    """A weight-like tensor (weight, pos_weight) as data: the input's dtype and device, a shape
    that broadcasts to `shape`; it gets no gradient, as in torch, so a traced one is an error."""
    if tensor is None:
        return None
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor or None, got {type(tensor).__name__}")
    check_same(op, (like, tensor))
    if tensor._tape is not None:
        raise ValueError(
            f"{op}: {name} gets no gradient (as in torch); pass {name}.detach() instead of a "
            "traced tensor"
        )
    out_shape = shapes.broadcast(op, shape, tensor.shape)
    if out_shape != shape:
        raise ShapeError(
            f"{op}: {name} of shape {shapes.fmt(tensor.shape)} must broadcast to the input's "
            f"shape {shapes.fmt(shape)}"
        )
    return tensor._data


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


@_binary_loss
def binary_cross_entropy(
    input: Tn, target: Tn, reduction: str = "mean", *, weight: Tn | None = None
) -> Any:
    """-w (t log(p) + (1 - t) log(1 - p)) for probabilities p in [0, 1], as torch.

    Each log is clamped at -100, as torch, so p = 0 or 1 gives a finite loss; the gradient is
    w (p - t) / max(p (1 - p), 1e-12) as torch's. `weight` (no gradient) broadcasts to p.
    """
    op = "binary_cross_entropy"
    x, t = _pair(op, input, target, reduction)
    w = _constant(op, "weight", weight, input, x.shape)
    xp = input._device.xp
    if x.size and bool(((x < 0) | (x > 1)).any()):
        raise ValueError(
            f"{op}: all elements of input should be between 0 and 1; apply .sigmoid() first, "
            "or use binary_cross_entropy_with_logits on the logits"
        )
    # log(0) is -inf without a warning: the clamp at -100 makes the loss finite
    log_p = xp.where(x > 0, xp.log(xp.where(x > 0, x, 1)), -xp.inf)
    log_q = xp.where(x < 1, xp.log1p(-xp.where(x < 1, x, 0)), -xp.inf)
    per_item = -(t * xp.maximum(log_p, -100.0) + (1 - t) * xp.maximum(log_q, -100.0))
    if w is not None:
        per_item = per_item * w

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        scale = g if w is None else g * w
        gx = (x - t) / xp.maximum(x * (1 - x), 1e-12) * scale if needs[0] else None
        return gx, ((log_q - log_p) * scale if needs[1] else None)

    return _finish((input, target), per_item, reduction, grads)


@_binary_logits_loss
def binary_cross_entropy_with_logits(
    input: Tn,
    target: Tn,
    reduction: str = "mean",
    *,
    weight: Tn | None = None,
    pos_weight: Tn | None = None,
) -> Any:
    """-w (pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))), stable for any logits.

    `pos_weight` (pw, per class: it broadcasts, e.g. shape (C,)) weighs the positive term,
    `weight` the whole loss, as torch; neither gets a gradient.
    """
    op = "binary_cross_entropy_with_logits"
    x, t = _pair(op, input, target, reduction)
    w = _constant(op, "weight", weight, input, x.shape)
    pw = _constant(op, "pos_weight", pos_weight, input, x.shape)
    xp = input._device.xp
    decay = xp.exp(-xp.abs(x))  # in (0, 1]: never overflows
    softplus_neg = xp.maximum(-x, 0) + xp.log1p(decay)  # -log sigmoid(x)
    if pw is None:
        per_item = xp.maximum(x, 0) - x * t + xp.log1p(decay)
    else:
        per_item = (1 - t) * x + (1 + (pw - 1) * t) * softplus_neg
    if w is not None:
        per_item = per_item * w

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        scale = g if w is None else g * w
        sigmoid = xp.where(x >= 0, 1.0, decay) / (1.0 + decay)
        if pw is None:
            gx, gt = sigmoid - t, -x
        else:
            gx = (1 - t) - (1 + (pw - 1) * t) * (1 - sigmoid)
            gt = -x + (pw - 1) * softplus_neg
        return (gx * scale if needs[0] else None, gt * scale if needs[1] else None)

    return _finish((input, target), per_item, reduction, grads)


@_kl_div_loss
def kl_div(input: Tn, target: Tn, reduction: str = "mean", *, log_target: bool = False) -> Any:
    """torch's kl_div: target * (log(target) - input), 0 where target is 0.

    `input` holds log-probabilities, `target` probabilities (log-probabilities with
    `log_target=True`: exp(target) * (target - input)); "mean" averages over every element, as
    torch's default. As in torch, the target's gradient is NaN where it is 0.
    """
    x, t = _pair("kl_div", input, target, reduction)
    xp = input._device.xp
    if log_target:
        probs = xp.exp(t)

        def log_grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
            return (
                -probs * g if needs[0] else None,
                probs * (t - x + 1) * g if needs[1] else None,
            )

        return _finish((input, target), probs * (t - x), reduction, log_grads)
    zero = t == 0
    # xlogy(t, t): 0 * log 0 counts as 0; a negative target is NaN, as torch (without a warning)
    log_t = xp.where(t < 0, xp.nan, xp.log(xp.where(t > 0, t, 1)))
    per_item = t * log_t - t * x

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        return (
            -t * g if needs[0] else None,
            (log_t + xp.where(zero, xp.nan, 1.0).astype(t.dtype) - x) * g if needs[1] else None,
        )

    return _finish((input, target), per_item, reduction, grads)


# ---------------------------------------------------------------- class losses


def _class_indices(
    op: str, logits: Tn, target: Tn, reduction: str, ignore_index: int = -100
) -> tuple[Array, int]:
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
            bad = bad & (t != ignore_index)
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


def _class_weight(op: str, weight: Tn | None, input: Tn, axis: int) -> Any:
    """A per-class weight (C,) as data shaped to broadcast along the class axis, or None."""
    if weight is None:
        return None
    x = input._data
    classes = x.shape[axis]
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor or None, got {type(weight).__name__}")
    shapes_nn.class_weight(op, classes, weight.shape)
    data = _constant(op, "weight", weight, input, (classes,))
    shape = [1] * x.ndim
    shape[axis] = classes
    return data.reshape(shape)


def _index_terms(
    xp: Any,
    log_probs: Array,
    t: Array,
    axis: int,
    weight: Any,
    ignore_index: int,
    smoothing: float,
) -> tuple[Array, Array, Callable[[Array], Array]]:
    """torch's NLL with weight, ignore_index and label smoothing on log-probabilities.

    Returns the per-item losses, the divisor of "mean" (the summed weight of the targets that
    are not ignored, as torch), and the gradient wrt the log-probabilities given the per-item
    upstream gradient. Smoothing mixes in eps/C times the (weighted) sum over all classes."""
    classes = log_probs.shape[axis]
    ignored = t == ignore_index
    safe = xp.where(ignored, 0, t)
    keep = (~ignored).astype(log_probs.dtype)
    class_w = xp.ones((1,) * log_probs.ndim, log_probs.dtype) if weight is None else weight
    item_w = keep if weight is None else weight.reshape(-1)[safe] * keep
    picked = xp.take_along_axis(log_probs, xp.expand_dims(safe, axis), axis=axis).squeeze(axis)
    per_item = -(1 - smoothing) * item_w * picked
    if smoothing:
        spread = (log_probs * class_w).sum(axis=axis)
        per_item = per_item - (smoothing / classes) * keep * spread

    def grad_log_probs(g: Array) -> Array:
        onehot = _onehot(xp, safe, axis, classes, log_probs.ndim)
        out = onehot * _per_class(xp, -(1 - smoothing) * item_w * g, axis)
        if smoothing:
            out = out - class_w * _per_class(xp, (smoothing / classes) * keep * g, axis)
        return out

    return per_item, item_w.sum(), grad_log_probs


@_cross_entropy
def cross_entropy(
    input: Tn,
    target: Tn,
    reduction: str = "mean",
    *,
    weight: Tn | None = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Any:
    """log-softmax over the class axis and NLL in one record, as torch's F.cross_entropy.

    `input` is logits (N, C, d1, ...) or unbatched (C,); `target` is integer class indices
    (N, d1, ...) or (), or float probabilities of the logits' shape. `weight` (C,) weighs each
    class, items whose target is `ignore_index` count for nothing, and `label_smoothing` eps
    mixes the target with the uniform distribution, all as torch: "mean" divides by the
    summed weight of the counted targets (N * d1 * ... without weight; for probability
    targets always by N * d1 * ...). The third positional argument is `reduction` (shaped's
    order); weight and the others are keywords.
    """
    op = "cross_entropy"
    _need_float(op, input, "logits")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    x = input._data
    if x.ndim == 0:
        shapes.class_target(op, x.shape, target._data.shape)
    xp = input._device.xp
    axis = 0 if x.ndim == 1 else 1
    class_w = _class_weight(op, weight, input, axis)
    if target._data.dtype.kind == "f":
        check_same(op, (input, target))
        t = target._data
        if t.shape != x.shape:
            shapes.same_shape(op, x.shape, t.shape)
        shapes.loss_output(x.shape[:axis] + x.shape[axis + 1 :], reduction)
        log_probs = _log_softmax(xp, x, axis)
        keep = 1 - label_smoothing
        mixed = t * keep + label_smoothing / x.shape[axis] if label_smoothing else t
        weighted = mixed if class_w is None else mixed * class_w
        per_item = -(weighted * log_probs).sum(axis=axis)

        def soft_grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
            g = _per_class(xp, g, axis)
            gx = None
            if needs[0]:
                gx = (xp.exp(log_probs) * weighted.sum(axis=axis, keepdims=True) - weighted) * g
            gt = None
            if needs[1]:
                gt = -log_probs * (keep if class_w is None else keep * class_w) * g
            return gx, gt

        return _finish((input, target), per_item, reduction, soft_grads)
    t, axis = _class_indices(op, input, target, reduction, ignore_index)
    log_probs = _log_softmax(xp, x, axis)
    if class_w is None and not label_smoothing and not (t == ignore_index).any():
        # the common case: one gather, the gradient (softmax - onehot) / N
        picked = xp.take_along_axis(log_probs, xp.expand_dims(t, axis), axis=axis)
        per_item = -picked.squeeze(axis)

        def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
            if not needs[0]:
                return None, None
            onehot = _onehot(xp, t, axis, x.shape[axis], x.ndim)
            return (xp.exp(log_probs) - onehot) * _per_class(xp, g, axis), None

        return _finish((input, target), per_item, reduction, grads)
    per_item, count, grad_lp = _index_terms(
        xp, log_probs, t, axis, class_w, ignore_index, label_smoothing
    )

    def weighted_grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        if not needs[0]:
            return None, None
        g_lp = grad_lp(g)  # through log-softmax: g - softmax * sum(g)
        return g_lp - xp.exp(log_probs) * g_lp.sum(axis=axis, keepdims=True), None

    return _finish((input, target), per_item, reduction, weighted_grads, count)


@_class_loss
def nll_loss(
    input: Tn,
    target: Tn,
    reduction: str = "mean",
    *,
    weight: Tn | None = None,
    ignore_index: int = -100,
) -> Any:
    """-weight[t] * input[t] along the class axis: `input` holds log-probabilities (N, C, ...)
    or (C,); `ignore_index` and the weighted "mean" as torch's F.nll_loss."""
    op = "nll_loss"
    _need_float(op, input, "log-probabilities")
    x = input._data
    t, axis = _class_indices(op, input, target, reduction, ignore_index)
    xp = input._device.xp
    class_w = _class_weight(op, weight, input, axis)
    per_item, count, grad_lp = _index_terms(xp, x, t, axis, class_w, ignore_index, 0.0)

    def grads(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        return (grad_lp(g) if needs[0] else None), None

    return _finish((input, target), per_item, reduction, grads, count)


# ---------------------------------------------------------------- more losses (issue 12)

from shaped.losses_more import (  # noqa: E402  (they use this module's tensors and rules)
    cosine_embedding_loss,
    ctc_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)

__all__ += [
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
