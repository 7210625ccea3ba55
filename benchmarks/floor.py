"""Hand-written numpy training steps: the floor each benchmark row compares shaped against.

Each `*_floor(params, ...)` takes the model's parameters as numpy arrays (copies of the shaped
model's, in its `state_dict` order and layout), updates them in place every call and returns
a step function that gives the loss. Buffers are allocated once and reused; activations of
convolutions stay channel-major, `(C, N, H, W)`, so every convolution is one GEMM over an
im2col buffer with no layout transposes in between. GELU's erf is a float32 rational
approximation (Eigen's, max abs error 4e-7: float32 rounding); scipy's erf is 3x slower.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]
Step = Callable[[], float]


# ---------------------------------------------------------------- optimizers


def sgd(params: list[Array], lr: float) -> Callable[[list[Array]], None]:
    """In-place SGD: p -= lr * g, through one scratch buffer per parameter."""
    scratch = [np.empty_like(p) for p in params]

    def update(grads: list[Array]) -> None:
        for p, g, s in zip(params, grads, scratch):
            np.multiply(g, lr, out=s)
            p -= s

    return update


def adam(
    params: list[Array], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
) -> Callable[[list[Array]], None]:
    """In-place Adam (torch's defaults, no weight decay), scratch buffers reused."""
    b1, b2 = betas
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    s = [np.empty_like(p) for p in params]
    count = [0]

    def update(grads: list[Array]) -> None:
        count[0] += 1
        t = count[0]
        step = lr / (1 - b1**t)
        root = 1 / (1 - b2**t) ** 0.5
        for p, g, mi, vi, si in zip(params, grads, m, v, s):
            mi *= b1
            np.multiply(g, 1 - b1, out=si)
            mi += si
            vi *= b2
            np.multiply(g, g, out=si)
            si *= 1 - b2
            vi += si
            np.sqrt(vi, out=si)
            si *= root
            si += eps
            np.divide(mi, si, out=si)
            si *= step
            p -= si

    return update


# ---------------------------------------------------------------- pieces


def cross_entropy_grad(z: Array, y: Array) -> float:
    """Mean cross-entropy of logits z (N, C) against labels y; z becomes dloss/dz in place."""
    n = len(z)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    total = z.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(total[:, 0]) - np.log(z[rows, y])))
    z /= total
    z[rows, y] -= 1
    z *= 1 / n
    return loss


class Conv3x3:
    """A 3x3, stride 1, padding 1 convolution on channel-major (C, N, H, W) activations."""

    def __init__(self, weight: Array, n: int, h: int, w: int, input_grad: bool) -> None:
        f, c = weight.shape[:2]
        self.weight, self.wmat = weight, weight.reshape(f, c * 9)
        self.padded = np.zeros((c, n, h + 2, w + 2), weight.dtype)  # the border stays 0
        self.inner = self.padded[:, :, 1:-1, 1:-1]
        self.cols = np.empty((c * 9, n * h * w), weight.dtype)
        self.cols6 = self.cols.reshape(c, 3, 3, n, h, w)
        self.out = np.empty((f, n * h * w), weight.dtype)
        self.grad_w = np.empty_like(weight)
        self.dcols = np.empty_like(self.cols) if input_grad else None
        self.dpadded = np.empty_like(self.padded) if input_grad else None
        self.h, self.w = h, w

    def forward(self) -> Array:
        """self.inner holds the input: returns (F, N*H*W), no bias."""
        h, w = self.h, self.w
        for i in range(3):
            for j in range(3):
                self.cols6[:, i, j] = self.padded[:, :, i : i + h, j : j + w]
        return np.matmul(self.wmat, self.cols, out=self.out)

    def backward(self, dout: Array) -> Array | None:
        """dout (F, N*H*W): fills grad_w; returns the input gradient (C, N, H, W) view or None."""
        np.matmul(dout, self.cols.T, out=self.grad_w.reshape(self.wmat.shape))
        if self.dcols is None or self.dpadded is None:
            return None
        np.matmul(self.wmat.T, dout, out=self.dcols)
        d6 = self.dcols.reshape(self.cols6.shape)
        h, w = self.h, self.w
        self.dpadded.fill(0)
        for i in range(3):
            for j in range(3):
                self.dpadded[:, :, i : i + h, j : j + w] += d6[:, i, j]
        return self.dpadded[:, :, 1:-1, 1:-1]


class ReluPool2:
    """ReLU then 2x2 max pooling on (C, N, H, W), forward by strided maxima; backward routes
    each gradient to its window's maximum (ReLU's zeros get none: their gradient is 0)."""

    def __init__(self, c: int, n: int, h: int, w: int, dtype: Any) -> None:
        self.x = np.empty((c, n, h, w), dtype)
        self.a = np.empty((c, n, h // 2, w // 2), dtype)
        self.b = np.empty_like(self.a)
        self.dx = np.empty_like(self.x)
        self.masked = np.empty_like(self.a)

    def forward(self, out: Array) -> None:
        """self.x holds the pre-ReLU input; writes the pooled result into out."""
        x = self.x
        np.maximum(x[..., ::2, ::2], x[..., ::2, 1::2], out=self.a)
        np.maximum(x[..., 1::2, ::2], x[..., 1::2, 1::2], out=self.b)
        np.maximum(self.a, self.b, out=self.a)
        np.maximum(self.a, 0, out=out)
        self.pooled = out

    def backward(self, dout: Array) -> Array:
        np.multiply(dout, self.pooled > 0, out=self.masked)
        for i in range(2):
            for j in range(2):
                np.multiply(self.masked, self.x[..., i::2, j::2] == self.pooled,
                            out=self.dx[..., i::2, j::2])  # fmt: skip
        return self.dx


# ---------------------------------------------------------------- MLP


def mlp_floor(params: list[Array], x: Array, y: Array, lr: float) -> Step:
    """Linear-ReLU-Linear-ReLU-Linear, cross-entropy, SGD; no input gradient."""
    w1, b1, w2, b2, w3, b3 = params
    n = len(x)
    h1, h2 = np.empty((n, len(w1)), x.dtype), np.empty((n, len(w2)), x.dtype)
    z = np.empty((n, len(w3)), x.dtype)
    d1, d2 = np.empty_like(h1), np.empty_like(h2)
    grads = [np.empty_like(p) for p in params]
    update = sgd(params, lr)

    def step() -> float:
        nonlocal h1, h2, z, d1, d2  # updated in place (+= rebinds the same array)
        np.matmul(x, w1.T, out=h1)
        h1 += b1
        np.maximum(h1, 0, out=h1)
        np.matmul(h1, w2.T, out=h2)
        h2 += b2
        np.maximum(h2, 0, out=h2)
        np.matmul(h2, w3.T, out=z)
        z += b3
        loss = cross_entropy_grad(z, y)
        np.matmul(z.T, h2, out=grads[4])
        z.sum(axis=0, out=grads[5])
        np.matmul(z, w3, out=d2)
        d2 *= h2 > 0
        np.matmul(d2.T, h1, out=grads[2])
        d2.sum(axis=0, out=grads[3])
        np.matmul(d2, w2, out=d1)
        d1 *= h1 > 0
        np.matmul(d1.T, x, out=grads[0])
        d1.sum(axis=0, out=grads[1])
        update(grads)
        return loss

    return step


# ---------------------------------------------------------------- small CNN


def cnn_floor(params: list[Array], lr: float, optimizer: str = "sgd") -> Callable[..., float]:
    """conv(1->16)-ReLU-pool-conv(16->32)-ReLU-pool-flatten-linear, cross-entropy.

    Returns step(x, y) for x (N, 1, S, S); buffers are made once per batch size."""
    cw1, cb1, cw2, cb2, lw, lb = params
    update = (sgd if optimizer == "sgd" else adam)(params, lr)
    grads = [np.empty_like(p) for p in params]
    layers: dict[tuple[int, int], Any] = {}

    def build(n: int, s: int) -> Any:
        conv1 = Conv3x3(cw1, n, s, s, input_grad=False)
        pool1 = ReluPool2(len(cw1), n, s, s, cw1.dtype)
        conv2 = Conv3x3(cw2, n, s // 2, s // 2, input_grad=True)
        pool2 = ReluPool2(len(cw2), n, s // 2, s // 2, cw1.dtype)
        p2 = np.empty((len(cw2), n, s // 4, s // 4), cw1.dtype)
        flat = np.empty((n, p2.size // n), cw1.dtype)
        z = np.empty((n, len(lw)), cw1.dtype)
        return conv1, pool1, conv2, pool2, p2, flat, z

    def step(x: Array, y: Array) -> float:
        n, s = len(x), x.shape[-1]
        if (n, s) not in layers:
            layers[n, s] = build(n, s)
        conv1, pool1, conv2, pool2, p2, flat, z = layers[n, s]
        conv1.inner[0] = x[:, 0]  # C = 1: NCHW and channel-major agree
        out = conv1.forward()
        out += cb1[:, None]
        pool1.x.reshape(out.shape)[...] = out  # (the GEMM cannot write a 4-D out)
        pool1.forward(conv2.inner)
        out = conv2.forward()
        out += cb2[:, None]
        pool2.x.reshape(out.shape)[...] = out
        pool2.forward(p2)
        nchw = (n, p2.shape[0], *p2.shape[2:])
        flat.reshape(nchw)[...] = p2.transpose(1, 0, 2, 3)
        np.matmul(flat, lw.T, out=z)
        z += lb
        loss = cross_entropy_grad(z, y)
        np.matmul(z.T, flat, out=grads[4])
        z.sum(axis=0, out=grads[5])
        dflat = z @ lw
        dp2 = dflat.reshape(nchw).transpose(1, 0, 2, 3)
        dh2 = pool2.backward(dp2).reshape(len(cw2), -1)
        dh2.sum(axis=1, out=grads[3])
        dp1 = conv2.backward(dh2)
        assert dp1 is not None
        dh1 = pool1.backward(dp1).reshape(len(cw1), -1)
        dh1.sum(axis=1, out=grads[1])
        conv1.backward(dh1)
        grads[0][...], grads[2][...] = conv1.grad_w, conv2.grad_w
        update(grads)
        return loss

    return step


# ---------------------------------------------------------------- ResNet-style block


def batch_norm(x: Array, gamma: Array, beta: Array, out: Array, eps: float = 1e-5) -> Array:
    """Training-mode BatchNorm over rows of x (C, M) into out; returns xhat (saved)."""
    mean = x.mean(axis=1, keepdims=True)
    np.subtract(x, mean, out=out)
    var = np.einsum("ij,ij->i", out, out)[:, None] / x.shape[1]
    rstd = 1 / np.sqrt(var + eps)
    out *= rstd
    xhat = out.copy()
    out *= gamma[:, None]
    out += beta[:, None]
    return xhat, rstd, mean, var  # type: ignore[return-value]


def batch_norm_back(
    dy: Array, xhat: Array, rstd: Array, gamma: Array, gg: Array, gb: Array
) -> Array:
    """dy (C, M) -> dx in place of dy; fills gamma's and beta's gradients."""
    m = dy.shape[1]
    dy.sum(axis=1, out=gb)
    gg[...] = np.einsum("ij,ij->i", dy, xhat)
    dy -= gb[:, None] / m
    dy -= xhat * (gg[:, None] / m)
    dy *= gamma[:, None] * rstd
    return dy


def resnet_floor(
    params: list[Array], buffers: list[Array], x: Array, target: Array, lr: float
) -> Step:
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + x), mse against target, SGD; convs without bias.

    params: conv1.weight, bn1.weight, bn1.bias, conv2.weight, bn2.weight, bn2.bias;
    buffers: bn1's and bn2's running mean and var (updated as torch does, momentum 0.1)."""
    c1, g1, be1, c2, g2, be2 = params
    n, c, h, w = x.shape
    m = n * h * w
    conv1 = Conv3x3(c1, n, h, w, input_grad=False)
    conv2 = Conv3x3(c2, n, h, w, input_grad=True)
    y1, y2 = np.empty((c, m), x.dtype), np.empty((c, m), x.dtype)
    xcm = np.empty((c, n, h, w), x.dtype)
    tcm = np.ascontiguousarray(target.transpose(1, 0, 2, 3)).reshape(c, m)
    grads = [np.empty_like(p) for p in params]
    update = sgd(params, lr)

    def running(i: int, mean: Array, var: Array) -> None:
        buffers[2 * i] *= 0.9
        buffers[2 * i] += 0.1 * mean[:, 0]
        buffers[2 * i + 1] *= 0.9
        buffers[2 * i + 1] += 0.1 * var[:, 0] * (m / (m - 1))

    def step() -> float:
        nonlocal y2  # updated in place
        xcm[...] = x.transpose(1, 0, 2, 3)
        conv1.inner[...] = xcm
        xhat1, rstd1, mean, var = batch_norm(conv1.forward(), g1, be1, y1)  # type: ignore[misc]
        running(0, mean, var)
        conv2.inner[...] = np.maximum(y1, 0, out=y1).reshape(c, n, h, w)
        xhat2, rstd2, mean, var = batch_norm(conv2.forward(), g2, be2, y2)  # type: ignore[misc]
        running(1, mean, var)
        y2 += xcm.reshape(c, m)
        np.maximum(y2, 0, out=y2)
        positive = y2 > 0
        y2 -= tcm
        loss = float(np.einsum("ij,ij->", y2, y2)) / y2.size
        y2 *= 2 / y2.size
        y2 *= positive  # dL/d(pre-ReLU sum); the identity's gradient is not needed
        d = batch_norm_back(y2, xhat2, rstd2, g2, grads[4], grads[5])
        d1 = conv2.backward(d)
        grads[3][...] = conv2.grad_w
        assert d1 is not None
        d1 = d1 * (y1.reshape(c, n, h, w) > 0)
        d = batch_norm_back(d1.reshape(c, m), xhat1, rstd1, g1, grads[1], grads[2])
        conv1.backward(d)
        grads[0][...] = conv1.grad_w
        update(grads)
        return loss

    return step


# ---------------------------------------------------------------- transformer encoder layer

# Eigen's generic_fast_erf_float: erf(x) = x P(x^2) / Q(x^2) on [-4, 4], +-1 outside
_ERF_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
          -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
          -1.60960333262415e-02)  # fmt: skip
_ERF_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
          -7.37332916720468e-03, -1.42647390514189e-02)  # fmt: skip


def fast_erf(x: Array) -> Array:
    """erf for float32 arrays in about 20 in-place passes."""
    x = np.minimum(x, 4)
    np.maximum(x, -4, out=x)
    x2 = x * x
    p = x2 * _ERF_P[0]
    p += _ERF_P[1]
    for a in _ERF_P[2:]:
        p *= x2
        p += a
    p *= x
    q = x2 * _ERF_Q[0]
    q += _ERF_Q[1]
    for b in _ERF_Q[2:]:
        q *= x2
        q += b
    p /= q
    return p


def layer_norm(x: Array, w: Array, b: Array, eps: float = 1e-5) -> tuple[Array, Array, Array]:
    """Rows of x (M, E): returns (y, xhat, rstd)."""
    xhat = x - x.mean(axis=1, keepdims=True)
    rstd = 1 / np.sqrt(np.einsum("ij,ij->i", xhat, xhat)[:, None] / x.shape[1] + eps)
    xhat *= rstd
    return xhat * w + b, xhat, rstd


def layer_norm_back(dy: Array, xhat: Array, rstd: Array, w: Array, gw: Array, gb: Array) -> Array:
    np.einsum("ij,ij->j", dy, xhat, out=gw)
    dy.sum(axis=0, out=gb)
    d = dy * w
    e = d.shape[1]
    mean_d = d.mean(axis=1, keepdims=True)
    mean_dx = np.einsum("ij,ij->i", d, xhat)[:, None] / e
    d -= mean_d
    d -= xhat * mean_dx
    d *= rstd
    return d


def transformer_floor(params: list[Array], x: Array, target: Array, heads: int, lr: float) -> Step:
    """Post-norm TransformerEncoderLayer (batch_first, GELU, no dropout), mse, Adam.

    params in state_dict order: in_proj w, b, out_proj w, b, linear1 w, b, linear2 w, b,
    norm1 w, b, norm2 w, b."""
    win, bin_, wo, bo, w1, b1, w2, b2, n1w, n1b, n2w, n2b = params
    bsz, length, e = x.shape
    d = e // heads
    scale = 1 / d**0.5
    rows = x.reshape(-1, e)
    flat_target = target.reshape(-1, e)
    grads = [np.empty_like(p) for p in params]
    update = adam(params, lr)
    qkv = np.empty((bsz * length, 3 * e), x.dtype)
    dqkv = np.empty_like(qkv)

    def split(t: Array) -> Array:  # (B*L, E) -> (B, H, L, D), a view
        return t.reshape(bsz, length, heads, d).transpose(0, 2, 1, 3)

    def step() -> float:
        nonlocal qkv  # updated in place
        np.matmul(rows, win.T, out=qkv)
        qkv += bin_
        q, k, v = (split(qkv[:, i * e : (i + 1) * e]) for i in range(3))
        s = q @ k.transpose(0, 1, 3, 2)
        s *= scale
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
        att = (s @ v).transpose(0, 2, 1, 3).reshape(-1, e)
        r1 = att @ wo.T
        r1 += bo
        r1 += rows
        y1, xhat1, rstd1 = layer_norm(r1, n1w, n1b)
        u = y1 @ w1.T
        u += b1
        phi = fast_erf(u * 0.5**0.5)
        phi += 1
        phi *= 0.5
        f = u * phi
        r2 = f @ w2.T
        r2 += b2
        r2 += y1
        out, xhat2, rstd2 = layer_norm(r2, n2w, n2b)
        out -= flat_target
        loss = float(np.einsum("ij,ij->", out, out)) / out.size
        out *= 2 / out.size
        dr2 = layer_norm_back(out, xhat2, rstd2, n2w, grads[10], grads[11])
        np.matmul(dr2.T, f, out=grads[6])
        dr2.sum(axis=0, out=grads[7])
        du = dr2 @ w2
        pdf = u * u
        pdf *= -0.5
        np.exp(pdf, out=pdf)
        pdf *= u
        pdf *= (2 * np.pi) ** -0.5
        pdf += phi
        du *= pdf
        np.matmul(du.T, y1, out=grads[4])
        du.sum(axis=0, out=grads[5])
        dy1 = du @ w1
        dy1 += dr2
        dr1 = layer_norm_back(dy1, xhat1, rstd1, n1w, grads[8], grads[9])
        np.matmul(dr1.T, att, out=grads[2])
        dr1.sum(axis=0, out=grads[3])
        datt = split(dr1 @ wo)
        dp = datt @ v.transpose(0, 1, 3, 2)
        split(dqkv[:, 2 * e :])[...] = s.transpose(0, 1, 3, 2) @ datt
        dp -= np.einsum("bhij,bhij->bhi", dp, s)[..., None]
        dp *= s
        dp *= scale
        split(dqkv[:, :e])[...] = dp @ k
        split(dqkv[:, e : 2 * e])[...] = dp.transpose(0, 1, 3, 2) @ q
        np.matmul(dqkv.T, rows, out=grads[0])
        dqkv.sum(axis=0, out=grads[1])
        update(grads)
        return loss

    return step
