"""unique, randint(high, shape), flip(0, 1), Unfold/Fold: the mistakes mypy reports."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[2], L[3], L[5], L[5]]] = dev.randn((2, 3, 5, 5))
cols: sh.Tensor[tuple[L[2], L[12], L[36]]] = dev.randn((2, 12, 36))
labels: sh.Tensor[tuple[L[6]], sh.Int64] = dev.randint(4, (6,))

img.flip(0, 4)  # type: ignore[shape]  # E: flip: axis 4 is out of range
img.flip(1, -3)  # type: ignore[shape]  # E: flip: axis (1, -3) repeats an axis
nn.Unfold(6)(img)  # type: ignore[shape]  # E: unfold: H_out = (5 + 2*0 - 1*(6-1) - 1)//1 + 1 = 0
nn.Unfold(2)(labels.reshape(2, 3))  # type: ignore[shape]  # E: unfold: input must be (N, C, H, W) or (C, H, W)
nn.Fold(5, 2)(cols)  # type: ignore[shape]  # E: fold: input has 36 blocks, but output_size (5, 5)
nn.Fold(6, 5, padding=1)(cols)  # type: ignore[shape]  # E: fold: input dim 12 is not divisible
dev.randint(4, (-1, 2))  # type: ignore[shape]  # E: randint: negative dimension
inv: sh.Tensor[tuple[L[5]], sh.Int64] = labels.unique(return_inverse=True)[1]  # type: ignore[assignment]  # E: Incompatible types in assignment
F.interpolate(cols, size=4, mode="bicubic")  # type: ignore[shape]  # E: interpolate: got 3D input, but bicubic mode needs 4D input
F.interpolate(img, size=4, mode="area", align_corners=False)  # type: ignore[shape]  # E: align_corners option can only be set with the interpolating modes (linear, bilinear, bicubic)
