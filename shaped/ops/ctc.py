"""CTC loss: the forward-backward (alpha-beta) recursion in log space, as torch's CPU kernel.

The recursion runs over time with the batch and the extended label sequence (blank, l1,
blank, l2, ..., blank) as array axes. Like torch, alpha and beta both include the emission
at their step, so the posterior of class c at step t is exp(sum alpha*beta - lp + nll), and
the gradient returned for `log_probs` is torch's `exp(lp) - posterior`: the gradient through
a log-softmax (what torch returns, and equal to the true one once chained through the
log_softmax that produces log_probs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shaped import shapes, shapes_nn
from shaped.errors import DtypeError, ShapeError
from shaped.ops.core import Array, check_same, nary
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]


def _logsumexp(xp: Any, *parts: Array) -> Array:
    """log(sum(exp(parts))) elementwise, -inf where every part is -inf (no warnings)."""
    top = parts[0]
    for part in parts[1:]:
        top = xp.maximum(top, part)
    finite = xp.isfinite(top)
    base = xp.where(finite, top, 0)
    total = sum(xp.exp(part - base) for part in parts)
    positive = finite & (total > 0)
    return xp.where(positive, xp.log(xp.where(positive, total, 1)) + base, -xp.inf)


def _shift(xp: Any, a: Array, by: int, fill: float) -> Array:
    """a moved `by` places along the last axis (right for by > 0), the gap filled."""
    out = xp.full(a.shape, fill, dtype=a.dtype)
    if by > 0:
        out[..., by:] = a[..., :-by]
    else:
        out[..., :by] = a[..., -by:]
    return out


def _lengths(op: str, name: str, value: Any, xp: Any) -> Array:
    """Lengths as an int64 array: a tensor of integers, or a sequence of ints."""
    if isinstance(value, Tensor):
        data = value._data
        if data.dtype.kind not in "iu":
            raise DtypeError(
                f"{op}: {name} must be integers (sh.Int64), got {value.dtype.__name__}"
            )
        return xp.asarray(data, dtype=xp.int64)
    if isinstance(value, int):
        return xp.asarray(value, dtype=xp.int64)
    if isinstance(value, Sequence) and all(isinstance(v, int) for v in value):
        return xp.asarray(list(value), dtype=xp.int64)
    raise TypeError(f"{op}: {name} must be an Int64 tensor or a sequence of ints")


def _padded(xp: Any, targets: Array, target_lengths: Array, batch: int) -> Array:
    """(N, S) targets: the padded layout as given, the concatenated one split by length."""
    if targets.ndim == 2:
        return targets
    longest = int(target_lengths.max()) if batch else 0
    out = xp.zeros((batch, longest), dtype=targets.dtype)
    start = 0
    for n, length in enumerate(target_lengths.tolist()):
        out[n, :length] = targets[start : start + length]
        start += length
    return out


def _forward_backward(
    xp: Any, lp: Array, labels: Array, input_len: Array, target_len: Array, blank: int
) -> tuple[Array, Array]:
    """Per-sample nll (N,) and torch's gradient wrt lp (T, N, C) for a unit upstream."""
    steps, batch = lp.shape[:2]
    width = 2 * labels.shape[1] + 1
    ext = xp.full((batch, width), blank, dtype=xp.int64)
    ext[:, 1::2] = labels
    position = xp.arange(width)
    valid = position[None, :] < (2 * target_len[:, None] + 1)
    # a label may follow the one before it directly, unless they repeat (torch tests parity)
    skip = (position % 2 == 1) & (position >= 2) & (ext != _shift(xp, ext, 2, blank))
    skip_back = _shift(xp, skip, -2, False)  # s may jump to s + 2
    neg_inf = -xp.inf
    emit = xp.where(valid[None], lp[:, xp.arange(batch)[:, None], ext], neg_inf)
    alpha = xp.full((steps, batch, width), neg_inf, dtype=lp.dtype)
    beta = xp.full((steps, batch, width), neg_inf, dtype=lp.dtype)
    if steps:
        start = position[None, :] < xp.minimum(2, 2 * target_len[:, None] + 1)
        alpha[0] = xp.where(start, emit[0], neg_inf)
    for t in range(1, steps):
        prev = alpha[t - 1]
        jump = xp.where(skip, _shift(xp, prev, 2, neg_inf), neg_inf)
        step = _logsumexp(xp, prev, _shift(xp, prev, 1, neg_inf), jump) + emit[t]
        alpha[t] = xp.where((t < input_len)[:, None], step, neg_inf)
    last = 2 * target_len[:, None]
    end = (position[None, :] == last) | (position[None, :] == last - 1)
    for t in range(steps - 1, -1, -1):
        here = (t == input_len - 1)[:, None]
        if t == steps - 1:
            nxt = xp.full((batch, width), neg_inf, dtype=lp.dtype)
        else:
            nxt = beta[t + 1]
        jump = xp.where(skip_back, _shift(xp, nxt, -2, neg_inf), neg_inf)
        step = _logsumexp(xp, nxt, _shift(xp, nxt, -1, neg_inf), jump) + emit[t]
        beta[t] = xp.where(here, xp.where(end & valid, emit[t], neg_inf), step)
        beta[t] = xp.where((t < input_len)[:, None], beta[t], neg_inf)
    final = xp.maximum(input_len - 1, 0)
    if steps:
        at_end = alpha[final, xp.arange(batch)]
        tail = xp.where(end & valid, at_end, neg_inf)
        nll = -_logsumexp(xp, *(tail[:, s] for s in range(width)))
    else:
        nll = xp.full((batch,), xp.inf, dtype=lp.dtype)
    nll = xp.where(input_len == 0, xp.where(target_len == 0, 0.0, xp.inf), nll).astype(lp.dtype)
    # sum of alpha * beta over the positions of each class, in log space
    both = alpha + beta
    occupancy = xp.full(lp.shape, neg_inf, dtype=lp.dtype)
    for s in range(width):
        cls = ext[:, s]
        current = occupancy[:, xp.arange(batch), cls]
        occupancy[:, xp.arange(batch), cls] = _logsumexp(xp, current, both[:, :, s])
    finite = xp.isfinite(nll)
    safe_nll = xp.where(finite, nll, 0)
    log_post = xp.where(xp.isfinite(occupancy), occupancy - lp, neg_inf)
    grad = xp.exp(lp) - xp.exp(log_post + safe_nll[None, :, None])
    grad = xp.where(finite[None, :, None], grad, xp.nan)  # as torch: inf - inf
    active = xp.arange(steps)[:, None] < input_len[None, :]
    grad = xp.where(active[:, :, None], grad, 0)
    return nll, grad.astype(lp.dtype)


def ctc_loss(
    log_probs: Tn,
    targets: Tn,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Any:
    """torch's F.ctc_loss: log_probs (T, N, C) (a log_softmax over C), targets padded (N, S)
    or concatenated (sum(target_lengths),), lengths as Int64 tensors or sequences of ints.

    "mean" divides each sample's loss by its target length (at least 1), then averages over
    the batch, as torch; `zero_infinity` turns impossible alignments (infinite loss) into 0
    with a zero gradient. The gradient wrt log_probs is torch's (see the module docstring).
    """
    op = "ctc_loss"
    if log_probs._data.dtype.kind != "f":
        raise DtypeError(
            f"{op}: log_probs must be a float tensor, got {log_probs.dtype.__name__}; convert "
            "with .to(sh.Float32)"
        )
    if not isinstance(targets, Tensor) or targets._data.dtype.kind not in "iu":
        got = targets.dtype.__name__ if isinstance(targets, Tensor) else type(targets).__name__
        raise DtypeError(f"{op}: targets must be an integer tensor (sh.Int64), got {got}")
    if targets._device is not log_probs._device:
        check_same(op, (log_probs, targets))
    xp = log_probs._device.xp
    in_len = _lengths(op, "input_lengths", input_lengths, xp)
    tg_len = _lengths(op, "target_lengths", target_lengths, xp)
    per_item = shapes_nn.ctc(
        op, log_probs.shape, targets.shape, tuple(in_len.shape), tuple(tg_len.shape)
    )
    shapes.loss_output(per_item, reduction)
    lp = log_probs._data
    unbatched = lp.ndim == 2
    if unbatched:
        lp, in_len, tg_len = lp[:, None], in_len.reshape(1), tg_len.reshape(1)
    steps, batch, classes = lp.shape
    if not 0 <= blank < classes:
        raise ValueError(f"{op}: blank {blank} is not a class index (0..{classes - 1})")
    tg = targets._data
    tg = tg[None] if unbatched and tg.ndim == 1 else tg
    if bool((in_len > steps).any()) or bool((in_len < 0).any()):
        raise ShapeError(f"{op}: input_lengths must be in 0..{steps} (T of log_probs)")
    if tg.ndim == 1 and int(tg_len.sum()) != tg.shape[0]:
        raise ShapeError(
            f"{op}: concatenated targets hold {tg.shape[0]} labels but target_lengths sum to "
            f"{int(tg_len.sum())}"
        )
    if tg.ndim == 2 and bool((tg_len > tg.shape[1]).any()):
        raise ShapeError(f"{op}: target_lengths exceed the padded targets' length {tg.shape[1]}")
    labels = _padded(xp, tg, tg_len, batch)
    used = xp.arange(labels.shape[1])[None, :] < tg_len[:, None]
    if bool((used & ((labels < 0) | (labels >= classes))).any()):
        raise ShapeError(f"{op}: target labels must be class indices in 0..{classes - 1}")
    if bool((used & (labels == blank)).any()):
        raise ValueError(
            f"{op}: a target label equals the blank ({blank}); as in torch, targets may not "
            "hold the blank (pad beyond target_lengths with any value)"
        )
    labels = xp.where(used, labels, blank)
    nll, grad = _forward_backward(xp, lp, labels.astype(xp.int64), in_len, tg_len, blank)
    if zero_infinity:
        infinite = ~xp.isfinite(nll)
        nll = xp.where(infinite, 0, nll).astype(lp.dtype)
        grad = xp.where(infinite[None, :, None], 0, grad).astype(lp.dtype)
    if unbatched:
        grad = grad[:, 0]
    if reduction == "none":
        out = nll[0] if unbatched else nll
        weights = xp.ones(nll.shape, dtype=lp.dtype)
    elif reduction == "sum":
        out = nll.sum()
        weights = xp.ones(nll.shape, dtype=lp.dtype)
    else:
        divisor = xp.maximum(tg_len, 1).astype(lp.dtype)
        out = (nll / divisor).mean() if batch else xp.asarray(xp.nan, dtype=lp.dtype)
        weights = 1 / (divisor * batch) if batch else divisor

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        per_sample = g * weights if reduction != "none" or not unbatched else g * weights[0]
        if unbatched:
            return (grad * per_sample.reshape(()),)
        return (grad * per_sample[None, :, None],)

    return nary((log_probs,), xp.asarray(out, dtype=lp.dtype), vjp)
