"""Kernels that cross between the tabs: a learned kernel into the playground, a playground kernel
into the network's first layer (optionally frozen), and the preset a learned kernel looks most like.

The one module that knows both domains: :mod:`kernelplay.imaging` (presets, kernel checks) and
:mod:`kernelplay.nn` (the network) never import each other, so what joins them lives here. Kernels
are float64 k×k arrays read as cross-correlation weights, in both tabs.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from kernelplay.imaging.kernels import PRESETS, check_kernel
from kernelplay.nn.network import Network

__all__ = ["PresetMatch", "fit_kernel", "learned_kernel", "put_kernel", "preset_correlations", "nearest_preset"]

COMPARED_SIZE = 5  # presets and kernels are compared as 5×5, a 3×3 one inside a ring of zeros


def fit_kernel(kernel, size: int) -> np.ndarray:
    """``kernel`` (3×3 or 5×5) as a ``size × size`` float64 kernel: a 3×3 one centred in a ring of
    zeros for 5×5 (the same filter: the ring adds nothing), the centre 3×3 of a 5×5 one for 3×3
    (the outer ring is dropped, so that filter only resembles the original)."""
    kernel = check_kernel(kernel)
    if size not in (3, 5):
        raise ValueError(f"a kernel is 3×3 or 5×5, not {size}×{size}")
    margin = (size - kernel.shape[0]) // 2
    if margin >= 0:
        return np.pad(kernel, margin)
    return kernel[-margin:margin, -margin:margin].copy()


def learned_kernel(network: Network, stage: str = "conv1", channel: int = 0, in_channel: int = 0) -> np.ndarray:
    """The kernel slice that ``channel`` of conv ``stage`` applies to input channel ``in_channel``,
    as a playground kernel (a float64 k×k copy). conv1 has one input channel, the digit."""
    name = f"{stage}.weight"
    if not stage.startswith("conv") or name not in network.params:
        convs = [f"conv{i}" for i in range(1, network.config.num_stages + 1)]
        raise ValueError(f"{stage!r} has no kernels; choose one of {', '.join(convs)}")
    weights = network.params[name]
    for what, value, count in (("channel", channel, weights.shape[0]), ("input channel", in_channel, weights.shape[1])):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < count:
            raise ValueError(f"{stage} has {what}s 0 to {count - 1}, not {value!r}")
    return weights[channel, in_channel].astype(np.float64)


def put_kernel(network: Network, channel: int, kernel, *, frozen: bool = False) -> np.ndarray:
    """Copy a playground kernel into conv1 ``channel`` (fitted to the network's kernel size with
    :func:`fit_kernel`), set that channel's bias to 0, so it computes the playground's sum (then
    the ReLU), and freeze it or not: a frozen channel keeps this kernel while the rest trains.
    Returns the kernel as placed (k×k float64)."""
    count = network.config.channels[0]
    if isinstance(channel, bool) or not isinstance(channel, (int, np.integer)) or not 0 <= channel < count:
        raise ValueError(f"conv1 has channels 0 to {count - 1}, not {channel!r}")
    placed = fit_kernel(kernel, network.config.kernel_size)
    network.params["conv1.weight"][channel, 0] = placed
    network.params["conv1.bias"][channel] = 0.0
    network.set_frozen(int(channel), frozen)
    return placed


class PresetMatch(NamedTuple):
    """The preset a kernel looks most like, and their correlation in [−1, 1] (None and 0.0 for a
    flat kernel, which has no pattern to compare)."""

    name: str | None
    correlation: float


# Stretches a 3×3 kernel to 5×5, the same pattern at twice the size: rows and columns 0, 1, 2 go
# to 0, 2, 4, and 1, 3 take the mean of their neighbours (bilinear).
_STRETCH = np.array([[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0], [0, 0.5, 0.5], [0, 0, 1]])


def _pattern(kernel: np.ndarray) -> np.ndarray | None:
    """A 5×5 kernel's 25 weights less their mean, scaled to length 1: None when it is flat."""
    centred = kernel.ravel() - kernel.mean()
    length = np.linalg.norm(centred)
    return centred / length if length > 1e-9 * np.abs(kernel).max() else None


def _preset_forms(preset: np.ndarray) -> list[np.ndarray]:
    """A preset as 5×5: a 5×5 one as it is; a 3×3 one both in a ring of zeros (the same filter)
    and stretched (the same pattern at twice the size, as a learned 5×5 kernel may have it)."""
    if preset.shape[0] == COMPARED_SIZE:
        return [preset]
    return [fit_kernel(preset, COMPARED_SIZE), _STRETCH @ preset @ _STRETCH.T]


def _scores(kernel, presets: dict[str, np.ndarray] | None) -> dict[str, tuple[float, bool]]:
    """Each preset's best correlation with ``kernel`` and whether its stretched form gave it."""
    mine = _pattern(fit_kernel(kernel, COMPARED_SIZE))
    scores = {}
    for name, preset in (PRESETS if presets is None else presets).items():
        best = None
        for stretched, form in enumerate(_preset_forms(check_kernel(preset))):
            theirs = _pattern(form)
            if mine is not None and theirs is not None:
                # rounded: 1.0, not 0.9999999999999998, for a preset itself; a tie keeps the first form
                r = round(min(max(float(mine @ theirs), -1.0), 1.0), 12)
                if best is None or r > best[0]:
                    best = (r, bool(stretched))
        scores[name] = (0.0, False) if best is None else best
    return scores


def preset_correlations(kernel, presets: dict[str, np.ndarray] | None = None) -> dict[str, float]:
    """The correlation of ``kernel`` (3×3 or 5×5) with each preset (default: :data:`PRESETS`), by
    name in menu order.

    Everything is compared as 5×5: a 3×3 kernel inside a ring of zeros (the same filter), a 3×3
    preset both that way and stretched to twice its size, the better of the two counting (learned
    5×5 kernels tend to spread an edge or a blob over the whole window). The measure is the
    Pearson correlation of the 25 weights: the pattern counts, not the scale or an added constant,
    so a learned edge detector of weights ±0.2 matches the sobel of ±2. 1 is the same pattern, −1
    the opposite one (top sobel against bottom sobel). A flat kernel, or a preset flat in one form
    (box blur stretched), correlates 0."""
    return {name: r for name, (r, _) in _scores(kernel, presets).items()}


def nearest_preset(kernel, presets: dict[str, np.ndarray] | None = None) -> PresetMatch:
    """The preset ``kernel`` looks most like (the highest :func:`preset_correlations`), e.g.
    ``PresetMatch("top sobel", 0.67)`` for a learned horizontal-edge detector;
    ``PresetMatch(None, 0.0)`` for a flat kernel. On a tie a preset matched at its own size beats
    one matched stretched (identity stretched *is* blur: a blob is said to look like blur), then
    the menu order decides."""
    if _pattern(fit_kernel(kernel, COMPARED_SIZE)) is None:
        return PresetMatch(None, 0.0)
    scores = _scores(kernel, presets)
    name = max(scores, key=lambda n: (scores[n][0], not scores[n][1]), default=None)
    return PresetMatch(name, scores[name][0] if name is not None else 0.0)
