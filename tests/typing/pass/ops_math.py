"""Valid programs with issue 11's math and activations: clean under mypy and pyright."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

S = TypeVar("S", bound=tuple[Any, ...])
Dt = TypeVar("Dt")
Dv = TypeVar("Dv")
Tp = TypeVar("Tp")

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3]]] = dev.randn((2, 3))
row: sh.Tensor[tuple[L[3]]] = dev.randn((3,))
ints: sh.Tensor[tuple[L[4]], sh.Int64] = dev.tensor([1, 2, 3, 4])
img: sh.Tensor[tuple[L[8], L[4], L[5], L[5]]] = dev.randn((8, 4, 5, 5))


def swish_block(t: sh.Tensor[S, Dt, Dv, Tp]) -> sh.Tensor[S, Dt, Dv, Tp]:
    """Generic code keeps its TypeVars through the same-shape ops."""
    return F.silu(t).erf().log1p().clamp(-1.0, 1.0).nan_to_num()


assert_type(swish_block(x), sh.Tensor[tuple[L[2], L[3]]])
traced = x.trace()
assert_type(swish_block(traced), sh.Tensor[tuple[L[2], L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])

# same-shape binary ops keep the shape in pure typing too; broadcasting is accepted
same: sh.Tensor[tuple[L[2], L[3]]] = x.atan2(x) + x.logaddexp(x) + x % x + x % 2.0
wide = x.atan2(row) + (x // row) + x.lerp(row, 0.5) + x.clamp(row, 2.0)
mask: sh.Tensor[tuple[L[2], L[3]], sh.Bool] = (x > 0) & (x < 1) | ~(x > 2) ^ (x == 0)
bits: sh.Tensor[tuple[L[4]], sh.Int64] = (ints & 6) | (ints ^ 1) | ~ints | (ints // 2) | (3 & ints)
finite: sh.Tensor[tuple[L[2], L[3]], sh.Bool] = x.isfinite() & ~x.isnan() & ~x.isinf()
probs: sh.Tensor[tuple[L[2], L[3]]] = x.softmax(1) + x.log_softmax(-1).exp() + F.softmin(x)
acts: sh.Tensor[tuple[L[2], L[3]]] = (
    F.elu(x) + F.selu(x) + F.celu(x, 0.5) + F.softplus(x) + F.mish(x) + F.hardswish(x)
    + F.hardsigmoid(x) + F.hardtanh(x) + F.relu6(x) + F.logsigmoid(x) + F.softsign(x)
)  # fmt: skip
halved = F.glu(img, 1)
slope = F.prelu(img, dev.randn((4,)))
modules = sh.nn.Sequential(sh.nn.Linear(3, 8), sh.nn.Mish(), sh.nn.PReLU(), sh.nn.Linear(8, 2))
out = modules(x)
out.sum().item()
loss = (traced.tan().atan() * x.rsqrt().nan_to_num()).sum()
grads = loss.backward()
print(grads[traced].shape, halved.shape, slope.shape, same.shape, wide.shape, mask.shape)
print(bits.shape, finite.shape, probs.shape, acts.shape)
