"""A conv layer's products done in the frequency domain: for the deeper convs of a batch.

A 5×5 conv from 16 to 36 channels costs 400 multiply-adds per output value done directly; by the
convolution theorem it is one product per frequency instead — a ``(N, C_in) @ (C_in, C_out)``
matrix product at each of the ``L × (L/2 + 1)`` frequencies of a real 2-D FFT of size ``L`` —
with the transforms on top. On the default network's conv2 (batch 64, one core) that took the
forward from 3.4 to 2.3 ms and forward + backward from 10.3 to 4.8 ms (``benchmarks/bench_cnn.py
--conv``); below ~8 images the transforms cost more than they save. The first conv (one input
channel) has no product to save and stays direct.

The transforms are circular, so each map is zero-padded to ``L ≥ H + p`` (``p = k // 2``): the
taps that hang over an edge then read zeros, exactly as the 'same' zero padding does. The kernel
is placed with tap ``(i, j)`` at ``(p − i, p − j)`` (mod ``L``), which makes the output map's
``(y, x)`` the spectrum's inverse at ``(y, x)``. Backward, the input gradient is the adjoint
(each frequency's product with the conjugate kernel) and the kernel gradient is
``Σ_n conj(X̂) · dŶ`` read back at the 25 taps. Results equal the direct conv to float rounding
(relative ~1e-6 in float32, ~1e-15 in float64).

Activations are ``(H, N, W, C)`` as in :mod:`kernelplay.nn.fast.layers`; the spectra are
``(L, N, L/2 + 1, C)`` so that each frequency's ``(N, C)`` block is a matrix BLAS reads in place.
"""
from __future__ import annotations

import numpy as np

from kernelplay.nn.fast.allocator import keep_freed_memory

__all__ = ["SpectralConv", "transform_size"]


def _fft():
    """scipy.fft, imported on first use: the app starts without scipy (tests/gui/test_startup.py)."""
    import scipy.fft

    return scipy.fft


def transform_size(size: int, kernel_size: int) -> int:
    """The FFT length for maps of ``size`` under a 'same' ``kernel_size`` conv: the smallest fast
    length with no wrap-around into the output (``≥ size + kernel_size // 2``)."""
    return _fft().next_fast_len(size + kernel_size // 2, real=True)


class SpectralConv:
    """Forward and backward of a stride-1 'same' cross-correlation through real 2-D FFTs.

    Holds the input's spectrum between :meth:`forward` and :meth:`backward`; the bias is the
    caller's (:class:`~kernelplay.nn.fast.layers.FastConv2D`)."""

    def __init__(self, kernel_size: int) -> None:
        keep_freed_memory()  # the fresh spectra of each call then reuse freed memory, not new pages
        self.kernel_size = kernel_size
        self._x_hat: np.ndarray | None = None  # (L, N, L/2+1, C_in) complex
        self._w_hat: np.ndarray | None = None  # (L, L/2+1, C_in, C_out) complex
        self._shape: tuple | None = None  # (H, N, W, L)
        self._bases: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def _basis(self, size: int, dtype) -> tuple[np.ndarray, np.ndarray]:
        """``E[f, i] = exp(−2πi·f·(p − i)/L)`` for the ``L`` row frequencies and the ``L/2 + 1``
        column frequencies of an FFT of length ``L = size``: the spectrum of a tap at offset i."""
        key = (size, np.dtype(dtype))
        if key not in self._bases:
            k, p = self.kernel_size, self.kernel_size // 2
            offsets = p - np.arange(k)
            complex_type = np.result_type(dtype, np.complex64)
            rows = np.exp(-2j * np.pi * np.outer(np.arange(size), offsets) / size).astype(complex_type)
            self._bases[key] = (rows, np.ascontiguousarray(rows[: size // 2 + 1]))
        return self._bases[key]

    def _kernel_spectrum(self, weight: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``Ŵ[f, g, c, o] = Σ_ij rows[f, i] · cols[g, j] · weight[o, c, i, j]`` ``(L, L/2+1, C_in,
        C_out)``: the FFT of the placed kernel, from its k² taps alone."""
        c_out, c_in, k, _ = weight.shape
        taps = weight.transpose(2, 3, 1, 0).astype(rows.dtype).reshape(k, k * c_in * c_out)  # (i, (j, c, o))
        along_rows = np.matmul(rows, taps).reshape(rows.shape[0], k, c_in * c_out)  # (L, j, (c, o))
        spectrum = np.matmul(cols, along_rows)  # (L, L/2+1, (c, o))
        return spectrum.reshape(*spectrum.shape[:2], c_in, c_out)

    def _taps(self, g_hat: np.ndarray, size: int, dtype) -> np.ndarray:
        """The inverse real FFT of ``g_hat`` ``(L, L/2+1, C_in, C_out)`` at the k² taps only →
        ``(C_out, C_in, k, k)`` real: the half spectrum's columns count twice, but the first and
        (for even L) the last, as :func:`scipy.fft.irfft2` counts them."""
        rows, cols = self._basis(size, dtype)
        length, half, c_in, c_out = g_hat.shape
        k = self.kernel_size
        twice = np.full((half, 1), 2.0, dtype=dtype)
        twice[0] = 1.0
        if size % 2 == 0:
            twice[-1] = 1.0
        along_cols = np.matmul((cols * twice).conj().T, g_hat.reshape(length, half, c_in * c_out))  # (L, k, ci·co)
        taps = np.matmul(rows.conj().T, along_cols.reshape(length, k * c_in * c_out)).real  # (k, k·ci·co)
        return taps.reshape(k, k, c_in, c_out).transpose(3, 2, 0, 1) / (size * size)

    def forward(self, x: np.ndarray, weight: np.ndarray) -> np.ndarray:
        """x ``(H, N, W, C_in)`` (any strides), weight ``(C_out, C_in, k, k)`` → the conv without
        bias, ``(H, N, W, C_out)`` (a view into a fresh array)."""
        h, n, w, _ = x.shape
        size = transform_size(max(h, w), self.kernel_size)
        rows, cols = self._basis(size, x.dtype)
        self._w_hat = self._kernel_spectrum(weight, rows, cols)
        self._x_hat = _fft().rfft2(x, s=(size, size), axes=(0, 2))
        self._shape = (h, n, w, size)
        y_hat = np.empty(self._x_hat.shape[:3] + (weight.shape[0],), self._x_hat.dtype)
        np.matmul(self._x_hat.transpose(0, 2, 1, 3), self._w_hat, out=y_hat.transpose(0, 2, 1, 3))
        return _fft().irfft2(y_hat, s=(size, size), axes=(0, 2))[:h, :, :w]

    def backward(self, dout: np.ndarray, weight_grad: np.ndarray, needs_input_grad: bool) -> np.ndarray | None:
        """dout ``(H, N, W, C_out)`` for the last :meth:`forward` → dx ``(H, N, W, C_in)`` (None
        unless ``needs_input_grad``); the kernel gradient is written into ``weight_grad``
        ``(C_out, C_in, k, k)``."""
        if self._x_hat is None:
            raise RuntimeError("backward called before forward")
        h, n, w, size = self._shape
        d_hat = _fft().rfft2(dout, s=(size, size), axes=(0, 2)).transpose(0, 2, 1, 3)  # (L, L/2+1, N, C_out)
        # the kernel gradient's spectrum, Σ_n conj(X̂) dŶ, read back at the taps
        g_hat = np.matmul(self._x_hat.transpose(0, 2, 3, 1).conj(), d_hat)  # (L, L/2+1, C_in, C_out)
        weight_grad[...] = self._taps(g_hat, size, dout.dtype)
        if not needs_input_grad:
            return None
        dx_hat = np.empty(self._x_hat.shape, self._x_hat.dtype)
        np.matmul(d_hat, self._w_hat.conj().transpose(0, 1, 3, 2), out=dx_hat.transpose(0, 2, 1, 3))
        return _fft().irfft2(dx_hat, s=(size, size), axes=(0, 2))[:h, :, :w]
