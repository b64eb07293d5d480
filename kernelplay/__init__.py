"""kernelplay: learn how convolutional neural networks see.

The names below are the public, Qt-free core (see the README's "Python API").
"""
__version__ = "0.1.0"

from kernelplay.core.datasets import (
    Digits,
    DigitSplit,
    IdxFormatError,
    center_digit,
    load_digits,
    load_mnist_dir,
    read_idx,
)
from kernelplay.core.explain import PixelExplanation, explain_pixel
from kernelplay.core.filtering import (
    BORDER_MODES,
    OUTPUT_MAPPINGS,
    MappedOutput,
    apply_kernel,
    apply_kernel_naive,
    map_output,
    map_value,
)
from kernelplay.core.images import MAX_PIXELS, ImageLoadError, image_from_bytes, load_image, luminance, save_image
from kernelplay.core.kernels import (
    PRESETS,
    KernelFileError,
    kernel_as_fraction,
    load_kernels,
    parse_kernel,
    parse_weight,
    save_kernels,
)
from kernelplay.core.network import ModelFileError, Network, NetworkConfig
from kernelplay.core.optim import SGD, Adam
from kernelplay.core.training import Snapshot, StepResult, Trainer, train
