"""Valid programs with unique's flags, randint(high, shape), flip(0, 1) and Unfold/Fold: clean
under mypy and pyright."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[2], L[3], L[5], L[5]]] = dev.randn((2, 3, 5, 5))
labels: sh.Tensor[tuple[L[6]], sh.Int64] = dev.randint(4, (6,))
between: sh.Tensor[tuple[L[2], L[3]], sh.Int32] = dev.randint(1, 9, (2, 3), sh.Int32)

values, inverse = labels.unique(return_inverse=True)
same: sh.Tensor[tuple[L[6]], sh.Int64] = inverse
distinct, counts = labels.unique(return_counts=True)
assert int(counts.sum().item()) == 6 and distinct.shape == counts.shape
assert bool((values[inverse] == labels).all().item())
only: sh.Tensor[tuple[int], sh.Int64] = labels.unique()

mirrored: sh.Tensor[tuple[L[2], L[3], L[5], L[5]]] = img.flip(2, 3)
assert bool((mirrored.flip(-1, -2) == img).all().item())

unfold = nn.Unfold(2, padding=1)
cols = unfold(img)
back = nn.Fold(5, 2, padding=1)(cols)
assert cols.shape == (2, 12, 36) and back.shape == (2, 3, 5, 5)
