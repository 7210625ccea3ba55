"""nn.functional: conv2d with stride/padding/dilation/groups, conv_transpose2d, pooling,
softmax family, dropout, layer_norm, embedding and attention."""

from __future__ import annotations

from typing import Literal as L
from typing import assert_type

import shaped as sh
from shaped.nn import functional as F

dev = sh.Cpu(seed=0)
img: sh.Tensor[tuple[L[8], L[4], L[28], L[28]]] = dev.randn((8, 4, 28, 28))
chw: sh.Tensor[tuple[L[4], L[28], L[28]]] = dev.randn((4, 28, 28))
w: sh.Tensor[tuple[L[6], L[4], L[3], L[3]]] = dev.randn((6, 4, 3, 3))
w_grouped: sh.Tensor[tuple[L[6], L[2], L[3], L[3]]] = dev.randn((6, 2, 3, 3))
bias: sh.Tensor[tuple[L[6]]] = dev.zeros((6,))
Owned = sh.OwnedTape

# conv2d: H_out = (H + 2p - d(k-1) - 1)//s + 1
assert_type(F.conv2d(img, w), sh.Tensor[tuple[L[8], L[6], L[26], L[26]]])
assert_type(F.conv2d(img, w, bias), sh.Tensor[tuple[L[8], L[6], L[26], L[26]]])
assert_type(F.conv2d(img, w, padding=1), sh.Tensor[tuple[L[8], L[6], L[28], L[28]]])
assert_type(F.conv2d(img, w, stride=2), sh.Tensor[tuple[L[8], L[6], L[13], L[13]]])
assert_type(F.conv2d(img, w, stride=2, padding=1), sh.Tensor[tuple[L[8], L[6], L[14], L[14]]])
assert_type(F.conv2d(img, w, dilation=2), sh.Tensor[tuple[L[8], L[6], L[24], L[24]]])
assert_type(
    F.conv2d(img, w, stride=(1, 2), padding=(0, 1)), sh.Tensor[tuple[L[8], L[6], L[26], L[14]]]
)
assert_type(F.conv2d(img, w_grouped, groups=2), sh.Tensor[tuple[L[8], L[6], L[26], L[26]]])
assert_type(F.conv2d(img, w_grouped, bias, 3, 2, 2, 2), sh.Tensor[tuple[L[8], L[6], L[10], L[10]]])
assert_type(F.conv2d(chw, w), sh.Tensor[tuple[L[6], L[26], L[26]]])
assert_type(
    F.conv2d(img.trace(), w), sh.Tensor[tuple[L[8], L[6], L[26], L[26]], sh.Float32, sh.Cpu, Owned]
)

# conv_transpose2d: weight (C_in, C_out/groups, k, k); H_out = (H-1)s - 2p + d(k-1) + op + 1
up: sh.Tensor[tuple[L[4], L[3], L[2], L[2]]] = dev.randn((4, 3, 2, 2))
assert_type(F.conv_transpose2d(img, up), sh.Tensor[tuple[L[8], L[3], L[29], L[29]]])
assert_type(F.conv_transpose2d(img, up, stride=2), sh.Tensor[tuple[L[8], L[3], L[56], L[56]]])
assert_type(
    F.conv_transpose2d(img, up, stride=2, padding=1), sh.Tensor[tuple[L[8], L[3], L[54], L[54]]]
)
assert_type(
    F.conv_transpose2d(img, up, stride=2, output_padding=1),
    sh.Tensor[tuple[L[8], L[3], L[57], L[57]]],
)
assert_type(F.conv_transpose2d(img, up, groups=2), sh.Tensor[tuple[L[8], L[6], L[29], L[29]]])

# pooling: stride defaults to the kernel
assert_type(F.max_pool2d(img, 2), sh.Tensor[tuple[L[8], L[4], L[14], L[14]]])
assert_type(F.max_pool2d(img, 3), sh.Tensor[tuple[L[8], L[4], L[9], L[9]]])
assert_type(F.max_pool2d(img, 3, stride=1), sh.Tensor[tuple[L[8], L[4], L[26], L[26]]])
assert_type(F.max_pool2d(img, 3, stride=2, padding=1), sh.Tensor[tuple[L[8], L[4], L[14], L[14]]])
assert_type(F.max_pool2d(chw, (2, 4)), sh.Tensor[tuple[L[4], L[14], L[7]]])
assert_type(F.avg_pool2d(img, 4), sh.Tensor[tuple[L[8], L[4], L[7], L[7]]])
assert_type(F.avg_pool2d(img, 2, stride=(1, 2)), sh.Tensor[tuple[L[8], L[4], L[27], L[14]]])
pooled = F.max_pool2d(F.conv2d(img, w, padding=1).relu(), 2)
assert_type(pooled.flatten(1), sh.Tensor[tuple[L[8], L[1176]]])

# softmax family, dropout, layer norm keep the shape
logits: sh.Tensor[tuple[L[8], L[10]]] = dev.randn((8, 10))
assert_type(F.softmax(logits, axis=-1), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.softmax(img, axis=1), sh.Tensor[tuple[L[8], L[4], L[28], L[28]]])
assert_type(F.log_softmax(logits, 1), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.softmax(logits.sum(), axis=0), sh.Tensor[tuple[()]])
assert_type(F.log_softmax(logits.trace()), sh.Tensor[tuple[L[8], L[10]], sh.Float32, sh.Cpu, Owned])
assert_type(F.dropout(logits, 0.5, True), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.relu(logits), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.gelu(logits, "tanh"), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.layer_norm(logits, dev.ones((10,)), dev.zeros((10,))), sh.Tensor[tuple[L[8], L[10]]])
assert_type(F.layer_norm(img, dev.ones((28, 28)), None), sh.Tensor[tuple[L[8], L[4], L[28], L[28]]])

# embedding: indices (*B) into (V, E) give (*B, E) in the table's dtype
tokens = dev.tensor([[1, 5, 2], [0, 3, 3]])
table: sh.Tensor[tuple[L[10], L[16]]] = dev.randn((10, 16))
assert_type(F.embedding(tokens, table), sh.Tensor[tuple[L[2], L[3], L[16]]])
assert_type(F.embedding(tokens[0], table), sh.Tensor[tuple[L[3], L[16]]])
assert_type(
    F.embedding(tokens, table.to(sh.Float64)), sh.Tensor[tuple[L[2], L[3], L[16]], sh.Float64]
)

# attention: q (*B, L, E), k (*B, S, E), v (*B, S, Ev) give (*B, L, Ev)
q: sh.Tensor[tuple[L[2], L[5], L[16]]] = dev.randn((2, 5, 16))
k: sh.Tensor[tuple[L[2], L[7], L[16]]] = dev.randn((2, 7, 16))
v: sh.Tensor[tuple[L[2], L[7], L[32]]] = dev.randn((2, 7, 32))
mask: sh.Tensor[tuple[L[5], L[7]], sh.Bool] = dev.ones((5, 7), dtype=sh.Bool)
assert_type(F.scaled_dot_product_attention(q, k, v), sh.Tensor[tuple[L[2], L[5], L[32]]])
assert_type(F.scaled_dot_product_attention(q, k, k, mask=mask), sh.Tensor[tuple[L[2], L[5], L[16]]])
assert_type(F.scaled_dot_product_attention(q, q, q), sh.Tensor[tuple[L[2], L[5], L[16]]])
assert_type(F.scaled_dot_product_attention(q[0], k, v), sh.Tensor[tuple[L[2], L[5], L[32]]])
heads: sh.Tensor[tuple[L[2], L[4], L[5], L[8]]] = dev.randn((2, 4, 5, 8))
assert_type(
    F.scaled_dot_product_attention(heads, heads, heads), sh.Tensor[tuple[L[2], L[4], L[5], L[8]]]
)
assert_type(
    F.scaled_dot_product_attention(q.trace(), k, v),
    sh.Tensor[tuple[L[2], L[5], L[32]], sh.Float32, sh.Cpu, Owned],
)
