"""The network as a PyTorch module, for a user who outgrows the app. PyTorch is not a dependency:
it is imported only when asked for.

    import kernelplay
    model = kernelplay.Network.load("digits.npz").to_torch()      # weights included
    model = torch_module(config)                                   # fresh, same names and shapes
    model = torch_module(config, network.params)                   # a copy of these weights

The module's attributes are ``conv1, conv2, …, fc1, fc2``, so its ``state_dict`` has the names
and shapes of kernelplay's model files, and ``load_state_dict`` takes their arrays as they are.
"""
from __future__ import annotations

import numpy as np

from kernelplay.nn.config import NUM_CLASSES, NetworkConfig

__all__ = ["torch_module"]


def import_torch():
    try:
        import torch
    except ImportError as exc:
        raise ImportError("PyTorch is not installed (pip install torch); kernelplay itself does not need it") from exc
    return torch


def torch_module(config: NetworkConfig | None = None, params: dict[str, np.ndarray] | None = None):
    """A ``torch.nn.Module`` with the architecture of ``config`` (default: the default network):
    ``len(channels)`` × (conv k×k 'same' → ReLU → 2×2 max-pool) → flatten → FC → ReLU → FC 10.
    Its input is ``(N, 1, 28, 28)`` floats, its output ``(N, 10)`` logits; its weights are a
    float32 copy of ``params`` (by ``state_dict`` name), or PyTorch's fresh initialisation."""
    config = NetworkConfig() if config is None else config
    torch = import_torch()
    nn, functional = torch.nn, torch.nn.functional

    class DigitCNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            c_in, k = 1, config.kernel_size
            for i, c in enumerate(config.channels, 1):
                setattr(self, f"conv{i}", nn.Conv2d(c_in, c, k, padding=k // 2))
                c_in = c
            self.fc1 = nn.Linear(config.flat_features, config.fc_width)
            self.fc2 = nn.Linear(config.fc_width, NUM_CLASSES)

        def forward(self, x):
            for i in range(1, len(config.channels) + 1):
                x = functional.max_pool2d(functional.relu(getattr(self, f"conv{i}")(x)), 2)
            return self.fc2(functional.relu(self.fc1(x.flatten(1))))

    model = DigitCNN()
    if params is not None:
        model.load_state_dict({name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in params.items()})
    return model
