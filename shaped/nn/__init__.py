"""Neural-network building blocks: modules, `Sequential`, `build_module`, and
`sh.nn.functional` (as `F`)."""

from __future__ import annotations

from shaped.nn import functional
from shaped.nn.build import build_module
from shaped.nn.layers import (
    GELU,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Embedding,
    Flatten,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    MultiHeadAttention,
    ReLU,
    Residual,
    Sigmoid,
    Softmax,
    Tanh,
    TransformerEncoderLayer,
)
from shaped.nn.module import LoadResult, Module
from shaped.nn.sequential import Sequential

__all__ = [
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv2d",
    "ConvTranspose2d",
    "Dropout",
    "Embedding",
    "Flatten",
    "GELU",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LoadResult",
    "LogSoftmax",
    "MaxPool2d",
    "Module",
    "MultiHeadAttention",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "TransformerEncoderLayer",
    "build_module",
    "functional",
]
