"""`sh.nn.functional` (as `F`): torch.nn.functional's names, numpy's `axis`.

The ops live in `shaped.ops` with their VJPs; this module is the public namespace.
"""

from __future__ import annotations

from typing import Any, Literal

from typing_extensions import TypeVar

from shaped.ops.conv import avg_pool2d, conv2d, conv_transpose2d, max_pool2d
from shaped.ops.linalg import linear
from shaped.ops.nn import (
    batch_norm,
    dropout,
    embedding,
    layer_norm,
    log_softmax,
    scaled_dot_product_attention,
    softmax,
)
from shaped.tensor import Tensor

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "conv2d",
    "conv_transpose2d",
    "dropout",
    "embedding",
    "gelu",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "max_pool2d",
    "relu",
    "scaled_dot_product_attention",
    "sigmoid",
    "softmax",
    "tanh",
]

S = TypeVar("S", bound=tuple[Any, ...])
D = TypeVar("D")
Dev = TypeVar("Dev")
T = TypeVar("T")


def relu(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """max(x, 0)."""
    return x.relu()


def gelu(
    x: Tensor[S, D, Dev, T], approximate: Literal["none", "tanh"] = "none"
) -> Tensor[S, D, Dev, T]:
    """x * Phi(x), the exact erf form, or torch's tanh approximation."""
    return x.gelu(approximate)


def leaky_relu(x: Tensor[S, D, Dev, T], negative_slope: float = 0.01) -> Tensor[S, D, Dev, T]:
    """x where x >= 0, negative_slope * x elsewhere."""
    return x.leaky_relu(negative_slope)


def tanh(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """The hyperbolic tangent, elementwise (torch's F.tanh)."""
    return x.tanh()


def sigmoid(x: Tensor[S, D, Dev, T]) -> Tensor[S, D, Dev, T]:
    """1 / (1 + exp(-x)), elementwise (torch's F.sigmoid)."""
    return x.sigmoid()


# ---------------------------------------------------------------- activations, more


# ---------------------------------------------------------------- convolution and pooling options
