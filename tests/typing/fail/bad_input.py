"""Spellings shaped refuses under both checkers, and with a TypeError naming the fix at run
time (tests/test_bad_input.py runs each marked line, and pyright on this file): dtypes are
shaped's classes, not numpy's, torch's or Python's; a device is an object; an axis is an int."""

from __future__ import annotations

import numpy as np

import shaped as sh

dev = sh.Cpu(seed=0)
x = dev.zeros((2,))

dev.zeros((2,), dtype=np.float32)  # type: ignore[arg-type]  # E: "dtype" to "zeros"
dev.ones((2,), dtype="float32")  # type: ignore[call-overload]  # E: "ones" of "Device"
dev.full((2,), 1.0, dtype=float)  # type: ignore[type-var]  # E: "full" of "Device" cannot be "float"
dev.randn((2,), dtype=np.float64)  # type: ignore[type-var]  # E: "randn" of "Device"
dev.rand((2,), dtype="float16")  # type: ignore[call-overload]  # E: "rand" of "Device"
dev.eye(2, dtype=np.float32)  # type: ignore[arg-type]  # E: "dtype" to "eye"
dev.arange(3, dtype=np.int64)  # type: ignore[arg-type]  # E: "dtype" to "arange"
dev.tensor([1.0], dtype=np.float32)  # type: ignore[type-var]  # E: "tensor" of "Device"
x.to(np.float32)  # type: ignore[type-var]  # E: "to" of "Tensor"
x.to("float64")  # type: ignore[call-overload]  # E: "to" of "Tensor"
x.to("cpu")  # type: ignore[call-overload]  # E: "to" of "Tensor"
sh.data.batches(np.zeros((4, 2)), batch_size=2, device="cpu")  # type: ignore[arg-type]  # E: "device" to "batches"
x.sum(axis=1.5)  # type: ignore[call-overload]  # E: "sum" of "Tensor"
x.max(axis=1.5)  # type: ignore[call-overload]  # E: "max" of "Tensor"
x.unsqueeze(1.5)  # type: ignore[arg-type]  # E: "unsqueeze" of "Tensor"
sh.Cpu(seed=1.5)  # type: ignore[arg-type]  # E: "seed" to "Cpu"
