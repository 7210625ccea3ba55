"""The third round of ops as a PyTorch user writes them: clean under mypy and pyright."""

from typing import Literal as L

import shaped as sh

dev = sh.Cpu(seed=0)
x = dev.randn((3, 4))
weights = dev.randn((4,)).trace()

signs: sh.Tensor[tuple[L[3], L[4]]] = x.copysign(-1.0)
wrapped = (x * 10).fmod(3.0)
close = x.isclose(x + 1e-9)
either = (x > 0).logical_or(x < -1)
selected = x.masked_select(x > 0)
trace = dev.randn((5, 5)).diagonal().sum()
windows = dev.randn((16,)).unfold(0, 4, 2)
heads = dev.randn((2, 8, 12)).unflatten(-1, (3, 4))
spread, centre = sh.std_mean(x, dim=1)
loss = (x * weights).copysign(x).sum()
grads = loss.backward()
print(signs.shape, wrapped.shape, close.shape, either.shape, selected.ndim, trace.shape)
print(windows.shape, heads.shape, spread.shape, centre.shape, grads[weights].shape)
