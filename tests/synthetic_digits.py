"""Digits made in code for the training tests: ten easy classes, so a small network learns them in
a few hundred steps, and the suite needs no download and little time."""
import numpy as np

from kernelplay.nn.config import NetworkConfig
from kernelplay.nn.datasets import Digits, DigitSplit

SMALL = NetworkConfig(channels=(4, 6), kernel_size=3, fc_width=16)  # trains in milliseconds a step


def bar_digits(n_train: int = 300, n_heldout: int = 100, seed: int = 0) -> DigitSplit:
    """Class k is a bright bar at row 3 + 2k (horizontal for even k, a column for odd k), on noise."""
    rng = np.random.default_rng(seed)

    def make(n):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            pos = 3 + 2 * int(k)
            if k % 2:
                images[i, 4:24, pos:pos + 2] = 255
            else:
                images[i, pos:pos + 2, 4:24] = 255
        return Digits(images, labels, "synthetic bars")

    return DigitSplit(make(n_train), make(n_heldout))
