"""Receptive fields: the input pixels a unit of a stage can see, computed from the config.

Walking forward from one input pixel: a k×k conv ('same', stride 1) widens the field by ``k − 1``
steps of the present stride and moves its top-left corner ``k // 2`` steps up and left (the
padding); a 2×2 max-pool widens it by one step and doubles the stride. So for the default network a
conv1 unit sees 5×5 pixels, a pool1 unit 6×6, a conv2 unit 14×14 and a pool2 unit 16×16; an FC
unit or a score sees the whole image.
"""
from __future__ import annotations

from typing import NamedTuple

from kernelplay.nn.config import IMAGE_SIZE, NetworkConfig

__all__ = ["Box", "Field", "field_of", "receptive_field", "MAP_STAGES"]

MAP_STAGES = ("conv", "pool")  # the stages whose units sit on a map, at a row and a column


class Box(NamedTuple):
    """A rectangle of pixels: rows ``top … bottom − 1``, columns ``left … right − 1`` (ends
    exclusive, as in slices)."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.right - self.left

    def slices(self) -> tuple[slice, slice]:
        """``image[box.slices()]`` is the part of the image inside the box."""
        return slice(self.top, self.bottom), slice(self.left, self.right)

    def clipped(self, height: int = IMAGE_SIZE, width: int = IMAGE_SIZE) -> "Box":
        """The part of the box inside a ``height × width`` image."""
        return Box(max(self.top, 0), max(self.left, 0), min(self.bottom, height), min(self.right, width))


class Field(NamedTuple):
    """How a stage's units see the input: unit ``(row, col)`` sees the ``size × size`` pixels from
    ``(offset + row · stride, offset + col · stride)`` on (some of them outside the image)."""

    size: int
    stride: int
    offset: int

    def box(self, row: int, col: int) -> Box:
        top, left = self.offset + row * self.stride, self.offset + col * self.stride
        return Box(top, left, top + self.size, left + self.size)


def field_of(config: NetworkConfig, stage: str) -> Field:
    """The receptive field of ``stage`` (``"conv1"``, ``"pool2"``, …; ``"input"`` sees one pixel).
    FC stages and scores see the whole image: ``Field(28, 0, 0)``."""
    names = [name for name, _ in config.stage_shapes()]
    if stage not in names:
        raise ValueError(f"unknown stage {stage!r}; the network's stages are {', '.join(names)}")
    if not stage.startswith(MAP_STAGES + ("input",)):
        return Field(IMAGE_SIZE, 0, 0)
    size, stride, offset = 1, 1, 0
    for name in names[1:names.index(stage) + 1]:
        if name.startswith("conv"):
            size += (config.kernel_size - 1) * stride
            offset -= (config.kernel_size // 2) * stride
        else:  # a 2×2 pool, stride 2
            size += stride
            stride *= 2
    return Field(size, stride, offset)


def receptive_field(config: NetworkConfig, stage: str, row: int = 0, col: int = 0, *, clip: bool = True) -> Box:
    """The pixels unit ``(row, col)`` of ``stage`` sees, as a :class:`Box`, cut to the 28×28 image
    unless ``clip=False`` (then it may reach past the edges, where the padding's zeros are)."""
    box = field_of(config, stage).box(row, col)
    return box.clipped() if clip else box
