"""Issue 12's normalization, dropout, Bilinear and activation layers: wrong sizes and inputs,
reported with the run time's messages."""

import shaped as sh
from shaped import nn
from shaped.nn import functional as F

dev = sh.Cpu()
img = dev.randn((8, 6, 16, 16))
seq = dev.randn((8, 6, 20))
vol = dev.randn((2, 4, 3, 8, 8))
seq64 = dev.randn((8, 6, 20), dtype=sh.Float64)

nn.GroupNorm(4, 6)  # type: ignore[shape]  # E: GroupNorm: num_channels (6) must be divisible by num_groups (4)
nn.GroupNorm(0, 6)  # type: ignore[shape]  # E: GroupNorm: num_groups must be at least 1, got 0
nn.GroupNorm(2, 8)(img)  # type: ignore[shape]  # E: group_norm: GroupNorm[2, 8] expects 8 channels on axis 1, got (8, 6, 16, 16)
nn.GroupNorm(2, 6)(dev.randn((6,)))  # type: ignore[shape]  # E: group_norm: input must be (N, C, ...), got (6,)
nn.InstanceNorm2d(6)(dev.randn((6, 20)))  # type: ignore[shape]  # E: InstanceNorm2d: expected 3-D or 4-D input (N, C, ...), got shape (6, 20)
nn.InstanceNorm1d(-1)  # type: ignore[shape]  # E: InstanceNorm1d: num_features must be at least 0, got -1
nn.BatchNorm3d(4)(img)  # type: ignore[shape]  # E: BatchNorm3d: expected 5-D input (N, C, ...), got shape (8, 6, 16, 16)
nn.BatchNorm3d(3)(vol)  # type: ignore[shape]  # E: batch_norm: BatchNorm[3] expects 3 channels on axis 1, got (2, 4, 3, 8, 8)
nn.BatchNorm1d(6)(img)  # type: ignore[shape]  # E: BatchNorm1d: expected 2-D or 3-D input (N, C, ...), got shape (8, 6, 16, 16)
nn.RMSNorm(16)(seq)  # type: ignore[shape]  # E: rms_norm: normalized shape (16,) must match the trailing dims of the input (8, 6, 20)
nn.RMSNorm(20)(seq64)  # type: ignore[dtype]  # E: rms_norm: dtypes differ (Float64 and Float32)
nn.GroupNorm(3, 6)(img.to(sh.Float64))  # type: ignore[dtype]  # E: group_norm: dtypes differ (Float64 and Float32)
nn.Dropout1d(0.5)(img)  # type: ignore[shape]  # E: dropout1d: expected a 2-D or 3-D input (C, ...) or (N, C, ...), got (8, 6, 16, 16)
nn.Dropout3d(0.5)(seq)  # type: ignore[shape]  # E: dropout3d: expected a 4-D or 5-D input
nn.Dropout2d()(dev.randn((5,)))  # type: ignore[shape]  # E: dropout2d: feature dropout needs at least 2 dims (N, C, ...), got (5,)
nn.Softmax2d()(dev.randn((3, 4)))  # type: ignore[shape]  # E: Softmax2d: expected a 3-D or 4-D input (C, H, W), got (3, 4)
nn.Sequential(nn.Linear(20, 8), nn.GroupNorm(2, 8))(seq)  # type: ignore[shape]  # E: Sequential layer 1 (GroupNorm[2, 8]): group_norm: GroupNorm[2, 8] expects 8 channels on axis 1, got (8, 6, 8)
nn.Sequential(nn.Hardshrink(), nn.Linear(16, 4))(seq)  # type: ignore[shape]  # E: Sequential layer 1 (Linear[16, 4]): linear: Linear[16, 4] expects (..., 16), got (8, 6, 20)
nn.Bilinear(-2, 3, 4)  # type: ignore[shape]  # E: Bilinear: in1_features must be at least 0, got -2
nn.Bilinear(20, 20, 7)(seq, seq64)  # type: ignore[dtype]  # E: bilinear: dtypes differ (Float64 and Float32)
nn.Embedding(10, 4, padding_idx=0)(seq)  # type: ignore[dtype]  # E: embedding: indices must be integers (sh.Int64), got Float32
F.group_norm(img, 3).backward()  # type: ignore[no-tape]  # E: loss has no tape
pair = nn.Bilinear(4, 6, 3)
pair(dev.randn((5, 4)), dev.randn((5, 7)))  # type: ignore[shape]  # E: bilinear: Bilinear[4, 6, 3] expects in2 features 6, got 7 (inputs (5, 4) and (5, 7))
pair(dev.randn((5, 4), dtype=sh.Float64), dev.randn((5, 6), dtype=sh.Float64))  # type: ignore[dtype]  # E: bilinear: dtypes differ (Float64 and Float32)
