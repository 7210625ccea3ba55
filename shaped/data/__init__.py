"""Feeding data, as torch.utils.data: datasets, samplers and `DataLoader`; and for plain
arrays `batches` (shuffled mini-batches of numpy arrays) and `read_idx` (MNIST's IDX files).

```python
images = sh.data.read_idx("train-images-idx3-ubyte.gz").astype(np.float32) / 255
labels = sh.data.read_idx("train-labels-idx1-ubyte.gz").astype(np.int64)
train, valid = sh.data.random_split(sh.data.TensorDataset(images, labels), [0.9, 0.1])
loader = sh.data.DataLoader(train, batch_size=128, shuffle=True, num_workers=2)
for epoch in range(3):
    for x, y in loader:  # a new order every epoch, reproducible from seed= (default 0)
        ...
```
"""

from __future__ import annotations

from shaped.data.arrays import Batches, batches, read_idx
from shaped.data.collate import default_collate, default_convert
from shaped.data.dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    MapDataset,
    Subset,
    TensorDataset,
    random_split,
)
from shaped.data.loader import DataLoader, WorkerInfo, get_worker_info
from shaped.data.sampler import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler",
    "Batches",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "MapDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "WorkerInfo",
    "batches",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
    "read_idx",
]
