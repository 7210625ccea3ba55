"""nn.RNN / LSTM / GRU and the cells: the layer types keep their sizes and flags, and each call
gives torch's shapes: output (L, N, D*H) or (N, L, D*H) with batch_first, h_n (D*layers, N, H)."""

from typing import Literal as L
from typing import TypeVar, assert_type

import shaped as sh
from shaped import nn

dev = sh.Cpu()
seq = dev.zeros((7, 4, 10))  # (L, N, H_in)
batch_major = dev.zeros((4, 7, 10))  # (N, L, H_in)
Tn = sh.Tensor

lstm = nn.LSTM(10, 20, 2, batch_first=True)
assert_type(lstm, nn.LSTM[L[10], L[20], L[2], L[True], L[False]])
out, (h_n, c_n) = lstm(batch_major)
assert_type(out, Tn[tuple[L[4], L[7], L[20]]])
assert_type(h_n, Tn[tuple[L[2], L[4], L[20]]])
assert_type(c_n, Tn[tuple[L[2], L[4], L[20]]])
assert_type(
    lstm(batch_major),
    tuple[
        Tn[tuple[L[4], L[7], L[20]]],
        tuple[Tn[tuple[L[2], L[4], L[20]]], Tn[tuple[L[2], L[4], L[20]]]],
    ],
)

gru = nn.GRU(10, 16, num_layers=3, bidirectional=True)
assert_type(gru, nn.GRU[L[10], L[16], L[3], L[False], L[True]])
out2, h2 = gru(seq)
assert_type(out2, Tn[tuple[L[7], L[4], L[32]]])
assert_type(h2, Tn[tuple[L[6], L[4], L[16]]])
out3, h3 = gru(dev.zeros((7, 10)))  # unbatched (L, H_in)
assert_type(out3, Tn[tuple[L[7], L[32]]])
assert_type(h3, Tn[tuple[L[6], L[16]]])

rnn = nn.RNN(10, 8, nonlinearity="relu")
assert_type(rnn, nn.RNN[L[10], L[8], L[1], L[False], L[False]])
grads = sh.Gradients()
out4, h4 = rnn(seq.traced(grads), dev.zeros((1, 4, 8)))  # the tape moves to the results
assert_type(out4, Tn[tuple[L[7], L[4], L[8]], sh.Float32, sh.Cpu, sh.OwnedTape])
assert_type(h4, Tn[tuple[L[1], L[4], L[8]], sh.Float32, sh.Cpu, sh.OwnedTape])
_, h5 = rnn(seq, dev.zeros((1, 4, 8)).traced(grads))  # a traced h0 traces the results too
assert_type(h5, Tn[tuple[L[1], L[4], L[8]], sh.Float32, sh.Cpu, sh.OwnedTape])

wide = nn.LSTM(10, 650, dtype=sh.Float64)  # any size keeps its literal under mypy
assert_type(wide, nn.LSTM[L[10], L[650], L[1], L[False], L[False], sh.Float64])
out6, (h6, _) = wide(seq.to(sh.Float64))
assert_type(out6, Tn[tuple[L[7], L[4], L[650]], sh.Float64])
assert_type(h6, Tn[tuple[L[1], L[4], L[650]], sh.Float64])

flag = bool(len("x"))  # a flag known only at run time: the dims it decides are int
unknown = nn.LSTM(10, 20, batch_first=flag)
assert_type(unknown, nn.LSTM[L[10], L[20], L[1], bool, L[False]])
out7, (h7, _) = unknown(seq)
assert_type(out7, Tn[tuple[int, int, L[20]]])
assert_type(h7, Tn[tuple[L[1], int, L[20]]])

cell = nn.LSTMCell(10, 20)
assert_type(cell, nn.LSTMCell[L[10], L[20]])
h8, c8 = cell(dev.zeros((4, 10)))
assert_type(h8, Tn[tuple[L[4], L[20]]])
assert_type(c8, Tn[tuple[L[4], L[20]]])
h9, c9 = cell(dev.zeros((4, 10)), (h8, c8))
assert_type(h9, Tn[tuple[L[4], L[20]]])
assert_type(nn.GRUCell(10, 5)(dev.zeros((10,))), Tn[tuple[L[5]]])
assert_type(nn.RNNCell(10, 5)(dev.zeros((3, 10)), dev.zeros((3, 5))), Tn[tuple[L[3], L[5]]])

N = TypeVar("N")


def encode(x: Tn[tuple[L[7], N, L[10]]]) -> Tn[tuple[N, L[32]]]:
    """A batch dim named by a TypeVar passes through, as through Linear."""
    _, h_last = nn.GRU(10, 16, bidirectional=True)(x)
    assert_type(h_last, Tn[tuple[L[2], N, L[16]]])
    return sh.concat([h_last[0], h_last[1]], axis=-1)


assert_type(encode(seq), Tn[tuple[L[4], L[32]]])

# an architecture written as a type: the flags are Literal[True] / Literal[False]
built = sh.Cpu().build_module(nn.LSTM[L[10], L[20], L[2], L[True], L[True]])
built_out, (built_h, _built_c) = built(sh.Cpu().randn((3, 5, 10)))
assert_type(built_out, sh.Tensor[tuple[L[3], L[5], L[40]]])
assert_type(built_h, sh.Tensor[tuple[L[4], L[3], L[20]]])
