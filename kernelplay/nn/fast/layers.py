"""The network's fast conv and pool: channels-last, in reused buffers, with BLAS accumulating in place.

Activations here are ``(H, W, N, C)`` arrays ("HWNC": rows, columns, then the batch, then the
channels). With the batch and the channels innermost, every spatial step moves a whole block of
``N · C`` values: a 2×2 pool compares long contiguous runs, the first conv's k² shifted windows
are block copies, and the deeper convs' Fourier transforms (:mod:`kernelplay.nn.fast.spectral`)
are matrix products over the rows and the columns of the array as it lies.

:class:`FastConv2D` has two ways. A batch of :data:`SPECTRAL_MIN_BATCH` images or more takes a conv
with several input channels through the frequency domain: one small matrix product per frequency
in place of the k² products per position. Fewer images go directly: the windows of kernel row
``i`` for all positions of image row ``y`` are the windows of kernel row 0 for image row ``y +
i``, so the conv copies one ``k · C``-wide row window per position (not the ``k · k · C`` of a
full im2col) and is ``k`` matrix products of row blocks of that one array, summed; its input
gradient is the same products transposed followed by ``k`` shifted adds along the row. The first
layer (one input channel) keeps the classic im2col: its ``k · k`` columns are small.

What it buys (``benchmarks/bench_cnn.py``, batch 64): a training step of the default network on
one core in ~8.2 ms (~15.2 ms with the direct convs alone); see the README for the ratios to
PyTorch. The readable layers of :mod:`kernelplay.nn.layers` compute the same values (the tests
hold each to the other and to naive loops).

Parameters are not created here: ``params`` / ``grads`` are bound to the network's arrays
(``weight`` ``(C_out, C_in, k, k)``, ``bias`` ``(C_out,)``, PyTorch's layout).
"""
from __future__ import annotations

import numpy as np
from kernelplay.nn.fast.blas import gemm_into
from kernelplay.nn.fast.buffers import WorkBuffers
from kernelplay.nn.fast.spectral import SpectralConv

__all__ = ["FastConv2D", "FastMaxPool2D", "flatten_hwnc", "unflatten_hwnc", "nchw_to_hwnc", "hwnc_to_nchw"]

# From this many images on, a conv with several input channels runs in the frequency domain
# (:mod:`kernelplay.nn.fast.spectral`); below it, directly (measured: ``bench_cnn.py --conv``).
SPECTRAL_MIN_BATCH = 8
METHODS = ("auto", "direct", "spectral")


def nchw_to_hwnc(x: np.ndarray) -> np.ndarray:
    """``(N, C, H, W)`` → contiguous ``(H, W, N, C)``."""
    return np.ascontiguousarray(x.transpose(2, 3, 0, 1))


def hwnc_to_nchw(x: np.ndarray) -> np.ndarray:
    """``(H, W, N, C)`` → contiguous ``(N, C, H, W)``."""
    return np.ascontiguousarray(x.transpose(2, 3, 0, 1))


def flatten_hwnc(x: np.ndarray) -> np.ndarray:
    """``(H, W, N, C)`` → ``(N, C·H·W)``, flattened in C, H, W order (PyTorch's ``flatten(1)``)."""
    h, w, n, c = x.shape
    return hwnc_to_nchw(x).reshape(n, c * h * w)


def unflatten_hwnc(dout: np.ndarray, shape: tuple) -> np.ndarray:
    """The gradient of :func:`flatten_hwnc`: ``(N, C·H·W)`` → ``(H, W, N, C)`` of ``shape``."""
    h, w, n, c = shape
    return nchw_to_hwnc(dout.reshape(n, c, h, w))


def _strided_view(a: np.ndarray, shape: tuple, strides: tuple, offset: int = 0) -> np.ndarray:
    """A view of the contiguous array ``a`` with any ``shape`` and byte ``strides``, starting ``offset``
    bytes in (numpy's ``as_strided`` without its Python-level cost, paid with the GIL held)."""
    return np.ndarray(shape, a.dtype, a, offset, strides)


class _Buffers(WorkBuffers):
    """Work arrays (:class:`~kernelplay.nn.fast.buffers.WorkBuffers`) and sums through BLAS."""

    def column_sums(self, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Sums over the rows of a 2-D ``(M, C)`` array into ``out`` ``(C,)``, as ``ones @ a``
        (numpy's ``sum(axis=0)`` on a tall, narrow array is some 20× slower), through
        :func:`gemm_into`: numpy's vector-matrix product holds the GIL and stalls the other thread."""
        ones = self.buffer("ones", (1, a.shape[0]), a.dtype)
        ones.fill(1)
        gemm_into(ones, a, out.reshape(1, -1), accumulate=False)
        return out


class FastConv2D(_Buffers):
    """Cross-correlation, stride 1, 'same' zero padding, on ``(H, W, N, C)`` activations.

    ``needs_input_grad=False`` (the first layer) skips the gradient w.r.t. the input. ``method``:
    "direct" (row windows, above), "spectral" (the frequency domain,
    :class:`~kernelplay.nn.fast.spectral.SpectralConv`; several input channels only) or "auto":
    spectral from :data:`SPECTRAL_MIN_BATCH` images on.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *, needs_input_grad: bool = True,
                 method: str = "auto") -> None:
        super().__init__()
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel size must be odd for 'same' padding, got {kernel_size}")
        if method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
        if method == "spectral" and in_channels == 1:
            raise ValueError("the spectral method needs several input channels")
        self.method = method
        self._spectral = SpectralConv(kernel_size) if in_channels > 1 else None
        self._spectral_now = False  # whether the last forward went through the frequency domain
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.pad = kernel_size // 2
        self.needs_input_grad = needs_input_grad
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._windows: np.ndarray | None = None  # what the forward multiplied: im2col columns or row windows
        self._in_shape: tuple | None = None

    def _weight_matrix(self) -> np.ndarray:
        """The weight as ``(k·k·C_in, C_out)`` with rows in (i, j, c) order, matching the columns."""
        return self.params["weight"].transpose(2, 3, 1, 0).reshape(-1, self.out_channels)

    def _padded(self, h: int, w: int, n: int, dtype) -> np.ndarray:
        """The zero-bordered ``(H+2p, W+2p, N, C_in)`` buffer the direct way reads."""
        p = self.pad
        return self.buffer("xpad", (h + 2 * p, w + 2 * p, n, self.in_channels), dtype, zeros=True)

    def input_buffer(self, h: int, w: int, n: int, dtype) -> np.ndarray:
        """Where :meth:`forward_buffer` reads its ``(H, W, N, C_in)`` input from: a caller that
        writes it there itself (the pool before, the network's input) saves a copy. The interior
        of a zero-bordered array for the direct way, a plain array for the frequency domain."""
        if self._runs_spectral(n):
            return self._spectral.input_buffer(h, w, n, self.in_channels, dtype)
        p = self.pad
        return self._padded(h, w, n, dtype)[p:p + h, p:p + w]

    def forward(self, x: np.ndarray, *, add_bias: bool = True) -> np.ndarray:
        """x: ``(H, W, N, C_in)`` → ``(H, W, N, C_out)`` (see :meth:`forward_buffer`)."""
        h, w, n, c = x.shape
        if c != self.in_channels:
            raise ValueError(f"conv expects {self.in_channels} input channels, got {c}")
        self.input_buffer(h, w, n, x.dtype)[...] = x
        return self.forward_buffer(h, w, n, x.dtype, add_bias=add_bias)

    def forward_buffer(self, h: int, w: int, n: int, dtype, *, add_bias: bool = True,
                       split_for_pool: bool = False) -> np.ndarray:
        """The conv of what the caller wrote into :meth:`input_buffer` for ``(H, W, N)`` →
        ``(H, W, N, C_out)`` (a work buffer, overwritten by the next call). ``add_bias=False``
        leaves the bias to a following max-pool (max(z + b) = max(z) + b on a quarter of the values).

        ``split_for_pool=True`` asks for the output split by 2×2 window corner, as ``(2, H/2, 2,
        W/2, N, C_out)`` with ``[a, y, b, x]`` the position ``(2y + a, 2x + b)``: a 2×2 pool then
        reads each corner of its windows as long contiguous runs. The first conv (one input channel,
        no input gradient: its positions may come in any order) and the frequency-domain conv (its inverse transform may
        put its rows and columns in any order) do it for even sizes; otherwise the output is
        ``(H, W, N, C_out)``, which a pool takes as well — check ``ndim``. :meth:`backward` takes
        ``dout`` in the layout the forward returned."""
        split = split_for_pool and h % 2 == 0 and w % 2 == 0
        if self._runs_spectral(n):
            out = self._spectral.forward(self.input_buffer(h, w, n, dtype), self.params["weight"], split=split)
            self._spectral_now, self._windows = True, None
        else:
            # the direct way's input gradient walks positions in plain order: only the first conv splits
            out = self._forward_direct(h, w, n, dtype, split and self.in_channels == 1 and not self.needs_input_grad)
            self._spectral_now = False
        if add_bias:
            out += self.params["bias"]
        return out

    def _forward_direct(self, h: int, w: int, n: int, dtype, split: bool) -> np.ndarray:
        k, p, c = self.kernel_size, self.pad, self.in_channels
        self._in_shape = (h, w, n)
        xpad = self._padded(h, w, n, dtype)
        s0, s1, s2, s3 = xpad.strides
        out = self.buffer("out", (h * w * n, self.out_channels), dtype)
        if c == 1:
            # One input channel: the columns transposed, (k·k, H·W·N): each kernel offset is a
            # shifted block of the padded input, copied N values at a time.
            if split:  # positions (a, y, b, x, n) for (2y + a, 2x + b)
                shape, strides = (k, k, 2, h // 2, 2, w // 2, n), (s0, s1, s0, 2 * s0, s1, 2 * s1, s2)
            else:
                shape, strides = (k, k, h, w, n), (s0, s1, s0, s1, s2)
            cols_t = self.buffer("cols_t", shape, dtype)
            np.copyto(cols_t, _strided_view(xpad, shape, strides))
            self._windows = cols_t.reshape(k * k, h * w * n).T
            np.matmul(self._windows, np.ascontiguousarray(self._weight_matrix()), out=out)
        else:
            # One kernel row at a time: rows[y, x, n, (j, c)] = xpad[p + y, x + j, n, c] holds the
            # k·C_in values a kernel row sees, and kernel row i needs rows[y + i - p] — a block of
            # whole image rows of the same array. So the only copy is k·C_in values per position
            # (not k·k·C_in), and the conv is k matrix products of K = k·C_in, summed.
            rows = self.buffer("rows", (h, w, n, k, c), dtype)
            np.copyto(rows, _strided_view(xpad, rows.shape, (s0, s1, s2, s1, s3), offset=p * s0))
            self._windows = rows
            w_rows = self._weight_matrix().reshape(k, k * c, self.out_channels)
            self._shifted_row_products(rows.reshape(h, w * n, k * c), w_rows, out.reshape(h, w * n, -1))
        return out.reshape(((2, h // 2, 2, w // 2) if split else (h, w)) + (n, self.out_channels))

    def backward(self, dout: np.ndarray, bias_grad: np.ndarray | None = None) -> np.ndarray | None:
        """dout: ``(H, W, N, C_out)`` (or as the forward split it) → dx ``(H, W, N, C_in)`` (None if not ``needs_input_grad``);
        fills ``grads``. ``bias_grad``: the bias gradient, when the pool that added the bias
        computed it."""
        co = self.out_channels
        if bias_grad is None:
            self.column_sums(np.ascontiguousarray(dout).reshape(-1, co), out=self.grads["bias"])
        else:
            self.grads["bias"][...] = bias_grad
        if self._spectral_now:
            return self._spectral.backward(dout, self.grads["weight"], self.needs_input_grad)
        if self._windows is None:
            raise RuntimeError("backward called before forward")
        h, w, n = self._in_shape
        k, p, c = self.kernel_size, self.pad, self.in_channels
        d2 = np.ascontiguousarray(dout).reshape(h * w * n, co)
        if c == 1:
            # (k·k, C_out), rows in (i, j) order. Not np.matmul: for this one product (a long K,
            # 25 × 16 out) numpy holds the GIL throughout, and the other half batch's thread waits
            dw = self.buffer("dw", (k * k, co), d2.dtype)
            gemm_into(self._windows.T, d2, dw, accumulate=False)
            self.grads["weight"][...] = dw.T.reshape(co, 1, k, k)
        else:
            # dW for kernel row i: dout[y] against the rows that kernel row saw, rows[y + i - p]
            d3 = d2.reshape(h, w * n, co)
            rows = self._windows.reshape(h, w * n, k * c)
            dwt = self.buffer("dwt", (k, co, k * c), d2.dtype)
            for i in range(k):
                y0, y1 = max(0, p - i), min(h, h + p - i)
                np.matmul(d3[y0:y1].reshape(-1, co).T, rows[y0 + i - p:y1 + i - p].reshape(-1, k * c), out=dwt[i])
            self.grads["weight"][...] = dwt.reshape(k, co, k, c).transpose(1, 3, 0, 2)
        if not self.needs_input_grad:
            return None
        # dx[y + i - p, x + j - p, n, c] gets dout[y, x, n] @ W[:, c, i, j]. Per kernel row i that
        # is a matrix product giving, for each position, the k·C_in values of its row window
        # (dx_rows[y', x, n, (j, c)] = Σ_i dout[y' - i + p, x, n] @ W_i), then k shifted adds along
        # the row put each j where it belongs.
        w_t = self._weight_matrix().reshape(k, k * c, co).transpose(0, 2, 1)  # [i]: (C_out, k·C_in)
        dx_rows = self.buffer("dx_rows", (h, w * n, k * c), d2.dtype)
        self._shifted_row_products(d2.reshape(h, w * n, co), w_t[::-1], dx_rows)
        d5 = dx_rows.reshape(h, w, n, k, c)
        dxpad = self.buffer("dxpad", (h, w + 2 * p, n, c), d2.dtype)
        dxpad.fill(0)
        for j in range(k):  # col2im along the row only: shifted adds
            dxpad[:, j:j + w] += d5[:, :, :, j]
        return dxpad[:, p:p + w]

    def _runs_spectral(self, n: int) -> bool:
        """Whether a batch of ``n`` images goes through the frequency domain."""
        if self.in_channels == 1 or self.method == "direct":
            return False
        return self.method == "spectral" or n >= SPECTRAL_MIN_BATCH

    @staticmethod
    def _shifted_row_products(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
        """``out[y] = Σ_i a[y + i - p] @ b[i]``, with rows of ``a`` outside ``[0, H)`` taken as zero
        (the 'same' padding). a: ``(H, M, K)``, b: ``(k, K, N)``, out: ``(H, M, N)``; M = W·N
        positions per image row."""
        h, m, _ = a.shape
        k, p = b.shape[0], b.shape[0] // 2
        gemm_into(a.reshape(h * m, -1), b[p], out.reshape(h * m, -1), accumulate=False)  # the centre row covers all
        for i in range(k):
            y0, y1 = max(0, p - i), min(h, h + p - i)
            if i != p and y0 < y1:
                gemm_into(a[y0 + i - p:y1 + i - p].reshape((y1 - y0) * m, -1), b[i],
                          out[y0:y1].reshape((y1 - y0) * m, -1), accumulate=True)


class FastMaxPool2D(_Buffers):
    """ReLU then 2×2 max-pooling with stride 2 (they commute: one pass), on ``(H, W, N, C)``.

    Odd sizes drop the last row/column and ties go to the first maximum in row-major window order,
    as in PyTorch. It also takes a conv's output split by window corner, ``(2, H/2, 2, W/2, N, C)``
    (:meth:`FastConv2D.forward_buffer`), and :meth:`backward` then returns dx in that layout.
    """

    def __init__(self) -> None:
        super().__init__()
        self._masks: tuple | None = None
        self._out: np.ndarray | None = None
        self._in_shape: tuple | None = None
        self.bias_grad: np.ndarray | None = None  # set by backward when the forward added a bias

    def forward(self, x: np.ndarray, out: np.ndarray | None = None, bias: np.ndarray | None = None) -> np.ndarray:
        """x: ``(H, W, N, C)`` or split → ``(H//2, W//2, N, C)``; ``out`` may be a view to write into;
        ``bias`` ``(C,)`` is added after the max (for a conv that left it out)."""
        self._in_shape = x.shape
        a, b, cc, d = self._corners(x)
        shape = a.shape
        if out is None:
            out = self.buffer("out", shape, x.dtype)
        bottom = self.buffer("bottom", shape, x.dtype)
        # Which element won, first maximum on ties (row-major: a, b, c, d), as three bit masks:
        # b_won = b > a, d_won = d > c (within each row pair), low = the bottom row won.
        b_won = self.buffer("b_won", shape, np.bool_)
        d_won = self.buffer("d_won", shape, np.bool_)
        low = self.buffer("low", shape, np.bool_)
        np.greater(b, a, out=b_won)
        np.greater(d, cc, out=d_won)
        np.maximum(a, b, out=out)  # the top row's maximum, for now
        np.maximum(cc, d, out=bottom)
        np.greater(bottom, out, out=low)
        np.maximum(out, bottom, out=out)
        # per-channel constants tiled over the batch: numpy then runs whole N·C blocks, not C-long pieces
        n, c = shape[2], shape[3]
        if bias is not None:
            tiled = self.buffer("bias", (n, c), x.dtype)
            tiled[...] = bias
            np.add(out, tiled, out=out)
        np.maximum(out, self.buffer("zeros", (n, c), x.dtype, zeros=True), out=out)
        self._masks, self._out = (b_won, d_won, low), out
        self.bias_grad = None if bias is None else self.buffer("bias_grad", (c,), x.dtype)
        return out

    @staticmethod
    def _corners(x: np.ndarray) -> tuple[np.ndarray, ...]:
        """Views of every window's top-left, top-right, bottom-left and bottom-right values,
        each ``(H//2, W//2, N, C)``, for x ``(H, W, N, C)`` or split ``(2, H/2, 2, W/2, N, C)``."""
        if x.ndim == 6:
            return x[0, :, 0], x[0, :, 1], x[1, :, 0], x[1, :, 1]
        rows, cols = 2 * (x.shape[0] // 2), 2 * (x.shape[1] // 2)
        return x[0:rows:2, 0:cols:2], x[0:rows:2, 1:cols:2], x[1:rows:2, 0:cols:2], x[1:rows:2, 1:cols:2]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: ``(H//2, W//2, N, C)`` → dx shaped like the forward's input. When the
        forward added a bias, its gradient is left in :attr:`bias_grad`."""
        if self._out is None:
            raise RuntimeError("backward called before forward")
        c = self._in_shape[-1]
        g = self.buffer("g", dout.shape, dout.dtype)
        kept = self.buffer("kept", dout.shape, np.bool_)
        np.greater(self._out, 0, out=kept)
        np.multiply(dout, kept, out=g)  # the ReLU's gradient
        if self.bias_grad is not None:
            self.column_sums(g.reshape(-1, c), out=self.bias_grad)
        dx = self.buffer("dx", self._in_shape, dout.dtype)
        corners = self._corners(dx)
        if sum(view.size for view in corners) != dx.size:  # odd sizes: the dropped row/column
            dx.fill(0)
        b_won, d_won, low = self._masks
        # Split g between the rows, then each row's share between its two columns; the second
        # part of each split is a subtraction (exact here, and faster than a second mask). Each
        # row's share waits in its left corner until it is split.
        top_left, top_right, bottom_left, bottom_right = corners
        np.multiply(g, low, out=bottom_left)
        np.subtract(g, bottom_left, out=top_left)
        np.multiply(top_left, b_won, out=top_right)
        np.subtract(top_left, top_right, out=top_left)
        np.multiply(bottom_left, d_won, out=bottom_right)
        np.subtract(bottom_left, bottom_right, out=bottom_left)
        return dx
