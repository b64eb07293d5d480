"""One copy of the network's layers, for one thread: forward and backward of (part of) a batch.

Every replica of a :class:`~kernelplay.nn.network.Network` shares its parameter arrays; each has
its own work buffers and gradient arrays, so two replicas can run at once on two halves of a batch
(:func:`kernelplay.common.threads.run_parallel`). The conv and pool layers are the channels-last
ones of :mod:`kernelplay.nn.fast.layers`; the dense layers are the readable ones.
"""
from __future__ import annotations

import numpy as np

from kernelplay.nn.config import IMAGE_SIZE, NUM_CLASSES, NetworkConfig
from kernelplay.nn.fast.allocator import keep_freed_memory
from kernelplay.nn.fast.layers import FastConv2D, FastMaxPool2D, flatten_hwnc, hwnc_to_nchw, unflatten_hwnc
from kernelplay.nn.layers import Dense, softmax_cross_entropy

__all__ = ["Replica"]


class Replica:
    """The layers of ``config``, bound to shared ``params`` and this replica's own ``grads``."""

    def __init__(self, config: NetworkConfig, dtype, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        keep_freed_memory()  # each step's temporaries then reuse freed memory, not fresh pages
        k = config.kernel_size
        self.dtype = dtype
        self.convs: list[FastConv2D] = []
        self.pools: list[FastMaxPool2D] = []
        c_in = 1
        for i, c in enumerate(config.channels):
            self.convs.append(FastConv2D(c_in, c, k, needs_input_grad=i > 0))
            self.pools.append(FastMaxPool2D())
            c_in = c
        self.fc1 = Dense(config.flat_features, config.fc_width, dtype=dtype)
        self.fc2 = Dense(config.fc_width, NUM_CLASSES, dtype=dtype)
        self._flat_shape: tuple | None = None
        self._fc1_mask: np.ndarray | None = None
        named = [(f"conv{i}", conv) for i, conv in enumerate(self.convs, 1)] + [("fc1", self.fc1), ("fc2", self.fc2)]
        for prefix, layer in named:
            for key in ("weight", "bias"):
                layer.params[key], layer.grads[key] = params[f"{prefix}.{key}"], grads[f"{prefix}.{key}"]

    def forward(self, x: np.ndarray, keep: dict | None = None) -> np.ndarray:
        """x: ``(N, 1, 28, 28)`` → logits ``(N, 10)``. With ``keep``, every stage's output is stored
        there ``(N, C, H, W)`` (copies), named as in :meth:`NetworkConfig.stage_shapes`."""
        n = x.shape[0]
        h = w = IMAGE_SIZE
        conv = self.convs[0]
        conv.input_buffer(h, w, n, self.dtype)[..., 0] = x[:, 0].transpose(1, 2, 0)  # (N, H, W) → (H, W, N)
        # the bias of each conv is added after its pool (a quarter of the values), and each conv's
        # output comes split by window corner for the pool — except when the caller wants the conv
        # maps themselves
        defer = keep is None
        a = conv.forward_buffer(h, w, n, self.dtype, add_bias=not defer, split_for_pool=defer)
        for i, pool in enumerate(self.pools):
            bias = self.convs[i].params["bias"] if defer else None
            if keep is not None:
                keep[f"conv{i + 1}"] = hwnc_to_nchw(np.maximum(a, 0))
            following = self.convs[i + 1] if i + 1 < len(self.convs) else None
            if following is not None:
                h, w = h // 2, w // 2
                pooled = following.input_buffer(h, w, n, self.dtype)
                pool.forward(a, out=pooled, bias=bias)  # straight into the next conv's input
                if keep is not None:
                    keep[f"pool{i + 1}"] = hwnc_to_nchw(pooled)
                a = following.forward_buffer(h, w, n, self.dtype, add_bias=not defer, split_for_pool=defer)
            else:
                a = pool.forward(a, bias=bias)
                if keep is not None:
                    keep[f"pool{i + 1}"] = hwnc_to_nchw(a)
        self._flat_shape = a.shape
        flat = flatten_hwnc(a)
        if keep is not None:
            keep["flatten"] = flat.copy()
        hidden = self.fc1.forward(flat)
        self._fc1_mask = hidden > 0
        np.maximum(hidden, 0, out=hidden)
        if keep is not None:
            keep["fc1"] = hidden.copy()
        return self.fc2.forward(hidden)

    def backward(self, dlogits: np.ndarray) -> None:
        """dlogits: ``(N, 10)`` for the last :meth:`forward`; writes this replica's gradients."""
        dh = self.fc2.backward(dlogits)
        dh *= self._fc1_mask
        d = unflatten_hwnc(self.fc1.backward(dh), self._flat_shape)
        for conv, pool in zip(reversed(self.convs), reversed(self.pools)):
            d = pool.backward(d)
            d = conv.backward(d, pool.bias_grad)

    def train_part(self, x: np.ndarray, labels: np.ndarray, batch_size: int) -> tuple[float, np.ndarray]:
        """Forward, softmax cross-entropy and backward for this part of a batch of ``batch_size``:
        the gradients are those of the whole batch's mean loss. → (sum of this part's losses,
        logits ``(n, 10)``)."""
        logits = self.forward(x)
        loss, dlogits = softmax_cross_entropy(logits, labels)
        n = x.shape[0]
        dlogits *= n / batch_size
        self.backward(dlogits)
        return loss * n, logits
