"""The transformer stacks' types under the plugin: built from a typed layer, a stack carries
its sizes and keeps the input's shape, dtype, device and tape."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped import nn

dev = sh.Cpu(seed=0)
seq: sh.Tensor[tuple[L[2], L[10], L[64]]] = dev.randn((2, 10, 64))
memory: sh.Tensor[tuple[L[2], L[7], L[64]]] = dev.randn((2, 7, 64))

layer = nn.TransformerEncoderLayer(64, 4, 256)
assert_type(layer, nn.TransformerEncoderLayer[L[64], L[4], L[256]])
encoder = nn.TransformerEncoder(layer, num_layers=2)
assert_type(encoder, nn.TransformerEncoder[L[64], L[4], L[256]])
assert_type(encoder.layers[1], nn.TransformerEncoderLayer[L[64], L[4], L[256]])
assert_type(encoder(seq), sh.Tensor[tuple[L[2], L[10], L[64]]])
assert_type(
    encoder(seq, nn.generate_square_subsequent_mask(10), is_causal=True),
    sh.Tensor[tuple[L[2], L[10], L[64]]],
)
grads = encoder.alloc_grads()
assert_type(
    encoder(seq.traced(grads)),
    sh.Tensor[tuple[L[2], L[10], L[64]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(nn.generate_square_subsequent_mask(10), sh.Tensor[tuple[L[10], L[10]]])

decoder_layer = nn.TransformerDecoderLayer(64, 4, 256)
assert_type(decoder_layer, nn.TransformerDecoderLayer[L[64], L[4], L[256]])
assert_type(decoder_layer(seq, memory), sh.Tensor[tuple[L[2], L[10], L[64]]])
decoder = nn.TransformerDecoder(decoder_layer, 3)
assert_type(decoder, nn.TransformerDecoder[L[64], L[4], L[256]])
assert_type(decoder(seq, memory), sh.Tensor[tuple[L[2], L[10], L[64]]])
assert_type(
    decoder(seq, memory.traced(grads)),
    sh.Tensor[tuple[L[2], L[10], L[64]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
wide = nn.TransformerDecoderLayer(64, 4, 256, dtype=sh.Float64)
assert_type(wide, nn.TransformerDecoderLayer[L[64], L[4], L[256], sh.Float64])

# the whole model: torch's defaults, or sizes by value; the output has tgt's type
assert_type(nn.Transformer(), nn.Transformer[L[512], L[8], L[2048]])
model = nn.Transformer(64, 4, 2, 2, 256)
assert_type(model, nn.Transformer[L[64], L[4], L[256]])
assert_type(model.encoder, nn.TransformerEncoder[L[64], L[4], L[256]])
assert_type(model(memory, seq), sh.Tensor[tuple[L[2], L[10], L[64]]])
assert_type(
    model(memory.traced(grads), seq),
    sh.Tensor[tuple[L[2], L[10], L[64]], sh.Float32, sh.Cpu, sh.OwnedTape],
)
assert_type(nn.Transformer.generate_square_subsequent_mask(10), sh.Tensor[tuple[L[10], L[10]]])
head = nn.Sequential(encoder, nn.Linear(64, 3))
assert_type(head(seq), sh.Tensor[tuple[L[2], L[10], L[3]]])
