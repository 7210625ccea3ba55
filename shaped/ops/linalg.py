"""matmul, the fused linear op (one record for x @ weight.T + bias), einsum, outer, bmm,
addmm, baddbmm and cosine_similarity."""

from __future__ import annotations

import math
from typing import Any

from typing_extensions import TypeVar, TypeVarTuple

from shaped import shapes
from shaped.devices import rank0
from shaped.dtypes import float_only
from shaped.errors import DtypeError
from shaped.ops.core import Array, binary, check_same, nary, sum_to
from shaped.tensor import Tensor

Tn = Tensor[Any, Any, Any, Any]
B = TypeVarTuple("B")
I = TypeVar("I")  # noqa: E741  (in_features, as in the type Linear[I, O])
O = TypeVar("O")  # noqa: E741
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


def matmul(a: Tn, b: Tn) -> Any:
    """PyTorch's matmul: 1-D operands are promoted then squeezed; batch dims broadcast."""
    if not isinstance(b, Tensor):
        raise TypeError(f"matmul: expected a tensor on the right, got {type(b).__name__}")
    if b._device is not a._device or b._data.dtype != a._data.dtype:
        check_same("matmul", (a, b))
    x, y = a._data, b._data
    if x.ndim == 2 and y.ndim == 2:
        if x.shape[1] != y.shape[0]:
            shapes.matmul(x.shape, y.shape)  # raises with the arithmetic

        def vjp2(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
            return (g @ y.T if needs[0] else None, x.T @ g if needs[1] else None)

        return binary(a, b, x @ y, vjp2)
    shapes.matmul(x.shape, y.shape)

    xp = a._device.xp

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        g = xp.asarray(g)  # a 1-D @ 1-D product is a numpy scalar
        x2 = x[None, :] if x.ndim == 1 else x
        y2 = y[:, None] if y.ndim == 1 else y
        g2 = g[..., None] if y.ndim == 1 else g  # restore N first, then M in front of it
        g2 = g2[..., None, :] if x.ndim == 1 else g2
        ga = sum_to(g2 @ y2.swapaxes(-1, -2), x2.shape).reshape(x.shape) if needs[0] else None
        gb = sum_to(x2.swapaxes(-1, -2) @ g2, y2.shape).reshape(y.shape) if needs[1] else None
        return ga, gb

    return binary(a, b, xp.asarray(x @ y), vjp)  # 1-D @ 1-D: a 0-d array, not numpy's scalar


def linear(
    x: Tensor[tuple[*B, I], D, Dev, T],
    weight: Tensor[tuple[O, I], D, Dev, Any],
    bias: Tensor[tuple[O], D, Dev, Any] | None = None,
) -> Tensor[tuple[*B, O], D, Dev, T]:
    """y = x @ weight.T + bias for x (*B, I), weight (O, I), bias (O,): one record, one GEMM each way."""
    inputs = (x, weight) if bias is None else (x, weight, bias)
    check_same("linear", inputs, weights=True)
    data, w = x._data, weight._data
    if (
        data.ndim == 0
        or w.ndim != 2
        or data.shape[-1] != w.shape[1]
        or (bias is not None and bias._data.shape != (w.shape[0],))
    ):
        shapes.linear(data.shape, w.shape, None if bias is None else bias._data.shape)
    # explicit row counts: reshape(-1, 0) of an empty array is ambiguous to numpy
    rows = math.prod(data.shape[:-1])
    flat = data.reshape(rows, w.shape[1]) if data.ndim != 2 else data
    out = flat @ w.T
    if bias is not None:
        out += bias._data  # out is fresh: add in place
    if data.ndim != 2:
        out = out.reshape(*data.shape[:-1], w.shape[0])

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        g2 = g.reshape(rows, w.shape[0]) if g.ndim != 2 else g
        gx = None
        if needs[0]:  # reshape only when needed: a fresh array (no view) can be reused later
            gx = g2 @ w if data.ndim == 2 else (g2 @ w).reshape(data.shape)
        gw = g2.T @ flat if needs[1] else None
        if bias is None:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if needs[2] else None)

    return nary(inputs, out, vjp)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- einsum, outer, bmm, addmm


def _operands(op: str, tensors: tuple[Any, ...]) -> tuple[Tn, ...]:
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: operand {i} is a {type(t).__name__}, not a tensor")
    if len(tensors) > 1:
        check_same(op, tensors)
    return tensors


def einsum(subscripts: str, *operands: Tn) -> Any:
    """torch.einsum: the result shape from the subscripts (see shapes.einsum); the gradient of
    each operand is an einsum of the upstream gradient with the other operands."""
    if not operands:
        raise TypeError("einsum: needs at least one operand")
    inputs = _operands("einsum", operands)
    arrays = [t._data for t in inputs]
    shapes.einsum(subscripts, *(a.shape for a in arrays))  # raises with torch's reasons
    terms, output = shapes.einsum_equation(subscripts, tuple(a.ndim for a in arrays))
    sizes = shapes.einsum_sizes(subscripts, terms, [a.shape for a in arrays])
    xp = inputs[0]._device.xp
    equation = ",".join(terms) + "->" + output
    out = rank0(xp.einsum(equation, *arrays, optimize=len(arrays) > 1))

    def vjp(g: Array, needs: tuple[bool, ...]) -> list[Array | None]:
        g = xp.asarray(g)
        return [
            _einsum_grad(xp, g, arrays, terms, output, sizes, i) if need else None
            for i, need in enumerate(needs)
        ]

    return nary(inputs, out, vjp)


def _einsum_grad(
    xp: Any,
    g: Array,
    arrays: list[Array],
    terms: tuple[str, ...],
    output: str,
    sizes: dict[str, Any],
    i: int,
) -> Array:
    """d(out)/d(operand i): g and the other operands contracted to operand i's letters; letters
    only operand i has are broadcast back, a repeated letter (a diagonal) is put back on it with
    an identity, and a size-1 dim that broadcast sums its gradient."""
    term = terms[i]
    letters = "".join(dict.fromkeys(term))  # each letter once, in order
    others = [t for j, t in enumerate(terms) if j != i]
    elsewhere = set(output).union(*others)
    reached = "".join(c for c in letters if c in elsewhere)
    partial = xp.einsum(
        ",".join([output, *others]) + "->" + reached,
        g,
        *(a for j, a in enumerate(arrays) if j != i),
        optimize=True,
    )
    full = [sizes[c] for c in letters]
    if reached != letters or list(partial.shape) != full:
        # letters summed inside operand i alone: the gradient is constant along them
        have = dict(zip(reached, partial.shape))
        partial = xp.broadcast_to(partial.reshape([have.get(c, 1) for c in letters]), full)
    if letters != term:  # a diagonal: scatter the gradient back onto it with identities
        spare = iter(c for c in shapes.EINSUM_LETTERS if c not in set(term) | elsewhere)
        seen: set[str] = set()
        renamed = []
        eyes = []
        for c in term:
            if c in seen:
                fresh = next(spare)
                renamed.append(fresh)
                eyes.append((c + fresh, xp.eye(sizes[c], dtype=g.dtype)))
            else:
                seen.add(c)
                renamed.append(c)
        partial = xp.einsum(
            ",".join([letters, *(sub for sub, _ in eyes)]) + "->" + "".join(renamed),
            partial,
            *(eye for _, eye in eyes),
        )
    return sum_to(xp.ascontiguousarray(partial), arrays[i].shape).astype(g.dtype, copy=False)


def outer(a: Tn, b: Tn) -> Any:
    """torch.outer: a (N,) and b (M,) give (N, M) with out[i, j] = a[i] * b[j]."""
    a, b = _operands("outer", (a, b))
    x, y = a._data, b._data
    shapes.outer(x.shape, y.shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return (g @ y if needs[0] else None, g.T @ x if needs[1] else None)

    return binary(a, b, x[:, None] * y[None, :], vjp)


def bmm(a: Tn, b: Tn) -> Any:
    """torch.bmm: (B, N, M) @ (B, M, P) gives (B, N, P); no broadcasting."""
    a, b = _operands("bmm", (a, b))
    x, y = a._data, b._data
    shapes.bmm(x.shape, y.shape)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        return (
            g @ y.swapaxes(-1, -2) if needs[0] else None,
            x.swapaxes(-1, -2) @ g if needs[1] else None,
        )

    return binary(a, b, x @ y, vjp)


def _scale(op: str, value: object, name: str, like: Tn) -> float | int:
    """alpha or beta: a Python number; with integer tensors torch truncates it to an int."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{op}: {name} must be a Python number, got {type(value).__name__}")
    return int(value) if like._data.dtype.kind != "f" else value


def _add_product(
    op: str, x: Tn, first: Tn, second: Tn, beta: object, alpha: object, batched: bool
) -> Any:
    """beta * x + alpha * (first @ second), x broadcast to the product (addmm, baddbmm)."""
    inputs = _operands(op, (x, first, second))
    data, m1, m2 = (t._data for t in inputs)
    rule = shapes.baddbmm if batched else shapes.addmm
    rule(data.shape, m1.shape, m2.shape)
    b, s = _scale(op, beta, "beta", x), _scale(op, alpha, "alpha", x)
    product = m1 @ m2
    out = product if s == 1 else product * s
    # beta == 0 ignores the input: its NaN and inf do not propagate, as torch
    if b != 0:
        out = out + (data if b == 1 else data * b)
    out = out.astype(product.dtype, copy=False)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        scaled = g if s == 1 else g * s
        return (
            sum_to(g if b == 1 else g * b, data.shape).astype(g.dtype, copy=False)
            if needs[0]
            else None,
            (scaled @ m2.swapaxes(-1, -2)).astype(g.dtype, copy=False) if needs[1] else None,
            (m1.swapaxes(-1, -2) @ scaled).astype(g.dtype, copy=False) if needs[2] else None,
        )

    return nary(inputs, out, vjp)


def addmm(x: Tn, mat1: Tn, mat2: Tn, *, beta: float = 1, alpha: float = 1) -> Any:
    """torch.addmm: beta * x + alpha * (mat1 @ mat2), mat1 (N, M), mat2 (M, P), x broadcast."""
    return _add_product("addmm", x, mat1, mat2, beta, alpha, batched=False)


def baddbmm(x: Tn, batch1: Tn, batch2: Tn, *, beta: float = 1, alpha: float = 1) -> Any:
    """torch.baddbmm: beta * x + alpha * bmm(batch1, batch2), x broadcast to (B, N, P)."""
    return _add_product("baddbmm", x, batch1, batch2, beta, alpha, batched=True)


def cosine_similarity(
    x1: Tn, x2: Tn, axis: int = 1, eps: float = 1e-8, *, dim: int | None = None
) -> Any:
    """F.cosine_similarity as torch computes it: each input over its norm clamped to eps, then
    summed along `axis` (torch's `dim=`); the clamp is outside autograd in torch, so the
    gradient is its too."""
    if dim is not None:
        if axis not in (1, dim):
            raise TypeError("cosine_similarity: give axis= or dim=, not both")
        axis = dim
    x1, x2 = _operands("cosine_similarity", (x1, x2))
    message = float_only("cosine_similarity", x1.dtype)
    if message is not None:
        raise DtypeError(message)
    a, b = x1._data, x2._data
    shapes.cosine_similarity(a.shape, b.shape, axis)
    xp = x1._device.xp
    shape = shapes.broadcast("cosine_similarity", a.shape, b.shape)
    axis = shapes.normalize_axis("cosine_similarity", axis, len(shape))
    a_full, b_full = xp.broadcast_to(a, shape), xp.broadcast_to(b, shape)
    norm_a = xp.sqrt((a_full * a_full).sum(axis=axis, keepdims=True))
    norm_b = xp.sqrt((b_full * b_full).sum(axis=axis, keepdims=True))
    clamped_a, clamped_b = xp.maximum(norm_a, eps), xp.maximum(norm_b, eps)
    unit_a, unit_b = a_full / clamped_a, b_full / clamped_b
    out = rank0((unit_a * unit_b).sum(axis=axis))

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, Array | None]:
        g = xp.expand_dims(g, axis)
        cos = xp.expand_dims(out, axis)

        def grad(x: Array, norm: Array, clamped: Array, other_unit: Array, like: Array) -> Array:
            # the norm's own gradient is x / norm, 0 at a zero vector (torch's norm backward)
            direction = xp.where(norm == 0, 0, x / xp.where(norm == 0, 1, norm))
            full = g * (other_unit - cos * direction) / clamped
            return sum_to(full.astype(g.dtype, copy=False), like.shape)

        return (
            grad(a_full, norm_a, clamped_a, unit_b, a) if needs[0] else None,
            grad(b_full, norm_b, clamped_b, unit_a, b) if needs[1] else None,
        )

    return binary(x1, x2, out, vjp)
