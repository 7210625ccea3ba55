"""sh.data's datasets, samplers and DataLoader against torch.utils.data: everything that does
not depend on the RNG (lengths, batch counts, drop_last, sequential order, DistributedSampler
shards without shuffle, random_split lengths, collation) equals torch's; shuffles are
permutations, new each epoch and reproducible from a seed; workers give the same batches."""

from __future__ import annotations

import math
import os
import warnings
from collections import namedtuple
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data as td
from hypothesis import given, settings
from hypothesis import strategies as st

import shaped as sh
from shaped import data, losses, nn, optim


def flat(batches: Any) -> list[int]:
    return [int(i) for batch in batches for i in np.asarray(batch).ravel()]


class Squares(data.Dataset[tuple[np.ndarray, int]]):
    """A map-style dataset as users write one: (features, label) pairs."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        if not 0 <= index < self.n:
            raise IndexError(index)
        return np.full((2,), index * index, dtype=np.float32), index


class TorchSquares(td.Dataset):  # type: ignore[type-arg]
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
        return np.full((2,), index * index, dtype=np.float32), index


class Broken(data.Dataset[int]):
    def __len__(self) -> int:
        return 10

    def __getitem__(self, index: int) -> int:
        if index == 7:
            raise KeyError(f"sample {index} is missing")
        return index


class Stream(data.IterableDataset[int]):
    """An iterable dataset that shards itself across workers, as torch's docs show."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        info = data.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self) -> int:
        return self.n


class TorchStream(td.IterableDataset):  # type: ignore[type-arg]
    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self) -> Iterator[int]:
        info = td.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self) -> int:
        return self.n


# ---------------------------------------------------------------- batch counts and order


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 40), batch_size=st.integers(1, 12), drop_last=st.booleans())
def test_counts_and_sequential_order_equal_torch(n: int, batch_size: int, drop_last: bool) -> None:
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n)
    ours = data.DataLoader(data.TensorDataset(x, y), batch_size=batch_size, drop_last=drop_last)
    theirs = td.DataLoader(
        td.TensorDataset(torch.tensor(x), torch.tensor(y)),
        batch_size=batch_size,
        drop_last=drop_last,
    )
    assert len(ours) == len(theirs)
    got, expected = list(ours), list(theirs)
    assert len(got) == len(expected)
    for (xb, yb), (txb, tyb) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(xb.numpy(), txb.numpy())
        np.testing.assert_array_equal(yb.numpy(), tyb.numpy())
        assert xb.dtype is sh.Float32 and yb.dtype is sh.Int64
    if n == 0:  # torch's RandomSampler refuses an empty dataset, and so does ours
        with pytest.raises(ValueError):
            td.DataLoader(torch.arange(n), batch_size, shuffle=True)
        with pytest.raises(ValueError, match="num_samples should be an int >= 1"):
            data.DataLoader(data.TensorDataset(x, y), batch_size, shuffle=True)
        return
    shuffled = data.DataLoader(
        data.TensorDataset(x, y), batch_size, shuffle=True, drop_last=drop_last
    )
    torch_shuffled = td.DataLoader(torch.arange(n), batch_size, shuffle=True, drop_last=drop_last)
    assert len(shuffled) == len(torch_shuffled)
    assert [len(b[1]) for b in shuffled] == [len(b) for b in torch_shuffled]


def test_user_dataset_collates_as_torch() -> None:
    ours = list(data.DataLoader(Squares(7), batch_size=3))
    theirs = list(td.DataLoader(TorchSquares(7), batch_size=3))
    for (x, y), (tx, ty) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        np.testing.assert_array_equal(y.numpy(), ty.numpy())
        assert x.dtype is sh.Float32 and y.dtype is sh.Int64


def test_shuffle_is_a_new_permutation_each_epoch_and_reproducible() -> None:
    ds = data.TensorDataset(np.arange(50))
    loader = data.DataLoader(ds, batch_size=8, shuffle=True, seed=3)
    epochs = [flat(b[0].numpy() for b in loader) for _ in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(50))
    assert epochs[0] != epochs[1] != epochs[2]
    again = data.DataLoader(ds, batch_size=8, shuffle=True, seed=3)
    assert [flat(b[0].numpy() for b in again) for _ in range(3)] == epochs
    other = data.DataLoader(ds, batch_size=8, shuffle=True, seed=4)
    assert flat(b[0].numpy() for b in other) != epochs[0]
    rng_loader = data.DataLoader(ds, batch_size=8, shuffle=True, generator=np.random.default_rng(3))
    assert sorted(flat(b[0].numpy() for b in rng_loader)) == list(range(50))


def test_len_before_iterating_for_tqdm() -> None:
    loader = data.DataLoader(Squares(10), batch_size=4)
    assert len(loader) == 3 == len(td.DataLoader(TorchSquares(10), batch_size=4))
    assert len(data.DataLoader(Squares(10), batch_size=4, drop_last=True)) == 2


# ---------------------------------------------------------------- samplers


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_batch_sampler_equals_torch(n: int, batch_size: int, drop_last: bool) -> None:
    ours = data.BatchSampler(data.SequentialSampler(range(n)), batch_size, drop_last)
    theirs = td.BatchSampler(td.SequentialSampler(range(n)), batch_size, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    assert list(data.BatchSampler(list(range(n)), batch_size, drop_last)) == list(theirs)


@pytest.mark.parametrize(("n", "num_samples"), [(5, None), (5, 3), (5, 12), (5, 10), (1, 4)])
def test_random_sampler_lengths_and_blocks(n: int, num_samples: int | None) -> None:
    ours = data.RandomSampler(range(n), num_samples=num_samples, seed=0)
    theirs = td.RandomSampler(range(n), num_samples=num_samples)
    assert len(ours) == len(theirs)
    drawn = list(ours)
    assert len(drawn) == len(list(theirs))
    for start in range(0, len(drawn) - len(drawn) % n, n):  # whole permutations, as torch
        assert sorted(drawn[start : start + n]) == list(range(n))
    assert len(set(drawn[len(drawn) - len(drawn) % n :])) == len(drawn) % n
    assert list(ours) != drawn or n == 1  # the next epoch draws again
    replaced = data.RandomSampler(range(n), replacement=True, num_samples=50, seed=1)
    assert len(list(replaced)) == 50 == len(replaced)
    assert all(0 <= i < n for i in replaced)


def test_sampler_argument_errors_as_torch() -> None:
    for bad in (0, -1, 1.5):
        with pytest.raises(ValueError):
            td.RandomSampler(range(3), num_samples=bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="num_samples should be an int"):
            data.RandomSampler(range(3), num_samples=bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="batch_size should be an int"):
        data.BatchSampler(range(3), 0, False)
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        data.RandomSampler(range(3), replacement=1)  # type: ignore[arg-type]


def test_subset_random_sampler() -> None:
    sampler = data.SubsetRandomSampler([3, 5, 9], seed=0)
    assert sorted(sampler) == [3, 5, 9] and len(sampler) == 3


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), replicas=st.integers(1, 5), drop_last=st.booleans(), data_=st.data())
def test_distributed_sampler_shards_equal_torch(
    n: int, replicas: int, drop_last: bool, data_: st.DataObject
) -> None:
    rank = data_.draw(st.integers(0, replicas - 1))
    ours = data.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
    theirs = td.DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)
    assert ours.total_size == theirs.total_size


@pytest.mark.parametrize(
    ("n", "replicas", "drop_last"), [(10, 3, False), (10, 3, True), (2, 5, False)]
)
def test_distributed_sampler_shuffle(n: int, replicas: int, drop_last: bool) -> None:
    def shards(epoch: int) -> list[list[int]]:
        out = []
        for rank in range(replicas):
            sampler = data.DistributedSampler(range(n), replicas, rank, seed=7, drop_last=drop_last)
            sampler.set_epoch(epoch)
            out.append(list(sampler))
        return out

    first = shards(0)
    counts = {len(shard) for shard in first}
    expected = td.DistributedSampler(range(n), replicas, 0, drop_last=drop_last)
    assert counts == {len(expected)}
    seen = [i for shard in first for i in shard]
    if drop_last:
        assert len(set(seen)) == len(seen)  # no index twice
    else:
        assert set(seen) == set(range(n))  # every index, some repeated as padding
    assert shards(0) == first  # the same order on every rank for an epoch
    assert shards(1) != first


def test_distributed_sampler_defaults_and_errors() -> None:
    sampler = data.DistributedSampler(range(5))  # one process without shaped.distributed
    assert (sampler.num_replicas, sampler.rank) == (1, 0)
    assert sorted(sampler) == list(range(5))
    with pytest.raises(
        ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"
    ):
        data.DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(ValueError):
        td.DistributedSampler(range(5), num_replicas=3, rank=3)


def test_distributed_sampler_in_a_loader() -> None:
    ds = data.TensorDataset(np.arange(10))
    sampler = data.DistributedSampler(ds, num_replicas=2, rank=1, shuffle=False)
    loader = data.DataLoader(ds, batch_size=2, sampler=sampler)
    torch_loader = td.DataLoader(
        torch.arange(10),
        batch_size=2,
        sampler=td.DistributedSampler(range(10), num_replicas=2, rank=1, shuffle=False),
    )
    assert flat(b[0].numpy() for b in loader) == flat(b.numpy() for b in torch_loader)
    assert len(loader) == len(torch_loader)


# ---------------------------------------------------------------- datasets


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 60),
    fractions=st.lists(st.integers(1, 10), min_size=1, max_size=4),
)
def test_random_split_lengths_equal_torch(n: int, fractions: list[int]) -> None:
    total = sum(fractions)
    parts = [f / total for f in fractions]
    parts[-1] = 1 - sum(parts[:-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = data.random_split(range(n), parts, seed=0)  # type: ignore[arg-type]
        theirs = td.random_split(range(n), parts)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    chosen = [i for subset in ours for i in subset.indices]
    assert sorted(chosen) == list(range(n))


def test_random_split_integer_lengths_and_reproducibility() -> None:
    ds = data.TensorDataset(np.arange(10))
    a, b = data.random_split(ds, [3, 7], seed=1)
    assert (len(a), len(b)) == (3, 7)
    again = data.random_split(ds, [3, 7], seed=1)
    assert list(a.indices) == list(again[0].indices)
    assert list(a.indices) != list(data.random_split(ds, [3, 7], seed=2)[0].indices)
    np.testing.assert_array_equal(a[0][0].numpy(), a.indices[0])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        data.random_split(ds, [3, 8])
    with pytest.raises(ValueError):
        td.random_split(range(10), [3, 8])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        data.random_split(data.TensorDataset(np.arange(2)), [0.9, 0.1])


def test_concat_and_subset_equal_torch() -> None:
    ours = data.ConcatDataset([Squares(3), Squares(0), Squares(4)])
    theirs = td.ConcatDataset([TorchSquares(3), TorchSquares(0), TorchSquares(4)])
    assert len(ours) == len(theirs) == 7
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    for i in range(-7, 7):
        assert ours[i][1] == theirs[i][1]
    with pytest.raises(ValueError, match="should not exceed dataset length"):
        ours[-8]
    with pytest.raises(ValueError, match="empty iterable"):
        data.ConcatDataset([])
    added = Squares(2) + Squares(3)
    assert isinstance(added, data.ConcatDataset) and len(added) == 5
    subset = data.Subset(Squares(10), [4, 1, 7])
    torch_subset = td.Subset(TorchSquares(10), [4, 1, 7])
    assert [subset[i][1] for i in range(3)] == [torch_subset[i][1] for i in range(3)]
    assert len(subset) == len(torch_subset)
    batches = list(
        data.DataLoader(data.Subset(data.TensorDataset(np.arange(10) * 10), [4, 1, 7]), 2)
    )
    assert flat(b[0].numpy() for b in batches) == [40, 10, 70]


def test_tensor_dataset() -> None:
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    y = sh.Cpu().tensor([0, 1, 2, 3])
    ds = data.TensorDataset(x, y)
    theirs = td.TensorDataset(torch.tensor(x), torch.tensor([0, 1, 2, 3]))
    assert len(ds) == len(theirs)
    for i in range(4):
        (a, b), (ta, tb) = ds[i], theirs[i]
        np.testing.assert_array_equal(a.numpy(), ta.numpy())
        assert a.dtype is sh.Float64 and int(b.item()) == int(tb)
    with pytest.raises(sh.ShapeError, match="size mismatch"):
        data.TensorDataset(np.zeros(3), np.zeros(4))
    with pytest.raises(sh.DtypeError, match="uint8"):
        data.TensorDataset(np.zeros(3, dtype=np.uint8))
    with pytest.raises(sh.ShapeError, match="scalar"):
        data.TensorDataset(np.float32(1))


def test_iterable_dataset_in_process() -> None:
    ours = data.DataLoader(Stream(10), batch_size=3)
    theirs = td.DataLoader(TorchStream(10), batch_size=3)
    assert len(ours) == len(theirs)
    assert [b.tolist() for b in ours] == [b.tolist() for b in theirs]
    dropped = data.DataLoader(Stream(10), batch_size=3, drop_last=True)
    assert [b.tolist() for b in dropped] == [
        b.tolist() for b in td.DataLoader(TorchStream(10), batch_size=3, drop_last=True)
    ]
    assert len(dropped) == 3
    one_by_one = data.DataLoader(Stream(3), batch_size=None)
    assert list(one_by_one) == list(td.DataLoader(TorchStream(3), batch_size=None))


# ---------------------------------------------------------------- collation

Point = namedtuple("Point", ["x", "y"])


@pytest.mark.parametrize(
    "samples",
    [
        [np.zeros((2, 3), np.float32), np.ones((2, 3), np.float32)],
        [1, 2, 3],
        [1.5, 2.5],
        [True, False],
        [np.float32(1.0), np.float32(2.0)],
        [np.int32(4), np.int32(5)],
        [{"image": np.ones(2), "label": 3}, {"image": np.zeros(2), "label": 4}],
        [(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 0)],
        [[1, 2.0], [3, 4.0]],
        [Point(1.0, 2), Point(3.0, 4)],
        [("a", 1), ("b", 2)],
    ],
)
def test_default_collate_equals_torch(samples: list[Any]) -> None:
    ours = data.default_collate(samples)
    theirs = td.default_collate(samples)

    def same(mine: Any, ref: Any) -> None:
        if isinstance(ref, torch.Tensor):
            assert isinstance(mine, sh.Tensor)
            assert mine.numpy().dtype == ref.numpy().dtype
            np.testing.assert_array_equal(mine.numpy(), ref.numpy())
        elif isinstance(ref, dict):
            assert isinstance(mine, dict) and mine.keys() == ref.keys()
            for key in ref:
                same(mine[key], ref[key])
        elif isinstance(ref, (list, tuple)) and not isinstance(ref[0], str):
            assert len(mine) == len(ref)
            if isinstance(samples[0], tuple):
                assert type(mine) is type(samples[0])  # tuples stay tuples (torch: lists)
            for m, r in zip(mine, ref, strict=True):
                same(m, r)
        else:
            assert mine == ref

    same(ours, theirs)


def test_collate_errors() -> None:
    with pytest.raises(sh.DtypeError, match="uint8"):
        data.default_collate([np.zeros(2, np.uint8)])
    with pytest.raises(sh.ShapeError, match="same shape"):
        data.default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        data.default_collate([None])
    with pytest.raises(sh.ShapeError, match="equal size"):
        data.default_collate([(1, 2), (1,)])


def test_custom_collate_and_no_batching() -> None:
    def lengths(batch: list[tuple[np.ndarray, int]]) -> list[int]:
        return [label for _, label in batch]

    assert list(data.DataLoader(Squares(5), batch_size=2, collate_fn=lengths)) == [
        [0, 1],
        [2, 3],
        [4],
    ]
    single = list(data.DataLoader(Squares(3), batch_size=None))
    torch_single = list(td.DataLoader(TorchSquares(3), batch_size=None))
    assert len(single) == len(torch_single) == 3
    for (x, y), (tx, ty) in zip(single, torch_single, strict=True):
        np.testing.assert_array_equal(x.numpy(), tx.numpy())
        assert y == ty


def test_device_and_dtypes() -> None:
    dev = sh.Cpu(seed=5)
    loader = data.DataLoader(data.TensorDataset(np.zeros((4, 2))), batch_size=2, device=dev)
    (x,) = next(iter(loader))
    assert x.device == dev and x.dtype is sh.Float64
    with pytest.raises(TypeError, match="device must be a device object"):
        data.DataLoader(Squares(2), device="cpu")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": -1},
        {"timeout": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"shuffle": True, "sampler": [0, 1]},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
    ],
)
def test_argument_errors_as_torch(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        td.DataLoader(TorchSquares(4), **kwargs)
    with pytest.raises(ValueError):
        data.DataLoader(Squares(4), **kwargs)


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_argument_errors_as_torch(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="IterableDataset"):
        td.DataLoader(TorchStream(4), **kwargs)
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified"):
        data.DataLoader(Stream(4), **kwargs)


def test_batch_sampler_argument() -> None:
    loader = data.DataLoader(Squares(6), batch_sampler=[[5, 0], [2]])
    assert len(loader) == 2
    assert [y.tolist() for _, y in loader] == [[5, 0], [2]]


# ---------------------------------------------------------------- worker processes


def test_workers_give_the_same_batches() -> None:
    x = np.arange(40, dtype=np.float32).reshape(20, 2)
    ds = data.TensorDataset(x, np.arange(20))
    for shuffle in (False, True):
        alone = data.DataLoader(ds, batch_size=3, shuffle=shuffle, seed=9)
        workers = data.DataLoader(
            ds, batch_size=3, shuffle=shuffle, seed=9, num_workers=2, prefetch_factor=3
        )
        assert len(alone) == len(workers)
        for _ in range(2):  # two epochs: the same new order in both
            for (a, b), (c, d) in zip(alone, workers, strict=True):
                np.testing.assert_array_equal(a.numpy(), c.numpy())
                np.testing.assert_array_equal(b.numpy(), d.numpy())
    mapped = data.DataLoader(Squares(9), batch_size=4, num_workers=2)
    assert [y.tolist() for _, y in mapped] == [
        y.tolist() for _, y in td.DataLoader(TorchSquares(9), batch_size=4, num_workers=2)
    ]


def test_iterable_dataset_with_workers_equals_torch() -> None:
    for batch_size in (3, None):
        ours = data.DataLoader(Stream(11), batch_size=batch_size, num_workers=2)
        theirs = td.DataLoader(TorchStream(11), batch_size=batch_size, num_workers=2)
        got = [b.tolist() if isinstance(b, sh.Tensor) else b for b in ours]
        assert got == [b.tolist() if isinstance(b, torch.Tensor) else b for b in theirs]


def test_worker_error_is_raised_again_with_its_traceback() -> None:
    loader = data.DataLoader(Broken(), batch_size=2, num_workers=2)
    with pytest.raises(KeyError) as caught:
        list(loader)
    message = str(caught.value)
    assert "Caught KeyError in DataLoader worker process 1" in message
    assert "Original Traceback (most recent call last)" in message
    assert "in __getitem__" in message and "sample 7 is missing" in message


def record_worker(worker_id: int) -> None:
    info = data.get_worker_info()
    assert info is not None and info.id == worker_id
    os.environ["SHAPED_TEST_WORKER"] = str(worker_id)


class WorkerIds(data.Dataset[int]):
    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int) -> int:
        info = data.get_worker_info()
        assert info is not None and os.environ["SHAPED_TEST_WORKER"] == str(info.id)
        return info.id * 100 + os.getpid() % 100


def test_worker_init_fn_persistent_workers_and_early_break() -> None:
    loader = data.DataLoader(
        WorkerIds(),
        batch_size=1,
        num_workers=2,
        worker_init_fn=record_worker,
        persistent_workers=True,
    )
    first = [int(b.item()) for b in loader]
    assert [v // 100 for v in first] == [0, 1, 0, 1, 0, 1]  # batch i goes to worker i % 2
    assert [int(b.item()) for b in loader] == first  # the same processes next epoch
    for i, _ in enumerate(loader):  # leaving an epoch early does not hang
        if i == 1:
            break
    assert data.get_worker_info() is None  # in the main process


def test_a_training_loop() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    train, _ = data.random_split(data.TensorDataset(x, y), [0.75, 0.25], seed=0)
    loader = data.DataLoader(train, batch_size=16, shuffle=True, drop_last=True)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
    opt = optim.Adam(model, lr=1e-2)
    grads = model.alloc_grads()
    first = last = math.nan
    for epoch in range(15):
        for xb, yb in loader:
            xb = xb.realize((16, 4))
            model.zero_grads(grads)
            loss = losses.cross_entropy(model(xb.traced(grads)), yb)
            grads = loss.backward()
            nn.utils.clip_grad_norm_(model, grads, max_norm=1.0)
            opt.update(model, grads)
            last = loss.item()
            if epoch == 0 and math.isnan(first):
                first = last
    assert last < first


def label_lists(batch: list[tuple[np.ndarray, int]]) -> list[int]:
    return [label for _, label in batch]


def test_workers_with_tensor_columns_custom_collate_and_lists() -> None:
    tensors = data.TensorDataset(sh.Cpu().randn((10, 3)), sh.Cpu().tensor(list(range(10))))
    alone = [(a.numpy(), b.numpy()) for a, b in data.DataLoader(tensors, batch_size=4)]
    pooled = [(a.numpy(), b.numpy()) for a, b in data.DataLoader(tensors, 4, num_workers=2)]
    for (a, b), (c, d) in zip(alone, pooled, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    collated = data.DataLoader(Squares(5), batch_size=2, num_workers=2, collate_fn=label_lists)
    assert list(collated) == [[0, 1], [2, 3], [4]]
    samples = [(np.full(2, i, np.float32), i) for i in range(5)]  # a list is a dataset too
    assert [y.tolist() for _, y in data.DataLoader(samples, batch_size=2)] == [[0, 1], [2, 3], [4]]


def test_weighted_random_sampler() -> None:
    weights = [0.0, 1.0, 3.0, 0.0]
    ours = data.WeightedRandomSampler(weights, 4000, seed=0)
    theirs = td.WeightedRandomSampler(weights, 4000)
    assert len(ours) == len(theirs)
    counts = np.bincount(list(ours), minlength=4)
    assert counts[0] == counts[3] == 0
    np.testing.assert_allclose(counts[2] / counts[1], 3.0, rtol=0.1)
    once = list(data.WeightedRandomSampler(weights, 2, replacement=False, seed=1))
    assert sorted(once) == [1, 2]
    with pytest.raises(ValueError, match="without replacement"):
        data.WeightedRandomSampler(weights, 3, replacement=False)
    with pytest.raises(ValueError, match="1d sequence"):
        data.WeightedRandomSampler([[1.0]], 1)
