"""shaped's exceptions. Standard library only: the mypy plugin imports this module."""

from __future__ import annotations


class ShapeError(ValueError):
    """A shape rule failed; the message shows the arithmetic and the fix."""


class AxisError(ShapeError, IndexError):
    """An axis (torch's dim) out of range for the tensor's rank, or an index out of range for
    its axis: an IndexError too, as torch's and numpy's are."""


class DtypeError(ValueError):
    """Two tensors of different dtypes met in one op (there is no implicit promotion)."""


class DeviceError(ValueError):
    """Tensors on different devices met in one op, or a device is unavailable."""


class TapeError(RuntimeError):
    """The gradient tape was misused: no tape, a consumed tape, a non-scalar loss."""


class CheckpointError(ValueError):
    """A checkpoint is corrupt, truncated, not one of named tensors, or does not fit the model."""
