"""The CNN's layers written to be read: ``forward`` / ``backward`` on ``(N, C, H, W)`` arrays.

Every layer has ``params`` and ``grads`` under the same keys (empty for layers without weights);
an optimiser walks the pairs and never reaches inside a layer. The conv is what the playground
teaches — each output value is a window of the input times the kernel, summed — done for every
window at once; its gradient sends each output's gradient back through the weight that produced
it. The slow loops (:func:`conv2d_naive`, :func:`maxpool2d_naive`) say the same in the plainest
words, and the tests hold these layers to them.

The network trains with the channels-last versions of conv and pool in
:mod:`kernelplay.nn.fast.layers` (the same values, ~1.5× faster); :class:`Dense`, ReLU and the
loss are used as they are here.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "Conv2D",
    "MaxPool2D",
    "ReLU",
    "Flatten",
    "Dense",
    "conv2d_naive",
    "maxpool2d_naive",
    "softmax",
    "softmax_cross_entropy",
]


def _uniform(rng: np.random.Generator | None, fan_in: int, shape: tuple, dtype) -> np.ndarray:
    """Weights drawn from ±1/√fan_in, PyTorch's default bounds for ``Conv2d`` and ``Linear``."""
    rng = np.random.default_rng() if rng is None else rng
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(dtype)


class Conv2D:
    """2-D cross-correlation with stride 1 and 'same' zero padding (odd kernel sizes).

    params: ``weight`` ``(C_out, C_in, k, k)`` (PyTorch's layout), ``bias`` ``(C_out,)``.
    x: ``(N, C_in, H, W)`` → out ``(N, C_out, H, W)``.
    ``needs_input_grad=False`` (a first layer) skips the gradient w.r.t. the input.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, *,
                 rng: np.random.Generator | None = None, dtype=np.float32, needs_input_grad: bool = True) -> None:
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel size must be odd for 'same' padding, got {kernel_size}")
        self.kernel_size, self.pad = kernel_size, kernel_size // 2
        self.needs_input_grad = needs_input_grad
        fan_in = in_channels * kernel_size * kernel_size
        self.params = {"weight": _uniform(rng, fan_in, (out_channels, in_channels, kernel_size, kernel_size), dtype)}
        self.params["bias"] = _uniform(rng, fan_in, (out_channels,), dtype)
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self._windows: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: ``(N, C_in, H, W)`` → ``(N, C_out, H, W)``."""
        p = self.pad
        padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        # windows[n, c, y, x, i, j] = padded[n, c, y + i, x + j]: every k×k window, without copying
        self._windows = sliding_window_view(padded, (self.kernel_size, self.kernel_size), axis=(2, 3))
        # out[n, o, y, x] = Σ_c,i,j windows[n, c, y, x, i, j] · weight[o, c, i, j] + bias[o]
        out = np.tensordot(self._windows, self.params["weight"], axes=([1, 4, 5], [1, 2, 3]))  # (N, H, W, C_out)
        out += self.params["bias"]
        return np.ascontiguousarray(out.transpose(0, 3, 1, 2))

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """dout: ``(N, C_out, H, W)`` → dx ``(N, C_in, H, W)`` (None without ``needs_input_grad``);
        fills ``grads``."""
        if self._windows is None:
            raise RuntimeError("backward called before forward")
        weight, k, p = self.params["weight"], self.kernel_size, self.pad
        # a weight's gradient: the windows' values it multiplied, times the outputs' gradients
        self.grads["weight"][...] = np.tensordot(dout, self._windows, axes=([0, 2, 3], [0, 2, 3]))
        self.grads["bias"][...] = dout.sum(axis=(0, 2, 3))
        if not self.needs_input_grad:
            return None
        n, _, h, w = dout.shape
        dpadded = np.zeros((n, weight.shape[1], h + 2 * p, w + 2 * p), dout.dtype)
        for i in range(k):
            for j in range(k):
                # weight (i, j) multiplied the input pixel (y + i, x + j) for output (y, x)
                dpadded[:, :, i:i + h, j:j + w] += np.einsum("nohw,oc->nchw", dout, weight[:, :, i, j])
        return dpadded[:, :, p:p + h, p:p + w]


class MaxPool2D:
    """2×2 max-pooling with stride 2: x ``(N, C, H, W)`` → ``(N, C, H // 2, W // 2)``.

    Odd sizes drop the last row/column; ties go to the first maximum in row-major window order,
    as in PyTorch. No parameters.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._winner: np.ndarray | None = None
        self._in_shape: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: ``(N, C, H, W)`` → ``(N, C, H//2, W//2)``."""
        n, c, h, w = x.shape
        self._in_shape = x.shape
        # windows[n, c, y, x, 2·i + j] = x[n, c, 2y + i, 2x + j]
        windows = x[:, :, :h // 2 * 2, :w // 2 * 2].reshape(n, c, h // 2, 2, w // 2, 2)
        windows = windows.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2, w // 2, 4)
        self._winner = windows.argmax(axis=-1)  # the first maximum on ties
        return np.take_along_axis(windows, self._winner[..., None], axis=-1)[..., 0]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: ``(N, C, H//2, W//2)`` → dx ``(N, C, H, W)``: each window's gradient goes to its maximum."""
        if self._winner is None:
            raise RuntimeError("backward called before forward")
        n, c, h, w = self._in_shape
        routed = np.zeros(dout.shape + (4,), dout.dtype)
        np.put_along_axis(routed, self._winner[..., None], dout[..., None], axis=-1)
        dx = np.zeros(self._in_shape, dout.dtype)
        dx[:, :, :h // 2 * 2, :w // 2 * 2] = (routed.reshape(n, c, h // 2, w // 2, 2, 2)
                                              .transpose(0, 1, 2, 4, 3, 5).reshape(n, c, h // 2 * 2, w // 2 * 2))
        return dx


class ReLU:
    """max(x, 0), any shape (e.g. ``(N, F)`` or ``(N, C, H, W)``)."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._mask: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: any shape → same shape."""
        self._mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: the output's gradient → dx, same shape."""
        return dout * self._mask


class Flatten:
    """``(N, C, H, W)`` → ``(N, C·H·W)`` in C, H, W order (PyTorch's ``flatten(1)``)."""

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self._shape: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: ``(N, C, H, W)`` → ``(N, C·H·W)``."""
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: ``(N, C·H·W)`` → ``(N, C, H, W)``."""
        return dout.reshape(self._shape)


class Dense:
    """Fully connected: ``out = x @ weight.T + bias``.

    params: ``weight`` ``(F_out, F_in)`` (PyTorch's ``nn.Linear`` layout), ``bias`` ``(F_out,)``.
    x: ``(N, F_in)`` → ``(N, F_out)``.
    """

    def __init__(self, in_features: int, out_features: int, *,
                 rng: np.random.Generator | None = None, dtype=np.float32) -> None:
        self.params = {"weight": _uniform(rng, in_features, (out_features, in_features), dtype),
                       "bias": _uniform(rng, in_features, (out_features,), dtype)}
        self.grads = {name: np.zeros_like(value) for name, value in self.params.items()}
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: ``(N, F_in)`` → ``(N, F_out)``."""
        self._x = x
        out = x @ self.params["weight"].T
        out += self.params["bias"]
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: ``(N, F_out)`` → dx ``(N, F_in)``; fills ``grads``."""
        if self._x is None:
            raise RuntimeError("backward called before forward")
        np.matmul(dout.T, self._x, out=self.grads["weight"])
        dout.sum(axis=0, out=self.grads["bias"])
        return dout @ self.params["weight"]


# --- the slow, obvious versions (what tab 1 teaches) ------------------------------------------------

def conv2d_naive(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, pad: int = 0) -> np.ndarray:
    """Cross-correlation by explicit loops: each output value is window × kernel, summed.

    x: ``(N, C_in, H, W)``; weight ``(C_out, C_in, k, k)``; bias ``(C_out,)`` → ``(N, C_out, H', W')``.
    """
    n, c_in, h, w = x.shape
    c_out, c_in2, kh, kw = weight.shape
    if c_in != c_in2:
        raise ValueError(f"the input has {c_in} channels but the weight expects {c_in2}")
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = h + 2 * pad - kh + 1, w + 2 * pad - kw + 1
    out = np.zeros((n, c_out, ho, wo), dtype=np.result_type(x, weight))
    for b in range(n):
        for o in range(c_out):
            for y in range(ho):
                for xx in range(wo):
                    out[b, o, y, xx] = np.sum(xp[b, :, y:y + kh, xx:xx + kw] * weight[o])
            if bias is not None:
                out[b, o] += bias[o]
    return out


def maxpool2d_naive(x: np.ndarray, size: int = 2) -> np.ndarray:
    """Max over each ``size × size`` window, stride ``size``. x: ``(N, C, H, W)`` → ``(N, C, H//s, W//s)``."""
    n, c, h, w = x.shape
    ho, wo = h // size, w // size
    out = np.empty((n, c, ho, wo), dtype=x.dtype)
    for b in range(n):
        for ch in range(c):
            for y in range(ho):
                for xx in range(wo):
                    out[b, ch, y, xx] = x[b, ch, y * size:(y + 1) * size, xx * size:(xx + 1) * size].max()
    return out


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``(N, K)`` scores → probabilities ``(N, K)`` summing to 1."""
    z = logits - logits.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    return z


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(logits) against integer labels.

    logits: ``(N, K)``; labels: ``(N,)`` ints → (loss, dlogits ``(N, K)``).
    """
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(z)
    total = probs.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float((np.log(total[:, 0]) - z[rows, labels]).sum()) / n
    probs /= total
    probs[rows, labels] -= 1
    probs /= n
    return loss, probs
