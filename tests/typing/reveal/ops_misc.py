"""Leftovers of issue 11: unique's flags, torch's randint(high, shape), flip(0, 1), Unfold/Fold."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[2], L[3], L[5], L[5]]] = dev.randn((2, 3, 5, 5))
m: sh.Tensor[tuple[L[3], L[4]], sh.Int64] = dev.randint(0, 5, (3, 4))

# unique: a tuple typed per flag, the inverse with the input's shape
assert_type(m.unique(), sh.Tensor[tuple[int], sh.Int64])
assert_type(
    m.unique(return_inverse=True),
    tuple[sh.Tensor[tuple[int], sh.Int64], sh.Tensor[tuple[L[3], L[4]], sh.Int64]],
)
assert_type(
    m.unique(return_counts=True),
    tuple[sh.Tensor[tuple[int], sh.Int64], sh.Tensor[tuple[int], sh.Int64]],
)
assert_type(
    m.unique(sorted=True, return_inverse=True, return_counts=True),
    tuple[
        sh.Tensor[tuple[int], sh.Int64],
        sh.Tensor[tuple[L[3], L[4]], sh.Int64],
        sh.Tensor[tuple[int], sh.Int64],
    ],
)

# randint: torch's (high, shape) besides (low, high, shape)
assert_type(dev.randint(10, (2, 3)), sh.Tensor[tuple[L[2], L[3]], sh.Int64])
assert_type(dev.randint(10, (4,), dtype=sh.Int32), sh.Tensor[tuple[L[4]], sh.Int32])
assert_type(dev.randint(1, 10, (2, 3)), sh.Tensor[tuple[L[2], L[3]], sh.Int64])

# flip: torch's varargs keep the shape
assert_type(img.flip(0, 1), sh.Tensor[tuple[L[2], L[3], L[5], L[5]]])
assert_type(img.flip(-1), sh.Tensor[tuple[L[2], L[3], L[5], L[5]]])

# Unfold / Fold modules: the output shape from literal sizes
unfold = nn.Unfold(2, padding=1)
assert_type(unfold(img), sh.Tensor[tuple[L[2], L[12], L[36]]])
assert_type(nn.Unfold(3)(img), sh.Tensor[tuple[L[2], L[27], L[9]]])
cols: sh.Tensor[tuple[L[2], L[12], L[36]]] = unfold(img)
assert_type(nn.Fold(5, 2, padding=1)(cols), sh.Tensor[tuple[L[2], L[3], L[5], L[5]]])
assert_type(nn.Fold(6, 3, stride=3)(dev.randn((27, 4))), sh.Tensor[tuple[L[3], L[6], L[6]]])

# interpolate's other modes: the rule computes the size as for the others
assert_type(
    F.interpolate(img, size=(7, 3), mode="bicubic", align_corners=True),
    sh.Tensor[tuple[L[2], L[3], L[7], L[3]]],
)
assert_type(
    F.interpolate(img, scale_factor=2, mode="area"), sh.Tensor[tuple[L[2], L[3], L[10], L[10]]]
)
assert_type(
    F.interpolate(dev.randn((1, 2, 9)), size=4, mode="nearest-exact"),
    sh.Tensor[tuple[L[1], L[2], L[4]]],
)
