"""User code generic over shape, dtype, device and tape; `int` batch dims; `Any`.

Clean under mypy with the plugin and under pyright, and it runs: the static and run-time
views agree on code that neither checker can see all the numbers of.
"""

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

dev = sh.Cpu(seed=0)


# ---------------------------------------------------------------- TypeVars over S, D, Dev, T


def scale_shift(x: sh.Tensor[S, Dt, Dv, Tp], scale: float) -> sh.Tensor[S, Dt, Dv, Tp]:
    """Same-shape ops keep the user's TypeVars in both checkers."""
    return (x * scale + 1.0).relu().tanh()


def softmax_last(x: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[S, Dt, Dv, Tp]:
    return F.softmax(x, axis=-1)


def drop_tape(x: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[S, Dt, Dv, sh.NoTape]:
    return x.detach()


def matmul(
    a: sh.Tensor[tuple[M, K], Dt, Dv, Tp], b: sh.Tensor[tuple[K, N], Dt, Dv]
) -> sh.Tensor[tuple[M, N], Dt, Dv, Tp]:
    return a @ b


def project(
    x: sh.Tensor[tuple[M, K], Dt, Dv, Tp], weight: sh.Tensor[tuple[N, K], Dt, Dv]
) -> sh.Tensor[tuple[M, N], Dt, Dv, Tp]:
    return F.linear(x, weight)


def swap(x: sh.Tensor[tuple[M, K], Dt, Dv, Tp]) -> sh.Tensor[tuple[K, M], Dt, Dv, Tp]:
    return x.T


def residual(x: sh.Tensor[tuple[M, K], Dt, Dv, Tp]) -> sh.Tensor[tuple[M, K], Dt, Dv, Tp]:
    return x + scale_shift(x, 0.5)


def total(x: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[tuple[()], Dt, Dv, Tp]:
    return x.sum()


a: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
b: sh.Tensor[tuple[L[3], L[4]]] = dev.randn((3, 4))
w: sh.Tensor[tuple[L[5], L[3]]] = dev.randn((5, 3))
grads = sh.Gradients()
at = a.traced(grads)
assert_type(scale_shift(a, 2.0), sh.Tensor[tuple[L[2], L[3]]])
assert_type(scale_shift(at, 2.0), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(softmax_last(a.to(sh.Float64)), sh.Tensor[tuple[L[2], L[3]], sh.Float64])
assert_type(drop_tape(at), sh.Tensor[tuple[L[2], L[3]]])
assert_type(matmul(a, b), sh.Tensor[tuple[L[2], L[4]]])
assert_type(matmul(at, b), sh.Tensor[tuple[L[2], L[4]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(project(a, w), sh.Tensor[tuple[L[2], L[5]]])
assert_type(swap(a), sh.Tensor[tuple[L[3], L[2]]])
assert_type(residual(at), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(total(at), sh.Tensor[tuple[()], sh.Float32, sh.Cpu, sh.OwnedTape])
assert total(at).backward() is grads


# ---------------------------------------------------------------- int batch dims


def classify(
    x: sh.Tensor[tuple[int, L[3]], Dt, Dv, Tp],
    weight: sh.Tensor[tuple[L[5], L[3]], Dt, Dv],
    bias: sh.Tensor[tuple[L[5]], Dt, Dv],
) -> sh.Tensor[tuple[int, L[5]], Dt, Dv, Tp]:
    """A batch size known only at run time: `int` in, `int` out."""
    return F.linear(x, weight, bias).relu()


def batch_loss(
    x: sh.Tensor[tuple[int, L[3]]], labels: sh.Tensor[tuple[int], sh.Int64]
) -> sh.Tensor[tuple[()]]:
    logits = classify(x, w, dev.zeros((5,)))
    return losses.cross_entropy(logits, labels)


def first_rows(x: sh.Tensor[tuple[int, L[3]]], n: int) -> sh.Tensor[tuple[int, L[3]]]:
    return x[:n]


batch_size: int = 7
batch: sh.Tensor[tuple[int, L[3]]] = dev.randn((batch_size, 3))
labels: sh.Tensor[tuple[int], sh.Int64] = dev.zeros((batch_size,), dtype=sh.Int64)
assert_type(classify(batch, w, dev.zeros((5,))), sh.Tensor[tuple[int, L[5]]])
assert_type(batch_loss(batch, labels), sh.Tensor[tuple[()]])
assert_type(first_rows(batch, 2), sh.Tensor[tuple[int, L[3]]])
assert first_rows(batch, 2).shape == (2, 3)
sized = batch.realize((7, 3))
assert_type(sized, sh.Tensor[tuple[L[7], L[3]]])
column: sh.Tensor[tuple[int, L[1]]] = batch.sum(axis=1, keepdims=True)
merged: sh.Tensor[tuple[int, L[3]]] = sh.concat([batch, a])
counts: sh.Tensor[tuple[int]] = batch.mean(axis=1)


# ---------------------------------------------------------------- Any and unknown ranks


def untyped(x: Any) -> Any:
    return x * 2.0


def any_rank(x: sh.Tensor[tuple[Any, ...]]) -> sh.Tensor[tuple[()]]:
    return (x.exp() + 1.0).log().mean()


loose: Any = a
also: sh.Tensor[tuple[L[2], L[3]]] = untyped(a)
dynamic = a + loose
summed: sh.Tensor[tuple[()]] = any_rank(a) + any_rank(b)
table: dict[str, sh.Tensor[Any, Any, Any, Any]] = {"a": a, "b": b, "at": at}
for name, tensor in table.items():
    print(name, tensor.shape)
anything: sh.Tensor[Any, Any, Any, Any] = a.flatten()
print(untyped(anything).shape, dynamic.shape, summed.item())
