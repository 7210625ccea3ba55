"""Unknown is never an error: `int` dims, unknown ranks, TypeVars and Any degrade the result."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")
Tp = TypeVar("Tp")
M = TypeVar("M")
K = TypeVar("K")
N = TypeVar("N")
AnyRank = tuple[Any, ...]

dev = sh.Cpu(seed=0)
w: sh.Tensor[tuple[L[10], L[784]]] = dev.randn((10, 784))
table: sh.Tensor[tuple[L[50], L[8]]] = dev.randn((50, 8))


def batch_dims(x: sh.Tensor[tuple[int, L[784]]], n: int) -> None:
    """A batch known only at run time: its dim stays `int`, the others stay literal."""
    assert_type(x + x, sh.Tensor[tuple[int, L[784]]])
    assert_type(x + dev.randn((784,)), sh.Tensor[tuple[int, L[784]]])
    assert_type(x * dev.randn((3, 1, 784)), sh.Tensor[tuple[L[3], int, L[784]]])
    assert_type(x @ w.T, sh.Tensor[tuple[int, L[10]]])
    assert_type(F.linear(x, w), sh.Tensor[tuple[int, L[10]]])
    assert_type(x.sum(axis=0), sh.Tensor[tuple[L[784]]])
    assert_type(x.sum(axis=1, keepdims=True), sh.Tensor[tuple[int, L[1]]])
    assert_type(x.mean(), sh.Tensor[tuple[()]])
    assert_type(x.reshape(-1, 28, 28), sh.Tensor[tuple[int, L[28], L[28]]])
    assert_type(x.reshape(n, 784), sh.Tensor[tuple[int, L[784]]])
    assert_type(x.reshape(n, -1), sh.Tensor[tuple[int, int]])
    assert_type(x.flatten(), sh.Tensor[tuple[int]])
    assert_type(x.T, sh.Tensor[tuple[L[784], int]])
    assert_type(x.unsqueeze(1), sh.Tensor[tuple[int, L[1], L[784]]])
    assert_type(x[0], sh.Tensor[tuple[L[784]]])
    assert_type(x[:5, ::2], sh.Tensor[tuple[int, L[392]]])
    assert_type(x.squeeze(1), sh.Tensor[tuple[int, L[784]]])
    assert_type(x.squeeze(), sh.Tensor[AnyRank])
    assert_type(x.squeeze(0), sh.Tensor[AnyRank])
    assert_type(sh.concat([x, x]), sh.Tensor[tuple[int, L[784]]])
    assert_type(sh.concat([x, dev.randn((5, 784))]), sh.Tensor[tuple[int, L[784]]])
    assert_type(sh.stack([x, x], axis=-1), sh.Tensor[tuple[int, L[784], L[2]]])
    assert_type(x.realize((64, 784)), sh.Tensor[tuple[L[64], L[784]]])
    assert_type(dev.zeros((n, 784)), sh.Tensor[tuple[int, L[784]]])
    assert_type(x.argmax(axis=1), sh.Tensor[tuple[int], sh.Int64])
    labels: sh.Tensor[tuple[int], sh.Int64] = x.argmax(axis=1)
    assert_type(
        losses.cross_entropy(F.linear(x, w), labels, reduction="none"), sh.Tensor[tuple[int]]
    )
    assert_type(F.embedding(labels, table), sh.Tensor[tuple[int, L[8]]])
    images = x.reshape(-1, 1, 28, 28)
    assert_type(F.max_pool2d(images, 2), sh.Tensor[tuple[int, L[1], L[14], L[14]]])


def unknown_arguments(x: sh.Tensor[tuple[L[4], L[6]]], n: int, axes: tuple[int, ...]) -> None:
    """Arguments known only at run time: the rank is kept where it is known, else unknown."""
    assert_type(x.sum(axis=n), sh.Tensor[AnyRank])
    assert_type(x.reshape(n, n), sh.Tensor[tuple[int, int]])
    assert_type(x.reshape(*axes), sh.Tensor[AnyRank])
    assert_type(x.permute(*axes), sh.Tensor[AnyRank])
    assert_type(x.transpose(n, 0), sh.Tensor[AnyRank])
    assert_type(x[n], sh.Tensor[AnyRank])
    assert_type(x.unsqueeze(n), sh.Tensor[AnyRank])
    assert_type(F.max_pool2d(x.reshape(1, 1, 4, 6), n), sh.Tensor[AnyRank])
    assert_type(F.softmax(x, axis=n), sh.Tensor[tuple[L[4], L[6]]])
    assert_type(dev.arange(n), sh.Tensor[tuple[int], sh.Int64])
    assert_type(dev.eye(n, 3), sh.Tensor[tuple[int, L[3]]])


def unknown_rank(x: sh.Tensor[AnyRank], y: sh.Tensor[tuple[L[2], L[3]]]) -> None:
    """A tensor of unknown rank: nothing to check statically; the run time checks."""
    assert_type(x + y, sh.Tensor[AnyRank])
    assert_type(y * x, sh.Tensor[AnyRank])
    assert_type(x @ y, sh.Tensor[AnyRank])
    assert_type(x.sum(axis=5), sh.Tensor[AnyRank])
    assert_type(x.sum(), sh.Tensor[tuple[()]])
    assert_type(x.reshape(2, 3), sh.Tensor[tuple[int, int]])
    assert_type(x[0, 1], sh.Tensor[AnyRank])
    assert_type(F.linear(x, w), sh.Tensor[AnyRank])
    assert_type(x.flatten(), sh.Tensor[tuple[int]])
    assert_type(x.trace().mean(), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
    assert_type(losses.mse_loss(x, x), sh.Tensor[tuple[()]])
    assert_type(sh.concat([x, y]), sh.Tensor[AnyRank])


def generic(x: sh.Tensor[S, Dt, Dv, Tp], other: sh.Tensor[S, Dt, Dv, Tp]) -> None:
    """A user's TypeVars: kept where the op keeps them, never an error."""
    assert_type(x + other, sh.Tensor[S, Dt, Dv, Tp])
    assert_type(x * 2.0, sh.Tensor[S, Dt, Dv, Tp])
    assert_type(x.exp(), sh.Tensor[S, Dt, Dv, Tp])
    assert_type(x.sum(), sh.Tensor[tuple[()], Dt, Dv, Tp])
    assert_type(x.sum(axis=0), sh.Tensor[AnyRank, Dt, Dv, Tp])
    assert_type(x.detach(), sh.Tensor[S, Dt, Dv, sh.NoTape])
    assert_type(x.traced(sh.Gradients()), sh.Tensor[S, Dt, Dv, sh.OwnedTape])
    assert_type(x > 0.0, sh.Tensor[S, sh.Bool, Dv])
    assert_type(x.reshape(-1), sh.Tensor[tuple[int], Dt, Dv, Tp])
    assert_type(F.softmax(x, axis=-1), sh.Tensor[S, Dt, Dv, Tp])


def generic_dims(
    a: sh.Tensor[tuple[M, K], Dt, Dv, Tp],
    b: sh.Tensor[tuple[K, N], Dt, Dv],
    c: sh.Tensor[tuple[M, L[3]]],
) -> None:
    """Dims named by TypeVars pass through the rules as themselves; a dim computed from them
    is `int`, as the pure signatures say."""
    assert_type(a + a, sh.Tensor[tuple[M, K], Dt, Dv, Tp])
    assert_type(a * 2.0, sh.Tensor[tuple[M, K], Dt, Dv, Tp])
    assert_type(a @ b, sh.Tensor[tuple[M, N], Dt, Dv, Tp])
    assert_type(a.T, sh.Tensor[tuple[K, M], Dt, Dv, Tp])
    assert_type(a.sum(axis=0), sh.Tensor[tuple[K], Dt, Dv, Tp])
    assert_type(a.unsqueeze(0), sh.Tensor[tuple[L[1], M, K], Dt, Dv, Tp])
    assert_type(c @ dev.randn((3, 4)), sh.Tensor[tuple[M, L[4]]])
    assert_type(F.linear(c, dev.randn((5, 3))), sh.Tensor[tuple[M, L[5]]])
    assert_type(a.reshape(-1, 2), sh.Tensor[tuple[int, L[2]], Dt, Dv, Tp])
    assert_type(c.reshape(-1), sh.Tensor[tuple[int]])


def with_any(a: Any, t: sh.Tensor[Any, Any, Any, Any], y: sh.Tensor[tuple[L[2], L[3]]]) -> None:
    """Any on either side: mypy's own rule (a reflected operator may apply) gives Any."""
    assert_type(y + a, Any)
    assert_type(y @ a, Any)
    assert_type(y.maximum(a), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, Any])
    assert_type(y.trace().minimum(a), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, sh.OwnedTape])
    assert_type(t + t, sh.Tensor[Any, Any, Any, Any])
    assert_type(t.sum(axis=0), sh.Tensor[AnyRank, Any, Any, Any])
    assert_type(F.linear(a, a), Any)
    # `a` may carry a tape: only a known OwnedTape settles the result's
    assert_type(sh.concat([y, a]), sh.Tensor[AnyRank, sh.Float32, sh.Cpu, Any])


def unknown_tape(
    w: sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, Any], y: sh.Tensor[tuple[L[2], L[3]]]
) -> None:
    """A tape not known may be a real one: only a known OwnedTape settles the result, so the
    loss's backward() is no [no-tape] error (pyright picks its first overload: NoTape)."""
    assert_type((y * w).sum(), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, Any])
    assert_type(w - y.trace(), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
    (w * y).sum().backward()
