"""Karpathy's makemore MLP (the "building makemore part 2: MLP" lecture, after Bengio et
al. 2003), as an nn.Module over a tiny word list.

Upstream: https://github.com/karpathy/nn-zero-to-hero/blob/master/lectures/makemore/makemore_part2_mlp.ipynb
The lecture's tensors `C`, `W1`, `b1`, `W2`, `b2` are an Embedding and two Linears here, and
`emb.view(-1, 30)` is `emb.flatten(1)` (which keeps the batch dim in the type); the data are
numpy int arrays, as torch.tensor(X) of Python lists makes them.
"""

from __future__ import annotations

from typing import Any, Final, TypeVar, assert_type
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import losses, nn, optim

VOCAB_SIZE: Final = 27  # 26 letters and "."
BLOCK_SIZE: Final = 3  # context length: how many characters do we take to predict the next one?
N_EMBD: Final = 10  # the dimensionality of the character embedding vectors
N_HIDDEN: Final = 200  # the number of neurons in the hidden layer of the MLP

N = TypeVar("N")
Tp = TypeVar("Tp")

words = ["emma", "olivia", "ava", "isabella", "sophia", "charlotte", "mia", "amelia"]
chars = sorted(set("".join(words)) | set("abcdefghijklmnopqrstuvwxyz"))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}


def build_dataset(
    words: list[str],
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    X, Y = [], []
    for w in words:
        context = [0] * BLOCK_SIZE
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]  # crop and append  # noqa: RUF005 (the lecture's spelling)
    return np.array(X, dtype=np.int64), np.array(Y, dtype=np.int64)


class MLP(nn.Module):
    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.C = nn.Embedding(VOCAB_SIZE, N_EMBD, device=device)
        self.hidden = nn.Linear(BLOCK_SIZE * N_EMBD, N_HIDDEN, device=device)
        self.out = nn.Linear(N_HIDDEN, VOCAB_SIZE, device=device)

    def forward(
        self, X: sh.Tensor[tuple[N, L[3]], sh.Int64, sh.Cpu, Tp]
    ) -> sh.Tensor[tuple[N, L[27]], sh.Float32, sh.Cpu, Tp]:
        emb = self.C(X)  # (N, 3, 10)
        h = self.hidden(emb.flatten(1)).tanh()  # (N, 200)
        logits = self.out(h)  # (N, 27)
        return logits


dev = sh.Cpu(seed=2147483647)
Xtr, Ytr = build_dataset(words)
model = MLP(dev)
print(model.num_params())  # number of parameters in total

data = dev.tensor(Xtr)
assert_type(data, sh.Tensor[tuple[Any, ...], sh.Int64])
assert_type(dev.tensor(Ytr), sh.Tensor[tuple[Any, ...], sh.Int64])

rng = np.random.default_rng(0)
sgd = optim.Sgd(model, lr=0.1)
for _ in range(2):
    # minibatch construct
    ix = rng.integers(0, Xtr.shape[0], (32,))
    Xb = dev.tensor(Xtr[ix]).realize((32, BLOCK_SIZE))
    Yb = dev.tensor(Ytr[ix]).realize((32,))
    assert_type(Xb, sh.Tensor[tuple[L[32], L[3]], sh.Int64])
    # forward pass
    grads = model.alloc_grads()
    logits = model(Xb.traced(grads))
    assert_type(logits, sh.Tensor[tuple[L[32], L[27]], sh.Float32, sh.Cpu, sh.OwnedTape])
    loss = losses.cross_entropy(logits, Yb)
    # backward pass, update
    sgd.update(model, loss.backward())

# the loss on the whole training set: the batch size is known only at run time
full = losses.cross_entropy(model(data), dev.tensor(Ytr))
print(f"makemore MLP: train loss {full.item():.3f}")

# sample from the model
context = [0] * BLOCK_SIZE
out = []
while True:
    logits_1 = model(dev.tensor([context]))
    probs = np.exp(logits_1.numpy()[0] - logits_1.numpy()[0].max())
    ix_1 = int(rng.choice(VOCAB_SIZE, p=probs / probs.sum()))
    context = context[1:] + [ix_1]  # noqa: RUF005
    out.append(ix_1)
    if ix_1 == 0 or len(out) == 10:
        break
print("".join(itos[i] for i in out))
