"""Data-parallel training over MPI (`pip install 'shaped[mpi]'`: mpi4py and mpich's wheels).

```python
from shaped import distributed as dist

dist.init()
model = dist.DataParallel(nn.Sequential(...))     # rank 0's parameters on every rank
loader = sh.data.DataLoader(ds, batch_size=64, sampler=sh.data.DistributedSampler(ds))
for x, y in loader:
    grads = model.alloc_grads()
    loss = losses.cross_entropy(model(x.traced(grads)), y)
    grads = model.sync(loss.backward())           # averaged over the ranks, in buckets
    opt.update(model, grads)
```

Run with `mpiexec -n 2 python train.py`; on several machines, `mpiexec -hosts a,b -n 4 ...`.
Gradients are averaged in buckets of about `bucket_mb` (25 MB by default, torch DDP's) with
non-blocking `Iallreduce`s, all started before any is waited on; the bucket order is the
parameters' order, the same on every rank by construction (DataParallel checks that every
rank's model has the same parameter names and shapes). An exception on one rank ends every
rank with that rank's message (`MPI.COMM_WORLD.Abort`) instead of a hang.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from shaped.tape import Gradients
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.nn.module import Module

__all__ = [
    "DataParallel",
    "all_gather",
    "all_reduce",
    "barrier",
    "broadcast",
    "init",
    "is_initialized",
    "rank",
    "world_size",
]

M = TypeVar("M", bound="Module")
_state: dict[str, Any] = {}


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as error:  # pragma: no cover - the message is the point
        raise ImportError(
            "shaped.distributed needs MPI: pip install 'shaped[mpi]' (mpi4py and mpich), then "
            "run with mpiexec -n 2 python your_script.py"
        ) from error
    return MPI


def init() -> None:
    """Start MPI (once) and make an exception on any rank end every rank with its message."""
    if _state:
        return
    mpi = _mpi()
    _state["comm"] = mpi.COMM_WORLD
    _state["mpi"] = mpi
    if _state["comm"].Get_size() > 1:
        previous = sys.excepthook

        def abort_all(kind: Any, error: BaseException, trace: Any) -> None:
            text = "".join(traceback.format_exception(kind, error, trace))
            sys.stderr.write(f"shaped.distributed: rank {rank()} failed; ending every rank\n{text}")
            sys.stderr.flush()
            previous(kind, error, trace)
            _state["comm"].Abort(1)

        sys.excepthook = abort_all


def is_initialized() -> bool:
    return bool(_state)


def _comm() -> Any:
    if not _state:
        init()
    return _state["comm"]


def rank() -> int:
    """This process's rank (0 without mpiexec)."""
    return int(_comm().Get_rank())


def world_size() -> int:
    """The number of processes (1 without mpiexec)."""
    return int(_comm().Get_size())


def barrier() -> None:
    _comm().Barrier()


def _host(array: Any) -> Any:
    """A contiguous host array MPI can read (cupy arrays go through the host: NCCL is not here)."""
    import numpy as np

    get = getattr(array, "get", None)
    return np.ascontiguousarray(get() if callable(get) else array)


def _back(like: Tensor[Any, Any, Any, Any], host: Any) -> Any:
    return like._device.xp.asarray(host)


def all_reduce(tensor: Tensor[Any, Any, Any, Any], op: str = "mean") -> Tensor[Any, Any, Any, Any]:
    """The elementwise sum or mean ("sum", "mean") of `tensor` over the ranks, on every rank
    (a new tensor without a tape)."""
    if op not in ("sum", "mean"):
        raise ValueError(f"all_reduce: op must be 'sum' or 'mean', got {op!r}")
    comm, mpi = _comm(), _state["mpi"]
    send = _host(tensor._data)
    out = send.copy()
    comm.Allreduce(send, out, op=mpi.SUM)
    if op == "mean":
        out /= comm.Get_size()
    return Tensor._wrap(_back(tensor, out), tensor._device)


def broadcast(tensor: Tensor[Any, Any, Any, Any], root: int = 0) -> Tensor[Any, Any, Any, Any]:
    """`root`'s values of `tensor` on every rank (a new tensor without a tape)."""
    buffer = _host(tensor._data).copy()
    _comm().Bcast(buffer, root=root)
    return Tensor._wrap(_back(tensor, buffer), tensor._device)


def all_gather(tensor: Tensor[Any, Any, Any, Any]) -> Tensor[Any, Any, Any, Any]:
    """Every rank's `tensor` stacked along a new first axis (world_size, *shape)."""
    import numpy as np

    send = _host(tensor._data)
    out = np.empty((world_size(), *send.shape), dtype=send.dtype)
    _comm().Allgather(send, out)
    return Tensor._wrap(_back(tensor, out), tensor._device)


class DataParallel(Generic[M]):
    """Wraps a module for data-parallel training (torch DDP's behaviour): rank 0's parameters
    are broadcast at the start, and `sync(grads)` averages the gradients over the ranks in
    buckets of about `bucket_mb`, so `opt.update(dp, grads)` steps identically everywhere.

    It is called like the module (`dp(x)`) and has its `parameters()`, `alloc_grads()`,
    `zero_grads()`, `state_dict()`, ...; `dp.module` is the module itself.
    """

    def __init__(self, module: M, bucket_mb: float = 25.0) -> None:
        if bucket_mb <= 0:
            raise ValueError(f"DataParallel: bucket_mb must be > 0, got {bucket_mb}")
        self.module = module
        self.bucket_bytes = int(bucket_mb * 2**20)
        comm = _comm()
        layout = [(name, tuple(p.shape), p.dtype.__name__) for name, p in module.named_parameters()]
        everyone = comm.allgather(layout)
        for other_rank, other in enumerate(everyone):
            if other != layout:
                raise ValueError(
                    f"DataParallel: rank {rank()}'s model differs from rank {other_rank}'s: "
                    + _first_difference(layout, other)
                )
        for param in module.parameters():  # rank 0's initial values everywhere
            param.copy_(broadcast(param))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.module(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.module, name)

    def parameters(self) -> Iterator[Tensor[Any, Any, Any, Any]]:
        return self.module.parameters()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Rank 0 writes the checkpoint (the same on every rank); every rank waits for it."""
        if rank() == 0:
            self.module.save(path)
        barrier()

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> DataParallel[M]:
        """Every rank loads the checkpoint rank 0 saved (after a barrier, so it is complete)."""
        barrier()
        self.module.load(path, strict=strict)
        return self

    def _buckets(self) -> Iterator[list[Tensor[Any, Any, Any, Any]]]:
        bucket: list[Tensor[Any, Any, Any, Any]] = []
        size = 0
        for param in self.module.parameters():
            bucket.append(param)
            size += param._data.nbytes
            if size >= self.bucket_bytes:
                yield bucket
                bucket, size = [], 0
        if bucket:
            yield bucket

    def sync(self, grads: Gradients) -> Gradients:
        """Average every parameter's gradient over the ranks, in place in `grads` (a parameter
        without one counts as zeros); returns `grads`. Every rank must call it, in step."""
        import numpy as np

        if not isinstance(grads, Gradients):
            raise TypeError(
                f"DataParallel.sync: expected the Gradients loss.backward() returned, got "
                f"{type(grads).__name__}"
            )
        comm, mpi = _comm(), _state["mpi"]
        count = comm.Get_size()
        pending = []
        for bucket in self._buckets():  # every bucket's Iallreduce starts before any wait
            parts = []
            for param in bucket:
                array = grads.array(param)
                parts.append(
                    np.zeros(param.shape, param._data.dtype) if array is None else _host(array)
                )
            flat = np.concatenate([part.ravel() for part in parts]) if parts else np.zeros(0)
            out = np.empty_like(flat)
            pending.append((bucket, out, comm.Iallreduce(flat, out, op=mpi.SUM)))
        for bucket, out, request in pending:
            request.Wait()
            out /= count
            offset = 0
            for param in bucket:
                n = param._data.size
                averaged = out[offset : offset + n].reshape(param.shape)
                offset += n
                grads._arrays[param._key_()] = _back(param, averaged)
                grads._zero.pop(param._key_(), None)
        return grads


def _first_difference(mine: list[tuple[Any, ...]], other: list[tuple[Any, ...]]) -> str:
    for index, (a, b) in enumerate(zip(mine, other)):
        if a != b:
            return (
                f"parameter {index} is {a[0]} {a[1]} {a[2]} here and {b[0]} {b[1]} {b[2]} there; "
                "build the same model on every rank"
            )
    return f"{len(mine)} parameters here and {len(other)} there; build the same model on every rank"
