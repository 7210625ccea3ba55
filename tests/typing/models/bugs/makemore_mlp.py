"""The bugs of the makemore MLP, each caught before it runs.

Expected errors are `# type: ignore[code]` on their line (mypy runs with --warn-unused-ignores,
so an error that stops firing fails the test); `# E:` gives a part of the expected message.
"""

from __future__ import annotations

from typing import Final, TypeVar
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import losses, nn

VOCAB_SIZE: Final = 27
BLOCK_SIZE: Final = 3
N_EMBD: Final = 10
N_HIDDEN: Final = 200

N = TypeVar("N")
Tp = TypeVar("Tp")
Context = sh.Tensor[tuple[N, L[3]], sh.Int64, sh.Cpu, Tp]
Logits = sh.Tensor[tuple[N, L[27]], sh.Float32, sh.Cpu, Tp]


class MLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.C = nn.Embedding(VOCAB_SIZE, N_EMBD)
        self.hidden = nn.Linear(BLOCK_SIZE * N_EMBD, N_HIDDEN)
        self.out = nn.Linear(N_HIDDEN, VOCAB_SIZE)

    def forward(self, X: Context[N, Tp]) -> Logits[N, Tp]:
        emb = self.C(X)
        h = self.hidden(emb.flatten(1)).tanh()
        return self.out(h)


class MLPOneEmbedding(nn.Module):
    """The hidden layer sized for one character's embedding, not BLOCK_SIZE of them."""

    def __init__(self) -> None:
        super().__init__()
        self.C = nn.Embedding(VOCAB_SIZE, N_EMBD)
        self.hidden = nn.Linear(N_EMBD, N_HIDDEN)
        self.out = nn.Linear(N_HIDDEN, VOCAB_SIZE)

    def forward(self, X: Context[N, Tp]) -> Logits[N, Tp]:
        emb = self.C(X)
        h = self.hidden(emb.flatten(1)).tanh()  # type: ignore[shape]  # E: the last dim 30 != in_features 10
        return self.out(h)


class MLPNoFlatten(nn.Module):
    """emb (N, 3, 10) into the hidden layer without the view(-1, 30)."""

    def __init__(self) -> None:
        super().__init__()
        self.C = nn.Embedding(VOCAB_SIZE, N_EMBD)
        self.hidden = nn.Linear(BLOCK_SIZE * N_EMBD, N_HIDDEN)
        self.out = nn.Linear(N_HIDDEN, VOCAB_SIZE)

    def forward(self, X: Context[N, Tp]) -> Logits[N, Tp]:
        emb = self.C(X)
        h = self.hidden(emb).tanh()  # type: ignore[shape]  # E: the last dim 10 != in_features 30
        return self.out(h)


dev = sh.Cpu(seed=0)
model = MLP()
X = np.array([[0, 0, 5], [0, 5, 13], [5, 13, 13], [13, 13, 1]], dtype=np.int64)
Y = np.array([13, 13, 1, 0], dtype=np.int64)
Xb = dev.tensor(X).realize((4, BLOCK_SIZE))
Yb = dev.tensor(Y).realize((4,))

# float token ids: the lecture's C[X] with X = torch.tensor(X, dtype=torch.float)
model.C(dev.tensor(X.astype(np.float32)))  # type: ignore[dtype]  # E: indices must be integers (sh.Int64), got Float32
model(Xb.to(sh.Float32))  # type: ignore[dtype]  # E: Float32
# a context of 4 characters into a model built for BLOCK_SIZE = 3
model(dev.zeros((4, 4), dtype=sh.Int64))  # type: ignore[shape]  # E: got (4, 4)
# the forward pass without .traced(grads), then backward
losses.cross_entropy(model(Xb), Yb).backward()  # type: ignore[no-tape]  # E: loss has no tape
# labels of half the batch
losses.cross_entropy(model(Xb), Yb[:2])  # type: ignore[shape]  # E: need class-index targets of shape (4,), got (2,)
