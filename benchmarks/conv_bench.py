"""conv2d forward + backward against torch on the small CNN of PERF.md (batch 64).

Usage: python benchmarks/conv_bench.py [threads] [--no-mallopt]. Threads are set in the
environment before numpy and torch are imported; both libraries use the same count.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from collections.abc import Callable
from typing import Any

THREADS = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1].isdigit() else "1"
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = THREADS
if "--no-mallopt" not in sys.argv:  # keep freed blocks for reuse (PERF.md: the allocator)
    libc = ctypes.CDLL("libc.so.6")
    libc.mallopt(-3, 32 * 1024 * 1024)  # M_MMAP_THRESHOLD
    libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

import shaped as sh  # noqa: E402
import shaped.tensor  # noqa: E402  (imports the ops in order)
from shaped.ops import conv  # noqa: E402

torch.set_num_threads(int(THREADS))


def last_vjp(out: Any) -> Any:
    """The VJP of the record that made `out` (called directly, without a loss)."""
    tape = out._tape
    assert tape is not None
    return tape.root().records[-1][-1]


def median_ms(fn: Callable[[], Any], repeats: int = 30) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def case(name: str, x_shape: tuple[int, ...], w_shape: tuple[int, ...], x_grad: bool) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(np.float32)
    w = rng.standard_normal(w_shape).astype(np.float32)
    b = rng.standard_normal(w_shape[0]).astype(np.float32)
    out_shape = (x_shape[0], w_shape[0], x_shape[2], x_shape[3])
    g = rng.standard_normal(out_shape).astype(np.float32)
    dev = sh.Cpu()
    xs, ws, bs = dev.tensor(x), dev.tensor(w), dev.tensor(b)
    needs = (x_grad, True, True)

    def ours() -> None:  # a fresh tape each step; the VJP called directly
        out = conv.conv2d(xs, ws.traced(sh.Gradients()), bs, padding=1)
        last_vjp(out)(g, needs)

    def ours_forward() -> None:
        conv.conv2d(xs, ws, bs, padding=1)

    xt = torch.tensor(x, requires_grad=x_grad)
    wt, bt = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    gt = torch.tensor(g)

    def theirs() -> None:
        TF.conv2d(xt, wt, bt, padding=1).backward(gt)  # type: ignore[no-untyped-call]

    def theirs_forward() -> None:
        with torch.no_grad():
            TF.conv2d(xt, wt, bt, padding=1)

    a, c = median_ms(ours), median_ms(theirs)
    af, cf = median_ms(ours_forward), median_ms(theirs_forward)
    print(
        f"{name:28s} fwd ours {af:6.2f} ms torch {cf:6.2f} ms ({af / cf:4.2f}x)   "
        f"fwd+bwd ours {a:6.2f} ms torch {c:6.2f} ms ({a / c:4.2f}x)"
    )


def pool_case() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16, 28, 28)).astype(np.float32)
    g = rng.standard_normal((64, 16, 14, 14)).astype(np.float32)
    xs = sh.Cpu().tensor(x)

    def ours() -> None:
        out = conv.max_pool2d(xs.traced(sh.Gradients()), 2)
        last_vjp(out)(g, (True,))

    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(g)

    def theirs() -> None:
        TF.max_pool2d(xt, 2).backward(gt)  # type: ignore[no-untyped-call]

    a, c = median_ms(ours), median_ms(theirs)
    print(
        f"{'max_pool2d 2 (64,16,28,28)':28s} fwd+bwd ours {a:6.2f} ms torch {c:6.2f} ms ({a / c:4.2f}x)"
    )


if __name__ == "__main__":
    print(f"threads: {THREADS}")
    case("conv 1->16 k3 p1 28x28", (64, 1, 28, 28), (16, 1, 3, 3), x_grad=False)
    case("conv 16->32 k3 p1 14x14", (64, 16, 14, 14), (32, 16, 3, 3), x_grad=True)
    pool_case()
