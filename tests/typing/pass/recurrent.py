"""Recurrent models written as PyTorch users write them: clean under mypy (with the plugin)
and pyright. A language model (Embedding, a 2-layer LSTM, Linear), a GRU encoder, a loop
over an LSTMCell, trained a step with Adam."""

from typing import Final, TypeVar
from typing import Literal as L

import shaped as sh
from shaped import losses, nn, optim

VOCAB: Final = 32
EMBED: Final = 16
HIDDEN: Final = 64
N = TypeVar("N")
T = TypeVar("T")
dev = sh.Cpu(seed=0)


class CharModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB, EMBED)
        self.lstm = nn.LSTM(EMBED, HIDDEN, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(HIDDEN, VOCAB)

    def forward(
        self, tokens: sh.Tensor[tuple[N, L[12]], sh.Int64, sh.Cpu, T]
    ) -> sh.Tensor[tuple[N, L[12], L[32]], sh.Float32, sh.Cpu, T]:
        x = self.embed(tokens)  # (N, 12, 16)
        out, _ = self.lstm(x)  # (N, 12, 64), and (h_n, c_n): (2, N, 64) each
        return self.head(out)


class Encoder(nn.Module):
    """A GRU over (L, N, 8) whose last hidden state is projected to 4 features."""

    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(8, 16)
        self.proj = nn.Linear(16, 4)

    def forward(self, x: sh.Tensor[tuple[L[5], N, L[8]]]) -> sh.Tensor[tuple[N, L[4]]]:
        _, h_n = self.gru(x)  # h_n: (1, N, 16)
        return self.proj(h_n[0])


model = CharModel()
adam = optim.Adam(model, lr=1e-3)
tokens = dev.randint(0, VOCAB, (3, 12))
targets = dev.randint(0, VOCAB, (3 * 12,))
grads = model.alloc_grads()
logits = model(tokens.traced(grads))
loss = losses.cross_entropy(logits.reshape(-1, VOCAB), targets)
adam.update(model, loss.backward())
model.eval()

encoder = Encoder()
features = encoder(dev.randn((5, 2, 8)))

cell = nn.LSTMCell(8, 16)
h, c = dev.zeros((2, 16)), dev.zeros((2, 16))
steps = dev.randn((5, 2, 8))
for t in range(5):
    h, c = cell(steps[t], (h, c))
rnn = nn.RNN(8, 16, 2, nonlinearity="relu", bidirectional=True)
out, h_n = rnn(steps, dev.zeros((4, 2, 16)))
step = nn.GRUCell(8, 16)(steps[0])
print(features.shape, h.shape, out.shape, h_n.shape, step.shape)


def last_state(sentence: sh.Tensor[tuple[L[9], L[8]]]) -> sh.Tensor[tuple[L[1], L[16]]]:
    """One unbatched sequence (L, H_in): h_n is (num_layers, H)."""
    _, h_last = nn.GRU(8, 16)(sentence)
    return h_last


print(last_state(dev.randn((9, 8))).shape)
