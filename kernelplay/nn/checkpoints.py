"""Time travel: a bounded history of the weights at log-spaced steps (dense early, sparse later).

Memory: one checkpoint is every parameter as float32 — 4 bytes × 242,062 = 968,248 bytes (0.92 MiB)
for the default network — and the history never holds more than ``max_bytes`` of them (default
64 MiB: 69 checkpoints of the default network). Over the cap, the checkpoint whose two neighbours
are closest in log(step + 1) goes, never the first or the latest, so whatever the run's length the
steps kept stay evenly spread on a log axis: every step offered at the start, then ever wider gaps.

Measured for an hour in the app (216,000 steps at ~60 a second, one offered every third step, as
snapshots come at most every 0.05 s): 69 checkpoints, 66,809,112 bytes (63.7 MiB; RSS +63 MiB),
steps 0, 3, 6, … 27, then each about 1.1–1.25 times the one before, up to 145,461, 179,028 and
216,000; an ``add`` costs ~50 µs (the 0.92 MiB copy).
"""
from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Iterator, Mapping

import numpy as np

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.network import Network

__all__ = ["Checkpoint", "CheckpointHistory", "DEFAULT_MAX_BYTES", "flat_weights"]

DEFAULT_MAX_BYTES = 64 * 2 ** 20
_DTYPE = np.dtype(np.float32)  # the network's own dtype by default: a restored checkpoint is exact


def flat_weights(config: NetworkConfig, weights: np.ndarray | Mapping[str, np.ndarray]) -> np.ndarray:
    """Every parameter in one float32 vector in the order of :meth:`NetworkConfig.param_shapes`
    (a new array), from that vector (``Network.flat_params``) or from the parameters by name."""
    shapes = config.param_shapes()
    if isinstance(weights, Mapping):
        missing = [k for k in shapes if k not in weights]
        if missing:
            raise ValueError(f"missing parameters: {', '.join(missing)}")
        for name, shape in shapes.items():
            if np.shape(weights[name]) != shape:
                raise ValueError(f"parameter {name} has shape {np.shape(weights[name])}, expected {shape}")
        return np.concatenate([np.asarray(weights[k], _DTYPE).ravel() for k in shapes])
    flat = np.array(weights, dtype=_DTYPE)
    if flat.shape != (config.parameter_count,):
        raise ValueError(f"expected {config.parameter_count:,} weights in one vector, got shape {flat.shape}")
    return flat


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """The weights after training step ``step`` (``samples_seen`` digits), as one read-only float32
    vector in the order of :meth:`NetworkConfig.param_shapes`."""

    step: int
    samples_seen: int
    weights: np.ndarray
    config: NetworkConfig

    @property
    def params(self) -> dict[str, np.ndarray]:
        """The weights by name (read-only views), e.g. ``params["conv1.weight"]`` ``(16, 1, 5, 5)``."""
        views, offset = {}, 0
        for name, shape in self.config.param_shapes().items():
            size = math.prod(shape)
            views[name] = self.weights[offset:offset + size].reshape(shape)
            offset += size
        return views

    def load_into(self, network: Network) -> None:
        """Give ``network`` (of the same config) exactly these weights."""
        if network.config != self.config:
            raise ValueError(f"this checkpoint is of {self.config}, not of the network's {network.config}")
        network.flat_params[...] = self.weights

    def network(self, *, threads: int | None = 1) -> Network:
        """A new network holding these weights (one thread unless told otherwise)."""
        network = Network(self.config, seed=None, threads=threads)
        self.load_into(network)
        return network


class CheckpointHistory:
    """The weights at log-spaced steps of one run, at most ``max_bytes`` of them (module docstring).

    :meth:`add` after any step (every snapshot is fine: it keeps the latest and thins the rest);
    :meth:`at` for the timeline; :meth:`resume_from` to go back and train on from there.
    """

    def __init__(self, config: NetworkConfig, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.config = config
        self._size = config.parameter_count
        self.bytes_per_checkpoint = self._size * _DTYPE.itemsize
        self.max_bytes = int(max_bytes)
        self.capacity = self.max_bytes // self.bytes_per_checkpoint
        if self.capacity < 1:
            raise ValueError(f"{self.max_bytes:,} bytes cannot hold one checkpoint of this network "
                             f"({self.bytes_per_checkpoint:,} bytes)")
        self._checkpoints: list[Checkpoint] = []
        self._steps: list[int] = []

    def __len__(self) -> int:
        return len(self._checkpoints)

    def __iter__(self) -> Iterator[Checkpoint]:
        return iter(list(self._checkpoints))

    def __getitem__(self, index: int) -> Checkpoint:
        return self._checkpoints[index]

    @property
    def steps(self) -> list[int]:
        """The steps held, oldest first."""
        return list(self._steps)

    @property
    def nbytes(self) -> int:
        """The memory the weights take now, in bytes (at most ``max_bytes``)."""
        return sum(c.weights.nbytes for c in self._checkpoints)

    @property
    def latest(self) -> Checkpoint | None:
        return self._checkpoints[-1] if self._checkpoints else None

    def describe(self) -> str:
        """E.g. ``"69 checkpoints, 63.7 MiB of 64 MiB (0.92 MiB each)"``."""
        mib = 2 ** 20
        return (f"{len(self)} checkpoint{'' if len(self) == 1 else 's'}, {self.nbytes / mib:.1f} MiB of "
                f"{self.max_bytes / mib:g} MiB ({self.bytes_per_checkpoint / mib:.2f} MiB each)")

    def add(self, step: int, samples_seen: int, weights: np.ndarray | Mapping[str, np.ndarray]) -> Checkpoint:
        """Keep a copy of ``weights`` (``Network.flat_params`` or parameters by name) as those after
        ``step``; thin the history if it is over its cap. A step equal to the latest replaces it; an
        earlier one is an error (:meth:`resume_from` first)."""
        step, samples_seen = int(step), int(samples_seen)
        if step < 0 or samples_seen < 0:
            raise ValueError(f"step and samples seen must be non-negative, got {step} and {samples_seen}")
        if self._steps and step < self._steps[-1]:
            raise ValueError(f"step {step} comes before the latest checkpoint's ({self._steps[-1]})")
        if isinstance(weights, Mapping):
            flat = flat_weights(self.config, weights)
        else:
            flat = np.array(weights, dtype=_DTYPE)
            if flat.shape != (self._size,):
                raise ValueError(f"expected {self._size:,} weights in one vector, got shape {flat.shape}")
        flat.flags.writeable = False
        checkpoint = Checkpoint(step, samples_seen, flat, self.config)
        if self._steps and step == self._steps[-1]:
            self._checkpoints[-1] = checkpoint
            return checkpoint
        self._checkpoints.append(checkpoint)
        self._steps.append(step)
        while len(self._checkpoints) > self.capacity:
            self._drop(self._thinnest())
        return checkpoint

    def _thinnest(self) -> int:
        """The index whose removal leaves the smallest gap in log(step + 1): an inner one when there
        is one, so the first and the latest stay."""
        if len(self._steps) <= 2:
            return 0
        position = np.log1p(np.array(self._steps, dtype=np.float64))
        return 1 + int(np.argmin(position[2:] - position[:-2]))

    def _drop(self, index: int) -> None:
        del self._checkpoints[index]
        del self._steps[index]

    def at(self, step: int) -> Checkpoint | None:
        """The checkpoint at ``step`` or the nearest before it (None before the first)."""
        i = bisect.bisect_right(self._steps, step)
        return self._checkpoints[i - 1] if i else None

    def drop_after(self, step: int) -> None:
        """Forget the checkpoints after ``step``."""
        keep = bisect.bisect_right(self._steps, step)
        del self._checkpoints[keep:]
        del self._steps[keep:]

    def resume_from(self, step: int) -> Checkpoint:
        """"Resume from here": the checkpoint :meth:`at` ``step``, with everything after it dropped.
        Load its weights into the trainer's network and set its step and digits seen from it."""
        checkpoint = self.at(step)
        if checkpoint is None:
            raise ValueError(f"no checkpoint at or before step {step}")
        self.drop_after(checkpoint.step)
        return checkpoint

    def clear(self) -> None:
        self._checkpoints.clear()
        self._steps.clear()
