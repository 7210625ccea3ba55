"""True division as torch's: ints and bools divide to Float32, floats keep their dtype, an
unknown dtype stays unknown. Checked by mypy (with the plugin) and pyright, then run."""

from __future__ import annotations

from typing import Any, TypeVar, assert_type
from typing import Literal as L

import shaped as sh

Dt = TypeVar("Dt")

dev = sh.Cpu(seed=0)
ints: sh.Tensor[tuple[L[3]], sh.Int64] = dev.tensor([1, 2, 3])
i32: sh.Tensor[tuple[L[3]], sh.Int32] = dev.ones((3,), dtype=sh.Int32)
flags: sh.Tensor[tuple[L[3]], sh.Bool] = dev.tensor([True, False, True])
x: sh.Tensor[tuple[L[3]]] = dev.ones((3,))
x64: sh.Tensor[tuple[L[3]], sh.Float64] = dev.ones((3,), dtype=sh.Float64)

# int / int, int / 2, 2 / int: Float32, as torch (not numpy's float64)
assert_type(ints / ints, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(ints / 2, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(ints / 2.5, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(2 / ints, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(i32 / i32, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(i32 / 2, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(flags / flags, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(1 / flags, sh.Tensor[tuple[L[3]], sh.Float32])

# floats keep their dtype
assert_type(x / x, sh.Tensor[tuple[L[3]], sh.Float32])
assert_type(x64 / 2, sh.Tensor[tuple[L[3]], sh.Float64])
assert_type(2.0 / x64, sh.Tensor[tuple[L[3]], sh.Float64])
assert_type(x / x.trace(), sh.Tensor[tuple[L[3]], sh.Float32, sh.Cpu, sh.OwnedTape])

# an unknown dtype is not guessed, and a generic one passes through
unknown: sh.Tensor[tuple[Any, ...], Any] = dev.tensor(x.numpy())
assert_type(unknown / 2, sh.Tensor[tuple[Any, ...], Any])


def halve(t: sh.Tensor[tuple[int], Dt]) -> sh.Tensor[tuple[int], Dt]:
    return t / 2


# the run time agrees
for result in (ints / ints, ints / 2, ints / 2.5, 2 / ints, i32 / i32, flags / flags, 1 / flags):
    assert result.dtype is sh.Float32, result.dtype
assert (x64 / 2).dtype is sh.Float64
assert (ints / 2).tolist() == [0.5, 1.0, 1.5]
