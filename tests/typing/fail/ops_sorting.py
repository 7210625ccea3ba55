"""Mistakes with reductions and sorting: axes out of range, empty axes, k too large, and the
numpy reading of torch's x.max(1) (it is the pair (values, indices), not the values)."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[2], L[3], L[4]]] = dev.randn((2, 3, 4))
empty: sh.Tensor[tuple[L[3], L[0]]] = dev.zeros((3, 0))
s: sh.Tensor[tuple[()]] = dev.randn(())

x.max(dim=3)  # type: ignore[shape]  # E: max: axis 3 is out of range for a tensor of rank 3
x.min(-4, keepdim=True)  # type: ignore[shape]  # E: min: axis -4 is out of range
empty.max(1)  # type: ignore[shape]  # E: max: cannot reduce over axis 1 of size 0 in shape (3, 0)
x.prod(axis=(0, 5))  # type: ignore[shape]  # E: prod: axis 5 is out of range
x.any(3)  # type: ignore[shape]  # E: any: axis 3 is out of range
s.sum(1)  # type: ignore[shape]  # E: sum: axis 1 is out of range for a tensor of rank 0; valid axes are -1..0
x.cumsum(3)  # type: ignore[shape]  # E: cumsum: axis 3 is out of range
x.cumprod(dim=-4)  # type: ignore[shape]  # E: cumprod: axis -4 is out of range
x.sort(dim=3)  # type: ignore[shape]  # E: sort: axis 3 is out of range
x.argsort(5)  # type: ignore[shape]  # E: argsort: axis 5 is out of range
x.topk(5)  # type: ignore[shape]  # E: topk: k=5 is out of range for axis -1 of size 4 in shape (2, 3, 4)
x.topk(2, dim=3)  # type: ignore[shape]  # E: topk: axis 3 is out of range

# torch's x.max(1) is (values, indices): it is no tensor of values
values: sh.Tensor[tuple[L[2], L[4]]] = x.max(1)  # type: ignore[assignment]  # E: ValuesIndices
x.max(1) + 1.0  # type: ignore[operator]  # E: No overload variant of "__add__" of "tuple"

# norm and F.normalize: axes must exist; floats only
x.norm(2, 3)  # type: ignore[shape]  # E: norm: axis 3 is out of range
x.norm(dim=(0, 0))  # type: ignore[shape]  # E: norm: axis (0, 0) repeats an axis
dev.tensor([1, 2]).norm()  # type: ignore[dtype]  # E: norm
sh.nn.functional.normalize(x, dim=3)  # type: ignore[shape]  # E: normalize: axis 3 is out of range
sh.nn.functional.normalize(dev.tensor([1, 2]), dim=0)  # type: ignore[dtype]  # E: normalize

# kthvalue's k counts from 1 up to the axis' size; median's dim must exist and not be empty
x.kthvalue(5)  # type: ignore[shape]  # E: kthvalue: k=5 is out of range for axis -1 of size 4
x.kthvalue(0, dim=1)  # type: ignore[shape]  # E: kthvalue: k=0 is out of range
x.median(3)  # type: ignore[shape]  # E: median: axis 3 is out of range
empty.median(dim=1)  # type: ignore[shape]  # E: median: cannot reduce over axis 1 of size 0
x.logcumsumexp(dim=3)  # type: ignore[shape]  # E: logcumsumexp: axis 3 is out of range
dev.tensor([1, 2]).logcumsumexp(0)  # type: ignore[dtype]  # E: logcumsumexp
x.cummax(3)  # type: ignore[shape]  # E: cummax: axis 3 is out of range
x.cummin(dim=-4)  # type: ignore[shape]  # E: cummin: axis -4 is out of range
