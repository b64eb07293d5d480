"""The digit CNN's architecture as a small frozen value: stages, channels, kernel size, FC width.

Default (the default network): input 1×28×28 → conv 5×5, 16 channels ('same'), ReLU, 2×2 max-pool →
conv 5×5, 36 channels, ReLU, max-pool → 36×7×7 → flatten → FC 128, ReLU → FC 10 → softmax scores.

Parameter names and shapes follow PyTorch's ``state_dict`` of the equivalent module with attributes
``conv1, conv2, …, fc1, fc2`` (``conv1.weight`` ``(16, 1, 5, 5)``, ``fc1.weight`` ``(128, 1764)``
with the flatten in C, H, W order), so a saved model loads into PyTorch with one line.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

__all__ = ["NetworkConfig", "IMAGE_SIZE", "NUM_CLASSES", "KERNEL_SIZES", "MAX_STAGES", "MAX_CHANNELS", "MAX_FC_WIDTH"]

IMAGE_SIZE = 28
NUM_CLASSES = 10
KERNEL_SIZES = (3, 5)
MAX_STAGES = 3
MAX_CHANNELS = 64
MAX_FC_WIDTH = 1024


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
        if not 1 <= len(channels) <= MAX_STAGES:
            raise ValueError(f"the network needs 1 to {MAX_STAGES} conv stages, got {len(channels)} ({channels})")
        for i, c in enumerate(channels, 1):
            if isinstance(c, bool) or not isinstance(c, (int, np.integer)) or not 1 <= c <= MAX_CHANNELS:
                raise ValueError(f"conv stage {i} must have 1 to {MAX_CHANNELS} channels, got {c!r}")
        object.__setattr__(self, "channels", tuple(int(c) for c in channels))
        if self.kernel_size not in KERNEL_SIZES or isinstance(self.kernel_size, bool):
            raise ValueError(f"kernel size must be 3 or 5, got {self.kernel_size!r}")
        fc = self.fc_width
        if isinstance(fc, bool) or not isinstance(fc, (int, np.integer)) or not 1 <= fc <= MAX_FC_WIDTH:
            raise ValueError(f"FC width must be 1 to {MAX_FC_WIDTH} units, got {fc!r}")
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
