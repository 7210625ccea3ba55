"""Neural-network building blocks: modules, `Sequential`, `build_module`, and
`sh.nn.functional` (as `F`)."""

from __future__ import annotations

from shaped.nn import functional
from shaped.nn.build import build_module
from shaped.nn.layers import (  # activations, more (issue 11 item 5)
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    Conv3d,
    ConvTranspose2d,
    Dropout,
    Embedding,
    Flatten,
    Fold,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    MaxPool1d,
    MaxPool2d,
    Mish,
    MultiHeadAttention,
    PixelShuffle,
    PReLU,
    ReLU,
    ReLU6,
    Residual,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    TransformerEncoderLayer,
    Unfold,
)
from shaped.nn.module import LoadResult, Module
from shaped.nn.sequential import Sequential

__all__ = [
    "CELU",
    "ELU",
    "GLU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LogSigmoid",
    "Mish",
    "PReLU",
    "ReLU6",
    "SELU",
    "SiLU",
    "Softmin",
    "Softplus",
    "Softsign",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "Conv3d",
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
    "MaxPool1d",
    "MaxPool2d",
    "Module",
    "MultiHeadAttention",
    "PixelShuffle",
    "Fold",
    "Unfold",
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

# issue 12: each family adds its imports and `__all__ += [...]` in its own block

# ---- issue 12: containers

# ---- issue 12: recurrent

# ---- issue 12: transformer

# ---- issue 12: norms

# ---- issue 12: spatial

# ---- issue 12: loss

# ---- issue 12: init

# ---- issue 12: utils
