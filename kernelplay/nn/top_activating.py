"""What a channel looks for: the digits that excite it most, where, and what they have in common.

:func:`top_activating` runs many digits (the held-out set) through the network up to the chosen
conv or pool stage, computing only the one channel asked for at that stage (the stages before it in
full, as the network's fast channels-last layers do), keeps each digit's strongest unit of that
channel, and returns the ``count`` best digits with that unit's receptive field, their average and
the average of their receptive fields laid on top of each other. For the default network and the
2,000 held-out digits: ~12 ms for a conv1 channel, ~110 ms for a conv2 channel, on one core — about
1 and 11 training steps of batch 64; ``Network.activations`` and a maximum take ~300 ms
(``benchmarks/bench_top_activating.py``).
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from kernelplay.nn.config import IMAGE_SIZE
from kernelplay.nn.fast.blas import blas_threads, can_set_threads
from kernelplay.nn.fast.layers import FastConv2D, FastMaxPool2D
from kernelplay.nn.network import Network
from kernelplay.nn.receptive_field import MAP_STAGES, Box, field_of

__all__ = ["Hit", "TopActivating", "top_activating", "channel_peaks"]

BATCH = 250  # digits per forward: big enough for BLAS, small enough to stay in cache (~4 MB a map)


class Hit(NamedTuple):
    """One digit that excites the channel: its index among the digits given, the channel's largest
    value on it, the unit that has it ``(row, col)`` in the stage's map, and that unit's receptive
    field on the digit (cut to the image)."""

    index: int
    value: float
    unit: tuple[int, int]
    box: Box


@dataclass(frozen=True, eq=False)
class TopActivating:
    """The digits that excite channel ``channel`` of ``stage`` most, strongest first (``hits``;
    iterating over the result walks them). ``average``: those digits' mean ``(28, 28)``.
    ``field_average``: the mean of their receptive fields, each cut out around its unit and laid on
    the others ``(size, size)``, with zeros where a field reaches past the image (as the padding
    has) — the pattern the channel responds to, where the whole-digit average blurs it."""

    stage: str
    channel: int
    hits: tuple[Hit, ...]
    average: np.ndarray
    field_average: np.ndarray

    def __iter__(self):
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)


def _check(network: Network, stage: str, channel: int) -> int:
    shapes = dict(network.config.stage_shapes())
    maps = [name for name in shapes if name.startswith(MAP_STAGES)]
    if stage not in maps:
        raise ValueError(f"top_activating looks at the maps of a conv or pool stage; choose one of {', '.join(maps)}, "
                         f"not {stage!r}")
    count = shapes[stage][0]
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < count:
        raise ValueError(f"{stage} has channels 0 to {count - 1}, not {channel!r}")
    return int(channel)


def _digits(digits) -> np.ndarray:
    """``(N, 1, 28, 28)`` or ``(N, 28, 28)`` → ``(N, 28, 28)``, a view when possible."""
    array = np.asarray(digits)
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 3 or array.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE) or len(array) == 0:
        raise ValueError(f"expected digits of shape (N, 28, 28) or (N, 1, 28, 28), got {np.shape(digits)}")
    return array


class _Prefix:
    """The network's layers up to conv stage ``number``, that stage cut to one output channel.
    Conv and pool are the fast channels-last layers bound to the network's own weights."""

    def __init__(self, network: Network, number: int, channel: int) -> None:
        config, k = network.config, network.config.kernel_size
        self.dtype = network.dtype
        self.convs, self.pools = [], []
        c_in = 1
        for i, c in enumerate(config.channels[:number], 1):
            weight, bias = network.params[f"conv{i}.weight"], network.params[f"conv{i}.bias"]
            if i == number:  # only the channel asked for
                weight, bias, c = weight[channel:channel + 1], bias[channel:channel + 1], 1
            conv = FastConv2D(c_in, c, k, needs_input_grad=False)
            conv.params = {"weight": weight, "bias": bias}
            self.convs.append(conv)
            self.pools.append(FastMaxPool2D())
            c_in = c

    def maps(self, x: np.ndarray, pool_last: bool) -> np.ndarray:
        """x: ``(N, 28, 28)`` → the channel's maps ``(N, H, W)`` after the last conv's ReLU, or
        after its pool with ``pool_last``."""
        n, h, w = x.shape
        self.convs[0].input_buffer(h, w, n, self.dtype)[..., 0] = x.transpose(1, 2, 0)  # (H, W, N)
        for conv, pool, following in zip(self.convs, self.pools, self.convs[1:]):
            a = conv.forward_buffer(h, w, n, self.dtype, add_bias=False, split_for_pool=True)  # the bias left to the pool
            h, w = h // 2, w // 2
            pool.forward(a, out=following.input_buffer(h, w, n, self.dtype),
                         bias=conv.params["bias"])  # ReLU and pool, straight into the next conv's input
        conv = self.convs[-1]
        if pool_last:
            a = self.pools[-1].forward(conv.forward_buffer(h, w, n, self.dtype, add_bias=False, split_for_pool=True),
                                       bias=conv.params["bias"])
        else:
            a = np.maximum(conv.forward_buffer(h, w, n, self.dtype), 0)
        return a[..., 0].transpose(2, 0, 1)  # (H, W, N, 1) → (N, H, W)


def channel_peaks(network: Network, digits, stage: str, channel: int) -> tuple[np.ndarray, np.ndarray]:
    """For each digit, the largest value of ``channel``'s map at ``stage`` and where it is:
    (values ``(N,)`` float32, units ``(N, 2)`` rows and columns; the first in reading order on a tie).
    The same numbers as ``network.activations(digits)[stage][:, channel]``, at a fraction of the cost."""
    channel = _check(network, stage, channel)
    x = _digits(digits)
    prefix = _Prefix(network, int(stage[len("conv"):]), channel)
    values = np.empty(len(x), network.dtype)
    units = np.empty((len(x), 2), np.intp)
    with blas_threads(1) if can_set_threads() else nullcontext():  # one core: training has the other
        for start in range(0, len(x), BATCH):
            chunk = x[start:start + BATCH].astype(network.dtype, copy=False)
            maps = prefix.maps(chunk, stage.startswith("pool"))
            flat = maps.reshape(len(chunk), -1)
            best = flat.argmax(axis=1)
            values[start:start + len(chunk)] = flat[np.arange(len(chunk)), best]
            units[start:start + len(chunk)] = np.stack(np.unravel_index(best, maps.shape[1:]), axis=1)
    return values, units


def top_activating(network: Network, digits, stage: str, channel: int, count: int = 9) -> TopActivating:
    """The ``count`` digits (of ``digits``, ``(N, 28, 28)`` or ``(N, 1, 28, 28)`` floats in [0, 1])
    on which ``channel`` of conv or pool ``stage`` fires most, strongest first (the earlier digit on
    a tie), each with its strongest unit and that unit's receptive field, their average and the
    average of their receptive fields (see :class:`TopActivating`)."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 1:
        raise ValueError(f"count must be a whole number of at least 1, got {count!r}")
    values, units = channel_peaks(network, digits, stage, channel)
    x = _digits(digits)
    order = np.argsort(-values.astype(np.float64), kind="stable")[:count]
    field = field_of(network.config, stage)
    hits, fields = [], []
    for i in order:
        row, col = (int(u) for u in units[i])
        box = field.box(row, col)
        hits.append(Hit(int(i), float(values[i]), (row, col), box.clipped()))
        padded = np.pad(x[i].astype(np.float64), field.size)  # room for a field that leaves the image
        fields.append(padded[box.top + field.size:box.bottom + field.size, box.left + field.size:box.right + field.size])
    average = x[order].astype(np.float64).mean(axis=0)
    return TopActivating(stage, int(channel), tuple(hits), _read_only(average), _read_only(np.mean(fields, axis=0)))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array
