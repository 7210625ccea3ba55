"""Layer constructors are checked as at run time (shapes.layer_sizes, one rule for both)."""

from __future__ import annotations

from shaped import nn

nn.Conv2d(3, 4, 0)  # type: ignore[shape]  # E: Conv2d: kernel_size must be at least 1, got 0
nn.Conv2d(3, 4, 3, groups=0)  # type: ignore[shape]  # E: Conv2d: groups must be at least 1, got 0
nn.Conv2d(3, 4, 3, groups=2)  # type: ignore[shape]  # E: Conv2d: in_channels (3) and out_channels (4) must both be divisible by groups (2)
nn.Conv2d(4, 4, 3, stride=0)  # type: ignore[shape]  # E: Conv2d: stride must be at least 1, got 0
nn.Conv2d(4, 4, 3, padding=-1)  # type: ignore[shape]  # E: Conv2d: padding must be at least 0, got -1
nn.ConvTranspose2d(4, 6, 2, groups=4)  # type: ignore[shape]  # E: ConvTranspose2d: in_channels (4) and out_channels (6) must both be divisible by groups (4)
nn.Linear(-1, 3)  # type: ignore[shape]  # E: Linear: in_features must be at least 0, got -1
nn.Linear(8, 2 - 3)  # type: ignore[shape]  # E: Linear: out_features must be at least 0, got -1
nn.MaxPool2d(0)  # type: ignore[shape]  # E: MaxPool2d: kernel_size must be at least 1, got 0
nn.AvgPool2d(2, stride=0)  # type: ignore[shape]  # E: AvgPool2d: stride must be at least 1, got 0
nn.Embedding(-5, 4)  # type: ignore[shape]  # E: Embedding: num_embeddings must be at least 0, got -5
nn.MultiHeadAttention(10, 3)  # type: ignore[shape]  # E: MultiHeadAttention: embed_dim (10) must be divisible by num_heads (3)
nn.MultiHeadAttention(12, 0)  # type: ignore[shape]  # E: MultiHeadAttention: num_heads must be at least 1, got 0
nn.TransformerEncoderLayer(10, 4, 32)  # type: ignore[shape]  # E: TransformerEncoderLayer: d_model (10) must be divisible by nhead (4)
nn.LayerNorm(-2)  # type: ignore[shape]  # E: LayerNorm: normalized_shape must be at least 0, got -2
nn.BatchNorm2d(-1)  # type: ignore[shape]  # E: BatchNorm2d: num_features must be at least 0, got -1

# valid sizes are clean
nn.Conv2d(4, 8, 3, groups=4, stride=2, padding=1)
nn.MultiHeadAttention(12, 3)
nn.Linear(0, 3)
