"""`parameters_to_vector` and `vector_to_parameters`, as torch.nn.utils."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from shaped.functions import concat
from shaped.nn.utils.clip_grad import HasParameters
from shaped.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]

AnyTensor = Tensor[Any, Any, Any, Any]


def _listed(where: str, parameters: object) -> list[AnyTensor]:
    if isinstance(parameters, Tensor):
        raise TypeError(
            f"{where}: expected the model or an iterable of tensors (torch's "
            "model.parameters()), got one tensor; wrap it in a list"
        )
    if callable(getattr(parameters, "parameters", None)):
        parameters = parameters.parameters()  # type: ignore[attr-defined]
    if not isinstance(parameters, Iterable):
        raise TypeError(
            f"{where}: expected the model or an iterable of tensors, got "
            f"{type(parameters).__name__}"
        )
    items = list(parameters)
    for item in items:
        if not isinstance(item, Tensor):
            raise TypeError(f"{where}: expected tensors, got {type(item).__name__}")
    return items


def parameters_to_vector(
    parameters: HasParameters | Iterable[AnyTensor],
) -> Tensor[tuple[int], Any, Any]:
    """One 1-d tensor of every parameter's values, flattened and joined in order.

    As torch, it is part of the graph: a loss computed from it gives each parameter its
    gradient. The parameters must share a dtype and a device (torch would promote dtypes).
    """
    items = _listed("parameters_to_vector", parameters)
    if not items:
        raise ValueError("parameters_to_vector: there are no parameters to join")
    return concat([p.reshape(-1) for p in items])


def vector_to_parameters(
    vec: Tensor[tuple[int], Any, Any, Any] | Tensor[Any, Any, Any, Any],
    parameters: HasParameters | Iterable[AnyTensor],
) -> None:
    """Copy consecutive slices of the 1-d `vec` into the parameters, in place (through the
    tape, as an optimizer's update), in parameters() order; the inverse of
    `parameters_to_vector`. Values beyond the last parameter are ignored, as torch."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a tensor, but got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(
            f"vector_to_parameters: vec must be 1-d, got shape {vec.shape}; flatten it with "
            ".reshape(-1)"
        )
    items = _listed("vector_to_parameters", parameters)
    needed = sum(int(p._data.size) for p in items)
    if needed > vec.shape[0]:
        raise ValueError(
            f"vector_to_parameters: the parameters hold {needed} values, vec only {vec.shape[0]}"
        )
    start = 0
    for param in items:
        size = int(param._data.size)
        param.copy_(vec._data[start : start + size].reshape(param.shape))
        start += size
