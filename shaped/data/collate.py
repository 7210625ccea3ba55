"""How samples become a batch: `default_collate` (stacking) and `default_convert`.

Collating runs in two steps so that worker processes never make tensors: `host_collate`
stacks on the host (numpy arrays at the leaves), `place` turns those arrays into tensors on
the loader's device in the main process. Shaped tensors in samples are stacked on their own
device when collated in the main process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from shaped.devices import CPU, Device
from shaped.dtypes import BY_NAME
from shaped.errors import DtypeError, ShapeError
from shaped.tensor import Tensor

__all__ = ["default_collate", "default_convert", "host_collate", "host_convert", "place"]

_SUPPORTED = ", ".join(BY_NAME)


def _checked(array: Any, where: str) -> Any:
    dtype = array.dtype
    if dtype.name not in BY_NAME:
        raise DtypeError(
            f"{where}: samples of dtype {dtype} cannot become a tensor; convert them in the "
            f"dataset, e.g. array.astype(np.float32) (supported: {_SUPPORTED})"
        )
    return array if dtype.isnative else array.astype(dtype.newbyteorder("="))


def _stack_tensors(batch: Sequence[Tensor[Any, Any, Any, Any]], in_worker: bool) -> Any:
    shapes = {tuple(t.shape) for t in batch}
    if len(shapes) > 1:
        raise ShapeError(
            "default_collate: stack expects each tensor to be equal size, got shapes "
            f"{', '.join(map(str, sorted(shapes)))}; pad them (nn.utils.pad_sequence) in a "
            "collate_fn"
        )
    devices = {t._device for t in batch}
    if in_worker or len(devices) > 1:
        return np.stack([t.numpy() for t in batch])
    device = batch[0]._device
    return Tensor._wrap(device.xp.stack([t._data for t in batch]), device)


def host_collate(batch: Sequence[Any], in_worker: bool = True) -> Any:
    """Stack a list of samples as torch's default_collate does, with numpy arrays at the
    leaves: arrays and tensors stack along a new axis 0, Python ints give int64, floats
    float64, bools bool (as torch), numpy scalars keep their dtype; dicts collate per key,
    tuples and lists per position (a tuple stays a tuple: torch gives a list); strings stay
    as they came (a list, or a tuple inside a tuple)."""
    if not batch:
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack_tensors(batch, in_worker)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "USO":
        shapes = {a.shape for a in batch}
        if len(shapes) > 1:
            raise ShapeError(
                "default_collate: each array in the batch should have the same shape, got "
                f"{', '.join(map(str, sorted(shapes)))}; pad them in a collate_fn"
            )
        return _checked(np.stack(batch), "default_collate")
    if isinstance(elem, np.generic) and elem.dtype.kind not in "USO":
        return _checked(np.array(batch), "default_collate")
    if isinstance(elem, bool):
        return np.array(batch, dtype=np.bool_)
    if isinstance(elem, int):
        return np.array(batch, dtype=np.int64)
    if isinstance(elem, float):
        return np.array(batch, dtype=np.float64)
    if isinstance(elem, (str, bytes)):
        return batch  # as torch: the strings as they came
    if isinstance(elem, Mapping):
        return {key: host_collate([d[key] for d in batch], in_worker) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(host_collate(s, in_worker) for s in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        if len({len(sample) for sample in batch}) > 1:
            raise ShapeError(
                "default_collate: each element in list of batch should be of equal size"
            )
        columns = [host_collate(s, in_worker) for s in zip(*batch, strict=True)]
        return tuple(columns) if isinstance(elem, tuple) else columns
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem)}"
    )


def host_convert(data: Any) -> Any:
    """One sample as torch's default_convert (batch_size=None): arrays stay arrays (tensors
    in `place`), numbers and strings stay as they are, containers are walked."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return _checked(np.array(data), "default_convert")
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, Mapping):
        return {key: host_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(host_convert(d) for d in data))
    if isinstance(data, tuple):
        return tuple(host_convert(d) for d in data)
    if isinstance(data, list):
        return [host_convert(d) for d in data]
    return data


def place(data: Any, device: Device | None = None) -> Any:
    """Arrays at the leaves become tensors on `device` (default `sh.Cpu()`); tensors move
    there if they are elsewhere; everything else is kept."""
    target = (CPU if device is None else device)._place()
    if isinstance(data, np.ndarray):
        if target.xp is np and data.base is None and data.flags.writeable:
            return Tensor._wrap(data, target)  # a fresh array (stacked, unpickled): no copy
        return target.tensor(data)
    if isinstance(data, Tensor):
        return data if data._device is target else data.to(target)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, Mapping):
        return {key: place(value, target) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(place(d, target) for d in data))
    if isinstance(data, tuple):
        return tuple(place(d, target) for d in data)
    if isinstance(data, list):
        return [place(d, target) for d in data]
    return data


def default_collate(batch: Sequence[Any], device: Device | None = None) -> Any:
    """A list of samples as one batch of tensors on `device`, as torch's default_collate
    (see `host_collate` for the rules; tuples stay tuples)."""
    return place(host_collate(batch, in_worker=False), device)


def default_convert(data: Any, device: Device | None = None) -> Any:
    """One sample with its arrays as tensors on `device`, as torch's default_convert."""
    return place(host_convert(data), device)
