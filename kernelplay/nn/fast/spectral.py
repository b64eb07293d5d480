"""A conv layer's products done in the frequency domain: for the deeper convs of a batch.

A 5×5 conv from 16 to 36 channels costs 400 multiply-adds per output value done directly; by the
convolution theorem it is one product per frequency instead — a ``(N, C_in) @ (C_in, C_out)``
complex matrix product at each frequency of a real 2-D Fourier transform — with the transforms on
top. Below ~8 images the transforms cost more than they save; the first conv (one input channel)
has no product to save and stays direct.

The transforms are discrete Fourier transforms written as real matrix products (BLAS), not FFTs:
a map is 14×14, so each 1-D transform is a small matrix (18 × 14 down the rows, 32 × 28 along
the columns) applied to the whole batch at once, at BLAS speed (~50 GMAC/s on one core here) and
with no copies — the padding,
the cropping, the 1/L² and the half spectrum's double counts are all in the matrices. On the
default network's conv2 (batch 64, one core) that took forward + backward from 4.3 ms with
scipy's FFTs to ~3.3 ms (``benchmarks/bench_cnn.py --conv``).

The transforms are circular of length ``L = H + p`` (``p = k // 2``) per axis, so the taps that hang
over an edge read the zeros beyond the map, exactly as the 'same' zero padding does. The kernel is
placed with tap ``(i, j)`` at ``(p − i, p − j)`` (mod ``L``), which makes the output's ``(y, x)``
the inverse transform at ``(y, x)``. Backward, the input gradient is each frequency's product with
the conjugate kernel, and the kernel gradient is ``Σ_n conj(X̂) · dŶ`` read back at the k² taps.
Results equal the direct conv to float rounding (relative ~3e-7 in float32, ~2e-15 in float64).

Real and imaginary parts are kept apart, as blocks of rows. A spectrum is ``(F, B·N, C)``: ``F =
U · L_w`` frequencies (``U = L_h // 2 + 1`` along the rows — the other half mirrors them — times
all ``L_w`` along the columns), each a stack of ``B`` ``(N, C)`` blocks (real part, imaginary part,
…) that BLAS reads in place. Activations are ``(H, W, N, C)`` as in
:mod:`kernelplay.nn.fast.layers`: the row transform is one matrix product over the array as it
lies, the column transform one per row frequency.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kernelplay.nn.fast.buffers import WorkBuffers

__all__ = ["SpectralConv", "Transforms"]


@dataclass(frozen=True)
class Transforms:
    """The matrices of the transforms for ``(H, W)`` maps under a k×k kernel, in one dtype.

    Frequencies u (rows, ``U`` of them) and v (columns, ``L_w``); "r/i" is real / imaginary part."""

    rows_in: np.ndarray  # (U·2, H): x rows h → (u, r/i), real input
    cols_in_x: np.ndarray  # (L_w·3, 2W): (r/i, w) → (v, [re, im, −re]) for the input, whose −re the kernel gradient reads
    cols_in: np.ndarray  # (L_w·2, 2W): (r/i, w) → (v, [re, im])
    cols_out: np.ndarray  # (2W, L_w·2): (v, r/i) → (r/i, w), inverse
    rows_out: np.ndarray  # (H, U·2): (u, r/i) → h, real part, with the half spectrum's weights and 1/(L_h·L_w)
    kernel_in: np.ndarray  # (U·L_w·2, k²): taps (i, j) → the placed kernel's spectrum (u, v, r/i)
    kernel_out: np.ndarray  # (k², U·L_w·2): (u, v, [re, −im]) → the taps of the inverse

    @classmethod
    def build(cls, h: int, w: int, kernel_size: int, dtype) -> Transforms:
        p = kernel_size // 2
        length_h, length_w = h + p, w + p
        u = np.arange(length_h // 2 + 1)
        v = np.arange(length_w)
        # the half spectrum along u counts every frequency twice but 0 and (even L) L/2
        twice = np.where((u == 0) | (2 * u == length_h), 1.0, 2.0)

        angle = 2 * np.pi * np.outer(u, np.arange(h)) / length_h  # (U, H)
        rows_in = np.stack([np.cos(angle), -np.sin(angle)], 1).reshape(-1, h)

        angle = 2 * np.pi * np.outer(v, np.arange(w)) / length_w  # (L_w, W)
        cos, sin = np.cos(angle), np.sin(angle)
        real = np.concatenate([cos, sin], 1)  # (a + ib)·e^{−iθ}: real part a·cos + b·sin
        imag = np.concatenate([-sin, cos], 1)
        cols_in_x = np.stack([real, imag, -real], 1).reshape(-1, 2 * w)
        cols_in = np.stack([real, imag], 1).reshape(-1, 2 * w)
        cols_out = np.stack([np.concatenate([cos.T[:, :, None], -sin.T[:, :, None]], 2),  # (a + ib)·e^{+iθ}
                             np.concatenate([sin.T[:, :, None], cos.T[:, :, None]], 2)]).reshape(2 * w, -1)

        angle = 2 * np.pi * np.outer(np.arange(h), u) / length_h  # (H, U)
        scale = twice / (length_h * length_w)
        rows_out = np.stack([np.cos(angle) * scale, -np.sin(angle) * scale], 2).reshape(h, -1)

        offsets = p - np.arange(kernel_size)
        phase = 2 * np.pi * (u[:, None, None, None] * offsets[None, None, :, None] / length_h
                             + v[None, :, None, None] * offsets[None, None, None, :] / length_w)  # (U, L_w, k, k)
        kernel_in = np.stack([np.cos(phase), -np.sin(phase)], 2).reshape(-1, kernel_size**2)
        weights = twice[:, None, None, None] / (length_h * length_w)
        kernel_out = np.stack([np.cos(phase) * weights, np.sin(phase) * weights], 2).reshape(-1, kernel_size**2).T
        arrays = (rows_in, cols_in_x, cols_in, cols_out, rows_out, kernel_in, kernel_out)
        return cls(*(np.ascontiguousarray(a, dtype=dtype) for a in arrays))

    def split_by_corner(self) -> Transforms:
        """The same transforms for maps split by 2×2 window corner (even sizes): their rows in the
        order ``(a, y)`` for row ``2y + a``, their columns ``(b, x)`` for column ``2x + b`` — the
        layout a pool reads fastest (:meth:`FastConv2D.forward_buffer`). Only which row or column
        each matrix entry belongs to changes: the inverse puts out, and the forward reads, that order."""
        h, w = self.rows_out.shape[0], self.cols_out.shape[0] // 2
        rows = np.concatenate([np.arange(0, h, 2), np.arange(1, h, 2)])
        cols = np.concatenate([np.arange(0, w, 2), np.arange(1, w, 2)])
        return Transforms(
            rows_in=np.ascontiguousarray(self.rows_in[:, rows]),
            cols_in_x=np.ascontiguousarray(self.cols_in_x.reshape(-1, 2, w)[:, :, cols].reshape(-1, 2 * w)),
            cols_in=np.ascontiguousarray(self.cols_in.reshape(-1, 2, w)[:, :, cols].reshape(-1, 2 * w)),
            cols_out=np.ascontiguousarray(self.cols_out.reshape(2, w, -1)[:, cols].reshape(2 * w, -1)),
            rows_out=np.ascontiguousarray(self.rows_out[rows]),
            kernel_in=self.kernel_in, kernel_out=self.kernel_out)

    @property
    def frequencies(self) -> tuple[int, int]:
        """``(U, L_w)``: how many frequencies along the rows and the columns."""
        return self.rows_in.shape[0] // 2, self.cols_in.shape[0] // 2


class SpectralConv(WorkBuffers):
    """Forward and backward of a stride-1 'same' cross-correlation in the frequency domain.

    Holds the input's spectrum between :meth:`forward` and :meth:`backward`; the bias is the
    caller's (:class:`~kernelplay.nn.fast.layers.FastConv2D`). Its results are views into work
    arrays that the next call overwrites."""

    max_buffers = 40  # some twenty work arrays a batch size

    def __init__(self, kernel_size: int) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self._transforms: dict[tuple, Transforms] = {}
        self._x_hat: np.ndarray | None = None  # (F, 3·N, C_in): real, imaginary, −real
        self._w_hat: np.ndarray | None = None  # (F, 2, C_in, C_out): real, imaginary
        self._shape: tuple | None = None  # (H, W, N)

    def transforms(self, h: int, w: int, dtype, split: bool = False) -> Transforms:
        """The transforms for ``(H, W)`` maps, or for maps split by window corner (``split``)."""
        key = (h, w, np.dtype(dtype), split)
        if key not in self._transforms:
            plain = self.transforms(h, w, dtype) if split else Transforms.build(h, w, self.kernel_size, dtype)
            self._transforms[key] = plain.split_by_corner() if split else plain
        return self._transforms[key]

    def input_buffer(self, h: int, w: int, n: int, c: int, dtype) -> np.ndarray:
        """An ``(H, W, N, C)`` array for the caller to write the next :meth:`forward`'s input into
        (the transforms read it in place; any other input is copied here first)."""
        return self.buffer("x in", (h, w, n, c), dtype)

    def _spectrum(self, x: np.ndarray, rows_in: np.ndarray, cols_in: np.ndarray, tag: str) -> np.ndarray:
        """x ``(H, W, N, C)`` → its spectrum ``(U, L_w·B, N·C)``, ``B = len(cols_in) / L_w`` blocks."""
        h, w, n, c = x.shape
        if not x.flags.c_contiguous:
            copy = self.buffer(tag + " in", x.shape, x.dtype)
            np.copyto(copy, x)
            x = copy
        half = self.buffer(tag + " rows", (rows_in.shape[0], w * n * c), x.dtype)
        np.matmul(rows_in, x.reshape(h, -1), out=half)
        spectrum = self.buffer(tag, (rows_in.shape[0] // 2, cols_in.shape[0], n * c), x.dtype)
        np.matmul(cols_in, half.reshape(spectrum.shape[0], 2 * w, n * c), out=spectrum)
        return spectrum

    def _image(self, spectrum: np.ndarray, t: Transforms, h: int, w: int, tag: str) -> np.ndarray:
        """A spectrum ``(U, L_w·2, M)`` (real, imaginary) → the real maps ``(H, W, M)``."""
        u_count, _, m = spectrum.shape
        half = self.buffer(tag + " cols", (u_count, 2 * w, m), spectrum.dtype)
        np.matmul(t.cols_out, spectrum, out=half)
        image = self.buffer(tag, (h, w * m), spectrum.dtype)
        np.matmul(t.rows_out, half.reshape(2 * u_count, w * m), out=image)
        return image.reshape(h, w, m)

    def forward(self, x: np.ndarray, weight: np.ndarray, split: bool = False) -> np.ndarray:
        """x ``(H, W, N, C_in)`` (any strides), weight ``(C_out, C_in, k, k)`` → the conv without
        bias, ``(H, W, N, C_out)``, or with ``split`` (even sizes) split by 2×2 window corner,
        ``(2, H/2, 2, W/2, N, C_out)`` (see :meth:`Transforms.split_by_corner`)."""
        h, w, n, c = x.shape
        c_out = weight.shape[0]
        t = self.transforms(h, w, x.dtype)
        out_t = self.transforms(h, w, x.dtype, split)
        u_count, v_count = t.frequencies
        freqs = u_count * v_count
        k = self.kernel_size
        self._x_hat = self._spectrum(x, t.rows_in, t.cols_in_x, "x").reshape(freqs, 3 * n, c)
        taps = weight.transpose(2, 3, 1, 0).reshape(k * k, c * c_out)  # (i, j) × (c, o)
        self._w_hat = np.matmul(t.kernel_in, taps.astype(x.dtype, copy=False)).reshape(freqs, 2, c, c_out)
        self._shape = (h, w, n)
        # [Xr; Xi] @ Ŵr and @ Ŵi: Ŷr = Xr·Ŵr − Xi·Ŵi, Ŷi = Xr·Ŵi + Xi·Ŵr
        x_hat = self._x_hat.reshape(u_count, v_count, 3 * n, c)
        w_hat = self._w_hat.reshape(u_count, v_count, 2, c, c_out)
        parts = self.buffer("y parts", (v_count, 2, 2 * n, c_out), x.dtype)
        y_hat = self.buffer("y", (v_count, 2, n, c_out), x.dtype)
        half = self.buffer("y cols", (u_count, 2 * w, n * c_out), x.dtype)
        for u in range(u_count):  # one row frequency at a time: its products stay in the core's cache
            np.matmul(x_hat[u, :, None, :2 * n], w_hat[u], out=parts)
            np.subtract(parts[:, 0, :n], parts[:, 1, n:], out=y_hat[:, 0])
            np.add(parts[:, 1, :n], parts[:, 0, n:], out=y_hat[:, 1])
            np.matmul(out_t.cols_out, y_hat.reshape(2 * v_count, n * c_out), out=half[u])
        image = self.buffer("y image", (h, w * n * c_out), x.dtype)
        np.matmul(out_t.rows_out, half.reshape(2 * u_count, -1), out=image)
        return image.reshape(((2, h // 2, 2, w // 2) if split else (h, w)) + (n, c_out))

    def backward(self, dout: np.ndarray, weight_grad: np.ndarray, needs_input_grad: bool) -> np.ndarray | None:
        """dout for the last :meth:`forward`, shaped as its result → dx ``(H, W, N, C_in)`` (None
        unless ``needs_input_grad``); the kernel gradient is written into ``weight_grad``
        ``(C_out, C_in, k, k)``."""
        if self._x_hat is None:
            raise RuntimeError("backward called before forward")
        h, w, n = self._shape
        c_out, c, k, _ = weight_grad.shape
        t = self.transforms(h, w, dout.dtype)
        in_t = self.transforms(h, w, dout.dtype, split=dout.ndim == 6)  # as the forward's result was
        freqs = t.frequencies[0] * t.frequencies[1]
        d_hat = self._spectrum(dout.reshape(h, w, n, c_out), in_t.rows_in, in_t.cols_in, "d").reshape(freqs, 2 * n, c_out)
        # Σ_n conj(X̂) dŶ: [Xr; Xi]ᵀ [dr; di] is its real part, [Xi; −Xr]ᵀ [dr; di] minus its imaginary part
        g_hat = self.buffer("g", (freqs, 2, c, c_out), dout.dtype)
        np.matmul(self._x_hat[:, :2 * n].transpose(0, 2, 1), d_hat, out=g_hat[:, 0])
        np.matmul(self._x_hat[:, n:].transpose(0, 2, 1), d_hat, out=g_hat[:, 1])
        taps = np.matmul(t.kernel_out, g_hat.reshape(2 * freqs, c * c_out))  # (k², C_in·C_out)
        weight_grad[...] = taps.reshape(k, k, c, c_out).transpose(3, 2, 0, 1)
        if not needs_input_grad:
            return None
        # dX̂ = dŶ · conj(Ŵ)ᵀ: real part dr·Ŵrᵀ + di·Ŵiᵀ, imaginary di·Ŵrᵀ − dr·Ŵiᵀ
        parts = self.buffer("dx parts", (freqs, 2, 2 * n, c), dout.dtype)
        np.matmul(d_hat[:, None], self._w_hat.transpose(0, 1, 3, 2), out=parts)
        dx_hat = self.buffer("dx", (freqs, 2, n, c), dout.dtype)
        np.add(parts[:, 0, :n], parts[:, 1, n:], out=dx_hat[:, 0])
        np.subtract(parts[:, 0, n:], parts[:, 1, :n], out=dx_hat[:, 1])
        return self._image(dx_hat.reshape(t.frequencies[0], -1, n * c), t, h, w, "dx image").reshape(h, w, n, c)
