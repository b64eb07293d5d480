"""The digit CNN: parameters, forward/backward over a batch, predictions and every stage's output.

The architecture is a :class:`~kernelplay.nn.config.NetworkConfig`; parameters carry PyTorch's
``state_dict`` names and shapes; model files are :mod:`kernelplay.nn.model_file`. The arithmetic
runs in :class:`~kernelplay.nn.fast.replica.Replica`\\ s (the channels-last fast path), one per
thread; :mod:`kernelplay.nn.layers` holds the same layers written to be read.
"""
from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from kernelplay.common.threads import run_parallel, worker_count
from kernelplay.nn.config import IMAGE_SIZE, NUM_CLASSES, NetworkConfig
from kernelplay.nn.fast.blas import blas_threads, can_set_threads
from kernelplay.nn.fast.replica import Replica
from kernelplay.nn.layers import softmax
from kernelplay.nn.model_file import ModelFileError, read_model, write_model_file
from kernelplay.nn.optim import Optimizer
from kernelplay.nn.torch_export import torch_module

__all__ = ["Network", "ModelFileError", "default_threads", "initial_params"]

_MIN_PARALLEL_BATCH = 16  # below this, splitting the batch costs more than it saves


def default_threads() -> int:
    """Half batches computed at once: 2 where there are 2 cores and numpy's BLAS can be held to one
    thread while they run (two threads each running two BLAS threads would oversubscribe the cores),
    else 1. ``KERNELPLAY_THREADS=1`` gives 1.

    Why threads rather than BLAS's own: numpy releases the GIL inside every large array operation,
    so the window copies, pooling and shifted adds (single-threaded in numpy) run in parallel too.
    """
    return 2 if worker_count() >= 2 and can_set_threads() else 1


def initial_params(config: NetworkConfig, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Fresh float64 parameters by name, drawn uniformly from ±1/√fan_in (PyTorch's default
    bounds for ``Conv2d`` and ``Linear``), in the order of :meth:`NetworkConfig.param_shapes`."""
    params = {}
    fan_in = 1
    for name, shape in config.param_shapes().items():
        if name.endswith(".weight"):
            fan_in = int(np.prod(shape[1:]))
        bound = 1.0 / np.sqrt(fan_in)
        params[name] = rng.uniform(-bound, bound, shape)
    return params


def _views(flat: np.ndarray, config: NetworkConfig) -> dict[str, np.ndarray]:
    """``flat`` cut into one view per parameter, by name."""
    views, offset = {}, 0
    for name, shape in config.param_shapes().items():
        size = int(np.prod(shape))
        views[name] = flat[offset:offset + size].reshape(shape)
        offset += size
    return views


class Network:
    """The digit CNN. Inputs are float ``(N, 1, 28, 28)`` in [0, 1]; outputs ``(N, 10)`` logits.

    ``params`` and ``grads`` are dicts with the same keys (PyTorch ``state_dict`` names, see
    :meth:`NetworkConfig.param_shapes`). Their arrays are views into one flat vector each
    (``flat_params`` / ``flat_grads``) so an optimiser can update everything in a few array ops;
    assign with ``params[name][...] = value`` (or :meth:`set_params`), never rebind the keys.

    Batches of 16 or more are split in halves computed in ``threads`` threads (default
    :func:`default_threads`); while they run numpy's BLAS keeps to one thread, and its previous
    setting is restored afterwards.

    ``frozen_channels`` names conv1 channels whose kernel and bias :meth:`update` leaves as they
    are (e.g. a hand-made edge detector); saved models remember them.

    Not thread-safe: layers keep work buffers. A GUI thread that wants predictions while another
    thread trains should use its own ``Network`` (e.g. filled from a snapshot's weights).
    """

    def __init__(self, config: NetworkConfig | None = None, *, seed: int | None = 0, dtype=np.float32,
                 threads: int | None = None) -> None:
        self.config = NetworkConfig() if config is None else config
        if not isinstance(self.config, NetworkConfig):
            raise TypeError(f"config must be a NetworkConfig, got {type(config).__name__}")
        self.dtype = np.dtype(dtype)
        self.threads = default_threads() if threads is None else max(1, int(threads))
        total = self.config.parameter_count
        self.flat_params = np.empty(total, self.dtype)
        self.flat_grads = np.zeros(total, self.dtype)
        self.params = _views(self.flat_params, self.config)
        self.grads = _views(self.flat_grads, self.config)
        for name, value in initial_params(self.config, np.random.default_rng(seed)).items():
            self.params[name][...] = value
        # replica i writes its gradients into its own flat vector; replica 0's is flat_grads
        self._replicas = [Replica(self.config, self.dtype, self.params, self.grads)]
        self._replica_grads = [self.flat_grads]
        self._split: list[slice] = []
        self._frozen: tuple[int, ...] = ()
        self._frozen_index: np.ndarray | None = None  # where the frozen weights and biases sit in flat_params

    def __getstate__(self) -> dict:
        # the layers' views into flat_params would unpickle as copies: rebuild them instead
        return {"config": self.config, "dtype": self.dtype.str, "threads": self.threads,
                "flat_params": self.flat_params, "frozen_channels": self._frozen}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["config"], dtype=np.dtype(state["dtype"]), threads=state["threads"])
        self.flat_params[...] = state["flat_params"]
        self.frozen_channels = state.get("frozen_channels", ())

    def _replica(self, i: int) -> Replica:
        while len(self._replicas) <= i:
            flat = np.zeros_like(self.flat_grads)
            self._replicas.append(Replica(self.config, self.dtype, self.params, _views(flat, self.config)))
            self._replica_grads.append(flat)
        return self._replicas[i]

    def _blas_scope(self):
        """BLAS on one thread while the half batches run (restored after), if they do."""
        return blas_threads(1) if self.threads > 1 else nullcontext()

    # --- forward / backward ---------------------------------------------------------------------

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 3:
            x = x[:, None]
        if x.ndim != 4 or x.shape[1:] != (1, IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"expected images of shape (N, 1, 28, 28), got {x.shape}")
        return x

    def _split_batch(self, n: int) -> list[Replica]:
        """Divide a batch of ``n`` into ``self._split`` (one slice per thread, or one for small
        batches) and return the replicas that compute them."""
        parts = self.threads if n >= _MIN_PARALLEL_BATCH else 1
        self._split = [slice(i * n // parts, (i + 1) * n // parts) for i in range(parts)]
        return [self._replica(i) for i in range(parts)]

    def _sum_replica_grads(self) -> None:
        """Add the other replicas' gradients to the first one's, which are ``flat_grads``."""
        for flat in self._replica_grads[1:len(self._split)]:
            self.flat_grads += flat

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: float ``(N, 1, 28, 28)`` in [0, 1] → logits ``(N, 10)`` (a new array)."""
        x = self._check_input(x).astype(self.dtype, copy=False)
        replicas = self._split_batch(x.shape[0])
        with self._blas_scope():
            outs = run_parallel([lambda r=r, s=s: r.forward(x[s]) for r, s in zip(replicas, self._split)])
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    def backward(self, dlogits: np.ndarray) -> None:
        """dlogits: ``(N, 10)``, the loss gradient w.r.t. the last ``forward``'s logits; fills ``grads``."""
        dlogits = np.asarray(dlogits, dtype=self.dtype)
        if not self._split or self._split[-1].stop != dlogits.shape[0]:
            raise ValueError("backward needs the gradient for the batch of the last forward")
        replicas = self._replicas[:len(self._split)]
        with self._blas_scope():
            run_parallel([lambda r=r, s=s: r.backward(dlogits[s]) for r, s in zip(replicas, self._split)])
        self._sum_replica_grads()

    def train_batch(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
        """One training pass without the update: forward, mean softmax cross-entropy against
        ``labels`` ``(N,)`` and backward, filling ``grads``. x: ``(N, 1, 28, 28)`` → (loss, logits
        ``(N, 10)``). The same as ``forward``, ``softmax_cross_entropy`` and ``backward`` in turn,
        but each half batch goes through all three in its own thread without waiting for the other."""
        x = self._check_input(x).astype(self.dtype, copy=False)
        labels = np.asarray(labels)
        n = x.shape[0]
        if labels.shape != (n,):
            raise ValueError(f"expected {n} labels, got shape {labels.shape}")
        replicas = self._split_batch(n)
        with self._blas_scope():
            results = run_parallel([lambda r=r, s=s: r.train_part(x[s], labels[s], n)
                                    for r, s in zip(replicas, self._split)])
        self._sum_replica_grads()
        loss = sum(part_loss for part_loss, _ in results) / n
        return loss, np.concatenate([logits for _, logits in results])

    def predict_proba(self, x: np.ndarray, batch_size: int = 128) -> np.ndarray:
        """x: ``(N, 1, 28, 28)`` → class probabilities ``(N, 10)`` (softmax of the logits)."""
        x = self._check_input(x)
        out = np.empty((x.shape[0], NUM_CLASSES), self.dtype)
        for start in range(0, x.shape[0], batch_size):
            out[start:start + batch_size] = self.forward(x[start:start + batch_size])
        return softmax(out)

    def predict(self, x: np.ndarray, batch_size: int = 128) -> np.ndarray:
        """x: ``(N, 1, 28, 28)`` → predicted digits ``(N,)``."""
        return self.predict_proba(x, batch_size).argmax(axis=1)

    def activations(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Every stage's output for a batch, in forward order (copies), named as in
        :meth:`NetworkConfig.stage_shapes`: ``input (N,1,28,28)``, ``conv1`` (after ReLU)
        ``(N,16,28,28)``, ``pool1``, …, ``flatten (N,F)``, ``fc1`` (after ReLU), ``scores``
        (softmax probabilities ``(N,10)``)."""
        x = self._check_input(x).astype(self.dtype, copy=False)
        keep: dict[str, np.ndarray] = {"input": np.array(x)}
        self._split = []  # the buffers no longer hold this batch's forward: no backward
        with self._blas_scope():
            logits = self._replicas[0].forward(x, keep)
        keep["scores"] = softmax(logits)
        return keep

    # --- parameters -------------------------------------------------------------------------------

    @property
    def frozen_channels(self) -> tuple[int, ...]:
        """The conv1 channels whose kernel and bias training leaves unchanged, in increasing order."""
        return self._frozen

    @frozen_channels.setter
    def frozen_channels(self, channels) -> None:
        count = self.config.channels[0]
        chosen = set()
        for c in channels:
            if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 0 <= c < count:
                raise ValueError(f"a frozen channel must be a conv1 channel from 0 to {count - 1}, got {c!r}")
            chosen.add(int(c))
        self._frozen = tuple(sorted(chosen))
        if not self._frozen:
            self._frozen_index = None
            return
        position = _views(np.arange(self.flat_params.size), self.config)
        self._frozen_index = np.concatenate([position["conv1.weight"][list(self._frozen)].ravel(),
                                             position["conv1.bias"][list(self._frozen)]])

    def set_frozen(self, channel: int, frozen: bool = True) -> None:
        """Freeze conv1 ``channel`` (or thaw it with ``frozen=False``)."""
        others = [c for c in self._frozen if c != channel]
        self.frozen_channels = others + [channel] if frozen else others

    def update(self, optimizer: Optimizer) -> None:
        """One ``optimizer`` step on every parameter from ``grads`` (as one flat vector), except the
        frozen channels: their gradients are zeroed first, so the optimiser's moments gather nothing
        for them, and their values are put back after, since weight decay or moments gathered before
        the freeze would still move them. Without frozen channels this is just the optimiser's step."""
        frozen = self._frozen_index
        if frozen is not None:
            self.flat_grads[frozen] = 0
            kept = self.flat_params[frozen]
        optimizer.step({"all": self.flat_params}, {"all": self.flat_grads})
        if frozen is not None:
            self.flat_params[frozen] = kept

    def get_params(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, by name."""
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, params: dict[str, np.ndarray]) -> None:
        """Copy ``params`` (all names, matching shapes) into this network."""
        shapes = self.config.param_shapes()
        missing = [k for k in shapes if k not in params]
        if missing:
            raise ValueError(f"missing parameters: {', '.join(missing)}")
        for name, shape in shapes.items():
            value = np.asarray(params[name])
            if value.shape != shape:
                raise ValueError(f"parameter {name} has shape {value.shape}, expected {shape}")
        for name in shapes:
            self.params[name][...] = params[name]

    def copy(self) -> "Network":
        """An independent network with the same config and weights."""
        other = Network(self.config, dtype=self.dtype, threads=self.threads)
        other.flat_params[...] = self.flat_params
        other.frozen_channels = self._frozen
        return other

    @property
    def kernels(self) -> dict[str, np.ndarray]:
        """Each conv layer's kernels ``(C_out, C_in, k, k)`` by layer name (views; copy to keep)."""
        return {f"conv{i}": self.params[f"conv{i}.weight"] for i in range(1, self.config.num_stages + 1)}

    # --- elsewhere: files and PyTorch -------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write the weights, config and frozen channels to ``path`` (``.npz``, atomically; see
        :mod:`kernelplay.nn.model_file`)."""
        return write_model_file(path, self.config, self.params, frozen_channels=self._frozen)

    @classmethod
    def load(cls, path: str | os.PathLike, *, dtype=np.float32) -> "Network":
        """A network from a model file (never unpickles); :class:`ModelFileError` says what is
        wrong with a bad one."""
        saved = read_model(path)
        network = cls(saved.config, dtype=dtype)
        network.set_params(saved.params)
        network.frozen_channels = saved.frozen_channels
        return network

    def to_torch(self):
        """This network as a ``torch.nn.Module`` holding a copy of its weights (float32); needs
        PyTorch, which kernelplay itself does not (see :mod:`kernelplay.nn.torch_export`)."""
        return torch_module(self.config, self.params)

    def __repr__(self) -> str:
        c = self.config
        return (f"Network(channels={c.channels}, kernel_size={c.kernel_size}, fc_width={c.fc_width}, "
                f"parameters={c.parameter_count:,})")
