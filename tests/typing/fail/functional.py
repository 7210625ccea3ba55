"""nn.functional shape mistakes: convolution, pooling, normalization, embedding, attention."""

from __future__ import annotations

from typing import Literal as L

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[8], L[3], L[32], L[32]]] = dev.randn((8, 3, 32, 32))
w: sh.Tensor[tuple[L[16], L[3], L[3], L[3]]] = dev.randn((16, 3, 3, 3))
flat: sh.Tensor[tuple[L[8], L[100]]] = dev.randn((8, 100))

# convolution
F.conv2d(img, dev.randn((16, 1, 3, 3)))  # type: ignore[shape]  # E: conv2d: weight (16, 1, 3, 3) expects 1*1 = 1 input channels, got 3 (input (8, 3, 32, 32))
F.conv2d(img, dev.randn((15, 1, 3, 3)), groups=3)
F.conv2d(img, dev.randn((15, 3, 3, 3)), groups=3)  # type: ignore[shape]  # E: expects 3*3 = 9 input channels, got 3
F.conv2d(img, dev.randn((16, 3, 3, 3)), groups=2)  # type: ignore[shape]  # E: input channels 3 are not divisible by groups=2
F.conv2d(img, dev.randn((10, 1, 3, 3)), groups=3)  # type: ignore[shape]  # E: out channels 10 are not divisible by groups=3
F.conv2d(img, w, dev.randn((8,)))  # type: ignore[shape]  # E: conv2d: bias must be (16,), got (8,)
F.conv2d(img, w, stride=0)  # type: ignore[shape]  # E: conv2d: stride must be >= 1, got (0, 0)
F.conv2d(img, w, padding=-1)  # type: ignore[shape]  # E: conv2d: padding must be >= 0, got (-1, -1)
F.conv2d(img, dev.randn((16, 3, 33, 33)))  # type: ignore[shape]  # E: conv2d: H_out = (32 + 2*0 - 1*(33-1) - 1)//1 + 1 = 0: the input is smaller than the dilated kernel; pad it or use a smaller kernel
F.conv2d(img, w, dilation=16)  # type: ignore[shape]  # E: H_out = (32 + 2*0 - 16*(3-1) - 1)//1 + 1 = 0
F.conv2d(flat, w)  # type: ignore[shape]  # E: conv2d: input must be (N, C, H, W) or (C, H, W), got (8, 100)
F.conv2d(img, dev.randn((16, 3, 3)))  # type: ignore[shape]  # E: weight must be (C_out, C_in/groups, kH, kW)
F.conv_transpose2d(img, dev.randn((16, 3, 2, 2)))  # type: ignore[shape]  # E: conv_transpose2d: weight (16, 3, 2, 2) expects 16 input channels, got 3
F.conv_transpose2d(img, dev.randn((3, 4, 2, 2)), stride=2, output_padding=2)  # type: ignore[shape]  # E: output_padding 2 must be smaller than stride or dilation
F.conv_transpose2d(img, dev.randn((3, 4, 2, 2)), dev.randn((3,)))  # type: ignore[shape]  # E: bias must be (4,), got (3,)

# pooling
F.max_pool2d(img, 33)  # type: ignore[shape]  # E: max_pool2d: H_out = (32 + 2*0 - 33)//33 + 1 = 0: the input is smaller than the kernel
F.avg_pool2d(img, (2, 40))  # type: ignore[shape]  # E: avg_pool2d: W_out = (32 + 2*0 - 40)//40 + 1 = 0
F.max_pool2d(img, 2, padding=2)  # type: ignore[shape]  # E: padding (2, 2) must be at most half the kernel size (2, 2)
F.max_pool2d(img, 2, stride=0)  # type: ignore[shape]  # E: stride must be >= 1
F.max_pool2d(flat, 2)  # type: ignore[shape]  # E: max_pool2d: input must be (N, C, H, W) or (C, H, W), got (8, 100)

# softmax family, normalization
F.softmax(flat, axis=2)  # type: ignore[shape]  # E: softmax: axis 2 is out of range for a tensor of rank 2; valid axes are -2..1
F.log_softmax(flat, axis=-3)  # type: ignore[shape]  # E: log_softmax: axis -3 is out of range
F.softmax(flat.sum(), axis=1)  # type: ignore[shape]  # E: softmax: axis 1 is out of range
F.layer_norm(flat, dev.ones((10,)), dev.zeros((10,)))  # type: ignore[shape]  # E: layer_norm: normalized shape (10,) must match the trailing dims of the input (8, 100)
F.layer_norm(img, dev.ones((32, 3)), None)  # type: ignore[shape]  # E: normalized shape (32, 3)
F.layer_norm(img, dev.ones((32, 32)), None)

# linear
F.linear(flat, dev.randn((10, 99)))  # type: ignore[shape]  # E: linear: Linear[99, 10] expects (..., 99), got (8, 100): the last dim 100 != in_features 99
F.linear(flat, dev.randn((10, 100, 1)))  # type: ignore[shape]  # E: linear: weight must be (out_features, in_features), got (10, 100, 1)
F.linear(flat, dev.randn((10, 100)), dev.randn((100,)))  # type: ignore[shape]  # E: linear: bias must be (10,), got (100,)
F.linear(flat.sum(), dev.randn((10, 100)))  # type: ignore[shape]  # E: linear: input must have at least 1 dim, got ()

# embedding: the table is (num_embeddings, dim)
tokens = dev.tensor([[1, 5, 2], [0, 3, 3]])
F.embedding(tokens, dev.randn((10, 4, 4)))  # type: ignore[shape]  # E: embedding: weight must be (num_embeddings, dim), got (10, 4, 4)
F.embedding(tokens, dev.randn((10,)))  # type: ignore[shape]  # E: embedding: weight must be (num_embeddings, dim), got (10,)

# attention: q (B, L, E), k (B, S, E), v (B, S, Ev)
q: sh.Tensor[tuple[L[2], L[5], L[16]]] = dev.randn((2, 5, 16))
k: sh.Tensor[tuple[L[2], L[7], L[16]]] = dev.randn((2, 7, 16))
F.scaled_dot_product_attention(q, dev.randn((2, 7, 8)), k)  # type: ignore[shape]  # E: scaled_dot_product_attention: q (2, 5, 16) and k (2, 7, 8) must share the last dim (16 != 8)
F.scaled_dot_product_attention(q, k, q)  # type: ignore[shape]  # E: k (2, 7, 16) and v (2, 5, 16) must share the sequence dim (7 != 5)
F.scaled_dot_product_attention(q, k, dev.randn((3, 7, 16)))  # type: ignore[shape]  # E: shapes (2,) and (2,) and (3,) do not broadcast
F.scaled_dot_product_attention(q[:, :, :8], k, k)  # type: ignore[shape]  # E: q (2, 5, 8) and k (2, 7, 16) must share the last dim (8 != 16)
mask: sh.Tensor[tuple[L[7], L[5]], sh.Bool] = dev.ones((7, 5), dtype=sh.Bool)
F.scaled_dot_product_attention(q, k, k, mask=mask)  # type: ignore[shape]  # E: scaled_dot_product_attention mask: shapes (7, 5) and (2, 5, 7) do not broadcast
F.scaled_dot_product_attention(q, k, k, mask=mask.T)
