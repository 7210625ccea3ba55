"""shaped's public API against torch eager and a hand-written numpy floor, in one process.

    python benchmarks/run.py [--threads 2] [--quick] [--only NAME ...] [--json PATH] [--list]

Every row times three steps of the same math from the same weights (benchmarks/cases.py):
shaped as the README writes it (modules, losses, optimizers, `alloc_grads` once and
`zero_grads` each step), torch as its users write it (`zero_grad`, `backward`, `step`) and
the fastest numpy step written by hand (benchmarks/floor.py). The three are timed in turns,
repeat after repeat, so load on a shared machine hits all of them alike; each cell is the
median over the repeats (after warm-up) and the min..max over them. numpy's BLAS and OpenMP
read their thread count when imported, so it is set here first; torch gets the same count.

Memory rows: peak growth over one step, measured two ways. `rss` runs each side in a fresh
process with glibc told to map every block over 64 KiB and unmap it on free (shaped's own
allocator tuning off), and samples the resident size from a thread (this sees torch's
allocator too); `tracemalloc` sees numpy's arrays only, so it has no torch column. The
floor has no memory column: it keeps every activation in buffers made before the first step.
The mypy rows compare mypy with the plugin to mypy with its hooks off (benchmarks/typecheck.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # cases.py, floor.py, typecheck.py
sys.path.insert(0, os.path.dirname(HERE))  # shaped, when run from anywhere
SIDES = ("shaped", "torch", "floor")


def set_threads(n: int) -> None:
    """Before numpy or torch is imported: BLAS and OpenMP read these when they load."""
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(n)


def row_makers() -> dict[str, tuple[str, Callable[[], Any], float]]:
    """name -> (description, make steps, scale: the row's seconds are divided by it)."""
    import cases

    return {
        "mlp32": ("MLP 784-256-128-10 step, SGD, batch 32", lambda: cases.mlp(32), 1),
        "mlp128": ("MLP step, batch 128", lambda: cases.mlp(128), 1),
        "mlp1024": ("MLP step, batch 1024", lambda: cases.mlp(1024), 1),
        "cnn": ("CNN step (conv-pool-conv-pool-linear), SGD, b64", cases.cnn, 1),
        "digits": ("digits CNN epoch (examples/04: Adam, b64)", cases.digits_epoch, 1),
        "transformer": ("TransformerEncoderLayer(64,4,256) (32,16,64) Adam", cases.transformer, 1),
        "resnet": ("ResNet block (32,32,16,16), BatchNorm, SGD", cases.resnet, 1),
        "op": ("traced a + b (10 floats), forward+backward, per op", cases.op_traced, cases.CHAIN),
        "op_untraced": ("a + b (10 floats), untraced", cases.op_untraced, 1),
    }


def time_sides(
    steps: dict[str, Callable[[], Any]], min_time: float, repeat: int
) -> dict[str, list[float]]:
    """Seconds per call of each side, one sample per repeat; the sides take turns."""
    inner = {}
    for side, fn in steps.items():
        fn()  # warm-up: buffers, optimizer state, caches
        start = time.perf_counter()
        fn()
        once = max(time.perf_counter() - start, 1e-7)
        inner[side] = max(1, int(min_time / repeat / once))
    samples: dict[str, list[float]] = {side: [] for side in steps}
    for _ in range(repeat):
        for side, fn in steps.items():
            start = time.perf_counter()
            for _ in range(inner[side]):
                fn()
            samples[side].append((time.perf_counter() - start) / inner[side])
    return samples


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def summary(name: str, case: str, unit: str, samples: dict[str, list[float]]) -> dict[str, Any]:
    row: dict[str, Any] = {"name": name, "case": case, "unit": unit}
    for side in SIDES:
        values = samples.get(side)
        row[side] = None if not values else {"median": median(values), "min": min(values),
                                             "max": max(values), "n": len(values)}  # fmt: skip
    for other in ("torch", "floor"):
        ok = row["shaped"] and row[other] and row[other]["median"]
        row[f"shaped/{other}"] = row["shaped"]["median"] / row[other]["median"] if ok else None
    return row


# ---------------------------------------------------------------- memory


def tracemalloc_peak(step: Callable[[], Any]) -> float:
    """Peak bytes allocated (numpy arrays included) above the level at the step's start."""
    for _ in range(2):
        step()
    gc.collect()
    tracemalloc.start()
    peaks = []
    for _ in range(3):
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        step()
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
    tracemalloc.stop()
    return float(min(peaks))


def rss_peaks_here(name: str) -> dict[str, float]:
    """In a fresh process (see rss_peaks), for each side in turn: the resident peak over 3
    steps above the level after 2 warm-up steps, sampled from a thread (the kernels release
    the GIL). Freed blocks go back to the OS, so each side starts from its own live set."""
    import threading

    page = os.sysconf("SC_PAGE_SIZE")
    statm = os.open("/proc/self/statm", os.O_RDONLY)

    def rss() -> int:
        return int(os.pread(statm, 64, 0).split()[1]) * page

    peaks = {}
    for side, step in row_makers()[name][1]().items():
        if side == "floor":  # its buffers exist before the first step: no growth to see
            continue
        for _ in range(2):
            step()
        gc.collect()
        base = rss()
        peak = [base]
        done = threading.Event()

        def sample(peak: list[int] = peak, done: threading.Event = done) -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss())
                time.sleep(0)

        sampler = threading.Thread(target=sample)
        sampler.start()
        for _ in range(3):
            step()
        done.set()
        sampler.join()
        peaks[side] = float(peak[0] - base)
    return peaks


def rss_peaks(name: str, threads: int) -> dict[str, float]:
    env = dict(os.environ, SHAPED_KEEP_MALLOC="1", MALLOC_MMAP_THRESHOLD_="65536",
               MALLOC_TRIM_THRESHOLD_="0")  # fmt: skip
    command = [sys.executable, __file__, "--threads", str(threads), "--memory-child", name]
    out = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def memory_rows(names: list[str], threads: int) -> list[dict[str, Any]]:
    rows = []
    makers = row_makers()
    for name in names:
        case = makers[name][0]
        rss = {side: [peak] for side, peak in rss_peaks(name, threads).items()}
        rows.append(summary(f"mem_rss_{name}", f"peak RSS growth, {case}", "MB", rss))
        steps = makers[name][1]()
        traced = {"shaped": [tracemalloc_peak(steps["shaped"])]}
        rows.append(summary(f"mem_tm_{name}", f"peak tracemalloc, {case}", "MB", traced))
    return rows


# ---------------------------------------------------------------- mypy


def mypy_rows(quick: bool) -> list[dict[str, Any]]:
    from typecheck import measure

    lines, repeat = (200, 1) if quick else (3000, 3)
    typing = measure(lines, repeat)
    cold = {"shaped": typing["cold"]["with plugin"], "torch": typing["cold"]["hooks off"]}
    return [
        summary("mypy_cold", f"mypy cold, examples + {lines} lines: plugin | hooks off", "s", cold),
        summary("mypy_warm", "mypy warm re-check with the plugin (< 1 s)", "s",
                {"shaped": typing["warm"]}),
    ]  # fmt: skip


# ---------------------------------------------------------------- output


def cell(stats: dict[str, Any] | None, unit: str) -> str:
    if stats is None:
        return "-"
    scale = {"us": 1e6, "ms": 1e3, "s": 1.0, "MB": 1e-6}[unit]
    mid, low, high = (stats[k] * scale for k in ("median", "min", "max"))
    digits = 2 if mid < 10 else 1
    if stats["n"] == 1:
        return f"{mid:.{digits}f}"
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'row':52} {'unit':4} {'shaped':>21} {'torch':>21} {'floor':>21} {'/torch':>6} "
          f"{'/floor':>6}")  # fmt: skip
    for row in rows:
        ratios = [row[k] for k in ("shaped/torch", "shaped/floor")]
        shown = ["" if r is None else f"{r:.2f}" for r in ratios]
        cells = [cell(row[side], row["unit"]) for side in SIDES]
        print(f"{row['case'][:52]:52} {row['unit']:4} {cells[0]:>21} {cells[1]:>21} "
              f"{cells[2]:>21} {shown[0]:>6} {shown[1]:>6}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=2, help="BLAS, OpenMP and torch threads")
    parser.add_argument("--quick", action="store_true", help="a smoke run: short timings")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these rows (see --list)")
    parser.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    parser.add_argument("--list", action="store_true", help="print the row names and exit")
    parser.add_argument("--repeat", type=int, help="repeats per row (default 9, quick 5)")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    set_threads(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    if args.memory_child:
        print(json.dumps(rss_peaks_here(args.memory_child)))
        return
    makers = row_makers()
    extra = ["memory", "mypy"]
    if args.list:
        for name, (case, _, _) in makers.items():
            print(f"{name:12} {case}")
        print("memory       peak memory per step (MLP b1024; full run: CNN, ResNet too)")
        print("mypy         mypy cold and warm with the plugin")
        return
    names = args.only or [*makers, *extra]
    unknown = sorted(set(names) - set(makers) - set(extra))
    if unknown:
        parser.error(f"unknown rows {unknown}; --list names them")
    min_time = 0.25 if args.quick else 1.5
    repeat = args.repeat or (5 if args.quick else 9)
    rows = []
    for name in names:
        if name not in makers:
            continue
        case, make, scale = makers[name]
        long = name == "digits" and args.quick  # seconds per call on a loaded machine
        samples = time_sides(make(), min_time, min(repeat, 3) if long else repeat)
        per_op = {side: [t / scale for t in values] for side, values in samples.items()}
        rows.append(summary(name, case, "us" if name.startswith("op") else "ms", per_op))
        print(f"  {name} done", file=sys.stderr, flush=True)
    if "memory" in names:
        rows += memory_rows(
            ["mlp1024"] if args.quick else ["mlp1024", "cnn", "resnet"], args.threads
        )
    if "mypy" in names:
        rows += mypy_rows(args.quick)
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores / 2 or (args.threads > 1 and load >= 1):
        # a BLAS or OpenMP pool of N threads waits at each barrier for its slowest thread: when
        # other processes hold the cores, one descheduled thread stalls every GEMM
        print(f"\nWARNING: load average {load:.1f} on {cores} cores: times are inflated and "
              "noisy, with --threads > 1 by 10x or more; use --threads 1, or an idle machine")  # fmt: skip
    print(f"\nthreads={args.threads}  torch {torch.__version__}  numpy {np.__version__}"
          f"  {'quick' if args.quick else 'full'}: medians of {repeat} repeats (min-max)")  # fmt: skip
    from cases import DIGITS_NOTE

    print_table(rows)
    for note in sorted(set(DIGITS_NOTE)):
        print(f"note: digits row: {note}")
    print("mypy cold row: 'torch' is mypy with the plugin's hooks off")
    if args.json:
        meta = {"threads": args.threads, "torch": torch.__version__, "numpy": np.__version__,
                "load_average": load, "cores": cores,
                "quick": args.quick, "repeat": repeat, "notes": sorted(set(DIGITS_NOTE))}  # fmt: skip
        with open(args.json, "w") as out:
            json.dump({**meta, "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
