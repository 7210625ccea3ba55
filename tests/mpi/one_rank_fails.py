"""Run under `mpiexec -n 2`: rank 1 raises while rank 0 waits in a collective; both end."""

from __future__ import annotations

from shaped import distributed as dist

dist.init()
if dist.rank() == 1:
    raise RuntimeError("the data on rank 1 is missing")
dist.barrier()  # rank 0 would wait here forever without the abort
