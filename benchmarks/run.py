"""shaped against PyTorch eager, side by side in one process on the same thread count.

    python benchmarks/run.py [--threads 2] [--json] [--quick] [--skip-digits] [--skip-mypy]

Prints each case's median time for both and the ratio shaped/torch (below 1 is faster).
Memory is measured in fresh subprocesses (peak RSS growth over one training step); the
digits CNN epoch is the median of 10 epochs (benchmarks/digits.py); the mypy row compares
mypy with the plugin to mypy with its hooks off (benchmarks/typecheck.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # digits.py, typecheck.py
from digits import measure as measure_digits
from typecheck import measure as measure_typecheck


def _set_threads(n: int) -> None:
    # BLAS and OpenMP read these when numpy and torch load: set them before either import
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n)


def median_time(fn: Callable[[], Any], min_time: float = 0.5, repeat: int = 7) -> float:
    """Median seconds per call over `repeat` batches of calls lasting about min_time/repeat each."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    inner = max(1, int(min_time / repeat / once))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - start) / inner)
    samples.sort()
    return samples[len(samples) // 2]


# ---------------------------------------------------------------- cases


def mlp_step(batch: int) -> tuple[Callable[[], None], Callable[[], None]]:
    import numpy as np
    import torch

    import shaped as sh
    from shaped import losses
    from shaped.nn import functional as F

    rng = np.random.default_rng(0)
    sizes = [784, 256, 128, 10]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / fan_in**0.5
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    lr = 0.01

    dev = sh.Cpu()
    ours = [dev.tensor(p) for p in params]
    sx, sy = dev.tensor(x), dev.tensor(y)

    def shaped_step() -> None:
        grads = sh.Gradients()
        h = sx.traced(grads)
        for i in range(0, len(ours), 2):
            h = F.linear(h, ours[i], ours[i + 1])
            if i + 2 < len(ours):
                h = h.relu()
        loss = losses.cross_entropy(h, sy)
        loss.backward()
        for p in ours:
            g = grads.array(p)
            if g is not None:
                p._data -= lr * g

    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.SGD(theirs, lr=lr)
    tx, ty = torch.tensor(x), torch.tensor(y)

    def torch_step() -> None:
        opt.zero_grad(set_to_none=True)
        h = tx
        for i in range(0, len(theirs), 2):
            h = torch.nn.functional.linear(h, theirs[i], theirs[i + 1])
            if i + 2 < len(theirs):
                h = h.relu()
        torch.nn.functional.cross_entropy(h, ty).backward()
        opt.step()

    return shaped_step, torch_step


def cnn_step(batch: int = 64) -> tuple[Callable[[], None], Callable[[], None]]:
    import numpy as np
    import torch

    import shaped as sh
    from shaped import losses
    from shaped.nn import functional as F

    rng = np.random.default_rng(0)

    def uniform(shape: tuple[int, ...], fan_in: int) -> Any:
        bound = 1 / fan_in**0.5
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    params = [
        uniform((16, 1, 3, 3), 9), uniform((16,), 9),
        uniform((32, 16, 3, 3), 144), uniform((32,), 144),
        uniform((10, 1568), 1568), uniform((10,), 1568),
    ]  # fmt: skip
    x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    lr = 0.01
    dev = sh.Cpu()
    ours = [dev.tensor(p) for p in params]
    sx, sy = dev.tensor(x), dev.tensor(y)

    def shaped_step() -> None:
        grads = sh.Gradients()
        h = F.conv2d(sx.traced(grads), ours[0], ours[1], padding=1).relu()
        h = F.max_pool2d(h, 2)
        h = F.conv2d(h, ours[2], ours[3], padding=1).relu()
        h = F.max_pool2d(h, 2).flatten(1)
        loss = losses.cross_entropy(F.linear(h, ours[4], ours[5]), sy)
        loss.backward()
        for p in ours:
            g = grads.array(p)
            if g is not None:
                p._data -= lr * g

    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.SGD(theirs, lr=lr)
    tx, ty = torch.tensor(x), torch.tensor(y)
    tf = torch.nn.functional

    def torch_step() -> None:
        opt.zero_grad(set_to_none=True)
        h = tf.max_pool2d(tf.conv2d(tx, theirs[0], theirs[1], padding=1).relu(), 2)
        h = tf.max_pool2d(tf.conv2d(h, theirs[2], theirs[3], padding=1).relu(), 2).flatten(1)
        tf.cross_entropy(tf.linear(h, theirs[4], theirs[5]), ty).backward()
        opt.step()

    return shaped_step, torch_step


def op_untraced() -> tuple[Callable[[], None], Callable[[], None]]:
    import torch

    import shaped as sh

    dev = sh.Cpu()
    a, b = dev.randn((10,)), dev.randn((10,))
    ta, tb = torch.randn(10), torch.randn(10)
    return (lambda: a + b), (lambda: ta + tb)  # type: ignore[return-value]


CHAIN = 100


def op_traced() -> tuple[Callable[[], None], Callable[[], None]]:
    """Forward and backward of one elementwise op, from a chain of CHAIN adds (per op)."""
    import torch

    import shaped as sh

    dev = sh.Cpu()
    a, b = dev.randn((10,)), dev.randn((10,))
    # both sides compute b's gradient too: shaped gives every float leaf one, as dfdx does
    ta, tb = torch.randn(10, requires_grad=True), torch.randn(10, requires_grad=True)

    def ours() -> None:
        h = a.trace()
        for _ in range(CHAIN):
            h = h + b
        h.sum().backward()

    def theirs() -> None:
        h = ta
        for _ in range(CHAIN):
            h = h + tb
        h.sum().backward()
        tb.grad = None

    return ours, theirs


MEMORY_SCRIPT = """
import gc, os, sys, threading
sys.path.insert(0, {root!r})
from benchmarks.run import mlp_step
ours, theirs = mlp_step(1024)
step = ours if sys.argv[1] == "shaped" else theirs
page = os.sysconf("SC_PAGE_SIZE")
statm = os.open("/proc/self/statm", os.O_RDONLY)
def rss():
    return int(os.pread(statm, 64, 0).split()[1]) * page
for _ in range(2):  # BLAS buffers, lazy initialisation: not part of a step
    step()
gc.collect()
base = peak = rss()
done = False
def sample():  # both libraries release the GIL in their kernels, so this thread gets to run
    global peak
    while not done:
        peak = max(peak, rss())
sampler = threading.Thread(target=sample)
sampler.start()
for _ in range(5):
    step()
done = True
sampler.join()
print(peak - base)
"""


def peak_memory(which: str) -> float:
    """Peak resident growth during a step, in a fresh process per library.

    glibc is told to map every block over 64 KiB and unmap it on free (for both libraries,
    and with shaped's own allocator tuning off), so resident memory tracks live memory.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, SHAPED_KEEP_MALLOC="1", MALLOC_MMAP_THRESHOLD_="65536")
    env["MALLOC_TRIM_THRESHOLD_"] = "0"
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT.format(root=root), which],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="shorter timings")
    parser.add_argument("--skip-digits", action="store_true", help="no digits CNN epochs")
    parser.add_argument("--skip-mypy", action="store_true", help="no mypy timings")
    args = parser.parse_args()
    _set_threads(args.threads)
    import torch

    torch.set_num_threads(args.threads)
    min_time = 0.3 if args.quick else 1.5
    cases: list[tuple[str, Callable[[], tuple[Callable[[], None], Callable[[], None]]], float]] = [
        ("MLP step, batch 128", lambda: mlp_step(128), 0.9),
        ("MLP step, batch 1024", lambda: mlp_step(1024), 1.0),
        ("CNN step, batch 64", cnn_step, 1.5),
        ("a + b, 10 elements, untraced", op_untraced, 0.75),
        ("traced op, forward + backward", op_traced, 0.5),
    ]
    rows = []
    for name, make, target in cases:
        ours, theirs = make()
        t_ours = median_time(ours, min_time)
        t_theirs = median_time(theirs, min_time)
        if name.startswith("traced"):
            t_ours, t_theirs = t_ours / CHAIN, t_theirs / CHAIN
        rows.append({"case": name, "shaped_s": t_ours, "torch_s": t_theirs,
                     "ratio": t_ours / t_theirs, "target": target})  # fmt: skip
    for row in rows:
        row["unit"] = "us"
    mem_ours, mem_theirs = peak_memory("shaped"), peak_memory("torch")
    rows.append({"case": "MLP step peak memory, batch 1024", "shaped_s": mem_ours,
                 "torch_s": mem_theirs, "ratio": mem_ours / mem_theirs, "target": 1.2,
                 "unit": "MB"})  # fmt: skip
    if not args.skip_digits:
        digits = measure_digits(3 if args.quick else 10)
        ours, theirs = digits["shaped_epoch_s"], digits["torch_epoch_s"]
        rows.append({"case": "digits CNN epoch (Adam, batch 64)", "shaped_s": ours,
                     "torch_s": theirs, "ratio": ours / theirs, "target": 1.5,
                     "unit": "ms"})  # fmt: skip
    if not args.skip_mypy:
        typing = measure_typecheck(3000, 2 if args.quick else 3)
        # the best of several runs: other work on a shared machine only ever adds time
        on, off = min(typing["cold"]["with plugin"]), min(typing["cold"]["hooks off"])
        rows.append({"case": "mypy, plugin vs hooks off (cold)", "shaped_s": on,
                     "torch_s": off, "ratio": on / off, "target": 1.25, "unit": "s"})  # fmt: skip
        warm = min(typing["warm"])
        rows.append({"case": "mypy warm re-check, plugin (< 1 s)", "shaped_s": warm,
                     "torch_s": None, "ratio": None, "target": None, "unit": "s"})  # fmt: skip
    if args.json:
        print(json.dumps({"threads": args.threads, "torch": torch.__version__, "rows": rows}))
        return
    print(f"threads={args.threads}  torch {torch.__version__}")
    print(f"{'case':36} {'shaped':>11} {'other':>11} {'ratio':>7} {'target':>7}")
    for row in rows:
        unit = row["unit"]
        scale = {"us": 1e6, "ms": 1e3, "s": 1.0, "MB": 1e-6}[unit]
        theirs = "" if row["torch_s"] is None else f"{row['torch_s'] * scale:9.1f}{unit}"
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        target = "" if row["target"] is None else f"<={row['target']}"
        print(
            f"{row['case']:36} {row['shaped_s'] * scale:9.1f}{unit:2} {theirs:>11} {ratio:>7}"
            f" {target:>7}"
        )
    print("'other' is torch, except for the mypy row: mypy with the plugin's hooks off")


if __name__ == "__main__":
    main()
