"""Sequence utilities, as torch.nn.utils.rnn: `pad_sequence`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeVar, TypeVarTuple

from shaped.functions import stack
from shaped.tensor import Tensor

__all__ = ["pad_sequence"]

D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")
Rest = TypeVarTuple("Rest")


def pad_sequence(
    sequences: Sequence[Tensor[tuple[Any, *Rest], D, Dev, T]],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: Literal["right", "left"] = "right",
) -> Tensor[tuple[int, int, *Rest], D, Dev, T]:
    """Pad tensors of shape (L_i, *rest) to the longest L and stack them: (L, B, *rest), or
    (B, L, *rest) with `batch_first`, as torch. Padding goes after each sequence ("right") or
    before it ("left"). Differentiable: each sequence gets its gradient (none for padding).
    The trailing dims, dtypes and devices must agree.
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences)
    items = list(sequences)
    if not items:
        raise ValueError("pad_sequence: received an empty list of sequences")
    for i, item in enumerate(items):
        if not isinstance(item, Tensor):
            raise TypeError(f"pad_sequence: sequence {i} is a {type(item).__name__}, not a tensor")
        if item.ndim == 0:
            raise ValueError(
                f"pad_sequence: sequence {i} is rank 0; each needs a length axis 0 (shape (L, ...))"
            )
    if padding_side not in ("right", "left"):
        raise ValueError(
            f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}"
        )
    longest = max(item.shape[0] for item in items)
    padded = []
    for item in items:
        missing = longest - item.shape[0]
        if missing:
            lead = (0, missing) if padding_side == "right" else (missing, 0)
            widths = (lead, *((0, 0),) * (item.ndim - 1))
            item = item.pad(widths, value=padding_value)
        padded.append(item)
    return stack(padded, axis=0 if batch_first else 1)
