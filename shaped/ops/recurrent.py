"""Recurrent ops: one layer of an RNN, LSTM or GRU over a whole sequence, as one tape record.

The forward runs the time loop on arrays (the input projection of every step is one GEMM
before the loop); the VJP runs back through time by hand (one GEMM per step for the hidden
state's gradient, then one GEMM each for the weights' and the input's gradients). Gate
layouts are torch's: i, f, g, o for the LSTM and r, z, n for the GRU, stacked along the
rows of `w_ih` (G*H, I) and `w_hh` (G*H, H).
"""

from __future__ import annotations

from typing import Any

from shaped.errors import DtypeError
from shaped.ops.core import Array, check_same, nary
from shaped.tensor import Tensor

__all__ = ["recurrent_layer"]

Tn = Tensor[Any, Any, Any, Any]
GATES = {"rnn_tanh": 1, "rnn_relu": 1, "lstm": 4, "gru": 3}


def _sigmoid_into(xp: Any, a: Array, out: Array) -> None:
    # 1/(1+exp(-a)) = (1 + tanh(a/2))/2: no overflow for large |a|, one transcendental pass
    xp.multiply(a, 0.5, out=out)
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def recurrent_layer(
    op: str,
    mode: str,
    x: Tn,
    h0: Tn,
    c0: Tn | None,
    w_ih: Tn,
    w_hh: Tn,
    b_ih: Tn | None,
    b_hh: Tn | None,
    reverse: bool = False,
) -> Tn:
    """One direction of one layer over x (L, N, I) from h0 (N, H) (and c0 for "lstm").

    op names the layer in errors ("lstm", "gru_cell", ...); mode is "rnn_tanh", "rnn_relu", "lstm" or "gru". Returns the hidden states (L, N, H) in
    time order (for reverse, step t still sits at index t); for "lstm", (L, N, 2H): the
    hidden state in [..., :H] and the cell state in [..., H:], so the caller slices h_n and
    c_n from one result. Gradients flow to every float input.
    """
    states = [h0, *([c0] if c0 is not None else [])]
    weights = [w_ih, w_hh]
    biased = b_ih is not None and b_hh is not None
    if biased:
        weights += [b_ih, b_hh]  # type: ignore[list-item]  # not None: biased
    if x._data.dtype.kind != "f":
        raise DtypeError(
            f"{op}: needs a float input, got {x.dtype.__name__}; convert with .to(sh.Float32)"
        )
    check_same(op, [x, *weights], weights=True)
    check_same(op, [x, *states])
    inputs = [x, *states, *weights]
    xp = x._device.xp
    data = x._data
    steps, batch, features = data.shape
    hidden = w_hh._data.shape[1]
    wi, wh = w_ih._data, w_hh._data
    whT = xp.ascontiguousarray(wh.T)  # measured: a small GEMM on a transposed view is 2x slower
    # every step's input projection in one GEMM, both biases folded in
    rows = wi.shape[0]  # G*H
    proj = (data.reshape(steps * batch, features) @ wi.T).reshape(steps, batch, rows)
    if biased:
        assert b_ih is not None and b_hh is not None
        if mode == "gru":  # b_hn stays inside r * (W_hn h + b_hn)
            proj += b_ih._data
            proj[..., : 2 * hidden] += b_hh._data[: 2 * hidden]
        else:
            proj += b_ih._data + b_hh._data
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    h = h0._data
    out = xp.empty((steps, batch, 2 * hidden if mode == "lstm" else hidden), dtype=data.dtype)
    gate = xp.empty((batch, rows), dtype=data.dtype)  # one step's gate pre-activations
    if mode == "lstm":
        assert c0 is not None
        c = c0._data
        acts = xp.empty_like(proj)  # i, f, g, o after their nonlinearities
        tanh_c = xp.empty((steps, batch, hidden), dtype=data.dtype)
        cell = slice(2 * hidden, 3 * hidden)  # the g gate
        for t in order:
            xp.matmul(h, whT, out=gate)
            gate += proj[t]
            act = acts[t]
            _sigmoid_into(xp, gate, act)
            xp.tanh(gate[:, cell], out=act[:, cell])
            c_t, h_t, tc = out[t, :, hidden:], out[t, :, :hidden], tanh_c[t]
            xp.multiply(act[:, hidden : 2 * hidden], c, out=c_t)
            c_t += act[:, :hidden] * act[:, cell]
            xp.tanh(c_t, out=tc)
            xp.multiply(act[:, 3 * hidden :], tc, out=h_t)
            h, c = h_t, c_t
        saved: tuple[Array, ...] = (acts, tanh_c)
    elif mode == "gru":
        b_hn = b_hh._data[2 * hidden :] if biased and b_hh is not None else None
        rz = xp.empty((steps, batch, 2 * hidden), dtype=data.dtype)
        news = xp.empty((steps, batch, hidden), dtype=data.dtype)
        hns = xp.empty((steps, batch, hidden), dtype=data.dtype)  # W_hn h + b_hn
        for t in order:
            xp.matmul(h, whT, out=gate)
            both = gate[:, : 2 * hidden]
            both += proj[t, :, : 2 * hidden]
            _sigmoid_into(xp, both, rz[t])
            hn = hns[t]
            if b_hn is not None:
                xp.add(gate[:, 2 * hidden :], b_hn, out=hn)
            else:
                hn[...] = gate[:, 2 * hidden :]
            r, z, n = rz[t, :, :hidden], rz[t, :, hidden:], news[t]
            xp.multiply(r, hn, out=n)
            n += proj[t, :, 2 * hidden :]
            xp.tanh(n, out=n)
            h_t = out[t]
            xp.subtract(h, n, out=h_t)  # h' = (1 - z) * n + z * h = n + z * (h - n)
            h_t *= z
            h_t += n
            h = h_t
        saved = (rz, news, hns)
    else:
        relu = mode == "rnn_relu"
        for t in order:
            h_t = out[t]
            xp.matmul(h, whT, out=h_t)
            h_t += proj[t]
            if relu:
                xp.maximum(h_t, 0, out=h_t)
            else:
                xp.tanh(h_t, out=h_t)
            h = h_t
        saved = ()

    def previous(values: Array, first: Array) -> Array:
        """Each step's state before it (first for the step the loop began with), (L, N, H)."""
        if steps == 0:
            return values
        shifted = (values[1:], first[None]) if reverse else (first[None], values[:-1])
        return xp.concatenate(shifted, axis=0)

    def vjp(g: Array, needs: tuple[bool, ...]) -> tuple[Array | None, ...]:
        # d_pre: the gradient of each step's gate pre-activations (input side), (L, N, G*H);
        # the factors that do not depend on the recurrence are computed for all steps at once
        d_pre = xp.empty_like(proj)
        d_hid = d_pre  # the hidden side's (differs for the GRU's n gate)
        dh = xp.zeros((batch, hidden), dtype=data.dtype)
        dc = dh
        back = range(steps) if reverse else range(steps - 1, -1, -1)
        if mode == "lstm":
            acts, tanh_c = saved
            i, f = acts[..., :hidden], acts[..., hidden : 2 * hidden]
            gg, o = acts[..., 2 * hidden : 3 * hidden], acts[..., 3 * hidden :]
            # d(i, f, g pre-activation) = dc * coef, d(o pre-activation) = dh * by_h
            coef = xp.empty((steps, batch, 3, hidden), dtype=data.dtype)
            coef[:, :, 0] = gg * i * (1 - i)
            coef[:, :, 1] = previous(out[..., hidden:], c0._data) * f * (1 - f)  # type: ignore[union-attr]
            coef[:, :, 2] = i * (1 - gg * gg)
            by_h = tanh_c * o * (1 - o)
            dc_of_dh = o * (1 - tanh_c * tanh_c)
            gates4 = d_pre.reshape(steps, batch, 4, hidden)
            g_h, g_c = g[..., :hidden], g[..., hidden:]
            for t in back:
                dh = dh + g_h[t]
                dc = dc + g_c[t] + dh * dc_of_dh[t]
                xp.multiply(dc[:, None, :], coef[t], out=gates4[t, :, :3])
                xp.multiply(dh, by_h[t], out=gates4[t, :, 3])
                dc = dc * f[t]
                dh = d_pre[t] @ wh
        elif mode == "gru":
            rz, news, hns = saved
            r, z, n = rz[..., :hidden], rz[..., hidden:], news
            dn_of_dh = (1 - z) * (1 - n * n)
            dr_of_dn = hns * r * (1 - r)
            dz_of_dh = (previous(out, h0._data) - n) * z * (1 - z)
            d_hid = xp.empty_like(proj)
            for t in back:
                dh = dh + g[t]
                d, dhid = d_pre[t], d_hid[t]
                dn = d[:, 2 * hidden :]
                xp.multiply(dh, dn_of_dh[t], out=dn)
                xp.multiply(dn, dr_of_dn[t], out=d[:, :hidden])
                xp.multiply(dh, dz_of_dh[t], out=d[:, hidden : 2 * hidden])
                dhid[:, : 2 * hidden] = d[:, : 2 * hidden]
                xp.multiply(dn, r[t], out=dhid[:, 2 * hidden :])
                dh = dh * z[t] + dhid @ wh
        else:
            slope = (out > 0).astype(data.dtype) if mode == "rnn_relu" else 1 - out * out
            for t in back:
                dh = dh + g[t]
                xp.multiply(dh, slope[t], out=d_pre[t])
                dh = d_pre[t] @ wh
        flat = d_pre.reshape(steps * batch, rows)
        flat_hid = d_hid.reshape(steps * batch, rows)
        grads: list[Array | None] = [
            (flat @ wi).reshape(data.shape) if needs[0] else None,
            dh if needs[1] else None,
        ]
        if mode == "lstm":
            grads.append(dc if needs[2] else None)
        k = len(grads)
        grads.append(flat.T @ data.reshape(steps * batch, features) if needs[k] else None)
        if needs[k + 1]:
            before = previous(out[..., :hidden] if mode == "lstm" else out, h0._data)
            grads.append(flat_hid.T @ before.reshape(steps * batch, hidden))
        else:
            grads.append(None)
        if biased:
            grads.append(flat.sum(axis=0) if needs[k + 2] else None)
            grads.append(flat_hid.sum(axis=0) if needs[k + 3] else None)
        return tuple(grads)

    result: Tn = nary(inputs, out, vjp)
    return result
