"""Container mistakes: a layer taken from a ModuleList or ModuleDict is checked as the layer,
items are checked against a declared element type, Identity keeps the shape it was given.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
x: sh.Tensor[tuple[L[8], L[4]]] = dev.randn((8, 4))
wide: sh.Tensor[tuple[L[8], L[5]]] = dev.randn((8, 5))

stack = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])
heads = nn.ModuleDict({"query": nn.Linear(4, 2), "key": nn.Linear(4, 2)})
stack[0](wide)  # type: ignore[shape]  # E: Linear[4, 4] expects (..., 4), got (8, 5)
stack[-1](x.to(sh.Float64))  # type: ignore[dtype]  # E: linear: dtypes differ (Float64 and Float32); the weights are Float32
for layer in stack:
    layer(wide)  # type: ignore[shape]  # E: Linear[4, 4] expects (..., 4), got (8, 5)
heads["query"](wide)  # type: ignore[shape]  # E: Linear[4, 2] expects (..., 4), got (8, 5)
heads.key(wide)  # type: ignore[shape]  # E: Linear[4, 2] expects (..., 4), got (8, 5)
stack.append(nn.ReLU())  # type: ignore[arg-type]  # E: "ReLU"
declared: nn.ModuleList[nn.Linear[L[4], L[4]]] = nn.ModuleList([nn.ReLU()])  # type: ignore[arg-type]  # E: ModuleList item 0 has incompatible type "ReLU"
nn.Identity()(x) + wide  # type: ignore[shape]  # E: add: shapes (8, 4) and (8, 5)
nn.Sequential(nn.Identity(), nn.Linear(5, 2))(x)  # type: ignore[shape]  # E: Sequential layer 1 (Linear[5, 2])

# the right calls: no error
stack[0](x)
heads["query"](x)
nn.Sequential(nn.Identity(), nn.Linear(4, 2))(x)
