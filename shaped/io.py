"""Saving and loading named tensors: `.npz` (numpy) or `.safetensors` (with the extra).

Saving is atomic: the data goes to a temporary file beside the target, is flushed and
fsynced, then renamed over the target, so a crash never leaves a half-written checkpoint
(and never damages the file that was there). The temporary is named
`.<target name>.shaped-<host>-<pid>-<random>.tmp` (host: 8 hex digits of a hash of the host
name). A process killed mid-save (SIGKILL, power loss) cannot remove its temporary, so the
next save to the same target removes the ones whose writer is provably gone: same name
pattern for that target, a regular file of this user, written on this host by a process that
no longer exists. Anything else (a save in progress in a live process, another host's file on
a shared disk, any other name) is left alone; on Windows nothing is removed.

Every name round-trips exactly (one a format cannot store is refused by `save`). Loading
checks what was written: each `.npz` member must be a whole `.npy` array matching its zip
CRC-32, and the archive comment holds a SHA-256 of the names, dtypes, shapes and CRCs (so no
member is lost or renamed unnoticed); a `.safetensors` file holds a SHA-256 of the names,
dtypes, shapes and data in its metadata (`shaped.sha256`). Files from other tools, without
these, load with the format's own checks. bfloat16 tensors (torch's `save_file`) load as
Float32, exactly.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import re
import secrets
import socket
import stat
import sys
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar, overload

import numpy as np

from shaped.dtypes import BY_NAME
from shaped.errors import CheckpointError
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
_DIGEST_KEY = "shaped.sha256"  # in a .safetensors file's metadata
_NPZ_COMMENT = b"shaped.sha256="  # starts a .npz archive comment
# the safetensors dtypes shaped loads (BF16 as Float32: numpy has no bfloat16)
_SAFETENSORS_DTYPES = ("F64", "F32", "F16", "I64", "I32", "BOOL", "BF16")


def _format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".pt", ".pth", ".bin"):  # torch.save's pickles: unpickling can run code
        raise ValueError(
            f"{path!r} is a PyTorch pickle (suffix {suffix!r}): shaped reads and writes "
            f"{_FORMATS}, never pickles (unpickling can run code); convert it once in PyTorch: "
            "`from safetensors.torch import save_file; save_file(torch.load(path, "
            "weights_only=True), 'model.safetensors')`, then sh.load('model.safetensors')"
        )
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


def _little_endian(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    order = array.dtype.byteorder
    if order == ">" or (order == "=" and sys.byteorder == "big"):
        return array.astype(array.dtype.newbyteorder("<"))
    return array


def _digest(entries: Iterable[tuple[str, str, np.ndarray[Any, Any]]]) -> str:
    """SHA-256 over (name, dtype, shape, little-endian bytes) of each tensor, in name order."""
    digest = hashlib.sha256()
    for name, dtype, array in sorted(entries, key=lambda entry: entry[0]):
        # the JSON line fixes the byte count that follows, so the encoding is unambiguous
        digest.update(json.dumps([name, dtype, list(array.shape)]).encode() + b"\n")
        data = np.ascontiguousarray(_little_endian(array)).reshape(-1)
        digest.update(data.view(np.uint8).data)
    return digest.hexdigest()


# ---------------------------------------------------------------- saving


def _check_names(suffix: str, arrays: Arrays) -> None:
    """Refuse, before anything is written, a name the format would store as another name."""
    for name in arrays:
        try:
            name.encode()
        except UnicodeEncodeError:
            raise ValueError(
                f"save: the name {name!r} is not valid text (it holds a lone surrogate), so no "
                "format can store it: rename the tensor"
            ) from None
        if suffix == ".safetensors" and name == "__metadata__":
            raise ValueError(
                "save: the name '__metadata__' is reserved by the safetensors format (the file "
                "could not be read back): rename the tensor, or save as .npz"
            )
        member = name + ".npy"
        if suffix == ".npz" and (
            zipfile.ZipInfo(member).filename != member or len(member.encode()) > 0xFFFF
        ):
            raise ValueError(
                f"save: the name {name!r} cannot be stored in a .npz (a zip member name holds "
                "no NUL character and at most 65535 bytes): rename the tensor, or save as "
                ".safetensors"
            )


def _npz_digest(entries: Iterable[tuple[str, np.ndarray[Any, Any], int]]) -> bytes:
    """The archive comment of a .npz: a SHA-256 of each member's name, dtype, shape and CRC-32
    (zip checks each member's data against its CRC; this catches members lost or renamed)."""
    lines = sorted(json.dumps([name, a.dtype.name, list(a.shape), crc]) for name, a, crc in entries)
    return _NPZ_COMMENT + hashlib.sha256("\n".join(lines).encode()).hexdigest().encode()


def _write_npz(path: str, arrays: Arrays) -> None:
    """numpy's .npz layout (one .npy member per tensor), without pickles."""
    with zipfile.ZipFile(path, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, array in arrays.items():
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, array, allow_pickle=False)
        zf.comment = _npz_digest(
            (name, array, zf.getinfo(name + ".npy").CRC) for name, array in arrays.items()
        )


def _write_safetensors(path: str, arrays: Arrays) -> None:
    # "format": "pt" as torch writes it: the layout is PyTorch's (Linear weight (out, in)),
    # and Hugging Face loaders refuse metadata without a known format
    metadata = {
        "format": "pt",
        _DIGEST_KEY: _digest((name, a.dtype.name, a) for name, a in arrays.items()),
    }
    _safetensors().save_file(arrays, path, metadata=metadata)


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
    """The mode the target keeps (or a new file gets under the umask): temporaries are 0600."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


@functools.cache
def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def _temporary_path(target: str, pid: int | None = None) -> str:
    """Where a save of `target` by process `pid` (this one by default) writes first."""
    directory, base = os.path.split(os.path.abspath(target))
    pid = os.getpid() if pid is None else pid
    name = f".{base}.shaped-{_host_tag()}-{pid}-{secrets.token_hex(4)}.tmp"
    return os.path.join(directory, name)


def _process_is_gone(pid: int) -> bool:
    """True only when no process `pid` exists here; any doubt (or Windows) says it may live."""
    if os.name != "posix" or pid <= 0:
        return False  # on Windows os.kill(pid, 0) would terminate the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # PermissionError: it exists, another user's
        return False
    return False


def _remove_leftovers(target: str) -> None:
    """Delete the temporaries that saves of `target` killed part way left; never raises."""
    directory, base = os.path.split(os.path.abspath(target))
    pattern = re.compile(
        re.escape(f".{base}.shaped-{_host_tag()}-") + r"([0-9]{1,10})-[0-9a-f]{8}\.tmp"
    )
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode):
                continue
            if hasattr(os, "getuid") and info.st_uid != os.getuid():
                continue
            if _process_is_gone(int(match[1])):
                os.unlink(entry.path)
        except OSError:  # gone already, or not ours to remove
            continue


def _check_directory(target: str) -> str:
    """The target's directory, absolute; a missing one is reported by name, with the fix."""
    if os.path.isdir(target):
        raise IsADirectoryError(
            errno.EISDIR,
            f"save: {target!r} is a directory: give a file path, such as "
            f"{os.path.join(target, 'model.npz')!r}",
        )
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        shown = os.path.dirname(target) or "."
        where = repr(shown) if os.path.isabs(shown) else f"{shown!r} ({directory})"
        if os.path.exists(directory):
            raise NotADirectoryError(
                errno.ENOTDIR, f"save: {where} is not a directory, so {target!r} cannot be saved"
            )
        raise FileNotFoundError(
            errno.ENOENT,
            f"save: the directory {where} does not exist: create it first, e.g. "
            f"os.makedirs({shown!r}, exist_ok=True)",
        )
    return directory


def _create_temporary(target: str, directory: str) -> str:
    """An empty file of our own beside the target (0600, never an existing file or link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = _temporary_path(target)
        try:
            os.close(os.open(tmp, flags, 0o600))
        except FileExistsError:
            continue  # 32 random bits collided: draw again
        except OSError as error:
            raise type(error)(
                error.errno,
                f"save: cannot create a file in the directory {directory!r} ({error.strerror}): "
                "check that it is writable and has space",
            ) from error
        return tmp
    raise FileExistsError(errno.EEXIST, f"save: no free temporary file name in {directory!r}")


def save(tensors: Mapping[str, Tensor[Any, Any, Any, Any]], path: PathLike) -> None:
    """Write named tensors to `path` (`.npz`, or `.safetensors` with the extra), atomically.

    Tensors on a GPU are copied to host first. On any failure the temporary file is removed
    and a file already at `path` is left as it was; temporaries of earlier saves to `path`
    that were killed part way are removed first (see the module's docstring). The directory
    must exist. Every name round-trips exactly: one a format cannot store is refused here.
    """
    target = os.fspath(path)
    suffix = _format(target)
    arrays = _host_arrays(tensors)
    if suffix == ".safetensors":
        _safetensors()  # the missing extra is reported before anything is written
    _check_names(suffix, arrays)
    directory = _check_directory(target)
    _remove_leftovers(target)
    tmp = _create_temporary(target, directory)
    try:
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


def _damaged(path: str) -> str:
    return (
        f"{path!r} is corrupt: its tensors do not match the SHA-256 saved with them (the file "
        "was damaged or modified after it was written, on disk or in a copy): restore it from "
        "a good copy, or save it again"
    )


def _damaged_copy(text: str, ours: str) -> bool:
    """`text` is `ours` with one to three characters changed: the name of our digest, damaged
    (the digest must not go unchecked because its own name was hit)."""
    return len(text) == len(ours) and 0 < sum(a != b for a, b in zip(text, ours)) <= 3


def _check_zip_end(file: BinaryIO, path: str) -> None:
    """zipfile reads an archive whose comment (our digest) was cut short: refuse it here."""
    size = file.seek(0, os.SEEK_END)
    file.seek(max(0, size - 22 - 0xFFFF))  # the end record (22 bytes) and its comment
    tail = file.read()
    end = tail.rfind(b"PK\x05\x06")  # where zipfile looks too
    if 0 <= end <= len(tail) - 22:
        comment = int.from_bytes(tail[end + 20 : end + 22], "little")
        if end + 22 + comment > len(tail):
            raise CheckpointError(
                f"{path!r} is corrupt: it is truncated ({end + 22 + comment - len(tail)} bytes "
                "of its end are missing)"
            )
    file.seek(0)


def _read_npz(path: str) -> Arrays:
    """Every member as its own name less `.npy` (not numpy's NpzFile, which reads `k.npy` and
    `k` as one name); each member must be a whole .npy array matching its zip CRC-32, and the
    members must match the digest in the archive comment (when `save` wrote one)."""
    with open(path, "rb") as file:
        if file.read(6) == b"\x93NUMPY":
            raise CheckpointError(f"{path!r} is not a checkpoint: it holds one array, not a .npz")
        _check_zip_end(file, path)
        arrays: Arrays = {}
        with zipfile.ZipFile(file) as archive:
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    raise CheckpointError(
                        f"{path!r} is not a checkpoint of named tensors: its member "
                        f"{info.filename!r} is not a .npy array (a .npz written by sh.save or "
                        "np.savez holds only .npy members); save the tensors with sh.save"
                    )
                name = info.filename[: -len(".npy")]
                if name in arrays:
                    raise CheckpointError(f"{path!r} is corrupt: it holds {name!r} twice")
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
                    if member.read(1):  # reading to the end also checks the CRC
                        raise CheckpointError(
                            f"{path!r} is corrupt: member {info.filename!r} holds more bytes "
                            "than its array header says"
                        )
            comment = archive.comment.decode("latin-1")
            if _damaged_copy(comment[: len(_NPZ_COMMENT)], _NPZ_COMMENT.decode()):
                raise CheckpointError(_damaged(path))
            if archive.comment.startswith(_NPZ_COMMENT):
                crcs = {info.filename[: -len(".npy")]: info.CRC for info in archive.infolist()}
                entries = ((name, array, crcs[name]) for name, array in arrays.items())
                if _npz_digest(entries) != archive.comment:
                    raise CheckpointError(_damaged(path))
    return arrays


def _safetensors_offsets(file: BinaryIO) -> tuple[int, dict[str, Any]]:
    """(where the data starts, the header) of a safetensors file (already validated)."""
    file.seek(0)
    length = int.from_bytes(file.read(8), "little")
    header: dict[str, Any] = json.loads(file.read(length))
    return 8 + length, header


def _identity(info: os.stat_result) -> tuple[int, int, int, int]:
    return info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns


def _read_safetensors(path: str) -> Arrays:
    import safetensors

    _safetensors()
    with open(path, "rb") as file:
        opened = os.fstat(file.fileno())
        with safetensors.safe_open(path, framework="np") as reader:
            metadata = reader.metadata() or {}
            names = list(reader.keys())
            kinds = {name: reader.get_slice(name).get_dtype() for name in names}
            for name, kind in kinds.items():
                if kind not in _SAFETENSORS_DTYPES:
                    raise CheckpointError(
                        f"{path!r}: tensor {name!r} has dtype {kind}, which shaped does not "
                        f"support (supported: {', '.join(_SAFETENSORS_DTYPES)})"
                    )
            raw: Arrays = {name: reader.get_tensor(name) for name in names if kinds[name] != "BF16"}
        if _identity(os.stat(path)) != _identity(opened):  # safe_open read the file we hold
            raise CheckpointError(f"{path!r} was replaced while it was being read: load again")
        if "BF16" in kinds.values():  # numpy has no bfloat16: read the bits from our own handle
            start, header = _safetensors_offsets(file)
            for name in names:
                if kinds[name] == "BF16":
                    begin, end = header[name]["data_offsets"]
                    file.seek(start + begin)
                    bits = np.frombuffer(file.read(end - begin), dtype="<u2")
                    raw[name] = bits.reshape(header[name]["shape"])
        raw = {name: raw[name] for name in names}  # the file's order
    if _DIGEST_KEY not in metadata and any(_damaged_copy(key, _DIGEST_KEY) for key in metadata):
        raise CheckpointError(_damaged(path))
    expected = metadata.get(_DIGEST_KEY)
    if expected is not None:
        labels = {
            name: "bfloat16" if kinds[name] == "BF16" else raw[name].dtype.name for name in raw
        }
        if _digest((name, labels[name], array) for name, array in raw.items()) != expected:
            raise CheckpointError(_damaged(path))
    # bfloat16 is the upper half of a float32: widening the bits is exact
    return {
        name: (array.astype(np.uint32) << 16).view(np.float32) if kinds[name] == "BF16" else array
        for name, array in raw.items()
    }


@overload
def load(path: PathLike) -> dict[str, Tensor[tuple[Any, ...], Any, Cpu]]: ...
@overload
def load(path: PathLike, device: Dev) -> dict[str, Tensor[tuple[Any, ...], Any, Dev]]: ...
def load(path: PathLike, device: Device | None = None) -> dict[str, Any]:
    """The named tensors in `path`, on `device` (the CPU by default: `sh.Cpu()`, `sh.Cuda(0)`).

    A missing file raises FileNotFoundError; a corrupt or truncated one CheckpointError.
    bfloat16 tensors of a `.safetensors` file load as Float32 (exactly).
    """
    from shaped.devices import CPU, Device

    if device is not None and not isinstance(device, Device):
        hint = "call it" if isinstance(device, type) else "pass a device object"
        raise TypeError(
            f"load: device must be a device such as sh.Cpu() or sh.Cuda(0), got {device!r}: "
            f"{hint}, e.g. sh.load(path, device=sh.Cpu())"
        )
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
