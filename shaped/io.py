"""Saving and loading named tensors: `.npz` (numpy) or `.safetensors` (with the extra).

Saving is atomic: the data goes to a temporary file beside the target, is flushed and
fsynced, then renamed over the target, so a crash never leaves a half-written checkpoint
(and never damages the file that was there).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np

from shaped.dtypes import BY_NAME
from shaped.tensor import Tensor

if TYPE_CHECKING:
    from shaped.devices import Cpu, Device

__all__ = ["CheckpointError", "load", "save"]

Dev = TypeVar("Dev", bound="Device")
PathLike = str | os.PathLike[str]
Arrays = dict[str, np.ndarray[Any, Any]]

_FORMATS = "'.npz' or '.safetensors'"
_EXTRA = (
    "saving and loading .safetensors needs the safetensors package: pip install shaped[safetensors]"
)


class CheckpointError(ValueError):
    """The file is corrupt, truncated, or not a checkpoint of named tensors."""


def _format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".npz", ".safetensors"):
        raise ValueError(
            f"cannot tell the checkpoint format of {path!r} from its suffix {suffix!r}: "
            f"use {_FORMATS}"
        )
    return suffix


def _safetensors() -> Any:
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError(_EXTRA) from None
    return safetensors.numpy


# ---------------------------------------------------------------- saving


def _write_npz(path: str, arrays: Arrays) -> None:
    """numpy's .npz layout (one .npy member per tensor), without pickles."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)


def _write_safetensors(path: str, arrays: Arrays) -> None:
    _safetensors().save_file(arrays, path)


def _host_arrays(tensors: Mapping[str, Tensor[Any, Any, Any, Any]]) -> Arrays:
    if not isinstance(tensors, Mapping):
        raise TypeError(
            f"save: expected a mapping of names to tensors, got {type(tensors).__name__}"
        )
    arrays: Arrays = {}
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"save: keys must be strings, got {name!r} ({type(name).__name__})")
        if not isinstance(tensor, Tensor):
            raise TypeError(f"save: {name!r} is a {type(tensor).__name__}, not a tensor")
        data = tensor._data
        host = data.get() if hasattr(data, "get") else data  # GPU tensors are copied to host
        host = np.asarray(host)
        arrays[name] = host if host.flags.c_contiguous else host.copy(order="C")
    return arrays


def _file_mode(path: str) -> int:
    """The mode the target keeps (or a new file gets under the umask): mkstemp makes 0600."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def save(tensors: Mapping[str, Tensor[Any, Any, Any, Any]], path: PathLike) -> None:
    """Write named tensors to `path` (`.npz`, or `.safetensors` with the extra), atomically.

    Tensors on a GPU are copied to host first. On any failure the temporary file is removed
    and a file already at `path` is left as it was.
    """
    target = os.fspath(path)
    suffix = _format(target)
    arrays = _host_arrays(tensors)
    if suffix == ".safetensors":
        _safetensors()  # the missing extra is reported before anything is written
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(target) + ".", suffix=".tmp"
    )
    try:
        os.close(fd)
        writer = _write_npz if suffix == ".npz" else _write_safetensors
        writer(tmp, arrays)
        with open(tmp, "rb+") as f:
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- loading


def _read_npz(path: str) -> Arrays:
    archive = np.load(path, allow_pickle=False)
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"{path!r} is not a checkpoint: it holds one array, not a .npz")
    with archive:
        return {name: archive[name] for name in archive.files}


def _read_safetensors(path: str) -> Arrays:
    arrays: Arrays = _safetensors().load_file(path)
    return arrays


@overload
def load(path: PathLike) -> dict[str, Tensor[tuple[Any, ...], Any, Cpu]]: ...
@overload
def load(path: PathLike, device: Dev) -> dict[str, Tensor[tuple[Any, ...], Any, Dev]]: ...
def load(path: PathLike, device: Device | None = None) -> dict[str, Any]:
    """The named tensors in `path`, on `device` (the CPU by default).

    A missing file raises FileNotFoundError; a corrupt or truncated one CheckpointError.
    """
    from shaped.devices import CPU

    source = os.fspath(path)
    suffix = _format(source)
    if suffix == ".safetensors":
        _safetensors()
    if not os.path.exists(source):
        raise FileNotFoundError(2, f"load: no checkpoint at {source!r}", source)
    try:
        arrays = _read_npz(source) if suffix == ".npz" else _read_safetensors(source)
    except (CheckpointError, FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except Exception as error:
        raise CheckpointError(
            f"{source!r} is corrupt or not a {suffix} checkpoint (truncated or damaged file?): "
            f"{type(error).__name__}: {error}"
        ) from error
    place = (device or CPU)._place()
    out: dict[str, Any] = {}
    for name, array in arrays.items():
        if array.dtype.name not in BY_NAME:
            raise CheckpointError(
                f"{source!r}: tensor {name!r} has dtype {array.dtype}, which shaped does not "
                f"support (supported: {', '.join(BY_NAME)})"
            )
        if place.xp is np and not array.flags.writeable:
            array = array.copy()
        out[name] = Tensor._wrap(place.xp.asarray(array), place)
    return out
