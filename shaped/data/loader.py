"""`DataLoader`, as torch.utils.data.DataLoader: batches from a dataset through a sampler,
optionally fetched by worker processes.

```python
train = sh.data.TensorDataset(images, labels)            # numpy arrays or tensors
loader = sh.data.DataLoader(train, batch_size=64, shuffle=True, drop_last=True, seed=0)
for epoch in range(3):
    for x, y in tqdm(loader):                             # len(loader) batches per epoch
        x = x.realize((64, 1, 28, 28))                    # Tensor[tuple[L[64], L[1], L[28], L[28]]]
        ...
```

Batches are typed by what the dataset yields: a tuple of tensors for a dataset of tuples
(TensorDataset), a dict of tensors for dicts, a tensor for arrays; their dims are run-time
dims (`Any`), so `realize(shape)` gives the literal dims a model's signature wants (with
`drop_last=True` every batch has `batch_size` rows). A typed `collate_fn` types the batches
itself (`DataLoader[B]` from `Callable[[list[T]], B]`).

With `num_workers > 0` each worker is a process of its own (a `concurrent.futures` pool of
one), batch i goes to worker i % num_workers as in torch, and `prefetch_factor` batches per
worker are requested ahead. Workers collate on the host (numpy); the main process makes the
tensors on `device`. An error in a worker is raised again in the main process, of the same
type, with the worker's traceback in its message.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import pickle
import random
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypedDict, overload

import numpy as np
from typing_extensions import TypeVar

from shaped.data.collate import host_collate, host_convert, place
from shaped.data.dataset import IterableDataset, MapDataset, Subset, TensorDataset
from shaped.data.sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from shaped.devices import CPU, Device
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DataLoader", "WorkerInfo", "get_worker_info"]

B = TypeVar("B", default=Any)  # a bare `DataLoader` annotation is DataLoader[Any]
T = TypeVar("T")
AnyShape = tuple[Any, ...]
Leaf = Tensor[Any, Any, Any, Any] | np.ndarray[Any, Any] | np.generic | float
TensorBatch = Tensor[AnyShape, Any, Any]


class WorkerInfo(NamedTuple):
    """What `get_worker_info()` tells code running in a worker process (as torch's)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker: its id, the number of workers, its seed and its copy of the
    dataset (shard an IterableDataset with these); None in the main process."""
    return _worker_info


class LoaderOptions(TypedDict, total=False):
    """DataLoader's keyword arguments beyond the first seven (as torch's)."""

    pin_memory: bool
    drop_last: bool
    timeout: float
    worker_init_fn: Callable[[int], None] | None
    multiprocessing_context: Any
    generator: np.random.Generator | None
    prefetch_factor: int | None
    persistent_workers: bool
    pin_memory_device: str
    in_order: bool
    seed: int | None
    device: Device | None


# ---------------------------------------------------------------- fetching a batch


def _columns(dataset: object, indices: list[int], in_worker: bool) -> tuple[Any, ...] | None:
    """A TensorDataset's (or a Subset's of one) batch in one fancy-indexing step per column."""
    rows = np.asarray(indices, dtype=np.int64)
    while type(dataset) is Subset:
        rows = np.asarray(dataset.indices, dtype=np.int64)[rows]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    out: list[Any] = []
    for column in dataset.tensors:
        if isinstance(column, Tensor):
            picked = column._data[column._device.xp.asarray(rows)]
            if not in_worker:
                out.append(Tensor._wrap(picked, column._device))
            else:  # back to the host: the main process makes the tensors
                out.append(picked.get() if hasattr(picked, "get") else picked)
        else:
            out.append(column[rows])
    return tuple(out)


def _fetch(dataset: Any, index: Any, batched: bool, collate_fn: Any, in_worker: bool) -> Any:
    if not batched:  # batch_size=None: one sample at a time
        sample = dataset[index]
        return host_convert(sample) if collate_fn is None else collate_fn(sample)
    if collate_fn is None:
        columns = _columns(dataset, index, in_worker)
        if columns is not None:
            return columns
    getitems = getattr(dataset, "__getitems__", None)
    samples = getitems(index) if callable(getitems) else [dataset[i] for i in index]
    return host_collate(samples, in_worker) if collate_fn is None else collate_fn(samples)


def _next_of_stream(state: dict[str, Any], in_worker: bool) -> Any:
    """The next batch (or sample) of an IterableDataset's iterator; _END when it is done."""
    iterator, batch_size, collate_fn = state["iterator"], state["batch_size"], state["collate"]
    if batch_size is None:
        sample = next(iterator, _END)
        if sample is _END:
            return _END
        return host_convert(sample) if collate_fn is None else collate_fn(sample)
    samples = list(itertools.islice(iterator, batch_size))
    if not samples or (state["drop_last"] and len(samples) < batch_size):
        return _END
    return host_collate(samples, in_worker) if collate_fn is None else collate_fn(samples)


class _End:
    """The end of a stream (pickled across processes, so a class rather than an object())."""


_END: Any = _End()


# ---------------------------------------------------------------- worker processes


class _Failure:
    """An exception in a worker, carried back to be raised again in the main process."""

    def __init__(self, error: BaseException, worker: int) -> None:
        kind: type[BaseException] | None = type(error)
        try:
            pickle.dumps(kind)
        except Exception:  # a class defined inside a function: raise a RuntimeError instead
            kind = None
        self.kind = kind
        self.name = type(error).__name__
        self.text = "".join(traceback.format_exception(error))
        self.worker = worker

    def reraise(self) -> None:
        message = (
            f"Caught {self.name} in DataLoader worker process {self.worker}.\nOriginal {self.text}"
        )
        try:
            error = self.kind(message) if self.kind is not None else RuntimeError(message)
        except Exception:
            raise RuntimeError(message) from None
        raise error


_state: dict[str, Any] = {}


def _start_worker(settings: dict[str, Any]) -> None:
    global _worker_info
    seed = settings["seed"]
    random.seed(seed)
    np.random.seed(seed % 2**32)
    _worker_info = WorkerInfo(settings["id"], settings["num_workers"], seed, settings["dataset"])
    _state.clear()
    _state.update(settings, epoch=None, failure=None)
    init = settings["worker_init_fn"]
    if init is not None:
        try:
            init(settings["id"])
        except Exception as error:  # reported with the first batch, not as a broken pool
            _state["failure"] = _Failure(error, settings["id"])


def _work_map(index: Any) -> Any:
    if _state["failure"] is not None:
        return _state["failure"]
    try:
        return _fetch(_state["dataset"], index, _state["batched"], _state["collate"], True)
    except Exception as error:
        return _Failure(error, _state["id"])


def _work_stream(epoch: int) -> Any:
    if _state["failure"] is not None:
        return _state["failure"]
    try:
        if _state["epoch"] != epoch:
            _state["epoch"], _state["iterator"] = epoch, iter(_state["dataset"])
        return _next_of_stream(_state, True)
    except Exception as error:
        return _Failure(error, _state["id"])


# ---------------------------------------------------------------- the loader


class DataLoader(Generic[B]):
    """Batches of a dataset, as torch.utils.data.DataLoader (same arguments and checks).

    `shuffle=True` uses a RandomSampler seeded by `seed` (or `generator`, a numpy
    Generator): a new order every epoch, the same run for the same seed. `len(loader)` is
    the number of batches (ceil(n / batch_size), floor with `drop_last`), as torch.
    The default collate stacks samples into tensors on `device` (default `sh.Cpu()`);
    tuples stay tuples (torch gives lists), Python floats give Float64 and ints Int64 (as
    torch), uint8 and other dtypes tensors cannot hold raise DtypeError. `pin_memory`,
    `pin_memory_device` and `in_order` are accepted for torch's signature (batches always
    come in order).
    """

    @overload
    def __init__(
        self: DataLoader[Any],
        dataset: MapDataset[Any] | IterableDataset[Any],
        batch_size: None,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DataLoader[B],
        dataset: MapDataset[T] | IterableDataset[T],
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Sampler[int] | Iterable[int] | None = None,
        batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        *,
        collate_fn: Callable[[list[T]], B],
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DataLoader[tuple[TensorBatch, ...]],
        dataset: MapDataset[tuple[Leaf, ...]] | IterableDataset[tuple[Leaf, ...]],
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Sampler[int] | Iterable[int] | None = None,
        batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: None = None,
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DataLoader[dict[str, TensorBatch]],
        dataset: MapDataset[Mapping[str, Leaf]] | IterableDataset[Mapping[str, Leaf]],
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Sampler[int] | Iterable[int] | None = None,
        batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: None = None,
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DataLoader[TensorBatch],
        dataset: MapDataset[Leaf] | IterableDataset[Leaf],
        batch_size: int = 1,
        shuffle: bool | None = None,
        sampler: Sampler[int] | Iterable[int] | None = None,
        batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: None = None,
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: DataLoader[Any],
        dataset: MapDataset[Any] | IterableDataset[Any],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[int]] | Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        **options: Unpack[LoaderOptions],
    ) -> None: ...
    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: np.random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
        seed: int | None = 0,
        device: Device | None = None,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                f"multiprocessing (got {num_workers!r})"
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. Let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if device is not None and not isinstance(device, Device):
            raise TypeError(
                f"DataLoader: device must be a device object such as sh.Cpu() or sh.Cuda(0), "
                f"got {device!r}"
            )
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (
                ("shuffle", shuffle if shuffle not in (None, False) else None),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value is not None:
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} option, "
                        f"but got {name}={value}"
                    )
        elif not (callable(getattr(dataset, "__getitem__", None)) and hasattr(dataset, "__len__")):
            raise TypeError(
                f"DataLoader: the dataset needs __getitem__ and __len__ (a map-style Dataset) "
                f"or __iter__ (subclass IterableDataset), got {type(dataset).__name__}"
            )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator, seed=seed)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.persistent_workers = persistent_workers
        self.device = (CPU if device is None else device)._place()
        self._rng = generator if generator is not None else np.random.default_rng(seed)
        self._pools: list[ProcessPoolExecutor] | None = None
        self._epochs = 0

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self) -> int:
        """The number of batches an epoch yields (for an IterableDataset, from its len())."""
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = (
                    length // self.batch_size
                    if self.drop_last
                    else math.ceil(length / self.batch_size)
                )
            return length
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[B]:
        self._epochs += 1
        if self.num_workers == 0:
            return self._in_process()
        return self._from_workers()

    def _out(self, batch: Any) -> Any:
        return place(batch, self.device) if self.collate_fn is None else batch

    def _in_process(self) -> Iterator[Any]:
        batched = self._auto_collation
        if self._iterable:
            state = {
                "iterator": iter(self.dataset),
                "batch_size": self.batch_size,
                "collate": self.collate_fn,
                "drop_last": self.drop_last,
            }
            while (batch := _next_of_stream(state, False)) is not _END:
                yield self._out(batch)
            return
        for index in self._index_sampler:
            yield self._out(_fetch(self.dataset, index, batched, self.collate_fn, False))

    # ------------------------------------------------------------ workers

    def _start_pools(self) -> list[ProcessPoolExecutor]:
        context = self.multiprocessing_context
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        base_seed = int(self._rng.integers(2**62))
        return [
            ProcessPoolExecutor(
                1,
                mp_context=context,
                initializer=_start_worker,
                initargs=(
                    {
                        "id": worker,
                        "num_workers": self.num_workers,
                        "seed": base_seed + worker,
                        "dataset": self.dataset,
                        "collate": self.collate_fn,
                        "worker_init_fn": self.worker_init_fn,
                        "batched": self._auto_collation,
                        "batch_size": self.batch_size,
                        "drop_last": self.drop_last,
                    },
                ),
            )
            for worker in range(self.num_workers)
        ]

    def _result(self, future: Future[Any]) -> Any:
        try:
            result = future.result(timeout=self.timeout or None)
        except FutureTimeout:
            raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds") from None
        except BrokenProcessPool as error:
            raise RuntimeError(
                f"DataLoader worker exited unexpectedly ({error}); a worker may have run out "
                "of memory or been killed"
            ) from None
        if isinstance(result, _Failure):
            result.reraise()
        return result

    def _from_workers(self) -> Iterator[Any]:
        pools = self._pools
        if pools is None:
            pools = self._start_pools()
            if self.persistent_workers:
                self._pools = pools
        ahead = max(1, self.prefetch_factor or 1)
        try:
            if self._iterable:
                yield from self._stream_from(pools, ahead)
            else:
                yield from self._map_from(pools, ahead)
        finally:
            if not self.persistent_workers:
                for pool in pools:
                    pool.shutdown(wait=True, cancel_futures=True)

    def _map_from(self, pools: list[ProcessPoolExecutor], ahead: int) -> Iterator[Any]:
        indices = iter(self._index_sampler)
        pending: deque[Future[Any]] = deque()
        sent = 0

        def send() -> None:
            nonlocal sent
            index = next(indices, _END)
            if index is not _END:
                pending.append(pools[sent % len(pools)].submit(_work_map, index))
                sent += 1

        for _ in range(len(pools) * ahead):
            send()
        while pending:
            result = self._result(pending.popleft())
            send()
            yield self._out(result)

    def _stream_from(self, pools: list[ProcessPoolExecutor], ahead: int) -> Iterator[Any]:
        epoch = self._epochs
        queues = [deque(pool.submit(_work_stream, epoch) for _ in range(ahead)) for pool in pools]
        active = list(range(len(pools)))
        turn = 0
        while active:  # round robin over the workers that still have data, as torch
            turn %= len(active)
            worker = active[turn]
            result = self._result(queues[worker].popleft())
            if isinstance(result, _End):
                del active[turn]  # the next worker moves into this turn
                continue
            queues[worker].append(pools[worker].submit(_work_stream, epoch))
            turn += 1
            yield self._out(result)

    def __del__(self) -> None:
        for pool in getattr(self, "_pools", None) or ():  # a failed __init__ set none
            pool.shutdown(wait=False, cancel_futures=True)

    def __repr__(self) -> str:
        return (
            f"DataLoader({type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"num_workers={self.num_workers}, drop_last={self.drop_last})"
        )
