"""The bugs of nanoGPT's Block, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Final, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

N_EMBD: Final = 64
N_HEAD: Final = 4
BLOCK_SIZE: Final = 16

Batch = TypeVar("Batch", bound=int)
Time = TypeVar("Time", bound=int)
Tp = TypeVar("Tp")
Hidden = sh.Tensor[tuple[Batch, Time, L[64]], sh.Float32, sh.Cpu, Tp]


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * N_EMBD, N_EMBD)

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        x = self.c_fc(x)
        x = self.gelu(x)
        x = self.c_proj(x)
        return x


class MLPProjectionNotScaled(nn.Module):
    """c_proj written as Linear(N_EMBD, N_EMBD): it gets the 4 * N_EMBD hidden width."""

    def __init__(self) -> None:
        super().__init__()
        self.c_fc = nn.Linear(N_EMBD, 4 * N_EMBD)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(N_EMBD, N_EMBD)

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        x = self.c_fc(x)
        x = self.gelu(x)
        x = self.c_proj(x)  # type: ignore[shape]  # E: the last dim 256 != in_features 64
        return x


class AttentionHeadsNotSplit(nn.Module):
    """q viewed as (B, T, nh, C) instead of (B, T, nh, C // nh)."""

    def __init__(self) -> None:
        super().__init__()
        self.c_attn = nn.Linear(N_EMBD, 3 * N_EMBD)
        self.c_proj = nn.Linear(N_EMBD, N_EMBD)

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        B, T, C = x.shape
        q = self.c_attn(x)[:, :, :N_EMBD]
        q.reshape(B, T, N_HEAD, C)  # type: ignore[shape]  # E: reshape
        q = q.reshape(B, T, N_HEAD, C // N_HEAD).transpose(1, 2)
        y = F.scaled_dot_product_attention(q, q, q)
        return self.c_proj(y.transpose(1, 2).reshape(B, T, C))


class BlockResidualSkipsProjection(nn.Module):
    """The MLP's residual added before its c_proj: (B, T, 64) + (B, T, 256)."""

    def __init__(self) -> None:
        super().__init__()
        self.ln_2 = nn.LayerNorm(N_EMBD)
        self.mlp = MLP()

    def forward(self, x: Hidden[Batch, Time, Tp]) -> Hidden[Batch, Time, Tp]:
        h = self.mlp.gelu(self.mlp.c_fc(self.ln_2(x)))
        x + h  # type: ignore[shape]  # E: axis -1 has sizes 64 and 256
        x = x + self.mlp(self.ln_2(x))
        return x


dev = sh.Cpu(seed=0)
mlp = MLP()
# an embedding width of 32 into a block built for N_EMBD = 64
mlp(dev.randn((2, 8, 32)))  # type: ignore[shape]  # E: got (2, 8, 32)
# LayerNorm over the wrong width
nn.LayerNorm(4 * N_EMBD)(dev.randn((2, 8, N_EMBD)))  # type: ignore[shape]  # E: normalized shape (256,)
