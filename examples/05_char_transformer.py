"""A tiny character-level transformer, trained on Python's own license text, then sampled.

Run: python examples/05_char_transformer.py [--steps 300] [--smoke]
A GPT-style decoder written as user modules, PyTorch-style: token and position embeddings,
pre-norm blocks (LayerNorm, MultiHeadAttention with a causal mask, an MLP, residuals), a
final LayerNorm and a linear head. The text ships with Python (LICENSE.txt next to the
standard library; the Zen of Python if a distribution left it out). About a minute on two
CPU cores.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sysconfig
import time
from pathlib import Path
from typing import Any, Final, TypeVar
from typing import Literal as L

import numpy as np

import shaped as sh
from shaped import losses, nn, optim

VOCAB: Final = 128  # ASCII; any other character becomes "?"
CONTEXT: Final = 64  # characters the model sees at once
DIM: Final = 64
HEADS: Final = 4
HIDDEN: Final = 256  # the MLP's width, 4 * DIM
LAYERS: Final = 2
BATCH: Final = 32

T = TypeVar("T")  # the tape: OwnedTape when training, NoTape when sampling
Tokens = sh.Tensor[tuple[int, int], Any, sh.Cpu, T]  # (batch, length) character codes


def read_text() -> str:
    license_file = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if license_file.is_file():
        return license_file.read_text(encoding="utf-8", errors="replace")
    with contextlib.redirect_stdout(io.StringIO()):  # `import this` prints the Zen
        import this
    return "".join(this.d.get(c, c) for c in this.s)  # it is stored rot13-encoded


class Block(nn.Module):
    """x + attention(norm(x)), then x + mlp(norm(x)): the pre-norm block of GPT-2."""

    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(DIM, device=device)
        self.attention = nn.MultiHeadAttention(DIM, HEADS, device=device)
        self.norm2 = nn.LayerNorm(DIM, device=device)
        self.expand = nn.Linear(DIM, HIDDEN, device=device)
        self.project = nn.Linear(HIDDEN, DIM, device=device)

    def forward(
        self,
        x: sh.Tensor[tuple[int, int, L[64]], sh.Float32, sh.Cpu, T],
        mask: sh.Tensor[tuple[int, int], sh.Bool, sh.Cpu],
    ) -> sh.Tensor[tuple[int, int, L[64]], sh.Float32, sh.Cpu, T]:
        x = x + self.attention(self.norm1(x), mask=mask)  # mask: True where a query may look
        return x + self.project(self.expand(self.norm2(x)).gelu())


class CharTransformer(nn.Module):
    def __init__(self, device: sh.Cpu) -> None:
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, DIM, device=device)
        self.positions = nn.Embedding(CONTEXT, DIM, device=device)
        self.blocks = [Block(device) for _ in range(LAYERS)]  # a list of modules is walked too
        self.norm = nn.LayerNorm(DIM, device=device)
        # an annotation keeps the literal sizes for pyright (mypy's plugin infers them)
        self.head: nn.Linear[L[64], L[128]] = nn.Linear(DIM, VOCAB, device=device)
        # integer and bool tensors are buffers: saved and moved with the model, never trained
        self.index = device.arange(CONTEXT)  # 0, 1, ..., CONTEXT - 1
        # position i may attend to positions j <= i: a (CONTEXT, CONTEXT) Bool mask
        self.causal = self.index[:, None] >= self.index[None, :]

    def forward(
        self, tokens: Tokens[T]
    ) -> sh.Tensor[tuple[int, int, L[128]], sh.Float32, sh.Cpu, T]:
        length = tokens.shape[1]
        # (B, n, DIM) + (n, DIM): each position adds its own learned vector
        embedded = self.tokens(tokens) + self.positions(self.index[:length])
        # realize names the broadcast shape for both checkers (and checks it at run time); an
        # embedding's dtype is Any in its type: .to(sh.Float32) states it (a no-op here)
        x = embedded.realize((len(tokens), length, DIM)).to(sh.Float32)
        mask = self.causal[:length, :length].realize((length, length))
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.norm(x))


def encode(text: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.array([ord(c) if ord(c) < VOCAB else ord("?") for c in text], dtype=np.int64)


def sample(model: CharTransformer, prompt: str, count: int, rng: np.random.Generator) -> str:
    """`count` more characters after `prompt`, each drawn from softmax(logits / 0.8)."""
    codes = list(encode(prompt))
    for _ in range(count):
        window = sh.Cpu().tensor([codes[-CONTEXT:]])  # (1, n): no tape, nothing recorded
        logits = model(window.realize((1, len(codes[-CONTEXT:]))))[0, -1].numpy() / 0.8
        probs = np.exp(logits - logits.max())
        codes.append(int(rng.choice(VOCAB, p=probs / probs.sum())))
    return "".join(map(chr, codes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--smoke", action="store_true", help="3 steps and a short sample")
    args = parser.parse_args()
    steps, sample_length = (3, 20) if args.smoke else (args.steps, 300)

    text = read_text()
    data = encode(text)
    print(f"{len(text):,} characters of training text; {steps} steps of {BATCH}x{CONTEXT}")
    model = CharTransformer(sh.Cpu(seed=0))
    print(f"{model.num_params():,} parameters")
    adam = optim.AdamW(model, lr=5e-3, weight_decay=0.01)
    rng = np.random.default_rng(0)
    dev = sh.Cpu()
    start, running = time.perf_counter(), 0.0
    for step in range(1, steps + 1):
        # BATCH random windows; the target is the next character at every position
        offsets = rng.integers(0, len(data) - CONTEXT - 1, size=BATCH)
        windows = np.stack([data[o : o + CONTEXT + 1] for o in offsets])
        inputs = dev.tensor(windows[:, :-1]).realize((BATCH, CONTEXT))  # Int64 codes
        targets = dev.tensor(windows[:, 1:]).realize((BATCH, CONTEXT))
        grads = model.alloc_grads()
        logits = model(inputs.traced(grads))  # (int, int, L[128]), Float32, OwnedTape
        # cross_entropy wants (N, C): one row per position
        loss = losses.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))
        adam.update(model, loss.backward())
        running = loss.item() if step == 1 else 0.9 * running + 0.1 * loss.item()
        if step == 1 or step % 50 == 0 or step == steps:
            print(f"step {step:4d}  loss {running:.3f}  ({time.perf_counter() - start:.0f} s)")
    print(f"trained in {time.perf_counter() - start:.1f} s; sampling:")
    print("-" * 60)
    print(sample(model.eval(), "Python ", sample_length, np.random.default_rng(1)))
    print("-" * 60)


if __name__ == "__main__":
    main()
