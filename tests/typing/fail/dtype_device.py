"""No implicit dtype promotion and no implicit device moves: [dtype] and [device]."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import losses
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[4], L[3]]] = dev.randn((4, 3))
x64: sh.Tensor[tuple[L[4], L[3]], sh.Float64] = dev.randn((4, 3), dtype=sh.Float64)
w64: sh.Tensor[tuple[L[5], L[3]], sh.Float64] = dev.randn((5, 3), dtype=sh.Float64)
ints = dev.tensor([1, 2, 3])
flags = dev.tensor([True, False, True])

# Float32 data meeting Float64 weights (numpy's default float type)
x + x64  # type: ignore[dtype]  # E: add: dtypes differ (Float32 and Float64); there is no implicit promotion: convert one with .to(sh.Float32)
x64 * x  # type: ignore[dtype]  # E: mul: dtypes differ (Float64 and Float32)
x - x64  # type: ignore[dtype]  # E: sub: dtypes differ
x / x64  # type: ignore[dtype]  # E: div: dtypes differ
_ = x < x64  # type: ignore[dtype]  # E: lt: dtypes differ
x.maximum(x64)  # type: ignore[dtype]  # E: maximum: dtypes differ
x @ w64.T  # type: ignore[dtype]  # E: matmul: dtypes differ (Float32 and Float64)
sh.matmul(x, w64.T)  # type: ignore[dtype]  # E: matmul: dtypes differ
F.linear(x, w64)  # type: ignore[dtype]  # E: linear: dtypes differ (Float32 and Float64)
sh.concat([x, x64])  # type: ignore[dtype]  # E: concat: dtypes differ
sh.stack([x, x64])  # type: ignore[dtype]  # E: stack: dtypes differ
sh.where(x > 0.0, x, x64)  # type: ignore[dtype]  # E: where: dtypes differ
sh.where(x, x, 0.0)  # type: ignore[dtype]  # E: where: cond must be a Bool tensor, got Float32; compare to make one
losses.mse_loss(x, x64)  # type: ignore[dtype]  # E: mse_loss: dtypes differ
F.linear(x, w64.to(sh.Float32))

# integer and bool tensors
ints + flags  # type: ignore[dtype]  # E: add: dtypes differ (Int64 and Bool)
ints * 0.5  # type: ignore[dtype]  # E: mul: a float scalar with a Int64 tensor; a scalar takes the tensor's dtype: convert the tensor with .to(sh.Float32) first
ints + 1.5  # type: ignore[dtype]  # E: add: a float scalar with a Int64 tensor
flags - 1.0  # type: ignore[dtype]  # E: a float scalar with a Bool tensor
ints * 2
ints.to(sh.Float32) * 0.5
# the scalar on the left: mypy tries the reflected method quietly and reports the operator
0.5 * ints  # type: ignore[operator]  # E: Unsupported operand types for * ("float" and "Tensor[tuple[Literal[3]], Int64, Cpu, NoTape]")


def on_gpu(
    g: sh.Tensor[tuple[L[4], L[3]], sh.Float32, sh.Cuda],
    gw: sh.Tensor[tuple[L[5], L[3]], sh.Float32, sh.Cuda],
) -> None:
    """A tensor on the GPU meeting one on the host: move one explicitly with .to(device)."""
    x + g  # type: ignore[device]  # E: add: devices differ (Cpu and Cuda); move one with .to(sh.Cpu())
    g * x  # type: ignore[device]  # E: mul: devices differ (Cuda and Cpu); move one with .to(sh.Cuda())
    g @ x.T  # type: ignore[device]  # E: matmul: devices differ (Cuda and Cpu)
    F.linear(x, gw)  # type: ignore[device]  # E: linear: devices differ (Cpu and Cuda)
    sh.concat([g, x])  # type: ignore[device]  # E: concat: devices differ (Cuda and Cpu)
    losses.mse_loss(g, x)  # type: ignore[device]  # E: mse_loss: devices differ
    F.scaled_dot_product_attention(g, x, x)  # type: ignore[device]  # E: scaled_dot_product_attention: devices differ
    F.linear(g, gw)
    x.to(sh.Cuda()) + g
    F.linear(x, gw.to(sh.Cpu()))


# not a tensor where one goes
F.linear(x, [[1.0, 2.0, 3.0]])  # type: ignore[arg-type]  # E: linear: argument "weight" must be a Tensor, got "list[list[float]]"
losses.mse_loss(x, 0.0)  # type: ignore[arg-type]  # E: mse_loss: argument "target" must be a Tensor, got "float"
x @ 2.0  # type: ignore[operator]  # E: matmul: unsupported operand float

# float-only ops on integer and bool tensors (sum is fine: it gives Int64, as torch)
counts = dev.tensor([1, 2, 3])
counts.exp()  # type: ignore[dtype]  # E: exp: needs a floating-point tensor, got Int64; convert it with .to(sh.Float32) first
counts.mean()  # type: ignore[dtype]  # E: mean: needs a floating-point tensor, got Int64; convert it with .to(sh.Float32) first
(x > 0.0).std()  # type: ignore[dtype]  # E: std: needs a floating-point tensor, got Bool; convert it with .to(sh.Float32) first
counts.sum()
counts.to(sh.Float32).mean()

# relu on a Bool tensor: torch refuses it, and so does the run time
flags.relu()  # type: ignore[dtype]  # E: relu: Bool tensors have no relu (torch refuses them too); convert with .to(sh.Float32) or .to(sh.Int64) first
F.relu(flags)  # type: ignore[dtype]  # E: relu: Bool tensors have no relu
ints.relu()
