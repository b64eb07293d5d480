"""One unit of the network, explained with its real numbers: the network's version of
:func:`kernelplay.imaging.explain.explain_pixel`.

:func:`explain_unit` runs the digit through the network once and recomputes the chosen unit from
the stage before it, written out: for a conv unit each input channel's window times its kernel
slice, the slices' sums added one by one, the bias and the ReLU; for a pool unit the 2×2 window and
its winner; for an FC unit each input's contribution and the bias; for a score the softmax. The
sums run in float64 over the network's float32 values, so they equal the network's own numbers to
float32 precision. Arrays are float64 and read-only.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from kernelplay.nn.config import IMAGE_SIZE
from kernelplay.nn.network import Network
from kernelplay.nn.receptive_field import Box

__all__ = ["UnitExplanation", "ConvExplanation", "PoolExplanation", "DenseExplanation", "ScoreExplanation",
           "Step", "explain_unit", "explainable_stages"]


@dataclass(frozen=True)
class Step:
    """One step of the way to a unit's value: what was done and the total so far."""

    label: str  # "input channel 3", "+ bias", "ReLU"
    total: float


@dataclass(frozen=True, kw_only=True, eq=False)
class UnitExplanation:
    """What every explained unit has: where it is and its value. ``row = col = 0`` for FC units
    and scores, where ``channel`` is the unit (the class, for scores)."""

    stage: str
    channel: int
    row: int
    col: int
    value: float

    # Arrays make the generated == ambiguous; two explanations are equal when every field is.
    def __eq__(self, other) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
                   for a, b in ((getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self)))

    __hash__ = None  # arrays are not hashable

    def steps(self) -> tuple[Step, ...]:
        """The way to ``value``, one :class:`Step` at a time (for a Next / Back step view)."""
        return (Step("value", self.value),)


@dataclass(frozen=True, kw_only=True, eq=False)
class ConvExplanation(UnitExplanation):
    """A conv unit: ``value = ReLU(Σ_c channel_sums[c] + bias)``, ``channel_sums[c] =
    Σ windows[c] · weights[c]``.

    ``windows`` ``(C_in, k, k)``: the ``input_stage``'s maps under the kernel centred on
    ``(row, col)``, 0 where the window hangs over the edge (``is_padding`` ``(k, k)`` marks those
    cells, the same for every input channel). ``weights`` ``(C_in, k, k)`` is
    ``network.params[f"{stage}.weight"][channel]``.
    """

    input_stage: str  # "input" for conv1, else the pool before
    windows: np.ndarray
    is_padding: np.ndarray
    weights: np.ndarray
    channel_sums: np.ndarray
    bias: float
    pre_activation: float

    @property
    def products(self) -> np.ndarray:
        """``windows · weights``, ``(C_in, k, k)``: each slice's terms."""
        return self.windows * self.weights

    @property
    def running_sums(self) -> np.ndarray:
        """The channel sums added one by one, ``(C_in,)``: the last is the total before the bias."""
        return np.cumsum(self.channel_sums)

    def partial_sum(self, count: int) -> float:
        """The sum of the first ``count`` channel sums: 0 for none, the total before the bias for all."""
        count = max(0, min(int(count), self.channel_sums.size))
        return float(self.running_sums[count - 1]) if count else 0.0

    @property
    def window_box(self) -> Box:
        """Where the window lies on the input maps, cut to them (to outline it there)."""
        radius = self.weights.shape[-1] // 2
        side = _map_side(self.input_stage)
        return Box(self.row - radius, self.col - radius, self.row + radius + 1, self.col + radius + 1).clipped(side, side)

    def steps(self) -> tuple[Step, ...]:
        sums = [Step(f"input channel {c}", float(total)) for c, total in enumerate(self.running_sums)]
        return (*sums, Step("+ bias", self.pre_activation), Step("ReLU", self.value))


@dataclass(frozen=True, kw_only=True, eq=False)
class PoolExplanation(UnitExplanation):
    """A max-pool unit: ``value = window.max()``, the first maximum in reading order on a tie (as
    the network and PyTorch pick it). ``window`` ``(2, 2)`` is the ``input_stage`` conv map at rows
    ``2·row, 2·row + 1`` and columns ``2·col, 2·col + 1``; ``argmax`` is the winner's (row, col) in
    the window."""

    input_stage: str
    window: np.ndarray
    argmax: tuple[int, int]

    @property
    def window_box(self) -> Box:
        return Box(2 * self.row, 2 * self.col, 2 * self.row + 2, 2 * self.col + 2)

    def steps(self) -> tuple[Step, ...]:
        return (Step(f"max, at ({self.argmax[0]}, {self.argmax[1]}) in the window", self.value),)


@dataclass(frozen=True, kw_only=True, eq=False)
class DenseExplanation(UnitExplanation):
    """A hidden FC unit: ``value = ReLU(Σ contributions + bias)``, ``contributions = inputs ·
    weights`` ``(F,)``. ``inputs`` are the last pool's maps flattened in (channel, row, col) order
    (``source`` and ``index_of`` convert); ``input_stage`` names that pool and ``input_shape`` is
    its ``(C, H, W)``."""

    input_stage: str
    inputs: np.ndarray
    weights: np.ndarray
    contributions: np.ndarray
    input_shape: tuple[int, int, int]
    bias: float
    pre_activation: float

    def source(self, index: int) -> tuple[int, int, int]:
        """The (channel, row, col) of the last pool that flattened input ``index`` comes from."""
        return tuple(int(i) for i in np.unravel_index(int(index), self.input_shape))

    def index_of(self, channel: int, row: int, col: int) -> int:
        """The flattened index of the last pool's ``(channel, row, col)``."""
        return int(np.ravel_multi_index((channel, row, col), self.input_shape))

    def largest(self, count: int = 10) -> list[tuple[int, float]]:
        """The ``count`` contributions of largest magnitude, as (flattened index, contribution)."""
        order = np.argsort(-np.abs(self.contributions), kind="stable")[:max(0, int(count))]
        return [(int(i), float(self.contributions[i])) for i in order]

    @property
    def channel_totals(self) -> np.ndarray:
        """The contributions summed per input map, ``(C,)``: which maps push this unit up or down."""
        return self.contributions.reshape(self.input_shape[0], -1).sum(axis=1)

    def steps(self) -> tuple[Step, ...]:
        return (Step("Σ contributions", float(self.contributions.sum())), Step("+ bias", self.pre_activation),
                Step("ReLU", self.value))


@dataclass(frozen=True, kw_only=True, eq=False)
class ScoreExplanation(UnitExplanation):
    """A class score: the softmax written out. ``exps = exp(logits − shift)`` with ``shift`` the
    largest logit (so no exp overflows; it cancels in the division), ``total = Σ exps`` and
    ``value = exps[channel] / total``, the probability of digit ``channel``."""

    logits: np.ndarray
    shift: float
    exps: np.ndarray
    total: float

    @property
    def probabilities(self) -> np.ndarray:
        return self.exps / self.total

    def steps(self) -> tuple[Step, ...]:
        c = self.channel
        return (Step(f"logit of {c}", float(self.logits[c])), Step(f"exp(logit − {self.shift:g})", float(self.exps[c])),
                Step("÷ Σ exp", self.value))


def explainable_stages(network: Network) -> list[str]:
    """The stages :func:`explain_unit` takes: every conv and pool stage, the hidden FC, the scores."""
    return [name for name, _ in network.config.stage_shapes() if name not in ("input", "flatten")]


def _map_side(stage: str) -> int:
    """The side of a conv's input maps: 28 for the input, halved by each pool before."""
    return IMAGE_SIZE if stage == "input" else IMAGE_SIZE >> int(stage[len("pool"):])


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def _check_index(what: str, value, size: int, stage: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{stage} has {what}s 0 to {size - 1}; {value} is out of range")
    return int(value)


def _check_image(image) -> np.ndarray:
    array = np.asarray(image)
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        array = array.reshape(array.shape[-2:]) if array.size == IMAGE_SIZE ** 2 and array.ndim > 2 else array
    if array.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f"explain_unit takes one 28×28 digit, got an array of shape {np.shape(image)}")
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)):
        raise ValueError("the digit's pixels must be finite numbers (floats in [0, 1])")
    return array


def explain_unit(network: Network, image, stage: str, channel: int, row: int = 0, col: int = 0) -> UnitExplanation:
    """Explain unit ``(channel, row, col)`` of ``stage`` for one digit.

    image: ``(28, 28)`` floats in [0, 1] (as :class:`Network` takes it). stage: a name from
    ``network.config.stage_shapes()`` other than ``"input"`` and ``"flatten"``. For ``"fc1"`` and
    ``"scores"`` ``channel`` is the unit (the class) and ``row = col = 0``. Returns a
    :class:`ConvExplanation`, :class:`PoolExplanation`, :class:`DenseExplanation` or
    :class:`ScoreExplanation`; its ``value`` equals ``network.activations(image[None, None])[stage]``
    at that unit (to float32 precision). ``ValueError`` says what is wrong with a stage or position.
    """
    shapes = dict(network.config.stage_shapes())
    stages = explainable_stages(network)
    if stage not in stages:
        raise ValueError(f"cannot explain stage {stage!r}; choose one of {', '.join(stages)}")
    shape = shapes[stage]
    channel = _check_index("channel" if len(shape) == 3 else "unit", channel, shape[0], stage)
    if len(shape) == 3:
        row = _check_index("row", row, shape[1], stage)
        col = _check_index("column", col, shape[2], stage)
    elif row != 0 or col != 0:
        raise ValueError(f"{stage} units have no position: row and col must be 0, got ({row}, {col})")
    acts = network.activations(_check_image(image)[None, None])
    where = dict(stage=stage, channel=channel, row=int(row), col=int(col))
    if stage.startswith("conv"):
        return _explain_conv(network, acts, where)
    if stage.startswith("pool"):
        return _explain_pool(acts, where)
    if stage == "scores":
        return _explain_score(network, acts, where)
    return _explain_dense(network, acts, where)


def _explain_conv(network: Network, acts: dict, where: dict) -> ConvExplanation:
    stage, channel, row, col = where["stage"], where["channel"], where["row"], where["col"]
    number = int(stage[len("conv"):])
    input_stage = "input" if number == 1 else f"pool{number - 1}"
    maps = acts[input_stage][0].astype(np.float64)  # (C_in, H, W)
    weights = network.params[f"{stage}.weight"][channel].astype(np.float64)  # (C_in, k, k)
    k = weights.shape[-1]
    p = k // 2
    _, height, width = maps.shape
    rows, cols = np.arange(row - p, row + p + 1), np.arange(col - p, col + p + 1)
    inside_rows, inside_cols = (rows >= 0) & (rows < height), (cols >= 0) & (cols < width)
    is_padding = ~(inside_rows[:, None] & inside_cols[None, :])
    windows = maps[:, np.clip(rows, 0, height - 1)][:, :, np.clip(cols, 0, width - 1)]
    windows[:, is_padding] = 0.0  # the 'same' padding's zeros
    channel_sums = (windows * weights).sum(axis=(1, 2))
    bias = float(network.params[f"{stage}.bias"][channel])
    pre_activation = float(channel_sums.sum()) + bias
    return ConvExplanation(**where, value=max(pre_activation, 0.0), input_stage=input_stage,
                           windows=_read_only(windows), is_padding=_read_only(is_padding),
                           weights=_read_only(weights), channel_sums=_read_only(channel_sums),
                           bias=bias, pre_activation=pre_activation)


def _explain_pool(acts: dict, where: dict) -> PoolExplanation:
    input_stage = "conv" + where["stage"][len("pool"):]
    row, col = where["row"], where["col"]
    window = acts[input_stage][0, where["channel"], 2 * row:2 * row + 2, 2 * col:2 * col + 2].astype(np.float64)
    winner = np.unravel_index(int(np.argmax(window)), window.shape)  # the first maximum, as the network's
    return PoolExplanation(**where, value=float(window[winner]), input_stage=input_stage,
                           window=_read_only(window), argmax=(int(winner[0]), int(winner[1])))


def _explain_dense(network: Network, acts: dict, where: dict) -> DenseExplanation:
    unit = where["channel"]
    inputs = acts["flatten"][0].astype(np.float64)
    weights = network.params[f"{where['stage']}.weight"][unit].astype(np.float64)
    contributions = inputs * weights
    bias = float(network.params[f"{where['stage']}.bias"][unit])
    pre_activation = float(contributions.sum()) + bias
    last_pool = f"pool{network.config.num_stages}"
    return DenseExplanation(**where, value=max(pre_activation, 0.0), input_stage=last_pool, inputs=_read_only(inputs),
                            weights=_read_only(weights), contributions=_read_only(contributions),
                            input_shape=tuple(acts[last_pool].shape[1:]), bias=bias, pre_activation=pre_activation)


def _explain_score(network: Network, acts: dict, where: dict) -> ScoreExplanation:
    hidden = acts["fc1"][0].astype(np.float64)
    logits = network.params["fc2.weight"].astype(np.float64) @ hidden + network.params["fc2.bias"]
    shift = float(logits.max())
    exps = np.exp(logits - shift)
    total = float(exps.sum())
    return ScoreExplanation(**where, value=float(exps[where["channel"]] / total), logits=_read_only(logits),
                            shift=shift, exps=_read_only(exps), total=total)
