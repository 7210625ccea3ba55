"""Run under `mpiexec -n 2`: ranks whose models differ fail at DataParallel, naming it."""

from __future__ import annotations

import shaped as sh
from shaped import distributed as dist
from shaped import nn

dist.init()
width = 4 if dist.rank() == 0 else 5
dist.DataParallel(nn.Linear(3, width, device=sh.Cpu()))
