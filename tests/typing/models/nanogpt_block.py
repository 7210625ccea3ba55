"""nanoGPT's transformer block: `CausalSelfAttention`, `MLP`, `Block`, ported line for line.

Upstream: https://github.com/karpathy/nanoGPT/blob/master/model.py
Differences, each shaped's spelling: the config's fields are `Final` constants; `x.shape`
for `x.size()`; slices of `c_attn(x)` for `.split(self.n_embd, dim=2)` and `reshape` for
`.view` (shaped has neither split nor view); `F.scaled_dot_product_attention(q, k, v,
mask=...)` with a Bool causal mask (True = may attend) for `is_causal=True`; shaped's
`nn.LayerNorm` for nanoGPT's own `LayerNorm` with optional bias (bias=True here).
"""

from __future__ import annotations

from typing import Final, TypeVar, assert_type
from typing import Literal as L

import shaped as sh
from shaped import nn, optim
from shaped.nn import functional as F

N_EMBD: Final = 64
N_HEAD: Final = 4
BLOCK_SIZE: Final = 16
DROPOUT: Final = 0.0

Batch = TypeVar("Batch", bound=int)
Time = TypeVar("Time", bound=int)
Tp = TypeVar("Tp")

Hidden = sh.Tensor[tuple[Batch, Time, L[64]], sh.Float32, sh.Cpu, Tp]  # (B, T, n_embd)


class CausalSelfAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        assert N_EMBD % N_HEAD == 0
        # key, query, value projections for all heads, but in a batch
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)
        # output projection
        self.c_proj = nn.Linear(N_EMBD, N_EMBD)
        # regularization
        self.attn_dropout = nn.Dropout(DROPOUT)
        self.resid_dropout = nn.Dropout(DROPOUT)
        self.n_head = N_HEAD
        self.n_embd = N_EMBD
        self.dropout = DROPOUT
        # causal mask to ensure that attention is only applied to the left in the input sequence
        index = sh.Cpu().arange(BLOCK_SIZE)
        self.bias = index[:, None] >= index[None, :]

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        B, T, C = x.shape  # batch size, sequence length, embedding dimensionality (n_embd)

        # calculate query, key, values for all heads in batch and move head forward to be the batch dim
        qkv = self.c_attn(x)
        q, k, v = qkv[:, :, :N_EMBD], qkv[:, :, N_EMBD : 2 * N_EMBD], qkv[:, :, 2 * N_EMBD :]
        k = k.reshape(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)  # (B, nh, T, hs)
        q = q.reshape(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)  # (B, nh, T, hs)
        v = v.reshape(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)  # (B, nh, T, hs)

        # causal self-attention; Self-attend: (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)
        y = F.scaled_dot_product_attention(q, k, v, mask=self.bias[:T, :T])
        y = y.transpose(1, 2).reshape(B, T, C)  # re-assemble all head outputs side by side

        # output projection
        y = self.resid_dropout(self.c_proj(y))
        return y


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        x = self.c_fc(x)
        x = self.gelu(x)
        x = self.c_proj(x)
        x = self.dropout(x)
        return x


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(N_EMBD)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(N_EMBD)
        self.mlp = MLP()

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


dev = sh.Cpu(seed=0)
block = Block()
assert_type(block.mlp.c_fc, nn.Linear[L[64], L[256]])
assert_type(block.attn.c_attn, nn.Linear[L[64], L[192]])
x = dev.randn((2, 8, N_EMBD))
assert_type(x, sh.Tensor[tuple[L[2], L[8], L[64]]])
assert_type(block(x), sh.Tensor[tuple[L[2], L[8], L[64]], sh.Float32, sh.Cpu, sh.NoTape])
assert_type(block.attn(x), sh.Tensor[tuple[L[2], L[8], L[64]], sh.Float32, sh.Cpu, sh.NoTape])

# one training step on a made-up target
adamw = optim.AdamW(block, lr=6e-4, betas=(0.9, 0.95), weight_decay=0.1)
grads = block.alloc_grads()
y = block(x.traced(grads))
assert_type(y, sh.Tensor[tuple[L[2], L[8], L[64]], sh.Float32, sh.Cpu, sh.OwnedTape])
loss = (y - x).square().mean()
adamw.update(block, loss.backward())
print(f"nanoGPT Block: loss {loss.item():.3f}, {block.num_params()} parameters")
