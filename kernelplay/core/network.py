"""The digit CNN: its configuration, forward/backward, and the ``.npz`` model file (numpy only).

Default (the seed's network): input 1×28×28 → conv 5×5, 16 channels ('same'), ReLU, 2×2 max-pool →
conv 5×5, 36 channels, ReLU, max-pool → 36×7×7 → flatten → FC 128, ReLU → FC 10 → softmax scores.

Parameter names and shapes follow PyTorch's ``state_dict`` of the equivalent module with attributes
``conv1, conv2, …, fc1, fc2`` (``conv1.weight`` ``(16, 1, 5, 5)``, ``fc1.weight`` ``(128, 1764)``
with the flatten in C, H, W order), so a saved model loads into PyTorch with one line.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kernelplay.core.layers import Conv2D, Dense, Flatten, MaxPool2D, hnwc_to_nchw, softmax, softmax_cross_entropy
from kernelplay.core.parallel import run_parallel, worker_count

__all__ = ["NetworkConfig", "Network", "ModelFileError", "IMAGE_SIZE", "NUM_CLASSES"]

IMAGE_SIZE = 28
NUM_CLASSES = 10
_CONFIG_KEY = "__config__"
_FORMAT = "kernelplay-cnn"
_FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be read: not an ``.npz``, missing arrays, or wrong shapes."""


@dataclass(frozen=True)
class NetworkConfig:
    """The architecture: ``len(channels)`` conv stages (conv k×k 'same' → ReLU → 2×2 max-pool),
    then FC ``fc_width`` → ReLU → FC 10.

    channels: output channels of each conv stage, 1 to 3 stages of 1–64 channels.
    kernel_size: 3 or 5. fc_width: 1–1024 hidden units.
    """

    channels: tuple[int, ...] = (16, 36)
    kernel_size: int = 5
    fc_width: int = 128

    def __post_init__(self) -> None:
        channels = self.channels
        if isinstance(channels, int) or not hasattr(channels, "__iter__"):
            raise ValueError(f"channels must be a sequence of 1–3 channel counts, got {channels!r}")
        channels = tuple(channels)
        object.__setattr__(self, "channels", channels)
        if not 1 <= len(channels) <= 3:
            raise ValueError(f"the network needs 1 to 3 conv stages, got {len(channels)} ({channels})")
        for i, c in enumerate(channels, 1):
            if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 1 <= c <= 64:
                raise ValueError(f"conv stage {i} must have 1 to 64 channels, got {c!r}")
        object.__setattr__(self, "channels", tuple(int(c) for c in channels))
        if self.kernel_size not in (3, 5) or isinstance(self.kernel_size, bool):
            raise ValueError(f"kernel size must be 3 or 5, got {self.kernel_size!r}")
        fc = self.fc_width
        if isinstance(fc, bool) or not isinstance(fc, (int, np.integer)) or not 1 <= fc <= 1024:
            raise ValueError(f"FC width must be 1 to 1024 units, got {fc!r}")
        object.__setattr__(self, "fc_width", int(fc))

    @property
    def num_stages(self) -> int:
        return len(self.channels)

    def stage_shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """Each stage's output shape per image, in forward order, e.g. for the default:
        ``input (1,28,28), conv1 (16,28,28), pool1 (16,14,14), conv2 (36,14,14), pool2 (36,7,7),
        flatten (1764,), fc1 (128,), scores (10,)``. ``conv`` stages are after ReLU."""
        shapes: list[tuple[str, tuple[int, ...]]] = [("input", (1, IMAGE_SIZE, IMAGE_SIZE))]
        size = IMAGE_SIZE
        for i, c in enumerate(self.channels, 1):
            shapes.append((f"conv{i}", (c, size, size)))
            size //= 2
            shapes.append((f"pool{i}", (c, size, size)))
        shapes.append(("flatten", (self.flat_features,)))
        shapes.append(("fc1", (self.fc_width,)))
        shapes.append(("scores", (NUM_CLASSES,)))
        return shapes

    @property
    def flat_features(self) -> int:
        size = IMAGE_SIZE >> self.num_stages
        return self.channels[-1] * size * size

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter names (PyTorch ``state_dict`` names) → shapes, in forward order."""
        shapes: dict[str, tuple[int, ...]] = {}
        c_in, k = 1, self.kernel_size
        for i, c in enumerate(self.channels, 1):
            shapes[f"conv{i}.weight"] = (c, c_in, k, k)
            shapes[f"conv{i}.bias"] = (c,)
            c_in = c
        shapes["fc1.weight"] = (self.fc_width, self.flat_features)
        shapes["fc1.bias"] = (self.fc_width,)
        shapes["fc2.weight"] = (NUM_CLASSES, self.fc_width)
        shapes["fc2.bias"] = (NUM_CLASSES,)
        return shapes

    @property
    def parameter_count(self) -> int:
        return int(sum(np.prod(s) for s in self.param_shapes().values()))

    def to_json(self) -> str:
        return json.dumps({"channels": list(self.channels), "kernel_size": self.kernel_size,
                           "fc_width": self.fc_width})

    @classmethod
    def from_json(cls, text: str) -> "NetworkConfig":
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("the config must be a JSON object")
        unknown = set(data) - {"channels", "kernel_size", "fc_width"}
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(sorted(unknown))}")
        if "channels" in data:
            data["channels"] = tuple(data["channels"])
        return cls(**data)


class _Path:
    """One copy of the layers, computing forward/backward for (part of) a batch.

    All paths of a :class:`Network` share the parameter arrays (views into ``flat_params``); each
    has its own work buffers and gradient vector, so two paths can run at once on two halves of a
    batch (see :mod:`kernelplay.core.parallel`).
    """

    def __init__(self, config: NetworkConfig, dtype, rng: np.random.Generator) -> None:
        k = config.kernel_size
        self.dtype = dtype
        self.convs: list[Conv2D] = []
        self.pools: list[MaxPool2D] = []
        c_in = 1
        for i, c in enumerate(config.channels):
            self.convs.append(Conv2D(c_in, c, k, rng=rng, dtype=dtype, needs_input_grad=i > 0))
            self.pools.append(MaxPool2D(fuse_relu=True))
            c_in = c
        self.flatten = Flatten()
        self.fc1 = Dense(config.flat_features, config.fc_width, rng=rng, dtype=dtype)
        self.fc2 = Dense(config.fc_width, NUM_CLASSES, rng=rng, dtype=dtype)
        self._fc1_mask: np.ndarray | None = None

    def owners(self):
        return [(f"conv{i}", conv) for i, conv in enumerate(self.convs, 1)] + [("fc1", self.fc1), ("fc2", self.fc2)]

    def bind(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for prefix, layer in self.owners():
            for key in ("weight", "bias"):
                layer.params[key], layer.grads[key] = params[f"{prefix}.{key}"], grads[f"{prefix}.{key}"]

    def forward(self, x: np.ndarray, keep: dict | None = None) -> np.ndarray:
        """x: ``(N, 1, 28, 28)`` → logits ``(N, 10)``; intermediate arrays are layer buffers."""
        n = x.shape[0]
        conv = self.convs[0]
        h = w = IMAGE_SIZE
        xpad = conv.padded_input(n, h, w, self.dtype)
        p = conv.pad
        xpad[p:p + h, :, p:p + w, 0] = x[:, 0].transpose(1, 0, 2)  # (N, H, W) → (H, N, W)
        # the bias of each conv is added after its pool (a quarter of the values), and even-width
        # conv outputs come with their columns split for the pool — except when the caller wants
        # the conv maps themselves
        defer = keep is None
        a = conv._forward(None, (h, n, w), add_bias=not defer, split_columns=defer and w % 2 == 0)
        for i, pool in enumerate(self.pools):
            bias = self.convs[i].params["bias"] if defer else None
            if keep is not None:
                keep[f"conv{i + 1}"] = hnwc_to_nchw(np.maximum(a, 0))
            nxt = self.convs[i + 1] if i + 1 < len(self.convs) else None
            if nxt is not None:
                h, w = h // 2, w // 2
                xpad = nxt.padded_input(n, h, w, self.dtype)
                q = nxt.pad
                pool._forward(a, out=xpad[q:q + h, :, q:q + w, :], bias=bias)  # straight into the next pad
                if keep is not None:
                    keep[f"pool{i + 1}"] = hnwc_to_nchw(xpad[q:q + h, :, q:q + w, :])
                a = nxt._forward(None, (h, n, w), add_bias=not defer, split_columns=defer and w % 2 == 0)
            else:
                a = pool._forward(a, bias=bias)
                if keep is not None:
                    keep[f"pool{i + 1}"] = hnwc_to_nchw(a)
        flat = self.flatten._forward(a)
        if keep is not None:
            keep["flatten"] = flat.copy()
        hidden = self.fc1.forward(flat)
        self._fc1_mask = hidden > 0
        np.maximum(hidden, 0, out=hidden)
        if keep is not None:
            keep["fc1"] = hidden.copy()
        return self.fc2.forward(hidden)

    def backward(self, dlogits: np.ndarray) -> None:
        """dlogits: ``(N, 10)`` for the last ``forward``; writes this path's gradients."""
        dh = self.fc2.backward(dlogits)
        dh *= self._fc1_mask
        d = self.flatten._backward(self.fc1.backward(dh))
        for i in range(len(self.convs) - 1, -1, -1):
            pool = self.pools[i]
            d = pool._backward(d)
            d = self.convs[i]._backward(d, pool.bias_grad if pool._bias_added else None)

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


_MIN_PARALLEL_BATCH = 16  # below this, splitting the batch costs more than it saves


class Network:
    """The digit CNN. Inputs are float ``(N, 1, 28, 28)`` in [0, 1]; outputs ``(N, 10)`` logits.

    ``params`` and ``grads`` are dicts with the same keys (PyTorch ``state_dict`` names, see
    :meth:`NetworkConfig.param_shapes`). Their arrays are views into one flat vector each
    (``flat_params`` / ``flat_grads``) so an optimiser can update everything in a few array ops;
    assign with ``params[name][...] = value`` (or :meth:`set_params`), never rebind the keys.

    Batches of 16 or more are split in two halves computed in two threads (see
    :mod:`kernelplay.core.parallel`); ``threads=1`` turns that off.

    Not thread-safe: layers keep work buffers. A GUI thread that wants predictions while another
    thread trains should use its own ``Network`` (e.g. filled from a snapshot's weights).
    """

    def __init__(self, config: NetworkConfig | None = None, *, seed: int | None = 0, dtype=np.float32,
                 threads: int | None = None) -> None:
        self.config = NetworkConfig() if config is None else config
        if not isinstance(self.config, NetworkConfig):
            raise TypeError(f"config must be a NetworkConfig, got {type(config).__name__}")
        self.dtype = np.dtype(dtype)
        self.threads = worker_count() if threads is None else max(1, int(threads))
        rng = np.random.default_rng(seed)
        first = _Path(self.config, self.dtype, rng)
        # One flat vector for all parameters and one for all gradients; the layers hold views.
        shapes = self.config.param_shapes()
        total = self.config.parameter_count
        self.flat_params = np.empty(total, self.dtype)
        self.flat_grads = np.zeros(total, self.dtype)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        offset = 0
        initial = {f"{prefix}.{key}": layer.params[key] for prefix, layer in first.owners() for key in ("weight", "bias")}
        for name, shape in shapes.items():
            size = int(np.prod(shape))
            self.params[name] = self.flat_params[offset:offset + size].reshape(shape)
            self.grads[name] = self.flat_grads[offset:offset + size].reshape(shape)
            self.params[name][...] = initial[name]
            offset += size
        first.bind(self.params, self.grads)
        self._paths = [first]
        self._path_grads: list[np.ndarray | None] = [None]
        self._split: list[slice] = []

    def __getstate__(self) -> dict:
        # the layers' views into flat_params would unpickle as copies: rebuild them instead
        return {"config": self.config, "dtype": self.dtype.str, "threads": self.threads,
                "flat_params": self.flat_params}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["config"], dtype=np.dtype(state["dtype"]), threads=state["threads"])
        self.flat_params[...] = state["flat_params"]

    def _path(self, i: int) -> _Path:
        while len(self._paths) <= i:
            path = _Path(self.config, self.dtype, np.random.default_rng(0))
            flat = np.zeros_like(self.flat_grads)
            grads, offset = {}, 0
            for name, shape in self.config.param_shapes().items():
                size = int(np.prod(shape))
                grads[name] = flat[offset:offset + size].reshape(shape)
                offset += size
            path.bind(self.params, grads)
            self._paths.append(path)
            self._path_grads.append(flat)
        return self._paths[i]

    # kept for callers that walk the layers (the first path's)
    @property
    def convs(self) -> list[Conv2D]:
        return self._paths[0].convs

    # --- forward / backward ---------------------------------------------------------------------

    def _check_input(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim == 3:
            x = x[:, None]
        if x.ndim != 4 or x.shape[1:] != (1, IMAGE_SIZE, IMAGE_SIZE):
            raise ValueError(f"expected images of shape (N, 1, 28, 28), got {x.shape}")
        return x

    def _split_batch(self, n: int) -> list[_Path]:
        """Divide a batch of ``n`` into ``self._split`` (one slice per thread, or one for small
        batches) and return the paths that compute them."""
        parts = self.threads if n >= _MIN_PARALLEL_BATCH else 1
        bounds = np.linspace(0, n, parts + 1).astype(int)
        self._split = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
        return [self._path(i) for i in range(parts)]

    def _sum_path_grads(self) -> None:
        """Add the other paths' gradients to the first path's, which are ``flat_grads``."""
        for flat in self._path_grads[1:len(self._split)]:
            self.flat_grads += flat

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: float ``(N, 1, 28, 28)`` in [0, 1] → logits ``(N, 10)`` (a new array)."""
        x = self._check_input(x).astype(self.dtype, copy=False)
        paths = self._split_batch(x.shape[0])
        outs = run_parallel([lambda p=p, s=s: p.forward(x[s]) for p, s in zip(paths, self._split)])
        return outs[0] if len(outs) == 1 else np.concatenate(outs)

    def backward(self, dlogits: np.ndarray) -> None:
        """dlogits: ``(N, 10)``, the loss gradient w.r.t. the last ``forward``'s logits; fills ``grads``."""
        dlogits = np.asarray(dlogits, dtype=self.dtype)
        if not self._split or self._split[-1].stop != dlogits.shape[0]:
            raise ValueError("backward needs the gradient for the batch of the last forward")
        paths = self._paths[:len(self._split)]
        run_parallel([lambda p=p, s=s: p.backward(dlogits[s]) for p, s in zip(paths, self._split)])
        self._sum_path_grads()

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
        paths = self._split_batch(n)
        results = run_parallel([lambda p=p, s=s: p.train_part(x[s], labels[s], n) for p, s in zip(paths, self._split)])
        self._sum_path_grads()
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
        logits = self._paths[0].forward(x, keep)
        keep["scores"] = softmax(logits)
        return keep

    # --- parameters -------------------------------------------------------------------------------

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
        return other

    def to_torch(self):
        """This network as a ``torch.nn.Module`` holding a copy of its weights (float32); needs
        PyTorch, which kernelplay itself does not (see :mod:`kernelplay.core.torch_export`)."""
        from kernelplay.core.torch_export import _import_torch, torch_module

        torch = _import_torch()
        model = torch_module(self.config)
        model.load_state_dict({name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in self.params.items()})
        return model

    @property
    def kernels(self) -> dict[str, np.ndarray]:
        """Each conv layer's kernels ``(C_out, C_in, k, k)`` by layer name (views; copy to keep)."""
        return {f"conv{i}": self.params[f"conv{i}.weight"] for i in range(1, len(self.convs) + 1)}

    # --- files ----------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> Path:
        """Write the weights and config to ``path`` (``.npz``), atomically (temp file + rename)."""
        path = Path(path)
        arrays = {name: np.asarray(v, dtype=np.float32) for name, v in self.params.items()}
        meta = json.dumps({"format": _FORMAT, "version": _FORMAT_VERSION, "config": json.loads(self.config.to_json())})
        arrays[_CONFIG_KEY] = np.array(meta)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent if str(path.parent) else ".")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, dtype=np.float32) -> "Network":
        """Read a model saved by :meth:`save` (never unpickles). Raises :class:`ModelFileError`
        saying what is wrong for a corrupt file, a missing array or a wrong shape."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelFileError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as exc:
            raise ModelFileError(f"{path} is not a kernelplay model file (.npz): {exc}") from exc
        if _CONFIG_KEY not in arrays:
            raise ModelFileError(f"{path} has no '{_CONFIG_KEY}' entry: not a kernelplay model file")
        try:
            meta = json.loads(str(arrays.pop(_CONFIG_KEY)))
            if meta.get("format") != _FORMAT:
                raise ValueError(f"format is {meta.get('format')!r}, expected {_FORMAT!r}")
            config = NetworkConfig.from_json(json.dumps(meta["config"]))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ModelFileError(f"{path} has an invalid config entry: {exc}") from exc
        shapes = config.param_shapes()
        missing = [k for k in shapes if k not in arrays]
        if missing:
            raise ModelFileError(f"{path} lacks the arrays {', '.join(missing)}")
        extra = [k for k in arrays if k not in shapes]
        if extra:
            raise ModelFileError(f"{path} has unexpected arrays {', '.join(extra)}")
        for name, shape in shapes.items():
            a = arrays[name]
            if a.shape != shape:
                raise ModelFileError(f"{path}: {name} has shape {a.shape}, but the config needs {shape}")
            if not np.issubdtype(a.dtype, np.floating):
                raise ModelFileError(f"{path}: {name} has dtype {a.dtype}, expected floats")
            if not np.all(np.isfinite(a)):
                raise ModelFileError(f"{path}: {name} contains NaN or infinite values")
        net = cls(config, dtype=dtype)
        net.set_params(arrays)
        return net

    def __repr__(self) -> str:
        c = self.config
        return (f"Network(channels={c.channels}, kernel_size={c.kernel_size}, fc_width={c.fc_width}, "
                f"parameters={c.parameter_count:,})")
