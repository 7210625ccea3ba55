"""Recurrent layers: wrong sizes, inputs and initial states, reported with the run time's
message ([shape]), and data of another dtype than the weights ([dtype])."""

import shaped as sh
from shaped import nn

dev = sh.Cpu()
seq = dev.zeros((7, 4, 10))

nn.LSTM(10, 0)  # type: ignore[shape]  # E: LSTM: hidden_size must be at least 1, got 0
nn.GRU(10, 20, 0)  # type: ignore[shape]  # E: GRU: num_layers must be at least 1, got 0
nn.LSTM(12, 20)(seq)  # type: ignore[shape]  # E: LSTM: input.size(-1) must be equal to input_size. Expected 12, got 10
nn.GRU(10, 20, batch_first=True)(dev.zeros((4, 7, 12)))  # type: ignore[shape]  # E: GRU: input.size(-1) must be equal to input_size. Expected 10, got 12
nn.RNN(10, 20)(dev.zeros((7, 4, 10, 1)))  # type: ignore[shape]  # E: RNN: Expected input to be 2D or 3D, got 4D instead
nn.RNN(10, 20)(dev.zeros((0, 4, 10)))  # type: ignore[shape]  # E: RNN: Expected sequence length to be larger than 0 in RNN
nn.GRU(10, 20, 2)(seq, dev.zeros((1, 4, 20)))  # type: ignore[shape]  # E: GRU: Expected h0 of shape (2, 4, 20), got (1, 4, 20)
nn.LSTM(10, 20, bidirectional=True)(seq, (dev.zeros((2, 4, 20)), dev.zeros((1, 4, 20))))  # type: ignore[shape]  # E: LSTM: Expected c0 of shape (2, 4, 20), got (1, 4, 20)
nn.LSTM(10, 20, batch_first=True)(seq, (dev.zeros((1, 4, 20)), dev.zeros((1, 4, 20))))  # type: ignore[shape]  # E: LSTM: Expected h0 of shape (1, 7, 20), got (1, 4, 20)
nn.LSTM(10, 20)(seq.to(sh.Float64))  # type: ignore[dtype]  # E: lstm: dtypes differ (Float64 and Float32); the weights are Float32
nn.LSTMCell(10, 20)(dev.zeros((4, 12)))  # type: ignore[shape]  # E: LSTMCell: input has inconsistent input_size: got 12 expected 10
nn.GRUCell(10, 20)(dev.zeros((4, 10)), dev.zeros((3, 20)))  # type: ignore[shape]  # E: GRUCell: Expected hx of shape (4, 20), got (3, 20)
nn.RNNCell(10, 20)(seq)  # type: ignore[shape]  # E: RNNCell: Expected input to be 1D or 2D, got 3D instead
nn.RNNCell(10, 20, dtype=sh.Float64)(dev.zeros((4, 10)))  # type: ignore[dtype]  # E: rnn_cell: dtypes differ (Float32 and Float64)
