"""Transformer stacks as PyTorch users write them: an encoder-decoder model, causal and
padding masks in torch's convention, a training step; clean under mypy and pyright."""

from __future__ import annotations

from typing import Final, TypeVar
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import losses, nn, optim

D_MODEL: Final = 32
HEADS: Final = 4
VOCAB: Final = 50

dev = sh.Cpu(seed=0)


T = TypeVar("T", sh.NoTape, sh.OwnedTape)
Tokens = sh.Tensor[tuple[int, int], sh.Int64, sh.Cpu, T]


class Seq2Seq(nn.Module):
    """An encoder-decoder over token ids, batch_first (N, L)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, D_MODEL, device=dev)
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, 4 * D_MODEL, dropout=0.0, device=dev)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(D_MODEL))
        block = nn.TransformerDecoderLayer(D_MODEL, HEADS, 64, dropout=0.0, device=dev)
        self.decoder = nn.TransformerDecoder(block, num_layers=2)
        self.head = nn.Linear(D_MODEL, VOCAB, device=dev)

    def forward(
        self, source: Tokens[T], target: Tokens[T]
    ) -> sh.Tensor[tuple[int, int, L[50]], sh.Float32, sh.Cpu, T]:
        padding = source == 0  # torch's convention: True = padded, not attended to
        memory = self.encoder(self.embed(source), src_key_padding_mask=padding)
        causal = nn.generate_square_subsequent_mask(target.shape[1], device=dev)
        hidden = self.decoder(
            self.embed(target), memory, tgt_mask=causal, memory_key_padding_mask=padding
        )
        return self.head(hidden)


model = Seq2Seq()
source = dev.tensor(np.array([[3, 4, 5, 0], [6, 7, 8, 9]]))
target = dev.tensor(np.array([[1, 2, 3], [1, 5, 6]]))
labels = dev.tensor(np.array([2, 3, 4, 5, 6, 7]))
grads = model.alloc_grads()
logits = model(source.traced(grads), target.traced(grads))
step_loss = losses.cross_entropy(logits.reshape(-1, VOCAB), labels)
optim.Adam(model, lr=1e-3).update(model, step_loss.backward())
print(model(source, target).shape)

# a stack on its own, with its layer's typed sizes, in a training step
encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0), 2)
x: sh.Tensor[tuple[L[2], L[5], L[16]]] = dev.randn((2, 5, 16))
grads = encoder.alloc_grads()
out: sh.Tensor[tuple[L[2], L[5], L[16]], sh.Float32, sh.Cpu, sh.OwnedTape] = encoder(
    x.traced(grads), nn.generate_square_subsequent_mask(5), is_causal=True
)
loss = losses.mse_loss(out, dev.randn((2, 5, 16)))
optim.Adam(encoder, lr=1e-3).update(encoder, loss.backward())

# the decoder gets its tape from either input; torch's layout with batch_first=False
decoder_layer = nn.TransformerDecoderLayer(16, 4, 32, batch_first=False, norm_first=True)
memory: sh.Tensor[tuple[L[7], L[2], L[16]]] = dev.randn((7, 2, 16))
tgt: sh.Tensor[tuple[L[5], L[2], L[16]]] = dev.randn((5, 2, 16))
grads = decoder_layer.alloc_grads()
decoded = decoder_layer(tgt, memory.traced(grads), tgt_is_causal=True)
decoded.sum().backward()
untraced: sh.Tensor[tuple[L[5], L[2], L[16]]] = decoder_layer(tgt, memory)
print(untraced.shape)

# float64 parameters and data
wide = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dtype=sh.Float64), 1)
wide_out = wide(dev.randn((2, 5, 16), dtype=sh.Float64))
print(wide_out.shape)

# nn.Transformer as torch users build it, with its static causal-mask helper
transformer = nn.Transformer(
    d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32
)
src: sh.Tensor[tuple[L[2], L[6], L[16]]] = dev.randn((2, 6, 16))
tgt_in: sh.Tensor[tuple[L[2], L[4], L[16]]] = dev.randn((2, 4, 16))
tgt_mask = nn.Transformer.generate_square_subsequent_mask(4)
decoded_out: sh.Tensor[tuple[L[2], L[4], L[16]]] = transformer(src, tgt_in, tgt_mask=tgt_mask)
print(decoded_out.shape)
