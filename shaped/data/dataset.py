"""Datasets as torch.utils.data: map-style `Dataset` (`__getitem__`, `__len__`),
`IterableDataset`, `TensorDataset`, `Subset`, `ConcatDataset`, `random_split`."""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, Protocol, cast

import numpy as np
from typing_extensions import TypeVar

from shaped.devices import CPU
from shaped.dtypes import BY_NAME
from shaped.errors import DtypeError, ShapeError
from shaped.tensor import Tensor

__all__ = [
    "ConcatDataset",
    "Dataset",
    "IterableDataset",
    "MapDataset",
    "Subset",
    "TensorDataset",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True, default=Any)  # `class Ds(Dataset):` is Dataset[Any]
T = TypeVar("T")
AnyShape = tuple[Any, ...]
Sample = tuple[Tensor[AnyShape, Any, Any], ...]


class MapDataset(Protocol[T_co]):
    """What a DataLoader needs of a map-style dataset: `len(ds)` and `ds[i]` for 0 <= i < len."""

    def __getitem__(self, index: int, /) -> T_co: ...

    def __len__(self) -> int: ...


class Dataset(Generic[T_co]):
    """Base of map-style datasets, as torch.utils.data.Dataset: subclass it and define
    `__getitem__(index)` and `__len__()`. `ds1 + ds2` is their ConcatDataset.

    Any object with those two methods works with a DataLoader (a list of samples, say).
    """

    def __getitem__(self, index: int) -> T_co:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        both = [self, other]  # subclasses define __len__; ConcatDataset checks it
        return ConcatDataset(cast("list[MapDataset[T_co]]", both))


class IterableDataset(Dataset[T_co], Iterable[T_co]):
    """A stream of samples, as torch's: define `__iter__`. With `num_workers > 0` every worker
    iterates its own copy, so shard the stream with `get_worker_info()` (as in torch), or
    each sample comes once per worker."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __add__(self, other: Dataset[T_co]) -> ConcatDataset[T_co]:
        raise TypeError("ConcatDataset does not support IterableDataset; chain the iterables")


def _column(i: int, value: object) -> Any:
    """A TensorDataset column: a shaped tensor as it is, anything else as a numpy array."""
    if isinstance(value, Tensor):
        column: Any = value
    else:
        column = np.asarray(value)
        if column.dtype.name not in BY_NAME:
            raise DtypeError(
                f"TensorDataset: array {i} has dtype {column.dtype}, which tensors cannot hold; "
                f"convert it first, e.g. array.astype(np.float32) (supported: {', '.join(BY_NAME)})"
            )
        if not column.dtype.isnative:
            column = column.astype(column.dtype.newbyteorder("="))
    if column.ndim == 0:
        raise ShapeError(
            f"TensorDataset: tensor {i} is a scalar; every tensor needs a sample axis 0"
        )
    return column


class TensorDataset(Dataset[Sample]):
    """Samples are rows along axis 0 of each tensor or array: `ds[i]` is
    `(t1[i], t2[i], ...)`, a tuple of tensors, as torch.

    Takes shaped tensors and numpy arrays (or lists); arrays stay on the host and keep their
    dtype (float64 stays Float64) until a DataLoader batches them onto its device, rows
    taken together in one fancy-indexing step, without a per-sample loop.
    """

    def __init__(self, *tensors: Tensor[Any, Any, Any, Any] | Any) -> None:
        if not tensors:
            raise TypeError("TensorDataset: pass at least one tensor, e.g. TensorDataset(x, y)")
        self.tensors: tuple[Any, ...] = tuple(_column(i, t) for i, t in enumerate(tensors))
        lengths = [len(t) for t in self.tensors]
        if len(set(lengths)) > 1:
            raise ShapeError(
                "TensorDataset: size mismatch between tensors: their lengths along axis 0 are "
                f"{', '.join(map(str, lengths))}; every tensor needs one row per sample"
            )

    def __getitem__(self, index: int) -> Sample:
        return tuple(
            t[index] if isinstance(t, Tensor) else CPU.tensor(t[index]) for t in self.tensors
        )

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset[T_co]):
    """The samples of `dataset` at `indices`, in that order, as torch.utils.data.Subset."""

    def __init__(self, dataset: MapDataset[T_co], indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: int) -> T_co:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset[T_co]):
    """Several map-style datasets one after another, as torch.utils.data.ConcatDataset."""

    def __init__(self, datasets: Iterable[MapDataset[T_co]]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> T_co:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def split_lengths(n: int, lengths: Sequence[float]) -> list[int]:
    """torch's random_split lengths: fractions summing to 1 become floor(n * f), the remainder
    handed out one by one from the first split; integer lengths must sum to n."""
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes: list[int] = []
        for i, fraction in enumerate(lengths):
            if fraction < 0 or fraction > 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1")
            sizes.append(math.floor(n * fraction))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        for i, size in enumerate(sizes):
            if size == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=3,
                )
        return sizes
    if any(isinstance(length, float) and not length.is_integer() for length in lengths):
        raise ValueError(
            f"random_split: lengths {list(lengths)} are neither fractions summing to 1 nor "
            "integer lengths"
        )
    sizes = [int(length) for length in lengths]
    if sum(sizes) != n:
        raise ValueError(
            "Sum of input lengths does not equal the length of the input dataset! "
            f"({' + '.join(map(str, sizes))} = {sum(sizes)}, the dataset has {n})"
        )
    return sizes


def random_split(
    dataset: MapDataset[T],
    lengths: Sequence[float],
    seed: int | None = 0,
    generator: np.random.Generator | None = None,
) -> list[Subset[T]]:
    """Split into non-overlapping random subsets of the given lengths (or fractions summing
    to 1, with torch's rounding), as torch.utils.data.random_split.

    The permutation comes from `generator` (a numpy Generator) or else from `seed` (the same
    split for the same seed; None for a fresh one): the lengths equal torch's, the chosen
    indices do not (another RNG).
    """
    sizes = split_lengths(len(dataset), lengths)
    rng = generator if generator is not None else np.random.default_rng(seed)
    indices = rng.permutation(sum(sizes)).tolist()
    return [
        Subset(dataset, indices[end - size : end])
        for end, size in zip(itertools.accumulate(sizes), sizes, strict=True)
    ]
