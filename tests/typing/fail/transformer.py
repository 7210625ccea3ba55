"""Transformer stack mistakes, reported where the stack is built or called."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
seq: sh.Tensor[tuple[L[2], L[10], L[32]]] = dev.randn((2, 10, 32))

encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(64, 4, 256), 2)
encoder(seq)  # type: ignore[shape]  # E: TransformerEncoder[64, ...] expects (..., 64), got (2, 10, 32)
nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 1)(seq.to(sh.Float64))  # type: ignore[dtype]  # E: linear: dtypes differ (Float64 and Float32)
nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64, dtype=sh.Float64), 1)(seq)  # type: ignore[dtype]  # E: linear
nn.TransformerDecoderLayer(10, 4, 32)  # type: ignore[shape]  # E: TransformerDecoderLayer: d_model (10) must be divisible by nhead (4)
nn.TransformerDecoderLayer(32, 0, 32)  # type: ignore[shape]  # E: TransformerDecoderLayer: nhead must be at least 1, got 0
nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 0)  # type: ignore[shape]  # E: TransformerEncoder: num_layers must be at least 1, got 0
nn.TransformerDecoder(nn.TransformerDecoderLayer(32, 4, 64), num_layers=0)  # type: ignore[shape]  # E: TransformerDecoder: num_layers must be at least 1, got 0
nn.TransformerDecoder(nn.TransformerEncoderLayer(32, 4, 64), 2)  # type: ignore[arg-type]  # E: "TransformerEncoderLayer[Literal[32], Literal[4], Literal[64], Float32]"

# the right calls: no error
nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 2)(seq)
nn.TransformerDecoder(nn.TransformerDecoderLayer(32, 4, 64), 2)(seq, seq)
nn.Transformer(10, 4)  # type: ignore[shape]  # E: Transformer: d_model (10) must be divisible by nhead (4)
