"""Samplers as torch.utils.data: the order of indices a DataLoader fetches.

Shuffling draws from a numpy Generator made once from `seed` (or passed as `generator`),
so each epoch (each `iter`) has a new order and a run is reproducible from its seed; the
orders differ from torch's (another RNG), everything else (lengths, batch counts, shards
of DistributedSampler without shuffle) is torch's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic

import numpy as np
from typing_extensions import TypeVar

__all__ = [
    "BatchSampler",
    "DistributedSampler",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
]

T_co = TypeVar("T_co", covariant=True, default=Any)


def _generator(where: str, seed: object, generator: object) -> np.random.Generator:
    if generator is not None:
        if not isinstance(generator, np.random.Generator):
            raise TypeError(
                f"{where}: generator must be a numpy Generator (np.random.default_rng(0)), got "
                f"{type(generator).__name__}; or pass seed=0"
            )
        return generator
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise TypeError(f"{where}: seed must be an int >= 0 or None, got {seed!r}")
    return np.random.default_rng(seed)


def _count(where: str, name: str, value: object, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise ValueError(f"{where}: {name} should be an int >= {least}, but got {name}={value!r}")
    return int(value)


class Sampler(Generic[T_co]):
    """Base of samplers: `__iter__` yields indices (or lists of them, for batch samplers)."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")


class SequentialSampler(Sampler[int]):
    """0, 1, ..., len(data_source) - 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A new random order of the indices each epoch, as torch.utils.data.RandomSampler.

    Without replacement, `num_samples` beyond the dataset's length repeats whole
    permutations (then part of one), as torch; with it, draws uniformly.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: np.random.Generator | None = None,
        *,
        seed: int | None = 0,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        _count(
            "RandomSampler", "num_samples", self.num_samples, 1
        )  # an empty dataset too, as torch
        self.generator = _generator("RandomSampler", seed, generator)

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), self.generator
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n if n else 0):
            yield from rng.permutation(n).tolist()
        if n:
            yield from rng.permutation(n)[: self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices in a new random order each epoch."""

    def __init__(
        self,
        indices: Iterable[int],
        generator: np.random.Generator | None = None,
        *,
        seed: int | None = 0,
    ) -> None:
        self.indices = list(indices)
        self.generator = _generator("SubsetRandomSampler", seed, generator)

    def __iter__(self) -> Iterator[int]:
        for i in self.generator.permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices drawn with probability proportional to `weights`, as torch's
    (with replacement by default; without it, each index at most once)."""

    def __init__(
        self,
        weights: Sequence[float] | Any,
        num_samples: int,
        replacement: bool = True,
        generator: np.random.Generator | None = None,
        *,
        seed: int | None = 0,
    ) -> None:
        _count("WeightedRandomSampler", "num_samples", num_samples, 1)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement!r}"
            )
        probabilities = np.asarray(weights, dtype=np.float64)
        if probabilities.ndim != 1:
            raise ValueError(
                f"weights should be a 1d sequence but given weights have shape "
                f"{probabilities.shape}"
            )
        if (probabilities < 0).any() or not np.isfinite(probabilities).all():
            raise ValueError("WeightedRandomSampler: weights must be finite and non-negative")
        if not replacement and num_samples > int((probabilities > 0).sum()):
            raise ValueError(
                f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement "
                f"from {int((probabilities > 0).sum())} indices of non-zero weight"
            )
        self.weights = probabilities
        self.num_samples = int(num_samples)
        self.replacement = replacement
        self.generator = _generator("WeightedRandomSampler", seed, generator)

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        drawn = self.generator.choice(len(p), self.num_samples, replace=self.replacement, p=p)
        return iter(drawn.tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Lists of `batch_size` indices from `sampler`; the last shorter one is kept unless
    `drop_last`. len() is ceil(n / batch_size), or floor with drop_last, as torch."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        self.batch_size = _count("BatchSampler", "batch_size", batch_size, 1)
        if not isinstance(drop_last, bool):
            raise ValueError(
                f"drop_last should be a boolean value, but got drop_last={drop_last!r}"
            )
        self.sampler = sampler
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)


def _world() -> tuple[int, int]:
    """(num_replicas, rank) from shaped.distributed when it runs, else one process."""
    try:
        from shaped import distributed

        return int(distributed.world_size()), int(distributed.rank())
    except Exception:  # not installed, not initialised: one process
        return 1, 0


class DistributedSampler(Sampler[int]):
    """This process's share of the indices, as torch.utils.data.DistributedSampler.

    Rank r takes indices r, r + num_replicas, ... of the (shuffled, seeded by seed + epoch)
    order, padded by repeating its start so that every rank gets the same count, or cut
    short with `drop_last`. Call `set_epoch(epoch)` before each epoch for a new order (the
    same on every rank). `num_replicas` and `rank` default to `shaped.distributed`'s
    world size and rank (one process where it is absent).
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            world, here = _world()
            num_replicas = world if num_replicas is None else num_replicas
            rank = here if rank is None else rank
        _count("DistributedSampler", "num_replicas", num_replicas, 1)
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            indices: list[Any] = (
                np.random.default_rng(self.seed + self.epoch).permutation(n).tolist()
            )
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch seeds the shuffle (seed + epoch): call it at the start of each epoch."""
        self.epoch = epoch
